"""``tf.layers``: TF1's layers API (Keras layers with TF1 variable-scope behaviour).

Functions build and apply a layer in one call (``tf.layers.dense(x, 10, activation=tf.nn.relu,
name='fc1')``); classes (``tf.layers.Dense``) can be applied several times. Variables are
named ``dense/kernel:0``, ``dense_1/kernel:0``... (or after ``name``), regularization losses go
to ``tf.GraphKeys.REGULARIZATION_LOSSES`` and batch normalization's moving-average updates to
``tf.GraphKeys.UPDATE_OPS``.
"""
from tfone.layers.base import Layer, InputSpec  # noqa: F401
from tfone.layers.core import Dense, dense, Dropout, dropout, Flatten, flatten  # noqa: F401
from tfone.layers.convolutional import (  # noqa: F401
    Conv1D, conv1d, Conv2D, conv2d, Conv2DTranspose, conv2d_transpose, Convolution1D,
    Convolution2D, Convolution2DTranspose, convolution2d, convolution2d_transpose)
from tfone.layers.pooling import (  # noqa: F401
    MaxPooling1D, max_pooling1d, AveragePooling1D, average_pooling1d, MaxPool1D, AveragePool1D,
    MaxPooling2D, max_pooling2d, AveragePooling2D, average_pooling2d, MaxPool2D, AveragePool2D)
from tfone.layers.normalization import (  # noqa: F401
    BatchNormalization, batch_normalization, BatchNorm)
