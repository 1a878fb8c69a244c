"""``tf.math``: TF1's math namespace (elementwise math, comparisons, reductions).

Everything here is defined in :mod:`tfone.ops.math_ops` (most names also exist at the top
level, ``tf.exp`` = ``tf.math.exp``). TF1 also files a few neural-network functions under
``tf.math`` (softplus, log_softmax, top_k...); those are re-exported from ``tfone.nn`` when
that module provides them.
"""
from tfone.ops.math_ops import (  # noqa: F401
    add, subtract, multiply, divide, realdiv, truediv, floordiv, floormod, mod, pow, negative,
    scalar_mul, div_no_nan, maximum, minimum, squared_difference, add_n, abs, sign, square, sqrt,
    rsqrt, exp, expm1, log, log1p, sin, cos, tan, tanh, sigmoid, reciprocal, round, rint, floor,
    ceil, conj, erf, is_nan, is_inf, is_finite, equal, not_equal, less, less_equal, greater,
    greater_equal, logical_and, logical_or, logical_not, logical_xor, cumsum, reduce_sum,
    reduce_mean, reduce_max, reduce_min, reduce_prod, reduce_logsumexp, reduce_any, reduce_all,
    reduce_variance, reduce_std, count_nonzero, argmax, argmin, accumulate_n, truncatediv,
    truncatemod, atan2, log_sigmoid, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, cumprod)

from tfone.ops.array_ops import unsorted_segment_sum, invert_permutation  # noqa: F401
from tfone.ops.segment_ops import (  # noqa: F401
    segment_sum, segment_mean, segment_max, segment_min, unsorted_segment_max,
    unsorted_segment_min, unsorted_segment_mean, unsorted_segment_sqrt_n, bincount,
    confusion_matrix)

floor_div = floordiv  # TF1's alias (tf.math.floordiv is the documented name)
_NN_NAMES = ("softplus", "softsign", "log_softmax", "softmax", "l2_normalize", "top_k",
             "in_top_k")


def __getattr__(name):
    # tf.math.softplus & co. live in nn_ops; resolve lazily so this module never depends on
    # the import order of the nn package.
    if name in _NN_NAMES:
        try:
            from tfone.ops import nn_ops
        except ImportError:
            nn_ops = None
        if nn_ops is not None and hasattr(nn_ops, name):
            return getattr(nn_ops, name)
    raise AttributeError("module 'tfone.math' has no attribute %r" % name)


def __dir__():
    # The names resolved lazily above are part of tf.math too (docs/API.md lists dir()).
    return sorted(set(globals()) | set(_NN_NAMES))
