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
        var_text = "\n".join("%s %s" % (v.op.name, list(v.shape.as_list())) for v in variables[:8])
        if len(variables) > 8:
            var_text += "\n... (%d variables)" % len(variables)
        param_bytes = sum(_nbytes(v) for v in variables)
    else:
        workers = ["worker %d" % i for i in range(n_workers)]
        step, optimizer, graph_kb, n_ops, param_bytes = None, "optimizer", None, None, None
        var_text = "W1, b1, W2, b2, ..."
    sizes = dict(zip(step.workers, step.shard_sizes)) if step is not None else {}
    per_worker_in = (step.bytes_to_workers / max(len(step.workers), 1)) if step else None
    per_worker_out = (step.bytes_from_workers / max(len(step.workers), 1)) if step else None

    lines = ["digraph data_parallel {",
             '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, '
             'label="Synchronous data parallelism: one step (numbers as in '
             'tfone/distribute/data_parallel.py)", labelloc=t];',
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];',
             "  subgraph cluster_driver {",
             '    label="driver process (parameter server)"; style=filled; color="#9dbbd8"; '
             'fillcolor="#f3f8fc";',
             '    variables [label="%s", fillcolor="%s"];' % (_esc(
                 "tf.Session: the variables\n(only copy of the model state)\n" + var_text
                 + ("\n%s" % _size(param_bytes) if param_bytes else "")),
                 _DRIVER_COLOR),
             '    split [label="2. split the batch by rows", fillcolor="%s"];' % _DRIVER_COLOR,
             '    average [label="5. average gradients\\ng = sum_i (n_i / N) g_i", fillcolor="%s"];'
             % _DRIVER_COLOR,
             '    update [label="6. %s\\n(apply once, g fed in)", fillcolor="%s"];'
             % (_esc(optimizer), _DRIVER_COLOR),
             "  }"]
    for i, address in enumerate(workers):
        rows = sizes.get(address)
        lines += ["  subgraph cluster_worker%d {" % i,
                  '    label="%s"; style=filled; color="#e0b070"; fillcolor="#fffaf2";'
                  % _esc(str(address)),
                  '    replica%d [label="%s", fillcolor="%s"];' % (i, _esc(
                      "replica graph from JSON%s\nvariables are placeholders\n"
                      "4. loss and gradients of shard %d%s" % (
                          "" if n_ops is None else " (%d ops)" % n_ops, i,
                          "" if rows is None else " (%d rows)" % rows)), _WORKER_COLOR),
                  "  }",
                  '  variables -> replica%d [label="%s"];' % (i, _esc(
                      "1,3. parameter values" + ("" if per_worker_in is None
                                                 else "\n~%s" % _size(per_worker_in)))),
                  '  split -> replica%d [label="3. shard %d"];' % (i, i),
                  '  replica%d -> average [label="%s"];' % (i, _esc(
                      "n_i, loss_i, gradients" + ("" if per_worker_out is None
                                                  else "\n%s" % _size(per_worker_out)))),
                  '  variables -> replica%d [style=dashed, color=gray, label="%s"];' % (i, _esc(
                      "graph JSON, once" + ("" if graph_kb is None else "\n%.0f KB" % graph_kb)))]
    lines += ['  average -> update;',
              '  update -> variables [label="new values\\n(next step)"];',
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
