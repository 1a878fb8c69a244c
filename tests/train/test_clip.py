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


def test_gather_gradients_are_measured_by_their_slices_as_tf1():
    # TF1's global_norm / clip_by_global_norm / clip_by_norm see the IndexedSlices values of
    # an embedding gradient: a row looked up twice counts twice (checked against TF 1.x).
    E = tf.Variable(np.ones((4, 2), np.float32), name="E")
    W = tf.Variable(np.ones((2, 1), np.float32), name="W")
    ids = tf.constant([1, 1, 3])
    loss = tf.reduce_sum(tf.matmul(tf.nn.embedding_lookup(E, ids), W))
    g_e, g_w = tf.gradients(loss, [E, W])
    # d loss / d E as slices: three rows (1, 1), so sum of squares 6; summed into dense rows
    # it would be (2, 2) and (1, 1), i.e. 10. d loss / d W = (3, 3): 18.
    norm = tf.global_norm([g_e, g_w])
    clipped, clip_norm_used = tf.clip_by_global_norm([g_e, g_w], 1.0)
    by_norm = tf.clip_by_norm(g_e, 1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        n, ce, cn, again, bn = sess.run([norm, clipped[0], clip_norm_used,
                                         tf.global_norm(clipped), by_norm])
    assert n == pytest.approx(np.sqrt(6 + 18))
    assert cn == pytest.approx(n)
    dense = np.array([[0, 0], [2, 2], [0, 0], [1, 1]], np.float32)
    np.testing.assert_allclose(ce, dense / n, rtol=1e-6)
    assert again == pytest.approx(1.0, rel=1e-6)       # measured by the scaled slices too
    np.testing.assert_allclose(bn, dense / np.sqrt(6), rtol=1e-6)
