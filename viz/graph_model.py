"""From a tfone graph to a display model: what is drawn, grouped how, connected how.

The model is built in passes, each a plain rule a reader can check against the picture:

1. select   the ops the target depends on (or the whole graph);
2. classify each op: placeholder, variable, constant, op, update (writes a variable), and
            whether it belongs to a backward pass (``gradients/...``);
3. fold     a variable's read/assign/initializer ops into one variable node, small constants
            into the op that uses them, and hide shape plumbing (Shape, BroadcastGradientArgs...)
            that only computes shapes for the backward pass;
4. group    the remaining units into clusters by name scope; collapse scopes deeper than
            ``depth``, runs of identical scopes (``layer_1 .. layer_5``) and, past the node
            budget, the largest scopes first;
5. connect  units by edges that carry tensors (with shapes), control dependencies and
            "writes" edges from update ops to the variable they change.

Only tfone's public API is used (ops, tensors, names, collections, the op registry).
Everything is ordered by graph creation order, so the same program gives the same model.
"""
import re
import weakref

import numpy as np

import tfone as tf

from viz.labels import short_value

__all__ = ["GraphModel", "select", "classify", "forward_op_of", "is_gradient_op",
           "PLACEHOLDER", "VARIABLE", "CONSTANT", "OP", "UPDATE"]

# Categories of single ops (node colour and shape follow them).
PLACEHOLDER, VARIABLE, CONSTANT, OP, UPDATE = "placeholder", "variable", "constant", "op", "update"
# Kinds of drawn units.
SINGLE, SCOPE, REPEAT, STUB = "single", "scope", "repeat", "stub"

GRADIENT_ROOT = re.compile(r"^gradients(_\d+)?$")
PLACEHOLDER_TYPES = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
VARIABLE_TYPES = frozenset({"VariableV2", "Variable", "VarHandleOp"})
CONST_TYPES = frozenset({"Const"})
ASSIGN_TYPES = frozenset({"Assign", "AssignAdd", "AssignSub", "ScatterUpdate", "ScatterAdd",
                          "ScatterSub", "AssignVariableOp", "AssignAddVariableOp",
                          "AssignSubVariableOp"})
UPDATE_PREFIXES = ("Apply", "ResourceApply", "SparseApply", "ResourceSparseApply")
# Ops that only compute shapes; drawn only when asked (show_shape_ops=True).
PLUMBING_TYPES = frozenset({"Shape", "ShapeN", "Rank", "Size", "BroadcastGradientArgs",
                            "ReducedShape", "DynamicStitch"})
# Binary ops whose operands can be swapped: their in-edges need no operand names.
COMMUTATIVE_TYPES = frozenset({"Add", "AddV2", "AddN", "Mul", "Maximum", "Minimum", "Equal",
                               "NotEqual", "LogicalAnd", "LogicalOr", "SquaredDifference",
                               "BitwiseAnd", "BitwiseOr", "BitwiseXor"})
_INT_DTYPES = ("int32", "int64", "int16", "int8", "uint8", "uint16")
FOLD_CONSTANT_ELEMENTS = 16  # constants up to this size fold into their only consumer

# Ops that viz helpers added to a graph (e.g. the backward pass of draw_gradient_flow):
# never drawn when a whole graph is the target.
_viz_ops = weakref.WeakSet()


def mark_internal(ops):
    """Record ops created by viz helpers, so whole-graph pictures leave them out."""
    for op in ops:
        _viz_ops.add(op)


def is_internal(op):
    return op in _viz_ops


# -- selection -----------------------------------------------------------------------------------
class Selection:
    """The graph, the ops to draw (creation order) and the ops the user named explicitly."""

    def __init__(self, graph, ops, targets, whole_graph, model=None):
        self.graph = graph
        self.ops = ops
        self.targets = targets
        self.whole_graph = whole_graph
        self.model = model  # a Keras-like model, when one was given


def _is_model(target):
    return (hasattr(target, "layers") and hasattr(target, "graph")
            and (hasattr(target, "outputs") or hasattr(target, "output")))


def _is_variable(obj):
    return isinstance(obj, tf.Variable) or (
        hasattr(obj, "initializer") and hasattr(obj, "op") and hasattr(obj, "value"))


def _elements(target, graph=None):
    """Graph elements (Operations) named by one user-facing target."""
    if isinstance(target, tf.Operation):
        return [target]
    if isinstance(target, tf.Tensor):
        return [target.op]
    if _is_variable(target):
        ops = [target.op]
        for extra in (getattr(target, "initializer", None), _safe_value_op(target)):
            if isinstance(extra, tf.Operation):
                ops.append(extra)
        return ops
    if isinstance(target, str):
        graph = graph or tf.get_default_graph()
        element = graph.as_graph_element(target)
        return [element if isinstance(element, tf.Operation) else element.op]
    if hasattr(target, "_as_graph_element"):
        return _elements(target._as_graph_element(), graph)
    raise TypeError(
        "viz cannot draw a %s. Pass a tf.Graph, a Tensor, an Operation, a Variable, an op or "
        "tensor name, a list of these, or a Keras model." % type(target).__name__)


def _safe_value_op(variable):
    try:
        return variable.value().op
    except Exception:  # a variable-like object without a value tensor
        return None


def _flatten(target):
    if isinstance(target, (list, tuple, set, frozenset)):
        out = []
        for item in target:
            out.extend(_flatten(item))
        return out
    if isinstance(target, dict):
        return _flatten(list(target.values()))
    return [target]


def _model_elements(model):
    outputs = getattr(model, "outputs", None)
    if outputs is None:
        outputs = [model.output]
    items = list(_flatten(outputs))
    for extra in ("total_loss", "train_op"):
        value = getattr(model, extra, None)
        if value is not None and not callable(value):
            items.append(value)
    return items


def select(target):
    """A :class:`Selection` for ``target`` (see :func:`viz.draw_graph`)."""
    if target is None:
        target = tf.get_default_graph()
    if isinstance(target, tf.Session):
        target = target.graph
    if isinstance(target, tf.Graph):
        ops = [op for op in target.get_operations() if op not in _viz_ops]
        return Selection(target, ops, [], True)
    model = None
    if _is_model(target):
        model = target
        items = _model_elements(model)
        graph = model.graph
    else:
        items = _flatten(target)
        graph = None
    if not items:
        raise ValueError("Nothing to draw: the target list is empty.")
    roots = []
    for item in items:
        for op in _elements(item, graph):
            if graph is None:
                graph = op.graph
            elif op.graph is not graph:
                raise ValueError("All targets must belong to the same tf.Graph; %r does not."
                                 % op.name)
            roots.append(op)
    wanted = ancestors(roots)
    ops = [op for op in graph.get_operations() if op in wanted]
    return Selection(graph, ops, list(dict.fromkeys(roots)), False, model)


def ancestors(roots, through_refs=True, stop_tensors=()):
    """Every op the ``roots`` depend on (through inputs and control inputs), roots included.

    ``through_refs=False`` follows only inputs a kernel evaluates (what a run executes): an
    Assign names its variable but does not run the variable's op. ``stop_tensors`` are fed.
    """
    stop = set(stop_tensors)
    seen = set()
    stack = list(roots)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        refs = _ref_slots(op) if not through_refs else ()
        for i, t in enumerate(op.inputs):
            if i in refs or t in stop:
                continue
            stack.append(t.op)
        stack.extend(op.control_inputs)
    return seen


# -- op facts --------------------------------------------------------------------------------------
_OPDEFS = None


def opdef_of(op_type):
    """The registered OpDef for ``op_type`` (None for op types this tfone does not know)."""
    global _OPDEFS
    if _OPDEFS is None or op_type not in _OPDEFS:
        _OPDEFS = tf.registered_ops()  # the registry grows as modules are imported
    return _OPDEFS.get(op_type)


def op_label(op_type):
    """The short text an op type is drawn with (its registry label, else its type)."""
    opdef = opdef_of(op_type)
    return (opdef.label if opdef is not None and opdef.label else op_type)


def input_names(op):
    """The declared name of each input slot of ``op`` (``x``, ``y``, ``reduction_indices``)."""
    opdef = opdef_of(op.type)
    n = len(op.inputs)
    if opdef is None:
        return ["input %d" % i for i in range(n)]
    specs = [s.split(":")[0] for s in opdef.inputs]
    if not any(s.startswith("*") for s in specs):
        return [specs[i] if i < len(specs) else "input %d" % i for i in range(n)]
    n_var = n - (len(specs) - 1)
    names = []
    for s in specs:
        if s.startswith("*"):
            names.extend("%s[%d]" % (s[1:], k) for k in range(n_var))
        else:
            names.append(s)
    return names


def _ref_slots(op):
    opdef = opdef_of(op.type)
    if opdef is None:
        return ()
    refs = opdef.ref_inputs
    if isinstance(refs, (tuple, list, set, frozenset)):
        return tuple(refs)
    return tuple(range(len(op.inputs)))  # ALL_INPUTS


def gradient_root_index(parts):
    """Index of the ``gradients`` scope in a name's components (tf.gradients may run inside
    any name scope: ``train/gradients/...``, ``hessians/gradients/...``), or None."""
    for i, part in enumerate(parts):
        if GRADIENT_ROOT.match(part):
            return i
    return None


def is_gradient_op(op):
    """Is ``op`` part of a backward pass built by tf.gradients (``[scope/]gradients/...``)?"""
    return gradient_root_index(op.name.split("/")[:-1]) is not None


def is_gradient_scope(path):
    return gradient_root_index(path) is not None


def forward_op_of(op, ops_by_name):
    """The forward op a gradient op differentiates (``gradients/a/MatMul_grad/x`` ->
    ``a/MatMul``), or None (e.g. the seed ``gradients/Fill`` or an ``AddN`` of gradients)."""
    return forward_op_of_path(op.name.split("/")[:-1], ops_by_name)


def forward_op_of_path(parts, ops_by_name):
    """Same for a scope path (a tuple of name components)."""
    root = gradient_root_index(parts)
    if root is None:
        return None
    for i in range(root + 1, len(parts)):
        if parts[i].endswith("_grad"):
            candidate = "/".join(list(parts[root + 1:i]) + [parts[i][:-5]])
            op = ops_by_name.get(candidate)
            if op is not None:
                return op
    return None


def _variables_by_op(graph):
    found = {}
    for key in graph.get_all_collection_keys():
        for item in graph.get_collection(key):
            if _is_variable(item) and isinstance(getattr(item, "op", None), tf.Operation):
                found.setdefault(item.op, item)
    return found


def initializer_ops(graph, ops, variables=None):
    """The ops that give variables their first value (``W/Assign``): from the Variable
    objects in the graph's collections, or by TF's naming rule for imported graphs."""
    variables = _variables_by_op(graph) if variables is None else variables
    found = set()
    for var in variables.values():
        init = getattr(var, "initializer", None)
        if isinstance(init, tf.Operation):
            found.add(init)
    for op in ops:
        if op.type in ASSIGN_TYPES and op.inputs and op.name == op.inputs[0].op.name + "/Assign":
            found.add(op)
    return found


def classify(op, initializers):
    """The display category of one op."""
    t = op.type
    if t in PLACEHOLDER_TYPES:
        return PLACEHOLDER
    if t in VARIABLE_TYPES:
        return VARIABLE
    if t.startswith(UPDATE_PREFIXES):
        return UPDATE
    if (t in ASSIGN_TYPES and op.inputs and op.inputs[0].op.type in VARIABLE_TYPES
            and op not in initializers):
        return UPDATE
    if t in CONST_TYPES:
        return CONSTANT
    return OP


# -- the model ---------------------------------------------------------------------------------------
class Unit:
    """One drawn node: a single op, a folded variable, a collapsed scope or a run of scopes."""

    def __init__(self, uid, kind, category, ops, name):
        self.id = uid
        self.kind = kind
        self.category = category
        self.ops = list(ops)          # member ops; ops[0] is the primary one
        self.name = name              # full name (op name or scope path)
        self.scope = ()               # cluster path the unit is drawn in
        self.notes = []               # extra label lines: folded constants, hub inputs...
        self.is_gradient = False
        self.variable = None          # the tf.Variable, for variable units
        self.count = 1                # ×N for runs of identical scopes
        self.members = ()             # scope names in a run
        self.hub = False
        # Decorations set by draw_values / draw_gradient_flow / trace.
        self.extra = []               # lines appended to the label
        self.fill = None
        self.border = None
        self.penwidth = None
        self.fontcolor = None
        self.style_extra = None
        self.dim = False
        self.emphasis = False
        self.xlabel = None
        # Filled in by the passes that create the unit.
        self.init_text = None         # variables: how they start ('zeros', 'random_normal')
        self.num_ops = len(self.ops)  # scopes and runs: ops inside, hidden ones included
        self.hidden_ops = []
        self.hub_of = None            # stubs: id of the hub they stand for

    @property
    def op(self):
        return self.ops[0]

    def __repr__(self):
        return "<Unit %s %s %s>" % (self.kind, self.category, self.name)


class Edge:
    """A drawn edge; ``tensors`` are the tensors it carries (data edges)."""

    def __init__(self, src, dst, kind, tensors=(), slots=()):
        self.src = src
        self.dst = dst
        self.kind = kind              # 'data', 'control', 'writes', 'gradlink', 'stub'
        self.tensors = list(tensors)
        self.slots = list(slots)      # input slot names on the consumer (non-commutative ops)
        self.label = None
        self.color = None
        self.penwidth = None
        self.style = None
        self.dim = False
        self.emphasis = False
        self.tooltip = None

    def __repr__(self):
        return "<Edge %s %s -> %s>" % (self.kind, self.src, self.dst)


class GraphModel:
    """The display model of a target; see the module docstring for the passes.

    Attributes after construction: ``units`` (id -> Unit, drawing order), ``edges``,
    ``visible`` (op -> id of the unit that shows it, None if hidden), ``hidden`` (op -> reason),
    ``clusters`` (scope path -> number of visible units under it).
    """

    def __init__(self, target, show_gradients=True, fold_variables=True, fold_constants=True,
                 show_shape_ops=False, depth=None, collapse_repeats="auto", repeat_min=3,
                 budget=60, hub_degree=8, max_write_edges=6, highlight=None, fetches=None,
                 feeds=None, selection=None):
        if show_gradients not in (True, False, "aligned"):
            raise ValueError("show_gradients must be False, True or 'aligned', got %r"
                             % (show_gradients,))
        if depth is not None and (not isinstance(depth, int) or depth < 0):
            raise ValueError("depth must be None or an int >= 0, got %r" % (depth,))
        if collapse_repeats not in (True, False, "auto"):
            raise ValueError("collapse_repeats must be True, False or 'auto', got %r"
                             % (collapse_repeats,))
        if budget not in (None, False) and (not isinstance(budget, int) or budget < 1):
            raise ValueError("budget must be None/False (no limit) or an int >= 1, got %r"
                             % (budget,))
        self.selection = selection or select(target)
        self.graph = self.selection.graph
        self.ops = self.selection.ops
        self.show_gradients = show_gradients
        self.options = dict(fold_variables=fold_variables, fold_constants=fold_constants,
                            show_shape_ops=show_shape_ops, depth=depth,
                            collapse_repeats=collapse_repeats, repeat_min=repeat_min,
                            budget=budget, hub_degree=hub_degree,
                            max_write_edges=max_write_edges)
        self._op_set = set(self.ops)
        self._order = {op: i for i, op in enumerate(self.ops)}
        self._by_name = {op.name: op for op in self.graph.get_operations()}
        self._consumers = self._consumer_lists()
        self.variables = _variables_by_op(self.graph)
        self.initializers = initializer_ops(self.graph, self.ops, self.variables)
        self.category = {op: classify(op, self.initializers) for op in self.ops}
        self.gradient = {op: is_gradient_op(op) for op in self.ops}
        self.hidden = {}
        self.unit_of = {}              # op -> Unit (before collapsing)
        self.units = {}                # id -> Unit (visible, drawing order)
        self.folded_constants = {}     # const op -> consumer op
        self._notes = {}               # op -> [note lines] from folded constants
        self._build_units()
        self._place_units()
        self.collapsed = {}            # scope path -> Unit
        self.repeats = {}              # scope path -> Unit (a member of a run)
        self._collapse()
        self.visible = {op: self._resolve(op) for op in self.ops}
        self.edges = self._connect()
        self.hubs = []
        if budget and self.options["budget"] is not None:
            self._extract_hubs()
        self._order_units()
        self._apply_emphasis(highlight, fetches, feeds)

    # -- helpers --------------------------------------------------------------------------------
    def _consumer_lists(self):
        consumers = {}
        self._control_users = {}
        for op in self.ops:
            for t in op.inputs:
                consumers.setdefault(t.op, []).append(op)
            for c in op.control_inputs:
                self._control_users.setdefault(c, []).append(op)
        return consumers

    def consumers(self, op):
        """Ops in the selection that read an output of ``op`` (with repeats, creation order)."""
        return self._consumers.get(op, [])

    def unit_for(self, op):
        """The visible unit that shows ``op`` (None when it is hidden)."""
        uid = self.visible.get(op)
        return self.units.get(uid) if uid is not None else None

    # -- pass 3: folding and hiding -----------------------------------------------------------------
    def _build_units(self):
        opts = self.options
        targets = set(self.selection.targets)
        if opts["fold_variables"]:
            for op in self.ops:
                if self.category[op] == VARIABLE and op not in self.unit_of:
                    self._fold_variable(op)
            self._fold_slots()
        if not self.show_gradients:
            for op in self.ops:
                if self.gradient[op] and op not in self.unit_of and op not in targets:
                    self.hidden[op] = "gradient"
        if not opts["show_shape_ops"]:
            for op in self._plumbing():
                if op not in self.unit_of and op not in self.hidden and op not in targets:
                    self.hidden[op] = "shape"
        if opts["fold_constants"]:
            for op in self.ops:
                if (self.category[op] == CONSTANT and op not in self.unit_of
                        and op not in self.hidden and op not in targets):
                    self._maybe_fold_constant(op)
        for op in self.ops:
            if op in self.unit_of or op in self.hidden:
                continue
            unit = Unit(op.name, SINGLE, self.category[op], [op], op.name)
            unit.is_gradient = self.gradient[op]
            unit.notes = self._notes.get(op, [])
            self.unit_of[op] = unit
            self.units[unit.id] = unit
        # Notes for consumers folded into a variable are dropped with them.

    def _fold_variable(self, var_op):
        unit = Unit(var_op.name, SINGLE, VARIABLE, [var_op], var_op.name)
        unit.variable = self.variables.get(var_op)
        members = [var_op]
        member_set = {var_op}
        init_values = []
        for consumer in self.consumers(var_op):
            name = consumer.name
            if consumer in member_set:
                continue
            if consumer.type == "Identity" and name.startswith(var_op.name + "/read"):
                members.append(consumer)
                member_set.add(consumer)
            elif consumer in self.initializers and consumer.inputs[0].op is var_op:
                members.append(consumer)
                member_set.add(consumer)
                init_values.extend(t.op for t in consumer.inputs[1:])
        # The initial value's computation, when nothing else uses it (tf.zeros, random_normal...).
        candidates = ancestors(init_values) & self._op_set
        for op in reversed(self.ops):
            if op not in candidates or op in member_set or op in self.unit_of:
                continue
            if self.category[op] in (PLACEHOLDER, VARIABLE):
                continue
            users = self.consumers(op)
            if users and all(u in member_set for u in users) and not self._has_control_outputs(op):
                members.append(op)
                member_set.add(op)
        unit.ops = [var_op] + sorted(members[1:], key=self._order.__getitem__)
        if not init_values:
            # The initializer is not drawn (the target does not need it): still say how the
            # variable starts.
            init = getattr(unit.variable, "initializer", None) or self._by_name.get(
                var_op.name + "/Assign")
            if isinstance(init, tf.Operation) and len(init.inputs) > 1:
                init_values = [init.inputs[1].op]
        unit.init_text = self._describe_initializer(unit, init_values)
        for op in unit.ops:
            self.unit_of[op] = unit
        self.units[unit.id] = unit

    def _fold_slots(self):
        """Optimizer slots (``W/Adam``, ``W/Momentum``: variables named under another variable
        and used only by update ops) are drawn inside the variable they belong to."""
        var_units = {u.op.name: u for u in self.units.values() if u.category == VARIABLE}
        for name, unit in list(var_units.items()):
            owner_name = name.rpartition("/")[0]
            owner = var_units.get(owner_name)
            if owner is None or owner is unit or self.units.get(unit.id) is not unit:
                continue
            members = set(unit.ops)
            users = [u for op in unit.ops for u in self.consumers(op) if u not in members]
            if not users or not all(self.category.get(u) == UPDATE or u.type in ASSIGN_TYPES
                                    or self._reads_only_for_updates(u) for u in users):
                continue
            owner.ops.extend(unit.ops)
            owner.slots = getattr(owner, "slots", []) + [name[len(owner_name) + 1:]]
            for op in unit.ops:
                self.unit_of[op] = owner
            del self.units[unit.id]

    def _reads_only_for_updates(self, op):
        """Is ``op`` (e.g. a slot's read) consumed only by update ops?"""
        users = self.consumers(op)
        return bool(users) and all(self.category.get(u) == UPDATE for u in users)

    def _has_control_outputs(self, op):
        return bool(self._control_users.get(op))

    def _describe_initializer(self, unit, init_values):
        """'zeros', 'random_normal', 'constant 0.1' ...: how the variable starts."""
        if not init_values:
            return None
        first = init_values[0]
        parts = first.name.split("/")
        if "Initializer" in parts[:-1]:
            return re.sub(r"_\d+$", "", parts[parts.index("Initializer") + 1])
        if first.type in CONST_TYPES or first.type == "Fill":
            value = _static(first.outputs[0]) if first.type in CONST_TYPES else (
                _static(first.inputs[1]) if len(first.inputs) > 1 else None)
            if value is None:
                return "fill"
            array = np.asarray(value).reshape(-1)
            if array.size and np.all(array == array[0]):
                text = short_value(array[0])
                return {"0": "zeros", "1": "ones"}.get(text, "constant " + text)
            return "constant"
        base = re.sub(r"_\d+$", "", parts[-1])
        return op_label(first.type) if base.lower() == first.type.lower() else base

    def _plumbing(self):
        """Ops that only compute shapes (and constants used only by them)."""
        plumbing = set()
        for op in self.ops:
            if op.type in PLUMBING_TYPES:
                plumbing.add(op)
                continue
            if not op.inputs or not op.outputs:
                continue
            if all(t.dtype.name in _INT_DTYPES for t in op.outputs):
                srcs = [t.op for t in op.inputs]
                if (any(s in plumbing for s in srcs) and all(
                        s in plumbing or self.category.get(s) == CONSTANT for s in srcs)):
                    plumbing.add(op)
        for op in reversed(self.ops):
            if self.category[op] == CONSTANT:
                users = self.consumers(op)
                if users and all(u in plumbing for u in users):
                    plumbing.add(op)
        return [op for op in self.ops if op in plumbing]

    def _maybe_fold_constant(self, op):
        users = [u for u in dict.fromkeys(self.consumers(op)) if u not in self.hidden]
        if len(users) != 1 or self._has_control_outputs(op):
            if not users and self.consumers(op):
                self.hidden[op] = "constant"  # its only user is hidden
            return
        consumer = users[0]
        if self.category[consumer] == CONSTANT:
            return
        value = np.asarray(op.get_attr("value")) if "value" in op.attrs else None
        if value is None or value.size > FOLD_CONSTANT_ELEMENTS:
            return
        slots = [i for i, t in enumerate(consumer.inputs) if t.op is op]
        names = input_names(consumer)
        text = short_value(value, FOLD_CONSTANT_ELEMENTS)
        if text is None:
            return
        notes = self._notes.setdefault(consumer, [])
        for i in slots:
            notes.append(("const", names[i] if i < len(names) else "input %d" % i, text, i))
        self.folded_constants[op] = consumer
        self.hidden[op] = "folded"

    # -- pass 4: scopes --------------------------------------------------------------------------------
    def _place_units(self):
        under = {}  # scope path -> number of units inside it
        for unit in self.units.values():
            parts = tuple(unit.name.split("/"))
            unit.scope = parts[:-1]
            for k in range(1, len(parts)):
                under[parts[:k]] = under.get(parts[:k], 0) + 1
        for unit in self.units.values():
            parts = tuple(unit.name.split("/"))
            # An op named like a scope that holds other ops is drawn inside that scope.
            if under.get(parts):
                unit.scope = parts
        # Top-level variables and constants used only inside one scope (an optimizer's
        # beta1_power, global_step) are drawn in that scope.
        scope_of = {}
        for unit in self.units.values():
            for op in unit.ops:
                scope_of[op] = unit.scope
        for unit in self.units.values():
            if unit.scope or unit.category not in (VARIABLE, CONSTANT):
                continue
            members = set(unit.ops)
            users = [u for op in unit.ops for u in self.consumers(op) if u not in members]
            users += [u for op in unit.ops for u in self._control_users.get(op, ())]
            tops = {scope_of.get(u, ())[:1] for u in users}
            if len(tops) == 1 and () not in tops and all(u in scope_of for u in users):
                unit.scope = tops.pop()

    def scope_units(self, path):
        """Units (before collapsing) drawn inside scope ``path``, at any depth."""
        n = len(path)
        return [u for u in self.units.values() if len(u.scope) >= n and u.scope[:n] == path]

    def _scope_paths(self):
        paths = {}
        for unit in self.units.values():
            for k in range(1, len(unit.scope) + 1):
                paths.setdefault(unit.scope[:k], None)
        return list(paths)

    def _collapse(self):
        opts = self.options
        paths = self._scope_paths()
        if opts["depth"] is not None:
            for path in paths:
                if len(path) == opts["depth"] + 1 and not self._covered(path):
                    self._collapse_scope(path)
        budget = opts["budget"]
        repeats = opts["collapse_repeats"]
        if repeats is True:
            self._collapse_repeats(paths)
        if not budget:
            return
        # Over budget: backward-pass scopes first, then runs of identical scopes, then the
        # largest forward scopes, until the picture fits.
        for phase in ("gradient", "optimizer", "repeats", None):
            if phase == "repeats":
                if repeats == "auto" and self._visible_count() > budget:
                    self._collapse_repeats(paths)
                continue
            while self._visible_count() > budget:
                batch = self._next_to_collapse(phase)
                if not batch:
                    break
                for path in batch:
                    self._collapse_scope(path)

    def _covered(self, path):
        """Is ``path`` inside (or equal to) an already collapsed scope or run?"""
        for k in range(1, len(path) + 1):
            if path[:k] in self.collapsed or path[:k] in self.repeats:
                return True
        return False

    def _resolve_unit(self, unit):
        for k in range(1, len(unit.scope) + 1):
            prefix = unit.scope[:k]
            if prefix in self.collapsed:
                return self.collapsed[prefix]
            if prefix in self.repeats:
                return self.repeats[prefix]
        return unit

    def _resolve(self, op):
        unit = self.unit_of.get(op)
        if unit is None:
            return None
        return self._resolve_unit(unit).id

    def _visible_count(self):
        return len({id(self._resolve_unit(u)) for u in self.units.values()})

    def _collapse_scope(self, path):
        members = self.scope_units(path)
        ops = [op for u in members for op in u.ops]
        hidden = [op for op in self.ops if op in self.hidden and _under(op.name, path)]
        unit = Unit("scope|" + "/".join(path), SCOPE, OP, ops, "/".join(path))
        unit.scope = path[:-1]
        unit.hidden_ops = hidden
        unit.is_gradient = bool(ops) and all(u.is_gradient for u in members)
        unit.num_ops = len(ops) + len(hidden)
        self.collapsed[path] = unit

    def _next_to_collapse(self, phase=None):
        """The scopes to collapse next, as one batch: among scopes with no expanded sub-scope
        (pictures lose detail from the inside out), helper scopes without variables (dropout,
        random_uniform) before layers, deepest first, and all such scopes at once so that
        siblings (conv1, conv2) look alike. ``phase`` 'gradient' considers only the backward
        pass, 'optimizer' only scopes holding update ops."""
        shown_under, with_variables, with_updates = {}, set(), set()
        for unit in self.units.values():
            shown = id(self._resolve_unit(unit))
            for k in range(1, len(unit.scope) + 1):
                path = unit.scope[:k]
                shown_under.setdefault(path, set()).add(shown)
                if unit.category == VARIABLE:
                    with_variables.add(path)
                elif unit.category == UPDATE:
                    with_updates.add(path)
        expanded = [p for p in shown_under if len(shown_under[p]) >= 2 and not self._covered(p)]
        parents_of_expanded = {p[:-1] for p in expanded}
        batches = {}
        for path in expanded:
            if path in parents_of_expanded:
                continue
            if phase == "gradient" and not is_gradient_scope(path):
                continue
            if phase == "optimizer" and path not in with_updates:
                continue
            key = (path not in with_variables, len(path))
            batches.setdefault(key, []).append(path)
        if not batches:
            return []
        return sorted(batches[max(batches)])

    def _holds_variables(self, path):
        n = len(path)
        return any(u.category == VARIABLE and u.scope[:n] == path for u in self.units.values())

    def _holds_updates(self, path):
        n = len(path)
        return any(u.category == UPDATE and u.scope[:n] == path for u in self.units.values())

    def _collapse_repeats(self, paths):
        repeat_min = max(2, self.options["repeat_min"])
        children = {}
        for path in paths:
            if self._covered(path):
                continue
            children.setdefault(path[:-1], []).append(path)
        for parent, kids in children.items():
            groups = {}
            for path in kids:
                m = re.match(r"^(.*?\D)_?(\d+)$", path[-1])
                base, index = (m.group(1), int(m.group(2))) if m else (path[-1], 0)
                groups.setdefault(base, []).append((index, path))
            for base, members in groups.items():
                if len(members) < repeat_min:
                    continue
                members.sort()
                run = [members[0]]
                for item in members[1:] + [None]:
                    if (item is not None and item[0] == run[-1][0] + 1
                            and self._signature(item[1]) == self._signature(run[0][1])):
                        run.append(item)
                        continue
                    if len(run) >= repeat_min and self._signature(run[0][1]):
                        self._make_repeat([p for _, p in run])
                    if item is not None:
                        run = [item]

    def _signature(self, path):
        """What makes two scopes 'identical': relative op names, types and internal wiring."""
        cache = self.__dict__.setdefault("_sig_cache", {})
        if path in cache:
            return cache[path]
        n = len(path)
        ops = [op for op in self.ops if _under(op.name, path)]
        inside = set(ops)
        sig = []
        for op in ops:
            rel = "/".join(op.name.split("/")[n:])
            wiring = tuple(("/".join(t.op.name.split("/")[n:]), t.value_index)
                           if t.op in inside else None for t in op.inputs)
            shapes = tuple(str(t.shape) for t in op.outputs)
            sig.append((rel, op.type, wiring, shapes))
        cache[path] = tuple(sig)
        return cache[path]

    def _make_repeat(self, paths):
        ops = []
        for path in paths:
            for u in self.scope_units(path):
                ops.extend(u.ops)
        first = paths[0]
        unit = Unit("repeat|" + "/".join(first), REPEAT, OP, ops, "/".join(first))
        unit.scope = first[:-1]
        unit.count = len(paths)
        unit.members = [p[-1] for p in paths]
        unit.num_ops = len([op for op in self.ops if _under(op.name, first)])
        unit.is_gradient = is_gradient_scope(first)
        for path in paths:
            self.repeats[path] = unit

    # -- pass 5: edges ---------------------------------------------------------------------------------
    def _connect(self):
        edges = {}
        units = {}
        for unit in list(self.unit_of.values()):
            shown = self._resolve_unit(unit)
            units[shown.id] = shown
        self.units = units  # re-ordered later
        aligned = self.show_gradients == "aligned"
        for op in self.ops:
            dst = self.visible.get(op)
            if dst is None:
                continue
            dst_unit = units[dst]
            single = dst_unit.kind == SINGLE and len(dst_unit.ops) == 1
            refs = _ref_slots(op)
            names = input_names(op)
            for i, t in enumerate(op.inputs):
                src = self.visible.get(t.op)
                if src is None and self.hidden.get(t.op) == "gradient":
                    # The backward pass is hidden: link the op that produced the gradient's
                    # forward counterpart (e.g. MatMul for MatMul_grad) to this consumer.
                    fwd = forward_op_of(t.op, self._by_name)
                    src = self.visible.get(fwd) if fwd is not None else None
                    if src is not None and src != dst:
                        key = (src, dst, "gradient", t.name)
                        if key not in edges:
                            edges[key] = Edge(src, dst, "gradient", [t])
                    continue
                if src is None or src == dst:
                    continue
                if i in refs and self.category[op] == UPDATE:
                    key = (dst, src, "writes")
                    if key not in edges:
                        edges[key] = Edge(dst, src, "writes", [t])
                    continue
                key = (src, dst, "data", t.name, i if single else None)
                edge = edges.get(key)
                if edge is None:
                    edge = edges[key] = Edge(src, dst, "data", [t])
                if single and op.type not in COMMUTATIVE_TYPES:
                    edge.slots.append(names[i] if i < len(names) else str(i))
            for c in op.control_inputs:
                src = self.visible.get(c)
                if src is None or src == dst:
                    continue
                key = (src, dst, "control")
                if key not in edges:
                    edges[key] = Edge(src, dst, "control")
            if aligned and self.gradient.get(op):
                fwd = forward_op_of(op, self._by_name)
                src = self.visible.get(fwd) if fwd is not None else None
                if src is not None and src != dst and not units[src].is_gradient:
                    key = (src, dst, "gradlink")
                    if key not in edges:
                        edges[key] = Edge(src, dst, "gradlink")
        # Slot names only matter where two or more operands are drawn.
        drawn_inputs = {}
        for edge in edges.values():
            if edge.kind == "data" and edge.slots:
                drawn_inputs[edge.dst] = drawn_inputs.get(edge.dst, 0) + 1
        for edge in edges.values():
            if edge.slots and drawn_inputs.get(edge.dst, 0) < 2:
                edge.slots = []
        edges = self._merge_multi(list(edges.values()))
        return self._writes_as_notes(edges)

    def _writes_as_notes(self, edges):
        """Many "writes" edges (an optimizer updating every variable) would loop around the
        whole picture: past ``max_write_edges`` they become notes on the update nodes."""
        writes = [e for e in edges if e.kind == "writes"]
        limit = self.options["max_write_edges"]
        if limit is None or len(writes) <= limit:
            return edges
        connected = set()
        for edge in edges:
            if edge.kind != "writes":
                connected.update((edge.src, edge.dst))
        # Variables with no other edge (optimizer slots) keep theirs, or they would float.
        writes = [e for e in writes if e.dst in connected]
        written = {}
        for edge in writes:
            written.setdefault(edge.src, []).append(self.units[edge.dst].name)
        for src, names in written.items():
            unit = self.units[src]
            if len(names) <= 3:
                notes = [("note", "writes " + name) for name in names]
            else:
                notes = [("note", "writes %d variables" % len(names))]
            unit.notes = list(unit.notes) + notes
        dropped = set(map(id, writes))
        return [e for e in edges if id(e) not in dropped]

    def _merge_multi(self, edges):
        """One edge per (source, target) pair when either end is a collapsed scope."""
        merged = {}
        out = []
        for edge in edges:
            collapsed = (self.units[edge.src].kind != SINGLE or self.units[edge.dst].kind != SINGLE)
            if edge.kind == "data" and collapsed:
                key = (edge.src, edge.dst)
                if key in merged:
                    for t in edge.tensors:
                        if t not in merged[key].tensors:
                            merged[key].tensors.append(t)
                    continue
                merged[key] = edge
            out.append(edge)
        return out

    def _extract_hubs(self):
        """Move nodes used in many places (learning rate, init, global step) out of the flow.

        A hub's out-edges become small stubs next to each consumer; a NoOp that waits for many
        ops (``init``, a train op group) keeps a note instead of its control edges.
        """
        limit = self.options["hub_degree"]
        if not limit:
            return
        outs, control_ins, has_inputs, spread = {}, {}, set(), {}
        for edge in self.edges:
            if edge.kind in ("data", "control"):
                outs.setdefault(edge.src, set()).add(edge.dst)
                has_inputs.add(edge.dst)
                spread.setdefault(edge.src, set()).add(self.units[edge.dst].scope[:1])
            if edge.kind == "control":
                control_ins.setdefault(edge.dst, set()).add(edge.src)
        hubs = []
        for uid, unit in self.units.items():
            if unit.kind != SINGLE:
                continue
            fan_out = len(outs.get(uid, ()))
            fan_in = len(control_ins.get(uid, ()))
            # Sources used everywhere (learning rate, keep_prob, global step), but not the
            # data a model flows from (a placeholder holding a batch).
            data_input = (unit.category == PLACEHOLDER and unit.op.outputs
                          and unit.op.outputs[0].shape.ndims != 0)
            # Only hubs whose users are spread over several scopes: inside one scope (an
            # optimizer's learning rate) the edges are short anyway.
            spread_out = len(spread.get(uid, ())) >= 3
            if (fan_out >= limit and spread_out and uid not in has_inputs and not data_input) or (
                    fan_in >= limit and not fan_out):
                hubs.append(uid)
        if not hubs:
            return
        hub_set = set(hubs)
        new_edges = []
        dropped = {}
        for edge in self.edges:
            if edge.src in hub_set and edge.kind in ("data", "control"):
                stub = Unit("stub|%s|%s" % (edge.src, edge.dst), STUB, OP, [], edge.src)
                stub.scope = self.units[edge.dst].scope
                stub.hub_of = edge.src
                stub.is_gradient = self.units[edge.dst].is_gradient  # drawn beside its user
                self.units[stub.id] = stub
                new_edges.append(Edge(stub.id, edge.dst, edge.kind, edge.tensors, edge.slots))
                continue
            if edge.dst in hub_set and edge.kind == "control":
                dropped[edge.dst] = dropped.get(edge.dst, 0) + 1
                continue
            new_edges.append(edge)
        for uid in hubs:
            unit = self.units[uid]
            unit.hub = True
            if dropped.get(uid):
                unit.notes = list(unit.notes) + [
                    ("note", "runs after %d ops (edges not drawn)" % dropped[uid])]
        self.hubs = hubs
        self.edges = new_edges

    def _order_units(self):
        order = {op: i for i, op in enumerate(self.ops)}

        def key(unit):
            if unit.kind == STUB:
                return (order.get(self.units[unit.hub_of].op, 0) if unit.hub_of in self.units else 0,
                        unit.id)
            return (min(order.get(op, 0) for op in unit.ops) if unit.ops else 0, unit.id)
        self.units = dict(sorted(self.units.items(), key=lambda item: key(item[1])))

    # -- emphasis: highlight= and fetches= ----------------------------------------------------------------
    def _apply_emphasis(self, highlight, fetches, feeds):
        if highlight is not None:
            ops, tensors = _ops_and_tensors(highlight, self.graph)
            shown = {self.visible.get(op) for op in ops} - {None}
            for uid, unit in self.units.items():
                if unit.kind == STUB:
                    unit.dim = unit.hub_of not in shown
                elif uid in shown:
                    unit.emphasis = True
                else:
                    unit.dim = True
            for edge in self.edges:
                carries = any(t in tensors for t in edge.tensors)
                if carries or (edge.src in shown and edge.dst in shown):
                    edge.emphasis = True
                else:
                    edge.dim = True
        if fetches is not None:
            roots = []
            for item in _flatten(fetches):
                roots.extend(_elements(item, self.graph)[:1])
            fed = set()
            for key in _flatten(list(feeds) if feeds is not None else []):
                if isinstance(key, tf.Tensor):
                    fed.add(key)
                elif isinstance(key, str):
                    fed.add(self.graph.get_tensor_by_name(key))
                elif hasattr(key, "value"):
                    fed.add(key.value())
            run = ancestors(roots, through_refs=False, stop_tensors=fed)
            executed = {self.visible.get(op) for op in run} - {None}
            self.executed_units = executed
            for uid, unit in self.units.items():
                if unit.kind == STUB:
                    if unit.hub_of not in executed:
                        unit.dim = True
                elif uid not in executed:
                    unit.dim = True
            for edge in self.edges:
                if self.units[edge.src].dim or self.units[edge.dst].dim:
                    edge.dim = True

    def after_backward(self):
        """Ids of visible non-gradient units that need a gradient (optimizer updates...)."""
        needs = set()
        for op in self.ops:
            if self.gradient.get(op):
                continue
            deps = [t.op for t in op.inputs] + list(op.control_inputs)
            if any(self.gradient.get(d) or d in needs for d in deps):
                needs.add(op)
        return {self.visible[op] for op in needs if self.visible.get(op) is not None}


def _under(name, path):
    parts = name.split("/")
    return len(parts) > len(path) and tuple(parts[:len(path)]) == tuple(path)


def _static(tensor):
    op = tensor.op
    if op.type in CONST_TYPES:
        return op.get_attr("value")
    return None


def _ops_and_tensors(items, graph=None):
    """(ops, tensors) named by highlight items: tensors, ops, variables or their names."""
    ops, tensors = set(), set()
    for item in _flatten(items):
        if isinstance(item, str):
            item = (graph or tf.get_default_graph()).as_graph_element(item)
        if isinstance(item, tf.Tensor):
            tensors.add(item)
            ops.add(item.op)
        elif isinstance(item, tf.Operation):
            ops.add(item)
            tensors.update(item.outputs)
        elif _is_variable(item):
            ops.add(item.op)
            value_op = _safe_value_op(item)
            if value_op is not None:
                ops.add(value_op)
                tensors.update(value_op.outputs)
        else:
            ops.update(_elements(item))
    return ops, tensors
