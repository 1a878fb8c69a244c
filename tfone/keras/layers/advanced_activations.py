"""Activation layers with parameters: LeakyReLU, PReLU, ELU, ThresholdedReLU, ReLU, Softmax."""
from tfone import initializers
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import activations, backend, constraints, regularizers
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.ops import math_ops

__all__ = ["LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "ReLU", "Softmax"]


class _ActivationLayer(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class LeakyReLU(_ActivationLayer):
    """``x`` for x >= 0, ``alpha * x`` below (default alpha 0.3)."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.relu(inputs, alpha=self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class PReLU(_ActivationLayer):
    """Parametric ReLU: ``x`` for x >= 0, ``alpha * x`` below, with ``alpha`` a learned weight
    of the input's shape (without the batch axis); ``shared_axes`` share one alpha along
    those axes (e.g. ``shared_axes=[1, 2]`` for one alpha per channel of an image)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        param_shape = list(dims[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        if None in param_shape:
            raise ValueError("PReLU (layer %s) needs known sizes for the axes it does not share, "
                             "got input shape %s and shared_axes %s"
                             % (self.name, TensorShape(input_shape), self.shared_axes))
        self.alpha = self.add_weight("alpha", shape=param_shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, dtype=self.dtype)
        axes = {i: dims[i] for i in range(1, len(dims))
                if not (self.shared_axes and i in self.shared_axes)}
        self.input_spec = InputSpec(ndim=len(dims), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = activations.relu(inputs)
        neg = -self.alpha * activations.relu(-inputs)
        return pos + neg

    def get_config(self):
        return dict(super().get_config(),
                    alpha_initializer=initializers.serialize(self.alpha_initializer),
                    alpha_regularizer=regularizers.serialize(self.alpha_regularizer),
                    alpha_constraint=constraints.serialize(self.alpha_constraint),
                    shared_axes=self.shared_axes)


class ThresholdedReLU(_ActivationLayer):
    """``x`` where x > theta, else 0 (default theta 1.0)."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(backend.cast_to_floatx(theta))    # Keras keeps it as floatx

    def call(self, inputs):
        return inputs * math_ops.cast(math_ops.greater(inputs, self.theta), inputs.dtype.base_dtype)

    def get_config(self):
        return dict(super().get_config(), theta=self.theta)


class ReLU(_ActivationLayer):
    """Rectified linear unit with optional ``max_value``, ``negative_slope`` and ``threshold``."""

    def __init__(self, max_value=None, negative_slope=0, threshold=0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError("max_value of Relu layer cannot be negative value: %s" % max_value)
        if negative_slope < 0.:
            raise ValueError("negative_slope of Relu layer cannot be negative value: %s"
                             % negative_slope)
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self):
        return dict(super().get_config(), max_value=self.max_value,
                    negative_slope=self.negative_slope, threshold=self.threshold)


class ELU(_ActivationLayer):
    """Exponential linear unit with slope parameter ``alpha``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.elu(inputs, self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class Softmax(_ActivationLayer):
    """Softmax over ``axis``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return activations.softmax(inputs, axis=self.axis)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)
