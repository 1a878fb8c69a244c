"""Helpers shared by the dataset loaders."""
import os

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def load_npz(name):
    """The arrays of a shipped ``data/<name>.npz`` file (never unpickles)."""
    path = os.path.join(DATA_DIR, name + ".npz")
    if not os.path.exists(path):
        raise FileNotFoundError("The data file %s that ships with tfone is missing; reinstall "
                                "tfone." % path)
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def split(x, y, test_split, seed):
    """Shuffle (x, y) with ``np.random.RandomState(seed)`` and keep the last ``test_split``
    fraction for testing, as Keras's ``boston_housing.load_data`` does."""
    if not 0.0 <= test_split < 1.0:
        raise ValueError("test_split must be in [0, 1), got %r" % (test_split,))
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
