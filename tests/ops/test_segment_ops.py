"""Segments, uniques and counting: unique, segment reductions, bincount, confusion_matrix.

Expected values were checked against TensorFlow's graph mode."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"Unique", "UniqueWithCounts", "UnsortedSegmentMax", "UnsortedSegmentMin"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = {"UnsortedSegmentMax", "UnsortedSegmentMin"}

D = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
IDS = np.array([0, 0, 2], np.int32)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def shape_of(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


def test_unique_keeps_the_order_of_first_appearance():
    x = tf.placeholder(tf.float32, [5])
    y, idx = tf.unique(x)
    assert y.op.type == "Unique" and shape_of(y) == [None] and shape_of(idx) == [5]
    assert idx.dtype == tf.int32
    values = run([y, idx], {x: [1.0, 3.0, 1.0, 2.0, 3.0]})
    np.testing.assert_array_equal(values[0], [1.0, 3.0, 2.0])
    np.testing.assert_array_equal(values[1], [0, 1, 0, 2, 1])
    assert values[0].dtype == np.float32
    y, idx, count = tf.unique_with_counts(tf.constant([7, 7, -1, 7, 4]), out_idx=tf.int64)
    assert idx.dtype == tf.int64 and count.dtype == tf.int64 and shape_of(count) == [None]
    values = run([y, idx, count])
    assert values[0].tolist() == [7, -1, 4] and values[1].tolist() == [0, 0, 1, 0, 2]
    assert values[2].tolist() == [3, 1, 1]
    empty = run(tf.unique(tf.zeros([0]))[0])
    assert empty.shape == (0,)


def test_unique_errors_and_no_gradient():
    with pytest.raises(ValueError, match="1-D"):
        tf.unique(tf.zeros([2, 2]))
    assert shape_of(tf.unique(tf.placeholder(tf.int32))[1]) == [None]
    x = tf.constant([1.0, 2.0])
    with pytest.raises(LookupError, match="Unique"):
        tf.gradients(tf.unique(x)[0], x)


def test_unsorted_segment_max_and_min():
    mx = tf.unsorted_segment_max(D, IDS, 4)
    mn = tf.math.unsorted_segment_min(D, IDS, 4)
    assert mx.op.type == "UnsortedSegmentMax" and shape_of(mx) == [4, 2]
    values = run([mx, mn])
    lowest, highest = np.finfo(np.float32).min, np.finfo(np.float32).max
    np.testing.assert_array_equal(values[0], [[3, 4], [lowest] * 2, [5, 6], [lowest] * 2])
    np.testing.assert_array_equal(values[1], [[1, 2], [highest] * 2, [5, 6], [highest] * 2])
    ints = run(tf.unsorted_segment_max(tf.constant([1, 2, 3]), IDS, 4))
    assert ints.tolist() == [2, np.iinfo(np.int32).min, 3, np.iinfo(np.int32).min]
    dropped = run(tf.unsorted_segment_max(D, [-1, 0, 0], 2))   # negative ids are dropped
    np.testing.assert_array_equal(dropped[0], [5.0, 6.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        run(tf.unsorted_segment_max(D, [5, 0, 0], 2))


def test_unsorted_segment_extremum_shapes():
    data = tf.placeholder(tf.float32, [None, 3])
    assert shape_of(tf.unsorted_segment_max(data, tf.placeholder(tf.int32, [None]), 5)) == [5, 3]
    n = tf.placeholder(tf.int32, [])
    assert shape_of(tf.unsorted_segment_min(data, tf.placeholder(tf.int32, [None]), n)) == [None, 3]
    assert shape_of(tf.unsorted_segment_max(tf.placeholder(tf.float32), IDS, 4)) is None
    with pytest.raises(ValueError, match="must be a prefix"):
        tf.unsorted_segment_max(tf.zeros([3, 2]), tf.zeros([4], tf.int32), 2)
    with pytest.raises(TypeError, match="real-valued"):
        tf.unsorted_segment_max(tf.constant([True, False, True]), IDS, 3)


def test_unsorted_segment_extremum_gradients():
    v = tf.constant([1.0, 3.0, 3.0, 2.0])
    g = tf.gradients(tf.unsorted_segment_max(v, [0, 0, 0, 1], 3), v)[0]
    np.testing.assert_allclose(run(g), [0.0, 0.5, 0.5, 1.0])   # ties share, as TF1
    data = np.random.RandomState(3).randn(5, 2)
    check_gradients(lambda d: tf.unsorted_segment_max(d, [1, 0, 1, -1, 1], 3), data)
    check_gradients(lambda d: tf.unsorted_segment_min(d, [[0, 1], [1, 1]], 2) * 2.0,
                    data[:4].reshape(2, 2, 2))


def test_sorted_segment_reductions():
    outputs = [tf.segment_sum(D, IDS), tf.segment_mean(D, IDS), tf.segment_max(D, IDS),
               tf.math.segment_min(D, IDS)]
    assert all(shape_of(t) == [None, 2] for t in outputs)
    total, mean, mx, mn = run(outputs)
    np.testing.assert_array_equal(total, [[4, 6], [0, 0], [5, 6]])
    np.testing.assert_array_equal(mean, [[2, 3], [0, 0], [5, 6]])
    np.testing.assert_array_equal(mx, [[3, 4], [0, 0], [5, 6]])    # empty segments: 0
    np.testing.assert_array_equal(mn, [[1, 2], [0, 0], [5, 6]])
    assert run(tf.segment_sum(tf.zeros([0, 2]), tf.zeros([0], tf.int32))).shape == (0, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="sorted"):
        run(tf.segment_sum(D, [1, 0, 0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        run(tf.segment_mean(D, [-1, 0, 0]))
    # (reshaped: the number of segments is only known at run time)
    check_gradients(lambda d: tf.reshape(tf.segment_mean(d, [0, 0, 1, 3]), [4, 2]),
                    np.random.randn(4, 2))
    check_gradients(lambda d: tf.reshape(tf.segment_max(d, [0, 0, 1, 3]), [4, 2]),
                    np.random.randn(4, 2))


def test_unsorted_segment_mean_and_sqrt_n():
    mean = tf.unsorted_segment_mean(D, IDS, 4)
    assert mean.op.name == "UnsortedSegmentMean/truediv" and shape_of(mean) == [4, 2]
    np.testing.assert_array_equal(run(mean), [[2, 3], [0, 0], [5, 6], [0, 0]])
    np.testing.assert_allclose(run(tf.unsorted_segment_sqrt_n(D, IDS, 4)),
                               [[4 / np.sqrt(2), 6 / np.sqrt(2)], [0, 0], [5, 6], [0, 0]],
                               rtol=1e-6)
    check_gradients(lambda d: tf.unsorted_segment_mean(d, [2, 0, 2], 3), np.random.randn(3, 2))


def test_bincount():
    a = tf.constant([1, 1, 2, 3, 3, 3])
    counts = tf.math.bincount(a)
    assert counts.dtype == tf.int32 and shape_of(counts) == [None]
    assert run(counts).tolist() == [0, 2, 1, 3]
    assert run(tf.bincount(a, minlength=6)).tolist() == [0, 2, 1, 3, 0, 0]
    assert run(tf.bincount(a, maxlength=2)).tolist() == [0, 2]
    weighted = tf.bincount(a, weights=tf.constant([0.5] * 6))
    assert weighted.dtype == tf.float32 and run(weighted).tolist() == [0.0, 1.0, 0.5, 1.5]
    assert run(tf.bincount(a, dtype=tf.float32)).dtype == np.float32
    assert run(tf.bincount(tf.zeros([0], tf.int32))).tolist() == []
    assert run(tf.bincount([[1, 2], [2, 0]])).tolist() == [1, 1, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        run(tf.bincount([1, -1]))
    check_gradients(lambda w: tf.reshape(tf.bincount([0, 2, 2, 1], weights=w), [3]),
                    np.random.randn(4))


def test_confusion_matrix():
    cm = tf.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1])
    assert cm.dtype == tf.int32 and cm.op.name.startswith("confusion_matrix/")
    np.testing.assert_array_equal(run(cm), [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    fixed = tf.math.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1], num_classes=4,
                                     weights=[1.0, 2.0, 3.0, 4.0], dtype=tf.float32)
    assert shape_of(fixed) == [4, 4] and fixed.dtype == tf.float32
    np.testing.assert_array_equal(run(fixed), [[1, 0, 0, 0], [0, 4, 2, 0], [0, 0, 3, 0],
                                               [0, 0, 0, 0]])
    labels = tf.placeholder(tf.int64, [None, 1])          # a trailing 1 is squeezed
    predictions = tf.placeholder(tf.int32, [None])
    cm = tf.confusion_matrix(labels, predictions, num_classes=3)
    assert shape_of(cm) == [3, 3]
    np.testing.assert_array_equal(run(cm, {labels: [[2], [2], [0]], predictions: [2, 1, 0]}),
                                  [[1, 0, 0], [0, 0, 0], [0, 1, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
        run(cm, {labels: [[3]], predictions: [0]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="`predictions` contains negative"):
        run(cm, {labels: [[0]], predictions: [-1]})
    with pytest.raises(ValueError, match="vector of class indices"):
        tf.confusion_matrix(tf.zeros([2, 2], tf.int32), tf.zeros([2, 2], tf.int32))
