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
           "apply_regularization", "fully_connected", "flatten", "batch_norm"]


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


# -- batch normalization ---------------------------------------------------------------------
def _collections_for(variables_collections, name):
    """contrib's get_variable_collections: a dict gives per-variable collections."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def _model_variable(name, shape, dtype, initializer, trainable, collections, regularizer=None):
    """contrib's model_variable: also in GLOBAL_VARIABLES and MODEL_VARIABLES."""
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable_scope.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                       regularizer=regularizer, trainable=trainable,
                                       collections=list(dict.fromkeys(collections)))


def _model_variable_getter(getter, name, collections=None, **kwargs):
    # As contrib's layer_variable_getter: core-layer variables become model variables.
    collections = list(collections or [GraphKeys.GLOBAL_VARIABLES])
    collections.append(GraphKeys.MODEL_VARIABLES)
    return getter(name, collections=list(dict.fromkeys(collections)), **kwargs)


def _add_to_collections(variable, variables_collections, name):
    graph = get_default_graph()
    for key in _collections_for(variables_collections, name) or []:
        if not any(v is variable for v in graph.get_collection(key)):
            graph.add_to_collection(key, variable)


def _constant_bool(is_training):
    from tfone.framework.op_registry import constant_value, is_tensor_like
    if is_tensor_like(is_training):
        value = constant_value(convert_to_tensor(is_training))
        return None if value is None else bool(value)
    return bool(is_training)


def _finish(outputs, activation_fn, outputs_collections):
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    for key in outputs_collections or ():
        get_default_graph().add_to_collection(key, outputs)
    return outputs


def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False, renorm_clipping=None,
               renorm_decay=0.99, adjustment=None):
    """Batch normalization with contrib's names and defaults (scope ``BatchNorm``; variables
    ``beta``, ``moving_mean``, ``moving_variance``, and ``gamma`` only with ``scale=True``).

    Training (``is_training`` True or a bool tensor) normalizes with the batch statistics and
    moves ``moving_mean``/``moving_variance`` by ``decay``; the update ops go to
    ``updates_collections`` (default ``tf.GraphKeys.UPDATE_OPS``: run them with the train op)
    or, with ``updates_collections=None``, run whenever the output is computed. As TF 1.x,
    2-D and 4-D inputs use ``tf.nn.fused_batch_norm`` (its Bessel-corrected batch variance
    feeds the moving variance); ``fused=False`` or other ranks use ``tf.nn.moments``.
    """
    if batch_weights is not None or renorm or adjustment is not None:
        raise ValueError("tf.contrib.layers.batch_norm: batch_weights, renorm and adjustment "
                         "are not supported by tfone.")
    if fused is None:
        fused = True
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.ndims
    default_updates = updates_collections == GraphKeys.UPDATE_OPS
    if fused and rank in (2, 4) and (zero_debias_moving_mean or rank == 2 or
                                     not default_updates):
        return _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                 param_initializers, param_regularizers, updates_collections,
                                 is_training, reuse, variables_collections, outputs_collections,
                                 trainable, data_format, zero_debias_moving_mean, scope)
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse,
                                       custom_getter=_model_variable_getter) as sc:
        if default_updates and not zero_debias_moving_mean:
            return _core_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                    param_initializers, param_regularizers, is_training, reuse,
                                    variables_collections, outputs_collections, trainable,
                                    fused and rank == 4, data_format, sc)
        return _moments_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                                   param_initializers, updates_collections, is_training,
                                   variables_collections, outputs_collections, trainable,
                                   data_format, zero_debias_moving_mean)


def _core_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers,
                     param_regularizers, is_training, reuse, variables_collections,
                     outputs_collections, trainable, fused, data_format, sc):
    """The path through tf.layers' BatchNormalization (updates in UPDATE_OPS)."""
    from tfone.layers.normalization import BatchNormalization
    initializers = param_initializers or {}
    regularizers = param_regularizers or {}
    layer = BatchNormalization(
        axis=1 if data_format == "NCHW" else -1, momentum=decay, epsilon=epsilon,
        center=center, scale=scale,
        beta_initializer=initializers.get("beta", init_ops.zeros_initializer()),
        gamma_initializer=initializers.get("gamma", init_ops.ones_initializer()),
        moving_mean_initializer=initializers.get("moving_mean", init_ops.zeros_initializer()),
        moving_variance_initializer=initializers.get("moving_variance",
                                                     init_ops.ones_initializer()),
        beta_regularizer=regularizers.get("beta"), gamma_regularizer=regularizers.get("gamma"),
        trainable=trainable, name=sc.name, _scope=sc, _reuse=reuse, fused=fused)
    outputs = layer.apply(inputs, training=is_training)
    for name in ("moving_mean", "moving_variance", "beta", "gamma"):
        variable = getattr(layer, name)
        if variable is not None:
            _add_to_collections(variable, variables_collections, name)
    return _finish(outputs, activation_fn, outputs_collections)


def _moments_batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
                        param_initializers, updates_collections, is_training,
                        variables_collections, outputs_collections, trainable, data_format,
                        zero_debias_moving_mean):
    """contrib's own implementation with tf.nn.moments (custom updates_collections, None, or
    zero_debias_moving_mean, when the fused path is off)."""
    from tfone.ops import array_ops, control_flow_ops, nn_ops
    from tfone.framework.graph import control_dependencies
    from tfone.train import moving_averages
    shape = inputs.shape
    rank = shape.ndims
    if rank is None:
        raise ValueError("Inputs %s has undefined rank." % inputs.name)
    dtype = inputs.dtype.base_dtype
    if data_format == "NCHW":
        moments_axes = [0] + list(range(2, rank))
        params_shape = shape[1:2]
        broadcast = [1, shape.as_list()[1]] + [1] * (rank - 2)
    else:
        moments_axes = list(range(rank - 1))
        params_shape = shape[-1:]
        broadcast = None
    if not params_shape.is_fully_defined():
        raise ValueError("Inputs %s has undefined channels dimension %s."
                         % (inputs.name, params_shape))
    initializers = param_initializers or {}

    def make(name, default, trainable_variable):
        return _model_variable(name, params_shape, dtype, initializers.get(name, default),
                               trainable_variable,
                               _collections_for(variables_collections, name))
    beta = make("beta", init_ops.zeros_initializer(), trainable) if center else None
    gamma = make("gamma", init_ops.ones_initializer(), trainable) if scale else None
    moving_mean = make("moving_mean", init_ops.zeros_initializer(), False)
    moving_variance = make("moving_variance", init_ops.ones_initializer(), False)

    training_value = _constant_bool(is_training)
    if training_value is None or training_value:
        if data_format == "NCHW":
            mean, variance = nn_ops.moments(inputs, moments_axes, keep_dims=True)
            mean = array_ops.reshape(mean, [-1])
            variance = array_ops.reshape(variance, [-1])
        else:
            mean, variance = nn_ops.moments(inputs, moments_axes)

        def moving_vars():
            return moving_mean.value(), moving_variance.value()

        def updates():
            return (moving_averages.assign_moving_average(moving_mean, mean, decay,
                                                          zero_debias=zero_debias_moving_mean),
                    moving_averages.assign_moving_average(moving_variance, variance, decay,
                                                          zero_debias=False))
        if updates_collections is None:
            def forced_updates():
                with control_dependencies(list(updates())):
                    return array_ops.identity(mean), array_ops.identity(variance)
            mean, variance = control_flow_ops.smart_cond(is_training, forced_updates,
                                                         moving_vars)
        else:
            update_mean, update_variance = control_flow_ops.smart_cond(is_training, updates,
                                                                       moving_vars)
            graph = get_default_graph()
            graph.add_to_collections(updates_collections, update_mean)
            graph.add_to_collections(updates_collections, update_variance)
            batch_mean, batch_variance = mean, variance
            mean, variance = control_flow_ops.smart_cond(
                is_training, lambda: (batch_mean, batch_variance), moving_vars)
    else:
        mean, variance = moving_mean.value(), moving_variance.value()
    if broadcast is not None:
        mean, variance = (array_ops.reshape(mean, broadcast),
                          array_ops.reshape(variance, broadcast))
        beta = None if beta is None else array_ops.reshape(beta, broadcast)
        gamma = None if gamma is None else array_ops.reshape(gamma, broadcast)
    outputs = nn_ops.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
    outputs.set_shape(shape)
    return _finish(outputs, activation_fn, outputs_collections)


def _fused_batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers,
                      param_regularizers, updates_collections, is_training, reuse,
                      variables_collections, outputs_collections, trainable, data_format,
                      zero_debias_moving_mean, scope):
    """contrib's fused path (2-D inputs are reshaped to [N, 1, 1, C]); float32 variables."""
    from tfone.ops import array_ops, control_flow_ops, nn_ops
    from tfone.framework.graph import control_dependencies
    from tfone.ops.constant_op import constant
    from tfone.train import moving_averages
    if data_format not in ("NCHW", "NHWC"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse):
        original_shape = inputs.shape
        original_inputs = inputs
        if original_shape.ndims == 2:
            channels = original_shape.as_list()[-1]
            if channels is None:
                raise ValueError("`C` dimension must be known but is None")
            new_shape = [-1, channels, 1, 1] if data_format == "NCHW" else [-1, 1, 1, channels]
            inputs = array_ops.reshape(inputs, new_shape)
        inputs_shape = inputs.shape
        params_shape = inputs_shape[-1:] if data_format == "NHWC" else inputs_shape[1:2]
        if not params_shape.is_fully_defined():
            raise ValueError("Inputs %s has undefined `C` dimension %s."
                             % (inputs.name, params_shape))
        initializers = param_initializers or {}
        regularizers = param_regularizers or {}

        def make(name, default, trainable_variable, regularizer=None):
            return _model_variable(name, params_shape, dtypes.float32,
                                   initializers.get(name, default), trainable_variable,
                                   _collections_for(variables_collections, name), regularizer)
        if center:
            beta = make("beta", init_ops.zeros_initializer(), trainable, regularizers.get("beta"))
        else:
            beta = constant(0.0, dtype=dtypes.float32, shape=params_shape.as_list())
        if scale:
            gamma = make("gamma", init_ops.ones_initializer(), trainable,
                         regularizers.get("gamma"))
        else:
            gamma = constant(1.0, dtype=dtypes.float32, shape=params_shape.as_list())
        moving_mean = make("moving_mean", init_ops.zeros_initializer(), False)
        moving_variance = make("moving_variance", init_ops.ones_initializer(), False)

        def training():
            return nn_ops.fused_batch_norm(inputs, gamma, beta, epsilon=epsilon,
                                           data_format=data_format)

        def inference():
            return nn_ops.fused_batch_norm(inputs, gamma, beta, mean=moving_mean,
                                           variance=moving_variance, epsilon=epsilon,
                                           is_training=False, data_format=data_format)
        outputs, mean, variance = control_flow_ops.smart_cond(is_training, training, inference)

        def updates():
            return (moving_averages.assign_moving_average(moving_mean, mean, decay,
                                                          zero_debias=zero_debias_moving_mean),
                    moving_averages.assign_moving_average(moving_variance, variance, decay,
                                                          zero_debias=False))
        training_value = _constant_bool(is_training)
        if training_value is None or training_value:
            if updates_collections is None:
                computed = outputs

                def forced_updates():
                    with control_dependencies(list(updates())):
                        return array_ops.identity(computed)
                outputs = control_flow_ops.smart_cond(is_training, forced_updates,
                                                      lambda: computed)
            else:
                update_mean, update_variance = control_flow_ops.smart_cond(
                    is_training, updates,
                    lambda: (moving_mean.value(), moving_variance.value()))
                graph = get_default_graph()
                graph.add_to_collections(updates_collections, update_mean)
                graph.add_to_collections(updates_collections, update_variance)
        outputs.set_shape(inputs_shape)
        if original_shape.ndims == 2:
            outputs = array_ops.reshape(outputs, array_ops.shape(original_inputs))
        return _finish(outputs, activation_fn, outputs_collections)
