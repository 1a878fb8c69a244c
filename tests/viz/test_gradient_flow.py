"""viz.draw_gradient_flow and the gradient charts: numbers equal tf.gradients, findings."""

import numpy as np
import pytest

import tfone as tf
import viz
from viz import style
from viz.labels import number_text
from tests.viz.programs import Dot, linear_regression, mlp


def norm(a):
    return float(np.sqrt(np.sum(np.asarray(a, np.float64) ** 2)))


@pytest.fixture
def sess():
    with tf.Session() as s:
        yield s


def test_norms_equal_tf_gradients(sess):
    p = mlp(layers=2, activation=tf.tanh)
    sess.run(tf.global_variables_initializer())
    d = viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    variables = tf.trainable_variables()
    expected = sess.run(tf.gradients(p["loss"], variables), p["feed"])
    dot = Dot(d.source)
    for var, g in zip(variables, expected):
        entry = d.stats[var.op.name]
        assert entry["grad_norm"] == pytest.approx(norm(g), rel=1e-6)
        assert entry["value_norm"] == pytest.approx(norm(sess.run(var)), rel=1e-6)
        # ... and the picture prints the same number.
        assert "‖∇θ‖ %s" % number_text(norm(g), 3) in dot.label(var.op.name)
    # Edges carry ‖∂loss/∂t‖ of the tensor they carry.
    logits_grad = sess.run(tf.gradients(p["loss"], p["logits"])[0], p["feed"])
    (edge,) = [a for s, t, a in dot.edges if s == "out/add" and not t.startswith("legend")]
    assert edge["label"] == "‖∇‖ %s" % number_text(norm(logits_grad), 3)
    assert d.stats[p["logits"].name]["grad_norm"] == pytest.approx(norm(logits_grad), rel=1e-6)
    # Colour scale and width grow with the norm; the legend has the colour bar.
    assert "legend_gradient_scale" in dot.nodes
    widths = [float(a["penwidth"]) for s, t, a in dot.edges if "penwidth" in a
              and a.get("label", "").startswith("‖∇‖")]
    assert min(widths) >= 1.0 and max(widths) <= 5.0 + 1e-9
    assert d.findings == []


def test_update_to_data_ratio_from_a_real_step_restores_variables(sess):
    p = linear_regression()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    sess.run(tf.global_variables_initializer())
    sess.run(p["W"].assign([[0.5], [0.5], [0.5]]))
    before = sess.run(p["W"])
    g = sess.run(tf.gradients(p["loss"], p["W"])[0], p["feed"])
    d = viz.draw_gradient_flow(sess, p["loss"], p["feed"], train_op=train)
    np.testing.assert_array_equal(sess.run(p["W"]), before)  # restored
    assert d.stats["model/W"]["update_ratio"] == pytest.approx(0.1 * norm(g) / norm(before),
                                                               rel=1e-5)
    assert "update/θ" in Dot(d.source).label("model/W")
    # SGD estimate with a learning rate.
    d2 = viz.draw_gradient_flow(sess, p["loss"], p["feed"], learning_rate=0.1)
    assert d2.stats["model/W"]["update_ratio"] == pytest.approx(
        d.stats["model/W"]["update_ratio"], rel=1e-5)


def test_vanishing_gradients_in_a_deep_sigmoid_net(sess):
    p = mlp(layers=6, width=8, activation=tf.sigmoid, stddev=0.3)
    sess.run(tf.global_variables_initializer())
    d = viz.draw_gradient_flow(sess, p["loss"], p["feed"], vanishing_orders=2)
    vanishing = [f.name for f in d.findings if f.kind == "vanishing"]
    assert "layer_1/W" in vanishing
    assert "out/W" not in vanishing
    dot = Dot(d.source)
    assert dot.nodes["layer_1/W"]["color"] == style.OKABE_ITO["vermillion"]
    assert "⚠ vanishing" in dot.label("layer_1/W")
    assert "finding" in dot.graph_attrs["label"]


def test_exploding_and_nan(sess):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    W = tf.Variable([[1e4, 0.0], [0.0, 1e4]], name="W")
    h = x
    for i in range(2):
        h = tf.matmul(h, W, name="mm%d" % i)
    loss = tf.reduce_mean(h, name="loss")
    sess.run(tf.global_variables_initializer())
    d = viz.draw_gradient_flow(sess, loss, {x: np.ones((2, 2), np.float32)})
    assert [f.kind for f in d.findings] == ["exploding"]
    # NaN: log of a negative number on the path.
    V = tf.Variable([1.0, 2.0], name="V")
    bad = tf.reduce_sum(tf.sqrt(V - 5.0), name="bad")
    sess.run(V.initializer)
    d = viz.draw_gradient_flow(sess, bad, wrt=[V])
    kinds = {f.kind for f in d.findings}
    assert "nan" in kinds
    assert any(f.name == "V" for f in d.findings)


def test_dead_relus_are_found(sess):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    W = tf.Variable(np.full((4, 6), -1.0, np.float32), name="W")
    b = tf.Variable(np.array([-1, -1, -1, -1, 5, 5], np.float32), name="b")
    h = tf.nn.relu(tf.matmul(x, W) + b, name="relu")
    loss = tf.reduce_sum(tf.square(h), name="loss")
    sess.run(tf.global_variables_initializer())
    d = viz.draw_gradient_flow(sess, loss, {x: np.ones((3, 4), np.float32)})
    (finding,) = [f for f in d.findings if f.kind == "dead_relu"]
    assert finding.name == "relu"
    assert "4 of 6 units" in finding.message
    assert finding.value == pytest.approx(12 / 18)  # 4 dead units × 3 examples of 18 inputs


def test_gradient_ops_are_built_once(sess):
    p = linear_regression()
    sess.run(tf.global_variables_initializer())
    viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    n = len(tf.get_default_graph().get_operations())
    viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    assert len(tf.get_default_graph().get_operations()) == n


def test_errors(sess):
    p = linear_regression()
    with pytest.raises(TypeError, match="floating-point loss"):
        viz.draw_gradient_flow(sess, tf.constant(3), p["feed"])
    other = tf.Session(graph=tf.Graph())
    with pytest.raises(ValueError, match="different graph"):
        viz.draw_gradient_flow(other, p["loss"], p["feed"])


def test_gradient_history_and_charts(sess):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    p = mlp(layers=2)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    sess.run(tf.global_variables_initializer())
    history = viz.GradientHistory(p["loss"])
    for step in range(3):
        history.record(sess, p["feed"], step)
        sess.run(train, p["feed"])
    names, steps, m = history.matrix()
    assert names == [v.op.name for v in tf.trainable_variables()]
    assert steps == [0, 1, 2] and m.shape == (6, 3)
    stats = viz.variable_gradient_stats(sess, p["loss"], p["feed"])
    g = sess.run(tf.gradients(p["loss"], tf.trainable_variables()), p["feed"])
    assert [s["grad_max_abs"] for s in stats.values()] == pytest.approx(
        [float(np.abs(a).max()) for a in g], rel=1e-6)
    ax = viz.plot_gradient_flow(sess, p["loss"], p["feed"])
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    heights = sorted(bar.get_height() for bar in ax.patches)
    assert heights[-1] == pytest.approx(max(float(np.abs(a).max()) for a in g), rel=1e-6)
    ax2 = viz.plot_gradient_flow(history)
    assert ax2.images[0].get_array().shape == (6, 3)
    axes = viz.plot_history({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2], "acc": [0.1, 0.5, 0.8]})
    assert len(axes) == 2 and len(axes[0].lines) == 2
    assert axes[0].lines[1].get_linestyle() == "--"
    with pytest.raises(TypeError, match="History"):
        viz.plot_history([])
    plt.close("all")


def _fill_of(dot, node):
    return dot.nodes[node]["fillcolor"]


def test_shared_colour_range(sess):
    p = mlp(layers=2, activation=tf.tanh)
    sess.run(tf.global_variables_initializer())
    own = viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    lo, hi = own.colour_range
    assert lo == int(lo) and hi == int(hi) and lo < hi  # its own norms, rounded out
    norms = [e["grad_norm"] for e in own.stats.values() if e.get("grad_norm")]
    assert 10.0 ** lo <= min(norms) and max(norms) <= 10.0 ** hi
    wide = viz.draw_gradient_flow(sess, p["loss"], p["feed"], vmin=lo - 4, vmax=hi + 4)
    assert wide.colour_range == (lo - 4, hi + 4)
    # The same norms, on a wider scale: the same numbers, less extreme colours and widths.
    assert wide.stats == own.stats
    n = own.stats["layer_1/W"]["grad_norm"]
    f = (np.log10(n) - (lo - 4)) / (hi - lo + 8)
    assert _fill_of(Dot(wide.source), "layer_1/W") == style.colour_scale(f)
    widths = [float(a["penwidth"]) for s, t, a in Dot(wide.source).edges
              if a.get("label", "").startswith("‖∇‖")]
    assert 1.0 < min(widths) and max(widths) < 5.0
    # Two pictures with one range give one colour to one norm: the colour bar says so.
    bar = Dot(wide.source).label("legend_gradient_scale")
    assert "1e%d" % (lo - 4) in bar and "1e%d" % (hi + 4) in bar
    # Norms beyond the range are drawn at its ends (clipped, not wrapped or failing).
    narrow = viz.draw_gradient_flow(sess, p["loss"], p["feed"], vmin=-0.5, vmax=-0.25)
    dot = Dot(narrow.source)
    for v in ("layer_1/W", "layer_2/W", "out/W", "layer_1/b"):
        f = (np.log10(own.stats[v]["grad_norm"]) + 0.5) / 0.25
        assert _fill_of(dot, v) == style.colour_scale(min(1.0, max(0.0, f)))
    assert any(_fill_of(dot, v) in (style.colour_scale(0.0), style.colour_scale(1.0))
               for v in ("layer_1/W", "layer_2/W", "out/W", "layer_1/b"))
    assert narrow.colour_range == (-0.5, -0.25)
    # One end only: the other comes from the data.
    assert viz.draw_gradient_flow(sess, p["loss"], p["feed"], vmin=lo - 2).colour_range == (
        lo - 2, hi)
    with pytest.raises(ValueError, match="vmin must be below vmax"):
        viz.draw_gradient_flow(sess, p["loss"], p["feed"], vmin=0, vmax=-1)
    with pytest.raises(TypeError, match="log10"):
        viz.draw_gradient_flow(sess, p["loss"], p["feed"], vmin="small")


def test_charts_share_a_range(sess):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    p = mlp(layers=2)
    sess.run(tf.global_variables_initializer())
    ax = viz.plot_gradient_flow(sess, p["loss"], p["feed"], vmin=-9, vmax=2)
    assert ax.get_ylim() == pytest.approx((1e-9, 1e2))
    history = viz.GradientHistory(p["loss"])
    history.record(sess, p["feed"], 0)
    heat = viz.plot_gradient_flow(history, vmin=-7, vmax=1)
    assert heat.images[0].get_clim() == (-7, 1)
    with pytest.raises(ValueError, match="vmin must be below vmax"):
        viz.plot_gradient_flow(history, vmin=1, vmax=1)
    plt.close("all")
