"""Const, variable state ops (VariableV2, Assign*, checks) and control ops (NoOp)."""
import numpy as np
import pytest

import tfone as tf
from tfone.ops import control_flow_ops, state_ops

REFERENCE_CHECKED = {"Const", "VariableV2", "Assign", "AssignAdd", "AssignSub",
                     "IsVariableInitialized", "ReportUninitializedVariables",
                     "AssertVariablesInitialized", "InitializedValue", "NoOp"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = set()  # none of these ops is differentiable


def test_const_value_dtype_shape():
    value = np.arange(6, dtype=np.float64).reshape(2, 3)
    c = tf.constant(value)
    assert c.op.type == "Const" and c.dtype == tf.float64 and c.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        out = sess.run(c)
    assert np.array_equal(out, value) and out.dtype == np.float64
    assert tf.constant(3).shape.as_list() == []
    assert tf.constant("text").dtype == tf.string
    with tf.Session() as sess:
        assert sess.run(tf.constant("text")) == b"text"


def test_variable_ops_reference_and_shapes():
    v = tf.Variable(np.array([1.0, 2.0], np.float32), name="v")
    assert v.op.type == "VariableV2" and v._ref().shape.as_list() == [2]
    assign = tf.assign(v, [3.0, 4.0])
    add = tf.assign_add(v, [1.0, 1.0])
    sub = tf.assign_sub(v, [0.5, 0.5])
    assert [t.shape.as_list() for t in (assign, add, sub)] == [[2]] * 3
    assert [t.op.type for t in (assign, add, sub)] == ["Assign", "AssignAdd", "AssignSub"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert np.array_equal(sess.run(assign), [3.0, 4.0])
        assert np.array_equal(sess.run(add), [4.0, 5.0])
        assert np.array_equal(sess.run(sub), [3.5, 4.5])
        assert sess.run(v).dtype == np.float32
    with pytest.raises(ValueError, match="incompatible"):
        tf.assign_add(v, [1.0, 2.0, 3.0])


def test_assign_with_validate_shape_false_changes_shape():
    v = tf.Variable(tf.zeros([2]), validate_shape=False, name="grow")
    grow = tf.assign(v, tf.ones([3]), validate_shape=False)
    assert grow.shape.as_list() == [3]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(grow).shape == (3,)


def test_update_of_uninitialized_variable_fails():
    v = tf.Variable([1.0], name="cold")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value cold"):
            sess.run(v.assign_add([1.0]))


def test_initialization_checks():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    init_a = tf.is_variable_initialized(a)
    report = tf.report_uninitialized_variables()
    check = tf.assert_variables_initialized([a, b])
    assert init_a.shape.as_list() == [] and init_a.dtype == tf.bool
    assert report.shape.as_list() == [None] and report.dtype == tf.string
    assert check.type == "AssertVariablesInitialized" and check.outputs == []
    with tf.Session() as sess:
        assert not sess.run(init_a)
        assert list(sess.run(report)) == [b"a", b"b"]
        with pytest.raises(tf.errors.FailedPreconditionError, match="a, b"):
            sess.run(check)
        sess.run(a.initializer)
        assert sess.run(init_a)
        assert list(sess.run(report)) == [b"b"]
        sess.run(b.initializer)
        assert sess.run(check) is None
    assert tf.report_uninitialized_variables([]).shape.as_list() == [0]


def test_initialized_value():
    a = tf.Variable([1.0, 2.0], name="a")
    value = a.initialized_value()
    assert value.op.type == "InitializedValue" and value.shape.as_list() == [2]
    with tf.Session() as sess:
        assert np.array_equal(sess.run(value), [1.0, 2.0])  # initial value before init
        sess.run(a.initializer)
        sess.run(a.assign([5.0, 6.0]))
        assert np.array_equal(sess.run(value), [5.0, 6.0])


def test_no_op_runs_control_inputs():
    v = tf.Variable(0.0)
    with tf.control_dependencies([v.assign_add(1.0)]):
        step = control_flow_ops.no_op(name="step")
    assert step.type == "NoOp" and step.outputs == []
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(step)
        sess.run(step)
        assert sess.run(v) == 2.0


def test_state_ops_are_not_differentiable():
    v = tf.Variable(1.0)
    x = tf.constant(2.0)
    updated = state_ops.assign(v, x * 3.0)
    assert tf.gradients(updated, x) == [None]
