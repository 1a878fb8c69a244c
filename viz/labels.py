"""Short, readable text for pictures: shapes (``?×784``), values, numbers, HTML-safe labels.

Everything here is pure formatting: no graph walking, no Graphviz. Keeping it in one place
means every picture (graph, values, gradient flow, trace, text view) writes shapes and
numbers the same way.
"""
import math

import numpy as np

__all__ = ["shape_text", "dtype_text", "html_escape", "number_text", "value_summary",
           "value_lines", "short_value"]


def shape_text(shape):
    """``?×784`` for [None, 784], ``scalar`` for [], ``?`` when even the rank is unknown."""
    dims = shape.as_tuple() if hasattr(shape, "as_tuple") else shape
    if dims is None:
        return "?"
    dims = tuple(dims)
    if not dims:
        return "scalar"
    return "×".join("?" if d is None else str(d) for d in dims)


_SHORT_DTYPES = {"float32": "f32", "float64": "f64", "float16": "f16", "int32": "i32",
                 "int64": "i64", "int8": "i8", "int16": "i16", "uint8": "u8", "uint16": "u16",
                 "bool": "bool", "string": "str", "complex64": "c64", "complex128": "c128"}


def dtype_text(dtype, short=False):
    name = getattr(dtype, "name", str(dtype))
    return _SHORT_DTYPES.get(name, name) if short else name


def html_escape(text):
    """Escape text for a Graphviz HTML-like label (also escapes characters DOT would misread)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "<br/>"))


def number_text(x, digits=4):
    """A compact, exact-enough rendering of a number: 0.25, 1.234e-05, -3, nan, inf."""
    if isinstance(x, (bool, np.bool_)):
        return "True" if x else "False"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return "%s%+.*gj" % (number_text(x.real, digits), digits, x.imag)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e6:
        return "%d" % x
    return "%.*g" % (digits, x)


def short_value(value, max_elements=4):
    """Small arrays in full (``[1, 2, 3]``), larger ones as None (the caller shows a summary)."""
    array = np.asarray(value)
    if array.dtype.kind in "SUO":
        if array.size > max_elements:
            return None
        items = [str(v.decode() if isinstance(v, bytes) else v) for v in array.reshape(-1)]
        text = ", ".join(repr(s) for s in items)
        return text if array.ndim == 0 else "[%s]" % text
    if array.ndim == 0:
        return number_text(array.item())
    if array.size > max_elements:
        return None
    if array.ndim == 1:
        return "[%s]" % ", ".join(number_text(v) for v in array.tolist())
    return "%s of %s" % (shape_text(array.shape),
                         "[" + ", ".join(number_text(v) for v in array.reshape(-1).tolist()) + "]")


def _nested(items):
    if isinstance(items, list):
        return "[" + ", ".join(_nested(i) for i in items) + "]"
    return number_text(items)


def value_summary(value):
    """Statistics of a computed value as a dict (what draw_values shows on each node).

    Keys: shape, dtype, size, and for numeric arrays mean, std, min, max, zeros (fraction),
    nan and inf (counts). Statistics cover finite elements only, so one NaN does not hide the
    rest of the picture.
    """
    array = np.asarray(value)
    out = {"shape": tuple(array.shape), "dtype": str(array.dtype), "size": int(array.size)}
    if array.dtype.kind not in "biufc" or array.size == 0:
        return out
    if array.dtype.kind == "c":
        array = np.abs(array)
    data = array.astype(np.float64, copy=False)
    finite = np.isfinite(data)
    out["nan"] = int(np.isnan(data).sum())
    out["inf"] = int(np.isinf(data).sum())
    out["zeros"] = float(np.count_nonzero(data == 0)) / array.size
    values = data[finite] if out["nan"] or out["inf"] else data
    if values.size:
        out["mean"] = float(values.mean())
        out["std"] = float(values.std())
        out["min"] = float(values.min())
        out["max"] = float(values.max())
    return out


def value_lines(value, with_shape=True):
    """Lines of text describing a value: scalars and tiny vectors in full, tensors as shape
    and statistics (mean, std, min, max, share of zeros, NaN/Inf counts)."""
    array = np.asarray(value)
    small = short_value(array)
    if array.ndim == 0 or (small is not None and array.ndim == 1):
        return ["= " + small]
    stats = value_summary(array)
    lines = ["%s %s" % (shape_text(stats["shape"]), array.dtype.name)] if with_shape else []
    if 0 < array.size <= 6 and array.dtype.kind in "biuf":
        # Tiny tensors: every value, nested like numpy prints them.
        lines.append("= " + _nested(array.tolist()))
    elif "mean" in stats:
        lines.append("mean %s  std %s" % (number_text(stats["mean"], 3), number_text(stats["std"], 3)))
        zeros = stats.get("zeros", 0.0)
        zeros_text = ("<1%" if 0 < zeros < 0.01 else "%.0f%%" % (100 * zeros))
        lines.append("min %s  max %s  zeros %s" % (number_text(stats["min"], 3),
                                                   number_text(stats["max"], 3), zeros_text))
    bad = []
    if stats.get("nan"):
        bad.append("%d NaN" % stats["nan"])
    if stats.get("inf"):
        bad.append("%d Inf" % stats["inf"])
    if bad:
        lines.append("⚠ " + ", ".join(bad))
    return lines
