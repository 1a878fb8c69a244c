"""Gaussian clusters (multi-class classification); see :func:`toy.make_blobs`."""
from tfone.keras.datasets import _common
from tfone.keras.datasets.toy import make_blobs

__all__ = ["load_data"]


def load_data(n_samples=600, centers=3, n_features=2, cluster_std=1.0, test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: x (n, n_features) float32, y (n,) int32."""
    x, y = make_blobs(n_samples, centers=centers, n_features=n_features,
                      cluster_std=cluster_std, seed=seed)
    return _common.split(x, y, test_split, seed)
