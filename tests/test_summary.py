"""tf.summary.FileWriter: event files written through tensorboard, read back with tensorboard's
own readers (EventAccumulator, LegacyEventFileLoader) — scalars, histograms, images, audio,
text, the graph (nodes, scopes, inputs, attrs, shapes) and run metadata."""
import glob
import os
import subprocess
import sys

import numpy as np
import pytest

import tfone as tf
from tfone.summary import encode

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402

_ALL = {event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0,
        event_accumulator.IMAGES: 0, event_accumulator.AUDIO: 0, event_accumulator.TENSORS: 0}


def _accumulator(logdir):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance=_ALL)
    acc.Reload()
    return acc


def _raw_events(logdir):
    events = []
    for path in sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))):
        events.extend(event_file_loader.LegacyEventFileLoader(path).Load())
    return events


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer1"):
        W = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, name="W")
        y = tf.nn.relu(tf.matmul(x, W))
    loss = tf.reduce_mean(tf.square(y), name="mean_loss")
    return x, W, loss


# -- summaries ------------------------------------------------------------------------------------
def test_scalars_and_histograms_round_trip(tmp_path):
    x, W, loss = _model()
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weights", W)
    merged = tf.summary.merge_all()
    feeds = [np.full((2, 3), step, dtype=np.float32) for step in range(4)]
    expected = []
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        sess.run(tf.global_variables_initializer())
        for step, feed in enumerate(feeds):
            summary, value = sess.run([merged, loss], {x: feed})
            assert isinstance(summary, bytes)
            writer.add_summary(summary, global_step=step * 10)
            expected.append(value)
    acc = _accumulator(tmp_path)
    assert acc.Tags()["scalars"] == ["loss"] and acc.Tags()["histograms"] == ["weights"]
    scalars = acc.Scalars("loss")
    assert [e.step for e in scalars] == [0, 10, 20, 30]
    np.testing.assert_allclose([e.value for e in scalars], expected, rtol=1e-6)
    histo = acc.Histograms("weights")[-1].histogram_value
    w = np.arange(6) / 10
    assert (histo.min, histo.max, histo.num) == pytest.approx((0.0, 0.5, 6))
    assert histo.sum == pytest.approx(w.sum())
    assert histo.sum_squares == pytest.approx((w ** 2).sum())
    assert sum(histo.bucket) == 6


def test_summary_iterator_reads_events_back(tmp_path):
    x, W, loss = _model()
    tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    expected = []
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            summary, value = sess.run([merged, loss], {x: np.full((2, 3), step, np.float32)})
            writer.add_summary(summary, global_step=step)
            expected.append(value)
        path = writer.event_file
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version.startswith("brain.Event:")
    assert any(e.graph_def for e in events)
    scalars = [(e.step, v.tag, v.simple_value) for e in events for v in e.summary.value]
    assert [s[:2] for s in scalars] == [(0, "loss"), (1, "loss"), (2, "loss")]
    np.testing.assert_allclose([s[2] for s in scalars], expected, rtol=1e-6)


def test_summary_iterator_errors(tmp_path):
    with pytest.raises(tf.errors.NotFoundError):
        list(tf.train.summary_iterator(str(tmp_path / "missing")))
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(encode.scalar_pb("a", 1.0), 1)
        path = writer.event_file
    data = open(path, "rb").read()
    truncated = tmp_path / "truncated"
    truncated.write_bytes(data[:-3])
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        list(tf.train.summary_iterator(str(truncated)))
    corrupted = tmp_path / "corrupted"
    corrupted.write_bytes(data[:-6] + bytes([data[-6] ^ 0xFF]) + data[-5:])
    with pytest.raises(tf.errors.DataLossError, match="corrupted"):
        list(tf.train.summary_iterator(str(corrupted)))


def test_images_audio_and_text_round_trip(tmp_path):
    images = tf.placeholder(tf.float32, [None, 4, 5, 3])
    tf.summary.image("pics", images, max_outputs=2)
    tf.summary.audio("sound", tf.zeros([1, 80]), sample_rate=16000)
    tf.summary.text("notes", tf.constant("epoch **done**"))
    merged = tf.summary.merge_all()
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        for step in range(2):
            writer.add_summary(sess.run(merged, {images: np.random.rand(3, 4, 5, 3)}), step)
    acc = _accumulator(tmp_path)
    assert acc.Tags()["images"] == ["pics/image/0", "pics/image/1"]
    image = acc.Images("pics/image/1")[1]
    assert (image.step, image.width, image.height) == (1, 5, 4)
    assert image.encoded_image_string.startswith(b"\x89PNG")
    clip = acc.Audio("sound/audio/0")[0]
    assert (clip.sample_rate, clip.length_frames, clip.content_type) == (16000, 80, "audio/wav")
    (text_event, _) = acc.Tensors("notes")
    assert list(text_event.tensor_proto.string_val) == [b"epoch **done**"]
    assert acc.SummaryMetadata("notes").plugin_data.plugin_name == "text"
    # As TF1: the plugin metadata is written with the first value of a tag only.
    with_tag = [v for e in _raw_events(tmp_path) if e.HasField("summary")
                for v in e.summary.value if v.tag == "notes"]
    assert [v.HasField("metadata") for v in with_tag] == [True, False]


def test_add_summary_accepts_protos_built_in_python(tmp_path):
    # The classic TF1 idiom for logging a Python number, and the encode helpers (which a Keras
    # TensorBoard callback uses to log epoch metrics and weight histograms).
    manual = tf.Summary(value=[tf.Summary.Value(tag="accuracy", simple_value=0.75)])
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(manual, 1)
        writer.add_summary(encode.scalars_pb({"accuracy": 0.8, "val_loss": 1.5}), 2)
        writer.add_summary(encode.histogram_pb("kernel", np.array([1.0, 2.0, 2.0])), 2)
        writer.add_summary(encode.image_pb("img", np.zeros((1, 2, 2, 1), np.uint8)), 2)
        writer.add_summary(encode.text_pb("log", "hello"), 2)
        writer.add_summary(encode.audio_pb("beep", np.zeros((1, 10)), 8000), 2)
    acc = _accumulator(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in acc.Scalars("accuracy")] == [(1, 0.75), (2, 0.8)]
    assert acc.Scalars("val_loss")[0].value == 1.5
    assert acc.Histograms("kernel")[0].histogram_value.num == 3
    assert acc.Images("img/image/0")[0].width == 2
    assert list(acc.Tensors("log")[0].tensor_proto.string_val) == [b"hello"]
    assert acc.Audio("beep/audio/0")[0].length_frames == 10


def test_add_summary_rejects_ops_and_garbage(tmp_path):
    s = tf.summary.scalar("x", tf.constant(1.0))
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        with pytest.raises(TypeError, match="Did you pass the op instead of running it"):
            writer.add_summary(s, 0)
        with pytest.raises(ValueError, match="not a serialized Summary"):
            writer.add_summary(b"\xff\xff not a proto", 0)


# -- the graph ------------------------------------------------------------------------------------
def test_graph_is_written_as_a_graph_def(tmp_path):
    x, W, loss = _model()
    with tf.control_dependencies([loss]):
        done = tf.no_op(name="done")
    with tf.device("/cpu:0"):
        on_cpu = tf.identity(loss, name="on_cpu")
    graph = tf.get_default_graph()
    tf.summary.FileWriter(str(tmp_path), graph).close()
    graph_def = _accumulator(tmp_path).Graph()
    nodes = {n.name: n for n in graph_def.node}
    assert list(nodes) == [op.name for op in graph.get_operations()]
    assert all(nodes[op.name].op == op.type for op in graph.get_operations())
    assert nodes["x"].op == "Placeholder" and nodes["layer1/W"].op == "VariableV2"
    matmul = nodes["layer1/MatMul"]
    assert list(matmul.input) == ["x", "layer1/W/read"]
    assert matmul.attr["T"].type == 1  # DT_FLOAT
    assert not matmul.attr["transpose_a"].b
    shapes = matmul.attr["_output_shapes"].list.shape
    assert [[d.size for d in s.dim] for s in shapes] == [[-1, 2]]
    assert list(nodes["done"].input) == ["^mean_loss"]
    assert nodes["on_cpu"].device == "/device:CPU:0"
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 3]
    const = nodes["layer1/W/initial_value"]
    assert const.attr["value"].tensor.dtype == 1 and const.attr["dtype"].type == 1
    np.testing.assert_array_equal(
        np.frombuffer(const.attr["value"].tensor.tensor_content, "<f4").reshape(3, 2),
        np.arange(6, dtype=np.float32).reshape(3, 2) / 10)


def test_tfone_graph_def_is_converted(tmp_path):
    x, W, loss = _model()
    with tf.Session() as sess:
        tf.summary.FileWriter(str(tmp_path), sess.graph_def).close()  # an old TF1 idiom
    nodes = {n.name: n for n in _accumulator(tmp_path).Graph().node}
    assert [n for n in nodes] == [op.name for op in tf.get_default_graph().get_operations()]
    assert nodes["layer1/MatMul"].op == "MatMul" and nodes["layer1/MatMul"].attr["T"].type == 1


def test_add_graph_and_graph_def_arguments(tmp_path):
    tf.constant(1.0, name="c")
    from tfone.summary.writer import graph_def_proto
    graph_def = graph_def_proto(tf.get_default_graph())
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_graph(graph_def, global_step=3)
        with pytest.raises(ValueError, match="at least one of graph or graph_def"):
            writer.add_graph(None)
        with pytest.raises(TypeError, match="tf.Graph or a GraphDef"):
            writer.add_graph("not a graph")
    assert [n.name for n in _accumulator(tmp_path).Graph().node] == ["c"]
    graph_events = [e for e in _raw_events(tmp_path) if e.HasField("graph_def")]
    assert [e.step for e in graph_events] == [3]


# -- run metadata, session logs, writer lifetime ---------------------------------------------------
def test_run_metadata_is_written_for_the_graph_dashboard(tmp_path):
    x, W, loss = _model()
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        sess.run(W.initializer)
        sess.run(loss, {x: np.ones((4, 3))}, run_metadata=metadata,
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE))
        with tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
            writer.add_run_metadata(metadata, "step_7", global_step=7)
    acc = _accumulator(tmp_path)
    assert acc.Tags()["run_metadata"] == ["step_7"]
    stats = acc.RunMetadata("step_7").step_stats.dev_stats[0].node_stats
    assert [s.node_name for s in stats] == [s.op_name for s in metadata.step_stats]
    by_name = {s.node_name: s for s in stats}
    matmul = by_name["layer1/MatMul"]
    assert matmul.all_end_rel_micros >= 0 and matmul.all_start_micros > 0
    description = matmul.output[0].tensor_description
    assert [d.size for d in description.shape.dim] == [4, 2]
    assert description.allocation_description.requested_bytes == 4 * 2 * 4
    assert matmul.memory[0].total_bytes == 32


def test_session_log_flush_close_and_reopen(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), filename_suffix=".mine", flush_secs=1000)
    assert writer.get_logdir() == str(tmp_path) and writer.event_file.endswith(".mine")
    writer.add_session_log(tf.SessionLog(status=tf.SessionLog.START), 5)
    writer.add_summary(encode.scalar_pb("a", 1.0), 1)
    writer.flush()  # pending events reach the disk before close
    assert any(e.HasField("summary") for e in _raw_events(tmp_path))
    writer.close()
    with pytest.raises(RuntimeError, match="closed; call reopen"):
        writer.add_summary(encode.scalar_pb("a", 2.0), 2)
    writer.reopen()
    writer.add_summary(encode.scalar_pb("a", 3.0), 3)
    writer.close()
    events = _raw_events(tmp_path)
    assert [e.session_log.status for e in events if e.HasField("session_log")] == [1]
    assert len(glob.glob(os.path.join(str(tmp_path), "events.out.tfevents.*"))) == 2
    assert [e.value for e in _accumulator(tmp_path).Scalars("a")] == [1.0, 3.0]


def test_file_writer_cache(tmp_path):
    tf.constant(2.0, name="cached")
    first = tf.summary.FileWriterCache.get(str(tmp_path))
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is first
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is not first
    tf.summary.FileWriterCache.clear()
    assert [n.name for n in _accumulator(tmp_path).Graph().node] == ["cached"]


# -- tensorboard is optional -----------------------------------------------------------------------
def test_missing_tensorboard_gives_an_install_hint(monkeypatch, tmp_path):
    s = tf.summary.scalar("loss", tf.constant(1.0))  # building the graph needs no tensorboard
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto.summary_pb2", None)
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    with tf.Session() as sess:
        with pytest.raises(ImportError, match=r"pip install tfone\[tensorboard\]"):
            sess.run(s)
    with pytest.raises(ImportError, match=r"pip install tfone\[tensorboard\]"):
        tf.summary.FileWriter(str(tmp_path))


def test_import_is_lazy_and_unclosed_writers_are_flushed_at_exit(tmp_path):
    code = ("import sys, tfone as tf\n"
            "print(any(m.startswith('tensorboard') for m in sys.modules))\n"
            "w = tf.summary.FileWriter(sys.argv[1], flush_secs=1000)\n"
            "w.add_summary(tf.summary.encode.scalar_pb('forgot_close', 2.0), 4)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"  # import tfone does not import tensorboard
    assert [(e.step, e.value) for e in _accumulator(tmp_path).Scalars("forgot_close")] == [(4, 2.0)]
