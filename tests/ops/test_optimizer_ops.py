"""The Keras optimizers' fused update ops (tfone/keras/optimizer_ops.py): one step vs numpy
(Keras's formulas), in place, float32 kept, static shapes and errors; the row (sparse)
variants vs the dense ops on the gathered rows."""
import numpy as np
import pytest

import tfone as tf
from tfone.keras import optimizer_ops as ops
from tests.ops.test_training_ops import _run_once

OPS = {"ApplyKerasMomentum", "ApplyAdagradV2", "ApplyAdaMax", "ApplyAdamWithAmsgrad",
       "ApplyKerasRMSProp", "ApplyKerasCenteredRMSProp", "ApplyNadam"}
SPARSE_OPS = {"SparseApplyKerasMomentum", "SparseApplyAdagradV2", "SparseApplyAdaMax",
              "SparseApplyNadam"}
REFERENCE_CHECKED = set(OPS) | SPARSE_OPS
SHAPE_CHECKED = set(OPS) | SPARSE_OPS
GRADIENT_CHECKED = set()  # update ops have no gradient (NOT_DIFFERENTIABLE)

RNG = np.random.RandomState(7)
SHAPE = (3, 4)


def _signed(dtype=np.float64):
    return RNG.randn(*SHAPE).astype(dtype)


def _positive(dtype=np.float64):
    return (RNG.rand(*SHAPE) + 0.5).astype(dtype)


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


# -- static shapes and errors ----------------------------------------------------------------------
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
    for op_type in OPS | SPARSE_OPS:
        assert tf.registered_ops()[op_type].gradient is NOT_DIFFERENTIABLE
        assert tf.registered_ops()[op_type].family == "training"


# -- sparse (row) variants -------------------------------------------------------------------------
NADAM = (0.5, 0.75, 0.875, 0.0625, 0.7, 0.72, 0.6, 0.43, 0.875 ** 2)
_SPARSE = {
    "SparseApplyKerasMomentum": (["accum"], lambda v, g, i: ops.sparse_apply_keras_momentum(
        v["var"], v["accum"], 0.5, g, i, 0.75, use_nesterov=True),
        lambda v, g: ops.apply_keras_momentum(v["var"], v["accum"], 0.5, g, 0.75,
                                              use_nesterov=True)),
    "SparseApplyAdagradV2": (["accum"], lambda v, g, i: ops.sparse_apply_adagrad_v2(
        v["var"], v["accum"], 0.5, 0.0625, g, i),
        lambda v, g: ops.apply_adagrad_v2(v["var"], v["accum"], 0.5, 0.0625, g)),
    "SparseApplyAdaMax": (["m", "v"], lambda s, g, i: ops.sparse_apply_ada_max(
        s["var"], s["m"], s["v"], 0.5, 0.25, 0.75, 0.875, 0.0625, g, i),
        lambda s, g: ops.apply_ada_max(s["var"], s["m"], s["v"], 0.5, 0.25, 0.75, 0.875,
                                       0.0625, g)),
    "SparseApplyNadam": (["m", "v"], lambda s, g, i: ops.sparse_apply_nadam(
        s["var"], s["m"], s["v"], *NADAM, g, i),
        lambda s, g: ops.apply_nadam(s["var"], s["m"], s["v"], *NADAM, g)),
}


def _lookup_gradient():
    """A dense gradient as a lookup of rows [2, 0, 2] gives: rows 0 and 2 set, row 1 zero."""
    grad = _signed()
    grad[1] = 0
    return grad, np.array([2, 0, 2], np.int32)


@pytest.mark.parametrize("op_type", sorted(SPARSE_OPS - {"SparseApplyNadam"}))
def test_sparse_apply_updates_only_the_gathered_rows(op_type):
    slots, sparse, dense = _SPARSE[op_type]
    state = {"var": _signed()}
    state.update({k: _positive() for k in slots})
    grad, indices = _lookup_gradient()
    new = _run_once(lambda v, g: sparse(v, g, tf.constant(indices)), state, grad)
    assert op_type in {op.type for op in tf.get_default_graph().get_operations()}
    tf.reset_default_graph()
    rows = [0, 2]
    expected = _run_once(dense, {k: v[rows] for k, v in state.items()}, grad[rows])
    for k in state:
        np.testing.assert_allclose(new[k][rows], expected[k], rtol=1e-12, err_msg=k)
        np.testing.assert_array_equal(new[k][1], state[k][1], err_msg=k)


def test_sparse_apply_nadam_decays_the_slots_everywhere_and_moves_gathered_rows():
    # Keras's Nadam._resource_apply_sparse: m, v = beta * (m, v) everywhere plus the scattered
    # gradient terms; var changes only in the looked-up rows.
    state = {"var": _signed(), "m": _signed(), "v": _positive()}
    grad, indices = _lookup_gradient()
    new = _run_once(lambda s, g: ops.sparse_apply_nadam(s["var"], s["m"], s["v"], *NADAM, g,
                                                        tf.constant(indices)), state, grad)
    tf.reset_default_graph()
    dense = _run_once(lambda s, g: ops.apply_nadam(s["var"], s["m"], s["v"], *NADAM, g),
                      state, grad)
    np.testing.assert_array_equal(new["m"], dense["m"])
    np.testing.assert_array_equal(new["v"], dense["v"])
    np.testing.assert_allclose(new["m"][1], 0.75 * state["m"][1], rtol=1e-12)
    np.testing.assert_array_equal(new["var"][[0, 2]], dense["var"][[0, 2]])
    np.testing.assert_array_equal(new["var"][1], state["var"][1])
    assert not np.allclose(dense["var"][1], state["var"][1])   # the dense op would move it


@pytest.mark.parametrize("op_type", sorted(SPARSE_OPS))
def test_sparse_apply_static_shapes_and_errors(op_type):
    slots, sparse, _ = _SPARSE[op_type]
    variables = {k: tf.Variable(tf.zeros([3, 4]), name=k) for k in ["var"] + slots}
    grad = tf.placeholder(tf.float32, [None, 4])
    out = sparse(variables, grad, tf.placeholder(tf.int64, [None]))
    assert out.op.type == op_type and out.shape.as_list() == [3, 4] and out.dtype == tf.float32
    assert tf.gradients(out, grad) == [None]
    with pytest.raises(ValueError, match="same shape"):
        sparse(variables, tf.ones([4, 3]), tf.constant([0]))
    with pytest.raises(ValueError, match="vector"):
        sparse(variables, tf.ones([3, 4]), tf.constant([[0]]))
    bad = sparse(variables, tf.ones([3, 4]), tf.constant([0, 3]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="index 3 is not in"):
            sess.run(bad)
