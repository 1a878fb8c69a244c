"""``keras.utils``: ``to_categorical``, ``normalize``, ``plot_model``, ``Progbar``,
``set_random_seed``, custom-object scopes and serialization helpers."""
import random as _random

import numpy as _np

from tfone.keras.utils.np_utils import to_categorical, normalize  # noqa: F401
from tfone.keras.utils.generic_utils import (  # noqa: F401
    Progbar, CustomObjectScope, custom_object_scope, get_custom_objects,
    serialize_keras_object, deserialize_keras_object)
from tfone.keras.utils.vis_utils import plot_model, model_to_dot  # noqa: F401
from tfone.keras.utils.layer_utils import print_summary  # noqa: F401

__all__ = ["to_categorical", "normalize", "plot_model", "model_to_dot", "Progbar",
           "set_random_seed", "CustomObjectScope", "custom_object_scope", "get_custom_objects",
           "serialize_keras_object", "deserialize_keras_object", "print_summary"]


def set_random_seed(seed):
    """Seed everything that makes a Keras run random: Python's ``random``, numpy's global
    generator (shuffling, data generators) and the graph-level seed of the default graph
    (``tf.set_random_seed``: weight initializers, dropout, ...). Call it before building the
    model; after ``keras.backend.clear_session()`` call it again (the new graph has no seed).
    """
    if not isinstance(seed, (int, _np.integer)):
        raise ValueError("Expected `seed` argument to be an integer. Received: seed=%r"
                         % (seed,))
    _random.seed(seed)
    _np.random.seed(seed % (2 ** 32))
    from tfone.ops.random_ops import set_random_seed as _tf_set_random_seed
    _tf_set_random_seed(int(seed))
