"""``tf.contrib.layers``: the initializers, regularizers and layers TF1 course code uses most.

    W = tf.get_variable("W", [784, 100], initializer=tf.contrib.layers.xavier_initializer(),
                        regularizer=tf.contrib.layers.l2_regularizer(1e-4))
    hidden = tf.contrib.layers.fully_connected(X, 100, scope="hidden1")   # relu by default

Formulas and names are TF 1.x's contrib ones (which differ from the core API in places:
``l2_regularizer(s)(w)`` is ``s * tf.nn.l2_loss(w)`` = ``s * sum(w**2) / 2``; the non-uniform
``variance_scaling_initializer`` draws from a truncated normal with stddev
``sqrt(1.3 * factor / n)``).
"""
import math
import numbers

from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, get_default_graph, name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import init_ops, math_ops, random_ops, variable_scope
from tfone.platform import tf_logging

__all__ = ["xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
           "l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization", "fully_connected", "flatten"]


# -- initializers --------------------------------------------------------------------------------
class _ContribVarianceScaling(init_ops.Initializer):
    def __init__(self, factor, mode, uniform, seed, dtype):
        self.factor, self.mode, self.uniform, self.seed = factor, mode, uniform, seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        dims = [int(d) for d in shape]
        fan_in, fan_out = init_ops._compute_fans(dims)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[
            self.mode]
        if self.uniform:
            limit = math.sqrt(3.0 * self.factor / n)
            return random_ops.random_uniform(dims, -limit, limit, dtype, seed=self.seed)
        return random_ops.truncated_normal(dims, 0.0, math.sqrt(1.3 * self.factor / n), dtype,
                                           seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode, "uniform": self.uniform,
                "seed": self.seed, "dtype": self.dtype.name}


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=dtypes.float32):
    """He et al.'s initializer (defaults): variance ``factor / n``, n the fan in, out or average
    (``mode`` 'FAN_IN', 'FAN_OUT', 'FAN_AVG'); uniform or truncated normal."""
    if not dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError("Unknown mode %s [FAN_IN, FAN_OUT, FAN_AVG]" % mode)
    return _ContribVarianceScaling(factor, mode, uniform, seed, dtype)


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """Glorot & Bengio's initializer: ``variance_scaling_initializer(1.0, 'FAN_AVG', uniform)``
    (uniform on +-sqrt(6 / (fan_in + fan_out)) by default, like tf.glorot_uniform_initializer)."""
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed,
                                        dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


# -- regularizers --------------------------------------------------------------------------------
def _check_scale(scale):
    if isinstance(scale, numbers.Integral):
        raise ValueError("scale cannot be an integer: %s" % (scale,))
    if isinstance(scale, numbers.Real):
        if scale < 0.:
            raise ValueError("Setting a scale less than 0 on a regularizer: %g" % scale)
        if scale == 0.:
            tf_logging.info("Scale of 0 disables regularizer.")
            return False
    return True


def l1_regularizer(scale, scope=None):
    """A function ``w -> scale * sum(|w|)`` (None when ``scale`` is 0)."""
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights, name=None):
        with name_scope(scope or "l1_regularizer") as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, math_ops.reduce_sum(math_ops.abs(weights)),
                                     name=name)
    return l1


def l2_regularizer(scale, scope=None):
    """A function ``w -> scale * tf.nn.l2_loss(w)`` = ``scale * sum(w**2) / 2`` (None when
    ``scale`` is 0)."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights):
        from tfone.ops import nn_ops
        with name_scope(scope or "l2_regularizer") as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, nn_ops.l2_loss(weights), name=name)
    return l2


def sum_regularizer(regularizer_list, scope=None):
    """A function adding the results of several regularizers (None entries are skipped)."""
    regularizer_list = [reg for reg in regularizer_list if reg is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with name_scope(scope or "sum_regularizer") as name:
            tensors = [t for t in (reg(weights) for reg in regularizer_list) if t is not None]
            return math_ops.add_n(tensors, name=name) if tensors else None
    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """``l1_regularizer(scale_l1)(w) + l2_regularizer(scale_l2)(w)``."""
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError("scale_l1 cannot be an integer: %s" % (scale_l1,))
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError("scale_l2 cannot be an integer: %s" % (scale_l2,))
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """The sum of ``regularizer(w)`` over ``weights_list`` (default: the WEIGHTS collection),
    also added to ``tf.GraphKeys.REGULARIZATION_LOSSES``."""
    if not weights_list:
        weights_list = get_default_graph().get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    from tfone.ops.constant_op import constant
    with name_scope("get_regularization_penalty") as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else constant(0.0) for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor "
                                 "with rank %d." % p.shape.ndims)
        summed = math_ops.add_n(penalties, name=scope)
    get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed


# -- layers --------------------------------------------------------------------------------------
_RELU = object()   # sentinel: activation_fn defaults to tf.nn.relu, as in TF1's contrib


def fully_connected(inputs, num_outputs, activation_fn=_RELU, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=None, weights_regularizer=None,
                    biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None,
                    reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """``activation_fn(inputs @ weights + biases)`` with variables ``<scope>/weights`` and
    ``<scope>/biases`` (default scope ``fully_connected``, ``fully_connected_1``...).

    Defaults as TF1's contrib: ReLU, Xavier (Glorot uniform) weights, zero biases. With
    ``normalizer_fn`` (e.g. a batch norm function) there are no biases and the normalizer is
    applied before the activation. Variables go to GLOBAL_VARIABLES, MODEL_VARIABLES and
    (trainable) TRAINABLE_VARIABLES, plus ``variables_collections``.
    """
    from tfone.ops import nn_ops
    if activation_fn is _RELU:
        activation_fn = nn_ops.relu
    if weights_initializer is None:
        weights_initializer = xavier_initializer()
    if not isinstance(num_outputs, numbers.Integral):
        raise ValueError("num_outputs type should be one of %s, got %s."
                         % ((int,), type(num_outputs)))
    graph = get_default_graph()
    with variable_scope.variable_scope(scope, default_name="fully_connected", reuse=reuse):
        inputs = convert_to_tensor(inputs)
        dtype = inputs.dtype.base_dtype
        in_dim = inputs.shape[-1] if inputs.shape.ndims else None
        in_dim = None if in_dim is None else getattr(in_dim, "value", in_dim)
        if in_dim is None:
            raise ValueError("fully_connected: the last dimension of the inputs must be known, "
                             "got shape %s" % inputs.shape)

        def collections(kind):
            names = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
            extra = variables_collections
            if isinstance(extra, dict):
                extra = extra.get(kind)
            names.extend(extra or [])
            return names

        weights = variable_scope.get_variable(
            "weights", [int(in_dim), int(num_outputs)], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            trainable=trainable, collections=collections("weights"))
        if inputs.shape.ndims == 2:
            outputs = math_ops.matmul(inputs, weights)
        else:
            outputs = math_ops.tensordot(inputs, weights, [[inputs.shape.ndims - 1], [0]])
        if normalizer_fn is None and biases_initializer is not None:
            biases = variable_scope.get_variable(
                "biases", [int(num_outputs)], dtype=dtype, initializer=biases_initializer,
                regularizer=biases_regularizer, trainable=trainable,
                collections=collections("biases"))
            outputs = nn_ops.bias_add(outputs, biases)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        if outputs_collections:
            for key in outputs_collections:
                graph.add_to_collection(key, outputs)
        return outputs


def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, ...] -> [batch, k] (``tf.layers.flatten`` inside name scope ``Flatten``)."""
    from tfone.layers.core import flatten as core_flatten
    with name_scope(scope or "Flatten"):
        outputs = core_flatten(convert_to_tensor(inputs))
    for key in outputs_collections or ():
        get_default_graph().add_to_collection(key, outputs)
    return outputs
