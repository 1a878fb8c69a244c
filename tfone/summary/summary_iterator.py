"""``tf.train.summary_iterator``: read the events of an event file back (TF1 API).

    for event in tf.train.summary_iterator(path):
        for value in event.summary.value:
            print(event.step, value.tag, value.simple_value)

Event files are TFRecord files: each record is a little-endian uint64 length, the masked
CRC-32C of those 8 bytes, the payload (a serialized ``Event``) and the payload's masked
CRC-32C. Both checksums are verified, as TF1 does.
"""
import struct

from tfone import errors
from tfone.summary._tensorboard import proto, require

__all__ = ["summary_iterator"]


def _records(path):
    crc_module = require("tensorboard.compat.tensorflow_stub.pywrap_tensorflow",
                         "Reading event files")
    masked_crc32c = crc_module.masked_crc32c
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, "summary_iterator: %s: no such file" % path) \
            from None
    with f:
        offset = 0
        while True:
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise errors.DataLossError(None, None, "truncated record at %d in %s"
                                           % (offset, path))
            length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
            if masked_crc32c(length_bytes) != length_crc:
                raise errors.DataLossError(None, None, "corrupted record at %d in %s (length "
                                           "checksum mismatch)" % (offset, path))
            length = struct.unpack("<Q", length_bytes)[0]
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise errors.DataLossError(None, None, "truncated record at %d in %s"
                                           % (offset, path))
            if masked_crc32c(data) != struct.unpack("<I", footer)[0]:
                raise errors.DataLossError(None, None, "corrupted record at %d in %s (data "
                                           "checksum mismatch)" % (offset, path))
            offset += 16 + length
            yield data


def summary_iterator(path):
    """Yield the ``tf.Event`` protocol buffers of the event file ``path``, in order.

    The first event of a file written by ``FileWriter`` carries only ``file_version``; the
    graph and summaries follow. Raises ``tf.errors.NotFoundError`` for a missing file and
    ``tf.errors.DataLossError`` for a truncated or corrupted one.
    """
    Event = proto("event_pb2").Event
    for record in _records(path):
        yield Event.FromString(record)
