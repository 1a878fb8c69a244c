"""Gradient clipping: clip_by_norm, global_norm, clip_by_global_norm, clip_by_average_norm."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

RNG = np.random.RandomState(3)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_clip_by_norm_all_axes_and_per_axis():
    x = RNG.randn(3, 4).astype(np.float32)
    norm = np.sqrt((x ** 2).sum())
    clipped = tf.clip_by_norm(tf.constant(x), 1.0)
    assert clipped.op.name == "clip_by_norm" and clipped.shape.as_list() == [3, 4]
    out = _run(clipped)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x / norm, rtol=1e-6)
    np.testing.assert_allclose(_run(tf.clip_by_norm(tf.constant(x), 100.0)), x, rtol=1e-6)
    rows = np.sqrt((x ** 2).sum(axis=1, keepdims=True))
    out = _run(tf.clip_by_norm(tf.constant(x), 1.5, axes=[1]))
    np.testing.assert_allclose(out, x * 1.5 / np.maximum(rows, 1.5), rtol=1e-6)


def test_clip_by_norm_of_zeros_and_placeholder_shapes():
    np.testing.assert_array_equal(_run(tf.clip_by_norm(tf.zeros([3]), 1.0)), [0, 0, 0])
    x = tf.placeholder(tf.float32, [None, 2])
    clipped = tf.clip_by_norm(x, 1.0)
    assert clipped.shape.as_list() == [None, 2]
    np.testing.assert_allclose(_run(clipped, {x: [[3.0, 4.0]]}), [[0.6, 0.8]], rtol=1e-6)
    with pytest.raises(ValueError):
        tf.clip_by_norm(tf.ones([2]), tf.ones([3, 2]))


def test_clip_by_norm_gradient():
    check_gradients(lambda t: tf.clip_by_norm(t, 1.0), RNG.randn(2, 3))
    check_gradients(lambda t: tf.clip_by_norm(t, 10.0), RNG.randn(2, 3))
    check_gradients(lambda t: tf.clip_by_norm(t, 1.0, axes=[0]), RNG.randn(2, 3))


def test_global_norm_ignores_none():
    a, b = RNG.randn(3), RNG.randn(2, 2)
    norm = tf.global_norm([tf.constant(a), None, tf.constant(b)])
    assert norm.op.name == "global_norm/global_norm"
    np.testing.assert_allclose(_run(norm), np.sqrt((a ** 2).sum() + (b ** 2).sum()), rtol=1e-12)
    with pytest.raises(TypeError, match="should be a sequence"):
        tf.global_norm(tf.constant(a))


def test_clip_by_global_norm():
    a, b = np.array([3.0, 0.0], np.float32), np.array([[0.0, 4.0]], np.float32)
    clipped, norm = tf.clip_by_global_norm([tf.constant(a), None, tf.constant(b)], 2.5)
    assert clipped[1] is None
    assert clipped[0].op.name == "clip_by_global_norm/clip_by_global_norm/_0"
    assert clipped[2].op.name == "clip_by_global_norm/clip_by_global_norm/_2"
    out_a, out_b, out_norm = _run([clipped[0], clipped[2], norm])
    assert out_norm == pytest.approx(5.0)
    np.testing.assert_allclose(out_a, a / 2, rtol=1e-6)
    np.testing.assert_allclose(out_b, b / 2, rtol=1e-6)
    assert out_a.dtype == np.float32
    # Below the threshold nothing changes.
    small, _ = tf.clip_by_global_norm([tf.constant(a)], 10.0)
    np.testing.assert_allclose(_run(small[0]), a, rtol=1e-6)


def test_clip_by_global_norm_with_use_norm_and_non_finite_norm():
    a = np.array([1.0, 1.0])
    clipped, norm = tf.clip_by_global_norm([tf.constant(a)], 1.0,
                                           use_norm=tf.constant(4.0, tf.float64))
    np.testing.assert_allclose(_run(clipped[0]), a / 4)
    assert _run(norm) == 4.0
    clipped, _ = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(_run(clipped[0])).all()


def test_clip_by_global_norm_gradient():
    def clip(a, b):
        out, _ = tf.clip_by_global_norm([a, b], 1.0)
        return [out[0], out[1]]
    check_gradients(clip, RNG.randn(3), RNG.randn(2, 2))


def test_clip_by_average_norm():
    x = RNG.randn(2, 3).astype(np.float32)
    out = _run(tf.clip_by_average_norm(tf.constant(x), 0.1))
    average = np.sqrt((x ** 2).sum()) / x.size
    np.testing.assert_allclose(out, x * 0.1 / max(average, 0.1), rtol=1e-5)
