"""keras.utils: to_categorical, normalize, Progbar, set_random_seed, plot_model."""
import io
import contextlib
import random

import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras.utils import Progbar


def test_to_categorical():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, 1], 3),
                                  [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    out = keras.utils.to_categorical(np.array([[1], [3]]))
    assert out.shape == (2, 4) and out.dtype == np.float32
    assert keras.utils.to_categorical([[0, 1], [1, 1]], 2).shape == (2, 2, 2)
    with pytest.raises(ValueError, match="out of range"):
        keras.utils.to_categorical([3], 2)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x, axis=0, order=1), [[1, 1], [0, 0]])


def test_progbar_formats_like_keras():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(4, stateful_metrics=["acc"])
        bar.update(2, [("loss", 1.0), ("acc", 0.5)])
        bar.update(4, [("loss", 0.5), ("acc", 0.75)])
    last = out.getvalue().replace("\b", "").split("\r")[-1].split("\n")[-2]
    # loss is averaged over the units seen (1.0 for 2 steps, 0.5 for 2), acc is shown as given
    assert last.startswith("4/4 [==============================] - 0s ")
    assert last.endswith("/step - loss: 0.7500 - acc: 0.7500")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = Progbar(10, verbose=2)
        bar.update(5, [("loss", 1e-5)])
        bar.update(10, [("loss", 1e-5)])
    assert out.getvalue() == "10/10 - 0s - loss: 1.0000e-05\n"


def test_set_random_seed_seeds_python_numpy_and_the_graph():
    keras.utils.set_random_seed(3)
    a = (random.random(), np.random.rand(), tf.get_default_graph().seed)
    keras.utils.set_random_seed(3)
    b = (random.random(), np.random.rand(), tf.get_default_graph().seed)
    assert a == b and a[2] == 3
    with pytest.raises(ValueError, match="integer"):
        keras.utils.set_random_seed(1.5)


def test_plot_model_delegates_to_viz(tmp_path):
    pytest.importorskip("graphviz")
    from viz.render import find_executable
    model = keras.Sequential([keras.layers.Dense(4, input_dim=3, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    diagram = keras.utils.model_to_dot(model, show_shapes=True)
    source = diagram.source if hasattr(diagram, "source") else str(diagram)
    assert "dense_1" in source and "training" not in source
    try:
        find_executable("dot")
    except Exception:
        pytest.skip("Graphviz's dot program is not installed")
    path = tmp_path / "model.png"
    keras.utils.plot_model(model, to_file=str(path), show_shapes=True)
    assert path.stat().st_size > 0
