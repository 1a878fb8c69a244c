"""Fashion-MNIST (Zalando): 70000 grey 28x28 images of clothes in 10 classes, from the four
gzipped IDX files Keras downloads.

tfone runs offline: ``load_data`` reads ``train-labels-idx1-ubyte.gz``,
``train-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz`` and ``t10k-images-idx3-ubyte.gz``
from ``~/.keras/datasets/fashion-mnist/`` (``$KERAS_HOME/datasets/fashion-mnist/``), where Keras
keeps them, or from the folder ``path``; it never fetches them (each is at
https://storage.googleapis.com/tensorflow/tf-keras-datasets/<file name>).
"""
import os

from tfone.keras.datasets import _common

__all__ = ["load_data", "class_names"]

FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
class_names = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data(path=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (60000, 28, 28) and
    (10000, 28, 28), uint8 labels 0..9 (see ``class_names``).

    ``path`` (a tfone addition; Keras's ``load_data()`` takes no argument) is a folder holding
    the four files; by default they are looked up in ``~/.keras/datasets/fashion-mnist/``.
    """
    name = "keras.datasets.fashion_mnist"
    if path is None:
        paths = [_common.find_keras_file(f, os.path.join("datasets", "fashion-mnist"), name,
                                         "30 MB for the four files") for f in FILES]
    else:
        paths = [_common.find_keras_file(os.path.join(path, f),
                                         os.path.join("datasets", "fashion-mnist"), name,
                                         "30 MB for the four files") for f in FILES]
    y_train = _common.read_idx_gz(paths[0], name, 1)
    x_train = _common.read_idx_gz(paths[1], name, 3)
    y_test = _common.read_idx_gz(paths[2], name, 1)
    x_test = _common.read_idx_gz(paths[3], name, 3)
    for x, y, which in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if len(x) != len(y):
            raise ValueError("%s: the %s files hold %d images but %d labels." % (
                name, which, len(x), len(y)))
    return (x_train, y_train), (x_test, y_test)
