"""``viz.draw_values``: run the graph once and draw every node with the value it computed."""
import numpy as np

import tfone as tf

from viz import style
from viz.draw import emit, split_options
from viz.graph_model import (GraphModel, SINGLE, STUB, VARIABLE, PLACEHOLDER, ancestors, _flatten,
                             opdef_of)
from viz.labels import value_lines, value_summary

__all__ = ["draw_values", "run_with_values"]

NOT_RUN_TEXT = "not computed in this run"
NOT_RUN_ENTRY = ("not_run", {"shape": "box", "style": "rounded,dashed,filled",
                             "fillcolor": "#FFFFFF", "color": "#A0A0A0"}, NOT_RUN_TEXT)
WARN = style.OKABE_ITO["vermillion"]


def _feed_tensors(graph, feed_dict):
    fed = {}
    for key, value in (feed_dict or {}).items():
        if isinstance(key, tf.Tensor):
            tensor = key
        elif isinstance(key, str):
            tensor = graph.get_tensor_by_name(key)
        elif hasattr(key, "value"):
            tensor = key.value()
        else:
            tensor = tf.convert_to_tensor(key)
        fed[tensor] = value
    return fed


def _fetch_ops(graph, fetches):
    ops = []
    for item in _flatten(fetches):
        if isinstance(item, str):
            item = graph.as_graph_element(item)
        if isinstance(item, tf.Tensor):
            ops.append(item.op)
        elif isinstance(item, tf.Operation):
            ops.append(item)
        elif hasattr(item, "op"):
            ops.append(item.op)
            if hasattr(item, "value"):
                ops.append(item.value().op)
        else:
            raise TypeError("Cannot fetch %r: pass tensors, ops, variables or their names." % (item,))
    return ops


def run_extra(sess, fetches, extra, feed_dict=None, run_metadata=None):
    """``sess.run([fetches, extra])`` where the tensors in ``extra`` are optional: a tensor the
    Session refuses to fetch (computed inside a tf.cond branch) is left out. The refusal comes
    while the run is planned, before anything executes, so stateful ops still run once.

    Returns (what sess.run(fetches) returns, {tensor: value} for the extra tensors fetched).
    """
    wanted = list(dict.fromkeys(extra))
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE) if run_metadata is not None \
        else None
    for _ in range(len(wanted) + 1):
        try:
            out = sess.run([fetches, wanted], feed_dict=feed_dict, options=options,
                           run_metadata=run_metadata)
            return out[0], dict(zip(wanted, out[1]))
        except tf.errors.InvalidArgumentError as e:
            refused = [t for t in wanted if t.op is getattr(e, "op", None)]
            if not refused or "Cannot fetch" not in str(e):
                raise
            wanted = [t for t in wanted if t not in refused]
    raise RuntimeError("could not plan the run")  # unreachable: each retry drops a tensor


def run_with_values(sess, fetches, feed_dict=None, tensors=None):
    """Run ``fetches`` once and also return the values of ``tensors`` computed in that run.

    Returns (results, values, executed): what ``sess.run(fetches, feed_dict)`` returns, a dict
    {tensor: value} for the requested tensors the run computed and the Session lets us fetch
    (fed tensors give their fed value), and the set of ops the run executed (from a traced
    run, so an untaken tf.cond branch is not in it). Asking for extra tensors does not change
    what runs: only tensors of ops the fetches execute anyway are fetched.
    """
    graph = sess.graph
    fed = _feed_tensors(graph, feed_dict)
    needed = ancestors(_fetch_ops(graph, fetches), through_refs=False, stop_tensors=fed)
    wanted = []
    values = {}
    for t in tensors or ():
        if t in fed:
            values[t] = np.asarray(fed[t])
        elif t.op in needed and t.dtype.name != "string" and t not in wanted:
            wanted.append(t)
    metadata = tf.RunMetadata()
    results, extra = run_extra(sess, fetches, wanted, feed_dict, metadata)
    values.update(extra)
    executed = executed_ops(graph, metadata, needed)
    executed.update(t.op for t in extra)  # fetched, so computed
    return results, values, executed


def executed_ops(graph, run_metadata, needed=()):
    """The ops a traced run executed: those in ``step_stats``, plus the tf.cond outputs the
    plan computes inline (no kernel call, so no step stat) when one of their branches ran."""
    executed = {graph.get_operation_by_name(stat.op_name) for stat in run_metadata.step_stats}
    for op in sorted(needed, key=lambda o: o.name):
        opdef = opdef_of(op.type)
        if (op not in executed and opdef is not None and getattr(opdef, "selects_branch", False)
                and any(t.op in executed for t in op.inputs[1:])):
            executed.add(op)
    return executed


def _unit_tensors(unit):
    """The tensors whose values a node shows."""
    if unit.kind != SINGLE:
        return []
    op = unit.op
    if unit.category == VARIABLE:
        reads = [o for o in unit.ops[1:] if o.type == "Identity" and o.inputs and o.inputs[0].op is op]
        return [reads[0].outputs[0]] if reads else list(op.outputs)
    return list(op.outputs)


def value_items(unit, values, max_outputs=3, stats=None):
    """The label lines that show a computed node's value, and whether it holds NaN/Inf.

    ``values``: {tensor: value} of the run. Scalars and tiny tensors are shown in full,
    larger ones as shape, mean, std, min, max and share of zeros; NaN/Inf counts come as a
    vermillion ``⚠`` line. Statistics go into ``stats`` ({tensor or op name: summary}).
    Returns (items for ``unit.extra``, bad).
    """
    items = []
    if unit.kind != SINGLE:
        return items, False
    wanted = _unit_tensors(unit)
    shown = [t for t in wanted if t in values]
    if not shown and wanted:
        items.append(("computed inside a tf.cond branch (not fetchable)", style.SUBTLE, False))
    bad = False
    for t in shown[:max_outputs]:
        value = values[t]
        same_shape = (unit.category in (VARIABLE, PLACEHOLDER)
                      and t.shape.is_fully_defined() and tuple(t.shape.as_list()) == np.shape(value))
        lines = value_lines(value, with_shape=not same_shape)
        if len(shown) > 1:
            lines = ["[%d] %s" % (t.value_index, lines[0])] + lines[1:]
        if stats is not None:
            summary = value_summary(value)
            stats[t.name] = summary
            if t.op is unit.op:
                stats.setdefault(unit.op.name, summary)
        for line in lines:
            if line.startswith("⚠"):
                items.append((line, WARN, True))
                bad = True
            else:
                items.append(line)
    if len(shown) > max_outputs:
        items.append("… %d more outputs" % (len(shown) - max_outputs))
    if unit.category == PLACEHOLDER and shown:
        first = items[0] if items else None
        if isinstance(first, str) and not first.startswith("="):
            items[0] = "fed " + first
        else:
            items.insert(0, ("fed", style.SUBTLE, False))
    return items, bad


def draw_values(sess, fetches, feed_dict=None, target=None, rankdir="TB", title=None,
                budget=60, max_outputs=3, **options):
    """Run ``sess.run(fetches, feed_dict)`` once and draw the graph with each node's value.

    Scalars are shown in full; tensors as shape, mean, std, min, max, share of zeros and
    NaN/Inf counts (flagged in vermillion with ⚠). Nodes the run did not compute are drawn
    dashed and grey, labelled "not computed in this run", so they never look like zeros.
    Variables show their value after the run.

    ``target`` chooses what to draw (default: what the fetches depend on); other options are
    those of :func:`viz.draw_graph`. Returns a Diagram with ``.results`` (what sess.run
    returned), ``.values`` ({tensor name: value}) and ``.stats`` ({op name: statistics}).
    """
    graph = sess.graph
    fed = _feed_tensors(graph, feed_dict)
    options, emit_options = split_options(dict(options))
    emit_options.setdefault("show_shapes", True)
    model = GraphModel(target if target is not None else fetches, budget=budget, **options)
    if model.graph is not graph:
        raise ValueError("The fetches belong to a different graph than the session's.")
    tensors = []
    for unit in model.units.values():
        tensors.extend(_unit_tensors(unit))
    results, values, executed = run_with_values(sess, fetches, feed_dict, tensors)
    stats = {}
    for unit in model.units.values():
        if unit.kind == STUB:
            continue
        computed = any(op in executed for op in unit.ops) or any(
            t in fed for op in unit.ops for t in op.outputs)
        if not computed:
            unit.extra.append((NOT_RUN_TEXT, style.DIM_TEXT, False))
            unit.style_extra = "dashed"
            unit.fill = "#FFFFFF"
            unit.border = "#A0A0A0"
            unit.fontcolor = "#8A8A8A"
            continue
        items, bad = value_items(unit, values, max_outputs, stats)
        unit.extra.extend(items)
        if bad:
            unit.border = WARN
            unit.penwidth = 3
    legend_extra = []
    if any(NOT_RUN_TEXT in [e[0] if isinstance(e, tuple) else e for e in u.extra]
           for u in model.units.values()):
        legend_extra.append(NOT_RUN_ENTRY)
    diagram = emit(model, rankdir=rankdir, title=title, legend_extra=legend_extra,
                   **emit_options)
    diagram.results = results
    diagram.values = {t.name: v for t, v in values.items()}
    diagram.stats = stats
    return diagram
