"""Graph export/import as JSON: as_graph_def, import_graph_def, write_graph."""
import json
import os

import numpy as np
import pytest

import tfone as tf
from tfone.framework import graph_io

RNG = np.random.RandomState(11)
X = RNG.randn(8, 3).astype(np.float32)
Y = (X.sum(axis=1, keepdims=True) > 0).astype(np.float32)


def _mlp():
    """A small MLP with an optimizer (every kind of op: consts, variables, gradients, updates)."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.name_scope("hidden"):
        w1 = tf.Variable(RNG.randn(3, 4).astype(np.float32), name="W")
        b1 = tf.Variable(tf.zeros([4]), name="b")
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
    with tf.name_scope("out"):
        w2 = tf.Variable(RNG.randn(4, 1).astype(np.float32), name="W")
        logits = tf.matmul(h, w2)
    loss = tf.reduce_mean(tf.square(logits - y), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step, name="train")
    init = tf.global_variables_initializer()
    return train, loss, init


def _train(sess, train, loss, init, feed_names=("x:0", "y:0")):
    sess.run(init)
    losses = []
    for _ in range(5):
        sess.run(train, {feed_names[0]: X, feed_names[1]: Y})
        losses.append(sess.run(loss, {feed_names[0]: X, feed_names[1]: Y}))
    return losses


def test_round_trip_preserves_names_structure_and_results():
    train, loss, init = _mlp()
    graph = tf.get_default_graph()
    graph_def = graph.as_graph_def()
    with tf.Session() as sess:
        expected = _train(sess, train, loss, init)
    imported = tf.Graph()
    with imported.as_default():
        assert tf.import_graph_def(graph_def, name="") is None
    originals = graph.get_operations()
    copies = imported.get_operations()
    assert [op.name for op in copies] == [op.name for op in originals]
    for a, b in zip(originals, copies):
        assert a.type == b.type
        assert [t.name for t in a.inputs] == [t.name for t in b.inputs]
        assert [c.name for c in a.control_inputs] == [c.name for c in b.control_inputs]
        assert [(t.dtype, t.shape.as_tuple()) for t in a.outputs] == \
            [(t.dtype, t.shape.as_tuple()) for t in b.outputs]
        assert a.traceback == b.traceback
    with tf.Session(graph=imported) as sess:
        got = _train(sess, "train", "loss:0", "init")
    np.testing.assert_array_equal(got, expected)
    assert got[-1] < got[0]


def test_json_is_plain_and_serializable():
    _mlp()
    graph_def = tf.get_default_graph().as_graph_def()
    text = graph_def.SerializeToString()
    assert b"pickle" not in text
    parsed = json.loads(text)
    assert parsed["format"] == "tfone.GraphDef" and parsed["version"] == 1
    nodes = {n["name"]: n for n in parsed["node"]}
    assert nodes["x"]["attr"] == {"dtype": {"@dtype": "float32"}, "shape": {"@shape": [None, 3]}}
    assert nodes["hidden/MatMul"]["input"] == ["x", "hidden/W/read"]
    assert nodes["train"]["op"] == "AssignAdd"
    assert nodes["train"]["input"] == ["global_step", "train/value", "^train/update"]
    assert nodes["loss"]["output"] == [{"dtype": "float32", "shape": []}]
    assert nodes["x"]["location"]["file"] == __file__
    assert nodes["init"]["input"][0].startswith("^")
    names = [v["name"] for v in parsed["variables"]]
    assert names[:3] == ["hidden/W", "hidden/b", "out/W"] and "hidden/W/Adam" in names
    assert parsed["collections"]["trainable_variables"] == [
        {"variable": "hidden/W"}, {"variable": "hidden/b"}, {"variable": "out/W"}]
    assert parsed["collections"]["train_op"] == [{"operation": "train"}]
    # The protobuf-like surface of TF1's GraphDef.
    assert graph_def.node[0].name == "x" and graph_def.node[0].op == "Placeholder"
    again = tf.GraphDef()
    again.ParseFromString(text)
    assert again == graph_def


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("nan"), float("inf"), "text", b"\x00bytes", (1, 2), [1, (2, 3)],
    {"k": 1.5}, tf.float64, tf.TensorShape(None), tf.TensorShape([None, 2]),
    np.float32(1.25), np.arange(6, dtype=np.int64).reshape(2, 3),
    RNG.randn(100).astype(np.float32), np.array([1.0, np.nan, -np.inf]),
    np.array([b"a", b"\xffb"], dtype=object), np.array(True), np.zeros((0, 3), np.float16)])
def test_attribute_values_round_trip(value):
    encoded = graph_io.encode_value(value)
    decoded = graph_io.decode_value(json.loads(json.dumps(encoded)))
    if isinstance(value, np.ndarray):
        assert decoded.dtype == value.dtype and decoded.shape == value.shape
        np.testing.assert_array_equal(decoded, value)
        assert not decoded.flags.writeable
    elif isinstance(value, float) and value != value:
        assert decoded != decoded
    else:
        assert decoded == value and type(decoded) is type(value)


def test_attribute_defaults_of_every_registered_op_round_trip():
    from tfone.framework.op_registry import REQUIRED
    for name, opdef in tf.registered_ops().items():
        for key, value in opdef.attrs.items():
            if value is REQUIRED:
                continue
            decoded = graph_io.decode_value(json.loads(json.dumps(graph_io.encode_value(value))))
            assert repr(decoded) == repr(value), (name, key)


def test_unserializable_attribute_is_a_clear_error():
    with pytest.raises(ValueError, match="attr 'fn' of op f .*no JSON form"):
        graph_io.encode_value(lambda: 0, "attr 'fn' of op f (PyFunc)")


def test_import_with_prefix_input_map_and_return_elements():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    doubled = tf.multiply(x, 2.0, name="double")
    tf.add(doubled, 1.0, name="result")
    graph_def = tf.get_default_graph().as_graph_def()
    tf.reset_default_graph()
    feed = tf.constant([[1.0, 2.0]], name="feed")
    result, op = tf.import_graph_def(graph_def, input_map={"x:0": feed},
                                     return_elements=["result:0", "double"])
    assert result.name == "import/result:0" and op.name == "import/double"
    assert op.inputs[0] is feed
    again = tf.import_graph_def(graph_def, return_elements=["result:0"], name="model")[0]
    assert again.name == "model/result:0"
    assert tf.import_graph_def(graph_def, return_elements=["x"])[0].name == "import_1/x"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(result), [[3.0, 5.0]])
    with pytest.raises(ValueError, match="not found in graph_def: \\[nope:0\\]"):
        tf.import_graph_def(graph_def, input_map={"nope:0": feed})
    with pytest.raises(ValueError, match="return_element 'missing:0' not found"):
        tf.import_graph_def(graph_def, return_elements=["missing:0"])


def test_import_without_prefix_uniquifies_taken_names():
    tf.constant(1.0, name="a")
    graph_def = tf.get_default_graph().as_graph_def()
    tf.import_graph_def(graph_def, name="")
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["a", "a_1"]
    assert tf.constant(2.0, name="a").op.name == "a_2"


def test_devices_and_control_dependencies_survive():
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0, name="v")
    marker = tf.no_op(name="marker")
    with tf.control_dependencies([marker]):
        out = tf.identity(v.value(), name="out")
    graph_def = tf.get_default_graph().as_graph_def()
    tf.reset_default_graph()
    with tf.device("/job:worker"):
        tf.import_graph_def(graph_def, name="")
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("v").device == "/job:ps/task:0"
    assert graph.get_operation_by_name("out").device == "/job:worker"
    assert [c.name for c in graph.get_operation_by_name("out").control_inputs] == ["marker"]
    with tf.Session() as sess:
        sess.run("v/Assign")
        assert sess.run("out:0") == 1.0
    assert out.name == "out:0"


def test_enclosing_control_dependencies_gate_the_imported_roots():
    tf.constant(1.0, name="c")
    graph_def = tf.get_default_graph().as_graph_def()
    tf.reset_default_graph()
    gate = tf.no_op(name="gate")
    with tf.control_dependencies([gate]):
        tf.import_graph_def(graph_def)
    assert tf.get_default_graph().get_operation_by_name("import/c").control_inputs == [gate]


def test_bad_graph_defs_are_rejected_clearly():
    with pytest.raises(ValueError, match="Not a tfone GraphDef"):
        tf.import_graph_def({"node": []})
    bad = graph_io.GraphDef(node=[{"name": "n", "op": "NoSuchOp", "input": [], "attr": {}}])
    with pytest.raises(ValueError, match="NoSuchOp"):
        tf.import_graph_def(bad)
    bad = graph_io.GraphDef(node=[{"name": "n", "op": "Identity", "input": ["ghost"],
                                   "attr": {}}])
    with pytest.raises(ValueError, match="input 'ghost' is not defined"):
        tf.import_graph_def(bad)
    with pytest.raises(ValueError, match="version"):
        tf.import_graph_def({"format": "tfone.GraphDef", "version": 99, "node": []})


def test_write_graph(tmp_path):
    tf.constant(1.0, name="c")
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path / "logs"), "graph.json")
    assert path == os.path.join(str(tmp_path / "logs"), "graph.json")
    with open(path) as f:
        text = f.read()
    assert text.startswith("{\n")
    compact = tf.train.write_graph(tf.get_default_graph().as_graph_def(), str(tmp_path),
                                   "g.json", as_text=False)
    loaded = graph_io.load_graph_def(compact)
    assert [n.name for n in loaded.node] == ["c"]
    assert sorted(os.listdir(tmp_path)) == ["g.json", "logs"]


def test_session_graph_def_property():
    tf.constant(1.0, name="c")
    with tf.Session() as sess:
        assert [n.name for n in sess.graph_def.node] == ["c"]


def test_from_version_exports_only_newer_ops():
    graph = tf.get_default_graph()
    tf.constant(1.0, name="old")
    version = graph.version
    tf.constant(2.0, name="new")
    assert [n.name for n in graph.as_graph_def(from_version=version).node] == ["new"]
