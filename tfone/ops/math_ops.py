"""Math ops: elementwise arithmetic with broadcasting, comparisons, matrix products, reductions.

Gradients of broadcasting ops go through :func:`unbroadcast`, which sums a gradient back to an
input's shape, statically when shapes allow (so pictures stay small) and with a
BroadcastGradientArgs op otherwise. Every gradient is built from ordinary ops (including TF1's
``SigmoidGrad``/``TanhGrad``/... helper ops, which have gradients of their own), so gradients
can be differentiated again.
"""
import builtins
import math as _pymath
import string as _string

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, NOT_DIFFERENTIABLE, is_tensor_like)
from tfone.framework.tensor_shape import TensorShape, unknown_shape
from tfone.ops import array_ops
from tfone.ops.constant_op import constant
from tfone.ops.shape_inference import (broadcast_shape, reduced_shape, normalize_axes,
                                       axes_from_tensor)

__all__ = [
    # arithmetic
    "add", "subtract", "multiply", "divide", "realdiv", "truediv", "floordiv", "floormod", "mod",
    "pow", "negative", "scalar_mul", "div_no_nan", "maximum", "minimum", "squared_difference",
    "add_n", "accumulate_n", "clip_by_value", "div", "truncatediv", "truncatemod", "atan2",
    # unary
    "abs", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "sin", "cos", "tan",
    "tanh", "sigmoid", "log_sigmoid", "reciprocal", "asin", "acos", "atan", "sinh", "cosh",
    "asinh", "acosh", "atanh", "round", "rint", "floor", "ceil", "conj", "erf", "is_nan", "is_inf",
    "is_finite",
    # comparison and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor", "where", "where_v2",
    # matrices
    "matmul", "tensordot", "einsum", "cumsum", "cumprod", "norm",
    # reductions
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_logsumexp",
    "reduce_any", "reduce_all", "count_nonzero", "argmax", "argmin",
    # misc
    "range", "unbroadcast", "cast", "saturate_cast", "to_float", "to_double", "to_int32", "to_int64"]

_FLOAT_KINDS = "fc"       # floating and complex
_REAL_KINDS = "iuf"       # real numbers
_NUMERIC_KINDS = "iufc"
_KIND_NAMES = {"f": (dtypes.float16, dtypes.float32, dtypes.float64),
               "c": (dtypes.complex64, dtypes.complex128),
               "i": (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64),
               "u": (dtypes.uint8, dtypes.uint16),
               "b": (dtypes.bool,)}


def _check_dtype(op_type, dtype, kinds, arg="x"):
    """TypeError unless ``dtype`` is of one of numpy's ``kinds`` (e.g. "fc")."""
    if dtype._np.kind in kinds:
        return
    allowed = [d.name for k in kinds for d in _KIND_NAMES.get(k, ())]
    hint = ""
    if "f" in kinds and (dtype.is_integer or dtype.is_bool):
        hint = " Hint: use tf.cast(%s, tf.float32) or a float literal such as 2.0." % arg
    raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed values "
                    "for %s: %s.%s" % (arg, dtype.name, op_type, ", ".join(allowed), hint))


# -- broadcasting gradients ------------------------------------------------------------------------
def _static_reduction_axes(x_dims, other_dims, grad_dims):
    """Axes of ``grad`` to sum so it matches ``x``, or None when only known at run time."""
    if x_dims is None or grad_dims is None:
        return None
    n = len(grad_dims)
    lead = n - len(x_dims)
    if lead < 0:
        return None
    axes = list(builtins.range(lead))  # this module defines tf.range
    for i, xd in enumerate(x_dims):
        gd = grad_dims[lead + i]
        if xd == 1:
            if gd != 1:
                axes.append(lead + i)
        elif xd is None:
            if other_dims is None:
                return None
            j = len(other_dims) - (len(x_dims) - i)
            od = other_dims[j] if j >= 0 else 1
            if od != 1:  # x's unknown dim may be 1 broadcast against od: decide at run time
                return None
    return axes


def _sum_axes(grad, axes, lead):
    """Sum ``grad`` over ``axes``: the first ``lead`` axes are dropped, the others kept (size 1)."""
    leading = [a for a in axes if a < lead]
    inner = [a - lead for a in axes if a >= lead]
    if leading:
        grad = reduce_sum(grad, leading)
    if inner:
        grad = reduce_sum(grad, inner, keepdims=True)
    return grad


def unbroadcast(grad, x, other=None):
    """Sum ``grad`` (shaped like ``broadcast(x, other)``) down to ``x``'s shape."""
    other_shape = None if other is None else other.shape
    full = grad.shape
    if other_shape is not None:
        try:
            full = full.merge_with(broadcast_shape(x.shape, other_shape))
        except ValueError:
            pass
    axes = _static_reduction_axes(x.shape.as_tuple(), None if other_shape is None
                                  else other_shape.as_tuple(), full.as_tuple())
    if axes is None:
        rx, _ = array_ops.broadcast_gradient_args(array_ops.shape(x), array_ops.shape(
            other if other is not None else grad))
        return array_ops.reshape(reduce_sum(grad, rx), array_ops.shape(x))
    if not axes:
        return grad
    return _sum_axes(grad, axes, len(full.as_tuple()) - len(x.shape.as_tuple()))


# -- elementwise binary ops ------------------------------------------------------------------------
class BinaryElementwise(OpDef):
    """Base for ``z = f(x, y)`` with numpy broadcasting; subclasses set ``compute`` and gradient.

    ``kinds`` restricts the dtypes (numpy kind letters, e.g. "fc"); ``out_dtype`` fixes the
    output dtype (comparisons give bool).
    """
    inputs = ("x:T", "y:T")
    kinds = None
    out_dtype = None

    def infer(self, x, y):
        if self.kinds is not None:
            _check_dtype(self.type, x.dtype, self.kinds)
        return self.out_dtype or x.dtype, broadcast_shape(x.shape, y.shape)


@register_op("Add")
class Add(BinaryElementwise):
    """x + y, elementwise with broadcasting."""
    label = "+"
    compute = staticmethod(np.add)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(grad, x, y), unbroadcast(grad, y, x)]


@register_op("Sub")
class Sub(BinaryElementwise):
    """x - y, elementwise with broadcasting."""
    label = "−"
    compute = staticmethod(np.subtract)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(grad, x, y), unbroadcast(negative(grad), y, x)]


@register_op("Mul")
class Mul(BinaryElementwise):
    """x * y, elementwise with broadcasting."""
    label = "×"
    compute = staticmethod(np.multiply)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(multiply(grad, y), x, y), unbroadcast(multiply(x, grad), y, x)]


@register_op("RealDiv")
class RealDiv(BinaryElementwise):
    """x / y for floating-point tensors."""
    label = "÷"

    def infer(self, x, y):
        if not (x.dtype.is_floating or x.dtype.is_complex):
            raise TypeError("RealDiv needs floating-point inputs, got %s (use tf.truediv or "
                            "tf.cast for integers)" % x.dtype.name)
        return x.dtype, broadcast_shape(x.shape, y.shape)

    compute = staticmethod(np.true_divide)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(realdiv(grad, y), x, y),
                unbroadcast(multiply(grad, realdiv(realdiv(negative(x), y), y)), y, x)]


def _div_no_nan(x, y):
    with np.errstate(all="ignore"):
        out = np.true_divide(x, y)
    return np.where(np.asarray(y) == 0, np.zeros((), out.dtype), out)


@register_op("DivNoNan")
class DivNoNan(BinaryElementwise):
    """x / y, but 0 wherever y is 0."""
    label = "÷₀"
    kinds = _FLOAT_KINDS
    compute = staticmethod(_div_no_nan)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(div_no_nan(grad, y), x, y),
                unbroadcast(multiply(grad, div_no_nan(div_no_nan(negative(x), y), y)), y, x)]


def _int_zero_check(y):
    if np.asarray(y).dtype.kind in "iu" and not np.all(y):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")


def _floor_div(x, y):
    _int_zero_check(y)
    return np.floor_divide(x, y)


def _floor_mod(x, y):
    _int_zero_check(y)
    return np.mod(x, y)


@register_op("FloorDiv")
class FloorDiv(BinaryElementwise):
    """x // y: division rounded down (toward -inf), as Python does."""
    label = "//"
    kinds = _REAL_KINDS
    compute = staticmethod(_floor_div)
    gradient = NOT_DIFFERENTIABLE  # piecewise constant: TF1 gives no gradient


@register_op("FloorMod")
class FloorMod(BinaryElementwise):
    """x % y with the sign of y, as Python does (x - floor(x / y) * y)."""
    label = "%"
    kinds = _REAL_KINDS
    compute = staticmethod(_floor_mod)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(grad, x, y),
                unbroadcast(multiply(grad, negative(floordiv(x, y))), y, x)]


def _truncate_div(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "iu":
        _int_zero_check(y)
        q = np.floor_divide(x, y)
        # floor and truncation differ when the signs differ and the division is not exact
        return q + ((np.mod(x, y) != 0) & ((x < 0) != (y < 0))).astype(q.dtype)
    return np.trunc(np.true_divide(x, y))


def _truncate_mod(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "iu":
        _int_zero_check(y)
    return np.fmod(x, y)


@register_op("TruncateDiv")
class TruncateDiv(BinaryElementwise):
    """x / y rounded toward zero (C semantics)."""
    label = "trunc÷"
    kinds = _REAL_KINDS
    compute = staticmethod(_truncate_div)
    gradient = NOT_DIFFERENTIABLE


@register_op("TruncateMod")
class TruncateMod(BinaryElementwise):
    """x % y with the sign of x (C's fmod): x - truncate(x / y) * y."""
    label = "fmod"
    kinds = _REAL_KINDS
    compute = staticmethod(_truncate_mod)

    def gradient(self, op, grad):
        x, y = op.inputs
        return [unbroadcast(grad, x, y),
                unbroadcast(multiply(grad, negative(truncatediv(x, y))), y, x)]


@register_op("Atan2")
class Atan2(BinaryElementwise):
    """The angle of the point (x, y): atan(y / x) in the right quadrant (inputs: y, x)."""
    inputs = ("y:T", "x:T")
    label = "atan2"
    kinds = "f"
    compute = staticmethod(np.arctan2)

    def infer(self, y, x):
        _check_dtype(self.type, y.dtype, self.kinds, "y")
        return y.dtype, broadcast_shape(y.shape, x.shape)

    def gradient(self, op, grad):
        y, x = op.inputs
        grad_inv = realdiv(grad, add(square(x), square(y)))
        return [unbroadcast(multiply(x, grad_inv), y, x),
                unbroadcast(multiply(negative(y), grad_inv), x, y)]


@register_op("Pow")
class Pow(BinaryElementwise):
    """x ** y, elementwise with broadcasting."""
    label = "pow"
    kinds = _NUMERIC_KINDS

    def compute(self, x, y):
        if np.asarray(x).dtype.kind in "iu" and np.any(np.asarray(y) < 0):
            raise errors.InvalidArgumentError(
                None, None, "Integers to negative integer powers are not allowed")
        return np.power(x, y)

    def gradient(self, op, grad):
        x, y = op.inputs
        z = op.outputs[0]
        gx = multiply(grad, multiply(y, pow(x, subtract(y, 1))))
        # log(x) only where x > 0, so x == 0 does not turn the y-gradient into nan (as TF1).
        mask = greater(x, 0)
        safe_x = where_v2(mask, x, 1)
        log_x = where_v2(mask, log(safe_x), 0)
        gy = multiply(multiply(grad, z), log_x)
        return [unbroadcast(gx, x, y), unbroadcast(gy, y, x)]


class _MaximumMinimum(BinaryElementwise):
    kinds = _REAL_KINDS
    x_wins = None  # comparison function: where x is selected (ties go to x, as in TF1)

    def gradient(self, op, grad):
        x, y = op.inputs
        x_mask = self.x_wins(x, y)  # has grad's (broadcast) shape, so Select fits
        zeros = array_ops.zeros_like(grad)
        return [unbroadcast(where(x_mask, grad, zeros), x, y),
                unbroadcast(where(x_mask, zeros, grad), y, x)]


@register_op("Maximum")
class Maximum(_MaximumMinimum):
    """max(x, y) elementwise with broadcasting (the gradient goes to x on ties)."""
    label = "max"
    compute = staticmethod(np.maximum)
    x_wins = staticmethod(lambda x, y: greater_equal(x, y))


@register_op("Minimum")
class Minimum(_MaximumMinimum):
    """min(x, y) elementwise with broadcasting (the gradient goes to x on ties)."""
    label = "min"
    compute = staticmethod(np.minimum)
    x_wins = staticmethod(lambda x, y: less_equal(x, y))


def _squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, np.conj(d)) if d.dtype.kind == "c" else np.multiply(d, d)


@register_op("SquaredDifference")
class SquaredDifference(BinaryElementwise):
    """(x - y)², elementwise with broadcasting."""
    label = "(x−y)²"
    kinds = _NUMERIC_KINDS
    compute = staticmethod(_squared_difference)

    def gradient(self, op, grad):
        x, y = op.inputs
        x_grad = multiply(multiply(grad, 2), subtract(x, y))
        return [unbroadcast(x_grad, x, y), unbroadcast(negative(x_grad), y, x)]


def add(x, y, name=None):
    """x + y, element-wise with broadcasting (Add)."""
    return apply_op("Add", [x, y], name=name)


def subtract(x, y, name=None):
    """x - y, element-wise with broadcasting (Sub)."""
    return apply_op("Sub", [x, y], name=name)


def multiply(x, y, name=None):
    """x * y, element-wise with broadcasting (Mul)."""
    return apply_op("Mul", [x, y], name=name)


def scalar_mul(scalar, x, name=None):
    """``scalar * x`` for a scalar (Python number or rank-0 tensor)."""
    scalar = convert_to_tensor(scalar, dtype=_dtype_of(x), name="scalar")
    if scalar.shape.ndims not in (None, 0):
        raise ValueError("Only scalar multiply works, got shape %s" % scalar.shape)
    return multiply(scalar, x, name=name)


def _dtype_of(x):
    return convert_to_tensor(x).dtype if is_tensor_like(x) else None


def realdiv(x, y, name=None):
    """x / y for floating-point tensors, element-wise with broadcasting (RealDiv)."""
    return apply_op("RealDiv", [x, y], name=name)


def div_no_nan(x, y, name=None):
    """x / y, but 0 wherever y is 0 (DivNoNan)."""
    with name_scope(name, "div_no_nan", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        return apply_op("DivNoNan", [x, y], name=scope)


def divide(x, y, name=None):
    """x / y with Python 3 semantics (integers are divided as floats)."""
    return truediv(x, y, name=name)


def truediv(x, y, name=None):
    """Float division; int8/16 become float32 and int32/64 become float64 first, as in TF1."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype_hint=x.dtype)
        if x.dtype != y.dtype:
            raise TypeError("x and y must have the same dtype, got %s != %s"
                            % (x.dtype.name, y.dtype.name))
        target = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                  dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                  dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}.get(x.dtype)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return realdiv(x, y, name=scope)


def floordiv(x, y, name=None):
    """x // y rounded toward -inf (FloorDiv)."""
    with name_scope(name, "floordiv", [x, y]) as scope:
        return apply_op("FloorDiv", [x, y], name=scope)


def floormod(x, y, name=None):
    """x % y with Python's sign convention (FloorMod)."""
    return apply_op("FloorMod", [x, y], name=name)


mod = floormod


def truncatediv(x, y, name=None):
    """x / y rounded toward zero (TruncateDiv)."""
    return apply_op("TruncateDiv", [x, y], name=name)


def truncatemod(x, y, name=None):
    """x % y with the sign of x (TruncateMod)."""
    return apply_op("TruncateMod", [x, y], name=name)


def div(x, y, name=None):
    """TF1's deprecated Python-2 division: floor division for integers, x / y for floats."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        if x.dtype.is_floating or x.dtype.is_complex:
            return realdiv(x, y, name=scope)
        return apply_op("FloorDiv", [x, y], name=scope)


def atan2(y, x, name=None):
    """Elementwise angle of (x, y) in [-pi, pi] (note the argument order: y first)."""
    return apply_op("Atan2", [y, x], name=name)


def pow(x, y, name=None):  # noqa: A001 - TF1's name
    """x ** y (Pow)."""
    with name_scope(name, "Pow", [x]) as scope:
        return apply_op("Pow", [x, y], name=scope)


def maximum(x, y, name=None):
    """The larger of x and y, element-wise with broadcasting (Maximum)."""
    return apply_op("Maximum", [x, y], name=name)


def minimum(x, y, name=None):
    """The smaller of x and y, element-wise with broadcasting (Minimum)."""
    return apply_op("Minimum", [x, y], name=name)


def squared_difference(x, y, name=None):
    """(x - y) ** 2, element-wise with broadcasting (SquaredDifference)."""
    return apply_op("SquaredDifference", [x, y], name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Values of ``t`` limited to [clip_value_min, clip_value_max] (no broadcasting of ``t``)."""
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        if not values.shape.is_compatible_with(t_min.shape):
            raise ValueError("clip_by_value: clip_value_max (shape %s) would broadcast t (shape "
                             "%s) to %s" % (convert_to_tensor(clip_value_max).shape,
                                            values.shape, t_min.shape))
        t_max = maximum(t_min, clip_value_min, name=scope)
        if not values.shape.is_compatible_with(t_max.shape):
            raise ValueError("clip_by_value: clip_value_min would broadcast t (shape %s) to %s"
                             % (values.shape, t_max.shape))
        return t_max


# -- comparisons and logic -------------------------------------------------------------------------
class _Comparison(BinaryElementwise):
    out_dtype = dtypes.bool
    kinds = _REAL_KINDS
    gradient = NOT_DIFFERENTIABLE


@register_op("Less")
class Less(_Comparison):
    """x < y elementwise (bool)."""
    label = "<"
    compute = staticmethod(np.less)


@register_op("LessEqual")
class LessEqual(_Comparison):
    """x <= y elementwise (bool)."""
    label = "≤"
    compute = staticmethod(np.less_equal)


@register_op("Greater")
class Greater(_Comparison):
    """x > y elementwise (bool)."""
    label = ">"
    compute = staticmethod(np.greater)


@register_op("GreaterEqual")
class GreaterEqual(_Comparison):
    """x >= y elementwise (bool)."""
    label = "≥"
    compute = staticmethod(np.greater_equal)


@register_op("Equal")
class Equal(_Comparison):
    """x == y elementwise (bool); any dtype."""
    label = "=="
    kinds = None
    compute = staticmethod(np.equal)


@register_op("NotEqual")
class NotEqual(_Comparison):
    """x != y elementwise (bool); any dtype."""
    label = "≠"
    kinds = None
    compute = staticmethod(np.not_equal)


@register_op("LogicalAnd")
class LogicalAnd(BinaryElementwise):
    """x AND y elementwise, for bool tensors."""
    inputs = ("x:bool", "y:bool")
    label = "and"
    compute = staticmethod(np.logical_and)
    gradient = NOT_DIFFERENTIABLE


@register_op("LogicalOr")
class LogicalOr(BinaryElementwise):
    """x OR y elementwise, for bool tensors."""
    inputs = ("x:bool", "y:bool")
    label = "or"
    compute = staticmethod(np.logical_or)
    gradient = NOT_DIFFERENTIABLE


def equal(x, y, name=None):
    """x == y, element-wise with broadcasting; a bool tensor (Equal)."""
    return apply_op("Equal", [x, y], name=name)


def not_equal(x, y, name=None):
    """x != y, element-wise with broadcasting (NotEqual)."""
    return apply_op("NotEqual", [x, y], name=name)


def less(x, y, name=None):
    """x < y, element-wise with broadcasting (Less)."""
    return apply_op("Less", [x, y], name=name)


def less_equal(x, y, name=None):
    """x <= y, element-wise with broadcasting (LessEqual)."""
    return apply_op("LessEqual", [x, y], name=name)


def greater(x, y, name=None):
    """x > y, element-wise with broadcasting (Greater)."""
    return apply_op("Greater", [x, y], name=name)


def greater_equal(x, y, name=None):
    """x >= y, element-wise with broadcasting (GreaterEqual)."""
    return apply_op("GreaterEqual", [x, y], name=name)


def logical_and(x, y, name=None):
    """x AND y for bool tensors, element-wise with broadcasting (LogicalAnd)."""
    return apply_op("LogicalAnd", [x, y], name=name)


def logical_or(x, y, name=None):
    """x OR y for bool tensors, element-wise with broadcasting (LogicalOr)."""
    return apply_op("LogicalOr", [x, y], name=name)


def logical_not(x, name=None):
    """NOT x for a bool tensor, element-wise (LogicalNot)."""
    return apply_op("LogicalNot", [x], name=name)


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y, built as TF1 does: (x OR y) AND NOT (x AND y)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# -- selection -------------------------------------------------------------------------------------
@register_op("Select")
class Select(OpDef):
    """Picks ``t`` where ``condition`` is true, else ``e`` (TF1's 3-argument tf.where).

    ``t`` and ``e`` have one shape; ``condition`` has that shape too, is a vector matching
    their first dimension (then it selects whole rows), or is a scalar (then it picks all of
    ``t`` or all of ``e``).
    """
    inputs = ("condition:bool", "t:T", "e:T")
    label = "where"

    def infer(self, condition, t, e):
        if not t.shape.is_compatible_with(e.shape):
            raise ValueError("Shapes must be equal: 'then' (x) has shape %s but 'else' (y) has "
                             "shape %s (tf.where_v2 broadcasts)" % (t.shape, e.shape))
        shape = t.shape.merge_with(e.shape)
        c, ndims = condition.shape, shape.ndims
        if c.ndims is not None and ndims is not None and c.ndims != ndims and c.ndims != 0:
            if not (c.ndims == 1 and ndims >= 1 and TensorShape(c.as_list()[:1])
                    .is_compatible_with(shape.as_list()[:1])):
                raise ValueError("condition must have the shape of x and y (%s) or be a vector "
                                 "of their first dimension, got shape %s" % (shape, c))
        elif c.ndims == ndims and ndims is not None:
            if not c.is_compatible_with(shape):
                raise ValueError("condition has shape %s but x and y have shape %s" % (c, shape))
            shape = shape.merge_with(c)
        return t.dtype, shape

    def compute(self, condition, t, e):
        t, e, condition = np.asarray(t), np.asarray(e), np.asarray(condition)
        if t.shape != e.shape:
            raise errors.InvalidArgumentError(None, None, "'then' and 'else' must have the same "
                                              "size, but received: %s vs. %s" % (t.shape, e.shape))
        if condition.ndim == 0:
            return np.array(t if condition else e, copy=True)
        if condition.shape != t.shape:
            if condition.ndim != 1 or t.ndim < 1 or condition.shape[0] != t.shape[0]:
                raise errors.InvalidArgumentError(
                    None, None, "condition must be a vector of size %s or have the shape %s of "
                    "'then', but has shape %s" % (t.shape[:1], t.shape, condition.shape))
            condition = condition.reshape(condition.shape + (1,) * (t.ndim - 1))
        return np.where(condition, t, e)

    def gradient(self, op, grad):
        c = op.inputs[0]
        zeros = array_ops.zeros_like(grad)
        return [None, where(c, grad, zeros), where(c, zeros, grad)]


@register_op("SelectV2")
class SelectV2(OpDef):
    """Picks ``t`` where ``condition`` is true, else ``e``; all three broadcast (tf.where_v2)."""
    inputs = ("condition:bool", "t:T", "e:T")
    label = "where"

    def infer(self, condition, t, e):
        return t.dtype, broadcast_shape(condition.shape, broadcast_shape(t.shape, e.shape))

    compute = staticmethod(np.where)

    def gradient(self, op, grad):
        c, t, e = op.inputs
        out = op.outputs[0]
        zeros = array_ops.zeros_like(grad)
        return [None, unbroadcast(where_v2(c, grad, zeros), t, out),
                unbroadcast(where_v2(c, zeros, grad), e, out)]


@register_op("Where")
class Where(OpDef):
    """Coordinates of the true (non-zero) entries: int64 [num_true, rank] (1-argument tf.where)."""
    inputs = ("input",)
    label = "where"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input):
        return dtypes.int64, [None, input.shape.ndims]

    def compute(self, input):
        return np.argwhere(input).astype(np.int64)


def where(condition, x=None, y=None, name=None):
    """TF1's tf.where: with x and y, a Select (no broadcasting); alone, true coordinates."""
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            condition = convert_to_tensor(condition, name="condition", preferred_dtype=dtypes.bool)
            return apply_op("Where", [condition], name=scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("Select", [condition, x, y], name=name)


def where_v2(condition, x=None, y=None, name=None):
    """tf.where_v2: like where, but condition, x and y broadcast against each other."""
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("SelectV2", [condition, x, y], name=name)


# -- unary -----------------------------------------------------------------------------------------
class UnaryElementwise(OpDef):
    """Base for ``y = f(x)`` elementwise; ``kinds`` restricts dtypes (numpy kind letters)."""
    inputs = ("x:T",)
    kinds = None
    out_dtype = None

    def infer(self, x):
        if self.kinds is not None:
            _check_dtype(self.type, x.dtype, self.kinds)
        return self.out_dtype or x.dtype, x.shape


@register_op("Neg")
class Neg(UnaryElementwise):
    """-x."""
    label = "neg"
    compute = staticmethod(np.negative)

    def gradient(self, op, grad):
        return [negative(grad)]


@register_op("Abs")
class Abs(UnaryElementwise):
    """|x| for real x."""
    label = "abs"
    kinds = _REAL_KINDS
    compute = staticmethod(np.abs)

    def gradient(self, op, grad):
        return [multiply(grad, sign(op.inputs[0]))]


@register_op("Sign")
class Sign(UnaryElementwise):
    """-1, 0 or 1: the sign of x."""
    label = "sign"
    kinds = _REAL_KINDS
    compute = staticmethod(np.sign)

    def gradient(self, op, grad):
        return [array_ops.zeros_like(op.inputs[0])]


@register_op("Square")
class Square(UnaryElementwise):
    """x²."""
    label = "x²"
    kinds = _NUMERIC_KINDS
    compute = staticmethod(np.square)

    def gradient(self, op, grad):
        return [multiply(grad, multiply(op.inputs[0], 2))]


@register_op("Sqrt")
class Sqrt(UnaryElementwise):
    """√x."""
    label = "√"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.sqrt)

    def gradient(self, op, grad):
        return [apply_op("SqrtGrad", [op.outputs[0], grad])]


@register_op("Rsqrt")
class Rsqrt(UnaryElementwise):
    """1 / √x."""
    label = "1/√"
    kinds = _FLOAT_KINDS

    @staticmethod
    def compute(x):
        return np.reciprocal(np.sqrt(x))

    def gradient(self, op, grad):
        return [apply_op("RsqrtGrad", [op.outputs[0], grad])]


@register_op("Reciprocal")
class Reciprocal(UnaryElementwise):
    """1 / x."""
    label = "1/x"
    kinds = _NUMERIC_KINDS

    @staticmethod
    def compute(x):
        x = np.asarray(x)
        if x.dtype.kind in "iu":
            _int_zero_check(x)
            return (1 // x).astype(x.dtype)
        return np.reciprocal(x)

    def gradient(self, op, grad):
        return [apply_op("ReciprocalGrad", [op.outputs[0], grad])]


@register_op("Exp")
class Exp(UnaryElementwise):
    """e^x."""
    label = "exp"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.exp)

    def gradient(self, op, grad):
        return [multiply(grad, op.outputs[0])]


@register_op("Expm1")
class Expm1(UnaryElementwise):
    """e^x - 1, accurate for small x."""
    label = "expm1"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.expm1)

    def gradient(self, op, grad):
        return [multiply(grad, exp(op.inputs[0]))]


@register_op("Log")
class Log(UnaryElementwise):
    """Natural logarithm."""
    label = "log"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.log)

    def gradient(self, op, grad):
        return [multiply(grad, reciprocal(op.inputs[0]))]


@register_op("Log1p")
class Log1p(UnaryElementwise):
    """log(1 + x), accurate for small x."""
    label = "log1p"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.log1p)

    def gradient(self, op, grad):
        return [multiply(grad, reciprocal(add(1, op.inputs[0])))]


@register_op("Sin")
class Sin(UnaryElementwise):
    """sin(x)."""
    label = "sin"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.sin)

    def gradient(self, op, grad):
        return [multiply(grad, cos(op.inputs[0]))]


@register_op("Cos")
class Cos(UnaryElementwise):
    """cos(x)."""
    label = "cos"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.cos)

    def gradient(self, op, grad):
        return [multiply(negative(grad), sin(op.inputs[0]))]


@register_op("Tan")
class Tan(UnaryElementwise):
    """tan(x)."""
    label = "tan"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.tan)

    def gradient(self, op, grad):
        return [multiply(grad, square(reciprocal(cos(op.inputs[0]))))]


@register_op("Tanh")
class Tanh(UnaryElementwise):
    """Hyperbolic tangent."""
    label = "tanh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.tanh)

    def gradient(self, op, grad):
        return [apply_op("TanhGrad", [op.outputs[0], grad])]


def _sigmoid(x):
    # 1 / (1 + e^-x) in IEEE arithmetic is exact in the limits: e^-x overflows to inf for
    # very negative x and 1/inf = 0, with full relative precision elsewhere. Plans run
    # kernels under np.errstate(all="ignore"), so the overflow is silent, as in TF.
    if type(x) is not np.ndarray or not x.ndim:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-np.asarray(x)))
    out = np.negative(x)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


@register_op("Sigmoid")
class Sigmoid(UnaryElementwise):
    """1 / (1 + e^-x), computed without overflow."""
    label = "σ"
    kinds = _FLOAT_KINDS
    compute = staticmethod(_sigmoid)

    def gradient(self, op, grad):
        return [apply_op("SigmoidGrad", [op.outputs[0], grad])]


@register_op("Asin")
class Asin(UnaryElementwise):
    """arcsin(x)."""
    label = "asin"
    kinds = "f"
    compute = staticmethod(np.arcsin)

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [multiply(grad, rsqrt(subtract(1, square(x))))]


@register_op("Acos")
class Acos(UnaryElementwise):
    """arccos(x)."""
    label = "acos"
    kinds = "f"
    compute = staticmethod(np.arccos)

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [multiply(negative(grad), rsqrt(subtract(1, square(x))))]


@register_op("Atan")
class Atan(UnaryElementwise):
    """arctan(x)."""
    label = "atan"
    kinds = "f"
    compute = staticmethod(np.arctan)

    def gradient(self, op, grad):
        return [multiply(grad, reciprocal(add(1, square(op.inputs[0]))))]


@register_op("Sinh")
class Sinh(UnaryElementwise):
    """Hyperbolic sine."""
    label = "sinh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.sinh)

    def gradient(self, op, grad):
        return [multiply(grad, cosh(op.inputs[0]))]


@register_op("Cosh")
class Cosh(UnaryElementwise):
    """Hyperbolic cosine."""
    label = "cosh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.cosh)

    def gradient(self, op, grad):
        return [multiply(grad, sinh(op.inputs[0]))]


@register_op("Asinh")
class Asinh(UnaryElementwise):
    """Inverse hyperbolic sine."""
    label = "asinh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.arcsinh)

    def gradient(self, op, grad):
        return [realdiv(grad, cosh(op.outputs[0]))]


@register_op("Acosh")
class Acosh(UnaryElementwise):
    """Inverse hyperbolic cosine (x >= 1)."""
    label = "acosh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.arccosh)

    def gradient(self, op, grad):
        return [realdiv(grad, sinh(op.outputs[0]))]


@register_op("Atanh")
class Atanh(UnaryElementwise):
    """Inverse hyperbolic tangent (|x| < 1)."""
    label = "atanh"
    kinds = _FLOAT_KINDS
    compute = staticmethod(np.arctanh)

    def gradient(self, op, grad):
        return [multiply(grad, reciprocal(subtract(1, square(op.inputs[0]))))]


def _erf_kernel():
    try:
        from scipy.special import erf as scipy_erf
        return scipy_erf
    except ImportError:  # pragma: no cover - scipy is optional
        py_erf = np.frompyfunc(_pymath.erf, 1, 1)
        return lambda x: np.asarray(py_erf(x), dtype=np.asarray(x).dtype)


@register_op("Erf")
class Erf(UnaryElementwise):
    """The Gauss error function."""
    label = "erf"
    kinds = "f"

    def make_kernel(self, op, ctx):
        kernel = _erf_kernel()
        return lambda x: np.asarray(kernel(x), dtype=np.asarray(x).dtype)

    def compute(self, x):
        return np.asarray(_erf_kernel()(x), dtype=np.asarray(x).dtype)

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [multiply(grad, multiply(2 / np.sqrt(np.pi), exp(negative(square(x)))))]


@register_op("Floor")
class Floor(UnaryElementwise):
    """Largest integer not above x."""
    label = "floor"
    kinds = "f"
    compute = staticmethod(np.floor)
    gradient = NOT_DIFFERENTIABLE  # piecewise constant (TF1 returns no gradient)


@register_op("Ceil")
class Ceil(UnaryElementwise):
    """Smallest integer not below x."""
    label = "ceil"
    kinds = "f"
    compute = staticmethod(np.ceil)
    gradient = NOT_DIFFERENTIABLE


@register_op("Round")
class Round(UnaryElementwise):
    """Nearest integer, halves to even (banker's rounding) as TF does."""
    label = "round"
    kinds = _REAL_KINDS
    compute = staticmethod(np.round)
    gradient = NOT_DIFFERENTIABLE


@register_op("Rint")
class Rint(UnaryElementwise):
    """Nearest integer as a float, halves to even (``tf.math.rint``; rint(-1.5) is -2.0)."""
    label = "rint"
    kinds = "f"
    compute = staticmethod(np.rint)
    gradient = NOT_DIFFERENTIABLE  # piecewise constant (TF1 returns no gradient)


@register_op("Conj")
class Conj(UnaryElementwise):
    """Complex conjugate."""
    label = "conj"
    kinds = "c"
    compute = staticmethod(np.conj)

    def gradient(self, op, grad):
        return [conj(grad)]


class _FloatPredicate(UnaryElementwise):
    kinds = "f"
    out_dtype = dtypes.bool
    gradient = NOT_DIFFERENTIABLE


@register_op("IsNan")
class IsNan(_FloatPredicate):
    """True where x is NaN."""
    label = "isnan"
    compute = staticmethod(np.isnan)


@register_op("IsInf")
class IsInf(_FloatPredicate):
    """True where x is +inf or -inf."""
    label = "isinf"
    compute = staticmethod(np.isinf)


@register_op("IsFinite")
class IsFinite(_FloatPredicate):
    """True where x is neither inf nor NaN."""
    label = "isfinite"
    compute = staticmethod(np.isfinite)


@register_op("LogicalNot")
class LogicalNot(UnaryElementwise):
    """NOT x elementwise, for bool tensors."""
    inputs = ("x:bool",)
    label = "not"
    compute = staticmethod(np.logical_not)
    gradient = NOT_DIFFERENTIABLE


# Gradient helper ops (as in TF1): f'(x) written in terms of y = f(x), each differentiable again.
class _UnaryGrad(OpDef):
    inputs = ("y:T", "dy:T")

    def infer(self, y, dy):
        _check_dtype(self.type, y.dtype, _FLOAT_KINDS, "y")
        if not y.shape.is_compatible_with(dy.shape):
            raise ValueError("y and dy must have one shape, got %s and %s" % (y.shape, dy.shape))
        return y.dtype, y.shape.merge_with(dy.shape)


@register_op("SigmoidGrad")
class SigmoidGrad(_UnaryGrad):
    """dy * y * (1 - y): the gradient of y = sigmoid(x)."""
    label = "σ'"

    @staticmethod
    def compute(y, dy):
        return dy * (y * (1 - y))

    def gradient(self, op, grad):
        y, dy = op.inputs
        gb = multiply(grad, dy)
        return [subtract(gb, multiply(multiply(gb, 2), y)), apply_op("SigmoidGrad", [y, grad])]


@register_op("TanhGrad")
class TanhGrad(_UnaryGrad):
    """dy * (1 - y²): the gradient of y = tanh(x)."""
    label = "tanh'"

    @staticmethod
    def compute(y, dy):
        return dy * (1 - y * y)

    def gradient(self, op, grad):
        y, dy = op.inputs
        return [multiply(multiply(grad, -2), multiply(dy, y)), apply_op("TanhGrad", [y, grad])]


@register_op("SqrtGrad")
class SqrtGrad(_UnaryGrad):
    """dy * 0.5 / y: the gradient of y = sqrt(x)."""
    label = "√'"

    @staticmethod
    def compute(y, dy):
        return dy * 0.5 / y

    def gradient(self, op, grad):
        y = op.inputs[0]
        ga = realdiv(grad, y)
        return [negative(multiply(ga, op.outputs[0])), multiply(ga, 0.5)]


@register_op("RsqrtGrad")
class RsqrtGrad(_UnaryGrad):
    """dy * -0.5 * y³: the gradient of y = rsqrt(x)."""
    label = "1/√'"

    @staticmethod
    def compute(y, dy):
        return dy * (-0.5 * y * y * y)

    def gradient(self, op, grad):
        y, dy = op.inputs
        return [multiply(multiply(grad, -1.5), multiply(dy, square(y))),
                apply_op("RsqrtGrad", [y, grad])]


@register_op("ReciprocalGrad")
class ReciprocalGrad(_UnaryGrad):
    """-dy * y²: the gradient of y = 1 / x."""
    label = "1/x'"

    @staticmethod
    def compute(y, dy):
        return -dy * (y * y)

    def gradient(self, op, grad):
        y, dy = op.inputs
        return [multiply(multiply(grad, -2), multiply(dy, y)),
                apply_op("ReciprocalGrad", [y, grad])]


def negative(x, name=None):
    """-x, element-wise (Neg)."""
    return apply_op("Neg", [x], name=name)


def abs(x, name=None):  # noqa: A001 - TF1's name
    """|x| (Abs)."""
    with name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.is_complex:
            raise TypeError("tf.abs of complex tensors (ComplexAbs) is not supported by tfone; "
                            "use tf.sqrt(tf.real(x * tf.conj(x))) style formulas on real parts.")
        return apply_op("Abs", [x], name=scope)


def sign(x, name=None):
    """-1, 0 or 1 according to the sign of x, element-wise (Sign)."""
    return apply_op("Sign", [x], name=name)


def square(x, name=None):
    """x * x, element-wise (Square)."""
    return apply_op("Square", [x], name=name)


def sqrt(x, name=None):
    """Square root, element-wise (Sqrt)."""
    return apply_op("Sqrt", [x], name=name)


def rsqrt(x, name=None):
    """1 / sqrt(x), element-wise (Rsqrt)."""
    return apply_op("Rsqrt", [x], name=name)


def reciprocal(x, name=None):
    """1 / x, element-wise (Reciprocal)."""
    return apply_op("Reciprocal", [x], name=name)


def exp(x, name=None):
    """e ** x, element-wise (Exp)."""
    return apply_op("Exp", [x], name=name)


def expm1(x, name=None):
    """exp(x) - 1, accurate for small x (Expm1)."""
    return apply_op("Expm1", [x], name=name)


def log(x, name=None):
    """Natural logarithm, element-wise (Log)."""
    return apply_op("Log", [x], name=name)


def log1p(x, name=None):
    """log(1 + x), accurate for small x (Log1p)."""
    return apply_op("Log1p", [x], name=name)


def sin(x, name=None):
    """Sine, element-wise (Sin)."""
    return apply_op("Sin", [x], name=name)


def cos(x, name=None):
    """Cosine, element-wise (Cos)."""
    return apply_op("Cos", [x], name=name)


def tan(x, name=None):
    """Tangent, element-wise (Tan)."""
    return apply_op("Tan", [x], name=name)


def tanh(x, name=None):
    """Hyperbolic tangent (Tanh)."""
    with name_scope(name, "Tanh", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Tanh", [x], name=scope)


def sigmoid(x, name=None):
    """1 / (1 + exp(-x)) (Sigmoid)."""
    with name_scope(name, "Sigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Sigmoid", [x], name=scope)


def asin(x, name=None):
    """Inverse sine, element-wise (Asin)."""
    return apply_op("Asin", [x], name=name)


def acos(x, name=None):
    """Inverse cosine, element-wise (Acos)."""
    return apply_op("Acos", [x], name=name)


def atan(x, name=None):
    """Inverse tangent, element-wise (Atan)."""
    return apply_op("Atan", [x], name=name)


def sinh(x, name=None):
    """Hyperbolic sine, element-wise (Sinh)."""
    return apply_op("Sinh", [x], name=name)


def cosh(x, name=None):
    """Hyperbolic cosine, element-wise (Cosh)."""
    return apply_op("Cosh", [x], name=name)


def asinh(x, name=None):
    """Inverse hyperbolic sine, element-wise (Asinh)."""
    return apply_op("Asinh", [x], name=name)


def acosh(x, name=None):
    """Inverse hyperbolic cosine, element-wise (Acosh)."""
    return apply_op("Acosh", [x], name=name)


def atanh(x, name=None):
    """Inverse hyperbolic tangent, element-wise (Atanh)."""
    return apply_op("Atanh", [x], name=name)


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), computed stably (needs nn's Softplus op)."""
    with name_scope(name, "LogSigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return negative(apply_op("Softplus", [negative(x)]), name=scope)


def erf(x, name=None):
    """The Gauss error function, element-wise (Erf)."""
    return apply_op("Erf", [x], name=name)


def floor(x, name=None):
    """The largest integer not greater than x, element-wise (Floor)."""
    return apply_op("Floor", [x], name=name)


def ceil(x, name=None):
    """The smallest integer not less than x, element-wise (Ceil)."""
    return apply_op("Ceil", [x], name=name)


def rint(x, name=None):
    """The nearest integer to x, element-wise, as a float; halves go to the even integer
    (Rint)."""
    return apply_op("Rint", [x], name=name)


def round(x, name=None):  # noqa: A001 - TF1's name
    """Rounds half to even, elementwise; integer tensors are returned unchanged."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_integer:
        return x
    return apply_op("Round", [x], name=name)


def conj(x, name=None):
    """Complex conjugate; real tensors are returned unchanged (as in TF1)."""
    if is_tensor_like(x):
        x = convert_to_tensor(x)
    else:
        x = convert_to_tensor(x, name="x")
    if x.dtype.is_complex:
        return apply_op("Conj", [x], name=name)
    if x.dtype.is_numeric:
        return x
    raise TypeError("Expected numeric or complex tensor for tf.conj, got dtype %s" % x.dtype.name)


def is_nan(x, name=None):
    """True where x is NaN (IsNan)."""
    return apply_op("IsNan", [x], name=name)


def is_inf(x, name=None):
    """True where x is +inf or -inf (IsInf)."""
    return apply_op("IsInf", [x], name=name)


def is_finite(x, name=None):
    """True where x is neither infinite nor NaN (IsFinite)."""
    return apply_op("IsFinite", [x], name=name)


# -- sums of several tensors -----------------------------------------------------------------------
@register_op("AddN")
class AddN(OpDef):
    """Elementwise sum of a list of tensors of the same shape."""
    inputs = ("*inputs:T",)
    label = "Σ"

    def infer(self, inputs):
        shape = inputs[0].shape
        for t in inputs[1:]:
            if not shape.is_compatible_with(t.shape):
                raise ValueError("AddN needs inputs of one shape, got %s and %s" % (shape, t.shape))
            shape = shape.merge_with(t.shape)
        return inputs[0].dtype, shape

    def compute(self, inputs):
        total = np.add(inputs[0], inputs[1]) if len(inputs) > 1 else np.array(inputs[0])
        for x in inputs[2:]:
            total += x  # our own temporary, so updating it in place is safe
        return total

    def gradient(self, op, grad):
        return [grad] * len(op.inputs)


def add_n(inputs, name=None):
    """The element-wise sum of a list of tensors of the same shape and dtype (AddN)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a non-empty list of tensors, got %r" % (inputs,))
    if len(inputs) == 1:  # as TF1: no AddN op for a single tensor
        value = convert_to_tensor(inputs[0])
        return value if name is None else array_ops.identity(value, name=name)
    return apply_op("AddN", [list(inputs)], name=name)


# -- matrix products -------------------------------------------------------------------------------
@register_op("MatMul")
class MatMul(OpDef):
    """Matrix product of two rank-2 tensors, optionally transposing either."""
    inputs = ("a:T", "b:T")
    attrs = {"transpose_a": False, "transpose_b": False}
    label = "matmul"

    def infer(self, a, b, transpose_a, transpose_b):
        da, db = a.shape.as_tuple(), b.shape.as_tuple()
        for name, d in (("a", da), ("b", db)):
            if d is not None and len(d) != 2:
                raise ValueError("Shape must be rank 2 but is rank %d for input '%s' of MatMul "
                                 "(use tf.matmul for batched products)" % (len(d), name))
        if not (a.dtype.is_floating or a.dtype.is_integer or a.dtype.is_complex):
            raise TypeError("MatMul does not support dtype %s" % a.dtype.name)
        da = da or (None, None)
        db = db or (None, None)
        m, ka = (da[1], da[0]) if transpose_a else da
        kb, n = (db[1], db[0]) if transpose_b else db
        if ka is not None and kb is not None and ka != kb:
            raise ValueError("Dimensions must be equal, but are %d and %d for 'MatMul' with input "
                             "shapes: %s, %s (transpose_a=%s, transpose_b=%s)"
                             % (ka, kb, a.shape, b.shape, transpose_a, transpose_b))
        return a.dtype, [m, n]

    def compute(self, a, b, transpose_a, transpose_b):
        return np.dot(a.T if transpose_a else a, b.T if transpose_b else b)

    def make_kernel(self, op, ctx):
        ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
        if not ta and not tb:
            return np.dot
        if ta and not tb:
            return lambda a, b: np.dot(a.T, b)
        if tb and not ta:
            return lambda a, b: np.dot(a, b.T)
        return lambda a, b: np.dot(a.T, b.T)

    def gradient(self, op, grad):
        a, b = op.inputs
        ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
        if not ta and not tb:
            return [_matmul(grad, b, transpose_b=True), _matmul(a, grad, transpose_a=True)]
        if not ta and tb:
            return [_matmul(grad, b), _matmul(grad, a, transpose_a=True)]
        if ta and not tb:
            return [_matmul(b, grad, transpose_b=True), _matmul(a, grad)]
        return [_matmul(b, grad, transpose_a=True, transpose_b=True),
                _matmul(grad, a, transpose_a=True, transpose_b=True)]


def _matmul(a, b, transpose_a=False, transpose_b=False, name=None):
    return apply_op("MatMul", [a, b], {"transpose_a": transpose_a, "transpose_b": transpose_b},
                    name=name)


def _adjoint_last2(x):
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


@register_op("BatchMatMulV2")
class BatchMatMulV2(OpDef):
    """Batched matrix product over the last two axes; leading (batch) axes broadcast."""
    inputs = ("x:T", "y:T")
    attrs = {"adj_x": False, "adj_y": False}
    label = "matmul"

    def infer(self, x, y, adj_x, adj_y):
        _check_dtype(self.type, x.dtype, _NUMERIC_KINDS)
        dx, dy = x.shape.as_tuple(), y.shape.as_tuple()
        for name, d in (("x", dx), ("y", dy)):
            if d is not None and len(d) < 2:
                raise ValueError("Shape must be at least rank 2 but is rank %d for input '%s' of "
                                 "BatchMatMulV2 (shapes %s and %s)" % (len(d), name, x.shape,
                                                                       y.shape))
        if dx is None or dy is None:
            return x.dtype, unknown_shape()
        m, kx = (dx[-1], dx[-2]) if adj_x else dx[-2:]
        ky, n = (dy[-1], dy[-2]) if adj_y else dy[-2:]
        if kx is not None and ky is not None and kx != ky:
            raise ValueError("Dimensions must be equal, but are %d and %d for BatchMatMulV2 with "
                             "input shapes: %s, %s (adj_x=%s, adj_y=%s)"
                             % (kx, ky, x.shape, y.shape, adj_x, adj_y))
        try:
            batch = broadcast_shape(TensorShape(dx[:-2]), TensorShape(dy[:-2]))
        except ValueError:
            raise ValueError("Batch dimensions of %s and %s do not broadcast (shapes %s and %s)"
                             % (list(dx[:-2]), list(dy[:-2]), x.shape, y.shape)) from None
        return x.dtype, batch.as_list() + [m, n]

    def make_kernel(self, op, ctx):
        adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")

        def kernel(x, y):
            return np.matmul(_adjoint_last2(x) if adj_x else x, _adjoint_last2(y) if adj_y else y)
        return kernel

    def compute(self, x, y, adj_x, adj_y):
        return np.matmul(_adjoint_last2(x) if adj_x else x, _adjoint_last2(y) if adj_y else y)

    def gradient(self, op, grad):
        x, y = op.inputs
        adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
        if not adj_x:
            if not adj_y:
                gx, gy = batch_matmul(grad, y, False, True), batch_matmul(x, grad, True, False)
            else:
                gx, gy = batch_matmul(grad, y, False, False), batch_matmul(grad, x, True, False)
        elif not adj_y:
            gx, gy = batch_matmul(y, grad, False, True), batch_matmul(x, grad, False, False)
        else:
            gx, gy = batch_matmul(y, grad, True, True), batch_matmul(grad, x, True, True)
        return [_unbroadcast_batch(gx, x, y), _unbroadcast_batch(gy, y, x)]


def _unbroadcast_batch(grad, x, other):
    """Sum a batched-matmul gradient over the batch axes along which ``x`` was broadcast."""
    xd, od, gd = x.shape.as_tuple(), other.shape.as_tuple(), grad.shape.as_tuple()
    if xd is not None and od is not None and gd is not None:
        axes = _static_reduction_axes(xd[:-2], od[:-2], gd[:-2])
        if axes is not None:
            return _sum_axes(grad, axes, len(gd) - len(xd)) if axes else grad
    sx, so = array_ops.shape(x), array_ops.shape(other)
    rx, _ = array_ops.broadcast_gradient_args(sx[:-2], so[:-2])
    return array_ops.reshape(reduce_sum(grad, rx), sx)


def batch_matmul(x, y, adj_x=False, adj_y=False, name=None):
    """BatchMatMulV2: x @ y over the last two axes with broadcasting batch axes."""
    with name_scope(name, "MatMul", [x, y]) as scope:
        return apply_op("BatchMatMulV2", [x, y], {"adj_x": bool(adj_x), "adj_y": bool(adj_y)},
                        name=scope)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product; inputs of known rank > 2 are batched (BatchMatMulV2)."""
    with name_scope(name, "MatMul", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype_hint=a.dtype)
        if transpose_a and adjoint_a or transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_%s and adjoint_%s can be True."
                             % (("a", "a") if transpose_a and adjoint_a else ("b", "b")))
        rank_a, rank_b = a.shape.ndims, b.shape.ndims
        if (rank_a is not None and rank_a > 2) or (rank_b is not None and rank_b > 2):
            # BatchMatMulV2 only knows adjoints: transposing = conjugating + adjoint (TF1's trick).
            if transpose_a:
                a = conj(a)
            if transpose_b:
                b = conj(b)
            return apply_op("BatchMatMulV2", [a, b], {"adj_x": bool(transpose_a or adjoint_a),
                                                      "adj_y": bool(transpose_b or adjoint_b)},
                            name=scope)
        if a.dtype.is_complex:
            if adjoint_a:
                a = conj(a)
            if adjoint_b:
                b = conj(b)
        return _matmul(a, b, transpose_a or adjoint_a, transpose_b or adjoint_b, name=scope)


# -- einsum and tensordot --------------------------------------------------------------------------
_LETTERS = _string.ascii_letters


def _parse_equation(equation, num_inputs):
    """(input subscripts, output subscripts) of a 1- or 2-operand einsum equation."""
    eq = equation.replace(" ", "")
    if "." in eq:
        raise ValueError("einsum: ellipsis ('...') is not supported by tfone; write out the "
                         "batch axes with letters, e.g. 'bij,bjk->bik' (equation %r)" % equation)
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != num_inputs:
        raise ValueError("einsum: equation %r names %d operands but %d were given"
                         % (equation, len(ins), num_inputs))
    if num_inputs not in (1, 2):
        raise ValueError("einsum: tfone supports 1 or 2 operands, got %d; chain einsum calls "
                         "instead" % num_inputs)
    for sub in ins + [out]:
        bad = [c for c in sub if c not in _LETTERS]
        if bad:
            raise ValueError("einsum: invalid subscript %r in equation %r (use letters a-z, A-Z)"
                             % (bad[0], equation))
    for sub in ins:
        repeated = sorted({c for c in sub if sub.count(c) > 1})
        if repeated:
            raise ValueError("einsum: index %r repeats within operand %r of %r: diagonals and "
                             "traces are not supported by tfone" % (repeated[0], sub, equation))
    if not arrow:
        counts = {}
        for c in "".join(ins):
            counts[c] = counts.get(c, 0) + 1
        out = "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        if len(set(out)) != len(out):
            raise ValueError("einsum: output subscripts %r repeat an index (equation %r)"
                             % (out, equation))
        missing = [c for c in out if c not in "".join(ins)]
        if missing:
            raise ValueError("einsum: output index %r of %r appears in no input"
                             % (missing[0], equation))
    return ins, out


@register_op("Einsum")
class Einsum(OpDef):
    """Sum of products over the indices an einsum ``equation`` contracts (1 or 2 operands)."""
    inputs = ("*inputs:T",)
    attrs = {"equation": None}
    label = "einsum"

    def infer(self, inputs, equation):
        ins, out = _parse_equation(equation, len(inputs))
        sizes = {}
        for sub, t in zip(ins, inputs):
            dims = t.shape.as_tuple()
            if dims is None:
                continue
            if len(dims) != len(sub):
                raise ValueError("einsum: operand with shape %s has rank %d but subscripts %r name "
                                 "%d axes (equation %r)" % (t.shape, len(dims), sub, len(sub),
                                                            equation))
            for c, d in zip(sub, dims):
                known = sizes.get(c)
                if d is not None and known is not None and d != known:
                    raise ValueError("einsum: index %r has size %d in one operand and %d in "
                                     "another (shapes %s, equation %r)" % (
                                         c, known, d, [str(x.shape) for x in inputs], equation))
                if d is not None:
                    sizes[c] = d
        return inputs[0].dtype, [sizes.get(c) for c in out]  # the rank is len(out) regardless

    def make_kernel(self, op, ctx):
        ins, out = _parse_equation(op.get_attr("equation"), len(op.inputs))
        eq = ",".join(ins) + "->" + out
        if len(ins) == 1:
            return lambda inputs: np.einsum(eq, inputs[0])
        return lambda inputs: np.einsum(eq, inputs[0], inputs[1], optimize=True)

    def compute(self, inputs, equation):
        ins, out = _parse_equation(equation, len(inputs))
        return np.einsum(",".join(ins) + "->" + out, *inputs, optimize=len(inputs) > 1)

    def gradient(self, op, grad):
        ins, out = _parse_equation(op.get_attr("equation"), len(op.inputs))
        grads = []
        for i, (x, sub) in enumerate(zip(op.inputs, ins)):
            others = [(t, s) for j, (t, s) in enumerate(zip(op.inputs, ins)) if j != i]
            present = out + "".join(s for _, s in others)
            kept = "".join(c for c in sub if c in present)
            eq = ",".join([out] + [s for _, s in others]) + "->" + kept
            g = apply_op("Einsum", [[grad] + [t for t, _ in others]], {"equation": eq})
            if kept != sub:  # indices summed within x alone: the gradient is broadcast along them
                missing = [k for k, c in enumerate(sub) if c not in present]
                kept_shape = apply_op("ReducedShape", [array_ops._shape_of(x), missing])
                g = array_ops.reshape(g, kept_shape)
                g = array_ops.broadcast_to(g, array_ops._shape_of(x))
            grads.append(g)
        return grads


def einsum(equation, *inputs, **kwargs):
    """Einstein summation for 1 or 2 operands, e.g. 'ij,jk->ik', 'bij,bjk->bik', 'ij->ji'.

    Unsupported (clear ValueError): ellipsis, repeated indices within an operand (traces,
    diagonals) and more than 2 operands.
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("invalid keyword arguments for einsum: %s" % ", ".join(sorted(kwargs)))
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    with name_scope(name, "einsum", list(inputs)) as scope:
        ins, out = _parse_equation(equation, len(inputs))
        return apply_op("Einsum", [list(inputs)], {"equation": ",".join(ins) + "->" + out},
                        name=scope)


def _tensordot_axes(axes, rank_a, rank_b):
    """(a_axes, b_axes) as lists of non-negative ints, as TF1 reads ``axes``."""
    if is_tensor_like(axes):
        value = constant_value(convert_to_tensor(axes))
        if value is None:
            raise ValueError("tensordot: axes must be known when the graph is built (an int or a "
                             "pair of lists), got tensor %s" % axes.name)
        axes = value.tolist()
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        if rank_a is None:
            raise ValueError("tensordot with integer axes needs a's rank to be known")
        if axes > rank_a:
            raise ValueError("'axes' must not be larger than the number of dimensions of tensor "
                             "a (%d), got %d" % (rank_a, axes))
        return list(builtins.range(rank_a - axes, rank_a)), list(builtins.range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError("'axes' must be an integer or have length 2, got %r" % (axes,))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError("Different number of contraction axes 'a' and 'b', %d != %d."
                         % (len(a_axes), len(b_axes)))
    out = []
    for axes_list, rank, which in ((a_axes, rank_a, "a"), (b_axes, rank_b, "b")):
        if rank is None:
            raise ValueError("tensordot needs the rank of %s to be known" % which)
        fixed = []
        for ax in axes_list:
            if not -rank <= int(ax) < rank:
                raise ValueError("tensordot: axis %d out of range for %s of rank %d"
                                 % (ax, which, rank))
            fixed.append(int(ax) % rank)
        if len(set(fixed)) != len(fixed):
            raise ValueError("tensordot: repeated axis in %s for %s" % (axes_list, which))
        out.append(fixed)
    return out[0], out[1]


def _tensordot_reshape(x, axes, dims, flipped):
    """``x`` transposed and reshaped to a matrix [free, contracted] ([contracted, free] if
    ``flipped``), as TF1 does for fully known shapes; no-op steps are skipped."""
    free = [i for i in builtins.range(len(dims)) if i not in axes]
    prod_free = int(np.prod([dims[i] for i in free]))
    prod_axes = int(np.prod([dims[i] for i in axes]))
    perm = list(axes) + free if flipped else free + list(axes)
    new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
    if perm != list(builtins.range(len(dims))):
        x = array_ops.transpose(x, perm)
    if x.shape.as_list() != new_shape:
        x = array_ops.reshape(x, new_shape)
    return x, [dims[i] for i in free]


def tensordot(a, b, axes, name=None):
    """Sums a's axes ``axes[0]`` against b's ``axes[1]`` (an int n: a's last n against b's
    first n). The result has a's free axes, then b's.

    With fully known shapes this builds TF1's graph (transpose, reshape, MatMul, reshape);
    otherwise one Einsum op computes the same contraction.
    """
    with name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype_hint=a.dtype)
        ra, rb = a.shape.ndims, b.shape.ndims
        a_axes, b_axes = _tensordot_axes(axes, ra, rb)
        da, db = a.shape.as_list(), b.shape.as_list()
        for i, j in zip(a_axes, b_axes):
            if da[i] is not None and db[j] is not None and da[i] != db[j]:
                raise ValueError("tensordot: axis %d of a (size %d) and axis %d of b (size %d) "
                                 "must match (shapes %s and %s)" % (i, da[i], j, db[j],
                                                                    a.shape, b.shape))
        if a.shape.is_fully_defined() and b.shape.is_fully_defined():
            a2, a_free = _tensordot_reshape(a, a_axes, da, False)
            b2, b_free = _tensordot_reshape(b, b_axes, db, True)
            return array_ops.reshape(matmul(a2, b2), a_free + b_free, name=scope)
        letters = iter(_LETTERS)
        sub_a = [next(letters) for _ in builtins.range(ra)]
        sub_b = [next(letters) for _ in builtins.range(rb)]
        for i, j in zip(a_axes, b_axes):
            sub_b[j] = sub_a[i]
        out = [c for i, c in enumerate(sub_a) if i not in a_axes] + \
              [c for j, c in enumerate(sub_b) if j not in b_axes]
        eq = "%s,%s->%s" % ("".join(sub_a), "".join(sub_b), "".join(out))
        return apply_op("Einsum", [[a, b]], {"equation": eq}, name=scope)


# -- cumulative sums -------------------------------------------------------------------------------
def _shift_along(x, axis):
    """x moved one step along ``axis`` with a zero slice in front (exclusive scans)."""
    out = np.zeros_like(x)
    dst = [slice(None)] * x.ndim
    src = [slice(None)] * x.ndim
    dst[axis], src[axis] = slice(1, None), slice(None, -1)
    out[tuple(dst)] = x[tuple(src)]
    return out


def _cumsum(x, axis, exclusive, reverse):
    x = np.asarray(x)
    axis = int(axis)
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = _shift_along(out, axis)
    return np.flip(out, axis) if reverse else out


@register_op("Cumsum")
class Cumsum(OpDef):
    """Running sum along ``axis`` (``exclusive``: leave out the current element; ``reverse``:
    from the end)."""
    inputs = ("x:T", "axis:int32|int64")
    attrs = {"exclusive": False, "reverse": False}
    label = "cumsum"

    def infer(self, x, axis, exclusive, reverse):
        _check_dtype(self.type, x.dtype, _NUMERIC_KINDS)
        if axis.shape.ndims not in (None, 0):
            raise ValueError("axis must be a scalar, got shape %s" % axis.shape)
        value, ndims = constant_value(axis), x.shape.ndims
        if ndims == 0:
            raise ValueError("cumsum needs a tensor of rank >= 1, got a scalar")
        if value is not None and ndims is not None and not -ndims <= int(value) < ndims:
            raise ValueError("axis %d out of range for a tensor of rank %d (shape %s)"
                             % (int(value), ndims, x.shape))
        return x.dtype, x.shape

    def compute(self, x, axis, exclusive, reverse):
        return _cumsum(x, axis, exclusive, reverse)

    def gradient(self, op, grad):
        return [cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                       reverse=not op.get_attr("reverse")), None]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum: cumsum([a, b, c]) = [a, a + b, a + b + c]."""
    with name_scope(name, "Cumsum", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Cumsum", [x, axis], {"exclusive": bool(exclusive),
                                              "reverse": bool(reverse)}, name=scope)


def _cumprod(x, axis, exclusive, reverse):
    x = np.asarray(x)
    axis = int(axis)
    if reverse:
        x = np.flip(x, axis)
    out = np.cumprod(x, axis=axis, dtype=x.dtype)
    if exclusive:
        shifted = np.ones_like(out)
        dst = [slice(None)] * x.ndim
        src = [slice(None)] * x.ndim
        dst[axis], src[axis] = slice(1, None), slice(None, -1)
        shifted[tuple(dst)] = out[tuple(src)]
        out = shifted
    return np.flip(out, axis) if reverse else out


@register_op("Cumprod")
class Cumprod(Cumsum):
    """Running product along ``axis`` (``exclusive``, ``reverse`` as in Cumsum)."""
    label = "cumprod"

    def compute(self, x, axis, exclusive, reverse):
        return _cumprod(x, axis, exclusive, reverse)

    def gradient(self, op, grad):
        # TF1's formula: divides by x, so (as in TF1) inputs must be non-zero.
        x, axis = op.inputs
        exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
        prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
        out = cumsum(multiply(prod, grad), axis, exclusive=exclusive, reverse=not reverse)
        return [realdiv(out, x), None]


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product: cumprod([a, b, c]) = [a, a * b, a * b * c]."""
    with name_scope(name, "Cumprod", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Cumprod", [x, axis], {"exclusive": bool(exclusive),
                                               "reverse": bool(reverse)}, name=scope)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """Sum of a list of tensors (TF1's accumulate_n; the same values as add_n)."""
    if tensor_dtype is not None:
        for t in inputs:
            if convert_to_tensor(t).dtype != dtypes.as_dtype(tensor_dtype):
                raise TypeError("accumulate_n: all inputs must have dtype %s" % tensor_dtype)
    result = add_n(inputs, name=name)
    if shape is not None:
        result.set_shape(result.shape.merge_with(TensorShape(shape)))
    return result


# -- reductions ------------------------------------------------------------------------------------
def _axis_tuple(axis):
    return int(axis) if np.ndim(axis) == 0 else tuple(axis.tolist())


class Reduction(OpDef):
    """Base for reductions over ``reduction_indices`` with ``keep_dims``."""
    inputs = ("input:T", "reduction_indices:int32|int64")
    attrs = {"keep_dims": False}
    kinds = _NUMERIC_KINDS

    def is_identity(self, op):
        # Reducing over no axes returns the input (the gradient of a broadcast that did not
        # broadcast, once a plan knows the shapes).
        axes = constant_value(op.inputs[1])
        return (axes is not None and np.size(axes) == 0 and op.inputs[0].dtype == op.outputs[0].dtype
                and op.inputs[0].shape == op.outputs[0].shape)

    def infer(self, input, reduction_indices, keep_dims):
        if self.kinds is not None:
            _check_dtype(self.type, input.dtype, self.kinds, "input")
        if reduction_indices.shape.ndims not in (None, 0, 1):
            raise ValueError("reduction axes must be a scalar or a vector, got shape %s"
                             % reduction_indices.shape)
        axes = axes_from_tensor(reduction_indices)
        if axes is None:
            ndims = input.shape.ndims
            return self.output_dtype(input.dtype), unknown_shape(ndims if keep_dims else None)
        return self.output_dtype(input.dtype), reduced_shape(input.shape, axes, keep_dims)

    def output_dtype(self, dtype):
        return dtype

    reduce = None  # numpy function(x, axis=..., keepdims=...)

    def make_kernel(self, op, ctx):
        keepdims = op.get_attr("keep_dims")
        reduce = self.reduce
        axes = constant_value(op.inputs[1])
        if axes is not None:  # the usual case: axes fixed at graph-construction time
            axes = _axis_tuple(np.asarray(axes))
            fast = self.float_kernel(axes, keepdims) if op.inputs[0].dtype.is_floating else None
            if fast is not None:
                return fast
            return lambda x, _axes: reduce(x, axis=axes, keepdims=keepdims)
        return lambda x, axes: reduce(x, axis=_axis_tuple(axes), keepdims=keepdims)

    def float_kernel(self, axes, keepdims):
        """Optionally, a faster kernel for floating inputs with constant axes."""
        return None

    def compute(self, input, reduction_indices, keep_dims):
        return self.reduce(input, axis=_axis_tuple(reduction_indices), keepdims=keep_dims)


def _sum_same_dtype(x, axis, keepdims):
    x = np.asarray(x)
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind in "iu" else None)


def _prod_same_dtype(x, axis, keepdims):
    x = np.asarray(x)
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind in "iu" else None)


def _reduced_count(x, axis):
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([x.shape[a] for a in axes])) if x.ndim else 1


def _mean(x, axis, keepdims):
    x = np.asarray(x)
    if x.dtype.kind not in "iu":
        if x.size == 0 or _reduced_count(x, axis) == 0:  # nan, without numpy's warning
            return np.sum(x, axis=axis, keepdims=keepdims) * np.array(np.nan, x.dtype)
        return np.mean(x, axis=axis, keepdims=keepdims)
    # Integer means stay integers, rounded toward zero (TF's integer division).
    total = np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
    count = _reduced_count(x, axis)
    if count == 0:
        return np.zeros_like(total)
    return (np.sign(total) * (np.abs(total) // count)).astype(x.dtype, copy=False)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _max(x, axis, keepdims):
    x = np.asarray(x)
    if x.size == 0:  # TF gives the dtype's lowest value for an empty reduction
        return np.max(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype))
    return np.max(x, axis=axis, keepdims=keepdims)


def _min(x, axis, keepdims):
    x = np.asarray(x)
    if x.size == 0:
        return np.min(x, axis=axis, keepdims=keepdims, initial=_highest(x.dtype))
    return np.min(x, axis=axis, keepdims=keepdims)


@register_op("Sum")
class Sum(Reduction):
    """Sum over the given axes."""
    label = "sum"
    reduce = staticmethod(_sum_same_dtype)

    def float_kernel(self, axes, keepdims):
        add_reduce = np.add.reduce
        return lambda x, _axes: add_reduce(x, axes, None, None, keepdims)

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [array_ops.broadcast_to(_restore_reduced_dims(op, grad), array_ops._shape_of(x)),
                None]


@register_op("Mean")
class Mean(Reduction):
    """Mean over the given axes (integer inputs give truncated integer means, as in TF)."""
    label = "mean"
    reduce = staticmethod(_mean)

    def float_kernel(self, axes, keepdims):
        add_reduce = np.add.reduce
        axes_list = (axes,) if isinstance(axes, int) else axes

        def mean(x, _axes):
            # np.mean's own arithmetic (pairwise sum, then divide) without its Python overhead;
            # an empty reduction gives 0/0 = nan, as TF does (run under errstate(all="ignore")).
            count = 1
            shape = x.shape
            for a in axes_list:
                count *= shape[a]
            return add_reduce(x, axes, None, None, keepdims) / x.dtype.type(count)
        return mean

    def gradient(self, op, grad):
        x, y = op.inputs[0], op.outputs[0]
        sum_grad = Sum.gradient(self, op, grad)[0]
        n_in, n_out = x.shape.num_elements(), y.shape.num_elements()
        if n_in is not None and n_out is not None:
            factor = constant(n_in // builtins.max(n_out, 1), dtype=sum_grad.dtype)
        else:
            factor = cast(floordiv(array_ops.size(x), maximum(array_ops.size(y), 1)),
                          sum_grad.dtype)
        return [truediv(sum_grad, factor), None]


class _MinOrMax(Reduction):
    kinds = _REAL_KINDS

    def gradient(self, op, grad):
        # The gradient goes to the elements equal to the result, split equally between ties.
        x, axes = op.inputs
        y = _restore_reduced_dims(op, op.outputs[0])
        grad = _restore_reduced_dims(op, grad)
        indicators = cast(equal(y, x), grad.dtype)
        num_selected = reduce_sum(indicators, axes, keepdims=True)
        return [multiply(divide(indicators, num_selected), grad), None]


@register_op("Max")
class Max(_MinOrMax):
    """Maximum over the given axes."""
    label = "max"
    reduce = staticmethod(_max)


@register_op("Min")
class Min(_MinOrMax):
    """Minimum over the given axes."""
    label = "min"
    reduce = staticmethod(_min)


@register_op("Prod")
class Prod(Reduction):
    """Product over the given axes."""
    label = "prod"
    reduce = staticmethod(_prod_same_dtype)

    def gradient(self, op, grad):
        # d prod / d x_e = product of the other elements. Written with zero counts instead of
        # prod / x_e, so exact zeros work, and so that its own gradient (second derivatives) is
        # exact too: nonzero-part product p, and the zeros' own product/sum kept differentiable.
        x, axes = op.inputs
        is_zero = equal(x, 0)
        nonzero_x = where_v2(is_zero, 1, x)
        zeros_x = where_v2(is_zero, x, 1)
        p = reduce_prod(nonzero_x, axes, keepdims=True)
        num_zeros = reduce_sum(cast(is_zero, x.dtype), axes, keepdims=True)
        zeros_prod = reduce_prod(zeros_x, axes, keepdims=True)  # 0 if any zero, grad 1 if one
        zeros_sum = reduce_sum(where_v2(is_zero, x, 0), axes, keepdims=True)
        at_nonzero = multiply(realdiv(p, nonzero_x), zeros_prod)
        at_zero = where_v2(equal(num_zeros, 1), p, where_v2(
            equal(num_zeros, 2), multiply(p, subtract(zeros_sum, x)), 0))
        others = where_v2(is_zero, at_zero, at_nonzero)
        return [multiply(others, _restore_reduced_dims(op, grad)), None]


@register_op("Any")
class Any(Reduction):
    """Logical OR over the given axes."""
    inputs = ("input:bool", "reduction_indices:int32|int64")
    kinds = None
    label = "any"
    reduce = staticmethod(np.any)
    gradient = NOT_DIFFERENTIABLE


@register_op("All")
class All(Reduction):
    """Logical AND over the given axes."""
    inputs = ("input:bool", "reduction_indices:int32|int64")
    kinds = None
    label = "all"
    reduce = staticmethod(np.all)
    gradient = NOT_DIFFERENTIABLE


def _restore_reduced_dims(op, grad):
    """``grad`` of a reduction reshaped so the reduced axes are back with size 1."""
    if op.get_attr("keep_dims"):
        return grad
    x, axes_t = op.inputs
    axes = axes_from_tensor(axes_t)
    dims = x.shape.as_tuple()
    if axes is not None and dims is not None:
        kept = reduced_shape(x.shape, axes, True).as_tuple()
        if None not in kept:
            return array_ops.reshape(grad, list(kept))
        if sum(d is None for d in kept) == 1:
            return array_ops.reshape(grad, [-1 if d is None else d for d in kept])
    return array_ops.reshape(grad, apply_op("ReducedShape", [array_ops.shape(x), axes_t]))


@register_op("ReducedShape")
class ReducedShape(OpDef):
    """The shape a reduction with keepdims=True would give (used by reduction gradients)."""
    inputs = ("input_shape:int32|int64", "axes:int32|int64")
    label = "reduced_shape"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input_shape, axes):
        return input_shape.dtype, input_shape.shape

    def compute(self, input_shape, axes):
        out = np.array(input_shape, copy=True)
        if out.size:
            out[normalize_axes(axes, out.size, "ReducedShape")] = 1
        return out


def _reduction_axes(x, axis):
    """The reduction_indices input for ``axis`` (None = all axes)."""
    if axis is not None:
        return axis
    ndims = x.shape.ndims
    if ndims is not None:
        return constant(np.arange(ndims, dtype=np.int32), name="Const")
    return range(0, array_ops.rank(x), 1)


def _keepdims(keepdims, keep_dims):
    if keepdims is not None and keep_dims is not None and bool(keepdims) != bool(keep_dims):
        raise ValueError("keepdims and keep_dims (deprecated) disagree")
    return bool(keepdims if keepdims is not None else keep_dims)


def _axis(axis, reduction_indices):
    if axis is not None and reduction_indices is not None:
        raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
    return axis if axis is not None else reduction_indices


def reduce(op_type, input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
           keep_dims=None):
    """Shared body of the ``reduce_*`` functions."""
    x = convert_to_tensor(input_tensor)
    axes = _reduction_axes(x, _axis(axis, reduction_indices))
    return apply_op(op_type, [x, axes], {"keep_dims": _keepdims(keepdims, keep_dims)}, name=name)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Sum over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with size 1
    (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """Mean over ``axis``; integer tensors give integer (truncated) means, as in TF."""
    return reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Maximum over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with size 1
    (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Minimum over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with size 1
    (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """Product over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with size 1
    (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Logical OR over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with
    size 1 (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Logical AND over ``axis`` (all axes by default); ``keepdims`` keeps the reduced axes with
    size 1 (``reduction_indices``, ``keep_dims``: TF1's old names)."""
    return reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """log(sum(exp(x))) over ``axis``, computed stably by shifting by the (finite) maximum."""
    keepdims = _keepdims(keepdims, keep_dims)
    axis = _axis(axis, reduction_indices)
    x = convert_to_tensor(input_tensor)
    with name_scope(name, "ReduceLogSumExp", [x]) as scope:
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = array_ops.stop_gradient(where(is_finite(raw_max), raw_max,
                                               array_ops.zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keepdims))
        if not keepdims:
            shape = result.shape
            my_max = array_ops.reshape(my_max, shape.as_list() if shape.is_fully_defined()
                                       else array_ops.shape(result))
        return add(result, my_max, name=scope)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance over ``axis`` (tf.math.reduce_variance)."""
    with name_scope(name, "reduce_variance", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        means = reduce_mean(x, axis, keepdims=True)
        return reduce_mean(square(subtract(x, means)), axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation over ``axis`` (tf.math.reduce_std)."""
    with name_scope(name, "reduce_std", [input_tensor]):
        return sqrt(reduce_variance(input_tensor, axis, keepdims))


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """Number of non-zero entries over ``axis`` (as ``dtype``, int64 by default).
    ``input`` is TF1's deprecated alias of ``input_tensor``."""
    if input is not None:
        if input_tensor is not None:
            raise ValueError("Cannot specify both 'input' and 'input_tensor'")
        input_tensor = input
    if input_tensor is None:
        raise ValueError("count_nonzero needs input_tensor (the tensor to count in)")
    keepdims = _keepdims(keepdims, keep_dims)
    axis = _axis(axis, reduction_indices)
    with name_scope(name, "count_nonzero", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        zero = constant(np.zeros((), dtype=x.dtype._np))
        nonzero = cast(not_equal(x, zero), dtypes.int64)
        return cast(reduce_sum(nonzero, axis, keepdims=keepdims), dtype)


# -- arg max / min ---------------------------------------------------------------------------------
class _ArgMinMax(OpDef):
    inputs = ("input:T", "dimension:int32|int64")
    attrs = {"output_type": dtypes.int64}
    gradient = NOT_DIFFERENTIABLE
    reduce = None

    def infer(self, input, dimension, output_type):
        _check_dtype(self.type, input.dtype, _REAL_KINDS, "input")
        if output_type not in (dtypes.int32, dtypes.int64):
            raise TypeError("output_type must be tf.int32 or tf.int64, got %s" % output_type)
        if dimension.shape.ndims not in (None, 0):
            raise ValueError("dimension must be a scalar, got shape %s" % dimension.shape)
        dims, axis = input.shape.as_tuple(), constant_value(dimension)
        if dims is None:
            return output_type, unknown_shape()
        if axis is None:
            return output_type, unknown_shape(builtins.max(len(dims) - 1, 0))
        axis = int(axis)
        if not -len(dims) <= axis < builtins.max(len(dims), 1):
            raise ValueError("Expected dimension in the range [%d, %d), but got %d (input shape %s)"
                             % (-len(dims), len(dims), axis, input.shape))
        axis %= builtins.max(len(dims), 1)
        return output_type, [d for i, d in enumerate(dims) if i != axis]

    def compute(self, input, dimension, output_type):
        input = np.asarray(input)
        axis = int(dimension)
        if input.ndim and input.shape[axis] == 0:
            raise errors.InvalidArgumentError(None, None, "Reduction axis %d is empty in shape %s"
                                              % (axis, input.shape))
        return np.asarray(self.reduce(input, axis=axis if input.ndim else None),
                          dtype=output_type._np)


@register_op("ArgMax")
class ArgMax(_ArgMinMax):
    """Index of the largest value along an axis (first one on ties)."""
    label = "argmax"
    reduce = staticmethod(np.argmax)


@register_op("ArgMin")
class ArgMin(_ArgMinMax):
    """Index of the smallest value along an axis (first one on ties)."""
    label = "argmin"
    reduce = staticmethod(np.argmin)


def _arg_min_max(op_type, input, axis, name, dimension, output_type):
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = dimension if axis is None else axis
    if axis is None:
        axis = 0
    return apply_op(op_type, [input, axis], {"output_type": dtypes.as_dtype(output_type)},
                    name=name)


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
    """Index of the largest entry along ``axis`` (default 0; ``dimension`` is TF1's old name)."""
    return _arg_min_max("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
    """Index of the smallest entry along ``axis`` (default 0; ``dimension`` is TF1's old name)."""
    return _arg_min_max("ArgMin", input, axis, name, dimension, output_type)


# -- norms -----------------------------------------------------------------------------------------
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """Vector norms (axis None / int / [i]) and matrix norms (axis = [i, j]), as tf.norm.

    Vector: 'euclidean' (= 2), 1, np.inf, or any p > 0. Matrix: 'euclidean'/'fro', 1, np.inf.
    """
    keepdims = _keepdims(keepdims, keep_dims)
    if isinstance(axis, (list, tuple)):
        axis = list(axis)
        if len(axis) == 1:
            axis = axis[0]
    is_matrix = isinstance(axis, list)
    if is_matrix:
        if len(axis) != 2 or axis[0] == axis[1]:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             "got %s" % (axis,))
        if ord not in ("euclidean", "fro", 1, np.inf):
            raise ValueError("'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             "inf] (tfone has no SVD-based 2-norm), got %r" % (ord,))
    elif not (ord == "euclidean" or (not isinstance(ord, str) and ord > 0)):
        raise ValueError("'ord' must be a supported vector norm ('euclidean', 1, 2, np.inf or "
                         "any p > 0), got %r" % (ord,))
    with name_scope(name, "norm", [tensor]):
        # As TF1: reduce with keepdims=True, then squeeze the reduced axes (so the result is
        # "norm/Squeeze:0"); axis=None squeezes every (size-1) dimension.
        x = convert_to_tensor(tensor)
        magnitude = abs(x) if ord not in ("euclidean", "fro", 2, 2.0) else None
        if magnitude is None:
            result = sqrt(reduce_sum(multiply(x, conj(x)), axis, keepdims=True))
        elif ord == 1 and is_matrix:
            result = reduce_max(reduce_sum(magnitude, axis[0], keepdims=True), axis,
                                keepdims=True)
        elif ord == np.inf and is_matrix:
            result = reduce_max(reduce_sum(magnitude, axis[1], keepdims=True), axis,
                                keepdims=True)
        elif ord == 1:
            result = reduce_sum(magnitude, axis, keepdims=True)
        elif ord == np.inf:
            result = reduce_max(magnitude, axis, keepdims=True)
        else:
            result = pow(reduce_sum(pow(magnitude, ord), axis, keepdims=True), 1.0 / ord)
        if keepdims:
            return result
        return array_ops.squeeze(result, axis)


# -- ranges ----------------------------------------------------------------------------------------
@register_op("Range")
class Range(OpDef):
    """[start, start + delta, ...) up to ``limit`` (exclusive)."""
    inputs = ("start:Tidx", "limit:Tidx", "delta:Tidx")
    label = "range"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, start, limit, delta):
        values = [constant_value(t) for t in (start, limit, delta)]
        if any(v is None for v in values):
            return start.dtype, [None]
        s, l, d = (v.item() for v in map(np.asarray, values))
        if d == 0:
            raise ValueError("Requires delta != 0")
        return start.dtype, [max(0, int(np.ceil((l - s) / d)))]

    def compute(self, start, limit, delta):
        return np.arange(start, limit, delta, dtype=np.asarray(start).dtype)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF1's name
    """The numbers from ``start`` up to (not including) ``limit`` in steps of ``delta``, like
    Python's range; tf.range(n) is 0, 1, ..., n - 1."""
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        values = [start, limit, delta]
        if dtype is None:
            kinds = [convert_to_tensor(v).dtype if not isinstance(v, (int, float)) else
                     (dtypes.float32 if isinstance(v, float) else dtypes.int32) for v in values]
            order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
            dtype = max(kinds, key=lambda d: order.index(d) if d in order else 0)
        dtype = dtypes.as_dtype(dtype)
        tensors = []
        for v, n in zip(values, ("start", "limit", "delta")):
            t = (convert_to_tensor(v, name=n) if not isinstance(v, (int, float))
                 else constant(v, dtype=dtype, name=n))
            if t.dtype != dtype:
                t = cast(t, dtype)
            tensors.append(t)
        return apply_op("Range", tensors, name=scope)



# -- casting ---------------------------------------------------------------------------------------
@register_op("Cast")
class Cast(OpDef):
    """Converts to another dtype (floats to ints truncate toward zero, as in TF)."""
    inputs = ("x",)
    attrs = {"DstT": None}
    label = "cast"

    def infer(self, x, DstT):
        return DstT, x.shape

    def make_kernel(self, op, ctx):
        target = op.get_attr("DstT")._np
        if target == np.bool_:
            return lambda x: np.asarray(x) != 0
        return lambda x: np.asarray(x).astype(target, copy=False)

    def compute(self, x, DstT):
        return np.asarray(x).astype(DstT._np)

    def gradient(self, op, grad):
        x = op.inputs[0]
        if not (x.dtype.is_differentiable and op.outputs[0].dtype.is_differentiable):
            return [None]
        return [cast(grad, x.dtype)]


def cast(x, dtype, name=None):
    """``x`` converted to ``dtype``; returns ``x`` itself if it already has that dtype."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x) if not hasattr(x, "_as_tensor") else x._as_tensor(None)
    if x.dtype == dtype:
        return x
    return apply_op("Cast", [x], {"DstT": dtype}, name=name or "Cast")


def saturate_cast(value, dtype, name=None):
    """``value`` cast to ``dtype`` after clipping it to the range of ``dtype``, so out-of-range
    values become the smallest or largest value of ``dtype`` instead of wrapping around."""
    with name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dtype = dtypes.as_dtype(dtype).base_dtype
        if value.dtype.min < dtype.min:
            value = maximum(value, convert_to_tensor(dtype.min, dtype=value.dtype, name="min"))
        if value.dtype.max > dtype.max:
            value = minimum(value, convert_to_tensor(dtype.max, dtype=value.dtype, name="max"))
        return cast(value, dtype, name=scope)


def to_float(x, name="ToFloat"):
    """``x`` cast to float32 (TF1's deprecated shorthand for tf.cast)."""
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    """``x`` cast to float64 (TF1's deprecated shorthand for tf.cast)."""
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    """``x`` cast to int32 (TF1's deprecated shorthand for tf.cast)."""
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    """``x`` cast to int64 (TF1's deprecated shorthand for tf.cast)."""
    return cast(x, dtypes.int64, name=name)
