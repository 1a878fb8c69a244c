"""Assertions (tf.assert_*, tf.Assert, tf.debugging.assert_shapes): they pass on good values,
fail with InvalidArgumentError showing the data on bad ones, work through
tf.control_dependencies, and decide statically what TF1 decides statically."""
import numpy as np
import pytest

import tfone as tf


def _feed_run(fetch, feed):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


@pytest.mark.parametrize("assert_fn, good, bad, symbol", [
    (tf.assert_equal, ([1, 2], [1, 2]), ([1, 2], [1, 3]), "x == y"),
    (tf.assert_none_equal, ([1, 2], [3, 4]), ([1, 2], [3, 2]), "x != y"),
    (tf.assert_less, ([1, 2], [2, 3]), ([1, 3], [2, 3]), "x < y"),
    (tf.assert_less_equal, ([1, 3], [2, 3]), ([1, 4], [2, 3]), "x <= y"),
    (tf.assert_greater, ([2, 3], [1, 2]), ([2, 2], [1, 2]), "x > y"),
    (tf.assert_greater_equal, ([2, 2], [1, 2]), ([2, 1], [1, 2]), "x >= y"),
])
def test_binary_asserts_pass_and_fail(assert_fn, good, bad, symbol):
    x = tf.placeholder(tf.int32, [None], name="x")
    y = tf.placeholder(tf.int32, [None], name="y")
    check = assert_fn(x, y, message="custom")
    assert check.type == "Assert"
    assert check.name == "%s/Assert/Assert" % assert_fn.__name__
    assert _feed_run(check, {x: good[0], y: good[1]}) is None
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _feed_run(check, {x: bad[0], y: bad[1]})
    message = str(info.value)
    assert message.startswith("assertion failed: [custom] [Condition %s did not hold" % symbol)
    assert "[x (x:0) = ] [%s] [y (y:0) = ] [%s]" % (
        " ".join(map(str, bad[0])), " ".join(map(str, bad[1]))) in message
    assert "test_check_ops.py" in message  # the line that created the assertion


def test_broadcasting_and_summarize():
    x = tf.placeholder(tf.float32, [None])
    check = tf.assert_less(x, 10.0, summarize=2)
    _feed_run(check, {x: np.arange(10)})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0 1\.\.\.\]"):
        _feed_run(check, {x: np.arange(11)})


def test_assert_in_control_dependencies_guards_a_computation():
    x = tf.placeholder(tf.float32, [None])
    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.log(x)
    assert tf.get_default_graph().get_operation_by_name(
        "assert_positive/assert_less/Assert/Assert") in y.op.control_inputs
    np.testing.assert_allclose(_feed_run(y, {x: [1.0, np.e]}), [0, 1], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"\[Condition x > 0 did not hold element-wise:\]"):
        _feed_run(y, {x: [1.0, -1.0]})


@pytest.mark.parametrize("assert_fn, good, bad, text", [
    (tf.assert_positive, [1, 2], [0, 2], "x > 0"),
    (tf.assert_non_negative, [0, 2], [-1, 2], "x >= 0"),
    (tf.assert_negative, [-1, -2], [0, -2], "x < 0"),
    (tf.assert_non_positive, [0, -2], [1, -2], "x <= 0"),
])
def test_sign_asserts(assert_fn, good, bad, text):
    x = tf.placeholder(tf.float32, [2], name="v")
    check = assert_fn(x)
    _feed_run(check, {x: good})
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _feed_run(check, {x: bad})
    assert "[Condition %s did not hold element-wise:] [x (v:0) = ]" % text in str(info.value)


def test_assert_equal_on_constants_fails_at_construction():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]), message="static")
    assert str(info.value).split("\n")[:2] == ["static", "Condition x == y did not hold "
                                                         "element-wise:"]
    assert "[1 3]" in str(info.value)
    ok = tf.assert_equal(tf.constant([1, 2]), [1, 2])
    assert _feed_run(ok, None) is None


def test_custom_data_and_names():
    x = tf.placeholder(tf.int32, [])
    check = tf.assert_less(x, 3, data=["x was", x], name="small")
    assert check.name == "small/Assert/Assert"
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[x was\] \[5\]"):
        _feed_run(check, {x: 5})


def test_assert_near():
    x = tf.placeholder(tf.float32, [2])
    check = tf.assert_near(x, [1.0, 2.0], rtol=0.0, atol=0.01)
    _feed_run(check, {x: [1.005, 1.995]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance rtol = 0.0, "
                                                             "atol = 0.01"):
        _feed_run(check, {x: [1.0, 2.1]})
    default = tf.assert_near(tf.constant([1.0]), tf.constant([1.0 + 1e-6]))  # 10 eps tolerance
    _feed_run(default, None)
    with pytest.raises(TypeError, match="floating"):
        tf.assert_near(tf.constant([1]), tf.constant([1]))


# -- ranks and types -------------------------------------------------------------------------------
def test_assert_rank_static_and_dynamic():
    assert tf.assert_rank(tf.zeros([2, 3]), 2).name == "assert_rank/static_checks_determined_all_ok"
    with pytest.raises(ValueError, match=r"Tensor zeros_1:0 must have rank 3\.  Received rank 2, "
                                         r"shape \(2, 3\)"):
        tf.assert_rank(tf.zeros([2, 3]), 3, message="my")
    x = tf.placeholder(tf.float32)  # unknown rank: checked when run
    check = tf.assert_rank(x, 2)
    _feed_run(check, {x: np.zeros((2, 2))})
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"\[Tensor Placeholder:0 must have rank\] \[2\] \[Received shape: \] "
                             r"\[2 2 2\]"):
        _feed_run(check, {x: np.zeros((2, 2, 2))})
    with pytest.raises(ValueError, match="Rank must be a scalar"):
        tf.assert_rank(tf.zeros([2]), [1])
    with pytest.raises(TypeError, match="must be of type"):
        tf.assert_rank(tf.zeros([2]), tf.constant(1, tf.int64))


def test_assert_rank_at_least_and_rank_in():
    tf.assert_rank_at_least(tf.zeros([2, 3]), 1)
    with pytest.raises(ValueError, match="must have rank at least 3"):
        tf.assert_rank_at_least(tf.zeros([2, 3]), 3)
    tf.assert_rank_in(tf.zeros([2]), [0, 1])
    with pytest.raises(ValueError, match=r"must have rank in \(0, 1\)"):
        tf.assert_rank_in(tf.zeros([2, 2]), [0, 1])
    x = tf.placeholder(tf.float32)
    at_least = tf.assert_rank_at_least(x, 2)
    rank_in = tf.assert_rank_in(x, [0, 2])
    _feed_run([at_least, rank_in], {x: np.zeros((1, 1))})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank at least"):
        _feed_run(at_least, {x: np.zeros(3)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank in"):
        _feed_run(rank_in, {x: np.zeros(3)})


def test_static_type_checks():
    assert tf.assert_type(tf.constant(1.0), tf.float32).type == "NoOp"
    with pytest.raises(TypeError, match="must be of type"):
        tf.assert_type(tf.constant(1.0), tf.int32)
    assert tf.assert_integer(tf.constant([1])).type == "NoOp"
    with pytest.raises(TypeError, match='Expected "x" to be integer type'):
        tf.assert_integer(tf.constant([1.0]))
    scalar = tf.constant(3.0)
    assert tf.assert_scalar(scalar) is scalar
    with pytest.raises(ValueError, match="Expected scalar shape"):
        tf.assert_scalar(tf.constant([3.0]))
    tf.assert_proper_iterable([1, 2])
    with pytest.raises(TypeError, match="proper"):
        tf.assert_proper_iterable(tf.constant([1, 2]))


def test_predicates():
    assert tf.is_numeric_tensor(tf.constant(1)) and not tf.is_numeric_tensor(tf.constant("a"))
    assert not tf.is_numeric_tensor(3)
    x = tf.placeholder(tf.float32, [None])
    nd, si = tf.is_non_decreasing(x), tf.is_strictly_increasing(x)
    assert nd.dtype == tf.bool and nd.shape.as_list() == []
    assert _feed_run([nd, si], {x: [1, 2, 2]}) == [True, False]
    assert _feed_run([nd, si], {x: [1, 2, 3]}) == [True, True]
    assert _feed_run([nd, si], {x: [2, 1]}) == [False, False]
    assert _feed_run([nd, si], {x: [5]}) == [True, True]
    nan_check = tf.debugging.is_nan(tf.constant([1.0, np.nan]))  # re-exported from math ops
    assert nan_check.op.type == "IsNan" and _feed_run(nan_check, None).tolist() == [False, True]
    assert tf.debugging.check_numerics is tf.check_numerics


# -- assert_shapes ---------------------------------------------------------------------------------
def test_assert_shapes_dynamic_symbols():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, None], name="y")
    s = tf.placeholder(tf.float32, [], name="s")
    check = tf.debugging.assert_shapes([(x, ("N", 3)), (y, ("N", "D")), (s, ())])
    _feed_run(check, {x: np.zeros((2, 3)), y: np.zeros((2, 7)), s: 1.0})
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _feed_run(check, {x: np.zeros((2, 3)), y: np.zeros((4, 7)), s: 1.0})
    message = str(info.value)
    assert "[Specified by tensor x:0 dimension 0] [Tensor y:0 dimension] [0] [must have size] [2]" \
        in message
    assert "[Received shape: ] [4 7]" in message


def test_assert_shapes_static_failures_and_wildcards():
    a = tf.zeros([2, 3, 4])
    b = tf.zeros([5, 4])
    check = tf.debugging.assert_shapes({a: (..., "D"), b: (5, "D")})
    assert _feed_run(check, None) is None
    tf.debugging.assert_shapes([(a, (None, ".", 4)), (b, None)])
    with pytest.raises(ValueError, match=r"Specified explicitly\.  Tensor zeros_1:0 dimension 0 "
                                         r"must have size 6\.  Received size 5"):
        tf.debugging.assert_shapes([(b, (6, 4))])
    with pytest.raises(ValueError, match=r"Specified by tensor zeros:0 dimension 0"):
        tf.debugging.assert_shapes([(a, ("N", 3, 4)), (b, ("N", 4))])
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.debugging.assert_shapes([(a, ("N", "M"))])
    with pytest.raises(ValueError, match="only allowed as the first entry"):
        tf.debugging.assert_shapes([(a, ("N", ..., 4))])
    with pytest.raises(ValueError, match="must be an iterable"):
        tf.debugging.assert_shapes([(a, 3)])


def test_assert_shapes_unknown_rank_and_scalars_as_size_one():
    x = tf.placeholder(tf.float32)  # unknown rank
    check = tf.debugging.assert_shapes([(x, ("*", 3))])
    _feed_run(check, {x: np.zeros((2, 3))})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have size"):
        _feed_run(check, {x: np.zeros((3, 2))})
    v = tf.placeholder(tf.float32)
    one = tf.debugging.assert_shapes([(v, (1,))])  # a scalar counts as shape [1], as in TF1
    _feed_run(one, {v: 2.0})
    _feed_run(one, {v: [2.0]})
    with pytest.raises(tf.errors.InvalidArgumentError):
        _feed_run(one, {v: [2.0, 3.0]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank in"):
        _feed_run(one, {v: [[2.0]]})
