"""tf.roll: shift the elements of a tensor along axes, wrapping around (TF1's manip_ops)."""
import numpy as np

from tfone import errors
from tfone.framework.op_registry import OpDef, register_op, apply_op, constant_value

__all__ = ["roll"]


@register_op("Roll")
class Roll(OpDef):
    """Shifts ``input`` by ``shift`` positions along each ``axis`` (elements leaving one end
    come back at the other); a repeated axis gets the sum of its shifts."""
    inputs = ("input:T", "shift:int32|int64", "axis:int32|int64")
    label = "roll"

    def infer(self, input, shift, axis):
        if shift.shape.ndims not in (None, 0, 1) or axis.shape.ndims not in (None, 0, 1):
            raise ValueError("shift and axis must be scalars or vectors, got shapes %s and %s"
                             % (shift.shape, axis.shape))
        if shift.shape.is_fully_defined() and axis.shape.is_fully_defined() and (
                shift.shape.num_elements() != axis.shape.num_elements()):
            raise ValueError("shift and axis must have the same size, got shapes %s and %s"
                             % (shift.shape, axis.shape))
        axes = constant_value(axis)
        rank = input.shape.ndims
        if axes is not None and rank is not None:
            for a in np.atleast_1d(axes):
                if not -rank <= int(a) < rank:
                    raise ValueError("axis %d is out of range for input of rank %d (shape %s)"
                                     % (int(a), rank, input.shape))
        return input.dtype, input.shape

    def compute(self, input, shift, axis):
        shifts, axes = np.atleast_1d(shift), np.atleast_1d(axis)
        if shifts.shape != axes.shape:
            raise errors.InvalidArgumentError(None, None, "shift and axis must have the same "
                                              "size, got %s and %s" % (shifts.shape, axes.shape))
        for a in axes:
            if not -input.ndim <= int(a) < input.ndim:
                raise errors.InvalidArgumentError(
                    None, None, "axis %d is out of range for input of shape %s" % (a, input.shape))
        if input.ndim == 0 or not axes.size:
            return input.copy()
        return np.roll(input, tuple(int(s) for s in shifts), tuple(int(a) for a in axes))

    def gradient(self, op, grad):
        from tfone.ops import math_ops
        return [roll(grad, math_ops.negative(op.inputs[1]), op.inputs[2]), None, None]


def roll(input, shift, axis, name=None):
    """``input`` with its elements shifted by ``shift`` along ``axis`` (scalars or matching
    vectors), wrapping around: roll([0, 1, 2, 3], 1, 0) is [3, 0, 1, 2]."""
    return apply_op("Roll", [input, shift, axis], name=name)
