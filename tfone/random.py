"""``tf.random``: TF1.15's random namespace (the same ops as tf.random_normal & co.).

Seeds follow TF1's rules (graph seed from ``set_random_seed``, op ``seed=``); see
``tfone.ops.random_ops``. The numbers are numpy's, not TensorFlow's Philox stream.
"""
from tfone.ops.random_ops import (  # noqa: F401
    random_normal as normal, random_uniform as uniform, truncated_normal, random_shuffle as shuffle,
    categorical, multinomial, set_random_seed, get_seed)

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "categorical", "multinomial",
           "set_random_seed", "get_seed"]
