"""``keras.datasets``: small data sets that load offline, plus generators of toy problems.

Real data, shipped inside tfone (see ``data/README.md`` for sources and licences):

- ``digits.load_data()``: UCI handwritten digits, 1797 grey images of 8x8 pixels (0..16), 10
  classes -- a pocket-sized MNIST;
- ``iris.load_data()``: Fisher's iris flowers, 150 samples of 4 measurements, 3 classes.

Keras's downloadable data sets, read from files you provide (tfone never downloads):

- ``mnist.load_data(path='mnist.npz')``: Keras's ``mnist.npz``, from ``path`` or
  ``~/.keras/datasets/``;
- ``fashion_mnist.load_data()``: the four gzipped IDX files, from
  ``~/.keras/datasets/fashion-mnist/``.

Without the file they raise FileNotFoundError saying where to get it and pointing to
``digits``.

Generated problems (deterministic for a given ``seed``):

- ``moons.load_data()`` / ``make_moons``: two interleaving half circles (binary);
- ``spirals.load_data()`` / ``make_spirals``: intertwined spiral arms (multi-class);
- ``blobs.load_data()`` / ``make_blobs``: Gaussian clusters (multi-class);
- ``sine.load_data()`` / ``sine_sequences``: windows of noisy sine waves, for recurrent models.

Every ``load_data()`` returns ``(x_train, y_train), (x_test, y_test)`` as Keras's do, and gives
the same arrays on every call and every machine. The ``make_*`` functions return ``(x, y)``;
with ``seed=None`` they draw from numpy's global generator (``keras.utils.set_random_seed``).
"""
from tfone.keras.datasets import (  # noqa: F401
    digits, iris, moons, spirals, blobs, sine, mnist, fashion_mnist)
from tfone.keras.datasets.toy import (  # noqa: F401
    make_moons, make_spirals, make_blobs, sine_sequences)

__all__ = ["digits", "iris", "moons", "spirals", "blobs", "sine", "mnist", "fashion_mnist",
           "make_moons", "make_spirals", "make_blobs", "sine_sequences"]
