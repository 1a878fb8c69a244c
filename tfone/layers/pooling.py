"""``tf.layers`` pooling: ``MaxPooling1D/2D`` / ``max_pooling1d/2d``, ``AveragePooling1D/2D``
/ ``average_pooling1d/2d`` (``pool_size`` and ``strides`` are required, as in TF1)."""
from tfone.keras.layers import pooling as keras_pooling
from tfone.layers import base

__all__ = ["MaxPooling1D", "max_pooling1d", "AveragePooling1D", "average_pooling1d",
           "MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
           "MaxPool1D", "AveragePool1D", "MaxPool2D", "AveragePool2D"]


def _pooling_layer(keras_class, doc):
    """A tf.layers pooling class: the Keras layer with TF1's required pool_size/strides."""
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        keras_class.__init__(self, pool_size=pool_size, strides=strides, padding=padding,
                             data_format=data_format, name=name, **kwargs)
    return type(keras_class.__name__, (keras_class, base.Layer),
                {"__init__": __init__, "__doc__": doc, "__module__": __name__})


MaxPooling1D = _pooling_layer(keras_pooling.MaxPooling1D,
                              "Max pooling over ``pool_size`` steps moved by ``strides``.")
AveragePooling1D = _pooling_layer(keras_pooling.AveragePooling1D,
                                  "Average pooling over ``pool_size`` steps moved by ``strides``.")


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Functional interface for 1-D max pooling."""
    return MaxPooling1D(pool_size, strides, padding, data_format, name=name).apply(inputs)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Functional interface for 1-D average pooling."""
    return AveragePooling1D(pool_size, strides, padding, data_format, name=name).apply(inputs)


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


MaxPool1D = MaxPooling1D
AveragePool1D = AveragePooling1D
MaxPool2D = MaxPooling2D
AveragePool2D = AveragePooling2D
