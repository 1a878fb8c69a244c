"""viz.to_networkx and helpers, viz.print_graph, and `python -m viz`."""
import io
import os

import numpy as np
import pytest

import tfone as tf
import viz
from viz.__main__ import main
from tests.viz.programs import Dot, linear_regression, mlp, needs_dot


def test_to_networkx_nodes_and_edges():
    p = linear_regression()
    gW, = tf.gradients(p["loss"], [p["W"]])
    G = viz.to_networkx([p["loss"], gW])
    node = G.nodes["model/MatMul"]
    assert node["type"] == "MatMul" and node["scope"] == "model"
    assert node["shapes"] == ["?×1"] and node["dtype"] == "float32"
    assert node["category"] == "op" and node["is_gradient"] is False
    assert G.nodes["model/W"]["category"] == "variable"
    assert G.nodes["x"]["category"] == "placeholder"
    grad = G.nodes[gW.op.name]
    assert grad["is_gradient"] and grad["forward_op"] == "model/MatMul"
    edge = G.edges["x", "model/MatMul"]
    assert edge["tensors"] == ["x:0"] and edge["shapes"] == ["?×3"] and not edge["control"]
    assert G.edges["model/W", "model/W/read"]["tensors"] == ["model/W:0"]


def test_topological_order_depths_and_parameter_counts():
    p = mlp(layers=2, width=16)
    G = viz.to_networkx(p["loss"])
    order = viz.topological_order(G)
    position = {n: i for i, n in enumerate(order)}
    assert all(position[u] < position[v] for u, v in G.edges)
    assert order == viz.topological_order(viz.to_networkx(p["loss"]))  # deterministic
    depth = viz.depths(G)
    assert depth["x"] == 0
    assert depth["layer_1/W/read"] == 1  # W -> W/read -> MatMul
    assert depth["layer_1/MatMul"] == 2 and depth["layer_1/add"] == 3
    counts = viz.parameter_counts(p["loss"])
    assert counts == {"layer_1/W": 8 * 16, "layer_1/b": 16, "layer_2/W": 16 * 16,
                      "layer_2/b": 16, "out/W": 16 * 3, "out/b": 3}
    assert sum(counts.values()) == sum(int(np.prod(v.shape.as_list()))
                                       for v in tf.trainable_variables())


def test_flops_and_critical_path():
    p = mlp(layers=2, width=16)
    G = viz.to_networkx(p["loss"])
    flops = viz.estimate_flops(G, batch_size=32)
    assert flops["layer_1/MatMul"] == 2 * 32 * 8 * 16
    assert flops["layer_2/MatMul"] == 2 * 32 * 16 * 16
    assert flops["layer_1/add"] == 32 * 16
    assert flops["layer_1/W/read"] == 0
    assert G.nodes["layer_2/MatMul"]["flops"] == flops["layer_2/MatMul"]
    path = viz.critical_path(G)
    assert "layer_1/MatMul" in path and "layer_2/MatMul" in path
    assert path[-1] == p["loss"].op.name
    assert all(G.has_edge(u, v) for u, v in zip(path, path[1:]))
    by_count = viz.critical_path(G, weight=None)
    assert len(by_count) == max(viz.depths(G).values()) + 1
    # Drawable as a highlight.
    d = Dot(viz.draw_graph(p["loss"], highlight=path).source)
    assert d.nodes["layer_2/MatMul"]["penwidth"] == "3"
    with pytest.raises(ValueError, match="run_metadata"):
        viz.critical_path(G, weight="time")


def test_critical_path_by_time():
    p = linear_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    metadata = tf.RunMetadata()
    sess.run(p["loss"], p["feed"], options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=metadata)
    path = viz.critical_path(viz.to_networkx(p["loss"]), weight="time", run_metadata=metadata)
    assert path[-1] == "loss"


def test_print_graph_tree():
    p = linear_regression()
    out = io.StringIO()
    viz.print_graph(p["loss"], file=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "loss  Mean  scalar"
    assert "├─ input: Square  Square  ?×1" in lines[1]
    text = out.getvalue()
    assert "a: x  Placeholder  ?×3" in text
    assert "b: model/W  Variable  3×1 float32" in text  # W/read folded into the variable
    assert "reduction_indices: Const  Const  2 int32  = [0, 1]" in text
    # Shared inputs are printed once, then referenced by id.
    p2 = tf.multiply(p["pred"], p["pred"], name="sq")
    text = viz.format_graph(p2)
    assert "x: model/add  Add  ?×1  [id A]" in text
    assert "y: model/add … [id A]" in text
    assert viz.format_graph(p2, max_depth=1).count("…") >= 1


def test_print_graph_handles_deep_graphs():
    x = tf.constant(1.0, name="x")
    for _ in range(1500):
        x = tf.identity(x)
    text = viz.format_graph(x)
    assert text.count("\n") == 1500


def test_print_graph_variable_reached_as_root_and_through_a_ref_input():
    # Regression: the variable's unconsumed read is a root of the whole-graph tree and the
    # variable is also reached through AssignAdd's ref input; it used to raise KeyError.
    v = tf.Variable(1.0, name="counter")
    v.read_value()  # an extra read nothing consumes: one more root
    tf.assign_add(v, 2.0, name="increment")
    text = viz.format_graph()
    lines = text.splitlines()
    assert any(line.startswith("increment  AssignAdd") for line in lines), text
    # Printed in full once, with an id, and referenced by that id elsewhere.
    full = [line for line in lines if "counter  Variable  scalar float32" in line]
    assert len(full) == 1 and "[id " in full[0], text
    ref = full[0].split("[id ")[1].rstrip("]")
    assert any(line.endswith("counter … [id %s]" % ref) for line in lines), text
    out = io.StringIO()
    viz.print_graph(file=out)
    assert out.getvalue().rstrip("\n") == text


def test_command_line(tmp_path, capsys):
    p = linear_regression()
    tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "graph.json")
    assert main([path, "--text"]) == 0
    assert "ApplyGradientDescent" in capsys.readouterr().out


@needs_dot
def test_command_line_renders(tmp_path, capsys):
    p = linear_regression()
    tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "graph.json")
    out = str(tmp_path / "graph.svg")
    assert main([path, "-o", out, "--depth", "1", "--rankdir", "LR"]) == 0
    text = open(out, encoding="utf-8").read()
    assert "<svg" in text and "ApplyGradientDescent" in text
    assert main([path]) == 0  # default output next to the JSON
    assert os.path.exists(str(tmp_path / "graph.svg"))


def test_command_line_reports_missing_dot(tmp_path, monkeypatch, capsys):
    p = linear_regression()
    path = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "graph.json")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main([path, "-o", str(tmp_path / "g.png")]) == 1
    assert "Install Graphviz" in capsys.readouterr().err
    assert (tmp_path / "g.dot").exists()
