"""The Keras optimizers' fused update ops (tfone/keras/optimizer_ops.py): one step vs numpy
(Keras's formulas), in place, float32 kept, static shapes and errors."""
import numpy as np
import pytest

import tfone as tf
from tfone.keras import optimizer_ops as ops

OPS = {"ApplyKerasMomentum", "ApplyAdagradV2", "ApplyAdaMax", "ApplyAdamWithAmsgrad",
       "ApplyKerasRMSProp", "ApplyKerasCenteredRMSProp", "ApplyNadam"}
REFERENCE_CHECKED = set(OPS)
SHAPE_CHECKED = set(OPS)
GRADIENT_CHECKED = set()  # update ops have no gradient (NOT_DIFFERENTIABLE)

RNG = np.random.RandomState(7)
SHAPE = (3, 4)


def _signed(dtype=np.float64):
    return RNG.randn(*SHAPE).astype(dtype)


def _positive(dtype=np.float64):
    return (RNG.rand(*SHAPE) + 0.5).astype(dtype)


def _run_once(build, state, grad):
    variables = {k: tf.Variable(np.asarray(v), name=k) for k, v in state.items()}
    out = build(variables, tf.constant(grad))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        buffers = {k: sess._ctx.variables[k] for k in state}
        result = sess.run(out)
        for k in state:
            assert sess._ctx.variables[k] is buffers[k], "%s was not updated in place" % k
        new = sess.run({k: v for k, v in variables.items()})
    np.testing.assert_array_equal(result, new["var"])
    return new


@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_keras_momentum(nesterov):
    var, accum, grad = _signed(), _signed(), _signed()
    new = _run_once(lambda v, g: ops.apply_keras_momentum(v["var"], v["accum"], 0.5, g, 0.75,
                                                          use_nesterov=nesterov),
                    {"var": var, "accum": accum}, grad)
    accum_ref = 0.75 * accum - 0.5 * grad
    var_ref = var + (0.75 * accum_ref - 0.5 * grad if nesterov else accum_ref)
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var_ref, rtol=1e-12)


@pytest.mark.parametrize("update_slots", [True, False])
def test_apply_adagrad_v2(update_slots):
    var, accum, grad = _signed(), _positive(), _signed()
    new = _run_once(lambda v, g: ops.apply_adagrad_v2(v["var"], v["accum"], 0.5, 0.125, g,
                                                      update_slots=update_slots),
                    {"var": var, "accum": accum}, grad)
    accum_ref = accum + grad ** 2 if update_slots else accum
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - 0.5 * grad / (np.sqrt(accum_ref) + 0.125),
                               rtol=1e-12)


def test_apply_ada_max():
    var, m, v, grad = _signed(), _signed(), _positive(), _signed() * 3
    b1p, lr, b1, b2, eps = 0.75 ** 2, 0.5, 0.75, 0.875, 0.0625
    new = _run_once(lambda s, g: ops.apply_ada_max(s["var"], s["m"], s["v"], b1p, lr, b1, b2,
                                                   eps, g), {"var": var, "m": m, "v": v}, grad)
    m_ref = b1 * m + (1 - b1) * grad
    v_ref = np.maximum(b2 * v, np.abs(grad))
    np.testing.assert_allclose(new["m"], m_ref, rtol=1e-12)
    np.testing.assert_allclose(new["v"], v_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - lr / (1 - b1p) * m_ref / (v_ref + eps),
                               rtol=1e-12)


def test_apply_adam_with_amsgrad():
    var, m, v, grad = _signed(), _signed(), _positive(), _signed()
    vhat = _positive() * np.where(RNG.rand(*SHAPE) > 0.5, 3.0, 0.1)
    b1p, b2p, lr, b1, b2, eps = 0.75 ** 3, 0.875 ** 3, 0.5, 0.75, 0.875, 0.0625
    new = _run_once(lambda s, g: ops.apply_adam_with_amsgrad(
        s["var"], s["m"], s["v"], s["vhat"], b1p, b2p, lr, b1, b2, eps, g),
        {"var": var, "m": m, "v": v, "vhat": vhat}, grad)
    m_ref = b1 * m + (1 - b1) * grad
    v_ref = b2 * v + (1 - b2) * grad ** 2
    vhat_ref = np.maximum(vhat, v_ref)
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    np.testing.assert_allclose(new["vhat"], vhat_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - lr_t * m_ref / (np.sqrt(vhat_ref) + eps),
                               rtol=1e-12)


def test_apply_keras_rms_prop():
    var, ms, grad = _signed(), _positive(), _signed()
    new = _run_once(lambda s, g: ops.apply_keras_rms_prop(s["var"], s["ms"], 0.5, 0.75, 0.0625,
                                                          g), {"var": var, "ms": ms}, grad)
    ms_ref = 0.75 * ms + 0.25 * grad ** 2
    np.testing.assert_allclose(new["ms"], ms_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - 0.5 * grad / (np.sqrt(ms_ref) + 0.0625),
                               rtol=1e-12)


def test_apply_keras_centered_rms_prop():
    var, mg, ms, grad = _signed(), _signed() * 0.1, _positive() + 1, _signed()
    new = _run_once(lambda s, g: ops.apply_keras_centered_rms_prop(
        s["var"], s["mg"], s["ms"], 0.5, 0.75, 0.0625, g), {"var": var, "mg": mg, "ms": ms},
        grad)
    ms_ref = 0.75 * ms + 0.25 * grad ** 2
    mg_ref = 0.75 * mg + 0.25 * grad
    np.testing.assert_allclose(new["mg"], mg_ref, rtol=1e-12)
    np.testing.assert_allclose(
        new["var"], var - 0.5 * grad / (np.sqrt(ms_ref - mg_ref ** 2) + 0.0625), rtol=1e-12)


def test_apply_nadam():
    var, m, v, grad = _signed(), _signed(), _positive(), _signed()
    lr, b1, b2, eps, mu_t, mu_t1, sched, sched_next, b2p = (
        0.5, 0.75, 0.875, 0.0625, 0.7, 0.72, 0.6, 0.43, 0.875 ** 2)
    new = _run_once(lambda s, g: ops.apply_nadam(
        s["var"], s["m"], s["v"], lr, b1, b2, eps, mu_t, mu_t1, sched, sched_next, b2p, g),
        {"var": var, "m": m, "v": v}, grad)
    m_ref = b1 * m + (1 - b1) * grad
    v_ref = b2 * v + (1 - b2) * grad ** 2
    m_bar = (1 - mu_t) * grad / (1 - sched) + mu_t1 * m_ref / (1 - sched_next)
    np.testing.assert_allclose(new["m"], m_ref, rtol=1e-12)
    np.testing.assert_allclose(new["v"], v_ref, rtol=1e-12)
    np.testing.assert_allclose(
        new["var"], var - lr * m_bar / (np.sqrt(v_ref / (1 - b2p)) + eps), rtol=1e-12)


def test_float32_stays_float32():
    var = tf.Variable(np.ones(SHAPE, np.float32), name="var")
    accum = tf.Variable(np.ones(SHAPE, np.float32), name="accum")
    out = ops.apply_adagrad_v2(var, accum, 0.5, 1e-7, tf.constant(np.ones(SHAPE, np.float32)))
    assert out.dtype == tf.float32
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(out).dtype == np.float32


# -- static shapes and errors ---------------------------------------------------------------------------
def _build(op_type, var_shape=(2, 3), grad_shape=(2, 3), lr=0.1, validate_shape=True):
    def var(name):
        return tf.Variable(tf.zeros(var_shape), name=name, validate_shape=validate_shape)
    grad = tf.placeholder(tf.float32, grad_shape)
    if op_type == "ApplyKerasMomentum":
        return ops.apply_keras_momentum(var("v"), var("a"), lr, grad, 0.9)
    if op_type == "ApplyAdagradV2":
        return ops.apply_adagrad_v2(var("v"), var("a"), lr, 1e-7, grad)
    if op_type == "ApplyAdaMax":
        return ops.apply_ada_max(var("v"), var("m"), var("s"), 0.9, lr, 0.9, 0.99, 1e-7, grad)
    if op_type == "ApplyAdamWithAmsgrad":
        return ops.apply_adam_with_amsgrad(var("v"), var("m"), var("s"), var("h"), 0.9, 0.99,
                                           lr, 0.9, 0.99, 1e-7, grad)
    if op_type == "ApplyKerasRMSProp":
        return ops.apply_keras_rms_prop(var("v"), var("ms"), lr, 0.9, 1e-7, grad)
    if op_type == "ApplyKerasCenteredRMSProp":
        return ops.apply_keras_centered_rms_prop(var("v"), var("mg"), var("ms"), lr, 0.9, 1e-7,
                                                 grad)
    return ops.apply_nadam(var("v"), var("m"), var("s"), lr, 0.9, 0.99, 1e-7, 0.9, 0.9, 0.8,
                           0.7, 0.99, grad)


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_static_shapes(op_type):
    out = _build(op_type)
    assert out.op.type == op_type and out.shape.as_list() == [2, 3] and out.dtype == tf.float32
    tf.reset_default_graph()
    assert _build(op_type, grad_shape=(None, 3)).shape.as_list() == [2, 3]
    tf.reset_default_graph()
    assert _build(op_type, grad_shape=None, validate_shape=False).shape.ndims is None


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_shape_errors(op_type):
    with pytest.raises(ValueError, match="same shape"):
        _build(op_type, grad_shape=(3, 2))
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="must be a scalar"):
        _build(op_type, lr=np.ones(2, np.float32))


def test_update_ops_have_no_gradient():
    from tfone.framework.op_registry import NOT_DIFFERENTIABLE
    for op_type in OPS:
        assert tf.registered_ops()[op_type].gradient is NOT_DIFFERENTIABLE
        assert tf.registered_ops()[op_type].family == "training"
