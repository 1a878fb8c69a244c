"""DataParallel on 2 worker processes: exact equality with single-process training (GD, Adam),
scattered data, feeds, metrics, checkpoints, the workers' graph, and clear errors."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import tfone as tf
from tfone.distribute import DataParallel, worker_graph_def

from tests.distribute._models import MLP, data, single_process

RTOL, ATOL = 2e-5, 2e-6     # float32 rounding: the shard sums differ from whole-batch sums


def _distributed(cluster, make_optimizer, batches, steps_per_batch=1, **model_kwargs):
    model = MLP(**model_kwargs)
    with model.graph.as_default():
        dp = DataParallel(cluster, model.loss, make_optimizer(), inputs=[model.x, model.y],
                          global_step=model.global_step)
    sess = model.session()
    losses = [dp.run(sess, {model.x: x, model.y: y}) for x, y in batches]
    values = sess.run(model.variables)
    step = sess.run(model.global_step)
    dp.close()
    return values, losses, step, dp


def _assert_close(actual, expected):
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("make_optimizer", [
    lambda: tf.train.GradientDescentOptimizer(0.5),
    lambda: tf.train.AdamOptimizer(0.05),
], ids=["GradientDescent", "Adam"])
def test_distributed_steps_equal_single_process_steps(two_workers, make_optimizer):
    x, y = data(n_rows=101)     # odd: the two shards have 51 and 50 rows
    batches = [(x, y)] * 3
    expected, expected_losses = single_process(make_optimizer, batches, weight_decay=1e-3)
    got, losses, step, dp = _distributed(two_workers, make_optimizer, batches, weight_decay=1e-3)
    assert dp.last_step.shard_sizes == [51, 50]
    assert len(dp.last_step.workers) == 2
    assert step == 3
    np.testing.assert_allclose(losses, expected_losses, rtol=RTOL)
    _assert_close(got, expected)
    # and the training really moved the variables
    fresh = MLP()
    assert not np.allclose(got[0], fresh.session().run(fresh.w1))


def test_one_step_changes_variables_like_one_whole_batch_step(two_workers):
    x, y = data(n_rows=64)
    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(two_workers, model.loss, tf.train.GradientDescentOptimizer(1.0),
                          inputs=[model.x, model.y])
        grads = tf.gradients(model.loss, model.variables)
    sess = model.session()
    before = sess.run(model.variables)
    whole_batch_grads = sess.run(grads, {model.x: x, model.y: y})
    dp.run(sess, {model.x: x, model.y: y})
    after = sess.run(model.variables)
    _assert_close([b - a for b, a in zip(before, after)], whole_batch_grads)
    dp.close()


def test_batch_smaller_than_the_cluster_uses_fewer_workers(two_workers):
    x, y = data(n_rows=1)
    expected, _ = single_process(lambda: tf.train.GradientDescentOptimizer(0.5), [(x, y)])
    got, _, _, dp = _distributed(two_workers, lambda: tf.train.GradientDescentOptimizer(0.5),
                                 [(x, y)])
    assert dp.last_step.shard_sizes == [1]
    _assert_close(got, expected)


def test_metrics_are_row_weighted_means_of_the_whole_batch(two_workers):
    x, y = data(n_rows=33)
    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(two_workers, model.loss, tf.train.GradientDescentOptimizer(0.1),
                          inputs=[model.x, model.y], metrics={"acc": model.accuracy})
    sess = model.session()
    expected_loss, expected_acc = sess.run([model.loss, model.accuracy],
                                           {model.x: x, model.y: y})
    loss, metrics = dp.run(sess, {model.x: x, model.y: y})
    assert set(metrics) == {"acc"}
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-6)
    np.testing.assert_allclose(metrics["acc"], expected_acc, rtol=1e-6)
    dp.close()


def test_other_feeds_reach_the_workers_and_the_driver_update(two_workers):
    """A loss-scale placeholder is needed on the workers; a learning-rate placeholder only by
    the driver's update."""
    x, y = data(n_rows=40)

    def train(distributed):
        model = MLP()
        with model.graph.as_default():
            scale = tf.placeholder(tf.float32, [], name="scale")
            lr = tf.placeholder(tf.float32, [], name="lr")
            loss = scale * model.loss
            opt = tf.train.GradientDescentOptimizer(lr)
            if distributed:
                dp = DataParallel(two_workers, loss, opt, inputs=[model.x, model.y])
            else:
                train_op = opt.minimize(loss)
        sess = model.session()
        feed = {model.x: x, model.y: y, scale: 2.0, lr: 0.25}
        for _ in range(2):
            dp.run(sess, feed) if distributed else sess.run(train_op, feed)
        if distributed:
            assert "scale" in {n["name"] for n in dp.worker_graph_def["node"]}
            assert "lr" not in {n["name"] for n in dp.worker_graph_def["node"]}
            dp.close()
        return sess.run(model.variables)

    _assert_close(train(True), train(False))


def test_scattered_dataset_trains_on_the_same_batches(two_workers):
    x, y = data(n_rows=70)
    batch_size = 32          # batches of 32, 32 and 6 rows
    batches = [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, 70, batch_size)]
    expected, expected_losses = single_process(lambda: tf.train.AdamOptimizer(0.05), batches)

    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(two_workers, model.loss, tf.train.AdamOptimizer(0.05),
                          inputs=[model.x, model.y])
    sess = model.session()
    dp.scatter({model.x: x, model.y: y}, batch_size=batch_size)
    assert dp.num_batches == 3
    losses = [dp.run(sess, batch=k) for k in range(dp.num_batches)]
    assert dp.last_step.shard_sizes == [3, 3]
    # after scatter, a step sends only the variable values, no rows
    values_bytes = sum(v.nbytes for v in sess.run(model.variables))
    assert dp.last_step.bytes_to_workers == 2 * values_bytes
    np.testing.assert_allclose(losses, expected_losses, rtol=RTOL)
    _assert_close(sess.run(model.variables), expected)
    with pytest.raises(ValueError, match="batch must be an integer in \\[0, 3\\)"):
        dp.run(sess, batch=3)
    with pytest.raises(ValueError, match="do not also feed"):
        dp.run(sess, {model.x: x}, batch=0)
    dp.close()


def test_resume_from_a_checkpoint_continues_exactly(two_workers, tmp_path):
    x, y = data(n_rows=50)
    feeds = lambda m: {m.x: x, m.y: y}  # noqa: E731
    expected, _ = single_process(lambda: tf.train.AdamOptimizer(0.05), [(x, y)] * 4)

    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(two_workers, model.loss, tf.train.AdamOptimizer(0.05),
                          inputs=[model.x, model.y], global_step=model.global_step)
        saver = tf.train.Saver()
    sess = model.session()
    for _ in range(2):
        dp.run(sess, feeds(model))
    path = saver.save(sess, str(tmp_path / "model"), global_step=model.global_step)
    dp.close()
    sess.close()

    resumed = MLP()           # a new driver: new graph, new session, same code
    with resumed.graph.as_default():
        dp = DataParallel(two_workers, resumed.loss, tf.train.AdamOptimizer(0.05),
                          inputs=[resumed.x, resumed.y], global_step=resumed.global_step)
        saver = tf.train.Saver()
    sess = tf.Session(graph=resumed.graph)
    saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
    assert path.endswith("model-2") and sess.run(resumed.global_step) == 2
    for _ in range(2):
        dp.run(sess, feeds(resumed))
    assert sess.run(resumed.global_step) == 4
    _assert_close(sess.run(resumed.variables), expected)
    dp.close()


def test_worker_graph_has_placeholders_for_variables_and_keeps_devices():
    with tf.device("/job:worker/task:1"):
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable(tf.ones([2, 1]), name="w")
        with tf.device("/cpu:0"):
            loss = tf.reduce_mean(tf.matmul(x, w))
    grad, = tf.gradients(loss, [w])
    tf.train.GradientDescentOptimizer(0.1).minimize(loss)   # driver-only ops: left out
    graph_def, parameters = worker_graph_def(tf.get_default_graph(), [loss, grad])
    nodes = {n["name"]: n for n in graph_def["node"]}
    assert parameters == [w.op.outputs[0]]
    assert nodes["w"]["op"] == "Placeholder" and nodes["w"]["input"] == []
    assert nodes["w"]["device"] == "/job:worker/task:1"
    assert nodes["MatMul"]["device"] == "/job:worker/task:1/device:CPU:0"
    assert not any(n["op"].startswith("Apply") or n["op"] == "VariableV2"
                   for n in graph_def["node"])
    assert "w/Assign" not in nodes and "GradientDescent" not in nodes
    # It is plain JSON, and it runs: feed the variable's value by its name.
    text = graph_def.SerializeToString().decode("utf-8")
    replica = tf.Graph()
    with replica.as_default():
        tf.import_graph_def(_parse(text), name="")
    with tf.Session(graph=replica) as sess:
        value = sess.run("MatMul:0", {"x:0": [[1.0, 2.0]], "w:0": [[3.0], [4.0]]})
    assert value.tolist() == [[11.0]]
    assert replica.get_operation_by_name("MatMul").device == "/job:worker/task:1/device:CPU:0"


def _parse(text):
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(text)
    return graph_def


def test_loss_that_writes_a_variable_is_refused():
    counter = tf.Variable(0.0, name="counter")
    w = tf.Variable(1.0, name="w")
    with tf.control_dependencies([tf.assign_add(counter, 1.0)]):
        loss = tf.square(w)
    with pytest.raises(ValueError, match="uses variable 'counter' itself"):
        worker_graph_def(tf.get_default_graph(), [loss])


def test_clear_errors(two_workers):
    model = MLP()
    x, y = data(n_rows=8)
    opt = tf.train.GradientDescentOptimizer(0.1)
    with model.graph.as_default():
        with pytest.raises(ValueError, match="must be a scalar"):
            DataParallel(two_workers, model.x, opt, inputs=[model.x])
        with pytest.raises(TypeError, match="tf.train.Optimizer"):
            DataParallel(two_workers, model.loss, "sgd", inputs=[model.x])
        with pytest.raises(ValueError, match="inputs must name"):
            DataParallel(two_workers, model.loss, opt, inputs=[])
        dp = DataParallel(two_workers, model.loss, opt, inputs=[model.x, model.y])
    sess = model.session()
    with pytest.raises(ValueError, match=r"missing \['y:0'\]"):
        dp.run(sess, {model.x: x})
    with pytest.raises(ValueError, match="same number of rows"):
        dp.run(sess, {model.x: x, model.y: y[:5]})
    with pytest.raises(ValueError, match="Session on the graph of the loss"):
        dp.run(tf.Session(graph=tf.Graph()), {model.x: x, model.y: y})
    with pytest.raises(ValueError, match="scatter"):
        dp.run(sess, batch=0)
    # An error inside a worker's graph run comes back as the usual tfone error, naming the op.
    with pytest.raises(ValueError, match="Cannot feed value of shape"):
        dp.run(sess, {model.x: np.zeros((8, 5), np.float32), model.y: y})
    assert dp.steps_applied == 0
    dp.close()
    with pytest.raises(RuntimeError, match="closed"):
        dp.run(sess, {model.x: x, model.y: y})


def test_data_flow_picture(two_workers):
    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(two_workers, model.loss, tf.train.AdamOptimizer(),
                          inputs=[model.x, model.y])
    sess = model.session()
    x, y = data(n_rows=10)
    dp.run(sess, {model.x: x, model.y: y})
    dot = dp.data_flow_dot()
    for address in dp.workers:
        assert address in dot
    assert "hidden/kernel [6, 16]" in dot and "(5 rows)" in dot and "Adam" in dot
    dp.close()
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True,
                             check=True).stdout
        assert b"<svg" in svg
    generic = tf.distribute.data_flow_dot(n_workers=3)
    assert generic.count("subgraph cluster_worker") == 3


def test_import_tfone_does_not_import_dask():
    code = ("import sys, tfone\n"
            "assert 'distributed' not in sys.modules and 'dask' not in sys.modules\n"
            "tfone.distribute.Cluster\n"
            "print('ok')")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "ok", out.stderr
