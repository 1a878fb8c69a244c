"""Image ops (``tf.image``): resizing, cropping and padding, flips and rotations, brightness and
contrast, random augmentations, standardization, grayscale and dtype conversion.

Images are 3-D ``[height, width, channels]`` or batched 4-D ``[batch, height, width,
channels]`` tensors (channels last), as in TF1. The resize ops and ``AdjustContrastv2`` are ops
of their own; everything else is built from array and math ops the way TF1's image_ops_impl
builds it, so gradients flow through crops, pads and flips. Resizing follows TF 1.15 exactly:
``resize_images`` uses the legacy sampling grid (``half_pixel_centers=False``) unless
``align_corners=True``; ``tf.image.resize_bilinear(..., half_pixel_centers=True)`` gives the
grid that TF 2's ``tf.image.resize`` and OpenCV use.

tfone does not read image files: load them with PIL (``np.array(Image.open(path))``) or
matplotlib (``plt.imread(path)``) and feed the arrays.
"""
import functools

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, is_tensor_like)
from tfone.ops import array_ops, math_ops, random_ops
from tfone.ops.shape_inference import shape_from_tensor

__all__ = [
    "ResizeMethod", "resize_images", "resize", "resize_bilinear", "resize_nearest_neighbor",
    "resize_image_with_crop_or_pad", "resize_with_crop_or_pad", "central_crop",
    "crop_to_bounding_box", "pad_to_bounding_box", "flip_left_right", "flip_up_down",
    "transpose_image", "transpose", "rot90", "random_flip_left_right", "random_flip_up_down",
    "random_crop", "random_brightness", "random_contrast", "adjust_brightness",
    "adjust_contrast", "adjust_gamma", "per_image_standardization", "rgb_to_grayscale",
    "grayscale_to_rgb", "convert_image_dtype", "image_gradients", "total_variation"]

# dtypes the resize kernels accept (TF1's list, without bfloat16 which tfone does not have)
_RESIZE_DTYPES = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32,
                  dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64)


# -- sampling grids of the resize kernels --------------------------------------------------------
def _resize_scale(in_size, out_size, align_corners):
    """TF's CalculateResizeScale, in float32 as the kernels compute it."""
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _source_positions(in_size, out_size, align_corners, half_pixel_centers, nearest=False):
    """float32 position in the input that each output row (or column) samples."""
    scale = _resize_scale(in_size, out_size, align_corners)
    out = np.arange(out_size, dtype=np.float32)
    if half_pixel_centers:
        # bilinear: pixel centers at +0.5 on both grids; nearest rounds down, so no -0.5
        out = (out + np.float32(0.5)) * scale
        return out if nearest else out - np.float32(0.5)
    return out * scale


@functools.lru_cache(maxsize=128)
def _bilinear_taps(in_size, out_size, align_corners, half_pixel_centers):
    """(lower index, upper index, float32 weight of the upper one) per output row/column."""
    pos = _source_positions(in_size, out_size, align_corners, half_pixel_centers)
    floor = np.floor(pos)
    lower = np.maximum(floor, 0).astype(np.intp)
    upper = np.minimum(np.ceil(pos), in_size - 1).astype(np.intp)
    return lower, upper, pos - floor


@functools.lru_cache(maxsize=128)
def _bilinear_matrix(in_size, out_size, align_corners, half_pixel_centers, np_dtype):
    """[out_size, in_size] interpolation weights (rows sum to 1); used by the gradient."""
    lower, upper, lerp = _bilinear_taps(in_size, out_size, align_corners, half_pixel_centers)
    weights = np.zeros((out_size, in_size), dtype=np_dtype)
    rows = np.arange(out_size)
    np.add.at(weights, (rows, lower), (np.float32(1) - lerp).astype(np_dtype))
    np.add.at(weights, (rows, upper), lerp.astype(np_dtype))
    return weights


@functools.lru_cache(maxsize=128)
def _nearest_indices(in_size, out_size, align_corners, half_pixel_centers):
    """The input row (or column) each output row copies, as TF's nearest-neighbor kernel."""
    pos = _source_positions(in_size, out_size, align_corners, half_pixel_centers, nearest=True)
    index = np.floor(pos)
    if align_corners:  # roundf: halves away from zero (positions are >= 0)
        index = np.where(pos - index >= 0.5, index + 1, index)
    index = np.minimum(index.astype(np.intp), in_size - 1)
    if half_pixel_centers:
        index = np.maximum(index, 0)
    return index


def _one_hot_matrix(index, in_size, np_dtype):
    weights = np.zeros((len(index), in_size), dtype=np_dtype)
    weights[np.arange(len(index)), index] = 1
    return weights


def _apply_rows_cols(grads, row_weights, col_weights, out_dtype):
    """out[b, h, w, c] = sum_{y, x} row_weights[y, h] col_weights[x, w] grads[b, y, x, c]."""
    t = np.tensordot(grads, row_weights, axes=([1], [0]))      # [b, x, c, h]
    t = np.tensordot(t, col_weights, axes=([1], [0]))          # [b, c, h, w]
    return np.ascontiguousarray(np.moveaxis(t, 1, 3), dtype=out_dtype)


# -- op declarations -------------------------------------------------------------------------
def _check_resize_flags(align_corners, half_pixel_centers):
    if align_corners and half_pixel_centers:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")


def _batched_dims(images, what="images"):
    dims = images.shape.as_tuple()
    if dims is None:
        return [None] * 4
    if len(dims) != 4:
        raise ValueError("%s must be 4-D [batch, height, width, channels], got shape %s"
                         % (what, images.shape))
    return list(dims)


def _static_size(size):
    """[height, width] a 2-element int32 size tensor holds (None where unknown)."""
    if not size.shape.is_compatible_with([2]):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width; got "
                         "shape %s" % size.shape)
    known = shape_from_tensor(size)
    dims = known.as_list() if known.ndims == 2 else [None, None]
    value = constant_value(size)
    if value is not None and np.any(np.asarray(value) <= 0):
        raise ValueError("output dimensions must be positive, got size %s"
                         % np.asarray(value).tolist())
    return dims


def _run_checks(op_type, images, size):
    if images.ndim != 4:
        raise errors.InvalidArgumentError(
            None, None, "%s: input must be 4-dimensional, got shape %s"
            % (op_type, list(images.shape)))
    size = np.asarray(size).reshape(-1)
    if size.shape != (2,) or np.any(size <= 0):
        raise errors.InvalidArgumentError(
            None, None, "%s: size must be 2 positive ints (new_height, new_width), got %s"
            % (op_type, size.tolist()))
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise errors.InvalidArgumentError(
            None, None, "%s: input image must be of non-zero size, got shape %s"
            % (op_type, list(images.shape)))
    return int(size[0]), int(size[1])


class _ResizeOp(OpDef):
    inputs = ("images:T", "size:int32")
    attrs = {"align_corners": False, "half_pixel_centers": False}

    def infer(self, images, size, align_corners, half_pixel_centers):
        _check_resize_flags(align_corners, half_pixel_centers)
        if images.dtype not in _RESIZE_DTYPES:
            raise TypeError("%s takes real-valued images (%s), got %s"
                            % (self.type, ", ".join(d.name for d in _RESIZE_DTYPES),
                               images.dtype.name))
        batch, _, _, channels = _batched_dims(images)
        height, width = _static_size(size)
        return self.out_dtype or images.dtype, [batch, height, width, channels]


@register_op("ResizeBilinear")
class ResizeBilinear(_ResizeOp):
    """Resizes images to ``size`` by bilinear interpolation (output float32)."""
    label = "resize bilinear"
    out_dtype = dtypes.float32

    def compute(self, images, size, align_corners, half_pixel_centers):
        out_h, out_w = _run_checks("ResizeBilinear", images, size)
        _, in_h, in_w, _ = images.shape
        x = images if images.dtype == np.float32 else images.astype(np.float32)
        y_lo, y_hi, y_lerp = _bilinear_taps(in_h, out_h, align_corners, half_pixel_centers)
        x_lo, x_hi, x_lerp = _bilinear_taps(in_w, out_w, align_corners, half_pixel_centers)
        x_lerp = x_lerp[:, None]
        top_rows, bottom_rows = x[:, y_lo], x[:, y_hi]
        top_left = top_rows[:, :, x_lo]
        top = top_left + (top_rows[:, :, x_hi] - top_left) * x_lerp
        bottom_left = bottom_rows[:, :, x_lo]
        bottom = bottom_left + (bottom_rows[:, :, x_hi] - bottom_left) * x_lerp
        return top + (bottom - top) * y_lerp[:, None, None]

    def gradient(self, op, grad):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        return [apply_op("ResizeBilinearGrad", [grad, images], _resize_attrs(op)), None]


@register_op("ResizeBilinearGrad")
class ResizeBilinearGrad(OpDef):
    """Gradient of ResizeBilinear: spreads each output gradient over the input pixels it read."""
    inputs = ("grads:float32", "original_image:T")
    attrs = {"align_corners": False, "half_pixel_centers": False}
    label = "resize bilinear grad"

    def infer(self, grads, original_image, align_corners, half_pixel_centers):
        _check_resize_flags(align_corners, half_pixel_centers)
        if not original_image.dtype.is_floating:
            raise TypeError("ResizeBilinearGrad: original_image must be float16, float32 or "
                            "float64, got %s" % original_image.dtype.name)
        _batched_dims(grads, "grads")
        return original_image.dtype, _batched_dims(original_image, "original_image")

    def compute(self, grads, original_image, align_corners, half_pixel_centers):
        _, out_h, out_w, _ = grads.shape
        _, in_h, in_w, _ = original_image.shape
        work = np.float64 if original_image.dtype == np.float64 else np.float32
        rows = _bilinear_matrix(in_h, out_h, align_corners, half_pixel_centers, work)
        cols = _bilinear_matrix(in_w, out_w, align_corners, half_pixel_centers, work)
        return _apply_rows_cols(grads.astype(work, copy=False), rows, cols,
                                original_image.dtype)

    def gradient(self, op, grad):
        # The op is linear in grads; its adjoint is the forward resize to the grads' size.
        grads = op.inputs[0]
        return [resize_bilinear(grad, array_ops.shape(grads)[1:3], **_resize_attrs(op)), None]


@register_op("ResizeNearestNeighbor")
class ResizeNearestNeighbor(_ResizeOp):
    """Resizes images to ``size`` by copying the nearest input pixel (keeps the dtype)."""
    label = "resize nearest"
    out_dtype = None

    def compute(self, images, size, align_corners, half_pixel_centers):
        out_h, out_w = _run_checks("ResizeNearestNeighbor", images, size)
        _, in_h, in_w, _ = images.shape
        rows = _nearest_indices(in_h, out_h, align_corners, half_pixel_centers)
        cols = _nearest_indices(in_w, out_w, align_corners, half_pixel_centers)
        return images[:, rows][:, :, cols]

    def gradient(self, op, grad):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        hw = images.shape[1:3]
        size = hw.as_list() if hw.is_fully_defined() else array_ops.shape(images)[1:3]
        return [apply_op("ResizeNearestNeighborGrad", [grad, size], _resize_attrs(op)), None]


@register_op("ResizeNearestNeighborGrad")
class ResizeNearestNeighborGrad(OpDef):
    """Gradient of ResizeNearestNeighbor: sums each output gradient into the pixel it copied."""
    inputs = ("grads:T", "size:int32")
    attrs = {"align_corners": False, "half_pixel_centers": False}
    label = "resize nearest grad"

    def infer(self, grads, size, align_corners, half_pixel_centers):
        _check_resize_flags(align_corners, half_pixel_centers)
        batch, _, _, channels = _batched_dims(grads, "grads")
        height, width = _static_size(size)
        return grads.dtype, [batch, height, width, channels]

    def compute(self, grads, size, align_corners, half_pixel_centers):
        in_h, in_w = _run_checks("ResizeNearestNeighborGrad", grads, size)
        _, out_h, out_w, _ = grads.shape
        rows = _nearest_indices(in_h, out_h, align_corners, half_pixel_centers)
        cols = _nearest_indices(in_w, out_w, align_corners, half_pixel_centers)
        return _apply_rows_cols(grads, _one_hot_matrix(rows, in_h, grads.dtype),
                                _one_hot_matrix(cols, in_w, grads.dtype), grads.dtype)

    def gradient(self, op, grad):
        grads = op.inputs[0]
        return [resize_nearest_neighbor(grad, array_ops.shape(grads)[1:3], **_resize_attrs(op)),
                None]


def _resize_attrs(op):
    return {"align_corners": op.get_attr("align_corners"),
            "half_pixel_centers": op.get_attr("half_pixel_centers")}


@register_op("AdjustContrastv2")
class AdjustContrastv2(OpDef):
    """``(x - mean) * contrast_factor + mean``, the mean taken per image and channel."""
    # Fixed dtypes rather than a type variable: as in TF1 the op has no gradient, so
    # tf.gradients through tf.image.adjust_contrast raises LookupError (no gradient defined).
    inputs = ("images:float32|float16|float64", "contrast_factor:float32|float64")
    label = "adjust contrast"

    def infer(self, images, contrast_factor):
        if images.shape.ndims is not None and images.shape.ndims < 3:
            raise ValueError("images must be at least 3-D [..., height, width, channels], got "
                             "shape %s" % images.shape)
        if contrast_factor.shape.ndims not in (None, 0):
            raise ValueError("contrast_factor must be a scalar, got shape %s"
                             % contrast_factor.shape)
        return images.dtype, images.shape

    def compute(self, images, contrast_factor):
        if images.ndim < 3:
            raise errors.InvalidArgumentError(
                None, None, "AdjustContrastv2: images must be at least 3-D, got shape %s"
                % list(images.shape))
        work = np.float32 if images.dtype == np.float16 else images.dtype
        x = images.astype(work, copy=False)
        mean = x.mean(axis=(-3, -2), keepdims=True, dtype=work)
        out = (x - mean) * np.asarray(contrast_factor, dtype=work) + mean
        return out.astype(images.dtype, copy=False)


# -- helpers shared by the Python functions ------------------------------------------------------
def _is_tensor(x):
    return is_tensor_like(x)


def _assert(cond, ex_type, msg):
    """A static check raises at once; a tensor condition becomes an Assert op to depend on."""
    if _is_tensor(cond):
        from tfone.ops import check_ops
        return [check_ops.Assert(cond, [msg])]
    if not cond:
        raise ex_type(msg)
    return []


def _with_dependencies(assert_ops, tensor):
    """An Identity of ``tensor`` after ``assert_ops`` (made even when there are none, as TF1
    does, so op names match TF1's)."""
    from tfone.ops import control_flow_ops
    return control_flow_ops.with_dependencies(assert_ops, tensor)


def _check_at_least_3d(image, require_static=True):
    """TF1's checks that ``image`` is at least 3-D with non-empty inner dims; run-time asserts
    for the dims that are not known yet."""
    shape = image.shape
    if shape.ndims is not None and shape.ndims < 3:
        raise ValueError("'image' (shape %s) must be at least three-dimensional." % shape)
    if shape.ndims is None:
        if require_static:
            raise ValueError("'image' (shape %s) must have a known rank (3 or 4) here; give the "
                             "placeholder a shape such as [None, None, 3]." % shape)
        return []
    inner = shape.as_list()[-3:]
    if any(d == 0 for d in inner):
        raise ValueError("inner 3 dims of 'image.shape' must be > 0: %s" % shape)
    if None in inner:
        from tfone.ops import check_ops
        return [check_ops.assert_positive(array_ops.shape(image)[-3:],
                                          ["inner 3 dims of 'image.shape' must be > 0."])]
    return []


def _assert_at_least_3d(image):
    return _with_dependencies(_check_at_least_3d(image), image)


def _image_dimensions(image, rank):
    """Each dimension as a Python int where static, else as a scalar tensor."""
    dims = image.shape.as_list() if image.shape.ndims is not None else [None] * rank
    if None not in dims:
        return dims
    dynamic = array_ops.unstack(array_ops.shape(image), rank)
    return [d if d is not None else t for d, t in zip(dims, dynamic)]


def _as_batch(image):
    """(4-D image, was it batched?): a 3-D image gets a batch dimension of 1."""
    ndims = image.shape.ndims
    if ndims == 3:
        return array_ops.expand_dims(image, 0), False
    if ndims is None:
        batched = array_ops.expand_dims(image, 0)
        batched.set_shape([None] * 4)
        return batched, False
    if ndims != 4:
        raise ValueError("'image' must have either 3 or 4 dimensions, got shape %s"
                         % image.shape)
    return image, True


def _unbatch(image, is_batch):
    return image if is_batch else array_ops.squeeze(image, axis=[0])


def _image_rank(image, what="image"):
    ndims = image.shape.ndims
    if ndims is None:
        raise ValueError("'%s' must have a known rank (3 or 4) in tfone; give the placeholder a "
                         "shape such as [None, None, 3]." % what)
    if ndims not in (3, 4):
        raise ValueError("'%s' must have either 3 or 4 dimensions, got shape %s"
                         % (what, image.shape))
    return ndims


def _max(x, y):
    return math_ops.maximum(x, y) if _is_tensor(x) or _is_tensor(y) else max(x, y)


def _min(x, y):
    return math_ops.minimum(x, y) if _is_tensor(x) or _is_tensor(y) else min(x, y)


def _equal(x, y):
    return math_ops.equal(x, y) if _is_tensor(x) or _is_tensor(y) else x == y


def _static_or_none(dims):
    return [None if _is_tensor(d) else d for d in dims]


# -- resizing -------------------------------------------------------------------------------------
class ResizeMethod:
    """TF1's ``tf.image.ResizeMethod``: the ``method`` values of ``tf.image.resize_images``
    (tfone implements BILINEAR and NEAREST_NEIGHBOR)."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_METHODS = {ResizeMethod.BILINEAR: "bilinear", "bilinear": "bilinear",
            ResizeMethod.NEAREST_NEIGHBOR: "nearest", "nearest": "nearest",
            ResizeMethod.BICUBIC: "bicubic", "bicubic": "bicubic",
            ResizeMethod.AREA: "area", "area": "area"}


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """4-D ``images`` resized to ``size`` = [new_height, new_width] by bilinear interpolation;
    the result is float32 whatever the input dtype (the ResizeBilinear op)."""
    return apply_op("ResizeBilinear", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)}, name=name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """4-D ``images`` resized to ``size`` = [new_height, new_width] by copying the nearest
    pixel; keeps the dtype (the ResizeNearestNeighbor op)."""
    return apply_op("ResizeNearestNeighbor", [images, size],
                    {"align_corners": bool(align_corners),
                     "half_pixel_centers": bool(half_pixel_centers)}, name=name)


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """``images`` (3-D or 4-D) resized to ``size`` = [new_height, new_width].

    ``method``: ``ResizeMethod.BILINEAR`` (default; float32 result) or ``NEAREST_NEIGHBOR``
    (keeps the dtype). TF 1.15's sampling grid: with ``align_corners=True`` the corner pixels
    of input and output line up. ``preserve_aspect_ratio=True`` shrinks ``size`` so the image
    keeps its proportions. An image that already has the size is returned unchanged (dtype
    included), as TF1 does.
    """
    kind = _METHODS.get(method) if isinstance(method, (int, str)) else None
    if kind is None:
        raise ValueError("Resize method is not implemented: %r (use tf.image.ResizeMethod."
                         "BILINEAR or NEAREST_NEIGHBOR)" % (method,))
    if kind in ("bicubic", "area"):
        raise ValueError("tf.image.resize_images: method %s is not available in tfone; use "
                         "ResizeMethod.BILINEAR or ResizeMethod.NEAREST_NEIGHBOR."
                         % kind.upper())
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = True
        if images.shape.ndims == 3:
            is_batch = False
            images = array_ops.expand_dims(images, 0)
        elif images.shape.ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions, got shape %s"
                             % images.shape)
        _, height, width, _ = images.shape.as_list()
        try:
            size = convert_to_tensor(size, dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            _, current_height, current_width, _ = _image_dimensions(images, rank=4)
            as_float = lambda v: math_ops.cast(v, dtypes.float32)  # noqa: E731
            scale = math_ops.minimum(as_float(size[0]) / as_float(current_height),
                                     as_float(size[1]) / as_float(current_width))
            scaled = [math_ops.cast(math_ops.round(scale * as_float(d)), dtypes.int32)
                      for d in (current_height, current_width)]
            size = convert_to_tensor(array_ops.stack(scaled), dtypes.int32, name="size")
        known_size = shape_from_tensor(size)
        new_height, new_width = known_size.as_list() if known_size.ndims == 2 else [None, None]
        if None not in (new_height, new_width, height, width) and (
                height == new_height and width == new_width):
            return _unbatch(images, is_batch)
        if kind == "bilinear":
            resized = resize_bilinear(images, size, align_corners=align_corners)
        else:
            resized = resize_nearest_neighbor(images, size, align_corners=align_corners)
        return _unbatch(resized, is_batch)


resize = resize_images   # TF 1.15's tf.image.resize is resize_images


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """``image`` (3-D or 4-D) brought to ``target_height`` x ``target_width`` by cropping the
    centre (if larger) and/or padding with zeros evenly on both sides (if smaller)."""
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        assert_ops = _check_at_least_3d(image, require_static=False)
        assert_ops += _assert(target_width > 0, ValueError, "target_width must be > 0.")
        assert_ops += _assert(target_height > 0, ValueError, "target_height must be > 0.")
        image = _with_dependencies(assert_ops, image)
        _, height, width, _ = _image_dimensions(image, rank=4)
        width_diff = target_width - width
        offset_crop_width = _max(-width_diff // 2, 0)
        offset_pad_width = _max(width_diff // 2, 0)
        height_diff = target_height - height
        offset_crop_height = _max(-height_diff // 2, 0)
        offset_pad_height = _max(height_diff // 2, 0)
        cropped = crop_to_bounding_box(image, offset_crop_height, offset_crop_width,
                                       _min(target_height, height), _min(target_width, width))
        resized = pad_to_bounding_box(cropped, offset_pad_height, offset_pad_width,
                                      target_height, target_width)
        if resized.shape.ndims is None:
            raise ValueError("resized contains no shape.")
        _, resized_height, resized_width, _ = _image_dimensions(resized, rank=4)
        assert_ops = _assert(_equal(resized_height, target_height), ValueError,
                             "resized height is not correct.")
        assert_ops += _assert(_equal(resized_width, target_width), ValueError,
                              "resized width is not correct.")
        resized = _with_dependencies(assert_ops, resized)
        return _unbatch(resized, is_batch)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The ``target_height`` x ``target_width`` window of ``image`` (3-D or 4-D) whose top-left
    corner is at (``offset_height``, ``offset_width``)."""
    with name_scope(None, "crop_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        assert_ops = _check_at_least_3d(image, require_static=False)
        batch, height, width, depth = _image_dimensions(image, rank=4)
        assert_ops += _assert(offset_width >= 0, ValueError, "offset_width must be >= 0.")
        assert_ops += _assert(offset_height >= 0, ValueError, "offset_height must be >= 0.")
        assert_ops += _assert(target_width > 0, ValueError, "target_width must be > 0.")
        assert_ops += _assert(target_height > 0, ValueError, "target_height must be > 0.")
        assert_ops += _assert(width >= (target_width + offset_width), ValueError,
                              "width must be >= target + offset.")
        assert_ops += _assert(height >= (target_height + offset_height), ValueError,
                              "height must be >= target + offset.")
        image = _with_dependencies(assert_ops, image)
        cropped = array_ops.slice(image, array_ops.stack([0, offset_height, offset_width, 0]),
                                  array_ops.stack([-1, target_height, target_width, -1]))
        cropped.set_shape(_static_or_none([batch, target_height, target_width, depth]))
        return _unbatch(cropped, is_batch)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """``image`` (3-D or 4-D) placed at (``offset_height``, ``offset_width``) in a zero image of
    ``target_height`` x ``target_width``."""
    with name_scope(None, "pad_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        assert_ops = _check_at_least_3d(image, require_static=False)
        batch, height, width, depth = _image_dimensions(image, rank=4)
        after_padding_width = target_width - offset_width - width
        after_padding_height = target_height - offset_height - height
        assert_ops += _assert(offset_height >= 0, ValueError, "offset_height must be >= 0")
        assert_ops += _assert(offset_width >= 0, ValueError, "offset_width must be >= 0")
        assert_ops += _assert(after_padding_width >= 0, ValueError,
                              "width must be <= target - offset")
        assert_ops += _assert(after_padding_height >= 0, ValueError,
                              "height must be <= target - offset")
        image = _with_dependencies(assert_ops, image)
        paddings = array_ops.reshape(
            array_ops.stack([0, 0, offset_height, after_padding_height, offset_width,
                             after_padding_width, 0, 0]), [4, 2])
        padded = array_ops.pad(image, paddings)
        padded.set_shape(_static_or_none([batch, target_height, target_width, depth]))
        return _unbatch(padded, is_batch)


def central_crop(image, central_fraction):
    """The central ``central_fraction`` (in (0, 1]) of ``image`` (3-D or 4-D) in height and
    width: ``central_crop(img, 0.5)`` keeps the middle half of each side."""
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        _assert_at_least_3d(image)
        rank = _image_rank(image)
        h_axis, w_axis = (0, 1) if rank == 3 else (1, 2)

        def start_and_size(axis):
            static = image.shape.as_list()[axis]
            if static is not None:
                start = int((float(static) - float(static) * central_fraction) / 2)
                return start, static - start * 2
            dim = math_ops.cast(array_ops.shape(image)[axis], dtypes.float64)
            start = math_ops.cast((dim - dim * central_fraction) / 2, dtypes.int32)
            return start, array_ops.shape(image)[axis] - start * 2

        h_start, h_size = start_and_size(h_axis)
        w_start, w_size = start_and_size(w_axis)
        if rank == 3:
            begin, size = [h_start, w_start, 0], [h_size, w_size, -1]
        else:
            begin, size = [0, h_start, w_start, 0], [-1, h_size, w_size, -1]
        return array_ops.slice(image, array_ops.stack(begin), array_ops.stack(size))


# -- flips and rotations --------------------------------------------------------------------------
def _flip(image, flip_index, scope_name):
    with name_scope(None, scope_name, [image]):
        image = convert_to_tensor(image, name="image")
        image = _assert_at_least_3d(image)
        rank = _image_rank(image)
        return array_ops.reverse(image, [flip_index if rank == 3 else flip_index + 1])


def flip_left_right(image):
    """``image`` (3-D or 4-D) mirrored horizontally (the width axis reversed)."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """``image`` (3-D or 4-D) upside down (the height axis reversed)."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, flip_index, seed, scope_name):
    with name_scope(None, scope_name, [image]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _assert_at_least_3d(image)
        rank = _image_rank(image)
        if rank == 3:
            from tfone.ops import control_flow_ops
            uniform_random = random_ops.random_uniform([], 0, 1.0, seed=seed)
            mirror_cond = math_ops.less(uniform_random, .5)
            result = control_flow_ops.cond(
                mirror_cond, lambda: array_ops.reverse(image, [flip_index]), lambda: image,
                name=scope)
            result.set_shape(image.shape)
            return result
        batch_size = array_ops.shape(image)[0]
        uniform_random = random_ops.random_uniform(array_ops.stack([batch_size]), 0, 1.0,
                                                   seed=seed)
        flips = math_ops.round(array_ops.reshape(uniform_random, [-1, 1, 1, 1]))
        flips = math_ops.cast(flips, image.dtype)
        flipped_input = array_ops.reverse(image, [flip_index + 1])
        return flips * flipped_input + (1 - flips) * image


def random_flip_left_right(image, seed=None):
    """``image`` mirrored horizontally with probability 1/2 (each image of a 4-D batch
    independently); ``seed`` works as for the other random ops."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """``image`` turned upside down with probability 1/2 (each image of a 4-D batch
    independently); ``seed`` works as for the other random ops."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def transpose_image(image, name=None):
    """``image`` (3-D or 4-D) with height and width swapped (a mirror on the diagonal)."""
    with name_scope(name, "transpose", [image]):
        image = convert_to_tensor(image, name="image")
        image = _assert_at_least_3d(image)
        rank = _image_rank(image)
        return array_ops.transpose(image, [1, 0, 2] if rank == 3 else [0, 2, 1, 3],
                                   name="transpose")


transpose = transpose_image   # TF 1.15 exports both names


def rot90(image, k=1, name=None):
    """``image`` (3-D or 4-D) rotated counter-clockwise by ``k`` quarter turns (``k`` may be a
    tensor; the height and width become unknown then, as in TF1 unless the image is square)."""
    from tfone.ops import control_flow_ops
    with name_scope(name, "rot90", [image, k]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _assert_at_least_3d(image)
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        if k.shape.ndims not in (None, 0):
            raise ValueError("k must be a scalar, got shape %s" % k.shape)
        k = math_ops.mod(k, 4)
        rank = _image_rank(image)
        h, w = (0, 1) if rank == 3 else (1, 2)
        perm = [1, 0, 2] if rank == 3 else [0, 2, 1, 3]

        def rot90_once():
            return array_ops.transpose(array_ops.reverse(image, [w]), perm)

        def rot180():
            return array_ops.reverse(image, [h, w])

        def rot270():
            return array_ops.reverse(array_ops.transpose(image, perm), [w])

        cases = [(math_ops.equal(k, 1), rot90_once), (math_ops.equal(k, 2), rot180),
                 (math_ops.equal(k, 3), rot270)]
        result = control_flow_ops.case(cases, default=lambda: image, exclusive=True, name=scope)
        dims = image.shape.as_list()
        square = dims[h] is not None and dims[h] == dims[w]
        if not square:
            dims[h] = dims[w] = None
        result.set_shape(dims)
        return result


# -- random crops and colour changes -------------------------------------------------------------
def random_crop(value, size, seed=None, name=None):
    """A random ``size``-shaped slice of ``value`` (any rank; use ``[h, w, 3]`` to crop an
    image); every run picks a new offset. ``seed`` works as for the other random ops."""
    from tfone.ops import check_ops, control_flow_ops
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        if value.shape.ndims is not None and size.shape.is_fully_defined() and (
                size.shape.as_list() != [value.shape.ndims]):
            raise ValueError("random_crop: size must have one entry per dimension of value "
                             "(%d), got shape %s" % (value.shape.ndims, size.shape))
        known_size = constant_value(size)
        if known_size is not None and value.shape.ndims is not None:
            for d, s in zip(value.shape.as_list(), np.asarray(known_size).tolist()):
                if d is not None and s > d:
                    raise ValueError("Need value.shape >= size, got %s and %s"
                                     % (value.shape, np.asarray(known_size).tolist()))
        shape = array_ops.shape(value)
        check = check_ops.Assert(math_ops.reduce_all(shape >= size),
                                 ["Need value.shape >= size, got ", shape, size], summarize=1000)
        shape = control_flow_ops.with_dependencies([check], shape)
        limit = shape - size + 1
        offset = random_ops.random_uniform(array_ops.shape(shape), dtype=size.dtype,
                                           maxval=size.dtype.max, seed=seed) % limit
        return array_ops.slice(value, offset, size, name=scope)


def adjust_brightness(image, delta):
    """``image + delta`` (``delta`` in the [0, 1] scale of float images); integer images are
    converted to float and back, saturating."""
    with name_scope(None, "adjust_brightness", [image, delta]) as scope:
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        if orig_dtype in (dtypes.float16, dtypes.float32):
            flt_image = image
        else:
            flt_image = convert_image_dtype(image, dtypes.float32)
        adjusted = math_ops.add(flt_image, math_ops.cast(delta, flt_image.dtype), name=scope)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """Each channel of each image moved away from (factor > 1) or towards (factor < 1) its
    mean: ``(x - mean) * contrast_factor + mean``."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        images = convert_to_tensor(images, name="images")
        orig_dtype = images.dtype
        if orig_dtype in (dtypes.float16, dtypes.float32):
            flt_images = images
        else:
            flt_images = convert_image_dtype(images, dtypes.float32)
        factor = math_ops.cast(contrast_factor, dtypes.float32)
        adjusted = apply_op("AdjustContrastv2", [flt_images, factor], name=scope)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_gamma(image, gamma=1, gain=1):
    """Gamma correction ``gain * image ** gamma`` (on [0, 1] floats; integer images are
    converted and converted back)."""
    with name_scope(None, "adjust_gamma", [image, gamma, gain]):
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        if orig_dtype in (dtypes.float16, dtypes.float32):
            flt_image = image
        else:
            flt_image = convert_image_dtype(image, dtypes.float32)
        assert_op = _assert(gamma >= 0, ValueError, "Gamma should be a non-negative real number.")
        if assert_op:
            gamma = _with_dependencies(assert_op, gamma)
        adjusted = gain * flt_image ** gamma
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """``adjust_brightness(image, delta)`` with ``delta`` uniform in [-max_delta, max_delta),
    drawn once per run."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """``adjust_contrast(image, factor)`` with ``factor`` uniform in [lower, upper), drawn once
    per run."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    contrast_factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, contrast_factor)


def per_image_standardization(image):
    """Each image scaled to mean 0 and variance 1: ``(x - mean) / max(stddev, 1/sqrt(N))``,
    over the last three dimensions (N pixels times channels); the result is float32."""
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _assert_at_least_3d(image)
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        image = math_ops.cast(image, dtype=dtypes.float32)
        image_mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = (math_ops.reduce_mean(math_ops.square(image), axis=[-1, -2, -3],
                                         keepdims=True) - math_ops.square(image_mean))
        from tfone.ops import nn_ops
        variance = nn_ops.relu(variance)
        stddev = math_ops.sqrt(variance)
        min_stddev = math_ops.rsqrt(math_ops.cast(num_pixels, dtypes.float32))
        pixel_value_scale = math_ops.maximum(stddev, min_stddev)
        image = math_ops.subtract(image, image_mean)
        return math_ops.divide(image, pixel_value_scale, name=scope)


# -- colour spaces and dtypes ---------------------------------------------------------------------
def rgb_to_grayscale(images, name=None):
    """RGB images ``[..., 3]`` to grayscale ``[..., 1]`` with weights 0.2989, 0.5870, 0.1140
    (computed in float; the result has the input's dtype)."""
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is not None and images.shape[-1] is not None and (
                images.shape.as_list()[-1] != 3):
            raise ValueError("rgb_to_grayscale expects 3 channels in the last dimension, got "
                             "shape %s" % images.shape)
        orig_dtype = images.dtype
        flt_image = convert_image_dtype(images, dtypes.float32)
        rgb_weights = [0.2989, 0.5870, 0.1140]
        gray_float = math_ops.tensordot(flt_image, rgb_weights, [-1, -1])
        gray_float = array_ops.expand_dims(gray_float, -1)
        return convert_image_dtype(gray_float, orig_dtype, name=scope)


def grayscale_to_rgb(images, name=None):
    """Grayscale images ``[..., 1]`` to RGB ``[..., 3]`` (the channel repeated)."""
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        shape = images.shape
        if shape.ndims is not None and (shape.ndims < 2 or shape.as_list()[-1] not in (1, None)):
            raise ValueError("grayscale_to_rgb expects images of rank >= 2 with a last dimension "
                             "of size 1, got shape %s" % shape)
        rank_1 = array_ops.expand_dims(array_ops.rank(images) - 1, 0)
        multiples = array_ops.concat([array_ops.ones(rank_1, dtype=dtypes.int32),
                                      array_ops.expand_dims(3, 0)], 0)
        rgb = array_ops.tile(images, multiples, name=scope)
        if shape.ndims is not None:
            rgb.set_shape(shape[:-1].concatenate([3]))
        return rgb


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """``image`` converted to ``dtype``, rescaling values: floats are in [0, 1], integers in
    [0, dtype.max] (uint8 255 <-> 1.0). ``saturate=True`` clips before casting so
    out-of-range values do not wrap around."""
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if dtype == image.dtype:
        return array_ops.identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as scope:
        if image.dtype.is_integer and dtype.is_integer:
            scale_in, scale_out = int(image.dtype.max), int(dtype.max)
            if scale_in > scale_out:
                # scale first, then cast: in.max maps just below out.max + 1
                scaled = math_ops.floordiv(image, (scale_in + 1) // (scale_out + 1))
                if saturate:
                    return math_ops.saturate_cast(scaled, dtype, name=scope)
                return math_ops.cast(scaled, dtype, name=scope)
            cast = (math_ops.saturate_cast(image, dtype) if saturate
                    else math_ops.cast(image, dtype))
            return math_ops.multiply(cast, (scale_out + 1) // (scale_in + 1), name=scope)
        if image.dtype.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=scope)
        if image.dtype.is_integer:
            cast = math_ops.cast(image, dtype)
            return math_ops.multiply(cast, 1. / float(image.dtype.max), name=scope)
        scaled = math_ops.multiply(image, float(dtype.max) + 0.5)  # +0.5: round, not truncate
        if saturate:
            return math_ops.saturate_cast(scaled, dtype, name=scope)
        return math_ops.cast(scaled, dtype, name=scope)


# -- image statistics -----------------------------------------------------------------------------
def image_gradients(image):
    """(dy, dx): differences to the next pixel down and to the right, for a 4-D batch; zero in
    the last row (dy) and last column (dx), so both have the image's shape."""
    image = convert_to_tensor(image, name="image")
    if image.shape.ndims != 4:
        raise ValueError("image_gradients expects a 4D tensor [batch_size, h, w, d], not %s."
                         % image.shape)
    image_shape = array_ops.shape(image)
    batch_size, height, width, depth = array_ops.unstack(image_shape)
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    shape = array_ops.stack([batch_size, 1, width, depth])
    dy = array_ops.concat([dy, array_ops.zeros(shape, image.dtype)], 1)
    dy = array_ops.reshape(dy, image_shape)
    shape = array_ops.stack([batch_size, height, 1, depth])
    dx = array_ops.concat([dx, array_ops.zeros(shape, image.dtype)], 2)
    dx = array_ops.reshape(dx, image_shape)
    return dy, dx


def total_variation(images, name=None):
    """Sum of absolute differences between neighbouring pixels (down and right), per image of a
    4-D batch (shape [batch]) or for one 3-D image (a scalar)."""
    with name_scope(name, "total_variation"):
        images = convert_to_tensor(images, name="images")
        ndims = images.shape.ndims
        if ndims == 3:
            pixel_dif1 = images[1:, :, :] - images[:-1, :, :]
            pixel_dif2 = images[:, 1:, :] - images[:, :-1, :]
            sum_axis = None
        elif ndims == 4:
            pixel_dif1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            pixel_dif2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            sum_axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return (math_ops.reduce_sum(math_ops.abs(pixel_dif1), axis=sum_axis) +
                math_ops.reduce_sum(math_ops.abs(pixel_dif2), axis=sum_axis))

