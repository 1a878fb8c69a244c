"""Python operators on tensors: arithmetic, comparison, logic, indexing, mixed operands."""
import numpy as np
import pytest

import tfone as tf

X = np.array([[1.0, -2.0, 3.5], [4.0, 5.0, -6.25]], dtype=np.float32)
Y = np.array([[2.0, 3.0, -1.5], [0.5, 2.0, 4.0]], dtype=np.float32)


@pytest.mark.parametrize("expr,ref", [
    (lambda x, y: x + y, lambda x, y: x + y),
    (lambda x, y: x - y, lambda x, y: x - y),
    (lambda x, y: x * y, lambda x, y: x * y),
    (lambda x, y: x / y, lambda x, y: x / y),
    (lambda x, y: x // y, lambda x, y: x // y),
    (lambda x, y: x % y, lambda x, y: np.mod(x, y)),
    (lambda x, y: abs(x) ** y, lambda x, y: np.abs(x) ** y),
    (lambda x, y: -x, lambda x, y: -x),
    (lambda x, y: abs(x), lambda x, y: np.abs(x)),
    (lambda x, y: x @ tf.transpose(y), lambda x, y: x @ y.T),
    (lambda x, y: x < y, lambda x, y: x < y),
    (lambda x, y: x <= y, lambda x, y: x <= y),
    (lambda x, y: x > y, lambda x, y: x > y),
    (lambda x, y: x >= y, lambda x, y: x >= y),
    (lambda x, y: (x > 0) & (y > 0), lambda x, y: (x > 0) & (y > 0)),
    (lambda x, y: (x > 0) | (y > 0), lambda x, y: (x > 0) | (y > 0)),
    (lambda x, y: (x > 0) ^ (y > 0), lambda x, y: (x > 0) ^ (y > 0)),
    (lambda x, y: ~(x > 0), lambda x, y: ~(x > 0)),
])
def test_operator_matches_numpy(expr, ref):
    x, y = tf.constant(X), tf.constant(Y)
    with tf.Session() as sess:
        out = sess.run(expr(x, y))
    expected = ref(X, Y)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == expected.dtype


@pytest.mark.parametrize("expr,ref", [
    (lambda x: x + 1, lambda x: x + 1), (lambda x: 1 + x, lambda x: 1 + x),
    (lambda x: 2 - x, lambda x: 2 - x), (lambda x: 3 * x, lambda x: 3 * x),
    (lambda x: 1 / x, lambda x: 1 / x), (lambda x: 2 ** x, lambda x: 2 ** x),
    (lambda x: np.float32(2) * x, lambda x: 2 * x),
    (lambda x: np.ones(3, np.float32) + x, lambda x: 1 + x),
    (lambda x: x * np.arange(3, dtype=np.float32), lambda x: x * np.arange(3)),
])
def test_mixed_python_and_numpy_operands(expr, ref):
    x = tf.constant(X)
    result = expr(x)
    assert isinstance(result, tf.Tensor)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(result), ref(X).astype(np.float32), rtol=1e-6)
    assert result.dtype == tf.float32


def test_operator_op_names_follow_tf1():
    x = tf.constant(1.0)
    assert (x + 1).op.name == "add" and (x + 1).op.inputs[1].op.name == "add_1/y"
    assert (x - x).op.name == "sub" and (x * x).op.name == "mul"
    assert (x / x).op.name == "truediv" and (-x).op.type == "Neg"
    assert (x < x).op.type == "Less"
    assert (1.0 - x).op.inputs[0].op.name.endswith("/x")


def test_bool_and_len_raise_eq_is_identity():
    x = tf.constant([1.0])
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(x)
    with pytest.raises(TypeError, match="len is not well defined"):
        len(x)
    assert (x == x) is True and (x == tf.constant([1.0])) is False
    assert hash(x) == hash(x)
    with pytest.raises(TypeError, match="has no value"):
        np.asarray(x)


def test_iteration_over_known_first_dimension():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    rows = list(x)
    assert len(rows) == 2
    with tf.Session() as sess:
        assert np.array_equal(sess.run(rows[1]), [3.0, 4.0])
    with pytest.raises(TypeError, match="unknown first dimension"):
        iter(tf.placeholder(tf.float32, [None, 2]))


def test_integer_division_semantics():
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    with tf.Session() as sess:
        assert np.array_equal(sess.run(a // b), [3, -4])
        assert np.array_equal(sess.run(a % b), [1, 1])
        out = sess.run(a / b)
    assert out.dtype == np.float64 and np.allclose(out, [3.5, -3.5])
