"""Keras ``BatchNormalization`` (tf.keras 1.15 behaviour, also the base of
``tf.layers.batch_normalization``).

In training mode the batch mean and variance normalize the inputs and two update ops move
``moving_mean`` / ``moving_variance`` towards them::

    moving = moving - (moving - batch_statistic) * (1 - momentum)      # AssignMovingAvg

In inference mode the moving statistics normalize the inputs and nothing is updated. The
update ops are in ``layer.updates`` (``tf.layers`` also puts them in ``tf.GraphKeys.UPDATE_OPS``):
run them with the training step.

``training`` may be a Python bool (only the chosen branch is built), or a bool tensor such as
``keras.backend.learning_phase()`` (the Keras default): then ``tf.cond`` picks the statistics
at run time, and the update ops change the moving statistics only when it is True.

As tf.keras 1.15: 4-D inputs normalized over the channel axis (``axis=-1``/``3`` or ``1``) use
``tf.nn.fused_batch_norm``, whose batch variance for the moving average has Bessel's correction
(n / (n - 1)); other inputs use ``tf.nn.moments`` (population variance). The normalization
itself always uses the population variance.
"""
from tfone.framework import dtypes
from tfone.framework.op_registry import convert_to_tensor
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.engine.base_layer_utils import static_value, smart_cond
from tfone.ops import array_ops, math_ops, state_ops

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer):
    """Normalize the activations of the previous layer over each batch (Ioffe & Szegedy)."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if renorm or renorm_clipping is not None:
            raise ValueError("BatchNormalization: batch renormalization (renorm=True) is not "
                             "supported by tfone.")
        if virtual_batch_size is not None:
            raise ValueError("BatchNormalization: virtual_batch_size is not supported by tfone.")
        if adjustment is not None:
            raise ValueError("BatchNormalization: adjustment is not supported by tfone.")
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("axis must be int or list, type given: %s" % type(axis).__name__)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.renorm = False
        self.virtual_batch_size = None
        self.fused = fused
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if not input_shape.ndims:
            raise ValueError("Input has undefined rank: %s (layer %s)" % (input_shape, self.name))
        ndims = input_shape.ndims
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        axes = [a + ndims if a < 0 else a for a in axes]
        for a in axes:
            if a < 0 or a >= ndims:
                raise ValueError("Invalid axis: %d (layer %s, input rank %d)" % (a, self.name,
                                                                                 ndims))
        if len(axes) != len(set(axes)):
            raise ValueError("Duplicate axis: %s" % axes)
        self.axis = axes
        can_fuse = ndims == 4 and axes in ([1], [3])
        if self.fused is None:
            self.fused = can_fuse
        elif self.fused and not can_fuse:
            raise ValueError("Batch normalization layers with fused=True only support 4D input "
                             "tensors normalized over axis 1 or 3 (layer %s, input shape %s, "
                             "axis %s)." % (self.name, input_shape, axes))
        if self.fused:
            self._data_format = "NCHW" if axes == [1] else "NHWC"
        axis_to_dim = {a: input_shape.as_list()[a] for a in axes}
        for a, d in axis_to_dim.items():
            if d is None:
                raise ValueError("Input has undefined `axis` dimension. Input shape: %s (axis %d)"
                                 % (input_shape, a))
        self.input_spec = InputSpec(ndim=ndims, axes=axis_to_dim)
        if len(axes) == 1:
            param_shape = (axis_to_dim[axes[0]],)
        else:
            param_shape = [axis_to_dim.get(i, 1) for i in range(ndims)]
        dtype = dtypes.as_dtype(self.dtype)
        self._param_dtype = dtypes.float32 if dtype == dtypes.float16 else dtype
        if self.scale:
            self.gamma = self.add_weight("gamma", shape=param_shape, dtype=self._param_dtype,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight("beta", shape=param_shape, dtype=self._param_dtype,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        else:
            self.beta = None
        self.moving_mean = self.add_weight("moving_mean", shape=param_shape,
                                           dtype=self._param_dtype,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=param_shape,
                                               dtype=self._param_dtype,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    # -- moving averages -------------------------------------------------------------------------
    def _assign_moving_average(self, variable, value, momentum):
        from tfone.framework.graph import get_default_graph
        with get_default_graph().name_scope("AssignMovingAvg") as scope:
            decay = convert_to_tensor(1.0 - momentum, name="decay")
            if decay.dtype != variable.dtype.base_dtype:
                decay = math_ops.cast(decay, variable.dtype.base_dtype)
            update_delta = (variable - math_ops.cast(value, variable.dtype.base_dtype)) * decay
            return state_ops.assign_sub(variable, update_delta, name=scope)

    def _fused_batch_norm(self, inputs, training):
        from tfone import nn
        one = convert_to_tensor(1.0, dtype=self._param_dtype)
        gamma = self.gamma if self.scale else array_ops.ones_like(self.moving_mean) * one
        beta = self.beta if self.center else array_ops.zeros_like(self.moving_mean)

        def fused_training():
            return nn.fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon,
                                       data_format=self._data_format)

        def fused_inference():
            return nn.fused_batch_norm(inputs, gamma, beta, mean=self.moving_mean,
                                       variance=self.moving_variance, epsilon=self.epsilon,
                                       is_training=False, data_format=self._data_format)
        output, mean, variance = smart_cond(training, fused_training, fused_inference)
        training_value = static_value(training)
        if training_value is None:
            momentum = smart_cond(training, lambda: convert_to_tensor(self.momentum),
                                  lambda: convert_to_tensor(1.0))
        else:
            momentum = convert_to_tensor(self.momentum)
        if training_value or training_value is None:
            self.add_update(self._assign_moving_average(self.moving_mean, mean, momentum))
            self.add_update(self._assign_moving_average(self.moving_variance, variance,
                                                        momentum))
        return output

    def call(self, inputs, training=None):
        from tfone.keras import backend
        from tfone import nn
        if training is None:
            training = backend.learning_phase()
        if self.fused:
            return self._fused_batch_norm(inputs, training)
        input_shape = inputs.shape
        ndims = input_shape.ndims
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        broadcast_shape = [1] * ndims
        broadcast_shape[self.axis[0]] = input_shape.as_list()[self.axis[0]]

        def _broadcast(v):
            if (v is not None and v.shape.ndims != ndims
                    and reduction_axes != list(range(ndims - 1))):
                return array_ops.reshape(v, broadcast_shape)
            return v
        scale = _broadcast(None if self.gamma is None else convert_to_tensor(self.gamma))
        offset = _broadcast(None if self.beta is None else convert_to_tensor(self.beta))
        training_value = static_value(training)
        if training_value is False:
            mean = convert_to_tensor(self.moving_mean)
            variance = convert_to_tensor(self.moving_variance)
        else:
            keep_dims = len(self.axis) > 1
            mean, variance = nn.moments(math_ops.cast(inputs, self._param_dtype),
                                        reduction_axes, keep_dims=keep_dims)
            batch_mean, batch_variance = mean, variance
            mean = smart_cond(training, lambda: batch_mean,
                              lambda: convert_to_tensor(self.moving_mean))
            variance = smart_cond(training, lambda: batch_variance,
                                  lambda: convert_to_tensor(self.moving_variance))

            def mean_update():
                return smart_cond(training, lambda: self._assign_moving_average(
                    self.moving_mean, mean, self.momentum),
                    lambda: convert_to_tensor(self.moving_mean))

            def variance_update():
                return smart_cond(training, lambda: self._assign_moving_average(
                    self.moving_variance, variance, self.momentum),
                    lambda: convert_to_tensor(self.moving_variance))
            self.add_update(mean_update)
            self.add_update(variance_update)
        mean = math_ops.cast(mean, inputs.dtype)
        variance = math_ops.cast(variance, inputs.dtype)
        if offset is not None:
            offset = math_ops.cast(offset, inputs.dtype)
        if scale is not None:
            scale = math_ops.cast(scale, inputs.dtype)
        outputs = nn.batch_normalization(inputs, _broadcast(mean), _broadcast(variance), offset,
                                         scale, self.epsilon)
        outputs.set_shape(input_shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = {
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        return dict(super().get_config(), **config)
