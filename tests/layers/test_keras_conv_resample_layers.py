"""Keras Conv1D, Conv2DTranspose, 1-D pooling and the resampling layers (UpSampling, ZeroPadding,
Cropping): values vs numpy, weight names and shapes, static shapes, configs, gradients."""
import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras import layers
from tests.layers.test_keras_layers import gradient_error, names, run

RNG = np.random.RandomState(3)


# -- references ------------------------------------------------------------------------------------
def conv1d_ref(x, w, stride=1, padding="valid", dilation=1):
    """x [b, steps, c], w [k, c, f]; TF's SAME split (extra at the end); causal pads the start."""
    k = w.shape[0]
    span = (k - 1) * dilation + 1
    if padding == "causal":
        x = np.pad(x, [(0, 0), (span - 1, 0), (0, 0)])
    elif padding == "same":
        out = -(-x.shape[1] // stride)
        total = max((out - 1) * stride + span - x.shape[1], 0)
        x = np.pad(x, [(0, 0), (total // 2, total - total // 2), (0, 0)])
    n_out = (x.shape[1] - span) // stride + 1
    return np.stack([sum(x[:, t * stride + j * dilation] @ w[j] for j in range(k))
                     for t in range(n_out)], axis=1)


def conv2d_transpose_ref(x, w, stride, padding, out_size):
    """x [b, h, w, c_in], w [kh, kw, filters, c_in]: every input pixel adds its kernel-weighted
    patch to the output, which is then cropped by TF's padding for ``out_size``."""
    b, h, wd, _ = x.shape
    kh, kw, f, _ = w.shape
    oh, ow = out_size
    if padding == "same":
        top = max((h - 1) * stride + kh - oh, 0) // 2
        left = max((wd - 1) * stride + kw - ow, 0) // 2
    else:
        top = left = 0
    full = np.zeros((b, max((h - 1) * stride + kh, oh + top), max((wd - 1) * stride + kw,
                                                                   ow + left), f))
    for i in range(h):
        for j in range(wd):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum(
                "bc,xyfc->bxyf", x[:, i, j], w)
    return full[:, top:top + oh, left:left + ow]


def bilinear_ref(x, fh, fw):
    """Bilinear resize with half-pixel centers (tf.image.resize, Keras's resize_images) of
    NHWC ``x``: output r reads input (r + 0.5) / factor - 0.5, clamped at the borders."""
    def axis(a, n_in, factor, ax):
        out = []
        for r in range(n_in * factor):
            src = (r + 0.5) / factor - 0.5
            lo = int(np.floor(src))
            frac = src - lo
            lo, hi = max(lo, 0), min(lo + 1, n_in - 1)
            out.append(np.take(a, lo, axis=ax) * (1 - frac) + np.take(a, hi, axis=ax) * frac)
        return np.stack(out, axis=ax)
    return axis(axis(x, x.shape[1], fh, 1), x.shape[2], fw, 2)


# -- Conv1D ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("padding,stride,dilation", [("valid", 1, 1), ("same", 2, 1),
                                                      ("causal", 1, 2), ("valid", 1, 2)])
def test_conv1d_matches_numpy(padding, stride, dilation):
    x = tf.placeholder(tf.float64, [None, 9, 2])
    conv = layers.Conv1D(3, 3, strides=stride, padding=padding, dilation_rate=dilation,
                         activation="tanh")
    y = conv(x)
    assert conv.name == "conv1d" and names(conv) == ["conv1d/kernel:0", "conv1d/bias:0"]
    assert conv.kernel.shape.as_list() == [3, 2, 3]
    w, b = RNG.randn(3, 2, 3), RNG.randn(3)
    conv.set_weights([w, b])
    xv = RNG.randn(2, 9, 2)
    want = np.tanh(conv1d_ref(xv, w, stride, padding, dilation) + b)
    np.testing.assert_allclose(run(y, {x: xv}), want, rtol=1e-10)
    assert y.shape.as_list() == [None] + list(want.shape[1:])
    assert conv.compute_output_shape((None, 9, 2)).as_list() == y.shape.as_list()


def test_conv1d_defaults_channels_first_and_errors():
    conv = layers.Conv1D(4, 2)
    assert (conv.strides, conv.padding, conv.data_format, conv.dilation_rate) == (
        (1,), "valid", "channels_last", (1,))
    x = tf.placeholder(tf.float32, [None, 3, 5])          # channels_first: 3 channels, 5 steps
    cf = layers.Conv1D(2, 2, data_format="channels_first", padding="causal")
    y = cf(x)
    assert y.shape.as_list() == [None, 2, 5] and cf.kernel.shape.as_list() == [2, 3, 2]
    w, b = RNG.randn(2, 3, 2).astype(np.float32), RNG.randn(2).astype(np.float32)
    cf.set_weights([w, b])
    xv = RNG.randn(2, 3, 5).astype(np.float32)
    want = conv1d_ref(xv.transpose(0, 2, 1), w, padding="causal").transpose(0, 2, 1) + \
        b[None, :, None]
    np.testing.assert_allclose(run(y, {x: xv}), want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Conv1D(2, 2)(tf.placeholder(tf.float32, [None, 3, 3, 1]))
    with pytest.raises(ValueError, match="'valid', 'same', 'causal'"):
        layers.Conv1D(2, 2, padding="full")
    with pytest.raises(ValueError, match="'valid', 'same' here"):
        layers.Conv2D(2, 2, padding="causal")
    assert layers.Convolution1D is layers.Conv1D


def test_conv1d_gradients():
    def build(x):
        conv = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
        return conv, conv(x)
    assert gradient_error(build, RNG.randn(2, 6, 3), wrt_weights=True) < 1e-7


# -- Conv2DTranspose -------------------------------------------------------------------------------
@pytest.mark.parametrize("padding,stride,kernel,output_padding", [
    ("same", 2, 3, None), ("valid", 2, 3, None), ("valid", 3, 2, None), ("same", 1, 3, None),
    ("same", 2, 3, 1), ("valid", 2, 3, 1)])
def test_conv2d_transpose_matches_numpy(padding, stride, kernel, output_padding):
    x = tf.placeholder(tf.float64, [None, 3, 4, 2])
    layer = layers.Conv2DTranspose(5, kernel, strides=stride, padding=padding,
                                   output_padding=output_padding)
    y = layer(x)
    assert layer.name == "conv2d_transpose"
    assert names(layer) == ["conv2d_transpose/kernel:0", "conv2d_transpose/bias:0"]
    assert layer.kernel.shape.as_list() == [kernel, kernel, 5, 2]   # (.., filters, in)
    # Keras's deconv_output_length
    def length(n):
        if output_padding is None:
            return n * stride + (max(kernel - stride, 0) if padding == "valid" else 0)
        pad = kernel // 2 if padding == "same" else 0
        return (n - 1) * stride + kernel - 2 * pad + output_padding
    out_size = (length(3), length(4))
    assert y.shape.as_list() == [None, out_size[0], out_size[1], 5]
    w, b = RNG.randn(kernel, kernel, 5, 2), RNG.randn(5)
    layer.set_weights([w, b])
    xv = RNG.randn(2, 3, 4, 2)
    want = conv2d_transpose_ref(xv, w, stride, padding, out_size) + b
    np.testing.assert_allclose(run(y, {x: xv}), want, rtol=1e-10, atol=1e-12)
    assert layer.compute_output_shape((None, 3, 4, 2)).as_list() == y.shape.as_list()


def test_conv2d_transpose_gradients_config_and_errors():
    def build(x):
        layer = layers.Conv2DTranspose(2, 3, strides=2, padding="same")
        return layer, layer(x)
    assert gradient_error(build, RNG.randn(2, 2, 3, 2), wrt_weights=True) < 1e-7
    with pytest.raises(ValueError, match="must be greater than output padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="needs known input rows and columns"):
        layers.Conv2DTranspose(2, 3)(tf.placeholder(tf.float32, [None, None, None, 2]))
    config = layers.Conv2DTranspose(2, 3, strides=2, output_padding=1).get_config()
    assert config["output_padding"] == (1, 1) and config["kernel_size"] == (3, 3)
    assert layers.Deconvolution2D is layers.Conv2DTranspose


def test_conv2d_transpose_channels_first_equals_channels_last():
    x = RNG.randn(2, 3, 3, 2).astype(np.float32)
    last = layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    first = layers.Conv2DTranspose(4, 3, strides=2, padding="same", data_format="channels_first")
    y_last = last(tf.constant(x))
    y_first = first(tf.constant(x.transpose(0, 3, 1, 2)))
    assert y_first.shape.as_list() == [2, 4, 6, 6]
    first.set_weights(last.get_weights())
    a, b = run([y_last, y_first])
    np.testing.assert_allclose(b.transpose(0, 2, 3, 1), a, rtol=1e-5, atol=1e-6)


# -- 1-D pooling -----------------------------------------------------------------------------------
def test_pooling_1d_layers_match_numpy():
    x = tf.placeholder(tf.float32, [None, 6, 3])
    xv = RNG.randn(2, 6, 3).astype(np.float32)
    mp = layers.MaxPooling1D()(x)
    ap = layers.AveragePooling1D(pool_size=3, strides=1)(x)
    same = layers.MaxPooling1D(4, padding="same")(x)
    gap = layers.GlobalAveragePooling1D()(x)
    gmp = layers.GlobalMaxPooling1D()(x)
    got = run([mp, ap, same, gap, gmp], {x: xv})
    np.testing.assert_allclose(got[0], xv.reshape(2, 3, 2, 3).max(axis=2), rtol=1e-6)
    np.testing.assert_allclose(got[1], np.stack([xv[:, i:i + 3].mean(axis=1) for i in range(4)],
                                                axis=1), rtol=1e-5)
    # SAME with pool 4, stride 4 over 6 steps: one padded step each side, windows [0..2], [3..5]
    np.testing.assert_allclose(got[2], np.stack([xv[:, :3].max(1), xv[:, 3:].max(1)], 1),
                               rtol=1e-6)
    np.testing.assert_allclose(got[3], xv.mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(got[4], xv.max(axis=1), rtol=1e-6)
    assert [t.shape.as_list() for t in (mp, ap, same, gap, gmp)] == [
        [None, 3, 3], [None, 4, 3], [None, 2, 3], [None, 3], [None, 3]]
    assert gap.op.name == "global_average_pooling1d/Mean"
    assert mp.op.name == "max_pooling1d/Squeeze"
    cf = layers.GlobalMaxPooling1D(data_format="channels_first")(x)
    np.testing.assert_allclose(run(cf, {x: xv}), xv.max(axis=2), rtol=1e-6)
    pool = layers.MaxPooling1D(3)
    assert (pool.pool_size, pool.strides, pool.padding, pool.data_format) == (
        (3,), (3,), "valid", "channels_last")
    assert layers.MaxPool1D is layers.MaxPooling1D
    assert layers.GlobalAvgPool1D is layers.GlobalAveragePooling1D


def test_global_average_pooling_1d_uses_the_mask():
    ids = tf.placeholder(tf.int32, [None, 4])
    emb = layers.Embedding(5, 2, mask_zero=True)
    pooled = layers.GlobalAveragePooling1D()(emb(ids))
    table = RNG.randn(5, 2).astype(np.float32)
    emb.set_weights([table])
    idv = np.array([[1, 2, 0, 0], [3, 4, 1, 0]])
    want = np.stack([table[[1, 2]].mean(0), table[[3, 4, 1]].mean(0)])
    np.testing.assert_allclose(run(pooled, {ids: idv}), want, rtol=1e-5)


# -- upsampling, padding, cropping ---------------------------------------------------------------
def test_upsampling_layers_match_numpy():
    x1 = tf.placeholder(tf.float32, [None, 3, 2])
    x2 = tf.placeholder(tf.float32, [None, 2, 3, 2])
    x1v, x2v = RNG.randn(2, 3, 2).astype(np.float32), RNG.randn(2, 2, 3, 2).astype(np.float32)
    up1 = layers.UpSampling1D(3)(x1)
    up2 = layers.UpSampling2D((2, 3))(x2)
    bil = layers.UpSampling2D((3, 2), interpolation="bilinear")(x2)
    got = run([up1, up2, bil], {x1: x1v, x2: x2v})
    np.testing.assert_array_equal(got[0], np.repeat(x1v, 3, axis=1))
    np.testing.assert_array_equal(got[1], np.repeat(np.repeat(x2v, 2, axis=1), 3, axis=2))
    np.testing.assert_allclose(got[2], bilinear_ref(x2v.astype(np.float64), 3, 2), rtol=1e-5,
                               atol=1e-6)
    assert up1.shape.as_list() == [None, 9, 2] and up2.shape.as_list() == [None, 4, 9, 2]
    assert bil.shape.as_list() == [None, 6, 6, 2]
    # unknown spatial sizes work for 'nearest'
    free = tf.placeholder(tf.float32, [None, None, None, 2])
    up = layers.UpSampling2D()(free)
    assert up.shape.as_list() == [None, None, None, 2]
    np.testing.assert_array_equal(run(up, {free: x2v}),
                                  np.repeat(np.repeat(x2v, 2, axis=1), 2, axis=2))
    cf = layers.UpSampling2D(data_format="channels_first")(tf.constant(x2v))
    np.testing.assert_array_equal(run(cf), np.repeat(np.repeat(x2v, 2, axis=2), 2, axis=3))
    cf_bil = layers.UpSampling2D((2, 3), data_format="channels_first",
                                 interpolation="bilinear")(tf.constant(x2v.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(run(cf_bil).transpose(0, 2, 3, 1),
                               bilinear_ref(x2v.astype(np.float64), 2, 3), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="bicubic")


def test_upsampling_bilinear_gradient():
    def build(x):
        layer = layers.UpSampling2D((2, 3), interpolation="bilinear")
        return layer, layer(x)
    assert gradient_error(build, RNG.randn(1, 3, 2, 2)) < 1e-7


def test_zero_padding_and_cropping_match_numpy():
    x1 = tf.placeholder(tf.float32, [None, 5, 2])
    x2 = tf.placeholder(tf.float32, [None, 4, 5, 2])
    x1v, x2v = RNG.randn(2, 5, 2).astype(np.float32), RNG.randn(2, 4, 5, 2).astype(np.float32)
    outs = [layers.ZeroPadding1D()(x1), layers.ZeroPadding1D((2, 0))(x1),
            layers.ZeroPadding2D()(x2), layers.ZeroPadding2D((1, 2))(x2),
            layers.ZeroPadding2D(((0, 1), (2, 3)))(x2),
            layers.Cropping1D()(x1), layers.Cropping1D((0, 2))(x1),
            layers.Cropping2D()(x2), layers.Cropping2D(1)(x2),
            layers.Cropping2D(((1, 0), (0, 2)))(x2)]
    got = run(outs, {x1: x1v, x2: x2v})
    want = [np.pad(x1v, [(0, 0), (1, 1), (0, 0)]), np.pad(x1v, [(0, 0), (2, 0), (0, 0)]),
            np.pad(x2v, [(0, 0), (1, 1), (1, 1), (0, 0)]),
            np.pad(x2v, [(0, 0), (1, 1), (2, 2), (0, 0)]),
            np.pad(x2v, [(0, 0), (0, 1), (2, 3), (0, 0)]),
            x1v[:, 1:-1], x1v[:, :-2], x2v, x2v[:, 1:-1, 1:-1], x2v[:, 1:, :-2]]
    for t, g, w in zip(outs, got, want):
        np.testing.assert_array_equal(g, w)
        assert t.shape.as_list() == [None] + list(w.shape[1:])
    cf = layers.ZeroPadding2D(((1, 0), (0, 2)), data_format="channels_first")(tf.constant(x2v))
    np.testing.assert_array_equal(run(cf), np.pad(x2v, [(0, 0), (0, 0), (1, 0), (0, 2)]))
    crop_cf = layers.Cropping2D(((1, 0), (0, 1)), data_format="channels_first")(tf.constant(x2v))
    np.testing.assert_array_equal(run(crop_cf), x2v[:, :, 1:, :-1])
    assert layers.ZeroPadding2D(3).padding == ((3, 3), (3, 3))
    assert outs[0].op.name == "zero_padding1d/Pad"
    with pytest.raises(ValueError, match="should have 2 elements"):
        layers.ZeroPadding2D((1, 2, 3))


# -- configs ---------------------------------------------------------------------------------------
ROUND_TRIP = [
    lambda: layers.Conv1D(4, 3, strides=2, padding="causal", dilation_rate=1, activation="relu"),
    lambda: layers.Conv2DTranspose(3, (3, 2), strides=(2, 1), padding="same",
                                   output_padding=(1, 0)),
    lambda: layers.MaxPooling1D(3, strides=1, padding="same"),
    lambda: layers.AveragePooling1D(),
    lambda: layers.GlobalAveragePooling1D(),
    lambda: layers.GlobalMaxPooling1D(data_format="channels_first"),
    lambda: layers.UpSampling1D(3),
    lambda: layers.UpSampling2D((2, 3), interpolation="bilinear"),
    lambda: layers.ZeroPadding1D((1, 2)),
    lambda: layers.ZeroPadding2D(((1, 2), (3, 4))),
    lambda: layers.Cropping1D(2),
    lambda: layers.Cropping2D(((1, 2), (0, 1)), data_format="channels_first"),
]


@pytest.mark.parametrize("make", ROUND_TRIP)
def test_get_config_from_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == config


def test_a_small_cnn_with_the_new_layers_saves_and_loads(tmp_path):
    model = keras.Sequential([
        layers.Conv1D(4, 3, padding="causal", input_shape=(8, 2)),
        layers.MaxPooling1D(),
        layers.UpSampling1D(),
        layers.ZeroPadding1D(1),
        layers.Cropping1D(1),
        layers.GlobalMaxPooling1D(),
        layers.Dense(1)])
    x = RNG.randn(6, 8, 2).astype(np.float32)
    model.compile("sgd", "mse")
    model.fit(x, np.ones((6, 1)), epochs=1, verbose=0)
    path = str(tmp_path / "cnn.h5")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "Conv1D", "MaxPooling1D", "UpSampling1D", "ZeroPadding1D", "Cropping1D",
        "GlobalMaxPooling1D", "Dense"]
