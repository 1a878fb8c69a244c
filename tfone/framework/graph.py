"""The static graph: Graph, Operation, Tensor, name scopes, collections, control dependencies.

A Graph is an append-only list of Operations. Each Operation has an op type (a key into the
op registry), input Tensors, attributes and output Tensors. Building an op never computes
anything: a Session does that later. See ``op_registry.apply_op`` for how ops are created.
"""
import contextlib
import re
import threading

from tfone.framework import dtypes as _dtypes
from tfone.framework import source_info
from tfone.framework.tensor_shape import as_shape

__all__ = ["Graph", "Operation", "Tensor", "GraphKeys", "get_default_graph",
           "reset_default_graph", "name_scope", "control_dependencies", "device",
           "add_to_collection", "add_to_collections", "get_collection", "get_collection_ref",
           "DeviceSpec"]

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


class GraphKeys:
    """Standard collection names, as in TF1."""
    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    LOSSES = "losses"
    UPDATE_OPS = "update_ops"
    SUMMARIES = "summaries"
    TRAIN_OP = "train_op"
    GLOBAL_STEP = "global_step"
    INIT_OP = "init_op"
    SAVERS = "savers"
    ACTIVATIONS = "activations"
    WEIGHTS = "weights"
    BIASES = "biases"
    QUEUE_RUNNERS = "queue_runners"
    VARIABLES = GLOBAL_VARIABLES


class Tensor:
    """A symbolic handle to one output of an Operation; it has a dtype and a static shape.

    A Tensor holds no value. ``sess.run(t)`` or ``t.eval()`` computes one.
    """

    # _gathered_rows: set by tf.gradients on a gradient TF1 would return as IndexedSlices
    # (a gradients.GatheredRows); unset otherwise.
    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "_gathered_rows",
                 "__weakref__")

    # numpy must hand mixed expressions (``np_array + tensor``) to our reflected operators.
    __array_priority__ = 100
    __array_ufunc__ = None

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._consumers = []

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return "%s:%d" % (self._op._name, self._value_index)

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refine the static shape; raises ValueError if ``shape`` contradicts what is known."""
        try:
            self._shape = self._shape.merge_with(as_shape(shape))
        except ValueError:
            raise ValueError("Tensor %r has shape %s, which is incompatible with the requested "
                             "shape %s" % (self.name, self._shape, as_shape(shape))) from None

    def consumers(self):
        """The Operations that take this tensor as an input."""
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """The value of this tensor, computed in ``session`` (default: the default session)."""
        from tfone.framework.session import _session_for
        return _session_for(session, self, "Tensor.eval()").run(self, feed_dict)

    def __repr__(self):
        return "<tf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape, self._dtype.name)

    def __str__(self):
        return 'Tensor("%s", shape=%s, dtype=%s)' % (self.name, self._shape, self._dtype.name)

    # Python protocols a symbolic value cannot honour, with TF1's messages.
    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not "
                        "None:` instead of `if t:` to test if a tensor is defined, and use "
                        "TensorFlow ops such as tf.cond to execute subgraphs conditioned on the "
                        "value of a tensor.")

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors. (%s) Please call "
                        "`x.shape` rather than `len(x)` for shape information." % self.name)

    def __iter__(self):
        dims = self._shape.as_tuple()
        if not dims or dims[0] is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension (%s, "
                            "shape %s)." % (self.name, self._shape))
        return (self[i] for i in range(dims[0]))

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Cannot convert a symbolic Tensor (%s) to a numpy array: it has no value "
                        "until a Session runs it. Use sess.run(t) or t.eval()." % self.name)

    def __reduce__(self):
        raise TypeError("Tensors cannot be pickled; export the graph with "
                        "tf.train.write_graph / graph.as_graph_def() instead.")

    def _as_graph_element(self):
        return self


class Operation:
    """A node of the graph: an op type applied to input tensors, producing output tensors."""

    __slots__ = ("_graph", "_name", "_type", "_inputs", "_outputs", "_control_inputs",
                 "_control_outputs", "_attrs", "_device", "_id", "_location", "_opdef",
                 "_cond", "__weakref__")

    def __init__(self, graph, name, op_type, inputs, attrs, output_specs, control_inputs,
                 device, location, opdef):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._device = device
        self._location = location
        self._opdef = opdef
        self._cond = None  # the CondBranch this op belongs to (tf.cond), if any
        self._control_inputs = list(control_inputs)
        self._control_outputs = []
        self._outputs = tuple(Tensor(self, i, dtype, shape)
                              for i, (dtype, shape) in enumerate(output_specs))
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._device)
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))
    attrs = property(lambda self: self._attrs)
    opdef = property(lambda self: self._opdef)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def traceback(self):
        """(filename, lineno, function) of the user code that created this op, or None."""
        return self._location

    @property
    def location(self):
        """Where the op was created, formatted ``file.py:12: y = tf.matmul(x, W)``."""
        return source_info.format_location(self._location)

    def values(self):
        return tuple(self._outputs)

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' (%s) has no attr named '%s'; it has %s"
                             % (self._name, self._type, name, sorted(self._attrs))) from None

    def _set_device(self, device_name):
        self._device = _canonical_device(device_name)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)

    def run(self, feed_dict=None, session=None):
        """Run this op in ``session`` (default: the default session). Returns None."""
        from tfone.framework.session import _session_for
        _session_for(session, self, "Operation.run()").run(self, feed_dict)

    @property
    def node_def(self):
        """A plain-dict description of this node (name, op, inputs, attrs, device)."""
        inputs = [t.name for t in self._inputs] + ["^" + c.name for c in self._control_inputs]
        return {"name": self._name, "op": self._type, "input": inputs,
                "device": self._device, "attr": dict(self._attrs)}

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self._name, self._type)

    def __reduce__(self):
        raise TypeError("Operations cannot be pickled; export the graph with "
                        "tf.train.write_graph / graph.as_graph_def() instead.")

    def _as_graph_element(self):
        return self


class CondBranch:
    """One branch of a tf.cond: ops built inside it run only when ``pred`` equals ``branch``.

    Branches nest (``parent``); ``group`` names the tf.cond (its CondMerge ops carry it).
    Gradient ops of a branch's ops belong to the same branch, so they run under the same
    condition.
    """

    __slots__ = ("pred", "branch", "parent", "group")

    def __init__(self, pred, branch, parent, group):
        self.pred, self.branch, self.parent, self.group = pred, branch, parent, group

    def encloses(self, other):
        """Is ``other`` (a CondBranch or None) this branch or nested inside it?"""
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False

    def chain(self):
        """This branch and its enclosing branches, outermost first."""
        branches, branch = [], self
        while branch is not None:
            branches.append(branch)
            branch = branch.parent
        return branches[::-1]

    def __repr__(self):
        return "<CondBranch %s of %s>" % (self.branch, self.group)


def _any_in_cond(tensors):
    for t in tensors:
        if t._op._cond is not None:
            return True
    return False


def _check_cond_inputs(name, inputs, control_inputs, branch, exits=()):
    """An op may read tensors from its own tf.cond branch or from enclosing code only."""
    for t in list(inputs) + [c._outputs[0] for c in control_inputs if c._outputs]:
        source = t._op._cond
        if source is None or source.encloses(branch):
            continue
        if any(exit_branch.encloses(source) for exit_branch in exits):
            continue
        raise ValueError(
            "Cannot use '%s' as input to '%s' because '%s' is computed inside a tf.cond "
            "branch (%s) and is only defined when that branch runs. Return it from the "
            "branch function and use the output of tf.cond instead."
            % (t.name, name, t.op.name, source.group))


class _CondBranchScope:
    """Context manager behind Graph._entered_cond_branch (entered once per gradient op)."""

    __slots__ = ("_graph", "_branch", "_saved")

    def __init__(self, graph, branch):
        self._graph, self._branch, self._saved = graph, branch, None

    def __enter__(self):
        self._saved = self._graph._cond_branch
        self._graph._cond_branch = self._branch
        return self._branch

    def __exit__(self, *exc):
        self._graph._cond_branch = self._saved


class _NameScope:
    """Context manager behind Graph.name_scope (a class: it is entered for every op built)."""

    __slots__ = ("_graph", "_stack", "_saved")

    def __init__(self, graph, stack):
        self._graph = graph
        self._stack = stack
        self._saved = None

    def __enter__(self):
        self._saved = self._graph._name_stack
        self._graph._name_stack = self._stack
        return self._stack + "/" if self._stack else ""

    def __exit__(self, *exc):
        self._graph._name_stack = self._saved


class _GraphState(threading.local):
    """Per-thread default-graph stack (the global default graph is shared by all threads)."""

    def __init__(self):
        self.stack = []


_default_graph = None
_state = _GraphState()


class Graph:
    """A TensorFlow computation, as a dataflow graph of Operations."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_dependencies_stack = []
        self._device_stack = []
        self._collections = {}
        self._finalized = False
        self._seed = None
        self._variable_scope_store = None  # owned by variable_scope.py
        self._attr_scope = {}
        self._building_function = False
        self._cond_branch = None  # innermost tf.cond branch being built (a CondBranch)
        self._cond_groups = {}    # tf.cond name -> {"branches": (true branch, false branch)}

    # -- building ------------------------------------------------------------------------------
    def create_op(self, op_type, inputs, attrs, output_specs, name, opdef=None):
        """Add an Operation. ``name`` must come from :meth:`unique_name` (ops.apply_op does this)."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified (tried to add op '%s' of "
                               "type %s)." % (name, op_type))
        control_inputs = self._current_control_dependencies(inputs)
        branch = self._cond_branch
        if branch is not None or _any_in_cond(inputs):
            exits = ()
            if opdef is not None and opdef.selects_branch:  # a tf.cond output reads its branches
                exits = self._cond_groups[attrs["group"]]["branches"]
            _check_cond_inputs(name, inputs, control_inputs, branch, exits)
        device = self._current_device()
        op = Operation(self, name, op_type, inputs, attrs, output_specs, control_inputs,
                       "" if callable(device) else device, source_info.user_frame(), opdef)
        op._cond = branch
        if callable(device):  # a device function (e.g. replica_device_setter) picks per op
            op._set_device(device(op))
        self._ops.append(op)
        self._ops_by_name[name] = op
        return op

    def unique_name(self, name, mark_as_used=True):
        """``name`` prefixed by the current name scope and suffixed ``_1``, ``_2``... if taken."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_key = name_key
            while name_key in self._names_in_use:
                name_key = "%s_%d" % (base_key, i)
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = "%s_%d" % (name, i - 1)
        return name

    def _entered_cond_branch(self, branch):
        """Ops built inside belong to ``branch`` of a tf.cond (see control_flow_ops.cond)."""
        return _CondBranchScope(self, branch)

    def get_name_scope(self):
        return self._name_stack

    def name_scope(self, name):
        """Open a name scope; ``with g.name_scope('a') as scope`` gives ``scope == 'a/'``.

        ``None`` or ``""`` resets to the root; a name ending in '/' re-enters that exact scope.
        """
        if not name:
            new_stack = ""
        elif name.endswith("/"):
            new_stack = name[:-1]
            if not _VALID_SCOPE_NAME.match(new_stack):
                raise ValueError("'%s' is not a valid scope name" % name)
        else:
            if not _VALID_SCOPE_NAME.match(name):
                raise ValueError("'%s' is not a valid scope name" % name)
            new_stack = self.unique_name(name)
        return _NameScope(self, new_stack)

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after ``control_inputs`` (Operations or Tensors).

        ``None`` clears the dependencies of enclosing blocks and, as in TF1, also leaves any
        enclosing tf.cond branch: ops built inside belong to the top level of the graph (how
        variables made inside a branch function are lifted out of it).
        """
        if control_inputs is None:
            saved = self._control_dependencies_stack
            saved_branch = self._cond_branch
            self._control_dependencies_stack = []
            self._cond_branch = None
            try:
                yield
            finally:
                self._control_dependencies_stack = saved
                self._cond_branch = saved_branch
            return
        ops = []
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError("Control input must be an Operation, a Tensor or a Variable: %r" % (c,))
            if c.graph is not self:
                raise ValueError("Control input %r is from a different graph." % c.name)
            ops.append(c)
        self._control_dependencies_stack.append(ops)
        try:
            yield
        finally:
            self._control_dependencies_stack.pop()

    def _current_control_dependencies(self, inputs):
        if not self._control_dependencies_stack:
            return ()
        input_ops = {t._op for t in inputs}
        result = []
        for frame in self._control_dependencies_stack:
            for c in frame:
                if c not in input_ops and c not in result:
                    result.append(c)
        return result

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Record a device on every op built inside (``'/job:worker/task:1'``, ``'/cpu:0'``)."""
        if device_name_or_function is None:
            saved = self._device_stack
            self._device_stack = []
            try:
                yield
            finally:
                self._device_stack = saved
            return
        if not callable(device_name_or_function):
            DeviceSpec.from_string(device_name_or_function)  # validate early
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self):
        if not self._device_stack:
            return ""
        spec = DeviceSpec()
        function = None
        for entry in self._device_stack:
            if callable(entry):
                function = entry
                spec = DeviceSpec()
            else:
                spec = spec.merge_from(DeviceSpec.from_string(entry))
                function = None
        if function is not None:
            return function
        return spec.to_string()

    def finalize(self):
        """Make the graph read-only: adding an op afterwards raises RuntimeError."""
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    def _unsafe_unfinalize(self):
        self._finalized = False

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    # -- lookup ----------------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    @property
    def version(self):
        """Number of ops added so far; grows with every op (graphs are append-only)."""
        return len(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """The Tensor or Operation that ``obj`` (an object or a name) denotes in this graph."""
        if allow_tensor and allow_operation:
            what = "Tensor or Operation"
        elif allow_tensor:
            what = "Tensor"
        else:
            what = "Operation"
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                op_name, _, index = obj.rpartition(":")
                try:
                    index = int(index)
                except ValueError:
                    raise ValueError("The name %r looks like a Tensor name, but is not a valid "
                                     "one. Tensor names must be of the form "
                                     "\"<op_name>:<output_index>\"." % obj) from None
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, does not exist in the graph." % (obj, op_name))
                if index >= len(op._outputs):
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, exists but only has %d outputs."
                                   % (obj, op_name, len(op._outputs)))
                return op._outputs[index]
            if ":" in obj and not allow_tensor:
                raise ValueError("Name %r appears to refer to a Tensor, not a %s." % (obj, what))
            if not allow_operation:
                op = self._ops_by_name.get(obj)
                hint = (" Did you mean '%s:0'?" % obj) if op is not None else ""
                raise ValueError("The name %r refers to an Operation, not a %s. Tensor names must "
                                 "be of the form \"<op_name>:<output_index>\".%s" % (obj, what, hint))
            op = self._ops_by_name.get(obj)
            if op is None:
                raise KeyError("The name %r refers to an Operation not in the graph." % obj)
            return op
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj.name)
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj.name)
            return obj
        raise TypeError("Can not convert a %s into a %s." % (type(obj).__name__, what))

    def as_graph_def(self, from_version=None, add_shapes=False):
        """A JSON description of this graph (see :mod:`tfone.framework.graph_io`)."""
        from tfone.framework import graph_io
        return graph_io.as_graph_def(self, from_version=from_version, add_shapes=add_shapes)

    # -- collections -----------------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of the collection; with ``scope``, only items whose name matches it."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [item for item in items
                if getattr(item, "name", None) is not None and pattern.match(item.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # -- default graph -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Make this graph the default for ops built inside the ``with`` block."""
        _state.stack.append(self)
        try:
            yield self
        finally:
            _state.stack.pop()

    def __repr__(self):
        return "<tf.Graph with %d ops>" % len(self._ops)

    def __reduce__(self):
        raise TypeError("Graphs cannot be pickled; use graph.as_graph_def() / tf.train.write_graph.")


def get_default_graph():
    """The innermost graph of ``with g.as_default():`` blocks, else the global default graph."""
    if _state.stack:
        return _state.stack[-1]
    global _default_graph
    if _default_graph is None:
        _default_graph = Graph()
    return _default_graph


def reset_default_graph():
    """Replace the global default graph by a new empty one (not allowed inside as_default)."""
    if _state.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you "
                             "need a cleared graph, exit the nesting and create a new graph.")
    global _default_graph
    _default_graph = Graph()


def _graph_of(values):
    """The graph the given tensors/ops live in (the default graph when none is given)."""
    graph = None
    for v in values:
        g = getattr(v, "graph", None) if isinstance(v, (Tensor, Operation)) or hasattr(v, "_as_tensor") else None
        if g is None:
            continue
        if graph is None:
            graph = g
        elif g is not graph:
            raise ValueError("%r must be from the same graph as %r." % (v, values[0]))
    return graph if graph is not None else get_default_graph()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """TF1's ``tf.name_scope(name, default_name=None, values=None)``; yields 'scope/'."""
    n = default_name if name is None else name
    if n is None and values is not None:
        raise ValueError("At least one of name (%s) and default_name (%s) must be provided."
                         % (name, default_name))
    graph = _graph_of(values) if values else get_default_graph()
    with graph.name_scope(n) as scope:
        if values and graph is not get_default_graph():
            with graph.as_default():
                yield scope
        else:
            yield scope


def control_dependencies(control_inputs):
    """Context manager: ops created inside run only after ``control_inputs`` (ops or tensors) have
    run; ``None`` clears the enclosing dependencies."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    """Context manager recording a device on the ops created inside (kept in exported graphs; tfone
    runs every op on the CPU)."""
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value):
    """Appends ``value`` to the default graph's collection ``name``."""
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    """Appends ``value`` to each of the default graph's collections ``names``."""
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    """A copy of the default graph's collection ``key``; with ``scope``, only the items whose name
    matches that regex (from the start)."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    """The default graph's collection ``key`` itself: a list that can be changed in place."""
    return get_default_graph().get_collection_ref(key)


# -- devices --------------------------------------------------------------------------------------
class DeviceSpec:
    """A (partial) device name: ``/job:worker/replica:0/task:1/device:CPU:0``."""

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = device_type.upper() if device_type else None
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec):
        if isinstance(spec, DeviceSpec):
            return spec
        if not isinstance(spec, str):
            raise TypeError("A device must be a string like '/cpu:0' or '/job:worker/task:1', "
                            "a DeviceSpec, a function or None; got %r." % (spec,))
        out = cls()
        for part in [p for p in spec.split("/") if p]:
            fields = part.split(":")
            key = fields[0].lower()
            try:
                if key == "job" and len(fields) == 2:
                    out.job = fields[1]
                elif key == "replica" and len(fields) == 2:
                    out.replica = int(fields[1])
                elif key == "task" and len(fields) == 2:
                    out.task = int(fields[1])
                elif key == "device" and len(fields) in (2, 3):
                    out.device_type = fields[1].upper()
                    if len(fields) == 3:
                        out.device_index = None if fields[2] == "*" else int(fields[2])
                elif key in ("cpu", "gpu") and len(fields) == 2:
                    out.device_type = key.upper()
                    out.device_index = None if fields[1] == "*" else int(fields[1])
                else:
                    raise ValueError
            except ValueError:
                raise ValueError("Unknown attribute: '%s' in '%s'. Device names look like "
                                 "'/job:worker/replica:0/task:1/device:CPU:0' or '/cpu:0'."
                                 % (part, spec)) from None
        return out

    def merge_from(self, other):
        merged = DeviceSpec(self.job, self.replica, self.task, self.device_type, self.device_index)
        for field in self.__slots__:
            value = getattr(other, field)
            if value is not None:
                setattr(merged, field, value)
        return merged

    def to_string(self):
        parts = []
        if self.job is not None:
            parts.append("/job:" + self.job)
        if self.replica is not None:
            parts.append("/replica:%d" % self.replica)
        if self.task is not None:
            parts.append("/task:%d" % self.task)
        if self.device_type is not None:
            index = "*" if self.device_index is None else str(self.device_index)
            parts.append("/device:%s:%s" % (self.device_type, index))
        return "".join(parts)

    def __repr__(self):
        return "DeviceSpec(%r)" % self.to_string()


def _canonical_device(name):
    return DeviceSpec.from_string(name).to_string() if name else ""


def _check_op_name(name):
    if not _VALID_OP_NAME.match(name):
        raise ValueError("'%s' is not a valid node name: names use letters, digits and _ . - / "
                         "and must not start with '_' , '-' or '/'." % name)


def _dtype_name(dtype):
    return dtype.name if isinstance(dtype, _dtypes.DType) else str(dtype)
