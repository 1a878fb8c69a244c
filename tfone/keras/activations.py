"""Keras activation functions, by name or callable (``activation='relu'``), as tf.keras 1.15.

``get(identifier)`` turns ``None`` into ``linear``, a name into the function of that name, and
passes callables through; ``serialize(fn)`` gives the name back, so layer configs stay JSON.
"""
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import math_ops

__all__ = ["softmax", "elu", "selu", "softplus", "softsign", "relu", "tanh", "sigmoid",
           "hard_sigmoid", "exponential", "linear", "get", "serialize", "deserialize"]


def _nn():
    from tfone import nn  # the nn namespace imports nothing from Keras
    return nn


def softmax(x, axis=-1):
    """Softmax over ``axis``; 2-D inputs use ``tf.nn.softmax``, higher ranks an explicit
    max-shifted exp / sum (as tf.keras does)."""
    x = convert_to_tensor(x)
    ndim = x.shape.ndims
    if ndim == 2:
        return _nn().softmax(x)
    if ndim is not None and ndim > 2:
        e = math_ops.exp(x - math_ops.reduce_max(x, axis=axis, keepdims=True))
        s = math_ops.reduce_sum(e, axis=axis, keepdims=True)
        return e / s
    raise ValueError("Cannot apply softmax to a tensor that is 1D (or of unknown rank). "
                     "Received input: %s" % (x,))


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    res = _nn().elu(x)
    if alpha == 1:
        return res
    return math_ops.where(math_ops.greater(x, 0), res, alpha * res)


def selu(x):
    """Scaled ELU: scale * elu(x, alpha) with the self-normalizing constants."""
    return _nn().selu(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return _nn().softplus(x)


def softsign(x):
    """x / (abs(x) + 1)."""
    return _nn().softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0):
    """Rectified linear unit, with Keras's options: ``alpha`` slope below ``threshold``,
    ``max_value`` saturation (``max_value=6`` uses relu6)."""
    nn = _nn()
    x = convert_to_tensor(x)
    if alpha != 0.:
        if max_value is None and threshold == 0:
            return nn.leaky_relu(x, alpha=alpha)
        if threshold != 0:
            negative_part = nn.relu(-x + threshold)
        else:
            negative_part = nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * math_ops.cast(math_ops.greater(x, threshold), x.dtype)
    elif max_value == 6:
        x = nn.relu6(x)
        clip_max = False
    else:
        x = nn.relu(x)
    if clip_max:
        x = math_ops.clip_by_value(x, convert_to_tensor(0., dtype=x.dtype),
                                   convert_to_tensor(max_value, dtype=x.dtype))
    if alpha != 0.:
        x -= convert_to_tensor(alpha, dtype=x.dtype) * negative_part
    return x


def tanh(x):
    """Hyperbolic tangent, element-wise."""
    return math_ops.tanh(x)


def sigmoid(x):
    """1 / (1 + exp(-x)), element-wise."""
    return math_ops.sigmoid(x)


def exponential(x):
    """exp(x), element-wise."""
    return math_ops.exp(x)


def hard_sigmoid(x):
    """Piecewise linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    x = convert_to_tensor(x)
    x = math_ops.add(math_ops.multiply(x, convert_to_tensor(0.2, dtype=x.dtype)),
                     convert_to_tensor(0.5, dtype=x.dtype))
    return math_ops.clip_by_value(x, convert_to_tensor(0., dtype=x.dtype),
                                  convert_to_tensor(1., dtype=x.dtype))


def linear(x):
    """The identity: no activation."""
    return x


_ACTIVATIONS = {fn.__name__: fn for fn in (softmax, elu, selu, softplus, softsign, relu, tanh,
                                           sigmoid, hard_sigmoid, exponential, linear)}


def serialize(activation):
    """The name of an activation function (or the config of an activation layer)."""
    if hasattr(activation, "get_config"):
        return {"class_name": type(activation).__name__, "config": activation.get_config()}
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError("Cannot serialize activation %r: it has no __name__" % (activation,))
    return name


def deserialize(name, custom_objects=None):
    """The activation function called ``name`` (or a custom object of that name)."""
    if isinstance(name, dict):
        from tfone.keras import layers
        return layers.deserialize(name, custom_objects=custom_objects)
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    from tfone.keras.utils.generic_utils import active_custom_objects
    scoped = active_custom_objects()   # keras.utils.CustomObjectScope (e.g. in load_model)
    if name in scoped:
        return scoped[name]
    try:
        return _ACTIVATIONS[name]
    except KeyError:
        raise ValueError("Unknown activation function: %s. Known activations: %s (pass "
                         "custom_objects= for your own)" % (name, ", ".join(sorted(_ACTIVATIONS)))
                         ) from None


def get(identifier):
    """None -> linear; a name -> that function; a callable -> itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret activation function identifier: %r (use a name such "
                     "as 'relu' or a callable)" % (identifier,))
