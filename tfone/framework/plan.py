"""Compiled runs: the pruned ops of one (fetches, feeds) signature as a Python function.

A Session asks ``Plan`` to compile the ops that ``schedule`` picked into the source of a small
function: one line per kernel call on local variables, ``del`` as soon as a value has no
later consumer, ops inside tf.cond branches under ``if pred:``. At compile time constants
(and pure ops on constants) are computed once and baked in, pass-through and identity ops
become aliases, NoOps and unneeded calls disappear, and variables are read right before
each use. A plan fed with partly unknown shapes compiles, per distinct feed-shape
combination, a specialised copy (specialize.py) in which shape arithmetic folds away.
Errors raised by a kernel are mapped back, through the line number, to the op and the user's
line that created it.
"""
import itertools
import time

import numpy as np

from tfone import errors
from tfone.framework import specialize
from tfone.framework.graph import Operation, Tensor
from tfone.framework.op_registry import ALL_INPUTS, _regroup
from tfone.framework.run_metadata import RunMetadata, _output_stats
from tfone.framework.schedule import schedule, evaluated_inputs

__all__ = ["Plan"]


# -- plans --------------------------------------------------------------------------------------------
_plan_ids = itertools.count()


class Plan:
    """A compiled run: pruned ops in topological order, turned into one Python function."""

    MAX_SPECIALIZATIONS = 8  # distinct feed-shape combinations compiled before giving up

    def __init__(self, ctx, mapper, feed_tensors, trace, elements=None, origin=None):
        self.fetch_elements = elements if elements is not None else mapper.elements
        self.feed_tensors = feed_tensors
        self.rebuild = mapper.make_rebuild() if mapper is not None else None
        self.ops = schedule(self.fetch_elements, feed_tensors)
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
                    plan = Plan(self._ctx, None, feeds_cloned, False, elements, origin)
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
            for t in evaluated_inputs(op):
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
            code = reads_for(names[t] for t in evaluated_inputs(op))
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
            dead = [v for v in dict.fromkeys(names[t] for t in evaluated_inputs(op))
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
                needed.update(names[t] for t in evaluated_inputs(op))
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
        inputs = evaluated_inputs(op)
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
        n_lists = sum(1 for s in specs if s.variadic)   # list inputs share one length (N)
        n_var = (len(inputs) - (len(specs) - n_lists)) // n_lists
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
        for shown, t in zip(evaluated_inputs(op), evaluated_inputs(run_op)):
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


# -- feeds ---------------------------------------------------------------------------------------------
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
    if isinstance(value, (Tensor, Operation)):
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
