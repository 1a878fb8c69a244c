"""The data flow of synchronous data parallelism as a Graphviz (DOT) picture.

``data_flow_dot()`` draws the generic design; ``data_flow_dot(dp)`` (or ``dp.data_flow_dot()``)
draws one ``DataParallel`` setup with its real workers, variables, shard sizes and the bytes
that moved in its last step. Render with ``dot -Tsvg``, or see docs/make_distributed_figure.py.
"""

__all__ = ["data_flow_dot"]

_DRIVER_COLOR = "#dbe9f6"
_WORKER_COLOR = "#fbe5c8"


def data_flow_dot(data_parallel=None, n_workers=2):
    """DOT source of the parameter-server data flow (one step, numbered as in the docs)."""
    if data_parallel is not None:
        workers = data_parallel.workers
        step = data_parallel.last_step
        variables = data_parallel.variables
        optimizer = data_parallel.train_op.name
        graph_kb = len(data_parallel._graph_json) / 1024.0
        n_ops = len(data_parallel.worker_graph_def["node"])
        var_text = "\n".join("%s %s" % (v.op.name, v.shape.as_list()) for v in variables[:6])
        if len(variables) > 6:
            var_text += "\n... (%d variables)" % len(variables)
        param_bytes = sum(_nbytes(t) for t in data_parallel._parameters)
    else:
        workers = ["worker %d" % i for i in range(n_workers)]
        step, optimizer, graph_kb, n_ops, param_bytes = None, "optimizer update", None, None, 0
        var_text = "W1, b1, W2, b2, ..."
    sizes = dict(zip(step.workers, step.shard_sizes)) if step is not None else {}
    grad_bytes = step.bytes_from_workers / max(len(step.workers), 1) if step else None

    def node(name, text, color):
        return '    %s [label="%s", fillcolor="%s"];' % (name, _esc(text), color)

    lines = [
        "digraph data_parallel {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.4, ranksep=0.7, '
        'label="Synchronous data parallelism, one step (numbers as in '
        'tfone/distribute/data_parallel.py)", labelloc=t];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
        "  subgraph cluster_send {",
        '    label="driver process = parameter server: send"; style=filled; color="#9dbbd8"; '
        'fillcolor="#f3f8fc";',
        node("graph_json", "0. the graph as GraphDef JSON\n(sent once per worker)"
             + ("" if graph_kb is None else "\n%.0f KB, %d ops" % (graph_kb, n_ops)),
             _DRIVER_COLOR),
        node("variables", "1. tf.Session: the variables\n(the only copy of the model state)\n"
             + var_text + ("\n%s" % _size(param_bytes) if param_bytes else ""), _DRIVER_COLOR),
        node("split", "2. split the batch by rows\n(or: shards scattered once)", _DRIVER_COLOR),
        "    {rank=same; graph_json; variables; split;}",
        "    graph_json -> variables -> split [style=invis];",
        "  }",
        "  subgraph cluster_apply {",
        '    label="driver process: receive and update"; style=filled; color="#9dbbd8"; '
        'fillcolor="#f3f8fc";',
        node("average", "5. average the gradients\ng = sum_i (n_i / N) g_i", _DRIVER_COLOR),
        node("update", "6. %s, once\n(g fed in)" % optimizer, _DRIVER_COLOR),
        "    {rank=same; average; update;}",
        "  }"]
    for i, address in enumerate(workers):
        rows = sizes.get(address)
        lines += [
            "  subgraph cluster_worker%d {" % i,
            '    label="%s"; style=filled; color="#e0b070"; fillcolor="#fffaf2";'
            % _esc(str(address)),
            node("replica%d" % i, "replica: graph rebuilt from JSON\nvariables are placeholders"
                 "\n4. loss and gradients of shard %d%s" % (
                     i, "" if rows is None else " (%d rows)" % rows), _WORKER_COLOR),
            "  }",
            '  graph_json -> replica%d [style=dashed, color=gray50];' % i,
            '  variables -> replica%d [label="%s"];' % (i, _esc(
                "3. values" + ("\n%s" % _size(param_bytes) if param_bytes else ""))),
            '  split -> replica%d [label="3. shard %d"];' % (i, i),
            '  replica%d -> average [label="%s"];' % (i, _esc(
                "n_i, loss_i, g_i" + ("" if grad_bytes is None else "\n%s" % _size(grad_bytes)))),
        ]
    lines += ['  average -> update;',
              '  update -> variables [constraint=false, color="#4a78a8", fontcolor="#4a78a8", '
              'label="new values, next step"];',
              "}"]
    return "\n".join(lines) + "\n"


def _nbytes(variable):
    shape = variable.shape
    if not shape.is_fully_defined():
        return 0
    n = 1
    for d in shape.as_list():
        n *= d
    return n * variable.dtype.size


def _size(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (n, unit)
        n /= 1024.0


def _esc(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
