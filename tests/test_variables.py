"""tf.Variable: ops it builds, initialization, reads, assignments, collections, errors."""
import numpy as np
import pytest

import tfone as tf


def test_variable_builds_tf1_ops():
    W = tf.Variable(tf.zeros([2, 3]), name="W")
    b = tf.Variable(0.5, name="b")
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["zeros", "W", "W/Assign", "W/read", "b/initial_value", "b", "b/Assign", "b/read"]
    assert W.name == "W:0" and W.op.type == "VariableV2"
    assert W.initializer.name == "W/Assign" and W.value().name == "W/read:0"
    assert W.initial_value.op.name == "zeros"
    assert W.shape.as_list() == [2, 3] and W.dtype == tf.float32
    assert repr(W) == "<tf.Variable 'W:0' shape=(2, 3) dtype=float32_ref>"
    assert b.dtype == tf.float32
    W2 = tf.Variable(tf.zeros([1]), name="W")
    assert W2.name == "W_1:0"
    default = tf.Variable(1)
    assert default.name == "Variable:0" and default.dtype == tf.int32


def test_callable_initial_value_and_dtype():
    v = tf.Variable(lambda: tf.ones([2]), name="v")
    assert v.initial_value.op.name.startswith("v/Initializer/")
    d = tf.Variable([1, 2], dtype=tf.float64, name="d")
    assert d.dtype == tf.float64
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()


def test_initialization_and_reads():
    W = tf.Variable([[1.0, 2.0]], name="W")
    y = W * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value W"):
            sess.run(y)
        assert list(sess.run(tf.report_uninitialized_variables())) == [b"W"]
        assert not sess.run(tf.is_variable_initialized(W))
        sess.run(tf.global_variables_initializer())
        assert sess.run(tf.is_variable_initialized(W))
        assert sess.run(tf.report_uninitialized_variables()).size == 0
        assert np.array_equal(sess.run(y), [[2.0, 4.0]])
        assert np.array_equal(W.eval(), [[1.0, 2.0]])


def test_assign_ops_update_in_place():
    v = tf.Variable([1.0, 2.0], name="v")
    set_op = v.assign([5.0, 6.0])
    add_op = v.assign_add([1.0, 1.0])
    sub_op = v.assign_sub([0.5, 0.5])
    with tf.Session() as sess:
        sess.run(v.initializer)
        buffer_before = sess._ctx.variables["v"]
        assert np.array_equal(sess.run(set_op), [5.0, 6.0])
        assert np.array_equal(sess.run(add_op), [6.0, 7.0])
        assert np.array_equal(sess.run(sub_op), [5.5, 6.5])
        assert sess._ctx.variables["v"] is buffer_before  # same buffer: updates are in place
        assert sess.run(v).dtype == np.float32
    with pytest.raises(ValueError, match="incompatible"):
        v.assign([1.0, 2.0, 3.0])


def test_assign_read_value_false_returns_op():
    v = tf.Variable(1.0)
    op = v.assign(2.0, read_value=False)
    assert isinstance(op, tf.Operation)


def test_load_and_initializer_with_feed():
    v = tf.Variable(np.zeros((2, 2), np.float32), name="v")
    with tf.Session() as sess:
        v.load(np.eye(2), sess)
        assert np.array_equal(sess.run(v), np.eye(2))


def test_collections_and_trainable():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b", trainable=False)
    c = tf.Variable(3.0, name="c", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [a, b]
    assert tf.trainable_variables() == [a]
    assert tf.local_variables() == [c]
    init = tf.variables_initializer([a])
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(b)
        sess.run(tf.local_variables_initializer())
        assert sess.run(c) == 3.0
    assert tf.global_variables_initializer().name.startswith("init")


def test_variable_in_expressions_and_operators():
    W = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="W")
    x = tf.constant([[1.0, 1.0]])
    y = tf.matmul(x, W) + W[0] - 1.0
    z = 2.0 * W
    with tf.Session() as sess:
        sess.run(W.initializer)
        assert np.array_equal(sess.run(y), [[4.0, 7.0]])
        assert np.array_equal(sess.run(z), [[2.0, 4.0], [6.0, 8.0]])
        assert np.array_equal(sess.run(-W), [[-1.0, -2.0], [-3.0, -4.0]])


def test_dependent_initial_value():
    a = tf.Variable(2.0, name="a")
    b = tf.Variable(a.initialized_value() * 3.0, name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(b) == 6.0


def test_shape_must_be_known():
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="must have a shape specified"):
        tf.Variable(x)
    v = tf.Variable(x, validate_shape=False)
    assert v.shape.ndims is None


def test_variables_cannot_be_pickled_or_iterated():
    import pickle
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(TypeError):
        pickle.dumps(v)
    with pytest.raises(TypeError, match="not iterable"):
        iter(v)
