"""Initializers: values, shapes, dtypes and statistics; seeds; configs; use with variables."""
import collections
import math

import numpy as np
import pytest

import tfone as tf
from tfone import initializers
from tfone.ops import init_ops


@pytest.fixture(autouse=True)
def _seeded_default_graph(fresh_default_graph):
    """Statistical checks run on a seeded default graph, so they cannot flake; the seed rules
    themselves are tested on fresh graphs."""
    tf.set_random_seed(1234)


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


# -- constant initializers --------------------------------------------------------------------------
def test_zeros_and_ones():
    z = _run(tf.zeros_initializer()([2, 3]))
    assert z.dtype == np.float32 and z.shape == (2, 3) and not z.any()
    o = _run(tf.ones_initializer(dtype=tf.int32)([4]))
    assert o.dtype == np.int32 and o.tolist() == [1, 1, 1, 1]
    assert _run(tf.initializers.ones()((2,), dtype=tf.float64)).dtype == np.float64
    big = _run(tf.zeros_initializer()([40, 50]))          # large shapes build a Fill
    assert big.shape == (40, 50) and not big.any()


def test_constant_initializer():
    assert _run(tf.constant_initializer(3.5)([2, 2])).tolist() == [[3.5, 3.5], [3.5, 3.5]]
    # a short list is padded with its last value, as tf.constant does
    assert _run(tf.constant_initializer([1, 2])([2, 2])).tolist() == [[1, 2], [2, 2]]
    value = np.arange(6).reshape(2, 3)
    out = _run(tf.constant_initializer(value, dtype=tf.int64)([2, 3]))
    assert out.dtype == np.int64 and out.tolist() == value.tolist()
    assert _run(tf.constant_initializer(7)([3], dtype=tf.float64)).dtype == np.float64
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.constant_initializer([1, 2], verify_shape=True)([2, 2])
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        tf.constant_initializer({"a": 1})


# -- random initializers ---------------------------------------------------------------------------
def test_random_normal_and_truncated_normal_initializers():
    x = _run(tf.random_normal_initializer(mean=1.0, stddev=0.5)([300, 300]))
    assert x.dtype == np.float32 and abs(x.mean() - 1) < 0.01 and abs(x.std() - 0.5) < 0.01
    t = _run(tf.truncated_normal_initializer(stddev=2.0)([300, 300], dtype=tf.float64))
    assert t.dtype == np.float64 and np.abs(t).max() <= 4.0
    assert abs(t.std() - 2.0 * 0.87962566) < 0.02
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.random_normal_initializer(dtype=tf.int32)


def test_random_uniform_initializer():
    x = _run(tf.random_uniform_initializer(-3, 1)([100000]))
    assert x.min() >= -3 and x.max() < 1 and abs(x.mean() + 1) < 0.03
    assert _run(tf.random_uniform_initializer()([1000])).max() < 1    # default [0, 1)
    i = _run(tf.random_uniform_initializer(0, 5, dtype=tf.int32)([1000]))
    assert i.dtype == np.int32 and set(i.tolist()) == set(range(5))


def test_uniform_unit_scaling_initializer():
    shape = [30, 40, 50]        # input size = 30 * 40
    x = _run(tf.uniform_unit_scaling_initializer(factor=2.0)(shape))
    limit = math.sqrt(3 / 1200.) * 2.0
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit


def _fans(shape):
    return init_ops._compute_fans(shape)


def test_fans_like_tf1():
    assert _fans([]) == (1, 1)
    assert _fans([7]) == (7, 7)
    assert _fans([3, 5]) == (3, 5)
    assert _fans([3, 3, 16, 32]) == (3 * 3 * 16, 3 * 3 * 32)   # conv2d kernel [h, w, in, out]
    assert _fans([2, 3, 3, 4, 8]) == (2 * 3 * 3 * 4, 2 * 3 * 3 * 8)


SHAPE = [3, 3, 40, 60]   # 21600 samples: fan_in 360, fan_out 540


@pytest.mark.parametrize("mode,n", [("fan_in", 360.), ("fan_out", 540.), ("fan_avg", 450.)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "untruncated_normal",
                                          "uniform"])
def test_variance_scaling_variance(mode, n, distribution):
    init = tf.variance_scaling_initializer(scale=2.0, mode=mode, distribution=distribution, seed=1)
    x = _run(init(SHAPE)).astype(np.float64)
    expected_std = math.sqrt(2.0 / n)
    assert abs(x.std() / expected_std - 1) < 0.03         # the variance really is scale / n
    assert abs(x.mean()) < 0.05 * expected_std
    if distribution in ("truncated_normal", "normal"):
        assert np.abs(x).max() <= 2 * expected_std / 0.87962566103423978 + 1e-6
    elif distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(3 * 2.0 / n)


def test_variance_scaling_defaults_and_errors():
    init = tf.variance_scaling_initializer()
    assert (init.scale, init.mode, init.distribution, init.seed, init.dtype) == (
        1.0, "fan_in", "truncated_normal", None, tf.float32)
    assert tf.variance_scaling_initializer(distribution="Uniform").distribution == "uniform"
    with pytest.raises(ValueError, match="positive"):
        tf.variance_scaling_initializer(scale=0)
    with pytest.raises(ValueError, match="mode"):
        tf.variance_scaling_initializer(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        tf.variance_scaling_initializer(distribution="cauchy")
    with pytest.raises(ValueError, match="fully defined"):
        tf.variance_scaling_initializer()([None, 3])


def test_glorot_uniform_limit():
    fan_in, fan_out = 200, 300
    x = _run(tf.glorot_uniform_initializer()([fan_in, fan_out]))
    limit = math.sqrt(6. / (fan_in + fan_out))
    assert x.dtype == np.float32
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    assert abs(x.var() / (limit ** 2 / 3) - 1) < 0.03


def test_glorot_normal_stddev():
    x = _run(tf.glorot_normal_initializer()([200, 300]))
    assert abs(x.std() / math.sqrt(2. / 500) - 1) < 0.03
    assert np.abs(x).max() <= 2 * math.sqrt(2. / 500) / 0.87962566103423978 + 1e-6


@pytest.mark.parametrize("fn,scale,mode,distribution", [
    (tf.initializers.he_normal, 2., "fan_in", "truncated_normal"),
    (tf.initializers.he_uniform, 2., "fan_in", "uniform"),
    (tf.initializers.lecun_normal, 1., "fan_in", "truncated_normal"),
    (tf.initializers.lecun_uniform, 1., "fan_in", "uniform"),
])
def test_he_and_lecun(fn, scale, mode, distribution):
    init = fn(seed=4)
    assert isinstance(init, init_ops.VarianceScaling)
    assert (init.scale, init.mode, init.distribution, init.seed) == (scale, mode, distribution, 4)
    x = _run(init([400, 100]))
    assert abs(x.std() / math.sqrt(scale / 400) - 1) < 0.04


@pytest.mark.parametrize("shape", [[6, 6], [10, 4], [4, 10], [3, 3, 4, 8], [2, 2, 3, 20]])
def test_orthogonal(shape):
    x = _run(tf.orthogonal_initializer(gain=1.5)(shape, dtype=tf.float64))
    assert x.shape == tuple(shape) and x.dtype == np.float64
    flat = x.reshape(-1, shape[-1]) / 1.5
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-10)


def test_orthogonal_is_not_always_the_same_matrix_and_errors():
    init = tf.orthogonal_initializer()
    a, b = init([5, 5]), init([5, 5])
    with tf.Session() as sess:
        av, bv = sess.run([a, b])
    assert av.dtype == np.float32 and not np.allclose(av, bv)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        init([5])


def test_identity_initializer():
    x = _run(tf.initializers.identity(gain=2.0)([2, 3]))
    assert x.dtype == np.float32 and x.tolist() == [[2, 0, 0], [0, 2, 0]]
    assert _run(init_ops.identity_initializer()([3, 3], dtype=tf.float64)).dtype == np.float64
    with pytest.raises(ValueError, match="2D"):
        init_ops.Identity()([2, 2, 2])


PartitionInfo = collections.namedtuple("PartitionInfo", "full_shape var_offset")


def test_partition_info_uses_the_full_shape():
    part = PartitionInfo(full_shape=[4, 3], var_offset=[2, 0])
    assert _run(tf.initializers.identity()([2, 3], partition_info=part)).tolist() == [
        [0, 0, 1], [0, 0, 0]]
    # the scale comes from the full [1000, 10] variable, not from the [10, 10] slice
    part = PartitionInfo(full_shape=[1000, 10], var_offset=[0, 0])
    x = _run(tf.glorot_uniform_initializer()([10, 10], partition_info=part))
    assert np.abs(x).max() <= math.sqrt(6. / 1010)


# -- seeds ---------------------------------------------------------------------------------------------
def _init_values(make, graph_seed=None):
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        tensors = [make()([3, 4]), make()([3, 4])]
        with tf.Session() as sess:
            return sess.run(tensors)


@pytest.mark.parametrize("cls", [init_ops.RandomNormal, init_ops.TruncatedNormal,
                                 init_ops.RandomUniform, init_ops.GlorotUniform,
                                 init_ops.GlorotNormal, init_ops.Orthogonal,
                                 init_ops.UniformUnitScaling, init_ops.VarianceScaling])
def test_seeded_initializers_are_reproducible(cls):
    a1, b1 = _init_values(lambda: cls(seed=11))
    a2, b2 = _init_values(lambda: cls(seed=11))
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(a1, b1)          # same op seed, same numbers (as TF1)
    c, _ = _init_values(lambda: cls(seed=12))
    assert not np.array_equal(a1, c)


def test_graph_seed_makes_unseeded_initializers_reproducible():
    a1, b1 = _init_values(init_ops.GlorotUniform, graph_seed=5)
    a2, b2 = _init_values(init_ops.GlorotUniform, graph_seed=5)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(a1, b1)              # different ops, different numbers
    c1, _ = _init_values(init_ops.GlorotUniform)
    d1, _ = _init_values(init_ops.GlorotUniform)
    assert not np.array_equal(c1, d1)              # no seeds at all: nondeterministic


# -- configs ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", [
    init_ops.Zeros(), init_ops.Ones(tf.float64), init_ops.Constant([1, 2], tf.int32),
    init_ops.RandomUniform(-1, 1, seed=3), init_ops.RandomNormal(0.5, 2.0, seed=1),
    init_ops.TruncatedNormal(stddev=0.1), init_ops.UniformUnitScaling(1.5, seed=2),
    init_ops.VarianceScaling(2.0, "fan_out", "uniform", seed=7), init_ops.Orthogonal(1.3, 2),
    init_ops.Identity(0.5), init_ops.GlorotUniform(seed=1), init_ops.GlorotNormal(seed=2),
])
def test_get_config_round_trip(init):
    config = init.get_config()
    assert config["dtype"] == init.dtype.name and isinstance(config["dtype"], str)
    clone = type(init).from_config(config)
    assert type(clone) is type(init) and clone.get_config() == config
    assert type(init).__name__ in repr(init)


def test_specific_configs_match_tf1():
    assert init_ops.Constant(3).get_config() == {"value": 3, "dtype": "float32"}
    assert init_ops.GlorotUniform(seed=1).get_config() == {"seed": 1, "dtype": "float32"}
    assert init_ops.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None,
        "dtype": "float32"}
    assert init_ops.RandomUniform().get_config() == {
        "minval": 0, "maxval": None, "seed": None, "dtype": "float32"}


# -- with variables ------------------------------------------------------------------------------------
def test_get_variable_with_initializers():
    w = tf.get_variable("w", [20, 30], initializer=tf.glorot_uniform_initializer(seed=1))
    b = tf.get_variable("b", [30], initializer=tf.zeros_initializer())
    d = tf.get_variable("d", [5], dtype=tf.float64, initializer=tf.random_normal_initializer())
    k = tf.get_variable("k", [2], dtype=tf.int32, initializer=tf.constant_initializer(4))
    default = tf.get_variable("default", [20, 30])            # TF1: glorot_uniform
    with tf.Session() as sess:
        sess.run(tf.initializers.global_variables())
        wv, bv, dv, kv, default_v = sess.run([w, b, d, k, default])
    limit = math.sqrt(6. / 50)
    assert np.abs(wv).max() <= limit and np.abs(default_v).max() <= limit
    assert np.abs(default_v).max() > 0.9 * limit
    assert not bv.any() and dv.dtype == np.float64 and kv.tolist() == [4, 4]
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "w/Initializer/random_uniform/RandomUniform" in names


def test_variable_scope_initializer():
    with tf.variable_scope("layer", initializer=tf.constant_initializer(0.5)):
        v = tf.get_variable("v", [2])
    with tf.Session() as sess:
        sess.run(tf.initializers.variables([v]))
        assert sess.run(v).tolist() == [0.5, 0.5]


def test_variable_from_initializer_call():
    init = tf.initializers.orthogonal(seed=3)
    v = tf.Variable(init([4, 4]), name="v")
    u = tf.Variable(lambda: tf.initializers.he_uniform()([3, 2]), name="u")
    assert v.shape.as_list() == [4, 4] and u.shape.as_list() == [3, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        vv = sess.run(v)
        np.testing.assert_allclose(vv.T @ vv, np.eye(4), atol=1e-5)
        assert np.abs(sess.run(u)).max() <= math.sqrt(6. / 3)
    assert any(op.name.startswith("u/Initializer/") for op in tf.get_default_graph().get_operations())


# -- namespaces ----------------------------------------------------------------------------------------
def test_tf1_namespace_names():
    assert tf.initializers.zeros is init_ops.Zeros
    assert tf.initializers.random_normal is init_ops.RandomNormal
    assert tf.initializers.random_normal().stddev == 1.0        # TF1 defaults
    assert tf.initializers.glorot_uniform is tf.glorot_uniform_initializer
    assert tf.initializers.variance_scaling is tf.variance_scaling_initializer
    assert tf.initializers.truncated_normal is tf.truncated_normal_initializer
    assert tf.initializers.uniform_unit_scaling is tf.uniform_unit_scaling_initializer
    v = tf.Variable(1.0, name="x")
    with tf.Session() as sess:
        sess.run(tf.initializers.local_variables())
        sess.run(tf.initializers.global_variables())
        assert sess.run(v) == 1.0


def test_keras_names_and_defaults():
    ns = initializers.keras_namespace()
    assert ns["RandomNormal"]().stddev == 0.05 and ns["normal"] is ns["RandomNormal"]
    u = ns["RandomUniform"]()
    assert (u.minval, u.maxval) == (-0.05, 0.05) and ns["uniform"] is ns["RandomUniform"]
    assert ns["TruncatedNormal"]().stddev == 0.05
    assert ns["glorot_uniform"] is init_ops.GlorotUniform and ns["zero"] is init_ops.Zeros
    assert isinstance(ns["RandomNormal"](), init_ops.RandomNormal)
    x = _run(ns["RandomUniform"]()([1000]))
    assert np.abs(x).max() <= 0.05


def test_keras_get_serialize_deserialize():
    he = initializers.get("he_normal")
    assert isinstance(he, init_ops.VarianceScaling) and he.scale == 2.0
    assert isinstance(initializers.get("zeros"), init_ops.Zeros)
    assert initializers.get(None) is None
    fn = lambda shape, dtype=None, partition_info=None: tf.zeros(shape)  # noqa: E731
    assert initializers.get(fn) is fn
    original = initializers.RandomNormal(stddev=0.3, seed=2)
    config = initializers.serialize(original)
    assert config == {"class_name": "RandomNormal", "config": {
        "mean": 0.0, "stddev": 0.3, "seed": 2, "dtype": "float32"}}
    clone = initializers.deserialize(config)
    assert type(clone) is initializers.RandomNormal and clone.get_config() == config["config"]
    vs = initializers.get(initializers.serialize(init_ops.VarianceScaling(3.0, "fan_avg")))
    assert (vs.scale, vs.mode) == (3.0, "fan_avg")
    with pytest.raises(ValueError, match="Unknown initializer: nope"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3)
