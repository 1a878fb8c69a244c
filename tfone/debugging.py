"""``tf.debugging``: assertions, numerics checks and predicates for finding bugs (TF1.15).

Assertions return ops that raise ``InvalidArgumentError`` with the offending values when
run; tie them in with ``tf.control_dependencies``. ``check_numerics`` names the op (and the
line of your program) whose output first held NaN or Inf.
"""
from tfone.ops.check_ops import (  # noqa: F401
    Assert, assert_equal, assert_none_equal, assert_less, assert_less_equal, assert_greater,
    assert_greater_equal, assert_positive, assert_non_negative, assert_negative,
    assert_non_positive, assert_near, assert_rank, assert_rank_at_least, assert_rank_in,
    assert_type, assert_integer, assert_scalar, assert_shapes, assert_proper_iterable,
    is_numeric_tensor, is_non_decreasing, is_strictly_increasing)
from tfone.ops.logging_ops import check_numerics  # noqa: F401

__all__ = ["Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
           "assert_greater", "assert_greater_equal", "assert_positive", "assert_non_negative",
           "assert_negative", "assert_non_positive", "assert_near", "assert_rank",
           "assert_rank_at_least", "assert_rank_in", "assert_type", "assert_integer",
           "assert_scalar", "assert_shapes", "assert_proper_iterable", "is_numeric_tensor",
           "is_non_decreasing", "is_strictly_increasing", "check_numerics", "is_finite",
           "is_inf", "is_nan"]

_FROM_MATH_OPS = ("is_finite", "is_inf", "is_nan")


def __getattr__(name):
    # Elementwise predicates live with the other math ops; tf.debugging re-exports them.
    if name in _FROM_MATH_OPS:
        from tfone.ops import math_ops
        return getattr(math_ops, name)
    raise AttributeError("module 'tfone.debugging' has no attribute %r" % name)
