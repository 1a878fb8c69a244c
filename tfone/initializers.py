"""``tf.initializers`` (TF1 names), plus the Keras 2 initializer names for ``tf.keras``.

TF1 names: ``tf.initializers.zeros()``, ``glorot_uniform(seed=0)``, ``he_normal()``, ...
(the classes of ``tfone.ops.init_ops``), and ``global_variables()`` / ``local_variables()`` /
``variables(var_list)``, which return initializer *ops* for variables.

Keras names (``Zeros``, ``RandomNormal``, ``glorot_uniform``, ..., ``get``, ``serialize``,
``deserialize``) follow ``tf.keras.initializers`` of TF 1.15: the same classes, except that
``RandomNormal``, ``RandomUniform`` and ``TruncatedNormal`` have Keras's small defaults
(stddev 0.05, range [-0.05, 0.05)) instead of TF1's (stddev 1, range [0, 1)).
``keras_namespace()`` gives them all (with Keras's lower-case aliases such as ``normal``) for
``tfone.keras.initializers`` to re-export; the lower-case names of this module are TF1's.
"""
from tfone.framework import dtypes
from tfone.ops import init_ops
from tfone.ops.init_ops import (  # noqa: F401
    Initializer, Zeros, Ones, Constant, VarianceScaling, Orthogonal, Identity, GlorotUniform,
    GlorotNormal, lecun_normal, lecun_uniform, he_normal, he_uniform)
from tfone.ops.variables import (  # noqa: F401
    global_variables_initializer as global_variables,
    local_variables_initializer as local_variables, variables_initializer as variables)

# -- tf.initializers (TF1) -------------------------------------------------------------------------
zeros = Zeros
ones = Ones
constant = Constant
random_uniform = init_ops.RandomUniform
random_normal = init_ops.RandomNormal
truncated_normal = init_ops.TruncatedNormal
uniform_unit_scaling = init_ops.UniformUnitScaling
variance_scaling = VarianceScaling
orthogonal = Orthogonal
identity = Identity
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal

TF1_NAMES = ("zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal",
             "uniform_unit_scaling", "variance_scaling", "orthogonal", "identity",
             "glorot_uniform", "glorot_normal", "lecun_normal", "lecun_uniform", "he_normal",
             "he_uniform", "global_variables", "local_variables", "variables")


# -- tf.keras.initializers (Keras 2 defaults) ---------------------------------------------------------
class RandomNormal(init_ops.RandomNormal):
    """Keras's normal initializer: mean 0, stddev 0.05 by default."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class RandomUniform(init_ops.RandomUniform):
    """Keras's uniform initializer: [-0.05, 0.05) by default."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)


class TruncatedNormal(init_ops.TruncatedNormal):
    """Keras's truncated normal initializer: mean 0, stddev 0.05 by default."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


_KERAS_ALIASES = {
    "zero": Zeros, "zeros": Zeros, "one": Ones, "ones": Ones, "constant": Constant,
    "uniform": RandomUniform, "random_uniform": RandomUniform, "normal": RandomNormal,
    "random_normal": RandomNormal, "truncated_normal": TruncatedNormal, "identity": Identity,
    "orthogonal": Orthogonal, "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform,
}


def keras_namespace():
    """{name: object} of ``tf.keras.initializers`` (Keras defaults for the lower-case aliases
    too: ``normal`` is Keras's RandomNormal with stddev 0.05)."""
    objects = {cls.__name__: cls for cls in (
        Initializer, Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
        VarianceScaling, Orthogonal, Identity, GlorotNormal, GlorotUniform)}
    objects.update({fn.__name__: fn for fn in (lecun_normal, lecun_uniform, he_normal,
                                               he_uniform, get, serialize, deserialize)})
    objects.update(_KERAS_ALIASES)
    return objects


def serialize(initializer):
    """Keras's ``{'class_name': ..., 'config': ...}`` description of an initializer."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config, custom_objects=None):
    """Build an initializer from ``serialize``'s dict (Keras class names and aliases)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Improper config format for an initializer: %r (expected a dict with "
                         "'class_name' and 'config')" % (config,))
    objects = keras_namespace()
    objects.update(custom_objects or {})
    name = config["class_name"]
    if name not in objects:
        raise ValueError("Unknown initializer: %s. Known initializers: %s (pass custom_objects= "
                         "for your own)" % (name, ", ".join(sorted(objects))))
    cls = objects[name]
    args = dict(config.get("config") or {})
    if hasattr(cls, "from_config"):
        return cls.from_config(args)
    return cls(**args)


def get(identifier):
    """Keras's lookup: None, a name ('he_normal'), a serialized dict, or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret initializer identifier: %r" % (identifier,))


__all__ = list(TF1_NAMES) + ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal",
                             "RandomUniform", "TruncatedNormal", "VarianceScaling", "Orthogonal",
                             "Identity", "GlorotNormal", "GlorotUniform", "get", "serialize",
                             "deserialize", "keras_namespace"]
