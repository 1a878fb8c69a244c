"""The op registry: every op type is declared once, by subclassing :class:`OpDef`.

An OpDef puts in one place everything tfone knows about an op type::

    @register_op("MatMul")
    class MatMul(OpDef):
        '''Matrix product a @ b.'''
        inputs = ("a:T", "b:T")            # names; ":T" = inputs sharing one dtype
        attrs = {"transpose_a": False, "transpose_b": False}
        label = "matmul"                   # short text for pictures

        def infer(self, a, b, transpose_a, transpose_b):   # static dtype and shape
            ...
            return a.dtype, [m, n]

        def compute(self, a, b, transpose_a, transpose_b):  # numpy kernel
            ...

        def gradient(self, op, grad):      # builds graph ops, returns one grad per input
            ...

Input specs: ``"x"`` (any dtype), ``"x:T"`` (all inputs tagged ``T`` share a dtype; Python
values are converted to it), ``"x:int32"`` or ``"x:int32|int64"`` (fixed dtypes), ``"*xs:T"``
(a list of tensors), ``"ref:ref"`` (names a variable to update; not evaluated, see
``ref_inputs`` below). ``apply_op("MatMul", [a, b], {...}, name)`` creates an op; Python-level
functions such as ``tf.matmul`` are thin wrappers around it.
"""
import functools

import numpy as np

from tfone.framework import dtypes as _dtypes
from tfone.framework import graph as _graph
from tfone.framework import source_info
from tfone.framework.tensor_shape import TensorShape

_Tensor = _graph.Tensor

__all__ = ["OpDef", "register_op", "get_opdef", "registered_ops", "apply_op", "REQUIRED",
           "NOT_DIFFERENTIABLE", "ALL_INPUTS", "is_ref_input", "convert_to_tensor", "constant_value",
           "register_constant_builder", "is_tensor_like"]

_REGISTRY = {}


class _Marker:
    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return self._name


REQUIRED = _Marker("REQUIRED")                   # an attr with no default
NOT_DIFFERENTIABLE = _Marker("NOT_DIFFERENTIABLE")  # gradient: inputs get no gradient (no error)
ALL_INPUTS = _Marker("ALL_INPUTS")               # ref_inputs: every input names a variable


def is_ref_input(opdef, index):
    """Does input ``index`` of ops of this type name a variable rather than carry a value?"""
    refs = opdef.ref_inputs
    return refs is ALL_INPUTS or index in refs


class OpDef:
    """Base class of op declarations; see the module docstring for the contract."""

    type = None            # set by @register_op
    family = None          # 'math', 'array', 'nn', ... (the module that declares it)
    inputs = ()
    attrs = {}
    num_outputs = 1
    label = None           # short text drawn in pictures; defaults to the type name
    stateful = False       # uses session state or randomness: never constant-folded
    ref_inputs = ()        # indices of inputs naming a variable (not evaluated), or ALL_INPUTS
    aliases = None         # "state": output may share memory with a variable's buffer;
                           # "input": output may be a view of an input (e.g. reshape)
    requires_feed = False  # must be fed (Placeholder): checked before a run starts
    passthrough = False    # output is input 0 unchanged (Identity): plans alias, no call
    selects_branch = False  # a tf.cond output (CondMerge): plans emit a conditional expression
    read_at_use = False    # reads session state (VariableV2): plans call it right before each use
    gradient = None        # method (self, op, *output_grads) -> [grad per input], or
                           # NOT_DIFFERENTIABLE; None means "no gradient defined" (LookupError)

    def infer(self, *inputs, **attrs):
        """Return ``(dtype, shape)`` for one output or a list of them. Raise ValueError to reject."""
        raise NotImplementedError("op %s declares no shape inference" % self.type)

    def compute(self, *arrays, **attrs):
        """The numpy kernel: input arrays (and attrs) -> an array, or a tuple of arrays."""
        raise NotImplementedError("op %s declares no kernel" % self.type)

    def make_kernel(self, op, ctx):
        """The callable a Session runs for ``op``: attrs bound once, inputs passed per run.

        Stateful ops override this to bind session state from ``ctx`` (variables, RNGs).
        """
        attrs = op._attrs
        if not attrs:
            return self.compute
        return functools.partial(self.compute, **attrs)

    def missing_feed_message(self, op):
        return "You must feed a value for %s" % op.name

    def static_value(self, op):
        """A value known at graph-construction time, or None (used by constant_value)."""
        return None

    def is_identity(self, op):
        """True if, given what is statically known, ``op`` returns its first input unchanged
        (e.g. a reshape to the same shape); plans then alias the input instead of calling."""
        return False

    foldable = True        # may constant_value() evaluate this op on constant inputs?

    @property
    def has_gradient(self):
        return self.gradient is not None

    @property
    def differentiable(self):
        return self.gradient is not None and self.gradient is not NOT_DIFFERENTIABLE

    @property
    def doc(self):
        return (type(self).__doc__ or "").strip().split("\n")[0]

    def __repr__(self):
        return "<OpDef %s>" % self.type


def register_op(op_type):
    """Class decorator: register an OpDef subclass under ``op_type``."""
    def decorator(cls):
        if op_type in _REGISTRY:
            raise ValueError("Op type %r is registered twice (%s and %s)"
                             % (op_type, _REGISTRY[op_type].__class__.__module__, cls.__module__))
        cls.type = op_type
        if cls.family is None:
            cls.family = cls.__module__.rsplit(".", 1)[-1].replace("_ops", "")
        cls._input_specs = _parse_inputs(op_type, cls.inputs)
        variadic = any(spec.variadic for spec in cls._input_specs)
        cls._typevars = None if variadic else tuple(spec.typevar for spec in cls._input_specs)
        cls._allowed = tuple(spec.allowed for spec in cls._input_specs)
        _REGISTRY[op_type] = cls()
        return cls
    return decorator


def get_opdef(op_type):
    try:
        return _REGISTRY[op_type]
    except KeyError:
        raise KeyError("No op named %r is registered. Registered ops: %s"
                       % (op_type, ", ".join(sorted(_REGISTRY)))) from None


def registered_ops():
    """{op type: OpDef} for every registered op, sorted by type name."""
    import tfone.ops  # noqa: F401  make sure every family is imported
    return dict(sorted(_REGISTRY.items()))


class _InputSpec:
    __slots__ = ("name", "variadic", "typevar", "allowed")

    def __init__(self, name, variadic, typevar, allowed):
        self.name, self.variadic, self.typevar, self.allowed = name, variadic, typevar, allowed


def _parse_inputs(op_type, inputs):
    specs = []
    for text in inputs:
        variadic = text.startswith("*")
        name, _, kind = text.lstrip("*").partition(":")
        typevar = allowed = None
        if kind == "ref" or not kind:
            pass
        elif kind[0].isupper():
            typevar = kind
        else:
            try:
                allowed = tuple(_dtypes.as_dtype(k) for k in kind.split("|"))
            except TypeError:
                raise ValueError("Op %s: bad input spec %r" % (op_type, text)) from None
        specs.append(_InputSpec(name, variadic, typevar, allowed))
    return specs


# -- tensor conversion --------------------------------------------------------------------------
_constant_builder = None


def register_constant_builder(fn):
    """Called once by the Const op's module: ``fn(value, dtype, name) -> Tensor``."""
    global _constant_builder
    _constant_builder = fn


def is_tensor_like(value):
    return isinstance(value, _graph.Tensor) or hasattr(value, "_as_tensor")


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None):
    """A Tensor for ``value``: Tensors pass through, Variables give their value, Python and
    numpy values become Const ops. ``dtype`` is required to match; ``preferred_dtype`` is tried."""
    dtype = None if dtype is None else _dtypes.as_dtype(dtype)
    if isinstance(value, _graph.Tensor):
        tensor = value
    elif hasattr(value, "_as_tensor"):
        tensor = value._as_tensor(dtype)
    else:
        if isinstance(value, _graph.Operation):
            raise TypeError("Can't convert Operation '%s' to Tensor (target dtype=%s, name=%s, "
                            "as_ref=False): an Operation has no value; use one of its outputs, "
                            "e.g. op.outputs[0]." % (value.name, dtype, name))
        preferred = preferred_dtype or dtype_hint
        if dtype is None and preferred is not None:
            try:
                return _constant_builder(value, _dtypes.as_dtype(preferred), name or "Const")
            except (TypeError, ValueError):
                pass
        return _constant_builder(value, dtype, name or "Const")
    if dtype is not None and tensor.dtype != dtype:
        raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                         % (dtype.name, tensor.dtype.name, tensor))
    return tensor


# -- creating ops ------------------------------------------------------------------------------
def apply_op(op_type, inputs=(), attrs=None, name=None):
    """Create an op of a registered type; returns its output (a list if it has several, the
    Operation if it has none).

    Inputs that are not Tensors are converted to constants named ``<op name>/<input name>``
    with the dtype their input spec asks for, as TF1 does.
    """
    opdef = _REGISTRY.get(op_type) or get_opdef(op_type)
    typevars = opdef._typevars
    # Fast path (most ops a program builds): Tensor inputs of one graph and matching dtypes.
    if (typevars is not None and len(inputs) == len(typevars) and
            all(t.__class__ is _Tensor for t in inputs) and not (name and name[-1] == "/")):
        graph = inputs[0]._op._graph if inputs else _graph.get_default_graph()
        dtypes_seen = {}
        for t, typevar, allowed in zip(inputs, typevars, opdef._allowed):
            if t._op._graph is not graph:
                break
            if typevar is not None:
                if dtypes_seen.setdefault(typevar, t._dtype) is not t._dtype:
                    break
            elif allowed is not None and t._dtype not in allowed:
                break
        else:
            attrs = _fill_attrs(opdef, attrs)
            if name:
                _graph._check_op_name(name)
            op_name = graph.unique_name(name or op_type)
            inputs = list(inputs)
            try:
                result = opdef.infer(*inputs, **attrs)
            except (ValueError, TypeError) as e:
                raise type(e)(_construction_error(op_type, op_name, inputs, str(e))) from None
            op = graph.create_op(op_type, inputs, attrs, _normalize_specs(opdef, result), op_name,
                                 opdef)
            return _results(opdef, op)
    return _apply_op_general(opdef, op_type, inputs, attrs, name)


def _results(opdef, op):
    outputs = op._outputs
    if len(outputs) == 1 and opdef.num_outputs == 1:
        return outputs[0]
    if not outputs:
        return op
    return list(outputs)


def _apply_op_general(opdef, op_type, inputs, attrs, name):
    """apply_op for any inputs: converts Python values, handles lists, reports errors."""
    specs = opdef._input_specs
    inputs = list(inputs)
    if len(inputs) != len(specs):
        raise TypeError("%s takes %d inputs (%s), got %d" % (
            op_type, len(specs), ", ".join(s.name for s in specs), len(inputs)))
    attrs = _fill_attrs(opdef, attrs)
    graph = _infer_graph(inputs)
    base_name = name if name else op_type
    if name:
        _graph._check_op_name(name.rstrip("/") or name)
    if base_name.endswith("/"):
        # `with name_scope('foo') as scope: ... name=scope` names the op after the scope itself.
        op_name = base_name[:-1]
        if op_name in graph._ops_by_name:
            raise ValueError("Duplicate node name in graph: '%s'" % op_name)
        if _needs_conversion(inputs, specs):
            with graph.as_default(), graph.name_scope(base_name):
                inputs = _convert_inputs(op_type, inputs, specs)
    elif _needs_conversion(inputs, specs):
        with graph.as_default(), graph.name_scope(base_name) as scope:
            inputs = _convert_inputs(op_type, inputs, specs)
        op_name = scope[:-1]
    else:
        op_name = graph.unique_name(base_name)
    lengths = {len(v) for v, spec in zip(inputs, specs) if spec.variadic}
    if len(lengths) > 1:   # several list inputs share one length (TF's attr N)
        raise ValueError("%s: its list inputs (%s) must have the same length, got %s"
                         % (op_type, ", ".join(s.name for s in specs if s.variadic),
                            [len(v) for v, s in zip(inputs, specs) if s.variadic]))
    flat_inputs = _check_input_dtypes(op_type, op_name, inputs, specs)
    try:
        result = opdef.infer(*inputs, **attrs)
    except (ValueError, TypeError) as e:
        raise type(e)(_construction_error(op_type, op_name, flat_inputs, str(e))) from None
    op = graph.create_op(op_type, flat_inputs, attrs, _normalize_specs(opdef, result), op_name, opdef)
    return _results(opdef, op)


def _fill_attrs(opdef, attrs):
    declared = opdef.attrs
    if not attrs and not declared:
        return {}
    if attrs:
        unknown = set(attrs) - set(declared)
        if unknown:
            raise TypeError("%s got unexpected attr(s) %s; it takes %s"
                            % (opdef.type, sorted(unknown), sorted(declared)))
    if not declared:
        return {}
    filled = dict(declared)
    if attrs:
        filled.update(attrs)
    for key, value in filled.items():
        if value is REQUIRED:
            raise TypeError("%s requires the attr %r" % (opdef.type, key))
    return filled


def _infer_graph(inputs):
    graph = None
    for value in inputs:
        for v in (value if isinstance(value, (list, tuple)) else (value,)):
            if isinstance(v, _graph.Tensor):
                g = v._op._graph
            elif hasattr(v, "_as_tensor") and hasattr(v, "graph"):
                g = v.graph
            else:
                continue
            if graph is None:
                graph = g
            elif g is not graph:
                raise ValueError("Tensor %s must be from the same graph as the other inputs "
                                 "(it belongs to another tf.Graph)." % getattr(v, "name", v))
    return graph if graph is not None else _graph.get_default_graph()


def _needs_conversion(inputs, specs):
    for value, spec in zip(inputs, specs):
        if spec.variadic:
            if any(not isinstance(v, _graph.Tensor) for v in value):
                return True
        elif not isinstance(value, _graph.Tensor):
            return True
    return False


def _convert_inputs(op_type, inputs, specs):
    """Convert non-Tensor inputs, using the dtype of tensors that share their type variable."""
    hints = {}
    for value, spec in zip(inputs, specs):
        if spec.typevar and spec.typevar not in hints:
            for v in (value if spec.variadic else (value,)):
                if is_tensor_like(v):
                    hints[spec.typevar] = v.dtype.base_dtype if hasattr(v, "dtype") else None
                    break
    converted = []
    for value, spec in zip(inputs, specs):
        if spec.variadic:
            if not isinstance(value, (list, tuple)):
                raise TypeError("Expected list for '%s' argument to '%s' Op, not %r."
                                % (spec.name, op_type, value))
            converted.append([_convert_one(op_type, v, spec, hints, "%s_%d" % (spec.name, i))
                              for i, v in enumerate(value)])
        else:
            converted.append(_convert_one(op_type, value, spec, hints, spec.name))
    return converted


def _convert_one(op_type, value, spec, hints, name):
    if isinstance(value, _graph.Tensor):
        return value
    if hasattr(value, "_as_tensor"):
        return value._as_tensor(None)
    dtype = hints.get(spec.typevar) if spec.typevar else None
    if dtype is None and spec.allowed:
        dtype = spec.allowed[0]
        try:
            return _constant_builder(value, dtype, name)
        except (TypeError, ValueError):
            if len(spec.allowed) == 1:
                raise
            return _constant_builder(value, None, name)
    try:
        tensor = _constant_builder(value, dtype, name)
    except TypeError as e:
        raise TypeError("Input '%s' of '%s' Op: %s" % (spec.name, op_type, e)) from None
    if spec.typevar and spec.typevar not in hints:
        hints[spec.typevar] = tensor.dtype
    return tensor


def _check_input_dtypes(op_type, op_name, inputs, specs):
    flat = []
    seen = {}
    for value, spec in zip(inputs, specs):
        values = value if spec.variadic else (value,)
        for v in values:
            if not isinstance(v, _graph.Tensor):
                raise TypeError("Input '%s' of '%s' Op is not a Tensor: %r" % (spec.name, op_type, v))
            if spec.typevar:
                first = seen.get(spec.typevar)
                if first is None:
                    seen[spec.typevar] = (spec.name, v.dtype)
                elif first[1] != v.dtype:
                    raise TypeError(
                        "Input '%s' of '%s' Op has type %s that does not match type %s of "
                        "argument '%s'.\n  (op '%s', created at %s)\n  Hint: use tf.cast to make "
                        "the dtypes equal." % (spec.name, op_type, v.dtype.name, first[1].name,
                                               first[0], op_name, _here()))
            elif spec.allowed and v.dtype not in spec.allowed:
                raise TypeError(
                    "Input '%s' of '%s' Op has type %s that is not in the list of allowed values: "
                    "%s\n  (op '%s', created at %s)" % (
                        spec.name, op_type, v.dtype.name,
                        ", ".join(d.name for d in spec.allowed), op_name, _here()))
            flat.append(v)
    return flat


def _normalize_specs(opdef, result):
    if result.__class__ is tuple and len(result) == 2 and result[0].__class__ is _dtypes.DType:
        shape = result[1]
        return [(result[0], shape if shape.__class__ is TensorShape else TensorShape(shape))]
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], _dtypes.DType):
        result = [result]
    specs = []
    for dtype, shape in result:
        specs.append((_dtypes.as_dtype(dtype),
                      shape if isinstance(shape, TensorShape) else TensorShape(shape)))
    return specs


def _here():
    return source_info.format_location(source_info.user_frame())


def _construction_error(op_type, op_name, inputs, message):
    lines = ["%s (op '%s' of type %s)" % (message, op_name, op_type)]
    for t in inputs:
        lines.append("  input %s: %s %s" % (t.name, t.dtype.name, t.shape))
    lines.append("  created at %s" % _here())
    return "\n".join(lines)


# -- static values ------------------------------------------------------------------------------
_FOLD_LIMIT = 10000  # elements; folding is for small shape-like values, not for data


def constant_value(tensor):
    """The value of ``tensor`` if it can be known without running the graph, else None.

    Consts, shapes of fully defined tensors, and pure ops on such values fold.
    """
    if not isinstance(tensor, _graph.Tensor):
        return None
    op = tensor._op
    opdef = op._opdef
    if opdef is None:
        return None
    value = opdef.static_value(op)
    if value is not None:
        return value[tensor._value_index] if isinstance(value, tuple) else value
    if opdef.stateful or not opdef.foldable or not op._inputs or opdef.ref_inputs or op._control_inputs:
        return None
    args = []
    for t in op._inputs:
        v = constant_value(t)
        if v is None or np.size(v) > _FOLD_LIMIT:
            return None
        args.append(v)
    try:
        if any(s.variadic for s in opdef._input_specs):
            args = _regroup(args, opdef, op)
        out = opdef.make_kernel(op, None)(*args)
    except Exception:  # folding is best effort: the run will report real errors
        return None
    return out[tensor._value_index] if isinstance(out, (tuple, list)) else out


def _regroup(flat, opdef, op):
    """Kernel args for ops with variadic inputs: each list-valued input is passed as a list
    (several list inputs have one length, TF's shared ``N``)."""
    n_lists = sum(1 for spec in opdef._input_specs if spec.variadic)
    n_var = (len(flat) - (len(opdef._input_specs) - n_lists)) // n_lists
    out, i = [], 0
    for spec in opdef._input_specs:
        if spec.variadic:
            out.append(flat[i:i + n_var])
            i += n_var
        else:
            out.append(flat[i])
            i += 1
    return out
