"""Model.fit / evaluate / predict / *_on_batch: Keras's data rules and training semantics."""
import contextlib
import io

import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.data import Dataset
from tfone.keras import backend as K

RNG = np.random.RandomState(1)
X = RNG.randn(50, 3).astype(np.float32)
Y = (X @ np.array([1.0, -1.0, 0.5]) > 0).astype(np.float32)[:, None]


def _model(units=1, activation="sigmoid", loss="binary_crossentropy", metrics=("accuracy",),
           optimizer=None):
    model = keras.Sequential([keras.layers.Dense(units, input_dim=3, activation=activation)])
    model.compile(optimizer or keras.optimizers.SGD(0.1), loss, metrics=list(metrics))
    return model


class BatchRecorder(keras.callbacks.Callback):
    """Records the inputs of each training batch (through the model's train step)."""

    def __init__(self, model):
        super().__init__()
        self.batches = []
        original = model._run_train_step

        def spy(inputs, targets, weights):
            self.batches.append((inputs[0].copy(), targets[0].copy(), weights[0].copy()))
            return original(inputs, targets, weights)
        model._run_train_step = spy


def test_graph_access():
    model = _model()
    assert model.graph is model.outputs[0].graph
    assert model.inputs[0].op.type == "Placeholder" and model.inputs[0].name == "dense_input:0"
    assert model.targets[0].name == "dense_target:0"
    assert model.sample_weights[0].name == "dense_sample_weights:0"
    assert model.total_loss.name.startswith("loss/")
    assert model.train_op.type in ("NoOp",) and model.train_op.name == "training/train_op"
    # tf.gradients works on the Keras loss
    grads = tf.gradients(model.total_loss, model.trainable_weights)
    feed = {model.inputs[0]: X, model.targets[0]: Y, model.sample_weights[0]: np.ones(50)}
    values = K.get_session().run(grads, feed)
    assert [v.shape for v in values] == [(3, 1), (1,)]
    assert model.optimizer.weights and callable(model.train_function)


def test_validation_split_takes_the_last_fraction():
    model = _model()
    rec = BatchRecorder(model)
    seen = {}

    class Val(keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen["val_size"] = logs["size"]
    model.fit(X, Y, batch_size=100, epochs=1, verbose=0, shuffle=False,
              validation_split=0.2, callbacks=[Val()])
    np.testing.assert_array_equal(rec.batches[0][0], X[:40])
    assert seen["val_size"] == 10
    val_loss = model.fit(X, Y, epochs=1, verbose=0, validation_split=0.2).history["val_loss"][0]
    assert val_loss == pytest.approx(model.evaluate(X[40:], Y[40:], verbose=0)[0], rel=1e-5)


def _batch_order(seed_fn, shuffle=True):
    K.clear_session()
    seed_fn()
    model = _model()
    rec = BatchRecorder(model)
    model.fit(X, Y, batch_size=10, epochs=2, verbose=0, shuffle=shuffle)
    return [b[0] for b in rec.batches], model.get_weights()


@pytest.mark.parametrize("seed_fn", [lambda: keras.utils.set_random_seed(42),
                                     lambda: tf.set_random_seed(42)],
                         ids=["keras.utils.set_random_seed", "tf.set_random_seed"])
def test_shuffle_and_initialisation_reproducible_from_a_seed(seed_fn):
    first, w1 = _batch_order(seed_fn)
    second, w2 = _batch_order(seed_fn)
    for a, b in zip(first + w1, second + w2):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(np.concatenate(first[:5]), X)       # shuffled ...
    assert not np.array_equal(first[0], first[5])                 # ... anew every epoch
    np.testing.assert_array_equal(np.sort(np.concatenate(first[:5]), axis=0), np.sort(X, axis=0))


def test_no_shuffle_and_batch_shuffle():
    batches, _ = _batch_order(lambda: None, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(batches[:5]), X)
    batches, _ = _batch_order(lambda: np.random.seed(0), shuffle="batch")
    starts = sorted(int(np.where((X == b[0]).all(axis=1))[0][0]) for b in batches[:5])
    assert starts == [0, 10, 20, 30, 40]       # whole batches moved, not single samples


def test_class_weight_and_sample_weight():
    model = _model()
    rec = BatchRecorder(model)
    model.fit(X, Y, batch_size=50, epochs=1, verbose=0, class_weight={0: 1.0, 1: 3.0})
    targets = rec.batches[0][1][:, 0]
    np.testing.assert_array_equal(rec.batches[0][2], np.where(targets == 1, 3.0, 1.0))
    with pytest.raises(ValueError, match="must contain all classes"):
        model.fit(X, Y, epochs=1, verbose=0, class_weight={0: 1.0})
    w = RNG.rand(50).astype(np.float32)
    rec.batches.clear()
    with pytest.warns(UserWarning, match="class_weight"):
        model.fit(X, Y, batch_size=50, epochs=1, verbose=0, sample_weight=w,
                  class_weight={0: 1.0, 1: 3.0}, shuffle=False)
    np.testing.assert_array_equal(rec.batches[0][2], w)
    # the weighted loss is sum(loss_i * w_i) / n (Keras's SUM_OVER_BATCH_SIZE)
    plain = _model(loss="mse", metrics=())
    per_sample = np.mean((plain.predict(X) - Y) ** 2, axis=1)
    assert plain.evaluate(X, Y, sample_weight=w, verbose=0) == pytest.approx(
        np.sum(per_sample * w) / 50, rel=1e-5)
    with pytest.raises(ValueError, match="sample_weight"):
        plain.fit(X, Y, sample_weight=np.ones((50, 2)), verbose=0)


def test_initial_epoch_and_epochs():
    model = _model()
    history = model.fit(X, Y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]
    assert K.get_value(model.optimizer.iterations) == 4   # 2 epochs x 2 batches


def test_evaluate_returns_a_scalar_or_a_list():
    plain = _model(metrics=())
    loss = plain.evaluate(X, Y, verbose=0)
    assert isinstance(loss, float)
    with_metrics = _model()
    result = with_metrics.evaluate(X, Y, batch_size=7, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    pred = with_metrics.predict(X)
    bce = -np.mean(Y * np.log(pred) + (1 - Y) * np.log(1 - pred))
    assert result[0] == pytest.approx(bce, rel=1e-4)
    assert result[1] == pytest.approx(np.mean((pred > 0.5) == (Y == 1)))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        with_metrics.evaluate(X, Y, batch_size=25)
    assert "2/2 [==============================]" in out.getvalue()


def test_predict_in_batches_and_on_batch():
    model = _model(units=2, activation="softmax", loss="categorical_crossentropy")
    full = model.predict(X, batch_size=7)
    assert full.shape == (50, 2)
    np.testing.assert_allclose(full, model.predict(X, batch_size=50), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X[:5]), full[:5], rtol=1e-6)
    np.testing.assert_allclose(model.predict(X, steps=1, batch_size=10), full[:10], rtol=1e-6)


def test_train_and_test_on_batch():
    model = _model()
    before = model.get_weights()
    loss, acc = model.test_on_batch(X, Y)
    assert [np.array_equal(a, b) for a, b in zip(before, model.get_weights())] == [True, True]
    result = model.train_on_batch(X, Y)
    assert result[0] == pytest.approx(loss, rel=1e-6) and result[1] == pytest.approx(acc)
    assert not np.array_equal(before[0], model.get_weights()[0])
    # metrics reset after each call by default, accumulate with reset_metrics=False
    model.test_on_batch(X[:10], Y[:10], reset_metrics=False)
    _, acc_all = model.test_on_batch(X[10:], Y[10:], reset_metrics=False)
    assert acc_all == pytest.approx(model.evaluate(X, Y, verbose=0)[1])


def test_pandas_like_inputs_and_lists():
    class Frame:   # anything with to_numpy(), like a pandas DataFrame
        def __init__(self, values):
            self._v = values

        def to_numpy(self):
            return self._v
    model = _model()
    model.fit(Frame(X), Frame(Y[:, 0]), epochs=1, verbose=0)
    assert model.predict([X]).shape == (50, 1)
    with pytest.raises(ValueError, match="Expected to see 1 array"):
        model.predict(X.tolist())   # a list is one array per input, as in Keras


def test_multi_input_multi_output_functional_model():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = keras.layers.Dense(4, activation="relu")(keras.layers.Concatenate()([a, b]))
    out1 = keras.layers.Dense(1, activation="sigmoid", name="cls")(h)
    out2 = keras.layers.Dense(2, name="reg")(h)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    model.compile("adam", loss={"cls": "binary_crossentropy", "reg": "mse"},
                  metrics={"cls": "accuracy"}, loss_weights={"cls": 1.0, "reg": 0.5})
    xb = RNG.randn(50, 2).astype(np.float32)
    history = model.fit({"a": X, "b": xb}, [Y, xb], epochs=2, verbose=0, validation_split=0.2)
    assert set(history.history) == {"loss", "cls_loss", "reg_loss", "cls_accuracy", "val_loss",
                                    "val_cls_loss", "val_reg_loss", "val_cls_accuracy"}
    loss, cls_loss, reg_loss, acc = model.evaluate([X, xb], [Y, xb], verbose=0)
    assert loss == pytest.approx(cls_loss + 0.5 * reg_loss, rel=1e-5)
    p_cls, p_reg = model.predict([X, xb])
    assert p_cls.shape == (50, 1) and p_reg.shape == (50, 2)
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy"]


def test_regularization_losses_are_added():
    model = keras.Sequential([keras.layers.Dense(
        1, input_dim=3, kernel_regularizer=keras.regularizers.l2(0.1))])
    model.compile("sgd", "mse")
    W = model.get_weights()[0]
    pred = model.predict(X)
    expected = np.mean((pred - Y) ** 2) + 0.1 * np.sum(W ** 2)
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_fit_on_datasets_and_steps_per_epoch():
    model = _model()
    ds = Dataset.from_tensor_slices((X, Y)).shuffle(50, seed=1).batch(10)
    history = model.fit(ds, epochs=2, verbose=0, validation_data=ds)
    assert len(history.history["val_loss"]) == 2
    assert K.get_value(model.optimizer.iterations) == 10
    # with steps_per_epoch the iterator carries on across epochs (a repeated dataset)
    rec = BatchRecorder(model)
    model.fit(Dataset.from_tensor_slices((X, Y)).batch(10).repeat(), steps_per_epoch=3,
              epochs=2, verbose=0)
    starts = [b[0][0, 0] for b in rec.batches]
    assert starts == [X[i, 0] for i in (0, 10, 20, 30, 40, 0)]
    weighted = Dataset.from_tensor_slices((X, Y, np.ones(50, np.float32))).batch(25)
    assert model.evaluate(weighted, verbose=0)[0] == pytest.approx(
        model.evaluate(X, Y, verbose=0)[0], rel=1e-5)
    assert model.predict(Dataset.from_tensor_slices(X).batch(20)).shape == (50, 1)
    with pytest.raises(ValueError, match="infinitely repeating"):
        model.fit(Dataset.from_tensor_slices((X, Y)).batch(10).repeat(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(ds, batch_size=10, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(ds, validation_split=0.1, verbose=0)
    with pytest.raises(ValueError, match="batch the dataset"):
        conv = keras.Sequential([keras.layers.Flatten(input_shape=(2, 2))])
        conv.compile("sgd", "mse")
        conv.fit(Dataset.from_tensor_slices((np.zeros((4, 2, 2)), np.zeros((4, 4)))), verbose=0)


def test_dataset_that_runs_out_warns_and_stops():
    model = _model()
    ds = Dataset.from_tensor_slices((X, Y)).batch(10)
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(ds, steps_per_epoch=5, epochs=3, verbose=0)
    assert history.epoch == [0]


def test_generators():
    def gen():
        while True:
            for i in range(0, 50, 10):
                yield X[i:i + 10], Y[i:i + 10]
    model = _model()
    history = model.fit(gen(), steps_per_epoch=5, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.fit_generator(gen(), steps_per_epoch=2, verbose=0).epoch == [0]
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(gen(), epochs=1, verbose=0)


def test_deferred_sequential_builds_from_data():
    model = keras.Sequential()
    model.add(keras.layers.Dense(4, activation="relu"))
    model.add(keras.layers.Dense(1))
    assert not model.built
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.built and model.inputs[0].shape.as_list() == [None, 3]
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.predict(X).shape == (50, 1)


def test_subclassed_model():
    class TwoLayers(keras.Model):
        def __init__(self):
            super().__init__(name="two")
            self.hidden = keras.layers.Dense(8, activation="relu")
            self.out = keras.layers.Dense(1, activation="sigmoid")

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, Y, epochs=3, verbose=0)
    assert len(history.history["accuracy"]) == 3
    assert len(model.trainable_weights) == 4 and model.count_params() == 3 * 8 + 8 + 8 + 1
    assert model.predict(X).shape == (50, 1)
    with pytest.raises(NotImplementedError, match="subclassed"):
        model.get_config()


def test_errors_are_keras_like():
    model = _model()
    with pytest.raises(ValueError, match=r"expected dense_input to have shape \(3,\) but got "
                                         r"array with shape \(4,\)"):
        model.fit(np.zeros((5, 4)), np.zeros(5), verbose=0)
    with pytest.raises(ValueError, match="expected dense_input to have 2 dimensions"):
        model.predict(np.zeros((5, 3, 1)))
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(X, Y[:40], verbose=0)
    with pytest.raises(ValueError, match=r"expected dense to have shape \(1,\)"):
        model.fit(X, np.zeros((50, 2)), verbose=0)
    cce = _model(units=3, activation="softmax", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        cce.fit(X, np.zeros((50, 1)), verbose=0)
    fresh = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
    with pytest.raises(RuntimeError, match="must compile"):
        fresh.fit(X, Y, verbose=0)
    with pytest.raises(ValueError, match="needs a loss"):
        fresh.compile("sgd")
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        model.fit(X, Y, verbose=0, epochz=3)


def test_summary_tables():
    model = keras.Sequential([keras.layers.Dense(4, input_shape=(3,), activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [
        'Model: "sequential"',
        "_" * 65,
        "Layer (type)                 Output Shape              Param #   ",
        "=" * 65,
        "dense (Dense)                (None, 4)                 16        ",
        "_" * 65,
        "dropout (Dropout)            (None, 4)                 0         ",
        "_" * 65,
        "dense_1 (Dense)              (None, 1)                 5         ",
        "=" * 65,
        "Total params: 21",
        "Trainable params: 21",
        "Non-trainable params: 0",
        "_" * 65]
    assert model.count_params() == 21
    assert model.get_layer("dropout") is model.layers[1] and model.get_layer(index=2).name == \
        "dense_1"
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")


def test_config_and_json_round_trip():
    model = keras.Sequential([keras.layers.Dense(4, input_dim=3, activation="relu"),
                              keras.layers.Dense(1)])
    clone = keras.models.model_from_json(model.to_json())
    assert isinstance(clone, keras.Sequential)
    assert clone.get_config()["layers"] == model.get_config()["layers"]
    a = keras.Input(shape=(3,))
    shared = keras.layers.Dense(2)
    out = keras.layers.Add()([shared(a), shared(a)])
    functional = keras.Model(a, out)
    copy = keras.Model.from_config(functional.get_config())
    assert len(copy.layers) == 3 and len(copy.layers[1]._inbound_nodes) == 2
    copy.set_weights(functional.get_weights())
    np.testing.assert_allclose(copy.predict(X), functional.predict(X), rtol=1e-6)


def test_nested_models_and_calling_a_model_on_new_inputs():
    inner = keras.Sequential([keras.layers.Dense(2, input_dim=3, activation="relu")], name="inner")
    x = keras.Input(shape=(3,))
    y = keras.layers.Dense(1)(inner(x))
    outer = keras.Model(x, y)
    outer.compile("sgd", "mse")
    outer.fit(X, Y, epochs=1, verbose=0)
    assert [l.name for l in outer.layers] == ["input_1", "inner", "dense_1"]
    expected = np.maximum(X @ inner.get_weights()[0] + inner.get_weights()[1], 0)
    expected = expected @ outer.layers[2].get_weights()[0] + outer.layers[2].get_weights()[1]
    np.testing.assert_allclose(outer.predict(X), expected, rtol=1e-5)
    stacked = keras.Sequential([inner, keras.layers.Dense(1)])
    assert stacked.predict(X).shape == (50, 1)


def test_batch_norm_updates_run_during_fit():
    model = keras.Sequential([keras.layers.Dense(4, input_dim=3),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    bn = model.layers[1]
    before = K.get_value(bn.moving_mean)
    model.fit(X * 5 + 3, Y, epochs=1, verbose=0)
    assert not np.allclose(K.get_value(bn.moving_mean), before)


def test_viz_draws_a_keras_model_and_its_gradient_flow():
    viz = pytest.importorskip("viz")
    model = keras.Sequential([keras.layers.Dense(4, input_dim=3, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    # sample weights default to ones: feeding the inputs and targets runs the loss
    feed = {model.inputs[0]: X, model.targets[0]: Y}
    diagram = viz.draw_gradient_flow(K.get_session(), model.total_loss, feed,
                                     train_op=model.train_op)
    assert diagram.loss_value == pytest.approx(model.evaluate(X, Y, verbose=0)[0], rel=1e-5)
    before = model.get_weights()
    viz.draw_graph(model)
    for a, b in zip(before, model.get_weights()):   # drawing does not train the model
        np.testing.assert_array_equal(a, b)
