"""tf.dynamic_partition and tf.dynamic_stitch: splitting a tensor's rows into groups by an index
tensor, and merging groups of rows back by position (each the other's gradient), as in TF1's
data_flow_ops.

    parts = tf.dynamic_partition(x, labels, 2)          # rows with label 0, rows with label 1
    back = tf.dynamic_stitch(tf.dynamic_partition(tf.range(n), labels, 2), parts)   # == x
"""
import numpy as np

from tfone import errors
from tfone.framework.op_registry import OpDef, register_op, apply_op, constant_value
from tfone.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["dynamic_partition", "dynamic_stitch"]


@register_op("DynamicPartition")
class DynamicPartition(OpDef):
    """Splits ``data`` into ``num_partitions`` tensors: output i holds (in order) the slices
    ``data[j...]`` whose ``partitions[j...]`` is i."""
    inputs = ("data:T", "partitions:int32")
    attrs = {"num_partitions": None}
    num_outputs = None
    label = "partition"

    def infer(self, data, partitions, num_partitions):
        if not isinstance(num_partitions, int) or num_partitions < 1:
            raise ValueError("num_partitions must be an int >= 1, got %r" % (num_partitions,))
        p_rank = partitions.shape.ndims
        if p_rank is None or data.shape.ndims is None:
            return [(data.dtype, unknown_shape())] * num_partitions
        if data.shape.ndims < p_rank or not data.shape[:p_rank].is_compatible_with(
                partitions.shape):
            raise ValueError("partitions.shape %s must be a prefix of data.shape %s"
                             % (partitions.shape, data.shape))
        out = TensorShape([None]).concatenate(data.shape[p_rank:])
        return [(data.dtype, out)] * num_partitions

    def compute(self, data, partitions, num_partitions):
        flat = partitions.reshape(-1)
        if data.shape[:partitions.ndim] != partitions.shape:
            raise errors.InvalidArgumentError(
                None, None, "DynamicPartition: data.shape %s must start with partitions.shape "
                "%s" % (list(data.shape), list(partitions.shape)))
        bad = np.flatnonzero((flat < 0) | (flat >= num_partitions))
        if bad.size:
            raise errors.InvalidArgumentError(
                None, None, "DynamicPartition: partitions[%d] = %d is not in [0, %d)"
                % (bad[0], flat[bad[0]], num_partitions))
        rows = data.reshape((flat.size,) + data.shape[partitions.ndim:])
        order = np.argsort(flat, kind="stable")
        ends = np.cumsum(np.bincount(flat, minlength=num_partitions))[:-1]
        return tuple(np.split(rows[order], ends))

    def gradient(self, op, *grads):
        # Partition the positions the same way, then stitch the gradients back to them.
        from tfone.ops import array_ops, math_ops
        data, partitions = op.inputs
        prefix_shape = array_ops.shape(partitions)
        positions = array_ops.reshape(math_ops.range(math_ops.reduce_prod(prefix_shape)),
                                      prefix_shape)
        parts = dynamic_partition(positions, partitions, op.get_attr("num_partitions"))
        stitched = dynamic_stitch(parts, list(grads))
        return [array_ops.reshape(stitched, array_ops.shape(data)), None]


@register_op("DynamicStitch")
class DynamicStitch(OpDef):
    """Merges ``data`` tensors by position: ``merged[indices[m][i...], ...] = data[m][i...,
    ...]`` (a later m wins a repeated index; rows no index names are zero)."""
    inputs = ("*indices:int32", "*data:T")
    label = "stitch"

    def infer(self, indices, data):
        if len(indices) != len(data):
            raise ValueError("DynamicStitch needs as many data tensors as index tensors, got "
                             "%d and %d" % (len(indices), len(data)))
        if not indices:
            raise ValueError("DynamicStitch needs at least one (indices, data) pair")
        item = unknown_shape()
        for i, d in zip(indices, data):
            if i.shape.ndims is None or d.shape.ndims is None:
                continue
            if d.shape.ndims < i.shape.ndims or not d.shape[:i.shape.ndims].is_compatible_with(
                    i.shape):
                raise ValueError("DynamicStitch: data.shape %s must start with indices.shape %s"
                                 % (d.shape, i.shape))
            rest = d.shape[i.shape.ndims:]
            if not item.is_compatible_with(rest):
                raise ValueError("DynamicStitch: every data[m].shape[indices[m].ndims:] must "
                                 "be equal, got %s and %s" % (item, rest))
            item = item.merge_with(rest)
        values = [constant_value(i) for i in indices]
        if all(v is not None for v in values):
            size = max([int(np.max(v)) + 1 if np.size(v) else 0 for v in values])
        else:
            size = None
        if item.ndims is None:
            return data[0].dtype, unknown_shape()
        return data[0].dtype, TensorShape([size]).concatenate(item)

    def compute(self, indices, data):
        item_shape = None
        flat_indices, flat_values = [], []
        for i, d in zip(indices, data):
            i, d = np.asarray(i), np.asarray(d)
            if d.shape[:i.ndim] != i.shape:
                raise errors.InvalidArgumentError(
                    None, None, "DynamicStitch: data.shape %s must start with indices.shape %s"
                    % (list(d.shape), list(i.shape)))
            rest = d.shape[i.ndim:]
            if item_shape is not None and rest != item_shape:
                raise errors.InvalidArgumentError(
                    None, None, "DynamicStitch: every data[m].shape[indices[m].ndims:] must be "
                    "equal, got %s and %s" % (list(item_shape), list(rest)))
            item_shape = rest
            flat_indices.append(i.reshape(-1))
            flat_values.append(d.reshape((-1,) + rest))
        positions = np.concatenate(flat_indices)
        values = np.concatenate(flat_values)
        if positions.size and positions.min() < 0:
            raise errors.InvalidArgumentError(
                None, None, "DynamicStitch: indices must be >= 0, got %d" % positions.min())
        size = int(positions.max()) + 1 if positions.size else 0
        merged = np.zeros((size,) + item_shape, dtype=values.dtype)
        # the last occurrence of each index wins
        _, last = np.unique(positions[::-1], return_index=True)
        keep = positions.size - 1 - last
        merged[positions[keep]] = values[keep]
        return merged

    def gradient(self, op, grad):
        # As TF1: each data tensor gets the rows of the gradient its indices point to (also
        # for rows a later data tensor overwrote).
        from tfone.ops import array_ops
        n = len(op.inputs) // 2
        return [None] * n + [array_ops.gather(grad, op.inputs[m]) for m in range(n)]


def dynamic_partition(data, partitions, num_partitions, name=None):
    """A list of ``num_partitions`` tensors: the i-th holds, in order, the slices of ``data``
    whose entry in ``partitions`` (an int32 tensor whose shape starts ``data``'s) is i."""
    return apply_op("DynamicPartition", [data, partitions],
                    {"num_partitions": int(num_partitions)}, name=name)


def dynamic_stitch(indices, data, name=None):
    """One tensor from lists of index tensors and data tensors: ``merged[indices[m][i], ...] =
    data[m][i, ...]`` (later entries win repeated indices; its first dimension is the largest
    index + 1)."""
    return apply_op("DynamicStitch", [list(indices), list(data)], name=name)
