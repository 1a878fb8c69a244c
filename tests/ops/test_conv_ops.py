"""Convolution and pooling ops: loop-based numpy references, static shapes, gradient checks.

The references below are deliberately naive (Python loops over every output pixel) so that
they are obviously right; inputs are tiny.
"""
import numpy as np
import pytest

import tfone as tf
from tfone.framework.op_registry import apply_op
from tfone.test import check_gradients

REFERENCE_CHECKED = {"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPool",
                     "MaxPoolGrad", "MaxPoolGradGrad", "AvgPool", "AvgPoolGrad",
                     "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                     "DepthwiseConv2dNativeBackpropFilter"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = set(REFERENCE_CHECKED)

RNG = np.random.RandomState(7)


# -- naive references (NHWC) ------------------------------------------------------------------------
def _geometry(size, k, stride, dilation, padding):
    ek = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        return out, max((out - 1) * stride + ek - size, 0) // 2
    if padding == "VALID":
        return (size - ek) // stride + 1, 0
    before, after = padding
    return (size + before + after - ek) // stride + 1, before


def _windows(x_shape, k, strides, dilations, paddings):
    """Yield (out index (i, j), list of (r, c, (a, b)) input pixels inside the image)."""
    _, h, w, _ = x_shape
    oh, pt = _geometry(h, k[0], strides[0], dilations[0], paddings[0])
    ow, pl = _geometry(w, k[1], strides[1], dilations[1], paddings[1])
    for i in range(oh):
        for j in range(ow):
            taps = []
            for a in range(k[0]):
                for b in range(k[1]):
                    r = i * strides[0] + a * dilations[0] - pt
                    c = j * strides[1] + b * dilations[1] - pl
                    if 0 <= r < h and 0 <= c < w:
                        taps.append((r, c, (a, b)))
            yield (i, j), taps, (oh, ow)


def _out_hw(x_shape, k, strides, dilations, paddings):
    _, h, w, _ = x_shape
    return (_geometry(h, k[0], strides[0], dilations[0], paddings[0])[0],
            _geometry(w, k[1], strides[1], dilations[1], paddings[1])[0])


def conv_ref(x, w, strides, dilations, paddings):
    oh, ow = _out_hw(x.shape, w.shape[:2], strides, dilations, paddings)
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for (i, j), taps, _ in _windows(x.shape, w.shape[:2], strides, dilations, paddings):
        for r, c, (a, b) in taps:
            out[:, i, j] += x[:, r, c] @ w[a, b]
    return out


def conv_input_grad_ref(x_shape, w, dout, strides, dilations, paddings):
    dx = np.zeros(x_shape)
    for (i, j), taps, _ in _windows(x_shape, w.shape[:2], strides, dilations, paddings):
        for r, c, (a, b) in taps:
            dx[:, r, c] += dout[:, i, j] @ w[a, b].T
    return dx


def conv_filter_grad_ref(x, w_shape, dout, strides, dilations, paddings):
    dw = np.zeros(w_shape)
    for (i, j), taps, _ in _windows(x.shape, w_shape[:2], strides, dilations, paddings):
        for r, c, (a, b) in taps:
            dw[a, b] += x[:, r, c].T @ dout[:, i, j]
    return dw


def pool_ref(x, k, strides, padding, kind):
    oh, ow = _out_hw(x.shape, k, strides, (1, 1), (padding, padding))
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for (i, j), taps, _ in _windows(x.shape, k, strides, (1, 1), (padding, padding)):
        values = np.stack([x[:, r, c] for r, c, _ in taps])
        out[:, i, j] = values.max(0) if kind == "max" else values.mean(0)
    return out


def max_pool_grad_ref(x, grad, k, strides, padding):
    dx = np.zeros(x.shape)
    for (i, j), taps, _ in _windows(x.shape, k, strides, (1, 1), (padding, padding)):
        for n in range(x.shape[0]):
            for ch in range(x.shape[3]):
                values = [x[n, r, c, ch] for r, c, _ in taps]
                r, c, _ = taps[int(np.argmax(values))]   # argmax: the first maximum
                dx[n, r, c, ch] += grad[n, i, j, ch]
    return dx


def max_pool_grad_grad_ref(x, grad, k, strides, padding):
    oh, ow = _out_hw(x.shape, k, strides, (1, 1), (padding, padding))
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for (i, j), taps, _ in _windows(x.shape, k, strides, (1, 1), (padding, padding)):
        for n in range(x.shape[0]):
            for ch in range(x.shape[3]):
                values = [x[n, r, c, ch] for r, c, _ in taps]
                r, c, _ = taps[int(np.argmax(values))]
                out[n, i, j, ch] = grad[n, r, c, ch]
    return out


def avg_pool_grad_ref(x_shape, grad, k, strides, padding):
    dx = np.zeros(x_shape)
    for (i, j), taps, _ in _windows(x_shape, k, strides, (1, 1), (padding, padding)):
        for r, c, _ in taps:
            dx[:, r, c] += grad[:, i, j] / len(taps)
    return dx


# -- helpers ------------------------------------------------------------------------------------------
def to_format(x, data_format):
    return x if data_format == "NHWC" else np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def from_format(x, data_format):
    return x if data_format == "NHWC" else x.transpose(0, 2, 3, 1)


def _four(values, data_format):
    return [1] + list(values) + [1] if data_format == "NHWC" else [1, 1] + list(values)


def _explicit(paddings, data_format):
    pads = [list(p) for p in paddings]
    return [[0, 0]] + pads + [[0, 0]] if data_format == "NHWC" else [[0, 0], [0, 0]] + pads


def _batchless(array):
    return tf.placeholder(tf.as_dtype(array.dtype), [None] + list(array.shape[1:]))


def _run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _conv_kwargs(case, data_format):
    strides, dilations, padding = case["strides"], case["dilations"], case["padding"]
    pad_arg = padding if isinstance(padding, str) else _explicit(padding, data_format)
    return dict(strides=_four(strides, data_format), padding=pad_arg,
                dilations=_four(dilations, data_format), data_format=data_format)


def _paddings(case):
    p = case["padding"]
    return (p, p) if isinstance(p, str) else tuple(p)


CONV_CASES = [
    dict(x=(2, 5, 6, 3), w=(3, 2, 3, 4), strides=(1, 1), dilations=(1, 1), padding="SAME"),
    dict(x=(2, 7, 7, 2), w=(3, 3, 2, 3), strides=(2, 2), dilations=(1, 1), padding="SAME"),
    dict(x=(1, 8, 7, 2), w=(2, 3, 2, 2), strides=(2, 3), dilations=(1, 1), padding="VALID"),
    dict(x=(2, 9, 8, 1), w=(3, 3, 1, 2), strides=(1, 1), dilations=(2, 3), padding="SAME"),
    dict(x=(1, 9, 9, 2), w=(2, 3, 2, 3), strides=(2, 1), dilations=(2, 1), padding="VALID"),
    dict(x=(2, 6, 6, 3), w=(2, 2, 3, 2), strides=(2, 2), dilations=(1, 1), padding="VALID"),
    dict(x=(1, 5, 4, 2), w=(3, 2, 2, 2), strides=(1, 2), dilations=(1, 1),
         padding=((1, 2), (0, 1))),
    dict(x=(2, 10, 10, 1), w=(5, 5, 1, 3), strides=(1, 1), dilations=(1, 1), padding="VALID"),
    dict(x=(1, 4, 4, 8), w=(1, 1, 8, 3), strides=(1, 1), dilations=(1, 1), padding="SAME"),
]
FORMATS = ["NHWC", "NCHW"]


def _case_id(case):
    return "x%s_w%s_s%s_d%s_%s" % (case["x"], case["w"], case["strides"], case["dilations"],
                                   case["padding"] if isinstance(case["padding"], str) else "explicit")


# -- Conv2D --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", CONV_CASES, ids=_case_id)
def test_conv2d_matches_loop_reference(case, data_format):
    x = RNG.randn(*case["x"]).astype(np.float32)
    w = RNG.randn(*case["w"]).astype(np.float32)
    expected = conv_ref(x.astype(np.float64), w.astype(np.float64), case["strides"],
                        case["dilations"], _paddings(case))
    xf = to_format(x, data_format)
    xp = _batchless(xf)
    y = tf.nn.conv2d(xp, w, **_conv_kwargs(case, data_format))
    assert y.op.type == "Conv2D"
    out = _run(y, {xp: xf})
    assert out.dtype == np.float32
    np.testing.assert_allclose(from_format(out, data_format), expected, rtol=1e-4, atol=1e-4)
    # Static shape: batch unknown, the rest computed.
    assert y.shape.as_list() == [None] + list(to_format(expected, data_format).shape[1:])


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", CONV_CASES, ids=_case_id)
def test_conv2d_backprops_match_loop_reference(case, data_format):
    x = RNG.randn(*case["x"])
    w = RNG.randn(*case["w"])
    strides, dilations, paddings = case["strides"], case["dilations"], _paddings(case)
    oh, ow = _out_hw(x.shape, w.shape[:2], strides, dilations, paddings)
    dout = RNG.randn(x.shape[0], oh, ow, w.shape[3])
    kwargs = _conv_kwargs(case, data_format)
    x_sizes = list(to_format(x, data_format).shape)
    dx = tf.nn.conv2d_backprop_input(x_sizes, w, to_format(dout, data_format), **kwargs)
    dw = tf.nn.conv2d_backprop_filter(to_format(x, data_format), list(w.shape),
                                      to_format(dout, data_format), **kwargs)
    assert dx.op.type == "Conv2DBackpropInput" and dw.op.type == "Conv2DBackpropFilter"
    assert dx.shape.as_list() == x_sizes and dw.shape.as_list() == list(w.shape)
    got_dx, got_dw = _run([dx, dw])
    np.testing.assert_allclose(from_format(got_dx, data_format),
                               conv_input_grad_ref(x.shape, w, dout, strides, dilations, paddings),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got_dw, conv_filter_grad_ref(x, w.shape, dout, strides, dilations,
                                                            paddings), rtol=1e-10, atol=1e-10)


def test_conv_kernels_keep_float32_and_accept_noncontiguous_inputs():
    x = RNG.randn(2, 6, 6, 3).astype(np.float32)
    w = RNG.randn(3, 3, 3, 4).astype(np.float32)
    xt = tf.transpose(tf.constant(x.transpose(0, 2, 1, 3)), [0, 2, 1, 3])  # a transposed view
    y = tf.nn.conv2d(xt, w, strides=[1, 1, 1, 1], padding="SAME")
    dx, dw = tf.gradients(tf.reduce_sum(y * y), [xt, y.op.inputs[1]])
    out, gx, gw = _run([y, dx, dw])
    assert out.dtype == gx.dtype == gw.dtype == np.float32
    np.testing.assert_allclose(out, conv_ref(x, w, (1, 1), (1, 1), ("SAME", "SAME")), rtol=1e-4,
                               atol=1e-4)


def test_conv2d_transpose_is_backprop_input():
    x = RNG.randn(2, 3, 3, 4)  # [batch, h, w, in_channels of the transpose]
    w = RNG.randn(3, 3, 2, 4)  # [h, w, output channels, in channels]
    y = tf.nn.conv2d_transpose(x, w, output_shape=[2, 6, 6, 2], strides=[1, 2, 2, 1],
                               padding="SAME")
    assert y.op.type == "Conv2DBackpropInput" and y.op.name == "conv2d_transpose"
    assert y.shape.as_list() == [2, 6, 6, 2]
    expected = conv_input_grad_ref((2, 6, 6, 2), w, x, (2, 2), (1, 1), ("SAME", "SAME"))
    np.testing.assert_allclose(_run(y), expected, rtol=1e-10)
    with pytest.raises(ValueError, match="input channels does not match"):
        tf.nn.conv2d_transpose(x, RNG.randn(3, 3, 2, 5), [2, 6, 6, 2], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="output_shape does not match"):
        tf.nn.conv2d_transpose(x, w, [2, 6, 6, 3], [1, 2, 2, 1])


def test_conv2d_argument_forms_and_names():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    w = tf.zeros([3, 3, 3, 5])
    assert tf.nn.conv2d(x, w, strides=2, padding="SAME").op.get_attr("strides") == [1, 2, 2, 1]
    assert tf.nn.conv2d(x, w, [2, 1], "SAME").op.get_attr("strides") == [1, 2, 1, 1]
    y = tf.nn.conv2d(x, filters=w, strides=[1, 1, 1, 1], padding="VALID", name="c")
    assert y.op.name == "c" and y.shape.as_list() == [None, 6, 6, 5]
    assert tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME").op.name == "Conv2D_2"
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4"):
        tf.nn.conv2d(x, w, [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="batch and depth dimensions must be 1"):
        tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding must be"):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError, match="batch and depth dimensions must be 0"):
        tf.nn.conv2d(x, w, 1, [[1, 0], [1, 1], [1, 1], [0, 0]])


# -- Conv2D shapes --------------------------------------------------------------------------------------
def test_conv_static_shapes_known_partial_unknown():
    w = tf.placeholder(tf.float32, [5, 5, 3, 16])
    full = tf.nn.conv2d(tf.placeholder(tf.float32, [4, 28, 28, 3]), w, [1, 2, 2, 1], "SAME")
    assert full.shape.as_list() == [4, 14, 14, 16]
    valid = tf.nn.conv2d(tf.placeholder(tf.float32, [4, 28, 27, 3]), w, [1, 2, 2, 1], "VALID")
    assert valid.shape.as_list() == [4, 12, 12, 16]
    partial = tf.nn.conv2d(tf.placeholder(tf.float32, [None, None, 28, 3]), w, [1, 1, 1, 1], "SAME")
    assert partial.shape.as_list() == [None, None, 28, 16]
    nchw = tf.nn.conv2d(tf.placeholder(tf.float32, [None, 3, 10, 9]), w, [1, 1, 1, 1], "SAME",
                        data_format="NCHW")
    assert nchw.shape.as_list() == [None, 16, 10, 9]
    dilated = tf.nn.conv2d(tf.placeholder(tf.float32, [1, 12, 12, 3]), w, 1, "VALID",
                           dilations=[1, 2, 2, 1])
    assert dilated.shape.as_list() == [1, 4, 4, 16]
    unknown = tf.nn.conv2d(tf.placeholder(tf.float32), w, [1, 1, 1, 1], "SAME")
    assert unknown.shape.as_list() == [None, None, None, 16]
    no_filter = tf.nn.conv2d(tf.placeholder(tf.float32, [2, 8, 8, 3]), tf.placeholder(tf.float32),
                             [1, 1, 1, 1], "VALID")
    assert no_filter.shape.as_list() == [2, None, None, None]


def test_conv_static_shape_errors():
    w = tf.placeholder(tf.float32, [5, 5, 3, 16])
    with pytest.raises(ValueError, match="in_channels"):
        tf.nn.conv2d(tf.placeholder(tf.float32, [1, 8, 8, 4]), w, 1, "SAME")
    with pytest.raises(ValueError, match="negative output height"):
        tf.nn.conv2d(tf.placeholder(tf.float32, [1, 3, 8, 3]), w, 1, "VALID")
    with pytest.raises(ValueError, match="must be 4-D"):
        tf.nn.conv2d(tf.placeholder(tf.float32, [8, 8, 3]), w, 1, "SAME")
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.conv2d(tf.placeholder(tf.int32, [1, 8, 8, 3]), tf.zeros([5, 5, 3, 1], tf.int32), 1,
                     "SAME")


def test_backprop_static_shapes_and_errors():
    w = tf.placeholder(tf.float32, [3, 3, 2, 4])
    sizes = tf.placeholder(tf.int32, [4])
    dx = tf.nn.conv2d_backprop_input(sizes, w, tf.placeholder(tf.float32, [None, 5, 5, 4]),
                                     [1, 1, 1, 1], "SAME")
    assert dx.shape.as_list() == [None, None, None, 2]
    dx2 = tf.nn.conv2d_backprop_input([2, 10, 10, 2], w, tf.placeholder(tf.float32, [2, 5, 5, 4]),
                                      [1, 2, 2, 1], "SAME")
    assert dx2.shape.as_list() == [2, 10, 10, 2]
    dw = tf.nn.conv2d_backprop_filter(tf.placeholder(tf.float32, [None, 5, 5, 2]), [3, 3, 2, 4],
                                      tf.placeholder(tf.float32, [None, 5, 5, 4]), [1, 1, 1, 1],
                                      "SAME")
    assert dw.shape.as_list() == [3, 3, 2, 4]
    dw2 = tf.nn.conv2d_backprop_filter(tf.placeholder(tf.float32, [None, 5, 5, 2]), sizes,
                                       tf.placeholder(tf.float32), [1, 1, 1, 1], "SAME")
    assert dw2.shape.as_list() == [None, None, 2, None]
    with pytest.raises(ValueError, match="out_backprop height"):
        tf.nn.conv2d_backprop_input([2, 10, 10, 2], w, tf.placeholder(tf.float32, [2, 4, 5, 4]),
                                    [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="out_channels"):
        tf.nn.conv2d_backprop_filter(tf.placeholder(tf.float32, [1, 5, 5, 2]), [3, 3, 2, 3],
                                     tf.placeholder(tf.float32, [1, 5, 5, 4]), 1, "SAME")
    # Run-time check when static shapes could not catch the mismatch.
    dout = tf.placeholder(tf.float32, [None, None, None, 4])
    bad = tf.nn.conv2d_backprop_input([1, 6, 6, 2], w, dout, 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop has shape"):
        _run(bad, {dout: np.zeros((1, 5, 6, 4), np.float32), w: np.zeros((3, 3, 2, 4), np.float32)})


# -- Conv gradients --------------------------------------------------------------------------------------
GRAD_CASES = [
    dict(x=(1, 5, 5, 2), w=(3, 3, 2, 2), strides=(1, 1), dilations=(1, 1), padding="SAME"),
    dict(x=(2, 5, 6, 1), w=(2, 3, 1, 2), strides=(2, 2), dilations=(1, 1), padding="VALID"),
    dict(x=(1, 6, 6, 1), w=(2, 2, 1, 2), strides=(1, 1), dilations=(2, 2), padding="SAME"),
    dict(x=(1, 4, 5, 2), w=(2, 2, 2, 1), strides=(2, 1), dilations=(1, 1),
         padding=((1, 0), (2, 1))),
]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", GRAD_CASES, ids=_case_id)
def test_conv2d_gradients(case, data_format):
    x = to_format(RNG.randn(*case["x"]), data_format)
    w = RNG.randn(*case["w"])
    kwargs = _conv_kwargs(case, data_format)
    check_gradients(lambda a, b: tf.nn.conv2d(a, b, **kwargs), x, w)
    # Second order: d/d(x, w) of a function of the (x, w) gradients.
    check_gradients(lambda a, b: tf.square(tf.nn.conv2d(a, b, **kwargs)), x, w, order=2)


@pytest.mark.parametrize("data_format", FORMATS)
def test_conv_backprop_ops_gradients(data_format):
    case = GRAD_CASES[1]
    kwargs = _conv_kwargs(case, data_format)
    x = to_format(RNG.randn(*case["x"]), data_format)
    w = RNG.randn(*case["w"])
    dout = to_format(RNG.randn(2, 2, 2, 2), data_format)
    sizes = list(x.shape)
    check_gradients(lambda b, d: tf.nn.conv2d_backprop_input(sizes, b, d, **kwargs), w, dout)
    check_gradients(lambda a, d: tf.nn.conv2d_backprop_filter(a, list(w.shape), d, **kwargs), x, dout)
    check_gradients(lambda b, d: tf.square(tf.nn.conv2d_backprop_input(sizes, b, d, **kwargs)),
                    w, dout, order=2)


# -- pooling ------------------------------------------------------------------------------------------------
POOL_CASES = [
    dict(x=(2, 6, 6, 3), k=(2, 2), s=(2, 2), padding="VALID"),
    dict(x=(2, 7, 5, 2), k=(3, 3), s=(2, 2), padding="SAME"),
    dict(x=(1, 7, 5, 2), k=(3, 2), s=(2, 1), padding="SAME"),
    dict(x=(1, 5, 5, 2), k=(2, 2), s=(1, 1), padding="VALID"),
    dict(x=(2, 5, 7, 1), k=(2, 2), s=(2, 2), padding="SAME"),
    dict(x=(1, 4, 4, 2), k=(4, 4), s=(4, 4), padding="VALID"),
]


def _pool_id(case):
    return "x%s_k%s_s%s_%s" % (case["x"], case["k"], case["s"], case["padding"])


def _pool_kwargs(case, data_format):
    return dict(ksize=_four(case["k"], data_format), strides=_four(case["s"], data_format),
                padding=case["padding"], data_format=data_format)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", POOL_CASES, ids=_pool_id)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_matches_loop_reference(kind, case, data_format):
    x = RNG.randn(*case["x"]).astype(np.float32)
    fn = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool
    xf = to_format(x, data_format)
    xp = _batchless(xf)
    y = fn(xp, **_pool_kwargs(case, data_format))
    assert y.op.type == ("MaxPool" if kind == "max" else "AvgPool")
    expected = pool_ref(x.astype(np.float64), case["k"], case["s"], case["padding"], kind)
    assert y.shape.as_list() == [None] + list(to_format(expected, data_format).shape[1:])
    out = _run(y, {xp: xf})
    assert out.dtype == np.float32
    np.testing.assert_allclose(from_format(out, data_format), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", POOL_CASES, ids=_pool_id)
def test_pool_grads_match_loop_reference(case, data_format):
    x = RNG.randn(*case["x"])
    k, s, padding = case["k"], case["s"], case["padding"]
    y_ref = pool_ref(x, k, s, padding, "max")
    grad = RNG.randn(*y_ref.shape)
    grad_in = RNG.randn(*x.shape)
    kwargs = _pool_kwargs(case, data_format)
    xf, yf, gf = to_format(x, data_format), to_format(y_ref, data_format), to_format(grad, data_format)
    max_grad = apply_op("MaxPoolGrad", [xf, yf, gf], kwargs)
    max_grad_grad = apply_op("MaxPoolGradGrad", [xf, yf, to_format(grad_in, data_format)], kwargs)
    avg_grad = apply_op("AvgPoolGrad", [list(xf.shape), gf], kwargs)
    assert max_grad.shape.as_list() == list(xf.shape) == avg_grad.shape.as_list()
    assert max_grad_grad.shape.as_list() == list(yf.shape)
    got = _run([max_grad, max_grad_grad, avg_grad])
    np.testing.assert_allclose(from_format(got[0], data_format),
                               max_pool_grad_ref(x, grad, k, s, padding), rtol=1e-12)
    np.testing.assert_allclose(from_format(got[1], data_format),
                               max_pool_grad_grad_ref(x, grad_in, k, s, padding), rtol=1e-12)
    np.testing.assert_allclose(from_format(got[2], data_format),
                               avg_pool_grad_ref(x.shape, grad, k, s, padding), rtol=1e-12)


def test_max_pool_gradient_goes_to_first_maximum_of_ties():
    x = np.array([[[[0.], [0.], [1.]], [[0.], [0.], [1.]]]], np.float32)  # [1, 2, 3, 1]
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    g = tf.gradients(y, xt)[0]
    out, dx = _run([y, g])
    np.testing.assert_array_equal(out.ravel(), [0, 1])
    # Window 1 is all zeros: its gradient goes to the top-left zero; window 2's first 1 wins.
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0, 1], [0, 0, 0]])


def test_avg_pool_same_padding_averages_only_real_inputs():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    y = _run(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(y[0, :, :, 0], [[2.0, 3.5], [6.5, 8.0]])


def test_pool_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 28, None, 3])
    y = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert y.shape.as_list() == [None, 14, None, 3]
    assert y.op.name == "MaxPool"
    assert tf.nn.avg_pool(x, 3, 2, "VALID", name="pool").shape.as_list() == [None, 13, None, 3]
    assert tf.nn.max_pool(tf.placeholder(tf.float32), 2, 2, "VALID").shape.ndims == 4
    nchw = tf.nn.max_pool(tf.placeholder(tf.float32, [2, 3, 9, 9]), 3, 2, "VALID", "NCHW")
    assert nchw.shape.as_list() == [2, 3, 4, 4]
    with pytest.raises(ValueError, match="ksize cannot be zero"):
        tf.nn.max_pool(x, [1, 0, 2, 1], 1, "SAME")
    with pytest.raises(ValueError, match="batch and depth"):
        tf.nn.max_pool(x, [1, 2, 2, 2], 1, "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.nn.avg_pool(x, 2, 2, "EXPLICIT")
    with pytest.raises(ValueError, match="negative output height"):
        tf.nn.max_pool(tf.placeholder(tf.float32, [1, 2, 2, 1]), 3, 1, "VALID")
    with pytest.raises(TypeError, match="floating-point"):
        tf.nn.avg_pool(tf.placeholder(tf.int32, [1, 4, 4, 1]), 2, 2, "VALID")
    xs = tf.placeholder(tf.float32, [1, 4, 4, 1])
    with pytest.raises(ValueError, match="MaxPoolGrad: grad has shape"):
        apply_op("MaxPoolGrad", [xs, tf.zeros([1, 2, 2, 1]), tf.zeros([1, 3, 2, 1])],
                 dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"))
    with pytest.raises(ValueError, match="MaxPoolGradGrad: grad has shape"):
        apply_op("MaxPoolGradGrad", [xs, tf.zeros([1, 2, 2, 1]), tf.zeros([1, 3, 2, 1])],
                 dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"))
    partial = apply_op("AvgPoolGrad", [tf.placeholder(tf.int32, [4]), tf.zeros([1, 2, 2, 1])],
                       dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"))
    assert partial.shape.as_list() == [None, None, None, None]
    with pytest.raises(ValueError, match="AvgPoolGrad: grad has shape"):
        apply_op("AvgPoolGrad", [[1, 4, 4, 1], tf.zeros([1, 3, 2, 1])],
                 dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"))


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", [POOL_CASES[1], POOL_CASES[4]], ids=_pool_id)
def test_pool_gradients(case, data_format):
    x = to_format(RNG.randn(*case["x"]), data_format)
    kwargs = _pool_kwargs(case, data_format)
    for fn in (tf.nn.max_pool, tf.nn.avg_pool):
        check_gradients(lambda a: fn(a, **kwargs), x)
        check_gradients(lambda a: tf.square(fn(a, **kwargs)), x, order=2)


def test_pool_grad_ops_gradients():
    case = POOL_CASES[1]
    kwargs = _pool_kwargs(case, "NHWC")
    x = RNG.randn(*case["x"])
    y = pool_ref(x, case["k"], case["s"], case["padding"], "max")
    # MaxPoolGrad/MaxPoolGradGrad are linear in `grad` and flat in the (untied) input.
    check_gradients(lambda a, b, g: apply_op("MaxPoolGrad", [a, b, g], kwargs), x, y,
                    RNG.randn(*y.shape))
    check_gradients(lambda a, b, g: apply_op("MaxPoolGradGrad", [a, b, g], kwargs), x, y,
                    RNG.randn(*x.shape))
    check_gradients(lambda g: apply_op("AvgPoolGrad", [list(x.shape), g], kwargs),
                    RNG.randn(*y.shape))


def test_lenet_like_step_runs_end_to_end():
    # A small CNN forward/backward in float32 through every conv/pool kernel.
    images = tf.placeholder(tf.float32, [None, 12, 12, 1])
    w1 = tf.constant(RNG.randn(5, 5, 1, 4).astype(np.float32) * 0.1)
    w2 = tf.constant(RNG.randn(3, 3, 4, 6).astype(np.float32) * 0.1)
    h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(images, w1, 1, "SAME")), 2, 2, "VALID")
    h = tf.nn.avg_pool(tf.nn.relu(tf.nn.conv2d(h, w2, 1, "VALID")), 2, 2, "SAME")
    loss = tf.reduce_sum(tf.square(h))
    grads = tf.gradients(loss, [w1, w2, images])
    out = _run([loss] + grads, {images: RNG.rand(3, 12, 12, 1).astype(np.float32)})
    assert all(np.all(np.isfinite(o)) for o in out)
    assert all(np.asarray(o).dtype == np.float32 for o in out)
    assert out[1].shape == (5, 5, 1, 4) and out[3].shape == (3, 12, 12, 1)



@pytest.mark.parametrize("data_format", ["NWC", "NCW"])
def test_conv1d_is_a_height_one_conv2d(data_format):
    x = RNG.randn(2, 9, 3)
    w = RNG.randn(3, 3, 4)
    xf = x if data_format == "NWC" else x.transpose(0, 2, 1)
    y = tf.nn.conv1d(xf, w, stride=2, padding="SAME", data_format=data_format)
    assert y.op.type == "Squeeze" and y.op.inputs[0].op.type == "Conv2D"
    expected = conv_ref(x[:, None], w[None], (1, 2), (1, 1), ("SAME", "SAME"))[:, 0]
    out = _run(y)
    np.testing.assert_allclose(out if data_format == "NWC" else out.transpose(0, 2, 1), expected,
                               rtol=1e-10)
    assert y.shape.as_list() == list(out.shape)
    check_gradients(lambda a, b: tf.nn.conv1d(a, b, 1, "VALID", data_format=data_format),
                    xf[:1], w[:, :, :2])
    with pytest.raises(ValueError, match="NWC"):
        tf.nn.conv1d(xf, w, 1, "SAME", data_format="NHWC_")


# -- depthwise / separable ---------------------------------------------------------------------------------
def _depthwise_ref(x, f, strides, dilations, paddings):
    """Each input channel convolved with its own filters (output channel c * m + q)."""
    return np.concatenate([conv_ref(x[..., c:c + 1], f[:, :, c:c + 1], strides, dilations, paddings)
                           for c in range(x.shape[3])], axis=-1)


DEPTHWISE_CASES = [c for c in CONV_CASES if c["w"][2] > 1][:5]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=_case_id)
def test_depthwise_ops_match_loop_reference(case, data_format):
    x = RNG.randn(*case["x"])
    f = RNG.randn(*(case["w"][:3] + (2,)))
    strides, dilations, paddings = case["strides"], case["dilations"], _paddings(case)
    kwargs = _conv_kwargs(case, data_format)
    del kwargs["padding"]
    pad_arg = _conv_kwargs(case, data_format)["padding"]
    expected = _depthwise_ref(x, f, strides, dilations, paddings)
    xf = to_format(x, data_format)
    y = tf.nn.depthwise_conv2d_native(xf, f, padding=pad_arg, **kwargs)
    assert y.op.type == "DepthwiseConv2dNative"
    assert y.shape.as_list() == list(to_format(expected, data_format).shape)
    dout = RNG.randn(*expected.shape)
    dx = tf.nn.depthwise_conv2d_native_backprop_input(list(xf.shape), f, to_format(dout, data_format),
                                                      padding=pad_arg, **kwargs)
    df = tf.nn.depthwise_conv2d_native_backprop_filter(xf, list(f.shape), to_format(dout, data_format),
                                                       padding=pad_arg, **kwargs)
    assert dx.shape.as_list() == list(xf.shape) and df.shape.as_list() == list(f.shape)
    out, got_dx, got_df = _run([y, dx, df])
    np.testing.assert_allclose(from_format(out, data_format), expected, rtol=1e-10, atol=1e-10)
    # References for the backprops: per channel, the plain-convolution gradients.
    ref_dx = np.concatenate([conv_input_grad_ref(x.shape[:3] + (1,), f[:, :, c:c + 1],
                                                 dout[..., 2 * c:2 * c + 2], strides, dilations,
                                                 paddings) for c in range(x.shape[3])], -1)
    ref_df = np.concatenate([conv_filter_grad_ref(x[..., c:c + 1], f.shape[:2] + (1, 2),
                                                  dout[..., 2 * c:2 * c + 2], strides, dilations,
                                                  paddings) for c in range(x.shape[3])], 2)
    np.testing.assert_allclose(from_format(got_dx, data_format), ref_dx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got_df, ref_df, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("data_format", FORMATS)
def test_depthwise_gradients(data_format):
    case = GRAD_CASES[0]
    kwargs = _conv_kwargs(case, data_format)
    x = to_format(RNG.randn(1, 5, 4, 2), data_format)
    f = RNG.randn(3, 2, 2, 2)
    check_gradients(lambda a, b: tf.nn.depthwise_conv2d_native(a, b, **kwargs), x, f)
    check_gradients(lambda a, b: tf.square(tf.nn.depthwise_conv2d_native(a, b, **kwargs)), x, f,
                    order=2)
    dout = to_format(RNG.randn(1, 5, 4, 4), data_format)
    check_gradients(lambda b, d: tf.nn.depthwise_conv2d_native_backprop_input(
        list(x.shape), b, d, **kwargs), f, dout)
    check_gradients(lambda a, d: tf.nn.depthwise_conv2d_native_backprop_filter(
        a, list(f.shape), d, **kwargs), x, dout)


def test_depthwise_and_separable_api():
    x = RNG.randn(2, 6, 6, 3)
    f = RNG.randn(3, 3, 3, 2)
    p = RNG.randn(1, 1, 6, 4)
    y = tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME", rate=[2, 1])
    assert y.op.name == "depthwise" and y.op.get_attr("dilations") == [1, 2, 1, 1]
    np.testing.assert_allclose(_run(y), _depthwise_ref(x, f, (1, 1), (2, 1), ("SAME", "SAME")),
                               rtol=1e-10)
    s = tf.nn.separable_conv2d(x, f, p, [1, 1, 1, 1], "VALID")
    assert s.op.type == "Conv2D" and s.op.name == "separable_conv2d"
    assert s.op.inputs[0].op.name == "separable_conv2d/depthwise"
    expected = np.einsum("nhwk,ko->nhwo", _depthwise_ref(x, f, (1, 1), (1, 1), ("VALID", "VALID")),
                         p[0, 0])
    np.testing.assert_allclose(_run(s), expected, rtol=1e-10)
    assert s.shape.as_list() == [2, 4, 4, 4]
    with pytest.raises(ValueError, match="strides > 1 not supported"):
        tf.nn.depthwise_conv2d(x, f, [1, 2, 2, 1], "SAME", rate=2)
    with pytest.raises(ValueError, match="pointwise_filter must be"):
        tf.nn.separable_conv2d(x, f, RNG.randn(2, 1, 6, 4), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="in_channels"):
        tf.nn.depthwise_conv2d(x, RNG.randn(3, 3, 2, 2), [1, 1, 1, 1], "SAME")
    partial = tf.nn.depthwise_conv2d(tf.placeholder(tf.float32, [None, 8, None, 3]), f, 1, "SAME")
    assert partial.shape.as_list() == [None, 8, None, 6]
    unknown_filter = tf.nn.depthwise_conv2d(tf.placeholder(tf.float32, [1, 8, 8, 3]),
                                            tf.placeholder(tf.float32), 1, "SAME")
    assert unknown_filter.shape.as_list() == [1, None, None, None]
    bad = tf.nn.depthwise_conv2d_native_backprop_input(
        [1, 6, 6, 3], f, tf.placeholder(tf.float32, [None, None, None, 6]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="out_backprop has shape"):
        _run(bad, {bad.op.inputs[2]: np.zeros((1, 6, 5, 6))})
