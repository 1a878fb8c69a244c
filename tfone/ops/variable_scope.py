"""Sharing variables by name: tf.variable_scope and tf.get_variable.

``get_variable('w', shape)`` inside ``variable_scope('layer1')`` creates or (with reuse)
returns the variable named ``layer1/w``. The names are independent of name scopes, which only
prefix ops; a variable scope opens a name scope of the same name for convenience.
"""
import contextlib
import traceback

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, get_default_graph
from tfone.framework.op_registry import is_tensor_like, convert_to_tensor
from tfone.framework.tensor_shape import as_shape
from tfone.ops.variables import Variable

__all__ = ["variable_scope", "get_variable", "get_variable_scope", "VariableScope",
           "AUTO_REUSE", "get_local_variable"]


class _ReuseMode:
    def __repr__(self):
        return "tf.AUTO_REUSE"


AUTO_REUSE = _ReuseMode()  # create the variable if missing, else reuse it


class VariableScope:
    """Defaults for get_variable inside a scope: name prefix, reuse, initializer, regularizer."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, name_scope="", dtype=dtypes.float32,
                 use_resource=None, constraint=None):
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtypes.as_dtype(dtype)
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self):
        """Reuse variables in this scope from now on."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_dtype(self, dtype):
        self._dtype = dtypes.as_dtype(dtype)

    def global_variables(self):
        return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, self._prefix())

    def trainable_variables(self):
        return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, self._prefix())

    def _prefix(self):
        return self._name + "/" if self._name else None

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     constraint=None):
        full_name = self._name + "/" + name if self._name else name
        return self._get_variable_by_full_name(
            var_store, full_name, shape=shape, dtype=dtype, initializer=initializer,
            regularizer=regularizer, reuse=reuse, trainable=trainable, collections=collections,
            constraint=constraint)

    def _get_variable_by_full_name(self, var_store, full_name, shape=None, dtype=None,
                                   initializer=None, regularizer=None, reuse=None,
                                   trainable=None, collections=None, constraint=None):
        graph = get_default_graph()
        with graph.name_scope(None):  # variables are named by variable scope, not name scope
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype or self._dtype,
                initializer=initializer if initializer is not None else self._initializer,
                regularizer=regularizer if regularizer is not None else self._regularizer,
                reuse=self._reuse if reuse is None else reuse, trainable=trainable,
                collections=collections,
                constraint=constraint if constraint is not None else self._constraint)

    def __repr__(self):
        return "<VariableScope %r reuse=%r>" % (self._name, self._reuse)


class _VariableStore:
    """Per-graph registry of variables made by get_variable, and variable-scope counters."""

    def __init__(self):
        self.variables = {}
        self.locations = {}
        self.scope_counts = {}
        self.current_scope = VariableScope(False)

    def get_variable(self, name, shape, dtype, initializer, regularizer, reuse, trainable,
                     collections, constraint):
        dtype = dtypes.as_dtype(dtype)
        if is_tensor_like(initializer) or isinstance(initializer, (np.ndarray, list)) or (
                np.isscalar(initializer) and not callable(initializer)):
            init_value = convert_to_tensor(initializer, dtype=dtype if not is_tensor_like(
                initializer) else None)
            if shape is not None and is_tensor_like(initializer):
                raise ValueError("If initializer is a constant, do not specify shape.")
            shape = init_value.shape
            dtype = init_value.dtype
        else:
            init_value = None
        shape = None if shape is None else as_shape(shape)
        existing = self.variables.get(name)
        if existing is not None:
            if reuse is False or reuse is None:
                raise ValueError("Variable %s already exists, disallowed. Did you mean to set "
                                 "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                                 "defined at:\n\n%s" % (name, self.locations.get(name, "")))
            if shape is not None and not shape.is_compatible_with(existing.shape):
                raise ValueError("Trying to share variable %s, but specified shape %s and found "
                                 "shape %s." % (name, shape, existing.shape))
            if dtype != existing.dtype:
                raise ValueError("Trying to share variable %s, but specified dtype %s and found "
                                 "dtype %s." % (name, dtype.name, existing.dtype.name))
            return existing
        if reuse is True:
            raise ValueError("Variable %s does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                             "VarScope?" % name)
        if init_value is None:
            if shape is None or not shape.is_fully_defined():
                raise ValueError("Shape of a new variable (%s) must be fully defined, but instead "
                                 "was %s." % (name, shape))
            if initializer is None:
                initializer = _default_initializer(name, dtype)
            shape_list = shape.as_list()

            def initial_value():
                return _call_initializer(initializer, shape_list, dtype)
        else:
            initial_value = init_value
        if trainable is None:
            trainable = True
        variable = Variable(initial_value=initial_value, name=name, trainable=trainable,
                            collections=collections, dtype=dtype, constraint=constraint)
        self.variables[name] = variable
        self.locations[name] = "".join(traceback.format_list(_user_stack()[-3:]))
        if regularizer is not None:
            graph = get_default_graph()
            with graph.name_scope(name + "/Regularizer/"):
                loss = regularizer(variable.value())
            if loss is not None:
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable


def _user_stack():
    from tfone.framework.source_info import _INTERNAL_PREFIXES
    frames = traceback.extract_stack()
    return [f for f in frames if not f.filename.startswith(tuple(_INTERNAL_PREFIXES))]


def _call_initializer(initializer, shape, dtype):
    try:
        return initializer(shape, dtype=dtype, partition_info=None)
    except TypeError as e:
        if "partition_info" not in str(e):
            raise
        return initializer(shape, dtype=dtype)


def _default_initializer(name, dtype):
    """Glorot-uniform for floats, zeros for ints and bools, as TF1's get_variable does."""
    if dtype.is_floating:
        from tfone.ops import init_ops
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_bool or dtype == dtypes.string:
        from tfone.ops.array_ops import zeros

        def zeros_initializer(shape, dtype=dtype, partition_info=None):
            return zeros(shape, dtype=dtype)
        return zeros_initializer
    raise ValueError("An initializer for variable %s of %s is required" % (name, dtype.name))


def _store(graph=None):
    graph = graph or get_default_graph()
    if graph._variable_scope_store is None:
        graph._variable_scope_store = _VariableStore()
    return graph._variable_scope_store


def get_variable_scope():
    """The current VariableScope (set by the innermost tf.variable_scope)."""
    return _store().current_scope


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                 aggregation=None):
    """Get the variable ``<scope>/name``, creating it (unless reuse=True) with ``initializer``."""
    if partitioner is not None:
        raise ValueError("Partitioned variables are not supported by tfone (partitioner=%r)."
                         % (partitioner,))
    scope = get_variable_scope()
    getter = custom_getter or scope.custom_getter
    full_name = scope.name + "/" + name if scope.name else name

    def true_getter(name, shape=None, dtype=None, initializer=None, regularizer=None,
                    trainable=None, collections=None, constraint=None, **unused):
        # As in TF1, getters (and custom getters) receive the full variable name.
        return scope._get_variable_by_full_name(
            _store(), name, shape=shape, dtype=dtype, initializer=initializer,
            regularizer=regularizer, trainable=trainable, collections=collections,
            constraint=constraint)
    if getter is not None:
        return getter(true_getter, full_name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      constraint=constraint)
    return true_getter(full_name, shape=shape, dtype=dtype, initializer=initializer,
                       regularizer=regularizer, trainable=trainable, collections=collections,
                       constraint=constraint)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, **kwargs):
    """tf.get_variable for a local variable: not trainable, in GraphKeys.LOCAL_VARIABLES
    (initialized by tf.local_variables_initializer())."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape, dtype, initializer, regularizer, False, collections, **kwargs)


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Prefix get_variable names with a scope; ``reuse=True``/``tf.AUTO_REUSE`` shares them.

    Reuse is inherited: inside a reusing scope every sub-scope reuses too.
    """
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if reuse not in (None, True, False) and reuse is not AUTO_REUSE:
        raise ValueError("The reuse parameter must be True or False or None or tf.AUTO_REUSE.")
    graph = get_default_graph()
    store = _store(graph)
    parent = store.current_scope
    if isinstance(name_or_scope, VariableScope):
        base = name_or_scope
        full_name = base.name
        new_reuse = reuse if reuse else base.reuse
    else:
        base = parent
        relative = name_or_scope if name_or_scope is not None else _unique_scope_name(
            store, parent, default_name)
        full_name = parent.name + "/" + relative if parent.name else relative
        new_reuse = reuse if reuse else parent.reuse
    store.scope_counts[full_name] = store.scope_counts.get(full_name, 0) + 1
    new_scope = VariableScope(
        new_reuse, name=full_name,
        initializer=initializer if initializer is not None else base.initializer,
        regularizer=regularizer if regularizer is not None else base.regularizer,
        custom_getter=custom_getter if custom_getter is not None else base.custom_getter,
        dtype=dtype if dtype is not None else base.dtype,
        constraint=constraint if constraint is not None else base.constraint)
    store.current_scope = new_scope
    # As TF1: leaving a scope object restores the scope counts; leaving a named scope forgets
    # its sub-scopes, so `with variable_scope('a')` entered again reuses the names 'a/dense'...
    saved_counts = dict(store.scope_counts) if isinstance(name_or_scope, VariableScope) else None
    try:
        if not auxiliary_name_scope:
            new_scope._name_scope = (base.original_name_scope if base is name_or_scope
                                     else graph.get_name_scope())
            yield new_scope
        elif isinstance(name_or_scope, VariableScope):
            # Re-entering a scope object re-enters its original name scope exactly.
            new_scope._name_scope = base.original_name_scope
            with graph.name_scope(base.original_name_scope or None):
                yield new_scope
        else:
            with graph.name_scope(full_name.rsplit("/", 1)[-1]) as ns:
                new_scope._name_scope = ns
                yield new_scope
    finally:
        store.current_scope = parent
        if saved_counts is not None:
            store.scope_counts = saved_counts
        else:
            prefix = full_name + "/"
            for key in store.scope_counts:
                if key.startswith(prefix):
                    store.scope_counts[key] = 0


def _unique_scope_name(store, parent, prefix):
    """``prefix``, or ``prefix_1``, ``prefix_2``... if a scope of that name was opened before."""
    full = parent.name + "/" + prefix if parent.name else prefix
    if store.scope_counts.get(full, 0) == 0:
        return prefix
    index = 1
    while store.scope_counts.get("%s_%d" % (full, index), 0) > 0:
        index += 1
    return "%s_%d" % (prefix, index)
