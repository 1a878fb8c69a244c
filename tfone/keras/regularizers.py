"""Keras weight regularizers: ``l1``, ``l2``, ``l1_l2`` (default factor 0.01), as tf.keras 1.15.

A regularizer is a callable ``r(weight) -> scalar tensor``; layers add it to their ``losses``
(``kernel_regularizer=keras.regularizers.l2(0.01)`` or ``kernel_regularizer='l2'``).
"""
import numpy as np

from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import math_ops

__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1_l2", "get", "serialize", "deserialize"]


class Regularizer:
    """Base class: subclasses implement ``__call__(x)`` and ``get_config()``."""

    def __call__(self, x):
        return 0.

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``."""

    def __init__(self, l1=0., l2=0.):  # noqa: E741 - Keras's argument names
        from tfone.keras import backend
        self.l1 = backend.cast_to_floatx(l1)
        self.l2 = backend.cast_to_floatx(l2)

    def __call__(self, x):
        x = convert_to_tensor(x)
        if not self.l1 and not self.l2:
            return convert_to_tensor(np.zeros((), dtype=x.dtype.as_numpy_dtype))
        regularization = 0.
        if self.l1:
            regularization += convert_to_tensor(self.l1, dtype=x.dtype) * math_ops.reduce_sum(
                math_ops.abs(x))
        if self.l2:
            regularization += convert_to_tensor(self.l2, dtype=x.dtype) * math_ops.reduce_sum(
                math_ops.square(x))
        return regularization

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}

    def __repr__(self):
        return "L1L2(l1=%g, l2=%g)" % (self.l1, self.l2)


def l1(l=0.01):  # noqa: E741
    """A regularizer adding ``l * sum(|w|)`` to the loss."""
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    """A regularizer adding ``l * sum(w ** 2)`` to the loss."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: E741
    """A regularizer adding ``l1 * sum(|w|) + l2 * sum(w ** 2)`` to the loss."""
    return L1L2(l1=l1, l2=l2)


_OBJECTS = {"Regularizer": Regularizer, "L1L2": L1L2, "l1": l1, "l2": l2, "l1_l2": l1_l2}


def serialize(regularizer):
    """``{'class_name': 'L1L2', 'config': {...}}`` (None stays None)."""
    if regularizer is None:
        return None
    if not hasattr(regularizer, "get_config"):
        name = getattr(regularizer, "__name__", None)
        if name is None:
            raise ValueError("Cannot serialize regularizer %r" % (regularizer,))
        return name
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config, custom_objects=None):
    """A regularizer rebuilt from its config dict (or class name)."""
    objects = dict(_OBJECTS)
    objects.update(custom_objects or {})
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Improper config format for a regularizer: %r" % (config,))
    name = config["class_name"]
    if name not in objects:
        raise ValueError("Unknown regularizer: %s. Known regularizers: %s (pass custom_objects= "
                         "for your own)" % (name, ", ".join(sorted(objects))))
    cls = objects[name]
    args = dict(config.get("config") or {})
    if hasattr(cls, "from_config"):
        return cls.from_config(args)
    return cls(**args)


def get(identifier):
    """None, a name ('l2', with the default factor 0.01), a serialized dict, or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret regularizer identifier: %r" % (identifier,))
