"""Keras noise layers (regularizers active only while training): GaussianNoise, GaussianDropout.

Both draw new noise in every training step (``keras.backend.learning_phase()`` fed True, as
``fit`` does) and are the identity at test time.
"""
import numpy as np

from tfone.framework.tensor_shape import TensorShape
from tfone.keras.engine.base_layer import Layer
from tfone.ops import array_ops

__all__ = ["GaussianNoise", "GaussianDropout"]


def _in_train_phase(x, alt, training):
    from tfone.keras import backend_math
    return backend_math.in_train_phase(x, alt, training=training)


class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` while training."""

    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = stddev

    def call(self, inputs, training=None):
        from tfone.keras import backend_math

        def noised():
            return inputs + backend_math.random_normal(
                shape=array_ops.shape(inputs), mean=0., stddev=self.stddev,
                dtype=inputs.dtype.base_dtype)
        return _in_train_phase(noised, inputs, training)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), stddev=self.stddev)


class GaussianDropout(Layer):
    """Multiplies the inputs by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` while training (dropout's variance without zeros)."""

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate = rate

    def call(self, inputs, training=None):
        from tfone.keras import backend_math
        if not 0 < self.rate < 1:
            return inputs

        def noised():
            stddev = np.sqrt(self.rate / (1.0 - self.rate))
            return inputs * backend_math.random_normal(
                shape=array_ops.shape(inputs), mean=1.0, stddev=stddev,
                dtype=inputs.dtype.base_dtype)
        return _in_train_phase(noised, inputs, training)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), rate=self.rate)
