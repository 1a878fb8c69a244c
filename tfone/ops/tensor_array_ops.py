"""tf.TensorArray, for tf.while_loop bodies that collect one tensor per iteration.

TF1's TensorArray is a handle to a list of tensors living in the runtime. tfone has no such
resource, so a TensorArray here is a value: one dense tensor, its ``flow``, holding all the
elements ([size] + element_shape). ``write`` returns a new TensorArray whose flow is the old one
with one row replaced (as in TF1, always use the returned object); ``read``/``gather`` index
the flow; ``stack`` is the flow itself. Inside tf.while_loop the flow is an ordinary loop
variable, so gradients flow through writes and reads.

Differences from TF1 (documented in docs/DIFFERENCES.md): the flow is created at the first
write (or ``unstack``/``scatter``), from the element's shape; all elements have one shape
(``concat``/``split`` need equal lengths); reading a row never written gives zeros and writing
a row twice overwrites it, where TF1 raises errors.
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Tensor, name_scope
from tfone.framework.op_registry import convert_to_tensor, constant_value
from tfone.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from tfone.ops import array_ops, math_ops
from tfone.ops.constant_op import constant

__all__ = ["TensorArray"]


class TensorArray:
    """A list of tensors of one dtype and shape, written and read by index, that can be a
    tf.while_loop variable (TF1's tf.TensorArray, stored as one dense tensor)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        if handle is not None:
            raise ValueError("tfone's TensorArray has no handle; build it from dtype and size")
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        if size is None and not self._dynamic_size:
            raise ValueError("Size must be provided if handle is not provided")
        self._size = size
        self._static_size = None
        if size is not None:
            value = constant_value(convert_to_tensor(size)) if isinstance(size, Tensor) else size
            self._static_size = None if value is None else int(value)
        if self._static_size is None and not self._dynamic_size:
            raise ValueError("tfone's TensorArray needs a size known when the graph is built (a "
                             "Python int or a constant), or dynamic_size=True; got %r" % (size,))
        self._infer_shape = infer_shape
        self._element_shape = as_shape(element_shape) if element_shape is not None \
            else unknown_shape()
        self._name = name or tensor_array_name or "TensorArray"
        # The flow: a scalar placeholder value until the first write gives the elements' shape.
        self._materialized = flow is not None and flow.shape.ndims not in (None, 0)
        self._flow = flow if flow is not None else array_ops.zeros([], self._dtype,
                                                                   name=self._name + "_flow")

    # -- what while_loop needs: a tensor to carry, and a way to rebuild the array around it --------
    @property
    def flow(self):
        """The tensor that holds the elements ([size] + element_shape once written)."""
        return self._flow

    def _with_flow(self, flow):
        """The same array (dtype, size, element shape) carried by another flow tensor."""
        ta = object.__new__(TensorArray)
        ta.__dict__.update(self.__dict__)
        ta._flow = flow
        if self._materialized and flow.shape.ndims is None:
            flow.set_shape(self._flow_shape())
        return ta

    def _flow_shape(self):
        size = None if self._dynamic_size else self._static_size
        return TensorShape([size]).concatenate(self._element_shape)

    def _empty_flow(self):
        """A flow with no element written, when the element shape is fully known (else None)."""
        if not self._element_shape.is_fully_defined():
            return None
        rows = 0 if self._dynamic_size else self._static_size
        return array_ops.zeros([rows] + self._element_shape.as_list(), self._dtype)

    # -- properties ---------------------------------------------------------------------------------
    @property
    def dtype(self):
        """The dtype of the elements."""
        return self._dtype

    @property
    def element_shape(self):
        """The static shape of each element (known after the first write)."""
        return self._element_shape

    @property
    def handle(self):
        """TF1's resource handle; tfone's TensorArray has none (its value is ``flow``)."""
        raise AttributeError("tfone's TensorArray has no handle; its value is the tensor .flow")

    def __repr__(self):
        return "<tf.TensorArray %s dtype=%s size=%s element_shape=%s>" % (
            self._name, self._dtype.name, self._size if self._static_size is None
            else self._static_size, self._element_shape)

    # -- building -----------------------------------------------------------------------------------
    def _merge_element_shape(self, shape):
        if self._infer_shape or self._element_shape.ndims is not None:
            if not self._element_shape.is_compatible_with(shape):
                raise ValueError("Inconsistent shapes: saw %s but expected %s (TensorArray %s)"
                                 % (shape, self._element_shape, self._name))
            return self._element_shape.merge_with(shape)
        return self._element_shape

    def _value(self, value, what="value"):
        value = convert_to_tensor(value, name=what, dtype_hint=self._dtype)
        if value.dtype.base_dtype != self._dtype:
            raise TypeError("TensorArray dtype is %s but Op is trying to write dtype %s"
                            % (self._dtype.name, value.dtype.name))
        return value

    def _current(self):
        """The flow as [rows] + element_shape, creating it if nothing was written yet."""
        if self._materialized:
            return self._flow
        empty = self._empty_flow()
        if empty is None:
            raise ValueError("TensorArray %s: the element shape %s is not fully known; give "
                             "element_shape= when the array is created" % (
                                 self._name, self._element_shape))
        return empty

    def _new(self, flow, element_shape):
        ta = self._with_flow(flow)
        ta._element_shape = element_shape
        ta._materialized = True
        flow.set_shape(ta._flow_shape().merge_with(flow.shape)
                       if flow.shape.is_compatible_with(ta._flow_shape()) else flow.shape)
        return ta

    def write(self, index, value, name=None):
        """A TensorArray with element ``index`` set to ``value`` (use the returned array)."""
        with name_scope(name, "TensorArrayWrite", [self._flow, index, value]):
            value = self._value(value)
            element_shape = self._merge_element_shape(value.shape)
            index = math_ops.cast(convert_to_tensor(index, name="index"), dtypes.int32)
            if index.shape.ndims not in (None, 0):
                raise ValueError("TensorArray index must be a scalar, got shape %s" % index.shape)
            probe = self._with_flow(self._flow)
            probe._element_shape = element_shape
            current = probe._current()
            if self._dynamic_size:
                missing = math_ops.maximum(index + 1 - array_ops.shape(current)[0], 0)
                paddings = array_ops.concat(
                    [array_ops.reshape(array_ops.stack([0, missing]), [1, 2]),
                     array_ops.zeros([max(element_shape.ndims or 0, 0), 2], dtypes.int32)], 0)
                current = array_ops.pad(current, paddings)
            rows = math_ops.range(array_ops.shape(current)[0])
            mask = math_ops.equal(rows, index)
            for _ in range(element_shape.ndims or 0):
                mask = array_ops.expand_dims(mask, -1)
            flow = math_ops.where_v2(mask, array_ops.expand_dims(value, 0), current)
            return self._new(flow, element_shape)

    def read(self, index, name=None):
        """Element ``index`` (a tensor of the element shape)."""
        if not self._materialized:
            raise ValueError("Could not read from TensorArray %s: nothing was written to it yet"
                             % self._name)
        with name_scope(name, "TensorArrayRead", [self._flow, index]):
            value = array_ops.gather(self._flow, math_ops.cast(index, dtypes.int32))
            value.set_shape(self._element_shape)
            return value

    def gather(self, indices, name=None):
        """The elements at ``indices``, stacked: [len(indices)] + element_shape."""
        if not self._materialized:
            raise ValueError("Could not gather from TensorArray %s: nothing was written to it "
                             "yet" % self._name)
        with name_scope(name, "TensorArrayGather", [self._flow, indices]):
            return array_ops.gather(self._flow, math_ops.cast(indices, dtypes.int32))

    def stack(self, name=None):
        """All elements stacked into one tensor: [size] + element_shape."""
        with name_scope(name, "TensorArrayStack", [self._flow]):
            if not self._materialized:
                empty = self._empty_flow()
                if empty is None or (self._static_size or 0) > 0:
                    raise ValueError("Could not stack TensorArray %s: nothing was written to it"
                                     % self._name)
                return empty
            return array_ops.identity(self._flow)

    def unstack(self, value, name=None):
        """A TensorArray holding the slices of ``value`` along its first dimension."""
        with name_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = self._value(value)
            if value.shape.ndims == 0:
                raise ValueError("Shape must be at least rank 1 but is rank 0 (TensorArray "
                                 "unstack)")
            element_shape = self._merge_element_shape(
                TensorShape(value.shape.as_list()[1:]) if value.shape.ndims is not None
                else unknown_shape())
            rows = value.shape.as_list()[0] if value.shape.ndims else None
            if (not self._dynamic_size and rows is not None and self._static_size is not None
                    and rows != self._static_size):
                raise ValueError("Could not unstack a tensor of %d rows into a TensorArray of "
                                 "size %d" % (rows, self._static_size))
            return self._new(array_ops.identity(value), element_shape)

    def scatter(self, indices, value, name=None):
        """A TensorArray with the rows of ``value`` written at ``indices``."""
        with name_scope(name, "TensorArrayScatter", [self._flow, indices, value]):
            value = self._value(value)
            element_shape = self._merge_element_shape(
                TensorShape(value.shape.as_list()[1:]) if value.shape.ndims else unknown_shape())
            indices = math_ops.cast(convert_to_tensor(indices, name="indices"), dtypes.int32)
            probe = self._with_flow(self._flow)
            probe._element_shape = element_shape
            current = probe._current()
            if self._dynamic_size:
                missing = math_ops.maximum(math_ops.reduce_max(indices) + 1 -
                                           array_ops.shape(current)[0], 0)
                paddings = array_ops.concat(
                    [array_ops.reshape(array_ops.stack([0, missing]), [1, 2]),
                     array_ops.zeros([max(element_shape.ndims or 0, 0), 2], dtypes.int32)], 0)
                current = array_ops.pad(current, paddings)
            size = array_ops.shape(current)[0]
            placed = array_ops.unsorted_segment_sum(value, indices, size)
            written = math_ops.reduce_any(math_ops.equal(
                array_ops.expand_dims(math_ops.range(size), 1),
                array_ops.expand_dims(indices, 0)), axis=1)
            for _ in range(element_shape.ndims or 0):
                written = array_ops.expand_dims(written, -1)
            return self._new(math_ops.where_v2(written, placed, current), element_shape)

    def concat(self, name=None):
        """All elements joined along their first dimension (tfone: elements of one shape)."""
        with name_scope(name, "TensorArrayConcat", [self._flow]):
            flow = self.stack()
            shape = self._element_shape
            if shape.ndims is None or shape.ndims == 0:
                raise ValueError("TensorArray.concat needs elements of rank >= 1, got %s" % shape)
            return array_ops.reshape(flow, [-1] + [d if d is not None else -1
                                                   for d in shape.as_list()[1:]])

    def split(self, value, lengths, name=None):
        """A TensorArray of the pieces of ``value`` of the given ``lengths`` along its first
        dimension (tfone: all lengths equal)."""
        lengths_value = constant_value(convert_to_tensor(lengths))
        if lengths_value is None or len(set(np.ravel(lengths_value).tolist())) > 1:
            raise ValueError("tfone's TensorArray.split needs equal, constant lengths (its "
                             "elements share one shape); got %r" % (lengths,))
        lengths_value = np.ravel(lengths_value)
        with name_scope(name, "TensorArraySplit", [self._flow, value]):
            value = self._value(value)
            piece = int(lengths_value[0]) if lengths_value.size else 0
            rest = value.shape.as_list()[1:] if value.shape.ndims else []
            pieces = array_ops.reshape(value, [len(lengths_value), piece] +
                                       [d if d is not None else -1 for d in rest])
            return self.unstack(pieces)

    def size(self, name=None):
        """The number of elements, as a scalar int32 tensor."""
        with name_scope(name, "TensorArraySize", [self._flow]):
            if self._dynamic_size:
                if not self._materialized:
                    return constant(0, dtypes.int32)
                return array_ops.shape(self._flow)[0]
            return constant(self._static_size, dtypes.int32)

    def identity(self):
        """The same TensorArray (TF1 adds an identity op for control dependencies)."""
        return self._with_flow(array_ops.identity(self._flow)) if self._materialized else self

    def close(self, name=None):
        """An op that does nothing (TF1 frees the array's memory)."""
        from tfone.ops import control_flow_ops
        return control_flow_ops.no_op(name=name or "TensorArrayClose")

    def grad(self, source, flow=None, name=None):
        """Not available: gradients flow through tfone's TensorArray by ordinary tf.gradients."""
        raise NotImplementedError("TensorArray.grad is internal to TF1's gradients; in tfone, "
                                  "tf.gradients differentiates through TensorArray reads/writes")
