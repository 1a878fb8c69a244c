"""keras.backend tensor functions (K.mean, K.square, K.function, ...) used in custom losses."""
import numpy as np
import pytest

from tfone import keras

K = keras.backend
A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)


@pytest.mark.parametrize("fn,ref", [
    (lambda x: K.mean(x), lambda a: a.mean()),
    (lambda x: K.mean(x, axis=-1, keepdims=True), lambda a: a.mean(-1, keepdims=True)),
    (lambda x: K.sum(x, axis=0), lambda a: a.sum(0)),
    (lambda x: K.max(x, axis=1), lambda a: a.max(1)),
    (lambda x: K.min(x), lambda a: a.min()),
    (lambda x: K.std(x, axis=0), lambda a: a.std(0)),
    (lambda x: K.var(x), lambda a: a.var()),
    (lambda x: K.square(x), np.square),
    (lambda x: K.sqrt(x), lambda a: np.sqrt(np.maximum(a, 0))),
    (lambda x: K.abs(x), np.abs),
    (lambda x: K.clip(x, -1.0, 1.0), lambda a: np.clip(a, -1, 1)),
    (lambda x: K.argmax(x), lambda a: a.argmax(-1)),
    (lambda x: K.mean(K.greater(x, 0.0)), lambda a: (a > 0).mean()),
    (lambda x: K.batch_flatten(K.expand_dims(x)), lambda a: a),
    (lambda x: K.concatenate([x, x]), lambda a: np.concatenate([a, a], -1)),
    (lambda x: K.permute_dimensions(x, (1, 0)), lambda a: a.T),
    (lambda x: K.repeat_elements(x, 2, axis=1), lambda a: np.repeat(a, 2, axis=1)),
    (lambda x: K.repeat(x, 3), lambda a: np.repeat(a[:, None], 3, axis=1)),
    (lambda x: K.temporal_padding(K.expand_dims(x), (1, 2)),
     lambda a: np.pad(a[..., None], [(0, 0), (1, 2), (0, 0)])),
    (lambda x: K.spatial_2d_padding(K.expand_dims(K.expand_dims(x)), ((1, 0), (0, 2))),
     lambda a: np.pad(a[..., None, None], [(0, 0), (1, 0), (0, 2), (0, 0)])),
    (lambda x: K.resize_images(K.expand_dims(K.expand_dims(x, 0)), 2, 3, "channels_last"),
     lambda a: np.repeat(np.repeat(a[None, ..., None], 2, axis=1), 3, axis=2)),
    (lambda x: K.dot(x, K.transpose(x)), lambda a: a @ a.T),
    (lambda x: K.softmax(x), lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
])
def test_functions_match_numpy(fn, ref):
    x = K.placeholder(shape=(None, 3))
    out = K.function([x], [fn(x)])([A])[0]
    np.testing.assert_allclose(out, ref(A), rtol=1e-5, atol=1e-6)


def test_variables_eval_and_updates():
    v = K.variable([1.0, 2.0], name="v")
    assert K.eval(v).tolist() == [1.0, 2.0] and K.dtype(v) == "float32"
    x = K.placeholder(shape=(2,))
    step = K.function([x], [K.sum(v)], updates=[K.update_add(v, x)])
    assert step([np.ones(2)]) == [3.0]     # outputs are computed before the update
    np.testing.assert_array_equal(K.get_value(v), [2.0, 3.0])


def test_learning_phase_switches():
    x = K.placeholder(shape=(None,))
    out = K.in_train_phase(x * 2, x)
    f = K.function([x, K.learning_phase()], [out])
    assert f([np.ones(2), True])[0].tolist() == [2.0, 2.0]
    assert f([np.ones(2), False])[0].tolist() == [1.0, 1.0]
    with K.learning_phase_scope(1):
        assert K.in_train_phase(1, 2) == 1


def test_custom_loss_and_metric_written_with_the_backend():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))
    x = np.random.RandomState(0).randn(16, 3).astype(np.float32)
    y = x[:, :1] * 2
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
    model.compile("sgd", loss=rmse, metrics=[rmse])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "rmse"}
    pred = model.predict(x)
    assert model.evaluate(x, y, verbose=0)[1] == pytest.approx(
        np.mean(np.abs(pred - y)), rel=1e-5)   # one output unit: rmse per sample is |error|
