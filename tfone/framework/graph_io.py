"""Graphs as JSON: ``graph.as_graph_def()``, ``tf.import_graph_def``, ``tf.train.write_graph``.

tfone's GraphDef is a JSON document (never pickle), readable by people and other tools::

    {"format": "tfone.GraphDef", "version": 1, "tfone_version": "0.1.0",
     "node": [                                    # in creation order
       {"name": "MatMul", "op": "MatMul",
        "input": ["x", "W/read", "^init"],        # "op" = output 0, "op:1", "^op" = control
        "device": "",
        "attr": {"transpose_a": false, "transpose_b": false},
        "output": [{"dtype": "float32", "shape": [null, 10]}],
        "location": {"file": "model.py", "line": 12, "function": "<module>"}}, ...],
     "variables": [{"name": "W", "initializer": "W/Assign", "snapshot": "W/read:0",
                    "initial_value": "W/initial_value:0", "trainable": true}, ...],
     "collections": {"trainable_variables": [{"variable": "W"}], "train_op": [{"operation":
                     "GradientDescent"}], ...}}

Attribute values that are not plain JSON are tagged objects: ``{"@dtype": "float32"}``,
``{"@shape": [null, 3]}`` (``null`` rank = unknown), ``{"@tuple": [...]}``,
``{"@float": "nan"}``, ``{"@bytes": "<base64>"}``, ``{"@scalar": {"dtype", "value"}}`` and
``{"@tensor": {"dtype": "float32", "shape": [2, 2], "values": [[1, 2], [3, 4]]}}`` (small
arrays as nested lists, others as ``"base64"`` little-endian bytes; strings as a list of
base64 items).

``import_graph_def`` rebuilds every node through the op registry (``get_opdef(op).infer``,
then ``graph.create_op``) with the same names (under a prefix, ``import/`` by default),
inputs, control inputs, devices and source locations, so the imported graph runs exactly as
the original. ``variables`` and ``collections`` are used by ``tf.train.import_meta_graph`` to
rebuild ``tf.Variable`` objects and collections.
"""
import base64
import json
import logging
import math
import os
import tempfile

import numpy as np

from tfone.framework import dtypes as _dtypes
from tfone.framework import op_registry
from tfone.framework.graph import Graph, Operation, Tensor, get_default_graph
from tfone.framework.tensor_shape import TensorShape

__all__ = ["GraphDef", "NodeDef", "as_graph_def", "import_graph_def", "write_graph",
           "load_graph_def", "import_collections"]

FORMAT = "tfone.GraphDef"
FORMAT_VERSION = 1
_LIST_LIMIT = 64        # arrays up to this many elements are written as readable nested lists

_logger = logging.getLogger("tfone")


class _Message(dict):
    """A JSON object whose fields are also attributes (``node.name``), like a protobuf."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError("%s has no field %r" % (type(self).__name__, key)) from None

    def SerializeToString(self, deterministic=True):
        return json.dumps(self, sort_keys=False, separators=(",", ":")).encode("utf-8")

    def ByteSize(self):
        return len(self.SerializeToString())

    def __str__(self):
        return json.dumps(self, indent=1)


class NodeDef(_Message):
    """One node of a GraphDef: ``name``, ``op``, ``input``, ``device``, ``attr``, ``output``."""


class GraphDef(_Message):
    """A JSON graph description (see the module docstring); ``graph_def.node`` lists nodes.

    ``tf.GraphDef()`` then ``ParseFromString(data)`` reads what ``SerializeToString()`` (or
    ``tf.train.write_graph``) wrote, as in TF1.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setdefault("format", FORMAT)
        self.setdefault("version", FORMAT_VERSION)
        self.setdefault("node", [])
        self["node"] = [n if isinstance(n, NodeDef) else NodeDef(n) for n in self["node"]]

    def ParseFromString(self, data):
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        try:
            parsed = json.loads(data)
        except ValueError as e:
            raise ValueError("Not a tfone GraphDef (JSON) document: %s" % e) from None
        self.clear()
        self.update(GraphDef(_check_format(parsed)))
        return self.ByteSize()

    MergeFromString = ParseFromString

    def CopyFrom(self, other):
        self.clear()
        self.update(GraphDef(json.loads(json.dumps(other))))


def _check_format(parsed):
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise ValueError("Not a tfone GraphDef: expected a JSON object with \"format\": %r "
                         "(TensorFlow protobuf GraphDefs cannot be read by tfone)." % FORMAT)
    if parsed.get("version", 0) > FORMAT_VERSION:
        raise ValueError("This GraphDef has format version %s; this tfone reads versions up to "
                         "%d. Upgrade tfone." % (parsed.get("version"), FORMAT_VERSION))
    return parsed


# -- attribute values <-> JSON ---------------------------------------------------------------------
def encode_value(value, where="value"):
    """A JSON-compatible encoding of an attribute value (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"@float": repr(value)}
    if isinstance(value, _dtypes.DType):
        return {"@dtype": value.name}
    if isinstance(value, TensorShape):
        return {"@shape": None if value.ndims is None else list(value.as_tuple())}
    if isinstance(value, np.ndarray):
        return {"@tensor": _encode_array(value)}
    if isinstance(value, np.generic):
        return {"@scalar": _encode_array(np.asarray(value))}
    if isinstance(value, bytes):
        return {"@bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"@tuple": [encode_value(v, where) for v in value]}
    if isinstance(value, list):
        return [encode_value(v, where) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError("Cannot write %s to a GraphDef: dict keys must be strings" % where)
        return {"@dict": {k: encode_value(v, where) for k, v in value.items()}}
    raise ValueError("Cannot write %s to a GraphDef: values of type %s have no JSON form "
                     "(graph export supports numbers, strings, dtypes, shapes, numpy arrays "
                     "and lists/tuples of them)." % (where, type(value).__name__))


def decode_value(data):
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise ValueError("Malformed attribute value in GraphDef: %r" % (data,))
    (tag, payload), = data.items()
    if tag == "@float":
        return float(payload)
    if tag == "@dtype":
        return _dtypes.as_dtype(payload)
    if tag == "@shape":
        return TensorShape(payload)
    if tag == "@tensor":
        array = _decode_array(payload)
        array.flags.writeable = False   # Const kernels hand this buffer out on every run
        return array
    if tag == "@scalar":
        return _decode_array(payload)[()]
    if tag == "@bytes":
        return base64.b64decode(payload)
    if tag == "@tuple":
        return tuple(decode_value(v) for v in payload)
    if tag == "@dict":
        return {k: decode_value(v) for k, v in payload.items()}
    raise ValueError("Unknown attribute tag %r in GraphDef" % tag)


def _encode_array(array):
    out = {"dtype": _array_dtype_name(array), "shape": list(array.shape)}
    if array.dtype == object:
        out["strings"] = [base64.b64encode(x if isinstance(x, bytes) else str(x).encode("utf-8"))
                          .decode("ascii") for x in array.reshape(-1)]
        return out
    finite = array.dtype.kind not in "fc" or bool(np.all(np.isfinite(array)))
    if array.size <= _LIST_LIMIT and finite and array.dtype.kind in "biuf":
        out["values"] = array.tolist()
    else:
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        out["base64"] = base64.b64encode(np.ascontiguousarray(little).tobytes()).decode("ascii")
    return out


def _array_dtype_name(array):
    if array.dtype == object:
        return "string"
    return _dtypes.as_dtype(array.dtype).name


def _decode_array(payload):
    dtype = _dtypes.as_dtype(payload["dtype"])
    shape = tuple(payload["shape"])
    if "strings" in payload:
        flat = np.empty(len(payload["strings"]), dtype=object)
        for i, item in enumerate(payload["strings"]):
            flat[i] = base64.b64decode(item)
        return flat.reshape(shape)
    if "values" in payload:
        return np.array(payload["values"], dtype=dtype._np).reshape(shape)
    raw = base64.b64decode(payload["base64"])
    little = np.frombuffer(raw, dtype=dtype._np.newbyteorder("<"))
    return little.astype(dtype._np).reshape(shape)


# -- export ----------------------------------------------------------------------------------------
def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else tensor.name


def _node_def(op, add_location=True):
    node = NodeDef(name=op.name, op=op.type)
    node["input"] = [_input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs]
    node["device"] = op.device
    node["attr"] = {k: encode_value(v, "attr %r of op %s (%s)" % (k, op.name, op.type))
                    for k, v in op.attrs.items()}
    node["output"] = [{"dtype": t.dtype.name,
                       "shape": None if t.shape.ndims is None else list(t.shape.as_tuple())}
                      for t in op.outputs]
    location = op.traceback
    if add_location and location is not None:
        node["location"] = {"file": location[0], "line": location[1], "function": location[2]}
    if op._cond is not None:  # inside tf.cond branches, outermost first
        node["cond"] = [{"group": b.group, "branch": b.branch, "pred": _input_name(b.pred)}
                        for b in op._cond.chain()]
    return node


def as_graph_def(graph=None, from_version=None, add_shapes=False):
    """The GraphDef of ``graph`` (default: the default graph); ``from_version`` keeps only
    the ops added since ``graph.version`` had that value."""
    graph = graph if graph is not None else get_default_graph()
    from tfone import __version__
    ops = graph.get_operations()
    if from_version:
        ops = ops[from_version:]
    graph_def = GraphDef(tfone_version=__version__)
    graph_def["node"] = [_node_def(op) for op in ops]
    variables, collections = _export_collections(graph, {op.name for op in ops})
    graph_def["variables"] = variables
    graph_def["collections"] = collections
    return graph_def


def _export_collections(graph, op_names):
    from tfone.ops.variables import Variable
    variables, seen, collections = [], set(), {}
    for key in graph.get_all_collection_keys():
        if not isinstance(key, str):
            continue
        items = []
        for item in graph.get_collection(key):
            if isinstance(item, Variable):
                if item.op.name not in op_names:
                    continue
                if item.op.name not in seen:
                    seen.add(item.op.name)
                    variables.append({
                        "name": item.op.name, "initializer": item.initializer.name,
                        "snapshot": item.value().name, "initial_value": item.initial_value.name,
                        "trainable": bool(item.trainable)})
                items.append({"variable": item.op.name})
            elif isinstance(item, Tensor):
                if item.op.name in op_names:
                    items.append({"tensor": item.name})
            elif isinstance(item, Operation):
                if item.name in op_names:
                    items.append({"operation": item.name})
            elif item is None or isinstance(item, (bool, int, float, str)):
                items.append({"value": item})
            else:
                _logger.warning("Collection %r holds a %s, which a GraphDef cannot describe; it "
                                "is left out of the export.", key, type(item).__name__)
        if items:
            collections[key] = items
    return variables, collections


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Write the graph's JSON description to ``logdir/name`` (created if needed); returns the
    path. ``as_text=True`` indents it for reading; both forms are JSON. The file is written
    to a temporary name and renamed, so readers never see a partial file."""
    if isinstance(graph_or_graph_def, Graph):
        graph_def = graph_or_graph_def.as_graph_def()
    elif isinstance(graph_or_graph_def, dict):
        graph_def = graph_or_graph_def
    else:
        raise TypeError("write_graph needs a tf.Graph or a GraphDef, got %s"
                        % type(graph_or_graph_def).__name__)
    os.makedirs(logdir or ".", exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        text = json.dumps(graph_def, indent=1)
    else:
        text = json.dumps(graph_def, separators=(",", ":"))
    atomic_write(path, text.encode("utf-8"))
    return path


def load_graph_def(path):
    """Read a GraphDef written by ``tf.train.write_graph`` (or ``SerializeToString``)."""
    with open(path, "rb") as f:
        graph_def = GraphDef()
        graph_def.ParseFromString(f.read())
    return graph_def


def atomic_write(path, data):
    """Write ``data`` (bytes) to ``path`` through a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


# -- import ----------------------------------------------------------------------------------------
def _parse_input(text):
    """('op name', output index or None for a control input)."""
    if text.startswith("^"):
        return text[1:], None
    name, sep, index = text.rpartition(":")
    if sep and index.isdigit():
        return name, int(index)
    return text, 0


def _as_graph_def(graph_def):
    if isinstance(graph_def, GraphDef):
        return graph_def
    if isinstance(graph_def, (bytes, str)):
        parsed = GraphDef()
        parsed.ParseFromString(graph_def)
        return parsed
    if isinstance(graph_def, dict):
        return GraphDef(_check_format(graph_def))
    raise TypeError("graph_def must be a GraphDef; got %s" % type(graph_def).__name__)


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None, op_dict=None,
                     producer_op_list=None):
    """Add the nodes of ``graph_def`` to the default graph; names get the prefix ``name/``
    (``'import'`` by default; ``name=''`` keeps them, adding ``_1`` where a name is taken).

    ``input_map`` maps tensor names of ``graph_def`` (``'x:0'``; ``'^op'`` for control
    inputs) to tensors (operations) of the default graph that replace them. Returns the
    tensors/operations named by ``return_elements`` (``'x:0'``, ``'train'``) or None.
    """
    if op_dict is not None:
        raise ValueError("op_dict is not supported by tfone (ops come from the registry).")
    created = _import(graph_def, input_map, name)
    if return_elements is None:
        return None
    return [_lookup(created, element) for element in return_elements]


def _lookup(created, element):
    """The imported Tensor ('x:0') or Operation ('x') that ``element`` names in the graph_def."""
    if not isinstance(element, str):
        raise TypeError("return_elements must be names (strings), got %r" % (element,))
    src, index = _parse_input(element) if ":" in element else (element, None)
    op = created.get(src)
    if op is None or (index is not None and index >= len(op.outputs)):
        raise ValueError("Requested return_element %r not found in graph_def." % element)
    return op if index is None else op.outputs[index]


def _import(graph_def, input_map, name):
    """Import the nodes; returns {node name in graph_def: new Operation}."""
    graph_def = _as_graph_def(graph_def)
    graph = get_default_graph()
    mapped = {}
    for key, value in dict(input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError("input_map keys must be tensor names (strings), got %r" % (key,))
        src, index = _parse_input(key)
        if index is None:
            element = graph.as_graph_element(value, allow_tensor=False, allow_operation=True)
        else:
            element = op_registry.convert_to_tensor(value)
        mapped[(src, index)] = (key, element)
    used = set()
    prefix = _import_prefix(graph, "import" if name is None else name)
    outer_deps = graph._current_control_dependencies(())
    imported_names = {node["name"] for node in graph_def["node"]}
    created = {}
    conds = _CondImporter(graph, prefix, created, mapped)
    new_names = _new_names(graph, prefix, graph_def["node"])
    with graph.control_dependencies(None):
        for node in graph_def["node"]:
            op = _import_node(graph, node, new_names[node["name"]], created, mapped, used, conds)
            # Like TF1: the enclosing control dependencies gate the imported graph's roots.
            if outer_deps and not any(_parse_input(i)[0] in imported_names for i in node["input"]):
                for dep in outer_deps:
                    op._add_control_input(dep)
    _mark_names_used(graph, new_names.values())
    unused = sorted(key for key, _ in mapped.values() if key not in used)
    if unused:
        raise ValueError("Attempted to map inputs that were not found in graph_def: [%s]"
                         % ", ".join(unused))
    return created


def _import_prefix(graph, name):
    if not name:
        return ""
    with graph.name_scope(None):
        with graph.name_scope(name) as scope:
            return scope


def _new_names(graph, prefix, nodes):
    """{node name: name in ``graph``}: ``prefix + name``, with ``_1``, ``_2``... added where an
    op of that name already exists (TF1's uniquify_names)."""
    taken = set(graph._ops_by_name)
    names = {}
    for node in nodes:
        candidate = base = prefix + node["name"]
        i = 1
        while candidate in taken:
            candidate = "%s_%d" % (base, i)
            i += 1
        taken.add(candidate)
        names[node["name"]] = candidate
    return names


def _mark_names_used(graph, names):
    """Later ops and name scopes must not reuse the imported names or their scopes."""
    in_use = graph._names_in_use
    for name in names:
        parts = name.split("/")
        for i in range(1, len(parts) + 1):
            key = "/".join(parts[:i]).lower()
            in_use[key] = max(in_use.get(key, 0), 1)


class _CondImporter:
    """Rebuilds the tf.cond branches of imported nodes (group names get the import prefix)."""

    def __init__(self, graph, prefix, created, mapped):
        self.graph, self.prefix, self.created, self.mapped = graph, prefix, created, mapped

    def group(self, group, pred_text, parent):
        from tfone.framework.graph import CondBranch
        name = self.prefix + group
        info = self.graph._cond_groups.get(name)
        if info is None:
            pred = self._tensor(pred_text)
            info = {"branches": (CondBranch(pred, True, parent, name),
                                 CondBranch(pred, False, parent, name))}
            self.graph._cond_groups[name] = info
        return info["branches"]

    def branch(self, levels):
        branch = None
        for level in levels or ():
            true_branch, false_branch = self.group(level["group"], level["pred"], branch)
            branch = true_branch if level["branch"] else false_branch
        return branch

    def _tensor(self, text):
        src, index = _parse_input(text)
        if (src, index) in self.mapped:
            return self.mapped[(src, index)][1]
        if src not in self.created:
            raise ValueError("tf.cond predicate '%s' is not defined before the ops of its "
                             "branches in the graph_def." % text)
        return self.created[src].outputs[index or 0]


def _import_node(graph, node, new_name, created, mapped, used, conds=None):
    node_name, op_type = node["name"], node["op"]
    try:
        opdef = op_registry.get_opdef(op_type)
    except KeyError:
        raise ValueError("Node '%s' has op type '%s', which tfone does not know (no such op is "
                         "registered)." % (node_name, op_type)) from None
    inputs, controls = [], []
    for text in node.get("input", []):
        src, index = _parse_input(text)
        key = (src, index)
        if key in mapped:
            used.add(mapped[key][0])
            element = mapped[key][1]
        else:
            op = created.get(src)
            if op is None:
                raise ValueError("Node '%s': input '%s' is not defined before it in the "
                                 "graph_def (nodes must be in creation order)." % (node_name, text))
            if index is None:
                element = op
            elif index >= len(op.outputs):
                raise ValueError("Node '%s': input '%s' refers to output %d, but '%s' has %d "
                                 "outputs." % (node_name, text, index, src, len(op.outputs)))
            else:
                element = op.outputs[index]
        (controls if index is None else inputs).append(element)
    attrs = {k: decode_value(v) for k, v in node.get("attr", {}).items()}
    try:
        attrs = op_registry._fill_attrs(opdef, attrs)
    except TypeError as e:
        raise ValueError("Node '%s' (%s): %s" % (node_name, op_type, e)) from None
    grouped = _group_inputs(opdef, inputs, node_name)
    flat = op_registry._check_input_dtypes(op_type, new_name, grouped, opdef._input_specs)
    try:
        result = opdef.infer(*grouped, **attrs)
    except (ValueError, TypeError) as e:
        raise type(e)("Cannot import node '%s' (%s): %s" % (node_name, op_type, e)) from None
    specs = op_registry._normalize_specs(opdef, result)
    device = node.get("device") or None
    branch = None
    if conds is not None:
        branch = conds.branch(node.get("cond"))
        if opdef.selects_branch:  # a tf.cond output: its group gets the import prefix too
            conds.group(attrs["group"], _input_name(flat[0]), branch)
            attrs["group"] = conds.prefix + attrs["group"]
    with graph.device(device) if device else _null_context(), graph._entered_cond_branch(branch):
        op = graph.create_op(op_type, flat, attrs, specs, new_name, opdef)
    for c in controls:
        op._add_control_input(c)
    for t, out in zip(op.outputs, node.get("output", [])):
        try:
            t.set_shape(TensorShape(out.get("shape")))
        except ValueError as e:
            raise ValueError("Cannot import node '%s': %s" % (node_name, e)) from None
    location = node.get("location")
    if location:
        op._location = (location["file"], location["line"], location.get("function"))
    created[node_name] = op
    return op


class _null_context:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _group_inputs(opdef, flat, node_name):
    specs = opdef._input_specs
    n_variadic = sum(1 for s in specs if s.variadic)
    if n_variadic == 0:
        if len(flat) != len(specs):
            raise ValueError("Node '%s' (%s) has %d inputs; the op takes %d (%s)." % (
                node_name, opdef.type, len(flat), len(specs), ", ".join(s.name for s in specs)))
        return list(flat)
    n_fixed = len(specs) - n_variadic
    n_var = (len(flat) - n_fixed) // n_variadic   # list inputs share one length (TF's N)
    if n_var < 0 or n_var * n_variadic + n_fixed != len(flat):
        raise ValueError("Node '%s' (%s): cannot match %d inputs to %s"
                         % (node_name, opdef.type, len(flat), [s.name for s in specs]))
    grouped, i = [], 0
    for spec in specs:
        if spec.variadic:
            grouped.append(list(flat[i:i + n_var]))
            i += n_var
        else:
            grouped.append(flat[i])
            i += 1
    return grouped


# -- variables and collections ---------------------------------------------------------------------
def import_collections(graph_def, created, graph=None):
    """Rebuild the ``tf.Variable`` objects and collections described by ``graph_def``, whose
    nodes were imported as ``created`` ({node name: Operation}, from ``_import``).

    Returns {variable name in graph_def: Variable}. Used by ``tf.train.import_meta_graph``.
    """
    graph = graph if graph is not None else get_default_graph()
    graph_def = _as_graph_def(graph_def)
    rebuilt = {}
    for info in graph_def.get("variables", []):
        rebuilt[info["name"]] = _variable_from_graph(graph, info, created)
    for key, items in graph_def.get("collections", {}).items():
        existing = graph.get_collection_ref(key)
        for item in items:
            if "variable" in item:
                value = rebuilt[item["variable"]]
            elif "tensor" in item:
                value = _lookup(created, item["tensor"])
            elif "operation" in item:
                value = _lookup(created, item["operation"])
            else:
                value = item.get("value")
            if not any(value is e for e in existing):
                existing.append(value)
    return rebuilt


def _variable_from_graph(graph, info, created):
    """A tf.Variable object around the imported ops of one variable (TF1's
    ``Variable(variable_def=...)``)."""
    from tfone.ops.variables import Variable
    variable = Variable.__new__(Variable)
    variable._variable = _lookup(created, info["name"]).outputs[0]
    variable._initializer_op = _lookup(created, info["initializer"])
    variable._snapshot = _lookup(created, info["snapshot"])
    variable._initial_value = _lookup(created, info["initial_value"])
    variable._trainable = bool(info.get("trainable", True))
    variable._constraint = None
    variable._graph = graph
    variable._save_slice_info = None
    return variable
