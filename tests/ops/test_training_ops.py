"""The fused optimizer update ops (tfone/train/training_ops.py): one step vs numpy, in place,
static shapes and errors. Multi-step optimizer behaviour is in tests/train/test_optimizers.py."""
import numpy as np
import pytest

import tfone as tf
from tfone.train import training_ops

OPS = {"ApplyGradientDescent", "ApplyMomentum", "ApplyAdam", "ApplyRMSProp",
       "ApplyCenteredRMSProp", "ApplyAdagrad", "ApplyAdadelta", "ApplyFtrl", "ApplyFtrlV2"}
SPARSE_OPS = {"SparseApplyMomentum", "SparseApplyRMSProp", "SparseApplyCenteredRMSProp",
              "SparseApplyAdagrad", "SparseApplyAdadelta", "SparseApplyFtrl",
              "SparseApplyFtrlV2"}
REFERENCE_CHECKED = set(OPS) | SPARSE_OPS
SHAPE_CHECKED = set(OPS) | SPARSE_OPS
GRADIENT_CHECKED = set()  # update ops have no gradient (NOT_DIFFERENTIABLE)

RNG = np.random.RandomState(42)
SHAPE = (3, 4)


def _var(name, value):
    return tf.Variable(np.asarray(value), name=name)


def _positive(dtype=np.float64):
    return (RNG.rand(*SHAPE) + 0.5).astype(dtype)


def _signed(dtype=np.float64):
    return RNG.randn(*SHAPE).astype(dtype)


def _run_once(build, state, grad):
    """Build the op on variables holding ``state`` (dict name -> array), run it once, return
    the new state and check the buffers were updated in place."""
    variables = {k: _var(k, v) for k, v in state.items()}
    g = tf.constant(grad)
    out = build(variables, g)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        buffers = {k: sess._ctx.variables[k] for k in state}
        result = sess.run(out)
        for k in state:
            assert sess._ctx.variables[k] is buffers[k], "%s was not updated in place" % k
        new = sess.run({k: v for k, v in variables.items()})
    np.testing.assert_array_equal(result, new["var"])
    return new


def test_apply_gradient_descent():
    var, grad = _signed(), _signed()
    new = _run_once(lambda v, g: training_ops.apply_gradient_descent(v["var"], 0.25, g),
                    {"var": var}, grad)
    np.testing.assert_allclose(new["var"], var - 0.25 * grad, rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_momentum(nesterov):
    var, accum, grad = _signed(), _signed(), _signed()
    new = _run_once(lambda v, g: training_ops.apply_momentum(
        v["var"], v["accum"], 0.5, g, 0.75, use_nesterov=nesterov),
        {"var": var, "accum": accum}, grad)
    accum_ref = 0.75 * accum + grad
    step = 0.5 * grad + 0.5 * 0.75 * accum_ref if nesterov else 0.5 * accum_ref
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - step, rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_adam(nesterov):
    var, m, v, grad = _signed(), _signed(), _positive(), _signed()
    b1p, b2p, lr, b1, b2, eps = 0.75 ** 3, 0.875 ** 3, 0.5, 0.75, 0.875, 0.0625
    new = _run_once(lambda s, g: training_ops.apply_adam(
        s["var"], s["m"], s["v"], b1p, b2p, lr, b1, b2, eps, g, use_nesterov=nesterov),
        {"var": var, "m": m, "v": v}, grad)
    m_ref = b1 * m + (1 - b1) * grad
    v_ref = b2 * v + (1 - b2) * grad ** 2
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    numerator = (b1 * m_ref + (1 - b1) * grad) if nesterov else m_ref
    np.testing.assert_allclose(new["m"], m_ref, rtol=1e-12)
    np.testing.assert_allclose(new["v"], v_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - lr_t * numerator / (np.sqrt(v_ref) + eps),
                               rtol=1e-12)


def test_apply_rms_prop():
    var, ms, mom, grad = _signed(), _positive(), _signed(), _signed()
    new = _run_once(lambda s, g: training_ops.apply_rms_prop(
        s["var"], s["ms"], s["mom"], 0.5, 0.75, 0.25, 0.125, g),
        {"var": var, "ms": ms, "mom": mom}, grad)
    ms_ref = 0.75 * ms + 0.25 * grad ** 2
    mom_ref = 0.25 * mom + 0.5 * grad / np.sqrt(ms_ref + 0.125)
    np.testing.assert_allclose(new["ms"], ms_ref, rtol=1e-12)
    np.testing.assert_allclose(new["mom"], mom_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - mom_ref, rtol=1e-12)


def test_apply_centered_rms_prop():
    var, mg, ms, mom, grad = _signed(), 0.1 * _signed(), _positive(), _signed(), _signed()
    new = _run_once(lambda s, g: training_ops.apply_centered_rms_prop(
        s["var"], s["mg"], s["ms"], s["mom"], 0.5, 0.75, 0.25, 0.125, g),
        {"var": var, "mg": mg, "ms": ms, "mom": mom}, grad)
    ms_ref = 0.75 * ms + 0.25 * grad ** 2
    mg_ref = 0.75 * mg + 0.25 * grad
    mom_ref = 0.25 * mom + 0.5 * grad / np.sqrt(ms_ref - mg_ref ** 2 + 0.125)
    for key, ref in (("ms", ms_ref), ("mg", mg_ref), ("mom", mom_ref), ("var", var - mom_ref)):
        np.testing.assert_allclose(new[key], ref, rtol=1e-12)


@pytest.mark.parametrize("update_slots", [True, False])
def test_apply_adagrad(update_slots):
    var, accum, grad = _signed(), _positive(), _signed()
    new = _run_once(lambda s, g: training_ops.apply_adagrad(
        s["var"], s["accum"], 0.5, g, update_slots=update_slots),
        {"var": var, "accum": accum}, grad)
    accum_ref = accum + grad ** 2 if update_slots else accum
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - 0.5 * grad / np.sqrt(accum_ref), rtol=1e-12)


def test_apply_adadelta():
    var, accum, accum_update, grad = _signed(), _positive(), _positive(), _signed()
    lr, rho, eps = 0.5, 0.75, 0.125
    new = _run_once(lambda s, g: training_ops.apply_adadelta(
        s["var"], s["accum"], s["accum_update"], lr, rho, eps, g),
        {"var": var, "accum": accum, "accum_update": accum_update}, grad)
    accum_ref = rho * accum + (1 - rho) * grad ** 2
    update = np.sqrt(accum_update + eps) / np.sqrt(accum_ref + eps) * grad
    update_ref = rho * accum_update + (1 - rho) * update ** 2
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["accum_update"], update_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var - lr * update, rtol=1e-12)


def _ftrl_reference(var, accum, linear, grad, lr, l1, l2, power, shrinkage=0.0):
    """FTRL-proximal, McMahan et al. 2013 (Algorithm 1) with TF1's l2/shrinkage terms."""
    new_accum = accum + grad ** 2
    sigma = (new_accum ** -power - accum ** -power) / lr
    linear = linear + grad + 2 * shrinkage * var - sigma * var
    quadratic = new_accum ** -power / lr + 2 * l2
    var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
    return var, new_accum, linear


@pytest.mark.parametrize("power", [-0.5, -0.25, 0.0])
def test_apply_ftrl(power):
    var, accum, linear, grad = _signed(), _positive(), _signed(), _signed()
    new = _run_once(lambda s, g: training_ops.apply_ftrl(
        s["var"], s["accum"], s["linear"], g, 0.5, 0.75, 0.25, power),
        {"var": var, "accum": accum, "linear": linear}, grad)
    var_ref, accum_ref, linear_ref = _ftrl_reference(var, accum, linear, grad, 0.5, 0.75, 0.25,
                                                     power)
    assert (var_ref == 0).any() and (var_ref != 0).any()   # both branches of the l1 threshold
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["linear"], linear_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var_ref, rtol=1e-12, atol=1e-15)


def test_apply_ftrl_v2_shrinkage():
    var, accum, linear, grad = _signed(), _positive(), _signed(), _signed()
    new = _run_once(lambda s, g: training_ops.apply_ftrl_v2(
        s["var"], s["accum"], s["linear"], g, 0.5, 0.5, 0.25, 0.125, -0.5),
        {"var": var, "accum": accum, "linear": linear}, grad)
    var_ref, accum_ref, linear_ref = _ftrl_reference(var, accum, linear, grad, 0.5, 0.5, 0.25,
                                                     -0.5, shrinkage=0.125)
    np.testing.assert_allclose(new["accum"], accum_ref, rtol=1e-12)
    np.testing.assert_allclose(new["linear"], linear_ref, rtol=1e-12)
    np.testing.assert_allclose(new["var"], var_ref, rtol=1e-12, atol=1e-15)


def test_float32_stays_float32_in_place():
    var = _var("w", _signed(np.float32))
    accum = _var("a", _positive(np.float32))
    op = training_ops.apply_adagrad(var, accum, tf.constant(0.5), tf.constant(_signed(np.float32)))
    assert op.dtype == tf.float32
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            out = sess.run(op)
        assert out.dtype == np.float32
        assert sess.run(var).dtype == np.float32 and sess.run(accum).dtype == np.float32


# -- static shapes and errors ----------------------------------------------------------------------
def _builders(var, slot, slot2, slot3, grad, lr):
    return {
        "ApplyGradientDescent": lambda: training_ops.apply_gradient_descent(var, lr, grad),
        "ApplyMomentum": lambda: training_ops.apply_momentum(var, slot, lr, grad, 0.5),
        "ApplyAdam": lambda: training_ops.apply_adam(var, slot, slot2, 0.5, 0.5, lr, 0.5, 0.5,
                                                     0.5, grad),
        "ApplyRMSProp": lambda: training_ops.apply_rms_prop(var, slot, slot2, lr, 0.5, 0.5, 0.5,
                                                            grad),
        "ApplyCenteredRMSProp": lambda: training_ops.apply_centered_rms_prop(
            var, slot, slot2, slot3, lr, 0.5, 0.5, 0.5, grad),
        "ApplyAdagrad": lambda: training_ops.apply_adagrad(var, slot, lr, grad),
        "ApplyAdadelta": lambda: training_ops.apply_adadelta(var, slot, slot2, lr, 0.5, 0.5, grad),
        "ApplyFtrl": lambda: training_ops.apply_ftrl(var, slot, slot2, grad, lr, 0.5, 0.5, -0.5),
        "ApplyFtrlV2": lambda: training_ops.apply_ftrl_v2(var, slot, slot2, grad, lr, 0.5, 0.5,
                                                          0.5, -0.5),
    }


def _three_vars(shape=(2, 3), validate_shape=True):
    return [tf.Variable(tf.zeros(shape), name="s%d" % i, validate_shape=validate_shape)
            for i in range(4)]


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_static_shape_known(op_type):
    var, s1, s2, s3 = _three_vars()
    out = _builders(var, s1, s2, s3, tf.ones([2, 3]), 0.5)[op_type]()
    assert out.op.type == op_type
    assert out.shape.as_list() == [2, 3] and out.dtype == tf.float32


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_static_shape_partially_known_gradient(op_type):
    var, s1, s2, s3 = _three_vars()
    grad = tf.placeholder(tf.float32, [None, 3])
    out = _builders(var, s1, s2, s3, grad, 0.5)[op_type]()
    assert out.shape.as_list() == [2, 3]


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_static_shape_unknown_variable_shape(op_type):
    var, s1, s2, s3 = _three_vars(validate_shape=False)
    out = _builders(var, s1, s2, s3, tf.placeholder(tf.float32), 0.5)[op_type]()
    assert out.shape.ndims is None


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_incompatible_gradient_shape_is_rejected(op_type):
    var, s1, s2, s3 = _three_vars()
    with pytest.raises(ValueError, match="do not have the same shape"):
        _builders(var, s1, s2, s3, tf.ones([3, 2]), 0.5)[op_type]()


@pytest.mark.parametrize("op_type", sorted(OPS))
def test_non_scalar_learning_rate_is_rejected(op_type):
    var, s1, s2, s3 = _three_vars()
    with pytest.raises(ValueError, match="must be a scalar"):
        _builders(var, s1, s2, s3, tf.ones([2, 3]), tf.ones([2]))[op_type]()


def test_ref_inputs_must_be_variables():
    with pytest.raises(TypeError, match="must be a variable"):
        training_ops.apply_gradient_descent(tf.zeros([2]), 0.5, tf.ones([2]))


def test_run_time_shape_checks_when_static_shapes_are_unknown():
    var = tf.Variable(tf.zeros([2]), name="w", validate_shape=False)
    grad = tf.placeholder(tf.float32)
    lr = tf.placeholder(tf.float32)
    op = training_ops.apply_gradient_descent(var, lr, grad)
    with tf.Session() as sess:
        sess.run(var.initializer)
        sess.run(op, {grad: [1.0, 1.0], lr: 0.5})
        np.testing.assert_array_equal(sess.run(var), [-0.5, -0.5])
        with pytest.raises(tf.errors.InvalidArgumentError, match="same shape"):
            sess.run(op, {grad: [1.0, 1.0, 1.0], lr: 0.5})
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a scalar"):
            sess.run(op, {grad: [1.0, 1.0], lr: [0.5, 0.5]})


def test_uninitialized_variable_is_reported():
    var = tf.Variable(tf.zeros([2]), name="cold")
    op = training_ops.apply_gradient_descent(var, 0.5, tf.ones([2]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value cold"):
            sess.run(op)


def test_use_locking_gives_the_same_result():
    var = tf.Variable(tf.ones([3]), name="w")
    op = training_ops.apply_gradient_descent(var, 0.5, tf.ones([3]), use_locking=True)
    with tf.Session() as sess:
        sess.run(var.initializer)
        sess.run(op)
        np.testing.assert_array_equal(sess.run(var), [0.5, 0.5, 0.5])


def test_update_ops_have_no_gradient():
    var = tf.Variable(tf.ones([3]), name="w")
    x = tf.placeholder(tf.float32, [3])
    op = training_ops.apply_gradient_descent(var, 0.5, x)
    assert tf.gradients(op, x) == [None]


# -- sparse (row) variants -------------------------------------------------------------------------
# Each SparseApply* op must equal its dense op applied to the unique gathered rows, and leave
# every other row of the variable and of its slots untouched (TF1's sparse kernels).
_SPARSE = {
    "SparseApplyMomentum": (["accum"], lambda v, g, i: training_ops.sparse_apply_momentum(
        v["var"], v["accum"], 0.5, g, i, 0.75, use_nesterov=True),
        lambda v, g: training_ops.apply_momentum(v["var"], v["accum"], 0.5, g, 0.75,
                                                 use_nesterov=True)),
    "SparseApplyRMSProp": (["ms", "mom"], lambda v, g, i: training_ops.sparse_apply_rms_prop(
        v["var"], v["ms"], v["mom"], 0.1, 0.9, 0.5, 1e-3, g, i),
        lambda v, g: training_ops.apply_rms_prop(v["var"], v["ms"], v["mom"], 0.1, 0.9, 0.5,
                                                 1e-3, g)),
    "SparseApplyCenteredRMSProp": (
        ["mg", "ms", "mom"], lambda v, g, i: training_ops.sparse_apply_centered_rms_prop(
            v["var"], v["mg"], v["ms"], v["mom"], 0.1, 0.9, 0.5, 1e-3, g, i),
        lambda v, g: training_ops.apply_centered_rms_prop(v["var"], v["mg"], v["ms"], v["mom"],
                                                          0.1, 0.9, 0.5, 1e-3, g)),
    "SparseApplyAdagrad": (["accum"], lambda v, g, i: training_ops.sparse_apply_adagrad(
        v["var"], v["accum"], 0.5, g, i),
        lambda v, g: training_ops.apply_adagrad(v["var"], v["accum"], 0.5, g)),
    "SparseApplyAdadelta": (
        ["accum", "accum_update"], lambda v, g, i: training_ops.sparse_apply_adadelta(
            v["var"], v["accum"], v["accum_update"], 1.0, 0.9, 1e-3, g, i),
        lambda v, g: training_ops.apply_adadelta(v["var"], v["accum"], v["accum_update"], 1.0,
                                                 0.9, 1e-3, g)),
    "SparseApplyFtrl": (["accum", "linear"], lambda v, g, i: training_ops.sparse_apply_ftrl(
        v["var"], v["accum"], v["linear"], g, i, 0.5, 0.1, 0.2, -0.5),
        lambda v, g: training_ops.apply_ftrl(v["var"], v["accum"], v["linear"], g, 0.5, 0.1,
                                             0.2, -0.5)),
    "SparseApplyFtrlV2": (["accum", "linear"], lambda v, g, i: training_ops.sparse_apply_ftrl_v2(
        v["var"], v["accum"], v["linear"], g, i, 0.5, 0.1, 0.2, 0.3, -0.5),
        lambda v, g: training_ops.apply_ftrl_v2(v["var"], v["accum"], v["linear"], g, 0.5, 0.1,
                                                0.2, 0.3, -0.5)),
}


@pytest.mark.parametrize("op_type", sorted(SPARSE_OPS))
def test_sparse_apply_updates_only_the_gathered_rows(op_type):
    slots, sparse, dense = _SPARSE[op_type]
    state = {"var": _signed()}
    state.update({k: _positive() for k in slots})
    grad = _signed()
    indices = np.array([2, 0, 2], np.int32)         # duplicates allowed; row 1 untouched
    new = _run_once(lambda v, g: sparse(v, g, tf.constant(indices)), state, grad)
    assert op_type in {op.type for op in tf.get_default_graph().get_operations()}
    # reference: the dense op on rows [0, 2] only
    tf.reset_default_graph()
    rows = [0, 2]
    sub = {k: v[rows] for k, v in state.items()}
    expected = _run_once(lambda v, g: dense(v, g), sub, grad[rows])
    for k in state:
        np.testing.assert_allclose(new[k][rows], expected[k], rtol=1e-12, err_msg=k)
        np.testing.assert_array_equal(new[k][1], state[k][1], err_msg=k)


@pytest.mark.parametrize("op_type", sorted(SPARSE_OPS))
def test_sparse_apply_static_shapes_and_errors(op_type):
    slots, sparse, _ = _SPARSE[op_type]
    variables = {k: tf.Variable(tf.zeros([3, 4]), name=k) for k in ["var"] + slots}
    grad = tf.placeholder(tf.float32, [None, 4])
    out = sparse(variables, grad, tf.placeholder(tf.int64, [None]))
    assert out.op.type == op_type and out.shape.as_list() == [3, 4] and out.dtype == tf.float32
    assert tf.gradients(out, grad) == [None]          # update ops have no gradient
    with pytest.raises(ValueError, match="same shape"):
        sparse(variables, tf.ones([4, 3]), tf.constant([0]))
    with pytest.raises(ValueError, match="vector"):
        sparse(variables, tf.ones([3, 4]), tf.constant([[0]]))
    bad = sparse(variables, tf.ones([3, 4]), tf.constant([0, 3]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="index 3 is not in"):
            sess.run(bad)
