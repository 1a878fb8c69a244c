"""``tf.data.experimental``: the parts TF1 programs commonly use (``AUTOTUNE``, fused
transformations, cardinality)."""
from tfone.data.dataset import (  # noqa: F401
    AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY)
from tfone.data.structure import TensorSpec  # noqa: F401

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "TensorSpec",
           "cardinality", "shuffle_and_repeat", "map_and_batch", "unbatch"]


def cardinality(dataset):
    """The number of elements of ``dataset``, or INFINITE_CARDINALITY / UNKNOWN_CARDINALITY
    (a Python int in tfone, where TF returns a scalar tensor)."""
    return dataset.cardinality()


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """For ``dataset.apply``: ``shuffle(buffer_size, seed)`` then ``repeat(count)``, each pass
    in a new order."""
    def apply(dataset):
        return dataset.shuffle(buffer_size, seed, reshuffle_each_iteration=True).repeat(count)
    return apply


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """For ``dataset.apply``: ``map(map_func)`` then ``batch(batch_size, drop_remainder)``."""
    def apply(dataset):
        return dataset.map(map_func).batch(batch_size, drop_remainder)
    return apply


def unbatch():
    """For ``dataset.apply``: ``dataset.unbatch()``."""
    return lambda dataset: dataset.unbatch()
