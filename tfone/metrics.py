"""``tf.metrics``: streaming metrics, as TF1 computes them.

Each function returns ``(value, update_op)``. The running totals are *local* variables (in
``tf.GraphKeys.LOCAL_VARIABLES`` and ``METRIC_VARIABLES``), so they are initialized with
``tf.local_variables_initializer()``; ``update_op`` adds a batch and returns the metric so
far, ``value`` reads it without changing it::

    acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))
    sess.run(tf.local_variables_initializer())
    for batch in batches:
        sess.run(acc_op, feed_dict=...)
    print(sess.run(acc))

Names follow TF1: variables ``accuracy/total``, ``accuracy/count``; tensors
``accuracy/value`` and ``accuracy/update_op``. Provided: mean, accuracy, mean_squared_error,
root_mean_squared_error, mean_absolute_error, true_positives, false_positives,
true_negatives, false_negatives, precision, recall.
"""
from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, get_default_graph
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops, state_ops, variable_scope
from tfone.ops.variables import Variable

__all__ = ["mean", "accuracy", "mean_squared_error", "root_mean_squared_error",
           "mean_absolute_error", "true_positives", "false_positives", "true_negatives",
           "false_negatives", "precision", "recall"]


def _metric_variable(name):
    return Variable(lambda: array_ops.zeros([], dtypes.float32), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    name=name)


def _add_to(collections, tensor):
    for key in collections or ():
        get_default_graph().add_to_collection(key, tensor)


def _remove_squeezable_dimensions(predictions, labels, weights):
    """As TF1: drop a trailing size-1 dimension so labels and predictions have one rank."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels = convert_to_tensor(labels)
        p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
        if p_rank is not None and l_rank is not None:
            if p_rank == l_rank + 1 and predictions.shape.as_list()[-1] == 1:
                predictions = array_ops.squeeze(predictions, [-1])
            elif l_rank == p_rank + 1 and labels.shape.as_list()[-1] == 1:
                labels = array_ops.squeeze(labels, [-1])
    if weights is not None:
        weights = convert_to_tensor(weights)
        w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
        if w_rank is not None and p_rank is not None and w_rank == p_rank + 1 and \
                weights.shape.as_list()[-1] == 1:
            weights = array_ops.squeeze(weights, [-1])
    return predictions, labels, weights


def _broadcast_weights(weights, values):
    weights = math_ops.cast(weights, dtypes.float32)
    if weights.shape.is_fully_defined() and values.shape.is_fully_defined() and \
            weights.shape == values.shape:
        return weights
    return math_ops.multiply(weights, array_ops.ones_like(values), name="broadcast_weights")


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of all values seen so far: ``total / count``."""
    with variable_scope.variable_scope(name, default_name="mean"):
        values = math_ops.cast(values, dtypes.float32)
        total = _metric_variable("total")
        count = _metric_variable("count")
        if weights is None:
            num_values = math_ops.cast(array_ops.size(values), dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(weights)
        update_total_op = state_ops.assign_add(total, math_ops.reduce_sum(values))
        with get_default_graph().control_dependencies([values]):
            update_count_op = state_ops.assign_add(count, num_values)
        mean_t = math_ops.div_no_nan(total, math_ops.maximum(count, 0), name="value")
        update_op = math_ops.div_no_nan(update_total_op, math_ops.maximum(update_count_op, 0),
                                        name="update_op")
        _add_to(metrics_collections, mean_t)
        _add_to(updates_collections, update_op)
        return mean_t, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often ``predictions`` equals ``labels`` (e.g. ``predictions=tf.argmax(logits, 1)``)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError("Shapes %s and %s are incompatible" % (predictions.shape, labels.shape))
    if labels.dtype != predictions.dtype:
        predictions = math_ops.cast(predictions, labels.dtype)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    squared_error = math_ops.squared_difference(labels, predictions)
    return mean(squared_error, weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    absolute_errors = math_ops.abs(predictions - labels)
    return mean(absolute_errors, weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    squared_error = math_ops.squared_difference(labels, predictions)
    mse, update_mse_op = mean(squared_error, weights, None, None,
                              name or "root_mean_squared_error")
    rmse = math_ops.sqrt(mse)
    update_rmse_op = math_ops.sqrt(update_mse_op)
    _add_to(metrics_collections, rmse)
    _add_to(updates_collections, update_rmse_op)
    return rmse, update_rmse_op


def _as_bool_pair(labels, predictions, weights):
    return _remove_squeezable_dimensions(math_ops.cast(predictions, dtypes.bool),
                                         math_ops.cast(labels, dtypes.bool), weights)


def _count_condition(values, weights, metrics_collections, updates_collections):
    count = _metric_variable("count")
    values = math_ops.cast(values, dtypes.float32)
    if weights is not None:
        values = math_ops.multiply(values, math_ops.cast(weights, dtypes.float32))
    value_tensor = array_ops.identity(count)
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(values))
    _add_to(metrics_collections, value_tensor)
    _add_to(updates_collections, update_op)
    return value_tensor, update_op


def _counter(default_name, label_value, prediction_value):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope.variable_scope(name, default_name=default_name):
            predictions, labels, weights = _as_bool_pair(labels, predictions, weights)
            is_case = math_ops.logical_and(math_ops.equal(labels, label_value),
                                           math_ops.equal(predictions, prediction_value))
            return _count_condition(is_case, weights, metrics_collections, updates_collections)
    metric.__name__ = default_name
    metric.__doc__ = ("The (weighted) number of %s so far (labels and predictions are cast to "
                      "bool)." % default_name.replace("_", " "))
    return metric


true_positives = _counter("true_positives", True, True)
false_positives = _counter("false_positives", False, True)
true_negatives = _counter("true_negatives", False, False)
false_negatives = _counter("false_negatives", True, False)


def _ratio(default_name, other_metric, doc):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope.variable_scope(name, default_name=default_name):
            predictions, labels, weights = _as_bool_pair(labels, predictions, weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            other, other_update = other_metric(labels, predictions, weights)

            def compute(t, o, op_name):
                return math_ops.where(math_ops.greater(t + o, 0), math_ops.div(t, t + o), 0.0,
                                      name=op_name)
            value = compute(tp, other, "value")
            update_op = compute(tp_update, other_update, "update_op")
            _add_to(metrics_collections, value)
            _add_to(updates_collections, update_op)
            return value, update_op
    metric.__name__ = default_name
    metric.__doc__ = doc
    return metric


precision = _ratio("precision", false_positives,
                   "true_positives / (true_positives + false_positives), 0 when undefined.")
recall = _ratio("recall", false_negatives,
                "true_positives / (true_positives + false_negatives), 0 when undefined.")


def __getattr__(name):
    raise AttributeError("tfone's tf.metrics has no %r; it provides %s." % (name,
                                                                            ", ".join(__all__)))

