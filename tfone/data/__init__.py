"""``tf.data``: input pipelines. tfone's datasets run in Python over numpy values (see
:mod:`tfone.data.dataset`); they feed graphs through ``feed_dict`` and Keras's ``fit``."""
from tfone.data.dataset import (  # noqa: F401
    Dataset, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY)

__all__ = ["Dataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]
