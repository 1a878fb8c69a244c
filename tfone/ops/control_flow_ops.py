"""Ordering and grouping: no_op, group, tuple, with_dependencies, and variable-state checks."""
import builtins

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import Operation, Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         NOT_DIFFERENTIABLE, ALL_INPUTS)
from tfone.ops import array_ops

__all__ = ["no_op", "group", "tuple", "with_dependencies"]


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
