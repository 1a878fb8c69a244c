"""Variable state: the VariableV2 op that holds a buffer per session, and ops that update it.

A variable's value lives in the Session (``ctx.variables[name]``), not in the graph, so two
sessions on one graph hold independent values. Update ops write into that buffer in place.
"""
import numpy as np

from tfone import errors
from tfone.framework.op_registry import OpDef, register_op, apply_op, NOT_DIFFERENTIABLE
from tfone.framework.tensor_shape import TensorShape

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized", "scatter_update",
           "scatter_add", "scatter_sub", "scatter_nd_update", "scatter_nd_add",
           "scatter_nd_sub"]


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


# -- sparse updates: tf.scatter_update & co -----------------------------------------------------
class _Scatter(OpDef):
    """Base of ops that write ``updates`` into the rows ``indices`` of a variable, in place."""
    inputs = ("ref:T", "indices:int32|int64", "updates:T")
    attrs = {"use_locking": False}
    stateful = True
    ref_inputs = (0,)
    aliases = "state"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, ref, indices, updates, use_locking):
        if updates.shape.ndims != 0 and ref.shape.ndims is not None:
            if ref.shape.ndims == 0:
                raise ValueError("%s needs a variable of rank >= 1, got a scalar (%s)"
                                 % (self.type, ref.op.name))
            expected = indices.shape.concatenate(ref.shape[1:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError("Shapes must be equal: updates has shape %s but indices.shape "
                                 "+ ref.shape[1:] is %s (indices %s, variable %s %s); a scalar "
                                 "update is also allowed" % (updates.shape, expected,
                                                             indices.shape, ref.op.name,
                                                             ref.shape))
        return ref.dtype, ref.shape

    @staticmethod
    def _checked(op_type, buf, indices, updates):
        limit = buf.shape[0] if buf.ndim else 0
        flat = indices.reshape(-1)
        bad = np.flatnonzero((flat < 0) | (flat >= limit))
        if bad.size:
            raise errors.InvalidArgumentError(
                None, None, "%s: indices[%d] = %d is not in [0, %d)"
                % (op_type, bad[0], flat[bad[0]], limit))
        if updates.ndim and updates.shape != indices.shape + buf.shape[1:]:
            raise errors.InvalidArgumentError(
                None, None, "%s: Must have updates.shape = indices.shape + params.shape[1:] or "
                "updates.shape = [], got updates.shape %s, indices.shape %s, params.shape %s"
                % (op_type, list(updates.shape), list(indices.shape), list(buf.shape)))
        return indices

    def make_kernel(self, op, ctx):
        store, name = ctx.variables, op.inputs[0].op.name
        update, op_type, checked = self.update, self.type, self._checked

        def run(indices, updates):
            try:
                buf = store[name]
            except KeyError:
                raise _uninitialized(name, "updating it") from None
            update(buf, checked(op_type, buf, np.asarray(indices), np.asarray(updates)),
                   updates)
            return buf
        return run


@register_op("ScatterUpdate")
class ScatterUpdate(_Scatter):
    """Sets rows of a variable in place: ``ref[indices, ...] = updates``."""
    label = "[rows] ="

    @staticmethod
    def update(buf, indices, updates):
        buf[indices] = updates   # a repeated index: one of its updates wins, as in TF1


@register_op("ScatterAdd")
class ScatterAdd(_Scatter):
    """Adds to rows of a variable in place: ``ref[indices, ...] += updates`` (repeated indices
    add up)."""
    label = "[rows] +="

    @staticmethod
    def update(buf, indices, updates):
        np.add.at(buf, indices, updates)


@register_op("ScatterSub")
class ScatterSub(_Scatter):
    """Subtracts from rows of a variable in place: ``ref[indices, ...] -= updates`` (repeated
    indices add up)."""
    label = "[rows] −="

    @staticmethod
    def update(buf, indices, updates):
        np.subtract.at(buf, indices, updates)


class _ScatterNd(_Scatter):
    """Base of ops that write ``updates`` at the index tuples ``indices[..., :]`` of a variable."""

    def infer(self, ref, indices, updates, use_locking):
        depth = indices.shape.as_list()[-1] if indices.shape.ndims else None
        if indices.shape.ndims == 0:
            raise ValueError("%s: indices must have rank >= 1, got a scalar" % self.type)
        rank = ref.shape.ndims
        if depth is not None and rank is not None:
            if depth > rank:
                raise ValueError("%s: the last dimension of indices (%d) must be <= the rank of "
                                 "the variable %s %s" % (self.type, depth, ref.op.name,
                                                         ref.shape))
            expected = indices.shape[:-1].concatenate(ref.shape[depth:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError("Shapes must be equal: updates has shape %s but "
                                 "indices.shape[:-1] + ref.shape[indices.shape[-1]:] is %s "
                                 "(indices %s, variable %s %s)"
                                 % (updates.shape, expected, indices.shape, ref.op.name,
                                    ref.shape))
        return ref.dtype, ref.shape

    @staticmethod
    def _checked(op_type, buf, indices, updates):
        depth = indices.shape[-1]
        if depth > buf.ndim:
            raise errors.InvalidArgumentError(
                None, None, "%s: indices.shape[-1] = %d is more than the rank of the variable "
                "(shape %s)" % (op_type, depth, list(buf.shape)))
        flat = indices.reshape(-1, depth)
        limits = np.array(buf.shape[:depth])
        bad = np.flatnonzero(np.any((flat < 0) | (flat >= limits), axis=1))
        if bad.size:
            raise errors.InvalidArgumentError(
                None, None, "%s: indices[%d] = %s does not index into shape %s"
                % (op_type, bad[0], flat[bad[0]].tolist(), list(buf.shape)))
        expected = indices.shape[:-1] + buf.shape[depth:]
        if updates.shape != expected:
            raise errors.InvalidArgumentError(
                None, None, "%s: updates must have shape indices.shape[:-1] + "
                "params.shape[indices.shape[-1]:] = %s, got %s"
                % (op_type, list(expected), list(updates.shape)))
        return tuple(np.moveaxis(indices, -1, 0))


@register_op("ScatterNdUpdate")
class ScatterNdUpdate(_ScatterNd):
    """Sets elements or slices of a variable in place at the index tuples ``indices``."""
    label = "[nd] ="
    update = staticmethod(ScatterUpdate.update)


@register_op("ScatterNdAdd")
class ScatterNdAdd(_ScatterNd):
    """Adds to elements or slices of a variable in place at the index tuples ``indices``."""
    label = "[nd] +="
    update = staticmethod(ScatterAdd.update)


@register_op("ScatterNdSub")
class ScatterNdSub(_ScatterNd):
    """Subtracts from elements or slices of a variable in place at the index tuples
    ``indices``."""
    label = "[nd] −="
    update = staticmethod(ScatterSub.update)


def _scatter(op_type, ref, indices, updates, use_locking, name):
    return apply_op(op_type, [_ref(ref), indices, updates], {"use_locking": bool(use_locking)},
                    name=name or op_type)


def scatter_update(ref, indices, updates, use_locking=True, name=None):
    """An op that sets ``ref[indices[i], ...] = updates[i, ...]`` in the variable ``ref`` and
    outputs its new value (``updates`` has shape ``indices.shape + ref.shape[1:]``, or is a
    scalar). Not differentiable."""
    return _scatter("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None):
    """An op that adds ``updates[i, ...]`` to ``ref[indices[i], ...]`` in place (repeated
    indices add up) and outputs the variable's new value."""
    return _scatter("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None):
    """An op that subtracts ``updates[i, ...]`` from ``ref[indices[i], ...]`` in place
    (repeated indices add up) and outputs the variable's new value."""
    return _scatter("ScatterSub", ref, indices, updates, use_locking, name)


def scatter_nd_update(ref, indices, updates, use_locking=True, name=None):
    """An op that sets ``ref[tuple(indices[j])] = updates[j]`` in place: the last dimension of
    ``indices`` indexes the first dimensions of ``ref``; outputs the new value."""
    return _scatter("ScatterNdUpdate", ref, indices, updates, use_locking, name)


def scatter_nd_add(ref, indices, updates, use_locking=False, name=None):
    """An op that adds ``updates[j]`` to ``ref[tuple(indices[j])]`` in place (repeated
    indices add up) and outputs the new value."""
    return _scatter("ScatterNdAdd", ref, indices, updates, use_locking, name)


def scatter_nd_sub(ref, indices, updates, use_locking=False, name=None):
    """An op that subtracts ``updates[j]`` from ``ref[tuple(indices[j])]`` in place
    (repeated indices add up) and outputs the new value."""
    return _scatter("ScatterNdSub", ref, indices, updates, use_locking, name)


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
