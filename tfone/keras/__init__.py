"""``tfone.keras``: Keras 2 on tfone graphs (``from tfone import keras``).

A Keras layer builds ordinary tfone ops and variables in the default graph, so everything a
model does can be drawn and inspected.
"""
from tfone.keras import backend, activations, regularizers, constraints, initializers  # noqa
from tfone.keras import layers  # noqa: F401
from tfone.keras.engine.input_layer import Input  # noqa: F401
