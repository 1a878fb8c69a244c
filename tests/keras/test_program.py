"""The program of issue 6, unchanged apart from the import, and Keras's console output."""
import io
import re
import contextlib

import numpy as np

from tfone import keras


def _data(n, num_features, seed):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, num_features).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.float32)
    return x, y


def test_issue_program(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    num_features = 3
    X_train, Y_train = _data(1024, num_features, 0)
    X_test, Y_test = _data(256, num_features, 1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # --- the program, as written in the issue ---
        model = keras.Sequential([
            keras.layers.Dense(units=1, input_dim=num_features, activation='sigmoid')
        ])
        model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
        history = model.fit(X_train, Y_train, batch_size=32, epochs=10, verbose=1)
        score = model.evaluate(X_test, Y_test, verbose=0)
        print('Test score:', score[0]); print('Test accuracy:', score[1])
        model.save("my_model.h5")
        from tfone.keras.models import load_model
        loaded_model = load_model("my_model.h5")
        # --- end of the program ---
    text = out.getvalue()
    assert set(history.history) == {"loss", "accuracy"}
    assert len(history.history["loss"]) == 10 and history.epoch == list(range(10))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert isinstance(score, list) and len(score) == 2 and 0.0 <= score[1] <= 1.0
    assert "Test score: %s" % score[0] in text
    np.testing.assert_array_equal(loaded_model.predict(X_test), model.predict(X_test))
    assert loaded_model.optimizer.get_config()["name"] == "Adam"
    # Keras's progress bar: one finished bar per epoch after "Epoch i/10"
    lines = [l for l in re.split(r"[\r\n]", text.replace("\b", "")) if l.strip()]
    final = [l for l in lines if l.startswith("32/32 [=")]
    assert len(final) == 10
    assert re.fullmatch(r"32/32 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - "
                        r"accuracy: \d\.\d{4}\s*", final[-1]), final[-1]
    assert "Epoch 1/10" in lines and "Epoch 10/10" in lines
    shown_loss = float(re.search(r"loss: (\d\.\d{4})", final[-1]).group(1))
    assert abs(shown_loss - history.history["loss"][-1]) < 1e-4


def test_verbose_2_prints_one_line_per_epoch():
    x, y = _data(100, 3, 0)
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["acc"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(x, y, epochs=2, verbose=2, validation_split=0.2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"3/3 - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} "
                        r"- val_acc: \d\.\d{4}", lines[1]), lines[1]
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]


def test_verbose_0_prints_nothing():
    x, y = _data(64, 3, 0)
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3)])
    model.compile(loss="mse", optimizer="sgd")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, verbose=0)
        model.evaluate(x, y, verbose=0)
        model.predict(x)
    assert out.getvalue() == ""


def test_tf_keras_and_tf_data_attributes():
    import subprocess
    import sys
    code = ("import sys, tfone as tf; assert 'h5py' not in sys.modules; "
            "assert tf.keras.Sequential is tf.keras.models.Sequential; "
            "assert tf.data.Dataset.__name__ == 'Dataset'; "
            "assert 'h5py' not in sys.modules and 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
