"""tf.while_loop, tf.map_fn, tf.scan, tf.foldl, tf.foldr: unrolled loops with TF1's results.

The expected values and structures were checked against TensorFlow's graph mode
(tf.compat.v1 with v2 behaviour disabled)."""
import collections

import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

Pair = collections.namedtuple("Pair", "a b")


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# -- tf.while_loop --------------------------------------------------------------------------------
def test_while_loop_counts_and_names_its_outputs_like_tf1():
    i = tf.constant(0)
    total = tf.constant(0.0)
    out_i, out_total = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + tf.to_float(i)),
                                     [i, total], maximum_iterations=10)
    assert out_i.name == "while/Exit_1:0" and out_total.name == "while/Exit_2:0"
    assert out_i.dtype == tf.int32 and out_total.shape.as_list() == []
    assert run([out_i, out_total]) == [5, 10.0]
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"while/cond/Less", "while/iteration_0/body/add", "while/iteration_0/cond/Less",
            "while/iteration_9/Merge"} <= names
    single = tf.while_loop(lambda v: v < 100, lambda v: v * 2, [tf.constant(3)],
                           maximum_iterations=10)
    assert isinstance(single, tf.Tensor) and run(single) == 192


def test_iterations_after_the_condition_turns_false_do_not_run():
    counter = tf.Variable(0, name="counter")
    n = tf.placeholder(tf.int32, [], name="n")

    def body(i):
        with tf.control_dependencies([counter.assign_add(1)]):
            return i + 1
    out = tf.while_loop(lambda i: i < n, body, [tf.constant(0)], maximum_iterations=8)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(out, {n: 3}) == 3 and sess.run(counter) == 3
        assert sess.run(out, {n: 0}) == 0 and sess.run(counter) == 3
        assert sess.run(out, {n: 100}) == 8 and sess.run(counter) == 11  # capped, as TF1


def test_cond_is_not_evaluated_again_after_it_was_false():
    # A stateful condition: TF1 stops at the first False, even if a later draw would be True.
    calls = tf.Variable(0, name="calls")

    def cond(i):
        with tf.control_dependencies([calls.assign_add(1)]):
            return i < 2
    out = tf.while_loop(cond, lambda i: i + 1, [tf.constant(0)], maximum_iterations=6)
    with tf.Session() as sess:
        sess.run(calls.initializer)
        assert sess.run(out) == 2 and sess.run(calls) == 3  # i = 0, 1, 2


def test_maximum_iterations_caps_the_loop_like_tf1():
    forever = lambda v: tf.constant(True)  # noqa: E731
    assert run(tf.while_loop(forever, lambda v: v + 1, [0], maximum_iterations=4)) == 4
    assert run(tf.while_loop(forever, lambda v: v + 1, [0],
                             maximum_iterations=tf.constant(3))) == 3
    assert run(tf.while_loop(forever, lambda v: v + 1, [0], maximum_iterations=0)) == 0
    assert run(tf.while_loop(forever, lambda v: v + 1, [0], maximum_iterations=-2)) == 0
    assert run(tf.while_loop(forever, lambda v: v + 1, [0], maximum_iterations=2.5)) == 3


def test_maximum_iterations_errors():
    with pytest.raises(ValueError, match="needs maximum_iterations.*unrolls"):
        tf.while_loop(lambda v: v < 3, lambda v: v + 1, [0])
    with pytest.raises(ValueError, match="known when the graph is built"):
        tf.while_loop(lambda v: v < 3, lambda v: v + 1, [0],
                      maximum_iterations=tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="must be a scalar"):
        tf.while_loop(lambda v: v < 3, lambda v: v + 1, [0], maximum_iterations=[2, 3])


def test_loop_count_from_a_fed_placeholder():
    x = tf.placeholder(tf.float32, [None], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda k, v: k < n, lambda k, v: (k + 1, 0.5 * v + 1.0), [0, x],
                         maximum_iterations=10)
    assert y.shape.as_list() == [None]
    value = np.array([4.0, -2.0], np.float32)
    for steps in (0, 1, 4, 10):
        expected = value.copy()
        for _ in range(steps):
            expected = 0.5 * expected + 1.0
        np.testing.assert_allclose(run(y, {x: value, n: steps}), expected, rtol=1e-6)


def test_nested_structures_namedtuples_and_dicts():
    state = Pair(tf.constant(0), tf.constant(1.0))
    out = tf.while_loop(lambda p, d: p.a < 3,
                        lambda p, d: (Pair(p.a + 1, p.b * 2.0), {"k": d["k"] + 1}),
                        [state, {"k": tf.constant(5)}], maximum_iterations=10)
    assert isinstance(out, tuple) and isinstance(out[0], Pair) and set(out[1]) == {"k"}
    assert [t.name for t in (out[0].a, out[0].b, out[1]["k"])] == [
        "while/Exit_1:0", "while/Exit_2:0", "while/Exit_3:0"]
    values = run(out)
    assert values[0] == Pair(3, 8.0) and values[1] == {"k": 8}
    # A single loop variable that is a structure comes back as that structure.
    only = tf.while_loop(lambda p: p.a < 3, lambda p: Pair(p.a + 1, p.b * 3.0), [state],
                         maximum_iterations=5)
    assert isinstance(only, Pair) and run(only) == Pair(3, 27.0)
    # return_same_structure keeps the list; Python numbers become tensors.
    same = tf.while_loop(lambda v: v < 3, lambda v: [v + 1], [0], return_same_structure=True,
                         maximum_iterations=5)
    assert isinstance(same, list) and len(same) == 1 and run(same) == [3]
    two = tf.while_loop(lambda a, b: a < 3, lambda a, b: [a + 1, b * 2], (0, 1.0),
                        maximum_iterations=5)
    assert isinstance(two, list) and run(two) == [3, 8.0]
    assert two[1].dtype == tf.float32


def test_lstm_state_tuple_loop_variable():
    state = tf.nn.rnn_cell.LSTMStateTuple(tf.zeros([2, 3]), tf.ones([2, 3]))
    _, final = tf.while_loop(
        lambda i, s: i < 2,
        lambda i, s: (i + 1, tf.nn.rnn_cell.LSTMStateTuple(s.c + s.h, s.h * 2.0)),
        (tf.constant(0), state), maximum_iterations=4)
    assert type(final).__name__ == "LSTMStateTuple"
    c, h = run(final)
    np.testing.assert_allclose(c, np.full((2, 3), 3.0))
    np.testing.assert_allclose(h, np.full((2, 3), 4.0))


def test_shape_invariants():
    x = tf.placeholder(tf.float32, [None, 2])
    grown = tf.while_loop(lambda a: tf.shape(a)[0] < 4, lambda a: tf.concat([a, a], 0), [x],
                          shape_invariants=[tf.TensorShape([None, 2])], maximum_iterations=5)
    assert grown.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(grown, {x: [[1.0, 2.0]]}), [[1.0, 2.0]] * 4)
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1, 2\), but has shape "
                                         r"\(2, 2\) after one iteration.*shape_invariants"):
        tf.while_loop(lambda a: True, lambda a: tf.concat([a, a], 0), [tf.zeros([1, 2])],
                      maximum_iterations=3)
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        tf.while_loop(lambda a: True, lambda a: a, [tf.zeros([2])],
                      shape_invariants=[tf.TensorShape([3])], maximum_iterations=3)
    # Invariants given as lists work too.
    ok = tf.while_loop(lambda a: tf.size(a) < 8, lambda a: tf.concat([a, a], 0),
                       [tf.ones([1])], shape_invariants=[[None]], maximum_iterations=5)
    assert ok.shape.as_list() == [None] and run(ok).shape == (8,)


def test_while_loop_errors():
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(True, lambda v: v, [0], maximum_iterations=2)
    with pytest.raises(TypeError, match="list or tuple"):
        tf.while_loop(lambda v: v < 3, lambda v: v + 1, tf.constant(0), maximum_iterations=2)
    with pytest.raises(ValueError, match="No loop variables"):
        tf.while_loop(lambda: True, lambda: (), [], maximum_iterations=2)
    with pytest.raises(TypeError, match="boolean scalar"):
        tf.while_loop(lambda v: v, lambda v: v + 1, [0], maximum_iterations=2)
    with pytest.raises(ValueError, match="boolean scalar"):
        tf.while_loop(lambda v: v < [3, 3], lambda v: v + 1, [0], maximum_iterations=2)
    with pytest.raises(TypeError, match="keeps its dtype"):
        tf.while_loop(lambda v: True, lambda v: tf.to_int32(v), [tf.zeros([2])],
                      maximum_iterations=2)
    with pytest.raises(ValueError, match=r"structure of loop_vars.*\(\., \.\).*\[\.\]"):
        tf.while_loop(lambda a, b: True, lambda a, b: [a], (tf.zeros([2]), 1.0),
                      maximum_iterations=2)


@pytest.mark.parametrize("steps", [0, 2, 5])
def test_while_loop_gradients(steps):
    def fn(x, w):
        _, y, _ = tf.while_loop(lambda i, y, acc: i < steps,
                                lambda i, y, acc: (i + 1, tf.sin(y) * w, acc + tf.reduce_sum(y)),
                                [tf.constant(0), x, tf.constant(0.0, tf.float64)],
                                maximum_iterations=5)
        return y
    x, w = np.random.randn(3), np.random.randn(3)
    check_gradients(fn, x, w)
    check_gradients(fn, x, w, order=2)


def test_gradient_follows_the_number_of_iterations_that_ran():
    x = tf.placeholder(tf.float32, [], name="x")
    n = tf.placeholder(tf.int32, [], name="n")
    _, y = tf.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, v * x), [0, tf.constant(1.0)],
                         maximum_iterations=6)
    g = tf.gradients(y, x)[0]
    for steps in (0, 1, 3, 6):
        # y = x ** steps, dy/dx = steps * x ** (steps - 1)
        np.testing.assert_allclose(run(g, {x: 1.5, n: steps}), steps * 1.5 ** max(steps - 1, 0),
                                   rtol=1e-5)


def test_back_prop_false_stops_gradients():
    x = tf.placeholder(tf.float32, [])
    y = tf.while_loop(lambda v: v < 10.0, lambda v: v * 2.0, [x], maximum_iterations=5,
                      back_prop=False)
    assert tf.gradients(y, x) == [None]


def test_get_variable_in_the_body_is_created_once_and_shared():
    def body(i, v):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        return i + 1, v * w
    _, y = tf.while_loop(lambda i, v: i < 3, body, [0, tf.constant(1.0)], maximum_iterations=4)
    assert [v.op.name for v in tf.global_variables()] == ["w"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y) == 8.0


def test_new_variables_in_every_iteration_are_an_error():
    with pytest.raises(ValueError, match="created new variables.*outside the loop"):
        tf.while_loop(lambda v: v < 3.0, lambda v: v + tf.Variable(1.0), [0.0],
                      maximum_iterations=3)


def test_nested_while_loops():
    def outer_body(i, total):
        inner = tf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0],
                              maximum_iterations=4)[1]
        return i + 1, total + inner
    _, total = tf.while_loop(lambda i, t: i < 4, outer_body, [0, 0], maximum_iterations=5)
    assert run(total) == sum(sum(range(i)) for i in range(4))


def test_viz_collapses_the_repeated_iterations():
    from viz.graph_model import GraphModel
    x = tf.placeholder(tf.float32, [3])
    n = tf.placeholder(tf.int32, [])
    _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, tf.tanh(y) * 2.0), [0, x],
                         maximum_iterations=6)
    model = GraphModel(y, collapse_repeats=True)
    assert ("while", "iteration_0") in model.repeats and ("while", "iteration_3") in model.repeats


# -- tf.map_fn ------------------------------------------------------------------------------------
def test_map_fn_matches_numpy_and_keeps_static_shapes():
    value = np.random.randn(4, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, [4, 3])
    y = tf.map_fn(lambda row: tf.reduce_sum(row * row), x)
    assert y.shape.as_list() == [4] and y.dtype == tf.float32 and y.op.name.startswith("map/")
    np.testing.assert_allclose(run(y, {x: value}), (value ** 2).sum(1), rtol=1e-5)
    outer = tf.map_fn(lambda row: tf.expand_dims(row, 1) * row, x)
    assert outer.shape.as_list() == [4, 3, 3]
    np.testing.assert_allclose(run(outer, {x: value}), value[:, :, None] * value[:, None, :],
                               rtol=1e-6)
    assert {"map/iteration_0/Sum", "map/iteration_3/Sum"} <= {
        op.name for op in tf.get_default_graph().get_operations()}


def test_map_fn_nested_elems_and_dtype():
    x = tf.constant(np.arange(6.0).reshape(3, 2), tf.float32)
    y = tf.constant([1, 2, 3])
    a, b = tf.map_fn(lambda e: (e[0] * 2.0, e[1] + 1), (x, y))
    assert a.shape.as_list() == [3, 2] and b.dtype == tf.int32
    values = run([a, b])
    np.testing.assert_array_equal(values[0], np.arange(6.0).reshape(3, 2) * 2)
    np.testing.assert_array_equal(values[1], [2, 3, 4])
    summed = tf.map_fn(lambda e: tf.reduce_sum(e[0]) * tf.to_float(e[1]), (x, y),
                       dtype=tf.float32)
    np.testing.assert_allclose(run(summed), [1.0, 10.0, 27.0])
    as_int = tf.map_fn(lambda e: tf.to_int32(e), x, dtype=tf.int32)
    assert as_int.dtype == tf.int32
    d = tf.map_fn(lambda e: {"twice": e["v"] * 2.0}, {"v": x}, dtype={"twice": tf.float32})
    np.testing.assert_array_equal(run(d)["twice"], np.arange(6.0).reshape(3, 2) * 2)
    ones = tf.map_fn(lambda e: 1.0, x)   # Python numbers take the declared dtype
    assert ones.dtype == tf.float32 and run(ones).tolist() == [1.0, 1.0, 1.0]


def test_map_fn_over_no_elements():
    out = tf.map_fn(lambda e: tf.zeros([2, 3]) + tf.reduce_sum(e), tf.zeros([0, 2]))
    assert out.shape.as_list() == [0, 2, 3]
    assert run(out).shape == (0, 2, 3)


def test_map_fn_errors():
    x = tf.zeros([3, 2])
    with pytest.raises(ValueError, match="first dimension of elems.*must be known.*fixed size"):
        tf.map_fn(lambda e: e, tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda e: e, tf.constant(1.0))
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        tf.map_fn(lambda e: e[0], (x, tf.zeros([4])))
    with pytest.raises(TypeError, match="dtype int32 where float32 is expected.*dtype="):
        tf.map_fn(lambda e: tf.to_int32(e), x)
    with pytest.raises(ValueError, match=r"must return the structure \(\., \.\)"):
        tf.map_fn(lambda e: e[0] * 2.0, (x, x))
    with pytest.raises(TypeError, match="fn must be callable"):
        tf.map_fn(None, x)


def test_map_fn_gradients():
    check_gradients(lambda x, w: tf.map_fn(lambda row: tf.tanh(row * w) * tf.reduce_sum(row), x),
                    np.random.randn(4, 3), np.random.randn(3))
    check_gradients(lambda x, y: tf.map_fn(lambda e: e[0] * e[1], (x, y), dtype=tf.float64),
                    np.random.randn(3, 2), np.random.randn(3, 2))


# -- tf.scan, tf.foldl, tf.foldr --------------------------------------------------------------------
X = np.arange(6.0, dtype=np.float32).reshape(3, 2)


def test_scan_stacks_every_accumulator():
    x = tf.constant(X)
    plain = tf.scan(lambda a, e: a + e, x)
    assert plain.shape.as_list() == [3, 2] and plain.op.name.startswith("scan/")
    np.testing.assert_array_equal(run(plain), np.cumsum(X, 0))
    with_init = tf.scan(lambda a, e: a + tf.reduce_sum(e), x, initializer=tf.constant(0.0))
    np.testing.assert_array_equal(run(with_init), np.cumsum(X.sum(1)))
    reverse = tf.scan(lambda a, e: a + e, x, reverse=True)
    np.testing.assert_array_equal(run(reverse), [[6.0, 9.0], [6.0, 8.0], [4.0, 5.0]])
    reverse_init = tf.scan(lambda a, e: a * 2.0 + e, x, initializer=tf.ones([2]), reverse=True)
    np.testing.assert_array_equal(run(reverse_init), [[28.0, 35.0], [14.0, 17.0], [6.0, 7.0]])
    py_init = tf.scan(lambda a, e: a + tf.reduce_sum(e), x, initializer=0.0)
    assert py_init.dtype == tf.float32 and py_init.shape.as_list() == [3]


def test_scan_nested_elems_and_accumulators():
    x, y = tf.constant(X), tf.constant([1, 2, 3])
    sums, products = tf.scan(lambda a, e: (a[0] + e[0], a[1] * e[1]), (x, y))
    values = run([sums, products])
    np.testing.assert_array_equal(values[0], np.cumsum(X, 0))
    np.testing.assert_array_equal(values[1], [1, 2, 6])
    total, count = tf.scan(lambda a, e: (a[0] + e, a[1] + 1), x,
                           initializer=(tf.zeros([2]), tf.constant(0)))
    assert total.shape.as_list() == [3, 2] and count.dtype == tf.int32
    assert run(count).tolist() == [1, 2, 3]
    empty = tf.scan(lambda a, e: a + e, tf.zeros([0, 2]), initializer=tf.ones([2]))
    assert empty.shape.as_list() == [0, 2] and run(empty).shape == (0, 2)


def test_folds():
    x = tf.constant(X)
    np.testing.assert_array_equal(run(tf.foldl(lambda a, e: a + e, x)), X.sum(0))
    np.testing.assert_array_equal(run(tf.foldr(lambda a, e: a * 2.0 + e, x)), [20.0, 27.0])
    np.testing.assert_array_equal(
        run(tf.foldr(lambda a, e: a * 2.0 + e, x, initializer=tf.ones([2]))), [28.0, 35.0])
    np.testing.assert_array_equal(
        run(tf.foldl(lambda a, e: a * 2.0 + e, x, initializer=tf.ones([2]))), [16.0, 23.0])
    nested = tf.foldl(lambda a, e: a + e[0] * e[1], (x, x), initializer=tf.zeros([2]))
    np.testing.assert_array_equal(run(nested), (X * X).sum(0))
    assert tf.foldl(lambda a, e: a + e, x, name="left").op.name.startswith("left/")
    assert tf.foldr(lambda a, e: a + e, x).op.name.startswith("foldr")
    pair = tf.foldl(lambda a, e: Pair(a.a + 1, a.b + tf.reduce_sum(e)), x,
                    initializer=Pair(tf.constant(0), tf.constant(0.0)))
    assert isinstance(pair, Pair) and run(pair) == Pair(3, 15.0)
    empty = tf.foldl(lambda a, e: a + e, tf.zeros([0, 2]), initializer=tf.ones([2]))
    np.testing.assert_array_equal(run(empty), [1.0, 1.0])


def test_scan_and_fold_errors():
    with pytest.raises(ValueError, match="needs an initializer"):
        tf.foldl(lambda a, e: a + e, tf.zeros([0, 2]))
    with pytest.raises(ValueError, match="must be known"):
        tf.scan(lambda a, e: a + e, tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(TypeError, match="dtype int32 where float32 is expected"):
        tf.scan(lambda a, e: tf.to_int32(a), tf.constant(X))
    with pytest.raises(ValueError, match=r"keep the accumulator's shape.*\(2,\).*\(4,\)"):
        tf.scan(lambda a, e: tf.concat([a, e], 0), tf.constant(X))
    with pytest.raises(ValueError, match="keep the accumulator's shape"):
        tf.foldl(lambda a, e: tf.concat([a, e], 0), tf.constant(X))


def test_scan_and_fold_gradients():
    check_gradients(lambda x, w: tf.scan(lambda a, e: tf.tanh(a * w + e), x), np.random.randn(4, 3),
                    np.random.randn(3))
    check_gradients(lambda x, h: tf.scan(lambda a, e: a * e, x, initializer=h, reverse=True),
                    np.random.randn(3, 2), np.random.randn(2))
    check_gradients(lambda x: tf.foldl(lambda a, e: a * tf.sin(e), x), np.random.randn(4, 2))
    check_gradients(lambda x, h: tf.foldr(lambda a, e: a * e + 1.0, x, initializer=h),
                    np.random.randn(3, 2), np.random.randn(2), order=2)


# -- tf.TensorArray ---------------------------------------------------------------------------------
def rnn_reference(x, steps):
    h, rows = np.zeros(x.shape[1]), []
    for t in range(x.shape[0]):
        if t < steps:
            h = np.tanh(h + x[t])
            rows.append(h)
        else:
            rows.append(np.zeros_like(h))
    return np.array(rows)


def test_tensor_array_in_a_while_loop_matches_numpy():
    x = tf.placeholder(tf.float32, [5, 3])
    n = tf.placeholder(tf.int32, [])
    inputs = tf.TensorArray(tf.float32, size=5).unstack(x)
    outputs = tf.TensorArray(tf.float32, size=5)

    def body(t, h, outputs):
        h = tf.tanh(h + inputs.read(t))
        return t + 1, h, outputs.write(t, h)
    _, _, outputs = tf.while_loop(lambda t, h, ta: t < n, body, [0, tf.zeros([3]), outputs],
                                  maximum_iterations=5)
    assert isinstance(outputs, tf.TensorArray) and outputs.element_shape.as_list() == [3]
    stacked = outputs.stack()
    assert stacked.shape.as_list() == [5, 3] and stacked.dtype == tf.float32
    value = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    for steps in (5, 2, 0):   # unwritten rows read as zeros (the element shape is known)
        np.testing.assert_allclose(run(stacked, {x: value, n: steps}), rnn_reference(value, steps),
                                   rtol=1e-5, atol=1e-6)


def test_tensor_array_gradients_through_a_loop():
    def fn(x):
        inputs = tf.TensorArray(tf.float64, size=4).unstack(x)

        def body(t, h, ta):
            h = tf.tanh(h * 0.5 + inputs.read(t))
            return t + 1, h, ta.write(t, h * h)
        _, _, ta = tf.while_loop(lambda t, h, ta: t < 4, body,
                                 [0, tf.zeros([2], tf.float64), tf.TensorArray(tf.float64, 4)],
                                 maximum_iterations=4)
        return ta.stack()
    check_gradients(fn, np.random.randn(4, 2))


def test_dynamic_size_tensor_array():
    n = tf.placeholder(tf.int32, [])
    squares = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    _, squares = tf.while_loop(lambda i, ta: i < n, lambda i, ta: (i + 1, ta.write(i, i * i)),
                               [0, squares], maximum_iterations=6)
    values, size = run([squares.stack(), squares.size()], {n: 4})
    assert values.tolist() == [0, 1, 4, 9] and size == 4


def test_tensor_array_methods_outside_loops():
    x = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    ta = tf.TensorArray(tf.float32, size=4).unstack(x)
    assert ta.element_shape.as_list() == [3] and ta.dtype == tf.float32
    written = tf.TensorArray(tf.float32, size=3).scatter([2, 0], x[:2])
    split = tf.TensorArray(tf.float32, size=2).split(x, [2, 2])
    values = run([ta.read(2), ta.gather([3, 1]), ta.size(), ta.concat(), written.stack(),
                  split.read(1), ta.write(1, [7.0, 8.0, 9.0]).stack()])
    np.testing.assert_array_equal(values[0], x[2])
    np.testing.assert_array_equal(values[1], x[[3, 1]])
    assert values[2] == 4
    np.testing.assert_array_equal(values[3], x.reshape(-1))
    np.testing.assert_array_equal(values[4], [x[1], [0, 0, 0], x[0]])
    np.testing.assert_array_equal(values[5], x[2:])
    np.testing.assert_array_equal(values[6], [x[0], [7, 8, 9], x[2], x[3]])


def test_tensor_array_errors():
    ta = tf.TensorArray(tf.float32, size=3)
    with pytest.raises(ValueError, match="nothing was written"):
        ta.read(0)
    with pytest.raises(TypeError, match="dtype is float32 but Op is trying to write dtype int32"):
        ta.write(0, tf.constant([1, 2]))
    with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected \(2,\)"):
        ta.write(0, tf.zeros([2])).write(1, tf.zeros([3]))
    with pytest.raises(ValueError, match="size"):
        tf.TensorArray(tf.float32, size=tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="equal, constant lengths"):
        ta.split(tf.zeros([3, 2]), [1, 2])
