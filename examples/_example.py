"""What every example shares: the command line and where its files go.

Each example starts with ``import _example`` and then reads like a TF1 textbook script::

    import _example
    args = _example.parse_args(__doc__)     # args.fast (bool), args.out (a directory)
    ...
    viz.render(viz.draw_graph(train_op), _example.path(args, "graph.png"))

Run an example as ``python examples/NAME.py [--fast] [--out DIR]``; files go to ``--out``
(default ``examples_output/NAME/``). ``--fast`` runs the same code with fewer steps.
Every example ends by printing ``final <metric>: <value>`` (the tests read that line).
"""
import argparse
import os
import sys

# Run from a checkout without installing: make the repository's packages (tfone, viz)
# importable.
_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isdir(os.path.join(_REPO, "tfone")) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

# The examples multiply small matrices; one BLAS thread is faster than several on a busy
# machine (this must happen before numpy is imported, hence ``import _example`` first).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def parse_args(doc=None, argv=None):
    """``--fast`` and ``--out DIR`` (created); the program name comes from the script."""
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    parser = argparse.ArgumentParser(
        prog="python examples/%s.py" % name,
        description=(doc or "").strip().splitlines()[0] if doc else None)
    parser.add_argument("--fast", action="store_true",
                        help="fewer steps and less data: a few seconds, same code path")
    parser.add_argument("--out", default=os.path.join("examples_output", name),
                        help="directory for pictures, checkpoints and logs "
                             "(default: %(default)s)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.out, exist_ok=True)
    return args


def path(args, filename):
    """``filename`` inside the example's output directory."""
    return os.path.join(args.out, filename)
