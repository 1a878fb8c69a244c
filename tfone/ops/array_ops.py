"""Array ops: placeholders, identity, shapes, fill, reshape, stack/unstack, slicing, broadcasting,
transpose, concat/split, gather/scatter, padding, tiling, reversing, one-hot and masks.

Each op type is declared once (shape inference, numpy kernel, gradient); the functions at the
bottom of each section are TF1's public API for it. Gradients are built from ordinary ops, so
they can be differentiated again.

One deliberate difference from TF1: gradients of gathers (``tf.gather``, ``tf.boolean_mask``,
embedding lookups) are dense tensors built with ``UnsortedSegmentSum``, not ``IndexedSlices``.
The numbers are the same; only memory use differs for very large ``params``.
"""
import builtins
import functools
import sys

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Tensor, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, NOT_DIFFERENTIABLE, REQUIRED,
                                         is_tensor_like)
from tfone.framework.tensor_shape import TensorShape, Dimension, unknown_shape, as_shape
from tfone.ops.constant_op import constant
from tfone.ops.shape_inference import broadcast_shape, shape_from_tensor

__all__ = ["placeholder", "placeholder_with_default", "identity", "stop_gradient", "shape",
           "shape_n", "size", "rank", "fill", "zeros", "ones", "zeros_like", "ones_like",
           "reshape", "stack", "unstack", "strided_slice", "slice", "broadcast_to", "newaxis",
           "transpose", "matrix_transpose", "invert_permutation", "expand_dims", "squeeze",
           "concat", "split", "gather", "gather_nd", "scatter_nd", "unsorted_segment_sum",
           "one_hot", "tile", "pad", "reverse", "reverse_v2", "reverse_sequence", "linspace",
           "lin_space", "meshgrid", "matrix_diag", "matrix_diag_part", "matrix_set_diag", "matrix_band_part", "diag",
           "diag_part", "eye",
           "boolean_mask", "sequence_mask"]

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
    passthrough = True
    label = "placeholder"
    aliases = "input"
    foldable = False  # it may be fed, so its value is not a graph-construction-time constant

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
    """``input``, unless a value is fed for this tensor; a fed value may have any shape compatible
    with ``shape``."""
    input = convert_to_tensor(input)
    return apply_op("PlaceholderWithDefault", [input], {"shape": as_shape(shape)}, name=name)


# -- identity -------------------------------------------------------------------------------------
@register_op("Identity")
class Identity(OpDef):
    """Returns its input unchanged (a named, drawable alias)."""
    inputs = ("input:T",)
    passthrough = True
    label = "identity"
    aliases = "input"

    def infer(self, input):
        return input.dtype, input.shape

    def compute(self, input):
        return input

    def gradient(self, op, grad):
        return [grad]


def identity(input, name=None):
    """A new tensor with the same value as ``input`` (Identity)."""
    return apply_op("Identity", [input], name=name)


@register_op("StopGradient")
class StopGradient(OpDef):
    """Identity in the forward pass; gradients do not flow through it."""
    inputs = ("input:T",)
    passthrough = True
    label = "stop_grad"
    aliases = "input"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input):
        return input.dtype, input.shape

    def compute(self, input):
        return input


def stop_gradient(input, name=None):
    """The same value as ``input``, but tf.gradients treats it as a constant (no gradient flows
    through)."""
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

    def make_kernel(self, op, ctx):
        np_type = op.get_attr("out_type")._np
        cache = {}  # shape tuple -> read-only array: shapes repeat from run to run

        def shape_of(x):
            dims = x.shape
            value = cache.get(dims)
            if value is None:
                value = cache[dims] = np.array(dims, dtype=np_type)
                value.flags.writeable = False
            return value
        return shape_of

    def static_value(self, op):
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=op.get_attr("out_type")._np)
        return None


def shape(input, name=None, out_type=dtypes.int32):
    """The shape of ``input`` when the graph runs, as a 1-D int tensor (``x.shape`` is the static
    shape)."""
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
    """The number of elements of ``input``, as a scalar int tensor."""
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
    """The rank (number of dimensions) of ``input``, as a scalar int32 tensor."""
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
    """A tensor of shape ``dims`` with every element equal to the scalar ``value``."""
    return apply_op("Fill", [dims, value], name=name)


def _constant_if_small(value, shape, dtype, name):
    if is_tensor_like(shape) or (isinstance(shape, (list, tuple)) and any(
            is_tensor_like(d) for d in shape)):
        return None
    dims = TensorShape(shape).as_list()
    if dims is not None and None not in dims and int(np.prod(dims)) < 1000:
        return constant(value, dtype=dtype, shape=dims, name=name)
    return None


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros: a Const when the shape is small and known, else a Fill op."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "zeros") as scope:
        if not is_tensor_like(shape):
            small = _constant_if_small(_fill_value(0, dtype), shape, dtype, scope)
            if small is not None:
                return small
        shape_t = _shape_tensor(shape, "shape")
        return fill(shape_t, constant(_fill_value(0, dtype), dtype=dtype), name=scope)


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones: a Const when the shape is small and known, else a Fill op."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "ones") as scope:
        if not is_tensor_like(shape):
            small = _constant_if_small(_fill_value(1, dtype), shape, dtype, scope)
            if small is not None:
                return small
        shape_t = _shape_tensor(shape, "shape")
        return fill(shape_t, constant(_fill_value(1, dtype), dtype=dtype), name=scope)


def _fill_value(number, dtype):
    """0/1 in the form ``dtype`` takes: False/True for bool, ''/'1'... as TF1 does."""
    if dtype.is_bool:
        return bool(number)
    if dtype == dtypes.string:
        return "" if number == 0 else "1"
    return number


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

    def static_value(self, op):
        x = op.inputs[0]
        if x.shape.is_fully_defined() and x.dtype.name != "string":
            return np.zeros(x.shape.as_list(), dtype=x.dtype._np)
        return None

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

    def static_value(self, op):
        x = op.inputs[0]
        if x.shape.is_fully_defined() and x.dtype.name != "string":
            return np.ones(x.shape.as_list(), dtype=x.dtype._np)
        return None

    def infer(self, x):
        return x.dtype, x.shape

    def compute(self, x):
        return np.ones_like(x)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    # TF1 names the result after its name scope: "zeros_like:0", "zeros_like_1:0"...
    """Zeros with the shape of ``tensor`` (and its dtype unless ``dtype`` is given)."""
    with name_scope(name, "zeros_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor)
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
            return zeros(shape(tensor), dtype=dtype, name=scope)
        return apply_op("ZerosLike", [tensor], name=scope)


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with the shape of ``tensor`` (and its dtype unless ``dtype`` is given)."""
    with name_scope(name, "ones_like", [tensor]) as scope:     # "ones_like:0", as in TF1
        tensor = convert_to_tensor(tensor)
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
            return ones(shape(tensor), dtype=dtype, name=scope)
        return apply_op("OnesLike", [tensor], name=scope)


# -- reshape -------------------------------------------------------------------------------------------
@register_op("Reshape")
class Reshape(OpDef):
    """The same elements in a new shape; one dimension may be -1 (inferred)."""
    inputs = ("tensor:T", "shape:int32|int64")
    label = "reshape"
    aliases = "input"

    def is_identity(self, op):
        before, after = op.inputs[0].shape, op.outputs[0].shape
        return before.is_fully_defined() and before == after

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

    def make_kernel(self, op, ctx):
        return _reshape

    def gradient(self, op, grad):
        return [reshape(grad, _shape_of(op.inputs[0])), None]


def _reshape(tensor, shape):
    return np.asarray(tensor).reshape(shape)


def reshape(tensor, shape, name=None):
    """``tensor`` with the same elements in a new ``shape``; one dimension may be -1 (inferred)."""
    if not is_tensor_like(shape):
        shape = _shape_tensor(shape, "shape") if isinstance(shape, (list, tuple, TensorShape)) and \
            any(is_tensor_like(s) for s in shape) else shape
    return apply_op("Reshape", [tensor, shape], name=name)


def _shape_of(x, out_type=dtypes.int32):
    """``x``'s shape as a tensor: a constant when static, else a Shape op."""
    out_type = dtypes.as_dtype(out_type)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=out_type._np), name="Shape")
    return shape(x, out_type=out_type)


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
    """Stacks a list of tensors of one shape into a tensor with a new dimension ``axis``."""
    if axis == 0:  # as TF1: a tensor passes through, a list of Python values is a Const
        if is_tensor_like(values):
            return convert_to_tensor(values)
        if isinstance(values, (list, tuple)) and not any(
                is_tensor_like(v) or isinstance(v, (list, tuple)) for v in values) and values:
            try:
                return constant(values, name=name)
            except (TypeError, ValueError):
                pass
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
    """The list of tensors obtained by slicing ``value`` along ``axis`` (``num`` defaults to that
    dimension's static size)."""
    value = convert_to_tensor(value)
    dims = value.shape.as_tuple()
    if dims is not None and not -len(dims) <= axis < len(dims):
        raise ValueError("axis = %d not in [%d, %d)" % (axis, -len(dims), len(dims)))
    if num is None:
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

    def is_identity(self, op):
        before, after = op.inputs[0].shape, op.outputs[0].shape
        return before.is_fully_defined() and before == after

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
    """``input`` broadcast to ``shape`` (numpy's broadcasting rules)."""
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

    def make_kernel(self, op, ctx):
        cache = {}  # the same pair of shapes comes back every training step
        compute = self.compute

        def axes(s0, s1):
            key = (s0.tobytes(), s1.tobytes())
            result = cache.get(key)
            if result is None:
                result = cache[key] = compute(s0, s1)
                for r in result:
                    r.flags.writeable = False
            return result
        return axes


def broadcast_gradient_args(s0, s1, name=None):
    return apply_op("BroadcastGradientArgs", [s0, s1], name=name)


# -- static values of index-like inputs -----------------------------------------------------------------
def _known_ints(tensor):
    """The entries of a 1-D int ``tensor`` known at graph-construction time (None = unknown),
    or None when even its length is unknown. Constants and ``tf.stack`` of scalars are read."""
    value = constant_value(tensor)
    if value is not None:
        return [int(v) for v in np.asarray(value).reshape(-1)]
    op = tensor.op
    if op.type == "Pack" and op.get_attr("axis") == 0 and all(
            t.shape.ndims == 0 for t in op.inputs):
        out = []
        for t in op.inputs:
            v = constant_value(t)
            out.append(None if v is None else int(v))
        return out
    dims = tensor.shape.as_tuple()
    if dims is not None and len(dims) == 1 and dims[0] is not None:
        return [None] * dims[0]
    return None


def _constant_ints(tensor):
    """A 1-D int tensor's value as a list of ints, or None if not known statically."""
    value = constant_value(tensor)
    return None if value is None else [int(v) for v in np.asarray(value).reshape(-1)]


# -- strided slicing (x[...]) ----------------------------------------------------------------------------
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _slice_spec(begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                shrink_axis_mask):
    """The numpy index tuple equivalent to a StridedSlice's begin/end/strides and masks."""
    index = []
    for i in builtins.range(len(begin)):
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
            index.append(builtins.slice(None if begin_mask & bit else int(begin[i]),
                                        None if end_mask & bit else int(end[i]), stride))
    return tuple(index)


def _strided_shape(in_dims, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                   new_axis_mask, shrink_axis_mask):
    """Static result dims of a StridedSlice; begin/end/strides entries may be None (unknown)."""
    n = len(begin)
    items = []
    for i in builtins.range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            items.append(("...",))
        elif new_axis_mask & bit:
            items.append(("new",))
        elif shrink_axis_mask & bit:
            items.append(("int", begin[i]))
        else:
            if strides[i] == 0:
                raise ValueError("strides[%d] must be non-zero" % i)
            items.append(("slice", None if begin_mask & bit else begin[i],
                          None if end_mask & bit else end[i], strides[i],
                          bool(begin_mask & bit), bool(end_mask & bit)))
    if sum(1 for it in items if it[0] == "...") > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    if not any(it[0] == "..." for it in items):
        items.append(("...",))
    n_real = sum(1 for it in items if it[0] in ("int", "slice"))
    if n_real > len(in_dims):
        raise ValueError("Index out of range: %d dimensions indexed, but the input has only %d "
                         "dimensions" % (n_real, len(in_dims)))
    out, d = [], 0
    for it in items:
        kind = it[0]
        if kind == "...":
            for _ in builtins.range(len(in_dims) - n_real):
                out.append(in_dims[d])
                d += 1
        elif kind == "new":
            out.append(1)
        elif kind == "int":
            dim, index = in_dims[d], it[1]
            if dim is not None and index is not None and not -dim <= index < dim:
                raise ValueError("Index %d out of range for dimension %d of size %d (valid "
                                 "indices: %d to %d)" % (index, d, dim, -dim, dim - 1))
            d += 1
        else:
            _, b, e, s, b_masked, e_masked = it
            dim = in_dims[d]
            if dim is None or s is None or (b is None and not b_masked) or (e is None and not e_masked):
                if dim is not None and b_masked and e_masked and s is not None:
                    out.append(len(builtins.range(*builtins.slice(None, None, s).indices(dim))))
                else:
                    out.append(None)
            else:
                out.append(len(builtins.range(*builtins.slice(b, e, s).indices(dim))))
            d += 1
    return out


def _strided_infer(input, begin, end, strides, masks):
    values = [_known_ints(t) for t in (begin, end, strides)]
    dims = input.shape.as_tuple()
    if any(v is None for v in values) or dims is None:
        return unknown_shape()
    if not len(values[0]) == len(values[1]) == len(values[2]):
        raise ValueError("begin, end and strides must have the same length, got %d, %d and %d"
                         % tuple(len(v) for v in values))
    return _strided_shape(dims, *values, **masks)


@register_op("StridedSlice")
class StridedSlice(OpDef):
    """``input[begin:end:strides]`` per dimension, with TF1's masks (behind ``x[...]``)."""
    inputs = ("input:T", "begin:Index", "end:Index", "strides:Index")
    attrs = {m: 0 for m in _MASKS}
    label = "slice"
    aliases = "input"

    def infer(self, input, begin, end, strides, **masks):
        for t in (begin, end, strides):
            if t.shape.ndims not in (None, 1):
                raise ValueError("begin, end and strides must be 1-D, got shape %s" % t.shape)
        return input.dtype, _strided_infer(input, begin, end, strides, masks)

    def make_kernel(self, op, ctx):
        masks = {m: op.get_attr(m) for m in _MASKS}
        values = [constant_value(t) for t in op.inputs[1:]]
        if all(v is not None for v in values):  # the usual case: a fixed x[...] spec
            spec = _slice_spec(*values, **masks)
            return lambda input, b, e, s: _strided_get(input, spec)
        return lambda input, b, e, s: _strided_get(input, _slice_spec(b, e, s, **masks))

    def compute(self, input, begin, end, strides, **masks):
        return _strided_get(input, _slice_spec(begin, end, strides, **masks))

    def gradient(self, op, grad):
        x, begin, end, strides = op.inputs
        masks = {m: op.get_attr(m) for m in _MASKS}
        return [apply_op("StridedSliceGrad", [_shape_of(x, begin.dtype), begin, end, strides,
                                              grad], masks), None, None, None]


def _strided_get(input, spec):
    input = np.asarray(input)
    try:
        return input[spec]
    except IndexError as e:
        raise ValueError("slice index out of bounds: %s (input shape %s)" % (e, input.shape)) from None


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
    """``input_[begin:end:strides]`` for every dimension at once, with TF1's bit masks."""
    if strides is None:
        strides = ones_like(begin) if is_tensor_like(begin) else [1] * len(begin)
    return apply_op("StridedSlice", [input_, begin, end, strides], {
        "begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
        "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}, name=name)


_INDEX_HELP = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
               "tf.int32/tf.int64 tensors are valid indices, got %r")


def _slice_helper(tensor, slice_spec, var=None):
    """``tensor[slice_spec]``: ints, slices (with steps, tensor bounds), ``...``, tf.newaxis,
    and a boolean mask (``tf.boolean_mask``), as in TF1."""
    if isinstance(slice_spec, (bool, np.bool_)) or (
            isinstance(slice_spec, np.ndarray) and slice_spec.dtype == np.bool_) or (
            is_tensor_like(slice_spec) and convert_to_tensor(slice_spec).dtype == dtypes.bool):
        return boolean_mask(tensor=tensor, mask=slice_spec)
    if not isinstance(slice_spec, (list, tuple)):  # TF1 treats a list like a tuple
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, builtins.slice):
            for value, mask, out in ((s.start, "begin_mask", begin), (s.stop, "end_mask", end)):
                if value is None or (isinstance(value, int) and not isinstance(value, bool)
                                     and value == sys.maxsize):  # TF1: maxsize = "to the end"
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
    dtype = next((v.dtype for v in begin + end + strides if isinstance(v, Tensor)), dtypes.int32)
    with name_scope(None, "strided_slice") as scope:
        packed = [_pack_index(v, n, dtype) for v, n in
                  ((begin, "stack"), (end, "stack_1"), (strides, "stack_2"))]
        return apply_op("StridedSlice", [tensor] + packed, masks, name=scope)


def _index_value(value):
    if is_tensor_like(value):
        value = convert_to_tensor(value)
        if value.dtype not in (dtypes.int32, dtypes.int64) or value.shape.ndims not in (None, 0):
            raise TypeError(_INDEX_HELP % (value,))
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(_INDEX_HELP % (value,))
    return int(value)


def _pack_index(values, name, dtype):
    if any(is_tensor_like(v) for v in values):
        items = [v if not is_tensor_like(v) or v.dtype == dtype else _cast(v, dtype) for v in values]
        return _autopack(items, dtype, name)
    return constant(np.array(values, dtype=dtype._np), name=name)


def _cast(x, dtype):
    from tfone.ops import math_ops
    return math_ops.cast(x, dtype)


# -- Slice ----------------------------------------------------------------------------------------------
@register_op("Slice")
class Slice(OpDef):
    """``size[i]`` elements from ``begin[i]`` in each dimension (size -1 = to the end)."""
    inputs = ("input:T", "begin:Index", "size:Index")
    label = "slice"
    aliases = "input"

    def infer(self, input, begin, size):
        for t, n in ((begin, "begin"), (size, "size")):
            if t.shape.ndims not in (None, 1):
                raise ValueError("%s must be a vector, got shape %s" % (n, t.shape))
        b, s = _known_ints(begin), _known_ints(size)
        dims = input.shape.as_tuple()
        rank = next((len(v) for v in (b, s) if v is not None), None)
        if dims is not None:
            if rank is not None and rank != len(dims):
                raise ValueError("begin and size must have one entry per input dimension (%d), "
                                 "got %d" % (len(dims), rank))
            rank = len(dims)
        if rank is None:
            return input.dtype, unknown_shape()
        b = b or [None] * rank
        s = s or [None] * rank
        dims = dims or (None,) * rank
        out = []
        for i, (d, bi, si) in enumerate(zip(dims, b, s)):
            if bi is not None and (bi < 0 or (d is not None and bi > d)):
                raise ValueError("Expected begin[%d] in [0, %s], but got %d" % (i, d, bi))
            if si is not None and si < -1:
                raise ValueError("Expected size[%d] >= -1, but got %d" % (i, si))
            if si is not None and si != -1:
                if d is not None and bi is not None and bi + si > d:
                    raise ValueError("Expected size[%d] in [0, %d], but got %d"
                                     % (i, d - bi, si))
                out.append(si)
            elif si == -1 and d is not None and bi is not None:
                out.append(d - bi)
            else:
                out.append(None)
        return input.dtype, out

    def make_kernel(self, op, ctx):
        x, begin, size = op.inputs
        dims, b, n = x.shape.as_tuple(), constant_value(begin), constant_value(size)
        if dims is None or None in dims or b is None or n is None:
            return self.compute
        # Static shape and bounds (inference has validated them): index once, at bind time.
        index = tuple(builtins.slice(int(bi), int(d) if int(si) == -1 else int(bi) + int(si))
                      for d, bi, si in zip(dims, np.reshape(b, -1), np.reshape(n, -1)))
        return lambda value, _b, _n: np.asarray(value)[index]

    def compute(self, input, begin, size):
        input = np.asarray(input)
        if len(begin) != input.ndim or len(size) != input.ndim:
            raise ValueError("Expected begin and size arguments to be 1-D tensors of size %d, but "
                             "got shapes %s and %s instead." % (input.ndim, np.shape(begin), np.shape(size)))
        index = []
        for i, (d, b, s) in enumerate(zip(input.shape, begin.tolist(), size.tolist())):
            end = d if s == -1 else b + s
            if not (0 <= b <= d and (s == -1 or 0 <= s) and end <= d):
                raise ValueError("Expected size[%d] in [0, %d], but got %d (begin[%d] = %d, input "
                                 "shape %s)" % (i, d - b, s, i, b, list(input.shape)))
            index.append(builtins.slice(b, end))
        return input[tuple(index)]

    def gradient(self, op, grad):
        x, begin, _ = op.inputs
        out_shape = op.outputs[0].shape
        b = _constant_ints(begin)
        if b is not None and x.shape.is_fully_defined() and out_shape.is_fully_defined():
            after = np.array(x.shape.as_list()) - np.array(out_shape.as_list()) - np.array(b)
            paddings = constant(np.stack([b, after], axis=1).astype(begin.dtype._np), name="paddings")
        else:
            from tfone.ops import math_ops
            after = math_ops.subtract(math_ops.subtract(shape(x, out_type=begin.dtype),
                                                        shape(op.outputs[0], out_type=begin.dtype)), begin)
            paddings = stack([begin, after], axis=1)
        return [pad(grad, paddings), None, None]


def slice(input_, begin, size, name=None):  # noqa: A001 - TF1's name
    """``input_[begin[0]:begin[0]+size[0], ...]``; a size of -1 takes the rest of that dimension."""
    input_ = convert_to_tensor(input_)
    begin, size = [_shape_tensor_of_dtype(v, _index_dtype(begin, size)) for v in (begin, size)]
    return apply_op("Slice", [input_, begin, size], name=name)


def _index_dtype(*values):
    for v in values:
        if is_tensor_like(v):
            return convert_to_tensor(v).dtype
        if isinstance(v, (list, tuple)):
            for item in v:
                if is_tensor_like(item):
                    return convert_to_tensor(item).dtype
    return dtypes.int32


def _shape_tensor_of_dtype(value, dtype):
    if is_tensor_like(value):
        return convert_to_tensor(value)
    if isinstance(value, (list, tuple)) and any(is_tensor_like(v) for v in value):
        return _autopack(list(value), dtype, "stack")
    if isinstance(value, TensorShape):
        value = value.as_list()
    return value


def _math():
    """math_ops imports this module, so gradients and composites import it lazily."""
    from tfone.ops import math_ops
    return math_ops


def _axis_value(axis_tensor, ndims, op_desc, extra=0):
    """A constant axis normalised to [0, ndims + extra), or None if not known statically."""
    value = constant_value(axis_tensor)
    if value is None:
        return None
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError("%s expects a scalar axis, got %s" % (op_desc, value.tolist()))
    axis = int(value.reshape(-1)[0])
    if ndims is None:
        return axis
    n = ndims + extra
    if not -n <= axis < n:
        raise ValueError("%s: axis %d is out of range for a tensor of rank %d (expected %d <= "
                         "axis < %d)" % (op_desc, axis, ndims, -n, n))
    return axis % n


# -- shape_n --------------------------------------------------------------------------------------------
@register_op("ShapeN")
class ShapeN(OpDef):
    """The dynamic shapes of N tensors (one 1-D int tensor each)."""
    inputs = ("*input:T",)
    attrs = {"out_type": dtypes.int32}
    num_outputs = None
    label = "shape_n"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input, out_type):
        return [(out_type, [t.shape.ndims]) for t in input]

    def compute(self, input, out_type):
        return tuple(np.array(np.shape(x), dtype=out_type._np) for x in input)

    def static_value(self, op):
        if all(t.shape.is_fully_defined() for t in op.inputs):
            return tuple(np.array(t.shape.as_list(), dtype=op.get_attr("out_type")._np)
                         for t in op.inputs)
        return None


def shape_n(input, out_type=dtypes.int32, name=None):
    """The shapes of a list of tensors, computed by one ShapeN op."""
    return apply_op("ShapeN", [list(input)], {"out_type": dtypes.as_dtype(out_type)}, name=name)


# -- transpose ------------------------------------------------------------------------------------------
@register_op("Transpose")
class Transpose(OpDef):
    """Permutes dimensions: output dimension i is input dimension ``perm[i]``."""
    inputs = ("x:T", "perm:Tperm")
    label = "transpose"
    aliases = "input"
    conjugate = False

    def infer(self, x, perm):
        if perm.shape.ndims not in (None, 1):
            raise ValueError("perm must be a vector, got shape %s" % perm.shape)
        p = _constant_ints(perm)
        dims = x.shape.as_tuple()
        if p is None:
            if dims is not None:
                return x.dtype, unknown_shape(len(dims))
            length = perm.shape.as_tuple()
            return x.dtype, unknown_shape(length[0] if length else None)
        if dims is None:
            return x.dtype, unknown_shape(len(p))
        _check_permutation(p, len(dims))
        return x.dtype, [dims[i] for i in p]

    def compute(self, x, perm):
        x = np.asarray(x)
        _check_permutation(perm.tolist(), x.ndim)
        out = np.transpose(x, perm)
        return np.conj(out) if self.conjugate else out

    def gradient(self, op, grad):
        perm = op.inputs[1]
        p = _constant_ints(perm)
        if p is not None:
            inverse = constant(np.argsort(p).astype(perm.dtype._np), name="perm")
        else:
            inverse = invert_permutation(perm)
        return [apply_op(op.type, [grad, inverse]), None]


def _check_permutation(perm, ndims):
    if len(perm) != ndims:
        raise ValueError("transpose expects a vector of size %d. But input(1) is a vector of size "
                         "%d (perm %s for a tensor of rank %d)" % (ndims, len(perm), list(perm), ndims))
    if sorted(perm) != list(builtins.range(ndims)):
        raise ValueError("perm %s is not a permutation of 0..%d" % (list(perm), ndims - 1))


@register_op("ConjugateTranspose")
class ConjugateTranspose(Transpose):
    """Permutes dimensions and takes the complex conjugate (``tf.transpose(conjugate=True)``)."""
    label = "conj_transpose"
    aliases = None
    conjugate = True


def transpose(a, perm=None, name="transpose", conjugate=False):
    """Permutes the dimensions of ``a``; ``perm`` defaults to reversing them (a matrix transpose
    for 2-D tensors). With ``conjugate=True`` complex values are also conjugated."""
    with name_scope(name, "transpose", [a]) as name:
        a = convert_to_tensor(a, name="a")
        op_type = "ConjugateTranspose" if conjugate and a.dtype.is_complex else "Transpose"
        if perm is None:
            ndims = a.shape.ndims
            if ndims is not None:
                perm = np.arange(ndims - 1, -1, -1, dtype=np.int32)
            else:
                perm = _math().range(rank(a) - 1, -1, -1)
        return apply_op(op_type, [a, perm], name=name)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Transposes the last two dimensions of ``a`` (a batch of matrices)."""
    with name_scope(name, values=[a]):
        a = convert_to_tensor(a, name="a")
        ndims = a.shape.ndims
        if ndims is None:
            raise ValueError("matrix_transpose needs a tensor of known rank, got shape %s" % a.shape)
        if ndims < 2:
            raise ValueError("Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: %s"
                             % a.shape)
        perm = list(builtins.range(ndims - 2)) + [ndims - 1, ndims - 2]
        return transpose(a, perm=perm, conjugate=conjugate)


@register_op("InvertPermutation")
class InvertPermutation(OpDef):
    """The inverse of a permutation vector: ``y[x[i]] = i``."""
    inputs = ("x:int32|int64",)
    label = "invert_perm"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, x):
        if x.shape.ndims not in (None, 1):
            raise ValueError("invert_permutation expects a 1-D vector, got shape %s" % x.shape)
        return x.dtype, x.shape if x.shape.ndims is not None else [None]

    def compute(self, x):
        x = np.asarray(x)
        if sorted(x.tolist()) != list(builtins.range(x.size)):
            raise ValueError("%s is not a permutation of 0..%d" % (x.tolist(), x.size - 1))
        return np.argsort(x).astype(x.dtype)


def invert_permutation(x, name=None):
    """The inverse of the permutation ``x``: y[x[i]] = i."""
    return apply_op("InvertPermutation", [x], name=name)


# -- expand_dims / squeeze ------------------------------------------------------------------------------
@register_op("ExpandDims")
class ExpandDims(OpDef):
    """Inserts a dimension of size 1 at ``dim``."""
    inputs = ("input:T", "dim:Tdim")
    label = "expand_dims"
    aliases = "input"

    def infer(self, input, dim):
        if dim.shape.num_elements() not in (None, 1):
            raise ValueError("'dim' must be a tensor with a single value, got shape %s" % dim.shape)
        dims = input.shape.as_tuple()
        axis = _axis_value(dim, None if dims is None else len(dims), "expand_dims", extra=1)
        if dims is None:
            return input.dtype, unknown_shape()
        if axis is None:
            return input.dtype, unknown_shape(len(dims) + 1)
        return input.dtype, list(dims[:axis]) + [1] + list(dims[axis:])

    def compute(self, input, dim):
        input = np.asarray(input)
        axis = int(np.asarray(dim).reshape(-1)[0])
        if not -input.ndim - 1 <= axis <= input.ndim:
            raise ValueError("Tried to expand dim index %d for tensor with %d dimensions."
                             % (axis, input.ndim))
        return np.expand_dims(input, axis)

    def gradient(self, op, grad):
        return [reshape(grad, _shape_of(op.inputs[0])), None]


def expand_dims(input, axis=None, name=None, dim=None):
    """Inserts a dimension of size 1 at index ``axis`` (``dim`` is TF1's deprecated alias)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return apply_op("ExpandDims", [input, axis], name=name)


@register_op("Squeeze")
class Squeeze(OpDef):
    """Removes dimensions of size 1 (all of them, or those in ``squeeze_dims``)."""
    inputs = ("input:T",)
    attrs = {"squeeze_dims": ()}
    label = "squeeze"
    aliases = "input"

    def infer(self, input, squeeze_dims):
        dims = input.shape.as_tuple()
        if dims is None:
            return input.dtype, unknown_shape()
        n = len(dims)
        if not squeeze_dims:
            if None in dims:
                return input.dtype, unknown_shape()  # an unknown dim may or may not be 1
            return input.dtype, [d for d in dims if d != 1]
        axes = set()
        for a in squeeze_dims:
            if not -n <= a < n:
                raise ValueError("Tried to squeeze dim index %d for tensor with %d dimensions."
                                 % (a, n))
            a %= n
            if dims[a] is not None and dims[a] != 1:
                raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                                 % (a, dims[a]))
            axes.add(a)
        return input.dtype, [d for i, d in enumerate(dims) if i not in axes]

    def compute(self, input, squeeze_dims):
        input = np.asarray(input)
        if not squeeze_dims:
            return np.squeeze(input)
        axes = tuple(a % input.ndim for a in squeeze_dims)
        for a in axes:
            if input.shape[a] != 1:
                raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                                 % (a, input.shape[a]))
        return np.squeeze(input, axis=axes)

    def gradient(self, op, grad):
        return [reshape(grad, _shape_of(op.inputs[0]))]


def squeeze(input, axis=None, name=None, squeeze_dims=None):
    """Removes size-1 dimensions: all of them, or only those listed in ``axis``."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
    axis = squeeze_dims if axis is None else axis
    if axis is None:
        axis = []
    elif np.ndim(axis) == 0:
        axis = [axis]
    return apply_op("Squeeze", [input], {"squeeze_dims": tuple(int(a) for a in axis)}, name=name)


# -- concat / split ----------------------------------------------------------------------------------
@register_op("ConcatV2")
class ConcatV2(OpDef):
    """Joins tensors along an existing dimension ``axis``."""
    inputs = ("*values:T", "axis:Tidx")
    label = "concat"

    def infer(self, values, axis):
        if axis.shape.ndims not in (None, 0):
            raise ValueError("axis must be a scalar, got shape %s" % axis.shape)
        ranks = {v.shape.ndims for v in values} - {None}
        if len(ranks) > 1:
            raise ValueError("Shapes %s must all have the same rank to be concatenated"
                             % ", ".join(str(v.shape) for v in values))
        if not ranks:
            return values[0].dtype, unknown_shape()
        ndims = ranks.pop()
        if ndims == 0:
            raise ValueError("Can't concatenate scalars (use tf.stack instead)")
        a = _axis_value(axis, ndims, "concat")
        if a is None:
            return values[0].dtype, unknown_shape(ndims)
        out = [None] * ndims
        total = 0
        for v in values:
            dims = v.shape.as_tuple()
            if dims is None:
                total = None
                continue
            for i, d in enumerate(dims):
                if i == a:
                    total = None if total is None or d is None else total + d
                elif d is not None:
                    if out[i] is not None and out[i] != d:
                        raise ValueError("Dimension %d in both shapes must be equal, but are %d "
                                         "and %d. Shapes are %s (concat axis %d)" % (
                                             i, out[i], d, ", ".join(str(x.shape) for x in values), a))
                    out[i] = d
        out[a] = total
        return values[0].dtype, out

    def compute(self, values, axis):
        return np.concatenate(values, axis=int(axis))

    def make_kernel(self, op, ctx):
        axis = constant_value(op.inputs[-1])
        if axis is None:
            return self.compute
        axis = int(axis)
        concatenate = np.concatenate
        return lambda values, _axis: concatenate(values, axis=axis)

    def gradient(self, op, grad):
        values, axis = op.inputs[:-1], op.inputs[-1]
        if len(values) == 1:
            return [grad, None]
        a = _constant_ints(axis)
        if a is not None and all(v.shape.is_fully_defined() for v in values):
            a = a[0] % values[0].shape.ndims
            out, offset = [], 0
            for v in values:
                dims = v.shape.as_list()
                begin = [0] * len(dims)
                begin[a] = offset
                offset += dims[a]
                out.append(slice(grad, begin, dims))
            return out + [None]
        sizes = shape_n(values)
        offsets = apply_op("ConcatOffset", [axis if axis.dtype == dtypes.int32
                                            else _cast(axis, dtypes.int32), sizes])
        offsets = offsets if isinstance(offsets, list) else [offsets]
        return [slice(grad, b, s) for b, s in zip(offsets, sizes)] + [None]


@register_op("ConcatOffset")
class ConcatOffset(OpDef):
    """Where each input of a concat starts in its output (used by concat's gradient)."""
    inputs = ("concat_dim:int32", "*shape:int32")
    num_outputs = None
    label = "concat_offset"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, concat_dim, shape):
        return [(dtypes.int32, s.shape) for s in shape]

    def compute(self, concat_dim, shape):
        ndims = len(shape[0])
        axis = int(concat_dim)
        if not -ndims <= axis < ndims:
            raise ValueError("Concat dim is out of range: %d vs. %d" % (axis, ndims))
        axis %= ndims
        out, offset = [], 0
        for s in shape:
            o = np.zeros(ndims, dtype=np.int32)
            o[axis] = offset
            offset += int(s[axis])
            out.append(o)
        return tuple(out)


def concat(values, axis, name="concat"):
    """Joins a list of tensors along dimension ``axis`` (negative counts from the end)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with name_scope(name):
            axis_t = convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32) \
                if not is_tensor_like(axis) else convert_to_tensor(axis)
            if axis_t.shape.ndims not in (None, 0):
                raise ValueError("axis must be a scalar, got shape %s" % axis_t.shape)
            return identity(values[0], name=name)  # TF1.15 names it "concat/concat"
    return apply_op("ConcatV2", [list(values), axis], name=name)


@register_op("Split")
class Split(OpDef):
    """Splits ``value`` into ``num_split`` equal parts along ``split_dim``."""
    inputs = ("split_dim:int32", "value:T")
    attrs = {"num_split": REQUIRED}
    num_outputs = None
    label = "split"
    aliases = "input"

    def infer(self, split_dim, value, num_split):
        if num_split < 1:
            raise ValueError("num_split must be >= 1, got %d" % num_split)
        dims = value.shape.as_tuple()
        if dims is None:
            return [(value.dtype, unknown_shape())] * num_split
        a = _axis_value(split_dim, len(dims), "split")
        if a is None:
            return [(value.dtype, unknown_shape(len(dims)))] * num_split
        out = list(dims)
        if dims[a] is not None:
            if dims[a] % num_split:
                raise ValueError("Dimension %d (size %d) must be evenly divisible by %d; use a "
                                 "list of sizes to split unevenly" % (a, dims[a], num_split))
            out[a] = dims[a] // num_split
        return [(value.dtype, out)] * num_split

    def make_kernel(self, op, ctx):
        split_dim, value = op.inputs
        num_split = op.get_attr("num_split")
        dims = value.shape.as_tuple()
        axis = constant_value(split_dim)
        if axis is None or dims is None or dims[int(axis) % len(dims)] is None:
            return functools.partial(self.compute, num_split=num_split)
        axis = int(axis) % len(dims)
        width = dims[axis] // num_split
        lead = (builtins.slice(None),) * axis
        indices = [lead + (builtins.slice(i * width, (i + 1) * width),) for i in range(num_split)]
        return lambda _axis, x: tuple([x[index] for index in indices])

    def compute(self, split_dim, value, num_split):
        value = np.asarray(value)
        axis = int(split_dim)
        if value.shape[axis] % num_split:
            raise ValueError("Number of ways to split should evenly divide the split dimension, "
                             "but got split_dim %d (size = %d) and num_split %d"
                             % (axis, value.shape[axis], num_split))
        return tuple(np.split(value, num_split, axis=axis))

    def gradient(self, op, *grads):
        return [None, concat(list(grads), op.inputs[0])]


@register_op("SplitV")
class SplitV(OpDef):
    """Splits ``value`` along ``split_dim`` into parts of the given sizes (one may be -1)."""
    inputs = ("value:T", "size_splits:Tlen", "split_dim:int32")
    attrs = {"num_split": REQUIRED}
    num_outputs = None
    label = "split"
    aliases = "input"

    def infer(self, value, size_splits, split_dim, num_split):
        sizes = _constant_ints(size_splits)
        if sizes is not None and len(sizes) != num_split:
            raise ValueError("size_splits has %d entries but num_split is %d" % (len(sizes), num_split))
        dims = value.shape.as_tuple()
        if dims is None:
            return [(value.dtype, unknown_shape())] * num_split
        a = _axis_value(split_dim, len(dims), "split")
        if a is None:
            return [(value.dtype, unknown_shape(len(dims)))] * num_split
        if sizes is None:
            return [(value.dtype, dims[:a] + (None,) + dims[a + 1:])] * num_split
        sizes = _resolve_sizes(sizes, dims[a])
        return [(value.dtype, dims[:a] + (s,) + dims[a + 1:]) for s in sizes]

    def compute(self, value, size_splits, split_dim, num_split):
        value = np.asarray(value)
        axis = int(split_dim)
        sizes = _resolve_sizes(size_splits.tolist(), value.shape[axis])
        return tuple(np.split(value, np.cumsum(sizes[:-1]), axis=axis))

    def gradient(self, op, *grads):
        return [concat(list(grads), op.inputs[2]), None, None]


def _resolve_sizes(sizes, dim):
    """Split sizes with a -1 filled in from ``dim`` (None if unknown); checks they add up."""
    if sum(1 for s in sizes if s == -1) > 1:
        raise ValueError("Only one dimensions can have a value of -1 in size_splits, got %s" % sizes)
    if any(s < -1 for s in sizes):
        raise ValueError("size_splits must be >= -1, got %s" % sizes)
    known = sum(s for s in sizes if s != -1)
    if dim is None:
        return [None if s == -1 else s for s in sizes]
    if -1 in sizes:
        if known > dim:
            raise ValueError("The specified sizes %s add up to more than the dimension being "
                             "split (%d)" % (sizes, dim))
        return [dim - known if s == -1 else s for s in sizes]
    if known != dim:
        raise ValueError("Determined shape must either match input shape along split_dim "
                         "exactly if fully specified, or be less than the size of the input "
                         "along split_dim if not fully specified. Got: %d (sizes %s) for a "
                         "dimension of size %d" % (known, sizes, dim))
    return sizes


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits ``value`` along ``axis``: into ``num_or_size_splits`` equal parts (an int), or
    into parts of the listed sizes (one of which may be -1). Returns a list of tensors."""
    if isinstance(num_or_size_splits, Dimension):
        num_or_size_splits = num_or_size_splits.value
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(num_or_size_splits, bool):
        return apply_op("Split", [axis, value], {"num_split": int(num_or_size_splits)}, name=name)
    size_splits = convert_to_tensor(num_or_size_splits)
    if size_splits.shape.ndims == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument to "
                         "split. Argument provided: %s" % (num_or_size_splits,))
    if num is None:
        dims = size_splits.shape.as_tuple()
        num = dims[0] if dims else None
        if num is None:
            raise ValueError("Cannot infer num from shape %s" % (num_or_size_splits,))
    return apply_op("SplitV", [value, size_splits, axis], {"num_split": int(num)}, name=name)


# -- gather / scatter --------------------------------------------------------------------------------
def _check_indices(indices, limit, what="indices"):
    """Run-time check that every index is in [0, limit), as TF's CPU kernels do."""
    if indices.size and (indices.min() < 0 or indices.max() >= limit):
        bad = np.argwhere((indices < 0) | (indices >= limit))[0]
        position = ",".join(str(i) for i in bad)
        raise ValueError("%s[%s] = %d is not in [0, %d)" % (what, position,
                                                            indices[tuple(bad)], limit))


@register_op("GatherV2")
class GatherV2(OpDef):
    """Rows (or slices along ``axis``) of ``params`` picked by ``indices``.

    The gradient with respect to ``params`` is a dense tensor built by UnsortedSegmentSum (TF1
    returns IndexedSlices; the values are the same, duplicated indices add up).
    """
    inputs = ("params:T", "indices:int32|int64", "axis:int32|int64")
    attrs = {"batch_dims": 0}
    label = "gather"

    def infer(self, params, indices, axis, batch_dims):
        if batch_dims != 0:
            raise ValueError("gather with batch_dims=%d is not supported by tfone (only "
                             "batch_dims=0)" % batch_dims)
        pdims, idims = params.shape.as_tuple(), indices.shape.as_tuple()
        if pdims is not None and len(pdims) == 0:
            raise ValueError("params must be at least 1 dimensional")
        a = _axis_value(axis, None if pdims is None else len(pdims), "gather")
        if pdims is None or idims is None:
            return params.dtype, unknown_shape()
        if a is None:
            return params.dtype, unknown_shape(len(pdims) + len(idims) - 1)
        value = constant_value(indices)
        if value is not None and pdims[a] is not None:
            _check_indices(np.asarray(value), pdims[a])
        return params.dtype, list(pdims[:a]) + list(idims) + list(pdims[a + 1:])

    def make_kernel(self, op, ctx):
        a = constant_value(op.inputs[2])
        if a is None:
            return lambda params, indices, axis: _gather(params, indices, int(axis))
        a = int(a)
        return lambda params, indices, axis: _gather(params, indices, a)

    def compute(self, params, indices, axis, batch_dims):
        return _gather(params, indices, int(axis))

    def gradient(self, op, grad):
        params, indices, axis_t = op.inputs
        a = _axis_value(axis_t, params.shape.ndims, "gather")
        if a is None or (a < 0 and params.shape.ndims is None):
            raise ValueError("The gradient of gather (op %s) needs a constant axis, and a params "
                             "tensor of known rank when the axis is negative" % op.name)
        pdims = params.shape.as_tuple()
        if pdims is not None and None not in pdims:
            params_shape = constant(np.array(pdims, dtype=np.int32), name="params_shape")
        else:
            params_shape = shape(params)
        ids = reshape(indices, [-1])
        if a == 0:
            values = reshape(grad, _values_shape(params, params_shape))
            return [unsorted_segment_sum(values, ids, params_shape[0]), None, None]
        # Move the gathered axis to the front, sum segments there, and move it back.
        if pdims is not None:
            values_shape = [-1 if d is None else d for d in pdims[:a]] + [-1] + \
                [-1 if d is None else d for d in pdims[a + 1:]]
            if values_shape.count(-1) > 1:
                values_shape = concat([params_shape[:a], [-1], params_shape[a + 1:]], 0)
            r = len(pdims)
            perm = [a] + list(builtins.range(a)) + list(builtins.range(a + 1, r))
            inverse = list(builtins.range(1, a + 1)) + [0] + list(builtins.range(a + 1, r))
        else:
            values_shape = concat([params_shape[:a], [-1], params_shape[a + 1:]], 0)
            r = rank(params)
            m = _math()
            perm = concat([[a], m.range(0, a), m.range(a + 1, r)], 0)
            inverse = concat([m.range(1, a + 1), [0], m.range(a + 1, r)], 0)
        values = transpose(reshape(grad, values_shape), perm)
        summed = unsorted_segment_sum(values, ids, params_shape[a])
        return [transpose(summed, inverse), None, None]


def _values_shape(params, params_shape):
    """[-1] + params.shape[1:], as a list when static enough, else a tensor."""
    rest = params.shape.as_tuple()
    if rest is not None and None not in rest[1:]:
        return [-1] + list(rest[1:])
    return concat([[-1], params_shape[1:]], 0)


def _gather(params, indices, axis):
    params = np.asarray(params)
    indices = np.asarray(indices)
    axis = axis % params.ndim if -params.ndim <= axis < params.ndim else axis
    if not 0 <= axis < params.ndim:
        raise ValueError("Expected axis in the range [%d, %d), but got %d"
                         % (-params.ndim, params.ndim, axis))
    _check_indices(indices, params.shape[axis])
    return np.take(params, indices, axis=axis)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Slices of ``params`` along ``axis`` (default 0) at ``indices`` (any shape): the output
    shape is ``params.shape[:axis] + indices.shape + params.shape[axis + 1:]``.

    Unlike TF1, the gradient with respect to ``params`` is a dense tensor (TF1 gives
    ``IndexedSlices``); rows gathered several times get the sum of their gradients.
    """
    del validate_indices
    if axis is None:
        axis = batch_dims
    return apply_op("GatherV2", [params, indices, axis], {"batch_dims": int(batch_dims)}, name=name)


@register_op("GatherNd")
class GatherNd(OpDef):
    """Slices of ``params`` at N-dimensional ``indices`` (the last indices dim indexes params)."""
    inputs = ("params:T", "indices:int32|int64")
    label = "gather_nd"

    def infer(self, params, indices):
        pdims, idims = params.shape.as_tuple(), indices.shape.as_tuple()
        if idims is not None and len(idims) == 0:
            raise ValueError("indices must be at least 1-D (the last dimension indexes params)")
        if idims is None or idims[-1] is None or pdims is None:
            return params.dtype, unknown_shape()
        k = idims[-1]
        if k > len(pdims):
            raise ValueError("indices.shape[-1] must be <= params.rank, but saw indices shape %s "
                             "and params shape %s" % (indices.shape, params.shape))
        return params.dtype, list(idims[:-1]) + list(pdims[k:])

    def compute(self, params, indices):
        params, indices = np.asarray(params), np.asarray(indices)
        k = indices.shape[-1]
        if k > params.ndim:
            raise ValueError("indices.shape[-1] must be <= params.rank, but saw indices shape %s "
                             "and params shape %s" % (indices.shape, params.shape))
        if k == 0:
            return np.broadcast_to(params, indices.shape[:-1] + params.shape).copy()
        _check_nd_indices(indices, params.shape[:k])
        return params[tuple(np.moveaxis(indices, -1, 0))]

    def gradient(self, op, grad):
        params, indices = op.inputs
        return [scatter_nd(indices, grad, _shape_of(params, indices.dtype)), None]


def _check_nd_indices(indices, limits):
    bad = (indices < 0) | (indices >= np.asarray(limits, dtype=np.int64))
    if bad.any():
        where_bad = np.argwhere(bad.any(axis=-1))[0]
        raise ValueError("indices%s = %s does not index into param shape %s" % (
            list(where_bad), indices[tuple(where_bad)].tolist(), list(limits)))


def gather_nd(params, indices, name=None, batch_dims=0):
    """``params[indices[..., 0], indices[..., 1], ...]``: each row of ``indices`` (its last
    dimension) addresses an element or slice of ``params``."""
    if batch_dims != 0:
        raise ValueError("gather_nd with batch_dims=%d is not supported by tfone (only "
                         "batch_dims=0)" % batch_dims)
    return apply_op("GatherNd", [params, indices], name=name)


@register_op("ScatterNd")
class ScatterNd(OpDef):
    """Zeros of ``shape`` with ``updates`` added at N-dimensional ``indices`` (duplicates add)."""
    inputs = ("indices:Tindices", "updates:T", "shape:Tindices")
    label = "scatter_nd"

    def infer(self, indices, updates, shape):
        out = shape_from_tensor(shape)
        idims, udims, odims = indices.shape.as_tuple(), updates.shape.as_tuple(), out.as_tuple()
        if idims is not None and len(idims) == 0:
            raise ValueError("indices must be at least 1-D (the last dimension indexes the output)")
        if None not in (idims, udims, odims) and idims[-1] is not None:
            k = idims[-1]
            expected = TensorShape(list(idims[:-1]) + list(odims[k:]))
            if k > len(odims) or not expected.is_compatible_with(updates.shape):
                raise ValueError("updates must have shape indices.shape[:-1] + shape[%d:] = %s, "
                                 "got %s" % (k, expected, updates.shape))
        return updates.dtype, out

    def compute(self, indices, updates, shape):
        indices, updates = np.asarray(indices), np.asarray(updates)
        out_shape = tuple(shape.tolist())
        out = np.zeros(out_shape, dtype=updates.dtype)
        k = indices.shape[-1]
        if updates.shape != indices.shape[:-1] + out_shape[k:]:
            raise ValueError("updates must have shape %s (indices.shape[:-1] + shape[%d:]), got %s"
                             % (indices.shape[:-1] + out_shape[k:], k, updates.shape))
        _check_nd_indices(indices, out_shape[:k])
        np.add.at(out, tuple(np.moveaxis(indices, -1, 0)), updates)
        return out

    def gradient(self, op, grad):
        indices = op.inputs[0]
        return [None, gather_nd(grad, indices), None]


def scatter_nd(indices, updates, shape, name=None):
    """A tensor of ``shape`` holding zeros, plus ``updates`` at ``indices`` (duplicates add)."""
    if not is_tensor_like(shape) and isinstance(shape, (list, tuple, TensorShape)):
        dtype = convert_to_tensor(indices).dtype if is_tensor_like(indices) else None
        shape = _shape_tensor_of_dtype(shape, dtype or dtypes.int32)
    return apply_op("ScatterNd", [indices, updates, shape], name=name)


@register_op("UnsortedSegmentSum")
class UnsortedSegmentSum(OpDef):
    """Sums the rows of ``data`` that share a segment id (ids need not be sorted; negative ids
    are dropped). Output row i is the sum of rows with id i."""
    inputs = ("data:T", "segment_ids:int32|int64", "num_segments:int32|int64")
    label = "segment_sum"

    def infer(self, data, segment_ids, num_segments):
        if num_segments.shape.ndims not in (None, 0):
            raise ValueError("num_segments must be a scalar, got shape %s" % num_segments.shape)
        ddims, sdims = data.shape.as_tuple(), segment_ids.shape.as_tuple()
        n = constant_value(num_segments)
        n = None if n is None else int(n)
        if ddims is None or sdims is None:
            return data.dtype, unknown_shape()
        if len(sdims) > len(ddims) or not TensorShape(ddims[:len(sdims)]).is_compatible_with(
                TensorShape(sdims)):
            raise ValueError("segment_ids.shape = %s must be a prefix of data.shape = %s"
                             % (segment_ids.shape, data.shape))
        return data.dtype, [n] + list(ddims[len(sdims):])

    def compute(self, data, segment_ids, num_segments):
        data, ids = np.asarray(data), np.asarray(segment_ids)
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
        out = np.zeros((n,) + inner, dtype=data.dtype)
        np.add.at(out, flat_ids, flat)
        return out

    def gradient(self, op, grad):
        ids = op.inputs[1]
        value = constant_value(ids)
        if value is not None and np.all(np.asarray(value) >= 0):
            return [gather(grad, ids), None, None]
        # Rows with negative ids were dropped: they get zero gradient (TF1's GatherDropNegatives).
        m = _math()
        clipped = m.maximum(ids, zeros_like(ids))
        gathered = gather(grad, clipped)
        keep = m.cast(m.greater_equal(ids, 0), grad.dtype)
        extra = gathered.shape.ndims - ids.shape.ndims if None not in (
            gathered.shape.ndims, ids.shape.ndims) else None
        if extra is None:
            raise ValueError("The gradient of unsorted_segment_sum with non-constant segment ids "
                             "needs inputs of known rank")
        keep = reshape(keep, concat([shape(ids), [1] * extra], 0)) if extra else keep
        return [m.multiply(gathered, keep), None, None]


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``output[i] = sum of data[j...]`` over the j with ``segment_ids[j...] == i``.

    This is also how tfone writes the gradient of ``tf.gather``: as a dense tensor (TF1 uses
    IndexedSlices there), whose own gradient is a gather again.
    """
    return apply_op("UnsortedSegmentSum", [data, segment_ids, num_segments], name=name)


# -- one_hot -------------------------------------------------------------------------------------------
@register_op("OneHot")
class OneHot(OpDef):
    """``on_value`` where ``indices`` equals the position along the new axis, else ``off_value``."""
    inputs = ("indices:int32|int64|uint8", "depth:int32", "on_value:T", "off_value:T")
    attrs = {"axis": -1}
    label = "one_hot"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, indices, depth, on_value, off_value, axis):
        for t, n in ((depth, "depth"), (on_value, "on_value"), (off_value, "off_value")):
            if t.shape.ndims not in (None, 0):
                raise ValueError("%s must be a scalar, got shape %s" % (n, t.shape))
        dims = indices.shape.as_tuple()
        if dims is not None and not -1 <= axis <= len(dims):
            raise ValueError("Expected axis to be -1 or between [0, %d].  But received: %d"
                             % (len(dims), axis))
        d = constant_value(depth)
        if d is not None and int(d) < 0:
            raise ValueError("depth must be non-negative, got %d" % int(d))
        if dims is None:
            return on_value.dtype, unknown_shape()
        a = len(dims) if axis == -1 else axis
        return on_value.dtype, list(dims[:a]) + [None if d is None else int(d)] + list(dims[a:])

    def compute(self, indices, depth, on_value, off_value, axis):
        indices = np.asarray(indices)
        depth = int(depth)
        if depth < 0:
            raise ValueError("depth must be non-negative, got %d" % depth)
        hot = indices[..., None] == np.arange(depth)
        if axis != -1:
            hot = np.moveaxis(hot, -1, axis)
        on, off = np.asarray(on_value), np.asarray(off_value)
        return np.where(hot, on, off).astype(on.dtype, copy=False)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors: ``on_value`` (default 1) at each index, ``off_value`` (default 0)
    elsewhere, along a new dimension ``axis`` (default last). Out-of-range indices give rows of
    ``off_value``."""
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        on_dtype = None if on_value is None else _value_dtype(on_value)
        off_dtype = None if off_value is None else _value_dtype(off_value)
        if on_value is not None or off_value is not None:
            if dtype is not None:
                if on_dtype is not None and on_dtype != dtype:
                    raise TypeError("dtype %s of on_value does not match dtype parameter %s"
                                    % (on_dtype.name, dtype.name))
                if off_dtype is not None and off_dtype != dtype:
                    raise TypeError("dtype %s of off_value does not match dtype parameter %s"
                                    % (off_dtype.name, dtype.name))
            else:
                dtype = on_dtype if on_dtype is not None else off_dtype
        elif dtype is None:
            dtype = dtypes.float32
        if on_value is None:
            on_value, on_dtype = constant(1, dtype=dtype, name="on_value"), dtype
        if off_value is None:
            off_value, off_dtype = constant(0, dtype=dtype, name="off_value"), dtype
        if on_dtype != off_dtype:
            raise TypeError("dtype %s of on_value does not match dtype %s of off_value"
                            % (on_dtype.name, off_dtype.name))
        return apply_op("OneHot", [indices, depth, on_value, off_value],
                        {"axis": -1 if axis is None else int(axis)}, name=scope)


def _value_dtype(value):
    if is_tensor_like(value):
        return convert_to_tensor(value).dtype.base_dtype
    from tfone.ops.constant_op import to_numpy
    return dtypes.as_dtype(to_numpy(value).dtype)


# -- tile -------------------------------------------------------------------------------------------------
@register_op("Tile")
class Tile(OpDef):
    """Repeats ``input`` ``multiples[i]`` times along dimension i."""
    inputs = ("input:T", "multiples:Tmultiples")
    label = "tile"

    def infer(self, input, multiples):
        if multiples.shape.ndims not in (None, 1):
            raise ValueError("multiples must be a vector, got shape %s" % multiples.shape)
        m = _known_ints(multiples)
        dims = input.shape.as_tuple()
        if dims is not None and m is not None and len(m) != len(dims):
            raise ValueError("Shape must be rank %d but is rank %d: multiples must have one entry "
                             "per input dimension (input shape %s)" % (len(dims), len(m), input.shape))
        if dims is None and m is None:
            return input.dtype, unknown_shape()
        n = len(dims) if dims is not None else len(m)
        dims = dims or (None,) * n
        m = m or [None] * n
        if any(k is not None and k < 0 for k in m):
            raise ValueError("multiples must be non-negative, got %s" % m)
        return input.dtype, [None if d is None or k is None else d * k for d, k in zip(dims, m)]

    def compute(self, input, multiples):
        input = np.asarray(input)
        if len(multiples) != input.ndim:
            raise ValueError("Expected multiples argument to be a vector of length %d but got "
                             "length %d" % (input.ndim, len(multiples)))
        return np.tile(input, multiples)

    def gradient(self, op, grad):
        x, multiples = op.inputs
        m = _constant_ints(multiples)
        dims = x.shape.as_tuple()
        if m is not None and dims is not None and sum(d is None for d in dims) <= 1:
            split_shape = [v for k, d in zip(m, dims) for v in (k, -1 if d is None else d)]
            axes = list(builtins.range(0, 2 * len(dims), 2))
        else:
            sizes = stack([multiples, shape(x, out_type=multiples.dtype)])
            split_shape = reshape(transpose(sizes), [-1])
            axes = _math().range(0, size(split_shape), 2)
        if isinstance(axes, list) and not axes:  # a scalar: nothing was tiled
            return [grad, None]
        return [_math().reduce_sum(reshape(grad, split_shape), axes), None]


def tile(input, multiples, name=None):
    """``input`` repeated ``multiples[i]`` times along each dimension i."""
    if not is_tensor_like(multiples) and isinstance(multiples, (list, tuple)):
        multiples = _shape_tensor_of_dtype(multiples, _index_dtype(multiples))
    return apply_op("Tile", [input, multiples], name=name)


# -- padding ----------------------------------------------------------------------------------------------
def _pad_infer(input, paddings, mode=None):
    pdims = paddings.shape.as_tuple()
    dims = input.shape.as_tuple()
    if pdims is not None and (len(pdims) != 2 or pdims[1] not in (None, 2)):
        raise ValueError("paddings must be a matrix with 2 columns, got shape %s" % paddings.shape)
    if dims is not None and pdims is not None and pdims[0] is not None and pdims[0] != len(dims):
        raise ValueError("The first dimension of paddings must be the rank of inputs (%d), got "
                         "paddings of shape %s" % (len(dims), paddings.shape))
    value = constant_value(paddings)
    n = len(dims) if dims is not None else (pdims[0] if pdims is not None else None)
    if n is None:
        return unknown_shape()
    dims = dims or (None,) * n
    if value is None:
        return [None] * n
    value = np.asarray(value).reshape(n, 2)
    if (value < 0).any():
        raise ValueError("paddings must be non-negative, got %s" % value.tolist())
    out = []
    for i, (d, (before, after)) in enumerate(zip(dims, value.tolist())):
        if d is not None and mode is not None:
            limit = d - 1 if mode == "REFLECT" else d
            if before > limit or after > limit:
                raise ValueError("paddings must be no greater than the dimension size minus %d "
                                 "in %s mode: %d, %d greater than %d (dimension %d)" % (
                                     1 if mode == "REFLECT" else 0, mode, before, after, limit, i))
        out.append(None if d is None else d + before + after)
    return out


def _padded(input, paddings, value):
    input = np.asarray(input)
    paddings = np.asarray(paddings)
    if paddings.shape != (input.ndim, 2):
        raise ValueError("The first dimension of paddings must be the rank of inputs %s, got "
                         "paddings of shape %s" % (list(paddings.shape), list(input.shape)))
    if (paddings < 0).any():
        raise ValueError("Paddings must be non-negative: %s" % paddings.tolist())
    out_shape = tuple(int(d + b + a) for d, (b, a) in zip(input.shape, paddings.tolist()))
    out = np.full(out_shape, value, dtype=input.dtype)
    out[tuple(builtins.slice(int(b), int(b) + d) for d, (b, _) in zip(input.shape, paddings.tolist()))] = input
    return out


def _pad_gradient(op, grad):
    x, paddings = op.inputs[0], op.inputs[1]
    p = constant_value(paddings)
    if p is not None:
        begin = constant(np.asarray(p)[:, 0].astype(paddings.dtype._np), name="begin")
    else:
        begin = reshape(slice(paddings, [0, 0], stack([rank(x), 1])), [-1])
    return slice(grad, begin, _shape_of(x, paddings.dtype))


@register_op("Pad")
class Pad(OpDef):
    """Adds ``paddings[i] = [before, after]`` zeros around dimension i."""
    inputs = ("input:T", "paddings:Tpaddings")
    label = "pad"

    def infer(self, input, paddings):
        return input.dtype, _pad_infer(input, paddings)

    def compute(self, input, paddings):
        return _padded(input, paddings, 0)

    def gradient(self, op, grad):
        return [_pad_gradient(op, grad), None]


@register_op("PadV2")
class PadV2(OpDef):
    """Adds ``paddings[i] = [before, after]`` copies of ``constant_values`` around dimension i."""
    inputs = ("input:T", "paddings:Tpaddings", "constant_values:T")
    label = "pad"

    def infer(self, input, paddings, constant_values):
        if constant_values.shape.ndims not in (None, 0):
            raise ValueError("constant_values must be a scalar, got shape %s" % constant_values.shape)
        return input.dtype, _pad_infer(input, paddings)

    def compute(self, input, paddings, constant_values):
        return _padded(input, paddings, constant_values)

    def gradient(self, op, grad):
        return [_pad_gradient(op, grad), None, None]  # TF1 gives constant_values no gradient


def _mirror_check(input, paddings, mode):
    limit_offset = 1 if mode == "REFLECT" else 0
    for i, (d, (b, a)) in enumerate(zip(input.shape, paddings.tolist())):
        if b < 0 or a < 0 or b > d - limit_offset or a > d - limit_offset:
            raise ValueError("paddings must be no greater than the dimension size%s in %s mode: "
                             "%d, %d greater than %d for dimension %d of shape %s" % (
                                 " minus 1" if limit_offset else "", mode, b, a, d - limit_offset,
                                 i, list(input.shape)))


@register_op("MirrorPad")
class MirrorPad(OpDef):
    """Pads with a mirror image of the edges: REFLECT (edge not repeated) or SYMMETRIC."""
    inputs = ("input:T", "paddings:Tpaddings")
    attrs = {"mode": REQUIRED}
    label = "mirror_pad"

    def infer(self, input, paddings, mode):
        if mode not in ("REFLECT", "SYMMETRIC"):
            raise ValueError("mode must be REFLECT or SYMMETRIC, got %r" % (mode,))
        return input.dtype, _pad_infer(input, paddings, mode)

    def compute(self, input, paddings, mode):
        input, paddings = np.asarray(input), np.asarray(paddings)
        if paddings.shape != (input.ndim, 2):
            raise ValueError("paddings must have shape [%d, 2], got %s" % (input.ndim, list(paddings.shape)))
        _mirror_check(input, paddings, mode)
        return np.pad(input, paddings.tolist(), mode="reflect" if mode == "REFLECT" else "symmetric")

    def gradient(self, op, grad):
        return [apply_op("MirrorPadGrad", [grad, op.inputs[1]], {"mode": op.get_attr("mode")}), None]


@register_op("MirrorPadGrad")
class MirrorPadGrad(OpDef):
    """Folds a mirror-padded gradient back onto the unpadded shape (MirrorPad's gradient)."""
    inputs = ("input:T", "paddings:Tpaddings")
    attrs = {"mode": REQUIRED}
    label = "mirror_pad_grad"

    def infer(self, input, paddings, mode):
        dims = input.shape.as_tuple()
        value = constant_value(paddings)
        if dims is None:
            return input.dtype, unknown_shape()
        if value is None:
            return input.dtype, [None] * len(dims)
        value = np.asarray(value).reshape(len(dims), 2)
        return input.dtype, [None if d is None else d - int(b) - int(a)
                             for d, (b, a) in zip(dims, value.tolist())]

    def compute(self, input, paddings, mode):
        out = np.array(input, copy=True)
        offset = 1 if mode == "REFLECT" else 0
        for axis, (before, after) in enumerate(np.asarray(paddings).tolist()):
            moved = np.moveaxis(out, axis, 0)
            n = moved.shape[0] - before - after
            if before < 0 or after < 0 or max(before, after) > n - offset:
                raise ValueError("paddings [%d, %d] of dimension %d do not fit an unpadded size "
                                 "of %d in %s mode" % (before, after, axis, n, mode))
            core = moved[before:before + n].copy()
            if before:
                core[offset:offset + before] += moved[before - 1::-1][:before]
            if after:
                core[n - offset - after:n - offset] += moved[:before + n - 1:-1][:after]
            out = np.moveaxis(core, 0, axis)
        return np.ascontiguousarray(out)

    def gradient(self, op, grad):
        return [apply_op("MirrorPad", [grad, op.inputs[1]], {"mode": op.get_attr("mode")}), None]


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """Pads ``tensor`` by ``paddings[i] = [before, after]`` along each dimension i. ``mode``:
    "CONSTANT" (with ``constant_values``), "REFLECT" or "SYMMETRIC" (any case)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        if not is_tensor_like(constant_values) and np.all(np.asarray(constant_values) == 0):
            return apply_op("Pad", [tensor, paddings], name=name)
        return apply_op("PadV2", [tensor, paddings, constant_values], name=name)
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op("MirrorPad", [tensor, paddings], {"mode": mode}, name=name)
    raise ValueError("Unknown padding mode: %s (use 'CONSTANT', 'REFLECT' or 'SYMMETRIC')" % mode)


# -- reverse ------------------------------------------------------------------------------------------------
@register_op("ReverseV2")
class ReverseV2(OpDef):
    """Reverses the order of elements along the listed axes."""
    inputs = ("tensor:T", "axis:Tidx")
    label = "reverse"
    aliases = "input"

    def infer(self, tensor, axis):
        if axis.shape.ndims not in (None, 1):
            raise ValueError("axis must be a vector, got shape %s" % axis.shape)
        axes = _constant_ints(axis)
        ndims = tensor.shape.ndims
        if axes is not None and ndims is not None:
            _normalize_reverse_axes(axes, ndims)
        return tensor.dtype, tensor.shape

    def compute(self, tensor, axis):
        tensor = np.asarray(tensor)
        axes = _normalize_reverse_axes(axis.tolist(), tensor.ndim)
        return np.flip(tensor, axis=axes) if axes else tensor

    def gradient(self, op, grad):
        return [reverse(grad, op.inputs[1]), None]


def _normalize_reverse_axes(axes, ndims):
    out = []
    for a in axes:
        if not -ndims <= a < ndims:
            raise ValueError("'axis'[%d] = %d is out of valid range [%d, %d)"
                             % (len(out), a, -ndims, ndims))
        if a % ndims in out:
            raise ValueError("axis %d specified more than once" % (a % ndims))
        out.append(a % ndims)
    return tuple(out)


def reverse(tensor, axis, name=None):
    """``tensor`` with the order of its elements reversed along each dimension in ``axis``."""
    return apply_op("ReverseV2", [tensor, axis], name=name)


reverse_v2 = reverse


@register_op("ReverseSequence")
class ReverseSequence(OpDef):
    """Reverses the first ``seq_lengths[b]`` elements along ``seq_dim`` of each batch entry b."""
    inputs = ("input:T", "seq_lengths:int32|int64")
    attrs = {"seq_dim": REQUIRED, "batch_dim": 0}
    label = "reverse_seq"

    def infer(self, input, seq_lengths, seq_dim, batch_dim):
        if seq_lengths.shape.ndims not in (None, 1):
            raise ValueError("seq_lengths must be 1-D, got shape %s" % seq_lengths.shape)
        dims = input.shape.as_tuple()
        if dims is not None:
            for n, v in (("seq_dim", seq_dim), ("batch_dim", batch_dim)):
                if not 0 <= v < len(dims):
                    raise ValueError("%s must be in [0, %d), got %d" % (n, len(dims), v))
            if seq_dim == batch_dim:
                raise ValueError("seq_dim == batch_dim == %d" % seq_dim)
            lengths = seq_lengths.shape.as_tuple()
            if lengths is not None and None not in (lengths[0], dims[batch_dim]) and \
                    lengths[0] != dims[batch_dim]:
                raise ValueError("len(seq_lengths) (%d) != input.dims(%d) (%d)"
                                 % (lengths[0], batch_dim, dims[batch_dim]))
        return input.dtype, input.shape

    def compute(self, input, seq_lengths, seq_dim, batch_dim):
        input, lengths = np.asarray(input), np.asarray(seq_lengths)
        steps = input.shape[seq_dim]
        if lengths.shape != (input.shape[batch_dim],):
            raise ValueError("len(seq_lengths) != input.dims(%d), (%d vs. %d)"
                             % (batch_dim, lengths.size, input.shape[batch_dim]))
        if lengths.size and (lengths.min() < 0 or lengths.max() > steps):
            raise ValueError("seq_lengths must be in [0, %d] (input.dims(%d)), got %s"
                             % (steps, seq_dim, lengths.tolist()))
        t = np.arange(steps)
        source = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # [batch, steps]
        shape_ = [1] * input.ndim
        shape_[batch_dim], shape_[seq_dim] = input.shape[batch_dim], steps
        if batch_dim > seq_dim:
            source = source.T
        index = np.broadcast_to(source.reshape(shape_), input.shape)
        return np.take_along_axis(input, index, axis=seq_dim)

    def gradient(self, op, grad):
        return [reverse_sequence(grad, op.inputs[1], seq_axis=op.get_attr("seq_dim"),
                                 batch_axis=op.get_attr("batch_dim")), None]


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,
                     batch_dim=None):
    """Reverses the first ``seq_lengths[b]`` steps (along ``seq_axis``) of each sequence b
    (along ``batch_axis``); the padding after them stays in place."""
    if seq_axis is not None and seq_dim is not None:
        raise ValueError("Cannot specify both 'seq_axis' and 'seq_dim'")
    if batch_axis is not None and batch_dim is not None:
        raise ValueError("Cannot specify both 'batch_axis' and 'batch_dim'")
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = batch_dim if batch_axis is None else batch_axis
    if seq_axis is None:
        raise TypeError("reverse_sequence() needs seq_axis")
    return apply_op("ReverseSequence", [input, seq_lengths], {
        "seq_dim": int(seq_axis), "batch_dim": 0 if batch_axis is None else int(batch_axis)},
        name=name)


# -- linspace ---------------------------------------------------------------------------------------------
@register_op("LinSpace")
class LinSpace(OpDef):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    inputs = ("start:T", "stop:T", "num:Tidx")
    label = "linspace"
    gradient = NOT_DIFFERENTIABLE  # as in TF1

    def infer(self, start, stop, num):
        if not start.dtype.is_floating:
            raise TypeError("linspace needs floating-point start and stop, got %s (write e.g. "
                            "0. instead of 0)" % start.dtype.name)
        for t, n in ((start, "start"), (stop, "stop"), (num, "num")):
            if t.shape.ndims not in (None, 0):
                raise ValueError("%s must be a scalar, got shape %s" % (n, t.shape))
        if num.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("num must be int32 or int64, got %s" % num.dtype.name)
        n = constant_value(num)
        if n is not None and int(n) <= 0:
            raise ValueError("Requires num > 0: %d" % int(n))
        return start.dtype, [None if n is None else int(n)]

    def compute(self, start, stop, num):
        num = int(num)
        if num <= 0:
            raise ValueError("Requires num > 0: %d" % num)
        dtype = np.asarray(start).dtype
        return np.linspace(start, stop, num, dtype=dtype)


def linspace(start, stop, num, name=None):
    """``num`` evenly spaced values from ``start`` to ``stop``, both included."""
    return apply_op("LinSpace", [start, stop, num], name=name)


lin_space = linspace


# -- meshgrid ---------------------------------------------------------------------------------------------
def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D coordinate vectors; ``indexing`` 'xy' (default) or 'ij'."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError("'{}' is an invalid keyword argument for this function".format(
            list(kwargs)[0]))
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with name_scope(name, "meshgrid", args):
        ndim = len(args)
        s0 = (1,) * ndim
        output = [reshape(stack(x), s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(args)]
        shapes = [size(x) for x in args]
        output_dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult_fact = ones(shapes, output_dtype)
        return [x * mult_fact for x in output]


# -- matrix diagonals (behind tf.eye) ------------------------------------------------------------------------
@register_op("MatrixDiag")
class MatrixDiag(OpDef):
    """Square matrices with ``diagonal`` ([..., n]) on their diagonals and zeros elsewhere."""
    inputs = ("diagonal:T",)
    label = "matrix_diag"

    def infer(self, diagonal):
        dims = diagonal.shape.as_tuple()
        if dims is None:
            return diagonal.dtype, unknown_shape()
        if not dims:
            raise ValueError("diagonal must be at least 1-D, got a scalar")
        return diagonal.dtype, list(dims) + [dims[-1]]

    def compute(self, diagonal):
        diagonal = np.asarray(diagonal)
        n = diagonal.shape[-1]
        out = np.zeros(diagonal.shape + (n,), dtype=diagonal.dtype)
        i = np.arange(n)
        out[..., i, i] = diagonal
        return out

    def gradient(self, op, grad):
        return [matrix_diag_part(grad)]


@register_op("MatrixDiagPart")
class MatrixDiagPart(OpDef):
    """The main diagonals ([..., min(m, n)]) of a batch of matrices ([..., m, n])."""
    inputs = ("input:T",)
    label = "diag_part"

    def infer(self, input):
        dims = input.shape.as_tuple()
        if dims is None:
            return input.dtype, unknown_shape()
        if len(dims) < 2:
            raise ValueError("input must be at least 2-D, got shape %s" % input.shape)
        m, n = dims[-2:]
        k = None if m is None or n is None else min(m, n)
        return input.dtype, list(dims[:-2]) + [k]

    def compute(self, input):
        return np.diagonal(input, axis1=-2, axis2=-1).copy()

    def gradient(self, op, grad):
        x = op.inputs[0]
        dims = x.shape.as_tuple()
        if dims is not None and dims[-1] is not None and dims[-1] == dims[-2]:
            return [matrix_diag(grad)]
        return [matrix_set_diag(zeros_like(x), grad)]


@register_op("MatrixSetDiag")
class MatrixSetDiag(OpDef):
    """A batch of matrices with their main diagonals replaced by ``diagonal``."""
    inputs = ("input:T", "diagonal:T")
    label = "set_diag"

    def infer(self, input, diagonal):
        dims = input.shape.as_tuple()
        if dims is not None:
            if len(dims) < 2:
                raise ValueError("input must be at least 2-D, got shape %s" % input.shape)
            m, n = dims[-2:]
            expected = TensorShape(list(dims[:-2]) + [None if m is None or n is None else min(m, n)])
            if not expected.is_compatible_with(diagonal.shape):
                raise ValueError("diagonal must have shape %s for input of shape %s, got %s"
                                 % (expected, input.shape, diagonal.shape))
        return input.dtype, input.shape

    def compute(self, input, diagonal):
        out = np.array(input, copy=True)
        k = min(out.shape[-2:])
        if np.shape(diagonal) != out.shape[:-2] + (k,):
            raise ValueError("diagonal must have shape %s, got %s"
                             % (list(out.shape[:-2] + (k,)), list(np.shape(diagonal))))
        i = np.arange(k)
        out[..., i, i] = diagonal
        return out

    def gradient(self, op, grad):
        diagonal = op.inputs[1]
        return [matrix_set_diag(grad, zeros_like(diagonal)), matrix_diag_part(grad)]


def matrix_diag(diagonal, name="MatrixDiag"):
    """Batched diagonal matrices from their diagonals ([..., n] -> [..., n, n])."""
    return apply_op("MatrixDiag", [diagonal], name=name)


def matrix_diag_part(input, name="MatrixDiagPart"):
    """The main diagonals of a batch of matrices ([..., m, n] -> [..., min(m, n)])."""
    return apply_op("MatrixDiagPart", [input], name=name)


def matrix_set_diag(input, diagonal, name="MatrixSetDiag"):
    """``input`` with the main diagonal of each matrix replaced by ``diagonal``."""
    return apply_op("MatrixSetDiag", [input, diagonal], name=name)


@register_op("MatrixBandPart")
class MatrixBandPart(OpDef):
    """Keeps ``num_lower`` sub- and ``num_upper`` super-diagonals of each matrix (-1 = all)."""
    inputs = ("input:T", "num_lower:Tindex", "num_upper:Tindex")
    label = "band_part"

    def infer(self, input, num_lower, num_upper):
        if input.shape.ndims is not None and input.shape.ndims < 2:
            raise ValueError("input must be at least 2-D, got shape %s" % input.shape)
        for t, n in ((num_lower, "num_lower"), (num_upper, "num_upper")):
            if t.shape.ndims not in (None, 0):
                raise ValueError("%s must be a scalar, got shape %s" % (n, t.shape))
        return input.dtype, input.shape

    def compute(self, input, num_lower, num_upper):
        input = np.asarray(input)
        m, n = input.shape[-2:]
        lower, upper = int(num_lower), int(num_upper)
        if lower > m or upper > n:
            raise ValueError("num_lower (%d) must be <= rows (%d) and num_upper (%d) <= columns "
                             "(%d)" % (lower, m, upper, n))
        offset = np.arange(n)[None, :] - np.arange(m)[:, None]  # column - row
        keep = ((lower < 0) | (-offset <= lower)) & ((upper < 0) | (offset <= upper))
        return np.where(keep, input, np.zeros((), dtype=input.dtype))

    def gradient(self, op, grad):
        return [matrix_band_part(grad, op.inputs[1], op.inputs[2]), None, None]


def matrix_band_part(input, num_lower, num_upper, name=None):
    """Zeros everything outside a band of each matrix: ``num_lower`` diagonals below and
    ``num_upper`` above the main one (-1 keeps the whole triangle), e.g. (-1, 0) is the lower
    triangle."""
    return apply_op("MatrixBandPart", [input, num_lower, num_upper], name=name)


@register_op("Diag")
class Diag(OpDef):
    """A tensor of shape D + D with ``diagonal`` (shape D) on its diagonal."""
    inputs = ("diagonal:T",)
    label = "diag"

    def infer(self, diagonal):
        dims = diagonal.shape.as_tuple()
        if dims is None:
            return diagonal.dtype, unknown_shape()
        if not dims:
            raise ValueError("diagonal must be at least 1-D, got a scalar")
        return diagonal.dtype, list(dims) * 2

    def compute(self, diagonal):
        diagonal = np.asarray(diagonal)
        if diagonal.ndim == 0:
            raise ValueError("diagonal must be at least 1-D, got a scalar")
        n = diagonal.size
        out = np.zeros((n, n), dtype=diagonal.dtype)
        out[np.arange(n), np.arange(n)] = diagonal.reshape(-1)
        return out.reshape(diagonal.shape * 2)

    def gradient(self, op, grad):
        return [diag_part(grad)]


@register_op("DiagPart")
class DiagPart(OpDef):
    """The diagonal (shape D) of a tensor of shape D + D (the inverse of Diag)."""
    inputs = ("input:T",)
    label = "diag_part"

    def infer(self, input):
        dims = input.shape.as_tuple()
        if dims is None:
            return input.dtype, unknown_shape()
        if not dims or len(dims) % 2:
            raise ValueError("input must have an even, non-zero rank, got shape %s" % input.shape)
        k = len(dims) // 2
        out = []
        for a, b in zip(dims[:k], dims[k:]):
            if a is not None and b is not None and a != b:
                raise ValueError("Invalid shape %s: dimensions %d and %d differ" % (input.shape, a, b))
            out.append(a if a is not None else b)
        return input.dtype, out

    def compute(self, input):
        input = np.asarray(input)
        k = input.ndim // 2
        if input.ndim == 0 or input.ndim % 2 or input.shape[:k] != input.shape[k:]:
            raise ValueError("input must have shape D + D, got %s" % list(input.shape))
        n = int(np.prod(input.shape[:k]))
        return np.diagonal(input.reshape(n, n)).reshape(input.shape[:k]).copy()

    def gradient(self, op, grad):
        return [diag(grad)]


def diag(diagonal, name=None):
    """A tensor of shape D + D that is zero except ``output[i..., i...] = diagonal[i...]``."""
    return apply_op("Diag", [diagonal], name=name)


def diag_part(input, name=None):
    """``output[i...] = input[i..., i...]`` for an input of shape D + D."""
    return apply_op("DiagPart", [input], name=name)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrices [*batch_shape, num_rows, num_columns] (ones on the main diagonal)."""
    with name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        dtype = dtypes.as_dtype(dtype)
        is_square = num_columns is None
        batch_shape = [] if batch_shape is None else batch_shape
        num_columns = num_rows if num_columns is None else num_columns
        if is_tensor_like(num_rows) or is_tensor_like(num_columns):
            diag_size = _math().minimum(num_rows, num_columns)
        else:
            for v in (num_rows, num_columns):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                    raise TypeError("num_rows and num_columns must be positive integer values, "
                                    "got %r" % (v,))
            is_square = num_rows == num_columns
            diag_size = min(int(num_rows), int(num_columns))
        static_batch = not is_tensor_like(batch_shape) and not any(
            is_tensor_like(b) for b in batch_shape)
        if static_batch and not is_tensor_like(diag_size):
            diag_shape = [int(b) for b in batch_shape] + [diag_size]
        else:
            diag_shape = concat([batch_shape, expand_dims(diag_size, 0)], 0) if is_tensor_like(
                diag_size) else concat([batch_shape, [diag_size]], 0)
        diag_ones = ones(diag_shape, dtype=dtype)
        if is_square:
            return matrix_diag(diag_ones)
        if static_batch and not is_tensor_like(num_rows) and not is_tensor_like(num_columns):
            full_shape = [int(b) for b in batch_shape] + [int(num_rows), int(num_columns)]
        else:
            full_shape = concat([batch_shape, stack([num_rows, num_columns])], 0)
        return matrix_set_diag(zeros(full_shape, dtype=dtype), diag_ones)


# -- masks ------------------------------------------------------------------------------------------------------
def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries of ``tensor`` where ``mask`` is True, flattened over the mask's dimensions.

    ``mask`` ([d_axis, ..., d_axis+k-1], known rank k >= 1) covers dimensions axis..axis+k-1 of
    ``tensor``; the result has shape ``tensor.shape[:axis] + [number of Trues] +
    tensor.shape[axis+k:]``. Built from Reshape, Where and Gather, so its gradient scatters
    back with UnsortedSegmentSum.
    """
    with name_scope(name, values=[tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        if mask.dtype != dtypes.bool:
            raise TypeError("boolean_mask needs a bool mask, got %s (hint: use tf.cast(mask, "
                            "tf.bool) or a comparison such as x > 0)" % mask.dtype.name)
        shape_mask, shape_tensor = mask.shape, tensor.shape
        ndims_mask = shape_mask.ndims
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else int(axis)
        dims = shape_tensor.as_tuple()
        if dims is not None:
            if not 0 <= axis or axis + ndims_mask > len(dims):
                raise ValueError("mask of rank %d at axis %d does not fit a tensor of shape %s"
                                 % (ndims_mask, axis, shape_tensor))
            covered = TensorShape(dims[axis:axis + ndims_mask])
            if not covered.is_compatible_with(shape_mask):
                raise ValueError("Shapes %s and %s are incompatible: mask shape must match the "
                                 "tensor's dimensions %d..%d" % (covered, shape_mask, axis,
                                                                 axis + ndims_mask - 1))
            covered = covered.merge_with(shape_mask).as_tuple()
            leading = None if None in covered else int(np.prod(covered, dtype=np.int64))
            target = list(dims[:axis]) + [leading] + list(dims[axis + ndims_mask:])
            if sum(d is None for d in target) <= 1:
                tensor = reshape(tensor, [-1 if d is None else d for d in target])
            else:
                tensor = reshape(tensor, _collapsed_shape(tensor, axis, ndims_mask))
        else:
            tensor = reshape(tensor, _collapsed_shape(tensor, axis, ndims_mask))
        mask = reshape(mask, [-1])
        indices = squeeze(_math().where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


def _collapsed_shape(tensor, axis, ndims_mask):
    """shape(tensor) with dimensions axis..axis+ndims_mask-1 multiplied into one (a tensor)."""
    full = shape(tensor)
    leading = _math().reduce_prod(full[axis:axis + ndims_mask], [0])
    return concat([full[:axis], expand_dims(leading, 0), full[axis + ndims_mask:]], 0)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """``mask[i..., j] = j < lengths[i...]``, with ``maxlen`` (default max(lengths)) columns."""
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        m = _math()
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = m.reduce_max(lengths)
            maxlen = m.maximum(constant(0, dtype=maxlen.dtype), maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        row_vector = m.range(constant(0, dtype=maxlen.dtype), maxlen, constant(1, dtype=maxlen.dtype))
        # TF1 always emits this Cast (gen_math_ops.cast), even between equal dtypes, so the
        # final cast of a float mask is SequenceMask/Cast_1 as there
        matrix = apply_op("Cast", [expand_dims(lengths, -1)], {"DstT": maxlen.dtype},
                          name="Cast")
        result = m.less(row_vector, matrix)
        if dtype is None or result.dtype == dtypes.as_dtype(dtype):
            return result
        return m.cast(result, dtype)
