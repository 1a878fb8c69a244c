"""Keras convolution layers and their shape helpers (shared with the pooling layers).

``Conv1D``, ``Conv2D`` and ``Conv2DTranspose`` (weights ``kernel``, ``bias``), and the
weightless resampling layers ``UpSampling1D/2D``, ``ZeroPadding1D/2D``, ``Cropping1D/2D``
(tf.keras 1.15 arguments and defaults: ``Conv1D`` and the 1-D layers are channels_last by
default, the 2-D layers follow ``keras.backend.image_data_format()``).
"""
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras import activations, constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.layers.core import _normalize_data_format, _cast_to
from tfone.ops import array_ops

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "Convolution1D", "Convolution2D",
           "Convolution2DTranspose", "Deconvolution2D", "UpSampling1D",
           "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D"]


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


def normalize_padding(value, allowed=("valid", "same")):
    padding = value.lower()
    if padding not in allowed:
        raise ValueError("The `padding` argument must be one of %s here. Received: %r"
                         % (", ".join(repr(a) for a in allowed), value))
    return padding


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Length of a convolution / pooling output along one axis (None if unknown)."""
    if input_length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        length = input_length
    elif padding == "valid":
        length = input_length - dilated + 1
    else:  # full
        length = input_length + dilated - 1
    return (length + stride - 1) // stride


def deconv_output_length(input_length, filter_size, padding, output_padding=None, stride=0,
                         dilation=1):
    """Length of a transposed convolution's output along one axis (None if unknown)."""
    if input_length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(filter_size - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + filter_size - 2)
        return input_length * stride
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (input_length - 1) * stride + filter_size - 2 * pad + output_padding


def to_tf_format(data_format, rank=2):
    if rank == 1:
        return "NWC" if data_format == "channels_last" else "NCW"
    return "NHWC" if data_format == "channels_last" else "NCHW"


class Conv(Layer):
    """Base of the convolution layers: ``activation(conv(inputs, kernel) + bias)`` over
    ``rank`` spatial axes. ``kernel`` has shape ``kernel_size + (input_channels, filters)``."""

    _PADDINGS = ("valid", "same")

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding, self._PADDINGS)
        self.data_format = _normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (input_dim, self.filters)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channel_axis = self._channel_axis()
        input_dim = dimension_value(input_shape[channel_axis])
        if input_dim is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None` (layer %s, input shape %s)." % (self.name, input_shape))
        self.kernel = self.add_weight("kernel", shape=self._kernel_shape(input_dim),
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
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: input_dim})
        self.built = True

    def _convolve(self, inputs):
        from tfone import nn
        if self.rank == 1:
            padding = "VALID" if self.padding == "causal" else self.padding.upper()
            if self.padding == "causal":
                inputs = array_ops.pad(inputs, self._causal_padding())
            return nn.conv1d(inputs, self.kernel, stride=list(self.strides), padding=padding,
                             data_format=to_tf_format(self.data_format, 1),
                             dilations=list(self.dilation_rate))
        return nn.conv2d(inputs, self.kernel, strides=list(self.strides),
                         padding=self.padding.upper(), data_format=to_tf_format(self.data_format),
                         dilations=list(self.dilation_rate))

    def _add_bias(self, outputs):
        from tfone import nn
        if self.data_format == "channels_first" and self.rank == 1:
            return outputs + array_ops.reshape(self.bias, (1, self.filters, 1))
        return nn.bias_add(outputs, self.bias, data_format=to_tf_format(self.data_format))

    def call(self, inputs):
        inputs = _cast_to(inputs, self.dtype)
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = self._add_bias(outputs)
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


class Conv1D(Conv):
    """1-D (temporal) convolution over ``(batch, steps, channels)``; ``kernel`` has shape
    ``(kernel_size, input_channels, filters)``. ``padding='causal'`` pads only the start, so
    output t sees inputs up to t (WaveNet)."""

    _PADDINGS = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)

    def _causal_padding(self):
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        if self.data_format == "channels_first":
            return [[0, 0], [0, 0], [left, 0]]
        return [[0, 0], [left, 0], [0, 0]]


class Conv2D(Conv):
    """2-D convolution: ``activation(conv2d(inputs, kernel) + bias)``.

    ``kernel`` has shape ``kernel_size + (input_channels, filters)``; images are
    ``(batch, rows, cols, channels)`` (channels_last, the default) or channels_first.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution ("deconvolution"): the gradient of a Conv2D with respect to
    its input, used to upsample (``strides=2`` doubles the size with ``padding='same'``).
    ``kernel`` has shape ``kernel_size + (filters, input_channels)``; ``output_padding``
    picks among the output sizes that are consistent with the strides."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 2, "output_padding")
            for stride, out_pad in zip(self.strides, self.output_padding):
                if out_pad >= stride:
                    raise ValueError("Stride %s must be greater than output padding %s"
                                     % (self.strides, self.output_padding))

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (self.filters, input_dim)

    def _output_space(self, space):
        out_pad = self.output_padding or (None, None)
        return [deconv_output_length(space[i], self.kernel_size[i], self.padding, out_pad[i],
                                     self.strides[i], self.dilation_rate[i]) for i in range(2)]

    def _convolve(self, inputs):
        from tfone import nn
        dims = inputs.shape.as_list()
        space = dims[1:3] if self.data_format == "channels_last" else dims[2:4]
        if None in space:
            raise ValueError("Conv2DTranspose (layer %s) needs known input rows and columns, "
                             "got input shape %s" % (self.name, inputs.shape))
        out_h, out_w = self._output_space(space)
        batch = array_ops.shape(inputs)[0]
        if self.data_format == "channels_first":
            output_shape = array_ops.stack([batch, self.filters, out_h, out_w])
            strides = (1, 1) + self.strides
            dilations = (1, 1) + self.dilation_rate
        else:
            output_shape = array_ops.stack([batch, out_h, out_w, self.filters])
            strides = (1,) + self.strides + (1,)
            dilations = (1,) + self.dilation_rate + (1,)
        outputs = nn.conv2d_transpose(inputs, self.kernel, output_shape, list(strides),
                                      padding=self.padding.upper(),
                                      data_format=to_tf_format(self.data_format),
                                      dilations=list(dilations))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.data_format == "channels_last":
            return TensorShape([dims[0]] + self._output_space(dims[1:3]) + [self.filters])
        return TensorShape([dims[0], self.filters] + self._output_space(dims[2:4]))

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


# -- resampling layers (no weights) ----------------------------------------------------------------
class _Resample(Layer):
    """Base of the weightless layers that change the size of the spatial axes."""

    def __init__(self, rank, data_format, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._rank = rank

    def _spatial_axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return list(range(start, start + self._rank))

    def _new_length(self, i, length):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        for i, axis in enumerate(self._spatial_axes()):
            dims[axis] = None if dims[axis] is None else self._new_length(i, dims[axis])
        return TensorShape(dims)


class UpSampling1D(_Resample):
    """Repeats each time step ``size`` times: ``(batch, steps, features)`` ->
    ``(batch, steps * size, features)``."""

    def __init__(self, size=2, **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.size = int(size)

    def _new_length(self, i, length):
        return length * self.size

    def call(self, inputs):
        from tfone.keras import backend_math
        return backend_math._repeat_axis(inputs, self.size, 1)

    def get_config(self):
        return dict(super().get_config(), size=self.size)


class UpSampling2D(_Resample):
    """Enlarges images by ``size = (rows, cols)`` integer factors: ``'nearest'`` repeats
    each pixel, ``'bilinear'`` interpolates with half-pixel centers (``tf.image.resize``)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.size = normalize_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of `\"nearest\"` or "
                             "`\"bilinear\"`.")
        self.interpolation = interpolation

    def _new_length(self, i, length):
        return length * self.size[i]

    def call(self, inputs):
        from tfone.keras import backend_math
        return backend_math.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                                          interpolation=self.interpolation)

    def get_config(self):
        return dict(super().get_config(), size=self.size, data_format=self.data_format,
                    interpolation=self.interpolation)


def _pairs(value, rank, name):
    """Keras's padding / cropping argument as ``rank`` (before, after) pairs: an int (the
    same everywhere), ``rank`` ints (symmetric) or ``rank`` pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    if rank == 1:
        return (normalize_tuple(value, 2, name),)
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError("`%s` should have %d elements (one per spatial axis). Found: %r"
                         % (name, rank, value))
    return tuple(normalize_tuple(v, 2, "%s[%d]" % (name, i)) if not isinstance(v, int)
                 else (v, v) for i, v in enumerate(value))


class ZeroPadding1D(_Resample):
    """Adds ``padding`` zero time steps at the start and end (an int, or ``(start, end)``)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.padding = _pairs(padding, 1, "padding")[0]

    def _new_length(self, i, length):
        return length + sum(self.padding)

    def call(self, inputs):
        from tfone.keras import backend_math
        return backend_math.temporal_padding(inputs, padding=self.padding)

    def get_config(self):
        return dict(super().get_config(), padding=self.padding)


class ZeroPadding2D(_Resample):
    """Adds rows and columns of zeros around images: ``padding`` is an int, ``(rows, cols)``
    (symmetric) or ``((top, bottom), (left, right))``."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.padding = _pairs(padding, 2, "padding")

    def _new_length(self, i, length):
        return length + sum(self.padding[i])

    def call(self, inputs):
        from tfone.keras import backend_math
        return backend_math.spatial_2d_padding(inputs, padding=self.padding,
                                               data_format=self.data_format)

    def get_config(self):
        return dict(super().get_config(), padding=self.padding, data_format=self.data_format)


def _crop_slices(ndim, axes, cropping):
    slices = [slice(None)] * ndim
    for axis, (start, end) in zip(axes, cropping):
        slices[axis] = slice(start, -end if end else None)
    return tuple(slices)


class Cropping1D(_Resample):
    """Removes ``cropping = (start, end)`` time steps (an int: the same at both ends)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.cropping = _pairs(cropping, 1, "cropping")[0]

    def _new_length(self, i, length):
        return length - sum(self.cropping)

    def call(self, inputs):
        return inputs[_crop_slices(3, [1], [self.cropping])]

    def get_config(self):
        return dict(super().get_config(), cropping=self.cropping)


class Cropping2D(_Resample):
    """Removes rows and columns at the image borders: ``cropping`` is an int, ``(rows,
    cols)`` (symmetric) or ``((top, bottom), (left, right))``."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.cropping = _pairs(cropping, 2, "cropping")

    def _new_length(self, i, length):
        return length - sum(self.cropping[i])

    def call(self, inputs):
        return inputs[_crop_slices(4, self._spatial_axes(), self.cropping)]

    def get_config(self):
        return dict(super().get_config(), cropping=self.cropping, data_format=self.data_format)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Deconvolution2D = Conv2DTranspose
