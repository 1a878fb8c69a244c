"""Session: runs the part of a graph that the fetches need.

``sess.run(fetches, feed_dict)`` compiles an execution *plan* the first time it sees a
(fetches, feed keys) signature and caches it (plan.py): a small Python function generated
from the ops the fetches need, in the order schedule.py picks, with one kernel call per op
and a ``del`` as soon as a value has no later consumer. ``sess.plan_source(fetches,
feed_dict)`` shows that function; it is the clearest answer to "what does Session.run
actually do?". This module holds the Session API: default sessions, fetch structures, feed
keys, variable state per session.
"""
import collections
import threading

import numpy as np

from tfone.framework import config as _config
from tfone.framework import graph as _graph
from tfone.framework.graph import Operation, Tensor
from tfone.framework.plan import Plan
from tfone.framework.run_metadata import RunOptions, RunMetadata  # noqa: F401 (tf.RunOptions)

__all__ = ["Session", "InteractiveSession", "get_default_session", "RunOptions", "RunMetadata"]


class _SessionState(threading.local):
    def __init__(self):
        self.stack = []


_sessions = _SessionState()


def get_default_session():
    """The innermost session of ``with sess.as_default():`` (or ``with Session() as sess``)."""
    return _sessions.stack[-1] if _sessions.stack else None


def _session_for(session, element, what):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()` / run op using `run()`: No "
                             "default session is registered. Use `with sess.as_default()` or "
                             "pass an explicit session to `%s`." % what.replace("()", "(session=sess)"))
    if session.graph is not element.graph:
        raise ValueError("Cannot use the given session to evaluate %r: its graph is different "
                         "from the session's graph." % element.name)
    return session


class _RunContext:
    """What stateful kernels may touch: the session's variable buffers and random generators."""

    def __init__(self, session):
        self.session = session
        self.variables = {}      # variable op name -> numpy buffer
        self._generators = {}

    def generator(self, key, seed):
        """A numpy Generator for one random op; the same seed replays the same stream."""
        gen = self._generators.get(key)
        if gen is None:
            gen = np.random.default_rng(seed)
            self._generators[key] = gen
        return gen


class Session:
    """A place to run a graph: holds variable values and compiled plans for one graph."""

    def __init__(self, target="", graph=None, config=None):
        if graph is not None and not isinstance(graph, _graph.Graph):
            raise TypeError("graph must be a tf.Graph, but got %s" % type(graph).__name__)
        self._graph = graph if graph is not None else _graph.get_default_graph()
        if config is not None and not isinstance(config, _config.ConfigProto):
            raise TypeError("config must be a tf.ConfigProto, but got %s" % type(config))
        self._target = target
        self._config = config
        self._closed = False
        self._ctx = _RunContext(self)
        self._plans = {}
        self._context_managers = []

    graph = property(lambda self: self._graph)
    sess_str = property(lambda self: self._target)

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    # -- running -----------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Compute ``fetches`` (any nesting of tensors, ops, names, variables) given ``feed_dict``."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict and any(k.__class__ is not Tensor and isinstance(k, tuple)
                             for k in feed_dict):
            feed_dict = _flatten_feed_dict(feed_dict)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        trace = options is not None and getattr(options, "trace_level", 0) > 0
        try:
            plan = self._plans[fetches, feed_keys, trace]
        except (KeyError, TypeError):
            plan = self._plan_for(fetches, feed_keys, trace)
        feeds = plan.convert_feeds(feed_dict.values()) if feed_keys else ()
        values = plan.run(feeds, run_metadata)
        return plan.rebuild(values)

    def make_callable(self, fetches, feed_list=None):
        """A function ``f(*feed_values)`` that runs ``fetches`` with the given feeds, skipping
        all per-call lookups (TF1's ``Session.make_callable``)."""
        plan = self._plan_for(fetches, tuple(feed_list or ()), False)

        def run_callable(*feed_values):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(feed_values) != len(plan.feed_tensors):
                raise TypeError("This callable takes %d feed values, got %d"
                                % (len(plan.feed_tensors), len(feed_values)))
            return plan.rebuild(plan.run(plan.convert_feeds(feed_values), None))
        return run_callable

    def plan_source(self, fetches, feed_dict=None, specialized=False):
        """The Python source of the plan ``run(fetches, feed_dict)`` executes (for teaching).

        With ``specialized=True`` the feed values' shapes are used, showing the plan after shape
        specialisation (see tfone/framework/specialize.py)."""
        plan = self._plan_for(fetches, tuple(feed_dict or ()), False)
        if specialized and feed_dict:
            return plan.for_shapes(plan.convert_feeds(feed_dict.values())).source
        return plan.source

    def _plan_for(self, fetches, feed_keys, trace):
        key = (_freeze(fetches), feed_keys, trace)
        plan = self._plans.get(key)
        if plan is None:
            mapper = _FetchMapper(self._graph, fetches)
            feed_tensors = [_feed_tensor(self._graph, k) for k in feed_keys]
            plan = Plan(self._ctx, mapper, feed_tensors, trace)
            self._plans[key] = plan
        try:
            self._plans[fetches, feed_keys, trace] = plan
        except TypeError:  # unhashable fetch structure: found via the frozen key next time
            pass
        return plan

    # -- lifetime ------------------------------------------------------------------------------------
    def close(self):
        self._closed = True
        self._plans.clear()
        self._ctx.variables.clear()

    def as_default(self):
        return _DefaultSession(self)

    def __enter__(self):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph_cm = self._graph.as_default()
        session_cm = self.as_default()
        graph_cm.__enter__()
        session_cm.__enter__()
        self._context_managers.append((graph_cm, session_cm))
        return self

    def __exit__(self, exc_type, exc, tb):
        graph_cm, session_cm = self._context_managers.pop()
        session_cm.__exit__(exc_type, exc, tb)
        graph_cm.__exit__(exc_type, exc, tb)
        self.close()

    def list_devices(self):
        return [_Device("/job:localhost/replica:0/task:0/device:CPU:0", "CPU")]

    def __repr__(self):
        return "<tf.Session on %r%s>" % (self._graph, " (closed)" if self._closed else "")

    def __reduce__(self):
        raise TypeError("A Session cannot be pickled; save variables with tf.train.Saver.")


_Device = collections.namedtuple("_Device", "name device_type")


class _DefaultSession:
    def __init__(self, session):
        self._session = session

    def __enter__(self):
        _sessions.stack.append(self._session)
        return self._session

    def __exit__(self, *exc):
        _sessions.stack.pop()


class InteractiveSession(Session):
    """A Session that makes itself (and its graph) the default on creation, for notebooks."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()
        _sessions.stack.append(self)

    def close(self):
        if not self._closed:
            if self in _sessions.stack:
                _sessions.stack.remove(self)
            if self._graph_cm is not None:
                try:
                    self._graph_cm.__exit__(None, None, None)
                except IndexError:
                    pass
                self._graph_cm = None
        super().close()


# -- fetches -------------------------------------------------------------------------------------------
def _freeze(fetches):
    """A hashable key describing a (possibly nested) fetch structure."""
    if isinstance(fetches, (list, tuple)):
        return (type(fetches),) + tuple(_freeze(f) for f in fetches)
    if isinstance(fetches, dict):
        return (dict,) + tuple((k, _freeze(v)) for k, v in fetches.items())
    return fetches


class _FetchMapper:
    """Flattens a nested fetch structure into graph elements and rebuilds results likewise."""

    def __init__(self, graph, fetches):
        self.elements = []
        self._index = {}
        self.structure = self._flatten(graph, fetches)

    def _flatten(self, graph, fetch):
        if isinstance(fetch, (list, tuple)):
            return (type(fetch), [self._flatten(graph, f) for f in fetch])
        if isinstance(fetch, dict):
            return (type(fetch), [(k, self._flatten(graph, v)) for k, v in fetch.items()])
        if fetch is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        try:
            element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except (KeyError, ValueError) as e:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (fetch, e.args[0] if e.args else e)) from None
        except TypeError:
            raise TypeError("Fetch argument %r has invalid type %r, must be a string or Tensor. "
                            "(Can not convert a %s into a Tensor or Operation.)"
                            % (fetch, type(fetch), type(fetch).__name__)) from None
        position = self._index.get(element)
        if position is None:
            position = self._index[element] = len(self.elements)
            self.elements.append(element)
        return position

    def make_rebuild(self):
        structure = self.structure
        if isinstance(structure, int):
            return lambda values: values[structure]

        def build(node, values):
            if isinstance(node, int):
                return values[node]
            kind, items = node
            if issubclass(kind, dict):
                return kind((k, build(v, values)) for k, v in items)
            built = [build(v, values) for v in items]
            if kind is list:
                return built
            if hasattr(kind, "_fields"):  # namedtuple
                return kind(*built)
            return kind(built)
        return lambda values: build(structure, values)


def _flatten_feed_dict(feed_dict):
    """TF1 accepts nested tuples of tensors as feed keys (e.g. an RNN's LSTMStateTuple
    initial state, fed with the state a previous run returned). As TF1's
    ``nest.flatten_dict_items``: key and value are flattened (tuples and lists; arrays are
    leaves) and paired in order."""
    def flatten(x):
        if isinstance(x, (tuple, list)) and not isinstance(x, Tensor):
            return [leaf for item in x for leaf in flatten(item)]
        return [x]

    flat = {}
    for key, value in feed_dict.items():
        keys = flatten(key)
        values = flatten(value) if len(keys) > 1 or keys[0] is not key else [value]
        if len(keys) != len(values):
            raise ValueError("Could not flatten dictionary. Key had %d elements, but value had "
                             "%d elements. Key: %s, value: %s." % (len(keys), len(values), keys,
                                                                   values))
        for k, v in zip(keys, values):
            if k in flat:
                raise ValueError("Could not flatten dictionary: key %s is not unique." % (k,))
            flat[k] = v
    return flat


def _feed_tensor(graph, key):
    if hasattr(key, "_as_graph_element") and not isinstance(key, (Tensor, Operation)):
        key = key._as_graph_element()
    try:
        element = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
    except (KeyError, ValueError) as e:
        raise TypeError("Cannot interpret feed_dict key as Tensor: %s"
                        % (e.args[0] if e.args else e)) from None
    except TypeError:
        raise TypeError("Cannot interpret feed_dict key %r as Tensor: keys must be Tensors, "
                        "Variables or tensor names like 'x:0'." % (key,)) from None
    return element
