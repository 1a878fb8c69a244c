"""What every lesson shares: the command line, printing, and saving pictures.

    lesson = _common.Lesson("01_graphs_and_sessions", __doc__)
    args = lesson.args                      # args.out (a directory), args.fast (bool)
    lesson.say("Some text for the class.")
    lesson.save(viz.draw_graph(loss), "graph.png")     # a Graphviz diagram
    lesson.save(fig, "loss.png")                       # a matplotlib figure (or Axes)
    lesson.done()                           # lists every picture written

Every lesson runs as ``python tutorials/NN_name.py [--out DIR] [--fast]``: pictures go to
``--out`` (default ``tutorial_output/NN_name/``); ``--fast`` runs the same code with fewer
steps and less data, so the whole course runs in the test suite in well under a minute.
"""
import argparse
import os
import sys
import textwrap
import time

# Run from a checkout without installing: make the repository's packages importable.
_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isdir(os.path.join(_REPO, "tfone")) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

# Pictures are written to files: no window is ever opened (and no display is needed).
os.environ.setdefault("MPLBACKEND", "Agg")

# The lessons multiply small matrices (a few hundred rows, tens of columns). A multi-threaded
# BLAS spends more time waking its threads than computing them, and on a busy 2-core machine
# it makes a training step several times slower. One thread is faster here. (This only works
# before numpy is imported, which is why every lesson imports _common first.)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

WIDTH = 92


class Lesson:
    """Command line, output directory and a record of the pictures a lesson writes."""

    def __init__(self, name, doc=None, argv=None):
        self.name = name
        parser = argparse.ArgumentParser(
            prog="python tutorials/%s.py" % name,
            description=(doc or "").strip().splitlines()[0] if doc else None)
        parser.add_argument("--out", default=os.path.join("tutorial_output", name),
                            help="directory for the pictures (default: %(default)s)")
        parser.add_argument("--fast", action="store_true",
                            help="fewer steps and less data: a few seconds, same code path")
        self.args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        self.out = self.args.out
        self.fast = self.args.fast
        os.makedirs(self.out, exist_ok=True)
        self.pictures = []
        self._start = time.time()
        title = (doc or name).strip().splitlines()[0]
        print("=" * WIDTH)
        print("Lesson %s" % title)
        print("=" * WIDTH)
        if self.fast:
            print("(--fast: fewer steps and less data; the numbers are smaller-scale.)")

    # -- text ---------------------------------------------------------------------------------
    def section(self, title):
        print()
        print("-- %s %s" % (title, "-" * max(0, WIDTH - 4 - len(title))))

    def say(self, text):
        """Print a paragraph, wrapped (blank lines separate paragraphs)."""
        for k, para in enumerate(textwrap.dedent(text).strip().split("\n\n")):
            if k:
                print()
            print(textwrap.fill(" ".join(para.split()), WIDTH))

    def code(self, text):
        """Print a few lines of code, indented, exactly as given."""
        for line in textwrap.dedent(text).strip("\n").splitlines():
            print("    " + line)

    # -- pictures -----------------------------------------------------------------------------
    def path(self, filename):
        return os.path.join(self.out, filename)

    def save(self, picture, filename, what=None, dpi=None):
        """Write a picture to ``--out/filename`` and print where it went.

        ``picture``: a Graphviz diagram (viz.draw_graph & co; PNG/SVG via ``dot``), a
        matplotlib Figure or Axes, or a viz.Trace (``.gif``: the animation).
        """
        path = self.path(filename)
        ext = os.path.splitext(filename)[1].lower()
        if hasattr(picture, "save_gif") and ext == ".gif":
            picture.save_gif(path)
        elif hasattr(picture, "source"):              # a graphviz Digraph / viz.Diagram
            import viz
            viz.render(picture, path, dpi=dpi or (110 if ext == ".png" else None))
        else:
            figure = getattr(picture, "figure", picture)   # an Axes -> its Figure
            if hasattr(picture, "__len__") and not hasattr(picture, "savefig"):
                figure = picture[0].figure                   # a list of Axes
            figure.savefig(path, dpi=dpi or 110, bbox_inches="tight")
            import matplotlib.pyplot as plt
            plt.close(figure)
        self.pictures.append((path, what))
        print("  [picture] %s%s" % (path, "  (%s)" % what if what else ""))
        return path

    def record(self, path, what=None):
        """Note a picture another tool wrote (e.g. keras.utils.plot_model, python -m viz)."""
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise RuntimeError("the picture %s was not written" % path)
        self.pictures.append((path, what))
        print("  [picture] %s%s" % (path, "  (%s)" % what if what else ""))
        return path

    def done(self):
        seconds = time.time() - self._start
        print()
        print("=" * WIDTH)
        print("Done in %.1f s. %d picture%s in %s/:" % (
            seconds, len(self.pictures), "" if len(self.pictures) == 1 else "s", self.out))
        for path, what in self.pictures:
            print("  %-34s %s" % (os.path.basename(path), what or ""))
        print("=" * WIDTH)


def pyplot():
    """matplotlib.pyplot with the Agg backend (files only, no window)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def fmt(array, digits=3):
    """A small numpy array as one short line of text."""
    import numpy as np
    return np.array2string(np.asarray(array), precision=digits, suppress_small=True,
                           separator=", ", max_line_width=200)


def plain(value):
    """numpy results as plain Python for printing: 3.0 instead of np.float32(3.0)."""
    import numpy as np
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value).tolist()
    return value

