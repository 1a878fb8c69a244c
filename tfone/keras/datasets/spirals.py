"""Intertwined spiral arms (multi-class classification); see :func:`toy.make_spirals`."""
from tfone.keras.datasets import _common
from tfone.keras.datasets.toy import make_spirals

__all__ = ["load_data"]


def load_data(n_samples=900, n_classes=3, noise=0.2, test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: x (n, 2) float32, y (n,) int32 class indices."""
    x, y = make_spirals(n_samples, n_classes=n_classes, noise=noise, seed=seed)
    return _common.split(x, y, test_split, seed)
