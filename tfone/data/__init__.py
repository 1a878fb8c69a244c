"""``tf.data``: input pipelines (``Dataset``) read in a graph through iterators whose
``get_next()`` is an op, or iterated in Python. See :mod:`tfone.data.dataset` for how tfone
runs them."""
import importlib

__all__ = ["Dataset", "Iterator", "TensorSpec", "make_one_shot_iterator",
           "make_initializable_iterator", "get_output_types", "get_output_shapes",
           "get_output_classes", "experimental", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY",
           "AUTOTUNE"]

# The op declarations (iterator_ops) are imported with the op library; the rest of tf.data
# is imported when first used.
_LAZY = {"Dataset": "dataset", "INFINITE_CARDINALITY": "dataset",
         "UNKNOWN_CARDINALITY": "dataset", "AUTOTUNE": "dataset", "TensorSpec": "structure",
         "Iterator": "iterator", "make_one_shot_iterator": "iterator",
         "make_initializable_iterator": "iterator", "get_output_types": "iterator",
         "get_output_shapes": "iterator", "get_output_classes": "iterator"}


def __getattr__(name):
    if name == "experimental":
        return importlib.import_module("tfone.data.experimental")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'tfone.data' has no attribute %r" % name)
    value = getattr(importlib.import_module("tfone.data." + module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
