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
