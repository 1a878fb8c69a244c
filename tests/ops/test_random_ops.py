"""Random ops: statistics of the samples, static shapes, TF1's seed rules, and Qr.

Random numbers cannot be compared with a numpy reference value by value (tfone's streams are
numpy's, not TF1's Philox), so the reference checks are statistical, on samples large enough
that the tolerances are many standard errors wide.
"""
import numpy as np
import pytest

import tfone as tf
from tfone.ops import init_ops, random_ops

REFERENCE_CHECKED = {"RandomStandardNormal", "TruncatedNormal", "RandomUniform",
                     "RandomUniformInt", "RandomShuffle", "Multinomial", "Qr"}
SHAPE_CHECKED = {"RandomStandardNormal", "TruncatedNormal", "RandomUniform",
                 "RandomUniformInt", "RandomShuffle", "Multinomial", "Qr"}
# The random ops are NOT_DIFFERENTIABLE and Qr declares no gradient (checked below); gradients
# reach mean/stddev/minval/maxval through ordinary Mul/Add/Sub ops, checked below with central
# differences while the random draw is held fixed by feeding it.
GRADIENT_CHECKED = set()


@pytest.fixture(autouse=True)
def _seeded_default_graph(fresh_default_graph):
    """Statistical checks run on a seeded default graph, so they cannot flake; the seed rules
    themselves are tested on fresh graphs."""
    tf.set_random_seed(1234)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


# -- statistics (reference) ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_random_normal_statistics(dtype):
    x = _run(tf.random_normal([400, 500], mean=3.0, stddev=2.0, dtype=dtype))
    assert x.dtype == dtype.as_numpy_dtype and x.shape == (400, 500)
    assert abs(x.mean() - 3.0) < 0.02      # standard error 0.003
    assert abs(x.std() - 2.0) < 0.02
    assert abs(np.mean(np.abs(x - 3.0) < 2.0) - 0.6827) < 0.01  # it is normal, not just scaled


def test_random_normal_float16_and_broadcast_mean():
    x = _run(tf.random_normal([20000], dtype=tf.float16))
    assert x.dtype == np.float16 and abs(float(x.astype(np.float64).std()) - 1) < 0.03
    y = _run(tf.random_normal([50000, 2], mean=tf.constant([-5.0, 5.0]), stddev=0.1))
    np.testing.assert_allclose(y.mean(axis=0), [-5, 5], atol=0.01)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_truncated_normal_statistics(dtype):
    x = _run(tf.truncated_normal([200000], mean=1.0, stddev=0.5, dtype=dtype))
    assert x.dtype == dtype.as_numpy_dtype
    assert x.min() >= 1.0 - 2 * 0.5 and x.max() <= 1.0 + 2 * 0.5
    assert abs(x.mean() - 1.0) < 0.01
    # stddev of a standard normal cut at +-2 is 0.8796
    assert abs(x.std() - 0.5 * 0.87962566) < 0.005
    assert x.max() > 1.0 + 2 * 0.5 - 0.01  # values near the edge exist: redrawn, not clipped


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_random_uniform_statistics(dtype):
    x = _run(tf.random_uniform([100000], minval=-2, maxval=6, dtype=dtype))
    assert x.dtype == dtype.as_numpy_dtype
    assert x.min() >= -2
    # float16 rounding of min + u * (max - min) may reach max itself, as in TF1
    assert (x.max() <= 6) if dtype == tf.float16 else (x.max() < 6)
    x = x.astype(np.float64)
    assert abs(x.mean() - 2.0) < 0.05 and abs(x.var() - 64 / 12.) < 0.1
    counts = np.histogram(x, bins=8, range=(-2, 6))[0]
    assert counts.min() > 0.9 * len(x) / 8


def test_random_uniform_default_range_is_half_open():
    x = _run(tf.random_uniform([50000], dtype=tf.float16))
    assert x.min() >= 0 and x.max() < 1
    x = _run(tf.random_uniform([50000]))
    assert x.dtype == np.float32 and x.min() >= 0 and x.max() < 1


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_random_uniform_int(dtype):
    t = tf.random_uniform([30000], minval=-3, maxval=4, dtype=dtype)
    assert t.op.type == "RandomUniformInt" and t.op.name == "random_uniform"
    x = _run(t)
    assert x.dtype == dtype.as_numpy_dtype
    assert set(np.unique(x).tolist()) == set(range(-3, 4))
    freq = np.bincount(x + 3) / len(x)
    np.testing.assert_allclose(freq, 1 / 7., atol=0.015)


def test_random_uniform_int_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([3], dtype=tf.int32)
    with pytest.raises(ValueError, match="Invalid dtype"):
        tf.random_uniform([3], dtype=tf.bool)
    lo = tf.placeholder(tf.int32, [])
    t = tf.random_uniform([3], minval=lo, maxval=2, dtype=tf.int32)
    with tf.Session() as sess:
        assert sess.run(t, {lo: 1}).tolist() == [1, 1, 1]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
            sess.run(t, {lo: 2})


def test_random_shuffle_is_a_permutation_of_rows():
    value = np.arange(40, dtype=np.float32).reshape(20, 2)
    t = tf.random_shuffle(value)
    assert t.op.type == "RandomShuffle" and t.op.name == "RandomShuffle"
    with tf.Session() as sess:
        outs = [sess.run(t) for _ in range(3)]
    for out in outs:
        assert out.dtype == np.float32
        # rows move as wholes and every row appears exactly once
        np.testing.assert_array_equal(out[:, 1] - out[:, 0], 1)
        np.testing.assert_array_equal(np.sort(out[:, 0]), value[:, 0])
    assert any(not np.array_equal(o, value) for o in outs)
    assert not np.array_equal(outs[0], outs[1]) or not np.array_equal(outs[1], outs[2])


def test_random_shuffle_small_and_string_inputs():
    assert _run(tf.random_shuffle(tf.constant(7))) == 7
    assert _run(tf.random_shuffle([[1, 2]])).tolist() == [[1, 2]]
    words = _run(tf.random_shuffle(tf.constant(["a", "b", "c"])))
    assert sorted(words.tolist()) == [b"a", b"b", b"c"]
    # the kernel never modifies its input
    value = np.arange(10)
    src = tf.placeholder(tf.int64, [10])
    with tf.Session() as sess:
        sess.run(tf.random_shuffle(src), {src: value})
    np.testing.assert_array_equal(value, np.arange(10))


def test_multinomial_frequencies_follow_softmax():
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], dtype=np.float32))
    t = tf.multinomial(logits, 20000)
    assert t.dtype == tf.int64 and t.op.name == "multinomial/Multinomial"
    x = _run(t)
    assert x.shape == (2, 20000) and x.dtype == np.int64
    np.testing.assert_allclose(np.bincount(x[0], minlength=3) / 20000., [0.1, 0.2, 0.7], atol=0.015)
    assert set(np.unique(x[1]).tolist()) == {0, 1}  # probability 0 (log 0 = -inf) never drawn
    assert abs(np.mean(x[1] == 0) - 0.5) < 0.015


def test_multinomial_large_logits_and_output_dtype():
    logits = tf.constant([[1000., 1000., -1000.]], dtype=tf.float64)  # stable: max-shifted
    x = _run(tf.multinomial(logits, 2000, output_dtype=tf.int32))
    assert x.dtype == np.int32 and set(np.unique(x).tolist()) == {0, 1}
    c = tf.random.categorical(logits, 5, dtype=tf.int32)
    assert c.op.name == "categorical/Multinomial" and c.dtype == tf.int32
    assert _run(tf.multinomial([[0., 1.]], 0)).shape == (1, 0)


# -- static shapes --------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [tf.random_normal, tf.truncated_normal, tf.random_uniform])
def test_static_shapes_of_shape_driven_ops(fn):
    assert fn([2, 3]).shape.as_list() == [2, 3]
    assert fn([]).shape.as_list() == []
    assert fn((4,)).shape.as_list() == [4]
    assert fn(tf.TensorShape([5, 1])).shape.as_list() == [5, 1]
    n = tf.placeholder(tf.int32, [])
    assert fn([n, 3]).shape.as_list() == [None, 3]            # partially known
    x = tf.placeholder(tf.float32, [None, 7])
    assert fn(tf.shape(x)).shape.as_list() == [None, 7]       # from tf.shape
    assert fn(tf.placeholder(tf.int32, [3])).shape.as_list() == [None, None, None]
    assert fn(tf.placeholder(tf.int32, [None])).shape.ndims is None
    assert fn(tf.placeholder(tf.int32)).shape.ndims is None
    with pytest.raises(ValueError, match="rank 1"):
        fn(tf.constant([[2, 3]]))
    with pytest.raises(ValueError, match="negative"):
        fn([2, -1])
    with pytest.raises(ValueError, match="None"):
        fn([None, 3])
    with pytest.raises(ValueError, match="partially known"):
        fn(tf.TensorShape([None, 3]))


def test_static_shape_of_random_uniform_int_and_errors():
    n = tf.placeholder(tf.int64, [])
    t = tf.random_uniform(tf.stack([n, tf.constant(2, tf.int64)]), maxval=5, dtype=tf.int64)
    assert t.shape.as_list() == [None, 2] and t.dtype == tf.int64
    with pytest.raises(ValueError, match="minval must be a scalar"):
        tf.random_uniform([2], minval=[0, 1], maxval=5, dtype=tf.int32)


def test_static_shapes_of_shuffle_and_multinomial():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.random_shuffle(x).shape.as_list() == [None, 3]
    assert tf.random_shuffle(tf.placeholder(tf.int32)).shape.ndims is None
    logits = tf.placeholder(tf.float32, [None, 5])
    assert tf.multinomial(logits, 4).shape.as_list() == [None, 4]
    k = tf.placeholder(tf.int32, [])
    assert tf.multinomial(tf.zeros([3, 5]), k).shape.as_list() == [3, None]
    assert tf.multinomial(tf.placeholder(tf.float32), 2).shape.as_list() == [None, 2]
    with pytest.raises(ValueError, match="matrix"):
        tf.multinomial(tf.zeros([5]), 2)
    with pytest.raises(ValueError, match="nonnegative"):
        tf.multinomial(tf.zeros([1, 5]), -1)


def test_dynamic_shapes_run():
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.random_normal([n, 2])
    b = tf.truncated_normal(tf.shape(x))
    c = tf.random_uniform(tf.shape(x)[:1], maxval=9, dtype=tf.int32)
    d = tf.multinomial(tf.zeros([2, 3]), n)
    with tf.Session() as sess:
        ra, rb, rc, rd = sess.run([a, b, c, d], {n: 5, x: np.zeros((3, 4))})
        assert ra.shape == (5, 2) and rb.shape == (3, 4) and rc.shape == (3,) and rd.shape == (2, 5)
        with pytest.raises(tf.errors.InvalidArgumentError, match="negative"):
            sess.run(a, {n: -1})


def test_names_and_op_structure_match_tf1():
    t = tf.random_normal([2], mean=1.0, stddev=2.0)
    names = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
    assert names == [("random_normal/shape", "Const"), ("random_normal/mean", "Const"),
                     ("random_normal/stddev", "Const"),
                     ("random_normal/RandomStandardNormal", "RandomStandardNormal"),
                     ("random_normal/mul", "Mul"), ("random_normal", "Add")]
    u = tf.random_uniform([2], name="u")
    assert [op.name for op in tf.get_default_graph().get_operations()][len(names):] == [
        "u/shape", "u/min", "u/max", "u/RandomUniform", "u/sub", "u/mul", "u"]
    tn = tf.truncated_normal([2])
    assert tn.op.inputs[0].op.name == "truncated_normal/mul"
    assert tn.op.inputs[0].op.inputs[0].op.type == "TruncatedNormal"
    for op in (t.op.inputs[0].op.inputs[0].op, u.op.inputs[0].op.inputs[0].op):
        assert op._opdef.stateful and not op._opdef.differentiable


def test_dtype_errors():
    with pytest.raises(ValueError, match="floating dtype"):
        tf.random_normal([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="floating dtype"):
        tf.truncated_normal([2], dtype=tf.int64)
    with pytest.raises(ValueError, match="requested dtype float32"):
        tf.random_normal([2], mean=tf.constant(1.0, tf.float64))  # float32 op, float64 mean


# -- seed rules ------------------------------------------------------------------------------------
def _program(graph_seed=None, op_seed=None):
    """Build the same little program in a fresh graph; return (graph, [tensors])."""
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        a = tf.random_normal([5], seed=op_seed)
        b = tf.random_uniform([5], seed=op_seed)
        c = tf.random_normal([5], seed=op_seed)
        d = tf.random_shuffle(tf.range(10), seed=op_seed)
        e = tf.multinomial(tf.zeros([1, 10]), 5, seed=op_seed)
        f = tf.truncated_normal([5], seed=op_seed)
    return graph, [a, b, c, d, e, f]


def _values(graph, tensors, runs=1):
    with tf.Session(graph=graph) as sess:
        return [sess.run(tensors) for _ in range(runs)]


def _same(xs, ys):
    return all(np.array_equal(x, y) for x, y in zip(xs, ys))


def test_graph_seed_makes_the_program_reproducible():
    first = _values(*_program(graph_seed=42), runs=2)
    second = _values(*_program(graph_seed=42), runs=2)
    assert _same(first[0], second[0]) and _same(first[1], second[1])   # same program, same numbers
    assert not np.array_equal(first[0][0], first[1][0])               # re-running: new numbers
    assert not np.array_equal(first[0][0], first[0][2])               # two ops differ
    other = _values(*_program(graph_seed=43))
    assert not np.array_equal(first[0][0], other[0][0])               # other graph seed differs


def test_new_session_restarts_the_sequence():
    graph, tensors = _program(graph_seed=1)
    with tf.Session(graph=graph) as s1, tf.Session(graph=graph) as s2:
        a1, a2 = s1.run(tensors[0]), s1.run(tensors[0])
        assert np.array_equal(s2.run(tensors[0]), a1)
        assert np.array_equal(s2.run(tensors[0]), a2)
    with tf.Session(graph=graph) as s3:
        assert np.array_equal(s3.run(tensors[0]), a1)


def test_stream_continues_across_different_fetches():
    graph, (a, b, *_) = _program(graph_seed=3)
    with tf.Session(graph=graph) as s1, tf.Session(graph=graph) as s2:
        x1 = s1.run(a)
        x2 = s1.run([a, b])[0]
        assert np.array_equal(s2.run([b, a])[1], x1)
        assert np.array_equal(s2.run(a), x2)


def test_op_seed_only_uses_default_graph_seed():
    first = _values(*_program(op_seed=7))
    second = _values(*_program(op_seed=7))
    assert _same(first[0], second[0])
    # TF1: two ops with the same seeds draw the same stream
    assert np.array_equal(first[0][0], first[0][2])
    graph, tensors = _program(op_seed=7)
    op = tensors[0].op.inputs[0].op.inputs[0].op
    assert op.type == "RandomStandardNormal"
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (random_ops.DEFAULT_GRAPH_SEED, 7)


def test_no_seed_is_nondeterministic():
    first = _values(*_program())
    second = _values(*_program())
    assert not np.array_equal(first[0][0], second[0][0])
    graph, tensors = _program()
    op = tensors[0].op.inputs[0].op.inputs[0].op
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (0, 0)


def test_seeds_are_resolved_into_attrs_like_tf_get_seed():
    tf.set_random_seed(5)
    graph = tf.get_default_graph()
    assert graph.seed == 5
    assert tf.get_seed(None) == (5, graph.version)
    assert tf.get_seed(3) == (5, 3)
    before = graph.version
    t = tf.random_normal([2])
    op = t.op.inputs[0].op.inputs[0].op
    # op seed = op count when the op is created (after its shape/mean/stddev constants)
    assert (op.get_attr("seed"), op.get_attr("seed2")) == (5, before + 3)
    assert op.node_def["attr"]["seed2"] == before + 3
    tf.set_random_seed(2 ** 31 - 1 + 4)                  # truncated to 31 bits as TF1 does
    assert tf.get_seed(2 ** 31 + 1) == (4, 2)
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, 2 ** 31 - 1)            # (0, 0) would mean "nondeterministic"
    tf.set_random_seed(None)
    assert tf.get_seed(None) == (None, None)
    assert tf.random.get_seed(9) == (random_ops.DEFAULT_GRAPH_SEED, 9)
    with pytest.raises(TypeError, match="integer"):
        tf.set_random_seed(1.5)


def test_set_random_seed_is_per_graph():
    tf.set_random_seed(1)
    g = tf.Graph()
    assert g.seed is None
    with g.as_default():
        tf.random.set_random_seed(2)
        assert g.seed == 2
    assert tf.get_default_graph().seed == 1


def test_tf_random_namespace():
    tf.set_random_seed(0)
    ts = [tf.random.normal([3]), tf.random.uniform([3]), tf.random.truncated_normal([3]),
          tf.random.shuffle([1, 2, 3]), tf.random.categorical([[0., 0.]], 3),
          tf.random.multinomial([[0., 0.]], 3)]
    assert [t.shape.as_list() for t in ts] == [[3], [3], [3], [3], [1, 3], [1, 3]]
    assert len(_run(ts)) == 6


# -- gradients through the affine transforms -------------------------------------------------------------
def _fixed_draw_gradient_error(build, params, draw_shape):
    """Central differences of sum(w * y) w.r.t. params, with the random draw fed (held fixed)."""
    graph = tf.Graph()
    with graph.as_default():
        phs = [tf.placeholder(tf.float64, np.shape(p)) for p in params]
        y = build(*phs)
        rnd = y.op.inputs[0].op.inputs[0]                 # the raw draw feeding "<scope>/mul"
        w = np.random.RandomState(0).uniform(0.5, 1.5, size=y.shape.as_list())
        loss = tf.reduce_sum(y * w)
        grads = tf.gradients(loss, phs)
        draw = np.random.RandomState(1).uniform(-1, 1, size=draw_shape)
        with tf.Session() as sess:
            feed = {rnd: draw, **dict(zip(phs, params))}
            analytic = sess.run(grads, feed)
            worst = 0.0
            for i, p in enumerate(params):
                flat = np.array(p, dtype=np.float64).reshape(-1)
                numeric = np.zeros_like(flat)
                for j in range(flat.size):
                    values = []
                    for step in (1e-6, -1e-6):
                        bumped = flat.copy()
                        bumped[j] += step
                        values.append(sess.run(loss, {**feed, phs[i]: bumped.reshape(np.shape(p))}))
                    numeric[j] = (values[0] - values[1]) / 2e-6
                worst = max(worst, np.max(np.abs(numeric - np.reshape(analytic[i], -1))))
    return worst


def test_gradient_through_mean_and_stddev():
    err = _fixed_draw_gradient_error(
        lambda m, s: tf.random_normal([3, 4], mean=m, stddev=s, dtype=tf.float64),
        [0.3, 1.7], (3, 4))
    assert err < 1e-6
    err = _fixed_draw_gradient_error(
        lambda m, s: tf.truncated_normal([3, 4], mean=m, stddev=s, dtype=tf.float64),
        [np.array([0.1, 0.2, 0.3, 0.4]), 0.5], (3, 4))      # broadcast mean
    assert err < 1e-6


def test_gradient_through_minval_and_maxval():
    err = _fixed_draw_gradient_error(
        lambda lo, hi: tf.random_uniform([5], minval=lo, maxval=hi, dtype=tf.float64),
        [-1.0, 2.0], (5,))
    assert err < 1e-6


def test_gradient_values_through_stddev():
    s = tf.placeholder(tf.float32, [])
    y = tf.random_normal([1000], stddev=s, seed=1)
    z = y.op.inputs[0].op.inputs[0]
    g = tf.gradients(tf.reduce_sum(y), s)[0]
    with tf.Session() as sess:
        zv, gv = sess.run([z, g], {s: 2.0})
    np.testing.assert_allclose(gv, zv.sum(), rtol=1e-4)


# -- Qr (used by the orthogonal initializer) ------------------------------------------------------------
@pytest.mark.parametrize("shape,full", [((5, 3), False), ((3, 5), False), ((4, 4), False),
                                        ((2, 5, 3), False), ((5, 3), True), ((3, 5), True)])
def test_qr_reference(shape, full):
    a = np.random.RandomState(0).randn(*shape)
    q, r = _run(list(init_ops.qr(a, full_matrices=full)))
    m, n = shape[-2:]
    k = m if full else min(m, n)
    assert q.shape == shape[:-2] + (m, k) and r.shape == shape[:-2] + (k, n)
    np.testing.assert_allclose(q @ r, a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)),
                               atol=1e-12)
    np.testing.assert_array_equal(np.tril(r, -1), 0)
    assert np.all(np.diagonal(r, axis1=-2, axis2=-1) >= 0)
    # matches numpy's factorization up to the sign convention
    nq, nr = np.linalg.qr(a, mode="complete" if full else "reduced")
    np.testing.assert_allclose(np.abs(q[..., :min(m, n)]), np.abs(nq[..., :min(m, n)]), atol=1e-12)


def test_qr_dtypes_shapes_and_no_gradient():
    a32 = np.random.RandomState(1).randn(4, 3).astype(np.float32)
    q, r = init_ops.qr(a32)
    assert q.op.type == "Qr" and q.dtype == tf.float32
    qv, rv = _run([q, r])
    assert qv.dtype == np.float32 and np.allclose(qv @ rv, a32, atol=1e-5)
    q16, _ = init_ops.qr(tf.constant(a32.astype(np.float16)))
    assert _run(q16).dtype == np.float16
    x = tf.placeholder(tf.float32, [None, 6, 2])
    q, r = init_ops.qr(x)
    assert q.shape.as_list() == [None, 6, 2] and r.shape.as_list() == [None, 2, 2]
    q, r = init_ops.qr(tf.placeholder(tf.float32, [6, None]), full_matrices=True)
    assert q.shape.as_list() == [6, 6] and r.shape.as_list() == [6, None]
    q, r = init_ops.qr(tf.placeholder(tf.float32))
    assert q.shape.ndims is None and r.shape.ndims is None
    with pytest.raises(ValueError, match="rank >= 2"):
        init_ops.qr(tf.zeros([3]))
    with pytest.raises(TypeError):
        init_ops.qr(tf.zeros([3, 3], dtype=tf.int32))
    with pytest.raises(LookupError):
        tf.gradients(tf.reduce_sum(init_ops.qr(x)[0]), x)
