"""Session: runs the part of a graph that the fetches need.

``sess.run(fetches, feed_dict)`` compiles an execution *plan* the first time it sees a
(fetches, feed keys) signature and caches it. A plan is a small Python function generated
from the pruned, topologically sorted subgraph: one line per op, a kernel call on local
variables, and a ``del`` as soon as a value has no later consumer, so intermediates are freed
early. ``sess.plan_source(fetches, feed_dict)`` shows that function; it is the clearest
answer to "what does Session.run actually do?".
"""
import collections
import itertools
import threading
import time

import numpy as np

from tfone import errors
from tfone.framework import config as _config
from tfone.framework import graph as _graph
from tfone.framework import specialize
from tfone.framework.graph import Operation, Tensor
from tfone.framework.op_registry import ALL_INPUTS, _regroup

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


class RunOptions:
    """Options for one Session.run; ``trace_level=RunOptions.FULL_TRACE`` times every op."""
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=NO_TRACE, timeout_in_ms=0):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms


class RunMetadata:
    """Filled by a traced run: ``step_stats`` lists one StepStat per executed op, in execution
    order: op name, op type, start (perf_counter seconds), seconds taken, bytes of the outputs
    it produced, and their shapes (None for an output the plan discarded at once)."""

    StepStat = collections.namedtuple(
        "StepStat", "op_name op_type start_s elapsed_s output_bytes output_shapes",
        defaults=((),))

    def __init__(self):
        self.step_stats = []

    def op_times(self):
        """{op name: seconds} of the last traced run."""
        return {s.op_name: s.elapsed_s for s in self.step_stats}

    def op_bytes(self):
        """{op name: bytes of the outputs it produced} of the last traced run."""
        return {s.op_name: s.output_bytes for s in self.step_stats}

    def op_stats(self):
        """{op name: StepStat} of the last traced run (for colouring a graph by time or memory)."""
        return {s.op_name: s for s in self.step_stats}

    @property
    def total_seconds(self):
        """Time spent inside op kernels (the sum of the per-op times)."""
        return sum(s.elapsed_s for s in self.step_stats)

    def summary(self, top=10):
        """A text table of the ``top`` slowest ops (all ops with ``top=None``)."""
        stats = sorted(self.step_stats, key=lambda s: -s.elapsed_s)
        if top is not None:
            stats = stats[:top]
        total = self.total_seconds or 1.0
        rows = ["%-40s %-18s %10s %6s %12s  %s" % ("op", "type", "ms", "%", "bytes", "shapes")]
        for s in stats:
            shapes = ", ".join("?" if shape is None else str(tuple(shape))
                               for shape in s.output_shapes)
            rows.append("%-40s %-18s %10.3f %6.1f %12d  %s" % (
                s.op_name, s.op_type, s.elapsed_s * 1e3, 100.0 * s.elapsed_s / total,
                s.output_bytes, shapes))
        rows.append("%d ops executed, %.3f ms in kernels" % (len(self.step_stats),
                                                              self.total_seconds * 1e3))
        return "\n".join(rows)


def _output_stats(*values):
    """(total bytes, shapes) of the values one traced op produced (None = discarded output)."""
    return (sum(getattr(v, "nbytes", 0) for v in values if v is not None),
            tuple(None if v is None else np.shape(v) for v in values))


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
            plan = _Plan(self._ctx, mapper, feed_tensors, trace)
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


def _feed_converter(tensor):
    """A function that checks and converts one fed value for ``tensor``."""
    np_dtype = tensor.dtype._np
    dims = tensor.shape.as_tuple()
    check_shape = dims is not None
    name = tensor.name

    def convert(value):
        if type(value) is not np.ndarray or value.dtype != np_dtype:
            value = _convert_feed_value(value, tensor)
        if check_shape:
            shape = value.shape
            if len(shape) != len(dims) or any(d is not None and d != s for d, s in zip(dims, shape)):
                raise ValueError("Cannot feed value of shape %s for Tensor %r, which has shape %r"
                                 % (tuple(shape), name, _shape_str(dims)))
        return value
    return convert


def _shape_str(dims):
    return "(%s)" % ", ".join("?" if d is None else str(d) for d in dims) if len(dims) != 1 \
        else "(%s,)" % ("?" if dims[0] is None else dims[0])


def _convert_feed_value(value, tensor):
    dtype = tensor.dtype
    if _graph.Tensor is type(value) or isinstance(value, (Tensor, Operation)):
        raise TypeError("The value of a feed cannot be a tf.Tensor object (%s). Acceptable feed "
                        "values include Python scalars, strings, lists, numpy ndarrays." % value.name)
    if dtype.name == "string":
        return np.asarray(value, dtype=object)
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError("Cannot feed a value of type %s (dtype %s) to tensor %r of dtype %s."
                        % (type(value).__name__, array.dtype, tensor.name, dtype.name))
    if array.dtype != dtype._np:
        if dtype._np.kind == "b" and array.dtype.kind in "iu" and (
                array.size == 0 or (array.min() >= 0 and array.max() <= 1)):
            # TF1 feeds 0 / 1 to a bool placeholder (e.g. {K.learning_phase(): 0}).
            return array.astype(np.bool_)
        if not np.can_cast(array.dtype, dtype._np, casting="same_kind") and not (
                array.dtype.kind in "iub" and dtype._np.kind in "iu" and _fits(array, dtype)):
            raise TypeError("Cannot feed a value of dtype %s to tensor %r of dtype %s without "
                            "losing information. Cast it first (e.g. x.astype(np.%s))."
                            % (array.dtype, tensor.name, dtype.name, dtype.name))
        if array.dtype.kind in "iu" and dtype._np.kind in "iu" and not _fits(array, dtype):
            raise TypeError("Feed value for %r does not fit in %s (values range from %s to %s)."
                            % (tensor.name, dtype.name, array.min(), array.max()))
        array = array.astype(dtype._np)
    return array


def _fits(array, dtype):
    if array.size == 0:
        return True
    info = np.iinfo(dtype._np) if dtype._np.kind in "iu" else None
    return info is None or (array.min() >= info.min and array.max() <= info.max)


# -- plans --------------------------------------------------------------------------------------------
_plan_ids = itertools.count()


class _Plan:
    """A compiled run: pruned ops in topological order, turned into one Python function."""

    MAX_SPECIALIZATIONS = 8  # distinct feed-shape combinations compiled before giving up

    def __init__(self, ctx, mapper, feed_tensors, trace, elements=None, origin=None):
        self.fetch_elements = elements if elements is not None else mapper.elements
        self.feed_tensors = feed_tensors
        self.rebuild = mapper.make_rebuild() if mapper is not None else None
        self.ops = _schedule(self.fetch_elements, feed_tensors)
        self._origin = origin or {}
        self._check_feeds_present(feed_tensors)
        self.filename = "<tfone plan %d>" % next(_plan_ids)
        self.source, self.line_ops = self._generate(ctx, trace)
        namespace = dict(self._kernels)
        namespace.update(_clock=time.perf_counter, _own=_own, _copy=_copy,
                         _output_stats=_output_stats)
        exec(compile(self.source, self.filename, "exec"), namespace)
        self._fn = namespace["plan"]
        self._feed_converters = [_feed_converter(t) for t in feed_tensors]
        self._trace = trace
        self._ctx = ctx
        self._specializations = {}
        self.specializable = origin is None and not trace and any(
            not t.shape.is_fully_defined() for t in feed_tensors)

    def run(self, feeds, run_metadata=None):
        """Execute with converted feeds, through the plan specialised for their shapes."""
        if self.specializable:
            return self.for_shapes(feeds).execute(feeds, run_metadata)
        return self.execute(feeds, run_metadata)

    def for_shapes(self, feeds):
        """The plan compiled for these feed shapes (made on first use), or this general one."""
        key = tuple([np.shape(f) for f in feeds])
        plan = self._specializations.get(key)
        if plan is None:
            plan = self
            if len(self._specializations) < self.MAX_SPECIALIZATIONS:
                cloned = specialize.clone_with_shapes(self.ops, self.feed_tensors, key)
                if cloned is not None:
                    tensor_map, origin = cloned
                    clone_of = {original: clone for clone, original in origin.items()}
                    elements = [tensor_map[e] if isinstance(e, Tensor) else clone_of[e]
                                for e in self.fetch_elements]
                    feeds_cloned = [tensor_map[t] for t in self.feed_tensors]
                    plan = _Plan(self._ctx, None, feeds_cloned, False, elements, origin)
            self._specializations[key] = plan
        return plan

    def _check_feeds_present(self, feed_tensors):
        for op in self.ops:
            if op._opdef.requires_feed:
                raise errors.InvalidArgumentError(
                    None, op, "%s\n  (the placeholder was created at %s)"
                    % (op._opdef.missing_feed_message(op), op.location))

    def convert_feeds(self, values):
        return [convert(v) for convert, v in zip(self._feed_converters, values)]

    def execute(self, feeds, run_metadata=None):
        try:
            with np.errstate(all="ignore"):
                if self._trace:
                    stats = []
                    values = self._fn(stats, *feeds)
                    if run_metadata is not None:
                        run_metadata.step_stats = [
                            RunMetadata.StepStat(op.name, op.type, start, elapsed, nbytes, shapes)
                            for index, start, elapsed, (nbytes, shapes) in stats
                            for op in (self.executed_ops[index],)]
                    return values
                return self._fn(*feeds)
        except Exception as e:
            raise self._translate(e) from e

    # -- code generation --------------------------------------------------------------------------
    def _generate(self, ctx, trace):
        """Write the plan function. Outside tracing, three cheap optimisations apply:
        constants (and pure ops on constants) are computed once and baked into the plan,
        pass-through ops (Identity, StopGradient) become aliases, and ops without outputs or
        effects (NoOp) are skipped. A traced run executes every op so each can be timed."""
        feed_names = {}
        for i, t in enumerate(self.feed_tensors):
            feed_names.setdefault(t, "feed%d" % i)
        fetched_tensors = {e for e in self.fetch_elements if isinstance(e, Tensor)}
        names = dict(feed_names)
        baked = {}          # plan-global name -> value computed at compile time
        aliases_state = set()
        calls = []          # (step, op) of the ops that run at each step
        for step, op in enumerate(self.ops):
            opdef = op._opdef
            for t in op._outputs:
                if opdef.aliases == "state" or (opdef.aliases == "input" and any(
                        i in aliases_state for i in op._inputs)):
                    aliases_state.add(t)
            if not trace and self._precompute(op, ctx, names, baked, feed_names):
                continue
            calls.append((step, op))
            for t in op._outputs:
                if t not in feed_names:
                    names[t] = "t%d_%d" % (step, t._value_index)
        if not trace:
            calls = self._live_calls(calls, names, fetched_tensors)
        # Last call that reads each variable, so its buffer can be released right after.
        last_use = {}
        for index, (step, op) in enumerate(calls):
            for t in _evaluated_inputs(op):
                last_use[names[t]] = index
        kernels = {}
        lines = ["def plan(%s):" % ", ".join((["_stats"] if trace else []) + list(
            dict.fromkeys(feed_names.values())))]
        line_ops = {}
        consumed = set(last_use) | {names[t] for t in fetched_tensors}
        kept = {names[t] for t in fetched_tensors if t in names} | set(feed_names.values()) | set(baked)
        defined_in = {names[t]: op._cond for _, op in calls for t in op._outputs if t in names}
        self.executed_ops = [op for _, op in calls]
        for element in self.fetch_elements:
            if isinstance(element, Tensor) and element.op._cond is not None:
                raise errors.InvalidArgumentError(
                    None, element.op, "Cannot fetch %s: it is computed inside a tf.cond branch "
                    "(%s) and only exists when that branch runs. Fetch the output of tf.cond."
                    % (element.name, element.op._cond.group))
        statements = []  # (guard branch or None, [(code line, op it runs or None)])
        # Ops that read session state (a variable's buffer) are called right before each use,
        # as TF1 dereferences a variable where it is read: a read ordered after an initializer
        # or assignment in the same run sees the new value.
        deferred = {}
        for index, (step, op) in enumerate(calls):
            if op._opdef.read_at_use:
                kernels["k%d" % step] = op._opdef.make_kernel(op, ctx)
                for t in op._outputs:
                    if names.get(t) in consumed:
                        deferred[names[t]] = (index, step, op)
        kept |= set(deferred)

        def timed(index, statement, produced, op):
            return [("_t = _clock()", None), (statement, op),
                    ("_stats.append((%d, _t, _clock() - _t, _output_stats(%s)))" % (index, produced),
                     None)]

        def reads_for(input_names):
            code = []
            for name in dict.fromkeys(input_names):
                if name in deferred:
                    index, step, op = deferred[name]
                    line = "%s = k%d()  # %s (%s)" % (name, step, op.name, op.type)
                    code += timed(index, line, name, op) if trace else [(line, op)]
            return code

        for index, (step, op) in enumerate(calls):
            opdef = op._opdef
            if opdef.read_at_use:
                continue
            kname = "k%d" % step
            targets = ["_" if t in feed_names or names[t] not in consumed else names[t]
                       for t in op._outputs]
            comment = "  # %s (%s)" % (op.name, op.type)
            code = reads_for(names[t] for t in _evaluated_inputs(op))
            if opdef.selects_branch:
                # A tf.cond output: Python's conditional expression reads only the taken side.
                pred, true_value, false_value = (names[t] for t in op._inputs)
                code.append(("%s = %s if %s else %s%s" % (targets[0], true_value, pred,
                                                          false_value, comment), op))
            else:
                kernels[kname] = opdef.make_kernel(op, ctx)
                call = "%s(%s)" % (kname, self._call_args(op, names))
                if all(x == "_" for x in targets):
                    statement = call
                elif len(op._outputs) == 1 and opdef.num_outputs == 1:
                    statement = "%s = %s" % (targets[0], call)
                else:
                    statement = "%s, = %s" % (", ".join(targets), call)
                if trace:
                    holder = "_out = " if statement == call else ""
                    if not holder:
                        produced = ", ".join("None" if x == "_" else x for x in targets)
                    elif len(op._outputs) == 1 and opdef.num_outputs == 1:
                        produced = "_out"
                    else:
                        produced = "*_out" if op._outputs else ""
                    code += timed(index, holder + statement + comment, produced, op)
                else:
                    code.append((statement + comment, op))
            dead = [v for v in dict.fromkeys(names[t] for t in _evaluated_inputs(op))
                    if last_use.get(v) == index and v not in kept and
                    # inside a tf.cond branch, only values certain to exist there are released
                    (defined_in.get(v) is None or defined_in[v].encloses(op._cond))]
            if dead:
                code.append(("del %s" % ", ".join(dead), None))
            statements.append((op._cond, code))
        fetch_reads = reads_for(names[e] for e in self.fetch_elements if isinstance(e, Tensor))
        if fetch_reads:
            statements.append((None, fetch_reads))
        self._emit(statements, names, lines, line_ops)
        results = []
        for element in self.fetch_elements:
            if isinstance(element, Operation):
                results.append("None")
            elif element in aliases_state:
                # Never hand out the variable's own buffer: a later in-place update would change it.
                results.append("_copy(%s)" % names[element])
            else:
                results.append("_own(%s)" % names[element])
        lines.append("    return (%s%s)" % (", ".join(results), "," if len(results) == 1 else ""))
        kernels.update(baked)
        self._kernels = kernels
        self._names = names
        return "\n".join(lines) + "\n", line_ops

    def _live_calls(self, calls, names, fetched_tensors):
        """Drop calls whose results nothing needs (e.g. a forward op whose only consumer was
        a Shape op folded into a constant). Stateful ops and fetched ops always run."""
        fetched_ops = {e for e in self.fetch_elements if isinstance(e, Operation)}
        needed = {names[t] for t in fetched_tensors if t in names}
        live_ops = set(fetched_ops)
        for op in self.ops:  # control dependencies are kept even if their targets were folded
            live_ops.update(op._control_inputs)
        live = []
        for step, op in reversed(calls):
            if (op in live_ops or op._opdef.stateful or not op._outputs or
                    any(names.get(t) in needed for t in op._outputs)):
                live.append((step, op))
                needed.update(names[t] for t in _evaluated_inputs(op))
                live_ops.update(op._control_inputs)
                if op._cond is not None:  # a branch op needs the predicates that guard it
                    needed.update(names[b.pred] for b in op._cond.chain() if b.pred in names)
        live.reverse()
        return live

    @staticmethod
    def _emit(statements, names, lines, line_ops):
        """Append statements to the plan, each under the ``if`` of its tf.cond branches;
        consecutive statements of one branch share one ``if`` block."""
        current = None
        for branch, code in statements:
            if branch is not current:
                current = branch
                if branch is not None:
                    guard = " and ".join(("%s" if b.branch else "not %s") % names[b.pred]
                                         for b in branch.chain())
                    lines.append("    if %s:" % guard)
            pad = "        " if branch is not None else "    "
            for line, op in code:
                lines.append(pad + line)
                if op is not None:
                    line_ops[len(lines)] = op

    _FOLD_LIMIT = 1 << 20  # elements: bigger results are recomputed each run, not stored

    def _precompute(self, op, ctx, names, baked, feed_names):
        """Handle ``op`` at compile time if it needs no run-time work; True if handled."""
        opdef = op._opdef
        outputs = op._outputs
        if any(t in feed_names for t in outputs):
            return False
        if not outputs:
            return not opdef.stateful  # e.g. NoOp: it only orders its control inputs
        if (opdef.passthrough or (not opdef.stateful and opdef.is_identity(op))) and len(outputs) == 1:
            source = op._inputs[0]
            if source in names:
                names[outputs[0]] = names[source]
                return True
            return False
        if opdef.stateful or op._control_inputs:
            return False
        value = opdef.static_value(op)  # e.g. the shape of a tensor whose shape is static
        inputs = _evaluated_inputs(op)
        if value is None and any(names.get(t) not in baked for t in inputs):
            return False
        try:
            if value is None:
                if not opdef.foldable:
                    return False
                args = [baked[names[t]] for t in inputs]
                if any(s.variadic for s in opdef._input_specs):
                    args = _regroup(args, opdef, op)
                with np.errstate(all="ignore"):
                    value = opdef.make_kernel(op, ctx)(*args)
        except Exception:  # leave it to the run, which reports errors with full context
            return False
        values = value if len(outputs) > 1 or opdef.num_outputs != 1 else (value,)
        for t, v in zip(outputs, values):
            if np.size(v) > self._FOLD_LIMIT:
                return False
        for t, v in zip(outputs, values):
            if isinstance(v, np.ndarray) and v.flags.writeable:
                v = v.copy()
                v.flags.writeable = False
            var = "const_%d" % len(baked)
            baked[var] = v
            names[t] = var
        return True

    @staticmethod
    def _call_args(op, names):
        opdef = op._opdef
        specs = opdef._input_specs
        inputs = op._inputs
        if opdef.ref_inputs is ALL_INPUTS:
            return ""
        ref = opdef.ref_inputs
        if not any(s.variadic for s in specs):
            return ", ".join(names[t] for i, t in enumerate(inputs) if i not in ref)
        n_var = len(inputs) - (len(specs) - 1)
        parts, i = [], 0
        for spec in specs:
            if spec.variadic:
                parts.append("[%s]" % ", ".join(names[t] for t in inputs[i:i + n_var]))
                i += n_var
            else:
                if i not in ref:
                    parts.append(names[inputs[i]])
                i += 1
        return ", ".join(parts)

    # -- errors -------------------------------------------------------------------------------------
    def _translate(self, error):
        tb = error.__traceback__
        op, frame_locals = None, {}
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                op = self.line_ops.get(tb.tb_lineno)
                frame_locals = tb.tb_frame.f_locals
            tb = tb.tb_next
        run_op, op = op, self._origin.get(op, op)  # report the user's op, not a specialised copy
        if isinstance(error, errors.OpError):
            if error.op in self._origin:
                error.op = self._origin[error.op]
            if error.op is None and op is not None:
                message = "%s\n  while running op '%s' (%s)\n  created at %s" % (
                    error.message, op.name, op.type, op.location)
                return type(error)(None, op, message)
            return error
        if op is None:
            return errors.InternalError(None, None, "%s: %s" % (type(error).__name__, error))
        described = []
        for shown, t in zip(_evaluated_inputs(op), _evaluated_inputs(run_op)):
            value = _lookup_value(t, frame_locals, self)
            described.append("    %s: %s" % (shown.name, _describe(value)))
        internal = isinstance(error, (AttributeError, NameError, AssertionError, UnboundLocalError))
        text = str(error) if str(error) and not internal else "%s: %s" % (type(error).__name__, error)
        message = "%s\n  while running op '%s' (%s)\n  created at %s" % (
            text, op.name, op.type, op.location)
        if described:
            message += "\n  inputs:\n" + "\n".join(described)
        if isinstance(error, MemoryError):
            return errors.ResourceExhaustedError(None, op, message)
        if internal:
            return errors.InternalError(None, op, message + "\n  (this looks like a bug in tfone's "
                                        "kernel for %s; please report it)" % op.type)
        return errors.InvalidArgumentError(None, op, message)


def _own(value):
    """A fetched value as TF1 returns it: numpy scalars for 0-d results, writable arrays."""
    if type(value) is np.ndarray:
        if not value.ndim:
            return value[()]
        if not value.flags.writeable:  # e.g. a Const's buffer or a broadcast view
            return value.copy()
    return value


def _copy(value):
    value = np.array(value, copy=True)
    return value[()] if not value.ndim else value


def _lookup_value(tensor, frame_locals, plan):
    """The value ``tensor`` had in the failed run (from the plan function's frame), or None."""
    name = plan._names.get(tensor)
    if name is None:
        return None
    value = frame_locals.get(name)
    return value if value is not None else plan._kernels.get(name) if name.startswith("const_") else None

def _describe(value):
    if value is None:
        return "(not available)"
    if isinstance(value, (np.ndarray, np.generic)):
        return "%s array of shape %s" % (value.dtype, tuple(np.shape(value)))
    return type(value).__name__


def _evaluated_inputs(op):
    """Inputs whose values an op's kernel reads (ref inputs only name a variable)."""
    ref = op._opdef.ref_inputs
    if not ref:
        return op._inputs
    if ref is ALL_INPUTS:
        return ()
    return tuple(t for i, t in enumerate(op._inputs) if i not in ref)


def _schedule(fetch_elements, feed_tensors):
    """Ops needed for the fetches, in a deterministic topological order (inputs first).

    Variables are updated in place, so within one run an op that writes a variable is also
    ordered after every op that reads the variable's old value without depending on the
    write (e.g. two optimizers' updates in one ``sess.run``): all reads see the values from
    before the step, as TF1's programs expect.
    """
    fed = set(feed_tensors)
    order = _topological_order(fetch_elements, fed, {})
    extra = _reads_before_writes(order, fed)
    if extra:
        try:
            order = _topological_order(fetch_elements, fed, extra)
        except errors.InvalidArgumentError:
            pass  # reads and writes depend on each other both ways: keep the data order
    return order


def _topological_order(fetch_elements, fed, extra):
    order = []
    done = set()
    roots = []
    for element in fetch_elements:
        op = element if isinstance(element, Operation) else (None if element in fed else element.op)
        if op is not None:
            roots.append(op)

    def dependencies(op):
        deps = _dependencies(op, fed)
        deps.extend(extra.get(op, ()))
        return iter(deps)
    for root in roots:
        if root in done:
            continue
        stack = [(root, dependencies(root))]
        visiting = {root}
        while stack:
            op, deps = stack[-1]
            for dep in deps:
                if dep not in done:
                    if dep in visiting:
                        raise errors.InvalidArgumentError(
                            None, dep, "Graph has a cycle through op '%s'." % dep.name)
                    visiting.add(dep)
                    stack.append((dep, dependencies(dep)))
                    break
            else:
                stack.pop()
                visiting.discard(op)
                done.add(op)
                order.append(op)
    return order


def _reads_before_writes(order, fed):
    """{writer op: [reader ops that must run first]} for the variables written in ``order``."""
    writers = {}
    for op in order:
        refs = op._opdef.ref_inputs
        if refs:
            indices = range(len(op._inputs)) if refs is ALL_INPUTS else refs
            if op._opdef.stateful and op._opdef.aliases == "state":
                for i in indices:
                    writers.setdefault(op._inputs[i]._op._name, []).append(op)
    if not writers:
        return {}
    variables_of = {}  # tensor -> names of the variables whose buffer it may share
    readers = {}
    for op in order:
        opdef = op._opdef
        if opdef.read_at_use:
            variables_of[op._outputs[0]] = (op._name,)
            continue
        read = set()
        for t in _evaluated_inputs(op):
            if t not in fed:
                read.update(variables_of.get(t, ()))
        for name in read:
            if name in writers:
                readers.setdefault(name, []).append(op)
        if read and opdef.aliases == "input":
            for t in op._outputs:
                variables_of[t] = tuple(read)
    in_plan = set(order)
    extra = {}
    for name, ops in writers.items():
        for writer in ops:
            later = _descendants(writer, in_plan)
            before = [r for r in readers.get(name, ()) if r is not writer and r not in later]
            if before:
                extra.setdefault(writer, []).extend(before)
    return extra


def _descendants(op, in_plan):
    seen, frontier = set(), [op]
    while frontier:
        current = frontier.pop()
        for t in current._outputs:
            for consumer in t._consumers:
                if consumer in in_plan and consumer not in seen:
                    seen.add(consumer)
                    frontier.append(consumer)
        for consumer in current._control_outputs:
            if consumer in in_plan and consumer not in seen:
                seen.add(consumer)
                frontier.append(consumer)
    return seen


def _dependencies(op, fed):
    deps = [t._op for t in _evaluated_inputs(op) if t not in fed]
    # A control dependency on an op whose outputs are all fed is met by the feed (TF1), e.g.
    # tf.control_dependencies([placeholder]) or on tf.cast(placeholder) of its own dtype.
    deps.extend(c for c in op._control_inputs
                if not (fed and c._outputs and all(t in fed for t in c._outputs)))
    if op._cond is not None:
        # Ops inside tf.cond branches run under `if pred:`; the predicates come first.
        deps.extend(b.pred._op for b in op._cond.chain() if b.pred not in fed)
    return deps

