"""Building ``Summary`` protocol buffers from numpy values, exactly as TF1's summary kernels do.

The summary ops (tf.summary.scalar, histogram, image, audio, text) call these functions in
their kernels; code that logs Python values directly (e.g. a Keras TensorBoard callback) can
call them too and hand the result to ``FileWriter.add_summary``::

    writer = tf.summary.FileWriter(log_dir, sess.graph)
    writer.add_summary(encode.scalars_pb({"loss": 0.31, "acc": 0.92}), global_step=epoch)
    writer.add_summary(encode.histogram_pb("dense/kernel_0", weights), global_step=epoch)

The messages are tensorboard's own protobuf classes; nothing is encoded by hand except the
PNG and WAV payloads of images and audio (zlib / the ``wave`` module of the standard library).
"""
import io
import struct
import sys
import wave
import zlib

import numpy as np

from tfone.summary._tensorboard import proto

__all__ = ["scalar_pb", "scalars_pb", "histogram_pb", "histogram_proto", "image_pb", "audio_pb",
           "text_pb", "tensor_proto", "image_values", "audio_values", "encode_png", "encode_wav",
           "default_bucket_limits"]


def _summary_pb2():
    return proto("summary_pb2")


def _tag(tag):
    return tag.decode("utf-8") if isinstance(tag, bytes) else str(tag)


# -- scalars ---------------------------------------------------------------------------------------
def scalar_pb(tag, value):
    """A Summary with one scalar (what tf.summary.scalar computes)."""
    return scalars_pb({tag: value})


def scalars_pb(values):
    """A Summary with one scalar per ``{tag: value}`` item (e.g. the logs of an epoch)."""
    summary = _summary_pb2().Summary()
    for tag, value in values.items():
        array = np.asarray(value)
        if array.size != 1:
            raise ValueError("scalar summary %r needs a single number, got shape %s"
                             % (_tag(tag), array.shape))
        summary.value.add(tag=_tag(tag), simple_value=float(array.reshape(())))
    return summary


# -- histograms (TF1's tensorflow/core/lib/histogram) ----------------------------------------------
_BUCKET_LIMITS = None


def default_bucket_limits():
    """TF1's default histogram bucket edges: +-1e-12 growing by 10% up to 1e20, 0, +-DBL_MAX."""
    global _BUCKET_LIMITS
    if _BUCKET_LIMITS is None:
        positive = []
        v = 1.0e-12
        while v < 1.0e20:  # repeated multiplication, as TF1 does, so the edges match bit for bit
            positive.append(v)
            v *= 1.1
        positive.append(sys.float_info.max)
        limits = [-x for x in reversed(positive)] + [0.0] + positive
        _BUCKET_LIMITS = np.array(limits, dtype=np.float64)
        _BUCKET_LIMITS.flags.writeable = False
    return _BUCKET_LIMITS


def histogram_proto(values):
    """A HistogramProto of ``values`` (any shape), with TF1's buckets and statistics.

    Raises ValueError if a value is NaN or infinite (TF1's kernel refuses them too).
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size and not np.isfinite(values).all():
        raise ValueError("Nan" if np.isnan(values).any() else "Infinity")
    limits = default_bucket_limits()
    histo = _summary_pb2().HistogramProto()
    if values.size:
        histo.min = float(values.min())
        histo.max = float(values.max())
    else:
        histo.min, histo.max = float(limits[-1]), -float(limits[-1])
    histo.num = float(values.size)
    histo.sum = float(values.sum())
    histo.sum_squares = float(np.dot(values, values))
    # Bucket i counts values in [limits[i-1], limits[i]) (std::upper_bound in TF1).
    counts = np.bincount(np.searchsorted(limits, values, side="right"),
                         minlength=limits.size)[:limits.size].astype(np.float64)
    # Like TF1's EncodeToProto: each run of empty buckets becomes one entry at its right end.
    empty = counts <= 0
    run_end = empty & np.append(~empty[1:], True)
    keep = ~empty | run_end
    histo.bucket_limit.extend(limits[keep].tolist())
    histo.bucket.extend(counts[keep].tolist())
    return histo


def histogram_pb(tag, values):
    """A Summary with the histogram of ``values`` (what tf.summary.histogram computes)."""
    summary = _summary_pb2().Summary()
    summary.value.add(tag=_tag(tag), histo=histogram_proto(values))
    return summary


# -- images ----------------------------------------------------------------------------------------
# channels -> PNG colour type (gray, gray+alpha, RGB, RGBA)
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}


def encode_png(image):
    """PNG bytes of a ``[height, width, channels]`` uint8 array (1, 3 or 4 channels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width, channels = image.shape
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter byte 0 per row
    rows[:, 1:] = image.reshape(height, width * channels)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def _to_uint8_image(image, bad_color):
    """TF1's NormalizeFloatImage for one [h, w, c] image: non-negative images scale so the
    maximum is 255; others so that the largest magnitude maps to 127 around 128. Pixels with
    a NaN or Inf channel get ``bad_color``."""
    if image.dtype == np.uint8:
        return image
    compute = np.float64 if image.dtype == np.float64 else np.float32
    image = image.astype(compute, copy=False)
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite]
    lo = float(good.min()) if good.size else np.inf
    hi = float(good.max()) if good.size else -np.inf
    if lo < 0:
        biggest = max(abs(lo), abs(hi))
        scale, offset = (0.0 if biggest < 1e-6 else 127.0 / biggest), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * compute(scale) + compute(offset)
    out = np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)  # C++ cast truncates
    out[~finite] = np.asarray(bad_color, dtype=np.uint8)[:image.shape[-1]]
    return out


def image_values(tag, images, max_images=3, bad_color=(255, 0, 0, 255)):
    """Summary.Values for up to ``max_images`` images of a [batch, h, w, c] array, tagged
    ``tag/image/i`` (``tag/image`` when max_images is 1), as TF1's ImageSummary."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError("Tensor must be 4-D with last dim 1, 3, or 4, not %s"
                         % (list(images.shape),))
    if images.dtype not in (np.uint8, np.float16, np.float32, np.float64):
        raise ValueError("images must be uint8 or floating point, got %s" % images.dtype)
    if images.shape[1] * images.shape[2] >= 2 ** 29:
        raise ValueError("Image too large: %s" % (list(images.shape),))
    pb2 = _summary_pb2()
    base = _tag(tag)
    values = []
    for i in range(min(images.shape[0], int(max_images))):
        pixels = _to_uint8_image(images[i], bad_color)
        name = "%s/image" % base if max_images == 1 else "%s/image/%d" % (base, i)
        values.append(pb2.Summary.Value(tag=name, image=pb2.Summary.Image(
            height=pixels.shape[0], width=pixels.shape[1], colorspace=pixels.shape[2],
            encoded_image_string=encode_png(pixels))))
    return values


def image_pb(tag, images, max_outputs=3):
    """A Summary with up to ``max_outputs`` PNG images from a [batch, h, w, c] array."""
    summary = _summary_pb2().Summary()
    summary.value.extend(image_values(tag, images, max_outputs))
    return summary


# -- audio -----------------------------------------------------------------------------------------
def encode_wav(audio, sample_rate):
    """16-bit PCM WAV bytes of a [frames, channels] float array with values in [-1, 1]."""
    samples = np.clip(np.round(np.asarray(audio, dtype=np.float32) * 32768.0), -32768, 32767)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(samples.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(int(round(sample_rate)))
        wav.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def audio_values(tag, audio, sample_rate, max_outputs=3):
    """Summary.Values for up to ``max_outputs`` clips of a [batch, frames] or
    [batch, frames, channels] array, tagged ``tag/audio/i`` (``tag/audio`` when max is 1)."""
    audio = np.asarray(audio)
    if audio.ndim == 2:
        audio = audio[:, :, None]
    if audio.ndim != 3:
        raise ValueError("Tensor must be 3-D or 2-D, got: %s" % (list(audio.shape),))
    sample_rate = float(np.asarray(sample_rate).reshape(()))
    if not sample_rate > 0:
        raise ValueError("sample_rate must be > 0, got %s" % sample_rate)
    pb2 = _summary_pb2()
    base = _tag(tag)
    values = []
    for i in range(min(audio.shape[0], int(max_outputs))):
        name = "%s/audio" % base if max_outputs == 1 else "%s/audio/%d" % (base, i)
        values.append(pb2.Summary.Value(tag=name, audio=pb2.Summary.Audio(
            sample_rate=sample_rate, num_channels=audio.shape[2], length_frames=audio.shape[1],
            encoded_audio_string=encode_wav(audio[i], sample_rate), content_type="audio/wav")))
    return values


def audio_pb(tag, audio, sample_rate, max_outputs=3):
    """A Summary with up to ``max_outputs`` WAV clips."""
    summary = _summary_pb2().Summary()
    summary.value.extend(audio_values(tag, audio, sample_rate, max_outputs))
    return summary


# -- tensors and text ------------------------------------------------------------------------------
_DATA_TYPES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE",
               "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32", "int64": "DT_INT64",
               "uint8": "DT_UINT8", "uint16": "DT_UINT16", "uint32": "DT_UINT32",
               "uint64": "DT_UINT64", "bool": "DT_BOOL", "string": "DT_STRING",
               "complex64": "DT_COMPLEX64", "complex128": "DT_COMPLEX128"}


def data_type_enum(dtype_name):
    """The DataType enum value of a tfone dtype name ('float32' -> DT_FLOAT)."""
    try:
        return proto("types_pb2").DataType.Value(_DATA_TYPES[dtype_name])
    except KeyError:
        raise ValueError("dtype %s has no TensorFlow DataType" % dtype_name) from None


def shape_proto(dims):
    """A TensorShapeProto of ``dims``: a tuple (None = unknown size), or None (unknown rank)."""
    pb2 = proto("tensor_shape_pb2")
    if dims is None:
        return pb2.TensorShapeProto(unknown_rank=True)
    return pb2.TensorShapeProto(dim=[pb2.TensorShapeProto.Dim(size=-1 if d is None else int(d))
                                     for d in dims])


def tensor_proto(value):
    """A TensorProto of a numpy value: raw little-endian bytes for numbers, string_val for text."""
    array = np.asarray(value)
    tensor = proto("tensor_pb2").TensorProto(tensor_shape=shape_proto(array.shape))
    if array.dtype.kind in "OSU":
        tensor.dtype = data_type_enum("string")
        tensor.string_val.extend(
            x if isinstance(x, bytes) else str(x).encode("utf-8") for x in array.reshape(-1))
        return tensor
    tensor.dtype = data_type_enum(array.dtype.name)
    little_endian = array.dtype.newbyteorder("<")
    tensor.tensor_content = np.ascontiguousarray(array, dtype=little_endian).tobytes()
    return tensor


def text_metadata():
    """SummaryMetadata marking a tensor summary as text (TensorBoard's text plugin)."""
    pb2 = _summary_pb2()
    return pb2.SummaryMetadata(plugin_data=pb2.SummaryMetadata.PluginData(plugin_name="text"))


def text_pb(tag, text):
    """A Summary showing ``text`` (a string or an array of strings) in TensorBoard's text tab."""
    array = np.asarray(text, dtype=object)
    summary = _summary_pb2().Summary()
    summary.value.add(tag=_tag(tag), metadata=text_metadata(), tensor=tensor_proto(array))
    return summary
