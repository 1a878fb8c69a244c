"""tf.dynamic_partition / tf.dynamic_stitch: numpy references, static shapes, gradients."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"DynamicPartition", "DynamicStitch"}
SHAPE_CHECKED = {"DynamicPartition", "DynamicStitch"}
GRADIENT_CHECKED = {"DynamicPartition", "DynamicStitch"}

RNG = np.random.RandomState(5)
PARTITIONS = np.array([[1, 0, 1], [2, 1, 0]], np.int32)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_dynamic_partition_matches_numpy():
    data = RNG.randn(2, 3, 4).astype(np.float32)
    parts = tf.dynamic_partition(data, PARTITIONS, 3)
    assert [p.op.type for p in parts] == ["DynamicPartition"] * 3
    assert [p.name for p in parts] == ["DynamicPartition:%d" % i for i in range(3)]
    values = run(parts)
    for i, value in enumerate(values):
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, data[PARTITIONS == i])   # rows kept in order
    empty = run(tf.dynamic_partition([1, 2, 3], [0, 0, 0], 2))
    assert empty[0].tolist() == [1, 2, 3] and empty[1].shape == (0,)
    single = tf.dynamic_partition([1.0, 2.0], [0, 0], 1)
    assert isinstance(single, list) and len(single) == 1
    x = tf.placeholder(tf.float32, [None, 2])
    labels = tf.placeholder(tf.int32, [None])
    ones, zeros = tf.dynamic_partition(x, labels, 2)[::-1]
    got = run([ones, zeros], {x: [[1, 2], [3, 4], [5, 6]], labels: [1, 0, 1]})
    assert got[0].tolist() == [[1, 2], [5, 6]] and got[1].tolist() == [[3, 4]]


def test_dynamic_stitch_matches_numpy():
    merged = tf.dynamic_stitch([[0, 3], [3, 5]], [[1.0, 2.0], [10.0, 20.0]])
    assert merged.op.name == "DynamicStitch" and merged.shape.as_list() == [6]
    # a later list wins a repeated index; rows no index names are zero (TF1's numbers)
    np.testing.assert_array_equal(run(merged), [1, 0, 0, 10, 0, 20])
    a, b = RNG.randn(2, 2, 3), RNG.randn(1, 3)
    out = run(tf.dynamic_stitch([[[4, 0], [2, 1]], [3]], [a, b]))
    assert out.dtype == np.float64 and out.shape == (5, 3)
    np.testing.assert_array_equal(out[[4, 0, 2, 1]], a.reshape(4, 3))
    np.testing.assert_array_equal(out[3], b[0])
    # partition + stitch of the positions is the identity (TF1's documented round trip)
    x = RNG.randn(6, 2)
    labels = np.array([2, 0, 1, 2, 0, 0], np.int32)
    positions = tf.dynamic_partition(tf.range(6), labels, 3)
    back = tf.dynamic_stitch(positions, tf.dynamic_partition(x, labels, 3))
    np.testing.assert_array_equal(run(back), x)


def test_static_shapes_and_errors():
    data = tf.placeholder(tf.float32, [None, 3, 4])
    parts = tf.dynamic_partition(data, tf.placeholder(tf.int32, [None, 3]), 2)
    assert [p.shape.as_list() for p in parts] == [[None, 4], [None, 4]]
    parts = tf.dynamic_partition(data, tf.placeholder(tf.int32, [None]), 2)
    assert parts[0].shape.as_list() == [None, 3, 4]
    assert tf.dynamic_partition(tf.placeholder(tf.float32), [0], 2)[0].shape.ndims is None
    with pytest.raises(ValueError, match="prefix of data.shape"):
        tf.dynamic_partition(data, tf.placeholder(tf.int32, [None, 2]), 2)
    with pytest.raises(ValueError, match="num_partitions"):
        tf.dynamic_partition(data, tf.placeholder(tf.int32, [None]), 0)
    index = tf.placeholder(tf.int32, [None])
    merged = tf.dynamic_stitch([index, [7]], [tf.placeholder(tf.float32, [None, 3]),
                                              tf.ones([1, 3])])
    assert merged.shape.as_list() == [None, 3]
    merged = tf.dynamic_stitch([tf.constant([[0, 1]]), tf.constant([2])],
                               [tf.ones([1, 2, 4]), tf.ones([1, 4])])
    assert merged.shape.as_list() == [3, 4]
    with pytest.raises(ValueError, match="same length"):
        tf.dynamic_stitch([[0], [1]], [[1.0]])
    with pytest.raises(ValueError, match="must start with indices.shape"):
        tf.dynamic_stitch([[0, 1]], [[1.0]])
    with pytest.raises(ValueError, match="must be equal"):
        tf.dynamic_stitch([[0], [1]], [tf.ones([1, 2]), tf.ones([1, 3])])
    with pytest.raises(TypeError):
        tf.dynamic_stitch([[0.5]], [[1.0]])
    labels = tf.placeholder(tf.int32, [None])
    bad = tf.dynamic_partition([1.0, 2.0], labels, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"partitions\[1\] = 3 is not in"):
        run(bad, {labels: [0, 3]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=">= 0"):
        run(tf.dynamic_stitch([index], [[1.0, 2.0]]), {index: [0, -1]})


def _fixed_parts(data, partitions, sizes):
    parts = tf.dynamic_partition(data, partitions, len(sizes))
    for part, n in zip(parts, sizes):
        part.set_shape([n] + data.shape.as_list()[partitions.ndim:])
    return parts


def test_gradients():
    def partition(d):
        return [p * (i + 1.0) for i, p in enumerate(_fixed_parts(d, PARTITIONS, (2, 3, 1)))]
    check_gradients(partition, RNG.randn(2, 3, 2))
    check_gradients(lambda d: [p ** 2 for p in partition(d)], RNG.randn(2, 3, 2), order=2)
    check_gradients(lambda a, b: tf.dynamic_stitch([[0, 3], [[1], [2]]], [a, b]) ** 2,
                    RNG.randn(2, 2), RNG.randn(2, 1, 2), order=2)
    # only one partition used: the other rows get zero gradient
    x = tf.placeholder(tf.float32, [4])
    grad = tf.gradients(tf.dynamic_partition(x, [0, 1, 0, 1], 2)[1], x)[0]
    assert run(grad, {x: np.zeros(4)}).tolist() == [0, 1, 0, 1]


def test_stitch_survives_a_graph_def_round_trip():
    # DynamicStitch has two list inputs of one length; import must split them evenly
    tf.dynamic_stitch([[0, 2], [1]], [[1.0, 3.0], [2.0]], name="merged")
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        merged = tf.get_default_graph().get_tensor_by_name("merged:0")
        assert len(merged.op.inputs) == 4 and merged.shape.as_list() == [3]
        assert run(merged).tolist() == [1.0, 2.0, 3.0]
