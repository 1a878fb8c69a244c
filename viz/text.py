"""``viz.print_graph``: the graph as an indented text tree, like PyTensor's debugprint.

Each line is ``name  Type  shape dtype``, followed by the inputs one level deeper. An op
used by several others is printed in full once and marked ``[id A]``; later uses print just
``name … [id A]``. Variables are shown as one line (their ``/read`` op folded in), small
constants with their value, control inputs with ``^``.
"""
import sys

import numpy as np

from viz.graph_model import select, VARIABLE_TYPES, opdef_of
from viz.labels import shape_text, short_value

__all__ = ["print_graph", "format_graph"]


def _ids():
    n = 0
    while True:
        k, label = n, ""
        while True:
            label = chr(ord("A") + k % 26) + label
            k = k // 26 - 1
            if k < 0:
                break
        yield label
        n += 1


def _describe(op, show_dtypes):
    if op.type in VARIABLE_TYPES:
        out = op.outputs[0]
        return "%s  Variable  %s %s" % (op.name, shape_text(out.shape), out.dtype.name)
    outs = []
    for t in op.outputs:
        text = shape_text(t.shape)
        if show_dtypes or t.dtype.name != "float32":
            text += " " + t.dtype.name
        outs.append(text)
    line = "%s  %s" % (op.name, op.type)
    if outs:
        line += "  " + (outs[0] if len(outs) == 1 else "(" + ", ".join(outs) + ")")
    if op.type == "Const" and "value" in op.attrs:
        value = short_value(np.asarray(op.get_attr("value")))
        if value is not None:
            line += "  = " + value
    return line


def _variable_read(op):
    """The variable a ``W/read`` Identity reads, if ``op`` is one."""
    if (op.type == "Identity" and op.inputs and op.inputs[0].op.type in VARIABLE_TYPES
            and op.name.startswith(op.inputs[0].op.name + "/read")):
        return op.inputs[0].op
    return None


def format_graph(target=None, show_dtypes=False, max_depth=None, show_control=True):
    """The text tree of :func:`print_graph`, as a string."""
    selection = select(target)
    roots = selection.targets
    if not roots:
        consumed = set()
        for op in selection.ops:
            consumed.update(t.op for t in op.inputs)
            consumed.update(op.control_inputs)
        roots = [op for op in selection.ops if op not in consumed]
    # Ops reached more than once get an id.
    uses = {}
    stack = list(roots)
    seen = set()
    while stack:
        op = stack.pop()
        op = _variable_read(op) or op
        uses[op] = uses.get(op, 0) + 1
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        if show_control:
            stack.extend(op.control_inputs)
    for root in roots:
        key = _variable_read(root) or root
        uses[key] = uses.get(key, 0)
    ids = {}
    id_source = _ids()
    lines = []
    printed = set()

    # Depth-first, iteratively (deep graphs would exceed Python's recursion limit).
    stack = [(root, "", "", 0, False, None) for root in reversed(roots)]
    while stack:
        op, prefix, child_prefix, depth, control, slot = stack.pop()
        op = _variable_read(op) or op
        mark = "^" if control else ""
        name_slot = "%s: " % slot if slot else ""
        if op in printed:
            lines.append("%s%s%s%s … [id %s]" % (prefix, name_slot, mark, op.name, ids[op]))
            continue
        text = prefix + name_slot + mark + _describe(op, show_dtypes)
        if uses.get(op, 0) > 1:
            ids[op] = next(id_source)
            text += "  [id %s]" % ids[op]
        lines.append(text)
        printed.add(op)
        if max_depth is not None and depth >= max_depth:
            if op.inputs or op.control_inputs:
                lines.append(child_prefix + "└─ …")
            continue
        opdef = opdef_of(op.type)
        names = [s.split(":")[0].lstrip("*") for s in opdef.inputs] if opdef is not None else []
        children = [(t.op, False, names[i] if i < len(names) and len(op.inputs) > 1 else None)
                    for i, t in enumerate(op.inputs)]
        if show_control:
            children += [(c, True, None) for c in op.control_inputs]
        for k in reversed(range(len(children))):
            child, is_control, slot_name = children[k]
            last = k == len(children) - 1
            stack.append((child, child_prefix + ("└─ " if last else "├─ "),
                          child_prefix + ("   " if last else "│  "), depth + 1, is_control,
                          slot_name))
    return "\n".join(lines)


def print_graph(target=None, file=None, show_dtypes=False, max_depth=None, show_control=True):
    """Print the ops ``target`` depends on as a tree (outputs first, inputs indented).

    ``target`` is what draw_graph accepts (default: the whole default graph, one tree per
    op nothing consumes). ``max_depth`` cuts deep trees; ``show_dtypes`` prints float32 too.
    """
    print(format_graph(target, show_dtypes, max_depth, show_control), file=file or sys.stdout)
