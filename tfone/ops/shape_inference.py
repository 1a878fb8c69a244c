"""Shared static-shape helpers for op declarations (broadcasting, shape-valued inputs, axes)."""
import numpy as np

from tfone.framework.op_registry import constant_value
from tfone.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["broadcast_shape", "shape_from_tensor", "reduced_shape", "normalize_axes",
           "axes_from_tensor"]


def broadcast_shape(a, b):
    """Static numpy-style broadcast of two TensorShapes; ValueError if they cannot broadcast."""
    da, db = a.as_tuple(), b.as_tuple()
    if da == db:
        return a
    if da is None or db is None:
        return unknown_shape()
    n = max(len(da), len(db))
    da = (1,) * (n - len(da)) + da
    db = (1,) * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y if y is not None else None)
        elif y is None:
            out.append(x)
        elif x == y:
            out.append(x)
        else:
            raise ValueError("Incompatible shapes for broadcasting: %s and %s" % (a, b))
    return TensorShape(out)


def shape_from_tensor(tensor):
    """What is statically known about the shape that a 1-D int ``tensor`` holds.

    Constants give a full shape; ``tf.stack([...])`` of scalars gives the known entries;
    ``tf.shape(x)`` gives x's static shape; otherwise only the length may be known.
    """
    value = constant_value(tensor)
    if value is not None:
        value = np.asarray(value)
        if value.ndim == 0:
            return TensorShape([int(value)])
        return TensorShape([None if d < 0 else int(d) for d in value.tolist()])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack" and op.get_attr("axis") == 0:
        dims = []
        for t in op.inputs:
            v = constant_value(t)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape(dims)
    if op.type == "ConcatV2":
        parts = [shape_from_tensor(t) for t in op.inputs[:-1]]
        if all(p.ndims is not None for p in parts):
            return TensorShape(sum((p.as_list() for p in parts), []))
    length = tensor.shape.as_tuple()
    if length is not None and len(length) == 1 and length[0] is not None:
        return unknown_shape(length[0])
    return unknown_shape()


def normalize_axes(axes, ndims, op_name):
    """Axes as sorted non-negative ints, validated against ``ndims`` (ValueError if out of range)."""
    out = []
    for a in np.atleast_1d(np.asarray(axes)).tolist():
        a = int(a)
        if not -ndims <= a < max(ndims, 1 if ndims == 0 else ndims):
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions" % (a, ndims))
        out.append(a % ndims if ndims else 0)
    return sorted(set(out))


def axes_from_tensor(axis_tensor):
    """Constant axes of a reduction, or None if they are only known at run time."""
    value = constant_value(axis_tensor)
    return None if value is None else np.atleast_1d(np.asarray(value)).tolist()


def reduced_shape(shape, axes, keepdims):
    """Static result shape of reducing ``shape`` over ``axes`` (None = all axes)."""
    dims = shape.as_tuple()
    if dims is None:
        return unknown_shape()
    if axes is None:
        return TensorShape([1] * len(dims) if keepdims else [])
    axes = set(normalize_axes(axes, len(dims), "reduce")) if len(axes) else set()
    if keepdims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])
