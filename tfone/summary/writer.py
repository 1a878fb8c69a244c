"""``tf.summary.FileWriter``: writes summaries, the graph and run metadata to TensorBoard
event files, using tensorboard's own ``EventFileWriter`` (record framing, CRCs, async flush).

The graph is written as a real ``GraphDef``: every node with its name, op type, inputs
(``^name`` for control inputs), device and attributes, including the dtype attrs (``T``) and
``_output_shapes``, so TensorBoard's Graphs tab shows the ops, the name scopes as collapsible
groups and the tensor shapes on the edges. Run metadata from a traced ``Session.run`` becomes
a ``RunMetadata`` proto, which colours that graph by compute time and memory.
"""
import atexit
import threading
import time

import numpy as np

from tfone.framework import dtypes
from tfone.framework import graph as _graph
from tfone.framework import graph_io
from tfone.framework.tensor_shape import TensorShape
from tfone.summary import encode
from tfone.summary._tensorboard import proto, require

__all__ = ["FileWriter", "FileWriterCache", "graph_def_proto", "run_metadata_proto"]

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"

_open_writers = set()  # closed at exit; a writer left open also keeps its file and thread


@atexit.register
def _close_open_writers():
    # Events wait in a background queue; a script that forgets writer.close() still gets them.
    for writer in list(_open_writers):
        writer.close()


# -- graphs ---------------------------------------------------------------------------------------
def _input_name(tensor):
    """NodeDef input syntax: 'op' for output 0, 'op:i' otherwise."""
    op_name = tensor.op.name
    return op_name if tensor.value_index == 0 else "%s:%d" % (op_name, tensor.value_index)


def _attr_value(value, attr_pb2):
    """An AttrValue for a Python attr value, or None for values TensorFlow has no attr for."""
    AttrValue = attr_pb2.AttrValue
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return AttrValue(b=bool(value))
    if isinstance(value, (int, np.integer)):
        return AttrValue(i=int(value))
    if isinstance(value, (float, np.floating)):
        return AttrValue(f=float(value))
    if isinstance(value, str):
        return AttrValue(s=value.encode("utf-8"))
    if isinstance(value, bytes):
        return AttrValue(s=value)
    if isinstance(value, dtypes.DType):
        return AttrValue(type=encode.data_type_enum(value.name))
    if isinstance(value, TensorShape):
        return AttrValue(shape=encode.shape_proto(value.as_tuple()))
    if isinstance(value, np.ndarray):
        try:
            return AttrValue(tensor=encode.tensor_proto(value))
        except ValueError:
            return AttrValue(s=repr(value).encode("utf-8"))
    if isinstance(value, (list, tuple)):
        items = list(value)
        ListValue = AttrValue.ListValue
        if all(isinstance(v, (bool, np.bool_)) for v in items):
            return AttrValue(list=ListValue(b=[bool(v) for v in items]))
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            return AttrValue(list=ListValue(i=[int(v) for v in items]))
        if all(isinstance(v, (int, float, np.integer, np.floating)) for v in items):
            return AttrValue(list=ListValue(f=[float(v) for v in items]))
        if all(isinstance(v, (str, bytes)) for v in items):
            return AttrValue(list=ListValue(s=[v if isinstance(v, bytes) else v.encode("utf-8")
                                               for v in items]))
        if all(isinstance(v, dtypes.DType) for v in items):
            return AttrValue(list=ListValue(type=[encode.data_type_enum(v.name) for v in items]))
        if all(isinstance(v, TensorShape) for v in items):
            return AttrValue(list=ListValue(shape=[encode.shape_proto(v.as_tuple())
                                                   for v in items]))
    # Anything else (e.g. a Python callable held by an op): shown as text in TensorBoard.
    return AttrValue(s=repr(value).encode("utf-8"))


def _type_attrs(op):
    """TF's type attrs (``T`` and friends): the dtype shared by the inputs tagged with it."""
    opdef = op._opdef
    if opdef is None:
        return {}
    specs = opdef._input_specs
    inputs = op._inputs
    n_var = len(inputs) - (len(specs) - 1)
    found, i = {}, 0
    for spec in specs:
        count = n_var if spec.variadic else 1
        group = inputs[i:i + count]
        i += count
        if spec.typevar and group and spec.typevar not in found:
            found[spec.typevar] = group[0].dtype
        if spec.variadic and "N" not in found:
            found["N"] = count
    return found


def graph_def_proto(graph=None, add_shapes=True):
    """A ``GraphDef`` protocol buffer of a tfone Graph (default: the default graph).

    With ``add_shapes`` every node gets TF's ``_output_shapes`` attr, which TensorBoard draws
    on the edges.
    """
    graph = _graph.get_default_graph() if graph is None else graph
    graph_pb2, attr_pb2 = proto("graph_pb2"), proto("attr_value_pb2")
    graph_def = graph_pb2.GraphDef()
    for op in graph.get_operations():
        node = graph_def.node.add(name=op.name, op=op.type)
        node.input.extend(_input_name(t) for t in op.inputs)
        node.input.extend("^" + c.name for c in op.control_inputs)
        if op.device:
            node.device = op.device
        attrs = dict(_type_attrs(op))
        attrs.update(op.attrs)
        for key, value in attrs.items():
            attr = _attr_value(value, attr_pb2)
            if attr is not None:
                node.attr[key].CopyFrom(attr)
        if add_shapes:
            node.attr["_output_shapes"].CopyFrom(attr_pb2.AttrValue(
                list=attr_pb2.AttrValue.ListValue(
                    shape=[encode.shape_proto(t.shape.as_tuple()) for t in op.outputs])))
    return graph_def


# -- run metadata ----------------------------------------------------------------------------------
def run_metadata_proto(run_metadata, graph=None):
    """A ``RunMetadata`` proto (step stats per op: time, memory, output shapes) of a
    ``tf.RunMetadata`` filled by a traced ``Session.run``. Protos pass through unchanged."""
    if hasattr(run_metadata, "SerializeToString"):
        return run_metadata
    config_pb2 = proto("config_pb2")
    description_pb2 = proto("tensor_description_pb2")
    allocation_pb2 = proto("allocation_description_pb2")
    graph = _graph.get_default_graph() if graph is None else graph
    result = config_pb2.RunMetadata()
    device = result.step_stats.dev_stats.add(device=DEVICE)
    to_epoch = time.time() - time.perf_counter()  # step stats hold perf_counter times
    for stat in run_metadata.step_stats:
        start_ns = int((stat.start_s + to_epoch) * 1e9)
        elapsed_ns = int(round(stat.elapsed_s * 1e9))
        node = device.node_stats.add(
            node_name=stat.op_name, timeline_label="%s = %s()" % (stat.op_name, stat.op_type),
            all_start_micros=start_ns // 1000, op_start_rel_micros=0,
            op_end_rel_micros=elapsed_ns // 1000, all_end_rel_micros=elapsed_ns // 1000,
            all_start_nanos=start_ns, op_start_rel_nanos=0, op_end_rel_nanos=elapsed_ns,
            all_end_rel_nanos=elapsed_ns)
        node.memory.add(allocator_name="cpu", total_bytes=int(stat.output_bytes),
                        peak_bytes=int(stat.output_bytes))
        try:
            outputs = graph.get_operation_by_name(stat.op_name).outputs
        except (KeyError, ValueError):
            outputs = []
        for slot, shape in enumerate(stat.output_shapes):
            if shape is None:
                continue
            description = description_pb2.TensorDescription(shape=encode.shape_proto(shape))
            if slot < len(outputs):
                dtype = outputs[slot].dtype
                description.dtype = encode.data_type_enum(dtype.name)
                nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.size
                description.allocation_description.CopyFrom(
                    allocation_pb2.AllocationDescription(requested_bytes=nbytes,
                                                         allocated_bytes=nbytes,
                                                         allocator_name="cpu"))
            node.output.add(slot=slot, tensor_description=description)
    return result


# -- the writer ------------------------------------------------------------------------------------
class FileWriter:
    """TF1's ``tf.summary.FileWriter``: appends events to a new event file in ``logdir``.

    ``FileWriter(logdir, sess.graph)`` writes the graph at once; ``add_summary(s, step)``
    logs the result of a summary op. Events are written by a background thread every
    ``flush_secs`` seconds or when ``max_queue`` are pending; ``flush()``/``close()`` write
    them now. Use it as a context manager to close it automatically. Unlike TF1 it does not
    write a MetaGraphDef (TensorBoard only needs the GraphDef).
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        if session is not None:
            raise ValueError("FileWriter(session=...) is TF2's summary writer API, which tfone "
                             "does not provide; pass the graph instead: "
                             "FileWriter(logdir, sess.graph).")
        self._logdir = str(logdir)
        self._max_queue, self._flush_secs = max_queue, flush_secs
        self._filename_suffix = filename_suffix or ""
        self._event_pb2 = proto("event_pb2")
        self._summary_pb2 = proto("summary_pb2")
        self._writer = self._open()
        self._closed = False
        _open_writers.add(self)
        self._seen_summary_tags = set()
        self._graph = graph if isinstance(graph, _graph.Graph) else None
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def _open(self):
        module = require("tensorboard.summary.writer.event_file_writer")
        return module.EventFileWriter(self._logdir, self._max_queue, self._flush_secs,
                                      self._filename_suffix)

    def get_logdir(self):
        """The directory the event file is written to."""
        return self._logdir

    @property
    def event_file(self):
        """The path of the event file being written."""
        return self._writer._file_name

    def add_event(self, event):
        """Write an ``Event`` protocol buffer."""
        if self._closed:
            raise RuntimeError("This FileWriter (logdir %r) is closed; call reopen() to write "
                               "to a new event file." % self._logdir)
        self._writer.add_event(event)

    def _add(self, global_step=None, **fields):
        event = self._event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary, global_step=None):
        """Log a summary: the bytes a summary op returned (``sess.run(merged)``) or a
        ``tf.Summary`` protocol buffer, at step ``global_step``."""
        summary = self._as_summary(summary)
        for value in summary.value:
            # As TF1: plugin metadata is written with the first value of each tag only.
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add(global_step, summary=summary)

    def _as_summary(self, summary):
        Summary = self._summary_pb2.Summary
        if isinstance(summary, Summary):
            copy = Summary()
            copy.CopyFrom(summary)
            return copy
        if isinstance(summary, np.ndarray) and summary.dtype == object and summary.ndim == 0:
            summary = summary[()]
        if isinstance(summary, (bytes, np.bytes_)):
            try:
                return Summary.FromString(bytes(summary))
            except Exception:
                raise ValueError("add_summary got bytes that are not a serialized Summary "
                                 "(fetch the output of a tf.summary op).") from None
        if hasattr(summary, "SerializeToString") and type(summary).__name__ == "Summary":
            return Summary.FromString(summary.SerializeToString())  # e.g. another proto module
        raise TypeError("add_summary expects the value of a summary op (bytes) or a tf.Summary "
                        "protocol buffer, got %s. Did you pass the op instead of running it? "
                        "Use writer.add_summary(sess.run(summary_op), step)."
                        % type(summary).__name__)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Write a graph for TensorBoard's Graphs tab: a tf.Graph, tfone's GraphDef
        (``sess.graph_def``) or a TensorFlow GraphDef protocol buffer."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        source = graph if graph is not None else graph_def
        if source is None:
            raise ValueError("You must pass at least one of graph or graph_def.")
        if isinstance(source, graph_io.GraphDef):
            # tfone's own (JSON) GraphDef, e.g. sess.graph_def: rebuild it, then convert.
            rebuilt = _graph.Graph()
            with rebuilt.as_default():
                graph_io.import_graph_def(source, name="")
            source = rebuilt
        if isinstance(source, _graph.Graph):
            self._graph = source
            source = graph_def_proto(source, add_shapes=True)
        elif not hasattr(source, "SerializeToString"):
            raise TypeError("add_graph expects a tf.Graph or a GraphDef protocol buffer, got %s"
                            % type(source).__name__)
        self._add(global_step, graph_def=source.SerializeToString())

    def add_session_log(self, session_log, global_step=None):
        """Write a ``tf.SessionLog`` (e.g. START after a restart, so TensorBoard drops stale
        events)."""
        self._add(global_step, session_log=session_log)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Write the per-op times, memory and shapes of a traced run under ``tag`` (pick it in
        TensorBoard's Graphs tab to colour the graph by compute time or memory)."""
        metadata = run_metadata_proto(run_metadata, self._graph)
        tagged = self._event_pb2.TaggedRunMetadata(tag=tag,
                                                   run_metadata=metadata.SerializeToString())
        self._add(global_step, tagged_run_metadata=tagged)

    def flush(self):
        """Write all pending events to disk now."""
        if not self._closed:
            self._writer.flush()

    def close(self):
        """Flush and close the event file (further writes raise until ``reopen()``)."""
        if not self._closed:
            self._writer.close()
            self._closed = True
            _open_writers.discard(self)

    def reopen(self):
        """After ``close()``: continue writing, to a new event file in the same directory."""
        if self._closed:
            self._writer = self._open()
            self._closed = False
            _open_writers.add(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<tf.summary.FileWriter %r%s>" % (self._logdir, " (closed)" if self._closed else "")


class FileWriterCache:
    """One shared FileWriter per log directory (TF1's ``tf.summary.FileWriterCache``)."""

    _cache = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir):
        """The FileWriter for ``logdir``, created (with the default graph) on first use."""
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                writer = FileWriter(logdir, graph=_graph.get_default_graph())
                FileWriterCache._cache[logdir] = writer
            return writer

    @staticmethod
    def clear():
        """Close and forget every cached FileWriter."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache = {}
