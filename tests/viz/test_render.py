"""Rendering with Graphviz, the missing-`dot` error path, timeouts, Jupyter, cheap import."""
import importlib
import os
import subprocess
import sys

import pytest

import tfone as tf
import viz
from tests.viz.programs import linear_regression, needs_dot

render_module = importlib.import_module("viz.render")  # the module (viz.render is the function)


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_render_formats(tmp_path, fmt, magic):
    p = linear_regression()
    path = viz.render(viz.draw_graph(p["loss"]), str(tmp_path / ("g." + fmt)))
    with open(path, "rb") as f:
        assert f.read(5).startswith(magic)
    assert not os.path.exists(tmp_path / "g.dot")  # only written when rendering fails


@needs_dot
def test_render_dpi_changes_png_size(tmp_path):
    p = linear_regression()
    d = viz.draw_graph(p["loss"], legend=False)
    small = viz.render(d, str(tmp_path / "a.png"), dpi=50)
    large = viz.render(d, str(tmp_path / "b.png"), dpi=100)
    from PIL import Image
    assert Image.open(large).width > 1.8 * Image.open(small).width


@needs_dot
def test_svg_has_tooltips_with_source_lines(tmp_path):
    p = linear_regression()
    path = viz.render(viz.draw_graph(p["loss"]), str(tmp_path / "g.svg"))
    text = open(path, encoding="utf-8").read()
    assert "programs.py" in text  # where the op was created
    assert "Matrix product" in text  # the op's documentation line


def test_missing_dot_raises_with_install_hint_and_writes_dot_file(tmp_path, monkeypatch):
    p = linear_regression()
    d = viz.draw_graph(p["loss"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.render(d, str(tmp_path / "out" / "graph.png"))
    message = str(info.value)
    assert "Install Graphviz" in message and "apt-get install graphviz" in message
    dot_path = tmp_path / "out" / "graph.dot"
    assert dot_path.exists() and str(dot_path) in message
    assert dot_path.read_text(encoding="utf-8") == d.source
    assert not (tmp_path / "out" / "graph.png").exists()


def test_install_hints_per_platform():
    assert "brew install graphviz" in viz.install_hint("darwin")
    assert "winget install graphviz" in viz.install_hint("win32")
    assert "apt-get install graphviz" in viz.install_hint("linux")


def test_timeout_is_reported(tmp_path, monkeypatch):
    def slow(*args, **kwargs):
        assert kwargs["timeout"] == 0.5
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])
    monkeypatch.setattr(render_module.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(render_module.subprocess, "run", slow)
    p = linear_regression()
    with pytest.raises(viz.GraphvizError, match="did not finish within 0.5 s"):
        viz.render(viz.draw_graph(p["loss"]), str(tmp_path / "g.png"), timeout=0.5)
    assert (tmp_path / "g.dot").exists()


def test_dot_errors_are_reported(tmp_path, monkeypatch):
    class Failed:
        returncode = 1
        stdout = b""
        stderr = b"Error: syntax error in line 1"
    monkeypatch.setattr(render_module.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(render_module.subprocess, "run", lambda *a, **k: Failed())
    p = linear_regression()
    with pytest.raises(viz.GraphvizError, match="syntax error"):
        viz.render(viz.draw_graph(p["loss"]), str(tmp_path / "g.svg"))


def test_unknown_format():
    p = linear_regression()
    with pytest.raises(ValueError, match="Unsupported format"):
        viz.render(viz.draw_graph(p["loss"]), "g.bmp3")


def test_jupyter_shows_dot_text_and_hint_when_rendering_fails(monkeypatch, tmp_path):
    p = linear_regression()
    d = viz.draw_graph(p["loss"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "Install Graphviz" in bundle["text/plain"]
    assert "digraph tfone" in bundle["text/plain"]
    assert "&lt;" in bundle["text/html"]  # the DOT text is escaped for HTML


@needs_dot
def test_jupyter_inline_svg():
    p = linear_regression()
    bundle = viz.draw_graph(p["loss"])._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def test_import_is_cheap_and_never_probes_for_dot():
    code = (
        "import shutil, subprocess, sys\n"
        "calls = []\n"
        "shutil.which = lambda *a, **k: calls.append(a)\n"
        "subprocess.run = lambda *a, **k: calls.append(a)\n"
        "import viz\n"
        "print(calls, 'matplotlib' in sys.modules, 'networkx' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[] False False"


def test_ops_built_by_viz_point_to_the_user_line():
    p = linear_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    viz.draw_gradient_flow(sess, p["loss"], p["feed"])
    grad_ops = [op for op in tf.get_default_graph().get_operations()
                if op.name.startswith("viz_gradients")]
    assert grad_ops
    assert all("test_render.py" in op.location for op in grad_ops)


@needs_dot
def test_graphviz_render_and_pipe_methods_use_the_safe_pipeline(tmp_path):
    p = linear_regression()
    d = viz.draw_graph(p["loss"])
    out = d.render(str(tmp_path / "g.gv"), format="png", cleanup=True)
    assert out.endswith("g.gv.png") and os.path.exists(out)
    assert not (tmp_path / "g.gv").exists()
    out = d.render(outfile=str(tmp_path / "h.svg"))
    assert open(out, encoding="utf-8").read().lstrip().startswith("<?xml")
    assert d.pipe(format="svg", encoding="utf-8").lstrip().startswith("<?xml")


def test_graphviz_render_method_without_dot_explains(tmp_path, monkeypatch):
    p = linear_regression()
    d = viz.draw_graph(p["loss"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(viz.GraphvizNotFoundError, match="Install Graphviz"):
        d.render(outfile=str(tmp_path / "g.png"))
    with pytest.raises(viz.GraphvizNotFoundError):
        d.pipe(format="png")


def test_render_accepts_dot_text_and_traces_only(tmp_path):
    with pytest.raises(TypeError, match="needs a diagram"):
        viz.render(42, str(tmp_path / "x.dot"))
    path = viz.render("digraph { a -> b }", str(tmp_path / "x.dot"))
    assert open(path).read() == "digraph { a -> b }"
    p = linear_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    tr = viz.trace(sess, p["loss"], p["feed"])
    path = viz.render(tr, str(tmp_path / "t.dot"))
    assert "step 1" in open(path, encoding="utf-8").read()


def _layout(diagram):
    """{node: (x, y, width, height)} in points and the legend cluster's bb, from `dot -Tjson`."""
    import json
    data = json.loads(render_module.pipe(diagram, "json"))
    nodes, legend_bb = {}, None
    for obj in data["objects"]:
        if obj.get("name") == "cluster_legend":
            legend_bb = [float(v) for v in obj["bb"].split(",")]
        if "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            nodes[obj["name"]] = (x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
    return nodes, legend_bb


@needs_dot
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_legend_is_compact_and_after_the_graph(rankdir):
    p = linear_regression()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    nodes, (x0, y0, x1, y1) = _layout(viz.draw_graph(train, rankdir=rankdir))
    graph = {n: v for n, v in nodes.items() if not n.startswith("legend")}
    glyphs = ["legend_%s" % k for k in ("placeholder", "variable", "constant", "op",
                                        "gradient", "update")]
    assert all(g in nodes and g + "_text" in nodes for g in glyphs)
    if rankdir == "TB":
        # Below every node of the graph, whatever the graph's ranks look like.
        assert y1 < min(y - h / 2 for _, y, _, h in graph.values())
        # Rows of three: glyph, text, glyph, text ... nodesep (0.3 in) apart, rows close.
        rows = sorted({nodes[g][1] for g in glyphs}, reverse=True)
        assert len(rows) == 2 and rows[0] - rows[1] < 50
        for g in glyphs:
            (gx, gy, gw, _), (tx, ty, tw, _) = nodes[g], nodes[g + "_text"]
            assert gy == ty and 0 < (tx - tw / 2) - (gx + gw / 2) < 30
        assert nodes["legend_placeholder"][0] < nodes["legend_variable"][0] \
            < nodes["legend_constant"][0]
    else:
        # Right of every node of the graph; glyphs in one column, texts left-aligned beside.
        assert x0 > max(x + w / 2 for x, _, w, _ in graph.values())
        assert len({nodes[g][0] for g in glyphs}) == 1
        assert len({round(nodes[g + "_text"][0] - nodes[g + "_text"][2] / 2) for g in glyphs}) == 1
        ys = [nodes[g][1] for g in glyphs]
        assert ys == sorted(ys, reverse=True)  # in legend order, top to bottom
        assert max(a - b for a, b in zip(ys, ys[1:])) < 45
        for g in glyphs:
            assert nodes[g][1] == nodes[g + "_text"][1]
    # Edge samples read left to right in both directions.
    for kind in ("data", "control", "writes"):
        (fx, fy, _, _), (tx, ty, _, _) = nodes["legend_%s_from" % kind], nodes["legend_%s_text" % kind]
        assert fy == ty and fx < tx
