"""Debugging ops: tf.Print, tf.print, tf.check_numerics, tf.add_check_numerics_ops, and the
``Assert`` op behind tf.Assert and the tf.assert_* helpers (see check_ops.py).

These ops do their work as a side effect when a Session runs them: they print, or they raise
``InvalidArgumentError``. An op only runs when something fetched depends on it, so attach
them with ``tf.control_dependencies`` or fetch them (TF1's rule).

Values are printed as TF1's C++ kernels print them (``Tensor::SummarizeValue``): tf.Print
shows the first ``summarize`` elements ("[1 2 3...]"), tf.print the first and last
``summarize`` elements of every dimension ("[0 1 2 ... 7 8 9]").
"""
import builtins
import logging
import pprint
import random
import sys
import weakref

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import Tensor, get_default_graph
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         is_tensor_like, NOT_DIFFERENTIABLE)

__all__ = ["Print", "print", "check_numerics", "add_check_numerics_ops", "string_format"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


# -- formatting values like TF1's Tensor::SummarizeValue -------------------------------------------
def _c_escape(raw):
    out = []
    for byte in raw:
        char = chr(byte)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append("\\%03o" % byte)
    return "".join(out)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "'": "\\'", "\\": "\\\\"}


def _element_formatter(dtype, quote_strings):
    """A function printing one element as TF1's C++ StrCat does."""
    kind = dtype.kind
    if kind == "f":
        # StrCat prints floats with %g at the type's guaranteed digits, and with more digits
        # only when that does not read back as the same number.
        # (half values are printed as floats, as TF1 does)
        short, full = (6, 9) if dtype.itemsize <= 4 else (15, 17)
        ftype = np.float32 if dtype.itemsize <= 4 else np.float64

        def fmt(value):
            value = ftype(value)
            text = "%.*g" % (short, value)
            if ftype(text) != value and value == value:
                text = "%.*g" % (full, value)
            return text
        return fmt
    if kind == "b":
        return lambda value: "1" if value else "0"  # TF1 prints bools as 1/0
    if kind in "iu":
        return lambda value: str(int(value))
    if kind == "c":
        real = _element_formatter(np.dtype(dtype.type(0).real.dtype), quote_strings)
        return lambda value: "(%s,%s)" % (real(value.real), real(value.imag))
    if quote_strings:
        return lambda value: '"%s"' % _c_escape(_as_bytes(value))
    return lambda value: _c_escape(_as_bytes(value))


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("utf-8")


def summarize_value(value, summarize=3, print_v2=False):
    """The text TF1 prints for a tensor value: the first ``summarize`` elements (tf.Print,
    ``print_v2=False``) or the first and last ``summarize`` per dimension (tf.print)."""
    array = np.asarray(value)
    fmt = _element_formatter(array.dtype, print_v2)
    flat = array.reshape(-1)
    total = flat.size
    limit = total if summarize is None or summarize < 0 else builtins.min(summarize, total)
    shape = array.shape
    if not shape:
        text = " ".join(fmt(flat[i]) for i in builtins.range(limit))
        return text + ("..." if total > limit else "")
    out = []
    if print_v2:
        _print_dim_v2(0, shape, limit, flat, 0, fmt, out)
        return "".join(out)
    _print_dim_v1(0, shape, limit, flat, [0], fmt, out)
    if total > limit:
        out.append("...")
    return "".join(out)


def _print_dim_v1(dim, shape, limit, flat, index, fmt, out):
    """Row-major walk printing elements until ``limit`` of them are printed (TF1's Print)."""
    if index[0] >= limit:
        return
    count = shape[dim]
    if dim == len(shape) - 1:
        for i in builtins.range(count):
            if index[0] >= limit:
                if dim != 0:
                    out.append("...")
                return
            if i > 0:
                out.append(" ")
            out.append(fmt(flat[index[0]]))
            index[0] += 1
        return
    for _ in builtins.range(count):
        opened = index[0] < limit
        if opened:
            out.append("[")
        _print_dim_v1(dim + 1, shape, limit, flat, index, fmt, out)
        if index[0] < limit or opened:
            out.append("]")


def _dim_spacing(dim, ndims, out):
    if dim == ndims - 1:
        out.append(" ")
    else:
        out.append("\n" * (ndims - dim - 1) + " " * (dim + 1))


def _print_dim_v2(dim, shape, at_ends, flat, offset, fmt, out):
    """Numpy-like nested brackets with only the first and last ``at_ends`` entries per dim."""
    ndims = len(shape)
    if dim == ndims:
        out.append(fmt(flat[offset]))
        return
    out.append("[")
    count = shape[dim]
    stride = int(np.prod(shape[dim + 1:], dtype=np.int64))
    for i in builtins.range(builtins.min(at_ends, count)):
        if i > 0:
            _dim_spacing(dim, ndims, out)
        _print_dim_v2(dim + 1, shape, at_ends, flat, offset + stride * i, fmt, out)
    if count > 2 * at_ends:
        _dim_spacing(dim, ndims, out)
        out.append("...")
    for i in builtins.range(builtins.max(at_ends, count - at_ends), count):
        _dim_spacing(dim, ndims, out)
        _print_dim_v2(dim + 1, shape, at_ends, flat, offset + stride * i, fmt, out)
    out.append("]")


def _per_session(registry, ctx):
    """A dict of per-session state for kernels (e.g. how often a Print op has printed)."""
    if ctx is None:
        return {}
    state = registry.get(ctx)
    if state is None:
        state = registry[ctx] = {}
    return state


# -- tf.Print ------------------------------------------------------------------------------------
_print_counts = weakref.WeakKeyDictionary()


@register_op("Print")
class PrintOp(OpDef):
    """Passes ``input`` through and prints ``message`` and ``data`` to stderr when run."""
    inputs = ("input:T", "*data")
    attrs = {"message": "", "first_n": -1, "summarize": 3}
    label = "print"
    stateful = True
    aliases = "input"

    def infer(self, input, data, message, first_n, summarize):
        return input.dtype, input.shape

    def make_kernel(self, op, ctx):
        message, first_n = op._attrs["message"], op._attrs["first_n"]
        summarize = op._attrs["summarize"]
        counts = _per_session(_print_counts, ctx)  # TF1 counts first_n per session
        name = op.name

        def print_kernel(input, data):
            if first_n >= 0:
                done = counts.get(name, 0)
                if done >= first_n:
                    return input
                counts[name] = done + 1
            text = message + "".join("[%s]" % summarize_value(d, summarize) for d in data)
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
            return input
        return print_kernel

    def gradient(self, op, grad):
        return [grad] + [None] * (len(op.inputs) - 1)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """TF1's ``tf.Print``: an identity op on ``input_`` that, each time it runs, prints
    ``message`` followed by ``[values]`` of each tensor in ``data`` to stderr.

    ``first_n`` limits how many times it prints (per session); ``summarize`` how many
    elements of each tensor are shown (default 3). Use the returned tensor in place of
    ``input_``, or nothing is printed (the op would never run).
    """
    if isinstance(data, Tensor) or not isinstance(data, (list, builtins.tuple)):
        raise TypeError("Expected list for 'data' argument to 'Print' Op, not %r. Pass the "
                        "tensors to print as a list: tf.Print(x, [x])." % (data,))
    attrs = {"message": "" if message is None else message,
             "first_n": -1 if first_n is None else int(first_n),
             "summarize": 3 if summarize is None else int(summarize)}
    return apply_op("Print", [input_, list(data)], attrs, name=name)


# -- tf.print -------------------------------------------------------------------------------------
@register_op("StringFormat")
class StringFormat(OpDef):
    """Formats tensors into a template string, one placeholder per tensor (tf.strings.format)."""
    inputs = ("*inputs",)
    attrs = {"template": "%s", "placeholder": "%s", "summarize": 3}
    label = "format"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, inputs, template, placeholder, summarize):
        placeholders = len(template.split(placeholder)) - 1
        if placeholders != len(inputs):
            raise ValueError("num placeholders in template and num inputs must match: %d vs. %d"
                             % (placeholders, len(inputs)))
        return dtypes.string, []

    def make_kernel(self, op, ctx):
        pieces = op._attrs["template"].split(op._attrs["placeholder"])
        summarize = op._attrs["summarize"]

        def format_kernel(inputs):
            out = [pieces[0]]
            for value, piece in zip(inputs, pieces[1:]):
                out.append(summarize_value(value, summarize, print_v2=True))
                out.append(piece)
            return np.array("".join(out).encode("utf-8"), dtype=object)
        return format_kernel


def string_format(template, inputs, placeholder="{}", summarize=3, name=None):
    """TF1's ``tf.strings.format``: ``template`` with each ``placeholder`` replaced by the
    printed value of the next tensor in ``inputs``."""
    if not isinstance(inputs, (list, builtins.tuple)):
        inputs = [inputs]
    return apply_op("StringFormat", [list(inputs)],
                    {"template": template, "placeholder": placeholder,
                     "summarize": 3 if summarize is None else int(summarize)}, name=name)


_LOGGER = logging.getLogger("tensorflow")


@register_op("PrintV2")
class PrintV2(OpDef):
    """Writes a string to stderr, stdout, the log or a file when run (what tf.print runs)."""
    inputs = ("input:string",)
    attrs = {"output_stream": "stderr", "end": "\n"}
    num_outputs = 0
    label = "print"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, input, output_stream, end):
        if input.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d (PrintV2 prints one string)"
                             % input.shape.ndims)
        return []

    def make_kernel(self, op, ctx):
        stream, end = op._attrs["output_stream"], op._attrs["end"]
        if stream in _LOG_LEVELS:
            level = _LOG_LEVELS[stream]

            def write(text):
                _LOGGER.log(level, text)
        elif stream.startswith("file://"):
            path = stream[len("file://"):]

            def write(text):
                with open(path, "a", encoding="utf-8") as f:
                    f.write(text + end)
        elif stream in ("stdout", "stderr"):
            def write(text):
                out = sys.stdout if stream == "stdout" else sys.stderr  # the current streams
                out.write(text + end)
                out.flush()
        else:
            raise errors.InvalidArgumentError(
                None, op, "%s is not a valid output stream for PrintV2 (op '%s')"
                % (stream, op.name))

        def print_kernel(input):
            if np.ndim(input) != 0:
                raise errors.InvalidArgumentError(
                    None, None, "Input is expected to be scalar, but got shape %s"
                    % (np.shape(input),))
            value = np.asarray(input, dtype=object)[()]
            write(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
            return ()
        return print_kernel


_LOG_LEVELS = {"log(info)": logging.INFO, "log(warning)": logging.WARNING,
               "log(error)": logging.ERROR}


def _output_stream_name(stream):
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    if stream is sys.stdout or stream is sys.__stdout__:
        return "stdout"
    if stream is sys.stderr or stream is sys.__stderr__:
        return "stderr"
    by_logging = {logging.INFO: "log(info)", logging.info: "log(info)",
                  logging.WARNING: "log(warning)", logging.warning: "log(warning)",
                  logging.ERROR: "log(error)", logging.error: "log(error)"}
    try:
        return by_logging[stream]
    except (KeyError, TypeError):
        raise ValueError("Unsupported output stream or logging level %s. Supported streams are "
                         "sys.stdout, sys.stderr, tf.logging.info, tf.logging.warning, "
                         "tf.logging.error. File needs to be in the form of "
                         "'file://<filepath>'." % (stream,)) from None


def _flatten(structure):
    """tf.nest.flatten for lists, tuples and dicts (sorted keys)."""
    if isinstance(structure, dict):
        return [x for key in sorted(structure) for x in _flatten(structure[key])]
    if isinstance(structure, (list, builtins.tuple)) and not is_tensor_like(structure):
        return [x for item in structure for x in _flatten(item)]
    return [structure]


def _pack_as(structure, flat):
    """tf.nest.pack_sequence_as: rebuild ``structure`` from the items of ``flat`` (an iterator)."""
    if isinstance(structure, dict):
        packed = {key: _pack_as(structure[key], flat) for key in sorted(structure)}
        return type(structure)(packed) if type(structure) is not dict else packed
    if isinstance(structure, (list, builtins.tuple)) and not is_tensor_like(structure):
        items = [_pack_as(item, flat) for item in structure]
        if hasattr(structure, "_fields"):
            return type(structure)(*items)
        return type(structure)(items)
    return next(flat)


def _placeholder_for(text):
    """'{}', or '{}' plus digits until it does not occur in ``text`` (TF1's choice, seeded)."""
    placeholder = "{}"
    rng = random.Random(5)
    while placeholder in text:
        placeholder += str(rng.randint(0, 9))
    return placeholder


def print(*inputs, **kwargs):  # noqa: A001 - TF1's name
    """TF1's ``tf.print(*inputs, output_stream=sys.stderr, summarize=3, sep=' ', end='\\n',
    name=None)``: returns an op that prints ``inputs`` (tensors, Python values and nested
    lists/dicts of them) when it runs.

    In graph mode nothing is printed until the op runs: fetch it, or put it in
    ``tf.control_dependencies([print_op])`` of an op you run. Tensors show their first and
    last ``summarize`` elements per dimension (-1 shows everything).
    """
    output_stream = kwargs.pop("output_stream", sys.stderr)
    name = kwargs.pop("name", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    if kwargs:
        raise ValueError("Unrecognized keyword arguments for tf.print: %s" % kwargs)
    stream_name = _output_stream_name(output_stream)
    format_name = name + "_format" if name else None
    if (len(inputs) == 1 and isinstance(inputs[0], Tensor) and
            inputs[0].shape.ndims == 0 and inputs[0].dtype == dtypes.string):
        formatted = inputs[0]
    else:
        tensor_free = [_pack_as(x, iter(["" if is_tensor_like(v) else v for v in _flatten(x)]))
                       for x in inputs]
        placeholder = _placeholder_for(" ".join(pprint.pformat(x) for x in tensor_free))
        templates, tensors = [], []
        for item in inputs:
            slots = []
            for value in _flatten(item):
                if is_tensor_like(value):
                    tensors.append(convert_to_tensor(value))
                    slots.append(placeholder)
                else:
                    slots.append(value)
            if isinstance(item, str):
                templates.append(item)
            else:
                templates.append(pprint.pformat(_pack_as(item, iter(slots))))
        template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
        formatted = string_format(template, tensors, placeholder=placeholder,
                                  summarize=summarize, name=format_name)
    return apply_op("PrintV2", [formatted], {"output_stream": stream_name, "end": end},
                    name=name)


# -- numerics checks -------------------------------------------------------------------------------
@register_op("CheckNumerics")
class CheckNumerics(OpDef):
    """Passes ``tensor`` through; fails naming the op that produced it if it has NaN or Inf."""
    inputs = ("tensor:T",)
    attrs = {"message": ""}
    label = "check_numerics"
    foldable = False  # never folded away: the check is the point
    aliases = "input"

    def infer(self, tensor, message):
        if tensor.dtype not in _FLOATS:
            raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of "
                            "allowed values: float16, float32, float64" % tensor.dtype.name)
        return tensor.dtype, tensor.shape

    def make_kernel(self, op, ctx):
        message = op._attrs["message"]
        checked = op.inputs[0]

        def check(tensor):
            # A finite sum proves every element finite (NaN and +-Inf propagate); only a
            # non-finite sum (possibly an overflow of finite values) needs the exact test.
            if np.isfinite(np.sum(tensor)):
                return tensor
            has_nan = bool(np.isnan(tensor).any())
            has_inf = bool(np.isinf(tensor).any())
            if not (has_nan or has_inf):
                return tensor
            status = "Inf and NaN" if has_nan and has_inf else ("NaN" if has_nan else "Inf")
            raise errors.InvalidArgumentError(None, op, _numerics_message(
                op, checked, message, status, tensor))
        return check

    def gradient(self, op, grad):
        return [check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected in "
                               "gradient. %s" % op.get_attr("message"))]


def _numerics_message(op, checked, message, status, value):
    bad = int(np.count_nonzero(~np.isfinite(value)))
    producer = checked.op
    return ("%s : Tensor had %s values\n"
            "  %d of %d values of tensor '%s' (shape %s) are NaN or Inf; the first bad values "
            "were produced by op '%s' (%s)\n"
            "  created at %s\n"
            "  (detected by op '%s', created at %s)"
            % (message, status, bad, np.size(value), checked.name, np.shape(value),
               producer.name, producer.type, producer.location, op.name, op.location))


def check_numerics(tensor, message, name=None):
    """TF1's ``tf.check_numerics``: ``tensor`` unchanged, but running it raises
    ``InvalidArgumentError`` (naming the op that produced the tensor and the line that created
    it) if it holds NaN or Inf values."""
    return apply_op("CheckNumerics", [tensor], {"message": message}, name=name)


def add_check_numerics_ops():
    """TF1's ``tf.add_check_numerics_ops()``: a CheckNumerics op for every floating tensor of
    the default graph, chained in creation order and grouped into one op.

    Run the returned op with your training step (``sess.run([train_op, check], feed)``): the
    first failing check names the op where NaN or Inf first appeared (its inputs were finite)
    and the line of your program that created it. Variables and assignments are not checked,
    as in TF1 (they are reference tensors there).
    """
    from tfone.ops.control_flow_ops import group
    graph = get_default_graph()
    checks = []
    for op in graph.get_operations():
        if op._opdef is not None and op._opdef.aliases == "state":
            continue  # variables and updates: TF1 skips these float *_ref tensors
        for output in op._outputs:
            if output.dtype in _FLOATS:
                with graph.control_dependencies(checks):
                    checks = [check_numerics(output, message="%s:%d" % (op.name,
                                                                        output.value_index))]
    return group(*checks)


# -- assertions (the op behind tf.Assert; the Python helpers live in check_ops.py) -----------------
@register_op("Assert")
class AssertOp(OpDef):
    """Fails with InvalidArgumentError showing ``data`` when ``condition`` is False."""
    inputs = ("condition:bool", "*data")
    attrs = {"summarize": 3}
    num_outputs = 0
    label = "assert"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, condition, data, summarize):
        dims = condition.shape.as_tuple()
        if dims is not None and (len(dims) > 1 or (len(dims) == 1 and dims[0] not in (None, 1))):
            raise ValueError("Assert's condition must be a scalar bool, got shape %s (use "
                             "tf.reduce_all to combine elementwise conditions)" % condition.shape)
        return []

    def make_kernel(self, op, ctx):
        summarize = op._attrs["summarize"]

        def assert_kernel(condition, data):
            if np.size(condition) != 1 or np.ndim(condition) > 1:
                raise errors.InvalidArgumentError(
                    None, None, "In[0] should be a scalar: %s" % (list(np.shape(condition)),))
            if np.asarray(condition).reshape(()):
                return ()
            shown = " ".join("[%s]" % summarize_value(d, summarize) for d in data)
            raise errors.InvalidArgumentError(None, None, "assertion failed: %s" % shown)
        return assert_kernel
