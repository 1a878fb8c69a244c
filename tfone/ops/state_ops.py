"""Variable state: the VariableV2 op that holds a buffer per session, and ops that update it.

A variable's value lives in the Session (``ctx.variables[name]``), not in the graph, so two
sessions on one graph hold independent values. Update ops write into that buffer in place.
"""
import numpy as np

from tfone import errors
from tfone.framework.op_registry import OpDef, register_op, apply_op, NOT_DIFFERENTIABLE
from tfone.framework.tensor_shape import TensorShape

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


def _uninitialized(name, reader):
    return errors.FailedPreconditionError(
        None, None, "Attempting to use uninitialized value %s\n  Hint: run "
        "sess.run(tf.global_variables_initializer()) (or the variable's .initializer) before "
        "%s." % (name, reader))


@register_op("VariableV2")
class VariableV2(OpDef):
    """A variable's buffer in the running session; see tf.Variable."""
    attrs = {"shape": None, "dtype": None, "container": "", "shared_name": ""}
    label = "variable"
    stateful = True
    aliases = "state"
    read_at_use = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, shape, dtype, container, shared_name):
        return dtype, shape

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.name

        def read():
            try:
                return store[name]
            except KeyError:
                raise _uninitialized(name, "reading it") from None
        return read


class _Update(OpDef):
    """Base of ops that write into a variable; input 0 names the variable (not evaluated)."""
    inputs = ("ref:T", "value:T")
    attrs = {"use_locking": False}
    stateful = True
    ref_inputs = (0,)
    aliases = "state"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, ref, value, **attrs):
        if not ref.shape.is_compatible_with(value.shape):
            raise ValueError("Shapes of variable %s %s and value %s are incompatible"
                             % (ref.op.name, ref.shape, value.shape))
        return ref.dtype, ref.shape

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.inputs[0].op.name
        update = self.update

        def run(value):
            try:
                buf = store[name]
            except KeyError:
                raise _uninitialized(name, "updating it") from None
            update(buf, value)
            return buf
        return run


@register_op("Assign")
class Assign(OpDef):
    """Sets a variable's value (this is what an initializer runs)."""
    inputs = ("ref:T", "value:T")
    attrs = {"validate_shape": True, "use_locking": False}
    label = "assign"
    stateful = True
    ref_inputs = (0,)
    aliases = "state"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, ref, value, validate_shape, use_locking):
        if validate_shape and not ref.shape.is_compatible_with(value.shape):
            raise ValueError("Shapes %s and %s are incompatible: cannot assign a value of shape %s "
                             "to variable %s" % (ref.shape, value.shape, value.shape, ref.op.name))
        return ref.dtype, ref.shape if validate_shape else value.shape

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.inputs[0].op.name
        np_dtype = op.inputs[0].dtype._np
        declared = op.inputs[0].shape
        validate = op.get_attr("validate_shape")

        def assign(value):
            buf = store.get(name)
            if buf is not None and buf.shape == np.shape(value):
                np.copyto(buf, value)  # in place: no new allocation per training step
                return buf
            if validate and not declared.is_compatible_with(np.shape(value)):
                raise ValueError("Assign requires shapes of both tensors to match. lhs shape= %s "
                                 "rhs shape= %s" % (declared, TensorShape(np.shape(value))))
            buf = np.array(value, dtype=np_dtype, copy=True)
            store[name] = buf
            return buf
        return assign


@register_op("AssignAdd")
class AssignAdd(_Update):
    """Adds to a variable in place: ``ref += value``."""
    label = "+="

    @staticmethod
    def update(buf, value):
        np.add(buf, value, out=buf)


@register_op("AssignSub")
class AssignSub(_Update):
    """Subtracts from a variable in place: ``ref -= value``."""
    label = "−="

    @staticmethod
    def update(buf, value):
        np.subtract(buf, value, out=buf)


@register_op("IsVariableInitialized")
class IsVariableInitialized(OpDef):
    """True once the variable has a value in this session."""
    inputs = ("ref:T",)
    label = "initialized?"
    stateful = True
    ref_inputs = (0,)
    gradient = NOT_DIFFERENTIABLE

    def infer(self, ref):
        from tfone.framework import dtypes
        return dtypes.bool, []

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.inputs[0].op.name
        return lambda: np.bool_(name in store)


def _ref(variable):
    return variable._as_graph_element() if hasattr(variable, "_as_graph_element") else variable


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """An op that stores ``value`` in the variable ``ref`` and outputs the new value; like every
    op, it runs only when fetched or needed by what is fetched."""
    return apply_op("Assign", [_ref(ref), value], {
        "validate_shape": True if validate_shape is None else bool(validate_shape),
        "use_locking": bool(use_locking)}, name=name or "Assign")


def assign_add(ref, value, use_locking=None, name=None):
    """An op that adds ``value`` to the variable ``ref`` and outputs the new value."""
    return apply_op("AssignAdd", [_ref(ref), value], {"use_locking": bool(use_locking)},
                    name=name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """An op that subtracts ``value`` from the variable ``ref`` and outputs the new value."""
    return apply_op("AssignSub", [_ref(ref), value], {"use_locking": bool(use_locking)},
                    name=name or "AssignSub")


def is_variable_initialized(variable):
    return apply_op("IsVariableInitialized", [_ref(variable)], name="IsVariableInitialized")
