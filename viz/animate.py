"""Fast frames for ``viz.trace``: a few Graphviz renders, then array copies per frame.

A frame of the animation differs from the next only in the state of some nodes and edges
(still to run, computing now, done) and in its caption. So Graphviz renders the whole picture
three times with the fixed layout ("layers": every node still to run, every node done, every
node computing now), each with its drawing operations (``-Tjson``, xdot). Those operations
say which pixels each node and edge covers; a frame takes each element's pixels from the
layer that matches its state in that frame. All captions are rendered in one more Graphviz
call and pasted in. Frames are kept as palette indices (one palette for the whole
animation), so a GIF frame stores only the rectangle that changed, with unchanged pixels
transparent; the GIF is written as it goes, so memory stays at a few canvases.
"""
import io
import json
import math
import os
import re
import struct
import tempfile

import numpy as np

from viz.render import run_graphviz

__all__ = ["Layers", "GifWriter", "LAYERS"]

LAYERS = ("todo", "done", "current")
TRANSPARENT = 255  # palette index of "unchanged" in GIF frames; colours use 0..254
EXACT_COLOURS = 128  # colours kept exactly in the palette (named, then frequent)
CAPTIONS_PER_COLUMN = 100


def _pil():
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        raise ImportError("Saving an animation needs Pillow: pip install pillow (or "
                          "pip install tfone[plots]).") from None
    return Image, ImageDraw


class _Canvas:
    """Points (Graphviz coordinates, y up) to pixels (y down) of one render."""

    def __init__(self, data, size):
        # The first drawing operation of the graph paints the whole page: its corners.
        corners = None
        for op in data.get("_draw_", []):
            if op.get("op") in ("P", "p") and len(op.get("points", ())) >= 3:
                corners = op["points"]
                break
        if corners is None:
            x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
        else:
            xs = [p[0] for p in corners]
            ys = [p[1] for p in corners]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        self.width, self.height = size
        self.x0, self.y1 = x0, y1
        self.sx = self.width / (x1 - x0)
        self.sy = self.height / (y1 - y0)

    def xy(self, x, y):
        return (x - self.x0) * self.sx, (self.y1 - y) * self.sy


def _bezier(points, samples=12):
    """Points along a piecewise cubic Bezier curve (Graphviz's control points)."""
    pts = np.asarray(points, dtype=float)
    if len(pts) < 4:
        return pts
    out = [pts[0]]
    t = np.linspace(0, 1, samples)[1:, None]
    for k in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[k:k + 4]
        out.extend((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2
                   + t ** 3 * p3)
    return np.asarray(out)


def _shapes(ops, closed=False):
    """xdot operations as ('poly'|'line'|'ellipse'|'box', points in points, line width).

    ``closed``: Bezier paths enclose their inside (a node's; an edge's are lines)."""
    width, size = 1.0, 14.0
    out = []
    for op in ops:
        kind = op.get("op")
        if kind == "S":
            text = op.get("style", "")
            if text.startswith("setlinewidth("):
                try:
                    width = float(text[len("setlinewidth("):-1])
                except ValueError:
                    pass
        elif kind == "F":
            size = float(op.get("size", size))
        elif kind in ("P", "p"):
            out.append(("poly", op["points"], width))
        elif kind == "L":
            out.append(("line", op["points"], width))
        elif kind in ("b", "B"):  # (an edge's spline comes as "b" too: never fill it)
            out.append(("poly" if closed else "line", _bezier(op["points"]).tolist(), width))
        elif kind in ("E", "e"):
            cx, cy, rx, ry = op["rect"]
            out.append(("ellipse", [(cx - rx, cy - ry), (cx + rx, cy + ry)], width))
        elif kind == "T":
            x, y = op["pt"]
            w = float(op.get("width", 0))
            left = {"l": x, "c": x - w / 2, "r": x - w}.get(op.get("align", "c"), x - w / 2)
            # xdot's text width is an estimate: a little slack each side.
            out.append(("box", [(left - 2, y - 0.35 * size), (left + w + 2, y + size)], 0))
    return out


class _Element:
    __slots__ = ("key", "box", "mask", "owned")

    def __init__(self, key, box, mask):
        self.key, self.box, self.mask, self.owned = key, box, mask, None


def _rasterise(key, shapes, canvas, grow, ImageDraw, Image):
    """A boolean mask (in a bounding box) of the pixels the shapes cover, grown by ``grow``
    pixels (plus half the line width) so anti-aliased and thicker borders are included."""
    coords = []
    for kind, pts, lw in shapes:
        for x, y in pts:
            coords.append(canvas.xy(x, y))
    if not coords:
        return None
    pad = int(math.ceil(grow + 3 * max([s[2] for s in shapes] + [1]) * canvas.sx)) + 2
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    x0 = max(0, int(math.floor(min(xs))) - pad)
    y0 = max(0, int(math.floor(min(ys))) - pad)
    x1 = min(canvas.width, int(math.ceil(max(xs))) + pad + 1)
    y1 = min(canvas.height, int(math.ceil(max(ys))) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    image = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(image)
    for kind, pts, lw in shapes:
        xy = [(px - x0, py - y0) for px, py in (canvas.xy(x, y) for x, y in pts)]
        line = max(1, int(round(lw * canvas.sx + 2 * grow)))
        if kind == "poly" and len(xy) >= 3:
            draw.polygon(xy, fill=255)
            draw.line(xy + xy[:1], fill=255, width=line, joint="curve")
        elif kind == "line" and len(xy) >= 2:
            draw.line(xy, fill=255, width=line, joint="curve")
        elif kind == "ellipse":
            (ax, ay), (bx, by) = xy
            box = [min(ax, bx) - grow, min(ay, by) - grow, max(ax, bx) + grow, max(ay, by) + grow]
            draw.ellipse(box, fill=255)
        elif kind == "box":
            (ax, ay), (bx, by) = xy
            draw.rectangle([min(ax, bx) - grow, min(ay, by) - grow,
                            max(ax, bx) + grow, max(ay, by) + grow], fill=255)
    mask = np.asarray(image) > 0
    return _Element(key, (slice(y0, y1), slice(x0, x1)), mask)


def _element_ops(data):
    """{('node', name) | ('edge', id): [xdot ops]} of one -Tjson render."""
    found = {}
    for obj in data.get("objects", []):
        if "nodes" in obj or "subgraphs" in obj or "_draw_" not in obj or "bb" in obj:
            continue
        ops = []
        for field in ("_draw_", "_ldraw_"):
            ops.extend(obj.get(field, ()))
        found[("node", obj["name"])] = (ops, True)
    for e in data.get("edges", []):
        if "id" not in e:
            continue
        ops = []
        for field in ("_draw_", "_ldraw_", "_hdraw_", "_tdraw_", "_hldraw_", "_tldraw_"):
            ops.extend(e.get(field, ()))
        found[("edge", e["id"])] = (ops, False)
    return found


def _label_rows(data, canvas):
    """The rows of the graph's own label (title and caption), in pixels, or None."""
    ys = []
    for op in _shapes(data.get("_ldraw_", ())):
        for x, y in op[1]:
            ys.append(canvas.xy(x, y)[1])
    if not ys:
        return None
    return max(0, int(math.floor(min(ys))) - 3), min(canvas.height, int(math.ceil(max(ys))) + 4)


class Layers:
    """The three renders of one fixed layout, as palette indices, and which pixels belong to
    which node and edge.

    ``sources``: {layer name: DOT text with fixed positions}; ``elements``: the keys
    (('node', name) or ('edge', id)) whose state changes between frames; ``captions``:
    the graph label of every frame (HTML-like labels, ``<...>``).
    """

    def __init__(self, sources, elements, captions, graph_attrs, dpi, timeout):
        Image, ImageDraw = _pil()
        self.Image = Image
        dpi = float(dpi or 96)
        renders = {}
        with tempfile.TemporaryDirectory() as tmp:
            jobs = []
            for name, source in sources.items():
                png, js = os.path.join(tmp, name + ".png"), os.path.join(tmp, name + ".json")
                jobs.append((name, source, png, js))
            cap_png, cap_json = os.path.join(tmp, "captions.png"), os.path.join(tmp, "captions.json")
            cap_source = _caption_sheet(captions, graph_attrs)
            run_graphviz([(src, "neato", ["-n2"], [("png", png), ("json", js)])
                          for _, src, png, js in jobs]
                         + [(cap_source, "dot", [], [("png", cap_png), ("json", cap_json)])],
                         dpi=dpi, timeout=timeout)
            for name, _, png, js in jobs:
                with open(js, encoding="utf-8") as f:
                    data = json.load(f)
                renders[name] = (Image.open(png).convert("RGB"), data)
            with open(cap_json, encoding="utf-8") as f:
                cap_data = json.load(f)
            cap_image = Image.open(cap_png).convert("RGB")
        sizes = {im.size for im, _ in renders.values()}
        if len(sizes) != 1:
            raise RuntimeError("The animation's layers rendered at different sizes %s; the "
                               "fixed layout was not applied." % sorted(sizes))
        first = renders[LAYERS[0]][1]
        self.size = sizes.pop()
        canvas = _Canvas(first, self.size)
        self._palette(renders, cap_image, list(sources.values()))
        self.layers = {name: self._indices(im) for name, (im, _) in renders.items()}
        # Who owns each pixel: edges first, then nodes on top (Graphviz draws them so).
        wanted = set(elements)
        shapes = {}
        for name in LAYERS:
            for key, (found, closed) in _element_ops(renders[name][1]).items():
                if key in wanted:
                    shapes.setdefault(key, []).extend(_shapes(found, closed))
        grow = max(1.0, canvas.sx)
        owner = np.full(self.size[::-1], -1, dtype=np.int32)
        self.elements = {}
        position = {key: k for k, key in enumerate(elements)}
        ordered = sorted(shapes, key=lambda k: (k[0] != "edge", position[k]))
        for index, key in enumerate(ordered):
            element = _rasterise(key, shapes[key], canvas, grow, ImageDraw, Image)
            if element is None:
                continue
            region = owner[element.box]
            region[element.mask] = index
            self.elements[key] = (index, element)
        for key, (index, element) in self.elements.items():
            element.owned = owner[element.box] == index
            element.mask = None
        self.label_rows = _label_rows(first, canvas)
        self.label_x = None
        if first.get("lp"):
            lx, ly = (float(v) for v in first["lp"].split(","))
            self.label_x, self.label_y = canvas.xy(lx, ly)
        self.captions = self._cut_captions(cap_data, cap_image, len(captions))
        self.background = self._indices(Image.new("RGB", (1, 1), "white"))[0, 0]

    # -- colours --------------------------------------------------------------------------------
    def _palette(self, renders, cap_image, sources):
        """One palette of 255 colours for every layer and caption (index 255 = transparent):
        the most frequent colours exactly (fills, borders, text), then a median cut of the
        rest (anti-aliased edges)."""
        Image = self.Image
        counts = {}
        for im in [im for im, _ in renders.values()] + [cap_image]:
            # (frequencies from every other pixel: close enough to rank colours)
            half = im.resize((max(1, im.width // 2), max(1, im.height // 2)), Image.NEAREST)
            found = half.getcolors(maxcolors=1 << 16)  # (a small limit is much faster)
            if found is None:
                keys, n = np.unique(_keys(half), return_counts=True)
                found = [(int(c), (int(k & 255), int((k >> 8) & 255), int(k >> 16)))
                         for k, c in zip(keys, n)]
            for count, colour in found:
                counts[colour] = counts.get(colour, 0) + count
        # The colours the DOT text names (fills, borders, text) exactly, then the most
        # frequent ones.
        named = set()
        for source in sources:
            for match in re.finditer(r'#([0-9A-Fa-f]{6})\b', source):
                value = match.group(1)
                named.add((int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)))
        named = sorted(named, key=lambda c: -counts.get(c, 0))[:EXACT_COLOURS // 2]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        exact = list(named)
        for colour, _ in ranked:
            if len(exact) >= EXACT_COLOURS:
                break
            if colour not in named:
                exact.append(colour)
        chosen = set(exact)
        rest = [(c, n) for c, n in ranked if c not in chosen]
        colours = list(exact)
        if rest:
            # One pixel per (colour, up to 64 of its uses): a small image to median-cut.
            repeat = np.minimum(np.array([n for _, n in rest]), 64)
            pixels = np.repeat(np.array([c for c, _ in rest], dtype=np.uint8), repeat, axis=0)
            sheet = Image.fromarray(pixels.reshape(1, -1, 3), "RGB")
            more = sheet.quantize(colors=255 - len(exact), method=Image.Quantize.MEDIANCUT)
            extra = np.array(more.getpalette()[:3 * (255 - len(exact))]).reshape(-1, 3)
            colours.extend(tuple(int(v) for v in c) for c in extra)
        colours = np.array(colours[:255], dtype=np.int64).reshape(-1, 3)
        if len(colours) < 255:
            colours = np.vstack([colours, np.repeat(colours[:1], 255 - len(colours), axis=0)])
        self.colours = colours
        self.palette = [int(c) for c in colours.reshape(-1)] + [255, 0, 255]

    def _indices(self, image):
        """An RGB image as palette indices: each colour mapped to its nearest palette colour
        exactly (Pillow's own mapping rounds colours first), without dithering."""
        keys = _keys(image)
        seen = np.zeros(1 << 24, dtype=bool)
        seen[keys] = True
        present = np.flatnonzero(seen)
        pixels = np.stack([present & 255, (present >> 8) & 255, present >> 16], axis=1)
        lut = np.zeros(1 << 24, dtype=np.uint8)
        for start in range(0, len(present), 2048):
            chunk = pixels[start:start + 2048, None, :] - self.colours[None]
            lut[present[start:start + 2048]] = (chunk * chunk).sum(-1).argmin(1)
        return lut[keys]

    # -- captions -------------------------------------------------------------------------------
    def _cut_captions(self, data, image, count):
        canvas = _Canvas(data, image.size)
        indices = self._indices(image)
        boxes = {}
        for obj in data.get("objects", []):
            name = obj.get("name", "")
            if not name.startswith("caption") or "pos" not in obj:
                continue
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 36, float(obj["height"]) * 36
            (ax, ay), (bx, by) = canvas.xy(x - w, y + h), canvas.xy(x + w, y - h)
            box = (max(0, int(round(ay))), min(image.height, int(round(by))),
                   max(0, int(round(ax))), min(image.width, int(round(bx))))
            boxes[int(name[len("caption"):])] = indices[box[0]:box[1], box[2]:box[3]]
        return [boxes.get(k) for k in range(count)]

    # -- frames ---------------------------------------------------------------------------------
    def start(self, states):
        """The canvas (palette indices) for ``states`` ({element key: layer name})."""
        canvas = self.layers[LAYERS[0]].copy()
        for key, state in states.items():
            self._paint(canvas, key, state)
        return canvas

    def _paint(self, canvas, key, state):
        found = self.elements.get(key)
        if found is None:
            return None
        _, element = found
        target = canvas[element.box]
        target[element.owned] = self.layers[state][element.box][element.owned]
        return element.box

    def caption(self, canvas, k):
        """Paste caption ``k`` over the graph label; returns the box that changed (the old
        and the new caption's extent), or None."""
        if self.label_rows is None or self.label_x is None:
            return None
        top, bottom = self.label_rows
        previous = getattr(self, "_caption_box", None)
        if previous is None:  # the first frame: clear the label the layers were drawn with
            canvas[top:bottom, :] = self.background
        else:
            canvas[previous] = self.background
        cut = self.captions[k] if k < len(self.captions) else None
        box = None
        if cut is not None and cut.size:
            h, w = cut.shape
            y = int(round(self.label_y - h / 2.0))
            x = int(round(self.label_x - w / 2.0))
            y0, x0 = max(0, y), max(0, x)
            y1, x1 = min(canvas.shape[0], y + h), min(canvas.shape[1], x + w)
            if y1 > y0 and x1 > x0:
                canvas[y0:y1, x0:x1] = cut[y0 - y:y1 - y, x0 - x:x1 - x]
                box = (slice(y0, y1), slice(x0, x1))
        self._caption_box = box
        if previous is None:
            return (slice(top, bottom), slice(0, canvas.shape[1]))
        return _union([b for b in (previous, box) if b is not None])

    def frames(self, frame_states):
        """Yield (canvas, changed box or None) per frame; ``frame_states``: a list of
        {element key: layer name}. The canvas is reused: copy it to keep it."""
        canvas = None
        previous = {}
        self._caption_box = None
        for k, states in enumerate(frame_states):
            if canvas is None:
                canvas = self.start(states)
                self.caption(canvas, k)
                previous = dict(states)
                yield canvas, None
                continue
            boxes = []
            for key, state in states.items():
                if previous.get(key) != state:
                    box = self._paint(canvas, key, state)
                    if box is not None:
                        boxes.append(box)
            previous = dict(states)
            box = self.caption(canvas, k)
            if box is not None:
                boxes.append(box)
            yield canvas, _union(boxes)

    def image(self, canvas):
        """A palette image of ``canvas``."""
        image = self.Image.fromarray(canvas, "P")
        image.putpalette(self.palette)
        return image


def _keys(image):
    """Each pixel's colour as one integer R | G << 8 | B << 16."""
    rgba = image.convert("RGBA")
    keys = np.frombuffer(rgba.tobytes(), dtype="<u4").reshape(image.height, image.width)
    return (keys & 0xFFFFFF).astype(np.intp)


def _union(boxes):
    if not boxes:
        return None
    y0 = min(b[0].start for b in boxes)
    y1 = max(b[0].stop for b in boxes)
    x0 = min(b[1].start for b in boxes)
    x1 = max(b[1].stop for b in boxes)
    return (slice(y0, y1), slice(x0, x1))


def _caption_sheet(captions, graph_attrs):
    """DOT for one picture holding every caption, one per row (node ``captionK``)."""
    from viz.draw import _quote
    lines = ["digraph captions {",
             '\tgraph [bgcolor=white fontname="%s" ranksep=0.02 nodesep=0.05 pad=0.1]'
             % graph_attrs.get("fontname", ""),
             '\tnode [shape=plaintext margin=0 width=0 height=0 fontname="%s" fontsize=%s]'
             % (graph_attrs.get("fontname", ""), graph_attrs.get("fontsize", "12"))]
    for k, label in enumerate(captions):
        lines.append("\t%s [label=%s]" % (_quote("caption%d" % k), label))
    for k in range(1, len(captions)):
        if k % CAPTIONS_PER_COLUMN:  # columns of captions, side by side (a short picture)
            lines.append("\tcaption%d -> caption%d [style=invis]" % (k - 1, k))
    lines.append("}")
    return "\n".join(lines) + "\n"


class GifWriter:
    """An animated GIF written frame by frame: one global palette, each frame only the
    rectangle that changed, unchanged pixels transparent (index 255)."""

    def __init__(self, path, size, palette, loop=0):
        Image, _ = _pil()
        self.Image = Image
        self.palette = bytes(palette[:768]) + bytes(768 - len(palette[:768]))
        self.file = open(path, "wb")
        width, height = size
        self.file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0))
        self.file.write(self.palette)
        self.file.write(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")
        self.previous = None
        self.frames = 0

    def add(self, canvas, duration_ms, box=None):
        """Append ``canvas`` (palette indices); ``box`` bounds what changed since the last
        frame (None: compare the whole canvas)."""
        if self.previous is None:
            region, left, top, transparent = canvas, 0, 0, False
        else:
            if box is None:
                changed = np.nonzero(canvas != self.previous)
                if not len(changed[0]):
                    box = (slice(0, 1), slice(0, 1))
                else:
                    box = (slice(changed[0].min(), changed[0].max() + 1),
                           slice(changed[1].min(), changed[1].max() + 1))
            new, old = canvas[box], self.previous[box]
            region = np.where(new == old, np.uint8(TRANSPARENT), new)
            top, left, transparent = box[0].start, box[1].start, True
        delay = max(2, int(round(duration_ms / 10.0)))
        packed = (1 << 2) | (1 if transparent else 0)  # disposal 1: leave the frame in place
        self.file.write(b"\x21\xF9\x04" + struct.pack("<BHB", packed, delay,
                                                       TRANSPARENT if transparent else 0) + b"\x00")
        self.file.write(self._image_block(np.ascontiguousarray(region), left, top))
        if self.previous is None:
            self.previous = canvas.copy()
        else:
            self.previous[box] = canvas[box]
        self.frames += 1

    def _image_block(self, region, left, top):
        """Image descriptor and LZW data of ``region``, encoded by Pillow."""
        image = self.Image.fromarray(region, "P")
        image.putpalette(self.palette)
        buffer = io.BytesIO()
        image.save(buffer, "GIF", optimize=False)
        data = buffer.getvalue()
        i = 13
        if data[10] & 0x80:
            i += 3 * (2 << (data[10] & 7))
        while i < len(data):
            block = data[i]
            if block == 0x21:  # an extension: skip its sub-blocks
                i += 2
                while data[i]:
                    i += data[i] + 1
                i += 1
            elif block == 0x2C:
                start = i
                flags = data[i + 9]
                i += 10
                if flags & 0x80:
                    i += 3 * (2 << (flags & 7))
                i += 1  # LZW minimum code size
                while data[i]:
                    i += data[i] + 1
                i += 1
                block_bytes = bytearray(data[start:i])
                block_bytes[1:5] = struct.pack("<HH", left, top)
                block_bytes[9] &= 0x7F  # the global palette (no local one)
                if flags & 0x80:  # drop a local palette Pillow may have written
                    size = 3 * (2 << (flags & 7))
                    del block_bytes[10:10 + size]
                return bytes(block_bytes)
            else:
                break
        raise RuntimeError("Could not read the GIF frame Pillow wrote.")

    def close(self):
        if self.file is not None:
            self.file.write(b"\x3B")
            self.file.close()
            self.file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
