"""viz.trace: execution order (a valid topological order), numbered picture, animation."""
import io
import re

import numpy as np
import pytest

import tfone as tf
import viz
from viz.graph_model import _ref_slots
from viz.labels import number_text
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


def _label_text(dot, node):
    return re.sub(r"<[^>]*>", " ", dot.label(node))


def test_frames_show_values_as_nodes_light_up(training):
    p, train, sess = training
    sess.run(p["W"].assign([[0.5], [-0.25], [0.1]]))
    before = sess.run(p["W"])
    tr = viz.trace(sess, train, p["feed"])
    after = sess.run(p["W"])
    x, y = p["feed"][p["x"]], p["feed"][p["y"]]
    pred = x @ before  # b was 0 when the forward pass ran
    loss = np.mean((pred - y) ** 2)
    # The values are those of the run, as computed at each step.
    np.testing.assert_allclose(tr.values["model/add:0"], pred, rtol=1e-6)
    assert float(tr.values["loss:0"]) == pytest.approx(float(loss), rel=1e-6)
    np.testing.assert_array_equal(tr.values["x:0"], p["feed"][p["x"]])
    # A variable's node shows what the run read (before the update), the update what it wrote.
    np.testing.assert_array_equal(tr.values["model/W/read:0"], before)
    update = "GradientDescent/update_model/W/ApplyGradientDescent"
    np.testing.assert_array_equal(tr.values[update + ":0"], after)
    assert not np.array_equal(before, after)
    k = tr.step_of["loss"]
    done, todo = Dot(tr.frame(k).source), Dot(tr.frame(k - 1).source)
    assert "= %s" % number_text(float(loss)) in _label_text(done, "loss")
    assert "step %d" % k in _label_text(todo, "loss")
    assert number_text(float(loss)) not in _label_text(todo, "loss")  # not computed yet
    assert "mean" in _label_text(done, "model/add") or "=" in _label_text(done, "model/add")
    w = _label_text(Dot(tr.frame(len(tr.steps)).source), "model/W")
    assert "0.5" in w and "-0.25" in w  # the value read, not the updated one
    assert "0.5" in _label_text(Dot(tr.diagram().source), "model/W")
    # values=False: step numbers only.
    plain = viz.trace(sess, p["loss"], p["feed"], values=False)
    assert plain.values == {}
    assert number_text(float(loss)) not in _label_text(Dot(plain.diagram().source), "loss")


def test_values_of_views_of_an_updated_variable_are_those_at_their_step():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    W = tf.Variable([[1.0], [2.0], [3.0]], name="W")
    flat = tf.reshape(W, [3], name="flat")  # a view of W's buffer
    loss = tf.reduce_sum(tf.matmul(x, tf.reshape(flat, [3, 1])), name="loss")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    sess = tf.Session()
    init = viz.trace(sess, tf.global_variables_initializer())  # nothing to read yet: fine
    assert init.order and sess.run(W).tolist() == [[1.0], [2.0], [3.0]]
    feed = {x: np.ones((2, 3), np.float32)}
    tr = viz.trace(sess, train, feed)
    np.testing.assert_array_equal(tr.values["flat:0"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(sess.run(W), [[0.0], [1.0], [2.0]])  # updated, and kept


def test_frame_groups_cap_the_number_of_frames(training):
    p, train, sess = training
    tr = viz.trace(sess, train, p["feed"])
    n = len(tr.steps)
    assert tr.frame_groups() == [(0, 0)] + [(k - 1, k) for k in range(1, n + 1)]
    groups = tr.frame_groups(max_frames=5)
    assert len(groups) == 5 and groups[0] == (0, 0) and groups[-1][1] == n
    assert all(a == prev_b for (a, _), (_, prev_b) in zip(groups[2:], groups[1:]))
    assert "steps 1–" in tr._caption(*groups[1])
    with pytest.raises(ValueError, match="max_frames"):
        tr.frame_groups(max_frames=1)


@needs_dot
def test_composed_frames_match_graphviz_renders(training, tmp_path):
    p, train, sess = training
    tr = viz.trace(sess, train, p["feed"], title="a step")
    from PIL import Image
    paths = tr.save_frames(str(tmp_path), dpi=60)
    assert len(paths) == len(tr.steps) + 1
    layout = tr._fixed_layout(60)
    from viz.render import pipe
    for k in (0, 7, len(tr.steps)):
        direct = pipe(tr.frame(k, layout), "png", engine="neato", extra_args=["-n2", "-Gdpi=60"])
        a = np.asarray(Image.open(io.BytesIO(direct)).convert("RGB"), dtype=int)
        b = np.asarray(Image.open(paths[k]).convert("RGB"), dtype=int)
        assert a.shape == b.shape
        differ = np.abs(a - b).sum(-1) > 60  # beyond palette rounding
        assert differ.mean() < 0.002, (k, differ.mean())
    # The GIF holds exactly the PNG frames (one palette, only changed rectangles stored).
    gif = tr.save_gif(str(tmp_path / "run.gif"), dpi=60, max_frames=None)
    image = Image.open(gif)
    assert image.n_frames == len(paths)
    for k in (0, 1, 7, len(paths) - 1):
        image.seek(k)
        np.testing.assert_array_equal(np.asarray(image.convert("RGB")),
                                      np.asarray(Image.open(paths[k]).convert("RGB")))
    capped = Image.open(tr.save_gif(str(tmp_path / "short.gif"), dpi=40, max_frames=4))
    assert capped.n_frames == 4
    # Other formats render each frame with Graphviz, at the same fixed positions.
    svgs = tr.save_frames(str(tmp_path / "svg"), format="svg", max_frames=3)
    assert len(svgs) == 3 and all(open(f).read(5) == "<?xml" for f in svgs)


def test_animation_without_graphviz_says_how_to_install_it(training, tmp_path, monkeypatch):
    p, train, sess = training
    tr = viz.trace(sess, p["loss"], p["feed"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(viz.GraphvizNotFoundError, match="Install Graphviz"):
        tr.save_gif(str(tmp_path / "run.gif"))
    assert not (tmp_path / "run.gif").exists()
