"""tf.roll (the Roll op), and tf.sort / tf.argsort (composites of top_k)."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"Roll"}
SHAPE_CHECKED = {"Roll"}
GRADIENT_CHECKED = {"Roll"}

RNG = np.random.RandomState(11)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_roll_matches_numpy():
    assert run(tf.roll([0, 1, 2, 3], 1, 0)).tolist() == [3, 0, 1, 2]
    x = RNG.randn(2, 3, 4).astype(np.float32)
    out = tf.roll(x, [1, -2], [0, 2])
    assert out.op.type == "Roll" and out.dtype == tf.float32
    np.testing.assert_array_equal(run(out), np.roll(x, (1, -2), (0, 2)))
    np.testing.assert_array_equal(run(tf.roll(x, [1, 1], [1, 1])), np.roll(x, 2, 1))  # summed
    np.testing.assert_array_equal(run(tf.roll(x, 7, -1)), np.roll(x, 7, -1))
    shift = tf.placeholder(tf.int32, [])
    np.testing.assert_array_equal(run(tf.roll(x, shift, 1), {shift: -1}), np.roll(x, -1, 1))


def test_roll_shapes_and_errors():
    p = tf.placeholder(tf.float32, [None, 5])
    assert tf.roll(p, 2, 1).shape.as_list() == [None, 5]
    assert tf.roll(tf.placeholder(tf.float32), 2, 0).shape.ndims is None
    with pytest.raises(ValueError, match="same size"):
        tf.roll(p, [1, 2], [0])
    with pytest.raises(ValueError, match="out of range"):
        tf.roll(p, 1, 2)
    with pytest.raises(ValueError, match="scalars or vectors"):
        tf.roll(p, [[1]], [[0]])
    axis = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        run(tf.roll(np.zeros((2, 2)), 1, axis), {axis: 3})


def test_roll_gradient():
    check_gradients(lambda x: tf.roll(x, [2, -1], [0, 1]), RNG.randn(3, 4))
    check_gradients(lambda x: tf.roll(x, 1, 0) * x, RNG.randn(4), order=2)


def test_sort_and_argsort_match_numpy():
    x = RNG.randn(3, 5).astype(np.float32)
    out = tf.sort(x)
    assert out.dtype == tf.float32 and out.shape.as_list() == [3, 5]
    assert out.op.name.startswith("sort/")
    np.testing.assert_array_equal(run(out), np.sort(x))
    np.testing.assert_array_equal(run(tf.sort(x, axis=0, direction="DESCENDING")),
                                  -np.sort(-x, axis=0))
    order = tf.argsort(x, axis=0)
    assert order.dtype == tf.int32 and order.op.name.startswith("argsort/")
    np.testing.assert_array_equal(run(order), np.argsort(x, axis=0))
    ties = [3, 1, 3, 1, 2]
    assert run(tf.argsort(ties)).tolist() == [1, 3, 4, 0, 2]                 # stable
    assert run(tf.argsort(ties, direction="DESCENDING")).tolist() == [0, 2, 4, 1, 3]
    p = tf.placeholder(tf.float32, [None, None])
    np.testing.assert_array_equal(run(tf.sort(p, axis=1), {p: x}), np.sort(x, 1))


def test_sort_errors_and_gradient():
    with pytest.raises(ValueError, match="ASCENDING, DESCENDING"):
        tf.sort([1.0, 2.0], direction="UP")
    with pytest.raises(ValueError, match="constant scalar"):
        tf.sort([1.0, 2.0], axis=tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="out of range"):
        tf.sort([1.0, 2.0], axis=1)
    check_gradients(lambda x: tf.sort(x, axis=0) * np.arange(1.0, 5.0)[:, None], RNG.randn(4, 3))
