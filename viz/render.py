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

__all__ = ["Diagram", "render", "pipe", "run_graphviz", "GraphvizNotFoundError",
           "GraphvizError", "install_hint", "find_executable", "DEFAULT_TIMEOUT"]

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
    if hasattr(diagram, "source"):
        return diagram.source
    if callable(getattr(diagram, "diagram", None)):  # a viz.Trace: its numbered picture
        return diagram.diagram().source
    if isinstance(diagram, str):
        return diagram
    raise TypeError("viz.render needs a diagram (from viz.draw_graph and friends), a Trace or "
                    "DOT text, got %s" % type(diagram).__name__)


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


def run_graphviz(jobs, dpi=None, timeout=DEFAULT_TIMEOUT, parallel=2):
    """Run several Graphviz commands, ``parallel`` at a time, each writing files.

    ``jobs``: a list of (diagram or DOT text, engine, extra arguments, [(format, path), ...]);
    each job is one process that lays out once and writes every listed format. Every process
    has ``timeout`` seconds; errors are those of :func:`pipe`.
    """
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        pending = []
        for k, (source, engine, extra_args, outputs) in enumerate(jobs):
            cmd = [find_executable(engine)] + list(extra_args)
            if dpi is not None:
                cmd.append("-Gdpi=%g" % float(dpi))
            for format, path in outputs:
                cmd += ["-T" + format, "-o", os.fspath(path)]
            source_path = os.path.join(tmp, "job%d.dot" % k)
            with open(source_path, "w", encoding="utf-8") as f:
                f.write(_source(source))
            pending.append((cmd + [source_path], engine))
        _run_processes(pending, timeout, parallel)


def _run_processes(pending, timeout, parallel):
    running = []

    def finish(entry):
        process, engine = entry
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise GraphvizError(
                "Graphviz `%s` did not finish within %g s. Large graphs lay out slowly: draw "
                "fewer nodes (depth=1, a smaller budget=, or a list of tensors as the target) "
                "or pass a larger timeout=." % (engine, timeout)) from None
        if process.returncode != 0:
            raise GraphvizError("Graphviz `%s` failed (exit code %d): %s"
                                % (engine, process.returncode,
                                   stderr.decode("utf-8", "replace").strip()))

    try:
        for cmd, engine in pending:
            if len(running) >= max(1, parallel):
                finish(running.pop(0))
            process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            running.append((process, engine))
        while running:
            finish(running.pop(0))
    finally:
        for process, _ in running:
            if process.poll() is None:
                process.kill()
                process.wait()


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

    # graphviz's own entry points, routed through the safe pipeline (timeout, clear errors).
    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None, timeout=DEFAULT_TIMEOUT):
        if renderer or formatter or neato_no_op:
            return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                                encoding=encoding)
        data = pipe(self, format or self.format or "svg", engine or self.engine or "dot",
                    timeout)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               renderer=None, formatter=None, neato_no_op=None, quiet=False, quiet_view=False,
               *, outfile=None, engine=None, raise_if_result_exists=False,
               overwrite_source=False, timeout=DEFAULT_TIMEOUT):
        """graphviz's ``render`` (DOT file plus ``<file>.<format>``), with a timeout."""
        if renderer or formatter or neato_no_op or raise_if_result_exists:
            return super().render(filename, directory, view, cleanup, format, renderer,
                                  formatter, neato_no_op, quiet, quiet_view, outfile=outfile,
                                  engine=engine, raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source)
        if outfile is not None:
            outfile = os.fspath(outfile)
            format = format or os.path.splitext(outfile)[1].lstrip(".") or "pdf"
            source_path = os.path.splitext(outfile)[0] + ".gv"
        else:
            format = format or self.format or "pdf"
            source_path = self.save_source(filename, directory)
            outfile = "%s.%s" % (source_path, format)
        if outfile is not None and not cleanup:
            with open(source_path, "w", encoding="utf-8") as f:
                f.write(self.source)
        path = render(self, outfile, format=format, engine=engine or self.engine or "dot",
                      timeout=timeout)
        if cleanup and os.path.exists(source_path):
            os.remove(source_path)
        if view:
            self._view(path, format=format, quiet=quiet_view)
        return path

    def save_source(self, filename=None, directory=None):
        """Write the DOT text like graphviz's ``save``; returns the path."""
        filename = os.fspath(filename) if filename is not None else (self.filename or "tfone.gv")
        path = os.path.join(os.fspath(directory), filename) if directory else filename
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.source)
        return path

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
