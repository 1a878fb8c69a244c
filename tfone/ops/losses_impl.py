"""``tf.losses``: loss functions that weight, reduce and collect per-element losses, as TF1.

Each loss computes per-element losses in float32, multiplies them by ``weights`` (a scalar or
a tensor of the losses' rank whose dims are 1 or equal), reduces them according to
``reduction`` (default ``Reduction.SUM_BY_NONZERO_WEIGHTS``: the weighted sum divided by the
number of non-zero weights) and adds the result to the ``loss_collection``
(``tf.GraphKeys.LOSSES``), where ``tf.losses.get_total_loss()`` finds it.
"""
from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops, nn_ops
from tfone.ops.constant_op import constant

__all__ = ["Reduction", "compute_weighted_loss", "absolute_difference", "cosine_distance",
           "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error",
           "mean_squared_error",
           "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy",
           "add_loss", "get_losses", "get_regularization_losses", "get_regularization_loss",
           "get_total_loss"]


class Reduction:
    """How a weighted loss tensor is reduced to the value a loss function returns."""
    NONE = "none"                                    # the weighted per-element losses
    SUM = "weighted_sum"                             # sum of weighted losses
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"   # ... / number of elements
    MEAN = "weighted_mean"                           # ... / sum of weights
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"  # ... / count of weights != 0
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s." % (key,))


# -- collections ------------------------------------------------------------------------------------
def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds ``loss`` to the collection ``loss_collection`` (nothing if it is None/empty)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """The losses in ``loss_collection`` (whose names match ``scope`` if given)."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """The tensors in ``GraphKeys.REGULARIZATION_LOSSES`` (e.g. from variable regularizers)."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """Sum of the regularization losses, or a constant 0.0 if there are none."""
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """Sum of the collected losses (and, by default, the regularization losses).

    Raises ValueError if there is no loss at all (as TF1's add_n does).
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("get_total_loss found no losses: create one with a tf.losses function "
                         "(or tf.losses.add_loss) first")
    if len(losses) == 1:
        return array_ops.identity(losses[0], name=name)
    return math_ops.add_n(losses, name=name)


# -- weighting and reduction -----------------------------------------------------------------------------
def _check_broadcastable(weights, losses):
    """TF1's rule: weights are a scalar, or have the losses' rank with each dim 1 or equal."""
    w, v = weights.shape.as_tuple(), losses.shape.as_tuple()
    if w is None or v is None or len(w) == 0:
        return
    if len(w) != len(v):
        raise ValueError("weights can not be broadcast to values. values.rank=%d. weights.rank=%d. "
                         "values.shape=%s. weights.shape=%s." % (len(v), len(w), losses.shape,
                                                                  weights.shape))
    for wd, vd in zip(w, v):
        if wd is not None and vd is not None and wd not in (1, vd):
            raise ValueError("weights can not be broadcast to values. Mismatch at dim: "
                             "values.shape=%s weights.shape=%s." % (losses.shape, weights.shape))


def _safe_mean(total, count):
    return math_ops.div_no_nan(math_ops.reduce_sum(total), count, name="value")


def _num_elements(losses):
    with name_scope(None, "num_elements", [losses]) as scope:
        return math_ops.cast(array_ops.size(losses, name=scope), losses.dtype)


def _present(losses, weights):
    """1.0 where a loss has a non-zero weight, else 0.0, broadcast to the losses' shape."""
    weights = math_ops.cast(weights, dtypes.float32)
    present = math_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                             array_ops.ones_like(weights))
    if not (present.shape.is_fully_defined() and present.shape == losses.shape):
        present = math_ops.multiply(present, array_ops.ones_like(losses))
    return present


def _num_present(losses, weights):
    """How many losses have a non-zero weight (after broadcasting weights to the losses)."""
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with name_scope(None, "num_present", [losses, weights]) as scope:
        return math_ops.reduce_sum(_present(losses, weights), name=scope)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights ``losses``, reduces them per ``reduction`` and adds the result to the collection."""
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = math_ops.cast(losses, dtypes.float32)
        raw_weights = weights  # a Python float != 0 means "every loss is present"
        weights = math_ops.cast(weights, dtypes.float32)
        _check_broadcastable(weights, losses)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, math_ops.reduce_sum(array_ops.ones_like(losses) * weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(
                    losses, raw_weights if isinstance(raw_weights, float) else weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


# -- losses ------------------------------------------------------------------------------------------------
def _require(labels, predictions, what="predictions"):
    if labels is None:
        raise ValueError("labels must not be None.")
    if predictions is None:
        raise ValueError("%s must not be None." % what)


def _as_float_pair(labels, predictions):
    predictions = math_ops.cast(predictions, dtypes.float32)
    labels = math_ops.cast(labels, dtypes.float32)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError("Shapes %s and %s are incompatible: labels and predictions must have the "
                         "same shape" % (predictions.shape, labels.shape))
    return labels, predictions


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted |predictions - labels|."""
    _require(labels, predictions)
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        labels, predictions = _as_float_pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) for unit-normalised labels and predictions."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = axis if axis is not None else dim
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _require(labels, predictions)
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _as_float_pair(labels, predictions)
        radial_diffs = math_ops.multiply(predictions, labels)
        losses = 1 - math_ops.reduce_sum(radial_diffs, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted max(0, 1 - y * logits) with labels in {0, 1} mapped to y in {-1, 1}."""
    _require(labels, logits, "logits")
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        labels, logits = _as_float_pair(labels, logits)
        all_ones = array_ops.ones_like(labels)
        labels = math_ops.subtract(2 * labels, all_ones)
        losses = nn_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """0.5 * x^2 for |x| <= delta, else 0.5 * delta^2 + delta * (|x| - delta), x = error."""
    _require(labels, predictions)
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _as_float_pair(labels, predictions)
        error = math_ops.subtract(predictions, labels)
        abs_error = math_ops.abs(error)
        quadratic = math_ops.minimum(abs_error, delta)
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(
            math_ops.multiply(convert_to_tensor(0.5, dtype=quadratic.dtype),
                              math_ops.multiply(quadratic, quadratic)),
            math_ops.multiply(delta, linear))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """-labels * log(p + eps) - (1 - labels) * log(1 - p + eps) for probabilities p."""
    _require(labels, predictions)
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _as_float_pair(labels, predictions)
        losses = math_ops.subtract(
            math_ops.negative(math_ops.multiply(labels, math_ops.log(predictions + epsilon))),
            math_ops.multiply(1 - labels, math_ops.log(1 - predictions + epsilon)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """Mean over pairs (i, j) within each example of ((p_i - p_j) - (l_i - l_j))^2.

    ``weights`` is per example (a scalar or shape [batch] + [1] * (rank - 1)); as in TF1 there
    is no ``reduction`` argument: the weighted per-example losses are summed.
    """
    _require(labels, predictions)
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]) as scope:
        weights = math_ops.cast(weights, dtypes.float32)
        labels, predictions = _as_float_pair(labels, predictions)
        diffs = math_ops.subtract(predictions, labels)
        ndims = diffs.shape.ndims
        if ndims is None:
            raise ValueError("mean_pairwise_squared_error needs predictions of known rank")
        axis = list(range(1, ndims))
        sum_squares = math_ops.reduce_sum(math_ops.square(diffs), axis=axis, keepdims=True)
        with name_scope(None, "num_present", [diffs, weights]):
            num_present = math_ops.reduce_sum(_present(diffs, weights), axis=axis, keepdims=True)
        term1 = 2.0 * math_ops.div_no_nan(sum_squares, math_ops.maximum(num_present - 1, 0),
                                          name="value")
        sum_diff = math_ops.reduce_sum(diffs, axis=axis, keepdims=True)
        term2 = 2.0 * math_ops.div_no_nan(
            math_ops.square(sum_diff),
            math_ops.maximum(math_ops.multiply(num_present, num_present - 1), 0), name="value")
        loss = math_ops.reduce_sum(math_ops.multiply(term1 - term2, weights))
        mean_loss = math_ops.where(math_ops.greater(math_ops.reduce_sum(num_present), 0), loss,
                                   array_ops.zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted (predictions - labels)^2."""
    _require(labels, predictions)
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        labels, predictions = _as_float_pair(labels, predictions)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted sigmoid cross-entropy; labels are smoothed towards 1/2 by ``label_smoothing``."""
    if multi_class_labels is None:
        raise ValueError("multi_class_labels must not be None.")
    if logits is None:
        raise ValueError("logits must not be None.")
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        multi_class_labels = math_ops.cast(multi_class_labels, logits.dtype)
        if not logits.shape.is_compatible_with(multi_class_labels.shape):
            raise ValueError("Shapes %s and %s are incompatible: multi_class_labels and logits "
                             "must have the same shape" % (logits.shape, multi_class_labels.shape))
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing) +
                                  0.5 * label_smoothing)
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=multi_class_labels,
                                                          logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted softmax cross-entropy against one-hot (or probability) labels.

    ``label_smoothing`` mixes the labels with the uniform distribution:
    labels * (1 - label_smoothing) + label_smoothing / num_classes. No gradient flows into
    the labels.
    """
    if onehot_labels is None:
        raise ValueError("onehot_labels must not be None.")
    if logits is None:
        raise ValueError("logits must not be None.")
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        onehot_labels = math_ops.cast(onehot_labels, logits.dtype)
        if not logits.shape.is_compatible_with(onehot_labels.shape):
            raise ValueError("Shapes %s and %s are incompatible: onehot_labels and logits must "
                             "have the same shape" % (logits.shape, onehot_labels.shape))
        if label_smoothing > 0:
            dims = onehot_labels.shape.as_tuple()
            if dims is not None and dims[-1] is not None:
                num_classes = float(dims[-1])
            else:
                num_classes = math_ops.cast(array_ops.strided_slice(
                    array_ops.shape(onehot_labels), [-1], [0], shrink_axis_mask=1), logits.dtype)
            onehot_labels = onehot_labels * (1.0 - label_smoothing) + label_smoothing / num_classes
        onehot_labels = array_ops.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                             name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)


def _remove_squeezable_dimensions(labels, logits, weights):
    """Drop a trailing size-1 dim of labels ([batch, 1] -> [batch]) and of weights, as TF1."""
    labels = convert_to_tensor(labels)
    logits = convert_to_tensor(logits)
    lr, pr = labels.shape.ndims, logits.shape.ndims
    if lr is not None and pr is not None and pr - lr == 0:
        last = labels.shape.as_tuple()[-1]
        if last in (None, 1):
            labels = array_ops.squeeze(labels, [-1])
    weights = convert_to_tensor(weights)
    lr, wr = labels.shape.ndims, weights.shape.ndims
    if lr is not None and wr is not None and wr - lr == 1:
        weights = array_ops.squeeze(weights, [-1])
    return labels, logits, weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weighted softmax cross-entropy against integer class ids ([batch] or [batch, 1])."""
    _require(labels, logits, "logits")
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        labels, logits, weights = _remove_squeezable_dimensions(labels, logits, weights)
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                 name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction=reduction)
