"""``viz.trace``: the order in which a run executes ops, as a list, a numbered picture and an
animation whose frames light up the computed nodes one step at a time, with their values.

The run is traced with ``RunOptions(trace_level=FULL_TRACE)``, which records every executed
op with its time and output size (``run_metadata.step_stats``); the same run also fetches the
value of every drawn node (only tensors the run computes anyway, so nothing extra runs). For
teaching, the steps are shown in phases: the forward pass in topological order, then the
backward pass (ops built by tf.gradients), then what depends on gradients (optimizer
updates). This is a valid execution order (every op comes after its inputs);
``Trace.run_order`` keeps the order the Session actually used, which interleaves the phases
when that frees memory sooner.

A variable's node shows the value the run read, the update op's node the value it wrote: a
Session hands out fetched variables after the whole run (when the update has already changed
them), so the trace snapshots variables before the run and uses those values for the reads.

The animation is laid out once (``dot -Tjson``) with the final, value-bearing labels, so
nothing moves between frames. PNG and GIF frames are composed from three renders of that
layout (see ``viz.animate``): a few seconds for a hundred frames.
"""
import heapq
import json
import os

import numpy as np

import tfone as tf

from viz import style
from viz.draw import emit, split_options
from viz.graph_model import (GraphModel, SINGLE, STUB, VARIABLE_TYPES, _ref_slots,
                             _variables_by_op, ancestors, is_gradient_op, opdef_of)
from viz.labels import number_text
from viz.render import Diagram, pipe, DEFAULT_TIMEOUT
from viz.values import (_feed_tensors, _fetch_ops, _unit_tensors, executed_ops, run_extra,
                        value_items, NOT_RUN_ENTRY)

__all__ = ["trace", "Trace", "execution_order"]

PHASES = ("forward", "backward", "update")
CURRENT_FILL = style.OKABE_ITO["yellow"]
PHASE_TEXT = {"forward": "forward pass", "backward": "backward pass", "update": "updates"}
MAX_FRAMES = 120
CURRENT_ENTRY = ("current", {"shape": "box", "style": "rounded,filled", "fillcolor": CURRENT_FILL,
                             "color": "#000000", "penwidth": "3"}, "computing now")
TODO_ENTRY = ("todo", dict(style.CATEGORY_STYLE["op"][1], **style.dim_attrs()), "still to run")


def _dependencies(op, executed):
    refs = _ref_slots(op)
    deps = [t.op for i, t in enumerate(op.inputs) if i not in refs and t.op in executed]
    deps.extend(c for c in op.control_inputs if c in executed)
    return deps


def execution_order(ops, run_order=None):
    """``ops`` in phase order (forward, backward, update), each phase topologically sorted.

    Returns (ordered ops, {op: phase}). Ties keep ``run_order`` (the Session's own order).
    """
    executed = set(ops)
    position = {op: i for i, op in enumerate(run_order or ops)}
    deps = {op: _dependencies(op, executed) for op in ops}
    for op in ops:  # ops computed inline come right after their inputs
        if op not in position:
            position[op] = max((position.get(d, 0) for d in deps[op]), default=0) + 0.5
    phase = {}
    # Phase: backward for gradient ops; update for ops that need a gradient; else forward.
    memo = {}

    def needs_gradient(op):
        if op in memo:
            return memo[op]
        stack, seen, found = [op], set(), False
        while stack and not found:
            cur = stack.pop()
            for d in deps[cur]:
                if d in seen:
                    continue
                if is_gradient_op(d) or memo.get(d):
                    found = True
                    break
                seen.add(d)
                stack.append(d)
        memo[op] = found
        return found

    for op in ops:
        if is_gradient_op(op):
            phase[op] = "backward"
        elif needs_gradient(op):
            phase[op] = "update"
        else:
            phase[op] = "forward"
    rank = {p: i for i, p in enumerate(PHASES)}
    waiting = {op: len(set(deps[op])) for op in ops}
    users = {}
    for op in ops:
        for d in set(deps[op]):
            users.setdefault(d, []).append(op)
    heap = [(rank[phase[op]], position.get(op, 0), op.name, op) for op in ops if waiting[op] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, _, _, op = heapq.heappop(heap)
        order.append(op)
        for u in users.get(op, ()):
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(heap, (rank[phase[u]], position.get(u, 0), u.name, u))
    if len(order) != len(ops):
        raise RuntimeError("The traced ops contain a dependency cycle; cannot order them.")
    return order, phase


class Trace:
    """What one traced run executed, in order, with the values it computed; draw it, or
    animate it.

    Attributes: ``order`` (op names, phase order), ``run_order`` (op names, the order of the
    Session's kernel calls; a tf.cond output computed inline has no call), ``phase`` ({op
    name: 'forward'|'backward'|'update'}), ``times`` ({op name: seconds}), ``output_bytes``,
    ``steps`` (the drawn nodes in the order they first compute: a list of (node id, [op
    names])), ``values`` ({tensor name: value} of the drawn nodes, as computed at their
    step), ``results`` (what sess.run returned).
    """

    def __init__(self, model, ordered_ops, phase, run_metadata, results, title=None,
                 rankdir="TB", emit_options=None, fed_ops=(), values=None, show_values=True,
                 max_outputs=2):
        self.model = model
        fed_ops = set(fed_ops)
        self.fed = [op.name for op in ordered_ops if op in fed_ops]
        self.order = [op.name for op in ordered_ops if op not in fed_ops]
        self.run_order = [s.op_name for s in run_metadata.step_stats]
        self.phase = {op.name: phase[op] for op in ordered_ops}
        self.times = run_metadata.op_times()
        self.output_bytes = run_metadata.op_bytes()
        self.results = results
        self.title = title
        self.rankdir = rankdir
        self.emit_options = emit_options or {}
        self.show_values = show_values
        self._tensor_values = dict(values or {})
        self.values = {t.name: v for t, v in self._tensor_values.items()}
        steps, seen = [], {}
        for op in ordered_ops:
            uid = model.visible.get(op)
            if uid is None:
                continue
            if uid not in seen:
                seen[uid] = len(steps)
                steps.append((uid, [op.name]))
            else:
                steps[seen[uid]][1].append(op.name)
        self.steps = steps
        self.step_of = {uid: i + 1 for i, (uid, _) in enumerate(steps)}
        self._value_items = {}
        if show_values:
            for uid, unit in model.units.items():
                if uid in self.step_of and unit.kind == SINGLE:
                    self._value_items[uid] = value_items(unit, self._tensor_values,
                                                         max_outputs)
        self._layout = None

    def __len__(self):
        return len(self.order)

    def __iter__(self):
        return iter(self.order)

    # -- states ---------------------------------------------------------------------------------
    def _unit_step(self, uid):
        unit = self.model.units[uid]
        return self.step_of.get(unit.hub_of if unit.kind == STUB else uid)

    def _edge_steps(self, edge):
        return self._unit_step(edge.src), self._unit_step(edge.dst)

    def _states(self, lo, hi):
        """{('node', id) | ('edge', 'e<k>'): 'todo'|'done'|'current'} after steps 1..hi, where
        steps lo+1..hi are the ones computing now (nodes never run are left out)."""
        states = {}
        for uid, unit in self.model.units.items():
            step = self._unit_step(uid)
            if step is None:
                continue
            if unit.kind == STUB:
                states[("node", uid)] = "todo" if step > hi else "done"
            else:
                states[("node", uid)] = ("todo" if step > hi else
                                         "current" if step > lo else "done")
        for k, edge in enumerate(self.model.edges):
            a, b = self._edge_steps(edge)
            if a is None or b is None or a > hi or b > hi:
                state = "todo"
            elif b > lo:
                state = "current"
            else:
                state = "done"
            states[("edge", "e%d" % k)] = state
        return states

    def _decorate(self, states=None, color_by=None, uniform=None):
        """Decorate the model for one picture: ``states`` from :meth:`_states` (None: the
        whole run, every node done), or every node and edge in state ``uniform``."""
        model = self.model
        times = self.times
        if color_by == "time":
            unit_time = {uid: sum(times.get(n, 0.0) for n in names) for uid, names in self.steps}
            positive = [t for t in unit_time.values() if t > 0]
            lo = min(positive) if positive else 1e-6
            hi = max(positive) if positive else 1e-6

        def state_of(key):
            if uniform is not None:
                return uniform
            return "done" if states is None else states.get(key, "todo")

        for uid, unit in model.units.items():
            unit.extra, unit.fill, unit.border, unit.penwidth = [], None, None, None
            unit.fontcolor, unit.dim, unit.emphasis, unit.style_extra = None, False, False, None
            step = self._unit_step(uid)
            if unit.kind == STUB:
                unit.dim = step is None or state_of(("node", uid)) == "todo"
                continue
            if step is None:
                unit.extra.append(("not run", style.DIM_TEXT, False))
                unit.dim = True
                unit.style_extra = "dashed"
                continue
            state = state_of(("node", uid))
            unit.extra.append(("step %d" % step, "#000000", True))
            if state == "todo":
                unit.dim = True
                continue
            items, bad = self._value_items.get(uid, ([], False))
            unit.extra.extend(items)
            if bad:
                unit.border = style.OKABE_ITO["vermillion"]
                unit.penwidth = 3
            names = self.steps[step - 1][1]
            seconds = sum(times.get(n, 0.0) for n in names)
            if color_by == "time":
                unit.extra.append(("%s ms" % number_text(seconds * 1e3, 2), style.SUBTLE, False))
            if color_by == "time" and seconds > 0:
                import math
                f = 0.0 if hi == lo else (math.log10(seconds) - math.log10(lo)) / (
                    math.log10(hi) - math.log10(lo))
                unit.fill = style.colour_scale(f)
                unit.fontcolor = style.text_colour_on(unit.fill)
            if state == "current":
                unit.fill = CURRENT_FILL
                unit.fontcolor = "#000000"
                unit.emphasis = True
        for k, edge in enumerate(model.edges):
            a, b = self._edge_steps(edge)
            state = state_of(("edge", "e%d" % k))
            if a is None or b is None:
                state = "todo"
            edge.dim = state == "todo" and (states is not None or uniform is not None)
            edge.emphasis = state == "current"

    def _legend(self, animated):
        entries = []
        if animated:
            entries += [CURRENT_ENTRY, TODO_ENTRY]
        if any(self._unit_step(uid) is None for uid, u in self.model.units.items()
               if u.kind != STUB):
            entries.append(("not_run", NOT_RUN_ENTRY[1], "not run"))
        return entries

    # -- pictures ------------------------------------------------------------------------------
    def diagram(self, color_by=None):
        """The whole run: every drawn node numbered by the step it computes in, with its value.

        ``color_by='time'`` fills nodes by (log) time spent in their kernels and prints it.
        """
        if color_by not in (None, "time"):
            raise ValueError("color_by must be None or 'time', got %r" % (color_by,))
        self._decorate(None, color_by)
        n = len(self.steps)
        caption = "%d ops executed (%d drawn steps): forward pass, then backward pass, then updates" % (
            len(self.order), n)
        return emit(self.model, rankdir=self.rankdir, title=self.title, caption=caption,
                    legend_extra=self._legend(False), **self.emit_options)

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return self.diagram()._repr_mimebundle_(include, exclude)

    def frame_groups(self, max_frames=None):
        """The frames of the animation as (lo, hi): after steps 1..hi, with steps lo+1..hi
        computing now. Frame 0 is (0, 0), before the run; then one step a frame, or, past
        ``max_frames`` frames, consecutive steps grouped evenly."""
        n = len(self.steps)
        if max_frames is not None and max_frames < 2:
            raise ValueError("max_frames must be at least 2 (before the run, then the "
                             "steps), got %r" % (max_frames,))
        if max_frames is None or n + 1 <= max_frames:
            bounds = list(range(n + 1))
        else:
            groups = max_frames - 1
            bounds = sorted({round(j * n / groups) for j in range(groups + 1)})
        return [(0, 0)] + [(a, b) for a, b in zip(bounds, bounds[1:])]

    def _caption(self, lo, hi):
        n = len(self.steps)
        if hi == 0:
            return "before the run"
        uids = [self.steps[k][0] for k in range(lo, hi)]
        phases = []
        for k in range(lo, hi):
            text = PHASE_TEXT[self.phase[self.steps[k][1][0]]]
            if text not in phases:
                phases.append(text)
        if hi - lo == 1:
            return "step %d of %d (%s): %s" % (hi, n, phases[0], uids[0])
        shown = ", ".join(uids[:3]) + (", …" if len(uids) > 3 else "")
        return "steps %d–%d of %d (%s): %s" % (lo + 1, hi, n, " → ".join(phases), shown)

    def _emit_frame(self, lo, hi, diagram_class=None, caption=None, uniform=None,
                    element_ids=False):
        self._decorate(self._states(lo, hi), uniform=uniform)
        return emit(self.model, rankdir=self.rankdir, title=self.title,
                    caption=self._caption(lo, hi) if caption is None else caption,
                    legend_extra=self._legend(True), diagram_class=diagram_class,
                    element_ids=element_ids, **self.emit_options)

    def frame(self, step, layout=None):
        """The picture after ``step`` steps (0 = before the run), as a Diagram: nodes up to
        ``step`` lit with their values, node ``step`` computing now (yellow)."""
        if not 0 <= step <= len(self.steps):
            raise IndexError("step must be in 0..%d, got %d" % (len(self.steps), step))
        return self._emit_frame(max(0, step - 1), step,
                                layout.diagram_class() if layout is not None else None,
                                element_ids=layout is not None)

    def _fixed_layout(self, timeout, max_frames=None):
        groups = self.frame_groups(max_frames)
        captions = [self._caption(lo, hi) for lo, hi in groups]
        longest = max(captions, key=len)
        key = longest
        if self._layout is None or self._layout[0] != key:
            # Every node done (the longest labels: with values) and the longest caption.
            diagram = self._emit_frame(0, len(self.steps), caption=longest, uniform="done",
                                       element_ids=True)
            data = json.loads(pipe(diagram, "json", timeout=timeout).decode("utf-8"))
            self._layout = (key, _FixedLayout(data))
        return self._layout[1]

    def _layers(self, dpi, timeout, max_frames):
        from viz.animate import Layers, LAYERS
        layout = self._fixed_layout(timeout, max_frames)
        groups = self.frame_groups(max_frames)
        longest = max((self._caption(lo, hi) for lo, hi in groups), key=len)
        sources = {}
        for name in LAYERS:
            sources[name] = self._emit_frame(0, len(self.steps), layout.diagram_class(),
                                             caption=longest, uniform=name,
                                             element_ids=True).source
        elements = list(self._states(0, 0))
        captions = []
        for lo, hi in groups:
            lines = []
            if self.title:
                lines.append(_font(self.title, size=16, bold=True))
            lines.append(_font(self._caption(lo, hi), size=10, colour=style.SUBTLE))
            captions.append("<" + "<br/>".join(lines) + ">")
        layers = Layers(sources, elements, captions, style.GRAPH_ATTRS, dpi, timeout)
        return layers, [self._states(lo, hi) for lo, hi in groups]

    def save_frames(self, directory, prefix="frame", format="png", dpi=None,
                    timeout=DEFAULT_TIMEOUT, max_frames=None):
        """Write one picture per frame (``frame_000.png`` ...) with a fixed layout; returns
        the paths. PNG frames are composed from three renders (fast); other formats (svg,
        pdf) render every frame with Graphviz. ``max_frames`` groups steps (see
        :meth:`frame_groups`); by default every step gets a frame."""
        os.makedirs(directory, exist_ok=True)
        paths = []
        if format == "png":
            layers, frame_states = self._layers(dpi, timeout, max_frames)
            for k, (canvas, _) in enumerate(layers.frames(frame_states)):
                path = os.path.join(directory, "%s_%03d.png" % (prefix, k))
                layers.image(canvas).save(path, compress_level=1)
                paths.append(path)
            return paths
        layout = self._fixed_layout(timeout, max_frames)
        args = ["-n2"] + (["-Gdpi=%g" % dpi] if dpi else [])
        for k, (lo, hi) in enumerate(self.frame_groups(max_frames)):
            diagram = self._emit_frame(lo, hi, layout.diagram_class(), element_ids=True)
            path = os.path.join(directory, "%s_%03d.%s" % (prefix, k, format))
            with open(path, "wb") as f:
                f.write(pipe(diagram, format, engine="neato", timeout=timeout, extra_args=args))
            paths.append(path)
        return paths

    def save_gif(self, path, seconds_per_step=0.7, dpi=72, frames_dir=None,
                 timeout=DEFAULT_TIMEOUT, max_frames=MAX_FRAMES):
        """An animated GIF of the run, laid out once; returns ``path``.

        One frame per step (the first and last shown twice as long), or, for runs of more
        than ``max_frames`` steps (default 120), steps grouped so the GIF has ``max_frames``
        frames (``max_frames=None``: one frame per step however many). ``frames_dir`` also
        writes the frames as numbered PNGs.
        """
        from viz.animate import GifWriter
        layers, frame_states = self._layers(dpi, timeout, max_frames)
        directory = os.path.dirname(os.fspath(path))
        if directory:
            os.makedirs(directory, exist_ok=True)
        if frames_dir:
            os.makedirs(frames_dir, exist_ok=True)
        count = len(frame_states)
        with GifWriter(path, layers.size, layers.palette) as gif:
            for k, (canvas, box) in enumerate(layers.frames(frame_states)):
                slow = k == 0 or k == count - 1
                gif.add(canvas, seconds_per_step * (2000 if slow else 1000), box)
                if frames_dir:
                    layers.image(canvas).save(
                        os.path.join(frames_dir, "frame_%03d.png" % k), compress_level=1)
        return path


def _font(text, size=None, colour=None, bold=False):
    from viz.draw import _font as font
    return font(text, size=size, colour=colour, bold=bold)


class _FixedLayout:
    """Positions from one ``dot -Tjson`` layout, injected into every frame's DOT."""

    def __init__(self, data):
        self.graph_bb = data["bb"]
        self.clusters = {}
        self.nodes = {}
        names = {}
        for obj in data.get("objects", []):
            if "nodes" in obj or "subgraphs" in obj or "bb" in obj:
                if "bb" in obj:
                    self.clusters[obj["name"]] = {"bb": obj["bb"]}
                    if "lp" in obj:
                        self.clusters[obj["name"]]["lp"] = obj["lp"]
                continue
            names[obj["_gvid"]] = obj["name"]
            if "pos" in obj:
                self.nodes[obj["name"]] = {"pos": obj["pos"] + "!", "width": obj["width"],
                                           "height": obj["height"]}
        self.edges = {}
        self.edge_ids = {}
        for e in data.get("edges", []):
            attrs = {}
            for field in ("pos", "lp", "head_lp", "tail_lp"):
                if field in e:
                    attrs[field] = e[field]
            if "id" in e:
                self.edge_ids[e["id"]] = attrs
            else:
                key = (names.get(e["tail"]), names.get(e["head"]), e.get("label", ""))
                self.edges.setdefault(key, []).append(attrs)
        self.graph_lp = data.get("lp")

    def diagram_class(self):
        layout = self
        counters = {}

        class Placed(Diagram):
            def __init__(self, name=None, *args, **kwargs):
                super().__init__(name, *args, **kwargs)
                if name == "tfone":
                    extra = {"bb": layout.graph_bb}
                    if layout.graph_lp:
                        extra["lp"] = layout.graph_lp
                    self.attr("graph", **extra)
                elif name in layout.clusters:
                    self.attr("graph", **layout.clusters[name])

            def node(self, name, label=None, _attributes=None, **attrs):
                attrs.update(layout.nodes.get(name, {}))
                super().node(name, label, _attributes=_attributes, **attrs)

            def edge(self, tail_name, head_name, label=None, _attributes=None, **attrs):
                if "id" in attrs:
                    attrs.update(layout.edge_ids.get(attrs["id"], {}))
                else:
                    key = (tail_name, head_name, attrs.get("label", label) or "")
                    k = counters.get(key, 0)
                    counters[key] = k + 1
                    placed = layout.edges.get(key) or []
                    if k < len(placed):
                        attrs.update(placed[k])
                super().edge(tail_name, head_name, label, _attributes=_attributes, **attrs)
        return Placed


# -- the traced run --------------------------------------------------------------------------------
def _state_roots(ordered):
    """{tensor: variable ops whose buffer the tensor may share} (as the Session decides when
    it copies fetched values: ops declaring ``aliases='state'`` or ``'input'``)."""
    roots = {}
    for op in ordered:
        opdef = opdef_of(op.type)
        aliases = getattr(opdef, "aliases", None)
        if aliases is None:
            continue
        found = set()
        if op.type in VARIABLE_TYPES:
            found.add(op)
        elif aliases == "state":
            refs = _ref_slots(op)
            found.update(t.op for i, t in enumerate(op.inputs)
                         if i in refs and t.op.type in VARIABLE_TYPES)
        if aliases in ("state", "input"):
            for t in op.inputs:
                found.update(roots.get(t, ()))
        if found:
            for t in op.outputs:
                roots[t] = frozenset(found)
    return roots


def _read_variables(sess, var_ops):
    """{variable op: value now} for the variables that have a value (uninitialised ones are
    left out)."""
    var_ops = list(var_ops)
    if not var_ops:
        return {}
    try:
        return dict(zip(var_ops, sess.run([op.outputs[0] for op in var_ops])))
    except tf.errors.OpError:
        out = {}
        for op in var_ops:
            try:
                out[op] = sess.run(op.outputs[0])
            except tf.errors.OpError:
                pass
        return out


def _pure(tensor, fed):
    """Can ``tensor`` be evaluated again without changing state (no stateful op on the way,
    variables only read)?"""
    for op in ancestors([tensor.op], through_refs=False, stop_tensors=fed):
        opdef = opdef_of(op.type)
        if op.type not in VARIABLE_TYPES and getattr(opdef, "stateful", False):
            return False
    return True


def _values_as_computed(sess, values, ordered, before, feed_dict, fed):
    """Replace the fetched values of tensors that share a variable's buffer (a variable's
    read, a reshape of it) by what they held at their step, when the run changed the
    variable afterwards: the read itself is the value before the run; anything else is
    evaluated again with the variables set back to those values (then restored)."""
    roots = _state_roots(ordered)
    suspects = {t: r for t, r in roots.items() if t in values}
    if not suspects:
        return values
    after = _read_variables(sess, before)
    changed = {op for op in before if op in after and not np.array_equal(
        np.asarray(before[op]), np.asarray(after[op]))}
    stale = {t: r & changed for t, r in suspects.items() if r & changed}
    if not stale:
        return values
    values = dict(values)
    again = []
    for t, vars_ in stale.items():
        if getattr(opdef_of(t.op.type), "stateful", False):
            continue  # an update's own output: the value it wrote (after the run) is right
        source = t
        while source.op.type not in VARIABLE_TYPES and getattr(
                opdef_of(source.op.type), "passthrough", False) and source.op.inputs:
            source = source.op.inputs[0]
        if source.op.type in VARIABLE_TYPES and source.op in before:
            values[t] = np.array(before[source.op], copy=True)
        elif _pure(t, fed):
            again.append(t)
        else:
            del values[t]  # cannot know its value at its step: show none rather than a wrong one
    if again:
        variables = _variables_by_op(sess.graph)
        needed = set().union(*(stale[t] for t in again))
        if all(op in variables and hasattr(variables[op], "load") for op in needed):
            try:
                for op in needed:
                    variables[op].load(before[op], sess)
                recomputed = sess.run(again, feed_dict)
            finally:
                for op in needed:
                    variables[op].load(after[op], sess)
            values.update(zip(again, recomputed))
        else:
            for t in again:
                del values[t]
    return values


def trace(sess, fetches, feed_dict=None, target=None, title=None, rankdir="TB", values=True,
          max_outputs=2, **options):
    """Run ``sess.run(fetches, feed_dict)`` once, traced, and return a :class:`Trace`.

    ``trace.order`` lists the executed ops (forward, backward, updates; a valid topological
    order), ``trace.diagram()`` numbers every drawn node by its step and shows its value,
    ``trace.save_gif(path)`` and ``trace.save_frames(dir)`` animate the run: each node lights
    up at its step with the value it computed (scalars in full, small tensors compactly,
    larger ones as shape and statistics; ``max_outputs`` outputs per node). ``values=False``
    shows step numbers only. ``target`` chooses what is drawn (default: what the fetches
    depend on); other options are those of :func:`viz.draw_graph`.
    """
    options, emit_options = split_options(dict(options))
    model = GraphModel(target if target is not None else fetches, **options)
    graph = sess.graph
    fed = _feed_tensors(graph, feed_dict)
    needed = ancestors(_fetch_ops(graph, fetches), through_refs=False, stop_tensors=fed)
    wanted = []
    if values:
        for unit in model.units.values():
            for t in _unit_tensors(unit):
                if (t.op in needed and t not in fed and t.dtype.name != "string"
                        and t not in wanted):
                    wanted.append(t)
    before = _read_variables(sess, sorted((op for op in needed if op.type in VARIABLE_TYPES),
                                          key=lambda op: op.name)) if wanted else {}
    run_metadata = tf.RunMetadata()
    results, fetched = run_extra(sess, fetches, wanted, feed_dict, run_metadata)
    recorded = [graph.get_operation_by_name(stat.op_name) for stat in run_metadata.step_stats]
    # tf.cond outputs are computed inline by the plan (no kernel call, no step stat).
    recorded_set = set(recorded)
    inline = [op for op in executed_ops(graph, run_metadata, needed) if op not in recorded_set]
    executed = recorded + sorted(inline, key=lambda op: op.name)
    ordered, phase = execution_order(executed, executed)
    computed = {t: np.asarray(v) for t, v in fed.items()} if values else {}
    if wanted:
        computed.update(_values_as_computed(sess, fetched, ordered, before, feed_dict, fed))
    fed_ops = [t.op for t in fed if t.op not in phase]
    # Fed placeholders take part in the run although no kernel computes them: they are the
    # first steps of the picture (but not of ``order``, which lists executed ops).
    for op in reversed(list(dict.fromkeys(fed_ops))):
        ordered.insert(0, op)
        phase[op] = "forward"
    return Trace(model, ordered, phase, run_metadata, results, title, rankdir, emit_options,
                 fed_ops, computed, values, max_outputs)
