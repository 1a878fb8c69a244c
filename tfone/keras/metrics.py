"""``keras.metrics``: Keras 2 metric functions and stateful metric objects on tfone graphs.

Metric *functions* (``binary_accuracy(y_true, y_pred)``, ``mse``, ...) return one value per
sample. Metric *objects* keep running totals in graph variables, so a metric accumulates over
many batches (an epoch) until ``reset_states()``:

    m = keras.metrics.AUC()
    update = m.update_state(y_true, y_pred)   # an op: run it once per batch
    value = m.result()                        # a tensor: the metric so far
    m(y_true, y_pred)                         # update, then the result (one tensor)
    m.reset_states()                          # back to zero (in keras.backend.get_session())

Their variables (``<metric>/total``, ``<metric>/count``, ``<metric>/true_positives``, ...) are
created in the graph of the first ``update_state`` call, are not trainable, and live in the
LOCAL_VARIABLES collection (as TF1's ``tf.metrics`` do), so ``tf.train.Saver`` does not save
them and ``tf.local_variables_initializer()`` resets them.

``compile(metrics=['accuracy'])`` turns 'accuracy' / 'acc' into binary, categorical or sparse
categorical accuracy from the loss and the output shape, exactly as Keras does (see
:func:`resolve_accuracy`).
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, get_default_graph, name_scope, Tensor
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, control_flow_ops, math_ops
from tfone.keras import losses as _losses
from tfone.keras.losses import (  # noqa: F401  (metric functions Keras re-exports)
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, hinge, squared_hinge, categorical_hinge, logcosh, poisson,
    kullback_leibler_divergence, cosine_similarity, cosine_proximity, mse, MSE, mae, MAE, mape,
    MAPE, msle, MSLE, kld, KLD, kl_divergence)
from tfone.keras.utils.generic_utils import (deserialize_keras_object, serialize_keras_object,
                                             to_snake_case)

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "RootMeanSquaredError",
    "Hinge", "SquaredHinge", "CategoricalHinge", "LogCoshError", "Poisson", "KLDivergence",
    "CosineSimilarity", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives", "Precision", "Recall", "AUC",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge", "logcosh",
    "poisson", "kullback_leibler_divergence", "cosine_similarity", "cosine_proximity", "mse",
    "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "kl_divergence",
    "get", "serialize", "deserialize", "resolve_accuracy"]

METRIC_VARIABLES = "metric_variables"
_NEG_INF = -1e10   # Keras's threshold when top_k decides what counts as a positive


def _floatx():
    from tfone.keras import backend
    return backend.floatx()


# -- shape helpers ---------------------------------------------------------------------------------
def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Keras's rank matching: drop a trailing size-1 axis so y_pred and y_true have the same
    rank, and make sample_weight's rank match (squeeze or expand)."""
    if y_true is not None:
        pred_rank, true_rank = y_pred.shape.ndims, y_true.shape.ndims
        if pred_rank is not None and true_rank is not None:
            if pred_rank - true_rank == 1 and y_pred.shape.as_tuple()[-1] in (1, None):
                y_pred = array_ops.squeeze(y_pred, [-1])
            elif true_rank - pred_rank == 1 and y_true.shape.as_tuple()[-1] in (1, None):
                y_true = array_ops.squeeze(y_true, [-1])
    if sample_weight is not None:
        sample_weight = _losses._match_weight_rank(y_pred, sample_weight)
    return y_pred, y_true, sample_weight


# -- metric functions --------------------------------------------------------------------------------
def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly (after a cast to y_true's dtype), else 0.0."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if not y_pred.shape.is_compatible_with(y_true.shape):
        raise ValueError("accuracy: shapes %s and %s are incompatible" % (y_pred.shape,
                                                                           y_true.shape))
    if y_true.dtype != y_pred.dtype:
        y_pred = math_ops.cast(y_pred, y_true.dtype)
    return math_ops.cast(math_ops.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold), axis=-1)."""
    y_pred = convert_to_tensor(y_pred)
    threshold = math_ops.cast(threshold, y_pred.dtype)
    y_pred = math_ops.cast(y_pred > threshold, y_pred.dtype)
    y_true = math_ops.cast(y_true, y_pred.dtype)
    return math_ops.reduce_mean(math_ops.cast(math_ops.equal(y_true, y_pred), _floatx()), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) == argmax(y_pred) (one-hot targets)."""
    return math_ops.cast(math_ops.equal(math_ops.argmax(y_true, axis=-1),
                                        math_ops.argmax(y_pred, axis=-1)), _floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer target equals argmax(y_pred); targets of shape (n,) or (n, 1)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if (y_true.shape.ndims is not None and y_pred.shape.ndims is not None
            and y_true.shape.ndims == y_pred.shape.ndims):
        y_true = array_ops.squeeze(y_true, [-1])
    y_pred = math_ops.argmax(y_pred, axis=-1)
    if y_pred.dtype != y_true.dtype:
        y_pred = math_ops.cast(y_pred, y_true.dtype)
    return math_ops.cast(math_ops.equal(y_true, y_pred), _floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the target class (argmax of one-hot y_true) is among the top k predictions."""
    from tfone.ops import nn_ops
    return math_ops.cast(nn_ops.in_top_k(y_pred, math_ops.argmax(y_true, axis=-1), k),
                         _floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer target is among the top k predictions."""
    from tfone.ops import nn_ops
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if (y_true.shape.ndims is not None and y_pred.shape.ndims is not None
            and y_true.shape.ndims == y_pred.shape.ndims):
        y_true = array_ops.squeeze(y_true, [-1])
    return math_ops.cast(nn_ops.in_top_k(y_pred, math_ops.cast(y_true, dtypes.int32), k),
                         _floatx())


acc = ACC = accuracy


# -- the Metric base class ------------------------------------------------------------------------------
class Metric:
    """Base class of stateful metrics: subclasses create variables with ``add_weight`` in
    ``build_state`` (called once, in the graph of the first update) and define
    ``update_state(...) -> op`` and ``result() -> tensor``."""

    def __init__(self, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - {"trainable"}
        if unknown:
            raise TypeError("%s got unexpected keyword arguments %s"
                            % (type(self).__name__, sorted(unknown)))
        self.name = name or to_snake_case(type(self).__name__)
        self._dtype = dtypes.as_dtype(dtype or _floatx())
        self._weights = []
        self._graph = None
        self._reset_op = None
        self.stateful = True

    dtype = property(lambda self: self._dtype)

    # -- variables --------------------------------------------------------------------------------
    def add_weight(self, name, shape=(), initializer="zeros", dtype=None):
        """A non-trainable, LOCAL_VARIABLES variable ``<metric name>/<name>`` set to zeros."""
        from tfone.ops.variables import Variable
        graph = get_default_graph()
        dtype = dtypes.as_dtype(dtype or self._dtype)
        shape = tuple(shape)
        if initializer not in ("zeros", None):
            raise ValueError("Metric weights start at zero; got initializer=%r" % (initializer,))
        with graph.control_dependencies(None):
            variable = Variable(lambda: array_ops.zeros(shape, dtype=dtype), name=name,
                                trainable=False, dtype=dtype,
                                collections=[GraphKeys.LOCAL_VARIABLES, METRIC_VARIABLES])
        self._weights.append(variable)
        return variable

    @property
    def weights(self):
        return list(self._weights)

    variables = weights

    def _ensure_state(self, graph, scope=None):
        """Create the variables once, in ``scope`` (default: a new ``<name>`` scope)."""
        if self._graph is None:
            with graph.as_default(), name_scope(scope or self.name), \
                    graph.control_dependencies(None):
                self.build_state()
            self._graph = graph
        elif self._graph is not graph:
            raise ValueError("Metric %r was first used in another graph; make a new metric "
                             "object for this model (tfone metrics keep their totals in graph "
                             "variables)." % self.name)

    def build_state(self):
        """Create the metric's variables (called once)."""

    def _read(self, variable):
        """A read of ``variable`` made now, so it runs after the control dependencies in force."""
        with name_scope(None):
            return variable.read_value()

    # -- the API ----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Update the state with a batch, then return the result tensor (run after the update)."""
        graph = _graph_of(args) or get_default_graph()
        with graph.as_default(), name_scope(self.name) as scope:
            self._ensure_state(graph, scope)
            update_op = self.update_state(*args, **kwargs)
            with graph.control_dependencies([update_op]):
                result = self.result()
        return result

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("%s must define update_state" % type(self).__name__)

    def result(self):
        raise NotImplementedError("%s must define result" % type(self).__name__)

    def reset_states(self):
        """Set every variable back to zero, in ``keras.backend.get_session()``."""
        if self._graph is None:
            return
        from tfone.keras import backend
        with self._graph.as_default():
            if self._reset_op is None:
                with name_scope(None), self._graph.control_dependencies(None):
                    self._reset_op = control_flow_ops.group(
                        *[v.initializer for v in self._weights], name=self.name + "_reset")
            backend.get_session().run(self._reset_op)

    def reset_op(self):
        """The op that zeroes the state (for running in your own session)."""
        if self._graph is None:
            raise ValueError("Metric %r has no state yet: call it on a batch first" % self.name)
        if self._reset_op is None:
            with self._graph.as_default(), name_scope(None), \
                    self._graph.control_dependencies(None):
                self._reset_op = control_flow_ops.group(
                    *[v.initializer for v in self._weights], name=self.name + "_reset")
        return self._reset_op

    def get_config(self):
        return {"name": self.name, "dtype": self._dtype.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return "<%s name=%r>" % (type(self).__name__, self.name)


def _graph_of(args):
    for a in args:
        if isinstance(a, Tensor):
            return a.graph
        if hasattr(a, "_as_tensor") and hasattr(a, "graph"):
            return a.graph
    return None


# -- means --------------------------------------------------------------------------------------------
class _Reduce(Metric):
    _reduction = "weighted_mean"

    def build_state(self):
        self.total = self.add_weight("total")
        if self._reduction != "sum":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        """Add ``values`` (optionally weighted) to the running total and count."""
        graph = _graph_of([values]) or get_default_graph()
        self._ensure_state(graph)
        values = math_ops.cast(values, self._dtype)
        if sample_weight is not None:
            sample_weight = math_ops.cast(sample_weight, self._dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, None, sample_weight)
            wrank, vrank = sample_weight.shape.ndims, values.shape.ndims
            if wrank is not None and vrank is not None and 0 < wrank < vrank and not \
                    sample_weight.shape.is_compatible_with(values.shape):
                values = math_ops.reduce_mean(values, axis=list(range(wrank, vrank)))
            sample_weight = sample_weight + array_ops.zeros_like(values)
            values = values * sample_weight
        value_sum = math_ops.reduce_sum(values)
        update_total = self.total.assign_add(value_sum)
        if self._reduction == "sum":
            return update_total.op
        if sample_weight is None:
            num_values = math_ops.cast(array_ops.size(values), self._dtype)
        else:
            num_values = math_ops.reduce_sum(sample_weight)
        update_count = self.count.assign_add(num_values)
        return control_flow_ops.group(update_total, update_count)

    def result(self):
        if self._reduction == "sum":
            return array_ops.identity(self._read(self.total))
        return math_ops.div_no_nan(self._read(self.total), self._read(self.count))


class Mean(_Reduce):
    """The (weighted) mean of all values seen: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)


class Sum(_Reduce):
    """The (weighted) sum of all values seen."""
    _reduction = "sum"

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample metric function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        graph = _graph_of([y_pred, y_true]) or get_default_graph()
        self._ensure_state(graph)
        y_true = math_ops.cast(y_true, self._dtype)
        y_pred = math_ops.cast(y_pred, self._dtype)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config

    @classmethod
    def from_config(cls, config):
        if cls is MeanMetricWrapper:
            fn = get(config.pop("fn"))
            return cls(fn, **config)
        return cls(**config)


def _wrapper(class_name, fn, default_name, doc, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        values = dict(defaults)
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError("%s got an unexpected keyword argument %r" % (class_name, key))
            values[key] = value
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc,
                                                   "__module__": __name__})


Accuracy = _wrapper("Accuracy", accuracy, "accuracy", "How often y_pred equals y_true.")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                          "How often (y_pred > threshold) equals the binary target.",
                          threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy", "How often argmax matches (one-hot).")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy",
                                     "How often argmax matches the integer target.")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy",
                                   "How often the target is in the top k (one-hot).", k=5)
SparseTopKCategoricalAccuracy = _wrapper(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", "How often the integer target is in the top k.", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "mean_squared_error",
                            "Running mean of the squared error.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                             "Running mean of the absolute error.")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Running mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Running mean squared logarithmic error.")
Hinge = _wrapper("Hinge", hinge, "hinge", "Running mean hinge loss.")
SquaredHinge = _wrapper("SquaredHinge", squared_hinge, "squared_hinge",
                        "Running mean squared hinge loss.")
CategoricalHinge = _wrapper("CategoricalHinge", categorical_hinge, "categorical_hinge",
                            "Running mean categorical hinge loss.")
LogCoshError = _wrapper("LogCoshError", logcosh, "logcosh", "Running mean log-cosh error.")
Poisson = _wrapper("Poisson", poisson, "poisson", "Running mean Poisson loss.")
KLDivergence = _wrapper("KLDivergence", kullback_leibler_divergence,
                        "kullback_leibler_divergence", "Running mean KL divergence.")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                              "Running mean binary cross-entropy.", from_logits=False,
                              label_smoothing=0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy",
                                   "Running mean categorical cross-entropy.",
                                   from_logits=False, label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Running mean sparse categorical cross-entropy.",
    from_logits=False, axis=-1)


def _cosine(y_true, y_pred, axis=-1):
    return -cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean cosine similarity (+1 when predictions point like the targets)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine, name=name, dtype=dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """sqrt of the running mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        graph = _graph_of([y_pred, y_true]) or get_default_graph()
        self._ensure_state(graph)
        y_true = math_ops.cast(y_true, self._dtype)
        y_pred = math_ops.cast(y_pred, self._dtype)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        error_sq = math_ops.squared_difference(y_pred, y_true)
        return super().update_state(error_sq, sample_weight=sample_weight)

    def result(self):
        return math_ops.sqrt(super().result())


# -- confusion-matrix metrics ------------------------------------------------------------------------------
def _thresholds_list(thresholds, default):
    if thresholds is None:
        return [default], True
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = [float(t) for t in thresholds]
        single = False
    else:
        values, single = [float(thresholds)], True
    for t in values:
        if not 0.0 <= t <= 1.0:
            raise ValueError("Threshold values must be in [0, 1]. Invalid values: %s" % values)
    return values, single


def _filter_top_k(x, k):
    """x with everything except each row's top k entries set to a very negative value."""
    from tfone.ops import nn_ops
    _, indices = nn_ops.top_k(x, k, sorted=False)
    depth = x.shape.as_tuple()[-1]
    if depth is None:
        raise ValueError("top_k needs predictions with a known last dimension, got %s" % x.shape)
    mask = math_ops.reduce_sum(array_ops.one_hot(indices, depth, dtype=x.dtype), axis=-2)
    return x * mask + (1 - mask) * _NEG_INF


class _ConfusionMatrixMetric(Metric):
    """Counts of (label, prediction > threshold) pairs for each threshold."""
    _counts = ()

    def __init__(self, thresholds, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.thresholds_config = thresholds
        self.top_k = top_k
        self.class_id = class_id

    def build_state(self):
        n = len(self.thresholds)
        for count in self._counts:
            setattr(self, count, self.add_weight(count, shape=(n,)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        graph = _graph_of([y_pred, y_true]) or get_default_graph()
        self._ensure_state(graph)
        y_true = math_ops.cast(y_true, dtypes.float32)
        y_pred = math_ops.cast(y_pred, dtypes.float32)
        y_pred, y_true, _ = squeeze_or_expand_dimensions(y_pred, y_true)
        if self.top_k is not None:
            y_pred = _filter_top_k(y_pred, self.top_k)
        if self.class_id is not None:
            y_true = y_true[..., self.class_id]
            y_pred = y_pred[..., self.class_id]
        thresholds = convert_to_tensor(np.asarray(self.thresholds, dtype=np.float32)[:, None])
        predictions = array_ops.reshape(y_pred, [1, -1])
        labels = math_ops.cast(array_ops.reshape(y_true, [1, -1]), dtypes.bool)
        pred_is_pos = math_ops.greater(predictions, thresholds)        # [thresholds, n]
        pred_is_neg = math_ops.logical_not(pred_is_pos)
        label_is_pos = labels
        label_is_neg = math_ops.logical_not(label_is_pos)
        weights = None
        if sample_weight is not None:
            sample_weight = math_ops.cast(sample_weight, dtypes.float32)
            _, _, sample_weight = squeeze_or_expand_dimensions(y_pred, None, sample_weight)
            weights = array_ops.reshape(sample_weight + array_ops.zeros_like(y_pred), [1, -1])
        cases = {"true_positives": (label_is_pos, pred_is_pos),
                 "false_positives": (label_is_neg, pred_is_pos),
                 "true_negatives": (label_is_neg, pred_is_neg),
                 "false_negatives": (label_is_pos, pred_is_neg)}
        updates = []
        for count in self._counts:
            label, pred = cases[count]
            hits = math_ops.cast(math_ops.logical_and(label, pred), self._dtype)
            if weights is not None:
                hits = hits * math_ops.cast(weights, self._dtype)
            updates.append(getattr(self, count).assign_add(math_ops.reduce_sum(hits, axis=1)))
        return control_flow_ops.group(*updates)

    def get_config(self):
        config = {"thresholds": self.thresholds_config, "top_k": self.top_k,
                  "class_id": self.class_id}
        config.update(super().get_config())
        return config


class _SingleCount(_ConfusionMatrixMetric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        self.thresholds, self._single = _thresholds_list(thresholds, 0.5)
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self):
        value = self._read(getattr(self, self._counts[0]))
        return value[0] if self._single else array_ops.identity(value)

    def get_config(self):
        return {"thresholds": self.thresholds_config, "name": self.name,
                "dtype": self._dtype.name}


class TruePositives(_SingleCount):
    """The (weighted) number of positive targets predicted above the threshold(s)."""
    _counts = ("true_positives",)


class FalsePositives(_SingleCount):
    """The (weighted) number of negative targets predicted above the threshold(s)."""
    _counts = ("false_positives",)


class TrueNegatives(_SingleCount):
    """The (weighted) number of negative targets predicted at or below the threshold(s)."""
    _counts = ("true_negatives",)


class FalseNegatives(_SingleCount):
    """The (weighted) number of positive targets predicted at or below the threshold(s)."""
    _counts = ("false_negatives",)


class Precision(_ConfusionMatrixMetric):
    """tp / (tp + fp) at ``thresholds`` (default 0.5: a prediction > 0.5 counts as positive);
    ``top_k`` and ``class_id`` select what counts, as in Keras."""
    _counts = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if thresholds is None and top_k is not None:
            self.thresholds, self._single = [_NEG_INF], True
        else:
            self.thresholds, self._single = _thresholds_list(thresholds, 0.5)
        super().__init__(thresholds, top_k=top_k, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        tp = self._read(self.true_positives)
        value = math_ops.div_no_nan(tp, tp + self._read(self.false_positives))
        return value[0] if self._single else value


class Recall(_ConfusionMatrixMetric):
    """tp / (tp + fn) at ``thresholds`` (default 0.5)."""
    _counts = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if thresholds is None and top_k is not None:
            self.thresholds, self._single = [_NEG_INF], True
        else:
            self.thresholds, self._single = _thresholds_list(thresholds, 0.5)
        super().__init__(thresholds, top_k=top_k, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        tp = self._read(self.true_positives)
        value = math_ops.div_no_nan(tp, tp + self._read(self.false_negatives))
        return value[0] if self._single else value


class AUC(_ConfusionMatrixMetric):
    """Area under the ROC (or PR) curve, from confusion counts at ``num_thresholds`` thresholds
    spread over [0, 1] (Keras's Riemann-sum approximation).

    ``summation_method``: 'interpolation' (trapezoids; for PR the Davis & Goadrich
    interpolation), 'minoring' or 'majoring'.
    """
    _counts = ("true_positives", "true_negatives", "false_positives", "false_negatives")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None):
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR"):
            raise ValueError('Invalid AUC curve value "%s". Expected values are ["ROC", "PR"]'
                             % curve)
        summation_method = summation_method.lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError('Invalid AUC summation method value "%s". Expected values are '
                             '["interpolation", "majoring", "minoring"]' % summation_method)
        if thresholds is not None:
            inner = sorted(_thresholds_list(list(thresholds), 0.5)[0])
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError("`num_thresholds` must be > 1.")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        from tfone.keras import backend
        eps = backend.epsilon()
        self.num_thresholds = num_thresholds
        self.curve = curve
        self.summation_method = summation_method
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._inner_thresholds = inner if thresholds is not None else None
        super().__init__(None, name=name, dtype=dtype)

    def result(self):
        n = self.num_thresholds
        tp = self._read(self.true_positives)
        fp = self._read(self.false_positives)
        tn = self._read(self.true_negatives)
        fn = self._read(self.false_negatives)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = math_ops.div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = math_ops.div_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, math_ops.div_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.
        elif self.summation_method == "minoring":
            heights = math_ops.minimum(y[:n - 1], y[1:])
        else:
            heights = math_ops.maximum(y[:n - 1], y[1:])
        return math_ops.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = math_ops.div_no_nan(dtp, math_ops.maximum(dp, 0.))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = math_ops.cast(math_ops.logical_and(p[:n - 1] > 0, p[1:] > 0), p.dtype)
        ratio = math_ops.div_no_nan(p[:n - 1], math_ops.maximum(p[1:], 0.))
        safe_p_ratio = both_positive * ratio + (1. - both_positive)
        return math_ops.reduce_sum(math_ops.div_no_nan(
            prec_slope * (dtp + intercept * math_ops.log(safe_p_ratio)),
            math_ops.maximum(tp[1:] + fn[1:], 0.)))

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "name": self.name,
                  "dtype": self._dtype.name}
        if self._inner_thresholds is not None:
            config["thresholds"] = self._inner_thresholds
        return config


# -- lookup ---------------------------------------------------------------------------------------------
def resolve_accuracy(metric, output_shape, loss_fn):
    """The function Keras uses for 'accuracy'/'acc' (and 'crossentropy'/'ce').

    Binary accuracy when the output has one unit per sample (last dim 1) or the loss is
    binary cross-entropy; sparse categorical accuracy when the loss is sparse categorical
    cross-entropy; categorical accuracy otherwise.
    """
    def is_loss(fn, cls):
        return isinstance(loss_fn, cls) or loss_fn is fn or (
            isinstance(loss_fn, _losses.LossFunctionWrapper) and loss_fn.fn is fn)
    sparse = is_loss(_losses.sparse_categorical_crossentropy,
                     _losses.SparseCategoricalCrossentropy)
    binary = is_loss(_losses.binary_crossentropy, _losses.BinaryCrossentropy)
    last = output_shape[-1] if output_shape else None
    if metric in ("accuracy", "acc"):
        if last == 1 or binary:
            return binary_accuracy
        if sparse:
            return sparse_categorical_accuracy
        return categorical_accuracy
    if metric in ("crossentropy", "ce"):
        if last == 1 or binary:
            return binary_crossentropy
        if sparse:
            return sparse_categorical_crossentropy
        return categorical_crossentropy
    return get(metric)


def _module_objects():
    skip = ("get", "serialize", "deserialize", "resolve_accuracy")
    objects = {name: globals()[name] for name in __all__ if name not in skip}
    objects["acc"] = accuracy
    objects["ACC"] = accuracy
    return objects


def serialize(metric):
    """The config of a metric (its name for a function, a config dict for an object)."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric function or object described by ``config`` (a name or a config dict)."""
    return deserialize_keras_object(config, _module_objects(), custom_objects,
                                    printable_module_name="metric function")


def get(identifier):
    """A metric function or object from a name ('mse', 'accuracy'), a config dict, a function
    or a Metric."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError("Could not interpret metric function identifier: %r" % (identifier,))
