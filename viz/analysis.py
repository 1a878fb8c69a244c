"""Graphs as networkx graphs, and the numbers teachers ask about: order, depth, parameters,
FLOPs, the critical path.

    G = viz.to_networkx(loss)                 # nodes = op names, with attributes
    viz.topological_order(G)                  # a valid execution order (deterministic)
    viz.parameter_counts(loss)                # {variable: number of parameters}
    viz.estimate_flops(G, batch_size=32)      # {op: floating-point operations}
    path = viz.critical_path(G)               # the longest chain (by FLOPs, time or ops)
    viz.draw_graph(loss, highlight=path)      # ... drawn as a highlight

networkx is imported only when these functions are called.
"""
import collections
import weakref

import numpy as np

from viz.graph_model import (select, classify, initializer_ops, is_gradient_op, forward_op_of,
                             op_label, opdef_of, _ref_slots, VARIABLE_TYPES)
from viz.labels import shape_text

__all__ = ["to_networkx", "topological_order", "depths", "parameter_counts", "estimate_flops",
           "critical_path"]

_SOURCE_GRAPHS = weakref.WeakKeyDictionary()  # networkx graph -> the tf.Graph it describes
_NO_FLOP_FAMILIES = ("array", "state", "constant_op", "control_flow", "random")
_REDUCTIONS = {"Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin"}


def _nx():
    try:
        import networkx
    except ImportError:
        raise ImportError("viz.to_networkx needs networkx: pip install networkx") from None
    return networkx


def to_networkx(target=None):
    """A ``networkx.DiGraph`` of the ops ``target`` depends on (default: the default graph).

    Nodes are op names with attributes ``type``, ``label``, ``scope``, ``category``
    (placeholder/variable/constant/op/update), ``shapes`` and ``dtypes`` (one per output, as
    text like ``?×784``), ``dtype`` (first output), ``device``, ``is_gradient``,
    ``forward_op`` (for gradient ops), ``index`` (creation order). Edges carry ``tensors``
    (names), ``shapes``, ``control`` (a control dependency) and ``ref`` (names a variable).
    """
    nx = _nx()
    selection = select(target)
    graph = selection.graph
    by_name = {op.name: op for op in graph.get_operations()}
    initializers = initializer_ops(graph, selection.ops)
    G = nx.DiGraph()
    for index, op in enumerate(selection.ops):
        fwd = forward_op_of(op, by_name) if is_gradient_op(op) else None
        G.add_node(op.name, type=op.type, label=op_label(op.type),
                   scope=op.name.rpartition("/")[0], category=classify(op, initializers),
                   shapes=[shape_text(t.shape) for t in op.outputs],
                   dtypes=[t.dtype.name for t in op.outputs],
                   dtype=op.outputs[0].dtype.name if op.outputs else None,
                   device=op.device, is_gradient=is_gradient_op(op),
                   forward_op=fwd.name if fwd is not None else None, index=index)
    for op in selection.ops:
        refs = _ref_slots(op)
        for i, t in enumerate(op.inputs):
            if t.op.name not in G:
                continue
            data = G.get_edge_data(t.op.name, op.name)
            if data is None:
                G.add_edge(t.op.name, op.name, tensors=[], shapes=[], control=False, ref=False)
                data = G.get_edge_data(t.op.name, op.name)
            data["tensors"].append(t.name)
            data["shapes"].append(shape_text(t.shape))
            data["ref"] = data["ref"] or i in refs
        for c in op.control_inputs:
            if c.name not in G:
                continue
            if G.has_edge(c.name, op.name):
                G[c.name][op.name]["control"] = True
            else:
                G.add_edge(c.name, op.name, tensors=[], shapes=[], control=True, ref=False)
    G.graph["name"] = "tfone graph"
    _SOURCE_GRAPHS[G] = graph
    return G


def _as_nx(graph_or_target):
    nx = _nx()
    if isinstance(graph_or_target, nx.DiGraph):
        return graph_or_target
    return to_networkx(graph_or_target)


def topological_order(G):
    """Op names in a topological order (inputs first); ties broken by creation order."""
    nx = _nx()
    G = _as_nx(G)
    return list(nx.lexicographical_topological_sort(
        G, key=lambda n: (G.nodes[n].get("index", 0), n)))


def depths(G):
    """{op name: length of the longest chain of ops leading to it} (sources have depth 0)."""
    G = _as_nx(G)
    depth = {}
    for n in topological_order(G):
        depth[n] = max((depth[p] + 1 for p in G.predecessors(n)), default=0)
    return depth


def parameter_counts(target=None, trainable_only=True):
    """{variable name: number of elements} for the variables ``target`` uses (default: all
    variables of the default graph), in creation order. ``sum(...values())`` is the total."""
    selection = select(target)
    graph = selection.graph
    wanted = set(selection.ops)
    key = "trainable_variables" if trainable_only else "variables"
    variables = [v for v in graph.get_collection(key) if getattr(v, "op", None) in wanted]
    if not variables and not graph.get_collection(key):
        # An imported graph has no Variable objects: count the variable ops themselves.
        ops = [op for op in selection.ops if op.type in VARIABLE_TYPES]
        return collections.OrderedDict((op.name, _count(op.outputs[0].shape)) for op in ops)
    return collections.OrderedDict((v.op.name, _count(v.shape)) for v in variables)


def _count(shape):
    dims = shape.as_tuple() if hasattr(shape, "as_tuple") else tuple(shape)
    if dims is None or any(d is None for d in dims):
        raise ValueError("Variable shape %s is not fully known; cannot count its parameters."
                         % (shape,))
    return int(np.prod(dims)) if dims else 1


def _elements(shape, batch_size):
    dims = shape.as_tuple()
    if dims is None:
        return None
    return int(np.prod([batch_size if d is None else d for d in dims])) if dims else 1


def _op_flops(op, batch_size):
    t = op.type
    if t in ("MatMul", "BatchMatMul", "BatchMatMulV2"):
        out = _elements(op.outputs[0].shape, batch_size)
        a = op.inputs[0].shape.as_tuple()
        if out is None or a is None:
            return None
        transpose = op.attrs.get("transpose_a", op.attrs.get("adj_x", False))
        k = a[-2] if transpose else a[-1]
        return 2 * out * (batch_size if k is None else k)
    if t in ("Conv2D", "DepthwiseConv2dNative"):
        out = _elements(op.outputs[0].shape, batch_size)
        f = op.inputs[1].shape.as_tuple()
        if out is None or f is None or None in f:
            return None
        per_output = f[0] * f[1] * (f[2] if t == "Conv2D" else 1)
        return 2 * out * per_output
    if t in _REDUCTIONS:
        return _elements(op.inputs[0].shape, batch_size)
    opdef = opdef_of(t)
    family = opdef.family if opdef is not None else None
    if family in _NO_FLOP_FAMILIES or not op.outputs:
        return 0
    if t.startswith(("Apply", "ResourceApply")):
        return 4 * (_elements(op.inputs[0].shape, batch_size) or 0)
    if not op.outputs[0].dtype.is_floating:
        return 0
    return _elements(op.outputs[0].shape, batch_size)


def estimate_flops(G, batch_size=1):
    """{op name: estimated floating-point operations} for one run with ``batch_size`` for
    unknown dimensions. MatMul counts 2·m·k·n, Conv2D 2·outputs·kh·kw·cin, reductions their
    input size, other float math ops their output size; data movement counts 0. Also stored as
    the ``flops`` node attribute of ``G`` when G is a networkx graph. Unknown: None."""
    nx = _nx()
    target = G
    if not isinstance(G, nx.DiGraph):
        G = to_networkx(target)
    selection_ops = _ops_of(G, target)
    flops = collections.OrderedDict()
    for name in G.nodes:
        op = selection_ops.get(name)
        value = _op_flops(op, batch_size) if op is not None else None
        flops[name] = value
        G.nodes[name]["flops"] = value
    return flops


def _ops_of(G, target):
    """{op name: Operation} for the nodes of G."""
    graph = _SOURCE_GRAPHS.get(G)
    if graph is None:
        graph = select(None if target is G else target).graph
    out = {}
    for name in G.nodes:
        try:
            out[name] = graph.get_operation_by_name(name)
        except (KeyError, ValueError):
            pass
    return out


def critical_path(G, weight="flops", run_metadata=None, batch_size=1):
    """The chain of ops with the largest total weight: ``'flops'`` (estimated), ``'time'``
    (seconds from ``run_metadata.step_stats`` of a traced run) or None (number of ops).

    Returns op names from a source to a sink; pass them to ``draw_graph(..., highlight=...)``.
    """
    G = _as_nx(G)
    if weight == "time":
        if run_metadata is None:
            raise ValueError("critical_path(weight='time') needs the run_metadata of a traced "
                             "run (RunOptions(trace_level=FULL_TRACE)).")
        times = run_metadata.op_times()
        w = {n: times.get(n, 0.0) for n in G.nodes}
    elif weight == "flops":
        w = {n: G.nodes[n].get("flops") for n in G.nodes}
        if any(v is None for v in w.values()) and all("flops" not in G.nodes[n] for n in G.nodes):
            w = estimate_flops(G, batch_size)
        w = {n: (v or 0) for n, v in w.items()}
    elif weight is None:
        w = {n: 1 for n in G.nodes}
    else:
        raise ValueError("weight must be 'flops', 'time' or None, got %r" % (weight,))
    best, back = {}, {}
    for n in topological_order(G):
        preds = [(best[p], p) for p in G.predecessors(n)]
        if preds:
            value, p = max(preds, key=lambda item: (item[0], -G.nodes[item[1]].get("index", 0)))
            best[n], back[n] = value + w[n], p
        else:
            best[n], back[n] = w[n], None
    if not best:
        return []
    end = max(best, key=lambda n: (best[n], -G.nodes[n].get("index", 0)))
    path = [end]
    while back[path[-1]] is not None:
        path.append(back[path[-1]])
    return path[::-1]
