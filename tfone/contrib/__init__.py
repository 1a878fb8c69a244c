"""``tf.contrib``: the few contrib functions TF1 textbooks use all the time.

TF 1.x's ``tf.contrib`` was a large, unstable collection; tfone provides only:

- ``tf.contrib.layers``: ``xavier_initializer``, ``xavier_initializer_conv2d``,
  ``variance_scaling_initializer`` (contrib's formulas), ``l1_regularizer``,
  ``l2_regularizer``, ``l1_l2_regularizer``, ``sum_regularizer``, ``apply_regularization``,
  ``fully_connected``, ``flatten``, ``batch_norm`` (contrib's names, defaults and update
  rules);
- ``tf.contrib.rnn``: the cells of ``tf.nn.rnn_cell``, ``static_rnn`` and
  ``static_bidirectional_rnn``.

Anything else raises an AttributeError that names the core-API replacement where there is one.
"""
from tfone.contrib import layers, rnn  # noqa: F401

__all__ = ["layers", "rnn"]

_REPLACEMENTS = {
    "slim": "tf.layers / tf.nn (e.g. tf.layers.conv2d, tf.layers.dense)",
    "learn": "tf.keras (keras.models.Sequential ... model.fit)",
    "keras": "tfone.keras (from tfone import keras)",
    "losses": "tf.losses",
    "metrics": "tf.keras.metrics or computing the metric with tf ops",
    "framework": "tf.train.get_or_create_global_step / tf.global_variables",
    "seq2seq": "tf.nn.dynamic_rnn with your own decoder loop",
    "data": "tfone.data",
}


def __getattr__(name):
    hint = _REPLACEMENTS.get(name)
    raise AttributeError(
        "tfone has no tf.contrib.%s (only tf.contrib.layers and tf.contrib.rnn, with the most "
        "used functions)%s." % (name, "; use %s instead" % hint if hint else ""))
