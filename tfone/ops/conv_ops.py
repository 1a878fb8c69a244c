"""Convolution and pooling ops: Conv2D and its two backprops, the depthwise convolution ops,
MaxPool, AvgPool and their grads (``tf.nn.conv2d``, ``conv1d``, ``conv2d_transpose``,
``depthwise_conv2d``, ``separable_conv2d``, ``max_pool``, ``avg_pool``).

All 2-D window ops share one piece of index arithmetic, :class:`_Window`: output sizes and
TF's padding split (SAME puts the extra row/column at the bottom/right), computed once per
input shape and cached in each op's kernel.

Kernels are vectorised numpy: no Python loop runs over pixels.

- Conv2D copies the (padded) input windows into a column matrix with one strided copy
  (``as_strided``) and does one GEMM. The copy's layout is chosen so that numpy copies long
  contiguous runs: ``[pixels, kh*kw*c]`` when channels are many, ``[kh*kw*c, pixels]`` when
  they are few (the first layer of an image model).
- Conv2DBackpropFilter builds the same column matrix and does one GEMM with the output grads.
- Conv2DBackpropInput does one GEMM to get column grads, then adds them back into the image
  with one add per kernel tap (kh*kw adds, in a batch-innermost layout so each add writes long
  contiguous runs), or one strided copy when windows do not overlap.
- Depthwise convolutions loop over the kh*kw taps, each a vectorised multiply-add.
- Pools reduce over the kernel taps with one vectorised pass per tap; MaxPoolGrad first copies
  the windows into a contiguous ``[taps, outputs]`` array so that finding the first maximum of
  each window (TF's tie rule) and routing the gradient to it are fast contiguous passes.

Both data formats are supported; NCHW is computed through transposed views.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         is_tensor_like)
from tfone.ops import array_ops
from tfone.ops.shape_inference import shape_from_tensor

__all__ = ["conv1d", "conv2d", "depthwise_conv2d", "depthwise_conv2d_native",
           "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
           "separable_conv2d", "conv2d_backprop_input", "conv2d_backprop_filter", "conv2d_transpose",
           "max_pool", "avg_pool", "max_pool2d", "avg_pool2d"]

_FORMATS = ("NHWC", "NCHW")
_PADDINGS = ("SAME", "VALID", "EXPLICIT")


# -- attributes ----------------------------------------------------------------------------------
def _check_format(data_format, op_type):
    if data_format not in _FORMATS:
        raise ValueError("%s: data_format must be 'NHWC' or 'NCHW', got %r" % (op_type, data_format))


def _spatial(values, data_format):
    """The (height, width) entries of a 4-element list given in ``data_format`` order."""
    return (values[1], values[2]) if data_format == "NHWC" else (values[2], values[3])


def _check_4(values, what, op_type, data_format, minimum=1):
    values = list(values)
    if len(values) != 4:
        raise ValueError("%s: %s must have 4 elements (one per dimension of %s), got %s"
                         % (op_type, what, data_format, values))
    batch, channel = (values[0], values[3]) if data_format == "NHWC" else (values[0], values[1])
    if batch != 1 or channel != 1:
        raise ValueError("%s: %s in the batch and depth dimensions must be 1 (got %s for %s); "
                         "only the spatial dimensions may differ" % (op_type, what, values, data_format))
    if any(v < minimum for v in values):
        raise ValueError("%s: %s must be >= %d, got %s" % (op_type, what, minimum, values))
    return _spatial(values, data_format)


def _explicit_pads(padding, explicit_paddings, data_format, op_type):
    """((top, bottom), (left, right)) for EXPLICIT padding, else ((0, 0), (0, 0))."""
    if padding not in _PADDINGS:
        raise ValueError("%s: padding must be 'SAME', 'VALID' or explicit, got %r" % (op_type, padding))
    if padding != "EXPLICIT":
        if explicit_paddings:
            raise ValueError("%s: explicit_paddings are only allowed with padding='EXPLICIT'" % op_type)
        return (0, 0), (0, 0)
    pads = [int(p) for p in explicit_paddings]
    if len(pads) != 8 or any(p < 0 for p in pads):
        raise ValueError("%s: explicit_paddings must be 8 non-negative ints (before/after for each "
                         "of the 4 dimensions), got %s" % (op_type, pads))
    pairs = [pads[i:i + 2] for i in range(0, 8, 2)]
    h_axis, w_axis = (1, 2) if data_format == "NHWC" else (2, 3)
    others = [pairs[i] for i in range(4) if i not in (h_axis, w_axis)]
    if any(p != [0, 0] for p in others):
        raise ValueError("%s: explicit padding of the batch and depth dimensions must be 0, got %s"
                         % (op_type, pads))
    return tuple(pairs[h_axis]), tuple(pairs[w_axis])


def _output_size(size, k, stride, dilation, padding, explicit, what, op_type):
    """(output size, pad before, pad after) of one spatial dimension, as TF computes them."""
    ek = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + ek - size, 0)
        return out, total // 2, total - total // 2
    before, after = explicit if padding == "EXPLICIT" else (0, 0)
    padded = size + before + after
    if padded < ek:
        raise ValueError("%s: negative output %s: the (dilated) window of %s %d is larger than the "
                         "%s input %d%s. Use padding='SAME' or a smaller window."
                         % (op_type, what, what, ek, "padded" if before + after else "", size,
                            " + padding %d" % (before + after) if before + after else ""))
    return (padded - ek) // stride + 1, before, after


def _static_output_size(size, k, stride, dilation, padding, explicit, what, op_type):
    if size is None or k is None:
        return None
    return _output_size(size, k, stride, dilation, padding, explicit, what, op_type)[0]


class _Window:
    """Index arithmetic of one 2-D window op for one input shape (NHWC numbers).

    Holds the output size, TF's padding split and the padded size; built once per input shape
    and cached by each kernel.
    """

    __slots__ = ("n", "h", "w", "c", "kh", "kw", "sh", "sw", "dh", "dw", "oh", "ow", "pt",
                 "pb", "pl", "pr", "hp", "wp", "padded", "overlap")

    def __init__(self, nhwc, kernel, strides, dilations, padding, explicit, op_type):
        self.n, self.h, self.w, self.c = (int(d) for d in nhwc)
        self.kh, self.kw = kernel
        self.sh, self.sw = strides
        self.dh, self.dw = dilations
        self.oh, self.pt, self.pb = _output_size(self.h, self.kh, self.sh, self.dh, padding,
                                                 explicit[0], "height", op_type)
        self.ow, self.pl, self.pr = _output_size(self.w, self.kw, self.sw, self.dw, padding,
                                                 explicit[1], "width", op_type)
        self.hp = self.h + self.pt + self.pb
        self.wp = self.w + self.pl + self.pr
        self.padded = bool(self.pt or self.pb or self.pl or self.pr)
        # Windows that share no input pixel let grads be written with one strided copy.
        self.overlap = (self.sh < (self.kh - 1) * self.dh + 1 or
                        self.sw < (self.kw - 1) * self.dw + 1 or
                        (self.dh > 1 and self.kh > 1) or (self.dw > 1 and self.kw > 1))

    def tap_slices(self, kh, kw):
        """Index of the input pixels that kernel tap (kh, kw) sees, over all outputs (NHWC)."""
        h0, w0 = kh * self.dh, kw * self.dw
        return (slice(None), slice(h0, h0 + (self.oh - 1) * self.sh + 1, self.sh),
                slice(w0, w0 + (self.ow - 1) * self.sw + 1, self.sw), slice(None))

    def taps(self):
        return [(i, j) for i in range(self.kh) for j in range(self.kw)]


def _memoized(build):
    """A per-kernel cache of ``build(shape)`` keyed by input shape."""
    cache = {}

    def get(shape):
        g = cache.get(shape)
        if g is None:
            g = cache[shape] = build(shape)
        return g
    return get


def _nhwc(x, data_format):
    return x if data_format == "NHWC" else x.transpose(0, 2, 3, 1)


def _from_nhwc(y, data_format):
    return y if data_format == "NHWC" else np.ascontiguousarray(y.transpose(0, 3, 1, 2))


def _nhwc_shape(shape, data_format):
    return tuple(shape) if data_format == "NHWC" else (shape[0], shape[2], shape[3], shape[1])


def _pad(x, g, value):
    """``x`` (NHWC) with TF's padding filled with ``value``; ``x`` itself when unpadded."""
    if not g.padded:
        return x
    out = np.empty((g.n, g.hp, g.wp, g.c), dtype=x.dtype)
    top, left = g.pt, g.pl
    bottom, right = g.pt + g.h, g.pl + g.w
    out[:, :top] = value
    out[:, bottom:] = value
    out[:, top:bottom, :left] = value
    out[:, top:bottom, right:] = value
    out[:, top:bottom, left:right] = x
    return out


def _crop(xp, g):
    if not g.padded:
        return xp
    return xp[:, g.pt:g.pt + g.h, g.pl:g.pl + g.w]


def _taps_view(xp, g, writeable=False):
    """View [kh, kw, n, oh, ow, c] of the pixels each kernel tap sees (no copy)."""
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, (g.kh, g.kw, g.n, g.oh, g.ow, g.c),
                      (s1 * g.dh, s2 * g.dw, s0, s1 * g.sh, s2 * g.sw, s3), writeable=writeable)


# -- convolution kernels (NHWC) ----------------------------------------------------------------------
def _columns_first(xp, g):
    """Should the column matrix be [kh*kw*c, pixels] (True) or [pixels, kh*kw*c] (False)?

    numpy copies a strided view fastest when its innermost run is long: kw*c contiguous values
    per window row for [pixels, kh*kw*c], ``ow`` values for [kh*kw*c, pixels].
    """
    item = xp.itemsize
    s2, s3 = xp.strides[2], xp.strides[3]
    run = g.c if s3 == item else 1
    if s3 == item and g.dw == 1 and s2 == g.c * item:
        run = g.kw * g.c
    return run < g.ow


def _im2col(xp, g, columns_first):
    """The window matrix: [kh*kw*c, n*oh*ow] if ``columns_first`` else [n*oh*ow, kh*kw*c]."""
    s0, s1, s2, s3 = xp.strides
    k = g.kh * g.kw * g.c
    m = g.n * g.oh * g.ow
    if columns_first:
        view = as_strided(xp, (g.kh, g.kw, g.c, g.n, g.oh, g.ow),
                          (s1 * g.dh, s2 * g.dw, s3, s0, s1 * g.sh, s2 * g.sw), writeable=False)
        return view.reshape(k, m)
    view = as_strided(xp, (g.n, g.oh, g.ow, g.kh, g.kw, g.c),
                      (s0, s1 * g.sh, s2 * g.sw, s1 * g.dh, s2 * g.dw, s3), writeable=False)
    return view.reshape(m, k)


def _conv_forward(x, w, g):
    """Conv2D of NHWC ``x`` with HWIO ``w``: one strided copy and one GEMM."""
    xp = _pad(x, g, 0)
    wm = w.reshape(g.kh * g.kw * g.c, -1)
    first = _columns_first(xp, g)
    cols = _im2col(xp, g, first)
    out = np.dot(cols.T, wm) if first else np.dot(cols, wm)
    return out.reshape(g.n, g.oh, g.ow, wm.shape[1])


def _conv_filter_grad(x, dout, g):
    """dL/dfilter [kh, kw, c, o] from NHWC input and output grads: one GEMM."""
    xp = _pad(x, g, 0)
    o = dout.shape[-1]
    d2 = dout.reshape(g.n * g.oh * g.ow, o)
    first = _columns_first(xp, g)
    cols = _im2col(xp, g, first)
    dw = np.dot(cols, d2) if first else np.dot(cols.T, d2)
    return dw.reshape(g.kh, g.kw, g.c, o)


def _conv_input_grad(w, dout, g, data_format):
    """dL/dinput from the filter and output grads: one GEMM, then col2im, in ``data_format``.

    The work happens in a [c, h, w, n] ("batch innermost") layout: the GEMM gives
    [kh*kw*c, pixels] with pixels ordered (oh, ow, n), so each tap's block is contiguous and
    its col2im add writes runs of ow * n values. One transposing copy at each end converts
    the layout. A single large GEMM also keeps BLAS efficient when the machine is busy (many
    small GEMMs are not).
    """
    o = w.shape[3]
    to_ohwn = (3, 1, 2, 0) if data_format == "NHWC" else (1, 2, 3, 0)
    d2t = np.ascontiguousarray(dout.transpose(to_ohwn)).reshape(o, -1)
    taps = np.dot(w.reshape(g.kh * g.kw * g.c, o), d2t).reshape(g.kh, g.kw, g.c, g.oh, g.ow, g.n)
    dxp = np.zeros((g.c, g.hp, g.wp, g.n), dtype=taps.dtype)
    if not g.overlap:
        s0, s1, s2, s3 = dxp.strides
        as_strided(dxp, (g.kh, g.kw, g.c, g.oh, g.ow, g.n),
                   (s1 * g.dh, s2 * g.dw, s0, s1 * g.sh, s2 * g.sw, s3), writeable=True)[...] = taps
    else:
        for i, j in g.taps():
            _, hs, ws, _ = g.tap_slices(i, j)
            dxp[:, hs, ws] += taps[i, j]
    dx = dxp[:, g.pt:g.pt + g.h, g.pl:g.pl + g.w]
    return np.ascontiguousarray(dx.transpose(3, 1, 2, 0) if data_format == "NHWC"
                                else dx.transpose(3, 0, 1, 2))


def _add_taps(dxp, taps, g):
    """dxp[pixels seen by tap (i, j)] += taps[i, j] for every tap (the col2im step)."""
    if not g.overlap:
        _taps_view(dxp, g, writeable=True)[...] = taps
        return
    for i, j in g.taps():
        dxp[g.tap_slices(i, j)] += taps[i, j]


# -- pooling kernels (NHWC) --------------------------------------------------------------------------
def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_pool(x, g):
    xp = _pad(x, g, _lowest(x.dtype))
    out = None
    for i, j in g.taps():
        window = xp[g.tap_slices(i, j)]
        if out is None:
            out = window.copy()
        else:
            np.maximum(out, window, out=out)
    return out


def _first_max_masks(x, g):
    """Contiguous [taps, outputs] windows and, per tap, where it holds its window's first max."""
    xp = _pad(x, g, _lowest(x.dtype))
    windows = np.ascontiguousarray(_taps_view(xp, g)).reshape(g.kh * g.kw, -1)
    best = windows.max(axis=0) if len(windows) > 8 else _row_max(windows)
    masks = np.empty(windows.shape, dtype=bool)
    free = None  # outputs whose first maximum is not found yet
    for k in range(len(windows)):
        hit = np.equal(windows[k], best, out=masks[k])
        if free is None:
            free = ~hit
        else:
            hit &= free
            free &= ~hit
    return masks


def _row_max(rows):
    out = rows[0].copy()
    for r in rows[1:]:
        np.maximum(out, r, out=out)
    return out


def _max_pool_grad(x, grad, g):
    """Routes each output's gradient to the first maximum of its window (TF's rule)."""
    masks = _first_max_masks(x, g)
    flat = grad.reshape(-1)
    taps = np.empty(masks.shape, dtype=grad.dtype)
    for k in range(len(masks)):
        np.multiply(flat, masks[k], out=taps[k])
    dxp = np.zeros((g.n, g.hp, g.wp, g.c), dtype=grad.dtype)
    _add_taps(dxp, taps.reshape(g.kh, g.kw, g.n, g.oh, g.ow, g.c), g)
    return _crop(dxp, g)


def _max_pool_grad_grad(x, grad_grad, g):
    """Picks, for each output, the incoming value at its window's first maximum."""
    masks = _first_max_masks(x, g)
    gg = np.ascontiguousarray(_taps_view(_pad(grad_grad, g, 0), g)).reshape(len(masks), -1)
    out = np.zeros(masks.shape[1], dtype=grad_grad.dtype)
    for k in range(len(masks)):
        np.copyto(out, gg[k], where=masks[k])
    return out.reshape(g.n, g.oh, g.ow, g.c)


def _avg_counts(g, dtype):
    """How many real (unpadded) inputs each output window averages, shaped [oh, ow, 1]."""
    def counts(size, out, k, stride, pad):
        start = np.arange(out) * stride - pad
        return np.minimum(start + k, size) - np.maximum(start, 0)
    rows = counts(g.h, g.oh, g.kh, g.sh, g.pt)
    cols = counts(g.w, g.ow, g.kw, g.sw, g.pl)
    return (rows[:, None] * cols[None, :]).astype(dtype)[:, :, None]


def _avg_pool(x, g, counts):
    xp = _pad(x, g, 0)
    out = None
    for i, j in g.taps():
        window = xp[g.tap_slices(i, j)]
        if out is None:
            out = window.astype(x.dtype, copy=True)
        else:
            out += window
    out /= counts
    return out


def _avg_pool_grad(grad, g, counts):
    share = grad / counts
    dxp = np.zeros((g.n, g.hp, g.wp, g.c), dtype=grad.dtype)
    if not g.overlap:
        _taps_view(dxp, g, writeable=True)[...] = share
    else:
        for i, j in g.taps():
            dxp[g.tap_slices(i, j)] += share
    return _crop(dxp, g)


# -- static shapes -------------------------------------------------------------------------------------
def _dims4(t, what, op_type):
    dims = t.shape.as_tuple()
    if dims is None:
        return (None,) * 4
    if len(dims) != 4:
        raise ValueError("%s: %s must be 4-D, got shape %s" % (op_type, what, t.shape))
    return dims


def _shape_input(t, what, op_type):
    """Dims held by a 1-D shape input such as Conv2DBackpropInput's input_sizes."""
    if t.shape.ndims not in (None, 1) or (t.shape.ndims == 1 and t.shape.as_tuple()[0] not in (None, 4)):
        raise ValueError("%s: %s must be a 1-D tensor of 4 ints, got shape %s" % (op_type, what, t.shape))
    shape = shape_from_tensor(t)
    return shape.as_tuple() if shape.ndims == 4 else (None,) * 4


def _four_ints(value, what, op_type):
    """A run-time shape input (input_sizes, filter_sizes, ...) as a tuple of 4 ints."""
    sizes = tuple(int(v) for v in np.asarray(value).reshape(-1))
    if len(sizes) != 4:
        raise ValueError("%s: %s must hold 4 ints, got %s" % (op_type, what, sizes))
    return sizes


def _format_dims(nhwc, data_format):
    n, h, w, c = nhwc
    return [n, h, w, c] if data_format == "NHWC" else [n, c, h, w]


def _merge(a, b, what, op_type):
    if a is not None and b is not None and a != b:
        raise ValueError("%s: %s do not match: %d vs %d" % (op_type, what, a, b))
    return a if a is not None else b


# -- Conv2D --------------------------------------------------------------------------------------------
class _ConvBase(OpDef):
    attrs = {"strides": None, "padding": None, "explicit_paddings": [], "data_format": "NHWC",
             "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True}

    def _config(self, strides, padding, explicit_paddings, data_format, dilations):
        _check_format(data_format, self.type)
        s = _check_4(strides, "strides", self.type, data_format)
        d = _check_4(dilations, "dilations", self.type, data_format)
        explicit = _explicit_pads(padding, explicit_paddings, data_format, self.type)
        return s, d, explicit

    def _out_hw(self, h, w, kh, kw, strides, padding, explicit_paddings, data_format, dilations):
        s, d, explicit = self._config(strides, padding, explicit_paddings, data_format, dilations)
        return (_static_output_size(h, kh, s[0], d[0], padding, explicit[0], "height", self.type),
                _static_output_size(w, kw, s[1], d[1], padding, explicit[1], "width", self.type))

    def _backprop_geometry(self, x, f, out_backprop, strides, padding, explicit_paddings,
                           data_format, dilations):
        """Check a backprop's input (NHWC dims), filter dims and out_backprop against each
        other; returns (n, h, w, c, (kh, kw, out_channels)) with what is known merged."""
        n, h, w, c = x
        kh, kw, ci, co = f
        bn, bh, bw, bc = _nhwc_shape(_dims4(out_backprop, "out_backprop", self.type), data_format)
        c = _merge(c, ci, "the input depth and the filter's in_channels", self.type)
        co = _merge(co, bc, "the filter's out_channels and out_backprop's depth", self.type)
        n = _merge(n, bn, "the input batch and out_backprop's batch", self.type)
        oh, ow = self._out_hw(h, w, kh, kw, strides, padding, explicit_paddings, data_format,
                              dilations)
        _merge(oh, bh, "out_backprop height and the height a Conv2D of the input gives", self.type)
        _merge(ow, bw, "out_backprop width and the width a Conv2D of the input gives", self.type)
        return n, h, w, c, (kh, kw, co)

    def _window_builder(self, attrs, kernel_hw):
        data_format = attrs["data_format"]
        s, d, explicit = self._config(attrs["strides"], attrs["padding"],
                                      attrs["explicit_paddings"], data_format, attrs["dilations"])
        padding = attrs["padding"]
        op_type = self.type
        return _memoized(lambda shapes: _Window(_nhwc_shape(shapes[0], data_format),
                                                kernel_hw(shapes), s, d, padding, explicit, op_type))

    def _grad_attrs(self, op):
        return {k: op.get_attr(k) for k in self.attrs}

    def compute(self, *arrays, **attrs):
        return self.kernel(attrs)(*arrays)

    def make_kernel(self, op, ctx):
        return self.kernel(op._attrs)

    @staticmethod
    def _float_check(dtype, op_type):
        if not dtype.is_floating:
            raise TypeError("%s needs a floating-point input, got %s (cast with tf.cast or "
                            "tf.to_float)" % (op_type, dtype.name))


@register_op("Conv2D")
class Conv2D(_ConvBase):
    """2-D convolution (cross-correlation) of a batch of images with a filter bank."""
    inputs = ("input:T", "filter:T")
    label = "conv2d"

    def infer(self, input, filter, strides, padding, explicit_paddings, data_format, dilations,
              use_cudnn_on_gpu):
        self._float_check(input.dtype, "Conv2D")
        _check_format(data_format, "Conv2D")
        n, h, w, c = _nhwc_shape(_dims4(input, "input", "Conv2D"), data_format)
        kh, kw, ci, co = _dims4(filter, "filter", "Conv2D")
        if c is not None and ci is not None and c != ci:
            raise ValueError("Conv2D: input depth (%d channels) must equal the filter's in_channels "
                             "(filter shape [height, width, in_channels, out_channels] = %s)"
                             % (c, filter.shape))
        oh, ow = self._out_hw(h, w, kh, kw, strides, padding, explicit_paddings, data_format,
                              dilations)
        return input.dtype, _format_dims((n, oh, ow, co), data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def conv2d(x, w):
            g = window((x.shape, w.shape))
            if w.shape[2] != g.c:
                raise ValueError("Conv2D: input depth %d does not match the filter's in_channels "
                                 "%d (filter shape %s)" % (g.c, w.shape[2], w.shape))
            return _from_nhwc(_conv_forward(_nhwc(x, data_format), w, g), data_format)
        return conv2d

    def gradient(self, op, grad):
        x, w = op.inputs
        attrs = self._grad_attrs(op)
        return [apply_op("Conv2DBackpropInput", [array_ops._shape_of(x), w, grad], attrs),
                apply_op("Conv2DBackpropFilter", [x, array_ops._shape_of(w), grad], attrs)]


@register_op("Conv2DBackpropInput")
class Conv2DBackpropInput(_ConvBase):
    """Gradient of Conv2D with respect to its input (also the transposed convolution)."""
    inputs = ("input_sizes:int32", "filter:T", "out_backprop:T")
    label = "conv2d_backprop_input"

    def infer(self, input_sizes, filter, out_backprop, strides, padding, explicit_paddings,
              data_format, dilations, use_cudnn_on_gpu):
        self._float_check(filter.dtype, self.type)
        _check_format(data_format, self.type)
        x = _nhwc_shape(_shape_input(input_sizes, "input_sizes", self.type), data_format)
        n, h, w, c, _ = self._backprop_geometry(x, _dims4(filter, "filter", self.type),
                                                out_backprop, strides, padding,
                                                explicit_paddings, data_format, dilations)
        return filter.dtype, _format_dims((n, h, w, c), data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def conv2d_backprop_input(input_sizes, w, dout):
            g = window((_four_ints(input_sizes, "input_sizes", "Conv2DBackpropInput"), w.shape))
            d = _nhwc(dout, data_format)
            _check_backprop(g, d.shape, w.shape, "Conv2DBackpropInput")
            return _conv_input_grad(w, dout, g, data_format)
        return conv2d_backprop_input

    def gradient(self, op, grad):
        _, w, dout = op.inputs
        attrs = self._grad_attrs(op)
        return [None,
                apply_op("Conv2DBackpropFilter", [grad, array_ops._shape_of(w), dout], attrs),
                apply_op("Conv2D", [grad, w], attrs)]


@register_op("Conv2DBackpropFilter")
class Conv2DBackpropFilter(_ConvBase):
    """Gradient of Conv2D with respect to its filter."""
    inputs = ("input:T", "filter_sizes:int32", "out_backprop:T")
    label = "conv2d_backprop_filter"

    def infer(self, input, filter_sizes, out_backprop, strides, padding, explicit_paddings,
              data_format, dilations, use_cudnn_on_gpu):
        self._float_check(input.dtype, self.type)
        _check_format(data_format, self.type)
        x = _nhwc_shape(_dims4(input, "input", self.type), data_format)
        _, _, _, c, (kh, kw, co) = self._backprop_geometry(
            x, _shape_input(filter_sizes, "filter_sizes", self.type), out_backprop, strides,
            padding, explicit_paddings, data_format, dilations)
        return input.dtype, [kh, kw, c, co]

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def conv2d_backprop_filter(x, filter_sizes, dout):
            sizes = _four_ints(filter_sizes, "filter_sizes", "Conv2DBackpropFilter")
            g = window((x.shape, sizes))
            d = _nhwc(dout, data_format)
            _check_backprop(g, d.shape, sizes, "Conv2DBackpropFilter")
            return _conv_filter_grad(_nhwc(x, data_format), d, g)
        return conv2d_backprop_filter

    def gradient(self, op, grad):
        x, _, dout = op.inputs
        attrs = self._grad_attrs(op)
        return [apply_op("Conv2DBackpropInput", [array_ops._shape_of(x), grad, dout], attrs),
                None,
                apply_op("Conv2D", [x, grad], attrs)]


def _check_backprop(g, dout_nhwc, filter_shape, op_type):
    expected = (g.n, g.oh, g.ow, filter_shape[3])
    if tuple(dout_nhwc) != expected or filter_shape[2] != g.c:
        raise ValueError("%s: out_backprop has shape %s (NHWC) but a Conv2D of the input "
                         "(NHWC %s) with filter %s gives %s"
                         % (op_type, tuple(dout_nhwc), (g.n, g.h, g.w, g.c), tuple(filter_shape),
                            expected))


# -- depthwise convolution ------------------------------------------------------------------------------
# Each input channel c gets its own `channel_multiplier` filters: filter [kh, kw, c, m], output
# channel c * m + q. Kernels loop over the kh*kw taps (vectorised over everything else).
def _depthwise_forward(x, f, g):
    xp = _pad(x, g, 0)
    taps = _taps_view(xp, g)
    m = f.shape[3]
    out = np.zeros((g.n, g.oh, g.ow, g.c, m), dtype=np.result_type(x, f))
    for i, j in g.taps():
        out += taps[i, j][..., None] * f[i, j]
    return out.reshape(g.n, g.oh, g.ow, g.c * m)


def _depthwise_input_grad(f, dout, g):
    d5 = dout.reshape(g.n, g.oh, g.ow, g.c, f.shape[3])
    dxp = np.zeros((g.n, g.hp, g.wp, g.c), dtype=dout.dtype)
    for i, j in g.taps():
        dxp[g.tap_slices(i, j)] += np.einsum("nhwcm,cm->nhwc", d5, f[i, j])
    return _crop(dxp, g)


def _depthwise_filter_grad(x, dout, g, m):
    taps = _taps_view(_pad(x, g, 0), g)
    d5 = dout.reshape(g.n, g.oh, g.ow, g.c, m)
    df = np.empty((g.kh, g.kw, g.c, m), dtype=dout.dtype)
    for i, j in g.taps():
        df[i, j] = np.einsum("nhwc,nhwcm->cm", taps[i, j], d5)
    return df


class _DepthwiseBase(_ConvBase):
    attrs = {"strides": None, "padding": None, "explicit_paddings": [], "data_format": "NHWC",
             "dilations": [1, 1, 1, 1]}

    def _shapes(self, x, f, out_backprop, strides, padding, explicit_paddings, data_format,
                dilations):
        """Merge what is known of input (NHWC), filter and out_backprop (or None)."""
        n, h, w, c = x
        kh, kw, fc, m = f
        c = _merge(c, fc, "the input depth and the filter's in_channels", self.type)
        oh, ow = self._out_hw(h, w, kh, kw, strides, padding, explicit_paddings, data_format,
                              dilations)
        if out_backprop is not None:
            bn, bh, bw, bc = _nhwc_shape(_dims4(out_backprop, "out_backprop", self.type),
                                         data_format)
            n = _merge(n, bn, "the input batch and out_backprop's batch", self.type)
            _merge(oh, bh, "out_backprop height and the height the convolution gives", self.type)
            _merge(ow, bw, "out_backprop width and the width the convolution gives", self.type)
            if c is not None and m is not None:
                _merge(c * m, bc, "in_channels * channel_multiplier and out_backprop's depth",
                       self.type)
            elif bc is not None and c is not None and bc % c == 0:
                m = bc // c
        return n, h, w, c, kh, kw, m, oh, ow


@register_op("DepthwiseConv2dNative")
class DepthwiseConv2dNative(_DepthwiseBase):
    """Depthwise 2-D convolution: every input channel convolved with its own filters."""
    inputs = ("input:T", "filter:T")
    label = "depthwise_conv2d"

    def infer(self, input, filter, strides, padding, explicit_paddings, data_format, dilations):
        self._float_check(input.dtype, self.type)
        _check_format(data_format, self.type)
        x = _nhwc_shape(_dims4(input, "input", self.type), data_format)
        n, _, _, c, _, _, m, oh, ow = self._shapes(x, _dims4(filter, "filter", self.type), None,
                                                  strides, padding, explicit_paddings,
                                                  data_format, dilations)
        out_c = c * m if c is not None and m is not None else None
        return input.dtype, _format_dims((n, oh, ow, out_c), data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def depthwise_conv2d_native(x, f):
            g = window((x.shape, f.shape))
            if f.shape[2] != g.c:
                raise ValueError("DepthwiseConv2dNative: input depth %d does not match the "
                                 "filter's in_channels %d (filter shape %s)"
                                 % (g.c, f.shape[2], f.shape))
            return _from_nhwc(_depthwise_forward(_nhwc(x, data_format), f, g), data_format)
        return depthwise_conv2d_native

    def gradient(self, op, grad):
        x, f = op.inputs
        attrs = self._grad_attrs(op)
        return [apply_op("DepthwiseConv2dNativeBackpropInput", [array_ops._shape_of(x), f, grad],
                         attrs),
                apply_op("DepthwiseConv2dNativeBackpropFilter", [x, array_ops._shape_of(f), grad],
                         attrs)]


@register_op("DepthwiseConv2dNativeBackpropInput")
class DepthwiseConv2dNativeBackpropInput(_DepthwiseBase):
    """Gradient of DepthwiseConv2dNative with respect to its input."""
    inputs = ("input_sizes:int32", "filter:T", "out_backprop:T")
    label = "depthwise_conv2d_backprop_input"

    def infer(self, input_sizes, filter, out_backprop, strides, padding, explicit_paddings,
              data_format, dilations):
        self._float_check(filter.dtype, self.type)
        _check_format(data_format, self.type)
        x = _nhwc_shape(_shape_input(input_sizes, "input_sizes", self.type), data_format)
        n, h, w, c, _, _, _, _, _ = self._shapes(x, _dims4(filter, "filter", self.type),
                                                 out_backprop, strides, padding,
                                                 explicit_paddings, data_format, dilations)
        return filter.dtype, _format_dims((n, h, w, c), data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def depthwise_backprop_input(input_sizes, f, dout):
            sizes = _four_ints(input_sizes, "input_sizes", self.type)
            g = window((sizes, f.shape))
            d = _nhwc(dout, data_format)
            _check_depthwise(g, d.shape, f.shape, self.type)
            return _from_nhwc(_depthwise_input_grad(f, d, g), data_format)
        return depthwise_backprop_input

    def gradient(self, op, grad):
        _, f, dout = op.inputs
        attrs = self._grad_attrs(op)
        return [None,
                apply_op("DepthwiseConv2dNativeBackpropFilter",
                         [grad, array_ops._shape_of(f), dout], attrs),
                apply_op("DepthwiseConv2dNative", [grad, f], attrs)]


@register_op("DepthwiseConv2dNativeBackpropFilter")
class DepthwiseConv2dNativeBackpropFilter(_DepthwiseBase):
    """Gradient of DepthwiseConv2dNative with respect to its filter."""
    inputs = ("input:T", "filter_sizes:int32", "out_backprop:T")
    label = "depthwise_conv2d_backprop_filter"

    def infer(self, input, filter_sizes, out_backprop, strides, padding, explicit_paddings,
              data_format, dilations):
        self._float_check(input.dtype, self.type)
        _check_format(data_format, self.type)
        x = _nhwc_shape(_dims4(input, "input", self.type), data_format)
        _, _, _, c, kh, kw, m, _, _ = self._shapes(
            x, _shape_input(filter_sizes, "filter_sizes", self.type), out_backprop, strides,
            padding, explicit_paddings, data_format, dilations)
        return input.dtype, [kh, kw, c, m]

    def kernel(self, attrs):
        window = self._window_builder(attrs, lambda shapes: shapes[1][:2])
        data_format = attrs["data_format"]

        def depthwise_backprop_filter(x, filter_sizes, dout):
            sizes = _four_ints(filter_sizes, "filter_sizes", self.type)
            g = window((x.shape, sizes))
            d = _nhwc(dout, data_format)
            _check_depthwise(g, d.shape, sizes, self.type)
            return _depthwise_filter_grad(_nhwc(x, data_format), d, g, sizes[3])
        return depthwise_backprop_filter

    def gradient(self, op, grad):
        x, _, dout = op.inputs
        attrs = self._grad_attrs(op)
        return [apply_op("DepthwiseConv2dNativeBackpropInput",
                         [array_ops._shape_of(x), grad, dout], attrs),
                None,
                apply_op("DepthwiseConv2dNative", [x, grad], attrs)]


def _check_depthwise(g, dout_nhwc, filter_shape, op_type):
    expected = (g.n, g.oh, g.ow, filter_shape[2] * filter_shape[3])
    if tuple(dout_nhwc) != expected or filter_shape[2] != g.c:
        raise ValueError("%s: out_backprop has shape %s (NHWC) but a depthwise convolution of "
                         "the input (NHWC %s) with filter %s gives %s"
                         % (op_type, tuple(dout_nhwc), (g.n, g.h, g.w, g.c), tuple(filter_shape),
                            expected))


# -- pooling ---------------------------------------------------------------------------------------------
class _PoolBase(OpDef):
    attrs = {"ksize": None, "strides": None, "padding": None, "data_format": "NHWC"}

    def _config(self, ksize, strides, padding, data_format):
        _check_format(data_format, self.type)
        if padding not in ("SAME", "VALID"):
            raise ValueError("%s: padding must be 'SAME' or 'VALID', got %r" % (self.type, padding))
        k = _check_4(ksize, "ksize", self.type, data_format)
        s = _check_4(strides, "strides", self.type, data_format)
        return k, s

    def _out_shape(self, nhwc, ksize, strides, padding, data_format):
        k, s = self._config(ksize, strides, padding, data_format)
        n, h, w, c = nhwc
        oh = _static_output_size(h, k[0], s[0], 1, padding, None, "height", self.type)
        ow = _static_output_size(w, k[1], s[1], 1, padding, None, "width", self.type)
        return _format_dims((n, oh, ow, c), data_format)

    def _window_builder(self, attrs):
        k, s = self._config(attrs["ksize"], attrs["strides"], attrs["padding"], attrs["data_format"])
        data_format, padding, op_type = attrs["data_format"], attrs["padding"], self.type
        return _memoized(lambda shape: _Window(_nhwc_shape(shape, data_format), k, s, (1, 1),
                                               padding, ((0, 0), (0, 0)), op_type))

    def _grad_attrs(self, op):
        return {k: op.get_attr(k) for k in self.attrs}

    def compute(self, *arrays, **attrs):
        return self.kernel(attrs)(*arrays)

    def make_kernel(self, op, ctx):
        return self.kernel(op._attrs)


def _check_same_shape(a, b, what, op_type):
    if tuple(a) != tuple(b):
        raise ValueError("%s: %s must have shape %s, got %s" % (op_type, what, tuple(b), tuple(a)))


@register_op("MaxPool")
class MaxPool(_PoolBase):
    """Maximum over each (ksize) window of a batch of images."""
    inputs = ("input:T",)
    label = "max_pool"

    def infer(self, input, ksize, strides, padding, data_format):
        if not (input.dtype.is_floating or input.dtype.is_integer):
            raise TypeError("MaxPool needs a real-valued input, got %s" % input.dtype.name)
        _check_format(data_format, "MaxPool")
        dims = _nhwc_shape(_dims4(input, "input", "MaxPool"), data_format)
        return input.dtype, self._out_shape(dims, ksize, strides, padding, data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs)
        data_format = attrs["data_format"]

        def max_pool(x):
            return _from_nhwc(_max_pool(_nhwc(x, data_format), window(x.shape)), data_format)
        return max_pool

    def gradient(self, op, grad):
        return [apply_op("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], self._grad_attrs(op))]


@register_op("MaxPoolGrad")
class MaxPoolGrad(_PoolBase):
    """Gradient of MaxPool: each output's gradient goes to the first maximum of its window."""
    inputs = ("orig_input:T", "orig_output:T", "grad:T")
    label = "max_pool_grad"

    def infer(self, orig_input, orig_output, grad, ksize, strides, padding, data_format):
        _check_format(data_format, "MaxPoolGrad")
        dims = _nhwc_shape(_dims4(orig_input, "orig_input", "MaxPoolGrad"), data_format)
        out = self._out_shape(dims, ksize, strides, padding, data_format)
        for t, what in ((orig_output, "orig_output"), (grad, "grad")):
            if not t.shape.is_compatible_with(out) and t.shape.ndims is not None:
                raise ValueError("MaxPoolGrad: %s has shape %s but MaxPool of orig_input gives %s"
                                 % (what, t.shape, out))
        return orig_input.dtype, orig_input.shape.with_rank(4)

    def kernel(self, attrs):
        window = self._window_builder(attrs)
        data_format = attrs["data_format"]

        def max_pool_grad(x, y, grad):
            g = window(x.shape)
            d = _nhwc(grad, data_format)
            _check_same_shape(d.shape, (g.n, g.oh, g.ow, g.c), "grad (NHWC)", "MaxPoolGrad")
            return _from_nhwc(_max_pool_grad(_nhwc(x, data_format), d, g), data_format)
        return max_pool_grad

    def gradient(self, op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                apply_op("MaxPoolGradGrad", [x, y, grad], self._grad_attrs(op))]


@register_op("MaxPoolGradGrad")
class MaxPoolGradGrad(_PoolBase):
    """Gradient of MaxPoolGrad: picks each window's value at its first maximum."""
    inputs = ("orig_input:T", "orig_output:T", "grad:T")
    label = "max_pool_grad_grad"

    def infer(self, orig_input, orig_output, grad, ksize, strides, padding, data_format):
        _check_format(data_format, "MaxPoolGradGrad")
        dims = _nhwc_shape(_dims4(orig_input, "orig_input", "MaxPoolGradGrad"), data_format)
        if not grad.shape.is_compatible_with(orig_input.shape):
            raise ValueError("MaxPoolGradGrad: grad has shape %s but orig_input has %s"
                             % (grad.shape, orig_input.shape))
        out = self._out_shape(dims, ksize, strides, padding, data_format)
        return orig_input.dtype, orig_output.shape.with_rank(4).merge_with(out)

    def kernel(self, attrs):
        window = self._window_builder(attrs)
        data_format = attrs["data_format"]

        def max_pool_grad_grad(x, y, grad):
            g = window(x.shape)
            _check_same_shape(grad.shape, x.shape, "grad", "MaxPoolGradGrad")
            return _from_nhwc(_max_pool_grad_grad(_nhwc(x, data_format), _nhwc(grad, data_format), g),
                              data_format)
        return max_pool_grad_grad

    def gradient(self, op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                apply_op("MaxPoolGrad", [x, y, grad], self._grad_attrs(op))]


@register_op("AvgPool")
class AvgPool(_PoolBase):
    """Mean over each (ksize) window; SAME padding averages only the real (unpadded) inputs."""
    inputs = ("value:T",)
    label = "avg_pool"

    def infer(self, value, ksize, strides, padding, data_format):
        if not value.dtype.is_floating:
            raise TypeError("AvgPool needs a floating-point input, got %s" % value.dtype.name)
        _check_format(data_format, "AvgPool")
        dims = _nhwc_shape(_dims4(value, "value", "AvgPool"), data_format)
        return value.dtype, self._out_shape(dims, ksize, strides, padding, data_format)

    def kernel(self, attrs):
        window = self._window_builder(attrs)
        data_format = attrs["data_format"]
        counts = _memoized(lambda key: _avg_counts(window(key[0]), key[1]))

        def avg_pool(x):
            g = window(x.shape)
            return _from_nhwc(_avg_pool(_nhwc(x, data_format), g, counts((x.shape, x.dtype))),
                              data_format)
        return avg_pool

    def gradient(self, op, grad):
        x = op.inputs[0]
        return [apply_op("AvgPoolGrad", [array_ops._shape_of(x), grad], self._grad_attrs(op))]


@register_op("AvgPoolGrad")
class AvgPoolGrad(_PoolBase):
    """Gradient of AvgPool: each output's gradient is shared evenly by its window's inputs."""
    inputs = ("orig_input_shape:int32", "grad:T")
    label = "avg_pool_grad"

    def infer(self, orig_input_shape, grad, ksize, strides, padding, data_format):
        _check_format(data_format, "AvgPoolGrad")
        dims = _shape_input(orig_input_shape, "orig_input_shape", "AvgPoolGrad")
        out = self._out_shape(_nhwc_shape(dims, data_format), ksize, strides, padding, data_format)
        if not grad.shape.is_compatible_with(out) and grad.shape.ndims is not None:
            raise ValueError("AvgPoolGrad: grad has shape %s but AvgPool of orig_input_shape %s "
                             "gives %s" % (grad.shape, list(dims), out))
        return grad.dtype, list(dims)

    def kernel(self, attrs):
        window = self._window_builder(attrs)
        data_format = attrs["data_format"]
        counts = _memoized(lambda key: _avg_counts(window(key[0]), key[1]))

        def avg_pool_grad(orig_input_shape, grad):
            shape = _four_ints(orig_input_shape, "orig_input_shape", "AvgPoolGrad")
            g = window(shape)
            d = _nhwc(grad, data_format)
            _check_same_shape(d.shape, (g.n, g.oh, g.ow, g.c), "grad (NHWC)", "AvgPoolGrad")
            return _from_nhwc(_avg_pool_grad(d, g, counts((shape, grad.dtype))), data_format)
        return avg_pool_grad

    def gradient(self, op, grad):
        return [None, apply_op("AvgPool", [grad], self._grad_attrs(op))]


# -- Python API (tf.nn.*) --------------------------------------------------------------------------------
def _get_sequence(value, n, channel_index, name):
    """TF1's expansion of an int / length-n / length-(n+2) argument to n+2 entries."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError("%s should be of length 1, %d or %d but was %d"
                         % (name, n, n + 2, len(value)))
    return ([1, 1] + value) if channel_index == 1 else ([1] + value + [1])


def _convert_padding(padding):
    """("SAME"|"VALID", []) or ("EXPLICIT", 8 ints) for a string or a list of 4 [before, after]."""
    if isinstance(padding, (bytes, str)):
        padding = padding.decode() if isinstance(padding, bytes) else padding
        if padding not in ("SAME", "VALID"):
            raise ValueError("padding must be 'SAME', 'VALID' or a list of 4 [before, after] pairs, "
                             "got %r" % padding)
        return padding, []
    try:
        pairs = [list(p) for p in padding]
    except TypeError:
        raise ValueError("padding must be 'SAME', 'VALID' or a list of 4 [before, after] pairs, "
                         "got %r" % (padding,)) from None
    if len(pairs) != 4 or any(len(p) != 2 for p in pairs):
        raise ValueError("When padding is a list, it must have 4 [before, after] pairs (one per "
                         "dimension), got %r" % (padding,))
    return "EXPLICIT", [int(v) for p in pairs for v in p]


def _conv_attrs(strides, padding, data_format, dilations, use_cudnn_on_gpu):
    data_format = data_format or "NHWC"
    if data_format not in _FORMATS:
        raise ValueError("data_format must be 'NHWC' or 'NCHW', got %r" % (data_format,))
    channel_index = 3 if data_format == "NHWC" else 1
    if padding is None:
        raise ValueError("padding is required: 'SAME', 'VALID' or a list of pairs")
    padding, explicit = _convert_padding(padding)
    return {"strides": _get_sequence(strides, 2, channel_index, "strides"),
            "padding": padding, "explicit_paddings": explicit, "data_format": data_format,
            "dilations": _get_sequence(dilations, 2, channel_index, "dilations"),
            "use_cudnn_on_gpu": bool(use_cudnn_on_gpu)}


def _pick(new_name, new_value, old_name, old_value):
    if new_value is not None and old_value is not None:
        raise ValueError("Cannot specify both '%s' and '%s'" % (new_name, old_name))
    return new_value if new_value is not None else old_value


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=[1, 1, 1, 1], name=None, filters=None):  # noqa: B006
    """2-D convolution: input [batch, height, width, in_channels] (NHWC) with filter
    [filter_height, filter_width, in_channels, out_channels]."""
    filter = _pick("filters", filters, "filter", filter)
    if filter is None:
        raise ValueError("conv2d needs a filter")
    return apply_op("Conv2D", [input, filter],
                    _conv_attrs(strides, padding, data_format, dilations, use_cudnn_on_gpu), name=name)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):
    """1-D convolution of [batch, width, in_channels] (NWC) with filters [width, in, out]:
    a Conv2D over a height-1 image, as TF1 does it."""
    value = _pick("input", input, "value", value)
    with name_scope(name, "conv1d", [value, filters]) as scope:
        if data_format in (None, "NHWC", "NWC"):
            data_format, spatial, channel_index = "NHWC", 1, 2
        elif data_format in ("NCHW", "NCW"):
            data_format, spatial, channel_index = "NCHW", 2, 1
        else:
            raise ValueError('data_format must be "NWC" or "NCW".')
        strides = [1] + _get_sequence(stride, 1, channel_index, "stride")
        dilations = [1] + _get_sequence(dilations, 1, channel_index, "dilations")
        value = array_ops.expand_dims(value, spatial)
        filters = array_ops.expand_dims(filters, 0)
        if padding is None:
            raise ValueError("padding is required: 'SAME' or 'VALID'")
        result = apply_op("Conv2D", [value, filters], {
            "strides": strides, "padding": padding, "explicit_paddings": [],
            "data_format": data_format, "dilations": dilations,
            "use_cudnn_on_gpu": True if use_cudnn_on_gpu is None else bool(use_cudnn_on_gpu)},
            name=scope)
        return array_ops.squeeze(result, [spatial])


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                          name=None, filters=None):
    """The gradient of conv2d with respect to its input, of shape ``input_sizes``, from the filter
    and the output gradient ``out_backprop``."""
    filter = _pick("filters", filters, "filter", filter)
    return apply_op("Conv2DBackpropInput", [input_sizes, filter, out_backprop],
                    _conv_attrs(strides, padding, data_format, dilations, use_cudnn_on_gpu), name=name)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                           data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """The gradient of conv2d with respect to its filter, of shape ``filter_sizes``, from the input
    and the output gradient ``out_backprop``."""
    return apply_op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop],
                    _conv_attrs(strides, padding, data_format, dilations, use_cudnn_on_gpu), name=name)


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NHWC", name=None, input=None, filters=None, dilations=None):
    """The transpose (gradient) of conv2d: ``value`` [batch, h, w, out_channels of filter]
    becomes ``output_shape``; ``filter`` is [height, width, output_channels, in_channels]."""
    value = _pick("input", input, "value", value)
    filter = _pick("filters", filters, "filter", filter)
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        filter = convert_to_tensor(filter, name="filter", dtype_hint=value.dtype)
        if is_tensor_like(output_shape):
            output_shape = convert_to_tensor(output_shape)
        else:
            output_shape = array_ops._shape_tensor(output_shape, "output_shape")
        axis = 3 if (data_format or "NHWC") == "NHWC" else 1
        fdims = filter.shape.as_tuple()
        vdims = value.shape.as_tuple()
        if fdims is not None and vdims is not None and len(fdims) == 4 and len(vdims) == 4:
            if vdims[axis] is not None and fdims[3] is not None and vdims[axis] != fdims[3]:
                raise ValueError("input channels does not match filter's input channels, "
                                 "{} != {}".format(vdims[axis], fdims[3]))
        if not output_shape.dtype.is_integer:
            raise TypeError("output_shape must hold integers, got %s" % output_shape.dtype.name)
        shape = shape_from_tensor(output_shape)
        if shape.ndims is not None and shape.ndims != 4:
            raise ValueError("output_shape must have shape (4,), got %s" % shape)
        if shape.ndims == 4 and fdims is not None and len(fdims) == 4:
            out_c = shape.as_tuple()[axis]
            if out_c is not None and fdims[2] is not None and out_c != fdims[2]:
                raise ValueError("output_shape does not match filter's output channels, "
                                 "{} != {}".format(out_c, fdims[2]))
        if output_shape.dtype != dtypes.int32:
            from tfone.ops import math_ops
            output_shape = math_ops.cast(output_shape, dtypes.int32)
        return apply_op("Conv2DBackpropInput", [output_shape, filter, value],
                        _conv_attrs(strides, padding, data_format, dilations, True), name=scope)


def _depthwise_attrs(strides, padding, data_format, dilations):
    attrs = _conv_attrs(strides, padding, data_format, dilations, True)
    del attrs["use_cudnn_on_gpu"]
    return attrs


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",
                            dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """The DepthwiseConv2dNative op: filter [kh, kw, in_channels, channel_multiplier]."""
    return apply_op("DepthwiseConv2dNative", [input, filter],
                    _depthwise_attrs(strides, padding, data_format, dilations), name=name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                           data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                                           name=None):
    """The gradient of depthwise_conv2d_native with respect to its input (of shape
    ``input_sizes``)."""
    return apply_op("DepthwiseConv2dNativeBackpropInput", [input_sizes, filter, out_backprop],
                    _depthwise_attrs(strides, padding, data_format, dilations), name=name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                            data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                                            name=None):
    """The gradient of depthwise_conv2d_native with respect to its filter, of shape
    ``filter_sizes``."""
    return apply_op("DepthwiseConv2dNativeBackpropFilter", [input, filter_sizes, out_backprop],
                    _depthwise_attrs(strides, padding, data_format, dilations), name=name)


def _rate_dilations(rate, strides, data_format, what):
    """TF1's ``rate`` for depthwise/separable convolutions as a 4-element dilations list."""
    rate = [1, 1] if rate is None else [int(r) for r in np.broadcast_to(rate, (2,))]
    if any(r < 1 for r in rate):
        raise ValueError("%s: rate must be >= 1, got %s" % (what, rate))
    if any(r > 1 for r in rate) and any(int(v) != 1 for v in (strides or [1])):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    return [1, 1] + rate if (data_format or "NHWC") == "NCHW" else [1] + rate + [1]


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None,
                     dilations=None):
    """Depthwise 2-D convolution: input channel k convolved with filter[:, :, k, :] gives
    output channels k * channel_multiplier ... (k + 1) * channel_multiplier - 1."""
    rate = _pick("dilations", dilations, "rate", rate)
    with name_scope(name, "depthwise", [input, filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        filter = convert_to_tensor(filter, name="filter_in", dtype_hint=input.dtype)
        return apply_op("DepthwiseConv2dNative", [input, filter], _depthwise_attrs(
            strides, padding, data_format, _rate_dilations(rate, strides, data_format,
                                                           "depthwise_conv2d")), name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,
                     name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution that mixes the channels;
    pointwise_filter is [1, 1, in_channels * channel_multiplier, out_channels]."""
    rate = _pick("dilations", dilations, "rate", rate)
    with name_scope(name, "separable_conv2d",
                    [input, depthwise_filter, pointwise_filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter",
                                             dtype_hint=input.dtype)
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter",
                                             dtype_hint=input.dtype)
        pdims = pointwise_filter.shape.with_rank(4).as_tuple()
        if pdims[0] not in (None, 1) or pdims[1] not in (None, 1):
            raise ValueError("pointwise_filter must be [1, 1, in_channels * channel_multiplier, "
                             "out_channels], got shape %s" % pointwise_filter.shape)
        depthwise = apply_op("DepthwiseConv2dNative", [input, depthwise_filter], _depthwise_attrs(
            strides, padding, data_format, _rate_dilations(rate, strides, data_format,
                                                           "separable_conv2d")), name="depthwise")
        return apply_op("Conv2D", [depthwise, pointwise_filter],
                        _conv_attrs([1, 1, 1, 1], "VALID", data_format, None, True), name=scope)


def _pool_attrs(ksize, strides, padding, data_format):
    data_format = data_format or "NHWC"
    if data_format not in _FORMATS:
        raise ValueError("data_format must be 'NHWC' or 'NCHW', got %r" % (data_format,))
    channel_index = 3 if data_format == "NHWC" else 1
    ksize = _get_sequence(ksize, 2, channel_index, "ksize")
    if any(v == 0 for v in ksize):
        raise ValueError("ksize cannot be zero.")
    if isinstance(padding, bytes):
        padding = padding.decode()
    return {"ksize": ksize, "strides": _get_sequence(strides, 2, channel_index, "strides"),
            "padding": padding, "data_format": data_format}


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """Max pooling over [batch, height, width, channels] (NHWC) or NCHW images."""
    value = _pick("input", input, "value", value)
    with name_scope(name, "MaxPool", [value]) as scope:
        return apply_op("MaxPool", [value], _pool_attrs(ksize, strides, padding, data_format),
                        name=scope)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """Average pooling; with SAME padding each output averages only the real inputs."""
    value = _pick("input", input, "value", value)
    with name_scope(name, "AvgPool", [value]) as scope:
        return apply_op("AvgPool", [value], _pool_attrs(ksize, strides, padding, data_format),
                        name=scope)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """tf.nn.max_pool2d: max_pool with ``input`` as the first argument."""
    with name_scope(name, "MaxPool2d", [input]) as scope:
        return apply_op("MaxPool", [input], _pool_attrs(ksize, strides, padding, data_format),
                        name=scope)


avg_pool2d = avg_pool  # TF1's tf.nn.avg_pool2d is the same function as tf.nn.avg_pool
