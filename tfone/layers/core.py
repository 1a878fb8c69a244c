"""``tf.layers`` core layers: Dense, Dropout, Flatten (classes and functions), as TF1."""
from tfone.keras.layers import core as keras_core
from tfone.layers import base
from tfone.ops import init_ops

__all__ = ["Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Dense(keras_core.Dense, base.Layer):
    """``activation(inputs @ kernel + bias)`` with TF1 variable scoping (``dense/kernel:0``).

    ``kernel_initializer=None`` uses the variable scope's initializer (glorot_uniform by
    default, as ``tf.get_variable``).
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(units=units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional interface for the densely-connected layer: ``activation(inputs @ kernel +
    bias)``, variables ``<name or dense>/kernel:0`` and ``/bias:0``.

    ``reuse=True`` (with ``name``) shares the variables of an earlier call with that name.
    """
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                  bias_constraint=bias_constraint, trainable=trainable, name=name,
                  _scope=name, _reuse=reuse)
    return layer.apply(inputs)


class Dropout(keras_core.Dropout, base.Layer):
    """Dropout with ``rate`` (the fraction dropped); ``training`` defaults to False."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(rate=rate, noise_shape=noise_shape, seed=seed, name=name, **kwargs)

    def call(self, inputs, training=False):
        return super().call(inputs, training=training)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Drops a fraction ``rate`` of the inputs (scaling the rest by 1 / (1 - rate)) when
    ``training`` is True (a Python bool or a bool tensor); the identity otherwise."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(keras_core.Flatten, base.Layer):
    """Flattens an input tensor while preserving the batch axis."""


def flatten(inputs, name=None, data_format="channels_last"):
    """``[batch, d1, d2, ...]`` -> ``[batch, d1 * d2 * ...]``."""
    layer = Flatten(name=name, data_format=data_format)
    return layer.apply(inputs)
