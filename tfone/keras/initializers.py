"""``keras.initializers``: the initializers of ``tfone.initializers`` under their Keras names.

Nothing is defined here: ``tfone.initializers.keras_namespace()`` is the single source (Keras
defaults such as ``RandomNormal(stddev=0.05)`` and aliases such as ``'uniform'``).
"""
from tfone import initializers as _initializers

globals().update(_initializers.keras_namespace())

__all__ = sorted(_initializers.keras_namespace())
