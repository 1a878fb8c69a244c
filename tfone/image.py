"""``tf.image``: TF1's image functions (resize, crop, pad, flip, rotate, brightness/contrast,
random augmentation, standardization, grayscale, dtype conversion), on 3-D
``[height, width, channels]`` or 4-D ``[batch, height, width, channels]`` tensors.

Everything is defined in :mod:`tfone.ops.image_ops`. tfone does not decode or encode image
files (``tf.image.decode_png`` & co. raise an AttributeError saying how to load them instead).
"""
from tfone.ops.image_ops import (  # noqa: F401
    ResizeMethod, resize_images, resize, resize_bilinear, resize_nearest_neighbor,
    resize_image_with_crop_or_pad, resize_with_crop_or_pad, central_crop, crop_to_bounding_box,
    pad_to_bounding_box, flip_left_right, flip_up_down, transpose_image, transpose, rot90,
    random_flip_left_right, random_flip_up_down, random_crop, random_brightness,
    random_contrast, adjust_brightness, adjust_contrast, adjust_gamma,
    per_image_standardization, rgb_to_grayscale, grayscale_to_rgb, convert_image_dtype,
    image_gradients, total_variation)
from tfone.ops.image_ops import __all__  # noqa: F401

_FILE_FUNCTIONS = ("decode_png", "decode_jpeg", "decode_image", "decode_gif", "decode_bmp",
                   "decode_and_crop_jpeg", "encode_png", "encode_jpeg", "extract_jpeg_shape",
                   "is_jpeg")
_MISSING = ("resize_bicubic", "resize_area", "resize_image_with_pad", "crop_and_resize",
            "rgb_to_hsv", "hsv_to_rgb", "rgb_to_yiq", "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb",
            "adjust_hue", "adjust_saturation", "random_hue", "random_saturation",
            "adjust_jpeg_quality", "random_jpeg_quality", "sample_distorted_bounding_box",
            "draw_bounding_boxes", "non_max_suppression", "extract_glimpse",
            "extract_image_patches", "psnr", "ssim", "ssim_multiscale", "sobel_edges")


def __getattr__(name):
    if name in _FILE_FUNCTIONS:
        raise AttributeError(
            "tfone has no tf.image.%s: it does not read or write image files. Load an image into "
            "a numpy array with PIL (np.array(PIL.Image.open(path))) or matplotlib "
            "(plt.imread(path)), then feed it to a placeholder or pass it to tf.constant; "
            "tf.image.convert_image_dtype turns uint8 pixels into floats in [0, 1]." % name)
    if name in _MISSING:
        raise AttributeError("tfone does not implement tf.image.%s (tf.image has: %s)"
                             % (name, ", ".join(__all__)))
    raise AttributeError("module 'tfone.image' has no attribute %r" % name)
