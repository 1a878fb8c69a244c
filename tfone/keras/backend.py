"""``keras.backend``: the small set of helpers Keras layers need on top of a tfone graph.

Everything here works on the *default graph*, as tf.keras 1.15 does in graph mode:

- ``floatx()`` / ``epsilon()`` / ``image_data_format()`` and their setters;
- the learning phase: ``learning_phase()`` is a per-graph ``placeholder_with_default(False,
  shape=())`` named ``keras_learning_phase``; feed it ``True`` (or ``1``) to run layers such as
  ``Dropout`` and ``BatchNormalization`` in training mode. ``set_learning_phase(0|1)`` fixes it
  to a Python int instead, so layers build only the chosen branch;
- per-graph name counters (``get_uid``, ``unique_object_name``) that give Keras layer names
  ``dense``, ``dense_1``, ... ; ``clear_session()`` resets them with a new default graph;
- ``get_session()``: the default session if there is one, else a session that Keras keeps for
  the default graph. It initializes variables that were never initialized in it (and only
  those: values set by training are kept). ``get_value`` / ``set_value`` and the batch
  variants read and write variables through it.
"""
import contextlib
import weakref

import numpy as np

from tfone.framework import dtypes as _dtypes
from tfone.framework import graph as _graph
from tfone.framework import session as _session
from tfone.framework.tensor_shape import TensorShape

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format",
           "set_image_data_format", "learning_phase", "set_learning_phase",
           "learning_phase_scope", "get_uid", "reset_uids", "unique_object_name",
           "clear_session", "get_session", "set_session", "int_shape", "ndim", "dtype",
           "is_keras_tensor", "get_value", "set_value", "batch_get_value", "batch_set_value",
           "cast_to_floatx", "name_scope", "get_graph", "rnn"]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

# graph -> learning phase (a bool placeholder tensor, or a Python int set by set_learning_phase)
_GRAPH_LEARNING_PHASES = weakref.WeakKeyDictionary()
# graph -> {(namespace, name): count}
_GRAPH_UIDS = weakref.WeakKeyDictionary()
# graph -> the Session Keras made for it
_GRAPH_SESSIONS = weakref.WeakKeyDictionary()
_MANUAL_SESSION = None

name_scope = _graph.name_scope


# -- configuration ---------------------------------------------------------------------------------
def floatx():
    """The default float type of Keras weights, as a string (``'float32'``)."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type of Keras: 'float16', 'float32' (default) or 'float64'."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError("Unknown floatx type: %r (use 'float16', 'float32' or 'float64')"
                         % (value,))
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor Keras uses to avoid division by zero (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor Keras uses to avoid divisions by zero (default 1e-7)."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """``'channels_last'`` (NHWC, the default) or ``'channels_first'`` (NCHW)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image layout: 'channels_last' (default) or 'channels_first'."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Unknown data_format: %r (use 'channels_last' or 'channels_first')"
                         % (data_format,))
    _IMAGE_DATA_FORMAT = str(data_format)


def cast_to_floatx(x):
    """A numpy array of ``x`` with the Keras float type."""
    return np.asarray(x, dtype=_FLOATX)


def get_graph():
    """The graph Keras builds models in (the default graph)."""
    return _graph.get_default_graph()


# -- learning phase --------------------------------------------------------------------------------
def learning_phase():
    """The learning phase of the default graph: a scalar bool tensor (default False, feed True
    to train) or the int 0/1 fixed by ``set_learning_phase``."""
    graph = _graph.get_default_graph()
    phase = _GRAPH_LEARNING_PHASES.get(graph)
    if phase is None:
        from tfone.ops import array_ops
        # Like TF's init_scope: outside any name scope or control dependency of the caller.
        with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
            phase = array_ops.placeholder_with_default(False, shape=(),
                                                       name="keras_learning_phase")
        _GRAPH_LEARNING_PHASES[graph] = phase
    return phase


def set_learning_phase(value):
    """Fix the learning phase of the default graph to 0 (test) or 1 (train)."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1, got %r." % (value,))
    _GRAPH_LEARNING_PHASES[_graph.get_default_graph()] = int(value)


def global_learning_phase_is_set():
    return isinstance(_GRAPH_LEARNING_PHASES.get(_graph.get_default_graph()), int)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Temporarily fix the learning phase of the default graph to 0 or 1."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1, got %r." % (value,))
    graph = _graph.get_default_graph()
    previous = _GRAPH_LEARNING_PHASES.get(graph)
    _GRAPH_LEARNING_PHASES[graph] = int(value)
    try:
        yield
    finally:
        if previous is None:
            del _GRAPH_LEARNING_PHASES[graph]
        else:
            _GRAPH_LEARNING_PHASES[graph] = previous


# -- names -----------------------------------------------------------------------------------------
def _uids(graph=None):
    graph = graph or _graph.get_default_graph()
    uids = _GRAPH_UIDS.get(graph)
    if uids is None:
        uids = _GRAPH_UIDS[graph] = {}
    return uids


def get_uid(prefix=""):
    """1, 2, 3, ... for successive calls with the same prefix in the default graph."""
    uids = _uids()
    uids[("", prefix)] = uids.get(("", prefix), 0) + 1
    return uids[("", prefix)]


def reset_uids():
    """Restarts the automatic layer names (dense, dense_1, ...) of the default graph."""
    _GRAPH_UIDS.pop(_graph.get_default_graph(), None)


def unique_object_name(name, name_uid_map=None, avoid_names=None, namespace="", zero_based=False):
    """``name`` made unique in the default graph: ``dense``, ``dense_1``, ... (zero_based) or
    ``dense_1``, ``dense_2``, ... (not zero_based), as Keras names layers."""
    uids = _uids() if name_uid_map is None else name_uid_map
    avoid = avoid_names or set()
    proposed = None
    while proposed is None or proposed in avoid:
        key = (namespace, name)
        number = uids.get(key, 0)
        if zero_based:
            proposed = name if number == 0 else "%s_%d" % (name, number)
            uids[key] = number + 1
        else:
            uids[key] = number + 1
            proposed = "%s_%d" % (name, number + 1)
    return proposed


# -- sessions --------------------------------------------------------------------------------------
def clear_session():
    """Start over: a new default graph, fresh layer names and learning phase, no Keras session."""
    global _MANUAL_SESSION
    old = _graph.get_default_graph()
    session = _GRAPH_SESSIONS.pop(old, None)
    if session is not None:
        session.close()
    _GRAPH_LEARNING_PHASES.pop(old, None)
    _GRAPH_UIDS.pop(old, None)
    _MANUAL_SESSION = None
    _graph.reset_default_graph()


def set_session(session):
    """Make Keras use ``session`` (for its graph) instead of one of its own."""
    global _MANUAL_SESSION
    _MANUAL_SESSION = session


def get_session():
    """The session Keras runs in: the default session, else one Keras keeps for the default graph.

    Variables of the graph that were never initialized in that session are initialized first;
    variables that already hold a value keep it.
    """
    graph = _graph.get_default_graph()
    session = _session.get_default_session()
    if session is None or session.graph is not graph:
        if _MANUAL_SESSION is not None and _MANUAL_SESSION.graph is graph:
            session = _MANUAL_SESSION
        else:
            session = _GRAPH_SESSIONS.get(graph)
            if session is None or getattr(session, "_closed", False):
                session = _GRAPH_SESSIONS[graph] = _session.Session(graph=graph)
    _initialize_new_variables(session)
    return session


def _initialize_new_variables(session):
    from tfone.ops import variables as _variables
    graph = session.graph
    checked = _checked_variables(session)
    candidates = [v for v in graph.get_collection(_graph.GraphKeys.GLOBAL_VARIABLES)
                  + graph.get_collection(_graph.GraphKeys.LOCAL_VARIABLES) if v not in checked]
    if not candidates:
        return
    with graph.as_default():
        names = session.run(_variables.report_uninitialized_variables(candidates))
    missing = {n.decode() if isinstance(n, bytes) else str(n) for n in names}
    for v in candidates:
        checked.add(v)
    todo = [v for v in candidates if v.op.name in missing]
    if todo:
        with graph.as_default():
            session.run(_variables.variables_initializer(todo))


_CHECKED = weakref.WeakKeyDictionary()


def _checked_variables(session):
    checked = _CHECKED.get(session)
    if checked is None:
        checked = _CHECKED[session] = weakref.WeakSet()
    return checked


# -- tensors ---------------------------------------------------------------------------------------
def int_shape(x):
    """The static shape as a tuple of ints and None (None for an unknown rank)."""
    shape = x.shape if hasattr(x, "shape") else x
    if not isinstance(shape, TensorShape):
        return tuple(shape)
    dims = shape.as_tuple()
    return None if dims is None else tuple(dims)


def ndim(x):
    """The rank of a tensor or variable (None if unknown)."""
    return x.shape.ndims


def dtype(x):
    """The dtype name of a tensor or variable, e.g. ``'float32'``."""
    return _dtypes.as_dtype(x.dtype).base_dtype.name


def is_keras_tensor(x):
    """Was ``x`` made by a Keras layer (or ``keras.Input``)?"""
    from tfone.keras.engine import base_layer
    if not (isinstance(x, _graph.Tensor) or hasattr(x, "_as_tensor")):
        raise ValueError("Unexpectedly found an instance of type `%s`. Expected a symbolic "
                         "tensor instance." % type(x).__name__)
    return base_layer.get_keras_history(x) is not None


# -- variable values -------------------------------------------------------------------------------
def get_value(x):
    """The current numpy value of a variable (in ``get_session()``)."""
    return batch_get_value([x])[0]


def batch_get_value(tensors):
    """The values of several variables or tensors, as numpy arrays (one session run)."""
    if not tensors:
        return []
    graph = tensors[0].graph
    with graph.as_default():
        return [np.asarray(v) for v in get_session().run(list(tensors))]


def set_value(x, value):
    """Load a numpy value into a variable (in ``get_session()``); no op is added to the graph."""
    batch_set_value([(x, value)])


def batch_set_value(tuples):
    """Sets variables to numpy values, from a list of (variable, value) pairs."""
    tuples = list(tuples)
    if not tuples:
        return
    graph = tuples[0][0].graph
    with graph.as_default():
        session = get_session()
        for variable, value in tuples:
            value = np.asarray(value, dtype=variable.dtype.base_dtype.as_numpy_dtype)
            if tuple(value.shape) != tuple(variable.shape.as_list()):
                raise ValueError("Cannot assign a value of shape %s to variable %s of shape %s"
                                 % (value.shape, variable.name, variable.shape))
            variable.load(value, session)


# -- recurrence ------------------------------------------------------------------------------------
def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False):
    """Keras's ``K.rnn``: ``step_function(input_t, states) -> (output_t, new_states)`` over the
    time axis of ``inputs``; returns ``(last_output, outputs, new_states)``.

    The loop is always unrolled (``unroll`` is ignored), so the number of time steps must be
    known; ``constants`` are not supported.
    """
    del unroll, input_length
    if constants:
        raise ValueError("K.rnn: constants are not supported by tfone; close over them in "
                         "step_function instead.")
    from tfone.ops.rnn import keras_rnn
    return keras_rnn(step_function, inputs, initial_states, go_backwards=go_backwards, mask=mask,
                     time_major=time_major, zero_output_for_mask=zero_output_for_mask)


# -- tensor functions (K.mean, K.square, K.function, ...): see tfone/keras/backend_math.py.
# Note: they include max, min, sum, abs, round, pow, all, any, eval, which shadow Python's
# builtins in this module from here on (as in Keras); use `builtins.max` etc. in code above.
from tfone.keras.backend_math import *  # noqa: E402,F401,F403
from tfone.keras.backend_math import __all__ as _math_all  # noqa: E402
__all__ = __all__ + [n for n in _math_all if n not in __all__]
