"""tf.py_func / tf.numpy_function (the PyFunc op) and tf.verify_tensor_all_finite."""
import numpy as np
import pytest

import tfone as tf

REFERENCE_CHECKED = {"PyFunc"}
SHAPE_CHECKED = {"PyFunc"}
GRADIENT_CHECKED = set()   # PyFunc has no gradient, as in TF1


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_py_func_runs_python_on_numpy_values():
    x = tf.placeholder(tf.float32, [None], name="x")
    doubled = tf.py_func(lambda a: (2 * a).astype(np.float32), [x], tf.float32)
    assert doubled.op.type == "PyFunc" and doubled.op.name == "PyFunc"
    assert doubled.dtype == tf.float32 and doubled.shape.ndims is None
    pair = tf.py_func(lambda a, b: [a + 1, np.int64(b.size)], [x, doubled],
                      [tf.float32, tf.int64], name="pair")
    assert isinstance(pair, list) and [t.dtype for t in pair] == [tf.float32, tf.int64]
    values = run([doubled, pair], {x: [1.0, 2.0]})
    np.testing.assert_array_equal(values[0], [2.0, 4.0])
    np.testing.assert_array_equal(values[1][0], [2.0, 3.0])
    assert values[1][1] == 2
    single_list = tf.numpy_function(lambda a: a, [x], [tf.float32])
    assert isinstance(single_list, list) and len(single_list) == 1
    words = tf.py_func(lambda: np.array(["a", "bc"]), [], tf.string)
    assert run(words).tolist() == [b"a", b"bc"]


def test_py_func_runs_each_time_and_without_outputs():
    calls = []
    op = tf.py_func(lambda v: calls.append(int(v)), [tf.constant(3)], [])
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(op)
        sess.run(op)
    assert calls == [3, 3]


def test_py_func_errors_like_tf1():
    wrong_dtype = tf.py_func(lambda a: a.astype(np.float64), [tf.constant([1.0])], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is float64, but expects float32"):
        run(wrong_dtype)
    wrong_count = tf.py_func(lambda: [1, 2], [], [tf.int64])
    with pytest.raises(tf.errors.InvalidArgumentError, match="returns 2 values.*expects to see 1"):
        run(wrong_count)
    x = tf.placeholder(tf.float32, [2])
    y = tf.py_func(lambda a: a, [x], tf.float32)
    with pytest.raises(LookupError, match=r"No gradient defined.*op type: PyFunc"):
        tf.gradients(y, x)
    with pytest.raises(TypeError, match="callable"):
        tf.py_func(None, [x], tf.float32)


def test_py_func_graph_exports_but_runs_only_in_its_process():
    y = tf.py_func(lambda: np.float32(1.0), [], tf.float32)
    graph_def = tf.get_default_graph().as_graph_def()
    node = [n for n in graph_def.node if n.name == y.op.name][0]
    assert node.attr["token"].startswith("pyfunc_")
    from tfone.ops import script_ops
    saved = script_ops._FUNCS.pop(node.attr["token"])
    try:
        with pytest.raises(tf.errors.InvalidArgumentError, match="not registered in this process"):
            run(y)
    finally:
        script_ops._FUNCS[node.attr["token"]] = saved
    assert run(y) == 1.0


def test_verify_tensor_all_finite():
    x = tf.placeholder(tf.float32, [None])
    checked = tf.verify_tensor_all_finite(x, "x went bad")
    assert checked.shape.as_list() == [None] and checked.op.name.startswith("VerifyFinite/")
    np.testing.assert_array_equal(run(checked, {x: [1.0, 2.0]}), [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="x went bad"):
        run(checked, {x: [1.0, np.inf]})
    np.testing.assert_array_equal(run(tf.verify_tensor_all_finite(x=x, message="m"), {x: [3.0]}),
                                  [3.0])
