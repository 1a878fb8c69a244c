"""tf.contrib.layers (initializers, regularizers, fully_connected, flatten) and tf.contrib.rnn:
TF 1.x contrib formulas and variable / op names."""
import numpy as np
import pytest

import tfone as tf


def test_xavier_and_variance_scaling_initializers():
    w = tf.get_variable("w", [100, 50], initializer=tf.contrib.layers.xavier_initializer())
    n = tf.get_variable("n", [100, 50],
                        initializer=tf.contrib.layers.xavier_initializer(uniform=False))
    he = tf.get_variable("he", [3, 3, 16, 32],
                         initializer=tf.contrib.layers.variance_scaling_initializer())
    out = tf.get_variable("out", [3, 3, 16, 32], initializer=tf.contrib.layers
                          .variance_scaling_initializer(factor=1.0, mode="FAN_OUT",
                                                        uniform=True, seed=3))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, n, he, out = sess.run([w, n, he, out])
    limit = np.sqrt(6.0 / 150)              # uniform on +-sqrt(3 * 1 / fan_avg)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    # contrib's truncated normal: stddev sqrt(1.3 * factor / n), cut at 2 stddev
    assert np.abs(n).max() <= 2 * np.sqrt(1.3 / 75) + 1e-6
    assert np.abs(he).max() <= 2 * np.sqrt(1.3 * 2 / 144) + 1e-6
    assert he.std() == pytest.approx(np.sqrt(2.0 / 144), rel=0.05)
    assert np.abs(out).max() <= np.sqrt(3.0 / 288) + 1e-6
    with pytest.raises(TypeError, match="mode"):
        tf.contrib.layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating"):
        tf.contrib.layers.xavier_initializer(dtype=tf.int32)


def test_regularizers():
    x = tf.constant([1.0, -2.0, 3.0])
    l1 = tf.contrib.layers.l1_regularizer(0.5)(x)
    l2 = tf.contrib.layers.l2_regularizer(0.5)(x)
    both = tf.contrib.layers.l1_l2_regularizer(0.5, 0.25)(x)
    assert l2.op.name == "l2_regularizer" and l1.op.name == "l1_regularizer"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run([l1, l2, both]), [3.0, 3.5, 3.0 + 1.75], rtol=1e-6)
    assert tf.contrib.layers.l2_regularizer(0.0)(x) is None
    with pytest.raises(ValueError, match="integer"):
        tf.contrib.layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        tf.contrib.layers.l1_regularizer(-0.1)
    assert tf.contrib.layers.sum_regularizer([None]) is None


def test_regularizer_in_get_variable_and_apply_regularization():
    w = tf.get_variable("w", initializer=tf.constant([[1.0, 2.0]]),
                        regularizer=tf.contrib.layers.l2_regularizer(0.1))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.name for t in losses] == ["w/Regularizer/l2_regularizer:0"]
    v = tf.constant([3.0])
    penalty = tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(1.0),
                                                     [w, v])
    assert penalty.name == "get_regularization_penalty:0"
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)[-1] is penalty
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(losses[0]) == pytest.approx(0.25)
        assert sess.run(penalty) == pytest.approx(6.0)
    with pytest.raises(ValueError, match="No weights"):
        tf.contrib.layers.apply_regularization(tf.contrib.layers.l1_regularizer(1.0))


def test_fully_connected_names_defaults_and_values():
    x = tf.placeholder(tf.float32, [None, 4], name="X")
    h1 = tf.contrib.layers.fully_connected(x, 5, scope="hidden1")
    h2 = tf.contrib.layers.fully_connected(h1, 3)
    logits = tf.contrib.layers.fully_connected(h2, 2, activation_fn=None)
    assert [v.name for v in tf.trainable_variables()] == [
        "hidden1/weights:0", "hidden1/biases:0", "fully_connected/weights:0",
        "fully_connected/biases:0", "fully_connected_1/weights:0", "fully_connected_1/biases:0"]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == tf.global_variables()
    assert (h1.name, h2.name, logits.name) == ("hidden1/Relu:0", "fully_connected/Relu:0",
                                               "fully_connected_1/BiasAdd:0")
    assert logits.shape.as_list() == [None, 2]
    data = np.random.RandomState(0).randn(3, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ws = sess.run(tf.trainable_variables())
        got = sess.run(logits, {x: data})
    a1 = np.maximum(data @ ws[0] + ws[1], 0)
    a2 = np.maximum(a1 @ ws[2] + ws[3], 0)
    np.testing.assert_allclose(got, a2 @ ws[4] + ws[5], rtol=1e-5, atol=1e-6)
    with tf.variable_scope("", reuse=True):
        again = tf.contrib.layers.fully_connected(x, 5, scope="hidden1")
    assert len(tf.trainable_variables()) == 6 and again.name.startswith("hidden1_1/")


def test_fully_connected_with_normalizer_and_collections():
    x = tf.placeholder(tf.float32, [None, 4])
    out = tf.contrib.layers.fully_connected(
        x, 3, normalizer_fn=lambda t, scale: t * scale, normalizer_params={"scale": 2.0},
        variables_collections={"weights": ["my_weights"]}, outputs_collections=["outs"],
        scope="fc")
    assert [v.name for v in tf.trainable_variables()] == ["fc/weights:0"]   # no biases
    assert [v.name for v in tf.get_collection("my_weights")] == ["fc/weights:0"]
    assert tf.get_collection("outs") == [out]


def test_flatten_and_rnn_aliases():
    images = tf.placeholder(tf.float32, [None, 4, 4, 3])
    flat = tf.contrib.layers.flatten(images)
    assert flat.shape.as_list() == [None, 48] and flat.name.startswith("Flatten/")
    assert tf.contrib.rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell
    cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.GRUCell(3), tf.contrib.rnn.GRUCell(3)])
    outputs, state = tf.contrib.rnn.static_rnn(cell, tf.unstack(tf.ones([2, 5, 4]), axis=1),
                                               dtype=tf.float32)
    assert len(outputs) == 5 and outputs[-1].shape.as_list() == [2, 3]


def test_unknown_contrib_modules_say_what_to_use():
    with pytest.raises(AttributeError, match="tf.contrib.slim.*tf.layers"):
        tf.contrib.slim
    with pytest.raises(AttributeError, match="static_rnn"):
        tf.contrib.rnn.AttentionCellWrapper


def test_output_and_input_projection_wrappers():
    x = tf.placeholder(tf.float32, [None, 5, 2])
    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.BasicRNNCell(4, activation=tf.nn.relu), output_size=1)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert outputs.shape.as_list() == [None, 5, 1] and state.shape.as_list() == [None, 4]
    assert [v.name for v in tf.global_variables()] == [
        "rnn/output_projection_wrapper/basic_rnn_cell/kernel:0",
        "rnn/output_projection_wrapper/basic_rnn_cell/bias:0",
        "rnn/output_projection_wrapper/kernel:0", "rnn/output_projection_wrapper/bias:0"]
    data = np.random.RandomState(1).randn(3, 5, 2).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        k, b, pk, pb = sess.run(tf.global_variables())
        got_out, got_state = sess.run([outputs, state], {x: data})
    h = np.zeros((3, 4), np.float32)
    for t in range(5):
        h = np.maximum(np.concatenate([data[:, t], h], 1) @ k + b, 0)
        np.testing.assert_allclose(got_out[:, t], h @ pk + pb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, h, rtol=1e-5, atol=1e-6)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 5, 2])
    wrapped = tf.contrib.rnn.InputProjectionWrapper(tf.contrib.rnn.GRUCell(3), num_proj=6)
    outputs, _ = tf.nn.dynamic_rnn(wrapped, x, dtype=tf.float32)
    assert outputs.shape.as_list() == [None, 5, 3]
    assert "rnn/input_projection_wrapper/kernel:0" in [v.name for v in tf.global_variables()]
    with pytest.raises(ValueError, match="output_size must be > 0"):
        tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.GRUCell(3), 0)


# -- batch_norm ------------------------------------------------------------------------------
EPS = 1e-3


def _normalized(x, axes):
    return (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + EPS)


def test_batch_norm_in_fully_connected_with_forced_updates():
    # Hands-On ML (1st ed.), chapter 11: batch_norm as fully_connected's normalizer_fn with
    # updates_collections=None, so each training run also moves the averages.
    x = np.random.RandomState(0).randn(8, 5).astype(np.float32)
    X = tf.placeholder(tf.float32, [None, 5])
    is_training = tf.placeholder(tf.bool, ())
    bn_params = {"is_training": is_training, "decay": 0.99, "updates_collections": None}
    hidden = tf.contrib.layers.fully_connected(X, 4, scope="hidden1",
                                               normalizer_fn=tf.contrib.layers.batch_norm,
                                               normalizer_params=bn_params)
    names = ["hidden1/weights:0", "hidden1/BatchNorm/beta:0",      # scale=False: no gamma
             "hidden1/BatchNorm/moving_mean:0", "hidden1/BatchNorm/moving_variance:0"]
    assert [v.name for v in tf.global_variables()] == names
    assert [v.name for v in tf.trainable_variables()] == names[:2]
    assert [v.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)] == names
    assert not tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert hidden.name == "hidden1/Relu:0" and hidden.shape.as_list() == [None, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run(tf.global_variables()[0])
        z = x @ weights
        out = sess.run(hidden, {X: x, is_training: True})
        np.testing.assert_allclose(out, np.maximum(_normalized(z, 0), 0), atol=1e-5)
        mean, var = sess.run(tf.global_variables()[2:])
        np.testing.assert_allclose(mean, 0.01 * z.mean(0), rtol=1e-5, atol=1e-7)
        # fused batch norm: the moving variance gets the Bessel-corrected batch variance
        np.testing.assert_allclose(var, 0.99 + 0.01 * z.var(0, ddof=1), rtol=1e-6)
        out = sess.run(hidden, {X: x, is_training: False})        # moving statistics,
        np.testing.assert_allclose(out, np.maximum((z - mean) / np.sqrt(var + EPS), 0),
                                   atol=1e-5)
        np.testing.assert_array_equal(sess.run(tf.global_variables()[2]), mean)  # no update


def test_batch_norm_default_update_ops_for_2d_and_4d_inputs():
    rng = np.random.RandomState(1)
    x2 = rng.randn(6, 3).astype(np.float32)
    x4 = rng.randn(3, 4, 5, 2).astype(np.float32)
    y2 = tf.contrib.layers.batch_norm(x2, scale=True, param_initializers={
        "gamma": tf.constant_initializer(2.0), "beta": tf.constant_initializer(0.5)})
    y4 = tf.contrib.layers.batch_norm(x4, decay=0.9)
    assert [v.name for v in tf.global_variables()] == [
        "BatchNorm/beta:0", "BatchNorm/gamma:0", "BatchNorm/moving_mean:0",
        "BatchNorm/moving_variance:0", "BatchNorm_1/beta:0", "BatchNorm_1/moving_mean:0",
        "BatchNorm_1/moving_variance:0"]
    assert len(tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)) == 7
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 4
    assert y2.shape.as_list() == [6, 3] and y4.shape.as_list() == [3, 4, 5, 2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out2, out4 = sess.run([y2, y4])
        np.testing.assert_allclose(out2, 2.0 * _normalized(x2, 0) + 0.5, atol=1e-5)
        np.testing.assert_allclose(out4, _normalized(x4, (0, 1, 2)), atol=1e-5)
        moving = [v for v in tf.global_variables() if "moving" in v.name]
        np.testing.assert_array_equal(sess.run(moving[0]), [0, 0, 0])   # not run yet
        sess.run(updates)
        m2, v2, m4, v4 = sess.run(moving)
    np.testing.assert_allclose(m2, 0.001 * x2.mean(0), rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(v2, 0.999 + 0.001 * x2.var(0, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(m4, 0.1 * x4.mean((0, 1, 2)), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(v4, 0.9 + 0.1 * x4.var((0, 1, 2), ddof=1), rtol=1e-5)


def test_batch_norm_moments_paths_and_data_format():
    rng = np.random.RandomState(2)
    x3 = rng.randn(3, 4, 2).astype(np.float32)
    x2 = rng.randn(5, 2).astype(np.float32)
    nchw = rng.randn(3, 2, 4, 5).astype(np.float32)
    y3 = tf.contrib.layers.batch_norm(x3, decay=0.9, scope="rank3")    # tf.layers, not fused
    legacy = tf.contrib.layers.batch_norm(x2, fused=False, updates_collections=None,
                                          scope="legacy", activation_fn=tf.nn.relu)
    y_nchw = tf.contrib.layers.batch_norm(nchw, data_format="NCHW", scope="nchw")
    assert legacy.name == "legacy/Relu:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out3, out_legacy, out_nchw = sess.run([y3, legacy, y_nchw])
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
        v3, v_legacy, v_nchw = sess.run([tf.global_variables(s + "/moving_variance")[0]
                                          for s in ("rank3", "legacy", "nchw")])
    np.testing.assert_allclose(out3, _normalized(x3, (0, 1)), atol=1e-5)
    np.testing.assert_allclose(out_legacy, np.maximum(_normalized(x2, 0), 0), atol=1e-5)
    np.testing.assert_allclose(out_nchw, _normalized(nchw, (0, 2, 3)), atol=1e-5)
    np.testing.assert_allclose(v3, 0.9 + 0.1 * x3.var((0, 1)), rtol=1e-6)       # population
    np.testing.assert_allclose(v_legacy, 0.999 + 0.001 * x2.var(0), rtol=1e-6)  # variance
    np.testing.assert_allclose(v_nchw, 0.999 + 0.001 * nchw.var((0, 2, 3), ddof=1), rtol=1e-6)


def test_batch_norm_reuse_inference_and_errors():
    x = np.random.RandomState(3).randn(4, 3).astype(np.float32)
    train = tf.contrib.layers.batch_norm(x, scope="bn", updates_collections=None)
    test = tf.contrib.layers.batch_norm(x, scope="bn", reuse=True, is_training=False)
    assert len(tf.global_variables()) == 3                 # beta, moving_mean, moving_variance
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(test)
        np.testing.assert_allclose(before, x / np.sqrt(1 + EPS), rtol=1e-5)   # mean 0, var 1
        sess.run(train)
        mean, var = sess.run(tf.global_variables()[1:])
        np.testing.assert_allclose(sess.run(test), (x - mean) / np.sqrt(var + EPS), rtol=1e-5)
    zero_debias = tf.contrib.layers.batch_norm(x, zero_debias_moving_mean=True, scope="zd")
    assert zero_debias.shape.as_list() == [4, 3]
    assert "zd/zd/moving_mean/biased:0" in [v.name for v in tf.global_variables()]  # as TF1
    with pytest.raises(ValueError, match="not supported"):
        tf.contrib.layers.batch_norm(x, renorm=True)
    with pytest.raises(ValueError, match="NCHW or NHWC"):
        tf.contrib.layers.batch_norm(np.zeros((2, 3, 3, 1), np.float32), data_format="HWC",
                                     fused=False)
    with pytest.raises(ValueError, match="C` dimension"):
        tf.contrib.layers.batch_norm(tf.placeholder(tf.float32, [None, None]))
