"""Graph construction: names, scopes, lookups, collections, control dependencies, finalize."""
import pytest

import tfone as tf


def test_default_graph_and_as_default():
    g = tf.Graph()
    assert tf.get_default_graph() is not g
    with g.as_default():
        c = tf.constant(1.0)
        assert tf.get_default_graph() is g
    assert c.graph is g
    assert tf.get_default_graph() is not g


def test_reset_default_graph():
    tf.constant(1.0)
    old = tf.get_default_graph()
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old
    assert tf.get_default_graph().get_operations() == []
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="nested"):
            tf.reset_default_graph()


def test_unique_op_names():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    s3 = a + b
    s4 = a + b
    assert [a.op.name, b.op.name] == ["Const", "Const_1"]
    assert [s3.op.name, s4.op.name] == ["add", "add_1"]
    assert s3.name == "add:0"
    # Uniqueness ignores case, as in TF1: tf.add's default name "Add" collides with "add".
    s1 = tf.add(a, b)
    s2 = tf.add(a, b)
    assert [s1.op.name, s2.op.name] == ["Add_2", "Add_3"]
    named = tf.add(a, b, name="total")
    again = tf.add(a, b, name="total")
    assert (named.op.name, again.op.name) == ("total", "total_1")


def test_name_scopes_nest_and_uniquify():
    with tf.name_scope("layer1"):
        x = tf.constant(1.0, name="x")
        with tf.name_scope("inner") as scope:
            assert scope == "layer1/inner/"
            y = x + 1.0
    with tf.name_scope("layer1"):
        z = tf.constant(2.0, name="x")
    assert x.op.name == "layer1/x"
    assert y.op.name == "layer1/inner/add"
    assert y.op.inputs[1].op.name == "layer1/inner/add/y"  # converted constant lives in the op's scope
    assert z.op.name == "layer1_1/x"
    assert y.name == "layer1/inner/add:0"


def test_name_scope_reentry_and_reset():
    with tf.name_scope("a") as scope:
        pass
    with tf.name_scope(scope):
        c = tf.constant(0.0, name="c")
    assert c.op.name == "a/c"
    with tf.name_scope("b"):
        with tf.name_scope(None):
            d = tf.constant(0.0, name="d")
    assert d.op.name == "d"
    with tf.name_scope("op_scope") as scope:
        e = tf.identity(c, name=scope)
    assert e.op.name == "op_scope"


def test_invalid_names_raise():
    with pytest.raises(ValueError, match="not a valid"):
        tf.constant(1.0, name="bad name!")
    with pytest.raises(ValueError, match="not a valid scope name"):
        with tf.name_scope("bad scope!"):
            pass


def test_operation_and_tensor_attributes():
    a = tf.placeholder(tf.float32, [2], name="a")
    b = tf.constant([1.0, 2.0], name="b")
    c = tf.multiply(a, b, name="c")
    op = c.op
    assert op.name == "c" and op.type == "Mul"
    assert op.inputs == [a, b]
    assert op.outputs == [c]
    assert op.graph is tf.get_default_graph()
    assert op.control_inputs == []
    assert c.op is op and c.dtype == tf.float32 and c.value_index == 0
    assert a.consumers() == [op]
    assert "test_graph.py" in op.location
    assert op.traceback[0].endswith("test_graph.py")
    assert repr(c) == "<tf.Tensor 'c:0' shape=(2,) dtype=float32>"
    assert repr(op) == "<tf.Operation 'c' type=Mul>"


def test_graph_lookups():
    g = tf.get_default_graph()
    x = tf.placeholder(tf.float32, name="x")
    y = tf.identity(x, name="y")
    assert g.get_operation_by_name("y") is y.op
    assert g.get_tensor_by_name("y:0") is y
    assert g.as_graph_element("y:0") is y
    assert g.as_graph_element("y") is y.op
    assert g.as_graph_element(y) is y
    assert [op.name for op in g.get_operations()] == ["x", "y"]
    with pytest.raises(KeyError, match="does not exist"):
        g.get_tensor_by_name("nothing:0")
    with pytest.raises(KeyError, match="exists but only has 1 outputs"):
        g.get_tensor_by_name("y:3")
    with pytest.raises(ValueError, match="Did you mean 'y:0'"):
        g.get_tensor_by_name("y")
    with pytest.raises(ValueError, match="not an element of this graph"):
        tf.Graph().as_graph_element(y)


def test_finalize_blocks_new_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
        g.finalize()
        assert g.finalized
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(2.0)


def test_collections():
    tf.add_to_collection("stuff", 1)
    tf.add_to_collections(["stuff", "more"], 2)
    assert tf.get_collection("stuff") == [1, 2]
    assert tf.get_collection("more") == [2]
    assert tf.get_collection("missing") == []
    ref = tf.get_collection_ref("stuff")
    ref.append(3)
    assert tf.get_collection("stuff") == [1, 2, 3]
    v1 = tf.Variable(1.0, name="scope_a/v")
    tf.Variable(2.0, name="scope_b/v")
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="scope_a") == [v1]
    assert tf.GraphKeys.UPDATE_OPS == "update_ops" and tf.GraphKeys.LOSSES == "losses"


def test_control_dependencies():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.control_dependencies([a, b.op]):
        c = tf.constant(3.0)
        with tf.control_dependencies(None):
            d = tf.constant(4.0)
        e = tf.identity(a)  # a is already an input: not repeated as a control input
    assert c.op.control_inputs == [a.op, b.op]
    assert d.op.control_inputs == []
    assert e.op.control_inputs == [b.op]
    with pytest.raises(TypeError, match="Control input"):
        with tf.control_dependencies([1.0]):
            pass


def test_ops_from_different_graphs_raise():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.add(a, b)


def test_device_placement_is_recorded_and_merged():
    with tf.device("/job:worker/task:1"):
        a = tf.constant(1.0)
        with tf.device("/cpu:0"):
            b = tf.constant(2.0)
        with tf.device(None):
            c = tf.constant(3.0)
    assert a.op.device == "/job:worker/task:1"
    assert b.op.device == "/job:worker/task:1/device:CPU:0"
    assert c.op.device == ""
    with tf.device(lambda op: "/job:ps/task:0" if op.type == "Const" else ""):
        d = tf.constant(4.0)
    assert d.op.device == "/job:ps/task:0"
    with pytest.raises(ValueError, match="Unknown attribute"):
        with tf.device("/bogus:1"):
            pass


def test_group_tuple_no_op_identity():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    g = tf.group(a.initializer, b.initializer, name="init_both")
    assert g.type == "NoOp" and g.name == "init_both"
    assert set(g.control_inputs) == {a.initializer, b.initializer}
    x, y = tf.tuple([a.value(), b.value()])
    assert x.op.type == "Identity" and x.op.control_inputs
    n = tf.no_op(name="nothing")
    assert n.type == "NoOp" and n.outputs == []
    with tf.Session() as sess:
        sess.run(g)
        assert sess.run([x, y]) == [1.0, 2.0]
        assert sess.run(n) is None
