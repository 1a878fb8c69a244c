"""viz.trace: execution order (a valid topological order), numbered picture, animation."""
import numpy as np
import pytest

import tfone as tf
import viz
from viz.graph_model import _ref_slots
from tests.viz.programs import Dot, linear_regression, needs_dot


@pytest.fixture
def training():
    p = linear_regression()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return p, train, sess


def assert_topological(order, graph):
    position = {name: i for i, name in enumerate(order)}
    for name in order:
        op = graph.get_operation_by_name(name)
        refs = _ref_slots(op)
        for i, t in enumerate(op.inputs):
            if i not in refs and t.op.name in position:
                assert position[t.op.name] < position[name], (t.op.name, name)
        for c in op.control_inputs:
            if c.name in position:
                assert position[c.name] < position[name], (c.name, name)


def test_order_is_a_valid_topological_order_in_phases(training):
    p, train, sess = training
    before = sess.run(p["W"])
    tr = viz.trace(sess, train, p["feed"])
    graph = tf.get_default_graph()
    # Exactly the ops the traced run executed.
    metadata = tf.RunMetadata()
    sess.run(train, p["feed"], options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=metadata)
    assert sorted(tr.order) == sorted(s.op_name for s in metadata.step_stats)
    assert sorted(tr.run_order) == sorted(tr.order)
    assert_topological(tr.order, graph)
    assert_topological(tr.run_order, graph)
    # Phases never go backwards: forward, then backward, then updates.
    ranks = {"forward": 0, "backward": 1, "update": 2}
    phases = [ranks[tr.phase[n]] for n in tr.order]
    assert phases == sorted(phases)
    assert tr.phase["model/MatMul"] == "forward"
    assert tr.phase["gradients/model/MatMul_grad/MatMul_1"] == "backward"
    assert tr.phase["GradientDescent/update_model/W/ApplyGradientDescent"] == "update"
    # The run really happened (one step of training).
    assert not np.array_equal(sess.run(p["W"]), before)
    assert set(tr.fed) == {"x", "y"}
    assert tr.times and all(t >= 0 for t in tr.times.values())


def test_numbered_picture(training):
    p, train, sess = training
    tr = viz.trace(sess, p["loss"], p["feed"])
    dot = Dot(tr.diagram().source)
    steps = {}
    for node in dot.nodes:
        if node.startswith("legend"):
            continue
        label = dot.label(node)
        if "step " in label:
            steps[node] = int(label.split("step ")[1].split("<")[0])
    assert sorted(steps.values()) == list(range(1, len(tr.steps) + 1))
    assert steps["x"] < steps["model/MatMul"] < steps["model/add"] < steps["loss"]
    assert steps["model/W"] < steps["model/MatMul"]
    timed = Dot(tr.diagram(color_by="time").source)
    assert " ms" in timed.label("model/MatMul")
    with pytest.raises(ValueError, match="color_by"):
        tr.diagram(color_by="memory")


def test_frames_light_up_one_step_at_a_time(training):
    p, train, sess = training
    tr = viz.trace(sess, p["loss"], p["feed"])
    first = Dot(tr.frame(0).source)
    assert all(first.nodes[n].get("fillcolor") == viz.style.DIM_FILL
               for n in first.nodes if not n.startswith(("legend", "stub")))
    k = [uid for uid, _ in tr.steps].index("model/MatMul") + 1
    frame = Dot(tr.frame(k).source)
    assert frame.nodes["model/MatMul"]["fillcolor"] == viz.style.OKABE_ITO["yellow"]
    assert frame.nodes["x"]["fillcolor"] != viz.style.DIM_FILL
    assert frame.nodes["loss"]["fillcolor"] == viz.style.DIM_FILL
    with pytest.raises(IndexError):
        tr.frame(len(tr.steps) + 1)


@needs_dot
def test_animation_has_fixed_positions_and_writes_a_gif(training, tmp_path):
    p, train, sess = training
    tr = viz.trace(sess, p["loss"], p["feed"])
    layout = tr._fixed_layout(60)
    a = Dot(tr.frame(1, layout).source)
    b = Dot(tr.frame(len(tr.steps), layout).source)
    for node in ("x", "model/MatMul", "loss"):
        assert a.nodes[node]["pos"] == b.nodes[node]["pos"]
        assert a.nodes[node]["pos"].endswith("!")
    gif = tr.save_gif(str(tmp_path / "run.gif"), frames_dir=str(tmp_path / "frames"))
    from PIL import Image
    image = Image.open(gif)
    assert image.n_frames == len(tr.steps) + 1
    frames = sorted((tmp_path / "frames").iterdir())
    assert len(frames) == len(tr.steps) + 1
    sizes = {Image.open(f).size for f in frames}
    assert len(sizes) == 1  # same canvas for every frame
