"""Command line: draw a graph written by ``tf.train.write_graph``.

    python -m viz graph.json -o graph.svg [--depth N] [--rankdir LR] [--budget N|none]
                             [--show-gradients no|yes|aligned] [--title TEXT] [--dpi N]
    python -m viz graph.json --text          # the text tree instead of a picture
"""
import argparse
import json
import os
import sys


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m viz", description="Draw a tfone graph written by tf.train.write_graph.")
    parser.add_argument("graph", help="a graph JSON file (tf.train.write_graph output)")
    parser.add_argument("-o", "--output", help="picture to write: .svg (default), .png or .pdf")
    parser.add_argument("--depth", type=int, default=None,
                        help="collapse name scopes nested deeper than N")
    parser.add_argument("--rankdir", choices=("TB", "LR"), default="TB")
    parser.add_argument("--budget", default="60",
                        help="node budget before scopes collapse ('none' draws everything)")
    parser.add_argument("--show-gradients", choices=("no", "yes", "aligned"), default="yes")
    parser.add_argument("--title", default=None)
    parser.add_argument("--dpi", type=float, default=None, help="resolution of PNG output")
    parser.add_argument("--text", action="store_true", help="print the text tree instead")
    return parser.parse_args(argv)


def load_graph(path):
    """A new tf.Graph holding the graph JSON at ``path`` (names kept as written)."""
    import tfone as tf
    with open(path, "rb") as f:
        try:
            graph_def = json.loads(f.read().decode("utf-8"))
        except ValueError as e:
            raise SystemExit("%s is not a graph JSON file written by tf.train.write_graph (%s)."
                             % (path, e))
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    return graph


def main(argv=None):
    args = _parse(sys.argv[1:] if argv is None else argv)
    import viz
    graph = load_graph(args.graph)
    if args.text:
        viz.print_graph(graph)
        return 0
    budget = None if str(args.budget).lower() in ("none", "0", "off") else int(args.budget)
    show = {"no": False, "yes": True, "aligned": "aligned"}[args.show_gradients]
    output = args.output or os.path.splitext(args.graph)[0] + ".svg"
    diagram = viz.draw_graph(graph, depth=args.depth, rankdir=args.rankdir, budget=budget,
                             show_gradients=show,
                             title=args.title or os.path.basename(args.graph))
    try:
        viz.render(diagram, output, dpi=args.dpi)
    except viz.GraphvizError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
