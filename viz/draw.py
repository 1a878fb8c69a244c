"""``viz.draw_graph``: a Graphviz picture of a tfone graph (and the emitter other pictures share)."""
import re

from viz import style
from viz.graph_model import (GraphModel, GRADIENT_ROOT, SINGLE, SCOPE, REPEAT, STUB,
                             is_gradient_scope,
                             PLACEHOLDER, VARIABLE, CONSTANT, OP, op_label,
                             opdef_of)
from viz.labels import shape_text, dtype_text, html_escape, short_value
from viz.render import Diagram

__all__ = ["draw_graph", "emit"]


def draw_graph(target=None, rankdir="TB", show_shapes=True, show_dtypes=False,
               show_gradients=True, depth=None, budget=60, collapse_repeats="auto",
               fold_variables=True, fold_constants=True, show_shape_ops=False, title=None,
               highlight=None, fetches=None, feeds=None, legend=True, tooltips=True,
               hub_degree=8):
    """A picture of ``target`` as a ``graphviz.Digraph`` (display it in Jupyter, or
    ``viz.render(d, 'graph.png')``).

    ``target``: a tf.Graph (default: the default graph), a Tensor, Operation or Variable, an
    op/tensor name, a list of these (only what they depend on is drawn), or a Keras model.

    What you see: placeholders, variables (their read/assign/initializer ops folded in),
    constants, ops, gradient ops and update ops each have their own shape and colour (see the
    legend in the picture); edges carry the tensor's static shape (``?×784``); dotted edges
    are control dependencies; name scopes are clusters.

    Options:
      rankdir         'TB' (top to bottom) or 'LR' (left to right).
      show_shapes     label edges with static shapes; show_dtypes adds the dtype.
      show_gradients  False hides the backward pass, True draws it, 'aligned' draws it in its
                      own cluster beside the forward pass, each gradient op linked (thin
                      dashed edge) to the forward op it differentiates.
      depth           collapse name scopes nested deeper than ``depth`` into one node each.
      budget          past this many nodes, collapse the biggest scopes (backward pass first)
                      and move nodes used in many places to the side; None draws everything.
      collapse_repeats  runs of 3+ identical scopes (layer_1..layer_N) become one node ×N:
                      'auto' (default) when the picture is over budget, True always.
      fold_variables, fold_constants, show_shape_ops  control the simplifications.
      title           a title drawn above the graph.
      highlight       tensors/ops/variables to emphasise; everything else is dimmed.
      fetches, feeds  dim what ``sess.run(fetches, feed_dict with feeds as keys)`` would not run.
      legend          draw the legend; tooltips adds hover text (op type, docs, source line)
                      to SVG output.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError("rankdir must be 'TB' or 'LR' (or 'BT', 'RL'), got %r" % (rankdir,))
    model = GraphModel(target, show_gradients=show_gradients, fold_variables=fold_variables,
                       fold_constants=fold_constants, show_shape_ops=show_shape_ops, depth=depth,
                       collapse_repeats=collapse_repeats, budget=budget, hub_degree=hub_degree,
                       highlight=highlight, fetches=fetches, feeds=feeds)
    return emit(model, rankdir=rankdir, show_shapes=show_shapes, show_dtypes=show_dtypes,
                title=title, legend=legend, tooltips=tooltips)


EMIT_OPTIONS = ("show_shapes", "show_dtypes", "legend", "tooltips")


def split_options(options):
    """(GraphModel options, emit options) from draw_graph-style keyword arguments."""
    emit_opts = {k: options.pop(k) for k in EMIT_OPTIONS if k in options}
    return options, emit_opts


# -- labels --------------------------------------------------------------------------------------
_SYMBOL = re.compile(r"^[^\w\s]{1,2}$")
_DISPLAY_INPUT_NAMES = {"reduction_indices": "axis"}


def style_key(unit):
    if unit.kind == STUB:
        return "stub"
    if unit.kind == SCOPE:
        return "gradient_scope" if unit.is_gradient else "scope"
    if unit.kind == REPEAT:
        return "repeat"
    if unit.category == OP and unit.is_gradient:
        return "gradient"
    return unit.category


def _informative(name, op):
    """Is the op's own name worth printing under its label?"""
    base = re.sub(r"_\d+$", "", name.split("/")[-1]).lower()
    return base not in (op.type.lower(), op_label(op.type).lower(), "")


def _name_line(rel, op):
    """The parts of an op's (relative) name that say more than its type: 'loss' for a Sum
    named loss, 'W' for W/ApplyGradientDescent, nothing for MatMul_1."""
    kept = [p for p in rel.split("/") if _informative(p, op)]
    return "/".join(kept)


def _font(text, size=None, colour=None, bold=False, italic=False):
    text = html_escape(text)
    if bold:
        text = "<b>%s</b>" % text
    if italic:
        text = "<i>%s</i>" % text
    attrs = []
    if size:
        attrs.append('point-size="%s"' % size)
    if colour:
        attrs.append('color="%s"' % colour)
    return "<font %s>%s</font>" % (" ".join(attrs), text) if attrs else text


def _html(lines):
    return "<" + "<br/>".join(lines) + ">"


def _main_label(unit, show_dtypes):
    """The first (bold) line and the small lines under it."""
    op = unit.op
    sub = []
    if unit.category == VARIABLE and unit.kind == SINGLE:
        out = op.outputs[0]
        head = unit.rel
        desc = shape_text(out.shape)
        if show_dtypes or out.dtype.name not in ("float32", "float32_ref"):
            desc += " " + dtype_text(out.dtype)
        sub.append(desc)
        if unit.init_text:
            sub.append("init: " + unit.init_text)
        slots = getattr(unit, "slots", None)
        if slots:
            sub.append("+ slots " + ", ".join(slots))
        var = unit.variable
        if var is not None and getattr(var, "trainable", True) is False:
            sub.append("not trainable")
        return head, sub
    if unit.category == PLACEHOLDER and unit.kind == SINGLE:
        out = op.outputs[0]
        desc = shape_text(out.shape)
        if show_dtypes or out.dtype.name != "float32":
            desc += " " + dtype_text(out.dtype)
        sub.append(desc)
        if op.type == "PlaceholderWithDefault":
            sub.append("(has a default)")
        return unit.rel, sub
    if unit.category == CONSTANT and unit.kind == SINGLE:
        value = op.get_attr("value") if "value" in op.attrs else None
        text = short_value(value) if value is not None else None
        out = op.outputs[0]
        if text is not None and len(text) <= 24:
            head = text
            if _informative(unit.rel, op):
                sub.append(unit.rel)
        else:
            head = unit.rel if _informative(unit.rel, op) else "const"
            sub.append("const " + shape_text(out.shape))
        if show_dtypes or out.dtype.name != "float32":
            sub.append(dtype_text(out.dtype))
        return head, sub
    if unit.kind == SCOPE:
        head = _scope_title(unit.rel)
        n = unit.num_ops
        sub.append("%d op%s" % (n, "" if n == 1 else "s"))
        var_names = {o.name for o in unit.ops if o.type in ("VariableV2", "VarHandleOp", "Variable")}
        slots = {n for n in var_names if n.rpartition("/")[0] in var_names}
        n_vars = len(var_names) - len(slots)
        if n_vars:
            text = "%d variable%s" % (n_vars, "" if n_vars == 1 else "s")
            if slots:
                text += " (+%d slot%s)" % (len(slots), "" if len(slots) == 1 else "s")
            sub.append(text)
        return head, sub
    if unit.kind == REPEAT:
        first, last = unit.members[0], unit.members[-1]
        prefix = unit.rel.rsplit("/", 1)[0] + "/" if "/" in unit.rel else ""
        head = "%s%s … %s  ×%d" % (prefix, first, last, unit.count)
        sub.append("%d identical scopes, %d ops each" % (unit.count, unit.num_ops))
        return head, sub
    # a single op
    head = op_label(op.type)
    consts = [n for n in unit.notes if n[0] == "const"]
    if _SYMBOL.match(head) and len(op.inputs) == 2 and len(consts) == 1:
        _, _, text, slot = consts[0]
        if "[" not in text and len(text) <= 10:
            head = ("%s %s" % (text, head)) if slot == 0 else ("%s %s" % (head, text))
            consts = []
    name_line = _name_line(unit.rel, op)
    if name_line and not (unit.is_gradient and "/" in unit.rel):
        sub.append(name_line)
    grad_scopes = [p for p in unit.rel.split("/")[:-1] if p.endswith("_grad")]
    if grad_scopes and unit.is_gradient:
        sub.append("∇ " + grad_scopes[-1][:-5])
    for _, name, text, _slot in consts:
        sub.append("%s = %s" % (_DISPLAY_INPUT_NAMES.get(name, name), text))
    return head, sub


def _scope_title(rel):
    last = rel.split("/")[-1]
    if last.endswith("_grad"):
        return "∇ " + (rel[:-5] if rel.endswith("_grad") else rel)
    return rel


def node_label(unit, show_dtypes=False):
    if unit.kind == STUB:
        return _html([_font(unit.rel, italic=True)])
    head, sub = _main_label(unit, show_dtypes)
    lines = [_font(head, bold=True)]
    dark = unit.fontcolor == "#FFFFFF"  # light text on a dark fill (colour scales)
    on_colour = unit.fontcolor == "#000000"  # dark text on a mid-tone fill
    subtle = style.DIM_TEXT if unit.dim else (
        "#E6E6E6" if dark else ("#222222" if on_colour else style.SUBTLE))
    for text in sub:
        lines.append(_font(text, size=9, colour=subtle))
    for note in unit.notes:
        if note[0] == "note":
            lines.append(_font(note[1], size=8, colour=subtle, italic=True))
    for item in unit.extra:
        if isinstance(item, tuple):  # (text, colour, bold)
            text, colour, bold = item
            if unit.dim:
                colour = style.DIM_TEXT
            elif dark:
                colour = "#FFFFFF" if bold else "#E6E6E6"
            elif unit.fontcolor == "#000000" and colour == style.SUBTLE:
                colour = "#333333"
            lines.append(_font(text, size=9, colour=colour, bold=bold))
        else:
            lines.append(_font(item, size=9, colour=style.DIM_TEXT if unit.dim else (
                unit.fontcolor or style.TEXT)))
    return _html(lines)


def node_tooltip(unit):
    if unit.kind == STUB:
        return "%s (used in many places; drawn at the side)" % unit.hub_of
    if unit.kind in (SCOPE, REPEAT):
        types = {}
        for op in unit.ops:
            types[op.type] = types.get(op.type, 0) + 1
        common = ", ".join("%s×%d" % (t, n) for t, n in
                           sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))[:6])
        return "scope %s: %d ops (%s)" % (unit.name, unit.num_ops, common)
    op = unit.op
    opdef = opdef_of(op.type)
    parts = ["%s (%s)" % (op.name, op.type)]
    if opdef is not None and opdef.doc:
        parts.append(opdef.doc)
    parts.append("created at " + op.location)
    if len(unit.ops) > 1:
        parts.append("also shows: " + ", ".join(o.name for o in unit.ops[1:6])
                     + (" …" if len(unit.ops) > 6 else ""))
    return _tooltip_text("\n".join(parts))


def _tooltip_text(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def edge_label(edge, units, show_shapes, show_dtypes):
    if edge.label is not None:
        return edge.label
    if edge.kind == "gradient":
        return "∇ " + ", ".join(dict.fromkeys(shape_text(t.shape) for t in edge.tensors))
    if edge.kind != "data":
        return None
    src = units[edge.src]
    texts = []
    if show_shapes or show_dtypes:
        shown_in_node = (src.kind == SINGLE and src.category in (VARIABLE, PLACEHOLDER, CONSTANT)
                         and not show_dtypes)
        for t in edge.tensors:
            if shown_in_node:
                continue
            text = shape_text(t.shape) if show_shapes else ""
            if show_dtypes:
                text = (text + " " + dtype_text(t.dtype, short=True)).strip()
            if len(t.op.outputs) > 1 and src.kind == SINGLE:
                text = "[%d] %s" % (t.value_index, text)
            if text not in texts:
                texts.append(text)
    if len(texts) > 3:
        texts = texts[:2] + ["+%d more" % (len(texts) - 2)]
    label = ", ".join(texts)
    slots = edge.slots
    if len(slots) == 1 and slots[0] in (getattr(src, "rel", None), src.name.split("/")[-1]):
        slots = []  # the operand name only repeats the source's name ("y" from placeholder y)
    if slots:
        label = ("%s: %s" % ("/".join(slots), label)) if label else "/".join(slots)
    return label or None


# -- emitting DOT ----------------------------------------------------------------------------------
def emit(model, rankdir="TB", show_shapes=True, show_dtypes=False, title=None, legend=True,
         tooltips=True, legend_extra=None, caption=None, diagram_class=None, element_ids=False):
    """Turn a GraphModel (possibly decorated with values or colours) into a Diagram.

    ``diagram_class`` (a Diagram subclass) lets the trace animation inject fixed positions;
    ``element_ids`` gives the k-th edge of the model the DOT id ``e<k>`` (so its drawing can
    be found in Graphviz's output).
    """
    make = diagram_class or Diagram
    graph_attrs = dict(style.GRAPH_ATTRS, rankdir=rankdir)
    caption = caption if caption is not None else _caption(model)
    if title or caption:
        lines = []
        if title:
            lines.append(_font(title, size=16, bold=True))
        if caption:
            lines.append(_font(caption, size=10, colour=style.SUBTLE))
        graph_attrs["label"] = _html(lines)
    diagram = make("tfone", graph_attr=graph_attrs, node_attr=dict(style.NODE_ATTRS),
                      edge_attr=dict(style.EDGE_ATTRS))
    diagram.model = model
    units = model.units
    aligned = model.show_gradients == "aligned"
    layout = _cluster_layout(model, aligned)
    for uid, unit in units.items():
        unit.rel = _relative(unit, layout.cluster_of[uid])

    def emit_cluster(container, key, depth):
        for child in layout.children.get(key, []):
            sub = make("cluster_" + _cluster_id(child))
            label, attrs = layout.describe(child, depth)
            sub.attr("graph", label=label, **attrs)
            emit_cluster(sub, child, depth + 1)
            container.subgraph(sub)
        for uid in layout.members.get(key, []):
            unit = units[uid]
            container.node(uid, **_node_attrs(unit, show_dtypes, tooltips))

    emit_cluster(diagram, None, 0)
    _emit_alignment(diagram, model, aligned)
    ranked = []  # (tail, head) of the edges that take part in ranking
    for k, edge in enumerate(model.edges):
        drawn = _emit_edge(diagram, edge, units, show_shapes, show_dtypes, aligned,
                           layout.cluster_of, "e%d" % k if element_ids else None)
        if drawn is not None:
            ranked.append(drawn)
    if legend:
        tails = {t for t, _ in ranked}
        sinks = [uid for uid in units if uid not in tails]
        _emit_legend(diagram, model, legend_extra, rankdir, make, sinks)
    return diagram


class _Layout:
    """Which clusters are drawn, what they contain, how they are labelled."""

    def __init__(self):
        self.children = {}      # cluster key (None = root) -> [child cluster keys]
        self.members = {}       # cluster key -> [unit ids]
        self.cluster_of = {}    # unit id -> cluster key
        self.paths = {}         # cluster key -> scope path (or pseudo path)
        self.labels = {}
        self.kinds = {}         # cluster key -> 'scope', 'forward', 'backward', 'aux'

    def describe(self, key, depth):
        kind = self.kinds[key]
        if kind == "aux":
            return "used in many places", style.cluster_attrs(depth, aux=True)
        if kind in ("forward", "backward"):
            attrs = style.cluster_attrs(depth, gradient=(kind == "backward"))
            attrs.update(fontsize="13", penwidth="1.5")
            text = "forward pass" if kind == "forward" else "backward pass (tf.gradients)"
            return _html([_font(text, bold=True)]), attrs
        path = self.paths[key]
        gradient = is_gradient_scope(path)
        return _html([_font(self.labels[key], bold=True)]), style.cluster_attrs(depth, gradient)


def _cluster_layout(model, aligned):
    units = model.units
    layout = _Layout()
    under = {}
    for uid, unit in units.items():
        if unit.kind == STUB or unit.hub:
            continue
        for k in range(1, len(unit.scope) + 1):
            under[unit.scope[:k]] = under.get(unit.scope[:k], 0) + 1
    drawn = {p for p, n in under.items() if n >= 2}
    # In aligned mode, what runs after the backward pass (optimizer updates) stays outside
    # the forward pass cluster, with the whole top-level scope it lives in.
    later_units = model.after_backward() if aligned else set()
    later_roots = {units[u].scope[:1] for u in later_units if u in units and units[u].scope}

    def top_key(unit):
        if unit.hub:
            return "aux"
        if aligned and not unit.is_gradient:
            if unit.id in later_units or (unit.scope and unit.scope[:1] in later_roots):
                return None
            return "forward"  # the backward pass is the gradients/ cluster itself
        return None

    def ensure(key, parent):
        if key in layout.kinds:
            return
        kids = layout.children.setdefault(parent, [])
        kids.append(key)

    for uid, unit in units.items():
        top = top_key(unit)
        if top is not None and top not in layout.kinds:
            ensure(top, None)
            layout.kinds[top] = top
            layout.paths[top] = ()
        if unit.hub:
            layout.members.setdefault("aux", []).append(uid)
            layout.cluster_of[uid] = ()
            continue
        chain = [unit.scope[:k] for k in range(1, len(unit.scope) + 1) if unit.scope[:k] in drawn]
        parent = top
        parent_path = ()
        for path in chain:
            key = (top, path)
            if key not in layout.kinds:
                ensure(key, parent)
                layout.kinds[key] = "scope"
                layout.paths[key] = path
                rel = "/".join(path[len(parent_path):])
                layout.labels[key] = _scope_label(rel, path)
            parent, parent_path = key, path
        layout.members.setdefault(parent, []).append(uid)
        layout.cluster_of[uid] = parent_path
    return layout


def _scope_label(rel, path):
    if GRADIENT_ROOT.match(path[-1]):
        return "%s (backward pass)" % rel
    return _scope_title(rel)


def _cluster_id(key):
    if isinstance(key, str):
        return key
    top, path = key
    return ("%s:" % top if top else "") + "/".join(path)


def _relative(unit, cluster_path):
    if unit.kind == STUB:
        return unit.hub_of.split("/")[-1] if unit.hub_of else ""
    parts = unit.name.split("/")
    n = len(cluster_path)
    if unit.hub:
        return unit.name
    return "/".join(parts[n:]) or parts[-1]


def _node_attrs(unit, show_dtypes, tooltips):
    key = style_key(unit)
    attrs = dict(style.CATEGORY_STYLE[key][1])
    attrs["label"] = node_label(unit, show_dtypes)
    if unit.fill:
        attrs["fillcolor"] = unit.fill
        if "filled" not in attrs.get("style", ""):
            attrs["style"] = (attrs.get("style", "") + ",filled").strip(",")
    if unit.border:
        attrs["color"] = unit.border
    if unit.penwidth:
        attrs["penwidth"] = str(unit.penwidth)
    if unit.fontcolor:
        attrs["fontcolor"] = unit.fontcolor
    if unit.style_extra:
        parts = [p for p in attrs.get("style", "").split(",") if p]
        for p in unit.style_extra.split(","):
            if p and p not in parts:
                parts.append(p)
        attrs["style"] = ",".join(parts)
    if unit.dim:
        attrs.update(style.dim_attrs())
        if unit.kind == STUB:
            attrs.pop("fillcolor", None)
    if unit.emphasis:
        attrs["penwidth"] = "3"
        attrs["color"] = "#000000"
    if unit.xlabel:
        attrs["xlabel"] = unit.xlabel
    if tooltips:
        attrs["tooltip"] = node_tooltip(unit)
    return attrs


def _emit_edge(diagram, edge, units, show_shapes, show_dtypes, aligned, cluster_of=None,
               edge_id=None):
    attrs = dict(style.EDGE_STYLE.get(edge.kind, ("", {}))[1])
    if edge_id is not None:
        attrs["id"] = edge_id
    label = edge_label(edge, units, show_shapes, show_dtypes)
    if label:
        attrs["label"] = label
    if edge.tooltip:
        attrs["tooltip"] = _tooltip_text(edge.tooltip)
    elif edge.tensors:
        attrs["tooltip"] = _tooltip_text(", ".join(t.name for t in edge.tensors))
    src_unit, dst_unit = units[edge.src], units[edge.dst]
    if edge.kind == "data" and (src_unit.is_gradient or dst_unit.is_gradient):
        attrs.setdefault("color", "#7D3C62")
    if edge.color:
        attrs["color"] = edge.color
    if edge.penwidth:
        attrs["penwidth"] = "%.2f" % edge.penwidth
    if edge.style:
        attrs["style"] = edge.style
    if edge.dim:
        attrs.update(color=style.DIM_LINE, fontcolor=style.DIM_TEXT)
    if edge.emphasis:
        attrs.update(penwidth="2.5", color="#000000", fontcolor="#000000")
    if (edge.kind == "data" and src_unit.kind != STUB
            and src_unit.category not in (VARIABLE, CONSTANT, PLACEHOLDER)):
        # The main flow (op to op) is kept straight; inputs bend towards it.
        attrs["weight"] = "3"
        if cluster_of is not None and cluster_of.get(edge.src) != cluster_of.get(edge.dst):
            # Leaving a cluster: one extra rank, so consecutive scopes (layer_1, layer_2)
            # stack instead of stepping sideways.
            attrs["minlen"] = "2"
    src, dst = edge.src, edge.dst
    if edge.kind == "writes":
        # Drawn from the variable down to the update op, arrow pointing back at the variable:
        # the layout then keeps variables at the top instead of routing loops around the graph.
        src, dst = dst, src
        attrs["dir"] = "back"
    if aligned:
        if edge.kind == "data" and src_unit.is_gradient and dst_unit.is_gradient:
            # The backward pass runs from the loss back to the inputs: drawn upwards, so each
            # gradient op lines up with the forward op it differentiates.
            src, dst = dst, src
            attrs["dir"] = "back"
        elif edge.kind == "data" and src_unit.is_gradient != dst_unit.is_gradient:
            attrs["constraint"] = "false"
            attrs.setdefault("color", "#9A9A9A")
            attrs["color"] = "#9A9A9A" if not edge.color else attrs["color"]
        elif edge.kind == "gradlink":
            attrs["constraint"] = "false"
    diagram.edge(src, dst, **attrs)
    return None if attrs.get("constraint") == "false" else (src, dst)


def _emit_alignment(diagram, model, aligned):
    """In 'aligned' mode, put each forward op and its first gradient unit on one rank."""
    if not aligned:
        return
    paired = set()
    for edge in model.edges:
        if edge.kind != "gradlink" or edge.src in paired or edge.dst in paired:
            continue
        paired.update((edge.src, edge.dst))
        diagram.body.append("\t{rank=same; %s; %s}\n" % (_quote(edge.src), _quote(edge.dst)))


def _quote(identifier):
    return '"%s"' % identifier.replace('"', '\\"')


def _caption(model):
    hidden = {}
    for reason in model.hidden.values():
        hidden[reason] = hidden.get(reason, 0) + 1
    parts = []
    n_ops = len(model.ops)
    n_nodes = sum(1 for u in model.units.values() if u.kind != STUB)
    if n_nodes != n_ops:
        parts.append("%d ops drawn as %d nodes" % (n_ops, n_nodes))
    if hidden.get("shape"):
        parts.append("%d shape ops hidden" % hidden["shape"])
    if hidden.get("gradient"):
        parts.append("%d gradient ops hidden" % hidden["gradient"])
    n_scopes = sum(1 for u in model.units.values() if u.kind == SCOPE)
    if n_scopes:
        parts.append("%d scope%s collapsed" % (n_scopes, "" if n_scopes == 1 else "s"))
    return " · ".join(parts)


LEGEND_PER_GROUP = {"TB": 3, "BT": 3, "LR": 6, "RL": 6}  # entries per row (TB) / column (LR)
_GLYPH = {"width": "0.42", "height": "0.26", "fixedsize": "true", "label": ""}


def _legend_entries(model):
    """(glyph node attrs or None for an edge sample, edge attrs or None, text) per entry."""
    categories = {style_key(u) for u in model.units.values()}
    kinds = {e.kind for e in model.edges}
    nodes, edges = style.legend_items(categories, kinds)
    entries = []
    for key, text, attrs in nodes:
        glyph = dict(attrs, **_GLYPH)
        if key == "stub":
            glyph.update(label=_html([_font("name", italic=True, size=9)]), fixedsize="false")
        entries.append((key, glyph, None, text))
    for kind, text, attrs in edges:
        e = dict(attrs)
        e.pop("constraint", None)
        entries.append((kind, None, e, text))
    return entries


def _emit_legend(diagram, model, legend_extra, rankdir, make=Diagram, sinks=()):
    """The legend: a small glyph and its text for each kind of node and edge in the picture,
    then ``legend_extra`` (entries ``(key, glyph attributes, text)`` or whole nodes
    ``(node id, attributes)`` such as colour bars), in a cluster after the end of the graph.

    Graphviz puts all nodes of one rank at the same position along the flow, so a legend
    beside the graph would be stretched over the graph's (tall or wide) ranks. Invisible
    edges from the graph's last nodes give the legend its own ranks after all of the graph's
    (below it in TB, right of it in LR), where it packs tightly: entries in rows of three
    (TB), or in columns of six (LR) with the glyphs in one column and left-aligned texts in
    the next. Sample edges run across the flow, so they read left to right in both.
    """
    entries = _legend_entries(model)
    extra = []
    for item in legend_extra or ():
        if len(item) == 3:  # (key, glyph node attributes, text): one more entry
            key, glyph, text = item
            entries.append((key, dict(glyph, **_GLYPH), None, text))
        else:               # (node id, node attributes): a node of its own (a colour bar)
            extra.append(item)
    if not entries and not extra:
        return
    across = rankdir in ("LR", "RL")  # ranks are columns: a rank=same group stacks vertically
    legend = make("cluster_legend")
    legend.attr("graph", label=_html([_font("legend", bold=True)]), style="rounded",
                color="#B5B5B5", fontsize="11", labeljust="l", margin="8")
    per_group = LEGEND_PER_GROUP.get(rankdir, 3)
    pairs = []
    for i, (key, glyph, edge_attrs, text) in enumerate(entries):
        g, t = "legend_%s" % key, "legend_%s_text" % key
        if glyph is None:  # an edge sample: from the middle of an empty glyph to the text
            g = "legend_%s_from" % key
            legend.node(g, label="", shape="plaintext", width=_GLYPH["width"], height="0.05",
                        fixedsize="true", tooltip=text)
        else:
            legend.node(g, tooltip=text, **glyph)
        text_attrs = {"shape": "plaintext", "fontsize": "9", "height": "0.2",
                      "margin": "0.04,0", "tooltip": text}
        if across:  # a column of texts: one width (about 5 pt a character), left-justified
            column = entries[i - i % per_group:i - i % per_group + per_group]
            width = max(len(c[-1]) for c in column) * 5.0 / 72
            text_attrs.update(label=text.replace("\\", "\\\\") + "\\l",
                              width="%.2f" % width)
        else:
            text_attrs["label"] = text
        legend.node(t, **text_attrs)
        e = dict(edge_attrs) if edge_attrs is not None else {"style": "invis"}
        e.update(tooltip=text, tailclip="false")
        e["weight"] = "10"  # the text right beside (TB) or straight across from (LR) its glyph
        if not across:
            e["minlen"] = "0"  # see below
        legend.edge(g, t, **e)
        pairs.append((g, t))
    groups = []  # one rank each: a row in TB, a column in LR
    for i in range(0, len(pairs), per_group):
        chunk = pairs[i:i + per_group]
        if across:
            groups.append(([g for g, _ in chunk], "pair"))
            groups.append(([t for _, t in chunk], None))
        else:
            groups.append(([n for pair in chunk for n in pair], "row"))
    for nid, attrs in extra:
        legend.node(nid, **attrs)
        groups.append(([nid], None))
    for members, kind in groups:
        if len(members) > 1:
            legend.body.append("\t{rank=same; %s}\n" % "; ".join(_quote(n) for n in members))
        if kind == "row":  # keep the row in order and packed: glyph, text, glyph, text ...
            # (minlen=0: Graphviz doubles the gap a flat edge asks for when any edge has a
            # label; with 0, neighbours are just nodesep apart.)
            for a, b in zip(members[1::2], members[2::2]):
                legend.edge(a, b, style="invis", weight="5", minlen="0")
    for (upper, kind), (lower, lower_kind) in zip(groups, groups[1:]):
        if kind != "pair":  # a glyph column is joined to its texts by the entries' edges
            # (weight: entries line up in TB rows / LR columns; extras sit free, centred)
            legend.edge(upper[0], lower[0], style="invis",
                        weight="2" if lower_kind is not None else "0")
    diagram.subgraph(legend)
    # After the end of the graph: an invisible edge from each last node to the legend's
    # first rank (weight 0: it sets ranks only and pulls nothing sideways).
    first = groups[0][0][0]
    for uid in sinks:
        diagram.edge(uid, first, style="invis", weight="0")
