"""Saving and loading: HDF5 (Keras 2 layout) and tfone's .npz format, round trips including the
optimizer state (continued training identical to uninterrupted training), weights only, and
errors."""
import json
import os
import zipfile

import numpy as np
import pytest

import tfone as tf
from tfone import keras

h5py = pytest.importorskip("h5py")

RNG = np.random.RandomState(2)
X = RNG.randn(64, 4).astype(np.float32)
Y = (X[:, :1] - X[:, 1:2] > 0).astype(np.float32)


def _sequential():
    model = keras.Sequential([keras.layers.Dense(8, input_dim=4, activation="relu"),
                              keras.layers.BatchNormalization(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def _functional():
    a = keras.Input(shape=(4,), name="features")
    h = keras.layers.Dense(6, activation="tanh", name="hidden")(a)
    out1 = keras.layers.Dense(1, activation="sigmoid", name="p")(h)
    out2 = keras.layers.Dense(2, name="q")(keras.layers.Concatenate()([h, a]))
    model = keras.Model(a, [out1, out2])
    model.compile(keras.optimizers.RMSprop(0.01, momentum=0.5), ["binary_crossentropy", "mse"],
                  metrics={"p": ["acc", keras.metrics.AUC(name="auc")]}, loss_weights=[1., .5])
    return model


def _targets(model):
    return Y if len(model.outputs) == 1 else [Y, X[:, :2]]


@pytest.mark.parametrize("build", [_sequential, _functional], ids=["sequential", "functional"])
@pytest.mark.parametrize("ext", [".h5", ".npz", ""])
def test_round_trip_and_continued_training(tmp_path, build, ext):
    keras.utils.set_random_seed(0)
    model = build()
    y = _targets(model)
    model.fit(X, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    path = str(tmp_path / ("model" + ext))
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.get_config() == model.get_config()
    for a, b in zip(loaded.predict(X), model.predict(X)) if len(model.outputs) > 1 else \
            [(loaded.predict(X), model.predict(X))]:
        np.testing.assert_array_equal(a, b)
    assert loaded.metrics_names == model.metrics_names
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for a, b in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.evaluate(X, y, verbose=0), model.evaluate(X, y, verbose=0),
                               rtol=1e-6)
    # training the loaded model continues exactly as training the original would have
    model.fit(X, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    loaded.fit(X, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_hdf5_layout_is_keras_2(tmp_path):
    model = _sequential()
    model.fit(X, Y, epochs=1, verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert [l["class_name"] for l in config["config"]["layers"]] == [
            "Dense", "BatchNormalization", "Dense"]
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == "binary_crossentropy" and training["metrics"] == ["accuracy"]
        assert training["optimizer_config"]["class_name"] == "Adam"
        assert [n.decode() for n in f["model_weights"].attrs["layer_names"]] == [
            "dense", "batch_normalization", "dense_1"]
        dense = f["model_weights"]["dense"]
        assert [n.decode() for n in dense.attrs["weight_names"]] == ["dense/kernel:0",
                                                                    "dense/bias:0"]
        np.testing.assert_array_equal(dense["dense/kernel:0"][()], model.layers[0].get_weights()[0])
        opt_names = [n.decode() for n in f["optimizer_weights"].attrs["weight_names"]]
        assert opt_names[0] == "training/Adam/iter:0"
        assert "training/Adam/dense/kernel/m:0" in opt_names
        assert f["optimizer_weights"]["training/Adam/iter:0"][()] == 2
        assert f.attrs["keras_version"] and f.attrs["backend"] in (b"tensorflow", "tensorflow")


def test_npz_format_is_documented_and_never_pickles(tmp_path):
    model = _sequential()
    path = str(tmp_path / "m.tfone")
    model.save(path)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as f:
        assert str(f["tfone_keras_format"]) == "1"
        manifest = json.loads(str(f["manifest"]))
        assert manifest["layers"][0] == ["dense", ["dense/kernel:0", "dense/bias:0"]]
        np.testing.assert_array_equal(f["model_weights/0/0"], model.layers[0].get_weights()[0])
        assert json.loads(str(f["model_config"]))["class_name"] == "Sequential"
        assert "optimizer_weights/0" in f.files


def test_save_weights_and_load_weights_by_order_and_by_name(tmp_path):
    model = _functional()
    for ext in (".h5", ".npz"):
        path = str(tmp_path / ("w" + ext))
        model.save_weights(path)
        other = _functional()
        other.load_weights(path)
        for a, b in zip(other.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(a, b)
    # by name: only layers with matching names get weights
    x = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(6, activation="tanh", name="hidden")(x)
    partial = keras.Model(x, keras.layers.Dense(3, name="other")(hidden))
    partial.load_weights(str(tmp_path / "w.h5"), by_name=True)
    np.testing.assert_array_equal(partial.get_layer("hidden").get_weights()[0],
                                  model.get_layer("hidden").get_weights()[0])
    with pytest.raises(ValueError, match="hidden"):
        x = keras.Input(shape=(5,))
        wrong = keras.Model(x, keras.layers.Dense(6, name="hidden")(x))
        wrong.load_weights(str(tmp_path / "w.h5"), by_name=True)
    with pytest.warns(UserWarning, match="Skipping loading of weights for layer hidden"):
        wrong.load_weights(str(tmp_path / "w.h5"), by_name=True, skip_mismatch=True)


def test_load_model_without_compile_and_custom_objects(tmp_path):
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)
    model = keras.Sequential([keras.layers.Dense(1, input_dim=4)])
    model.compile("sgd", my_loss)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.raises(ValueError, match="my_loss"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"my_loss": my_loss})
    assert loaded.loss is my_loss
    uncompiled = keras.models.load_model(path, compile=False)
    assert uncompiled.optimizer is None
    np.testing.assert_array_equal(uncompiled.predict(X), model.predict(X))
    model.save(path, include_optimizer=False)
    with pytest.warns(UserWarning, match="not\\* compiled"):
        keras.models.load_model(path)


def test_errors(tmp_path):
    model = _sequential()
    with pytest.raises(OSError, match="No file or directory found at"):
        keras.models.load_model(str(tmp_path / "missing.h5"))
    weights_only = str(tmp_path / "weights.h5")
    model.save_weights(weights_only)
    with pytest.raises(ValueError, match="No model found in config file"):
        keras.models.load_model(weights_only)
    text = tmp_path / "notes.h5"
    text.write_text("not a model")
    with pytest.raises(OSError, match="neither a Keras HDF5 file nor a tfone"):
        keras.models.load_model(str(text))
    other_h5 = str(tmp_path / "other.h5")
    with h5py.File(other_h5, "w") as f:
        f["data"] = np.zeros(3)
    with pytest.raises(ValueError, match="No model found"):
        keras.models.load_model(other_h5)
    with pytest.raises(ValueError, match="holds no Keras model or weights"):
        model.load_weights(other_h5)
    np.save(str(tmp_path / "plain.npy"), np.zeros(3))
    np.savez(str(tmp_path / "plain.npz"), a=np.zeros(3))
    with pytest.raises(ValueError, match="not a tfone Keras model"):
        keras.models.load_model(str(tmp_path / "plain.npz"))
    for ext in (".h5", ".npz"):
        full = str(tmp_path / ("full" + ext))
        model.save(full)
        data = open(full, "rb").read()
        truncated = str(tmp_path / ("truncated" + ext))
        with open(truncated, "wb") as f:
            f.write(data[:len(data) // 2])
        with pytest.raises(OSError, match="truncated"):
            keras.models.load_model(truncated)
    with pytest.raises(FileExistsError):
        model.save(str(tmp_path / "full.h5"), overwrite=False)


def test_weights_that_do_not_fit_name_the_layer_and_shapes(tmp_path):
    model = _sequential()
    path = str(tmp_path / "w.npz")
    model.save_weights(path)
    bigger = keras.Sequential([keras.layers.Dense(8, input_dim=5, activation="relu"),
                               keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"Layer \"dense\S*\": weight dense\S*/kernel:0 has shape "
                                         r"\(5, 8\) in the model but the saved weight "
                                         r"dense/kernel:0 .* has shape \(4, 8\)"):
        bigger.load_weights(path)
    fewer = keras.Sequential([keras.layers.Dense(1, input_dim=4)])
    with pytest.raises(ValueError, match="containing 3 layers .* into a model with 1 layers"):
        fewer.load_weights(path)


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    model = _sequential()
    path = str(tmp_path / "m.h5")
    model.save(path)
    before = open(path, "rb").read()
    from tfone.keras import saving

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(saving, "_write_hdf5_weights", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.h5"]   # no temporary file left behind


def test_model_from_config_and_clone():
    model = _functional()
    clone = keras.models.clone_model(model)
    assert clone.get_config()["layers"][1]["config"]["units"] == 6
    assert not any(np.array_equal(a, b) for a, b in zip(clone.get_weights()[:1],
                                                         model.get_weights()[:1]))
    with pytest.raises(TypeError, match="expects a dictionary"):
        keras.models.model_from_config([1, 2])
    restored = keras.models.model_from_json(model.to_json())
    assert [l.name for l in restored.layers] == [l.name for l in model.layers]


def test_custom_layers_and_activations_need_custom_objects(tmp_path):
    def doubled_relu(x):
        return tf.nn.relu(x) * 2.0

    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(int(input_shape[-1]),), initializer="ones")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return dict(super().get_config(), factor=self.factor)

    model = keras.Sequential([keras.layers.Dense(2, input_dim=4, activation=doubled_relu),
                              Scale(3.0)])
    model.compile("sgd", "mse")
    path = str(tmp_path / "custom.h5")
    model.save(path)
    with pytest.raises(ValueError, match="doubled_relu"):
        keras.models.load_model(path)
    objects = {"doubled_relu": doubled_relu, "Scale": Scale}
    loaded = keras.models.load_model(path, custom_objects=objects)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with keras.utils.CustomObjectScope(objects):
        again = keras.models.model_from_json(model.to_json())
    assert isinstance(again.layers[1], Scale) and again.layers[1].factor == 3.0
