"""Summary ops (``tf.summary.scalar``, ``histogram``, ``image``, ``audio``, ``text``,
``tensor_summary``, ``merge``, ``merge_all``), as in TF1.

Each op outputs a serialized ``Summary`` protocol buffer (a string scalar) when run; hand it to
``tf.summary.FileWriter.add_summary`` to log it::

    tf.summary.scalar('loss', loss)                 # op 'loss', tag 'loss'
    merged = tf.summary.merge_all()
    ...
    summary, _ = sess.run([merged, train_op], feed)
    writer.add_summary(summary, step)

Names follow TF1: the op is named after the tag inside its own name scope, and the tag is the
scope name, so it is unique and carries enclosing name scopes (``layer1/weights``). The ops
are added to the ``tf.GraphKeys.SUMMARIES`` collection that ``merge_all`` reads.
"""
import re

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from tfone.framework.op_registry import OpDef, register_op, apply_op, convert_to_tensor, \
    NOT_DIFFERENTIABLE
from tfone.summary import encode
from tfone.summary._tensorboard import proto

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all"]


def _serialized(summary):
    return np.array(summary.SerializeToString(), dtype=object)


def _summary_of(make_values, *args):
    """A serialized Summary of the values ``make_values(*args)`` builds; its ValueErrors (bad
    run-time values) become InvalidArgumentError, as TF1's kernels report them."""
    try:
        values = make_values(*args)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None
    summary = proto("summary_pb2").Summary()
    summary.value.extend(values)
    return _serialized(summary)


def _tag_value(tags):
    value = np.asarray(tags, dtype=object)
    if value.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "tag must be a scalar string, got shape %s"
                                          % (list(value.shape),))
    value = value[()]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _check_tag_input(tag):
    if tag.dtype != dtypes.string:
        raise TypeError("The tag of a summary must be a string, got %s" % tag.dtype.name)


class _SummaryOp(OpDef):
    """Base of summary ops: a string scalar output, no gradient, imports tensorboard to run."""
    gradient = NOT_DIFFERENTIABLE

    def make_kernel(self, op, ctx):
        proto("summary_pb2")  # fail early, with the install hint, if tensorboard is missing
        return self.summary_kernel(op, **op._attrs)


@register_op("ScalarSummary")
class ScalarSummary(_SummaryOp):
    """Serialized Summary with one scalar per tag (tags and values have the same shape)."""
    inputs = ("tags", "values")
    label = "scalar_summary"

    def infer(self, tags, values):
        _check_tag_input(tags)
        if not (values.dtype.is_integer or values.dtype.is_floating):
            raise TypeError("Value passed to parameter 'values' has DataType %s not in list of "
                            "allowed values: real numbers (float and int types)"
                            % values.dtype.name)
        if (tags.shape.is_fully_defined() and values.shape.is_fully_defined() and
                tags.shape.as_list() != values.shape.as_list()):
            raise ValueError("tags and values not the same shape: %s != %s. A scalar summary "
                             "takes one number per tag; summarize a tensor with tf.reduce_mean "
                             "first, or use tf.summary.histogram." % (tags.shape, values.shape))
        return dtypes.string, []

    def summary_kernel(self, op):
        def kernel(tags, values):
            tags, values = np.asarray(tags, dtype=object), np.asarray(values)
            if tags.shape != values.shape:
                single = " (tag '%s')" % _tag_value(tags) if tags.ndim == 0 else ""
                raise errors.InvalidArgumentError(
                    None, None, "tags and values not the same shape: %s != %s%s"
                    % (list(tags.shape), list(values.shape), single))
            return _serialized(encode.scalars_pb(dict(zip(
                [_tag_value(t) for t in tags.reshape(-1)], values.reshape(-1)))))
        return kernel


@register_op("HistogramSummary")
class HistogramSummary(_SummaryOp):
    """Serialized Summary with a histogram of ``values`` (TF1's buckets)."""
    inputs = ("tag", "values")
    label = "histogram_summary"

    def infer(self, tag, values):
        _check_tag_input(tag)
        if not (values.dtype.is_integer or values.dtype.is_floating):
            raise TypeError("Value passed to parameter 'values' has DataType %s not in list of "
                            "allowed values: real numbers" % values.dtype.name)
        return dtypes.string, []

    def summary_kernel(self, op):
        name = op.name

        def kernel(tag, values):
            try:
                histo = encode.histogram_proto(values)
            except ValueError as e:
                raise errors.InvalidArgumentError(
                    None, None, "%s in summary histogram for: %s" % (e, name)) from None
            summary = proto("summary_pb2").Summary()
            summary.value.add(tag=_tag_value(tag), histo=histo)
            return _serialized(summary)
        return kernel


@register_op("ImageSummary")
class ImageSummary(_SummaryOp):
    """Serialized Summary with up to ``max_images`` PNG images of a [batch, h, w, c] tensor."""
    inputs = ("tag", "tensor")
    attrs = {"max_images": 3, "bad_color": (255, 0, 0, 255)}
    label = "image_summary"

    def infer(self, tag, tensor, max_images, bad_color):
        _check_tag_input(tag)
        if tensor.dtype not in (dtypes.uint8, dtypes.float16, dtypes.float32, dtypes.float64):
            raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of "
                            "allowed values: uint8, float32, float16, float64" % tensor.dtype.name)
        dims = tensor.shape.as_tuple()
        if dims is not None and (len(dims) != 4 or dims[-1] not in (None, 1, 3, 4)):
            raise ValueError("Tensor must be 4-D with last dim 1, 3, or 4, not %s (images are "
                             "[batch, height, width, channels])" % tensor.shape)
        if max_images < 1:
            raise ValueError("max_images must be >= 1, got %d" % max_images)
        return dtypes.string, []

    def summary_kernel(self, op, max_images, bad_color):
        def kernel(tag, tensor):
            return _summary_of(encode.image_values, _tag_value(tag), tensor, max_images,
                               bad_color)
        return kernel


@register_op("AudioSummaryV2")
class AudioSummaryV2(_SummaryOp):
    """Serialized Summary with up to ``max_outputs`` WAV clips of a [batch, frames(, ch)] tensor."""
    inputs = ("tag", "tensor:float32", "sample_rate:float32")
    attrs = {"max_outputs": 3}
    label = "audio_summary"

    def infer(self, tag, tensor, sample_rate, max_outputs):
        _check_tag_input(tag)
        if tensor.shape.ndims not in (None, 2, 3):
            raise ValueError("Tensor must be 3-D or 2-D ([batch, frames] or [batch, frames, "
                             "channels]), got shape %s" % tensor.shape)
        if sample_rate.shape.ndims not in (None, 0):
            raise ValueError("sample_rate must be a scalar, got shape %s" % sample_rate.shape)
        if max_outputs < 1:
            raise ValueError("max_outputs must be >= 1, got %d" % max_outputs)
        return dtypes.string, []

    def summary_kernel(self, op, max_outputs):
        def kernel(tag, tensor, sample_rate):
            return _summary_of(encode.audio_values, _tag_value(tag), tensor, sample_rate,
                               max_outputs)
        return kernel


@register_op("TensorSummaryV2")
class TensorSummaryV2(_SummaryOp):
    """Serialized Summary holding a whole tensor plus plugin metadata (e.g. text)."""
    inputs = ("tag", "tensor", "serialized_summary_metadata")
    label = "tensor_summary"

    def infer(self, tag, tensor, serialized_summary_metadata):
        _check_tag_input(tag)
        if serialized_summary_metadata.dtype != dtypes.string:
            raise TypeError("serialized_summary_metadata must be a string")
        return dtypes.string, []

    def summary_kernel(self, op):
        def kernel(tag, tensor, serialized_summary_metadata):
            pb2 = proto("summary_pb2")
            metadata = pb2.SummaryMetadata.FromString(
                np.asarray(serialized_summary_metadata, dtype=object)[()])
            summary = pb2.Summary()
            summary.value.add(tag=_tag_value(tag), metadata=metadata,
                              tensor=encode.tensor_proto(tensor))
            return _serialized(summary)
        return kernel


@register_op("MergeSummary")
class MergeSummary(_SummaryOp):
    """Serialized Summary with the values of all its input summaries (tags must be unique)."""
    inputs = ("*inputs:string",)
    label = "merge_summary"

    def infer(self, inputs):
        return dtypes.string, []

    def summary_kernel(self, op):
        def kernel(inputs):
            pb2 = proto("summary_pb2")
            merged = pb2.Summary()
            tags = set()
            for value in inputs:
                for serialized in np.asarray(value, dtype=object).reshape(-1):
                    try:
                        part = pb2.Summary.FromString(serialized)
                    except Exception:
                        raise errors.InvalidArgumentError(
                            None, None, "Could not parse one of the summary inputs") from None
                    for v in part.value:
                        if v.tag and v.tag in tags:
                            raise errors.InvalidArgumentError(
                                None, None, "Duplicate tag %s found in summary inputs" % v.tag)
                        tags.add(v.tag)
                    merged.value.extend(part.value)
            return _serialized(merged)
        return kernel


# -- TF1's Python API ------------------------------------------------------------------------------
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def _clean_tag(name):
    """Replace characters TensorBoard does not allow in tags by '_' (TF1's clean_tag)."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


class _SummaryScope:
    """TF1's summary_scope: a name scope named after the tag; yields (tag, scope)."""

    def __init__(self, name, family, values):
        self._name, self._family = _clean_tag(name), _clean_tag(family)
        base = self._name if self._family is None else "%s/%s" % (self._family, self._name)
        self._scope = name_scope(base, None, values)

    def __enter__(self):
        scope = self._scope.__enter__()
        tag = scope.rstrip("/")
        if self._family is not None:
            tag = "%s/%s" % (self._family, tag)  # shows in TensorBoard under the family's tab
        return tag, scope

    def __exit__(self, *exc):
        return self._scope.__exit__(*exc)


def _collect(value, collections, default):
    for key in (default if collections is None else collections):
        add_to_collection(key, value)


def scalar(name, tensor, collections=None, family=None):
    """A summary op with one scalar value (e.g. the loss): TF1's ``tf.summary.scalar``."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = apply_op("ScalarSummary", [tag, tensor], name=scope)
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def histogram(name, values, collections=None, family=None):
    """A summary op with a histogram of ``values`` (e.g. weights): ``tf.summary.histogram``."""
    with _SummaryScope(name, family, [values]) as (tag, scope):
        value = apply_op("HistogramSummary", [tag, values], name=scope)
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """A summary op with up to ``max_outputs`` images of a [batch, h, w, c] tensor (c = 1, 3 or
    4). Floats are rescaled per image to 0..255 as in TF1; uint8 is used as is."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = apply_op("ImageSummary", [tag, tensor], {"max_images": int(max_outputs)},
                         name=scope)
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """A summary op with up to ``max_outputs`` audio clips of a [batch, frames] or [batch,
    frames, channels] float tensor in [-1, 1]."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        sample_rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        value = apply_op("AudioSummaryV2", [tag, tensor, sample_rate],
                         {"max_outputs": int(max_outputs)}, name=scope)
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """A summary op holding a whole tensor (TF1's ``tf.summary.tensor_summary``)."""
    pb2 = proto("summary_pb2")
    if summary_metadata is None:
        summary_metadata = pb2.SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        value = apply_op("TensorSummaryV2", [tag, tensor, serialized], name=scope)
        _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def text(name, tensor, collections=None):
    """A summary op showing a string tensor in TensorBoard's Text tab (``tf.summary.text``)."""
    tensor = convert_to_tensor(tensor)
    if tensor.dtype != dtypes.string:
        raise ValueError("Expected tensor %s to have dtype string, got %s"
                         % (tensor.name, tensor.dtype))
    return tensor_summary(name=name, tensor=tensor, summary_metadata=encode.text_metadata(),
                          collections=collections)


def merge(inputs, collections=None, name=None):
    """One summary op combining the summaries ``inputs`` (``tf.summary.merge``)."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("tf.summary.merge needs at least one summary to merge")
    name = _clean_tag(name)
    with name_scope(name, "Merge", inputs):
        value = apply_op("MergeSummary", [inputs], name=name)
        _collect(value, collections, [])
    return value


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merge every summary in collection ``key`` (optionally filtered by ``scope``); None if
    there is none (``tf.summary.merge_all``)."""
    summaries = get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)
