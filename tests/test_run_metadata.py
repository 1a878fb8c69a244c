"""Session.run(..., options=RunOptions(trace_level=FULL_TRACE), run_metadata=RunMetadata()):
every executed op is listed, in execution order, with its time, output bytes and shapes."""
import numpy as np
import pytest

import tfone as tf

TRACE = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    W = tf.Variable(np.ones((3, 2), np.float32), name="W")
    y = tf.matmul(x, W, name="y")
    loss = tf.reduce_sum(y, name="loss")
    return x, W, y, loss


def test_every_executed_op_is_listed_with_a_time():
    x, W, y, loss = _model()
    with tf.Session() as sess:
        sess.run(W.initializer)
        metadata = tf.RunMetadata()
        value = sess.run(loss, {x: np.ones((4, 3))}, options=TRACE, run_metadata=metadata)
    assert value == 24.0
    names = [s.op_name for s in metadata.step_stats]
    assert sorted(names) == sorted({"W", "W/read", "y", "Const", "loss"})  # x is fed, not run
    graph = tf.get_default_graph()
    for position, name in enumerate(names):  # execution order: inputs run first
        for t in graph.get_operation_by_name(name).inputs:
            assert t.op.name == "x" or names.index(t.op.name) < position
    assert "W/Assign" not in names
    for stat in metadata.step_stats:
        assert stat.elapsed_s >= 0 and stat.start_s > 0
    starts = [s.start_s for s in metadata.step_stats]
    assert starts == sorted(starts)
    assert {s.op_name: s.op_type for s in metadata.step_stats}["y"] == "MatMul"


def test_output_bytes_and_shapes():
    x, W, y, loss = _model()
    with tf.Session() as sess:
        sess.run(W.initializer)
        metadata = tf.RunMetadata()
        sess.run([loss, tf.no_op(name="nothing")], {x: np.ones((5, 3))}, options=TRACE,
                 run_metadata=metadata)
    stats = metadata.op_stats()
    assert stats["y"].output_shapes == ((5, 2),) and stats["y"].output_bytes == 5 * 2 * 4
    assert stats["loss"].output_shapes == ((),) and stats["loss"].output_bytes == 4
    assert stats["nothing"].output_shapes == () and stats["nothing"].output_bytes == 0
    assert metadata.op_bytes()["W"] == 24
    times = metadata.op_times()
    assert set(times) == set(stats) and all(t >= 0 for t in times.values())
    assert metadata.total_seconds == pytest.approx(sum(times.values()))


def test_multi_output_ops_and_unused_outputs():
    parts = tf.split(tf.reshape(tf.range(12.0), [3, 4]), [1, 3], axis=1, name="parts")
    used = tf.identity(parts[1], name="used")
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(used, options=TRACE, run_metadata=metadata)
    stat = metadata.op_stats()["parts"]
    # parts:0 is dropped by the plan at once (its shape is not recorded); parts:1 is used.
    assert stat.output_shapes == (None, (3, 3))
    assert stat.output_bytes == 3 * 3 * 4


def test_summary_table_and_untraced_runs():
    x, W, y, loss = _model()
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(W.initializer)
        sess.run(loss, {x: np.ones((2, 3))}, run_metadata=metadata)  # no trace requested
        assert metadata.step_stats == []
        sess.run(loss, {x: np.ones((2, 3))}, options=TRACE, run_metadata=metadata)
    table = metadata.summary(top=2)
    lines = table.split("\n")
    assert lines[0].split()[:3] == ["op", "type", "ms"]
    assert len(lines) == 1 + 2 + 1 and lines[-1].startswith("5 ops executed")
    slowest = max(metadata.step_stats, key=lambda s: s.elapsed_s)
    assert lines[1].split()[0] == slowest.op_name
    assert len(metadata.summary(top=None).split("\n")) == 1 + 5 + 1


def test_step_stat_stays_constructible_with_five_fields():
    stat = tf.RunMetadata.StepStat("a", "Add", 0.0, 1e-6, 8)  # older callers: no shapes
    assert stat.output_shapes == ()
