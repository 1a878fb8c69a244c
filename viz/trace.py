"""``viz.trace``: the order in which a run executes ops, as a list, a numbered picture and an
animation whose frames light up the computed nodes one step at a time.

The run is traced with ``RunOptions(trace_level=FULL_TRACE)``, which records every executed
op with its time and output size (``run_metadata.step_stats``). For teaching, the steps are
shown in phases: the forward pass in topological order, then the backward pass (ops built by
tf.gradients), then what depends on gradients (optimizer updates). This is a valid execution
order (every op comes after its inputs); ``Trace.run_order`` keeps the order the Session
actually used, which interleaves the phases when that frees memory sooner.

The animation is laid out once (``dot -Tjson``); every frame is then rendered with those fixed
positions (``neato -n2``), so nothing jumps between frames.
"""
import heapq
import json
import os
import tempfile

import numpy as np

import tfone as tf

from viz import style
from viz.draw import emit, split_options
from viz.graph_model import GraphModel, STUB, _ref_slots, ancestors, is_gradient_op
from viz.labels import number_text
from viz.render import Diagram, pipe, DEFAULT_TIMEOUT
from viz.values import _feed_tensors, _fetch_ops, executed_ops

__all__ = ["trace", "Trace", "execution_order"]

PHASES = ("forward", "backward", "update")
CURRENT_FILL = style.OKABE_ITO["yellow"]
PHASE_TEXT = {"forward": "forward pass", "backward": "backward pass", "update": "updates"}


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
    """What one traced run executed, in order; draw it, or animate it.

    Attributes: ``order`` (op names, phase order), ``run_order`` (op names, the order of the
    Session's kernel calls; a tf.cond output computed inline has no call), ``phase`` ({op name: 'forward'|'backward'|'update'}), ``times`` ({op name:
    seconds}), ``output_bytes``, ``steps`` (the drawn nodes in the order they first compute:
    a list of (node id, [op names])), ``results`` (what sess.run returned).
    """

    def __init__(self, model, ordered_ops, phase, run_metadata, results, title=None,
                 rankdir="TB", emit_options=None, fed_ops=()):
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
        self._layout = None

    def __len__(self):
        return len(self.order)

    def __iter__(self):
        return iter(self.order)

    # -- pictures ------------------------------------------------------------------------------
    def _decorate(self, current=None, color_by=None):
        """Reset the model's decorations for one picture; ``current`` = step shown (1-based),
        None = the whole run."""
        model = self.model
        times = self.times
        if color_by == "time":
            unit_time = {uid: sum(times.get(n, 0.0) for n in names) for uid, names in self.steps}
            positive = [t for t in unit_time.values() if t > 0]
            lo = min(positive) if positive else 1e-6
            hi = max(positive) if positive else 1e-6
        for uid, unit in model.units.items():
            unit.extra, unit.fill, unit.border, unit.penwidth = [], None, None, None
            unit.fontcolor, unit.dim, unit.emphasis, unit.style_extra = None, False, False, None
            step = self.step_of.get(uid if unit.kind != STUB else unit.hub_of)
            if unit.kind == STUB:
                unit.dim = step is None or (current is not None and step > current)
                continue
            if step is None:
                unit.extra.append(("not run", style.DIM_TEXT, False))
                unit.dim = True
                unit.style_extra = "dashed"
                continue
            unit.extra.insert(0, ("step %d" % step, "#000000", True))
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
            if current is not None:
                if step > current:
                    unit.dim = True
                elif step == current:
                    unit.fill = CURRENT_FILL
                    unit.fontcolor = "#000000"
                    unit.emphasis = True
        for edge in model.edges:
            src_step = self.step_of.get(edge.src) or self.step_of.get(
                getattr(model.units.get(edge.src), "hub_of", None))
            dst_step = self.step_of.get(edge.dst)
            edge.dim = current is not None and (src_step is None or src_step > current
                                                or dst_step is None or dst_step > current)
            edge.emphasis = current is not None and dst_step == current and not edge.dim

    def diagram(self, color_by=None):
        """The whole run: every drawn node numbered by the step it computes in.

        ``color_by='time'`` fills nodes by (log) time spent in their kernels and prints it.
        """
        if color_by not in (None, "time"):
            raise ValueError("color_by must be None or 'time', got %r" % (color_by,))
        self._decorate(None, color_by)
        n = len(self.steps)
        caption = "%d ops executed (%d drawn steps): forward pass, then backward pass, then updates" % (
            len(self.order), n)
        return emit(self.model, rankdir=self.rankdir, title=self.title, caption=caption,
                    **self.emit_options)

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return self.diagram()._repr_mimebundle_(include, exclude)

    def frame(self, step, layout=None):
        """The picture after ``step`` steps (0 = before the run), as a Diagram."""
        if not 0 <= step <= len(self.steps):
            raise IndexError("step must be in 0..%d, got %d" % (len(self.steps), step))
        self._decorate(step)
        if step == 0:
            status = "before the run"
        else:
            uid, names = self.steps[step - 1]
            status = "step %d of %d (%s): %s" % (step, len(self.steps),
                                                 PHASE_TEXT[self.phase[names[0]]], uid)
        return emit(self.model, rankdir=self.rankdir, title=self.title, caption=status,
                    diagram_class=layout.diagram_class() if layout is not None else None,
                    **self.emit_options)

    def _fixed_layout(self, timeout):
        if self._layout is None:
            # Lay out the final frame (all labels present) with the longest caption.
            longest = max((self.frame(k) for k in (0, len(self.steps))),
                          key=lambda d: len(d.source))
            data = json.loads(pipe(longest, "json", timeout=timeout).decode("utf-8"))
            self._layout = _FixedLayout(data)
        return self._layout

    def save_frames(self, directory, prefix="frame", format="png", dpi=None,
                    timeout=DEFAULT_TIMEOUT):
        """Write one picture per step (``frame_000.png`` ...) with a fixed layout; returns paths."""
        layout = self._fixed_layout(timeout)
        os.makedirs(directory, exist_ok=True)
        paths = []
        args = ["-n2"] + (["-Gdpi=%g" % dpi] if dpi else [])
        for k in range(len(self.steps) + 1):
            diagram = self.frame(k, layout)
            path = os.path.join(directory, "%s_%03d.%s" % (prefix, k, format))
            with open(path, "wb") as f:
                f.write(pipe(diagram, format, engine="neato", timeout=timeout, extra_args=args))
            paths.append(path)
        return paths

    def save_gif(self, path, seconds_per_step=0.7, dpi=72, frames_dir=None,
                 timeout=DEFAULT_TIMEOUT):
        """An animated GIF of the run (Pillow), frames laid out once; returns ``path``."""
        try:
            from PIL import Image
        except ImportError:
            raise ImportError("Saving a GIF needs Pillow: pip install pillow (or "
                              "pip install tfone[plots]).") from None
        with tempfile.TemporaryDirectory() as tmp:
            paths = self.save_frames(frames_dir or tmp, dpi=dpi, timeout=timeout)
            images = [Image.open(p).convert("RGB") for p in paths]
            width = max(im.width for im in images)
            height = max(im.height for im in images)
            padded = []
            for im in images:
                if im.size != (width, height):
                    canvas = Image.new("RGB", (width, height), "white")
                    canvas.paste(im, (0, 0))
                    im = canvas
                padded.append(im)
            # One palette for all frames (from the last, fully lit one): unchanged pixels stay
            # identical, so each GIF frame stores only what changed.
            palette = padded[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
            colours = np.array(palette.getpalette()[:3 * 255], dtype=np.int64).reshape(-1, 3)
            colours[np.argmin(((colours - 255) ** 2).sum(1))] = 255  # a pure white background
            frames = [_to_palette(im, colours, Image) for im in padded]
            durations = [int(seconds_per_step * 1000)] * len(frames)
            durations[0] = durations[-1] = int(seconds_per_step * 2000)
            directory = os.path.dirname(os.fspath(path))
            if directory:
                os.makedirs(directory, exist_ok=True)
            frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations,
                           loop=0, optimize=True, disposal=1)
        return path


def _to_palette(image, colours, Image):
    """``image`` mapped exactly to the nearest of ``colours`` (no dithering)."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.int64)
    keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    unique, inverse = np.unique(keys.reshape(-1), return_inverse=True)
    pixels = np.stack([unique >> 16, (unique >> 8) & 255, unique & 255], axis=1)
    nearest = np.empty(len(unique), dtype=np.uint8)
    for start in range(0, len(unique), 4096):
        chunk = pixels[start:start + 4096]
        nearest[start:start + 4096] = ((chunk[:, None, :] - colours[None]) ** 2).sum(-1).argmin(1)
    out = Image.fromarray(nearest[inverse].reshape(rgb.shape[:2]), "P")
    out.putpalette([int(c) for c in colours.reshape(-1)])
    return out


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
        for e in data.get("edges", []):
            key = (names.get(e["tail"]), names.get(e["head"]), e.get("label", ""))
            attrs = {}
            if "pos" in e:
                attrs["pos"] = e["pos"]
            if "lp" in e:
                attrs["lp"] = e["lp"]
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
                text = attrs.get("label", label) or ""
                if text.startswith("<") and text.endswith(">"):
                    text = text  # HTML labels are matched as written
                key = (tail_name, head_name, text)
                k = counters.get(key, 0)
                counters[key] = k + 1
                placed = layout.edges.get(key) or []
                if k < len(placed):
                    attrs.update(placed[k])
                super().edge(tail_name, head_name, label, _attributes=_attributes, **attrs)
        return Placed


def trace(sess, fetches, feed_dict=None, target=None, title=None, rankdir="TB", **options):
    """Run ``sess.run(fetches, feed_dict)`` once, traced, and return a :class:`Trace`.

    ``trace.order`` lists the executed ops (forward, backward, updates; a valid topological
    order), ``trace.diagram()`` numbers every drawn node by its step, ``trace.save_gif(path)``
    and ``trace.save_frames(dir)`` animate the run. ``target`` chooses what is drawn (default:
    what the fetches depend on); other options are those of :func:`viz.draw_graph`.
    """
    options, emit_options = split_options(dict(options))
    run_metadata = tf.RunMetadata()
    results = sess.run(fetches, feed_dict,
                       options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                       run_metadata=run_metadata)
    graph = sess.graph
    recorded = [graph.get_operation_by_name(stat.op_name) for stat in run_metadata.step_stats]
    fed = _feed_tensors(graph, feed_dict)
    needed = ancestors(_fetch_ops(graph, fetches), through_refs=False, stop_tensors=fed)
    # tf.cond outputs are computed inline by the plan (no kernel call, no step stat).
    inline = [op for op in executed_ops(graph, run_metadata, needed) if op not in set(recorded)]
    executed = recorded + sorted(inline, key=lambda op: op.name)
    ordered, phase = execution_order(executed, executed)
    fed_ops = [t.op for t in fed if t.op not in phase]
    model = GraphModel(target if target is not None else fetches, **options)
    # Fed placeholders take part in the run although no kernel computes them: they are the
    # first steps of the picture (but not of ``order``, which lists executed ops).
    for op in reversed(list(dict.fromkeys(fed_ops))):
        ordered.insert(0, op)
        phase[op] = "forward"
    return Trace(model, ordered, phase, run_metadata, results, title, rankdir, emit_options,
                 fed_ops)
