"""``x[...]`` (StridedSlice) against numpy: values, static shapes, tensor indices, errors, gradients."""
import sys

import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

X = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)

SPECS = [
    0, -1, 3, (1, 2), (-1, -2, -3), (3, 4, 5),
    slice(None), slice(1, 3), slice(None, None, 2), slice(None, None, -1), slice(-2, None),
    slice(None, -2), slice(3, 0, -1), slice(10, -10, -2), slice(-100, 100), slice(3, 1),
    slice(2, 2), slice(None, None, 3),
    (slice(None), 2), (slice(None), slice(None, None, -2), -1), (slice(1, None, 2), slice(4, 0, -3)),
    (Ellipsis, 0), (Ellipsis, slice(1, None)), (0, Ellipsis), (1, Ellipsis, -1), (Ellipsis,),
    (None,), (None, 0, None), (slice(None), None, 2), (Ellipsis, None), (None, Ellipsis, None),
    (1, Ellipsis, None, slice(None, None, -2)), (slice(None), None, slice(1, 3), None),
    (slice(-1, None, -1), 0, slice(None, 2)),
]


def _ids(specs):
    return [repr(s).replace(" ", "") for s in specs]


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_known_shape_matches_numpy(spec, sess):
    x = tf.constant(X)
    y = x[spec]
    want = X[spec]
    assert y.op.type == "StridedSlice"
    assert y.shape.as_list() == list(want.shape)
    got = sess.run(y)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_unknown_batch_matches_numpy(spec, sess):
    x = tf.placeholder(tf.float32, [None, 5, 6])
    y = x[spec]
    want = X[spec]
    assert y.shape.ndims == want.ndim
    assert y.shape.is_compatible_with(want.shape)
    # Dimensions not taken from the unknown batch dimension stay known.
    for got_dim, want_dim in zip(y.shape.as_list(), want.shape):
        assert got_dim in (None, want_dim)
    np.testing.assert_array_equal(sess.run(y, {x: X}), want)


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_unknown_rank_matches_numpy(spec, sess):
    x = tf.placeholder(tf.float32, None)
    y = x[spec]
    np.testing.assert_array_equal(sess.run(y, {x: X}), X[spec])


def _as_tensors(spec):
    """The same spec with every int bound replaced by a (non-constant) scalar int tensor."""
    def t(v):
        return v if v is None else tf.placeholder_with_default(np.int32(v), [])

    def convert(s):
        if isinstance(s, int):
            return t(s)
        if isinstance(s, slice):
            return slice(t(s.start), t(s.stop), t(s.step))
        return s
    if isinstance(spec, tuple):
        return tuple(convert(s) for s in spec)
    return convert(spec)


@pytest.mark.parametrize("spec", SPECS, ids=_ids(SPECS))
def test_tensor_indices_match_numpy(spec, sess):
    x = tf.constant(X)
    y = x[_as_tensors(spec)]
    want = X[spec]
    assert y.shape.ndims == want.ndim  # the rank is known even if bounds are not
    assert y.shape.is_compatible_with(want.shape)
    np.testing.assert_array_equal(sess.run(y), want)


def test_mixed_python_and_tensor_bounds(sess):
    x = tf.constant(X)
    i = tf.placeholder(tf.int32, [])
    j = tf.placeholder(tf.int64, [])
    y = x[i, 1:j, ::2]
    assert y.shape.as_list() == [None, 3]
    np.testing.assert_array_equal(sess.run(y, {i: 2, j: 4}), X[2, 1:4, ::2])
    z = x[i:i + 2, -1]
    assert z.shape.as_list() == [None, 6]
    np.testing.assert_array_equal(sess.run(z, {i: 1}), X[1:3, -1])
    np.testing.assert_array_equal(sess.run(x[np.int64(1), np.int32(2)]), X[1, 2])


def test_tf1_conventions(sess):
    x = tf.constant(X)
    assert x[0].name == "strided_slice:0"
    assert x[1:3].op.inputs[1].op.name == "strided_slice_1/stack"
    np.testing.assert_array_equal(sess.run(x[[1, 2]]), X[1, 2])  # a list acts like a tuple in TF1
    np.testing.assert_array_equal(sess.run(x[1:sys.maxsize]), X[1:])  # maxsize means "to the end"
    np.testing.assert_array_equal(sess.run(x[:, tf.newaxis, 0]), X[:, None, 0])


def test_variable_slicing(sess):
    v = tf.Variable(X)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(v[1, ::-1]), X[1, ::-1])


def test_strided_slice_function_masks(sess):
    x = tf.constant(X)
    cases = [
        (dict(begin=[1, 0, 0], end=[3, 5, 6], strides=[1, 2, 3]), X[1:3, 0:5:2, 0:6:3]),
        (dict(begin=[1, 0], end=[0, 3], begin_mask=0b10, end_mask=0b01), X[1:, :3]),
        (dict(begin=[0, 2], end=[0, 3], ellipsis_mask=0b01), X[..., 2:3]),
        (dict(begin=[0, 1], end=[0, 2], new_axis_mask=0b01, shrink_axis_mask=0b10), X[None, 1]),
        (dict(begin=[-1, 0], end=[0, 0], strides=[-1, 1], shrink_axis_mask=0b01, end_mask=0b10),
         X[-1, :]),
    ]
    for kwargs, want in cases:
        y = tf.strided_slice(x, **kwargs)
        assert y.shape.as_list() == list(want.shape), kwargs
        np.testing.assert_array_equal(sess.run(y), want)


@pytest.mark.parametrize("spec, error, match", [
    (4, ValueError, "out of range"),
    (-5, ValueError, "out of range"),
    ((0, 5), ValueError, "out of range"),
    ((0, 0, 0, 0), ValueError, "Index out of range"),
    ((Ellipsis, 0, Ellipsis), ValueError, "Multiple ellipses"),
    (slice(None, None, 0), ValueError, "non-zero"),
    (1.5, TypeError, "Only integers, slices"),
    ("a", TypeError, "Only integers, slices"),
    ((0, slice(0.5, 2)), TypeError, "Only integers, slices"),
])
def test_bad_indices_raise_clear_errors(spec, error, match):
    x = tf.placeholder(tf.float32, [4, 5, 6])
    with pytest.raises(error, match=match):
        x[spec]


def test_bad_index_tensors():
    x = tf.placeholder(tf.float32, [4, 5])
    with pytest.raises(TypeError, match="scalar tf.int32/tf.int64"):
        x[tf.constant([0, 1])]
    with pytest.raises(TypeError, match="scalar tf.int32/tf.int64"):
        x[tf.constant(1.0)]


def test_run_time_out_of_range(sess):
    x = tf.placeholder(tf.float32, [None, 5])
    i = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        sess.run(x[7], {x: np.zeros((3, 5), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        sess.run(x[:, i], {x: np.zeros((3, 5), np.float32), i: 5})


GRADIENT_SPECS = [0, (1, slice(None, None, -2)), (Ellipsis, slice(1, 5, 2)), (slice(None), None, -1),
                  (slice(3, 0, -1), 2, slice(None, None, 3))]


@pytest.mark.parametrize("spec", GRADIENT_SPECS, ids=_ids(GRADIENT_SPECS))
def test_slicing_gradient(spec):
    value = np.random.RandomState(0).randn(4, 5, 6)
    check_gradients(lambda x: x[spec], value)
    check_gradients(lambda x: x[spec] * x[spec], value, order=2)


def test_slicing_gradient_with_tensor_bounds_and_overlaps(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    i = tf.placeholder(tf.int32, [])
    y = tf.reduce_sum(x[i] * 2.0) + tf.reduce_sum(x[i:, 1:])  # overlapping slices add up
    g = tf.gradients(y, x)[0]
    got = sess.run(g, {x: np.ones((4, 3)), i: 2})
    want = np.zeros((4, 3))
    want[2] += 2
    want[2:, 1:] += 1
    np.testing.assert_array_equal(got, want)
