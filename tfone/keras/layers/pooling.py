"""Keras 2-D pooling layers: MaxPooling2D, AveragePooling2D and their global versions."""
from tfone.framework.tensor_shape import TensorShape
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.layers.convolutional import (normalize_tuple, normalize_padding,
                                              conv_output_length, to_tf_format)
from tfone.keras.layers.core import _normalize_data_format
from tfone.ops import math_ops

__all__ = ["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
           "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D"]


class _Pooling2D(Layer):
    _pool = None  # name of the tf.nn function

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        from tfone import nn
        if self.data_format == "channels_last":
            ksize = (1,) + self.pool_size + (1,)
            strides = (1,) + self.strides + (1,)
        else:
            ksize = (1, 1) + self.pool_size
            strides = (1, 1) + self.strides
        return getattr(nn, self._pool)(inputs, ksize=list(ksize), strides=list(strides),
                                       padding=self.padding.upper(),
                                       data_format=to_tf_format(self.data_format))

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.data_format == "channels_first":
            rows, cols = dims[2], dims[3]
        else:
            rows, cols = dims[1], dims[2]
        rows = conv_output_length(rows, self.pool_size[0], self.padding, self.strides[0])
        cols = conv_output_length(cols, self.pool_size[1], self.padding, self.strides[1])
        if self.data_format == "channels_first":
            return TensorShape([dims[0], dims[1], rows, cols])
        return TensorShape([dims[0], rows, cols, dims[3]])

    def get_config(self):
        return dict(super().get_config(), pool_size=self.pool_size, padding=self.padding,
                    strides=self.strides, data_format=self.data_format)


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows moved by ``strides`` (default: ``pool_size``)."""
    _pool = "max_pool"


class AveragePooling2D(_Pooling2D):
    """Average over ``pool_size`` windows moved by ``strides`` (default: ``pool_size``)."""
    _pool = "avg_pool"


class _GlobalPooling2D(Layer):
    _reduce = None

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axes = [1, 2] if self.data_format == "channels_last" else [2, 3]
        return getattr(math_ops, self._reduce)(inputs, axis=axes)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.data_format == "channels_last":
            return TensorShape([dims[0], dims[3]])
        return TensorShape([dims[0], dims[1]])

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean over the spatial axes: ``(batch, rows, cols, channels)`` -> ``(batch, channels)``."""
    _reduce = "reduce_mean"


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max over the spatial axes: ``(batch, rows, cols, channels)`` -> ``(batch, channels)``."""
    _reduce = "reduce_max"


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
