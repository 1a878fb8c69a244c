"""tf.nn ops: numpy references, static shapes, float64 gradient checks (incl. second order)."""
import numpy as np
import pytest

import tfone as tf
from tfone.framework.op_registry import apply_op
from tfone.test import check_gradients

RNG = np.random.RandomState(3)

SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _batchless(array):
    return tf.placeholder(tf.as_dtype(array.dtype), [None] + list(array.shape[1:]))


def _away_from(x, points, gap=0.05):
    """``x`` nudged so no entry is within ``gap`` of a kink (for finite differences)."""
    x = x.copy()
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + np.where(x[close] >= p, gap, -gap) * 2
    return x


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# -- activations ----------------------------------------------------------------------------------------
ACTIVATIONS = {
    # op type: (tf function, numpy reference, derivative, kinks)
    "Relu": (tf.nn.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0, [0]),
    "Relu6": (tf.nn.relu6, lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x < 6)) * 1.0, [0, 6]),
    "LeakyRelu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x),
                  lambda x: np.where(x > 0, 1, 0.2), [0]),
    "Elu": (tf.nn.elu, lambda x: np.where(x < 0, np.exp(x) - 1, x),
            lambda x: np.where(x < 0, np.exp(x), 1), [0]),
    "Selu": (tf.nn.selu, lambda x: SELU_SCALE * np.where(x < 0, SELU_ALPHA * (np.exp(x) - 1), x),
             lambda x: SELU_SCALE * np.where(x < 0, SELU_ALPHA * np.exp(x), 1), [0]),
    "Softplus": (tf.nn.softplus, lambda x: np.log1p(np.exp(x)), _sigmoid, []),
    "Softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2, [0]),
}
GRAD_OPS = {"Relu": "ReluGrad", "Relu6": "Relu6Grad", "LeakyRelu": "LeakyReluGrad",
            "Elu": "EluGrad", "Selu": "SeluGrad", "Softplus": "SoftplusGrad",
            "Softsign": "SoftsignGrad"}
# Grad ops that take the forward *outputs* (not the features) as their second input.
FROM_OUTPUTS = {"EluGrad", "SeluGrad", "ReluGrad", "Relu6Grad"}


@pytest.mark.parametrize("op_type", sorted(ACTIVATIONS))
def test_activation_matches_numpy_and_keeps_float32(op_type):
    fn, ref, _, _ = ACTIVATIONS[op_type]
    x = (RNG.randn(4, 5) * 4).astype(np.float32)
    xp = _batchless(x)
    y = fn(xp)
    assert y.op.type == op_type and y.shape.as_list() == [None, 5]
    out = _run(y, {xp: x})
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op_type", sorted(ACTIVATIONS))
def test_activation_grad_op_matches_numpy(op_type):
    fn, ref, deriv, kinks = ACTIVATIONS[op_type]
    x = _away_from(RNG.randn(3, 4) * 4, kinks)
    g = RNG.randn(3, 4)
    y = fn(tf.constant(x))
    grad = tf.gradients(y, y.op.inputs[0], grad_ys=g)[0]
    assert grad.op.type == GRAD_OPS[op_type]
    np.testing.assert_allclose(_run(grad), g * deriv(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op_type", sorted(ACTIVATIONS))
def test_activation_gradients_first_and_second_order(op_type):
    fn, _, _, kinks = ACTIVATIONS[op_type]
    x = _away_from(RNG.randn(3, 4) * 3, kinks)
    check_gradients(fn, x)
    check_gradients(fn, x, order=2)


@pytest.mark.parametrize("op_type", sorted(GRAD_OPS.values()))
def test_activation_grad_op_gradients(op_type):
    forward = [k for k, v in GRAD_OPS.items() if v == op_type][0]
    fn, ref, _, kinks = ACTIVATIONS[forward]
    x = _away_from(RNG.randn(3, 4) * 3, kinks)
    second = ref(x) if op_type in ("EluGrad", "SeluGrad") else x
    attrs = {"alpha": 0.2} if op_type == "LeakyReluGrad" else None
    check_gradients(lambda g, f: apply_op(op_type, [g, f], attrs), RNG.randn(3, 4), second)


def test_activation_shapes_and_dtype_errors():
    for fn in (tf.nn.relu, tf.nn.elu, tf.nn.softplus):
        assert fn(tf.placeholder(tf.float32)).shape.ndims is None
        assert fn(tf.placeholder(tf.float32, [None, 3])).shape.as_list() == [None, 3]
    assert tf.nn.relu(tf.constant([1, -2])).dtype == tf.int32
    assert _run(tf.nn.relu6(tf.constant([-1, 3, 9]))).tolist() == [0, 3, 6]
    assert tf.nn.leaky_relu(tf.constant([1, -2])).dtype == tf.float32
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.elu(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="same shape"):
        apply_op("ReluGrad", [tf.zeros([2, 3]), tf.zeros([3, 2])])
    assert apply_op("EluGrad", [tf.placeholder(tf.float32, [None, 3]),
                                tf.placeholder(tf.float32, [2, None])]).shape.as_list() == [2, 3]
    assert tf.nn.relu6(1.0, name="r6").op.name == "r6"
    assert tf.nn.leaky_relu(tf.zeros([2]), alpha=0.1).op.get_attr("alpha") == 0.1


def test_sigmoid_and_tanh_are_reexported():
    assert tf.nn.sigmoid is tf.sigmoid and tf.nn.tanh is tf.tanh


# -- softmax ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax(axis):
    x = (RNG.randn(2, 3, 4) * 30).astype(np.float32)   # large values: needs max-shifting
    xp = tf.placeholder(tf.float32, [None, 3, 4])
    s = tf.nn.softmax(xp, axis=axis)
    ls = tf.nn.log_softmax(xp, axis=axis)
    got_s, got_ls = _run([s, ls], {xp: x})
    expected = _softmax(x.astype(np.float64), axis)
    np.testing.assert_allclose(got_s, expected, rtol=1e-5, atol=1e-7)
    shifted = x - x.max(axis=axis, keepdims=True)
    np.testing.assert_allclose(got_ls, shifted - np.log(np.exp(shifted).sum(axis, keepdims=True)),
                               rtol=1e-5, atol=1e-5)
    assert got_s.dtype == np.float32 and np.all(np.isfinite(got_ls))
    assert s.shape.as_list() == [None, 3, 4] == ls.shape.as_list()
    check_gradients(lambda a: tf.nn.softmax(a, axis=axis), x[:1].astype(np.float64) / 30)
    check_gradients(lambda a: tf.nn.log_softmax(a, axis=axis), x[:1].astype(np.float64) / 30,
                    order=2)
    check_gradients(lambda a: tf.nn.softmax(a, axis=axis), x[:1].astype(np.float64) / 30, order=2)


def test_softmax_ops_shapes_names_and_errors():
    assert tf.nn.softmax(tf.zeros([2, 3])).op.type == "Softmax"
    assert tf.nn.softmax(tf.zeros([2, 3]), dim=0).shape.as_list() == [2, 3]
    assert tf.nn.log_softmax(tf.placeholder(tf.float32)).shape.ndims is None
    with pytest.raises(ValueError, match=">= 1 dimension"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be in the range"):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.softmax(tf.constant([1, 2]))


# -- bias_add ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_bias_add_and_its_grad(data_format):
    x = RNG.randn(2, 3, 4, 5).astype(np.float32)
    c = 5 if data_format == "NHWC" else 3
    b = RNG.randn(c).astype(np.float32)
    xp = _batchless(x)
    y = tf.nn.bias_add(xp, b, data_format=data_format)
    assert y.op.type == "BiasAdd" and y.shape.as_list() == [None, 3, 4, 5]
    expected = x + (b if data_format == "NHWC" else b.reshape(-1, 1, 1))
    np.testing.assert_allclose(_run(y, {xp: x}), expected, rtol=1e-6)
    g = apply_op("BiasAddGrad", [tf.constant(x)], {"data_format": data_format})
    assert g.shape.as_list() == [c]
    axes = (0, 1, 2) if data_format == "NHWC" else (0, 2, 3)
    out = _run(g)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x.sum(axis=axes), rtol=1e-5)
    xd, bd = x.astype(np.float64)[:1, :2], b.astype(np.float64)
    if data_format == "NCHW":
        xd = x.astype(np.float64)[:1, :, :2]
    check_gradients(lambda a, c_: tf.nn.bias_add(a, c_, data_format=data_format), xd, bd)
    check_gradients(lambda a, c_: tf.square(tf.nn.bias_add(a, c_, data_format=data_format)), xd, bd,
                    order=2)
    check_gradients(lambda a: apply_op("BiasAddGrad", [a], {"data_format": data_format}), xd)


def test_bias_add_shapes_and_errors():
    assert tf.nn.bias_add(tf.placeholder(tf.float32, [None, None]), tf.zeros([4])).shape.as_list() == [None, 4]
    assert tf.nn.bias_add(tf.placeholder(tf.float32), tf.zeros([4])).shape.ndims is None
    assert apply_op("BiasAddGrad", [tf.placeholder(tf.float32)]).shape.as_list() == [None]
    with pytest.raises(ValueError, match="bias has 3 elements"):
        tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([3]))
    with pytest.raises(ValueError, match="bias must be 1-D"):
        tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([1, 4]))
    with pytest.raises(ValueError, match="at least 2-D"):
        tf.nn.bias_add(tf.zeros([4]), tf.zeros([4]))
    with pytest.raises(ValueError, match="rank >= 3"):
        tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([4]), data_format="NCHW")
    with pytest.raises(ValueError, match="N...C"):
        tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([4]), data_format="CHWN")
    assert tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([4]), name="b").op.name == "b"
    y = tf.nn.xw_plus_b(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32),
                        np.arange(4, dtype=np.float32))
    np.testing.assert_allclose(_run(y), 3 + np.arange(4)[None].repeat(2, 0))


# -- l2 ------------------------------------------------------------------------------------------------------
def test_l2_loss_and_l2_normalize():
    x = RNG.randn(3, 4).astype(np.float32)
    loss = tf.nn.l2_loss(x)
    assert loss.op.type == "L2Loss" and loss.shape.as_list() == []
    out = _run(loss)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, (x.astype(np.float64) ** 2).sum() / 2, rtol=1e-5)
    assert tf.nn.l2_loss(tf.placeholder(tf.float32)).shape.as_list() == []
    with pytest.raises(TypeError):
        tf.nn.l2_loss(tf.constant([1, 2]))
    check_gradients(tf.nn.l2_loss, x.astype(np.float64))
    check_gradients(tf.nn.l2_loss, x.astype(np.float64), order=2)
    n = _run(tf.nn.l2_normalize(x, axis=1))
    np.testing.assert_allclose(n, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-5)
    tiny = _run(tf.nn.l2_normalize(np.zeros((1, 3), np.float32), 1))
    assert np.all(tiny == 0)
    check_gradients(lambda a: tf.nn.l2_normalize(a, 0), x.astype(np.float64))


# -- moments / batch normalisation ------------------------------------------------------------------------
def test_moments_and_batch_normalization():
    x = RNG.randn(4, 3, 2).astype(np.float32)
    mean, var = tf.nn.moments(tf.constant(x), axes=[0, 1])
    assert mean.shape.as_list() == [2] == var.shape.as_list()
    m, v = _run([mean, var])
    np.testing.assert_allclose(m, x.mean((0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v, x.var((0, 1)), rtol=1e-5)
    mk, vk = tf.nn.moments(tf.constant(x), [0], keep_dims=True)
    assert mk.shape.as_list() == [1, 3, 2] == vk.shape.as_list()
    offset, scale = RNG.randn(2).astype(np.float32), RNG.rand(2).astype(np.float32) + 0.5
    y = tf.nn.batch_normalization(tf.constant(x), mean, var, offset, scale, 1e-3)
    expected = (x - x.mean((0, 1))) / np.sqrt(x.var((0, 1)) + 1e-3) * scale + offset
    np.testing.assert_allclose(_run(y), expected, rtol=1e-4, atol=1e-5)
    y2 = tf.nn.batch_normalization(tf.constant(x), mean, var, None, None, 1e-3)
    np.testing.assert_allclose(_run(y2), (x - m) / np.sqrt(v + 1e-3), rtol=1e-4, atol=1e-5)
    xd = x.astype(np.float64)
    check_gradients(lambda a: tf.nn.moments(a, [0, 1]), xd)
    check_gradients(lambda a, o, s: tf.nn.batch_normalization(a, *tf.nn.moments(a, [0, 1]), o, s,
                                                              1e-3), xd, offset, scale)
    f16m, f16v = tf.nn.moments(tf.constant(x, tf.float16), [0])
    assert f16m.dtype == tf.float16 and f16v.dtype == tf.float16


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm(data_format):
    x = RNG.randn(3, 4, 5, 2).astype(np.float32)
    axis = 3 if data_format == "NHWC" else 1
    c = x.shape[axis]
    axes = tuple(a for a in range(4) if a != axis)
    scale, offset = RNG.rand(c).astype(np.float32) + 0.5, RNG.randn(c).astype(np.float32)
    y, bm, bv = tf.nn.fused_batch_norm(x, scale, offset, data_format=data_format)
    assert y.op.type == "FusedBatchNormV3"
    assert y.shape.as_list() == list(x.shape) and bm.shape.as_list() == [c]
    got_y, got_m, got_v = _run([y, bm, bv])
    shape = [1, 1, 1, 1]
    shape[axis] = -1
    mean, var = x.mean(axes), x.var(axes)
    expected = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + 1e-3) * \
        scale.reshape(shape) + offset.reshape(shape)
    np.testing.assert_allclose(got_y, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_m, mean, rtol=1e-5, atol=1e-6)
    n = x.size // c
    np.testing.assert_allclose(got_v, var * n / (n - 1), rtol=1e-5)  # Bessel-corrected
    pm, pv = RNG.randn(c).astype(np.float32), RNG.rand(c).astype(np.float32) + 0.5
    yi, _, _ = tf.nn.fused_batch_norm(x, scale, offset, pm, pv, is_training=False,
                                      data_format=data_format)
    expected = (x - pm.reshape(shape)) / np.sqrt(pv.reshape(shape) + 1e-3) * \
        scale.reshape(shape) + offset.reshape(shape)
    np.testing.assert_allclose(_run(yi), expected, rtol=1e-4, atol=1e-5)
    xd, sd, od = x[:2, :3, :3].astype(np.float64), scale.astype(np.float64), offset.astype(np.float64)
    if data_format == "NCHW":
        xd = x[:2, :, :3, :3].astype(np.float64)
    check_gradients(lambda a, s, o: list(tf.nn.fused_batch_norm(a, s, o, data_format=data_format)),
                    xd, sd, od)
    check_gradients(lambda a, s, o, m, v: tf.nn.fused_batch_norm(
        a, s, o, m, v, is_training=False, data_format=data_format)[0],
        xd, sd, od, pm.astype(np.float64), pv.astype(np.float64))


def test_fused_batch_norm_shapes_and_errors():
    y, m, v = tf.nn.fused_batch_norm(tf.placeholder(tf.float32, [None, 4, 4, None]), tf.zeros([3]),
                                     tf.zeros([3]))
    assert y.shape.as_list() == [None, 4, 4, None] and m.shape.as_list() == [3]
    assert tf.nn.fused_batch_norm(tf.placeholder(tf.float32), tf.placeholder(tf.float32),
                                  tf.placeholder(tf.float32))[1].shape.as_list() == [None]
    with pytest.raises(ValueError, match="must be None if is_training"):
        tf.nn.fused_batch_norm(tf.zeros([1, 2, 2, 3]), tf.zeros([3]), tf.zeros([3]), tf.zeros([3]),
                               tf.ones([3]))
    with pytest.raises(ValueError, match="x has 3 channels"):
        tf.nn.fused_batch_norm(tf.zeros([1, 2, 2, 3]), tf.zeros([4]), tf.zeros([4]))
    with pytest.raises(ValueError, match="must be 4-D"):
        tf.nn.fused_batch_norm(tf.zeros([2, 3]), tf.zeros([3]), tf.zeros([3]))


# -- sigmoid cross-entropies --------------------------------------------------------------------------------
def test_sigmoid_cross_entropy_with_logits_is_stable():
    logits = np.array([[-100., -2., 0., 3., 100.]], np.float32)
    labels = np.array([[0., 1., 0.5, 0., 1.]], np.float32)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.op.name == "logistic_loss" and loss.shape.as_list() == [1, 5]
    out = _run(loss)
    x, z = logits.astype(np.float64), labels.astype(np.float64)
    np.testing.assert_allclose(out, np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))),
                               rtol=1e-5, atol=1e-30)
    assert np.all(np.isfinite(out))
    check_gradients(lambda z_, x_: tf.nn.sigmoid_cross_entropy_with_logits(labels=z_, logits=x_),
                    z, _away_from(RNG.randn(1, 5), [0]))
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)


def test_weighted_cross_entropy_with_logits():
    x = RNG.randn(3, 4) * 5
    z = (RNG.rand(3, 4) > 0.5).astype(np.float64)
    q = 3.0
    out = _run(tf.nn.weighted_cross_entropy_with_logits(z, x, q))
    expected = q * z * -np.log(_sigmoid(x)) + (1 - z) * -np.log(1 - _sigmoid(x))
    np.testing.assert_allclose(out, expected, rtol=1e-8)
    out2 = _run(tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=q))
    np.testing.assert_allclose(out2, expected, rtol=1e-8)
    check_gradients(lambda z_, x_: tf.nn.weighted_cross_entropy_with_logits(z_, x_, q), z,
                    _away_from(x, [0]))


# -- softmax cross-entropies ---------------------------------------------------------------------------------
def _xent_reference(labels, logits):
    shifted = logits - logits.max(-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -(labels * log_probs).sum(-1), np.exp(log_probs) - labels


def test_softmax_cross_entropy_op_outputs():
    logits = (RNG.randn(4, 5) * 40).astype(np.float32)
    labels = _softmax(RNG.randn(4, 5)).astype(np.float32)
    lp = _batchless(logits)
    loss, backprop = apply_op("SoftmaxCrossEntropyWithLogits", [lp, labels])
    assert loss.shape.as_list() == [4] and backprop.shape.as_list() == [4, 5]
    got_loss, got_bp = _run([loss, backprop], {lp: logits})
    ref_loss, ref_bp = _xent_reference(labels.astype(np.float64), logits.astype(np.float64))
    assert got_loss.dtype == np.float32
    np.testing.assert_allclose(got_loss, ref_loss, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_bp, ref_bp, rtol=1e-5, atol=1e-6)
    l2, b2 = apply_op("SoftmaxCrossEntropyWithLogits", [tf.placeholder(tf.float32),
                                                        tf.placeholder(tf.float32, [None, 3])])
    assert l2.shape.as_list() == [None] and b2.shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="must be 2-D"):
        apply_op("SoftmaxCrossEntropyWithLogits", [tf.zeros([2, 3, 4]), tf.zeros([2, 3, 4])])


@pytest.mark.parametrize("rank_axis", [(2, -1), (3, -1), (3, 1)])
def test_softmax_cross_entropy_with_logits_v2(rank_axis):
    rank, axis = rank_axis
    shape = (2, 3, 4)[-rank:] if rank == 2 else (2, 3, 4)
    logits = RNG.randn(*shape)
    labels = _softmax(RNG.randn(*shape), axis)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis)
    expected_shape = [d for i, d in enumerate(shape) if i != axis % rank]
    assert loss.shape.as_list() == expected_shape
    moved_labels, moved_logits = np.moveaxis(labels, axis, -1), np.moveaxis(logits, axis, -1)
    np.testing.assert_allclose(_run(loss), _xent_reference(moved_labels, moved_logits)[0],
                               rtol=1e-10)
    fn = lambda lab, lg: tf.nn.softmax_cross_entropy_with_logits_v2(  # noqa: E731
        labels=lab, logits=lg, axis=axis)
    check_gradients(fn, labels, logits)             # gradients flow into both
    check_gradients(fn, labels, logits, order=2)    # second derivatives, both arguments


def test_softmax_cross_entropy_v1_blocks_label_gradients():
    logits, labels = RNG.randn(3, 4), _softmax(RNG.randn(3, 4))
    lab, lg = tf.constant(labels), tf.constant(logits)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=lab, logits=lg)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=lab, logits=lg)
    assert tf.gradients(loss, lab)[0] is None
    assert tf.gradients(v2, lab)[0] is not None
    np.testing.assert_allclose(_run(loss), _xent_reference(labels, logits)[0], rtol=1e-10)
    fn = lambda a, b: tf.nn.softmax_cross_entropy_with_logits(labels=a, logits=b)  # noqa: E731
    check_gradients(fn, labels, logits, wrt=[1])
    check_gradients(fn, labels, logits, wrt=[1], order=2)
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(lab, lg)


def test_softmax_cross_entropy_float16_and_shape_errors():
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=np.eye(3, dtype=np.float16),
                                                      logits=np.eye(3, dtype=np.float16))
    assert loss.dtype == tf.float16
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 4]))
    partial = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.placeholder(tf.float32, [None, None, 5]),
        logits=tf.placeholder(tf.float32, [None, 7, 5]))
    assert partial.shape.as_list() == [None, 7]


def test_sparse_softmax_cross_entropy():
    logits = (RNG.randn(4, 5) * 40).astype(np.float32)
    ids = np.array([0, 4, 2, 2], np.int64)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits)
    assert loss.op.type == "SparseSoftmaxCrossEntropyWithLogits"
    assert loss.shape.as_list() == [4] and loss.dtype == tf.float32
    onehot = np.eye(5)[ids]
    np.testing.assert_allclose(_run(loss), _xent_reference(onehot, logits.astype(np.float64))[0],
                               rtol=1e-5, atol=1e-5)
    _, backprop = apply_op("SparseSoftmaxCrossEntropyWithLogits", [logits, ids])
    np.testing.assert_allclose(_run(backprop), _xent_reference(onehot, logits.astype(np.float64))[1],
                               rtol=1e-5, atol=1e-6)
    ids3 = RNG.randint(0, 5, size=(2, 3)).astype(np.int32)
    logits3 = RNG.randn(2, 3, 5)
    loss3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids3, logits=logits3)
    assert loss3.shape.as_list() == [2, 3]
    np.testing.assert_allclose(_run(loss3), _xent_reference(np.eye(5)[ids3], logits3)[0], rtol=1e-10)
    fn = lambda lg, i: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i, logits=lg)  # noqa: E731
    check_gradients(fn, logits3, ids3)
    check_gradients(fn, logits3, ids3, order=2)


def test_sparse_softmax_cross_entropy_errors_and_shapes():
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4, 1], tf.int32),
                                                       logits=tf.zeros([4, 3]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([5], tf.int32),
                                                       logits=tf.zeros([4, 3]))
    with pytest.raises(ValueError, match="cannot be scalars"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([], tf.int32),
                                                       logits=tf.constant(1.0))
    with pytest.raises(TypeError, match="integer class ids"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4]), logits=tf.zeros([4, 3]))
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=tf.zeros([4, 3]))
    assert loss.shape.as_list() == [4]
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range of \\[0, 3\\)"):
        _run(loss, {ids: [0, 1, 3, 0]})
    bad = apply_op("SparseSoftmaxCrossEntropyWithLogits",
                   [tf.placeholder(tf.float32), tf.placeholder(tf.int32, [None])])
    assert bad[0].shape.as_list() == [None] and bad[1].shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="same first dimension"):
        apply_op("SparseSoftmaxCrossEntropyWithLogits", [tf.zeros([4, 3]), tf.zeros([5], tf.int32)])


def test_cross_entropy_gradient_matches_tf_formula():
    # d loss / d logits = softmax - labels, scaled by the incoming gradient.
    logits, labels = RNG.randn(3, 4), _softmax(RNG.randn(3, 4))
    lg = tf.constant(logits)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=lg)
    g = tf.gradients(loss, lg, grad_ys=np.array([1., 2., 3.]))[0]
    np.testing.assert_allclose(_run(g), (_softmax(logits) - labels) * [[1], [2], [3]], rtol=1e-10)


# -- dropout ---------------------------------------------------------------------------------------------------
def test_dropout_scales_kept_values_and_uses_rate_or_keep_prob():
    x = np.ones((200, 50), np.float32)
    y = tf.nn.dropout(x, keep_prob=0.8, seed=1)
    out = _run(y)
    assert out.dtype == np.float32 and y.shape.as_list() == [200, 50]
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.8)}
    assert abs((out == 0).mean() - 0.2) < 0.02
    out2 = _run(tf.nn.dropout(x, rate=0.5, seed=2))
    assert set(np.unique(out2)) <= {0.0, 2.0} and abs((out2 == 0).mean() - 0.5) < 0.03
    xt = tf.constant(x)
    assert tf.nn.dropout(xt, rate=0.0) is xt
    assert tf.nn.dropout(xt, keep_prob=1.0) is xt


def test_dropout_noise_shape_tensor_rate_and_errors():
    x = np.ones((30, 40), np.float32)
    out = _run(tf.nn.dropout(x, rate=0.5, noise_shape=[30, 1], seed=3))
    assert np.all((out == 0).all(axis=1) | (out == 2).all(axis=1))   # whole rows kept or dropped
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(tf.placeholder_with_default(x, [None, 40]), keep_prob=keep)
    assert y.shape.as_list() == [None, 40]
    np.testing.assert_array_equal(_run(y, {keep: 1.0}), x)
    with pytest.raises(ValueError, match="range \\[0, 1\\)"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="floating point tensor"):
        tf.nn.dropout(tf.constant([1, 2]), rate=0.5)
    with pytest.raises(ValueError, match="provide a rate"):
        tf.nn.dropout(x)
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)


def test_dropout_gradient_uses_the_same_mask():
    x = tf.constant(RNG.randn(20, 20))
    y = tf.nn.dropout(x, rate=0.5, seed=5)
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    out, grad = _run([y, g])
    np.testing.assert_allclose(grad, (out != 0) * 2.0)


# -- embeddings -------------------------------------------------------------------------------------------------
def test_embedding_lookup_single_and_partitioned():
    table = RNG.randn(7, 3).astype(np.float32)
    ids = np.array([[0, 6], [3, 3]], np.int32)
    y = tf.nn.embedding_lookup(table, ids)
    assert y.shape.as_list() == [2, 2, 3]
    np.testing.assert_allclose(_run(y), table[ids])
    assert _run(tf.nn.embedding_lookup([table], ids)).shape == (2, 2, 3)
    # mod: id i lives in partition i % 3 at row i // 3
    mod_parts = [table[i::3] for i in range(3)]
    np.testing.assert_allclose(_run(tf.nn.embedding_lookup(mod_parts, ids)), table[ids])
    # div: consecutive ranges, the first partitions one row longer
    div_parts = [table[:3], table[3:5], table[5:]]
    np.testing.assert_allclose(_run(tf.nn.embedding_lookup(div_parts, ids, partition_strategy="div")),
                               table[ids])
    with pytest.raises(ValueError, match="must be split as"):
        tf.nn.embedding_lookup([table[:2], table[2:]], ids)
    with pytest.raises(ValueError, match="Unrecognized partition strategy"):
        tf.nn.embedding_lookup(table, ids, partition_strategy="hash")
    with pytest.raises(TypeError, match="must be integers"):
        tf.nn.embedding_lookup(table, np.array([0.5]))


def test_embedding_lookup_gradient_is_dense_and_max_norm_clips():
    table = RNG.randn(5, 3)
    ids = np.array([1, 1, 4])
    params = tf.constant(table)
    g = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(params, ids)), params)[0]
    expected = np.zeros((5, 3))
    expected[1] = 2
    expected[4] = 1
    np.testing.assert_allclose(_run(g), expected)
    check_gradients(lambda p: tf.nn.embedding_lookup(p, ids), table)
    check_gradients(lambda p, q: tf.nn.embedding_lookup([p, q], np.array([[0, 3], [2, 1]])),
                    table[:2], table[2:4])
    clipped = _run(tf.nn.embedding_lookup(table * 10, ids, max_norm=1.0))
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=1), 1.0)
    small = _run(tf.nn.embedding_lookup(table * 1e-3, ids, max_norm=1.0))
    np.testing.assert_allclose(small, table[ids] * 1e-3)


# -- top-k ---------------------------------------------------------------------------------------------------
def test_in_top_k():
    predictions = np.array([[0.1, 0.3, 0.3, 0.2], [1, 2, 3, 4], [1, 2, np.nan, 0], [5, 4, 3, 2]],
                           np.float32)
    targets = np.array([2, 1, 0, 7], np.int32)
    result = tf.nn.in_top_k(predictions, targets, 1)
    assert result.op.type == "InTopKV2" and result.op.name == "in_top_k/InTopKV2"
    assert result.dtype == tf.bool and result.shape.as_list() == [4]
    # Ties count in; non-finite rows and out-of-range targets are False (as TF's CPU kernel).
    assert _run(result).tolist() == [True, False, False, False]
    assert _run(tf.nn.in_top_k(predictions, targets, 3)).tolist() == [True, True, False, False]
    k = tf.placeholder(tf.int32, [])
    assert _run(tf.nn.in_top_k(predictions, targets, k), {k: 4}).tolist() == [True, True, False, False]
    assert tf.nn.in_top_k(tf.placeholder(tf.float32), tf.placeholder(tf.int32), 1).shape.as_list() == [None]
    with pytest.raises(ValueError, match="predictions has 4 rows"):
        tf.nn.in_top_k(predictions, np.zeros(3, np.int32), 1)
    with pytest.raises(TypeError, match="float32"):
        tf.nn.in_top_k(tf.constant(predictions, tf.float64), targets, 1)


def test_top_k_values_indices_and_ties():
    x = np.array([[1, 3, 3, 2, 5], [0, 0, 0, 0, 0]], np.float32)
    values, indices = tf.nn.top_k(x, 3)
    assert values.op.type == "TopKV2" and indices.dtype == tf.int32
    assert values.shape.as_list() == [2, 3] == indices.shape.as_list()
    v, i = _run([values, indices])
    np.testing.assert_array_equal(v, [[5, 3, 3], [0, 0, 0]])
    np.testing.assert_array_equal(i, [[4, 1, 2], [0, 1, 2]])   # lower index first among ties
    ints = _run(tf.nn.top_k(np.array([np.iinfo(np.int32).min, 7, -3], np.int32), k=2))
    np.testing.assert_array_equal(ints[0], [7, -3])
    r = RNG.randn(3, 4, 6)
    rv, ri = _run(tf.nn.top_k(r, 6))
    np.testing.assert_allclose(rv, -np.sort(-r, axis=-1))
    np.testing.assert_allclose(np.take_along_axis(r, ri, -1), rv)
    check_gradients(lambda a: tf.nn.top_k(a, 2)[0], r)
    check_gradients(lambda a: tf.square(tf.nn.top_k(a, 3)[0]), r, order=2)


def test_top_k_shapes_and_errors():
    assert tf.nn.top_k(tf.placeholder(tf.float32, [None, 10]), 4)[0].shape.as_list() == [None, 4]
    k = tf.placeholder(tf.int32, [])
    assert tf.nn.top_k(tf.placeholder(tf.float32, [2, 10]), k)[1].shape.as_list() == [2, None]
    assert tf.nn.top_k(tf.placeholder(tf.float32), 2)[0].shape.ndims is None
    with pytest.raises(ValueError, match="at least k columns"):
        tf.nn.top_k(tf.zeros([2, 3]), 4)
    with pytest.raises(ValueError, match="at least 1-D"):
        tf.nn.top_k(tf.constant(1.0), 1)
    x = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns"):
        _run(tf.nn.top_k(x, 3), {x: np.zeros((2, 2), np.float32)})
    g = tf.gradients(tf.nn.top_k(x, 1)[0], x)[0]
    np.testing.assert_array_equal(_run(g, {x: [[1, 5, 2], [7, 0, 7]]}), [[0, 1, 0], [1, 0, 0]])


# -- local response normalisation ----------------------------------------------------------------------------
def _lrn_reference(x, radius, bias, alpha, beta):
    out = np.empty_like(x)
    for d in range(x.shape[-1]):
        window = x[..., max(0, d - radius):d + radius + 1]
        out[..., d] = x[..., d] / (bias + alpha * (window ** 2).sum(-1)) ** beta
    return out


@pytest.mark.parametrize("radius", [0, 2, 5])
def test_lrn(radius):
    x = RNG.randn(2, 3, 2, 7).astype(np.float32)
    xp = _batchless(x)
    y = tf.nn.lrn(xp, radius, bias=1.5, alpha=0.3, beta=0.75)
    assert y.op.type == "LRN" and y.shape.as_list() == [None, 3, 2, 7]
    out = _run(y, {xp: x})
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, _lrn_reference(x.astype(np.float64), radius, 1.5, 0.3, 0.75),
                               rtol=1e-5)
    xd = x[:1, :2].astype(np.float64)
    check_gradients(lambda a: tf.nn.lrn(a, radius, 1.5, 0.3, 0.75), xd)
    check_gradients(lambda a: tf.nn.local_response_normalization(a, radius, 1.5, 0.3, 0.75), xd,
                    order=2)


def test_lrn_shapes_and_errors():
    assert tf.nn.lrn(tf.placeholder(tf.float32)).shape.ndims == 4
    assert tf.nn.lrn(tf.zeros([1, 2, 2, 3]), name="norm1").op.name == "norm1"
    with pytest.raises(ValueError, match="4-dimensional"):
        tf.nn.lrn(tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.lrn(tf.zeros([1, 2, 2, 3], tf.int32))


# -- registry coverage ------------------------------------------------------------------------------------------
_ACTIVATION_OPS = set(ACTIVATIONS) | set(GRAD_OPS.values())
REFERENCE_CHECKED = _ACTIVATION_OPS | {
    "Softmax", "LogSoftmax", "BiasAdd", "BiasAddGrad", "L2Loss", "FusedBatchNormV3", "LRN",
    "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "InTopKV2", "TopKV2"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = REFERENCE_CHECKED - {"InTopKV2"}


# -- composites (no ops of their own) ----------------------------------------------------------------------
def test_nn_composites_match_numpy():
    x = RNG.randn(3, 4)
    w, b = RNG.randn(4, 2), RNG.randn(2)
    counts, m_ss, v_ss, shift = tf.nn.sufficient_statistics(x, [0])
    mean, var = tf.nn.normalize_moments(counts, m_ss, v_ss, shift)
    fw = np.array([[1.0], [2.0], [0.5]])
    wm, wv = tf.nn.weighted_moments(x, [0], fw)
    targets = np.abs(x) * 3
    got = _run({"crelu": tf.nn.crelu(x), "swish": tf.nn.swish(x),
                "relu_layer": tf.nn.relu_layer(x, w, b), "zf": tf.nn.zero_fraction(tf.nn.relu(x)),
                "lpl": tf.nn.log_poisson_loss(targets, x),
                "lpl_full": tf.nn.log_poisson_loss(targets, x, compute_full_loss=True),
                "count": counts, "mean": mean, "var": var, "wm": wm, "wv": wv})
    np.testing.assert_allclose(got["crelu"], np.maximum(np.concatenate([x, -x], -1), 0))
    np.testing.assert_allclose(got["swish"], x * _sigmoid(x), rtol=1e-12)
    np.testing.assert_allclose(got["relu_layer"], np.maximum(x @ w + b, 0), rtol=1e-12)
    assert got["zf"].dtype == np.float32
    np.testing.assert_allclose(got["zf"], (x <= 0).mean(), rtol=1e-6)
    np.testing.assert_allclose(got["lpl"], np.exp(x) - x * targets, rtol=1e-12)
    stirling = targets * np.log(targets) - targets + 0.5 * np.log(2 * np.pi * targets)
    np.testing.assert_allclose(got["lpl_full"], np.exp(x) - x * targets +
                               np.where(targets <= 1, 0, stirling), rtol=1e-12)
    assert got["count"] == 3
    np.testing.assert_allclose(got["mean"], x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(got["var"], x.var(0), rtol=1e-10)
    np.testing.assert_allclose(got["wm"], (fw * x).sum(0) / fw.sum(), rtol=1e-12)
    np.testing.assert_allclose(got["wv"], (fw * (x - (fw * x).sum(0) / fw.sum()) ** 2).sum(0) /
                               fw.sum(), rtol=1e-12)
    assert tf.nn.avg_pool2d is tf.nn.avg_pool
    mp = tf.nn.max_pool2d(tf.zeros([1, 4, 4, 1]), 2, 2, "VALID")
    assert mp.op.type == "MaxPool" and mp.op.name == "MaxPool2d"
