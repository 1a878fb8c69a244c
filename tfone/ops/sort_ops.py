"""tf.sort and tf.argsort, written (as in TF1) with top_k along the sorted axis."""
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor, constant_value
from tfone.ops import array_ops

__all__ = ["sort", "argsort"]

_DIRECTIONS = ("ASCENDING", "DESCENDING")


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis`` (a constant), ascending or ``direction='DESCENDING'``."""
    with name_scope(name, "sort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort ``values`` along ``axis`` (equal values keep their order).
    ``stable`` is accepted, as TF1, and always holds."""
    del stable  # top_k puts the lower index first among equal values: the sort is stable
    with name_scope(name, "argsort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


def _sort_or_argsort(values, axis, direction, return_argsort):
    from tfone.ops import nn_ops
    if direction not in _DIRECTIONS:
        raise ValueError("%s should be one of %s" % (direction, ", ".join(_DIRECTIONS)))
    axis = convert_to_tensor(axis, name="axis")
    axis_value = constant_value(axis)
    if axis.shape.ndims not in (None, 0) or axis_value is None:
        raise ValueError("axis must be a constant scalar")
    axis = int(axis_value)
    values = convert_to_tensor(values, name="values")
    rank = values.shape.ndims
    if rank is None:
        raise ValueError("sort/argsort need a tensor of known rank, got %s" % values.name)
    if not -rank <= axis < rank:
        raise ValueError("axis %d is out of range for a tensor of rank %d" % (axis, rank))
    axis %= rank
    if direction == "ASCENDING":
        values = -values      # TF1 sorts ascending by sorting the negated values descending
    transposition = None
    if axis != rank - 1:      # top_k works on the last axis: swap axis and the last one
        transposition = list(range(rank))
        transposition[axis], transposition[-1] = rank - 1, axis
        values = array_ops.transpose(values, transposition)
    k = values.shape.as_list()[-1]
    if k is None:
        k = array_ops.shape(values)[-1]
    top_values, indices = nn_ops.top_k(values, k)
    result = indices if return_argsort else top_values
    if transposition is not None:  # swapping two axes is its own inverse
        result = array_ops.transpose(result, transposition)
    if direction == "ASCENDING" and not return_argsort:
        result = -result
    return result
