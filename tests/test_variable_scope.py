"""get_variable and variable_scope: naming, reuse, AUTO_REUSE, initializers, TF1's errors."""
import numpy as np
import pytest

import tfone as tf


def test_get_variable_names_and_scopes():
    with tf.variable_scope("layer1"):
        w = tf.get_variable("w", shape=[2, 3], initializer=tf.constant_initializer(1.0))
        y = tf.identity(w)
    assert w.name == "layer1/w:0"
    assert y.op.name == "layer1/Identity"
    with tf.variable_scope("outer"):
        with tf.variable_scope("inner"):
            v = tf.get_variable("v", [1], initializer=tf.zeros_initializer())
    assert v.name == "outer/inner/v:0"


def test_variables_ignore_name_scopes():
    with tf.name_scope("ns"):
        v = tf.get_variable("v", [1], initializer=tf.zeros_initializer())
        c = tf.constant(1.0, name="c")
    assert v.name == "v:0"
    assert c.op.name == "ns/c"


def test_reuse_true_shares_and_missing_raises():
    with tf.variable_scope("s"):
        a = tf.get_variable("a", [2], initializer=tf.zeros_initializer())
    with tf.variable_scope("s", reuse=True):
        b = tf.get_variable("a")
        with pytest.raises(ValueError, match="does not exist"):
            tf.get_variable("missing", [1])
    assert a is b


def test_accidental_reuse_raises_tf1_error():
    with tf.variable_scope("s"):
        tf.get_variable("a", [2], initializer=tf.zeros_initializer())
    with pytest.raises(ValueError, match="already exists, disallowed. Did you mean to set reuse"):
        with tf.variable_scope("s"):
            tf.get_variable("a", [2])


def test_auto_reuse_and_shape_check():
    def layer():
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3], initializer=tf.ones_initializer())
    assert layer() is layer()
    with tf.variable_scope("shared", reuse=True):
        with pytest.raises(ValueError, match="specified shape"):
            tf.get_variable("w", [4])


def test_reuse_variables_and_inheritance():
    with tf.variable_scope("model") as scope:
        w1 = tf.get_variable("w", [1], initializer=tf.zeros_initializer())
        scope.reuse_variables()
        w2 = tf.get_variable("w")
        with tf.variable_scope("sub"):
            assert tf.get_variable_scope().reuse is True
    assert w1 is w2


def test_reentering_scope_object_reenters_name_scope():
    with tf.variable_scope("enc") as scope:
        tf.constant(0.0, name="c1")
    with tf.variable_scope(scope, reuse=True):
        c = tf.constant(0.0, name="c2")
    assert c.op.name == "enc/c2"
    with tf.variable_scope("enc", reuse=True):
        d = tf.constant(0.0, name="c3")
    assert d.op.name == "enc_1/c3"


def test_default_name_uniquifies():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="dense"):
            names.append(tf.get_variable("kernel", [1], initializer=tf.zeros_initializer()).name)
    assert names == ["dense/kernel:0", "dense_1/kernel:0", "dense_2/kernel:0"]


def test_scope_initializer_and_default_glorot():
    with tf.variable_scope("init", initializer=tf.constant_initializer(7.0)):
        v = tf.get_variable("v", [2])
    w = tf.get_variable("w", [20, 30])
    i = tf.get_variable("i", [3], dtype=tf.int32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.array_equal(sess.run(v), [7.0, 7.0])
        limit = np.sqrt(6.0 / 50)
        values = sess.run(w)
        assert values.std() > 0 and np.abs(values).max() <= limit
        assert np.array_equal(sess.run(i), [0, 0, 0])


def test_constant_initializer_value_and_regularizer():
    v = tf.get_variable("v", initializer=tf.constant([1.0, 2.0]))
    assert v.shape.as_list() == [2]
    r = tf.get_variable("r", [2], initializer=tf.ones_initializer(),
                        regularizer=lambda t: tf.reduce_sum(t * t))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].op.name.startswith("r/Regularizer/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(losses[0]) == 2.0
    assert r.trainable


def test_get_variable_needs_shape():
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("nope")


def test_invalid_reuse_value():
    with pytest.raises(ValueError, match="reuse parameter"):
        with tf.variable_scope("x", reuse="yes"):
            pass
