"""Keras pooling layers: Max/AveragePooling1D and 2D, and their global versions.

The 1-D layers are channels_last by default (tf.keras 1.15) and pool with the 2-D ops over a
height-1 image (``expand_dims``, pool, ``squeeze``), as TF1 does.
"""
from tfone.framework.tensor_shape import TensorShape
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.layers.convolutional import (normalize_tuple, normalize_padding,
                                              conv_output_length, to_tf_format)
from tfone.keras.layers.core import _normalize_data_format
from tfone.ops import array_ops, math_ops

__all__ = ["MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
           "MaxPool1D", "AvgPool1D", "GlobalAvgPool1D", "GlobalMaxPool1D", "MaxPool2D",
           "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D"]


class _Pooling1D(Layer):
    _pool = None  # name of the tf.nn function

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, 1, "pool_size")
        self.strides = normalize_tuple(strides, 1, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        from tfone import nn
        pad_axis = 2 if self.data_format == "channels_last" else 3
        inputs = array_ops.expand_dims(inputs, pad_axis)
        if self.data_format == "channels_last":
            ksize, strides = (1,) + self.pool_size + (1, 1), (1,) + self.strides + (1, 1)
        else:
            ksize, strides = (1, 1) + self.pool_size + (1,), (1, 1) + self.strides + (1,)
        outputs = getattr(nn, self._pool)(inputs, ksize=list(ksize), strides=list(strides),
                                          padding=self.padding.upper(),
                                          data_format=to_tf_format(self.data_format))
        return array_ops.squeeze(outputs, [pad_axis])

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        steps_axis = 1 if self.data_format == "channels_last" else 2
        dims[steps_axis] = conv_output_length(dims[steps_axis], self.pool_size[0], self.padding,
                                              self.strides[0])
        return TensorShape(dims)

    def get_config(self):
        return dict(super().get_config(), strides=self.strides, pool_size=self.pool_size,
                    padding=self.padding, data_format=self.data_format)


class MaxPooling1D(_Pooling1D):
    """Max over windows of ``pool_size`` time steps moved by ``strides`` (default:
    ``pool_size``): ``(batch, steps, features)`` in, shorter sequences out."""
    _pool = "max_pool"


class AveragePooling1D(_Pooling1D):
    """Average over windows of ``pool_size`` time steps moved by ``strides`` (default:
    ``pool_size``)."""
    _pool = "avg_pool"


class _GlobalPooling1D(Layer):
    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def _steps_axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.data_format == "channels_last":
            return TensorShape([dims[0], dims[2]])
        return TensorShape([dims[0], dims[1]])

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over the time steps: ``(batch, steps, features)`` -> ``(batch, features)``;
    with a mask (e.g. from ``Embedding(mask_zero=True)``) only the unmasked steps count."""

    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = self._steps_axis()
        if mask is None:
            return math_ops.reduce_mean(inputs, axis=steps_axis)
        mask = math_ops.cast(mask, inputs.dtype)
        mask = array_ops.expand_dims(mask, 2 if steps_axis == 1 else 1)
        inputs = inputs * mask
        return (math_ops.reduce_sum(inputs, axis=steps_axis)
                / math_ops.reduce_sum(mask, axis=steps_axis))

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Max over the time steps: ``(batch, steps, features)`` -> ``(batch, features)``."""

    def call(self, inputs):
        return math_ops.reduce_max(inputs, axis=self._steps_axis())


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


MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
