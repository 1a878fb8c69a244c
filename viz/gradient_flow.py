"""Gradient flow: how much gradient reaches each tensor and variable, drawn and checked.

``draw_gradient_flow`` runs the forward and backward pass once and colours every edge and
node by log10 of the gradient norm ‖∂loss/∂t‖ (viridis scale, legend in the picture), with
edge width growing with the norm. Variables are labelled with their value norm, gradient norm
and update-to-data ratio. Problems are flagged in the picture (⚠, vermillion border) and
returned as ``diagram.findings``:

- vanishing: a variable's gradient is orders of magnitude below the gradient at the loss's
  inputs (``vanishing_orders``, default 4);
- exploding: orders of magnitude above it (``exploding_orders``, default 3);
- nan: NaN or Inf in the loss or in a gradient;
- dead_relu: a ReLU passes no gradient for most of its inputs (``dead_fraction``), with the
  number of units that were never active in the batch.

The backward pass is built with ``tf.gradients`` (once per loss and set of tensors; cached)
in a ``viz_gradients`` name scope; whole-graph pictures leave those ops out.
"""
import collections
import math
import weakref

import numpy as np

import tfone as tf

from viz import style
from viz.draw import emit, split_options
from viz.graph_model import (GraphModel, SINGLE, STUB, VARIABLE, CONSTANT, PLACEHOLDER,
                             mark_internal, ancestors)
from viz.labels import number_text, html_escape
from viz.values import run_extra

__all__ = ["draw_gradient_flow", "Finding", "gradient_tensors", "variable_gradient_stats",
           "GradientHistory"]

Finding = collections.namedtuple("Finding", "kind name message value")
Finding.__doc__ = """A problem found in a gradient-flow picture.

kind: 'vanishing', 'exploding', 'nan' or 'dead_relu'; name: the op or variable; message: a
sentence for people; value: the number behind it (a norm or a fraction)."""

RELU_TYPES = frozenset({"Relu", "Relu6", "LeakyRelu", "Elu", "Selu"})
WARN = style.OKABE_ITO["vermillion"]
_CACHE = weakref.WeakKeyDictionary()  # graph -> {(loss, tensors): gradient tensors}


def gradient_tensors(loss, tensors):
    """``tf.gradients(loss, tensors)``, built once per (loss, tensors) and cached.

    The ops are created in a ``viz_gradients`` scope and marked as viz's own, so pictures of
    the whole graph leave them out.
    """
    graph = loss.graph
    cache = _CACHE.setdefault(graph, {})
    key = (loss.name, tuple(t.name for t in tensors))
    if key not in cache:
        if graph.finalized:
            raise RuntimeError(
                "The gradient-flow picture needs gradient ops for %s, but the graph is "
                "finalized. Build it before finalizing (e.g. call viz.draw_gradient_flow once "
                "before tf.train.MonitoredSession), or pass the tensors you already have "
                "gradients for." % loss.name)
        before = len(graph.get_operations())
        with graph.as_default():
            grads = tf.gradients(loss, list(tensors), name="viz_gradients")
        mark_internal(graph.get_operations()[before:])
        cache[key] = grads
    return cache[key]


def _as_tensor(x):
    if isinstance(x, tf.Tensor):
        return x
    if isinstance(x, tf.Variable) or hasattr(x, "initializer"):
        return x.op.outputs[0]
    return tf.convert_to_tensor(x)


def _default_wrt(loss):
    needed = ancestors([loss.op])
    return [v for v in loss.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
            if v.op in needed]


def _norm(array):
    a = np.asarray(array, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a))) if a.size else 0.0


def variable_gradient_stats(sess, loss, feed_dict=None, wrt=None):
    """Per variable: {'grad_norm', 'grad_mean_abs', 'grad_max_abs', 'value_norm'}, one run.

    ``wrt`` defaults to the trainable variables ``loss`` depends on. The numbers are those of
    ``sess.run(tf.gradients(loss, wrt), feed_dict)``.
    """
    wrt = list(wrt) if wrt is not None else _default_wrt(loss)
    xs = [_as_tensor(v) for v in wrt]
    grads = gradient_tensors(loss, xs)
    pairs = [(v, x, g) for v, x, g in zip(wrt, xs, grads) if g is not None]
    values = sess.run([[g for _, _, g in pairs], [x for _, x, _ in pairs]], feed_dict)
    out = collections.OrderedDict()
    for (v, x, _), g, value in zip(pairs, values[0], values[1]):
        a = np.abs(np.asarray(g, dtype=np.float64))
        out[x.op.name] = {"grad_norm": _norm(g), "grad_mean_abs": float(a.mean()) if a.size else 0.0,
                          "grad_max_abs": float(a.max()) if a.size else 0.0,
                          "value_norm": _norm(value)}
    return out


class GradientHistory:
    """Gradient statistics of the trainable variables over training steps.

        history = viz.GradientHistory(loss)
        for step in range(100):
            sess.run(train_op, feed)
            if step % 10 == 0:
                history.record(sess, feed, step)
        viz.plot_gradient_flow(history)        # a heat map: variables × steps
    """

    def __init__(self, loss, wrt=None):
        self.loss = loss
        self.wrt = list(wrt) if wrt is not None else _default_wrt(loss)
        self.steps = []
        self.records = []   # one {variable name: stats} per step

    def record(self, sess, feed_dict=None, step=None):
        stats = variable_gradient_stats(sess, self.loss, feed_dict, self.wrt)
        self.steps.append(len(self.steps) if step is None else step)
        self.records.append(stats)
        return stats

    @property
    def names(self):
        names = []
        for rec in self.records:
            for n in rec:
                if n not in names:
                    names.append(n)
        return names

    def matrix(self, key="grad_mean_abs"):
        """(variable names, steps, array[variables, steps]) of one statistic (NaN if absent)."""
        names = self.names
        m = np.full((len(names), len(self.records)), np.nan)
        for j, rec in enumerate(self.records):
            for i, n in enumerate(names):
                if n in rec:
                    m[i, j] = rec[n][key]
        return names, list(self.steps), m

    def __len__(self):
        return len(self.records)


def _measure_updates(sess, train_op, feed_dict, variables):
    """‖Δθ‖ of one real training step, then every global variable is restored."""
    graph = sess.graph
    all_vars = list(dict.fromkeys(graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
                                  + graph.get_collection(tf.GraphKeys.LOCAL_VARIABLES)))
    saved = sess.run([v.op.outputs[0] for v in all_vars])
    saved = [np.array(s, copy=True) for s in saved]
    sess.run(train_op, feed_dict)
    after = sess.run([v.op.outputs[0] for v in variables])
    deltas = {v.op.name: _norm(np.asarray(a, np.float64) - np.asarray(s, np.float64))
              for v, a, s in zip(variables, after, [saved[all_vars.index(v)] for v in variables])}
    for v, value in zip(all_vars, saved):
        v.load(value, sess)
    return deltas


def draw_gradient_flow(sess, loss, feed_dict=None, wrt=None, target=None, learning_rate=None,
                       train_op=None, vanishing_orders=4, exploding_orders=3, dead_fraction=0.5,
                       rankdir="TB", title=None, budget=60, vmin=None, vmax=None, **options):
    """Run forward and backward once; colour the graph of ``loss`` by gradient norm.

    Each drawn tensor t gets ‖∂loss/∂t‖ (computed with tf.gradients in the same run); colour
    and edge width follow log10 of the norm. Variables (``wrt``, default the trainable ones
    the loss uses) are labelled with ‖θ‖, ‖∇θ‖ and the update-to-data ratio: measured for one
    real step of ``train_op`` (variables are restored afterwards), or estimated as
    ``learning_rate·‖∇θ‖/‖θ‖`` (plain SGD), or ‖∇θ‖/‖θ‖ when neither is given.

    ``vmin``, ``vmax``: the colour scale's range in log10 of the gradient norm (``vmin=-6,
    vmax=0``: 1e-6 is darkest, 1 brightest; norms outside are drawn at the ends). By default
    each picture spans its own norms, rounded out to powers of ten; give several pictures one
    range (e.g. the union of their ``colour_range``) to compare their colours.

    Returns a Diagram with ``.findings`` (a list of :class:`Finding`), ``.stats`` ({tensor or
    variable name: numbers}), ``.loss_value`` and ``.colour_range`` ((vmin, vmax) used).
    """
    vmin, vmax = check_log_range(vmin, vmax)
    loss = tf.convert_to_tensor(loss)
    if loss.graph is not sess.graph:
        raise ValueError("loss belongs to a different graph than the session's.")
    if not loss.dtype.is_floating:
        raise TypeError("draw_gradient_flow needs a floating-point loss; %s is %s."
                        % (loss.name, loss.dtype.name))
    options, emit_options = split_options(dict(options))
    options.setdefault("show_gradients", False)
    model = GraphModel(target if target is not None else loss, budget=budget, **options)
    wrt = list(wrt) if wrt is not None else _default_wrt(loss)
    wrt_tensors = [_as_tensor(v) for v in wrt]
    wrt_ops = {t.op: v for t, v in zip(wrt_tensors, wrt)}

    # Which tensors get a gradient: everything drawn on an edge, plus the variables.
    edge_tensors = []
    for edge in model.edges:
        for t in edge.tensors:
            if t.dtype.is_floating and t not in edge_tensors:
                edge_tensors.append(t)
    unit_tensor = {}
    for uid, unit in model.units.items():
        if unit.kind != SINGLE:
            continue
        if unit.op in wrt_ops:
            unit_tensor[uid] = wrt_tensors[list(wrt_ops).index(unit.op)]
        elif unit.category == VARIABLE:
            unit_tensor[uid] = unit.op.outputs[0]
        else:
            floats = [t for t in unit.op.outputs if t.dtype.is_floating]
            if floats:
                unit_tensor[uid] = floats[0]
    relu_inputs = []
    for unit in model.units.values():
        if unit.kind == SINGLE and unit.op.type in RELU_TYPES:
            relu_inputs.append(unit.op.inputs[0])
    tensors = list(dict.fromkeys(edge_tensors + list(unit_tensor.values()) + relu_inputs
                                 + wrt_tensors))
    tensors = [t for t in tensors if t.dtype.is_floating]
    grads = gradient_tensors(loss, tensors)
    grad_of = {t: g for t, g in zip(tensors, grads) if g is not None}

    relu_outputs = [u.op.outputs[0] for u in model.units.values()
                    if u.kind == SINGLE and u.op.type in RELU_TYPES]
    # One run; gradient tensors inside tf.cond branches cannot be fetched and are left out.
    loss_value, fetched = run_extra(sess, loss, list(grad_of.values()) + list(wrt_tensors)
                                    + relu_outputs, feed_dict)
    gvalue = {t: np.asarray(fetched[g]) for t, g in grad_of.items() if g in fetched}
    var_value_list = [fetched.get(t) for t in wrt_tensors]
    relu_values = [fetched.get(t) for t in relu_outputs]
    norms = {t: _norm(v) for t, v in gvalue.items()}

    # Reference: the gradient arriving at the loss op's inputs.
    loss_inputs = [t for t in loss.op.inputs if t in norms]
    reference = max((norms[t] for t in loss_inputs if math.isfinite(norms[t])), default=None)
    if reference is None or reference == 0:
        reference = 1.0  # d loss / d loss

    finite = [n for n in norms.values() if math.isfinite(n) and n > 0]
    lo = math.floor(math.log10(min(finite))) if finite else -1
    hi = math.ceil(math.log10(max(finite))) if finite else 0
    if vmin is not None:
        lo = vmin
    if vmax is not None:
        hi = vmax
    if hi <= lo:  # only one end given, on the far side of the data
        lo, hi = (hi - 1, hi) if vmax is not None else (lo, lo + 1)

    def fraction(n):
        if n is None or not math.isfinite(n) or n <= 0:
            return None
        return min(1.0, max(0.0, (math.log10(n) - lo) / (hi - lo)))

    findings = []
    stats = collections.OrderedDict()
    flagged = {}

    def flag(unit_id, finding):
        findings.append(finding)
        flagged.setdefault(unit_id, []).append(finding)

    if not math.isfinite(float(np.asarray(loss_value, np.float64))):
        loss_uid = model.visible.get(loss.op)
        flag(loss_uid, Finding("nan", loss.op.name, "The loss %s is %s." % (
            loss.name, number_text(float(loss_value))), float(loss_value)))

    # Edges.
    for edge in model.edges:
        if edge.kind != "data":
            continue
        ts = [t for t in edge.tensors if t in norms]
        if not ts:
            edge.style = "dotted"
            edge.color = "#BBBBBB"
            edge.tooltip = "no gradient flows here"
            continue
        n = max(norms[t] for t in ts)
        f = fraction(n)
        if not math.isfinite(n):
            edge.color = WARN
            edge.penwidth = 3
        elif f is None:
            edge.color = "#BBBBBB"
            edge.style = "dashed"
        else:
            edge.color = style.colour_scale(f)
            edge.penwidth = 1 + 4 * f
        edge.label = "‖∇‖ %s" % number_text(n, 3)
        edge.tooltip = "‖∂%s/∂%s‖ = %r" % (loss.op.name, ts[0].name, n)

    # Nodes.
    ratio_source = None
    deltas = {}
    if train_op is not None:
        deltas = _measure_updates(sess, train_op, feed_dict, [v for v in wrt if hasattr(v, "load")])
        ratio_source = "one step of train_op"
    elif learning_rate is not None:
        ratio_source = "SGD estimate, lr=%s" % number_text(learning_rate)
    wrt_values = {t: np.asarray(v) for t, v in zip(wrt_tensors, var_value_list) if v is not None}
    for uid, unit in model.units.items():
        t = unit_tensor.get(uid)
        if t is None or unit.kind == STUB:
            continue
        n = norms.get(t)
        if n is None:
            if unit.category not in (CONSTANT, PLACEHOLDER):
                unit.extra.append(("no gradient", style.SUBTLE, False))
            continue
        f = fraction(n)
        if f is not None:
            unit.fill = style.colour_scale(f)
            unit.fontcolor = style.text_colour_on(unit.fill)
        elif not math.isfinite(n):
            unit.fill = "#FFFFFF"
        else:
            unit.fill = "#E8E8E8"
        entry = {"tensor": t.name, "grad_norm": n}
        if t in wrt_values:
            value_norm = _norm(wrt_values[t])
            entry["value_norm"] = value_norm
            unit.extra.append("‖θ‖ %s" % number_text(value_norm, 3))
            unit.extra.append("‖∇θ‖ %s" % number_text(n, 3))
            if deltas.get(t.op.name) is not None and value_norm > 0:
                ratio = deltas[t.op.name] / value_norm
                entry["update_ratio"] = ratio
                unit.extra.append("update/θ %s" % number_text(ratio, 2))
            elif learning_rate is not None and value_norm > 0:
                ratio = learning_rate * n / value_norm
                entry["update_ratio"] = ratio
                unit.extra.append("lr·‖∇θ‖/‖θ‖ %s" % number_text(ratio, 2))
            elif value_norm > 0:
                entry["grad_to_value"] = n / value_norm
                unit.extra.append("‖∇θ‖/‖θ‖ %s" % number_text(n / value_norm, 2))
            _check_variable(uid, unit.op.name, n, reference, vanishing_orders,
                            exploding_orders, flag)
        else:
            unit.extra.append("‖∇‖ %s" % number_text(n, 3))
            if not math.isfinite(n):
                flag(uid, Finding("nan", unit.op.name, "The gradient at %s contains NaN or Inf."
                                  % t.name, n))
        stats[t.op.name if t.op is unit.op else unit.op.name] = entry
    for t, n in norms.items():
        stats.setdefault(t.name, {"tensor": t.name, "grad_norm": n})

    # Dead ReLUs.
    for unit, out in zip([u for u in model.units.values()
                          if u.kind == SINGLE and u.op.type in RELU_TYPES], relu_values):
        x = unit.op.inputs[0]
        if x not in gvalue or out is None:
            continue
        g = gvalue[x]
        zero_share = float(np.mean(g == 0)) if g.size else 0.0
        out = np.asarray(out)
        dead_units = int(np.sum(np.all(out.reshape(-1, out.shape[-1]) <= 0, axis=0))) \
            if out.ndim >= 2 else int(np.all(out <= 0))
        n_units = out.shape[-1] if out.ndim >= 1 else 1
        unit.extra.append("zero grads %.0f%%" % (100 * zero_share))
        stats.setdefault(unit.op.name, {})["zero_grad_share"] = zero_share
        if zero_share >= dead_fraction:
            flag(unit.id, Finding(
                "dead_relu", unit.op.name,
                "%.0f%% of the gradients through %s are zero; %d of %d units were never active "
                "in this batch (dead ReLUs)." % (100 * zero_share, unit.op.name, dead_units,
                                                 n_units), zero_share))

    for uid, items in flagged.items():
        unit = model.units.get(uid)
        if unit is None:
            continue
        unit.border = WARN
        unit.penwidth = 3.5
        for finding in items:
            unit.extra.append(("⚠ " + finding.kind.replace("_", " "), WARN, True))

    caption = "gradient norms ‖∂%s/∂t‖ from one run; loss = %s" % (
        loss.op.name, number_text(float(np.asarray(loss_value, np.float64)), 4))
    if ratio_source:
        caption += "; update ratio: " + ratio_source
    if findings:
        caption += "; ⚠ %d finding%s" % (len(findings), "" if len(findings) == 1 else "s")
    diagram = emit(model, rankdir=rankdir, title=title, caption=caption,
                   legend_extra=_colour_legend(lo, hi), **emit_options)
    diagram.findings = findings
    diagram.stats = stats
    diagram.loss_value = loss_value
    diagram.colour_range = (lo, hi)
    return diagram


def check_log_range(vmin, vmax):
    """``vmin``, ``vmax`` (log10 units, either may be None) as floats, checked."""
    out = []
    for name, v in (("vmin", vmin), ("vmax", vmax)):
        if v is None:
            out.append(None)
            continue
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise TypeError("%s is a log10 gradient size (e.g. -6 for 1e-6), got %r"
                            % (name, v)) from None
        if not math.isfinite(v):
            raise ValueError("%s must be finite, got %r" % (name, v))
        out.append(v)
    if out[0] is not None and out[1] is not None and out[0] >= out[1]:
        raise ValueError("vmin must be below vmax (log10 units), got vmin=%g, vmax=%g"
                         % tuple(out))
    return tuple(out)


def _check_variable(uid, name, n, reference, vanishing_orders, exploding_orders, flag):
    if not math.isfinite(n):
        flag(uid, Finding("nan", name, "The gradient of %s contains NaN or Inf." % name, n))
    elif n == 0 or n < reference * 10.0 ** (-vanishing_orders):
        flag(uid, Finding("vanishing", name, "The gradient of %s (norm %s) is more than %d orders "
                          "of magnitude below the gradient at the loss (%s): vanishing gradient."
                          % (name, number_text(n, 3), vanishing_orders,
                             number_text(reference, 3)), n))
    elif n > reference * 10.0 ** exploding_orders:
        flag(uid, Finding("exploding", name, "The gradient of %s (norm %s) is more than %d orders "
                          "of magnitude above the gradient at the loss (%s): exploding gradient."
                          % (name, number_text(n, 3), exploding_orders,
                             number_text(reference, 3)), n))


def _exponent_text(exponent):
    if abs(exponent - round(exponent)) < 1e-9:
        return "1e%d" % round(exponent)
    return number_text(10.0 ** exponent, 2)


def _colour_legend(lo, hi):
    """A colour bar from 10^lo to 10^hi, as one HTML-table node (one cell per power of ten
    when the ends are whole powers, at most 8 cells)."""
    whole = abs(lo - round(lo)) < 1e-9 and abs(hi - round(hi)) < 1e-9
    if whole:  # whole powers of ten, every k-th one
        lo, hi = int(round(lo)), int(round(hi))
        k = max(1, math.ceil((hi - lo) / 7))
        exponents = list(range(lo, hi, k)) + [hi]
    else:
        exponents = [lo + i * (hi - lo) / 4 for i in range(5)]
    steps = len(exponents)
    cells = []
    for exponent in exponents:
        f = (exponent - lo) / (hi - lo)
        fill = style.colour_scale(f)
        cells.append('<td bgcolor="%s" width="34" height="18"><font color="%s" point-size="8">'
                     '%s</font></td>' % (fill, style.text_colour_on(fill),
                                         html_escape(_exponent_text(exponent))))
    label = ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
             '<tr><td colspan="%d"><font point-size="9">‖∇‖ (log scale; edge width grows with '
             'it)</font></td></tr><tr>%s</tr><tr><td colspan="%d"><font point-size="9" color="%s">'
             '⚠ vermillion border: finding</font></td></tr></table>>'
             % (steps, "".join(cells), steps, WARN))
    return [("legend_gradient_scale", {"label": label, "shape": "plaintext"})]
