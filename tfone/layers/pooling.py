"""``tf.layers`` 2-D pooling: ``MaxPooling2D`` / ``max_pooling2d``, ``AveragePooling2D`` /
``average_pooling2d`` (``pool_size`` and ``strides`` are required, as in TF1)."""
from tfone.keras.layers import pooling as keras_pooling
from tfone.layers import base

__all__ = ["MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
           "MaxPool2D", "AveragePool2D"]


class MaxPooling2D(keras_pooling.MaxPooling2D, base.Layer):
    """Max pooling over ``pool_size`` windows moved by ``strides``."""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding,
                         data_format=data_format, name=name, **kwargs)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Functional interface for 2-D max pooling."""
    layer = MaxPooling2D(pool_size=pool_size, strides=strides, padding=padding,
                         data_format=data_format, name=name)
    return layer.apply(inputs)


class AveragePooling2D(keras_pooling.AveragePooling2D, base.Layer):
    """Average pooling over ``pool_size`` windows moved by ``strides``."""

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(pool_size=pool_size, strides=strides, padding=padding,
                         data_format=data_format, name=name, **kwargs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Functional interface for 2-D average pooling."""
    layer = AveragePooling2D(pool_size=pool_size, strides=strides, padding=padding,
                             data_format=data_format, name=name)
    return layer.apply(inputs)


MaxPool2D = MaxPooling2D
AveragePool2D = AveragePooling2D
