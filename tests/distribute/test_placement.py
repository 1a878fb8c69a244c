"""Device placement: recorded on every op built inside tf.device, exported with the graph,
kept by import_graph_def, write_graph and the workers' graph."""
import tfone as tf
from tfone.distribute import worker_graph_def


def _build_placed_model():
    with tf.device("/job:ps/task:0"):
        w = tf.Variable(tf.ones([3, 2]), name="w")
    with tf.device("/job:worker/task:1"):
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.device("/cpu:0"):
            y = tf.matmul(x, w, name="y")
        with tf.device("/job:worker/task:0/device:CPU:1"):   # inner fields win
            z = tf.reduce_sum(y, name="z")
        with tf.device(None):                                # cleared
            free = tf.identity(z, name="free")
    return w, x, y, z, free


def test_devices_are_recorded_and_merged():
    w, x, y, z, free = _build_placed_model()
    assert w.op.device == "/job:ps/task:0"
    assert w.initializer.device == "/job:ps/task:0"        # ops made by the variable too
    assert x.op.device == "/job:worker/task:1"
    assert y.op.device == "/job:worker/task:1/device:CPU:0"
    assert z.op.device == "/job:worker/task:0/device:CPU:1"
    assert free.op.device == ""


def test_devices_are_exported_and_imported(tmp_path):
    _build_placed_model()
    graph = tf.get_default_graph()
    graph_def = graph.as_graph_def()
    exported = {n["name"]: n["device"] for n in graph_def["node"]}
    assert exported["w"] == "/job:ps/task:0"
    assert exported["y"] == "/job:worker/task:1/device:CPU:0"
    assert exported["free"] == ""
    path = tf.train.write_graph(graph, str(tmp_path), "placed.json")
    with open(path) as f:
        text = f.read()
    assert '"device": "/job:worker/task:1/device:CPU:0"' in text
    for source in (graph_def, text):
        imported = tf.Graph()
        with imported.as_default():
            tf.import_graph_def(source, name="copy")
        for name, device in exported.items():
            assert imported.get_operation_by_name("copy/" + name).device == device


def test_the_workers_graph_keeps_devices():
    w, x, y, z, free = _build_placed_model()
    grad, = tf.gradients(z, [w])
    graph_def, parameters = worker_graph_def(tf.get_default_graph(), [z, grad])
    devices = {n["name"]: n["device"] for n in graph_def["node"]}
    assert devices["w"] == "/job:ps/task:0"               # now a placeholder, same device
    assert devices["z"] == "/job:worker/task:0/device:CPU:1"
    assert "free" not in devices
    assert [p.op.name for p in parameters] == ["w"]
