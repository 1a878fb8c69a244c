"""Learning-rate schedules and the global step."""
import math

import numpy as np
import pytest

import tfone as tf

STEPS = [0, 1, 5, 9, 10, 11, 19, 20, 25, 40]


def _values(build, steps=STEPS, dtype=tf.int64):
    """The schedule's value at each global step (the step is fed)."""
    step = tf.placeholder(dtype, [], name="step")
    lr = build(step)
    with tf.Session() as sess:
        return lr, [float(sess.run(lr, {step: s})) for s in steps]


def test_exponential_decay():
    lr, got = _values(lambda s: tf.train.exponential_decay(0.5, s, 10, 0.25))
    assert lr.name == "ExponentialDecay:0" and lr.dtype == tf.float32
    np.testing.assert_allclose(got, [0.5 * 0.25 ** (s / 10) for s in STEPS], rtol=1e-6)
    _, got = _values(lambda s: tf.train.exponential_decay(0.5, s, 10, 0.25, staircase=True))
    np.testing.assert_allclose(got, [0.5 * 0.25 ** (s // 10) for s in STEPS], rtol=1e-6)


def test_inverse_time_and_natural_exp_decay():
    _, got = _values(lambda s: tf.train.inverse_time_decay(0.5, s, 10, 2.0))
    np.testing.assert_allclose(got, [0.5 / (1 + 2.0 * s / 10) for s in STEPS], rtol=1e-6)
    _, got = _values(lambda s: tf.train.inverse_time_decay(0.5, s, 10, 2.0, staircase=True))
    np.testing.assert_allclose(got, [0.5 / (1 + 2.0 * (s // 10)) for s in STEPS], rtol=1e-6)
    _, got = _values(lambda s: tf.train.natural_exp_decay(0.5, s, 10, 0.5))
    np.testing.assert_allclose(got, [0.5 * math.exp(-0.5 * s / 10) for s in STEPS], rtol=1e-6)
    _, got = _values(lambda s: tf.train.natural_exp_decay(0.5, s, 10, 0.5, staircase=True))
    np.testing.assert_allclose(got, [0.5 * math.exp(-0.5 * (s // 10)) for s in STEPS], rtol=1e-6)


def _polynomial(s, lr, decay_steps, end, power, cycle):
    if cycle:
        decay_steps = decay_steps * max(1.0, math.ceil(s / decay_steps))
    else:
        s = min(s, decay_steps)
    return (lr - end) * (1 - s / decay_steps) ** power + end


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay(power, cycle):
    lr, got = _values(lambda s: tf.train.polynomial_decay(0.5, s, 10, 0.01, power=power,
                                                          cycle=cycle))
    assert lr.name == "PolynomialDecay:0"
    np.testing.assert_allclose(got, [_polynomial(s, 0.5, 10, 0.01, power, cycle) for s in STEPS],
                               rtol=1e-5)


def test_cosine_decay():
    lr, got = _values(lambda s: tf.train.cosine_decay(0.5, s, 20, alpha=0.1))
    assert lr.name == "CosineDecay:0"
    expected = [0.5 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.1)
                for s in STEPS]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_piecewise_constant():
    lr, got = _values(lambda s: tf.train.piecewise_constant(s, [5, 10, 20], [1.0, 0.5, 0.1,
                                                                             0.01]))
    assert lr.name == "PiecewiseConstant:0"
    expected = [1.0 if s <= 5 else 0.5 if s <= 10 else 0.1 if s <= 20 else 0.01 for s in STEPS]
    np.testing.assert_allclose(got, expected, rtol=1e-7)


def test_piecewise_constant_dtypes():
    # int32 boundaries promote to an int64 step; float steps need float boundaries.
    _, got = _values(lambda s: tf.train.piecewise_constant(s, [3], [7, 9]), steps=[2, 3, 4])
    assert got == [7, 7, 9]
    with pytest.raises(ValueError, match="same dtype as x"):
        tf.train.piecewise_constant(tf.constant(1.0), [1], [0.1, 0.2])
    with pytest.raises(ValueError, match="all with the same dtype"):
        tf.train.piecewise_constant(tf.constant(1), [1], [0.1, 2])
    with pytest.raises(ValueError, match="1 less than the length of values"):
        tf.train.piecewise_constant(tf.constant(1), [1, 2], [0.1, 0.2])


def test_schedules_need_a_global_step():
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.exponential_decay(0.1, None, 10, 0.5)


def test_float64_learning_rate_keeps_its_dtype():
    lr, got = _values(lambda s: tf.train.exponential_decay(tf.constant(0.5, tf.float64), s, 10,
                                                           0.5), steps=[10])
    assert lr.dtype == tf.float64 and got == [0.25]


# -- global step -----------------------------------------------------------------------------------
def test_global_step_creation_and_lookup():
    assert tf.train.get_global_step() is None
    step = tf.train.get_or_create_global_step()
    assert step.name == "global_step:0" and step.dtype == tf.int64
    assert step.shape.as_list() == [] and not step.trainable
    assert step in tf.global_variables()
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
    assert tf.train.get_global_step() is step
    assert tf.train.get_or_create_global_step() is step
    with pytest.raises(ValueError, match="already exists"):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert tf.train.global_step(sess, step) == 0
        sess.run(tf.assign_add(step, 5))
        assert tf.train.global_step(sess, step) == 5


def test_global_step_found_by_name_and_checked():
    tf.Variable(0, name="global_step", trainable=False)
    assert tf.train.get_global_step().name == "global_step:0"
    tf.reset_default_graph()
    tf.Variable(0.0, name="global_step")
    with pytest.raises(TypeError, match="integer type"):
        tf.train.get_global_step()


def test_global_step_in_another_graph():
    graph = tf.Graph()
    step = tf.train.create_global_step(graph)
    assert step.graph is graph and tf.train.get_global_step(graph) is step
    assert tf.train.get_global_step() is None


def _sgdr(step, lr, first, t_mul, m_mul, alpha):
    """Walk the restart periods one by one (independent of the closed form tfone uses)."""
    start, period, i = 0.0, float(first), 0
    while step >= start + period:
        start, period, i = start + period, period * t_mul, i + 1
    cosine = 0.5 * m_mul ** i * (1 + math.cos(math.pi * (step - start) / period))
    return lr * ((1 - alpha) * cosine + alpha)


@pytest.mark.parametrize("t_mul,m_mul", [(2.0, 1.0), (1.0, 0.5), (1.5, 0.75)])
def test_cosine_decay_restarts(t_mul, m_mul):
    steps = [0, 3, 9, 12, 14, 25, 29, 31, 50, 69, 75]   # away from the restart boundaries
    lr, got = _values(lambda s: tf.train.cosine_decay_restarts(0.5, s, 10, t_mul=t_mul,
                                                               m_mul=m_mul, alpha=0.1),
                      steps=steps)
    assert lr.name == "SGDRDecay:0"
    np.testing.assert_allclose(got, [_sgdr(s, 0.5, 10, t_mul, m_mul, 0.1) for s in steps],
                               rtol=1e-4, atol=1e-6)


def test_cosine_decay_restarts_with_tensor_t_mul():
    steps = [0, 12, 25, 31]
    _, got = _values(lambda s: tf.train.cosine_decay_restarts(0.5, s, 10, t_mul=tf.constant(2.0)),
                     steps=steps)
    np.testing.assert_allclose(got, [_sgdr(s, 0.5, 10, 2.0, 1.0, 0.0) for s in steps],
                               rtol=1e-4, atol=1e-6)


def test_linear_cosine_decay_and_alias():
    lr, got = _values(lambda s: tf.train.linear_cosine_decay(0.5, s, 20, num_periods=2.0,
                                                             alpha=0.1, beta=0.01))
    assert lr.name == "LinearCosineDecay:0"
    expected = []
    for s in STEPS:
        t = min(s, 20) / 20
        expected.append(0.5 * ((0.1 + 1 - t) * 0.5 * (1 + math.cos(2 * math.pi * 2.0 * t)) + 0.01))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    assert tf.train.piecewise_constant_decay is tf.train.piecewise_constant
