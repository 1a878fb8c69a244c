"""tf.image: the resize ops and AdjustContrastv2 (numpy references, TF1 numbers frozen from
TensorFlow's compat.v1 kernels, static shapes, gradients), and the composite functions built
from array/math ops (crops, pads, flips, rotations, colour, random augmentation)."""
import numpy as np
import pytest

import tfone as tf
from tfone.framework.op_registry import apply_op
from tfone.test import check_gradients

REFERENCE_CHECKED = {"ResizeBilinear", "ResizeBilinearGrad", "ResizeNearestNeighbor",
                     "ResizeNearestNeighborGrad", "AdjustContrastv2"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = {"ResizeBilinear", "ResizeBilinearGrad", "ResizeNearestNeighbor",
                    "ResizeNearestNeighborGrad"}

RNG = np.random.RandomState(7)
MODES = {"legacy": (False, False), "align_corners": (True, False), "half_pixel": (False, True)}


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def shape_of(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


# -- TF1 numbers ----------------------------------------------------------------------------------
# Produced by TensorFlow's kernels (tf.compat.v1, graph mode) for the 3x4 image of squares below
# and grad_ys = 1, 2, 3, ... in row-major order; the gradient is with respect to the image.
SQUARES = (np.arange(12, dtype=np.float32) ** 2).reshape(1, 3, 4, 1)
TF1_RESIZE = {
    ("bilinear", "legacy", (5, 3)): (
        [[0.0, 2.0, 7.333334], [9.6, 18.000002, 29.733335], [25.600002, 40.400005, 58.533337],
         [54.400002, 75.600006, 100.133331], [64.0, 87.333336, 114.0]],
        [[2.6, 2.666667, 3.133333, 3.6], [9.999999, 7.733332, 8.266665, 8.8],
         [22.400002, 16.266666, 16.933332, 17.600002]]),
    ("bilinear", "legacy", (2, 6)): (
        [[0.0, 0.666667, 2.0, 4.0, 7.333334, 9.0],
         [40.0, 48.666668, 58.0, 68.0, 79.333328, 85.0]],
        [[1.666667, 3.333333, 6.666666, 9.333334], [4.833333, 5.666667, 8.333333, 9.666667],
         [4.833333, 5.666667, 8.333333, 9.666667]]),
    ("bilinear", "align_corners", (5, 3)): (
        [[0.0, 2.5, 9.0], [8.0, 16.5, 29.0], [16.0, 30.5, 49.0], [40.0, 60.5, 85.0],
         [64.0, 90.5, 121.0]],
        [[3.0, 2.25, 2.25, 6.0], [14.0, 8.0, 8.0, 18.0], [18.0, 9.75, 9.75, 21.0]]),
    ("bilinear", "align_corners", (2, 6)): (
        [[0.0, 0.6, 1.6, 3.4, 6.0, 9.0], [64.0, 74.199997, 84.800003, 96.200005, 108.400002,
                                          121.0]],
        [[1.8, 4.4, 6.8, 8.0], [0.0, 0.0, 0.0, 0.0], [10.2, 13.999999, 16.4, 16.400002]]),
    ("bilinear", "half_pixel", (5, 3)): (
        [[0.166667, 2.5, 8.166668], [7.100001, 13.700001, 23.633335], [17.5, 30.5, 46.833336],
         [47.100006, 66.500008, 89.233345], [66.833336, 90.5, 117.5]],
        [[2.833333, 3.066667, 3.599999, 5.500001], [10.499998, 9.299999, 9.899997, 13.500001],
         [15.833334, 13.466668, 13.999998, 18.500006]]),
    ("bilinear", "half_pixel", (2, 6)): (
        [[4.0, 5.5, 7.833334, 11.166668, 15.5, 19.0],
         [52.0, 59.5, 69.833336, 81.166672, 93.5, 103.0]],
        [[1.5, 3.124999, 4.750001, 6.375], [3.25, 4.333333, 5.416667, 6.5],
         [8.25, 9.874999, 11.500002, 13.125]]),
    ("nearest", "legacy", (5, 3)): (
        [[0.0, 1.0, 4.0], [0.0, 1.0, 4.0], [16.0, 25.0, 36.0], [16.0, 25.0, 36.0],
         [64.0, 81.0, 100.0]],
        [[5.0, 7.0, 9.0, 0.0], [17.0, 19.0, 21.0, 0.0], [13.0, 14.0, 15.0, 0.0]]),
    ("nearest", "legacy", (2, 6)): (
        [[0.0, 0.0, 1.0, 4.0, 4.0, 9.0], [16.0, 16.0, 25.0, 36.0, 36.0, 49.0]],
        [[3.0, 3.0, 9.0, 6.0], [15.0, 9.0, 21.0, 12.0], [0.0, 0.0, 0.0, 0.0]]),
    ("nearest", "align_corners", (5, 3)): (
        [[0.0, 4.0, 9.0], [16.0, 36.0, 49.0], [16.0, 36.0, 49.0], [64.0, 100.0, 121.0],
         [64.0, 100.0, 121.0]],
        [[1.0, 0.0, 2.0, 3.0], [11.0, 0.0, 13.0, 15.0], [23.0, 0.0, 25.0, 27.0]]),
    ("nearest", "align_corners", (2, 6)): (
        [[0.0, 1.0, 1.0, 4.0, 4.0, 9.0], [64.0, 81.0, 81.0, 100.0, 100.0, 121.0]],
        [[1.0, 5.0, 9.0, 6.0], [0.0, 0.0, 0.0, 0.0], [7.0, 17.0, 21.0, 12.0]]),
    ("nearest", "half_pixel", (5, 3)): (
        [[0.0, 4.0, 9.0], [0.0, 4.0, 9.0], [16.0, 36.0, 49.0], [64.0, 100.0, 121.0],
         [64.0, 100.0, 121.0]],
        [[5.0, 0.0, 7.0, 9.0], [7.0, 0.0, 8.0, 9.0], [23.0, 0.0, 25.0, 27.0]]),
    ("nearest", "half_pixel", (2, 6)): (
        [[0.0, 1.0, 1.0, 4.0, 9.0, 9.0], [64.0, 81.0, 81.0, 100.0, 121.0, 121.0]],
        [[1.0, 5.0, 4.0, 11.0], [0.0, 0.0, 0.0, 0.0], [7.0, 17.0, 10.0, 23.0]]),
}


@pytest.mark.parametrize("key", sorted(TF1_RESIZE), ids=str)
def test_resize_and_its_gradient_match_tf1(key):
    method, mode, size = key
    align_corners, half_pixel_centers = MODES[mode]
    fn = tf.image.resize_bilinear if method == "bilinear" else tf.image.resize_nearest_neighbor
    x = tf.constant(SQUARES)
    y = fn(x, size, align_corners=align_corners, half_pixel_centers=half_pixel_centers)
    grad_ys = np.arange(1, size[0] * size[1] + 1, dtype=np.float32).reshape(1, *size, 1)
    g = tf.gradients(y, x, grad_ys=grad_ys)[0]
    y_value, g_value = run([y, g])
    assert y_value.dtype == g_value.dtype == np.float32
    want_y, want_g = TF1_RESIZE[key]
    np.testing.assert_allclose(y_value[0, :, :, 0], want_y, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(g_value[0, :, :, 0], want_g, rtol=1e-6, atol=1e-5)


# -- numpy references -----------------------------------------------------------------------------
def _scale(n_in, n_out, align_corners):
    return (n_in - 1) / (n_out - 1) if align_corners and n_out > 1 else n_in / n_out


def bilinear_reference(images, size, align_corners, half_pixel_centers):
    """Bilinear resize written pixel by pixel (float64), as the TF1 kernel defines it."""
    batch, height, width, channels = images.shape
    out = np.zeros((batch, size[0], size[1], channels))
    sy, sx = _scale(height, size[0], align_corners), _scale(width, size[1], align_corners)
    for i in range(size[0]):
        fy = (i + 0.5) * sy - 0.5 if half_pixel_centers else i * sy
        y0, y1 = max(int(np.floor(fy)), 0), min(int(np.ceil(fy)), height - 1)
        wy = fy - np.floor(fy)
        for j in range(size[1]):
            fx = (j + 0.5) * sx - 0.5 if half_pixel_centers else j * sx
            x0, x1 = max(int(np.floor(fx)), 0), min(int(np.ceil(fx)), width - 1)
            wx = fx - np.floor(fx)
            top = images[:, y0, x0] * (1 - wx) + images[:, y0, x1] * wx
            bottom = images[:, y1, x0] * (1 - wx) + images[:, y1, x1] * wx
            out[:, i, j] = top * (1 - wy) + bottom * wy
    return out


def nearest_reference(images, size, align_corners, half_pixel_centers):
    height, width = images.shape[1:3]

    def source(n_in, n_out):
        s = _scale(n_in, n_out, align_corners)
        pos = (np.arange(n_out) + 0.5) * s if half_pixel_centers else np.arange(n_out) * s
        index = np.floor(pos + 0.5) if align_corners else np.floor(pos)
        return np.clip(index.astype(int), 0, n_in - 1)
    return images[:, source(height, size[0])][:, :, source(width, size[1])]


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("size", [(7, 3), (2, 9), (1, 1), (4, 5), (12, 15)])
def test_resize_bilinear_matches_numpy(mode, size):
    images = RNG.uniform(-5, 5, size=(2, 4, 5, 3)).astype(np.float32)
    out = tf.image.resize_bilinear(images, size, *MODES[mode][:1],
                                   half_pixel_centers=MODES[mode][1])
    assert out.op.type == "ResizeBilinear" and out.op.name == "ResizeBilinear"
    value = run(out)
    assert value.dtype == np.float32 and value.shape == (2,) + size + (3,)
    np.testing.assert_allclose(value, bilinear_reference(images.astype(np.float64), size,
                                                         *MODES[mode]), rtol=1e-5, atol=1e-5)


def test_resize_bilinear_of_integers_is_float32():
    images = RNG.randint(0, 256, size=(1, 3, 3, 2)).astype(np.uint8)
    out = tf.image.resize_bilinear(images, [5, 4])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(run(out), bilinear_reference(images.astype(np.float64), (5, 4),
                                                            False, False), rtol=1e-6)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("size", [(7, 3), (2, 9), (1, 1), (4, 5), (3, 10)])
def test_resize_nearest_matches_numpy_and_keeps_dtype(mode, size):
    images = RNG.randint(0, 100, size=(2, 4, 5, 2)).astype(np.int32)
    out = tf.image.resize_nearest_neighbor(images, size, MODES[mode][0],
                                           half_pixel_centers=MODES[mode][1])
    assert out.dtype == tf.int32 and out.op.name == "ResizeNearestNeighbor"
    np.testing.assert_array_equal(run(out), nearest_reference(images, size, *MODES[mode]))


@pytest.mark.parametrize("op_type", ["ResizeBilinear", "ResizeNearestNeighbor"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_resize_grad_ops_are_the_adjoint_of_the_resize(op_type, mode):
    # <resize(x), g> == <x, resize_grad(g)> for every x, g: the grad op is the transpose.
    align_corners, half_pixel_centers = MODES[mode]
    attrs = {"align_corners": align_corners, "half_pixel_centers": half_pixel_centers}
    x = RNG.randn(2, 5, 3, 2).astype(np.float32)
    g = RNG.randn(2, 4, 7, 2).astype(np.float32)
    resized = apply_op(op_type, [x, [4, 7]], attrs)
    if op_type == "ResizeBilinear":
        back = apply_op("ResizeBilinearGrad", [g, x], attrs)
    else:
        back = apply_op("ResizeNearestNeighborGrad", [g, [5, 3]], attrs)
    assert back.dtype == tf.float32 and shape_of(back) == [2, 5, 3, 2]
    r, b = run([resized, back])
    np.testing.assert_allclose(np.sum(r * g), np.sum(x * b), rtol=1e-5)


def test_resize_bilinear_grad_keeps_the_image_dtype():
    g = RNG.randn(1, 4, 4, 1).astype(np.float32)
    for dtype in (np.float16, np.float64):
        image = np.zeros((1, 2, 3, 1), dtype)
        back = apply_op("ResizeBilinearGrad", [g, image])
        assert back.dtype == tf.as_dtype(dtype)
        assert run(back).dtype == dtype
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        apply_op("ResizeBilinearGrad", [g, np.zeros((1, 2, 3, 1), np.int32)])


def test_resize_nearest_grad_sums_integers_too():
    g = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    out = apply_op("ResizeNearestNeighborGrad", [g, [2, 2]])
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(run(out)[0, :, :, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7],
                                                        [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]])


# -- resize static shapes and errors --------------------------------------------------------------
@pytest.mark.parametrize("fn", [tf.image.resize_bilinear, tf.image.resize_nearest_neighbor])
def test_resize_static_shapes(fn):
    assert shape_of(fn(tf.placeholder(tf.float32, [None, 4, 4, 3]), [8, 2])) == [None, 8, 2, 3]
    assert shape_of(fn(tf.placeholder(tf.float32), [8, 2])) == [None, 8, 2, None]
    size = tf.placeholder(tf.int32, [2])
    assert shape_of(fn(tf.placeholder(tf.float32, [5, 4, 4, 1]), size)) == [5, None, None, 1]
    height = tf.placeholder(tf.int32, [])
    assert shape_of(fn(tf.placeholder(tf.float32, [5, 4, 4, 1]), tf.stack([height, 3]))) == [
        5, None, 3, 1]
    with pytest.raises(ValueError, match="4-D"):
        fn(tf.placeholder(tf.float32, [4, 4, 3]), [2, 2])
    with pytest.raises(ValueError, match="2 elements"):
        fn(tf.placeholder(tf.float32, [1, 4, 4, 3]), [2, 2, 2])
    with pytest.raises(ValueError, match="positive"):
        fn(tf.placeholder(tf.float32, [1, 4, 4, 3]), [0, 2])
    with pytest.raises(ValueError, match="align_corners must be False"):
        fn(tf.placeholder(tf.float32, [1, 4, 4, 3]), [2, 2], align_corners=True,
           half_pixel_centers=True)
    with pytest.raises(TypeError, match="real-valued"):
        fn(tf.placeholder(tf.bool, [1, 4, 4, 3]), [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="positive"):
        run(fn(np.ones((1, 2, 2, 1), np.float32), size), {size: [3, -1]})


def test_resize_grad_op_static_shapes():
    g = tf.placeholder(tf.float32, [None, 6, 6, 2])
    image = tf.placeholder(tf.float64, [None, 3, None, 2])
    assert shape_of(apply_op("ResizeBilinearGrad", [g, image])) == [None, 3, None, 2]
    assert shape_of(apply_op("ResizeBilinearGrad", [g, tf.placeholder(tf.float64)])) == [
        None] * 4
    assert shape_of(apply_op("ResizeNearestNeighborGrad", [g, [3, 2]])) == [None, 3, 2, 2]
    assert shape_of(apply_op("ResizeNearestNeighborGrad",
                             [g, tf.placeholder(tf.int32, [2])])) == [None, None, None, 2]
    with pytest.raises(ValueError, match="4-D"):
        apply_op("ResizeNearestNeighborGrad", [tf.placeholder(tf.float32, [6, 6, 2]), [3, 3]])


# -- resize gradients -----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", sorted(MODES))
def test_resize_bilinear_gradient(mode):
    # ResizeBilinear outputs float32 even for float64 images (as TF1), so the finite
    # differences use a large step; the op is linear, so that step is exact.
    align_corners, half_pixel_centers = MODES[mode]
    for size in ([5, 7], [2, 2]):
        check_gradients(lambda x: tf.image.resize_bilinear(
            x, size, align_corners=align_corners, half_pixel_centers=half_pixel_centers),
            RNG.randn(2, 3, 4, 2), delta=1e-2, tol=1e-4)


def test_resize_bilinear_grad_gradient():
    image = RNG.randn(1, 3, 4, 2)
    check_gradients(lambda g, x: apply_op("ResizeBilinearGrad", [tf.cast(g, tf.float32), x],
                                          {"half_pixel_centers": True}),
                    RNG.randn(1, 5, 3, 2), image, wrt=[0], delta=1e-2, tol=1e-4)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_resize_nearest_gradients(mode):
    align_corners, half_pixel_centers = MODES[mode]
    attrs = {"align_corners": align_corners, "half_pixel_centers": half_pixel_centers}
    check_gradients(lambda x: tf.image.resize_nearest_neighbor(x, [5, 3], **attrs) ** 2,
                    RNG.randn(2, 3, 4, 1), order=2)
    check_gradients(lambda g: apply_op("ResizeNearestNeighborGrad", [g, [2, 5]], attrs) ** 2,
                    RNG.randn(1, 4, 3, 2), order=2)


def test_resize_gradient_of_an_integer_image_is_none():
    x = tf.placeholder(tf.uint8, [1, 3, 3, 1])
    assert tf.gradients(tf.image.resize_bilinear(x, [5, 5]), x) == [None]


# -- resize_images --------------------------------------------------------------------------------
def test_resize_images_batched_single_and_methods():
    batch = RNG.uniform(0, 255, size=(2, 4, 6, 3)).astype(np.float32)
    out = tf.image.resize_images(batch, [3, 9])
    assert out.op.name == "resize/ResizeBilinear" and shape_of(out) == [2, 3, 9, 3]
    np.testing.assert_allclose(run(out), bilinear_reference(batch, (3, 9), False, False),
                               rtol=1e-5, atol=1e-4)
    single = batch[0].astype(np.uint8)
    out = tf.image.resize_images(single, [8, 5], align_corners=True)
    assert out.dtype == tf.float32 and shape_of(out) == [8, 5, 3]
    np.testing.assert_allclose(run(out), bilinear_reference(single[None].astype(np.float64),
                                                            (8, 5), True, False)[0], rtol=1e-5)
    for method in (tf.image.ResizeMethod.NEAREST_NEIGHBOR, "nearest"):
        out = tf.image.resize_images(single, [2, 3], method=method)
        assert out.dtype == tf.uint8
        np.testing.assert_array_equal(run(out), nearest_reference(single[None], (2, 3), False,
                                                                  False)[0])
    assert tf.image.resize is tf.image.resize_images   # TF 1.15 exports both names
    p = tf.placeholder(tf.float32, [None, None, 3])
    assert shape_of(tf.image.resize_images(p, [7, 7])) == [7, 7, 3]


def test_resize_images_to_the_same_size_returns_the_input():
    image = tf.placeholder(tf.uint8, [2, 4, 6, 3])
    assert tf.image.resize_images(image, [4, 6]) is image      # dtype kept, as TF1
    single = tf.image.resize_images(tf.placeholder(tf.uint8, [4, 6, 3]), [4, 6])
    assert single.dtype == tf.uint8 and single.op.type == "Squeeze"


def test_resize_images_preserve_aspect_ratio():
    image = np.arange(5 * 7, dtype=np.float32).reshape(5, 7, 1)
    out = tf.image.resize_images(image, [10, 10], preserve_aspect_ratio=True)
    assert shape_of(out) == [7, 10, 1]           # 5x7 scaled by min(10/5, 10/7)
    np.testing.assert_allclose(run(out), bilinear_reference(image[None], (7, 10), False,
                                                            False)[0], rtol=1e-5, atol=1e-5)


def test_resize_images_errors():
    image = tf.placeholder(tf.float32, [4, 4, 3])
    with pytest.raises(ValueError, match="BICUBIC is not available"):
        tf.image.resize_images(image, [2, 2], method=tf.image.ResizeMethod.BICUBIC)
    with pytest.raises(ValueError, match="not implemented"):
        tf.image.resize_images(image, [2, 2], method=7)
    with pytest.raises(ValueError, match="contains no shape"):
        tf.image.resize_images(tf.placeholder(tf.float32), [2, 2])
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.resize_images(tf.placeholder(tf.float32, [4, 4]), [2, 2])
    with pytest.raises(ValueError, match="2 elements"):
        tf.image.resize_images(image, [2, 2, 1])


# -- crops and pads -------------------------------------------------------------------------------
IMAGE = RNG.uniform(0, 1, size=(5, 7, 3)).astype(np.float32)
BATCH = RNG.uniform(0, 1, size=(2, 5, 7, 3)).astype(np.float32)


def test_crop_and_pad_to_bounding_box():
    crop = tf.image.crop_to_bounding_box(IMAGE, 1, 2, 3, 4)
    assert shape_of(crop) == [3, 4, 3]
    np.testing.assert_array_equal(run(crop), IMAGE[1:4, 2:6])
    crop = tf.image.crop_to_bounding_box(BATCH, 0, 3, 5, 4)
    np.testing.assert_array_equal(run(crop), BATCH[:, :, 3:7])
    pad = tf.image.pad_to_bounding_box(IMAGE, 1, 2, 8, 10)
    assert shape_of(pad) == [8, 10, 3]
    np.testing.assert_array_equal(run(pad), np.pad(IMAGE, [(1, 2), (2, 1), (0, 0)]))
    p = tf.placeholder(tf.float32, [None, None, None, 3])
    pad = tf.image.pad_to_bounding_box(p, 1, 0, 7, 8)
    assert shape_of(pad) == [None, 7, 8, 3]
    np.testing.assert_array_equal(run(pad, {p: BATCH}),
                                  np.pad(BATCH, [(0, 0), (1, 1), (0, 1), (0, 0)]))


def test_crop_and_pad_errors():
    with pytest.raises(ValueError, match="width must be >= target \\+ offset"):
        tf.image.crop_to_bounding_box(IMAGE, 0, 4, 2, 4)
    with pytest.raises(ValueError, match="offset_height must be >= 0"):
        tf.image.crop_to_bounding_box(IMAGE, -1, 0, 2, 2)
    with pytest.raises(ValueError, match="height must be <= target - offset"):
        tf.image.pad_to_bounding_box(IMAGE, 2, 0, 6, 7)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.crop_to_bounding_box(np.zeros((2, 2, 2, 2, 2)), 0, 0, 1, 1)
    with pytest.raises(ValueError, match="inner 3 dims"):
        tf.image.pad_to_bounding_box(np.zeros((0, 2, 2)), 0, 0, 1, 1)
    p = tf.placeholder(tf.float32, [None, None, 3])
    crop = tf.image.crop_to_bounding_box(p, 1, 1, 3, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="height must be >= target"):
        run(crop, {p: IMAGE[:3]})


def test_resize_image_with_crop_or_pad():
    out = tf.image.resize_image_with_crop_or_pad(IMAGE, 3, 10)   # crop height, pad width
    assert shape_of(out) == [3, 10, 3]
    np.testing.assert_array_equal(run(out), np.pad(IMAGE[1:4], [(0, 0), (1, 2), (0, 0)]))
    out = tf.image.resize_with_crop_or_pad(BATCH, 8, 2)
    np.testing.assert_array_equal(run(out), np.pad(BATCH[:, :, 2:4],
                                                   [(0, 0), (1, 2), (0, 0), (0, 0)]))
    p = tf.placeholder(tf.float32, [None, None, 3])
    out = tf.image.resize_image_with_crop_or_pad(p, 4, 4)
    assert shape_of(out) == [4, 4, 3]
    np.testing.assert_array_equal(run(out, {p: IMAGE}), IMAGE[0:4, 1:5])
    with pytest.raises(ValueError, match="target_width must be > 0"):
        tf.image.resize_image_with_crop_or_pad(IMAGE, 3, 0)


def test_central_crop():
    out = tf.image.central_crop(IMAGE, 0.5)
    assert shape_of(out) == [3, 5, 3]          # starts int((5 - 2.5) / 2) = 1, int(1.75) = 1
    np.testing.assert_array_equal(run(out), IMAGE[1:4, 1:6])
    out = tf.image.central_crop(BATCH, 0.33)
    np.testing.assert_array_equal(run(out), BATCH[:, 1:4, 2:5])
    p = tf.placeholder(tf.float32, [None, None, 3])
    np.testing.assert_array_equal(run(tf.image.central_crop(p, 0.5), {p: IMAGE}), IMAGE[1:4, 1:6])
    whole = tf.constant(IMAGE)
    assert tf.image.central_crop(whole, 1.0) is whole
    for fraction in (0.0, 1.5):
        with pytest.raises(ValueError, match=r"within \(0, 1\]"):
            tf.image.central_crop(IMAGE, fraction)


def test_crops_and_pads_have_gradients():
    check_gradients(lambda x: tf.image.resize_image_with_crop_or_pad(x, 3, 6) ** 2,
                    RNG.randn(4, 4, 2))
    check_gradients(lambda x: tf.image.central_crop(x, 0.5) * 3.0, RNG.randn(1, 4, 6, 1))


# -- flips and rotations --------------------------------------------------------------------------
def test_flips_and_transpose():
    cases = [(tf.image.flip_left_right, IMAGE[:, ::-1], BATCH[:, :, ::-1]),
             (tf.image.flip_up_down, IMAGE[::-1], BATCH[:, ::-1]),
             (tf.image.transpose_image, IMAGE.transpose(1, 0, 2), BATCH.transpose(0, 2, 1, 3))]
    for fn, single, batched in cases:
        np.testing.assert_array_equal(run(fn(IMAGE)), single)
        np.testing.assert_array_equal(run(fn(BATCH)), batched)
    p = tf.placeholder(tf.float32, [None, 5, 7, 3])
    assert shape_of(tf.image.transpose(p)) == [None, 7, 5, 3]
    assert tf.image.transpose_image(p, name="t").op.name == "t/transpose"
    assert shape_of(tf.image.flip_left_right(p)) == [None, 5, 7, 3]
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tf.image.flip_left_right(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="known rank"):
        tf.image.flip_up_down(tf.placeholder(tf.float32))
    check_gradients(lambda x: tf.image.flip_left_right(x) * np.arange(6.0).reshape(1, 2, 3, 1),
                    RNG.randn(1, 2, 3, 1))


def test_rot90():
    for k in range(-1, 6):
        np.testing.assert_array_equal(run(tf.image.rot90(IMAGE, k)), np.rot90(IMAGE, k))
    np.testing.assert_array_equal(run(tf.image.rot90(BATCH, 3)), np.rot90(BATCH, 3, (1, 2)))
    k = tf.placeholder(tf.int32, [])
    out = tf.image.rot90(IMAGE, k)
    assert shape_of(out) == [None, None, 3]               # as TF1 for a non-square image
    np.testing.assert_array_equal(run(out, {k: 2}), np.rot90(IMAGE, 2))
    assert shape_of(tf.image.rot90(np.zeros((4, 4, 1)), k)) == [4, 4, 1]
    assert shape_of(tf.image.rot90(tf.placeholder(tf.float32, [2, None, 3, 1]))) == [
        2, None, None, 1]
    with pytest.raises(ValueError, match="scalar"):
        tf.image.rot90(IMAGE, [1, 2])


# -- random augmentation --------------------------------------------------------------------------
def test_random_flips_are_seeded_and_flip_about_half_the_time():
    tf.set_random_seed(3)
    image = np.arange(6, dtype=np.float32).reshape(1, 6, 1)
    out = tf.image.random_flip_left_right(image)
    assert shape_of(out) == [1, 6, 1]
    with tf.Session() as sess:
        first = [sess.run(out)[0, 0, 0] for _ in range(40)]
    with tf.Session() as sess:
        again = [sess.run(out)[0, 0, 0] for _ in range(40)]
    assert first == again                                  # graph seed: same stream
    assert set(first) == {0.0, 5.0} and 8 < first.count(5.0) < 32
    batch = np.tile(np.arange(4, dtype=np.float32).reshape(1, 4, 1, 1), (30, 1, 1, 1))
    flipped = run(tf.image.random_flip_up_down(batch, seed=5))[:, :, 0, 0]
    is_flipped = flipped[:, 0] == 3
    assert (flipped[is_flipped] == [3, 2, 1, 0]).all()
    assert (flipped[~is_flipped] == [0, 1, 2, 3]).all()
    assert 5 < is_flipped.sum() < 25                       # each image flips independently


def test_random_crop():
    value = np.arange(6 * 8, dtype=np.int32).reshape(6, 8)
    out = tf.random_crop(value, [3, 4], seed=2)
    assert out is not None and shape_of(out) == [3, 4] and out.op.name == "random_crop"
    assert tf.image.random_crop is tf.random_crop
    with tf.Session() as sess:
        crops = [sess.run(out) for _ in range(20)]
    for crop in crops:
        r, c = divmod(int(crop[0, 0]), 8)
        np.testing.assert_array_equal(crop, value[r:r + 3, c:c + 4])
    assert len({int(c[0, 0]) for c in crops}) > 3
    with tf.Session() as sess:
        assert np.array_equal(sess.run(out), crops[0])     # op seed: reproducible
    with pytest.raises(ValueError, match="value.shape >= size"):
        tf.random_crop(value, [7, 4])
    p = tf.placeholder(tf.int32, [None, 8])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        run(tf.random_crop(p, [3, 4]), {p: value[:2]})


def test_random_brightness_and_contrast():
    image = RNG.uniform(0.2, 0.8, size=(4, 4, 3)).astype(np.float32)
    out = tf.image.random_brightness(image, 0.1, seed=1)
    with tf.Session() as sess:
        deltas = [sess.run(out) - image for _ in range(10)]
    for d in deltas:
        assert np.allclose(d, d.flat[0], atol=1e-6) and -0.1 <= d.flat[0] < 0.1
    out = tf.image.random_contrast(image, 0.5, 1.5, seed=1)
    mean = image.mean(axis=(0, 1))
    value = run(out)
    factor = (value - mean) / (image - mean)
    assert np.allclose(factor, factor.flat[0], atol=1e-3) and 0.5 <= factor.flat[0] < 1.5
    with pytest.raises(ValueError, match="non-negative"):
        tf.image.random_brightness(image, -0.1)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(image, 1.0, 0.5)
    with pytest.raises(ValueError, match="lower must be non-negative"):
        tf.image.random_contrast(image, -1.0, 0.5)


# -- colour ---------------------------------------------------------------------------------------
U8 = np.array([[[0, 10, 200], [255, 128, 7]], [[30, 60, 90], [1, 2, 254]]], np.uint8)


def test_adjust_brightness_contrast_gamma_match_tf1_on_uint8():
    # TF1's numbers (integer images are converted to float, adjusted, converted back saturating)
    cases = [(tf.image.adjust_contrast(U8, 1.8),
              [[[0, 0, 250], [255, 190, 0]], [[0, 68, 51], [0, 0, 255]]]),
             (tf.image.adjust_brightness(U8, 0.1),
              [[[25, 35, 225], [255, 153, 32]], [[55, 85, 115], [26, 27, 255]]])]
    for out, want in cases:
        assert out.dtype == tf.uint8
        np.testing.assert_array_equal(run(out), want)
    gamma = run(tf.image.adjust_gamma(U8, 0.5, 1.2))
    want = np.floor(np.minimum(1.2 * (U8 / 255.0) ** 0.5, 1.0) * 255.5)
    assert gamma.dtype == np.uint8
    np.testing.assert_allclose(gamma, want, atol=1)
    with pytest.raises(ValueError, match="non-negative"):
        tf.image.adjust_gamma(U8, -1.0)


def test_adjust_contrast_op_matches_numpy():
    for dtype, rtol in ((np.float16, 1e-3), (np.float32, 1e-6), (np.float64, 1e-12)):
        images = RNG.uniform(0, 1, size=(2, 3, 4, 2)).astype(dtype)
        out = apply_op("AdjustContrastv2", [tf.constant(images), np.float32(2.5)])
        assert out.dtype == tf.as_dtype(dtype)
        mean = images.astype(np.float64).mean(axis=(1, 2), keepdims=True)
        value = run(out)
        assert value.dtype == dtype
        np.testing.assert_allclose(value, (images - mean) * 2.5 + mean, rtol=rtol, atol=rtol)
    out = tf.image.adjust_contrast(BATCH, 0.3)
    mean = BATCH.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(run(out), (BATCH - mean) * 0.3 + mean, rtol=1e-5)


def test_adjust_contrast_op_shapes_and_no_gradient():
    p = tf.placeholder(tf.float32, [None, None, 5, 3])
    assert shape_of(apply_op("AdjustContrastv2", [p, 2.0])) == [None, None, 5, 3]
    assert shape_of(apply_op("AdjustContrastv2", [tf.placeholder(tf.float32), 2.0])) is None
    with pytest.raises(ValueError, match="at least 3-D"):
        apply_op("AdjustContrastv2", [tf.placeholder(tf.float32, [4, 3]), 2.0])
    with pytest.raises(ValueError, match="scalar"):
        apply_op("AdjustContrastv2", [p, [2.0, 1.0]])
    with pytest.raises(TypeError):
        apply_op("AdjustContrastv2", [tf.placeholder(tf.int32, [2, 2, 1]), 2.0])
    x = tf.placeholder(tf.float32, [2, 2, 1])
    with pytest.raises(LookupError, match="AdjustContrastv2"):   # TF1 has no gradient either
        tf.gradients(tf.image.adjust_contrast(x, 2.0), x)


def test_per_image_standardization():
    out = tf.image.per_image_standardization(U8)
    assert out.dtype == tf.float32 and out.op.name == "per_image_standardization"
    np.testing.assert_allclose(run(out), [  # TF1's numbers
        [[-0.906454, -0.80156, 1.191414], [1.768328, 0.436182, -0.833028]],
        [[-0.591773, -0.277093, 0.037587], [-0.895964, -0.885475, 1.757838]]], atol=2e-6)
    values = run(tf.image.per_image_standardization(BATCH))
    for image, got in zip(BATCH, values):
        np.testing.assert_allclose(got, (image - image.mean()) / image.std(), rtol=1e-4,
                                   atol=1e-5)
    flat = run(tf.image.per_image_standardization(np.full((3, 3, 1), 7.0, np.float32)))
    np.testing.assert_array_equal(flat, np.zeros((3, 3, 1)))   # uniform image: no division by 0
    # computed in float32 as TF1 (even for float64 input): a larger step, a looser tolerance
    check_gradients(tf.image.per_image_standardization, RNG.randn(2, 3, 2), delta=1e-3,
                    tol=1e-3)


def test_grayscale_conversions():
    gray = tf.image.rgb_to_grayscale(U8)
    assert gray.dtype == tf.uint8 and shape_of(gray) == [2, 2, 1]
    np.testing.assert_array_equal(run(gray), [[[28], [152]], [[54], [30]]])   # TF1's numbers
    value = run(tf.image.rgb_to_grayscale(BATCH))
    np.testing.assert_allclose(value[..., 0], BATCH @ [0.2989, 0.5870, 0.1140], rtol=1e-5)
    rgb = tf.image.grayscale_to_rgb(value)
    assert shape_of(rgb) == [2, 5, 7, 3]
    np.testing.assert_array_equal(run(rgb), np.repeat(value, 3, axis=-1))
    assert shape_of(tf.image.grayscale_to_rgb(tf.placeholder(tf.float32, [None, 4, 1]))) == [
        None, 4, 3]
    with pytest.raises(ValueError, match="last dimension of size 1"):
        tf.image.grayscale_to_rgb(BATCH)
    with pytest.raises(ValueError, match="3 channels"):
        tf.image.rgb_to_grayscale(np.zeros((2, 2, 4), np.float32))
    check_gradients(tf.image.rgb_to_grayscale, RNG.randn(2, 2, 3), delta=1e-2, tol=1e-4)


def test_convert_image_dtype_matches_tf1():
    floats = np.array([-0.2, 0.0, 0.25, 0.5, 0.999, 1.0, 1.3], np.float32)
    cases = [  # TF1's numbers; without saturate, out-of-range floats wrap around like TF1's cast
        (tf.image.convert_image_dtype(floats, tf.uint8), [205, 0, 63, 127, 255, 255, 76]),
        (tf.image.convert_image_dtype(floats, tf.uint8, saturate=True),
         [0, 0, 63, 127, 255, 255, 255]),
        (tf.image.convert_image_dtype(U8[0, 0], tf.int16), [0, 1280, 25600]),
        (tf.image.convert_image_dtype(np.array([0, 2 ** 31 - 1, 16777216 * 3 + 5], np.int32),
                                      tf.uint8), [0, 255, 6])]
    for out, want in cases:
        np.testing.assert_array_equal(run(out), want)
    out = tf.image.convert_image_dtype(U8, tf.float32)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(run(out), U8 / 255.0, rtol=1e-6)
    same = tf.image.convert_image_dtype(U8, tf.uint8)
    assert same.op.type == "Identity"
    assert run(tf.image.convert_image_dtype(BATCH, tf.float64)).dtype == np.float64
    with pytest.raises(AttributeError, match="floating point or integer"):
        tf.image.convert_image_dtype(U8, tf.bool)


# -- statistics -----------------------------------------------------------------------------------
def test_image_gradients_and_total_variation():
    dy, dx = tf.image.image_gradients(BATCH)
    assert shape_of(dy) == shape_of(dx) == [2, 5, 7, 3]
    want_dy = np.concatenate([np.diff(BATCH, axis=1), np.zeros((2, 1, 7, 3))], axis=1)
    want_dx = np.concatenate([np.diff(BATCH, axis=2), np.zeros((2, 5, 1, 3))], axis=2)
    got_dy, got_dx = run([dy, dx])
    np.testing.assert_allclose(got_dy, want_dy, atol=1e-7)
    np.testing.assert_allclose(got_dx, want_dx, atol=1e-7)
    with pytest.raises(ValueError, match="4D tensor"):
        tf.image.image_gradients(IMAGE)
    tv = tf.image.total_variation(BATCH)
    assert shape_of(tv) == [2]
    want = np.abs(np.diff(BATCH, axis=1)).sum((1, 2, 3)) + np.abs(np.diff(BATCH, axis=2)).sum(
        (1, 2, 3))
    np.testing.assert_allclose(run(tv), want, rtol=1e-5)
    assert shape_of(tf.image.total_variation(IMAGE)) == []
    np.testing.assert_allclose(run(tf.image.total_variation(IMAGE)), np.abs(
        np.diff(IMAGE, axis=0)).sum() + np.abs(np.diff(IMAGE, axis=1)).sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="3 or 4-dimensional"):
        tf.image.total_variation(np.zeros((2, 2)))
    check_gradients(tf.image.total_variation, np.arange(12.0).reshape(1, 3, 4, 1) ** 1.5)


def test_image_files_are_not_decoded():
    with pytest.raises(AttributeError, match="PIL"):
        tf.image.decode_png
    with pytest.raises(AttributeError, match="does not implement tf.image.resize_bicubic"):
        tf.image.resize_bicubic
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        tf.image.nonsense
