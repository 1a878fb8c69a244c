"""``tf.summary``: summary ops and the FileWriter that logs them for TensorBoard (TF1 API).

    tf.summary.scalar('loss', loss)
    tf.summary.histogram('weights', W)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter('logs', sess.graph)   # the Graphs tab
    ...
    writer.add_summary(sess.run(merged, feed), step)     # the Scalars/Histograms tabs
    writer.close()

then ``tensorboard --logdir logs``. Needs the optional ``tensorboard`` package
(``pip install tfone[tensorboard]``), imported only when summaries are computed or written.
``tf.summary.Summary``, ``Event``, ``SessionLog``, ``SummaryDescription`` and
``TaggedRunMetadata`` are tensorboard's protobuf classes. ``tfone.summary.encode`` builds
Summary protos from numpy values without a graph (for callbacks that log Python numbers).
"""
from tfone.summary.summary_ops import (  # noqa: F401
    scalar, histogram, image, audio, text, tensor_summary, merge, merge_all)
from tfone.summary.writer import FileWriter, FileWriterCache  # noqa: F401
from tfone.summary import encode  # noqa: F401

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all", "FileWriter", "FileWriterCache", "Summary", "Event", "SessionLog",
           "SummaryDescription", "TaggedRunMetadata"]

_PROTOS = {"Summary": "summary_pb2", "SummaryDescription": "summary_pb2",
           "Event": "event_pb2", "SessionLog": "event_pb2", "TaggedRunMetadata": "event_pb2"}


def __getattr__(name):
    # The protobuf classes come from tensorboard, imported on first use only.
    module = _PROTOS.get(name)
    if module is None:
        raise AttributeError("module 'tfone.summary' has no attribute %r" % name)
    from tfone.summary._tensorboard import proto
    return getattr(proto(module), name)

