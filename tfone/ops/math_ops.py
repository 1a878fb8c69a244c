"""Math ops: elementwise arithmetic with broadcasting, matrix products, reductions.

Gradients of broadcasting ops go through :func:`unbroadcast`, which sums a gradient back to an
input's shape, statically when shapes allow (so pictures stay small) and with a
BroadcastGradientArgs op otherwise.
"""
import builtins

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, NOT_DIFFERENTIABLE)
from tfone.framework.tensor_shape import unknown_shape
from tfone.ops import array_ops
from tfone.ops.constant_op import constant
from tfone.ops.shape_inference import (broadcast_shape, reduced_shape, normalize_axes,
                                       axes_from_tensor)

__all__ = ["add", "subtract", "multiply", "divide", "realdiv", "negative", "matmul", "add_n",
           "reduce_sum", "range", "unbroadcast", "cast", "to_float", "to_double", "to_int32",
           "to_int64", "truediv"]


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
    lead = len(full.as_tuple()) - len(x.shape.as_tuple())
    leading = [a for a in axes if a < lead]
    inner = [a - lead for a in axes if a >= lead]
    if leading:
        grad = reduce_sum(grad, leading)
    if inner:
        grad = reduce_sum(grad, inner, keepdims=True)
    return grad


# -- elementwise binary ops ---------------------------------------------------------------------------
class BinaryElementwise(OpDef):
    """Base for ``z = f(x, y)`` with numpy broadcasting; subclasses set ``compute`` and gradient."""
    inputs = ("x:T", "y:T")

    def infer(self, x, y):
        return x.dtype, broadcast_shape(x.shape, y.shape)


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


def add(x, y, name=None):
    return apply_op("Add", [x, y], name=name)


def subtract(x, y, name=None):
    return apply_op("Sub", [x, y], name=name)


def multiply(x, y, name=None):
    return apply_op("Mul", [x, y], name=name)


def realdiv(x, y, name=None):
    return apply_op("RealDiv", [x, y], name=name)


def divide(x, y, name=None):
    """x / y with Python 3 semantics (integers are divided as floats)."""
    return truediv(x, y, name=name)


def truediv(x, y, name=None):
    """Float division; int8/16 become float32 and int32/64 become float64 first, as in TF1."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype_hint=x.dtype)
        if x.dtype != y.dtype:
            raise TypeError("x and y must have the same dtype, got %s != %s" % (x.dtype.name, y.dtype.name))
        target = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                  dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                  dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}.get(x.dtype)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return realdiv(x, y, name=scope)


# -- unary -----------------------------------------------------------------------------------------------
class UnaryElementwise(OpDef):
    """Base for ``y = f(x)`` elementwise."""
    inputs = ("x:T",)

    def infer(self, x):
        return x.dtype, x.shape


@register_op("Neg")
class Neg(UnaryElementwise):
    """-x."""
    label = "neg"
    compute = staticmethod(np.negative)

    def gradient(self, op, grad):
        return [negative(grad)]


def negative(x, name=None):
    return apply_op("Neg", [x], name=name)


# -- sums of several tensors ------------------------------------------------------------------------------
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
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a non-empty list of tensors, got %r" % (inputs,))
    if len(inputs) == 1 and name is None:
        return convert_to_tensor(inputs[0])
    return apply_op("AddN", [list(inputs)], name=name)


# -- matrix products --------------------------------------------------------------------------------------
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


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix product; rank > 2 inputs are batched (BatchMatMulV2)."""
    with name_scope(name, "MatMul", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype_hint=a.dtype)
        if transpose_a and adjoint_a or transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_%s and adjoint_%s can be True."
                             % (("a", "a") if transpose_a and adjoint_a else ("b", "b")))
        rank_a, rank_b = a.shape.ndims, b.shape.ndims
        if (rank_a is not None and rank_a > 2) or (rank_b is not None and rank_b > 2):
            return batch_matmul(a, b, adj_x=transpose_a or adjoint_a, adj_y=transpose_b or adjoint_b,
                                name=scope)
        if a.dtype.is_complex:
            if adjoint_a:
                a = conj(a)
            if adjoint_b:
                b = conj(b)
        return _matmul(a, b, transpose_a or adjoint_a, transpose_b or adjoint_b, name=scope)


# -- reductions -------------------------------------------------------------------------------------------
def _axis_tuple(axis):
    return int(axis) if np.ndim(axis) == 0 else tuple(axis.tolist())


class Reduction(OpDef):
    """Base for reductions over ``reduction_indices`` with ``keep_dims``."""
    inputs = ("input:T", "reduction_indices:Tidx")
    attrs = {"keep_dims": False}

    def infer(self, input, reduction_indices, keep_dims):
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
            return lambda x, _axes: reduce(x, axis=axes, keepdims=keepdims)
        return lambda x, axes: reduce(x, axis=_axis_tuple(axes), keepdims=keepdims)

    def compute(self, input, reduction_indices, keep_dims):
        return self.reduce(input, axis=_axis_tuple(reduction_indices), keepdims=keep_dims)


def _sum_same_dtype(x, axis, keepdims):
    x = np.asarray(x)
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind in "iu" else None)


@register_op("Sum")
class Sum(Reduction):
    """Sum over the given axes."""
    label = "sum"
    reduce = staticmethod(_sum_same_dtype)

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [array_ops.broadcast_to(_restore_reduced_dims(op, grad), array_ops._shape_of(x)), None]


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
    return reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- ranges -----------------------------------------------------------------------------------------------
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
            t = convert_to_tensor(v, name=n) if not isinstance(v, (int, float)) else constant(v, dtype=dtype, name=n)
            if t.dtype != dtype:
                t = cast(t, dtype)
            tensors.append(t)
        return apply_op("Range", tensors, name=scope)



# -- casting --------------------------------------------------------------------------------------------
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


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)
