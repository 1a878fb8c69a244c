"""Keras engine: the ``Layer`` base class, ``InputSpec``, nodes and ``Input``/``InputLayer``."""
from tfone.keras.engine.base_layer import (  # noqa: F401
    Layer, InputSpec, Node, KerasHistory, get_keras_history, get_keras_mask)
from tfone.keras.engine.input_layer import InputLayer, Input  # noqa: F401
