"""Constants: the ``Const`` op, ``tf.constant`` and conversion of Python/numpy values."""
import numbers

import numpy as np

from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape
from tfone.framework.op_registry import (OpDef, register_op, apply_op, register_constant_builder,
                                         NOT_DIFFERENTIABLE, is_tensor_like)

__all__ = ["constant", "to_numpy"]


@register_op("Const")
class Const(OpDef):
    """A value stored in the graph itself."""
    attrs = {"value": None, "dtype": None}
    label = "const"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, value, dtype):
        return dtype, value.shape

    def make_kernel(self, op, ctx):
        value = op._attrs["value"]
        return lambda: value

    def static_value(self, op):
        return op._attrs["value"]


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A Const op holding ``value`` (a Python value or numpy array), optionally cast to ``dtype``
    and broadcast/reshaped to ``shape`` (TF1 semantics: a short list is padded with its last
    element)."""
    array = to_numpy(value, dtype)
    if shape is not None:
        array = _fit_to_shape(array, shape, verify_shape)
    array.flags.writeable = False  # kernels hand this buffer out on every run
    return apply_op("Const", [], {"value": array, "dtype": dtypes.as_dtype(array.dtype)
                                  if dtype is None else dtypes.as_dtype(dtype)}, name=name)


def _fit_to_shape(array, shape, verify_shape):
    shape = TensorShape(shape).as_list()
    if None in shape:
        raise ValueError("tf.constant needs a fully defined shape, got %s" % (shape,))
    size = int(np.prod(shape))
    if verify_shape and list(array.shape) != shape:
        raise TypeError("Expected Tensor's shape: %s, got %s." % (tuple(shape), array.shape))
    if array.size == 1:
        return np.broadcast_to(array.reshape(()), shape).copy()
    if array.size == size:
        return array.reshape(shape)
    if array.size > size:
        raise TypeError("Too many elements provided. Needed at most %d, but received %d"
                        % (size, array.size))
    flat = array.reshape(-1)
    padded = np.concatenate([flat, np.full(size - flat.size, flat[-1], dtype=flat.dtype)])
    return padded.reshape(shape)


def to_numpy(value, dtype=None):
    """``value`` as a numpy array with TF1's dtype rules.

    Python floats become float32, ints int32 (int64 if too large), strings tf.string; numpy
    arrays keep their dtype. With ``dtype``, values must convert without losing information.
    """
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind in "USO":
            array = array.astype(object)
        if dtype is None:
            if array.dtype not in dtypes._BY_NUMPY and array.dtype.kind not in "O":
                raise TypeError("numpy dtype %s is not supported by tfone" % array.dtype)
            return array if array.dtype.kind != "O" else _to_bytes(array)
        return _cast_checked(array, dtype, value)
    if _is_nested_sequence_with_tensors(value):
        raise TypeError("to_numpy got tensors inside %r" % (value,))
    try:
        array = np.array(value)
    except ValueError:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor: %r" % (value,)) from None
    if array.dtype == object and not _all_strings(array):
        raise TypeError("Failed to convert object of type %s to Tensor. Contents: %r. Consider "
                        "casting elements to a supported type." % (type(value).__name__, value))
    if dtype is None:
        kind = array.dtype.kind
        if kind == "f":
            array = array.astype(np.float32)
        elif kind in "iu":
            info = np.iinfo(np.int32)
            array = array.astype(np.int32 if array.size == 0 or (
                array.min() >= info.min and array.max() <= info.max) else np.int64)
        elif kind == "c":
            array = array.astype(np.complex128)
        elif kind in "USO":
            array = _to_bytes(array)
        elif kind != "b":
            raise TypeError("Cannot convert %r to a Tensor" % (value,))
        return array
    if array.dtype.kind in "USO":
        if dtype != dtypes.string:
            raise TypeError("Expected %s, got %r of type '%s' instead." % (dtype.name, value, type(value).__name__))
        return _to_bytes(array)
    if array.dtype.kind in "fc" and array.size and (dtype.is_integer or dtype.is_bool):
        # TF1 never turns a Python float into an integer tensor, even 2.0 (x_int + 2.0 fails).
        raise TypeError("Expected %s, got %s of type '%s' instead."
                        % (dtype.name, _short(value), type(value).__name__))
    return _cast_checked(array, dtype, value)


def _cast_checked(array, dtype, original):
    target = dtype._np
    if array.dtype == target:
        return array
    if dtype == dtypes.string:
        if array.dtype.kind == "O":
            return _to_bytes(array)
        raise TypeError("Expected string, got %r of type '%s' instead." % (original, type(original).__name__))
    if array.dtype.kind in "USO":
        raise TypeError("Expected %s, got %r of type '%s' instead." % (dtype.name, original, type(original).__name__))
    converted = array.astype(target)
    lossless = array.dtype.kind == "b" or (
        np.array_equal(converted.astype(array.dtype), array, equal_nan=array.dtype.kind in "fc")
        if array.size < 100000 else np.can_cast(array.dtype, target, "same_kind"))
    if target.kind in "iub" and array.dtype.kind in "fc" and not lossless:
        raise TypeError("Expected %s, got %s of type '%s' instead."
                        % (dtype.name, _short(original), type(original).__name__))
    if target.kind in "iu" and array.dtype.kind in "iu" and not lossless:
        raise TypeError("Value %s does not fit in %s." % (_short(original), dtype.name))
    if target.kind == "b" and array.dtype.kind != "b":
        raise TypeError("Expected bool, got %s of type '%s' instead." % (_short(original), type(original).__name__))
    return converted


def _short(value):
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _to_bytes(array):
    out = np.empty(array.shape, dtype=object)
    flat_in, flat_out = array.reshape(-1), out.reshape(-1)
    for i, item in enumerate(flat_in):
        flat_out[i] = item.encode("utf-8") if isinstance(item, str) else bytes(item)
    return out


def _all_strings(array):
    return all(isinstance(x, (str, bytes)) for x in array.reshape(-1))


def _is_nested_sequence_with_tensors(value):
    if is_tensor_like(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_nested_sequence_with_tensors(v) for v in value)
    return False


def _build_constant(value, dtype, name):
    """Conversion hook for convert_to_tensor: lists holding tensors are packed (tf.stack)."""
    if isinstance(value, (list, tuple)) and _is_nested_sequence_with_tensors(value):
        from tfone.ops.array_ops import _autopack
        return _autopack(value, dtype, name)
    if isinstance(value, numbers.Number) or isinstance(value, (list, tuple, np.ndarray, np.generic,
                                                                 str, bytes, bool)):
        return constant(value, dtype=dtype, name=name)
    raise TypeError("Failed to convert object of type %s to Tensor. Contents: %r. Consider "
                    "casting elements to a supported type." % (type(value).__name__, value))


register_constant_builder(_build_constant)
