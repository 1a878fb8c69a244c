"""Rendering DOT text to PNG/SVG/PDF with Graphviz's ``dot``, safely.

``dot`` is looked up only when something is rendered (never at import). Every call has a
timeout. When ``dot`` is missing, the error says how to install Graphviz on this platform,
and the ``.dot`` source is still written next to the requested file, so nothing is lost.
"""
import html
import os
import shutil
import subprocess
import sys

import graphviz

__all__ = ["Diagram", "render", "pipe", "GraphvizNotFoundError", "GraphvizError",
           "install_hint", "find_executable", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 60.0  # seconds; large graphs: prefer svg, or draw with depth=/budget=
FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "dot", "json", "plain", "xdot")


class GraphvizError(RuntimeError):
    """``dot`` failed, timed out or is missing."""


class GraphvizNotFoundError(GraphvizError):
    """The Graphviz ``dot`` program is not installed (or not on PATH)."""


def install_hint(platform=None):
    """How to install Graphviz's ``dot`` on this platform (one or two commands)."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        return ("Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
                "`sudo dnf install graphviz` (Fedora) or `conda install -c conda-forge graphviz`.")
    if platform == "darwin":
        return "Install Graphviz: `brew install graphviz` (or `conda install -c conda-forge graphviz`)."
    if platform.startswith("win"):
        return ("Install Graphviz: `winget install graphviz` or `choco install graphviz` (or "
                "`conda install -c conda-forge graphviz`), then open a new terminal so `dot` "
                "is on PATH.")
    return "Install Graphviz from https://graphviz.org/download/ and make sure `dot` is on PATH."


def find_executable(engine="dot"):
    """Path of the Graphviz program ``engine``; raises GraphvizNotFoundError if missing."""
    path = shutil.which(engine)
    if path is None:
        raise GraphvizNotFoundError(
            "Graphviz's `%s` program was not found on PATH, so the picture cannot be rendered.\n"
            "%s\nThe pip package `graphviz` is only the Python interface; the `dot` program is "
            "separate." % (engine, install_hint()))
    return path


def _source(diagram):
    return diagram.source if hasattr(diagram, "source") else str(diagram)


def pipe(diagram, format="svg", engine="dot", timeout=DEFAULT_TIMEOUT, extra_args=()):
    """Run Graphviz on the diagram's DOT text and return the output bytes."""
    exe = find_executable(engine)
    source = _source(diagram).encode("utf-8")
    cmd = [exe, "-T" + format] + list(extra_args)
    try:
        result = subprocess.run(cmd, input=source, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            "Graphviz `%s` did not finish within %g s. Large graphs lay out slowly: draw fewer "
            "nodes (depth=1, a smaller budget=, or a list of tensors as the target), render to "
            "SVG, or pass a larger timeout=." % (engine, timeout)) from None
    if result.returncode != 0:
        raise GraphvizError("Graphviz `%s` failed (exit code %d): %s"
                            % (engine, result.returncode,
                               result.stderr.decode("utf-8", "replace").strip()))
    return result.stdout


def render(diagram, path, format=None, dpi=None, engine="dot", timeout=DEFAULT_TIMEOUT):
    """Write ``diagram`` to ``path`` as PNG, SVG or PDF (format from the extension by default).

    ``dpi`` sets the resolution of bitmap output (96 by default; 150-200 for slides).
    SVG and PDF stay sharp at any size and are recommended for large graphs. Returns ``path``.
    If ``dot`` is missing or fails, ``<path without extension>.dot`` is written before the
    error is raised, so the DOT text can be rendered elsewhere.
    """
    path = os.fspath(path)
    if format is None:
        ext = os.path.splitext(path)[1].lstrip(".").lower()
        format = ext or "png"
    format = format.lower()
    if format not in FORMATS:
        raise ValueError("Unsupported format %r; use one of %s." % (format, ", ".join(FORMATS)))
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    if format == "dot":
        with open(path, "w", encoding="utf-8") as f:
            f.write(_source(diagram))
        return path
    args = []
    if dpi is not None:
        args.append("-Gdpi=%g" % float(dpi))
    try:
        data = pipe(diagram, format, engine, timeout, args)
    except GraphvizError as e:
        dot_path = os.path.splitext(path)[0] + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(_source(diagram))
        raise type(e)("%s\nThe DOT source was written to %s." % (e, dot_path)) from None
    with open(path, "wb") as f:
        f.write(data)
    return path


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that knows how it was made, renders safely and shows in Jupyter.

    Extra attributes: ``model`` (the display model: units and edges), ``findings`` (problems
    found by draw_gradient_flow), ``stats`` (numbers shown in the picture, by node name).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = None
        self.findings = []
        self.stats = {}

    def save(self, path, format=None, dpi=None, timeout=DEFAULT_TIMEOUT):
        """Render to ``path`` (see :func:`viz.render`)."""
        return render(self, path, format=format, dpi=dpi, timeout=timeout)

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        # Jupyter: an inline SVG, or (when rendering is impossible) the DOT text and the fix.
        try:
            svg = pipe(self, "svg", timeout=DEFAULT_TIMEOUT).decode("utf-8")
        except GraphvizError as e:
            message = "%s\n\nDOT source:\n%s" % (e, self.source)
            return {"text/plain": message,
                    "text/html": "<pre>%s</pre>" % html.escape(message)}
        return {"image/svg+xml": svg}

    def _repr_svg_(self):
        bundle = self._repr_mimebundle_()
        return bundle.get("image/svg+xml")
