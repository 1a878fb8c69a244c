"""``keras.losses``: Keras 2 loss functions and loss classes, built as tfone graph ops.

Loss *functions* take ``(y_true, y_pred)`` and return one loss per sample (the mean over the
last axis, as Keras does): ``binary_crossentropy``, ``categorical_crossentropy``,
``sparse_categorical_crossentropy``, ``mean_squared_error`` (``mse``),
``mean_absolute_error`` (``mae``), ``mean_absolute_percentage_error`` (``mape``),
``mean_squared_logarithmic_error`` (``msle``), ``hinge``, ``squared_hinge``,
``categorical_hinge``, ``huber_loss`` (``huber``), ``logcosh``, ``poisson``,
``kullback_leibler_divergence`` (``kl_divergence``, ``kld``), ``cosine_similarity``.

Loss *classes* (``BinaryCrossentropy(from_logits=False, label_smoothing=0)``, ...) wrap them
and reduce with a sample weight: ``loss(y_true, y_pred, sample_weight)`` is
``sum(per_sample_loss * sample_weight) / number_of_losses`` (Keras's SUM_OVER_BATCH_SIZE).

Cross-entropies are computed as Keras computes them: when ``y_pred`` is the output of a
``Sigmoid`` / ``Softmax`` op (e.g. ``Dense(..., activation='sigmoid')``), the logits feeding
that op are used with the fused, numerically stable ``*_cross_entropy_with_logits`` ops;
otherwise probabilities are clipped to ``[epsilon, 1 - epsilon]`` first.
"""
from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops
from tfone.keras.utils.generic_utils import (deserialize_keras_object, serialize_keras_object,
                                             to_snake_case)

__all__ = [
    "Reduction", "Loss", "LossFunctionWrapper", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Hinge", "SquaredHinge",
    "CategoricalHinge", "Huber", "LogCosh", "Poisson", "KLDivergence", "CosineSimilarity",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge", "huber_loss",
    "logcosh", "poisson", "kullback_leibler_divergence", "cosine_similarity",
    "cosine_proximity", "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kl_divergence", "huber", "log_cosh", "get", "serialize", "deserialize",
    "compute_weighted_loss"]


def _epsilon():
    from tfone.keras import backend
    return backend.epsilon()


def _nn():
    from tfone.ops import nn_ops
    return nn_ops


def _const(value, dtype):
    return convert_to_tensor(value, dtype=dtype)


def _prepare(y_true, y_pred):
    """y_pred as a tensor and y_true cast to its dtype (Keras's first two lines)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = math_ops.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def _mean_last(x):
    return math_ops.reduce_mean(x, axis=-1)


# -- backend-level cross-entropies (keras.backend.*_crossentropy) ---------------------------------
def _logits_of(output, op_type):
    """The input of ``output``'s op if that op is ``op_type`` (Sigmoid/Softmax), else None."""
    op = getattr(output, "op", None)
    if op is not None and op.type == op_type and len(op.inputs) == 1:
        return op.inputs[0]
    return None


def backend_binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (``keras.backend.binary_crossentropy``)."""
    output = convert_to_tensor(output)
    target = convert_to_tensor(target, dtype=output.dtype)
    if not from_logits:
        logits = _logits_of(output, "Sigmoid")
        if logits is None:
            eps = _epsilon()
            output = math_ops.clip_by_value(output, _const(eps, output.dtype),
                                            _const(1.0 - eps, output.dtype))
            bce = target * math_ops.log(output + eps)
            bce += (1 - target) * math_ops.log(1 - output + eps)
            return -bce
        output = logits
    return _nn().sigmoid_cross_entropy_with_logits(labels=target, logits=output)


def backend_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against probability rows (``keras.backend.categorical_crossentropy``)."""
    output = convert_to_tensor(output)
    target = convert_to_tensor(target, dtype=output.dtype)
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            output = output / math_ops.reduce_sum(output, axis, True)
            eps = _epsilon()
            output = math_ops.clip_by_value(output, _const(eps, output.dtype),
                                            _const(1.0 - eps, output.dtype))
            return -math_ops.reduce_sum(target * math_ops.log(output), axis)
        output = logits
    return _nn().softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)


def backend_sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against integer class ids (``keras.backend.sparse_categorical_crossentropy``).

    ``target`` may have the shape of ``output`` without its class axis, or with a class axis
    of size 1; it is flattened against ``output`` reshaped to ``[-1, classes]``.
    """
    output = convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            eps = _epsilon()
            output = math_ops.clip_by_value(output, _const(eps, output.dtype),
                                            _const(1.0 - eps, output.dtype))
            output = math_ops.log(output)
        else:
            output = logits
    rank = output.shape.ndims
    if rank is None:
        raise ValueError("sparse_categorical_crossentropy needs an output of known rank, got %s"
                         % (output,))
    axis %= rank
    if axis != rank - 1:
        perm = [i for i in range(rank) if i != axis] + [axis]
        output = array_ops.transpose(output, perm)
    target = math_ops.cast(target, dtypes.int64)
    output_shape = array_ops.shape(output)
    target_rank = target.shape.ndims
    update_shape = target_rank is not None and target_rank != rank - 1
    if update_shape:
        target = array_ops.reshape(target, [-1])
        classes = output.shape.as_tuple()[-1]
        output = array_ops.reshape(output, [-1, classes if classes is not None
                                            else output_shape[-1]])
    res = _nn().sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update_shape and rank >= 3:
        return array_ops.reshape(res, output_shape[:-1])
    return res


# -- loss functions ----------------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)**2, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(math_ops.squared_difference(y_pred, y_true))


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(math_ops.abs(y_pred - y_true))


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = math_ops.abs((y_true - y_pred) / math_ops.maximum(math_ops.abs(y_true), _epsilon()))
    return 100. * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))**2, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    first = math_ops.log(math_ops.maximum(y_pred, _epsilon()) + 1.)
    second = math_ops.log(math_ops.maximum(y_true, _epsilon()) + 1.)
    return _mean_last(math_ops.squared_difference(first, second))


def _maybe_convert_labels(y_true):
    """Hinge losses take labels in {-1, 1}; labels given in {0, 1} are converted (2y - 1)."""
    are_zeros = math_ops.equal(y_true, 0)
    are_ones = math_ops.equal(y_true, 1)
    is_binary = math_ops.cast(math_ops.reduce_all(math_ops.logical_or(are_zeros, are_ones)),
                              y_true.dtype)
    # (tf.cond in Keras; the blend picks exactly one of the two since is_binary is 0 or 1)
    return is_binary * (2. * y_true - 1.) + (1. - is_binary) * y_true


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)**2, axis=-1); labels in {-1, 1} (or {0, 1})."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return _mean_last(math_ops.square(math_ops.maximum(1. - y_true * y_pred, 0.)))


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1); labels in {-1, 1} (or {0, 1})."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return _mean_last(math_ops.maximum(1. - y_true * y_pred, 0.))


def categorical_hinge(y_true, y_pred):
    """max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1) per sample."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = math_ops.reduce_sum(y_true * y_pred, axis=-1)
    neg = math_ops.reduce_max((1. - y_true) * y_pred, axis=-1)
    return math_ops.maximum(0., neg - pos + 1.)


def huber_loss(y_true, y_pred, delta=1.0):
    """mean(0.5 * e**2 where |e| <= delta, else delta * |e| - 0.5 * delta**2), e = y_pred - y_true."""
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = _const(delta, y_pred.dtype)
    abs_error = math_ops.abs(y_pred - y_true)
    quadratic = math_ops.minimum(abs_error, delta)
    linear = abs_error - quadratic
    return _mean_last(0.5 * quadratic * quadratic + delta * linear)


def logcosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed stably."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return _mean_last(x + _nn().softplus(-2. * x) - math_ops.log(_const(2., x.dtype)))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """Cross-entropy of one-hot (or probability) targets; ``label_smoothing`` mixes the
    targets with the uniform distribution."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        classes = y_pred.shape.as_tuple()[-1]
        num_classes = (_const(classes, y_pred.dtype) if classes is not None else
                       math_ops.cast(array_ops.shape(y_true)[-1], y_pred.dtype))
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return backend_categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Cross-entropy of integer class targets (shape (n,) or (n, 1))."""
    return backend_sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                   axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0):
    """mean over the last axis of the binary cross-entropy of targets in [0, 1]."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _mean_last(backend_binary_crossentropy(y_true, y_pred, from_logits=from_logits))


def kullback_leibler_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = _epsilon()
    y_true = math_ops.clip_by_value(y_true, _const(eps, y_true.dtype), _const(1., y_true.dtype))
    y_pred = math_ops.clip_by_value(y_pred, _const(eps, y_pred.dtype), _const(1., y_pred.dtype))
    return math_ops.reduce_sum(y_true * math_ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(y_pred - y_true * math_ops.log(y_pred + _epsilon()))


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 when they point the same way."""
    y_true, y_pred = _prepare(y_true, y_pred)
    nn = _nn()
    y_true = nn.l2_normalize(y_true, axis=axis)
    y_pred = nn.l2_normalize(y_pred, axis=axis)
    return -math_ops.reduce_sum(y_true * y_pred, axis=axis)


cosine_proximity = cosine_similarity
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
huber = huber_loss
log_cosh = logcosh


# -- reduction ---------------------------------------------------------------------------------------
class Reduction:
    """How a Loss object reduces per-sample losses (``tf.keras.losses.Reduction``)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %r; use one of %s" % (key, cls.all()))


def _match_weight_rank(losses, sample_weight):
    """Squeeze a trailing 1 or add trailing axes so ``sample_weight`` broadcasts to ``losses``."""
    lrank, wrank = losses.shape.ndims, sample_weight.shape.ndims
    if lrank is None or wrank is None:
        return sample_weight
    if wrank == lrank + 1 and sample_weight.shape.as_tuple()[-1] in (1, None):
        return array_ops.squeeze(sample_weight, [-1])
    while wrank < lrank and wrank > 0:
        sample_weight = array_ops.expand_dims(sample_weight, -1)
        wrank += 1
    return sample_weight


def scale_losses_by_sample_weight(losses, sample_weight):
    losses = convert_to_tensor(losses)
    sample_weight = math_ops.cast(sample_weight, losses.dtype)
    return losses * _match_weight_rank(losses, sample_weight)


def reduce_weighted_loss(weighted_losses, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    if reduction == Reduction.NONE:
        return weighted_losses
    loss = math_ops.reduce_sum(weighted_losses)
    if reduction in (Reduction.SUM_OVER_BATCH_SIZE, Reduction.AUTO):
        count = math_ops.cast(array_ops.size(weighted_losses), loss.dtype)
        loss = math_ops.div_no_nan(loss, count, name="value")
    return loss


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """``losses * sample_weight`` reduced by ``reduction`` (default: the mean over all losses,
    so weights scale samples without renormalizing)."""
    Reduction.validate(reduction)
    losses = convert_to_tensor(losses)
    if sample_weight is None:
        weighted = losses
    else:
        weighted = scale_losses_by_sample_weight(losses, sample_weight)
    return reduce_weighted_loss(weighted, reduction)


# -- loss classes ------------------------------------------------------------------------------------
class Loss:
    """Base class of Keras loss objects: ``call(y_true, y_pred)`` gives per-sample losses and
    ``__call__(y_true, y_pred, sample_weight=None)`` reduces them."""

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        with name_scope(self.name or type(self).__name__):
            losses = self.call(y_true, y_pred)
            return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Subclasses of Loss must implement call(y_true, y_pred)")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss object around a loss function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _wrapper_class(class_name, fn, default_name, doc, **defaults):
    def __init__(self, *args, **kwargs):
        names = list(defaults) + ["reduction", "name"]
        if len(args) > len(names):
            raise TypeError("%s takes at most %d positional arguments" % (class_name, len(names)))
        values = dict(defaults, reduction=Reduction.AUTO, name=default_name)
        for key, value in zip(names, args):
            values[key] = value
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError("%s got an unexpected keyword argument %r (it takes %s)"
                                % (class_name, key, ", ".join(names)))
            values[key] = value
        reduction, name = values.pop("reduction"), values.pop("name")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **values)
    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                     "__module__": __name__})


BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    "Binary cross-entropy; ``from_logits=True`` when y_pred are logits.",
    from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    "Cross-entropy of one-hot targets; ``from_logits=True`` when y_pred are logits.",
    from_logits=False, label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Cross-entropy of integer class targets; ``from_logits=True`` when y_pred are logits.",
    from_logits=False)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error",
                                  "Mean of squared errors.")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error,
                                   "mean_absolute_error", "Mean of absolute errors.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared logarithmic error.")
Hinge = _wrapper_class("Hinge", hinge, "hinge", "Hinge loss (labels in {-1, 1} or {0, 1}).")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge",
                              "Squared hinge loss (labels in {-1, 1} or {0, 1}).")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge",
                                  "Categorical hinge loss.")
Huber = _wrapper_class("Huber", huber_loss, "huber_loss",
                       "Huber loss: quadratic below ``delta``, linear above.", delta=1.0)
LogCosh = _wrapper_class("LogCosh", logcosh, "logcosh", "log(cosh(error)).")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "Poisson loss.")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "kullback_leibler_divergence", "Kullback-Leibler divergence.")
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  "Negative cosine similarity.", axis=-1)


# -- lookup --------------------------------------------------------------------------------------------
def _module_objects():
    objects = {name: globals()[name] for name in __all__
               if name not in ("get", "serialize", "deserialize", "compute_weighted_loss",
                               "Reduction")}
    return objects


def serialize(loss):
    """A loss function's name, or a loss object's ``{'class_name', 'config'}``."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The loss function or object named by ``name`` (a string or a config dict)."""
    return deserialize_keras_object(name, _module_objects(), custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """None, a name ('mse', 'binary_crossentropy', ...), a config dict, a function or a Loss."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret loss function identifier: %r" % (identifier,))


def loss_name(loss):
    """The name Keras uses for a loss (function __name__, object .name or snake_case class)."""
    if isinstance(loss, str):
        return loss
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    return name or to_snake_case(type(loss).__name__)
