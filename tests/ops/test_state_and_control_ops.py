"""Const, variable state ops (VariableV2, Assign*, checks) and control ops (NoOp)."""
import numpy as np
import pytest

import tfone as tf
from tfone.ops import control_flow_ops, state_ops

REFERENCE_CHECKED = {"Const", "VariableV2", "Assign", "AssignAdd", "AssignSub",
                     "IsVariableInitialized", "ReportUninitializedVariables",
                     "AssertVariablesInitialized", "InitializedValue", "NoOp", "ScatterUpdate",
                     "ScatterAdd", "ScatterSub", "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub"}
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


# -- scatter ops ---------------------------------------------------------------------------------
def test_scatter_ops_update_rows_in_place():
    start = np.arange(12, dtype=np.float32).reshape(4, 3)
    v = tf.Variable(start, name="v")
    ops = [tf.scatter_update(v, [3, 0], [[1, 1, 1], [2, 2, 2]]),
           tf.scatter_add(v, [1, 1, 2], [[1, 1, 1], [10, 10, 10], [5, 5, 5]]),  # repeats add
           tf.scatter_sub(v, [[0], [2]], 1.0)]                       # 2-D indices, scalar
    assert [o.op.type for o in ops] == ["ScatterUpdate", "ScatterAdd", "ScatterSub"]
    assert [o.op.name for o in ops] == ["ScatterUpdate", "ScatterAdd", "ScatterSub"]
    assert ops[0].op.get_attr("use_locking") and not ops[1].op.get_attr("use_locking")
    assert all(o.shape.as_list() == [4, 3] and o.dtype == tf.float32 for o in ops)
    expected = start.copy()
    expected[[3, 0]] = [[1, 1, 1], [2, 2, 2]]
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(ops[0]), expected)
        expected[1] += 11
        expected[2] += 5
        np.testing.assert_array_equal(sess.run(ops[1]), expected)
        expected[[0, 2]] -= 1
        np.testing.assert_array_equal(sess.run(ops[2]), expected)
        np.testing.assert_array_equal(sess.run(v), expected)         # the variable itself
        assert sess.run(v).dtype == np.float32
    with tf.Session() as sess:                      # another session: its own buffer
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), start)


def test_scatter_nd_ops_and_integer_variables():
    w = tf.Variable(np.zeros((2, 3, 2), np.int32), name="w")
    add = tf.scatter_nd_add(w, [[1, 2], [1, 2], [0, 0]], [[1, 2], [3, 4], [5, 6]])
    sub = tf.scatter_nd_sub(w, [[1]], np.ones((1, 3, 2), np.int32))
    put = tf.scatter_nd_update(w, [[0, 1, 1], [1, 0, 0]], [7, 8])
    assert [o.op.type for o in (add, sub, put)] == ["ScatterNdAdd", "ScatterNdSub",
                                                   "ScatterNdUpdate"]
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(add).tolist() == [[[5, 6], [0, 0], [0, 0]], [[0, 0], [0, 0], [4, 6]]]
        assert sess.run(sub).tolist() == [[[5, 6], [0, 0], [0, 0]],
                                          [[-1, -1], [-1, -1], [3, 5]]]
        out = sess.run(put)
        assert out.dtype == np.int32 and out[0, 1, 1] == 7 and out[1, 0, 0] == 8


def test_variable_scatter_methods_take_indexed_slices():
    v = tf.Variable(np.ones((4, 2), np.float32), name="rows")
    delta = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([1, 1]),
                             tf.constant([4, 2]))
    sub = v.scatter_sub(delta)
    add = v.scatter_add(tf.IndexedSlices(tf.constant([[5.0, 5.0]]), tf.constant([3])))
    put = v.scatter_update(tf.IndexedSlices(tf.constant([[0.0, 9.0]]), tf.constant([0])))
    nd = v.scatter_nd_update([[2, 1]], [-7.0])
    assert (sub.op.type, add.op.type, put.op.type, nd.op.type) == (
        "ScatterSub", "ScatterAdd", "ScatterUpdate", "ScatterNdUpdate")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(sub).tolist() == [[1, 1], [-3, -5], [1, 1], [1, 1]]
        assert sess.run(add)[3].tolist() == [6, 6]
        assert sess.run(put)[0].tolist() == [0, 9]
        assert sess.run(nd)[2].tolist() == [1, -7]
        # as a tensor, IndexedSlices is its dense form (repeated rows summed), as TF1
        assert sess.run(tf.convert_to_tensor(delta)).tolist() == [[0, 0], [4, 6], [0, 0],
                                                                  [0, 0]]
    with pytest.raises(TypeError, match="not IndexedSlices"):
        v.scatter_sub(tf.constant([[1.0, 1.0]]))
    with pytest.raises(ValueError, match="without dense_shape"):
        tf.convert_to_tensor(tf.IndexedSlices(tf.constant([1.0]), tf.constant([0])))


def test_scatter_ops_static_shapes_and_errors():
    v = tf.Variable(np.zeros((4, 3), np.float32), name="v")
    assert tf.scatter_update(v, tf.placeholder(tf.int32, [None]),
                             tf.placeholder(tf.float32, [None, 3])).shape.as_list() == [4, 3]
    assert tf.scatter_add(v, tf.placeholder(tf.int64),
                          tf.placeholder(tf.float32)).shape.as_list() == [4, 3]
    assert tf.scatter_nd_add(v, tf.placeholder(tf.int32, [None, 2]),
                             tf.placeholder(tf.float32, [None])).shape.as_list() == [4, 3]
    with pytest.raises(ValueError, match="indices.shape \\+ ref.shape\\[1:\\]"):
        tf.scatter_update(v, [1], [[1.0, 1.0]])
    with pytest.raises(ValueError, match="must be <= the rank"):
        tf.scatter_nd_update(v, [[1, 1, 1]], [1.0])
    with pytest.raises(ValueError, match="indices.shape\\[:-1\\]"):
        tf.scatter_nd_update(v, [[1]], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(TypeError):
        tf.scatter_add(v, [1.5], [[1.0, 1.0, 1.0]])          # indices must be integers
    index = tf.placeholder(tf.int32, [None])
    rows = tf.placeholder(tf.float32, [None, 3])
    bad_rows = tf.scatter_add(v, index, rows)
    bad_nd = tf.scatter_nd_update(v, tf.placeholder(tf.int32, [None, 2]), [1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="indices\\[1\\] = 4 is not in"):
            sess.run(bad_rows, {index: [0, 4], rows: np.ones((2, 3))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="updates.shape"):
            sess.run(bad_rows, {index: [0, 1], rows: np.ones((3, 3))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into"):
            sess.run(bad_nd, {bad_nd.op.inputs[1]: [[0, 3]]})
        np.testing.assert_array_equal(sess.run(v), np.zeros((4, 3)))   # nothing written
    x = tf.placeholder(tf.float32, [4, 3])
    w = tf.Variable(np.zeros((4, 3), np.float32), name="w")
    assert tf.gradients(tf.scatter_update(w, [0], x[:1]), x) == [None]   # not differentiable
