"""Control flow: no_op, group, tuple, with_dependencies, variable-state checks, tf.cond/case, and
the loops (while_loop, map_fn, scan, foldl, foldr), which are unrolled while the graph is built."""
import builtins
import contextlib

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import Operation, Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         NOT_DIFFERENTIABLE, ALL_INPUTS, REQUIRED)
from tfone.framework.tensor_shape import unknown_shape
from tfone.ops import array_ops

__all__ = ["no_op", "group", "tuple", "with_dependencies", "cond", "case", "smart_cond",
           "while_loop", "map_fn", "scan", "foldl", "foldr"]


@register_op("NoOp")
class NoOp(OpDef):
    """Does nothing; useful as a target that carries control dependencies."""
    num_outputs = 0
    label = "no_op"
    gradient = NOT_DIFFERENTIABLE

    def infer(self):
        return []

    def make_kernel(self, op, ctx):
        return _nothing


def _nothing():
    return ()


def no_op(name=None):
    """An op that does nothing: a target that carries control dependencies."""
    return apply_op("NoOp", [], name=name)


def group(*inputs, **kwargs):
    """An op that runs all of ``inputs`` (ops or tensors); it has no output."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("Unknown keyword arguments: %s" % ", ".join(kwargs))
    deps = []
    for x in inputs:
        if isinstance(x, (list, builtins.tuple)) and not hasattr(x, "_as_graph_element"):
            raise TypeError("Expected tf.group() expected Tensor arguments not '%r' with type "
                            "'%s'" % (x, type(x).__name__))
        if hasattr(x, "_as_graph_element") and not isinstance(x, (Tensor, Operation)):
            x = x._as_graph_element()
        deps.append(x.op if isinstance(x, Tensor) else x)
    with name_scope(name, "group_deps") as scope:
        with get_default_graph().control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies, output_tensor, name=None):
    """``output_tensor``'s value, produced only after ``dependencies`` have run."""
    with name_scope(name, "control_dependency") as scope:
        with get_default_graph().control_dependencies(dependencies):
            output_tensor = convert_to_tensor(output_tensor)
            return array_ops.identity(output_tensor, name=scope)


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 - TF1's name
    """The same tensors, each available only after all of them (and control_inputs) are computed."""
    with name_scope(name, "tuple"):
        gating = [t.op for t in tensors if t is not None]
        if control_inputs:
            gating += [c.op if isinstance(c, Tensor) else c for c in control_inputs]
        gate = group(*gating)
        return [None if t is None else with_dependencies([gate], t) for t in tensors]


# -- variable state checks ---------------------------------------------------------------------------
@register_op("ReportUninitializedVariables")
class ReportUninitializedVariables(OpDef):
    """Names of the given variables that have no value in this session."""
    inputs = ("*var_refs",)
    label = "uninitialized?"
    stateful = True
    ref_inputs = ALL_INPUTS
    gradient = NOT_DIFFERENTIABLE

    def infer(self, var_refs):
        return dtypes.string, [None]

    def make_kernel(self, op, ctx):
        store, names = ctx.variables, [t.op.name for t in op.inputs]
        return lambda: np.array([n.encode() for n in names if n not in store], dtype=object)


def report_uninitialized(var_list, name=None):
    refs = [v._as_graph_element() for v in var_list]
    if not refs:
        from tfone.ops.constant_op import constant
        return constant(np.array([], dtype=object), dtype=dtypes.string, name=name)
    return apply_op("ReportUninitializedVariables", [refs], name=name)


@register_op("AssertVariablesInitialized")
class AssertVariablesInitialized(OpDef):
    """Fails with FailedPreconditionError if any of the variables has no value yet."""
    inputs = ("*var_refs",)
    num_outputs = 0
    label = "assert_init"
    stateful = True
    ref_inputs = ALL_INPUTS
    gradient = NOT_DIFFERENTIABLE

    def infer(self, var_refs):
        return []

    def make_kernel(self, op, ctx):
        store, names = ctx.variables, [t.op.name for t in op.inputs]

        def check():
            missing = [n for n in names if n not in store]
            if missing:
                raise errors.FailedPreconditionError(
                    None, op, "Attempting to use uninitialized value(s): %s" % ", ".join(missing))
            return ()
        return check


def assert_initialized(var_list):
    refs = [v._as_graph_element() for v in var_list]
    return apply_op("AssertVariablesInitialized", [refs])


@register_op("InitializedValue")
class InitializedValue(OpDef):
    """A variable's value if it has one in this session, else its initial value."""
    inputs = ("ref:T", "initial_value:T")
    label = "initialized_value"
    stateful = True
    ref_inputs = (0,)
    gradient = NOT_DIFFERENTIABLE

    def infer(self, ref, initial_value):
        return ref.dtype, ref.shape

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.inputs[0].op.name

        def value(initial):
            buf = store.get(name)
            return initial if buf is None else buf.copy()
        return value


def cond_initialized(variable):
    return apply_op("InitializedValue", [variable._as_graph_element(), variable.initial_value],
                    name="initialized_value")


# -- tf.cond ------------------------------------------------------------------------------------------
@register_op("CondMerge")
class CondMerge(OpDef):
    """The output of a tf.cond: ``true_value`` if ``pred`` else ``false_value``.

    A Session runs only the ops of the taken branch: in the plan, each branch's ops sit
    under ``if pred:`` / ``if not pred:`` (see plan.py). Gradients flow into the taken
    branch only.
    """
    inputs = ("pred:bool", "true_value:T", "false_value:T")
    attrs = {"group": REQUIRED}
    label = "cond"
    foldable = False
    selects_branch = True
    aliases = "input"    # returns a branch's value itself, which may be a variable's buffer

    def infer(self, pred, true_value, false_value, group):
        if pred.shape.ndims not in (None, 0):
            raise ValueError("pred must be a scalar, got shape %s" % pred.shape)
        a, b = true_value.shape, false_value.shape
        if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
            shape = None if a.ndims != b.ndims or a.ndims is None else a
        else:
            shape = [x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())]
        return true_value.dtype, shape

    def compute(self, pred, true_value, false_value, group):
        return true_value if pred else false_value

    def gradient(self, op, grad):
        # Each branch value gets the gradient inside its own branch (so it is only computed
        # when that branch ran); tf.gradients carries it back out with CondMerge ops.
        graph = op.graph
        grads = []
        for branch in graph._cond_groups[op.get_attr("group")]["branches"]:
            with graph._entered_cond_branch(branch):
                grads.append(array_ops.identity(grad, name="%s_grad" % str(branch.branch).lower()))
        return [None] + grads


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``, as graph ops; only the taken branch runs.

    Both functions are called once, now, to build their ops; they must return the same
    structure of tensors (a tensor, or a list/tuple/dict of them). Tensors computed inside a
    branch can only be used through the returned outputs.
    """
    from tfone.framework.graph import CondBranch
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool (use tf.constant, or choose the branch "
                        "in Python)")
    graph = get_default_graph()
    with name_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred, name="pred")
        if pred.dtype != dtypes.bool:
            raise TypeError("pred must be a bool tensor, got %s (%s)" % (pred.dtype.name, pred.name))
        if pred.shape.ndims not in (None, 0):
            raise ValueError("pred must be a scalar, got shape %s" % pred.shape)
        group = scope[:-1]
        parent = graph._cond_branch
        branches = (CondBranch(pred, True, parent, group), CondBranch(pred, False, parent, group))
        graph._cond_groups[group] = {"branches": branches}
        results = []
        for branch, fn in zip(branches, (true_fn, false_fn)):
            with graph._entered_cond_branch(branch):
                results.append(fn())
        flat_true, rebuild = _flatten(results[0])
        flat_false, _ = _flatten(results[1])
        if len(flat_true) != len(flat_false) or _structure(results[0]) != _structure(results[1]):
            raise ValueError("true_fn and false_fn must return the same structure; got %r and %r"
                             % (results[0], results[1]))
        if not flat_true:
            raise ValueError("true_fn and false_fn must return at least one tensor")
        outputs = []
        for t, f in zip(flat_true, flat_false):
            t, f = convert_to_tensor(t), convert_to_tensor(f)
            if t.dtype != f.dtype:
                raise ValueError("Outputs of true_fn and false_fn must have the same type: %s, %s"
                                 % (t.dtype.name, f.dtype.name))
            outputs.append(apply_op("CondMerge", [pred, t, f], {"group": group}, name="Merge"))
        result = rebuild(outputs)
        if not strict and isinstance(result, (list, builtins.tuple)) and len(result) == 1:
            return result[0]
        return result


def _flatten(structure):
    if isinstance(structure, dict):
        keys = sorted(structure)
        return [structure[k] for k in keys], lambda values: dict(zip(keys, values))
    if isinstance(structure, (list, builtins.tuple)):
        kind = type(structure)
        return list(structure), lambda values: kind(values) if kind is not list else list(values)
    return [structure], lambda values: values[0]


def _structure(value):
    if isinstance(value, dict):
        return ("dict", builtins.tuple(sorted(value)))
    if isinstance(value, (list, builtins.tuple)):
        return (type(value).__name__, len(value))
    return "tensor"


def smart_cond(pred, true_fn=None, false_fn=None, name=None):
    """Like cond, but a Python bool or a constant ``pred`` picks the branch at build time."""
    if isinstance(pred, (bool, np.bool_)):
        return true_fn() if pred else false_fn()
    from tfone.framework.op_registry import constant_value
    value = constant_value(convert_to_tensor(pred))
    if value is not None:
        return true_fn() if bool(value) else false_fn()
    return cond(pred, true_fn, false_fn, name=name)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first true predicate (nested tf.conds); ``default`` otherwise."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    pairs = list(pred_fn_pairs)
    if not pairs:
        if default is None:
            raise ValueError("case needs at least one (pred, fn) pair or a default")
        return default()
    if default is None:
        *pairs, (last_pred, last_fn) = pairs
        default = last_fn
    with name_scope(name, "case"):
        if exclusive and len(pairs) > 1:
            from tfone.ops import check_ops, math_ops
            count = math_ops.reduce_sum(math_ops.cast(array_ops.stack([p for p, _ in pairs]),
                                                      dtypes.int32))
            guard = check_ops.assert_less_equal(count, 1, message="More than one condition is true")
            pairs = [(with_dependencies([guard], p), fn) for p, fn in pairs]

        def chain(rest):
            if not rest:
                return default()
            (p, fn), tail = rest[0], rest[1:]
            return cond(p, fn, lambda: chain(tail), strict=strict)
        return chain(pairs)


_cond_op = cond  # tf.cond, for functions below whose TF1 signature has an argument named `cond`


# -- loops: tf.while_loop, tf.map_fn, tf.scan, tf.foldl, tf.foldr ------------------------------------
# tfone has no dynamic loop op: loops are unrolled while the graph is built. A while_loop becomes
# maximum_iterations sequential tf.conds, each running the body only while the condition still
# holds, so the result is exact; map_fn/scan/foldl/foldr call fn once per element of elems'
# static first dimension. Each iteration gets its own name scope (`while/iteration_3/...`), so
# pictures can collapse the repeated iterations into one node.

def _is_nested(value):
    return isinstance(value, (list, builtins.tuple, dict))


def _is_tensor_array(value):
    from tfone.ops.tensor_array_ops import TensorArray
    return isinstance(value, TensorArray)


def _nest_flatten(structure):
    """The leaves of a nested list/tuple/namedtuple/dict structure (dicts in sorted key order);
    a TensorArray contributes its flow tensor."""
    if _is_tensor_array(structure):
        return [structure.flow]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _nest_flatten(structure[key])]
    if isinstance(structure, (list, builtins.tuple)):
        return [leaf for item in structure for leaf in _nest_flatten(item)]
    return [structure]


def _nest_pack(structure, flat):
    """``structure`` rebuilt with the items of ``flat`` as its leaves (in _nest_flatten order)."""
    leaves = iter(flat)

    def build(s):
        if isinstance(s, dict):
            built = {key: build(s[key]) for key in sorted(s)}
            try:
                return type(s)((key, built[key]) for key in s)
            except TypeError:  # dict subclasses with other constructors (defaultdict)
                return {key: built[key] for key in s}
        if isinstance(s, (list, builtins.tuple)):
            values = [build(item) for item in s]
            if isinstance(s, builtins.tuple) and hasattr(s, "_fields"):  # namedtuple
                return type(s)(*values)
            return type(s)(values)
        if _is_tensor_array(s):
            return s._with_flow(next(leaves))
        return next(leaves)
    return build(structure)


def _same_structure(a, b):
    """Same nesting (lists and tuples are interchangeable; dicts need the same keys)."""
    if _is_tensor_array(a) or _is_tensor_array(b):
        return _is_tensor_array(a) and _is_tensor_array(b)
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) and
                all(_same_structure(a[k], b[k]) for k in a))
    if isinstance(a, (list, builtins.tuple)) or isinstance(b, (list, builtins.tuple)):
        return (isinstance(a, (list, builtins.tuple)) and isinstance(b, (list, builtins.tuple))
                and len(a) == len(b) and all(_same_structure(x, y) for x, y in zip(a, b)))
    return True


def _describe_structure(value):
    """A structure with each leaf drawn as '.', e.g. ``(., [., .], {'k': .})``."""
    if _is_tensor_array(value):
        return "TensorArray"
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, _describe_structure(value[k])) for k in sorted(value))
    if isinstance(value, (list, builtins.tuple)):
        inner = ", ".join(_describe_structure(v) for v in value)
        if isinstance(value, list):
            return "[%s]" % inner
        prefix = type(value).__name__ if hasattr(value, "_fields") else ""
        return "%s(%s%s)" % (prefix, inner, "," if len(value) == 1 and not prefix else "")
    return "."


def _flatten_up_to(structure, values, what):
    """The items of ``values`` at the leaf positions of ``structure`` (values may hold lists,
    such as shapes, where structure has a leaf)."""
    if isinstance(structure, dict):
        if not isinstance(values, dict) or set(values) != set(structure):
            raise ValueError("%s must have the structure of loop_vars %s; got %r"
                             % (what, _describe_structure(structure), values))
        return [v for k in sorted(structure) for v in _flatten_up_to(structure[k], values[k], what)]
    if isinstance(structure, (list, builtins.tuple)):
        if not isinstance(values, (list, builtins.tuple)) or len(values) != len(structure):
            raise ValueError("%s must have the structure of loop_vars %s; got %r"
                             % (what, _describe_structure(structure), values))
        return [v for s, x in zip(structure, values) for v in _flatten_up_to(s, x, what)]
    return [values]


def _shape_at_most(shape, invariant):
    """TF1's rule: ``shape`` fits ``invariant`` if it is equal or more specific."""
    if invariant.ndims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(b is None or a == b for a, b in zip(shape.as_list(), invariant.as_list()))


def _static_iterations(maximum_iterations):
    """The number of iterations to unroll: ``maximum_iterations`` as a Python int (>= 0)."""
    from tfone.framework.op_registry import constant_value, is_tensor_like
    if maximum_iterations is None:
        raise ValueError(
            "tf.while_loop needs maximum_iterations in tfone. tfone has no dynamic loop op: it "
            "unrolls the loop while building the graph, into maximum_iterations copies of body, "
            "each of which runs only while cond is still true (so the result is exact). Pass "
            "maximum_iterations=N (a Python int), with N at least the number of iterations the "
            "loop needs: as in TF1, the loop stops after N iterations even if cond is still "
            "true. Keep N modest; every iteration adds body's ops to the graph.")
    value = maximum_iterations
    if is_tensor_like(value):
        tensor = convert_to_tensor(value)
        value = constant_value(tensor)
        if value is None:
            raise ValueError(
                "maximum_iterations must be known when the graph is built (a Python int or a "
                "constant), because tfone unrolls the loop into that many iterations; %s is "
                "computed at run time." % tensor.name)
    value = np.asarray(value)
    if value.ndim != 0:
        raise ValueError("'maximum_iterations' must be a scalar. Received shape: %s"
                         % (value.shape,))
    if value.dtype.kind not in "iuf":
        raise TypeError("maximum_iterations must be a number, got %r" % (maximum_iterations,))
    return builtins.max(int(np.ceil(value)), 0)


def _loop_condition(value, what="cond"):
    pred = convert_to_tensor(value)
    if pred.dtype != dtypes.bool:
        raise TypeError("%s must return a boolean scalar tensor; it returned %s of dtype %s"
                        % (what, pred.name, pred.dtype.name))
    if pred.shape.ndims not in (None, 0):
        raise ValueError("%s must return a boolean scalar tensor; it returned %s of shape %s"
                         % (what, pred.name, pred.shape))
    return pred


@contextlib.contextmanager
def _repeated_call(k, what):
    """Calls of the user's function after the first one (TF1 calls it once): variables it
    gets with tf.get_variable are shared with the first call; new variables are an error."""
    if k == 0:
        yield
        return
    from tfone.framework.graph import GraphKeys
    from tfone.ops import variable_scope as vs
    graph = get_default_graph()
    keys = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES)
    before = {id(v) for key in keys for v in graph.get_collection(key)}
    try:
        with vs.variable_scope(vs.get_variable_scope(), reuse=True, auxiliary_name_scope=False):
            yield
    except ValueError as e:
        if "does not exist" not in str(e):
            raise
        raise ValueError(
            "%s\n  (raised while tfone built iteration %d of %s: tfone unrolls the loop and "
            "calls the function once per iteration, where TF1 calls it once; variables made with "
            "tf.get_variable in the first call are reused, but layers or variables created anew "
            "in every call cannot be. Create them outside the loop and use them inside.)"
            % (e, k, what)) from e
    created = [v for key in keys for v in graph.get_collection(key) if id(v) not in before]
    if created:
        raise ValueError(
            "%s created new variables (%s) in iteration %d. tfone unrolls the loop and calls the "
            "function once per iteration, where TF1 calls it once, so variables made inside it "
            "would be duplicated. Create them outside the loop (or with tf.get_variable, which "
            "the repeated calls reuse)." % (what, ", ".join(v.op.name for v in created), k))


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeat ``body`` while ``cond`` is true (TF1's tf.while_loop, unrolled; needs maximum_iterations).

    ``cond(*loop_vars)`` returns a boolean scalar tensor; ``body(*loop_vars)`` returns new
    values with the same structure (nested lists/tuples/namedtuples/dicts), dtypes and,
    unless ``shape_invariants`` allows otherwise, shapes. Returns the final loop variables
    (a single one unwrapped, unless ``return_same_structure``).

    tfone has no dynamic loop op, so the loop is unrolled while the graph is built: iteration
    k is ``loop_vars = tf.cond(keep_going, body-then-cond, pass-through)``, in the name scope
    ``while/iteration_k``, and ``maximum_iterations`` (required; a Python int or constant)
    sets how many are built. Iterations after ``cond`` turns false do not run, so the result
    is exact; as in TF1, the loop stops after ``maximum_iterations`` iterations even if
    ``cond`` is still true. Gradients flow through the iterations that ran. ``cond`` and
    ``body`` are called once per unrolled iteration (TF1 calls them once); variables they make
    with tf.get_variable are shared between the calls. ``back_prop=False`` stops gradients at
    the outputs; ``parallel_iterations`` and ``swap_memory`` are accepted and ignored.
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if not isinstance(loop_vars, (list, builtins.tuple)):
        raise TypeError("loop_vars must be a list or tuple with one entry per argument of cond "
                        "and body (write [x] for a single loop variable); got %r" % (loop_vars,))
    if not loop_vars:
        raise ValueError("No loop variables provided")
    single = len(loop_vars) == 1 and not return_same_structure
    structure = loop_vars[0] if single else loop_vars
    with name_scope(name, "while"):
        iterations = _static_iterations(maximum_iterations)
        flat = [convert_to_tensor(v) for v in _nest_flatten(structure)]
        if not flat:
            raise ValueError("loop_vars must contain at least one tensor; got %r" % (loop_vars,))
        if shape_invariants is None:
            invariants = [t.shape for t in flat]
        else:
            from tfone.framework.tensor_shape import as_shape
            invariants = [as_shape(s) for s in
                          _flatten_up_to(loop_vars, shape_invariants, "shape_invariants")]
            for t, invariant, ta in zip(flat, invariants, _tensor_arrays(structure)):
                if ta is None and not _shape_at_most(t.shape, invariant):
                    raise ValueError(
                        "The shape invariant specified for %s is not compatible with the initial "
                        "shape of the loop variable. It enters the loop with shape %s, but the "
                        "specified shape invariant is %s." % (t.name, t.shape, invariant))
        # A TensorArray's flow changes shape at its first write: no invariant applies to it.
        tensor_arrays = _tensor_arrays(structure)
        invariants = [unknown_shape() if ta is not None else invariant
                      for ta, invariant in zip(tensor_arrays, invariants)]
        entering = list(flat)

        def call(fn, values, template):
            packed = _nest_pack(template, values)
            return fn(packed) if single else fn(*packed)

        def body_outputs(result):
            """The flat tensors of body's result, checked against the loop variables."""
            if single:
                if not _same_structure(result, structure) and isinstance(
                        result, (list, builtins.tuple)) and len(result) == 1:
                    result = result[0]   # [x] for a single loop variable x, as TF1 allows
                matches = _same_structure(result, structure)
            else:
                if not isinstance(result, (list, builtins.tuple, dict)):
                    result = [result]
                matches = (isinstance(result, (list, builtins.tuple)) and
                           _same_structure(list(result), list(structure)))
            if not matches:
                raise ValueError(
                    "body must return the structure of loop_vars: the loop variables are %s but "
                    "body returned %s" % (_describe_structure(structure),
                                          _describe_structure(result)))
            values = []
            for i, (value, before, invariant) in enumerate(zip(_nest_flatten(result), entering,
                                                                invariants)):
                if not isinstance(value, Tensor) and not hasattr(value, "_as_graph_element"):
                    value = convert_to_tensor(value, dtype=before.dtype)
                value = convert_to_tensor(value)
                if value.dtype.base_dtype != before.dtype.base_dtype:
                    raise TypeError(
                        "body returned %s of dtype %s for loop variable %d, which enters the loop "
                        "as %s of dtype %s; a loop variable keeps its dtype (use tf.cast)."
                        % (value.name, value.dtype.name, i, before.name, before.dtype.name))
                if not _shape_at_most(value.shape, invariant):
                    raise ValueError(
                        "Input tensor '%s' enters the loop with shape %s, but has shape %s after "
                        "one iteration. To allow the shape to vary across iterations, use the "
                        "`shape_invariants` argument of tf.while_loop to specify a less-specific "
                        "shape." % (before.name, invariant, value.shape))
                values.append(value)
            return result, values

        # The loop variables' structure, with the TensorArrays' latest metadata (element shape).
        out_structure = [structure]
        with name_scope("cond"):
            keep_going = _loop_condition(call(cond, flat, structure))
        for k in range(iterations):
            entering_structure = out_structure[0]

            def run_body(k=k, current=flat, template=entering_structure):
                with _repeated_call(k, "the body of tf.while_loop"):
                    with name_scope("body"):
                        out_structure[0], values = body_outputs(call(body, current, template))
                    with name_scope("cond"):
                        more = _loop_condition(call(cond, values, out_structure[0]))
                return values + [more]

            def skip(current=flat, going=keep_going, template=entering_structure):
                # tf.cond builds this branch after run_body: a TensorArray first written by
                # body gets an empty flow of the same shape here, so both branches agree.
                values = list(current)
                pairs = zip(_tensor_arrays(template), _tensor_arrays(out_structure[0]))
                for i, (before, after) in enumerate(pairs):
                    if (before is not None and after is not None and not before._materialized
                            and after._materialized):
                        empty = after._empty_flow()
                        if empty is not None:
                            values[i] = empty
                return values + [going]
            merged = _cond_op(keep_going, run_body, skip, strict=True, name="iteration_%d" % k)
            flat, keep_going = merged[:-1], merged[-1]
        exit_op = array_ops.identity if back_prop else array_ops.stop_gradient
        # TF1's loop (with maximum_iterations) names its outputs Exit_1, Exit_2, ...
        exits = [exit_op(t, name="Exit_%d" % (i + 1)) for i, t in enumerate(flat)]
        return _nest_pack(out_structure[0], exits)


def _tensor_arrays(structure):
    """For each leaf of _nest_flatten(structure): its TensorArray, or None for a tensor."""
    if _is_tensor_array(structure):
        return [structure]
    if isinstance(structure, dict):
        return [ta for key in sorted(structure) for ta in _tensor_arrays(structure[key])]
    if isinstance(structure, (list, builtins.tuple)):
        return [ta for item in structure for ta in _tensor_arrays(item)]
    return [None]


def _elems_length(elems_flat, what):
    """The static first dimension shared by every tensor of elems (ValueError if unknown)."""
    if not elems_flat:
        raise ValueError("elems must contain at least one tensor")
    length = None
    for e in elems_flat:
        if e.shape.ndims == 0:
            raise ValueError("%s must be 1+ dimensional Tensors, not scalars (%s)"
                             % ("elems" if len(elems_flat) == 1 else "Elements in elems", e.name))
        first = None if e.shape.ndims is None else e.shape.as_list()[0]
        if first is None:
            raise ValueError(
                "tf.%s unrolls fn over the first dimension of elems while building the graph "
                "(tfone has no dynamic loop op), so that dimension must be known; %s has shape %s. "
                "Give it a fixed size (e.g. tf.placeholder(tf.float32, [32, ...])), or apply the "
                "computation to the whole batch at once (most ops work on batches)."
                % (what, e.name, e.shape))
        if length is not None and first != length:
            raise ValueError("Dimensions %d and %d are not compatible: every tensor in elems must "
                             "have the same first dimension (%s has shape %s)"
                             % (length, first, e.name, e.shape))
        length = first
    return length


def _fn_outputs(value, structure, dtypes_flat, what):
    """The flat tensors of fn's result, checked against ``structure`` and its dtypes."""
    if _is_nested(structure):
        if not _same_structure(value, structure):
            raise ValueError("%s must return the structure %s; it returned %s"
                             % (what, _describe_structure(structure), _describe_structure(value)))
        leaves = _nest_flatten(value)
    else:
        if _is_nested(value):
            raise ValueError("%s must return a single tensor; it returned %s"
                             % (what, _describe_structure(value)))
        leaves = [value]
    tensors = []
    for value, dtype in zip(leaves, dtypes_flat):
        if not isinstance(value, Tensor) and not hasattr(value, "_as_graph_element"):
            value = convert_to_tensor(value, dtype=dtype)
        value = convert_to_tensor(value)
        if value.dtype.base_dtype != dtype:
            raise TypeError("%s returned %s of dtype %s where %s is expected (pass dtype= to "
                            "declare fn's output dtypes, or use tf.cast)"
                            % (what, value.name, value.dtype.name, dtype.name))
        tensors.append(value)
    return tensors


def _empty_stack(value):
    """A stack of zero copies of ``value``: shape [0] + value's shape."""
    if value.shape.is_fully_defined():
        return array_ops.zeros([0] + value.shape.as_list(), value.dtype)
    return array_ops.zeros(array_ops.concat([[0], array_ops.shape(value)], 0), value.dtype)


def _stack_results(per_element, n, templates):
    outputs = []
    for i, template in enumerate(templates):
        if n == 0:
            outputs.append(_empty_stack(template))
        else:
            outputs.append(array_ops.stack([values[i] for values in per_element]))
    return outputs


def _unstacked(elems_flat, n):
    return [array_ops.unstack(e, num=n) if n else [] for e in elems_flat]


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None):
    """``fn`` applied to each slice of ``elems`` along its first dimension, stacked (TF1's tf.map_fn).

    ``elems`` is a tensor or a nested structure of tensors with the same first dimension; fn
    receives the same structure of slices. ``dtype`` gives fn's output dtypes (and
    structure) when they differ from elems'. tfone unrolls the map while building the graph,
    one name scope per element (``map/iteration_k``), so the first dimension of elems must be
    known statically. ``parallel_iterations``, ``swap_memory`` and ``infer_shape`` are
    accepted and ignored; ``back_prop=False`` stops gradients at the output.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    nested = _is_nested(elems)
    with name_scope(name, "map"):
        elems_flat = [convert_to_tensor(e, name="elem") for e in _nest_flatten(elems)]
        n = _elems_length(elems_flat, "map_fn")

        def input_pack(values):
            return _nest_pack(elems, values) if nested else values[0]
        if dtype is None:
            out_structure = input_pack([e.dtype for e in elems_flat])
        else:
            out_structure = dtype
        out_dtypes = [dtypes.as_dtype(d) for d in _nest_flatten(out_structure)]
        slices = _unstacked(elems_flat, n)
        results = []
        for k in range(builtins.max(n, 1)):
            with name_scope("iteration_%d" % k), _repeated_call(k, "the fn of tf.map_fn"):
                if n:
                    value = fn(input_pack([s[k] for s in slices]))
                else:  # no elements: fn is called on zeros only to learn its output shapes
                    value = fn(input_pack([array_ops.zeros(array_ops.shape(e)[1:], e.dtype)
                                           for e in elems_flat]))
                results.append(_fn_outputs(value, out_structure, out_dtypes, "fn of tf.map_fn"))
        outputs = _stack_results(results, n, results[0])
        if not back_prop:
            outputs = [array_ops.stop_gradient(t) for t in outputs]
        return _nest_pack(out_structure, outputs) if _is_nested(out_structure) else outputs[0]


def _accumulate(fn, elems, initializer, reverse, what):
    """Shared by scan/foldl/foldr: run ``a = fn(a, x)`` over the slices of elems.

    Returns (accumulator structure, n, {element index: flat accumulator after it}, final flat
    accumulator, initial flat accumulator)."""
    nested = _is_nested(elems)
    elems_flat = [convert_to_tensor(e, name="elem") for e in _nest_flatten(elems)]
    n = _elems_length(elems_flat, what)
    slices = _unstacked(elems_flat, n)
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))

    def input_pack(values):
        return _nest_pack(elems, values) if nested else values[0]
    after = {}
    if initializer is None:
        if n == 0:
            raise ValueError("tf.%s over elems with no elements needs an initializer (%s has "
                             "shape %s)" % (what, elems_flat[0].name, elems_flat[0].shape))
        structure = input_pack([e.dtype for e in elems_flat])
        first = order.pop(0)
        acc = [s[first] for s in slices]
        after[first] = acc
    else:
        structure = initializer
        acc = [convert_to_tensor(a) for a in _nest_flatten(initializer)]
    initial = acc
    acc_dtypes = [t.dtype.base_dtype for t in acc]

    def acc_pack(values):
        return _nest_pack(structure, values) if _is_nested(structure) else values[0]
    for k, index in enumerate(order):
        with name_scope("iteration_%d" % k), _repeated_call(k, "the fn of tf.%s" % what):
            value = fn(acc_pack(acc), input_pack([s[index] for s in slices]))
            acc = _fn_outputs(value, structure, acc_dtypes, "fn of tf.%s" % what)
        for before, now in zip(initial, acc):
            if not _shape_at_most(now.shape, before.shape):
                raise ValueError(
                    "fn of tf.%s must keep the accumulator's shape: it starts with shape %s "
                    "(%s) but fn returned shape %s" % (what, before.shape, before.name, now.shape))
        after[index] = acc
    return structure, n, after, acc, initial


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """Every accumulator of ``a = fn(a, x)`` over the slices of ``elems``, stacked (TF1's tf.scan).

    Without ``initializer`` the first slice is the first accumulator (and the first output).
    Output k holds the accumulator after element k (``reverse=True`` runs from the last
    element to the first, outputs still in elems' order). fn's output has the structure
    and dtypes of ``initializer`` (or of elems). Unrolled while building the graph, so elems'
    first dimension must be known statically.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, "scan"):
        structure, n, after, _, initial = _accumulate(fn, elems, initializer, reverse, "scan")
        outputs = _stack_results([after[i] for i in range(n)], n, initial)
        if not back_prop:
            outputs = [array_ops.stop_gradient(t) for t in outputs]
        return _nest_pack(structure, outputs) if _is_nested(structure) else outputs[0]


def _fold(fn, elems, initializer, back_prop, name, reverse, what):
    if not callable(fn):
        raise TypeError("fn must be callable.")
    with name_scope(name, what):
        structure, _, _, final, _ = _accumulate(fn, elems, initializer, reverse, what)
        if not back_prop:
            final = [array_ops.stop_gradient(t) for t in final]
        return _nest_pack(structure, final) if _is_nested(structure) else final[0]


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """The last accumulator of ``a = fn(a, x)`` over the slices of ``elems``, first to last (TF1's tf.foldl).

    Without ``initializer`` the first slice starts the accumulator. Unrolled while building
    the graph, so elems' first dimension must be known statically.
    """
    return _fold(fn, elems, initializer, back_prop, name, False, "foldl")


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """The last accumulator of ``a = fn(a, x)`` over the slices of ``elems``, last to first (TF1's tf.foldr).

    Without ``initializer`` the last slice starts the accumulator. Unrolled while building
    the graph, so elems' first dimension must be known statically.
    """
    return _fold(fn, elems, initializer, back_prop, name, True, "foldr")
