"""MNIST handwritten digits (70000 grey images of 28x28), from Keras's ``mnist.npz`` file.

tfone runs offline: ``load_data`` reads the file Keras downloads
(https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz, 11 MB) from ``path``,
or from ``~/.keras/datasets/`` (``$KERAS_HOME/datasets/``) where Keras keeps it, and never
fetches it. Without the file it raises FileNotFoundError explaining how to get it; the shipped
``keras.datasets.digits`` (8x8 digits) needs no file.
"""
from tfone.keras.datasets import _common

__all__ = ["load_data"]


def load_data(path="mnist.npz"):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (60000, 28, 28) and
    (10000, 28, 28), uint8 labels 0..9, read from Keras's ``mnist.npz``.

    ``path`` is the file (absolute, or relative to the current folder) or its name in
    ``~/.keras/datasets/``. The arrays are read with ``np.load(allow_pickle=False)``.
    """
    found = _common.find_keras_file(path, "datasets", "keras.datasets.mnist", "11 MB")
    x_train, y_train, x_test, y_test = _common.load_keras_npz(
        found, ["x_train", "y_train", "x_test", "y_test"], "keras.datasets.mnist")
    return (x_train, y_train), (x_test, y_test)
