"""Helpers shared by the dataset loaders."""
import gzip
import os
import zipfile

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


# -- Keras's downloadable data sets, read from files the user provides ----------------------------
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def keras_cache_dir():
    """Keras's cache folder: ``$KERAS_HOME`` or ``~/.keras`` (data sets live in ``datasets/``)."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def find_keras_file(fname, cache_subdir, name, size_text):
    """The path of a Keras data file: ``fname`` itself if it exists, else
    ``<cache>/<cache_subdir>/<fname>`` (where ``keras.utils.get_file`` stores downloads).
    tfone never downloads: a missing file raises FileNotFoundError saying how to get it."""
    candidates = [fname, os.path.join(keras_cache_dir(), cache_subdir, fname)]
    for path in candidates:
        if os.path.isfile(path):
            return path
    folder = os.path.join(keras_cache_dir(), cache_subdir)
    origin = KERAS_ORIGIN + os.path.basename(fname)
    raise FileNotFoundError(
        "%s: the file %r is not here. tfone runs offline and never downloads data sets.\n"
        "  To use it, download it once on a machine with internet access (%s):\n"
        "      %s\n"
        "  and put it in %s (or pass its path to load_data).\n"
        "  Looked in: %s\n"
        "  To get going without it, keras.datasets.digits ships with tfone: 1797 handwritten "
        "digits of 8x8 pixels, 10 classes (a pocket-sized MNIST):\n"
        "      (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()"
        % (name, os.path.basename(fname), size_text, origin, folder,
           ", ".join(os.path.abspath(c) for c in candidates)))


def load_keras_npz(path, keys, name):
    """The arrays ``keys`` of a Keras ``.npz`` data file (never unpickles), with clear errors
    for a file that is not such an archive."""
    try:
        data = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ValueError("%s: %s could not be read as a numpy .npz archive (%s). It may be "
                         "truncated (download it again) or hold pickled Python objects, which "
                         "tfone does not load." % (name, path, e)) from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError("%s: %s is a single numpy array, not Keras's .npz archive with the "
                         "arrays %s." % (name, path, keys))
    with data:
        missing = [k for k in keys if k not in data.files]
        if missing:
            raise ValueError("%s: %s is not Keras's data file: it lacks the arrays %s (it has "
                             "%s)." % (name, path, missing, data.files))
        try:
            return [data[k] for k in keys]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise ValueError("%s: %s could not be read (%s). It may be truncated (download it "
                             "again) or hold Python objects, which tfone does not unpickle."
                             % (name, path, e)) from None


def read_idx_gz(path, name, ndim):
    """The uint8 array of a gzipped IDX file (the MNIST format: magic 0x0000080N, then N
    big-endian int32 sizes, then the bytes), checking its header."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise ValueError("%s: %s is not a readable gzip file (%s); download it again."
                         % (name, path, e)) from None
    header = 4 * (ndim + 1)
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic != 0x800 + ndim or len(raw) < header:
        raise ValueError("%s: %s is not an IDX file of %d dimension(s) (magic number %s, "
                         "expected %d)." % (name, path, ndim, magic, 0x800 + ndim))
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, np.uint8, offset=header)
    if data.size != int(np.prod(shape)):
        raise ValueError("%s: %s should hold %s values after its header but holds %d; the file "
                         "is truncated or damaged." % (name, path, "x".join(map(str, shape)),
                                                       data.size))
    return data.reshape(shape)
