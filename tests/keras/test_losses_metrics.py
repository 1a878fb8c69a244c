"""keras.losses and keras.metrics: values vs numpy, reductions, accuracy resolution, stateful
metrics accumulating over batches."""
import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras import backend as K
from tfone.keras import losses, metrics

RNG = np.random.RandomState(3)
Y_TRUE = np.array([[0., 1., 0.], [1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], np.float32)
Y_PRED = np.array([[.1, .8, .1], [.5, .3, .2], [.2, .2, .6], [.6, .3, .1]], np.float32)
EPS = 1e-7


def run(t):
    return K.get_session().run(t)


NUMPY_LOSSES = {
    "mse": lambda t, p: np.mean((p - t) ** 2, -1),
    "mae": lambda t, p: np.mean(np.abs(p - t), -1),
    "mape": lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1),
    "msle": lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1)
                                  - np.log(np.maximum(t, EPS) + 1)) ** 2, -1),
    "hinge": lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0), -1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0) ** 2, -1),
    "categorical_hinge": lambda t, p: np.maximum(
        0, np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1),
    "huber": lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2,
                                           np.abs(p - t) - 0.5), -1),
    "logcosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    "kl_divergence": lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(
        np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
    "categorical_crossentropy": lambda t, p: -np.sum(
        t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1),
    "binary_crossentropy": lambda t, p: -np.mean(
        t * np.log(np.clip(p, EPS, 1 - EPS) + EPS)
        + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS) + EPS), -1),
    "cosine_similarity": lambda t, p: -np.sum(
        t / np.linalg.norm(t, axis=-1, keepdims=True)
        * p / np.linalg.norm(p, axis=-1, keepdims=True), -1),
}


@pytest.mark.parametrize("name", sorted(NUMPY_LOSSES))
def test_loss_functions_match_numpy(name):
    fn = losses.get(name)
    got = run(fn(tf.constant(Y_TRUE), tf.constant(Y_PRED)))
    np.testing.assert_allclose(got, NUMPY_LOSSES[name](Y_TRUE, Y_PRED), rtol=1e-5, atol=1e-6)


def test_aliases():
    assert losses.get("mse") is losses.mean_squared_error is losses.MSE
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("kld") is losses.kullback_leibler_divergence is losses.kl_divergence
    assert losses.get("huber") is losses.huber_loss
    with pytest.raises(ValueError, match="Unknown loss function"):
        losses.get("msee")


def test_sparse_categorical_crossentropy_and_from_logits():
    labels = np.array([1, 0, 2, 1])
    got = run(losses.sparse_categorical_crossentropy(tf.constant(labels), tf.constant(Y_PRED)))
    np.testing.assert_allclose(got, -np.log(Y_PRED[np.arange(4), labels]), rtol=1e-6)
    logits = RNG.randn(4, 3).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    got = run(losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(
        tf.constant(labels[:, None]), tf.constant(logits)))
    np.testing.assert_allclose(got, -np.log(probs[np.arange(4), labels]), rtol=1e-5)


def test_crossentropy_uses_logits_of_sigmoid_and_softmax_outputs():
    logits = tf.constant(np.array([[30.0], [-30.0]], np.float32))
    y = tf.constant(np.array([[0.0], [1.0]], np.float32))
    # computed from the logits: no clipping to epsilon, so the huge loss is exact
    np.testing.assert_allclose(run(losses.binary_crossentropy(y, tf.sigmoid(logits))),
                               [30.0, 30.0], rtol=1e-5)
    clipped = run(losses.binary_crossentropy(y, tf.identity(tf.sigmoid(logits))))
    assert np.all(clipped < 17)   # probabilities are clipped to [eps, 1 - eps]
    z = tf.constant(np.array([[10.0, -10.0]], np.float32))
    np.testing.assert_allclose(run(losses.categorical_crossentropy(
        tf.constant([[0.0, 1.0]]), tf.nn.softmax(z))), [20.0], rtol=1e-5)


def test_loss_objects_reductions_and_sample_weight():
    t, p = tf.constant(Y_TRUE), tf.constant(Y_PRED)
    per_sample = NUMPY_LOSSES["mse"](Y_TRUE, Y_PRED)
    w = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    mse = losses.MeanSquaredError()
    assert run(mse(t, p)) == pytest.approx(per_sample.mean(), rel=1e-6)
    assert run(mse(t, p, sample_weight=tf.constant(w))) == pytest.approx(
        (per_sample * w).sum() / 4, rel=1e-6)      # SUM_OVER_BATCH_SIZE: not renormalized
    assert run(losses.MeanSquaredError(reduction="sum")(t, p)) == pytest.approx(
        per_sample.sum(), rel=1e-6)
    np.testing.assert_allclose(run(losses.MeanSquaredError(reduction="none")(t, p)),
                               per_sample, rtol=1e-6)
    huber = losses.Huber(delta=0.1)
    assert huber.get_config() == {"delta": 0.1, "reduction": "auto", "name": "huber_loss"}
    assert losses.deserialize(losses.serialize(huber)).get_config() == huber.get_config()
    with pytest.raises(ValueError, match="Invalid Reduction"):
        losses.MeanSquaredError(reduction="mean")


def test_label_smoothing():
    t = tf.constant([[0.0, 1.0]])
    p = tf.constant([[0.3, 0.7]])
    smoothed = np.array([[0.05, 0.95]])
    np.testing.assert_allclose(
        run(losses.categorical_crossentropy(t, p, label_smoothing=0.1)),
        -np.sum(smoothed * np.log([[0.3, 0.7]]), -1), rtol=1e-5)


# -- metrics -------------------------------------------------------------------------------------------
def _compile(output_units, loss, metric="accuracy", activation="softmax"):
    model = keras.Sequential([keras.layers.Dense(output_units, input_dim=4,
                                                 activation=activation)])
    model.compile("sgd", loss, metrics=[metric])
    return model


@pytest.mark.parametrize("units,loss,activation,expected", [
    (1, "binary_crossentropy", "sigmoid", metrics.binary_accuracy),
    (1, "mse", "sigmoid", metrics.binary_accuracy),
    (3, "binary_crossentropy", "sigmoid", metrics.binary_accuracy),
    (3, "categorical_crossentropy", "softmax", metrics.categorical_accuracy),
    (3, "sparse_categorical_crossentropy", "softmax", metrics.sparse_categorical_accuracy),
    (3, keras.losses.SparseCategoricalCrossentropy(), "softmax",
     metrics.sparse_categorical_accuracy),
    (3, "mse", "softmax", metrics.categorical_accuracy),
])
@pytest.mark.parametrize("metric", ["accuracy", "acc"])
def test_accuracy_resolution(units, loss, activation, expected, metric):
    model = _compile(units, loss, metric, activation)
    (name, obj, _), = model._compiled_metrics
    assert name == metric and obj._fn is expected
    assert model.metrics_names == ["loss", metric]


def test_crossentropy_metric_resolution():
    model = _compile(3, "sparse_categorical_crossentropy", "ce")
    assert model._compiled_metrics[0][1]._fn is metrics.sparse_categorical_crossentropy


def test_metric_names_as_written_and_history_keys():
    x = RNG.randn(32, 4).astype(np.float32)
    y = RNG.randn(32, 1).astype(np.float32)
    model = keras.Sequential([keras.layers.Dense(1, input_dim=4)])
    model.compile("sgd", "mse", metrics=["mae", keras.metrics.mean_squared_error,
                                         keras.metrics.RootMeanSquaredError()])
    history = model.fit(x, y, epochs=1, verbose=0)
    assert list(history.history) == ["loss", "mae", "mean_squared_error",
                                     "root_mean_squared_error"]
    loss, mae, mse, rmse = model.evaluate(x, y, verbose=0)
    pred = model.predict(x)
    assert mae == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-5)
    assert mse == pytest.approx(loss, rel=1e-5)
    assert rmse == pytest.approx(np.sqrt(mse), rel=1e-5)


def test_metric_functions():
    t, p = tf.constant(Y_TRUE), tf.constant(Y_PRED)
    np.testing.assert_array_equal(run(metrics.categorical_accuracy(t, p)), [1, 1, 1, 0])
    np.testing.assert_array_equal(
        run(metrics.sparse_categorical_accuracy(tf.constant([[1.], [0.], [2.], [0.]]), p)),
        [1, 1, 1, 1])
    np.testing.assert_allclose(
        run(metrics.binary_accuracy(tf.constant([[1.], [0.]]), tf.constant([[0.7], [0.6]]))),
        [1, 0])
    np.testing.assert_array_equal(
        run(metrics.top_k_categorical_accuracy(t, p, k=2)), [1, 1, 1, 1])


def _stream(metric, y_true, y_pred, batches=3, sample_weight=None):
    yt = tf.placeholder(tf.float32, [None] + list(y_true.shape[1:]))
    yp = tf.placeholder(tf.float32, [None] + list(y_pred.shape[1:]))
    sw = None if sample_weight is None else tf.placeholder(tf.float32, [None])
    result = metric(yt, yp, sample_weight=sw)
    sess = K.get_session()
    for idx in np.array_split(np.arange(len(y_true)), batches):
        feed = {yt: y_true[idx], yp: y_pred[idx]}
        if sw is not None:
            feed[sw] = sample_weight[idx]
        value = sess.run(result, feed)
    return value


def test_stateful_metrics_accumulate_over_batches_and_reset():
    y = (RNG.rand(60, 1) > 0.5).astype(np.float32)
    p = np.clip(0.35 * y + 0.65 * RNG.rand(60, 1), 0, 1).astype(np.float32)
    pred_pos, pos = p > 0.5, y == 1
    prec = metrics.Precision()
    assert _stream(prec, y, p) == pytest.approx((pred_pos & pos).sum() / pred_pos.sum(),
                                                rel=1e-6)
    tf.reset_default_graph()
    rec = metrics.Recall(thresholds=[0.3, 0.5])
    np.testing.assert_allclose(
        _stream(rec, y, p), [((p > t) & pos).sum() / pos.sum() for t in (0.3, 0.5)],
        rtol=1e-6)
    tf.reset_default_graph()
    auc = metrics.AUC(num_thresholds=1000)
    exact = np.mean(p[pos][:, None] > p[~pos][None, :])
    assert _stream(auc, y, p) == pytest.approx(exact, abs=5e-3)
    auc.reset_states()
    assert K.get_session().run(auc.result()) == 0.0
    tf.reset_default_graph()
    w = RNG.rand(60).astype(np.float32)
    acc = metrics.BinaryAccuracy()
    assert _stream(acc, y, p, sample_weight=w) == pytest.approx(
        np.sum((pred_pos == pos)[:, 0] * w) / w.sum(), rel=1e-5)


def test_metric_variables_are_local_and_not_trainable():
    yt = tf.placeholder(tf.float32, [None, 1])
    metrics.AUC(name="auc")(yt, yt)
    names = [v.name for v in tf.local_variables()]
    assert "auc/true_positives:0" in names
    assert not tf.trainable_variables() and not tf.global_variables()


def test_auc_pr_and_errors():
    y = np.array([[0.], [0.], [1.], [1.]], np.float32)
    p = np.array([[0.1], [0.4], [0.35], [0.8]], np.float32)
    assert _stream(metrics.AUC(curve="PR", num_thresholds=500), y, p, batches=1) == \
        pytest.approx(0.79, abs=0.05)
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="Threshold values"):
        metrics.Precision(thresholds=1.5)


def test_metric_config_round_trip():
    for m in (metrics.AUC(num_thresholds=50, curve="PR"), metrics.Precision(thresholds=0.3),
              metrics.BinaryAccuracy(threshold=0.7), metrics.Mean(name="m")):
        clone = metrics.deserialize(metrics.serialize(m))
        assert type(clone) is type(m) and clone.get_config() == m.get_config()
