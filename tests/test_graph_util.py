"""tf.graph_util: extract_sub_graph and convert_variables_to_constants (graph freezing)."""
import numpy as np
import pytest

import tfone as tf


def _trained_model():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    W = tf.Variable([[1.0], [2.0]], name="W")
    b = tf.Variable([0.5], name="b")
    unused = tf.Variable(3.0, name="unused")
    y = tf.identity(tf.matmul(x, W) + b, name="y")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(y) + unused)
    return x, y, train


def test_freeze_then_import_without_checkpoint(tmp_path):
    x, y, train = _trained_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: [[1.0, 1.0]]})
        expected = sess.run(y, {x: [[1.0, 2.0]]})
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["y"])
    assert [n.op for n in frozen.node] == ["Placeholder", "Const", "Identity", "Const",
                                           "Identity", "MatMul", "Add", "Identity"]
    assert {n.name for n in frozen.node if n.op == "Const"} == {"W", "b"}
    path = tf.train.write_graph(frozen, str(tmp_path), "frozen.json")
    loaded = tf.GraphDef()
    with open(path) as f:
        loaded.ParseFromString(f.read())
    with tf.Graph().as_default():
        tf.import_graph_def(loaded, name="")
        assert tf.global_variables() == []
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run("y:0", {"x:0": [[1.0, 2.0]]}), expected)


def test_whitelist_blacklist_and_extract_sub_graph():
    x, y, train = _trained_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        graph_def = sess.graph_def
        only_b = tf.graph_util.convert_variables_to_constants(
            sess, graph_def, ["y"], variable_names_whitelist=["b"])
        not_b = tf.graph_util.convert_variables_to_constants(
            sess, graph_def, ["y"], variable_names_blacklist=["b"])
    ops = lambda g: {n.name: n.op for n in g.node}  # noqa: E731
    assert ops(only_b)["W"] == "VariableV2" and ops(only_b)["b"] == "Const"
    assert ops(not_b)["W"] == "Const" and ops(not_b)["b"] == "VariableV2"
    sub = tf.graph_util.extract_sub_graph(graph_def, ["W/read"])
    assert [n.name for n in sub.node] == ["W", "W/read"]
    with pytest.raises(AssertionError, match="not in graph"):
        tf.graph_util.extract_sub_graph(graph_def, ["nope"])
    with pytest.raises(TypeError, match="list"):
        tf.graph_util.extract_sub_graph(graph_def, "y")
    assert tf.graph_util.tensor_shape_from_node_def_name(tf.get_default_graph(),
                                                         "y").as_list() == [None, 1]
