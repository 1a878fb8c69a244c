"""tf.Variable: a named buffer that keeps its value across Session.run calls.

Building ``tf.Variable(init, name='W')`` adds four ops, as TF1 does::

    W/initial_value  (Const)       the initial value (or W/Initializer/... for callables)
    W                (VariableV2)  the buffer itself; output W:0
    W/Assign         (Assign)      copies the initial value in: this is ``W.initializer``
    W/read           (Identity)    the value other ops consume: ``W.value()``
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, get_default_graph, name_scope
from tfone.framework.op_registry import apply_op, convert_to_tensor
from tfone.framework.tensor_shape import as_shape, unknown_shape
from tfone.ops import array_ops, state_ops

__all__ = ["Variable", "global_variables", "trainable_variables", "local_variables",
           "model_variables", "all_variables", "global_variables_initializer",
           "local_variables_initializer", "variables_initializer", "initialize_all_variables",
           "is_variable_initialized", "report_uninitialized_variables",
           "assert_variables_initialized"]


class Variable:
    """A graph variable: ``W = tf.Variable(tf.zeros([3, 4]), name='W')``.

    Use it like a tensor (its value is ``W/read:0``); change it with ``assign`` ops; give it a
    value in a session with ``sess.run(W.initializer)`` or ``tf.global_variables_initializer()``.
    """

    __array_priority__ = 100
    __array_ufunc__ = None

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None, use_resource=None,
                 synchronization=None, aggregation=None, shape=None):
        if variable_def is not None:
            raise ValueError("Building a Variable from variable_def is not supported; use "
                             "tf.import_graph_def and tf.train.Saver instead.")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        init_from_fn = callable(initial_value)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError("collections argument to Variable constructor must be a list, tuple, "
                             "or set. Got %s of type %s" % (collections, type(collections)))
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        graph = get_default_graph()
        # As TF1 (init_scope): a variable is made outside any control dependencies and tf.cond
        # branch it is created in, so it can be initialized and read anywhere.
        with graph.control_dependencies(None), graph.name_scope(name or "Variable") as scope:
            if init_from_fn:
                with graph.name_scope("Initializer"), graph.device(None):
                    self._initial_value = convert_to_tensor(initial_value(), name="initial_value",
                                                            dtype=dtype)
            else:
                self._initial_value = convert_to_tensor(initial_value, name="initial_value",
                                                        dtype=dtype)
                if getattr(self._initial_value.op, "_cond", None) is not None:
                    raise ValueError(
                        "Initializer for variable %s is from inside a control-flow construct, "
                        "such as a loop or conditional. When creating a variable inside a loop "
                        "or conditional, use a lambda as the initializer." % scope)
            init_shape = self._initial_value.shape
            if shape is not None:
                var_shape = as_shape(shape)
            elif validate_shape:
                var_shape = init_shape
            else:
                var_shape = unknown_shape()
            if validate_shape and not var_shape.is_fully_defined():
                raise ValueError("initial_value must have a shape specified: %s (variable %s). "
                                 "Pass validate_shape=False for a variable whose shape changes."
                                 % (self._initial_value, scope[:-1]))
            self._variable = apply_op("VariableV2", [], {
                "shape": var_shape, "dtype": self._initial_value.dtype, "container": "",
                "shared_name": ""}, name=scope)
            self._initializer_op = state_ops.assign(
                self._variable, self._initial_value, validate_shape=validate_shape).op
            self._snapshot = array_ops.identity(self._variable, name="read")
        self._graph = graph
        graph.add_to_collections(collections, self)
        self._save_slice_info = None

    # -- identity ----------------------------------------------------------------------------------
    name = property(lambda self: self._variable.name)
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype)
    shape = property(lambda self: self._variable.shape)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)

    def get_shape(self):
        return self._variable.shape

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    # -- values ------------------------------------------------------------------------------------
    def value(self):
        """The tensor other ops consume (``W/read:0``)."""
        return self._snapshot

    def read_value(self):
        """A new read of the variable (an Identity op named ``read`` in the current name scope,
        as in TF1), e.g. to read after a control dependency."""
        return array_ops.identity(self._variable, name="read")

    def initialized_value(self):
        """The value, reading it only after the initializer has run (for dependent initial values)."""
        from tfone.ops import control_flow_ops
        with get_default_graph().control_dependencies(None):
            return control_flow_ops.cond_initialized(self)

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        return self._variable

    def _as_tensor(self, dtype=None):
        if dtype is not None and dtypes.as_dtype(dtype) != self.dtype:
            raise ValueError("Incompatible type conversion requested to type '%s' for variable of "
                             "type '%s'" % (dtypes.as_dtype(dtype).name, self.dtype.name))
        return self._snapshot

    def eval(self, session=None):
        """The variable's current value in ``session`` (default: the default session)."""
        from tfone.framework.session import _session_for
        return _session_for(session, self._variable, "Variable.eval()").run(self._variable)

    def load(self, value, session=None):
        """Set the value in ``session`` directly from numpy (runs the initializer with a feed)."""
        from tfone.framework.session import _session_for
        session = _session_for(session, self._variable, "Variable.load()")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -- updates -----------------------------------------------------------------------------------
    def assign(self, value, use_locking=None, name=None, read_value=True):
        result = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        result = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        result = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def _scatter(self, op_type, sparse_delta, use_locking, name):
        from tfone.framework.indexed_slices import IndexedSlices
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError("sparse_delta is not IndexedSlices: %s (build one with "
                            "tf.IndexedSlices(values, indices))" % (sparse_delta,))
        return state_ops._scatter(op_type, self._variable, sparse_delta.indices,
                                  sparse_delta.values, use_locking, name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Set the rows ``sparse_delta.indices`` to ``sparse_delta.values`` (an
        ``IndexedSlices``), in place; returns the new value (tf.scatter_update)."""
        return self._scatter("ScatterUpdate", sparse_delta, use_locking, name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """Add ``sparse_delta.values`` to the rows ``sparse_delta.indices`` (an
        ``IndexedSlices``), in place; returns the new value (tf.scatter_add)."""
        return self._scatter("ScatterAdd", sparse_delta, use_locking, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        """Subtract ``sparse_delta.values`` from the rows ``sparse_delta.indices`` (an
        ``IndexedSlices``), in place; returns the new value (tf.scatter_sub)."""
        return self._scatter("ScatterSub", sparse_delta, use_locking, name)

    def scatter_nd_update(self, indices, updates, name=None):
        """tf.scatter_nd_update on this variable."""
        return state_ops.scatter_nd_update(self._variable, indices, updates, True, name)

    def scatter_nd_add(self, indices, updates, name=None):
        """tf.scatter_nd_add on this variable."""
        return state_ops.scatter_nd_add(self._variable, indices, updates, True, name)

    def scatter_nd_sub(self, indices, updates, name=None):
        """tf.scatter_nd_sub on this variable."""
        return state_ops.scatter_nd_sub(self._variable, indices, updates, True, name)

    def count_params(self):
        return int(np.prod(self.shape.as_list()))

    def __repr__(self):
        return "<tf.Variable '%s' shape=%s dtype=%s_ref>" % (self.name, self.shape, self.dtype.name)

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __bool__(self):
        return self._snapshot.__bool__()

    def __reduce__(self):
        raise TypeError("Variables cannot be pickled; save them with tf.train.Saver.")

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other



def _collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def global_variables(scope=None):
    """The global variables (those a Saver saves), optionally only those whose names match the
    ``scope`` regex."""
    return _collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables():
    """TF1's deprecated name for tf.global_variables()."""
    return global_variables()


def trainable_variables(scope=None):
    """The variables optimizers train by default, optionally only those whose names match the
    ``scope`` regex."""
    return _collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    """The local variables (not saved, e.g. counters), optionally only those whose names match the
    ``scope`` regex."""
    return _collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    """The variables in GraphKeys.MODEL_VARIABLES, optionally only those whose names match the
    ``scope`` regex."""
    return _collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of ``var_list``."""
    from tfone.ops import control_flow_ops
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def global_variables_initializer():
    """One op, named 'init', that runs the initializers of all global variables."""
    return variables_initializer(global_variables())


def initialize_all_variables():
    """TF1's deprecated name for tf.global_variables_initializer()."""
    return global_variables_initializer()


def local_variables_initializer():
    """One op, named 'init', that runs the initializers of all local variables."""
    return variables_initializer(local_variables(), name="init")


def is_variable_initialized(variable):
    """A scalar bool tensor: does ``variable`` have a value in the session?"""
    return state_ops.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the variables not yet initialized."""
    from tfone.ops import control_flow_ops
    if var_list is None:
        var_list = global_variables() + local_variables()
    with name_scope(name) as scope:
        return control_flow_ops.report_uninitialized(var_list, name=scope)


def assert_variables_initialized(var_list=None):
    """An op that fails with FailedPreconditionError if any variable of ``var_list`` (default: all
    global and local variables) has no value yet."""
    from tfone.ops import control_flow_ops
    if var_list is None:
        var_list = global_variables() + local_variables()
    return control_flow_ops.assert_initialized(var_list)
