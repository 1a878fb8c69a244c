"""tf.losses: values vs hand-written numpy for every reduction, weights, the LOSSES collection."""
import numpy as np
import pytest

import tfone as tf

R = tf.losses.Reduction
RNG = np.random.RandomState(11)


def _run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _reduce(per_element, weights, reduction):
    """numpy version of TF1's compute_weighted_loss."""
    weights = np.broadcast_to(np.asarray(weights, np.float64), per_element.shape)
    weighted = per_element * weights
    if reduction == R.NONE:
        return weighted
    total = weighted.sum()
    if reduction == R.SUM:
        return total
    if reduction == R.MEAN:
        denom = weights.sum()
    elif reduction == R.SUM_OVER_BATCH_SIZE:
        denom = per_element.size
    else:
        denom = np.count_nonzero(weights)
    return total / denom if denom else 0.0


LABELS = RNG.rand(4, 3)
PREDS = RNG.rand(4, 3) * 0.9 + 0.05
LOGITS = RNG.randn(4, 3) * 3
BINARY = (RNG.rand(4, 3) > 0.5).astype(np.float64)
WEIGHT_CASES = [1.0, 2.5, np.array([[1.0], [0.0], [2.0], [0.5]]), np.array([[0., 1., 2.]]),
                RNG.rand(4, 3) * (RNG.rand(4, 3) > 0.3)]
REDUCTIONS = [R.NONE, R.SUM, R.MEAN, R.SUM_OVER_BATCH_SIZE, R.SUM_BY_NONZERO_WEIGHTS]


def _softmax_xent(onehot, logits):
    shifted = logits - logits.max(-1, keepdims=True)
    return -(onehot * (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)))).sum(-1)


def _huber(err, delta):
    a = np.abs(err)
    return np.where(a <= delta, 0.5 * a ** 2, 0.5 * delta ** 2 + delta * (a - delta))


LOSSES = {
    "mean_squared_error": (lambda w, r: tf.losses.mean_squared_error(LABELS, PREDS, w, reduction=r),
                           lambda: (PREDS - LABELS) ** 2),
    "absolute_difference": (lambda w, r: tf.losses.absolute_difference(LABELS, PREDS, w, reduction=r),
                            lambda: np.abs(PREDS - LABELS)),
    "log_loss": (lambda w, r: tf.losses.log_loss(BINARY, PREDS, w, reduction=r),
                 lambda: -BINARY * np.log(PREDS + 1e-7) - (1 - BINARY) * np.log(1 - PREDS + 1e-7)),
    "hinge_loss": (lambda w, r: tf.losses.hinge_loss(BINARY, LOGITS, w, reduction=r),
                   lambda: np.maximum(0, 1 - (2 * BINARY - 1) * LOGITS)),
    "huber_loss": (lambda w, r: tf.losses.huber_loss(LABELS, LOGITS, w, delta=1.5, reduction=r),
                   lambda: _huber(LOGITS - LABELS, 1.5)),
    "sigmoid_cross_entropy": (
        lambda w, r: tf.losses.sigmoid_cross_entropy(BINARY, LOGITS, w, reduction=r),
        lambda: np.maximum(LOGITS, 0) - LOGITS * BINARY + np.log1p(np.exp(-np.abs(LOGITS)))),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_index", range(len(WEIGHT_CASES)))
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_elementwise_losses_every_reduction(name, weight_index, reduction):
    build, reference = LOSSES[name]
    weights = WEIGHT_CASES[weight_index]
    loss = build(weights, reduction)
    # Losses on (labels, predictions) compute in float32; logits-based ones keep the logits dtype.
    assert loss.dtype == (tf.float64 if name == "sigmoid_cross_entropy" else tf.float32)
    expected = _reduce(reference(), weights, reduction)
    assert loss.shape.as_list() == list(np.shape(expected))
    np.testing.assert_allclose(_run(loss), expected, rtol=2e-5, atol=1e-6)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_softmax_and_sparse_softmax_cross_entropy(reduction):
    ids = RNG.randint(0, 3, size=4)
    onehot = np.eye(3)[ids]
    weights = np.array([1.0, 0.0, 2.0, 3.0])
    expected = _reduce(_softmax_xent(onehot, LOGITS), weights, reduction)
    dense = tf.losses.softmax_cross_entropy(onehot, LOGITS, weights, reduction=reduction)
    sparse = tf.losses.sparse_softmax_cross_entropy(ids, LOGITS, weights, reduction=reduction)
    column = tf.losses.sparse_softmax_cross_entropy(ids[:, None], LOGITS, weights[:, None],
                                                    reduction=reduction)
    for got in _run([dense, sparse, column]):
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6)
    assert len(tf.losses.get_losses()) == 3


def test_label_smoothing():
    onehot = np.eye(3)[[0, 2, 1, 1]]
    smoothed = onehot * (1 - 0.2) + 0.2 / 3
    loss = tf.losses.softmax_cross_entropy(onehot, LOGITS, label_smoothing=0.2)
    np.testing.assert_allclose(_run(loss), _softmax_xent(smoothed, LOGITS).mean(), rtol=1e-5)
    sig = tf.losses.sigmoid_cross_entropy(BINARY, LOGITS, label_smoothing=0.4)
    z = BINARY * 0.6 + 0.2
    expected = np.maximum(LOGITS, 0) - LOGITS * z + np.log1p(np.exp(-np.abs(LOGITS)))
    np.testing.assert_allclose(_run(sig), expected.mean(), rtol=1e-5)
    # label smoothing with an unknown number of classes (taken from the run-time shape)
    labels = tf.placeholder(tf.float32, [None, None])
    dyn = tf.losses.softmax_cross_entropy(labels, tf.placeholder_with_default(
        LOGITS.astype(np.float32), [None, None]), label_smoothing=0.2)
    np.testing.assert_allclose(_run(dyn, {labels: onehot}), _softmax_xent(smoothed, LOGITS).mean(),
                               rtol=1e-5)


def test_cosine_distance():
    a = RNG.randn(4, 3)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b = RNG.randn(4, 3)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    loss = tf.losses.cosine_distance(a, b, axis=1)
    np.testing.assert_allclose(_run(loss), (1 - (a * b).sum(1)).mean(), rtol=1e-5)
    none = tf.losses.cosine_distance(a, b, axis=1, reduction=R.NONE)
    assert none.shape.as_list() == [4, 1]
    with pytest.raises(ValueError, match="specify 'axis'"):
        tf.losses.cosine_distance(a, b)


def test_all_zero_weights_give_zero_not_nan():
    for reduction in (R.MEAN, R.SUM_BY_NONZERO_WEIGHTS):
        loss = tf.losses.mean_squared_error(LABELS, PREDS, weights=0.0, reduction=reduction)
        assert _run(loss) == 0.0


def test_default_reduction_scope_names_and_dtypes():
    assert R.SUM_OVER_NONZERO_WEIGHTS == R.SUM_BY_NONZERO_WEIGHTS == "weighted_sum_by_nonzero_weights"
    assert set(R.all()) == {"none", "weighted_sum", "weighted_mean", "weighted_sum_over_batch_size",
                            "weighted_sum_by_nonzero_weights"}
    loss = tf.losses.mean_squared_error(LABELS, PREDS)
    assert loss.op.name.startswith("mean_squared_error/")
    assert loss.shape.as_list() == []
    scoped = tf.losses.absolute_difference(LABELS, PREDS, scope="mine")
    assert scoped.op.name.startswith("mine/")
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error(LABELS, PREDS, reduction="mean")
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, PREDS)
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error(LABELS, PREDS[:, :2])
    with pytest.raises(ValueError, match="can not be broadcast"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones(3))   # rank must match
    with pytest.raises(ValueError, match="can not be broadcast"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones((4, 2)))
    # compute_weighted_loss keeps the input dtype
    f64 = tf.losses.compute_weighted_loss(tf.constant(LABELS), 2.0)
    assert f64.dtype == tf.float64
    np.testing.assert_allclose(_run(f64), (LABELS * 2).mean())


def test_loss_collection_and_totals():
    l1 = tf.losses.mean_squared_error(LABELS, PREDS)
    l2 = tf.losses.absolute_difference(LABELS, PREDS, loss_collection=None)
    with tf.name_scope("tower"):
        l3 = tf.losses.log_loss(BINARY, PREDS)
    assert tf.losses.get_losses() == [l1, l3]
    assert tf.losses.get_losses(scope="tower") == [l3]
    assert l2 not in tf.get_collection(tf.GraphKeys.LOSSES)
    assert tf.losses.get_regularization_losses() == []
    assert _run(tf.losses.get_regularization_loss()) == 0.0
    reg = tf.multiply(0.5, tf.constant(4.0), name="reg")
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, reg)
    assert tf.losses.get_regularization_losses() == [reg]
    total = tf.losses.get_total_loss()
    no_reg = tf.losses.get_total_loss(add_regularization_losses=False, name="data_loss")
    assert total.op.name == "total_loss" and no_reg.op.name == "data_loss"
    v1, v3, t, t_no = _run([l1, l3, total, no_reg])
    np.testing.assert_allclose(t, v1 + v3 + 2.0, rtol=1e-6)
    np.testing.assert_allclose(t_no, v1 + v3, rtol=1e-6)
    np.testing.assert_allclose(_run(tf.losses.get_regularization_loss()), 2.0)
    custom = tf.constant(7.0)
    tf.losses.add_loss(custom)
    assert tf.losses.get_losses()[-1] is custom
    tf.losses.add_loss(tf.constant(1.0), loss_collection="my_losses")
    assert len(tf.losses.get_losses(loss_collection="my_losses")) == 1


def test_get_total_loss_without_losses_raises():
    with pytest.raises(ValueError, match="no losses"):
        tf.losses.get_total_loss()


def test_losses_train_a_model():
    # Gradients flow through the weighted, reduced loss (and not into the stopped labels).
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.zeros((3, 1), np.float32))
    y = tf.matmul(x, w)
    loss = tf.losses.huber_loss(np.ones((4, 1), np.float32), y, weights=[[1.0], [1.0], [0.0], [2.0]])
    grad = tf.gradients(loss, w)[0]
    data = RNG.rand(4, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g = sess.run(grad, {x: data})
    # at w = 0 the error is -1 everywhere: huber slope -1, weights / 3 non-zero weights
    expected = data.T @ (-np.array([[1.0], [1.0], [0.0], [2.0]]) / 3)
    np.testing.assert_allclose(g, expected, rtol=1e-5)


def test_mean_pairwise_squared_error():
    labels, preds = RNG.rand(3, 2, 2), RNG.rand(3, 2, 2)
    weights = np.array([1.0, 0.0, 2.5]).reshape(3, 1, 1)
    loss = tf.losses.mean_pairwise_squared_error(labels, preds, weights)
    expected = 0.0
    for b in range(3):
        d = (preds[b] - labels[b]).ravel()
        expected += weights[b, 0, 0] * ((d[:, None] - d[None, :]) ** 2).sum() / (d.size * (d.size - 1))
    np.testing.assert_allclose(_run(loss), expected, rtol=1e-5)
    assert tf.losses.get_losses() == [loss]
    assert _run(tf.losses.mean_pairwise_squared_error(labels, preds, 0.0)) == 0.0
