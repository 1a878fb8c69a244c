"""tf.constant and convert_to_tensor: TF1's dtype inference, shapes, packing, errors."""
import numpy as np
import pytest

import tfone as tf


@pytest.mark.parametrize("value,dtype", [
    (1.0, tf.float32), (1, tf.int32), (2 ** 40, tf.int64), (True, tf.bool),
    ("hi", tf.string), ([1, 2.5], tf.float32), ([[1, 2], [3, 4]], tf.int32),
    (np.float64(1.0), tf.float64), (np.arange(3), tf.int64), (np.ones(2, np.float32), tf.float32)])
def test_constant_dtype_inference(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_constant_with_dtype_and_shape():
    c = tf.constant(1, dtype=tf.float32, shape=[2, 3])
    assert c.shape.as_list() == [2, 3] and c.dtype == tf.float32
    r = tf.constant([1, 2, 3, 4, 5, 6], shape=[2, 3])
    short = tf.constant([1, 2], shape=[4])  # TF1 pads with the last element
    with tf.Session() as sess:
        assert np.array_equal(sess.run(c), np.ones((2, 3)))
        assert np.array_equal(sess.run(r), [[1, 2, 3], [4, 5, 6]])
        assert np.array_equal(sess.run(short), [1, 2, 2, 2])
    with pytest.raises(TypeError, match="Too many elements"):
        tf.constant([1, 2, 3], shape=[2])


def test_lossy_conversions_raise():
    with pytest.raises(TypeError, match="Expected int32, got 1.5"):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.constant("text", dtype=tf.float32)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])
    with pytest.raises(TypeError, match="Expected int32, got 2.0"):
        tf.constant(2.0, dtype=tf.int32)  # TF1 refuses Python floats for ints, even exact ones
    with pytest.raises(TypeError, match="Expected int32"):
        tf.constant(1) + 2.0
    assert tf.constant(np.float64(2.0), dtype=tf.int32).dtype == tf.int32  # exact numpy values


def test_convert_to_tensor():
    t = tf.constant(1.0)
    assert tf.convert_to_tensor(t) is t
    v = tf.Variable(2.0)
    assert tf.convert_to_tensor(v) is v.value()
    assert tf.convert_to_tensor(3, dtype=tf.float64).dtype == tf.float64
    assert tf.convert_to_tensor([1, 2], preferred_dtype=tf.int64).dtype == tf.int64
    assert tf.convert_to_tensor([1.5], preferred_dtype=tf.int64).dtype == tf.float32
    with pytest.raises(ValueError, match="requested dtype float64"):
        tf.convert_to_tensor(t, dtype=tf.float64)
    with pytest.raises(TypeError, match="Can't convert Operation"):
        tf.convert_to_tensor(t.op)
    with pytest.raises(TypeError, match="Failed to convert object"):
        tf.convert_to_tensor(object())


def test_lists_of_tensors_are_packed():
    x = tf.placeholder(tf.float32, [None, 4])
    shape = tf.convert_to_tensor([tf.shape(x)[0], 2, 2])
    assert shape.op.type == "Pack"
    y = tf.reshape(x, [tf.shape(x)[0], 2, 2])
    assert y.shape.as_list() == [None, 2, 2]
    with tf.Session() as sess:
        assert sess.run(y, {x: np.zeros((3, 4))}).shape == (3, 2, 2)


def test_construction_errors_name_op_shapes_and_line():
    a = tf.placeholder(tf.float32, [None, 3], name="a")
    b = tf.placeholder(tf.float32, [4, 5], name="b")
    with pytest.raises(ValueError) as info:
        tf.matmul(a, b, name="mm")
    message = str(info.value)
    assert "Dimensions must be equal, but are 3 and 4" in message
    assert "'mm'" in message and "(?, 3)" in message and "(4, 5)" in message
    assert "test_constants_and_conversion.py" in message and "tf.matmul(a, b" in message


def test_dtype_mismatch_is_a_type_error():
    a = tf.constant(1.0)
    b = tf.constant(1.0, dtype=tf.float64)
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type float64 that does not "
                                        "match type float32 of argument 'x'"):
        tf.add(a, b)
    with pytest.raises(TypeError, match="tf.cast"):
        a + b
