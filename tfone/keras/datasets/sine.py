"""Noisy sine-wave windows for recurrent models; see :func:`toy.sine_sequences`."""
from tfone.keras.datasets import _common
from tfone.keras.datasets.toy import sine_sequences

__all__ = ["load_data"]


def load_data(n_samples=1000, timesteps=20, n_classes=None, noise=0.05, test_split=0.2,
              seed=113):
    """``(x_train, y_train), (x_test, y_test)``: x (n, timesteps, 1) float32; y the next value
    (n, 1) float32, or the frequency class (n,) int32 when ``n_classes`` is given."""
    x, y = sine_sequences(n_samples, timesteps=timesteps, n_classes=n_classes, noise=noise,
                          seed=seed)
    return _common.split(x, y, test_split, seed)
