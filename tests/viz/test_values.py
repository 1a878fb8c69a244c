"""viz.draw_values: the numbers on the nodes are those of the run."""
import numpy as np
import pytest

import tfone as tf
import viz
from viz.labels import value_lines, value_summary, number_text, shape_text
from tests.viz.programs import Dot, linear_regression


@pytest.fixture
def program():
    p = linear_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(p["W"].assign([[1.0], [-2.0], [0.5]]))
    return p, sess


def test_values_match_the_run(program):
    p, sess = program
    d = viz.draw_values(sess, p["loss"], p["feed"])
    expected_loss = sess.run(p["loss"], p["feed"])
    np.testing.assert_allclose(d.results, expected_loss)
    pred = sess.run(p["pred"], p["feed"])
    np.testing.assert_allclose(d.values["model/add:0"], pred)
    stats = d.stats["model/add:0"]
    assert stats["shape"] == (2, 1)
    assert stats["mean"] == pytest.approx(float(pred.mean()))
    assert stats["min"] == pytest.approx(float(pred.min()))
    dot = Dot(d.source)
    # The scalar loss is printed in full; tensors as statistics.
    assert "= %s" % number_text(expected_loss.item()) in dot.label("loss")
    # A tiny tensor shows every value; a larger one shows statistics.
    assert "= [[%s], [%s]]" % (number_text(pred[0, 0]), number_text(pred[1, 0])) in dot.label(
        "model/add")
    # Fed placeholders show what was fed, variables their value.
    assert "fed 2×3 float32" in dot.label("x")
    assert "= [[1], [-2], [0.5]]" in dot.label("model/W")
    big = tf.tile(p["pred"], [4, 5], name="big")  # 8×5: statistics instead of values
    dot = Dot(viz.draw_values(sess, big, p["feed"]).source)
    tiled = np.tile(pred, [4, 5])
    assert "8×5 float32" in dot.label("big")
    assert "mean %s" % number_text(float(tiled.mean()), 3) in dot.label("big")
    assert "min %s  max %s  zeros 0%%" % (number_text(float(tiled.min()), 3),
                                         number_text(float(tiled.max()), 3)) in dot.label("big")


def test_nodes_not_computed_look_different_from_zeros(program):
    p, sess = program
    unused = tf.multiply(p["pred"], 0.0, name="zeroed")  # computes zeros
    other = tf.log(p["pred"], name="other")               # drawn but not fetched
    d = viz.draw_values(sess, [p["loss"], unused], p["feed"], target=[p["loss"], unused, other])
    dot = Dot(d.source)
    zero_label = dot.label("zeroed")
    assert "not computed" not in zero_label and "= [[0], [0]]" in zero_label
    other_attrs = dot.nodes["other"]
    assert "not computed in this run" in other_attrs["label"]
    assert "dashed" in other_attrs["style"]
    assert "legend_not_run" in dot.nodes


def test_nan_and_inf_are_flagged(program):
    p, sess = program
    bad = tf.log(p["pred"] - 100.0, name="bad")
    d = viz.draw_values(sess, bad, p["feed"])
    dot = Dot(d.source)
    assert "⚠ 2 NaN" in dot.label("bad")
    assert dot.nodes["bad"]["color"] == viz.style.OKABE_ITO["vermillion"]
    assert d.stats["bad:0"]["nan"] == 2


def test_draw_values_runs_once_and_keeps_state_semantics(program):
    p, sess = program
    counter = tf.Variable(0.0, name="counter")
    sess.run(counter.initializer)
    step = tf.assign_add(counter, 1.0, name="step")
    viz.draw_values(sess, step)
    assert sess.run(counter) == 1.0  # one run, not one per drawn node


def test_value_text_helpers():
    assert shape_text(tf.TensorShape([None, 784])) == "?×784"
    assert shape_text(tf.TensorShape([])) == "scalar"
    assert shape_text(tf.TensorShape(None)) == "?"
    assert value_lines(np.float32(0.25)) == ["= 0.25"]
    assert value_lines(np.array([1, 2, 3])) == ["= [1, 2, 3]"]
    lines = value_lines(np.array([[0.0, 1.0], [np.nan, np.inf]]))
    assert lines == ["2×2 float64", "= [[0, 1], [nan, inf]]", "⚠ 1 NaN, 1 Inf"]
    lines = value_lines(np.arange(12, dtype=np.float32).reshape(3, 4))
    assert lines == ["3×4 float32", "mean 5.5  std 3.45", "min 0  max 11  zeros 8%"]
    stats = value_summary(np.array([[0.0, 2.0], [4.0, 0.0]], np.float32))
    assert stats["zeros"] == 0.5 and stats["mean"] == 1.5 and stats["max"] == 4.0


def test_tf_cond_branches():
    if not hasattr(tf, "cond"):
        pytest.skip("tf.cond is not available")
    x = tf.placeholder(tf.float32, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: tf.square(x), lambda: tf.negative(x))
    total = tf.reduce_sum(y, name="total")
    sess = tf.Session()
    feed = {x: np.array([1, 2, 3], np.float32), p: True}
    d = viz.draw_values(sess, total, feed)
    assert d.results == 14.0
    dot = Dot(d.source)
    merge = y.op.name
    assert "= [1, 4, 9]" in dot.label(merge)                # the tf.cond output
    assert "not computed in this run" in dot.label("cond/Neg")  # the branch not taken
    assert "not computed" not in dot.label("cond/Square")
    assert "tf.cond branch" in dot.label("cond/Square")      # ran, but cannot be fetched
    tr = viz.trace(sess, total, dict(feed))
    assert tr.order.index("cond/Square") < tr.order.index(merge) < tr.order.index("total")
    assert "cond/Neg" not in tr.order
