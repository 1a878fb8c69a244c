"""keras.callbacks: every hook, History, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,
LearningRateScheduler, CSVLogger, LambdaCallback, TerminateOnNaN, ProgbarLogger, TensorBoard."""
import contextlib
import csv
import io
import os

import numpy as np
import pytest

from tfone import keras
from tfone.keras import backend as K
from tfone.keras import callbacks as cbks

RNG = np.random.RandomState(0)
X = RNG.randn(40, 3).astype(np.float32)
Y = (X.sum(axis=1, keepdims=True) > 0).astype(np.float32)


def _model(lr=0.1, optimizer=None):
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3, activation="sigmoid")])
    model.compile(optimizer or keras.optimizers.SGD(lr), "binary_crossentropy",
                  metrics=["accuracy"])
    return model


class Recorder(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            calls = object.__getattribute__(self, "calls")
            return lambda *args, **kw: calls.append((name,) + tuple(
                a for a in args if isinstance(a, int)))
        return object.__getattribute__(self, name)


def test_every_hook_is_called_in_order():
    model = _model()
    rec = Recorder()
    model.fit(X, Y, batch_size=20, epochs=2, verbose=0, callbacks=[rec],
              validation_data=(X[:10], Y[:10]))
    names = [c[0] for c in rec.calls]
    assert names[0] == "on_train_begin" and names[-1] == "on_train_end"
    epoch_0 = names[1:names.index("on_epoch_end") + 1]
    assert epoch_0 == ["on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
                       "on_train_batch_begin", "on_train_batch_end", "on_test_begin",
                       "on_test_batch_begin", "on_test_batch_end", "on_test_end",
                       "on_epoch_end"]
    assert ("on_epoch_begin", 1) in rec.calls and ("on_train_batch_end", 1) in rec.calls
    rec.calls.clear()
    model.evaluate(X, Y, batch_size=40, verbose=0, callbacks=[rec])
    assert [c[0] for c in rec.calls] == ["on_test_begin", "on_test_batch_begin",
                                         "on_test_batch_end", "on_test_end"]
    rec.calls.clear()
    model.predict(X, batch_size=40, callbacks=[rec])
    assert [c[0] for c in rec.calls] == ["on_predict_begin", "on_predict_batch_begin",
                                         "on_predict_batch_end", "on_predict_end"]


def test_callback_sees_model_params_and_logs():
    seen = {}

    class Spy(cbks.Callback):
        def on_train_begin(self, logs=None):
            seen["params"] = dict(self.params)
            seen["model"] = self.model

        def on_batch_end(self, batch, logs=None):
            seen.setdefault("batch_logs", []).append(dict(logs))

        def on_epoch_end(self, epoch, logs=None):
            seen["epoch_logs"] = dict(logs)

    model = _model()
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[Spy()], validation_split=0.25)
    assert seen["model"] is model
    assert seen["params"]["epochs"] == 1 and seen["params"]["steps"] == 2
    assert seen["params"]["samples"] == 30 and seen["params"]["do_validation"]
    logs = seen["batch_logs"]
    assert [l["batch"] for l in logs] == [0, 1] and [l["size"] for l in logs] == [16, 14]
    assert set(seen["epoch_logs"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # the epoch loss is the sample-weighted mean of the batch losses
    assert logs[-1]["loss"] == pytest.approx(seen["epoch_logs"]["loss"])


def test_history():
    model = _model()
    history = model.fit(X, Y, epochs=3, verbose=0, initial_epoch=1)
    assert history is model.history
    assert history.epoch == [1, 2] and len(history.history["loss"]) == 2
    assert history.params["epochs"] == 3


def test_stop_training_from_a_callback():
    class StopAtBatch(cbks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    model = _model()
    history = model.fit(X, Y, batch_size=10, epochs=5, verbose=0, callbacks=[StopAtBatch()])
    assert history.epoch == [0]
    assert K.get_value(model.optimizer.iterations) == 2


def _losses_model(values):
    """A model whose 'val_loss' follows ``values`` epoch by epoch (via a fake callback)."""
    class Fake(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = values[epoch]
            logs["val_acc"] = -values[epoch]
    return Fake()


@pytest.mark.parametrize("kwargs,values,stopped", [
    ({"patience": 0}, [1.0, 0.9, 0.95, 0.5], 2),
    ({"patience": 1}, [1.0, 0.9, 0.95, 0.5], 2),
    ({"patience": 2}, [1.0, 0.9, 0.95, 0.5, 0.6, 0.7], 5),
    ({"patience": 0, "min_delta": 0.2}, [1.0, 0.85, 0.6, 0.5], 1),
    ({"patience": 0, "monitor": "val_acc"}, [1.0, 0.9, 0.95, 0.5], 2),
    ({"patience": 0, "mode": "max"}, [1.0, 1.1, 1.05, 2.0], 2),
    ({"patience": 2, "baseline": 0.5}, [1.0, 0.9, 0.8, 0.7], 1),
])
def test_early_stopping(kwargs, values, stopped):
    model = _model()
    es = cbks.EarlyStopping(**kwargs)
    history = model.fit(X, Y, epochs=len(values), verbose=0,
                        callbacks=[_losses_model(values), es])
    assert history.epoch[-1] == stopped and es.stopped_epoch == stopped


def test_early_stopping_restores_best_weights():
    snapshots = []

    class Snap(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    model = _model()
    es = cbks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(X, Y, epochs=10, verbose=0,
                  callbacks=[_losses_model([1.0, 0.5, 0.7, 0.8, 0.1]), Snap(), es])
    for got, want in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, want)
    assert "Restoring model weights" in out.getvalue()
    assert "Epoch 00004: early stopping" in out.getvalue()


def test_early_stopping_missing_monitor_warns():
    model = _model()
    with pytest.warns(UserWarning, match="not available"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[cbks.EarlyStopping(monitor="val_x")])


def test_model_checkpoint_formats_paths_and_saves_best(tmp_path):
    model = _model()
    pattern = str(tmp_path / "w-{epoch:02d}-{val_loss:.2f}.h5")
    ckpt = cbks.ModelCheckpoint(pattern, save_best_only=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(X, Y, epochs=4, verbose=0, callbacks=[_losses_model([0.5, 0.7, 0.25, 0.3]),
                                                          ckpt])
    assert sorted(os.listdir(tmp_path)) == ["w-01-0.50.h5", "w-03-0.25.h5"]
    text = out.getvalue()
    assert "Epoch 00001: val_loss improved from inf to 0.50000, saving model to" in text
    assert "Epoch 00002: val_loss did not improve from 0.50000" in text
    loaded = keras.models.load_model(str(tmp_path / "w-03-0.25.h5"))
    assert loaded.optimizer is not None


def test_model_checkpoint_every_epoch_weights_only_and_mode(tmp_path):
    model = _model()
    path = str(tmp_path / "weights.{epoch}.npz")
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[
        cbks.ModelCheckpoint(path, save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["weights.1.npz", "weights.2.npz"]
    fresh = _model()
    fresh.load_weights(str(tmp_path / "weights.2.npz"))
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    best = cbks.ModelCheckpoint(str(tmp_path / "best.h5"), monitor="val_acc",
                                save_best_only=True)
    assert best.monitor_op is np.greater
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[_losses_model([0.5, 0.2, 0.9]), best])
    assert best.best == -0.2
    with pytest.raises(KeyError, match="Failed to format"):
        model.fit(X, Y, epochs=1, verbose=0,
                  callbacks=[cbks.ModelCheckpoint(str(tmp_path / "{nope}.h5"))])


def test_model_checkpoint_save_freq_in_batches(tmp_path):
    model = _model()
    model.fit(X, Y, batch_size=10, epochs=1, verbose=0, callbacks=[
        cbks.ModelCheckpoint(str(tmp_path / "b{epoch}-{loss:.3f}.h5"), save_freq=2)])
    assert len(os.listdir(tmp_path)) == 2


def test_reduce_lr_on_plateau():
    model = _model(lr=1.0)
    cb = cbks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=0.2,
                                cooldown=2)
    history = model.fit(X, Y, epochs=7, verbose=0, callbacks=[
        _losses_model([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]), cb])
    # logs['lr'] is the rate the epoch ran with. No improvement after epoch 0: reduce at the
    # end of epochs 1, 3 and 5 (two cooldown epochs in between), never below min_lr.
    assert history.history["lr"] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2])
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbks.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_changes_the_built_train_op():
    model = _model(lr=1.0)
    lrs = []

    def schedule(epoch, lr):
        return 0.1 * (epoch + 1)

    class Watch(cbks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            lrs.append(float(K.get_value(self.model.optimizer.lr)))

    history = model.fit(X, Y, epochs=3, verbose=0,
                        callbacks=[cbks.LearningRateScheduler(schedule), Watch()])
    assert lrs == pytest.approx([0.1, 0.2, 0.3])
    assert history.history["lr"] == pytest.approx([0.1, 0.2, 0.3])
    # the old one-argument form works too; the new learning rate is used by the next step
    model2 = _model(lr=1.0)
    model2.fit(X, Y, epochs=1, verbose=0,
               callbacks=[cbks.LearningRateScheduler(lambda epoch: 0.0)])
    before = model2.get_weights()
    model2.fit(X, Y, epochs=1, verbose=0,
               callbacks=[cbks.LearningRateScheduler(lambda epoch: 0.0)])
    for a, b in zip(before, model2.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="should be float"):
        model2.fit(X, Y, epochs=1, verbose=0,
                   callbacks=[cbks.LearningRateScheduler(lambda epoch: "fast")])


def test_csv_logger(tmp_path):
    path = str(tmp_path / "log.csv")
    model = _model()
    model.fit(X, Y, epochs=2, verbose=0, validation_split=0.5, callbacks=[cbks.CSVLogger(path)])
    model.fit(X, Y, epochs=1, verbose=0, validation_split=0.5,
              callbacks=[cbks.CSVLogger(path, append=True)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "0"]
    assert float(rows[1][2]) > 0
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[cbks.CSVLogger(path, separator=";")])
    with open(path) as f:
        assert f.readline().strip() == "epoch;accuracy;loss"


def test_lambda_callback():
    events = []
    cb = cbks.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                             on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch)),
                             on_batch_end=lambda batch, logs: events.append("batch"),
                             on_train_end=lambda logs: events.append("end"))
    _model().fit(X, Y, batch_size=20, epochs=2, verbose=0, callbacks=[cb])
    assert events == ["begin", "batch", "batch", ("epoch", 0), "batch", "batch", ("epoch", 1),
                      "end"]
    with pytest.raises(TypeError, match="unknown hook"):
        cbks.LambdaCallback(on_nothing=print)


def test_terminate_on_nan():
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
    model.compile(keras.optimizers.SGD(1e20), "mse")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(X * 1e10, Y, batch_size=4, epochs=5, verbose=0,
                            callbacks=[cbks.TerminateOnNaN()])
    assert "Invalid loss, terminating training" in out.getvalue()
    assert len(history.epoch) == 1


def test_progbar_logger_added_once_and_callbacks_type_checked():
    model = _model()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(X, Y, epochs=1, verbose=1, callbacks=[cbks.ProgbarLogger(count_mode="steps")])
    assert out.getvalue().count("2/2 [") == 1
    with pytest.raises(TypeError, match="Callback instances"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[print])


def test_tensorboard_writes_scalars_graph_and_histograms(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    model = _model()
    model.fit(X, Y, epochs=2, verbose=0, validation_split=0.25, callbacks=[
        cbks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1)])
    train = EventAccumulator(str(tmp_path / "train"))
    train.Reload()
    tags = train.Tags()
    assert {"epoch_loss", "epoch_accuracy"} <= set(tags["scalars"])
    assert tags["graph"]
    assert any("kernel" in t for t in tags["histograms"])
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1]
    val = EventAccumulator(str(tmp_path / "validation"))
    val.Reload()
    assert "epoch_loss" in val.Tags()["scalars"]
