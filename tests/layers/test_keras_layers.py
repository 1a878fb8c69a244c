"""Keras 2 layers on tfone graphs: values vs numpy on fixed weights, weight names and shapes,
configs, losses, updates, masks, training/inference behaviour, node history."""
import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras import backend as K
from tfone.keras import layers
from tfone.keras.engine.base_layer import get_keras_history, get_keras_mask
from tfone.test import compute_gradient_error

RNG = np.random.RandomState(1)


def run(fetches, feed=None):
    return K.get_session().run(fetches, feed)


def names(layer):
    return [w.name for w in layer.weights]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


# -- the Layer base --------------------------------------------------------------------------------
def test_names_are_unique_per_graph_and_weights_are_named_after_the_layer():
    x = tf.placeholder(tf.float32, [None, 3])
    d1, d2 = layers.Dense(4), layers.Dense(2)
    h = d2(d1(x))
    assert (d1.name, d2.name) == ("dense", "dense_1")
    assert names(d1) == ["dense/kernel:0", "dense/bias:0"]
    assert names(d2) == ["dense_1/kernel:0", "dense_1/bias:0"]
    assert h.op.name == "dense_1/BiasAdd"
    assert [w.shape.as_list() for w in d1.weights] == [[3, 4], [4]]
    assert d1.count_params() == 16
    assert layers.Conv2D(2, 3).name == "conv2d"
    assert layers.MaxPooling2D().name == "max_pooling2d"
    assert layers.LeakyReLU().name == "leaky_re_lu"
    assert layers.BatchNormalization().name == "batch_normalization"
    tf.reset_default_graph()
    assert layers.Dense(1).name == "dense"  # counters are per graph
    K.clear_session()
    assert layers.Dense(1).name == "dense"


def test_dense_values_and_float64_inference():
    x = tf.placeholder(tf.float64, [None, 3])
    d = layers.Dense(2, activation="relu")
    y = d(x)
    assert d.dtype == "float64" and d.kernel.dtype == tf.float64
    w, b = RNG.randn(3, 2), RNG.randn(2)
    d.set_weights([w, b])
    xv = RNG.randn(5, 3)
    np.testing.assert_allclose(run(y, {x: xv}), np.maximum(xv @ w + b, 0), rtol=1e-12)
    for got, want in zip(d.get_weights(), [w, b]):
        np.testing.assert_array_equal(got, want)


def test_dense_on_rank3_inputs_contracts_the_last_axis():
    x = tf.placeholder(tf.float32, [None, 4, 3])
    d = layers.Dense(2, use_bias=False)
    y = d(x)
    assert y.shape.as_list() == [None, 4, 2]
    w = RNG.randn(3, 2).astype(np.float32)
    d.set_weights([w])
    xv = RNG.randn(2, 4, 3).astype(np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), xv @ w, rtol=1e-5)
    assert d.compute_output_shape((None, 4, 3)).as_list() == [None, 4, 2]


def test_input_spec_errors_name_the_layer_and_shapes():
    d = layers.Dense(2)
    d(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match=r"layer dense .*expected axis -1 of input shape to have "
                                         r"value 3 .*\(None, 4\)"):
        d(tf.placeholder(tf.float32, [None, 4]))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layers.Dense(2)(tf.placeholder(tf.float32, [3]))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=2"):
        layers.Conv2D(1, 2)(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense`"):
        layers.Dense(2)(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(TypeError, match="Keyword argument not understood: 'foo'"):
        layers.Dense(2, foo=1)


def test_regularizers_activity_regularizer_and_constraints():
    x = tf.placeholder(tf.float32, [None, 3])
    d = layers.Dense(2, kernel_regularizer=keras.regularizers.l2(0.1), bias_regularizer="l1",
                     activity_regularizer=keras.regularizers.l1(0.5),
                     kernel_constraint=keras.constraints.max_norm(1.0))
    y = d(x)
    assert d.kernel.constraint is d.kernel_constraint
    w, b = RNG.randn(3, 2).astype(np.float32), RNG.randn(2).astype(np.float32)
    d.set_weights([w, b])
    xv = RNG.randn(4, 3).astype(np.float32)
    assert len(d.losses) == 3
    kernel_loss, bias_loss, activity = run(d.losses, {x: xv})
    np.testing.assert_allclose(kernel_loss, 0.1 * np.sum(w ** 2), rtol=1e-5)
    np.testing.assert_allclose(bias_loss, 0.01 * np.sum(np.abs(b)), rtol=1e-5)
    np.testing.assert_allclose(activity, 0.5 * np.sum(np.abs(xv @ w + b)) / 4, rtol=1e-5)
    assert d.losses[0].op.name.startswith("dense/kernel/Regularizer/")
    assert d.get_losses_for(None) == d.losses[:2]        # weight regularization: unconditional
    assert d.get_losses_for(x) == d.losses[2:]
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []  # Keras keeps its own
    cfg = keras.regularizers.serialize(d.kernel_regularizer)
    assert cfg == {"class_name": "L1L2", "config": {"l1": 0.0, "l2": pytest.approx(0.1)}}
    assert keras.regularizers.get("l2").get_config() == {"l1": 0.0, "l2": pytest.approx(0.01)}
    norm = run(d.kernel_constraint(tf.constant(np.array([[3.0, 0.5], [4.0, 0.0]], np.float32))))
    np.testing.assert_allclose(norm, [[0.6, 0.5], [0.8, 0.0]], rtol=1e-5)


def test_activations_by_name_match_numpy():
    xv = np.linspace(-3, 3, 12).reshape(3, 4).astype(np.float64)
    x = tf.placeholder(tf.float64, [3, 4])
    e = np.exp(xv - xv.max(axis=1, keepdims=True))
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    expected = {
        "relu": np.maximum(xv, 0), "sigmoid": sigmoid(xv), "tanh": np.tanh(xv),
        "softmax": e / e.sum(axis=1, keepdims=True), "elu": np.where(xv > 0, xv, np.expm1(xv)),
        "selu": scale * np.where(xv > 0, xv, alpha * np.expm1(xv)),
        "softplus": np.log1p(np.exp(xv)), "softsign": xv / (1 + np.abs(xv)),
        "hard_sigmoid": hard_sigmoid(xv), "linear": xv, "exponential": np.exp(xv)}
    outs = {name: layers.Activation(name)(x) for name in expected}
    got = run(outs, {x: xv})
    for name, want in expected.items():
        np.testing.assert_allclose(got[name], want, rtol=1e-10, atol=1e-12, err_msg=name)
        assert keras.activations.serialize(keras.activations.get(name)) == name
    assert keras.activations.get(None) is keras.activations.linear
    assert keras.activations.get(tf.nn.relu) is tf.nn.relu
    with pytest.raises(ValueError, match="Unknown activation function: nope"):
        layers.Activation("nope")
    relu_opts = keras.activations.relu(x, alpha=0.1, max_value=2.0, threshold=0.5)
    want = np.where(xv > 0.5, np.minimum(xv, 2.0), 0.1 * (xv - 0.5))
    np.testing.assert_allclose(run(relu_opts, {x: xv}), want, rtol=1e-10)
    lr = layers.LeakyReLU(0.2)(x)
    np.testing.assert_allclose(run(lr, {x: xv}), np.where(xv > 0, xv, 0.2 * xv))
    sm3 = keras.activations.softmax(tf.constant(RNG.randn(2, 3, 4)))
    np.testing.assert_allclose(run(tf.reduce_sum(sm3, axis=-1)), np.ones((2, 3)))


def test_dropout_follows_the_learning_phase():
    x = tf.placeholder(tf.float32, [200, 50])
    y = layers.Dropout(0.4, seed=3)(x)
    assert y.op.name == "dropout/cond/Merge"
    xv = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(run(y, {x: xv}), xv)            # default: inference
    trained = run(y, {x: xv, K.learning_phase(): True})
    kept = trained != 0
    assert abs(kept.mean() - 0.6) < 0.02
    np.testing.assert_allclose(trained[kept], 1 / 0.6, rtol=1e-6)
    z = layers.Dropout(0.4)(x, training=True)          # a Python flag builds only one branch
    assert "cond" not in z.op.name
    assert abs((run(z, {x: xv}) != 0).mean() - 0.6) < 0.02
    tf.reset_default_graph()
    K.set_learning_phase(1)
    x = tf.placeholder(tf.float32, [100, 10])
    y = layers.Dropout(0.5)(x)
    assert (run(y, {x: np.ones((100, 10), np.float32)}) == 0).any()


def test_flatten_and_reshape():
    x = tf.placeholder(tf.float32, [None, 2, 3, 4])
    f = layers.Flatten()(x)
    r = layers.Reshape((4, -1))(x)
    cf = layers.Flatten(data_format="channels_first")(x)
    assert f.shape.as_list() == [None, 24] and r.shape.as_list() == [None, 4, 6]
    xv = RNG.randn(2, 2, 3, 4).astype(np.float32)
    got_f, got_r, got_cf = run([f, r, cf], {x: xv})
    np.testing.assert_array_equal(got_f, xv.reshape(2, -1))
    np.testing.assert_array_equal(got_r, xv.reshape(2, 4, 6))
    np.testing.assert_array_equal(got_cf, xv.transpose(0, 2, 3, 1).reshape(2, -1))
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        layers.Reshape((5, 5))(x)
    with pytest.raises(ValueError, match="Can only specify one unknown dimension"):
        layers.Reshape((-1, -1))(x)


def _conv_ref(x, w, stride, padding):
    kh, kw = w.shape[:2]
    if padding == "same":
        oh, ow = -(-x.shape[1] // stride), -(-x.shape[2] // stride)
        ph = max((oh - 1) * stride + kh - x.shape[1], 0)
        pw = max((ow - 1) * stride + kw - x.shape[2], 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3)
    return out


@pytest.mark.parametrize("padding,stride", [("valid", 1), ("same", 2)])
def test_conv2d_matches_numpy(padding, stride):
    x = tf.placeholder(tf.float64, [None, 7, 6, 2])
    conv = layers.Conv2D(3, (3, 2), strides=stride, padding=padding, activation="tanh")
    y = conv(x)
    assert names(conv) == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert conv.kernel.shape.as_list() == [3, 2, 2, 3]
    w, b = RNG.randn(3, 2, 2, 3), RNG.randn(3)
    conv.set_weights([w, b])
    xv = RNG.randn(2, 7, 6, 2)
    want = np.tanh(_conv_ref(xv, w, stride, padding) + b)
    got = run(y, {x: xv})
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert y.shape.as_list() == [None] + list(want.shape[1:])
    assert conv.compute_output_shape((None, 7, 6, 2)).as_list() == y.shape.as_list()


def test_pooling_layers_match_numpy():
    x = tf.placeholder(tf.float32, [None, 4, 6, 3])
    xv = RNG.randn(2, 4, 6, 3).astype(np.float32)
    mp = layers.MaxPooling2D()(x)
    ap = layers.AveragePooling2D(pool_size=(2, 3), strides=(1, 3))(x)
    gap = layers.GlobalAveragePooling2D()(x)
    gmp = layers.GlobalMaxPooling2D()(x)
    got = run([mp, ap, gap, gmp], {x: xv})
    blocks = xv.reshape(2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(got[0], blocks.max(axis=(2, 4)), rtol=1e-6)
    want_ap = np.stack([xv[:, i:i + 2].reshape(2, 2, 2, 3, 3).mean(axis=(1, 3))
                        for i in range(3)], axis=1)
    np.testing.assert_allclose(got[1], want_ap, rtol=1e-5)
    np.testing.assert_allclose(got[2], xv.mean(axis=(1, 2)), rtol=1e-5)
    np.testing.assert_allclose(got[3], xv.max(axis=(1, 2)), rtol=1e-6)
    assert [t.shape.as_list() for t in (mp, ap, gap)] == [[None, 2, 3, 3], [None, 3, 2, 3],
                                                          [None, 3]]
    assert mp.op.name == "max_pooling2d/MaxPool" and gap.op.name == "global_average_pooling2d/Mean"


# -- batch normalization ---------------------------------------------------------------------------
def test_batch_normalization_training_inference_and_moving_updates_2d():
    x = tf.placeholder(tf.float32, [None, 3])
    bn = layers.BatchNormalization(momentum=0.9)
    y = bn(x)
    assert names(bn) == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                         "batch_normalization/moving_mean:0",
                         "batch_normalization/moving_variance:0"]
    assert [w.name for w in bn.trainable_weights] == names(bn)[:2]
    gamma, beta = np.array([1., 2., .5], np.float32), np.array([0., 1., -1.], np.float32)
    mm, mv = np.array([.1, .2, .3], np.float32), np.array([1., 2., 3.], np.float32)
    bn.set_weights([gamma, beta, mm, mv])
    xv = RNG.randn(8, 3).astype(np.float32) * 2 + 1
    mean, var = xv.mean(0), xv.var(0)
    train_out = run(y, {x: xv, K.learning_phase(): True})
    np.testing.assert_allclose(train_out, gamma * (xv - mean) / np.sqrt(var + 1e-3) + beta,
                               rtol=1e-4, atol=1e-5)
    test_out = run(y, {x: xv})
    np.testing.assert_allclose(test_out, gamma * (xv - mm) / np.sqrt(mv + 1e-3) + beta,
                               rtol=1e-4, atol=1e-5)
    assert len(bn.updates) == 2
    # a run-time flag: each update is a tf.cond whose true branch is the AssignMovingAvg op
    assert [u.name for u in bn.updates] == ["batch_normalization/cond_2/Merge",
                                            "batch_normalization/cond_3/Merge"]
    assert tf.get_default_graph().get_operation_by_name(
        "batch_normalization/cond_2/AssignMovingAvg").type == "AssignSub"
    assert bn.get_updates_for(x) == bn.updates
    run(bn.updates, {x: xv})   # learning phase False: the moving statistics do not move
    np.testing.assert_allclose(K.get_value(bn.moving_mean), mm, rtol=1e-6)
    run(bn.updates, {x: xv, K.learning_phase(): True})
    np.testing.assert_allclose(K.get_value(bn.moving_mean), 0.9 * mm + 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(K.get_value(bn.moving_variance), 0.9 * mv + 0.1 * var,
                               rtol=1e-5)   # non-fused: population variance


def test_batch_normalization_4d_is_fused_with_bessel_corrected_moving_variance():
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    bn = layers.BatchNormalization()
    y = bn(x, training=True)
    assert bn.fused
    xv = RNG.randn(4, 3, 3, 2).astype(np.float32)
    out = run(y, {x: xv})
    mean, var = xv.mean((0, 1, 2)), xv.var((0, 1, 2))
    np.testing.assert_allclose(out, (xv - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    run(bn.updates, {x: xv})
    n = 4 * 3 * 3
    np.testing.assert_allclose(K.get_value(bn.moving_mean), 0.01 * mean, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(K.get_value(bn.moving_variance), 0.99 + 0.01 * var * n / (n - 1),
                               rtol=1e-5)
    assert bn.get_config()["axis"] == [3]
    # a BatchNormalization with training=False builds no update
    bn2 = layers.BatchNormalization()
    bn2(x, training=False)
    assert bn2.updates == []


def gradient_error(build, xv, wrt_weights=False):
    """Largest |analytic - numeric| Jacobian entry of ``build(x)`` w.r.t. ``x`` (and the layer
    weights), float64, in a session with initialized variables."""
    x = tf.placeholder(tf.float64, xv.shape)
    layer, y = build(x)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        targets = [x] + ([w.value() for w in layer.trainable_weights] if wrt_weights else [])
        values = [xv] + ([sess.run(w) for w in layer.trainable_weights] if wrt_weights else [])
        worst = 0.0
        for i, (target, value) in enumerate(zip(targets, values)):
            others = {t: v for j, (t, v) in enumerate(zip(targets, values)) if j != i}
            worst = max(worst, compute_gradient_error(target, value.shape, y, y.shape.as_list(),
                                                      x_init_value=value, delta=1e-6,
                                                      extra_feed_dict=others))
        return worst


def test_batch_normalization_gradient_in_training_mode():
    def build(x):
        bn = layers.BatchNormalization(axis=1, gamma_initializer="random_normal")
        return bn, bn(x, training=True) * x
    assert gradient_error(build, RNG.randn(5, 3), wrt_weights=True) < 1e-7


# -- embeddings and masks --------------------------------------------------------------------------
def test_embedding_lookup_and_mask_zero():
    ids = tf.placeholder(tf.int32, [None, 4])
    emb = layers.Embedding(6, 3, mask_zero=True, input_length=4)
    e = emb(ids)
    assert names(emb) == ["embedding/embeddings:0"] and e.shape.as_list() == [None, 4, 3]
    table = RNG.randn(6, 3).astype(np.float32)
    emb.set_weights([table])
    idv = np.array([[1, 5, 0, 0], [2, 2, 3, 0]])
    got, mask = run([e, get_keras_mask(e)], {ids: idv})
    np.testing.assert_array_equal(got, table[idv])
    np.testing.assert_array_equal(mask, idv != 0)
    assert emb.get_config()["batch_input_shape"] == (None, 4)
    assert layers.Embedding(10, 2).get_config()["batch_input_shape"] == (None, None)


# -- merges ----------------------------------------------------------------------------------------
def test_merge_layers():
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [None, 3])
    c = tf.placeholder(tf.float32, [None, 2])
    av, bv, cv = (RNG.randn(2, n).astype(np.float32) for n in (3, 3, 2))
    outs = [layers.Add()([a, b]), layers.Subtract()([a, b]), layers.Multiply()([a, b]),
            layers.Average()([a, b]), layers.Maximum()([a, b]), layers.Minimum()([a, b]),
            layers.Concatenate()([a, c]), layers.concatenate([c, a], axis=1)]
    got = run(outs, {a: av, b: bv, c: cv})
    wants = [av + bv, av - bv, av * bv, (av + bv) / 2, np.maximum(av, bv), np.minimum(av, bv),
             np.concatenate([av, cv], 1), np.concatenate([cv, av], 1)]
    for g, w in zip(got, wants):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert outs[0].op.name == "add/add" and outs[6].op.name == "concatenate/concat"
    assert outs[6].shape.as_list() == [None, 5]
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()([a])
    with pytest.raises(ValueError, match="Operands could not be broadcast"):
        layers.Add()([a, c])
    with pytest.raises(ValueError, match="matching shapes except for the concat axis"):
        layers.Concatenate(axis=0)([a, c])


# -- recurrent layers ------------------------------------------------------------------------------
def np_simple_rnn(x, w, u, b):
    h = np.zeros((x.shape[0], w.shape[1]))
    out = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w + b + h @ u)
        out.append(h)
    return np.stack(out, 1), h


def np_lstm(x, w, u, b, mask=None, backwards=False):
    n = w.shape[1] // 4
    h = np.zeros((x.shape[0], n))
    c = np.zeros_like(h)
    out = []
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    for t in steps:
        z = x[:, t] @ w + h @ u + b
        i, f = hard_sigmoid(z[:, :n]), hard_sigmoid(z[:, n:2 * n])
        c_new = f * c + i * np.tanh(z[:, 2 * n:3 * n])
        h_new = hard_sigmoid(z[:, 3 * n:]) * np.tanh(c_new)
        if mask is not None:
            keep = mask[:, t:t + 1]
            h_new = np.where(keep, h_new, h)
            c_new = np.where(keep, c_new, c)
        h, c = h_new, c_new
        out.append(h)
    return np.stack(out, 1), h, c


def np_gru(x, w, u, b, reset_after=False):
    n = w.shape[1] // 3
    h = np.zeros((x.shape[0], n))
    out = []
    for t in range(x.shape[1]):
        bx = b[0] if reset_after else b
        xz = x[:, t] @ w + bx
        rz = h @ u[:, :2 * n] + (b[1][:2 * n] if reset_after else 0)
        z = hard_sigmoid(xz[:, :n] + rz[:, :n])
        r = hard_sigmoid(xz[:, n:2 * n] + rz[:, n:])
        if reset_after:
            hh = np.tanh(xz[:, 2 * n:] + r * (h @ u[:, 2 * n:] + b[1][2 * n:]))
        else:
            hh = np.tanh(xz[:, 2 * n:] + (r * h) @ u[:, 2 * n:])
        h = z * h + (1 - z) * hh
        out.append(h)
    return np.stack(out, 1), h


def test_simple_rnn_matches_numpy():
    x = tf.placeholder(tf.float64, [None, 4, 3])
    rnn = layers.SimpleRNN(2, return_sequences=True, return_state=True)
    seq, state = rnn(x)
    assert names(rnn) == ["simple_rnn/kernel:0", "simple_rnn/recurrent_kernel:0",
                          "simple_rnn/bias:0"]
    w, u, b = RNG.randn(3, 2), RNG.randn(2, 2), RNG.randn(2)
    rnn.set_weights([w, u, b])
    xv = RNG.randn(2, 4, 3)
    want_seq, want_h = np_simple_rnn(xv, w, u, b)
    got_seq, got_h = run([seq, state], {x: xv})
    np.testing.assert_allclose(got_seq, want_seq, rtol=1e-10)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-10)
    assert "simple_rnn/step_3/" in state.op.name


@pytest.mark.parametrize("implementation", [1, 2])
def test_lstm_matches_numpy_with_keras_defaults(implementation):
    x = tf.placeholder(tf.float64, [None, 5, 3])
    lstm = layers.LSTM(4, return_state=True, implementation=implementation)
    out, h, c = lstm(x)
    assert names(lstm) == ["lstm/kernel:0", "lstm/recurrent_kernel:0", "lstm/bias:0"]
    assert [w.shape.as_list() for w in lstm.weights] == [[3, 16], [4, 16], [16]]
    assert lstm.get_config()["recurrent_activation"] == "hard_sigmoid"
    bias = K.get_value(lstm.cell.bias)   # unit_forget_bias: ones for the forget gate
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    w, u, b = RNG.randn(3, 16) * .5, RNG.randn(4, 16) * .5, RNG.randn(16) * .5
    lstm.set_weights([w, u, b])
    xv = RNG.randn(2, 5, 3)
    _, want_h, want_c = np_lstm(xv, w, u, b)
    got = run([out, h, c], {x: xv})
    np.testing.assert_allclose(got[0], want_h, rtol=1e-10)
    np.testing.assert_allclose(got[1], want_h, rtol=1e-10)
    np.testing.assert_allclose(got[2], want_c, rtol=1e-10)


def test_lstm_masking_and_go_backwards():
    ids = tf.placeholder(tf.int32, [None, 4])
    emb = layers.Embedding(5, 3, mask_zero=True)
    e = emb(ids)
    lstm = layers.LSTM(2, return_sequences=True)
    seq = lstm(e)
    back = layers.LSTM(2, go_backwards=True)
    last = back(e)
    table = RNG.randn(5, 3)
    emb.set_weights([table])
    w, u, b = RNG.randn(3, 8), RNG.randn(2, 8), RNG.randn(8)
    lstm.set_weights([w, u, b])
    back.set_weights([w, u, b])
    idv = np.array([[1, 2, 0, 0], [3, 1, 4, 2]])
    mask = idv != 0
    got_seq, got_last = run([seq, last], {ids: idv})
    want_seq, _, _ = np_lstm(table[idv], w, u, b, mask=mask)
    np.testing.assert_allclose(got_seq, want_seq, rtol=1e-5)
    np.testing.assert_allclose(got_seq[0, 2], got_seq[0, 1])  # masked step repeats the output
    _, want_last, _ = np_lstm(table[idv], w, u, b, mask=mask, backwards=True)
    np.testing.assert_allclose(got_last, want_last, rtol=1e-5)
    np.testing.assert_array_equal(run(get_keras_mask(seq), {ids: idv}), mask)


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_matches_numpy(reset_after):
    x = tf.placeholder(tf.float64, [None, 3, 2])
    gru = layers.GRU(3, reset_after=reset_after)
    y = gru(x)
    assert names(gru) == ["gru/kernel:0", "gru/recurrent_kernel:0", "gru/bias:0"]
    assert gru.cell.bias.shape.as_list() == ([2, 9] if reset_after else [9])
    w, u = RNG.randn(2, 9), RNG.randn(3, 9)
    b = RNG.randn(2, 9) if reset_after else RNG.randn(9)
    gru.set_weights([w, u, b])
    xv = RNG.randn(2, 3, 2)
    np.testing.assert_allclose(run(y, {x: xv}), np_gru(xv, w, u, b, reset_after)[1], rtol=1e-10)


def test_rnn_needs_a_known_time_dimension():
    with pytest.raises(ValueError, match="time dimension of the RNN input is unknown"):
        layers.LSTM(2)(tf.placeholder(tf.float32, [None, None, 3]))
    with pytest.raises(ValueError, match="stateful=True RNNs are not supported"):
        layers.LSTM(2, stateful=True)


def test_lstm_gradient_through_time():
    def build(x):
        lstm = layers.LSTM(2, return_sequences=True)
        return lstm, lstm(x)
    assert gradient_error(build, RNG.randn(2, 3, 2), wrt_weights=True) < 1e-7


def test_bidirectional_lstm():
    x = tf.placeholder(tf.float64, [None, 4, 3])
    bi = layers.Bidirectional(layers.LSTM(2, return_sequences=True))
    y = bi(x)
    assert y.shape.as_list() == [None, 4, 4]
    assert names(bi) == ["bidirectional/forward_lstm/kernel:0",
                         "bidirectional/forward_lstm/recurrent_kernel:0",
                         "bidirectional/forward_lstm/bias:0",
                         "bidirectional/backward_lstm/kernel:0",
                         "bidirectional/backward_lstm/recurrent_kernel:0",
                         "bidirectional/backward_lstm/bias:0"]
    weights = [RNG.randn(3, 8), RNG.randn(2, 8), RNG.randn(8),
               RNG.randn(3, 8), RNG.randn(2, 8), RNG.randn(8)]
    bi.set_weights(weights)
    xv = RNG.randn(2, 4, 3)
    fwd, _, _ = np_lstm(xv, *weights[:3])
    bwd, _, _ = np_lstm(xv, *weights[3:], backwards=True)
    want = np.concatenate([fwd, bwd[:, ::-1]], axis=-1)
    np.testing.assert_allclose(run(y, {x: xv}), want, rtol=1e-10)
    cfg = bi.get_config()
    assert cfg["merge_mode"] == "concat" and cfg["layer"]["class_name"] == "LSTM"


# -- functional-API metadata -----------------------------------------------------------------------
def test_input_layer_and_node_history():
    inp = keras.Input(shape=(3,))
    assert inp.op.type == "Placeholder" and inp.op.name == "input_1"
    assert inp.shape.as_list() == [None, 3]
    input_layer = get_keras_history(inp).layer
    assert isinstance(input_layer, layers.InputLayer)
    d1, d2 = layers.Dense(4), layers.Dense(2)
    h = d1(inp)
    y = d2(h)
    hist = get_keras_history(y)
    assert hist.layer is d2 and hist.node_index == 0 and hist.tensor_index == 0
    node = d2.inbound_nodes[0]
    assert node.inbound_layers == [d1] and node.input_tensors == [h]
    assert d1.inbound_nodes[0].inbound_layers == [input_layer]
    assert d1.outbound_nodes == [node]
    assert (d1.input is inp, d1.output is h) == (True, True)
    assert d1.input_shape == (None, 3) and d2.output_shape == (None, 2)
    second = d1(keras.Input(shape=(3,)))
    assert get_keras_history(second).node_index == 1
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        d1.output
    assert d1.get_output_at(1) is second
    identity = layers.Activation("linear")
    passed = identity(inp)
    assert passed is not inp and get_keras_history(inp).layer is input_layer
    assert layers.InputLayer(input_shape=(2,), name="feats").get_config()["batch_input_shape"] \
        == (None, 2)


def test_training_argument_is_passed_from_the_call_context():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.drop = layers.Dropout(0.5)

        def call(self, inputs, training=None):
            return self.drop(inputs)

    x = tf.placeholder(tf.float32, [50, 20])
    y = Block()(x, training=True)
    assert (run(y, {x: np.ones((50, 20), np.float32)}) == 0).any()


# -- configs ---------------------------------------------------------------------------------------
ROUND_TRIP = [
    lambda: layers.Dense(3, activation="relu", kernel_regularizer="l2", input_dim=4),
    lambda: layers.Activation("tanh"),
    lambda: layers.Dropout(0.3, seed=1),
    lambda: layers.Flatten(),
    lambda: layers.Reshape((2, 3)),
    lambda: layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
    lambda: layers.MaxPooling2D(3),
    lambda: layers.AveragePooling2D(),
    lambda: layers.GlobalAveragePooling2D(),
    lambda: layers.GlobalMaxPooling2D(),
    lambda: layers.BatchNormalization(momentum=0.9),
    lambda: layers.Embedding(10, 4, input_length=5),
    lambda: layers.SimpleRNN(3),
    lambda: layers.LSTM(3, return_sequences=True, dropout=0.1),
    lambda: layers.GRU(3, reset_after=True),
    lambda: layers.Bidirectional(layers.GRU(2), merge_mode="sum"),
    lambda: layers.Concatenate(axis=1),
    lambda: layers.Add(),
    lambda: layers.LeakyReLU(0.1),
    lambda: layers.InputLayer(input_shape=(3,)),
]


@pytest.mark.parametrize("make", ROUND_TRIP)
def test_get_config_from_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == config


def test_custom_layer_subclass():
    class Scale(layers.Layer):
        def __init__(self, units, **kwargs):
            self.units = units
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(input_shape[-1], self.units),
                                     initializer="ones")
            self.steps = self.add_weight("steps", shape=(), dtype="int32", trainable=False)
            super().build(input_shape)

        def call(self, inputs):
            return tf.matmul(inputs, self.w)

    x = tf.placeholder(tf.float32, [None, 2])
    layer = Scale(3)
    y = layer(x)
    assert layer.name == "scale" and names(layer) == ["scale/w:0", "scale/steps:0"]
    assert layer.non_trainable_weights == [layer.steps]
    np.testing.assert_allclose(run(y, {x: [[1., 2.]]}), [[3., 3., 3.]])
    with pytest.raises(NotImplementedError, match="must override `get_config`"):
        layer.get_config()
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_set_weights_errors():
    d = layers.Dense(2)
    d(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        d.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"weight shape \(3, 2\) not compatible with provided "
                                         r"weight shape \(2, 2\)"):
        d.set_weights([np.zeros((2, 2)), np.zeros(2)])
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(1).count_params()


def test_get_session_initializes_only_new_variables():
    x = tf.placeholder(tf.float32, [None, 2])
    d = layers.Dense(1, kernel_initializer="ones")
    d(x)
    d.set_weights([np.full((2, 1), 5.0), np.zeros(1)])
    d2 = layers.Dense(1)
    d2(x)
    np.testing.assert_array_equal(d.get_weights()[0], np.full((2, 1), 5.0))  # kept
    assert d2.get_weights()[0].shape == (2, 1)


def test_masking_and_more_activation_layers():
    x = tf.placeholder(tf.float32, [None, 3, 2])
    masked = layers.Masking(0.0)(x)
    xv = np.array([[[1, 2], [0, 0], [3, -4]]], np.float32)
    got, mask = run([masked, get_keras_mask(masked)], {x: xv})
    np.testing.assert_array_equal(got, xv)
    np.testing.assert_array_equal(mask, [[True, False, True]])
    relu6 = layers.ReLU(max_value=6.0)(x)
    elu = layers.ELU(alpha=0.5)(x)
    soft = layers.Softmax(axis=1)(x)
    xv = RNG.randn(2, 3, 2).astype(np.float32) * 5
    r, e, s = run([relu6, elu, soft], {x: xv})
    np.testing.assert_allclose(r, np.clip(xv, 0, 6))
    np.testing.assert_allclose(e, np.where(xv > 0, xv, 0.5 * np.expm1(xv)), rtol=1e-5)
    np.testing.assert_allclose(s.sum(axis=1), np.ones((2, 2)), rtol=1e-6)


def test_rnn_with_stacked_cells_tf_cells_and_keras_initial_state():
    x = keras.Input(shape=(4, 3))
    stacked = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)
    out, h1, c1, h2 = stacked(x)
    assert out.shape.as_list() == [None, 2] and c1.shape.as_list() == [None, 3]
    assert names(stacked) == ["rnn/kernel:0", "rnn/recurrent_kernel:0", "rnn/bias:0",
                              "rnn/kernel_1:0", "rnn/recurrent_kernel_1:0", "rnn/bias_1:0"]
    tf_cell = layers.RNN(tf.nn.rnn_cell.BasicLSTMCell(4))(x)
    assert tf_cell.shape.as_list() == [None, 4]
    _, h, c = layers.LSTM(5, return_state=True)(x)
    decoder = layers.LSTM(5, return_sequences=True)
    y = decoder(keras.Input(shape=(2, 3)), initial_state=[h, c])
    node = decoder.inbound_nodes[0]
    assert len(node.input_tensors) == 3 and node.input_tensors[1:] == [h, c]
    xv = RNG.randn(2, 4, 3).astype(np.float32)
    feed = {x: xv, node.input_tensors[0]: RNG.randn(2, 2, 3).astype(np.float32)}
    assert run(y, feed).shape == (2, 2, 5)
    assert run(out, feed).shape == (2, 2) and run(tf_cell, feed).shape == (2, 4)


def test_backend_helpers():
    x = tf.placeholder(tf.float32, [None, 3])
    assert K.int_shape(x) == (None, 3) and K.ndim(x) == 2 and K.dtype(x) == "float32"
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    phase = K.learning_phase()
    assert phase.op.name == "keras_learning_phase" and phase is K.learning_phase()
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        y = layers.Dropout(0.5)(x)   # built for training only
    assert K.learning_phase() is phase
    assert (run(y, {x: np.ones((100, 3), np.float32)}) == 0).any()
    with pytest.raises(ValueError, match="0 or 1"):
        K.set_learning_phase(2)
    assert not K.is_keras_tensor(x) and K.is_keras_tensor(keras.Input(shape=(2,)))
    with tf.Session() as sess:
        K.set_session(sess)
        v = layers.Dense(1)
        v(x)
        assert K.get_session() is sess
        K.set_value(v.bias, np.array([2.0]))
        np.testing.assert_array_equal(sess.run(v.bias), [2.0])
