"""dtypes and TensorShape: TF1's names, conversions and compatibility rules."""
import numpy as np
import pytest

import tfone as tf


@pytest.mark.parametrize("dtype,np_type,floating,integer", [
    (tf.float16, np.float16, True, False), (tf.float32, np.float32, True, False),
    (tf.float64, np.float64, True, False), (tf.int8, np.int8, False, True),
    (tf.int16, np.int16, False, True), (tf.int32, np.int32, False, True),
    (tf.int64, np.int64, False, True), (tf.uint8, np.uint8, False, True),
    (tf.bool, np.bool_, False, False), (tf.string, np.object_, False, False)])
def test_dtype_properties(dtype, np_type, floating, integer):
    assert dtype.as_numpy_dtype is np_type
    assert dtype.is_floating == floating
    assert dtype.is_integer == integer
    assert tf.as_dtype(dtype.name) is dtype
    assert tf.as_dtype(dtype) is dtype


def test_as_dtype_conversions():
    assert tf.as_dtype(np.float32) is tf.float32
    assert tf.as_dtype(np.dtype("int64")) is tf.int64
    assert tf.as_dtype("float") is tf.float32
    assert tf.as_dtype(bool) is tf.bool
    assert tf.as_dtype(str) is tf.string
    assert tf.float64 == tf.double and tf.float16 == tf.half
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.as_dtype("floaty")
    assert tf.int8.min == -128 and tf.uint8.max == 255
    assert repr(tf.float32) == "tf.float32"


def test_tensor_shape_basics():
    s = tf.TensorShape([None, 784])
    assert s.as_list() == [None, 784]
    assert s.ndims == 2 and not s.is_fully_defined()
    assert s[1].value == 784 and s[0].value is None
    assert int(s[1]) == 784
    assert str(s) == "(?, 784)"
    assert tf.TensorShape([3]).as_list() == [3]
    assert tf.TensorShape([]).ndims == 0 and tf.TensorShape([]).is_fully_defined()
    unknown = tf.TensorShape(None)
    assert unknown.ndims is None
    with pytest.raises(ValueError, match="unknown TensorShape"):
        unknown.as_list()


def test_tensor_shape_compatibility_and_merge():
    a = tf.TensorShape([None, 3])
    assert a.is_compatible_with([5, 3])
    assert not a.is_compatible_with([5, 4])
    assert not a.is_compatible_with([5, 3, 1])
    assert a.is_compatible_with(tf.TensorShape(None))
    assert a.merge_with([5, None]).as_list() == [5, 3]
    with pytest.raises(ValueError, match="not compatible"):
        a.merge_with([2, 4])
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape([None, 3]).num_elements() is None
    assert tf.TensorShape([2, 3]) == [2, 3]
    assert tf.TensorShape([1, 2]).concatenate([3]).as_list() == [1, 2, 3]


def test_dimension_arithmetic():
    d = tf.Dimension(4)
    assert (d + 1).value == 5 and (d * tf.Dimension(None)).value is None
    assert d == 4
    assert (tf.Dimension(None) == 4) is None


def test_tensor_shape_property_and_set_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    assert x.shape.as_list() == [None, 3]
    assert x.get_shape() == x.shape
    x.set_shape([8, 3])
    assert x.shape.as_list() == [8, 3]
    with pytest.raises(ValueError, match="incompatible"):
        x.set_shape([8, 4])


def test_unknown_dims_propagate_through_ops():
    x = tf.placeholder(tf.float32, [None, 3])
    W = tf.ones([3, 5])
    y = tf.matmul(x, W) + tf.ones([5])
    assert y.shape.as_list() == [None, 5]
    z = tf.placeholder(tf.float32)
    assert (z * 2.0).shape.ndims is None


def test_dimension_value_takes_tf1_argument_name():
    # TF1: tf.dimension_value(dimension) (parity audit: keyword callers)
    assert tf.dimension_value(dimension=tf.Dimension(3)) == 3
    assert tf.dimension_value(dimension=None) is None
    assert tf.dimension_value(tf.TensorShape([None, 4])[1]) == 4
