"""Array ops: forward values vs numpy, static shape inference, float64 gradient checks.

Each case names the op type it covers; the module-level sets REFERENCE_CHECKED, SHAPE_CHECKED
and GRADIENT_CHECKED are built from those cases (and every case asserts that its graph really
contains that op type), so tests/ops/test_registry_coverage.py sees what is covered.
"""
import numpy as np
import pytest

import tfone as tf
from tfone.ops import array_ops
from tfone.test import check_gradients

RNG = np.random.RandomState(42)


def f32(*shape):
    return RNG.randn(*shape).astype(np.float32)


def f64(*shape):
    return RNG.randn(*shape)


def _apply(*args, **kwargs):
    """Build an op directly (for ops that only gradients create)."""
    from tfone.framework.op_registry import apply_op
    return apply_op(*args, **kwargs)


def _set_diag_reference(x, diagonal):
    out = x.copy()
    for b in range(x.shape[0]):
        for i in range(diagonal.shape[1]):
            out[b, i, i] = diagonal[b, i]
    return out


def _op_types(graph=None):
    return {op.type for op in (graph or tf.get_default_graph()).get_operations()}


def _feedable(array):
    """A placeholder for ``array`` with an unknown first (batch) dimension."""
    shape = list(array.shape)
    if shape:
        shape[0] = None
    return tf.placeholder(tf.as_dtype(array.dtype), shape)


# -- numpy reference cases: (op type, inputs fed through None-batch placeholders, tf fn, numpy fn)
X = f32(2, 3, 4)
M = f32(3, 4)
V = f32(5)
G = f32(3, 5, 6)
IDX = np.array([[2, 0], [1, 1]], dtype=np.int32)


def _mirror_reference(mode):
    return lambda x: np.pad(x, [[1, 1], [2, 0], [0, 3]], mode=mode)


def _segment_sum_reference(data, ids, n):
    out = np.zeros((n,) + data.shape[ids.ndim:], dtype=data.dtype)
    for i, s in enumerate(ids.reshape(-1)):
        if s >= 0:
            out[s] += data.reshape((ids.size,) + data.shape[ids.ndim:])[i]
    return out


def _reverse_sequence_reference(x, lengths, seq_axis, batch_axis):
    out = x.copy()
    for b, n in enumerate(lengths):
        src = [slice(None)] * x.ndim
        src[batch_axis] = b
        src[seq_axis] = slice(0, n)
        out[tuple(src)] = np.flip(x[tuple(src)], axis=seq_axis - (seq_axis > batch_axis))
    return out


def _mirror_pad_grad_reference(g, paddings, mode):
    """Adjoint of mirror padding, computed by brute force through the padding's Jacobian."""
    in_shape = tuple(d - a - b for d, (a, b) in zip(g.shape, paddings))
    n = int(np.prod(in_shape))
    eye = np.eye(n).reshape((n,) + in_shape)
    cols = np.stack([np.pad(e, paddings, mode=mode).reshape(-1) for e in eye], axis=1)
    return (cols.T @ g.reshape(-1)).reshape(in_shape).astype(g.dtype)


REFERENCE_CASES = [
    ("PlaceholderWithDefault", [X], lambda x: tf.placeholder_with_default(x, [None, 3, 4]),
     lambda x: x),
    ("Identity", [X], tf.identity, lambda x: x),
    ("StopGradient", [X], tf.stop_gradient, lambda x: x),
    ("Shape", [X], tf.shape, lambda x: np.array(x.shape, np.int32)),
    ("Size", [X], tf.size, lambda x: np.int32(x.size)),
    ("Rank", [X], tf.rank, lambda x: np.int32(x.ndim)),
    ("ShapeN", [X, M], lambda x, m: tf.shape_n([x, m]),
     lambda x, m: [np.array(x.shape), np.array(m.shape)]),
    ("Fill", [], lambda: tf.fill([2, 3], 1.5), lambda: np.full([2, 3], 1.5, np.float32)),
    ("Fill", [X], lambda x: tf.fill(tf.shape(x), 2.0), lambda x: np.full(x.shape, 2, np.float32)),
    ("ZerosLike", [X], tf.zeros_like, np.zeros_like),
    ("OnesLike", [X], tf.ones_like, np.ones_like),
    ("Reshape", [X], lambda x: tf.reshape(x, [-1, 6]), lambda x: x.reshape(-1, 6)),
    ("Reshape", [X], lambda x: tf.reshape(x, [tf.shape(x)[0], 12]), lambda x: x.reshape(-1, 12)),
    ("Pack", [X, X], lambda a, b: tf.stack([a, b * 2], axis=-1), lambda a, b: np.stack([a, b * 2], -1)),
    ("Unpack", [X], lambda x: tf.unstack(x, axis=1), lambda x: list(np.moveaxis(x, 1, 0))),
    ("BroadcastTo", [M], lambda m: tf.broadcast_to(m[0], [2, 4]),
     lambda m: np.broadcast_to(m[0], [2, 4])),
    ("BroadcastGradientArgs", [], lambda: array_ops.broadcast_gradient_args([2, 1, 4], [3, 1]),
     lambda: [np.array([1], np.int32), np.array([0, 2], np.int32)]),
    ("StridedSlice", [X], lambda x: x[:, ::-2, 1:3], lambda x: x[:, ::-2, 1:3]),
    ("StridedSlice", [X], lambda x: tf.strided_slice(x, [0, 1], [2, 3], [1, 1], shrink_axis_mask=1),
     lambda x: x[0, 1:3]),
    ("StridedSliceGrad", [M], lambda g: _apply("StridedSliceGrad", [
         np.array([2, 3, 4], np.int32), np.array([1, 0], np.int32), np.array([2, 3], np.int32),
         np.array([1, 1], np.int32), g], {"shrink_axis_mask": 1}),
     lambda g: np.concatenate([np.zeros((1, 3, 4), np.float32), g[None]], axis=0)),
    ("Slice", [X], lambda x: tf.slice(x, [0, 1, 1], [-1, 2, 2]), lambda x: x[:, 1:3, 1:3]),
    ("Slice", [X], lambda x: tf.slice(x, tf.constant([1, 0, 2]), [1, -1, 1]), lambda x: x[1:2, :, 2:3]),
    ("Transpose", [X], tf.transpose, lambda x: x.transpose()),
    ("Transpose", [X], lambda x: tf.transpose(x, [1, 0, 2]), lambda x: x.transpose(1, 0, 2)),
    ("Transpose", [X], lambda x: tf.transpose(x, tf.constant([2, 0, 1]) + 0),
     lambda x: x.transpose(2, 0, 1)),
    ("ConjugateTranspose", [], lambda: tf.transpose(tf.constant([[1 + 2j, 3j]]), conjugate=True),
     lambda: np.array([[1 - 2j], [-3j]])),
    ("InvertPermutation", [], lambda: tf.invert_permutation([2, 0, 3, 1]),
     lambda: np.argsort([2, 0, 3, 1]).astype(np.int32)),
    ("ExpandDims", [X], lambda x: tf.expand_dims(x, 1), lambda x: x[:, None]),
    ("ExpandDims", [X], lambda x: tf.expand_dims(x, dim=-1), lambda x: x[..., None]),
    ("Squeeze", [X], lambda x: tf.squeeze(x[:, :1, None]), lambda x: np.squeeze(x[:, :1, None])),
    ("Squeeze", [X], lambda x: tf.squeeze(x[:, None, :1], axis=[1, -2]), lambda x: x[:, 0]),
    ("ConcatV2", [X, X], lambda a, b: tf.concat([a, b, a], -1), lambda a, b: np.concatenate([a, b, a], -1)),
    ("ConcatV2", [X, X], lambda a, b: tf.concat([a, b], 0), lambda a, b: np.concatenate([a, b], 0)),
    ("ConcatOffset", [], lambda: _apply(
        "ConcatOffset", [1, [np.array([2, 3, 4], np.int32), np.array([2, 5, 4], np.int32)]]),
     lambda: [np.array([0, 0, 0]), np.array([0, 3, 0])]),
    ("Split", [X], lambda x: tf.split(x, 2, axis=-1), lambda x: np.split(x, 2, axis=-1)),
    ("SplitV", [X], lambda x: tf.split(x, [1, -1, 1], axis=2), lambda x: np.split(x, [1, 3], axis=2)),
    ("GatherV2", [X], lambda x: tf.gather(x, IDX % 2), lambda x: x[IDX % 2]),
    ("GatherV2", [X], lambda x: tf.gather(x, IDX, axis=1), lambda x: np.take(x, IDX, axis=1)),
    ("GatherV2", [X], lambda x: tf.gather(x, [3, 0], axis=-1), lambda x: x[..., [3, 0]]),
    ("GatherNd", [X], lambda x: tf.gather_nd(x, [[1, 2], [0, 0]]), lambda x: x[[1, 0], [2, 0]]),
    ("GatherNd", [X], lambda x: tf.gather_nd(x, [[[1, 2, 3]], [[0, 1, 0]]]),
     lambda x: x[[[1], [0]], [[2], [1]], [[3], [0]]]),
    ("ScatterNd", [], lambda: tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5]),
     lambda: np.array([0, 4, 0, 2, 0], np.float32)),
    ("ScatterNd", [M], lambda m: tf.scatter_nd([[2], [0]], m[:2], [4, 4]),
     lambda m: np.stack([m[1], np.zeros(4, np.float32), m[0], np.zeros(4, np.float32)])),
    ("UnsortedSegmentSum", [X], lambda x: tf.unsorted_segment_sum(x, [0, 0], 3),
     lambda x: _segment_sum_reference(x, np.array([0, 0]), 3)),
    ("UnsortedSegmentSum", [X], lambda x: tf.unsorted_segment_sum(x, [[1, -1, 1], [2, 0, 0]], 4),
     lambda x: _segment_sum_reference(x, np.array([[1, -1, 1], [2, 0, 0]]), 4)),
    ("OneHot", [], lambda: tf.one_hot([0, 2, -1, 5], 3),  # out-of-range indices: all off
     lambda: np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], np.float32)),
    ("OneHot", [], lambda: tf.one_hot([[1, 0]], 2, on_value=5, off_value=-1, axis=0),
     lambda: np.array([[[-1, 5]], [[5, -1]]], np.int32)),
    ("Tile", [X], lambda x: tf.tile(x, [2, 1, 3]), lambda x: np.tile(x, [2, 1, 3])),
    ("Pad", [X], lambda x: tf.pad(x, [[1, 0], [0, 2], [1, 1]]),
     lambda x: np.pad(x, [[1, 0], [0, 2], [1, 1]])),
    ("PadV2", [X], lambda x: tf.pad(x, [[0, 1], [2, 0], [0, 0]], constant_values=-3.5),
     lambda x: np.pad(x, [[0, 1], [2, 0], [0, 0]], constant_values=-3.5)),
    ("MirrorPad", [X], lambda x: tf.pad(x, [[1, 1], [2, 0], [0, 3]], "REFLECT"), _mirror_reference("reflect")),
    ("MirrorPad", [X], lambda x: tf.pad(x, [[1, 1], [2, 0], [0, 3]], "symmetric"),
     _mirror_reference("symmetric")),
    ("MirrorPadGrad", [G], lambda g: _apply(
        "MirrorPadGrad", [g, [[1, 0], [1, 1], [2, 1]]], {"mode": "REFLECT"}),
     lambda g: _mirror_pad_grad_reference(g, [[1, 0], [1, 1], [2, 1]], "reflect")),
    ("MirrorPadGrad", [G], lambda g: _apply(
        "MirrorPadGrad", [g, [[1, 1], [2, 1], [1, 2]]], {"mode": "SYMMETRIC"}),
     lambda g: _mirror_pad_grad_reference(g, [[1, 1], [2, 1], [1, 2]], "symmetric")),
    ("ReverseV2", [X], lambda x: tf.reverse(x, [0, -1]), lambda x: x[::-1, :, ::-1]),
    ("ReverseSequence", [X], lambda x: tf.reverse_sequence(x, [2, 0, 4], seq_axis=2, batch_axis=1),
     lambda x: _reverse_sequence_reference(x, [2, 0, 4], 2, 1)),
    ("ReverseSequence", [X], lambda x: tf.reverse_sequence(x, [3, 1], seq_dim=1, batch_dim=0),
     lambda x: _reverse_sequence_reference(x, [3, 1], 1, 0)),
    ("LinSpace", [], lambda: tf.linspace(-1.0, 2.0, 7), lambda: np.linspace(-1, 2, 7, dtype=np.float32)),
    ("MatrixDiag", [M], tf.matrix_diag, lambda m: np.stack([np.diag(r) for r in m])),
    ("MatrixDiagPart", [X], tf.matrix_diag_part, lambda x: np.stack([np.diag(m) for m in x])),
    ("MatrixSetDiag", [X], lambda x: tf.matrix_set_diag(x, x[:, 0, :3]),
     lambda x: _set_diag_reference(x, x[:, 0, :3])),
    ("MatrixBandPart", [X], lambda x: tf.matrix_band_part(x, 1, 0),
     lambda x: x * (np.tril(np.ones((3, 4), np.float32)) - np.tril(np.ones((3, 4), np.float32), -2))),
    ("MatrixBandPart", [X], lambda x: tf.matrix_band_part(x, -1, 2),
     lambda x: x * np.tril(np.ones((3, 4), np.float32), 2)),
    ("MatrixBandPart", [M], lambda m: tf.matrix_band_part(m, 0, -1), np.triu),
    ("Diag", [V], tf.diag, np.diag),
    ("Diag", [], lambda: tf.diag([[1, 2], [3, 4]]),
     lambda: np.diag([1, 2, 3, 4]).reshape(2, 2, 2, 2).astype(np.int32)),
    ("DiagPart", [], lambda: tf.diag_part(tf.constant(np.arange(16.0).reshape(2, 2, 2, 2))),
     lambda: np.diag(np.arange(16.0).reshape(4, 4)).reshape(2, 2)),
]


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=[c[0] for c in REFERENCE_CASES])
def test_matches_numpy(case):
    op_type, arrays, tf_fn, np_fn = case
    placeholders = [_feedable(a) for a in arrays]
    out = tf_fn(*placeholders)
    assert op_type in _op_types(), "case does not build a %s op" % op_type
    with tf.Session() as sess:
        got = sess.run(out, dict(zip(placeholders, arrays)))
    want = np_fn(*arrays)
    if isinstance(want, list):
        assert len(got) == len(want)
    else:
        got, want = [got], [want]
    for g, w in zip(got, want):
        w = np.asarray(w)
        assert np.shape(g) == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
        if w.dtype.kind == "f":
            assert np.asarray(g).dtype == w.dtype, "float dtype not preserved"


def test_float64_and_int_dtypes_preserved(sess):
    x64 = tf.constant(f64(2, 3))
    xi = tf.constant(np.arange(6, dtype=np.int64).reshape(2, 3))
    for fn in (tf.transpose, lambda x: tf.concat([x, x], 1), lambda x: tf.gather(x, [1]),
               lambda x: tf.pad(x, [[1, 1], [0, 0]]), lambda x: tf.tile(x, [1, 2]),
               lambda x: tf.reverse(x, [1]), lambda x: tf.unsorted_segment_sum(x, [1, 1], 2),
               lambda x: tf.scatter_nd([[0]], x[:1], [3, 3])):
        assert sess.run(fn(x64)).dtype == np.float64
        assert sess.run(fn(xi)).dtype == np.int64


REFERENCE_CHECKED = {c[0] for c in REFERENCE_CASES}


# -- composites (built from registered ops) -------------------------------------------------------------
def test_boolean_mask(sess):
    x = tf.placeholder(tf.float32, [None, 3, 4])
    m = tf.placeholder(tf.bool, [None, 3])
    a = f32(2, 3, 4)
    mask = a[:, :, 0] > 0
    y = tf.boolean_mask(x, m)
    assert y.shape.as_list() == [None, 4]
    np.testing.assert_array_equal(sess.run(y, {x: a, m: mask}), a[mask])
    z = tf.boolean_mask(x, [True, False, True], axis=1)
    assert z.shape.as_list() == [None, None, 4]
    np.testing.assert_array_equal(sess.run(z, {x: a}), a[:, [0, 2]])
    w = x[x > 0.0]  # TF1 routes a boolean index to boolean_mask
    np.testing.assert_array_equal(sess.run(w, {x: a}), a[a > 0])
    v = tf.boolean_mask(tf.constant(a), tf.constant(a > 0))
    assert v.shape.as_list() == [None]


def test_boolean_mask_errors():
    x = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions"):
        tf.boolean_mask(x, tf.placeholder(tf.bool))
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(x, [True, False, True])
    with pytest.raises(TypeError, match="bool mask"):
        tf.boolean_mask(x, [1, 0])


def test_sequence_mask(sess):
    m = tf.sequence_mask([1, 3, 0], 4)
    assert m.dtype == tf.bool and m.shape.as_list() == [3, 4]
    np.testing.assert_array_equal(sess.run(m), np.arange(4) < np.array([[1], [3], [0]]))
    lengths = tf.placeholder(tf.int32, [None, 2])
    m2 = tf.sequence_mask(lengths, dtype=tf.float32)
    assert m2.dtype == tf.float32 and m2.shape.as_list() == [None, 2, None]
    value = np.array([[1, 3], [2, 0]], np.int32)
    np.testing.assert_array_equal(sess.run(m2, {lengths: value}),
                                  (np.arange(3) < value[..., None]).astype(np.float32))
    with pytest.raises(ValueError, match="maxlen must be scalar"):
        tf.sequence_mask([1, 2], [3, 4])
    # TF1 always casts the lengths, so a float mask's final cast is Cast_1 (parity audit)
    assert tf.sequence_mask([1, 2], 3, dtype=tf.float32, name="m").name == "m/Cast_1:0"


def test_eye(sess):
    np.testing.assert_array_equal(sess.run(tf.eye(3)), np.eye(3, dtype=np.float32))
    e = tf.eye(2, 3, batch_shape=[4], dtype=tf.int32)
    assert e.shape.as_list() == [4, 2, 3] and e.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(e), np.broadcast_to(np.eye(2, 3, dtype=np.int32), (4, 2, 3)))
    n = tf.placeholder(tf.int32, [])
    np.testing.assert_array_equal(sess.run(tf.eye(n, 2), {n: 3}), np.eye(3, 2, dtype=np.float32))
    assert "MatrixDiag" in _op_types()
    with pytest.raises(TypeError, match="positive integer"):
        tf.eye(2.5)


def test_meshgrid(sess):
    for indexing in ("xy", "ij"):
        got = sess.run(tf.meshgrid([1, 2, 3], [4, 5], [6, 7, 8, 9], indexing=indexing))
        for g, w in zip(got, np.meshgrid([1, 2, 3], [4, 5], [6, 7, 8, 9], indexing=indexing)):
            np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="indexing"):
        tf.meshgrid([1], [2], indexing="yx")


def test_zeros_ones_and_likes(sess):
    assert tf.zeros([2, 3]).op.type == "Const"  # small known shapes are constants, as in TF1
    n = tf.placeholder(tf.int32, [])
    z = tf.zeros([n, 2], dtype=tf.int64)
    assert z.op.type == "Fill" and z.shape.as_list() == [None, 2]
    assert sess.run(z, {n: 3}).dtype == np.int64
    o = tf.ones(tf.stack([n, 3]))
    np.testing.assert_array_equal(sess.run(o, {n: 2}), np.ones((2, 3), np.float32))
    x = tf.placeholder(tf.float32, [None, 2])
    zl = tf.zeros_like(x, dtype=tf.int32)
    assert zl.dtype == tf.int32
    np.testing.assert_array_equal(sess.run(zl, {x: np.ones((3, 2))}), np.zeros((3, 2), np.int32))


def test_run_time_errors_are_clear(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    i = tf.placeholder(tf.int32, [None])
    a = np.ones((2, 3), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 2 is not in \[0, 2\)"):
        sess.run(tf.gather(x, i), {x: a, i: [0, 2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"is not in \[0, 2\)"):
        sess.run(tf.gather(x, i), {x: a, i: [-1]})  # TF rejects negative indices too
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into param shape"):
        sess.run(tf.gather_nd(x, tf.expand_dims(i, 1)), {x: a, i: [5]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        sess.run(tf.unsorted_segment_sum(x, i, 2), {x: a, i: [0, 2]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="size"):
        sess.run(tf.slice(x, [1, 0], [2, -1]), {x: a})
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
        sess.run(tf.split(x, 2), {x: np.ones((3, 3), np.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings must be no greater"):
        sess.run(tf.pad(x, [[2, 0], [0, 0]], "REFLECT"), {x: a})
    with pytest.raises(tf.errors.InvalidArgumentError, match="permutation"):
        sess.run(tf.transpose(x, tf.placeholder_with_default([0, 0], [2])), {x: a})


def test_default_names_and_aliases():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    assert tf.transpose(x).op.name == "transpose"
    assert tf.transpose(x).op.inputs[1].op.name == "transpose_1/perm"
    assert tf.concat([x, x], 0).op.name == "concat"
    assert tf.concat([x], 0).op.type == "Identity"
    assert tf.split(x, 3, axis=1)[0].op.name == "split"
    assert tf.split(x, [1, 2], axis=1)[0].op.type == "SplitV"
    assert tf.gather(x, [0]).op.name == "GatherV2"
    assert tf.slice(x, [0, 0], [1, 1]).op.name == "Slice"
    assert tf.pad(x, [[1, 1], [0, 0]]).op.name == "Pad"
    assert tf.one_hot([1], 3).op.name == "one_hot"
    assert tf.expand_dims(x, 0).op.name == "ExpandDims"
    assert tf.squeeze(x).op.name == "Squeeze"
    assert tf.reverse(x, [0]).op.type == "ReverseV2"
    assert tf.stack([1, 2]).op.type == "Const"  # TF1: a list of Python numbers is a constant
    assert tf.stack([x, x]).op.type == "Pack"
    assert x[0].op.name == "strided_slice"
    assert tf.boolean_mask(x, [True, False]).op.name == "boolean_mask/GatherV2"
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.expand_dims(x, axis=0, dim=0)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(x)
    assert tf.squeeze(tf.expand_dims(x, 0), squeeze_dims=[0]).shape.as_list() == [2, 3]


def test_zeros_like_ones_like_are_named_after_their_scope():
    # TF1: name_scope(name, "zeros_like") and the op takes the scope's name (parity audit)
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    assert tf.zeros_like(x).name == "zeros_like:0"
    assert tf.zeros_like(x).name == "zeros_like_1:0"
    assert tf.ones_like(x).name == "ones_like:0"
    assert tf.ones_like(x, name="o").name == "o:0"
    assert tf.zeros_like(x, dtype=tf.int32).name == "zeros_like_2:0"
    with tf.name_scope("scope"):
        assert tf.ones_like(x, dtype=tf.int64).name == "scope/ones_like:0"


def test_one_hot_dtypes():
    assert tf.one_hot([1], 3).dtype == tf.float32
    assert tf.one_hot([1], 3, on_value=1.0, off_value=0.0, dtype=tf.float32).dtype == tf.float32
    assert tf.one_hot([1], 3, dtype=tf.int64).dtype == tf.int64
    assert tf.one_hot([1], 3, off_value=-1.0).dtype == tf.float32
    with pytest.raises(TypeError, match="does not match dtype parameter"):
        tf.one_hot([1], 3, on_value=1, dtype=tf.float32)
    with pytest.raises(TypeError, match="off_value"):
        tf.one_hot([1], 3, on_value=1.0, off_value=0)


def test_linspace_needs_floats():
    with pytest.raises(TypeError, match="floating-point"):
        tf.linspace(0, 10, 5)
    with pytest.raises(ValueError, match="num > 0"):
        tf.linspace(0.0, 1.0, 0)


# -- static shape inference -------------------------------------------------------------------------------
def ph(shape, dtype=tf.float32):
    return tf.placeholder(dtype, shape)


UNKNOWN = None  # expected shape: unknown rank

SHAPE_CASES = [
    # (op type, builder, expected shape as a list, or UNKNOWN for unknown rank)
    ("PlaceholderWithDefault", lambda: tf.placeholder_with_default(ph([2, 3]), [None, 3]), [None, 3]),
    ("Identity", lambda: tf.identity(ph([None, 3])), [None, 3]),
    ("StopGradient", lambda: tf.stop_gradient(ph(None)), UNKNOWN),
    ("Shape", lambda: tf.shape(ph([None, 3, None])), [3]),
    ("Shape", lambda: tf.shape(ph(None)), [None]),
    ("Size", lambda: tf.size(ph(None)), []),
    ("Rank", lambda: tf.rank(ph([None])), []),
    ("ShapeN", lambda: tf.shape_n([ph([None, 2]), ph(None)])[0], [2]),
    ("Fill", lambda: tf.fill(tf.stack([ph([], tf.int32), 3]), 1.0), [None, 3]),
    ("Fill", lambda: tf.fill(ph([2], tf.int32), 1.0), [None, None]),
    ("ZerosLike", lambda: tf.zeros_like(ph([None, 2])), [None, 2]),
    ("OnesLike", lambda: tf.ones_like(ph(None)), UNKNOWN),
    ("Reshape", lambda: tf.reshape(ph([None, 3, 4]), [-1, 2, 6]), [None, 2, 6]),
    ("Reshape", lambda: tf.reshape(ph([5, 3, 4]), [-1, 6]), [10, 6]),
    ("Reshape", lambda: tf.reshape(ph([None, 4]), ph([3], tf.int32)), [None, None, None]),
    ("Pack", lambda: tf.stack([ph([None, 3]), ph([2, None])], axis=1), [2, 2, 3]),
    ("Pack", lambda: tf.stack([ph(None), ph(None)]), UNKNOWN),
    ("Unpack", lambda: tf.unstack(ph([None, 3, 4]), axis=1)[0], [None, 4]),
    ("BroadcastTo", lambda: tf.broadcast_to(ph([None, 1]), [4, 5]), [4, 5]),
    ("BroadcastGradientArgs", lambda: array_ops.broadcast_gradient_args(ph([2], tf.int32), ph([3], tf.int32))[0], [None]),
    ("StridedSlice", lambda: ph([None, 5, 6])[1:, ::2, -1], [None, 3]),
    ("StridedSlice", lambda: ph([None, 5, 6])[ph([], tf.int32), :, tf.newaxis], [5, 1, 6]),
    ("StridedSlice", lambda: ph([4, 5])[ph([], tf.int32):, 1:ph([], tf.int32)], [None, None]),
    ("StridedSlice", lambda: ph(None)[0, 1:], UNKNOWN),
    ("StridedSliceGrad", lambda: _apply(
        "StridedSliceGrad", [tf.shape(ph([None, 4])), [0], [1], [1], ph([1, 4])]), [None, 4]),
    ("Slice", lambda: tf.slice(ph([None, 5, 6]), [0, 1, 2], [-1, 3, -1]), [None, 3, 4]),
    ("Slice", lambda: tf.slice(ph([None, 5]), ph([2], tf.int32), [2, 3]), [2, 3]),
    ("Slice", lambda: tf.slice(ph(None), [0, 0], [1, -1]), [1, None]),
    ("Transpose", lambda: tf.transpose(ph([None, 2, 3])), [3, 2, None]),
    ("Transpose", lambda: tf.transpose(ph([None, 2, 3]), ph([3], tf.int32)), [None, None, None]),
    ("Transpose", lambda: tf.transpose(ph(None), [1, 0]), [None, None]),
    ("ConjugateTranspose", lambda: tf.transpose(ph([None, 2], tf.complex64), conjugate=True), [2, None]),
    ("InvertPermutation", lambda: tf.invert_permutation(ph([4], tf.int32)), [4]),
    ("ExpandDims", lambda: tf.expand_dims(ph([None, 2]), -1), [None, 2, 1]),
    ("ExpandDims", lambda: tf.expand_dims(ph([None, 2]), ph([], tf.int32)), [None, None, None]),
    ("ExpandDims", lambda: tf.expand_dims(ph(None), 0), UNKNOWN),
    ("Squeeze", lambda: tf.squeeze(ph([1, 2, 1, 3])), [2, 3]),
    ("Squeeze", lambda: tf.squeeze(ph([None, 1, 3]), [1]), [None, 3]),
    ("Squeeze", lambda: tf.squeeze(ph([None, 1, 3])), UNKNOWN),
    ("ConcatV2", lambda: tf.concat([ph([None, 2]), ph([4, 3])], 1), [4, 5]),
    ("ConcatV2", lambda: tf.concat([ph([None, 2]), ph([None, 3])], -1), [None, 5]),
    ("ConcatV2", lambda: tf.concat([ph([None, 2]), ph([3, None])], 0), [None, 2]),
    ("ConcatV2", lambda: tf.concat([ph(None), ph([2, 3])], ph([], tf.int32)), [None, None]),
    ("ConcatOffset", lambda: _apply(
        "ConcatOffset", [0, [ph([3], tf.int32), ph([3], tf.int32)]])[1], [3]),
    ("Split", lambda: tf.split(ph([None, 6]), 3, axis=1)[2], [None, 2]),
    ("Split", lambda: tf.split(ph(None), 2)[0], UNKNOWN),
    ("SplitV", lambda: tf.split(ph([None, 6]), [1, -1], axis=1)[1], [None, 5]),
    ("SplitV", lambda: tf.split(ph([4, None]), [1, -1], axis=1)[1], [4, None]),
    ("GatherV2", lambda: tf.gather(ph([None, 5, 6]), ph([None, 2], tf.int32), axis=1), [None, None, 2, 6]),
    ("GatherV2", lambda: tf.gather(ph([None, 5]), ph(None, tf.int32)), UNKNOWN),
    ("GatherV2", lambda: tf.gather(ph([3, 5]), [1, 2], axis=ph([], tf.int32)), [None, None]),
    ("GatherNd", lambda: tf.gather_nd(ph([None, 5, 6]), ph([7, 2], tf.int32)), [7, 6]),
    ("GatherNd", lambda: tf.gather_nd(ph([None, 5, 6]), ph([7, None], tf.int32)), UNKNOWN),
    ("ScatterNd", lambda: tf.scatter_nd(ph([None, 1], tf.int32), ph([None, 4]), [6, 4]), [6, 4]),
    ("ScatterNd", lambda: tf.scatter_nd([[0]], [1.0], tf.stack([ph([], tf.int32)])), [None]),
    ("UnsortedSegmentSum", lambda: tf.unsorted_segment_sum(ph([None, 3, 2]), ph([None, 3], tf.int32), 5), [5, 2]),
    ("UnsortedSegmentSum", lambda: tf.unsorted_segment_sum(ph([4, 2]), ph([4], tf.int32), ph([], tf.int32)), [None, 2]),
    ("OneHot", lambda: tf.one_hot(ph([None, 2], tf.int32), 5), [None, 2, 5]),
    ("OneHot", lambda: tf.one_hot(ph([None, 2], tf.int32), ph([], tf.int32), axis=1), [None, None, 2]),
    ("OneHot", lambda: tf.one_hot(ph(None, tf.int32), 3), UNKNOWN),
    ("Tile", lambda: tf.tile(ph([None, 3]), [2, 2]), [None, 6]),
    ("Tile", lambda: tf.tile(ph([4, 3]), tf.stack([ph([], tf.int32), 2])), [None, 6]),
    ("Tile", lambda: tf.tile(ph(None), [2, 2]), [None, None]),
    ("Pad", lambda: tf.pad(ph([None, 3]), [[1, 1], [2, 0]]), [None, 5]),
    ("Pad", lambda: tf.pad(ph([None, 3]), ph([2, 2], tf.int32)), [None, None]),
    ("PadV2", lambda: tf.pad(ph([2, 3]), [[1, 1], [2, 0]], constant_values=1.0), [4, 5]),
    ("MirrorPad", lambda: tf.pad(ph([None, 3]), [[1, 1], [2, 0]], "REFLECT"), [None, 5]),
    ("MirrorPadGrad", lambda: _apply(
        "MirrorPadGrad", [ph([None, 5]), [[1, 1], [2, 0]]], {"mode": "REFLECT"}), [None, 3]),
    ("ReverseV2", lambda: tf.reverse(ph([None, 3]), [1]), [None, 3]),
    ("ReverseSequence", lambda: tf.reverse_sequence(ph([None, 7, 2]), ph([None], tf.int32), 1), [None, 7, 2]),
    ("LinSpace", lambda: tf.linspace(0.0, 1.0, 4), [4]),
    ("LinSpace", lambda: tf.linspace(0.0, 1.0, ph([], tf.int32)), [None]),
    ("MatrixDiag", lambda: tf.matrix_diag(ph([None, 3])), [None, 3, 3]),
    ("MatrixDiagPart", lambda: tf.matrix_diag_part(ph([None, 3, 5])), [None, 3]),
    ("MatrixDiagPart", lambda: tf.matrix_diag_part(ph([2, None, 5])), [2, None]),
    ("MatrixSetDiag", lambda: tf.matrix_set_diag(ph([None, 2, 3]), ph([None, 2])), [None, 2, 3]),
    ("MatrixBandPart", lambda: tf.matrix_band_part(ph([None, 4, 4]), -1, 0), [None, 4, 4]),
    ("Diag", lambda: tf.diag(ph([None, 3])), [None, 3, None, 3]),
    ("DiagPart", lambda: tf.diag_part(ph([None, 3, 2, None])), [2, 3]),
    ("DiagPart", lambda: tf.diag_part(ph(None)), UNKNOWN),
]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=[c[0] for c in SHAPE_CASES])
def test_static_shape(case):
    op_type, build, expected = case
    out = build()
    assert op_type in _op_types(), "case does not build a %s op" % op_type
    if expected is UNKNOWN:
        assert out.shape.ndims is None, out.shape
    else:
        assert out.shape.as_list() == expected


SHAPE_ERRORS = [
    ("Transpose", lambda: tf.transpose(ph([2, 3]), [0, 2]), "permutation"),
    ("Transpose", lambda: tf.transpose(ph([2, 3]), [0, 1, 2]), "vector of size 2"),
    ("ExpandDims", lambda: tf.expand_dims(ph([2, 3]), 3), "out of range"),
    ("Squeeze", lambda: tf.squeeze(ph([2, 3]), [1]), "Can not squeeze dim\\[1\\]"),
    ("Squeeze", lambda: tf.squeeze(ph([2, 1]), [2]), "squeeze dim index 2"),
    ("ConcatV2", lambda: tf.concat([ph([2, 3]), ph([3, 3])], 1), "Dimension 0 in both shapes"),
    ("ConcatV2", lambda: tf.concat([ph([2, 3]), ph([3])], 0), "same rank"),
    ("ConcatV2", lambda: tf.concat([ph([]), ph([])], 0), "scalars"),
    ("ConcatV2", lambda: tf.concat([ph([2]), ph([3])], 1), "out of range"),
    ("Split", lambda: tf.split(ph([5, 3]), 2), "evenly divisible"),
    ("SplitV", lambda: tf.split(ph([5, 3]), [1, 2]), "Determined shape"),
    ("SplitV", lambda: tf.split(ph([5, 3]), [-1, -1]), "Only one"),
    ("Slice", lambda: tf.slice(ph([5, 3]), [4, 0], [2, -1]), "size\\[0\\]"),
    ("Slice", lambda: tf.slice(ph([5, 3]), [0], [1]), "one entry per input dimension"),
    ("GatherV2", lambda: tf.gather(ph([5, 3]), [5]), "is not in \\[0, 5\\)"),
    ("GatherV2", lambda: tf.gather(ph([5, 3]), [1], axis=2), "out of range"),
    ("GatherNd", lambda: tf.gather_nd(ph([5, 3]), [[1, 2, 3]]), "params.rank"),
    ("ScatterNd", lambda: tf.scatter_nd([[1]], ph([2]), [4]), "updates must have shape"),
    ("UnsortedSegmentSum", lambda: tf.unsorted_segment_sum(ph([4, 2]), ph([3], tf.int32), 2), "prefix"),
    ("OneHot", lambda: tf.one_hot([1, 2], 3, axis=3), "axis"),
    ("Tile", lambda: tf.tile(ph([2, 3]), [2]), "rank 2"),
    ("Pad", lambda: tf.pad(ph([2, 3]), [[1, 1]]), "rank of inputs"),
    ("Pad", lambda: tf.pad(ph([2, 3]), [[1, 1], [-1, 0]]), "non-negative"),
    ("MirrorPad", lambda: tf.pad(ph([2, 3]), [[2, 0], [0, 0]], "REFLECT"), "no greater"),
    ("ReverseV2", lambda: tf.reverse(ph([2, 3]), [1, -1]), "more than once"),
    ("ReverseV2", lambda: tf.reverse(ph([2, 3]), [2]), "out of valid range"),
    ("ReverseSequence", lambda: tf.reverse_sequence(ph([2, 3]), [1, 2, 3], 1), "len\\(seq_lengths\\)"),
    ("MatrixDiagPart", lambda: tf.matrix_diag_part(ph([3])), "at least 2-D"),
    ("MatrixSetDiag", lambda: tf.matrix_set_diag(ph([2, 3]), ph([3])), "diagonal must have shape"),
    ("MatrixBandPart", lambda: tf.matrix_band_part(ph([3]), 1, 1), "at least 2-D"),
    ("DiagPart", lambda: tf.diag_part(ph([2, 3])), "differ"),
    ("DiagPart", lambda: tf.diag_part(ph([2, 3, 2])), "even"),
    ("Reshape", lambda: tf.reshape(ph([2, 3]), [4, 2]), "Cannot reshape"),
    ("Pack", lambda: tf.stack([ph([2]), ph([3])]), "incompatible"),
    ("Unpack", lambda: tf.unstack(ph([2, 3]), axis=2), "not in"),
    ("StridedSlice", lambda: ph([2, 3])[2], "out of range"),
    ("StridedSlice", lambda: ph([2, 3])[0, 0, 0], "Index out of range"),
    ("BroadcastTo", lambda: tf.broadcast_to(ph([3]), [2, 2]), "Incompatible"),
    ("Fill", lambda: tf.fill([2], [1.0, 2.0]), "scalar"),
]


RAISED_BY_WRAPPER = {"Unpack"}  # tf.unstack checks its axis before building the op


@pytest.mark.parametrize("case", SHAPE_ERRORS, ids=[c[0] for c in SHAPE_ERRORS])
def test_static_shape_errors(case):
    op_type, build, match = case
    with pytest.raises(ValueError, match=match) as info:
        build()
    if op_type not in RAISED_BY_WRAPPER:  # errors from shape inference name the op type
        assert "of type %s" % op_type in str(info.value)


SHAPE_CHECKED = {c[0] for c in SHAPE_CASES}


# -- gradients (float64 central differences) ---------------------------------------------------------------
def _sq(fn):
    """``fn(x)**2``: the second derivative then flows through fn's gradient graph."""
    def squared(*args):
        y = fn(*args)
        if isinstance(y, (list, tuple)):
            return [t * t for t in y]
        return y * y
    return squared


A = f64(2, 3, 4)
B = f64(3, 4)
GRADIENT_CASES = [
    ("PlaceholderWithDefault", lambda x: tf.placeholder_with_default(x, [2, 3, 4]), [A]),
    ("Identity", tf.identity, [A]),
    ("Fill", lambda v: tf.fill([2, 3], v), [np.float64(0.7)]),
    ("Reshape", lambda x: tf.reshape(x, [4, -1]), [A]),
    ("Pack", lambda x, y: tf.stack([x[0], y], axis=1), [A, B]),
    ("Unpack", lambda x: tf.unstack(x, axis=2), [A]),
    ("BroadcastTo", lambda x: tf.broadcast_to(x, [2, 3, 4]), [B]),
    ("StridedSlice", lambda x: x[1, ::-2, tf.newaxis, 1:], [A]),
    ("StridedSliceGrad", lambda g: _apply("StridedSliceGrad", [
        np.array([3, 4, 5], np.int32), np.array([0, 1], np.int32), np.array([3, 5], np.int32),
        np.array([2, 2], np.int32), g]), [f64(2, 2, 5)]),
    ("Slice", lambda x: tf.slice(x, [1, 0, 1], [1, -1, 2]), [A]),
    ("Transpose", lambda x: tf.transpose(x, [2, 0, 1]), [A]),
    ("ConjugateTranspose", lambda x: _apply("ConjugateTranspose", [x, [1, 0]]), [B]),
    ("ExpandDims", lambda x: tf.expand_dims(x, 1), [A]),
    ("Squeeze", lambda x: tf.squeeze(x[:, :1], [1]), [A]),
    ("ConcatV2", lambda x, y: tf.concat([x, tf.stack([y, y]), x], -1), [A, B]),
    ("Split", lambda x: tf.split(x, 3, axis=1), [A]),
    ("SplitV", lambda x: tf.split(x, [1, -1], axis=2), [A]),
    ("GatherV2", lambda x: tf.gather(x, [[1, 0], [1, 1]]), [A]),
    ("GatherV2", lambda x: tf.gather(x, [2, 2, 0], axis=1), [A]),
    ("GatherV2", lambda x: tf.gather(x, [[3], [0]], axis=-1), [A]),
    ("GatherNd", lambda x: tf.gather_nd(x, [[1, 2], [0, 0], [1, 2]]), [A]),
    ("ScatterNd", lambda u: tf.scatter_nd([[1, 0], [2, 3], [1, 0]], u, [3, 4, 2]), [f64(3, 2)]),
    ("UnsortedSegmentSum", lambda x: tf.unsorted_segment_sum(x, [[0, 2, 0], [-1, 1, 2]], 3), [A]),
    ("UnsortedSegmentSum", lambda x, ids: tf.unsorted_segment_sum(x, ids, 4),
     [B, np.array([3, -1, 3], np.int32)]),
    ("Tile", lambda x: tf.tile(x, [1, 2, 3]), [A]),
    ("Pad", lambda x: tf.pad(x, [[1, 0], [0, 2], [1, 1]]), [A]),
    ("PadV2", lambda x: tf.pad(x, [[1, 0], [0, 2], [1, 1]], constant_values=2.0), [A]),
    ("MirrorPad", lambda x: tf.pad(x, [[1, 1], [2, 1], [3, 2]], "REFLECT"), [A]),
    ("MirrorPad", lambda x: tf.pad(x, [[2, 1], [3, 0], [1, 4]], "SYMMETRIC"), [A]),
    ("MirrorPadGrad", lambda g: _apply("MirrorPadGrad", [g, [[1, 1], [0, 2]]], {"mode": "REFLECT"}), [f64(5, 6)]),
    ("ReverseV2", lambda x: tf.reverse(x, [0, -1]), [A]),
    ("ReverseSequence", lambda x: tf.reverse_sequence(x, [2, 3, 0], seq_axis=2, batch_axis=1), [A]),
    ("MatrixDiag", tf.matrix_diag, [B]),
    ("MatrixDiagPart", tf.matrix_diag_part, [A]),
    ("MatrixDiagPart", tf.matrix_diag_part, [f64(2, 3, 3)]),
    ("MatrixSetDiag", lambda x, d: tf.matrix_set_diag(x, d), [A, f64(2, 3)]),
    ("MatrixBandPart", lambda x: tf.matrix_band_part(x, 1, 2), [A]),
    ("Diag", tf.diag, [f64(2, 3)]),
    ("DiagPart", tf.diag_part, [f64(2, 3, 2, 3)]),
]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradient(case):
    op_type, fn, arrays = case
    seen = []

    def build(*args):
        out = fn(*args)
        seen.append(_op_types(args[0].graph))
        return out
    check_gradients(build, *arrays)
    assert op_type in seen[0], "case does not build a %s op" % op_type
    check_gradients(_sq(fn), *arrays, order=2)  # gradients are differentiable again


def test_gradient_of_composites():
    mask = np.array([[True, False, True], [False, False, True]])
    check_gradients(lambda x: tf.reshape(tf.boolean_mask(x, mask), [3, 4]), A)
    check_gradients(_sq(lambda x: tf.reshape(tf.boolean_mask(x, mask[0], axis=1), [2, 2, 4])),
                    A, order=2)
    check_gradients(lambda x: tf.meshgrid(x[0, 0], x[1, 1]), A)


def test_gradient_with_unknown_shapes():
    """Gradients built with dynamic shape ops equal those built from static shapes."""
    cases = [
        lambda x: tf.concat([x, x[:, :1] * 3.0], 1),
        lambda x: tf.slice(x, [0, 1, 1], [-1, 2, 2]),
        lambda x: tf.pad(x, [[1, 0], [0, 2], [1, 1]]),
        lambda x: tf.pad(x, [[1, 0], [0, 2], [1, 1]], "SYMMETRIC"),
        lambda x: tf.tile(x, [2, 1, 3]),
        lambda x: tf.tile(x, tf.placeholder_with_default([2, 1, 3], [3])),
        lambda x: tf.gather(x, [[1, 0], [1, 1]]),
        lambda x: tf.gather(x, [2, 0], axis=1),
        lambda x: tf.gather(x, [3, 3, 0], axis=2),
        lambda x: tf.gather_nd(x, [[1, 2], [0, 0]]),
        lambda x: tf.transpose(x),
        lambda x: tf.expand_dims(x, 1),
        lambda x: tf.squeeze(x[:, :1], [1]),
        lambda x: x[:, ::-1, 2],
        lambda x: tf.reverse_sequence(x, [2, 3], seq_axis=2, batch_axis=0),
        lambda x: tf.boolean_mask(x, [[True, False, True], [False, False, True]]),
    ]
    weights = f64(1000)
    for fn in cases:
        results = []
        for shape in ([2, 3, 4], [None, 3, 4], [None, None, None], None):
            with tf.Graph().as_default():
                x = tf.placeholder(tf.float64, shape)
                y = fn(x)
                w = tf.reshape(tf.slice(tf.constant(weights), [0], tf.reshape(tf.size(y), [1])),
                               tf.shape(y))
                g = tf.gradients(tf.reduce_sum(y * w), x)[0]
                with tf.Session() as sess:
                    results.append(sess.run(g, {x: A}))
        for other in results[1:]:
            np.testing.assert_allclose(other, results[0], rtol=1e-12)


def test_gather_gradient_is_dense_and_sums_duplicates(sess):
    params = tf.constant(np.ones((4, 2)))
    g = tf.gradients(tf.reduce_sum(tf.gather(params, [1, 1, 3])), params)[0]
    assert isinstance(g, tf.Tensor) and g.op.type == "UnsortedSegmentSum"
    np.testing.assert_array_equal(sess.run(g), [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_non_differentiable_ops_give_no_gradient():
    x = tf.placeholder(tf.float32, [2])
    for y in (tf.shape(x), tf.size(x), tf.rank(x), tf.zeros_like(x), tf.ones_like(x),
              tf.stop_gradient(x)):
        assert tf.gradients(tf.reduce_sum(tf.cast(y, tf.float32)), x)[0] is None
    i = tf.placeholder(tf.int32, [2])
    assert tf.gradients(tf.reduce_sum(tf.one_hot(i, 3, on_value=x[0])), x)[0] is None
    assert tf.gradients(tf.reduce_sum(tf.linspace(x[0], x[1], 3)), x)[0] is None


GRADIENT_CHECKED = {c[0] for c in GRADIENT_CASES}


def test_zeros_and_ones_of_bool_dtype():
    with tf.Session() as sess:
        out = sess.run([tf.zeros([2], tf.bool), tf.ones([2], tf.bool),
                        tf.ones_like(tf.constant([1, 2]), dtype=tf.bool),
                        tf.zeros([2000], tf.bool)])
    assert out[0].tolist() == [False, False] and out[1].tolist() == [True, True]
    assert out[2].tolist() == [True, True] and not out[3].any() and out[3].dtype == bool
