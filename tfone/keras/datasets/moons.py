"""Two interleaving half moons (binary classification); see :func:`toy.make_moons`."""
from tfone.keras.datasets import _common
from tfone.keras.datasets.toy import make_moons

__all__ = ["load_data"]


def load_data(n_samples=1000, noise=0.1, test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: x (n, 2) float32, y (n,) int32 in {0, 1}."""
    x, y = make_moons(n_samples, noise=noise, seed=seed)
    return _common.split(x, y, test_split, seed)
