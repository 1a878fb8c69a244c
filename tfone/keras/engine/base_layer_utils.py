"""Small helpers shared by Keras layers: nested structures, snake_case names, ``smart_cond``."""
import re

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Tensor
from tfone.framework.op_registry import constant_value, convert_to_tensor, is_tensor_like

__all__ = ["flatten", "map_structure", "pack_sequence_as", "to_list", "to_snake_case",
           "static_value", "smart_cond", "convert_shape"]


def flatten(structure):
    """The leaves of nested lists / tuples / dicts (dicts in sorted key order), in order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat):
    """Rebuild ``structure`` with the leaves ``flat`` (namedtuples keep their type)."""
    flat = list(flat)
    position = [0]

    def build(s):
        if isinstance(s, dict):
            return {k: build(s[k]) for k in sorted(s)}
        if isinstance(s, (list, tuple)):
            items = [build(item) for item in s]
            if isinstance(s, tuple) and hasattr(s, "_fields"):
                return type(s)(*items)
            return type(s)(items)
        value = flat[position[0]]
        position[0] += 1
        return value
    result = build(structure)
    if position[0] != len(flat):
        raise ValueError("Structure had %d leaves but %d values were given"
                         % (position[0], len(flat)))
    return result


def map_structure(fn, *structures):
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def to_list(x):
    """``x`` as a list (a list stays itself, a tuple becomes a list, anything else [x])."""
    if isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    return [x]


def to_snake_case(name):
    """``Conv2D`` -> ``conv2d``, ``MaxPooling2D`` -> ``max_pooling2d``, ``LeakyReLU`` ->
    ``leaky_re_lu`` (Keras's rule for default layer names)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


def static_value(pred):
    """A Python bool for ``pred`` if known while building the graph, else None."""
    if pred is None:
        return None
    if isinstance(pred, (bool, int, np.bool_, np.integer)):
        return bool(pred)
    if is_tensor_like(pred):
        value = constant_value(convert_to_tensor(pred))
        return None if value is None else bool(value)
    raise TypeError("Expected a bool, 0/1 or a scalar bool tensor, got %r" % (pred,))


def smart_cond(pred, true_fn, false_fn, name=None):
    """``true_fn()`` or ``false_fn()`` chosen while building when ``pred`` is known (a Python
    bool, 0/1, or a constant); otherwise a ``tf.cond``, which runs only the taken branch."""
    value = static_value(pred)
    if value is not None:
        return true_fn() if value else false_fn()
    from tfone.ops import control_flow_ops, math_ops
    pred = convert_to_tensor(pred)
    if pred.dtype != dtypes.bool:
        pred = math_ops.cast(pred, dtypes.bool)
    return control_flow_ops.cond(pred, true_fn, false_fn, name=name)


def convert_shape(shape):
    """A TensorShape / list of dims as a tuple of ints and None (nested lists of shapes too)."""
    from tfone.framework.tensor_shape import TensorShape, Dimension
    if shape is None:
        return None
    if isinstance(shape, TensorShape):
        dims = shape.as_tuple()
        return None if dims is None else tuple(dims)
    if isinstance(shape, (list, tuple)) and all(
            d is None or isinstance(d, (int, Dimension)) for d in shape):
        return tuple(None if d is None else (d.value if isinstance(d, Dimension) else int(d))
                     for d in shape)
    if isinstance(shape, (list, tuple)):
        return [convert_shape(s) for s in shape]
    raise TypeError("Not a shape: %r" % (shape,))


def is_tensor(x):
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")
