"""Reverse-mode differentiation written into the graph: ``tf.gradients``.

Walks backwards from ``ys`` over the ops between ``xs`` and ``ys`` and, for each op, calls
its registered gradient function, which builds ordinary ops (inside the name scope
``gradients/<op name>_grad``). The result is graph tensors: they can be fetched, drawn, and
differentiated again.
"""
import collections

from tfone.framework import graph as _graph
from tfone.framework import op_registry
from tfone.framework.graph import Tensor, Operation

__all__ = ["gradients", "hessians"]


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic derivatives of ``sum(ys)`` with respect to each of ``xs``.

    Returns a list with one Tensor per x (None where x does not affect ys, or zeros with
    ``unconnected_gradients='zero'``). ``grad_ys`` weights each y (default: ones).
    ``stop_gradients`` are tensors treated as constants.
    """
    from tfone.ops import array_ops, math_ops  # the ops gradients are built from

    ys = _as_list(ys)
    xs = _as_list(xs)
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    if unconnected_gradients not in ("none", "zero"):
        raise ValueError("Unknown value for unconnected_gradients: %r (use 'none' or 'zero')"
                         % (unconnected_gradients,))
    ys = [op_registry.convert_to_tensor(y) for y in ys]
    xs = [_as_x_tensor(x) for x in xs]
    stop_ops = {t.op if isinstance(t, Tensor) else t for t in (
        _as_x_tensor(s) if not isinstance(s, Operation) else s for s in _as_list(stop_gradients or []))}
    graph = ys[0].graph if ys else _graph.get_default_graph()
    for t in ys + xs:
        if t.graph is not graph:
            raise ValueError("ys and xs must all be in the same graph (%s is not)." % t.name)

    return _build_gradients(graph, ys, xs, grad_ys, name, stop_ops, unconnected_gradients,
                            array_ops, math_ops)


def _build_gradients(graph, ys, xs, grad_ys, name, stop_ops, unconnected_gradients, array_ops,
                     math_ops):
    with graph.as_default(), graph.name_scope(name):
        between = _ops_between(xs, ys, stop_ops)
        pending = _pending_counts(between)
        grads = collections.defaultdict(dict)  # op -> {output index: [grad tensors]}
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                if not y.dtype.is_differentiable:
                    continue
                gy = array_ops.fill(array_ops.shape(y), op_registry.apply_op(
                    "Const", [], {"value": _one(y.dtype), "dtype": y.dtype}, name="grad_ys_%d" % i))
            else:
                gy = op_registry.convert_to_tensor(gy, dtype=y.dtype)
            grads[y.op].setdefault(y.value_index, []).append(gy)

        ready = collections.deque(op for op in _unique(y.op for y in ys)
                                  if op in between and pending.get(op, 0) == 0)
        while ready:
            op = ready.popleft()
            with graph._entered_cond_branch(op._cond):  # sums live where the values do
                out_grads = [_aggregate(grads[op].get(i), math_ops)
                             for i in range(len(op._outputs))]
            has_grad = any(g is not None for g in out_grads)
            opdef = op._opdef
            stop = op in stop_ops or (opdef is not None and opdef.gradient is op_registry.NOT_DIFFERENTIABLE)
            in_grads = [None] * len(op._inputs)
            if has_grad and not stop and _any_differentiable_input(op, between):
                in_grads = _call_gradient(op, out_grads, array_ops)
                if op.type == "GatherV2":
                    _mark_gathered_rows(op, in_grads)
            for t, g in zip(op._inputs, in_grads):
                if g is not None and t.dtype.is_differentiable:
                    if isinstance(g, Tensor) and g.dtype != t.dtype:
                        raise TypeError("Gradient of %s for input %s has dtype %s, expected %s"
                                        % (op.type, t.name, g.dtype.name, t.dtype.name))
                    grads[t.op].setdefault(t.value_index, []).append(g)
                source = t.op
                if source in between:
                    pending[source] -= 1
                    if pending[source] == 0:
                        ready.append(source)

        results = []
        for x in xs:
            with graph._entered_cond_branch(x.op._cond):
                g = _aggregate(grads.get(x.op, {}).get(x.value_index), math_ops)
            if g is None and unconnected_gradients == "zero":
                g = array_ops.zeros_like(x)
            results.append(g)
        return results


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """Second derivatives of ``sum(ys)``: one Hessian per x, of shape ``x.shape + x.shape``.

    As TF1, builds the first gradient, then differentiates each of its entries again (TF1
    uses a while_loop; tfone unrolls it, so each x needs a fully known static shape). Entries
    that do not depend on x give zeros.
    """
    from tfone.ops import array_ops

    xs = [_as_x_tensor(x) for x in _as_list(xs)]
    first = gradients(ys, xs, colocate_gradients_with_ops=colocate_gradients_with_ops,
                      gate_gradients=gate_gradients, aggregation_method=aggregation_method)
    results = []
    for grad, x in zip(first, xs):
        dims = x.shape.as_list() if x.shape.is_fully_defined() else None
        if dims is None:
            raise ValueError("tf.hessians needs a fully defined static shape for %s, got %s "
                             "(tfone unrolls the per-entry loop at graph-construction time)"
                             % (x.name, x.shape))
        n = x.shape.num_elements()
        with x.graph.as_default(), x.graph.name_scope(name):
            if grad is None:
                results.append(array_ops.zeros(dims + dims, dtype=x.dtype))
                continue
            flat = array_ops.reshape(grad, [-1])
            rows = [gradients(flat[j], x, unconnected_gradients="zero")[0] for j in range(n)]
            results.append(array_ops.reshape(array_ops.stack(rows), dims + dims))
    return results


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_x_tensor(x):
    """Variables differentiate through their own output (``W:0``), as in TF1."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "_as_graph_element"):
        element = x._as_graph_element()
        if isinstance(element, Tensor):
            return element
    return op_registry.convert_to_tensor(x)


def _unique(items):
    return list(dict.fromkeys(items))


def _one(dtype):
    import numpy as np
    value = np.ones((), dtype=dtype._np)
    value.flags.writeable = False
    return value


def _ops_between(xs, ys, stop_ops):
    """Ops on a data path from some x to some y (stop ops included, but not walked past)."""
    reachable = set()
    frontier = [x.op for x in xs]
    while frontier:
        op = frontier.pop()
        if op in reachable:
            continue
        reachable.add(op)
        if op in stop_ops and op not in {x.op for x in xs}:
            continue
        for out in op._outputs:
            frontier.extend(out._consumers)
    between = set()
    frontier = [y.op for y in ys]
    while frontier:
        op = frontier.pop()
        if op in between or op not in reachable:
            continue
        between.add(op)
        frontier.extend(t.op for t in op._inputs)
    return between


def _pending_counts(between):
    pending = {}
    for op in between:
        for t in op._inputs:
            if t.op in between:
                pending[t.op] = pending.get(t.op, 0) + 1
    return pending


def _any_differentiable_input(op, between):
    return any(t.dtype.is_differentiable and t.op in between for t in op._inputs)


def _leave_branches(grad, x, array_ops):
    """Carry a gradient computed inside tf.cond branches out to ``x``'s level.

    Each branch exited becomes a CondMerge of the gradient (branch taken) and zeros (branch
    not taken), so code outside the cond never reads a value the untaken branch did not make.
    """
    if grad is None or not isinstance(grad, Tensor):
        return grad
    graph = x.graph
    target = x.op._cond
    branch = grad.op._cond
    while branch is not None and branch is not target and not branch.encloses(target):
        with graph._entered_cond_branch(branch.parent):
            zeros = array_ops.zeros_like(x)
            pair = [grad, zeros] if branch.branch else [zeros, grad]
            grad = op_registry.apply_op("CondMerge", [branch.pred] + pair,
                                        {"group": branch.group}, name="cond_grad")
        branch = branch.parent
    return grad


def _aggregate(grad_list, math_ops):
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    total = math_ops.add_n(grad_list)
    marks = [gathered_rows(g) for g in grad_list]
    if all(m is not None for m in marks):
        # TF1 concatenates IndexedSlices; any dense part makes the sum dense.
        total._gathered_rows = GatheredRows(tuple(p for m in marks for p in m.scaled_parts()))
    return total


class GatheredRows:
    """What TF1's IndexedSlices gradient of a gather would hold, kept beside tfone's dense
    gradient: ``parts`` are (indices, values) pairs, one per tf.gather (axis 0) the gradient
    came through, duplicates not summed; ``scale`` (a scalar tensor or None) multiplies the
    values (gradient clipping rescales them).

    TF1 differs from a dense gradient in two places, which tfone follows with this record:
    optimizers update only the gathered rows of a variable and its slots
    (``Optimizer.apply_gradients``), and ``tf.global_norm`` / ``clip_by_global_norm`` /
    ``clip_by_norm`` measure the values, so a row gathered twice counts twice.
    """
    __slots__ = ("parts", "scale")

    def __init__(self, parts, scale=None):
        self.parts, self.scale = tuple(parts), scale

    def indices(self):
        """The gathered row indices (a vector, duplicates kept)."""
        from tfone.ops import array_ops, math_ops
        from tfone.framework import dtypes
        idx = [i for i, _ in self.parts]
        if len(idx) == 1:
            return idx[0]
        if len({i.dtype for i in idx}) > 1:
            idx = [math_ops.cast(i, dtypes.int64) for i in idx]
        return array_ops.concat(idx, 0)

    def scaled(self, factor):
        """The record of this gradient times the scalar tensor ``factor``."""
        return GatheredRows(self.parts, factor if self.scale is None else self.scale * factor)

    def scaled_parts(self):
        if self.scale is None:
            return self.parts
        return tuple((i, v * self.scale) for i, v in self.parts)

    def sum_of_squares(self):
        """sum(values**2) over all parts (with the scale), a scalar tensor."""
        from tfone.ops import math_ops
        total = math_ops.add_n([math_ops.reduce_sum(math_ops.square(v)) for _, v in self.parts])
        if self.scale is not None:
            total = total * math_ops.square(math_ops.cast(self.scale, total.dtype))
        return total


def gathered_rows(tensor):
    """The GatheredRows record of a gradient tensor, or None for an ordinary tensor."""
    return getattr(tensor, "_gathered_rows", None) if isinstance(tensor, Tensor) else None


def _mark_gathered_rows(op, in_grads):
    """TF1 returns the gradient of ``tf.gather(params, indices)`` (axis 0) as IndexedSlices.
    tfone's gradient is a dense UnsortedSegmentSum of the slices; remember the slices
    (its inputs) on it, so optimizers and clipping can do what TF1 does."""
    g = in_grads[0] if in_grads else None
    if isinstance(g, Tensor) and g.op.type == "UnsortedSegmentSum" and \
            op.get_attr("batch_dims") == 0:
        g._gathered_rows = GatheredRows(((g.op.inputs[1], g.op.inputs[0]),))


def _call_gradient(op, out_grads, array_ops):
    opdef = op._opdef
    if opdef is None or opdef.gradient is None:
        raise LookupError("No gradient defined for operation '%s' (op type: %s), which lies on "
                          "the path from xs to ys.\n  The op was created at %s\n  Hint: wrap its "
                          "input in tf.stop_gradient if no gradient should flow through it."
                          % (op.name, op.type, op.location))
    graph = op.graph
    if len(op._outputs) > 1 and any(g is None for g in out_grads):
        with graph._entered_cond_branch(op._cond):
            out_grads = [array_ops.zeros_like(t) if g is None else g
                         for t, g in zip(op._outputs, out_grads)]
    with graph.name_scope(op.name + "_grad"), graph._entered_cond_branch(op._cond):
        in_grads = opdef.gradient(op, *out_grads)
    in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
    if any(isinstance(g, Tensor) and g.op._cond is not None for g in in_grads):
        in_grads = [_leave_branches(g, t, array_ops) for g, t in zip(in_grads, op._inputs)]
    if len(in_grads) != len(op._inputs):
        raise ValueError("Num gradients %d generated for op %s (%s) do not match num inputs %d"
                         % (len(in_grads), op.name, op.type, len(op._inputs)))
    for t, g in zip(op._inputs, in_grads):
        if isinstance(g, Tensor) and t.shape.ndims is not None and g.shape.is_compatible_with(t.shape):
            g.set_shape(t.shape)
    return in_grads
