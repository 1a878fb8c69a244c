"""Array ops: placeholders, identity, shapes, fill, reshape, stack/unstack, slicing, broadcasting.

Each op type is declared once (shape inference, numpy kernel, gradient); the functions at the
bottom of each section are TF1's public API for it.
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, NOT_DIFFERENTIABLE, is_tensor_like)
from tfone.framework.tensor_shape import TensorShape, unknown_shape, as_shape
from tfone.ops.constant_op import constant
from tfone.ops.shape_inference import broadcast_shape, shape_from_tensor

__all__ = ["placeholder", "placeholder_with_default", "identity", "stop_gradient", "shape",
           "size", "rank", "fill", "zeros", "ones", "zeros_like", "ones_like", "reshape", "stack",
           "unstack", "strided_slice", "broadcast_to", "newaxis"]

newaxis = None


# -- feeding ------------------------------------------------------------------------------------
@register_op("Placeholder")
class Placeholder(OpDef):
    """A value supplied at run time through ``feed_dict``."""
    attrs = {"dtype": None, "shape": None}
    label = "placeholder"
    requires_feed = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, dtype, shape):
        return dtype, shape

    def missing_feed_message(self, op):
        shape = op.get_attr("shape")
        shape_text = "" if shape.ndims is None else " and shape [%s]" % ",".join(
            "?" if d is None else str(d) for d in shape.as_tuple())
        return "You must feed a value for placeholder tensor '%s' with dtype %s%s" % (
            op.name, op.get_attr("dtype").name, shape_text)

    def make_kernel(self, op, ctx):
        raise AssertionError("Placeholder %s is executed only when fed" % op.name)


def placeholder(dtype, shape=None, name=None):
    """A tensor that must be fed: ``sess.run(y, feed_dict={x: value})``."""
    return apply_op("Placeholder", [], {"dtype": dtypes.as_dtype(dtype), "shape": as_shape(shape)},
                    name=name)


@register_op("PlaceholderWithDefault")
class PlaceholderWithDefault(OpDef):
    """Passes ``input`` through unless the output is fed."""
    inputs = ("input:T",)
    attrs = {"shape": None}
    label = "placeholder"
    aliases = "input"

    def infer(self, input, shape):
        if not input.shape.is_compatible_with(shape) and shape.ndims is not None:
            if input.shape.ndims is not None and input.shape.ndims != shape.ndims:
                raise ValueError("The default value has shape %s, incompatible with the requested "
                                 "shape %s" % (input.shape, shape))
        return input.dtype, shape

    def compute(self, input, shape):
        return input

    def gradient(self, op, grad):
        return [grad]


def placeholder_with_default(input, shape, name=None):
    input = convert_to_tensor(input)
    return apply_op("PlaceholderWithDefault", [input], {"shape": as_shape(shape)}, name=name)


# -- identity -------------------------------------------------------------------------------------
@register_op("Identity")
class Identity(OpDef):
    """Returns its input unchanged (a named, drawable alias)."""
    inputs = ("input:T",)
    label = "identity"
    aliases = "input"

    def infer(self, input):
        return input.dtype, input.shape

    def compute(self, input):
        return input

    def gradient(self, op, grad):
        return [grad]


def identity(input, name=None):
    return apply_op("Identity", [input], name=name)


@register_op("StopGradient")
class StopGradient(OpDef):
    """Identity in the forward pass; gradients do not flow through it."""
    inputs = ("input:T",)
    label = "stop_grad"
    aliases = "input"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input):
        return input.dtype, input.shape

    def compute(self, input):
        return input


def stop_gradient(input, name=None):
    return apply_op("StopGradient", [input], name=name)


# -- shapes ----------------------------------------------------------------------------------------
@register_op("Shape")
class Shape(OpDef):
    """The dynamic shape of a tensor, as a 1-D int tensor."""
    inputs = ("input",)
    attrs = {"out_type": dtypes.int32}
    label = "shape"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input, out_type):
        return out_type, [input.shape.ndims]

    def compute(self, input, out_type):
        return np.array(np.shape(input), dtype=out_type._np)

    def static_value(self, op):
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=op.get_attr("out_type")._np)
        return None


def shape(input, name=None, out_type=dtypes.int32):
    return apply_op("Shape", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name)


@register_op("Size")
class Size(OpDef):
    """The number of elements of a tensor."""
    inputs = ("input",)
    attrs = {"out_type": dtypes.int32}
    label = "size"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input, out_type):
        return out_type, []

    def compute(self, input, out_type):
        return np.array(np.size(input), dtype=out_type._np)

    def static_value(self, op):
        n = op.inputs[0].shape.num_elements()
        return None if n is None else np.array(n, dtype=op.get_attr("out_type")._np)


def size(input, name=None, out_type=dtypes.int32):
    return apply_op("Size", [input], {"out_type": dtypes.as_dtype(out_type)}, name=name)


@register_op("Rank")
class Rank(OpDef):
    """The number of dimensions of a tensor."""
    inputs = ("input",)
    label = "rank"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input):
        return dtypes.int32, []

    def compute(self, input):
        return np.array(np.ndim(input), dtype=np.int32)

    def static_value(self, op):
        n = op.inputs[0].shape.ndims
        return None if n is None else np.array(n, dtype=np.int32)


def rank(input, name=None):
    return apply_op("Rank", [input], name=name)


# -- filling -----------------------------------------------------------------------------------------
@register_op("Fill")
class Fill(OpDef):
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    inputs = ("dims:int32|int64", "value:T")
    label = "fill"

    def infer(self, dims, value):
        if value.shape.ndims not in (None, 0):
            raise ValueError("value must be a scalar, got shape %s" % value.shape)
        if dims.shape.ndims not in (None, 1):
            raise ValueError("dims must be a vector, got shape %s" % dims.shape)
        return value.dtype, shape_from_tensor(dims)

    def compute(self, dims, value):
        return np.full(tuple(dims.tolist()), value, dtype=np.asarray(value).dtype)

    def gradient(self, op, grad):
        from tfone.ops.math_ops import reduce_sum
        return [None, reduce_sum(grad)]


def fill(dims, value, name=None):
    return apply_op("Fill", [dims, value], name=name)


def _constant_if_small(value, shape, dtype, name):
    dims = TensorShape(shape).as_list() if not is_tensor_like(shape) else None
    if dims is not None and None not in dims and int(np.prod(dims)) < 1000:
        return constant(value, dtype=dtype, shape=dims, name=name)
    return None


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros: a Const when the shape is small and known, else a Fill op."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "zeros") as scope:
        if not is_tensor_like(shape):
            small = _constant_if_small(0, shape, dtype, scope)
            if small is not None:
                return small
        shape_t = _shape_tensor(shape, "shape")
        return fill(shape_t, constant(0, dtype=dtype), name=scope)


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones: a Const when the shape is small and known, else a Fill op."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "ones") as scope:
        if not is_tensor_like(shape):
            small = _constant_if_small(1, shape, dtype, scope)
            if small is not None:
                return small
        shape_t = _shape_tensor(shape, "shape")
        return fill(shape_t, constant(1, dtype=dtype), name=scope)


def _shape_tensor(shape, name):
    if is_tensor_like(shape):
        return convert_to_tensor(shape)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(is_tensor_like(s) for s in shape):
        return _autopack(list(shape), dtypes.int32, name)
    return constant(np.asarray(shape, dtype=np.int32).reshape(-1), name=name)


@register_op("ZerosLike")
class ZerosLike(OpDef):
    """Zeros with the shape and dtype of ``x``."""
    inputs = ("x",)
    label = "zeros_like"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, x):
        return x.dtype, x.shape

    def compute(self, x):
        return np.zeros_like(x)


@register_op("OnesLike")
class OnesLike(OpDef):
    """Ones with the shape and dtype of ``x``."""
    inputs = ("x",)
    label = "ones_like"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, x):
        return x.dtype, x.shape

    def compute(self, x):
        return np.ones_like(x)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
        return zeros(shape(tensor), dtype=dtype, name=name)
    return apply_op("ZerosLike", [tensor], name=name)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
        return ones(shape(tensor), dtype=dtype, name=name)
    return apply_op("OnesLike", [tensor], name=name)


# -- reshape -------------------------------------------------------------------------------------------
@register_op("Reshape")
class Reshape(OpDef):
    """The same elements in a new shape; one dimension may be -1 (inferred)."""
    inputs = ("tensor:T", "shape:int32|int64")
    label = "reshape"
    aliases = "input"

    def infer(self, tensor, shape):
        if shape.shape.ndims not in (None, 1):
            raise ValueError("Shape must be rank 1 but is rank %d" % shape.shape.ndims)
        target = shape_from_tensor(shape)
        value = constant_value(shape)
        if value is None or target.ndims is None:
            return tensor.dtype, target
        dims = [int(d) for d in np.asarray(value).reshape(-1)]
        if sum(d == -1 for d in dims) > 1:
            raise ValueError("Only one input size may be -1, not both %s" % dims)
        if any(d < -1 for d in dims):
            raise ValueError("Size values must be >= -1, got %s" % dims)
        n_in = tensor.shape.num_elements()
        known = int(np.prod([d for d in dims if d != -1]))
        if -1 in dims:
            if n_in is not None:
                if known == 0 or n_in % known:
                    raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d "
                                     "elements)" % (n_in, dims, known))
                dims = [n_in // known if d == -1 else d for d in dims]
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n_in is not None and n_in != known:
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                             % (n_in, dims, known))
        return tensor.dtype, dims

    def compute(self, tensor, shape):
        return np.reshape(tensor, shape)

    def gradient(self, op, grad):
        return [reshape(grad, _shape_of(op.inputs[0])), None]


def reshape(tensor, shape, name=None):
    if not is_tensor_like(shape):
        shape = _shape_tensor(shape, "shape") if isinstance(shape, (list, tuple, TensorShape)) and \
            any(is_tensor_like(s) for s in shape) else shape
    return apply_op("Reshape", [tensor, shape], name=name)


def _shape_of(x):
    """``x``'s shape as a tensor: a constant when static, else a Shape op."""
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=np.int32), name="Shape")
    return shape(x)


# -- stack / unstack ------------------------------------------------------------------------------------
@register_op("Pack")
class Pack(OpDef):
    """Stacks N tensors of one shape into a tensor of rank + 1 along ``axis``."""
    inputs = ("*values:T",)
    attrs = {"axis": 0}
    label = "stack"

    def infer(self, values, axis):
        if not values:
            raise ValueError("stack needs at least one tensor")
        merged = values[0].shape
        for v in values[1:]:
            if not merged.is_compatible_with(v.shape):
                raise ValueError("Shapes %s and %s are incompatible: all tensors passed to stack "
                                 "must have the same shape" % (merged, v.shape))
            merged = merged.merge_with(v.shape)
        dims = merged.as_tuple()
        if dims is None:
            return values[0].dtype, unknown_shape()
        if not -len(dims) - 1 <= axis <= len(dims):
            raise ValueError("axis = %d not in [%d, %d]" % (axis, -len(dims) - 1, len(dims)))
        axis = axis % (len(dims) + 1)
        return values[0].dtype, list(dims[:axis]) + [len(values)] + list(dims[axis:])

    def compute(self, values, axis):
        return np.stack(values, axis=axis)

    def gradient(self, op, grad):
        return unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


def stack(values, axis=0, name="stack"):
    return apply_op("Pack", [list(values)], {"axis": int(axis)}, name=name)


@register_op("Unpack")
class Unpack(OpDef):
    """Splits a tensor into ``num`` tensors along ``axis`` (removing that axis)."""
    inputs = ("value:T",)
    attrs = {"num": None, "axis": 0}
    num_outputs = None
    label = "unstack"
    aliases = "input"

    def infer(self, value, num, axis):
        dims = value.shape.as_tuple()
        if dims is None:
            return [(value.dtype, unknown_shape())] * num
        if not -len(dims) <= axis < len(dims):
            raise ValueError("axis = %d not in [%d, %d)" % (axis, -len(dims), len(dims)))
        axis %= len(dims)
        if dims[axis] is not None and dims[axis] != num:
            raise ValueError("Dimension %d has size %d, but num=%d" % (axis, dims[axis], num))
        out = list(dims[:axis]) + list(dims[axis + 1:])
        return [(value.dtype, out)] * num

    def compute(self, value, num, axis):
        return tuple(np.moveaxis(value, axis, 0)) if axis else tuple(value)

    def gradient(self, op, *grads):
        return [stack(list(grads), axis=op.get_attr("axis"))]


def unstack(value, num=None, axis=0, name="unstack"):
    value = convert_to_tensor(value)
    if num is None:
        dims = value.shape.as_tuple()
        if dims is None or dims[axis] is None:
            raise ValueError("Cannot infer num from shape %s" % value.shape)
        num = dims[axis]
    outputs = apply_op("Unpack", [value], {"num": int(num), "axis": int(axis)}, name=name)
    return outputs if isinstance(outputs, list) else []


def _autopack(values, dtype, name):
    """Convert a (nested) list holding tensors into one tensor with Pack ops, as TF1 does."""
    with name_scope(name if name != "Const" else None, "packed"):
        items = []
        for v in values:
            if isinstance(v, (list, tuple)):
                items.append(_autopack(v, dtype, "packed"))
            elif is_tensor_like(v):
                items.append(convert_to_tensor(v))
            else:
                items.append(v)
        hint = dtype or next((t.dtype for t in items if isinstance(t, Tensor)), None)
        items = [t if isinstance(t, Tensor) else constant(t, dtype=hint) for t in items]
        return stack(items, name="packed" if name == "Const" else "stack")


# -- broadcasting ------------------------------------------------------------------------------------------
@register_op("BroadcastTo")
class BroadcastTo(OpDef):
    """Broadcasts ``input`` to ``shape`` (numpy rules)."""
    inputs = ("input:T", "shape:int32|int64")
    label = "broadcast"
    aliases = "input"

    def infer(self, input, shape):
        target = shape_from_tensor(shape)
        if target.ndims is None or input.shape.ndims is None:
            return input.dtype, target
        out = broadcast_shape(input.shape, target)
        if out.ndims != target.ndims:
            raise ValueError("Cannot broadcast shape %s to %s" % (input.shape, target))
        return input.dtype, out.merge_with(target) if out.is_compatible_with(target) else target

    def compute(self, input, shape):
        return np.broadcast_to(input, tuple(shape.tolist()))

    def gradient(self, op, grad):
        from tfone.ops.math_ops import unbroadcast
        return [unbroadcast(grad, op.inputs[0], op.outputs[0]), None]


def broadcast_to(input, shape, name=None):
    if not is_tensor_like(shape):
        shape = _shape_tensor(shape, "shape")
    return apply_op("BroadcastTo", [input, shape], name=name)


@register_op("BroadcastGradientArgs")
class BroadcastGradientArgs(OpDef):
    """Axes to sum a broadcast gradient over, for each of two input shapes (used by gradients)."""
    inputs = ("s0:T", "s1:T")
    num_outputs = 2
    label = "bcast_axes"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, s0, s1):
        return [(s0.dtype, [None]), (s0.dtype, [None])]

    def compute(self, s0, s1):
        n = max(len(s0), len(s1))
        a = [1] * (n - len(s0)) + list(s0)
        b = [1] * (n - len(s1)) + list(s1)
        ra = [i for i in range(n) if i < n - len(s0) or (a[i] == 1 and b[i] != 1)]
        rb = [i for i in range(n) if i < n - len(s1) or (b[i] == 1 and a[i] != 1)]
        return np.array(ra, dtype=s0.dtype), np.array(rb, dtype=s0.dtype)


def broadcast_gradient_args(s0, s1, name=None):
    return apply_op("BroadcastGradientArgs", [s0, s1], name=name)


# -- strided slicing (x[...]) ----------------------------------------------------------------------------
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _slice_spec(begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                shrink_axis_mask):
    """The numpy index tuple equivalent to a StridedSlice's begin/end/strides and masks."""
    index = []
    for i in range(len(begin)):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
        elif new_axis_mask & bit:
            index.append(None)
        elif shrink_axis_mask & bit:
            index.append(int(begin[i]))
        else:
            stride = int(strides[i])
            if stride == 0:
                raise ValueError("strides[%d] must be non-zero" % i)
            index.append(slice(None if begin_mask & bit else int(begin[i]),
                               None if end_mask & bit else int(end[i]), stride))
    return tuple(index)


def _sliced_shape(in_dims, spec):
    """Static result dims of ``x[spec]`` given x's dims (None = unknown)."""
    n_real = sum(1 for s in spec if s is not None and s is not Ellipsis)
    if spec.count(Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    if Ellipsis not in spec:
        spec = spec + (Ellipsis,)
    out, d = [], 0
    for item in spec:
        if item is Ellipsis:
            for _ in range(len(in_dims) - n_real):
                out.append(in_dims[d])
                d += 1
        elif item is None:
            out.append(1)
        elif isinstance(item, int):
            if d >= len(in_dims):
                raise ValueError("Index out of range using input dim %d; input has only %d dims"
                                 % (d, len(in_dims)))
            dim = in_dims[d]
            if dim is not None and not -dim <= item < dim:
                raise ValueError("slice index %d of dimension %d out of bounds (size %d)" % (item, d, dim))
            d += 1
        else:
            if d >= len(in_dims):
                raise ValueError("Index out of range using input dim %d; input has only %d dims"
                                 % (d, len(in_dims)))
            dim = in_dims[d]
            out.append(None if dim is None else len(range(*item.indices(dim))))
            d += 1
    return out


@register_op("StridedSlice")
class StridedSlice(OpDef):
    """``input[begin:end:strides]`` per dimension, with TF1's masks (behind ``x[...]``)."""
    inputs = ("input:T", "begin:Index", "end:Index", "strides:Index")
    attrs = {m: 0 for m in _MASKS}
    label = "slice"
    aliases = "input"

    def infer(self, input, begin, end, strides, **masks):
        values = [constant_value(t) for t in (begin, end, strides)]
        dims = input.shape.as_tuple()
        if any(v is None for v in values) or dims is None:
            return input.dtype, unknown_shape()
        spec = _slice_spec(*[np.asarray(v).reshape(-1) for v in values], **masks)
        return input.dtype, _sliced_shape(dims, spec)

    def compute(self, input, begin, end, strides, **masks):
        return np.asarray(input)[_slice_spec(begin, end, strides, **masks)]

    def gradient(self, op, grad):
        x, begin, end, strides = op.inputs
        masks = {m: op.get_attr(m) for m in _MASKS}
        return [apply_op("StridedSliceGrad", [_shape_of(x), begin, end, strides, grad], masks),
                None, None, None]


@register_op("StridedSliceGrad")
class StridedSliceGrad(OpDef):
    """Scatters ``dy`` into zeros of ``shape`` at a StridedSlice's positions (its gradient)."""
    inputs = ("shape:Index", "begin:Index", "end:Index", "strides:Index", "dy:T")
    attrs = {m: 0 for m in _MASKS}
    label = "slice_grad"

    def infer(self, shape, begin, end, strides, dy, **masks):
        return dy.dtype, shape_from_tensor(shape)

    def compute(self, shape, begin, end, strides, dy, **masks):
        out = np.zeros(tuple(shape.tolist()), dtype=np.asarray(dy).dtype)
        out[_slice_spec(begin, end, strides, **masks)] = dy
        return out

    def gradient(self, op, grad):
        _, begin, end, strides, _ = op.inputs
        masks = {m: op.get_attr(m) for m in _MASKS}
        return [None, None, None, None, apply_op("StridedSlice", [grad, begin, end, strides], masks)]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    if strides is None:
        strides = ones_like(begin) if is_tensor_like(begin) else [1] * len(begin)
    return apply_op("StridedSlice", [input_, begin, end, strides], {
        "begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
        "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}, name=name)


def _slice_helper(tensor, slice_spec):
    """``tensor[slice_spec]``: ints, slices (with steps, tensor bounds), ``...`` and tf.newaxis."""
    if not isinstance(slice_spec, tuple):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, slice):
            for value, mask, out in ((s.start, "begin_mask", begin), (s.stop, "end_mask", end)):
                if value is None:
                    masks[mask] |= bit
                    out.append(0)
                else:
                    out.append(_index_value(value))
            strides.append(1 if s.step is None else _index_value(s.step))
        elif s is Ellipsis:
            masks["ellipsis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif s is None:
            masks["new_axis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        else:
            index = _index_value(s)
            masks["shrink_axis_mask"] |= bit
            begin.append(index)
            end.append(index + 1)
            strides.append(1)
    with name_scope(None, "strided_slice") as scope:
        packed = [_pack_index(v, n) for v, n in ((begin, "stack"), (end, "stack_1"), (strides, "stack_2"))]
        return apply_op("StridedSlice", [tensor] + packed, masks, name=scope)


def _index_value(value):
    if is_tensor_like(value):
        value = convert_to_tensor(value)
        if not value.dtype.is_integer:
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            "and scalar tf.int32/tf.int64 tensors are valid indices, got %r" % value)
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                        "scalar tf.int32/tf.int64 tensors are valid indices, got %r" % (value,))
    return int(value)


def _pack_index(values, name):
    if any(is_tensor_like(v) for v in values):
        return _autopack(values, dtypes.int32, name)
    return constant(np.array(values, dtype=np.int32), name=name)

