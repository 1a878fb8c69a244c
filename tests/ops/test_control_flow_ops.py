"""tf.cond / tf.case: only the taken branch runs; gradients flow into it; TF1's errors."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"CondMerge"}
SHAPE_CHECKED = {"CondMerge"}
GRADIENT_CHECKED = {"CondMerge"}


def test_only_the_taken_branch_runs():
    p = tf.placeholder(tf.bool, [], name="p")
    counter = tf.Variable(0, name="counter")

    def true_fn():
        with tf.control_dependencies([counter.assign_add(1)]):
            return tf.constant(10.0)

    def false_fn():
        with tf.control_dependencies([counter.assign_add(100)]):
            return tf.constant(-10.0)
    out = tf.cond(p, true_fn, false_fn)
    assert out.op.type == "CondMerge" and out.op.name == "cond/Merge"
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(out, {p: True}) == 10.0
        assert sess.run(counter) == 1
        assert sess.run(out, {p: False}) == -10.0
        assert sess.run(counter) == 101


def test_failing_op_in_untaken_branch_does_not_fire():
    x = tf.placeholder(tf.float32, [None], name="x")
    safe = tf.cond(tf.reduce_all(x > 0), lambda: tf.log(x),
                   lambda: tf.Print(x, [x], "never printed") * 0.0 - 1.0)
    checked = tf.cond(tf.size(x) > 0, lambda: tf.reduce_mean(x),
                      lambda: tf.debugging.assert_positive(tf.constant(-1.0)) and tf.constant(0.0))
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(safe, {x: [1.0, np.e]}), [0.0, 1.0], atol=1e-6)
        assert sess.run(checked, {x: [2.0, 4.0]}) == 3.0


def test_structures_nesting_and_shapes():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [None, 3])
    a, b = tf.cond(p, lambda: (x * 2.0, tf.reduce_sum(x)), lambda: (x, tf.constant(0.0)))
    assert a.shape.as_list() == [None, 3] and b.shape.as_list() == []
    d = tf.cond(p, lambda: {"v": tf.ones([2])}, lambda: {"v": tf.zeros([3])})
    assert d["v"].shape.as_list() == [None]  # different static lengths merge to unknown
    nested = tf.cond(p, lambda: tf.cond(tf.logical_not(p), lambda: 1.0, lambda: 2.0),
                     lambda: tf.constant(3.0))
    value = np.ones((2, 3), np.float32)
    with tf.Session() as sess:
        out = sess.run([a, b, d, nested], {p: True, x: value})
        assert np.array_equal(out[0], 2 * value) and out[1] == 6.0
        assert np.array_equal(out[2]["v"], [1.0, 1.0]) and out[3] == 2.0
        out = sess.run([a, b, d, nested], {p: False, x: value})
        assert np.array_equal(out[0], value) and out[1] == 0.0
        assert np.array_equal(out[2]["v"], [0.0, 0.0, 0.0]) and out[3] == 3.0


def test_cond_merge_shape_inference():
    p = tf.placeholder(tf.bool, [])
    assert tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([2, 3])).shape.as_list() == [2, 3]
    assert tf.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.ones([4, 3])).shape.as_list() == [None, 3]
    assert tf.cond(p, lambda: tf.zeros([2]), lambda: tf.ones([2, 2])).shape.ndims is None
    with pytest.raises(ValueError, match="same type"):
        tf.cond(p, lambda: tf.zeros([2]), lambda: tf.zeros([2], tf.int32))
    with pytest.raises(ValueError, match="same structure"):
        tf.cond(p, lambda: (1.0, 2.0), lambda: 1.0)


@pytest.mark.parametrize("take_true", [True, False])
def test_gradients_first_and_second_order(take_true):
    def fn(x, y):
        return tf.cond(tf.constant(take_true), lambda: tf.sin(x) * y, lambda: tf.square(x) + y)
    x, y = np.random.randn(3), np.random.randn(3)
    check_gradients(fn, x, y)
    check_gradients(fn, x, y, order=2)


def test_gradient_with_fed_predicate_and_nested_conds():
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    q = tf.placeholder(tf.bool, [], name="q")
    y = tf.cond(p, lambda: tf.cond(q, lambda: x * x, lambda: 3.0 * x), lambda: tf.exp(x))
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    value = np.array([1.0, 2.0], np.float32)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: value, p: True, q: True}), 2 * value)
        np.testing.assert_allclose(sess.run(g, {x: value, p: True, q: False}), [3.0, 3.0])
        np.testing.assert_allclose(sess.run(g, {x: value, p: False, q: True}), np.exp(value),
                                   rtol=1e-6)


def test_branch_tensors_cannot_escape():
    p = tf.placeholder(tf.bool, [])
    leaked = []

    def true_fn():
        t = tf.constant(1.0) * 2.0
        leaked.append(t)
        return t
    out = tf.cond(p, true_fn, lambda: tf.constant(0.0))
    with pytest.raises(ValueError, match="inside a tf.cond branch"):
        leaked[0] + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="inside a tf.cond branch"):
            sess.run(leaked[0], {p: True})
        assert sess.run(out, {p: True}) == 2.0


def test_cond_output_is_a_copy_when_a_branch_returns_a_variable():
    # A fetched cond output that is a variable's value must not change when the variable is
    # updated in place later (TF1 returns copies).
    v = tf.Variable([1.0, 2.0])
    increment = tf.assign_add(v, [1.0, 1.0])
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.constant([0.0, 0.0]), lambda: v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        fetched = sess.run(out, {p: False})
        sess.run(increment)
        np.testing.assert_array_equal(fetched, [1.0, 2.0])


def test_variables_and_control_dependencies_none_leave_the_branch():
    # TF1: variables made in a branch function (and anything under control_dependencies(None),
    # i.e. init_scope) live outside the cond, so initializing or reading them needs no pred.
    p = tf.placeholder(tf.bool, [])

    def true_fn():
        v = tf.Variable(3.0, name="inside")
        with tf.control_dependencies(None):
            c = tf.constant(5.0, name="lifted")
        return v + c
    out = tf.cond(p, true_fn, lambda: tf.constant(0.0))
    lifted = tf.get_default_graph().get_tensor_by_name("cond/lifted:0")
    assert [v.name for v in tf.global_variables()] == ["cond/inside:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())       # no feed for p needed
        assert sess.run(lifted * 2.0) == 10.0
        assert sess.run(out, {p: True}) == 8.0 and sess.run(out, {p: False}) == 0.0

    def tensor_initial_value():
        return tf.Variable(tf.constant(1.0) * 2.0)
    with pytest.raises(ValueError, match="use a lambda as the initializer"):
        tf.cond(p, tensor_initial_value, lambda: tf.constant(0.0))


def test_moving_averages_updated_in_a_branch():
    # The batch-norm-by-hand idiom: update the EMA in the training branch, read it in the other.
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [4])
    mean = tf.reduce_mean(x)
    ema = tf.train.ExponentialMovingAverage(0.9)

    def train():
        with tf.control_dependencies([ema.apply([mean])]):
            return tf.identity(mean)
    out = tf.cond(p, train, lambda: ema.average(mean))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ones = np.ones(4, np.float32)
        assert sess.run(out, {p: False, x: ones}) == 0.0
        assert sess.run(out, {p: True, x: ones}) == 1.0
        assert sess.run(out, {p: False, x: ones}) == pytest.approx(0.1)


def test_python_bool_predicate_is_rejected_but_smart_cond_accepts_it():
    with pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: 1.0, lambda: 2.0)
    from tfone.ops.control_flow_ops import smart_cond
    assert smart_cond(True, lambda: tf.constant(1.0), lambda: tf.constant(2.0)).op.type == "Const"


def test_case_picks_first_true_predicate():
    x = tf.placeholder(tf.int32, [])
    out = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))],
                  default=lambda: tf.constant(100))
    with tf.Session() as sess:
        assert [sess.run(out, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]


def test_training_flag_idiom():
    training = tf.placeholder_with_default(False, [], name="training")
    x = tf.constant([1.0, 2.0])
    y = tf.cond(training, lambda: x * 0.0, lambda: x)
    with tf.Session() as sess:
        assert np.array_equal(sess.run(y), [1.0, 2.0])
        assert np.array_equal(sess.run(y, {training: True}), [0.0, 0.0])


def test_cond_survives_graph_export_and_import():
    x = tf.placeholder(tf.float32, [None], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    counter = tf.Variable(0.0, name="counter")

    def true_fn():
        with tf.control_dependencies([counter.assign_add(1.0)]):
            return tf.square(x)
    y = tf.cond(p, true_fn, lambda: tf.sin(x))
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="copy")
        merge = graph.get_tensor_by_name("copy/" + y.name)
        assert merge.op.get_attr("group") == "copy/cond"
        with tf.Session() as sess:
            sess.run("copy/counter/Assign")
            feed = {"copy/x:0": [1.0, 2.0], "copy/p:0": False}
            np.testing.assert_allclose(sess.run(merge, feed), np.sin([1.0, 2.0]), rtol=1e-6)
            assert sess.run("copy/counter:0") == 0.0  # the untaken branch did not run
            feed["copy/p:0"] = True
            assert np.array_equal(sess.run(merge, feed), [1.0, 4.0])
            assert sess.run("copy/counter:0") == 1.0
