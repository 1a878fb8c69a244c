"""Segments, uniques and counting: tf.unique, segment reductions, bincount, confusion_matrix.

``UnsortedSegmentSum`` (array_ops) is the workhorse: the sorted ``segment_*`` reductions,
``unsorted_segment_mean``, ``bincount`` and ``confusion_matrix`` are composites built on it.
``Unique``/``UniqueWithCounts`` (outputs whose length depends on the data) and
``UnsortedSegmentMax``/``Min`` are ops of their own.
"""
import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value)
from tfone.framework.tensor_shape import TensorShape, unknown_shape
from tfone.ops import array_ops, math_ops
from tfone.ops.constant_op import constant

__all__ = ["unique", "unique_with_counts", "unsorted_segment_max", "unsorted_segment_min",
           "unsorted_segment_mean", "unsorted_segment_sqrt_n", "segment_sum", "segment_mean",
           "segment_max", "segment_min", "bincount", "confusion_matrix"]


# -- unique -------------------------------------------------------------------------------------
def _unique(x):
    """(unique values in order of first appearance, index of each x in them, counts)."""
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True)
    order = np.argsort(first, kind="stable")        # np.unique sorts; TF1 keeps first-seen order
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return values[order], rank[inverse.reshape(-1)], counts[order]


class _UniqueBase(OpDef):
    # Every dtype, listed rather than a type variable: as in TF1, no gradient is defined and
    # tf.gradients raises LookupError through it.
    inputs = ("x:float16|float32|float64|int8|int16|int32|int64|uint8|uint16|bool|string|"
              "complex64|complex128",)
    attrs = {"out_idx": dtypes.int32}

    def _infer(self, x, out_idx):
        if x.shape.ndims not in (None, 1):
            raise ValueError("%s needs a 1-D tensor, got shape %s" % (self.type, x.shape))
        if out_idx not in (dtypes.int32, dtypes.int64):
            raise TypeError("out_idx must be tf.int32 or tf.int64, got %s" % out_idx)
        return [(x.dtype, [None]), (out_idx, x.shape if x.shape.ndims else [None])]

    @staticmethod
    def _check(x):
        if x.ndim != 1:
            raise errors.InvalidArgumentError(None, None, "unique expects a 1D vector, got an "
                                              "array of shape %s" % (x.shape,))


@register_op("Unique")
class Unique(_UniqueBase):
    """(y, idx): the distinct entries of a 1-D x in order of first appearance, and for each
    entry of x its position in y (x == y[idx])."""
    num_outputs = 2
    label = "unique"

    def infer(self, x, out_idx):
        return self._infer(x, out_idx)

    def compute(self, x, out_idx):
        self._check(x)
        y, idx, _ = _unique(x)
        return y, idx.astype(out_idx._np)


@register_op("UniqueWithCounts")
class UniqueWithCounts(_UniqueBase):
    """(y, idx, count): like Unique, plus how many times each entry of y occurs in x."""
    num_outputs = 3
    label = "unique"

    def infer(self, x, out_idx):
        return self._infer(x, out_idx) + [(out_idx, [None])]

    def compute(self, x, out_idx):
        self._check(x)
        y, idx, counts = _unique(x)
        return y, idx.astype(out_idx._np), counts.astype(out_idx._np)


def unique(x, out_idx=dtypes.int32, name=None):
    """(y, idx): the distinct entries of the 1-D ``x`` in order of first appearance, and the
    index into y of each entry of x. y's length is known only when the graph runs."""
    y, idx = apply_op("Unique", [x], {"out_idx": dtypes.as_dtype(out_idx)}, name=name)
    return y, idx


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """(y, idx, count): tf.unique plus the number of occurrences of each entry of y."""
    y, idx, count = apply_op("UniqueWithCounts", [x], {"out_idx": dtypes.as_dtype(out_idx)},
                             name=name)
    return y, idx, count


# -- unsorted segment max / min ------------------------------------------------------------------
class _UnsortedSegmentExtremum(OpDef):
    inputs = ("data:T", "segment_ids:int32|int64", "num_segments:int32|int64")
    reducer = None      # np.maximum / np.minimum

    def infer(self, data, segment_ids, num_segments):
        if not (data.dtype.is_floating or data.dtype.is_integer):
            raise TypeError("%s needs a real-valued data tensor, got %s"
                            % (self.type, data.dtype.name))
        if num_segments.shape.ndims not in (None, 0):
            raise ValueError("num_segments must be a scalar, got shape %s" % num_segments.shape)
        n = constant_value(num_segments)
        n = None if n is None else int(n)
        ddims, sdims = data.shape.as_tuple(), segment_ids.shape.as_tuple()
        if ddims is None or sdims is None:
            return data.dtype, unknown_shape()
        if len(sdims) > len(ddims) or not TensorShape(ddims[:len(sdims)]).is_compatible_with(
                TensorShape(sdims)):
            raise ValueError("segment_ids.shape = %s must be a prefix of data.shape = %s"
                             % (segment_ids.shape, data.shape))
        return data.dtype, [n] + list(ddims[len(sdims):])

    def compute(self, data, segment_ids, num_segments):
        ids = np.asarray(segment_ids)
        n = int(num_segments)
        if data.shape[:ids.ndim] != ids.shape:
            raise ValueError("segment_ids.shape = %s must be a prefix of data.shape = %s"
                             % (ids.shape, data.shape))
        inner = data.shape[ids.ndim:]
        flat_ids = ids.reshape(-1)
        flat = data.reshape((flat_ids.size,) + inner)
        if flat_ids.size and flat_ids.max() >= n:
            i = int(np.argmax(flat_ids >= n))
            raise ValueError("segment_ids[%d] = %d is out of range [0, %d)" % (i, flat_ids[i], n))
        keep = flat_ids >= 0
        if not keep.all():
            flat_ids, flat = flat_ids[keep], flat[keep]
        # Empty segments hold the identity of the reduction: the lowest (max) or highest (min)
        # value of the dtype, as TF1.
        info = np.finfo(data.dtype) if data.dtype.kind == "f" else np.iinfo(data.dtype)
        start = info.min if self.reducer is np.maximum else info.max
        out = np.full((n,) + inner, start, dtype=data.dtype)
        self.reducer.at(out, flat_ids, flat)
        return out

    def gradient(self, op, grad):
        # TF1's rule: the gradient goes to the entries equal to their segment's extremum,
        # shared equally between ties. Entries with negative ids get none.
        data, ids = op.inputs[0], op.inputs[1]
        output = op.outputs[0]
        safe_ids = math_ops.maximum(ids, array_ops.zeros_like(ids))
        gathered = array_ops.gather(output, safe_ids)
        is_selected = math_ops.logical_and(math_ops.equal(data, gathered),
                                           _broadcast_mask(math_ops.greater_equal(
                                               ids, array_ops.zeros_like(ids)), data))
        selected = math_ops.cast(is_selected, grad.dtype)
        num_selected = array_ops.unsorted_segment_sum(selected, ids, op.inputs[2])
        weighted = math_ops.div_no_nan(array_ops.gather(grad, safe_ids),
                                       array_ops.gather(num_selected, safe_ids))
        return [weighted * selected, None, None]


def _broadcast_mask(mask, data):
    """A mask over segment_ids' dims, expanded to broadcast against data."""
    extra = (data.shape.ndims or 0) - (mask.shape.ndims or 0)
    for _ in range(max(extra, 0)):
        mask = array_ops.expand_dims(mask, -1)
    return mask


@register_op("UnsortedSegmentMax")
class UnsortedSegmentMax(_UnsortedSegmentExtremum):
    """The maximum of the rows of ``data`` that share a segment id (empty segments: the
    lowest value of the dtype; negative ids are dropped)."""
    label = "segment_max"
    reducer = np.maximum


@register_op("UnsortedSegmentMin")
class UnsortedSegmentMin(_UnsortedSegmentExtremum):
    """The minimum of the rows of ``data`` that share a segment id (empty segments: the
    highest value of the dtype; negative ids are dropped)."""
    label = "segment_min"
    reducer = np.minimum


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """``output[i]`` = max of the ``data`` rows whose segment id is i (ids in any order; empty
    segments hold the lowest value of the dtype)."""
    return apply_op("UnsortedSegmentMax", [data, segment_ids, num_segments], name=name)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """``output[i]`` = min of the ``data`` rows whose segment id is i (ids in any order; empty
    segments hold the highest value of the dtype)."""
    return apply_op("UnsortedSegmentMin", [data, segment_ids, num_segments], name=name)


def _segment_counts(data, segment_ids, num_segments):
    """How many rows fall in each segment, shaped to broadcast against the segment sums."""
    ones = array_ops.ones_like(segment_ids, dtype=data.dtype)
    counts = array_ops.unsorted_segment_sum(ones, segment_ids, num_segments)
    extra = (data.shape.ndims or 0) - (segment_ids.shape.ndims or 0)
    for _ in range(max(extra, 0)):
        counts = array_ops.expand_dims(counts, -1)
    return counts


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """``output[i]`` = mean of the ``data`` rows whose segment id is i (empty segments: 0)."""
    with name_scope(name, "UnsortedSegmentMean"):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        counts = _segment_counts(data, segment_ids, num_segments)
        counts = math_ops.maximum(counts, array_ops.ones_like(counts))
        return math_ops.truediv(array_ops.unsorted_segment_sum(data, segment_ids, num_segments),
                                counts)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """``output[i]`` = sum of the ``data`` rows with segment id i, divided by sqrt(their
    number) (empty segments: 0)."""
    with name_scope(name, "UnsortedSegmentSqrtN"):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        counts = _segment_counts(data, segment_ids, num_segments)
        counts = math_ops.maximum(counts, array_ops.ones_like(counts))
        return math_ops.truediv(array_ops.unsorted_segment_sum(data, segment_ids, num_segments),
                                math_ops.sqrt(counts))


# -- sorted segment reductions ------------------------------------------------------------------
def _sorted_segments(data, segment_ids, what):
    """(data, checked segment_ids, number of segments = last id + 1) for TF1's sorted
    segment reductions; a run-time error if the ids are negative or not sorted, as TF1."""
    from tfone.ops import check_ops, control_flow_ops
    data = convert_to_tensor(data, name="data")
    segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
    if segment_ids.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("%s: segment_ids must be int32 or int64, got %s"
                        % (what, segment_ids.dtype.name))
    if segment_ids.shape.ndims not in (None, 1):
        raise ValueError("%s: segment_ids must be a vector, got shape %s"
                         % (what, segment_ids.shape))
    ok = math_ops.logical_and(
        check_ops.is_non_decreasing(segment_ids),
        math_ops.reduce_all(math_ops.greater_equal(segment_ids,
                                                   array_ops.zeros_like(segment_ids))))
    check = check_ops.Assert(ok, ["%s: segment ids must be non-negative and sorted "
                                  "(non-decreasing); use tf.unsorted_segment_* for ids in any "
                                  "order. segment_ids:" % what, segment_ids], summarize=10)
    segment_ids = control_flow_ops.with_dependencies([check], segment_ids)
    # max(-1, ids...) + 1: the number of segments, 0 for no ids.
    last = math_ops.reduce_max(array_ops.concat(
        [constant([-1], dtype=segment_ids.dtype), segment_ids], 0))
    return data, segment_ids, last + 1


def segment_sum(data, segment_ids, name=None):
    """``output[i]`` = sum of the ``data`` rows with (sorted) segment id i; the output has
    last id + 1 rows (empty segments: 0)."""
    with name_scope(name, "SegmentSum"):
        data, ids, n = _sorted_segments(data, segment_ids, "segment_sum")
        return array_ops.unsorted_segment_sum(data, ids, n)


def segment_mean(data, segment_ids, name=None):
    """``output[i]`` = mean of the ``data`` rows with (sorted) segment id i (empty
    segments: 0)."""
    with name_scope(name, "SegmentMean"):
        data, ids, n = _sorted_segments(data, segment_ids, "segment_mean")
        return unsorted_segment_mean(data, ids, n)


def _segment_extremum(data, segment_ids, name, default_name, reduce_fn):
    with name_scope(name, default_name):
        data, ids, n = _sorted_segments(data, segment_ids, default_name)
        reduced = reduce_fn(data, ids, n)
        # Empty segments hold 0 in TF1's sorted reductions.
        zeros = array_ops.zeros_like(reduced)
        present = math_ops.greater(_segment_counts(data, ids, n) + zeros, zeros)
        return math_ops.where(present, reduced, zeros)


def segment_max(data, segment_ids, name=None):
    """``output[i]`` = max of the ``data`` rows with (sorted) segment id i (empty segments: 0)."""
    return _segment_extremum(data, segment_ids, name, "SegmentMax", unsorted_segment_max)


def segment_min(data, segment_ids, name=None):
    """``output[i]`` = min of the ``data`` rows with (sorted) segment id i (empty segments: 0)."""
    return _segment_extremum(data, segment_ids, name, "SegmentMin", unsorted_segment_min)


# -- bincount and confusion_matrix ---------------------------------------------------------------
def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32):
    """How many times each value 0, 1, ... occurs in the int32 tensor ``arr`` (or the sum of
    ``weights`` at those positions); the length is max(arr) + 1, at least ``minlength`` and at
    most ``maxlength`` (larger values are ignored). Negative values are an error."""
    from tfone.ops import check_ops, control_flow_ops
    with name_scope(None, "bincount"):
        arr = convert_to_tensor(arr, name="arr", dtype=dtypes.int32)
        arr = control_flow_ops.with_dependencies([check_ops.assert_non_negative(
            arr, message="Input arr must be non-negative!")], arr)
        flat = array_ops.reshape(arr, [-1])
        size = math_ops.reduce_max(array_ops.concat([constant([-1]), flat], 0)) + 1
        if minlength is not None:
            size = math_ops.maximum(convert_to_tensor(minlength, name="minlength",
                                                      dtype=dtypes.int32), size)
        if maxlength is not None:
            size = math_ops.minimum(convert_to_tensor(maxlength, name="maxlength",
                                                      dtype=dtypes.int32), size)
        if weights is None:
            values = array_ops.ones_like(flat, dtype=dtype)
        else:
            values = array_ops.reshape(convert_to_tensor(weights, name="weights"), [-1])
        # Values past the output's length go to segment -1, which unsorted_segment_sum drops.
        ids = math_ops.where(math_ops.less(flat, size), flat, array_ops.fill(
            array_ops.shape(flat), -1))
        return array_ops.unsorted_segment_sum(values, ids, size)


def _remove_squeezable_dimensions(labels, predictions):
    """Squeeze a trailing dimension of size 1 off whichever of the two has one rank more."""
    lr, pr = labels.shape.ndims, predictions.shape.ndims
    if lr is not None and pr is not None:
        if lr == pr + 1 and labels.shape.as_list()[-1] in (1, None):
            labels = array_ops.squeeze(labels, [-1])
        elif pr == lr + 1 and predictions.shape.as_list()[-1] in (1, None):
            predictions = array_ops.squeeze(predictions, [-1])
    return labels, predictions


def confusion_matrix(labels, predictions, num_classes=None, dtype=dtypes.int32, name=None,
                     weights=None):
    """The [num_classes, num_classes] matrix whose entry [i, j] counts (or sums ``weights``
    over) the examples with label i and prediction j.

    ``labels`` and ``predictions`` are 1-D class indices (a trailing dimension of size 1 is
    squeezed); ``num_classes`` defaults to the largest of them + 1. Negative or (with
    ``num_classes``) too large values are InvalidArgumentErrors at run time, as in TF1.
    """
    from tfone.ops import check_ops, control_flow_ops
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "confusion_matrix"):
        labels, predictions = _remove_squeezable_dimensions(
            convert_to_tensor(labels, name="labels"),
            convert_to_tensor(predictions, name="predictions"))
        for t, what in ((labels, "labels"), (predictions, "predictions")):
            if t.shape.ndims not in (None, 1):
                raise ValueError("confusion_matrix: %s must be a vector of class indices, got "
                                 "shape %s" % (what, t.shape))
        labels.shape.assert_is_compatible_with(predictions.shape)
        predictions = math_ops.cast(predictions, dtypes.int64)
        labels = math_ops.cast(labels, dtypes.int64)
        labels = control_flow_ops.with_dependencies([check_ops.assert_non_negative(
            labels, message="`labels` contains negative values")], labels)
        predictions = control_flow_ops.with_dependencies([check_ops.assert_non_negative(
            predictions, message="`predictions` contains negative values")], predictions)
        if num_classes is None:
            num_classes = math_ops.maximum(math_ops.reduce_max(predictions),
                                           math_ops.reduce_max(labels)) + 1
        else:
            num_classes = math_ops.cast(num_classes, dtypes.int64)
            labels = control_flow_ops.with_dependencies([check_ops.assert_less(
                labels, num_classes, message="`labels` out of bound")], labels)
            predictions = control_flow_ops.with_dependencies([check_ops.assert_less(
                predictions, num_classes, message="`predictions` out of bound")], predictions)
        if weights is not None:
            weights = convert_to_tensor(weights, name="weights")
            predictions.shape.assert_is_compatible_with(weights.shape)
            values = math_ops.cast(weights, dtype)
        else:
            values = array_ops.ones_like(predictions, dtype=dtype)
        cells = labels * num_classes + predictions
        counts = array_ops.unsorted_segment_sum(values, cells, num_classes * num_classes)
        side = math_ops.cast(num_classes, dtypes.int32)
        return array_ops.reshape(counts, array_ops.stack([side, side]))
