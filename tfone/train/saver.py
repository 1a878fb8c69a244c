"""Checkpoints: ``tf.train.Saver``, the ``checkpoint`` state file, and meta graphs.

Checkpoint format
-----------------
``saver.save(sess, "ckpt/model.ckpt", global_step=100)`` writes, for the prefix
``ckpt/model.ckpt-100``:

``model.ckpt-100.npz``
    the values: a standard numpy ``.npz`` archive (a zip of ``.npy`` files), one entry per
    variable, keyed by its checkpoint name (the variable's op name, e.g. ``W`` or
    ``W/Adam``). ``np.load("model.ckpt-100.npz")["W"]`` reads one by hand. It never holds
    pickled objects and is always read with ``allow_pickle=False``. String variables are
    stored as fixed-width bytes (trailing NUL bytes of an item are not preserved).
``model.ckpt-100.index.json``
    a description for people and tools: format name and version, tfone version, and each
    variable's dtype and shape. Restoring reads only the ``.npz``, which describes itself.
``model.ckpt-100.meta``
    the meta graph (``write_meta_graph=True``): the graph as tfone JSON (see
    :mod:`tfone.framework.graph_io`) plus this Saver's description, for
    ``tf.train.import_meta_graph``.
``checkpoint``
    TF1's text index of the directory::

        model_checkpoint_path: "model.ckpt-100"
        all_model_checkpoint_paths: "model.ckpt-90"
        all_model_checkpoint_paths: "model.ckpt-100"

Every file is written to a temporary file in the same directory, flushed to disk, then
renamed over the final name (``os.replace``), data first and the ``checkpoint`` index last:
a crash in the middle of a save leaves the previous checkpoint complete and still listed.

Values go in and out of the session through graph ops only: saving fetches the variables
(``sess.run``), restoring feeds placeholders into ``Assign`` ops that the Saver adds to the
graph when it is built (``save/Assign``, ..., grouped as ``save/restore_all``).
"""
import json
import logging
import numbers
import os
import re
import tempfile
import time
import zipfile

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework import graph_io
from tfone.framework.graph import GraphKeys, Tensor, get_default_graph
from tfone.ops import array_ops, control_flow_ops, state_ops
from tfone.ops.variables import Variable

__all__ = ["Saver", "latest_checkpoint", "get_checkpoint_state", "update_checkpoint_state",
           "checkpoint_exists", "get_checkpoint_mtimes", "remove_checkpoint", "CheckpointState",
           "list_variables", "load_variable", "load_checkpoint", "NewCheckpointReader",
           "CheckpointReader", "export_meta_graph", "import_meta_graph"]

CHECKPOINT_FORMAT = "tfone.checkpoint"
CHECKPOINT_VERSION = 1
META_GRAPH_FORMAT = "tfone.MetaGraphDef"
DATA_SUFFIX = ".npz"
INDEX_SUFFIX = ".index.json"

_logger = logging.getLogger("tfone")


# -- writing and reading checkpoint files ----------------------------------------------------------
def _temp_path(path):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".tmp")
    os.close(fd)
    return tmp


def _write_npz(path, arrays):
    """A .npz archive (what ``np.savez`` writes), with entry names free of savez's argument
    names, flushed to disk."""
    with open(path, "wb") as raw:
        with zipfile.ZipFile(raw, mode="w", compression=zipfile.ZIP_STORED,
                             allowZip64=True) as archive:
            for name, array in arrays.items():
                with archive.open(name + ".npy", "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)
        raw.flush()
        os.fsync(raw.fileno())


def _write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _to_storable(name, value, dtype):
    if dtype == dtypes.string:
        items = [x if isinstance(x, bytes) else str(x).encode("utf-8")
                 for x in np.asarray(value, dtype=object).reshape(-1)]
        width = max([len(x) for x in items] + [1])
        return np.array(items, dtype="S%d" % width).reshape(np.shape(value))
    return np.asarray(value, order="C")   # (np.ascontiguousarray would make scalars 1-D)


def _write_checkpoint(prefix, names, values, var_dtypes):
    """Write ``<prefix>.npz`` and ``<prefix>.index.json`` atomically (temp files, then rename)."""
    from tfone import __version__
    data_path, index_path = prefix + DATA_SUFFIX, prefix + INDEX_SUFFIX
    arrays = {n: _to_storable(n, v, d) for n, v, d in zip(names, values, var_dtypes)}
    index = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
             "tfone_version": __version__, "data_file": os.path.basename(data_path),
             "variables": {n: {"dtype": d.name, "shape": list(np.shape(v))}
                           for n, v, d in zip(names, values, var_dtypes)}}
    temps = []
    try:
        data_tmp = _temp_path(data_path)
        temps.append(data_tmp)
        _write_npz(data_tmp, arrays)
        index_tmp = _temp_path(index_path)
        temps.append(index_tmp)
        _write_bytes(index_tmp, json.dumps(index, indent=1).encode("utf-8"))
        os.replace(data_tmp, data_path)
        temps.remove(data_tmp)
        os.replace(index_tmp, index_path)
        temps.remove(index_tmp)
    finally:
        for tmp in temps:
            try:
                os.remove(tmp)
            except OSError:
                pass


def _data_loss(path, problem):
    return errors.DataLossError(
        None, None, "Unable to read checkpoint %s: %s. The file is truncated or corrupt (or "
        "not a tfone checkpoint); restore from another checkpoint." % (path, problem))


class CheckpointReader:
    """Read-only access to the tensors of a checkpoint (TF1's ``NewCheckpointReader``)."""

    def __init__(self, prefix):
        self._prefix = prefix
        self._path = prefix + DATA_SUFFIX
        if not os.path.exists(self._path):
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: "
                                       "Failed to find any matching files for %s (expected %s)"
                                       % (prefix, self._path))
        self._header_cache = None

    def _headers(self):
        """{name: (shape, numpy dtype)} from the .npy headers, without reading the data."""
        if self._header_cache is None:
            headers = {}
            try:
                with zipfile.ZipFile(self._path) as archive:
                    for member in archive.namelist():
                        if not member.endswith(".npy"):
                            continue
                        with archive.open(member) as f:
                            version = np.lib.format.read_magic(f)
                            if version == (1, 0):
                                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                            else:
                                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
                        headers[member[:-4]] = (tuple(shape), dtype)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
                raise _data_loss(self._path, "%s: %s" % (type(e).__name__, e)) from None
            self._header_cache = headers
        return self._header_cache

    def read_all(self, names):
        """{name: array} for ``names`` present in the checkpoint (DataLossError if corrupt)."""
        out = {}
        try:
            with np.load(self._path, allow_pickle=False) as data:
                available = set(data.files)
                for name in names:
                    if name in available:
                        out[name] = _from_storable(data[name])
        except ValueError as e:
            if "pickle" in str(e):
                raise _data_loss(self._path, "it holds pickled Python objects, which tfone "
                                 "checkpoints never do and which tfone refuses to load") from None
            raise _data_loss(self._path, "%s: %s" % (type(e).__name__, e)) from None
        except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
            raise _data_loss(self._path, "%s: %s" % (type(e).__name__, e)) from None
        return out

    def has_tensor(self, name):
        return name in self._headers()

    def get_tensor(self, name):
        if name not in self._headers():
            raise errors.NotFoundError(None, None, "Key %s not found in checkpoint" % name)
        return self.read_all([name])[name]

    def get_variable_to_shape_map(self):
        return {name: list(shape) for name, (shape, _) in self._headers().items()}

    def get_variable_to_dtype_map(self):
        return {name: _dtype_of_stored(dtype) for name, (_, dtype) in self._headers().items()}

    def debug_string(self):
        return "".join("%s (%s) %s\n" % (n, _dtype_of_stored(d).name, list(s))
                       for n, (s, d) in sorted(self._headers().items())).encode("utf-8")


def _dtype_of_stored(np_dtype):
    return dtypes.string if np_dtype.kind == "S" else dtypes.as_dtype(np_dtype)


def _from_storable(array):
    if array.dtype.kind == "S":
        out = np.empty(array.shape, dtype=object)
        out.reshape(-1)[:] = [bytes(x) for x in array.reshape(-1)]
        return out
    return array


def NewCheckpointReader(filepattern):  # noqa: N802 - TF1's name
    """A reader for the tensors of a checkpoint: get_tensor(name), has_tensor(name),
    get_variable_to_shape_map()."""
    return CheckpointReader(filepattern)


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix, or the latest checkpoint of a directory."""
    return CheckpointReader(_resolve_checkpoint(ckpt_dir_or_file))


def _resolve_checkpoint(ckpt_dir_or_file):
    if os.path.isdir(ckpt_dir_or_file):
        found = latest_checkpoint(ckpt_dir_or_file)
        if found is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given "
                             "directory %s" % ckpt_dir_or_file)
        return found
    return ckpt_dir_or_file


def list_variables(ckpt_dir_or_file):
    """Sorted ``(name, shape)`` pairs of the variables in a checkpoint."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted((name, shape) for name, shape in reader.get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The value of variable ``name`` in a checkpoint, as a numpy array."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def checkpoint_exists(checkpoint_prefix):
    """True if a checkpoint with this prefix (``<prefix>.npz``) exists."""
    return os.path.exists(checkpoint_prefix + DATA_SUFFIX)


def get_checkpoint_mtimes(checkpoint_prefixes):
    """Modification times of the checkpoints (missing ones are skipped)."""
    return [os.stat(p + DATA_SUFFIX).st_mtime for p in checkpoint_prefixes
            if os.path.exists(p + DATA_SUFFIX)]


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2, meta_graph_suffix="meta"):
    """Delete the files of a checkpoint."""
    for path in (checkpoint_prefix + DATA_SUFFIX, checkpoint_prefix + INDEX_SUFFIX,
                 checkpoint_prefix + "." + meta_graph_suffix):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


# -- the `checkpoint` state file -------------------------------------------------------------------
class CheckpointState:
    """The contents of a directory's ``checkpoint`` file (TF1's CheckpointState proto)."""

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=None,
                 all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
        self.last_preserved_timestamp = last_preserved_timestamp

    def __str__(self):
        lines = ['model_checkpoint_path: "%s"' % _escape(self.model_checkpoint_path)]
        lines += ['all_model_checkpoint_paths: "%s"' % _escape(p)
                  for p in self.all_model_checkpoint_paths]
        lines += ["all_model_checkpoint_timestamps: %r" % float(t)
                  for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp is not None:
            lines.append("last_preserved_timestamp: %r" % float(self.last_preserved_timestamp))
        return "\n".join(lines) + "\n"

    def __repr__(self):
        return "CheckpointState(%r, %r)" % (self.model_checkpoint_path,
                                            self.all_model_checkpoint_paths)

    def __eq__(self, other):
        return isinstance(other, CheckpointState) and str(self) == str(other)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text):
    return "".join(_ESCAPES.get(c, c) for c in text)


def _unescape(text):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m.group(1),
                                                                           m.group(1)), text)


_LINE = re.compile(r'^\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eE]+|inf|nan))\s*$')


def _parse_state(text):
    state = CheckpointState()
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError("cannot parse line %r" % line)
        field, string, number = match.groups()
        if field == "model_checkpoint_path" and string is not None:
            state.model_checkpoint_path = _unescape(string)
        elif field == "all_model_checkpoint_paths" and string is not None:
            state.all_model_checkpoint_paths.append(_unescape(string))
        elif field == "all_model_checkpoint_timestamps" and number is not None:
            state.all_model_checkpoint_timestamps.append(float(number))
        elif field == "last_preserved_timestamp" and number is not None:
            state.last_preserved_timestamp = float(number)
        else:
            raise ValueError("unknown field %r" % field)
    return state


def _state_filename(save_dir, latest_filename):
    return os.path.join(save_dir, latest_filename or "checkpoint")


def _generate_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                    all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    # Paths are written relative to save_dir when both are relative, as TF1 does.
    if not os.path.isabs(save_dir):
        base = save_dir or "."
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, base)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, base) for p in paths]
    return CheckpointState(model_checkpoint_path, paths, all_model_checkpoint_timestamps,
                           last_preserved_timestamp)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None):
    """Write ``save_dir/checkpoint`` (atomically) naming the latest and the kept checkpoints."""
    state = _generate_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                            all_model_checkpoint_timestamps, last_preserved_timestamp)
    filename = _state_filename(save_dir, latest_filename)
    if os.path.normpath(filename) == os.path.normpath(
            os.path.join(save_dir, state.model_checkpoint_path)):
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state.  Please "
                           "use a different save path." % model_checkpoint_path)
    graph_io.atomic_write(filename, str(state).encode("utf-8"))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState of ``checkpoint_dir`` (paths joined to the directory), or None if
    it has no readable ``checkpoint`` file."""
    filename = _state_filename(checkpoint_dir, latest_filename)
    if not os.path.exists(filename):
        return None
    try:
        with open(filename, "r", encoding="utf-8") as f:
            state = _parse_state(f.read())
    except (OSError, UnicodeDecodeError, ValueError) as e:
        _logger.warning("%s: %s: Checkpoint ignored", filename, e)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
                                        for p in state.all_model_checkpoint_paths]
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (from its ``checkpoint`` file),
    or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _logger.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


# -- the Saver -------------------------------------------------------------------------------------
class Saver:
    """Saves and restores variables (by default all global variables, which include the
    optimizers' slots and the global step)::

        saver = tf.train.Saver(max_to_keep=3)
        path = saver.save(sess, "ckpt/model.ckpt", global_step=step)   # 'ckpt/model.ckpt-100'
        ...
        saver.restore(sess, tf.train.latest_checkpoint("ckpt"))

    ``var_list`` may be a list of variables (saved under their op names) or a dict
    {checkpoint name: variable}. Restoring works in any graph that has variables of those
    names, shapes and dtypes (e.g. the same model script run again).
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        if builder is not None:
            raise ValueError("Custom saver builders are not supported by tfone.")
        if defer_build and var_list is not None:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._graph = None
        self._entries = None       # [(checkpoint name, variable tensor, placeholder)]
        self._restore_op = None
        self._is_empty = None
        self.saver_def = None
        if saver_def is not None:
            self._from_saver_def(saver_def)
        elif not defer_build:
            self.build()

    # -- building ----------------------------------------------------------------------------------
    def build(self):
        """Add the restore ops to the graph (done by the constructor unless defer_build)."""
        if self._entries is not None:
            return
        graph = get_default_graph()
        names_to_vars = _names_to_variables(self._var_list, graph)
        if not names_to_vars:
            if not self._allow_empty:
                raise ValueError("No variables to save")
            self._is_empty = True
            self._entries = []
            self._graph = graph
            return
        self._is_empty = False
        entries = []
        with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
            with graph.name_scope(self._name or "save") as scope:
                assigns = []
                for ckpt_name, var_tensor in names_to_vars:
                    with graph.device(var_tensor.device or None):
                        placeholder = array_ops.placeholder(var_tensor.dtype, var_tensor.shape,
                                                            name="restore_value")
                        assigns.append(state_ops.assign(
                            var_tensor, placeholder,
                            validate_shape=var_tensor.shape.is_fully_defined()))
                    entries.append((ckpt_name, var_tensor, placeholder))
                restore_op = control_flow_ops.group(*assigns, name="restore_all")
        self._graph = graph
        self._entries = entries
        self._restore_op = restore_op
        self.saver_def = {
            "name": scope[:-1], "restore_op_name": restore_op.name,
            "entries": [{"name": n, "variable": v.op.name, "placeholder": p.name}
                        for n, v, p in entries],
            "max_to_keep": self._max_to_keep,
            "keep_checkpoint_every_n_hours": self._keep_checkpoint_every_n_hours,
            "sharded": bool(self._sharded), "version": 2}

    def _from_saver_def(self, saver_def):
        graph = get_default_graph()
        try:
            self._restore_op = graph.get_operation_by_name(saver_def["restore_op_name"])
            self._entries = [(e["name"], graph.get_operation_by_name(e["variable"]).outputs[0],
                              graph.get_tensor_by_name(e["placeholder"]))
                             for e in saver_def["entries"]]
        except (KeyError, ValueError) as e:
            raise ValueError("saver_def does not match the graph: %s" % e) from None
        self._graph = graph
        self._is_empty = not self._entries
        self._max_to_keep = saver_def.get("max_to_keep", self._max_to_keep)
        self._keep_checkpoint_every_n_hours = saver_def.get(
            "keep_checkpoint_every_n_hours", self._keep_checkpoint_every_n_hours)
        self._next_checkpoint_time = time.time() + self._keep_checkpoint_every_n_hours * 3600
        self.saver_def = dict(saver_def)

    def as_saver_def(self):
        return self.saver_def

    # -- checkpoints kept --------------------------------------------------------------------------
    @property
    def last_checkpoints(self):
        """Prefixes of the checkpoints this Saver keeps, oldest first."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list, got %s" % type(last_checkpoints))
        self._last_checkpoints = [(p, np.inf) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise TypeError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Adopt existing checkpoints (e.g. after a restart) so max_to_keep manages them."""
        existing = [p for p in checkpoint_paths if checkpoint_exists(p)]
        self.set_last_checkpoints_with_time(list(zip(existing, get_checkpoint_mtimes(existing))))

    def _record_last_checkpoint(self, latest_save_path):
        if not self._max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self._max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        if self._checkpoints_to_be_deleted:
            path, saved_at = self._checkpoints_to_be_deleted.pop(0)
            if saved_at > self._next_checkpoint_time:
                # keep_checkpoint_every_n_hours: keep one checkpoint per period.
                self._next_checkpoint_time += self._keep_checkpoint_every_n_hours * 3600
                return
            try:
                remove_checkpoint(path, meta_graph_suffix=meta_graph_suffix)
            except OSError as e:
                _logger.warning("Ignoring: %s", e)

    # -- save and restore --------------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        """Save the variables' values in ``sess``; returns the checkpoint prefix
        (``save_path`` or ``save_path-<global_step>``), or None for an empty Saver."""
        if self._entries is None:
            self.build()
        save_path = os.fspath(save_path)
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        if not (hasattr(sess, "run") and hasattr(sess, "graph")):
            raise TypeError("'sess' must be a Session; %s" % (sess,))
        if global_step is not None:
            if not isinstance(global_step, numbers.Integral):
                global_step = int(sess.run(_as_fetch(global_step)))
            step = "{:08d}".format(global_step) if self._pad_step_number else "%d" % global_step
            checkpoint_file = "%s-%s" % (save_path, step)
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename:
                raise ValueError("'latest_filename' collides with 'save_path': '%s' and '%s'"
                                 % (latest_filename, save_path))
        save_path_parent = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            if save_path_parent and not os.path.isdir(save_path_parent):
                raise ValueError("Parent directory of {} doesn't exist, can't save.".format(
                    save_path))
            if sess.graph is not self._graph:
                raise ValueError("The Saver was built for another graph than the session's.")
            values = sess.run([v for _, v, _ in self._entries])
            _write_checkpoint(checkpoint_file, [n for n, _, _ in self._entries], values,
                              [v.dtype for _, v, _ in self._entries])
            model_checkpoint_path = checkpoint_file
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                update_checkpoint_state(save_path_parent, model_checkpoint_path,
                                        self.last_checkpoints, latest_filename)
                self._maybe_delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            try:
                self.export_meta_graph(checkpoint_file + "." + meta_graph_suffix,
                                       graph=sess.graph)
            except ValueError as e:   # an op attr with no JSON form: the values are saved
                _logger.warning("The checkpoint %s was saved, but its meta graph could not be "
                                "written: %s", checkpoint_file, e)
        return model_checkpoint_path

    def restore(self, sess, save_path):
        """Set the variables in ``sess`` to their values in checkpoint ``save_path``.

        Raises NotFoundError if a variable is missing from the checkpoint,
        InvalidArgumentError if a shape or dtype differs, DataLossError if the file is
        corrupt, ValueError if there is no checkpoint at ``save_path``.
        """
        if self._entries is None:
            self.build()
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        _logger.info("Restoring parameters from %s", save_path)
        values = CheckpointReader(save_path).read_all([n for n, _, _ in self._entries])
        feed = {}
        for ckpt_name, var_tensor, placeholder in self._entries:
            if ckpt_name not in values:
                raise errors.NotFoundError(None, None, _RESTORE_MISSING + "Key %s not found in "
                                           "checkpoint %s" % (ckpt_name, save_path))
            feed[placeholder] = self._checked_value(ckpt_name, var_tensor, values[ckpt_name],
                                                    save_path)
        sess.run(self._restore_op, feed)

    def _checked_value(self, ckpt_name, var_tensor, value, save_path):
        stored = dtypes.string if value.dtype == object else dtypes.as_dtype(value.dtype)
        if stored != var_tensor.dtype:
            raise errors.InvalidArgumentError(None, None, _RESTORE_MISMATCH + (
                "tensor_name = %s; expected dtype %s does not equal original dtype %s\n"
                "  (variable '%s' is %s in the graph but %s in checkpoint %s)" % (
                    ckpt_name, var_tensor.dtype.name, stored.name, var_tensor.op.name,
                    var_tensor.dtype.name, stored.name, save_path)))
        shape = var_tensor.shape
        if not shape.is_compatible_with(value.shape):
            if self._reshape and shape.is_fully_defined() and \
                    shape.num_elements() == value.size:
                return value.reshape(shape.as_list())
            raise errors.InvalidArgumentError(None, None, _RESTORE_MISMATCH + (
                "Assign requires shapes of both tensors to match. lhs shape= %s rhs shape= %s\n"
                "  (variable '%s' has shape %s in the graph but %s in checkpoint %s under the "
                "name '%s')" % (shape, list(value.shape), var_tensor.op.name, shape,
                                list(value.shape), save_path, ckpt_name)))
        return value

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False, clear_extraneous_savers=False,
                          strip_default_attrs=False, save_debug_info=False, graph=None):
        """Write the graph and this Saver's description to ``filename`` (see
        :func:`export_meta_graph`); returns the meta graph."""
        return export_meta_graph(filename, saver_def=self.saver_def,
                                 collection_list=collection_list, as_text=as_text,
                                 graph=graph or self._graph, clear_devices=clear_devices)


_RESTORE_MISSING = ("Restoring from checkpoint failed. This is most likely due to a Variable "
                    "name or other graph key that is missing from the checkpoint. Please ensure "
                    "that you have not altered the graph expected based on the checkpoint. "
                    "Original error:\n\n")
_RESTORE_MISMATCH = ("Restoring from checkpoint failed. This is most likely due to a mismatch "
                     "between the current graph and the graph from the checkpoint. Please "
                     "ensure that you have not altered the graph expected based on the "
                     "checkpoint. Original error:\n\n")


def _as_fetch(value):
    return value._as_graph_element() if hasattr(value, "_as_graph_element") else value


def _variable_tensor(value, what):
    if isinstance(value, Variable):
        return value._as_graph_element()
    if isinstance(value, Tensor) and value.op.type == "VariableV2":
        return value
    raise TypeError("Variable to save is not a Variable: %r (%s)" % (value, what))


def _names_to_variables(var_list, graph):
    """Sorted [(checkpoint name, VariableV2 output tensor)]."""
    if var_list is None:
        var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
            graph.get_collection("saveable_objects")
    pairs = []
    if isinstance(var_list, dict):
        for name, value in var_list.items():
            if not isinstance(name, str):
                raise TypeError("Checkpoint names in a var_list dict must be strings, got %r"
                                % (name,))
            pairs.append((name, _variable_tensor(value, "var_list[%r]" % name)))
    elif isinstance(var_list, (list, tuple, set)):
        for value in var_list:
            tensor = _variable_tensor(value, "in var_list")
            pairs.append((tensor.op.name, tensor))
    else:
        raise TypeError("Variables to save should be passed in a dict or a list: %s"
                        % (var_list,))
    seen = {}
    for name, tensor in pairs:
        if name in seen:
            if seen[name] is tensor and not isinstance(var_list, dict):
                continue
            raise ValueError("At least two variables have the same name: %s" % name)
        seen[name] = tensor
        if tensor.graph is not graph:
            raise ValueError("Variable %s is not in the default graph: build the Saver inside "
                             "`with graph.as_default():`." % name)
    return sorted(seen.items())


# -- meta graphs -----------------------------------------------------------------------------------
def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """A meta graph (JSON): the GraphDef of ``graph`` (with variables and collections) and a
    Saver's description; written to ``filename`` if given."""
    from tfone import __version__
    if export_scope is not None:
        raise ValueError("export_scope is not supported by tfone's export_meta_graph.")
    graph = graph if graph is not None else get_default_graph()
    graph_def = graph_def if graph_def is not None else graph.as_graph_def()
    graph_def = graph_io.GraphDef(json.loads(json.dumps(graph_def)))
    if collection_list is not None:
        graph_def["collections"] = {k: v for k, v in graph_def.get("collections", {}).items()
                                    if k in collection_list}
    if clear_devices:
        for node in graph_def["node"]:
            node["device"] = ""
    meta = graph_io._Message(format=META_GRAPH_FORMAT, version=1,
                             meta_info_def=dict(meta_info_def or {}, tfone_version=__version__),
                             graph_def=graph_def, saver_def=saver_def)
    if filename:
        text = json.dumps(meta, indent=1) if as_text else json.dumps(meta, separators=(",", ":"))
        graph_io.atomic_write(filename, text.encode("utf-8"))
    return meta


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Rebuild a saved graph (ops, variables, collections) in the default graph; returns a
    Saver for its variables (None if it has none)::

        saver = tf.train.import_meta_graph("ckpt/model.ckpt-100.meta")
        saver.restore(sess, "ckpt/model.ckpt-100")
        train_op = tf.get_collection("train_op")[0]
    """
    if isinstance(meta_graph_or_file, (str, os.PathLike)):
        try:
            with open(meta_graph_or_file, "rb") as f:
                meta = json.loads(f.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise errors.DataLossError(None, None, "Unable to read meta graph %s: %s"
                                       % (meta_graph_or_file, e)) from None
    else:
        meta = meta_graph_or_file
    if not isinstance(meta, dict) or meta.get("format") != META_GRAPH_FORMAT:
        raise ValueError("Not a tfone meta graph (expected JSON with \"format\": %r)"
                         % META_GRAPH_FORMAT)
    graph_def = graph_io.GraphDef(json.loads(json.dumps(meta["graph_def"])))
    if clear_devices:
        for node in graph_def["node"]:
            node["device"] = ""
    created = graph_io._import(graph_def, None, import_scope or "")
    rebuilt = graph_io.import_collections(graph_def, created)
    saver_def = meta.get("saver_def")
    if saver_def:
        resolved = dict(saver_def)
        resolved["restore_op_name"] = created[saver_def["restore_op_name"]].name
        resolved["entries"] = [
            {"name": e["name"], "variable": created[e["variable"]].name,
             "placeholder": graph_io._lookup(created, e["placeholder"]).name}
            for e in saver_def["entries"]]
        return Saver(saver_def=resolved)
    global_names = [item["variable"] for item in
                    graph_def.get("collections", {}).get(GraphKeys.GLOBAL_VARIABLES, [])
                    if "variable" in item]
    if global_names:
        return Saver(var_list=[rebuilt[name] for name in global_names])
    return None
