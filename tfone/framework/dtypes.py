"""Data types: TF1's ``tf.float32`` and friends, each a thin wrapper over a numpy dtype."""
import builtins

import numpy as np

__all__ = ["DType", "as_dtype", "float16", "float32", "float64", "half", "double",
           "int8", "int16", "int32", "int64", "uint8", "uint16", "bool", "string",
           "complex64", "complex128"]


class DType:
    """A tensor element type. Compare with ``==``; ``as_numpy_dtype`` gives numpy's."""

    __slots__ = ("name", "_np", "as_numpy_dtype")

    def __init__(self, name, np_dtype):
        self.name = name
        self._np = np.dtype(np_dtype)
        self.as_numpy_dtype = self._np.type

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    @property
    def is_floating(self):
        return self._np.kind == "f"

    @property
    def is_integer(self):
        return self._np.kind in "iu"

    @property
    def is_unsigned(self):
        return self._np.kind == "u"

    @property
    def is_complex(self):
        return self._np.kind == "c"

    @property
    def is_bool(self):
        return self._np.kind == "b"

    @property
    def is_numeric(self):
        return self._np.kind in "iufc"

    @property
    def is_differentiable(self):
        """Gradients flow only through floating (and complex) tensors, as in TF1."""
        return self._np.kind in "fc"

    @property
    def min(self):
        return _limits(self).min

    @property
    def max(self):
        return _limits(self).max

    @property
    def size(self):
        return self._np.itemsize

    def is_compatible_with(self, other):
        return self == as_dtype(other)

    def __repr__(self):
        return "tf." + self.name

    def __str__(self):
        return "<dtype: %r>" % self.name

    def __reduce__(self):
        return as_dtype, (self.name,)


def _limits(dtype):
    if dtype.is_floating:
        return np.finfo(dtype._np)
    if dtype.is_integer:
        return np.iinfo(dtype._np)
    raise TypeError("Cannot find minimum/maximum value of %s." % dtype.name)


float16 = half = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = double = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
bool = DType("bool", np.bool_)  # noqa: A001 - TF1's public name
string = DType("string", np.object_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, bool, string,
        complex64, complex128)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "double": float64, "float": float32})
_BY_NUMPY = {d._np: d for d in _ALL}


def as_dtype(type_value):
    """Convert a DType, a name ('float32'), a numpy dtype or a numpy/Python type to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            raise TypeError("Cannot convert value %r to a TensorFlow DType." % type_value) from None
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value is builtins.bool:
        return bool
    if type_value in (str, bytes):
        return string
    try:
        npd = np.dtype(type_value)
    except TypeError:
        raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,)) from None
    if npd.kind in "USO":
        return string
    try:
        return _BY_NUMPY[npd]
    except KeyError:
        raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,)) from None

