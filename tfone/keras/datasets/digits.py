"""UCI handwritten digits (8x8): a small offline stand-in for MNIST.

1797 grey images of 8x8 pixels with integer intensities 0..16 (uint8), labels 0..9 (uint8).
Source: E. Alpaydin and C. Kaynak, UCI ML repository (CC BY 4.0); see ``data/README.md``.
"""
from tfone.keras.datasets import _common

__all__ = ["load_data"]


def load_data(test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: images of shape (n, 8, 8), uint8 in 0..16.

    The data are shuffled with ``seed`` and the last ``test_split`` fraction is the test set
    (1437 / 360 images with the defaults). Divide by 16.0 to scale pixels to [0, 1].
    """
    data = _common.load_npz("digits")
    return _common.split(data["x"], data["y"], test_split, seed)
