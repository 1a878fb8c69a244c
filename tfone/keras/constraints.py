"""Keras weight constraints (``kernel_constraint=keras.constraints.max_norm(2.)``).

A constraint is a callable ``c(weight) -> constrained weight``; ``add_weight`` stores it on the
variable (``variable.constraint``) and optimizers that support constraints apply it after each
update, as Keras does.
"""
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import math_ops

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "get", "serialize", "deserialize"]


def _epsilon(dtype):
    from tfone.keras import backend
    return convert_to_tensor(backend.epsilon(), dtype=dtype)


class Constraint:
    """Base class of weight constraints: called on a weight tensor after each update, returns the
    constrained weight."""
    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale weights whose norm along ``axis`` exceeds ``max_value``."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=self.axis,
                                                  keepdims=True))
        desired = math_ops.clip_by_value(norms, convert_to_tensor(0, dtype=w.dtype),
                                         convert_to_tensor(self.max_value, dtype=w.dtype))
        return w * (desired / (_epsilon(w.dtype) + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w * math_ops.cast(math_ops.greater_equal(w, 0.), w.dtype)


class UnitNorm(Constraint):
    """Divide weights by their norm along ``axis``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w / (_epsilon(w.dtype) + math_ops.sqrt(
            math_ops.reduce_sum(math_ops.square(w), axis=self.axis, keepdims=True)))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep the norm along ``axis`` between ``min_value`` and ``max_value`` (moving a fraction
    ``rate`` of the way there each time)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=self.axis,
                                                  keepdims=True))
        desired = (self.rate * math_ops.clip_by_value(
            norms, convert_to_tensor(self.min_value, dtype=w.dtype),
            convert_to_tensor(self.max_value, dtype=w.dtype)) + (1 - self.rate) * norms)
        return w * (desired / (_epsilon(w.dtype) + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_OBJECTS = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg,
            "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm,
            "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def serialize(constraint):
    """The config dict of a constraint: {'class_name': ..., 'config': ...}."""
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config, custom_objects=None):
    """A constraint rebuilt from its config dict (or class name)."""
    objects = dict(_OBJECTS)
    objects.update(custom_objects or {})
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Improper config format for a constraint: %r" % (config,))
    name = config["class_name"]
    if name not in objects:
        raise ValueError("Unknown constraint: %s. Known constraints: %s" % (
            name, ", ".join(sorted(objects))))
    cls = objects[name]
    args = dict(config.get("config") or {})
    return cls.from_config(args) if hasattr(cls, "from_config") else cls(**args)


def get(identifier):
    """A constraint from a name, a config dict or a callable (None stays None)."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret constraint identifier: %r" % (identifier,))
