"""Keras convolution layer Conv2D (and the shape helpers it shares with the pooling layers)."""
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras import activations, constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.layers.core import _normalize_data_format, _cast_to

__all__ = ["Conv2D", "Convolution2D"]


def normalize_tuple(value, n, name):
    """An int or an iterable of n ints as a tuple of n ints (Keras's conv_utils)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value_tuple = tuple(value)
    except TypeError:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r"
                         % (name, n, value)) from None
    if len(value_tuple) != n:
        raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r"
                         % (name, n, value))
    for v in value_tuple:
        if not isinstance(v, int):
            raise ValueError("The `%s` argument must be a tuple of %d integers. Received: %r "
                             "including element %r of type %s" % (name, n, value, v,
                                                                  type(v).__name__))
    return value_tuple


def normalize_padding(value):
    padding = value.lower()
    if padding not in ("valid", "same"):
        raise ValueError("The `padding` argument must be 'valid' or 'same' here. Received: %r"
                         % (value,))
    return padding


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Length of a convolution / pooling output along one axis (None if unknown)."""
    if input_length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding == "same":
        length = input_length
    elif padding == "valid":
        length = input_length - dilated + 1
    else:  # full
        length = input_length + dilated - 1
    return (length + stride - 1) // stride


def to_tf_format(data_format):
    return "NHWC" if data_format == "channels_last" else "NCHW"


class Conv2D(Layer):
    """2-D convolution: ``activation(conv2d(inputs, kernel) + bias)``.

    ``kernel`` has shape ``kernel_size + (input_channels, filters)``; images are
    ``(batch, rows, cols, channels)`` (channels_last, the default) or channels_first.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        self.rank = 2
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = _normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channel_axis = self._channel_axis()
        input_dim = dimension_value(input_shape[channel_axis])
        if input_dim is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None` (layer %s, input shape %s)." % (self.name, input_shape))
        kernel_shape = self.kernel_size + (input_dim, self.filters)
        self.kernel = self.add_weight("kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True,
                                      dtype=self.dtype)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True,
                                        dtype=self.dtype)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=4, axes={channel_axis: input_dim})
        self.built = True

    def call(self, inputs):
        from tfone import nn
        fmt = to_tf_format(self.data_format)
        inputs = _cast_to(inputs, self.dtype)
        outputs = nn.conv2d(inputs, self.kernel, strides=list(self.strides),
                            padding=self.padding.upper(), data_format=fmt,
                            dilations=list(self.dilation_rate))
        if self.use_bias:
            outputs = nn.bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        space = dims[1:-1] if self.data_format == "channels_last" else dims[2:]
        new_space = [conv_output_length(space[i], self.kernel_size[i], self.padding,
                                        self.strides[i], self.dilation_rate[i])
                     for i in range(len(space))]
        if self.data_format == "channels_last":
            return TensorShape([dims[0]] + new_space + [self.filters])
        return TensorShape([dims[0], self.filters] + new_space)

    def get_config(self):
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return dict(super().get_config(), **config)


Convolution2D = Conv2D
