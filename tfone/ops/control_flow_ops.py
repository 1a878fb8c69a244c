"""Ordering and grouping: no_op, group, tuple, with_dependencies, and variable-state checks."""
import builtins

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import Operation, Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         NOT_DIFFERENTIABLE, ALL_INPUTS, REQUIRED)
from tfone.ops import array_ops

__all__ = ["no_op", "group", "tuple", "with_dependencies", "cond", "case", "smart_cond"]


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
    with name_scope(name, "tuple") as scope:
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
    under ``if pred:`` / ``if not pred:`` (see session.py). Gradients flow into the taken
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
    with name_scope(name, "case") as scope:
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
