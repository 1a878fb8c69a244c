"""``tf.compat``: for programs written as ``import tensorflow.compat.v1 as tf``.

``import tfone.compat.v1 as tf`` (or ``tf.compat.v1``) is tfone itself: tfone *is* TF1's
graph-mode API. ``tf.disable_v2_behavior()`` and ``tf.disable_eager_execution()`` are
therefore already in effect and do nothing; asking for TF2 behaviour (eager execution)
raises, because tfone has none.
"""
__all__ = ["disable_v2_behavior", "enable_v2_behavior", "disable_eager_execution",
           "enable_eager_execution", "executing_eagerly", "v1"]


def disable_v2_behavior():
    """TF1 behaviour (graphs, sessions, placeholders): always the case in tfone."""


def disable_eager_execution():
    """Graph mode: always the case in tfone."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Raises NotImplementedError: tfone has TF1's graph mode only (no eager execution)."""
    raise NotImplementedError("tfone has no eager execution: it runs TF1's graph mode only "
                              "(build a graph, then run it with tf.Session).")


def enable_v2_behavior():
    """Raises NotImplementedError: tfone has TF1's graph-mode API only (no TF2 behaviour)."""
    raise NotImplementedError("tfone implements TensorFlow 1's graph-mode API only; TF2 "
                              "behaviour (eager execution, tf.function) is not available.")


def executing_eagerly():
    """Always False: tfone builds graphs."""
    return False


def __getattr__(name):
    if name == "v1":
        import importlib
        return importlib.import_module("tfone.compat.v1")
    raise AttributeError("module 'tfone.compat' has no attribute %r" % name)
