"""``tf.IndexedSlices``: some rows of a tensor, as ``values`` and the row ``indices`` they go to.

TF1 uses it for sparse updates such as ``Variable.scatter_sub(tf.IndexedSlices(delta_rows,
row_ids))``. (tfone's tf.gradients returns dense gradients; see docs/DIFFERENCES.md.) Where a
tensor is expected it becomes the dense ``dense_shape`` tensor, the rows of repeated indices
summed, as in TF1.
"""
from tfone.framework import dtypes, op_registry

__all__ = ["IndexedSlices"]


class IndexedSlices:
    """Rows ``values[i]`` of a tensor of shape ``dense_shape`` at row ``indices[i]``."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = op_registry.convert_to_tensor(values, name="values")
        self._indices = op_registry.convert_to_tensor(indices, name="indices")
        self._dense_shape = (None if dense_shape is None
                             else op_registry.convert_to_tensor(dense_shape, name="dense_shape"))
        if not self._indices.dtype.is_integer:
            raise TypeError("IndexedSlices indices must be int32 or int64, got %s"
                            % self._indices.dtype.name)

    values = property(lambda self: self._values, doc="The rows, a Tensor.")
    indices = property(lambda self: self._indices, doc="The row index of each row of values.")
    dense_shape = property(lambda self: self._dense_shape,
                           doc="The shape of the dense tensor (a 1-D Tensor), or None.")
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    name = property(lambda self: self._values.name)
    op = property(lambda self: self._values.op)
    device = property(lambda self: self._values.device)

    def _as_tensor(self, dtype=None):
        if dtype is not None and dtypes.as_dtype(dtype) != self.dtype:
            raise ValueError("Tensor conversion requested dtype %s for IndexedSlices with dtype "
                             "%s" % (dtypes.as_dtype(dtype).name, self.dtype.name))
        if self._dense_shape is None:
            raise ValueError("Tensor conversion requested for IndexedSlices without "
                             "dense_shape: %s" % self.name)
        from tfone.ops import array_ops
        return array_ops.unsorted_segment_sum(self._values, self._indices,
                                              self._dense_shape[0])

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s%s)" % (
            self._indices, self._values,
            "" if self._dense_shape is None else ", dense_shape=%s" % self._dense_shape)
