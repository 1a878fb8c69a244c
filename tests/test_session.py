"""Session.run: fetch structures, feeds, pruning, plan caching, state per session, errors."""
import collections
import gc
import weakref

import numpy as np
import pytest

import tfone as tf


def test_fetch_structures_are_mirrored():
    a = tf.constant(1.0, name="a")
    b = tf.constant([2.0, 3.0], name="b")
    noop = tf.no_op()
    Pair = collections.namedtuple("Pair", "first second")
    with tf.Session() as sess:
        assert sess.run(a) == 1.0
        assert isinstance(sess.run(a), np.float32)
        out = sess.run([a, (b, {"x": a, "op": noop}), Pair(a, b)])
        assert out[0] == 1.0
        assert isinstance(out[1], tuple) and np.array_equal(out[1][0], [2.0, 3.0])
        assert out[1][1] == {"x": 1.0, "op": None}
        assert isinstance(out[2], Pair) and out[2].first == 1.0
        assert sess.run(noop) is None
        assert sess.run("a:0") == 1.0
        assert sess.run(["a:0", "b"])[1] is None  # an op name fetches the op


def test_feeds_by_tensor_name_and_variable():
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    y = tf.reduce_sum(x * 2.0)
    v = tf.Variable([1.0, 2.0], name="v")
    w = v * 10.0
    with tf.Session() as sess:
        assert sess.run(y, {x: [[1, 2, 3]]}) == 12.0
        assert sess.run(y, {"x:0": np.ones((2, 3))}) == 12.0
        # Any tensor can be fed, overriding its computation; fed variables need no initializer.
        assert np.array_equal(sess.run(w, {v: [5.0, 6.0]}), [50.0, 60.0])
        assert sess.run(y, {y: 7.0}) == 7.0


def test_feed_values_converted_to_placeholder_dtype():
    x = tf.placeholder(tf.float32, [2])
    i = tf.placeholder(tf.int32, [2])
    with tf.Session() as sess:
        out = sess.run(x, {x: np.array([1, 2], dtype=np.int64)})
        assert out.dtype == np.float32
        assert sess.run(i, {i: [1, 2]}).dtype == np.int32
        with pytest.raises(TypeError, match="losing information"):
            sess.run(i, {i: [1.5, 2.0]})
        with pytest.raises(TypeError, match="Cannot feed"):
            sess.run(x, {x: ["a", "b"]})
        with pytest.raises(TypeError, match="tf.Tensor"):
            sess.run(x, {x: tf.constant([1.0, 2.0])})


def test_feed_shape_mismatch_raises_value_error():
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 4\) for Tensor "
                                             r"'x:0', which has shape '\(\?, 3\)'"):
            sess.run(x, {x: np.zeros((2, 4))})


def test_missing_feed_message():
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    y = x + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'x' with dtype "
                                 r"float32 and shape \[\?,3\]") as info:
            sess.run(y)
        assert "test_session.py" in str(info.value)


def test_placeholder_with_default():
    x = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None])
    with tf.Session() as sess:
        assert np.array_equal(sess.run(x), [1.0, 2.0])
        assert np.array_equal(sess.run(x, {x: [5.0]}), [5.0])


def test_only_needed_ops_run_once_each():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2.0
    unused = tf.placeholder(tf.float32, name="unused") * 3.0  # unfed, but not needed
    z = y + y
    with tf.Session() as sess:
        assert sess.run(z, {x: 1.5}) == 6.0
        source = sess.plan_source(z, {x: 1.5})
    assert source.count("(Mul)") == 1  # y computed once though used twice
    assert "unused" not in source


def test_plan_compiled_once_per_signature():
    x = tf.placeholder(tf.float32, name="x")
    y = x + 1.0
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        sess.run(y, {x: 2.0})
        sess.run([y], {x: 3.0})
        sess.run([y], {x: 4.0})
        plans = {id(p) for p in sess._plans.values()}
        assert len(plans) == 2  # one for `y`, one for `[y]`


def test_intermediates_are_released():
    x = tf.placeholder(tf.float32, name="x")
    h = x * 2.0
    out = tf.reduce_sum(h + 1.0)
    with tf.Session() as sess:
        source = sess.plan_source(out, {x: np.ones(3)})
    lines = source.splitlines()
    mul_line = next(i for i, l in enumerate(lines) if "(Mul)" in l)
    add_line = next(i for i, l in enumerate(lines) if "(Add)" in l)
    mul_var = lines[mul_line].split("=")[0].strip()
    # The product is deleted right after its only consumer ran.
    assert lines[add_line + 1].strip().startswith("del") and mul_var in lines[add_line + 1]


def test_released_buffers_are_actually_freed():
    class Tracked(np.ndarray):
        pass
    refs = []

    x = tf.placeholder(tf.float32, [4], name="x")  # fully known: no shape specialisation
    y = tf.reduce_sum(x * 2.0)
    with tf.Session() as sess:
        plan = sess._plan_for(y, (x,), False)
        kernel_name = next(k for k, fn in plan._kernels.items() if fn is np.multiply)

        def tracking_multiply(a, b):
            result = np.multiply(a, b).view(Tracked)
            refs.append(weakref.ref(result))
            return result
        plan._fn.__globals__[kernel_name] = tracking_multiply
        assert sess.run(y, {x: np.ones(4, np.float32)}) == 8.0
    gc.collect()
    assert refs and refs[0]() is None


def test_variables_are_per_session():
    v = tf.Variable(1.0, name="v")
    inc = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert s1.run(v) == 3.0 and s2.run(v) == 1.0
    s1.close()
    s2.close()


def test_fetched_variable_value_is_a_copy():
    v = tf.Variable([1.0, 2.0], name="v")
    step = v.assign_add([1.0, 1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        before = sess.run(v)
        sess.run(step)
        assert np.array_equal(before, [1.0, 2.0])
        after = sess.run(v)
        after[0] = 100.0
        assert sess.run(v)[0] == 2.0


def test_fetched_constant_is_writable():
    c = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        value = sess.run(c)
        value[0] = 5.0  # a user's array must not be a read-only view of graph state
        assert sess.run(c)[0] == 1.0


def test_closed_session_and_context_manager():
    c = tf.constant(1.0)
    with tf.Session() as sess:
        assert tf.get_default_session() is sess
        assert c.eval() == 1.0
    assert tf.get_default_session() is None
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)


def test_session_graph_argument_and_other_graph_fetch():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(2.0)
    d = tf.constant(3.0)
    with tf.Session(graph=g) as sess:
        assert sess.graph is g
        assert sess.run(c) == 2.0
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(d)


def test_bad_fetches_and_feed_keys():
    c = tf.constant(1.0, name="c")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="does not exist"):
            sess.run("nope:0")
        with pytest.raises(TypeError, match="None"):
            sess.run(None)
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(3.0)
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(c, {"missing:0": 1.0})


def test_eval_and_op_run_need_a_session():
    v = tf.Variable(4.0)
    with pytest.raises(ValueError, match="No default session"):
        v.initializer.run()
    with tf.Session() as sess:
        v.initializer.run()
        assert v.eval() == 4.0
        assert v.value().eval(session=sess) == 4.0
    other = tf.Session(graph=tf.Graph())
    with pytest.raises(ValueError, match="graph is different"):
        v.eval(session=other)


def test_interactive_session_is_default():
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        assert tf.constant(5.0).eval() == 5.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_make_callable():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 3.0
    with tf.Session() as sess:
        f = sess.make_callable([y], feed_list=[x])
        assert f(2.0) == [6.0]
        with pytest.raises(TypeError, match="feed values"):
            f()


def test_control_dependencies_order_execution():
    v = tf.Variable(0.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        read = v.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 1.0
        assert sess.run(read) == 2.0


def test_kernel_error_names_op_and_user_line():
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, name="b")
    c = tf.matmul(a, b, name="product")  # shapes unknown until run time
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(c, {a: np.ones((2, 3)), b: np.ones((4, 5))})
    message = str(info.value)
    assert "'product' (MatMul)" in message
    assert "test_session.py" in message and "tf.matmul(a, b" in message
    assert "(2, 3)" in message and "(4, 5)" in message
    assert info.value.op is c.op


def test_plans_are_specialised_for_fed_shapes():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    b = tf.constant([1.0, 2.0, 3.0])
    loss = tf.reduce_mean(tf.square(x - b))
    grad = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        general = sess.plan_source(grad, {x: np.ones((4, 3))})
        special = sess.plan_source(grad, {x: np.ones((4, 3))}, specialized=True)
        assert "(Shape)" in general and "(Shape)" not in special  # shapes folded away
        for rows in (4, 2, 4):
            value = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)
            expected = 2 * (value - [1.0, 2.0, 3.0]) / value.size
            np.testing.assert_allclose(sess.run(grad, {x: value}), expected, rtol=1e-6)


def test_errors_in_specialised_plans_name_the_users_op():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    idx = tf.placeholder(tf.int32, [None], name="idx")
    picked = tf.gather(x, idx, name="pick")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(picked, {x: np.ones((2, 3)), idx: [0, 5]})
    assert info.value.op is picked.op
    assert "test_session.py" in str(info.value)


def test_run_metadata_trace_lists_ops():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.reduce_sum(x * x)
    meta = tf.RunMetadata()
    with tf.Session() as sess:
        out = sess.run(y, {x: [1.0, 2.0]}, options=tf.RunOptions(
            trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)
    assert out == 5.0
    names = [s.op_name for s in meta.step_stats]
    assert "mul" in names and "Sum" in names
    assert all(s.elapsed_s >= 0 for s in meta.step_stats)


def test_nested_tuple_feed_keys():
    # TF1 feeds a nested tuple of tensors (e.g. an LSTMStateTuple initial state) with a value
    # of the same structure, such as the state a previous run returned.
    cell = tf.nn.rnn_cell.BasicLSTMCell(2)
    state = cell.zero_state(1, tf.float32)
    doubled = tf.nn.rnn_cell.LSTMStateTuple(state.c * 2.0, state.h + 1.0)
    pair = (tf.placeholder(tf.float32, []), (tf.placeholder(tf.int32, []),))
    total = pair[0] + tf.cast(pair[1][0], tf.float32)
    with tf.Session() as sess:
        got = sess.run(doubled, {state: tf.nn.rnn_cell.LSTMStateTuple(
            np.ones((1, 2), np.float32), np.zeros((1, 2), np.float32))})
        assert isinstance(got, tf.nn.rnn_cell.LSTMStateTuple)
        np.testing.assert_array_equal(got.c, [[2.0, 2.0]])
        np.testing.assert_array_equal(got.h, [[1.0, 1.0]])
        again = sess.run(doubled, {state: got})          # feed back what a run returned
        np.testing.assert_array_equal(again.c, [[4.0, 4.0]])
        assert sess.run(total, {pair: (1.5, [2])}) == 3.5
        with pytest.raises(ValueError, match="Key had 2 elements, but value had 1"):
            sess.run(total, {pair: (1.5,)})
        with pytest.raises(ValueError, match="Key had 2 elements, but value had 1"):
            sess.run(total, {pair: np.zeros(2)})      # an array is one value, as in TF1
        with pytest.raises(ValueError, match="not unique"):
            sess.run(total, {pair: (1.5, [2]), pair[0]: 2.0})


def test_control_dependency_on_a_fed_tensor_is_met_by_the_feed():
    # TF1: feeding a tensor satisfies control dependencies on its op (tf.metrics does
    # control_dependencies([values]) where values may be a placeholder itself).
    x = tf.placeholder(tf.float32, [None])
    v = tf.Variable(0.0)
    with tf.control_dependencies([x, tf.cast(x, tf.float32)]):
        increment = tf.assign_add(v, 1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(increment, {x: [1.0]}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed"):
            sess.run(increment)


def test_zero_and_one_feed_a_bool_placeholder():
    # TF1 accepts {K.learning_phase(): 0} and {is_training: 1}; other integers are rejected.
    flag = tf.placeholder(tf.bool, [])
    flags = tf.placeholder(tf.bool, [None])
    out = tf.cond(flag, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(out, {flag: 1}) == 1.0 and sess.run(out, {flag: 0}) == 2.0
        assert sess.run(flags, {flags: np.array([0, 1, 1])}).tolist() == [False, True, True]
        with pytest.raises(TypeError, match="without losing information"):
            sess.run(out, {flag: 2})
