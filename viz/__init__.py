"""viz: teaching pictures of tfone graphs, their backward pass and what happened in a run.

    import viz
    viz.draw_graph(loss)                       # the graph loss depends on (a graphviz.Digraph)
    viz.draw_graph(train_op, show_gradients='aligned')
    viz.draw_values(sess, loss, feed_dict)     # every node labelled with its value in a run
    viz.draw_gradient_flow(sess, loss, feed_dict)   # gradient norms; .findings lists problems
    viz.trace(sess, train_op, feed_dict).save_gif('run.gif')
    viz.render(diagram, 'graph.svg')           # PNG/SVG/PDF via Graphviz's `dot`
    viz.print_graph(loss)                      # a text tree with shapes

Importing viz is cheap: it never imports matplotlib and never looks for the `dot` program;
both happen only when a picture is rendered or plotted. See docs/VIZ.md.
"""
import os as _os

from tfone.framework import source_info as _source_info

# Ops that viz helpers create (e.g. the backward pass of draw_gradient_flow) should point to
# the user's line, not to viz's own code.
_source_info.add_internal_prefix(_os.path.dirname(_os.path.abspath(__file__)))

from viz.render import (Diagram, render, GraphvizError, GraphvizNotFoundError,  # noqa: E402
                        install_hint)
from viz.draw import draw_graph  # noqa: E402
from viz.values import draw_values  # noqa: E402
from viz.gradient_flow import (draw_gradient_flow, Finding, GradientHistory,  # noqa: E402
                               variable_gradient_stats)
from viz.plots import plot_gradient_flow, plot_history  # noqa: E402
from viz.trace import trace, Trace  # noqa: E402
from viz.analysis import (to_networkx, topological_order, depths, parameter_counts,  # noqa: E402
                          estimate_flops, critical_path)
from viz.text import print_graph, format_graph  # noqa: E402

__all__ = ["draw_graph", "draw_values", "draw_gradient_flow", "plot_gradient_flow",
           "plot_history", "trace", "Trace", "Finding", "GradientHistory",
           "variable_gradient_stats", "to_networkx", "topological_order", "depths",
           "parameter_counts", "estimate_flops", "critical_path", "print_graph", "format_graph",
           "render", "Diagram", "GraphvizError", "GraphvizNotFoundError", "install_hint"]
