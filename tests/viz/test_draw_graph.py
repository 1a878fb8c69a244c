"""viz.draw_graph: the DOT it emits (structure, styling, labels, collapsing, determinism)."""
import os
import re
import subprocess
import sys

import pytest

import tfone as tf
import viz
from viz import style
from tests.viz.programs import Dot, linear_regression, mlp


def category_of(dot, node):
    """The legend category a drawn node has, read back from its shape and fill."""
    attrs = dot.nodes[node]
    for key, (_, expected) in style.CATEGORY_STYLE.items():
        if (attrs.get("shape") == expected.get("shape")
                and attrs.get("fillcolor") == expected.get("fillcolor")
                and attrs.get("style", "") == expected.get("style", "")):
            return key
    return None


def test_returns_a_graphviz_digraph_with_legend_and_categories():
    p = linear_regression()
    d = viz.draw_graph(p["loss"])
    import graphviz
    assert isinstance(d, graphviz.Digraph)
    dot = Dot(d.source)
    assert category_of(dot, "x") == "placeholder"
    assert category_of(dot, "model/W") == "variable"
    assert category_of(dot, "model/MatMul") == "op"
    # Variables fold their read/assign/initializer ops: none of them is drawn.
    for hidden in ("model/W/read", "model/W/Assign", "model/W/initial_value", "model/zeros"):
        assert hidden not in dot.nodes
    assert "init: zeros" in dot.label("model/W")
    # The legend is a cluster with one sample per category present.
    legend = dot.clusters["cluster_legend"]
    assert {"legend_placeholder", "legend_variable", "legend_op"} <= set(legend)
    assert "legend_gradient" not in legend and "legend_update" not in legend
    assert {"legend_placeholder_text", "legend_data_from", "legend_data_text"} <= set(legend)
    # Invisible edges from the graph's last node(s) give the legend ranks of its own.
    into_legend = [(s, a) for s, t, a in dot.edges if t == "legend_placeholder"
                   and not s.startswith("legend")]
    assert [s for s, _ in into_legend] == ["loss"]
    assert all(a["style"] == "invis" and a["weight"] == "0" for _, a in into_legend)


def test_distinct_shapes_per_category_redundant_with_colour():
    shapes = {key: attrs["shape"] for key, (_, attrs) in style.CATEGORY_STYLE.items()
              if key not in ("gradient", "gradient_scope", "stub")}
    assert len(set(shapes.values())) == len(shapes)
    # Gradient ops share the op shape but differ by line style (dashed), not colour alone.
    assert "dashed" in style.CATEGORY_STYLE["gradient"][1]["style"]
    assert "dashed" not in style.CATEGORY_STYLE["op"][1]["style"]
    # Every fill is one of the Okabe-Ito hues mixed with white (or white/grey).
    for key, (_, attrs) in style.CATEGORY_STYLE.items():
        assert attrs.get("fillcolor", "#FFFFFF").startswith("#")


def test_edges_carry_static_shapes_and_operand_names():
    p = linear_regression()
    dot = Dot(viz.draw_graph(p["loss"]).source)
    (matmul_to_add,) = dot.edges_between("model/MatMul", "model/add")
    assert matmul_to_add["label"] == "?×1"
    # MatMul is not commutative: its operands are named (a, b) on the edges.
    assert dot.edges_between("x", "model/MatMul")[0]["label"] == "a"
    assert dot.edges_between("model/W", "model/MatMul")[0]["label"] == "b"
    # Sub: x - y, operand order kept.
    (into_sub_x,) = dot.edges_between("model/add", "sub")
    assert into_sub_x["label"] == "x: ?×1"
    # The operand name is left out when it only repeats the source's name ("y").
    assert "label" not in dot.edges_between("y", "sub")[0]
    # Add is commutative: no operand names.
    assert "label" not in dot.edges_between("model/b", "model/add")[0]
    # The scalar loss: mean's folded axis constant is in its label.
    assert "axis = [0, 1]" in dot.label("loss")


def test_unknown_rank_and_dtypes():
    x = tf.placeholder(tf.float32, None, name="x")
    n = tf.placeholder(tf.int32, [None], name="n")
    y = tf.identity(x, name="y")
    w = tf.identity(y, name="w")
    z = tf.identity(n, name="z")
    dot = Dot(viz.draw_graph([w, z]).source)
    assert "?" in dot.label("x")
    assert "int32" in dot.label("n")  # dtypes other than float32 are always shown
    assert dot.edges_between("y", "w")[0]["label"] == "?"
    dot = Dot(viz.draw_graph([w, z], show_dtypes=True).source)
    assert dot.edges_between("y", "w")[0]["label"] == "? f32"
    assert dot.edges_between("n", "z")[0]["label"] == "? i32"


def test_name_scopes_are_nested_clusters():
    with tf.name_scope("outer"):
        a = tf.constant(1.0, name="a")
        with tf.name_scope("inner"):
            b = tf.add(a, 2.0, name="b")
            c = tf.multiply(b, b, name="c")
        d = tf.subtract(c, a, name="d")
    dot = Dot(viz.draw_graph(d).source)
    assert "outer/inner/b" in dot.clusters["cluster_outer/inner"]
    assert "outer/inner/b" in dot.clusters["cluster_outer"]
    assert dot.cluster_of["outer/d"] == "cluster_outer"
    assert dot.cluster_of["outer/inner/c"] == "cluster_outer/inner"
    assert "inner" in dot.cluster_attrs["cluster_outer/inner"]["label"]
    # Folded scalar constant shows as an operand: "+ 2".
    assert "+ 2" in dot.label("outer/inner/b")


def test_depth_collapses_deeper_scopes_with_op_counts():
    p = mlp(layers=2)
    dot = Dot(viz.draw_graph(p["loss"], depth=0, legend=False).source)
    layer_nodes = [n for n in dot.nodes if n.startswith("scope|layer_")]
    assert layer_nodes == ["scope|layer_1", "scope|layer_2"]
    # The loss needs 7 ops of layer_1: W, W/read, b, b/read, MatMul, add, Relu.
    assert "7 ops" in dot.label("scope|layer_1")
    assert "2 variables" in dot.label("scope|layer_1")
    assert style.CATEGORY_STYLE["scope"][1]["shape"] == dot.nodes["scope|layer_1"]["shape"]
    # Edges between collapsed scopes keep the shape of the tensor they carry.
    (edge,) = dot.edges_between("scope|layer_1", "scope|layer_2")
    assert edge["label"] == "?×16"
    # depth=1 keeps top-level clusters and collapses nothing here (no deeper scopes).
    dot1 = Dot(viz.draw_graph(p["loss"], depth=1, legend=False).source)
    assert "cluster_layer_1" in dot1.clusters


def test_runs_of_identical_scopes_collapse_to_one_node():
    p = mlp(layers=5)
    dot = Dot(viz.draw_graph(p["loss"], collapse_repeats=True, legend=False).source)
    repeat = [n for n in dot.nodes if n.startswith("repeat|")]
    # layer_1 differs (its input is the 8-wide x); layer_2..layer_5 are identical.
    assert repeat == ["repeat|layer_2"]
    label = dot.label("repeat|layer_2")
    assert "×4" in label and "layer_2 … layer_5" in label
    assert "cluster_layer_1" in dot.clusters
    assert not any(n.startswith("layer_3/") for n in dot.nodes)
    # Off: every layer drawn.
    dot_off = Dot(viz.draw_graph(p["loss"], collapse_repeats=False, budget=None).source)
    assert "cluster_layer_5" in dot_off.clusters


def test_budget_collapses_until_the_picture_fits():
    p = mlp(layers=6)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    full = viz.draw_graph(train, budget=None).model
    n_full = sum(1 for u in full.units.values() if u.kind != "stub")
    assert n_full > 60
    small = viz.draw_graph(train, budget=40).model
    n_small = sum(1 for u in small.units.values() if u.kind != "stub")
    assert n_small <= 40
    # The backward pass collapses first.
    assert any(u.kind == "scope" and u.is_gradient for u in small.units.values())


def test_hubs_move_out_of_the_main_flow():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    rate = tf.placeholder(tf.float32, [], name="keep")
    outs = []
    for i in range(9):
        with tf.name_scope("branch_%d" % i):
            outs.append(tf.multiply(tf.square(x), rate))
    total = tf.add_n(outs, name="total")
    model = viz.draw_graph(total, budget=60, hub_degree=8).model
    assert model.hubs == ["keep"]
    dot = Dot(viz.draw_graph(total, budget=60, hub_degree=8).source)
    assert "keep" in dot.clusters["cluster_aux"]
    stubs = [n for n in dot.nodes if n.startswith("stub|keep|")]
    assert len(stubs) == 9
    assert not dot.edges_between("keep", "branch_0/Mul")
    # With the budget off, the hub keeps its edges.
    dot_off = Dot(viz.draw_graph(total, budget=None).source)
    assert dot_off.edges_between("keep", "branch_0/Mul")


def test_gradient_ops_are_styled_and_can_be_hidden_or_aligned():
    p = linear_regression()
    gW, gb = tf.gradients(p["loss"], [p["W"], p["b"]])
    dot = Dot(viz.draw_graph([gW, gb]).source)
    grad_nodes = [n for n in dot.nodes if n.startswith("gradients/")]
    assert grad_nodes
    assert all(category_of(dot, n) in ("gradient", "constant") for n in grad_nodes)
    assert "cluster_gradients" in dot.clusters
    assert any("∇" in a.get("label", "") for a in dot.cluster_attrs.values())
    # Shape plumbing (Shape, BroadcastGradientArgs) is hidden by default, shown on request.
    assert not any("BroadcastGradientArgs" in n for n in dot.nodes)
    shown = Dot(viz.draw_graph([gW, gb], show_shape_ops=True).source)
    assert any("BroadcastGradientArgs" in n for n in shown.nodes)

    hidden = Dot(viz.draw_graph([gW, gb], show_gradients=False).source)
    # Only the targets themselves remain of the backward pass.
    assert sorted(n for n in hidden.nodes if n.startswith("gradients/")) == sorted(
        [gW.op.name, gb.op.name])

    aligned = Dot(viz.draw_graph([gW, gb], show_gradients="aligned").source)
    assert "cluster_forward" in aligned.clusters and "cluster_gradients" in aligned.clusters
    links = [(s, d) for s, d, a in aligned.edges if a.get("arrowhead") == "none"
             and a.get("style") == "dashed" and not s.startswith("legend")]
    assert ("model/MatMul", "gradients/model/MatMul_grad/MatMul_1") in links
    # Backward data edges are drawn upwards (dir=back) so each gradient sits by its op.
    assert any(a.get("dir") == "back" for s, d, a in aligned.edges
               if s.startswith("gradients/") and d.startswith("gradients/"))


def test_optimizer_updates_write_variables():
    p = linear_regression()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    dot = Dot(viz.draw_graph(train).source)
    updates = [n for n in dot.nodes if category_of(dot, n) == "update"
               and not n.startswith("legend")]
    assert sorted(updates) == ["GradientDescent/update_model/W/ApplyGradientDescent",
                               "GradientDescent/update_model/b/ApplyGradientDescent"]
    writes = [(s, d, a) for s, d, a in dot.edges if a.get("color") == style.OKABE_ITO["vermillion"]
              and not s.startswith("legend")]
    # Drawn from the variable to the update op with the arrow pointing back at the variable.
    assert ("model/W", "GradientDescent/update_model/W/ApplyGradientDescent") in [
        (s, d) for s, d, a in writes]
    assert all(a.get("dir") == "back" for _, _, a in writes)
    # Without the backward pass, the gradient still visibly reaches the update op.
    hidden = Dot(viz.draw_graph(train, show_gradients=False).source)
    grads = [(s, d) for s, d, a in hidden.edges if a.get("label", "").startswith("∇")]
    assert ("model/MatMul", "GradientDescent/update_model/W/ApplyGradientDescent") in grads


def test_control_dependencies_are_dotted():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.constant(2.0, name="b")
        c = tf.identity(b, name="c")
    dot = Dot(viz.draw_graph(c, fold_constants=False).source)
    (edge,) = dot.edges_between("a", "b")
    assert edge["style"] == "dotted"


def test_highlight_and_fetches_dim_the_rest():
    p = linear_regression()
    dot = Dot(viz.draw_graph(p["loss"], highlight=[p["pred"]]).source)
    assert dot.nodes["model/add"]["penwidth"] == "3"
    assert dot.nodes["sub"]["fillcolor"] == style.DIM_FILL
    assert dot.nodes["x"]["fillcolor"] == style.DIM_FILL
    # fetches: a run of pred with y unused; loss-side ops are not executed.
    dot = Dot(viz.draw_graph(p["loss"], fetches=p["pred"]).source)
    assert dot.nodes["sub"]["fillcolor"] == style.DIM_FILL
    assert dot.nodes["model/MatMul"]["fillcolor"] != style.DIM_FILL
    assert dot.nodes["y"]["fillcolor"] == style.DIM_FILL
    # Feeding pred: nothing before it runs.
    dot = Dot(viz.draw_graph(p["loss"], fetches=p["loss"], feeds=[p["pred"]]).source)
    assert dot.nodes["model/MatMul"]["fillcolor"] == style.DIM_FILL
    assert dot.nodes["sub"]["fillcolor"] != style.DIM_FILL


def build_program():
    p = mlp(layers=2)
    train = tf.train.AdamOptimizer(0.01).minimize(p["loss"])
    return train


def test_deterministic_dot_for_the_same_program():
    sources = []
    for _ in range(2):
        tf.reset_default_graph()
        train = build_program()
        sources.append(viz.draw_graph(train, show_gradients="aligned").source)
        sources.append(viz.draw_graph(tf.get_default_graph(), depth=1).source)
    assert sources[0] == sources[2]
    assert sources[1] == sources[3]
    assert not re.search(r"0x[0-9a-f]{6,}", sources[0])  # no id()/repr addresses


def test_labels_are_escaped():
    a = tf.placeholder(tf.float32, [2], name="a>b")  # '>' is a valid name character
    text = tf.constant(["<b>&", "x"], name="text")
    b = tf.identity(a, name='out')
    source = viz.draw_graph([b, tf.identity(text)], fold_constants=False).source
    assert "a&gt;b" in source
    assert "&lt;b&gt;&amp;" in source
    dot = Dot(source)
    assert "a>b" in dot.nodes


def test_targets_and_errors():
    p = linear_regression()
    # A variable target draws the variable and its initializer.
    dot = Dot(viz.draw_graph(p["W"]).source)
    assert "model/W" in dot.nodes
    # Names work.
    assert "model/MatMul" in Dot(viz.draw_graph("model/add:0").source).nodes
    with pytest.raises(TypeError, match="cannot draw a int"):
        viz.draw_graph(3)
    with pytest.raises(ValueError, match="show_gradients"):
        viz.draw_graph(p["loss"], show_gradients="sideways")
    with pytest.raises(ValueError, match="depth"):
        viz.draw_graph(p["loss"], depth=-1)
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(p["loss"], rankdir="up")
    with pytest.raises(ValueError, match="empty"):
        viz.draw_graph([])
    other = tf.Graph()
    with other.as_default():
        z = tf.constant(1.0)
    with pytest.raises(ValueError, match="same tf.Graph"):
        viz.draw_graph([p["loss"], z])


def test_keras_like_model_is_drawn_through_duck_typing():
    p = linear_regression()

    class FakeModel:
        graph = tf.get_default_graph()
        inputs = [p["x"]]
        outputs = [p["pred"]]
        layers = ["dense"]

    dot = Dot(viz.draw_graph(FakeModel()).source)
    assert "model/add" in dot.nodes
    assert "loss" not in dot.nodes  # only what the outputs depend on


def test_whole_graph_leaves_out_viz_internal_ops():
    p = linear_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    dot = Dot(viz.draw_graph(tf.get_default_graph(), budget=None).source)
    assert not any(n.startswith("viz_gradients") for n in dot.nodes)
    assert any(op.name.startswith("viz_gradients")
               for op in tf.get_default_graph().get_operations())


def test_rankdir_and_title():
    p = linear_regression()
    dot = Dot(viz.draw_graph(p["loss"], rankdir="LR", title="Linear <regression>").source)
    assert dot.graph_attrs["rankdir"] == "LR"
    assert "Linear &lt;regression&gt;" in dot.graph_attrs["label"]


_PROGRAM = """
import sys
sys.path.insert(0, %r)
import tfone as tf, viz
from tests.viz.programs import mlp
p = mlp(layers=3)
train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(p["loss"])
sys.stdout.write(viz.draw_graph(train, show_gradients="aligned").source)
sys.stdout.write(viz.draw_graph(train, budget=25).source)
"""


def test_deterministic_across_processes_and_hash_seeds():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", _PROGRAM % root], capture_output=True,
                             text=True, env=env, cwd=root)
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout)
    assert outputs[0] == outputs[1]
    assert "digraph tfone" in outputs[0]


def test_session_and_default_graph_targets():
    p = linear_regression()
    with tf.Session() as sess:
        from_session = viz.draw_graph(sess).source
    assert from_session == viz.draw_graph().source == viz.draw_graph(
        tf.get_default_graph()).source


def test_gradients_inside_a_name_scope_are_recognised():
    p = linear_regression()
    with tf.name_scope("train"):
        gW, = tf.gradients(p["loss"], [p["W"]])
    model = viz.draw_graph(gW).model
    unit = model.unit_for(gW.op)
    assert unit.is_gradient
    from viz.graph_model import forward_op_of
    by_name = {op.name: op for op in tf.get_default_graph().get_operations()}
    assert forward_op_of(gW.op, by_name).name == "model/MatMul"


def test_real_keras_model():
    keras = getattr(tf, "keras", None)
    if keras is None or not hasattr(keras, "Sequential"):
        pytest.skip("tfone.keras.Sequential is not available")
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                              keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    first, second = [layer.name for layer in model.layers]
    dot = Dot(viz.draw_graph(model, budget=None).source)
    assert {"cluster_" + first, "cluster_" + second} <= set(dot.clusters)
    assert dot.nodes[first + "/kernel"]["shape"] == "cylinder"
    assert "cluster_training" in dot.clusters  # compile() built the training ops
    overview = Dot(viz.draw_graph(model, depth=0).source)
    assert {"scope|" + first, "scope|" + second} <= set(overview.nodes)
