"""Which ops a run executes, and in what order.

``schedule(fetches, feeds)`` walks back from the fetches to the ops they need (stopping at
fed tensors) and returns them in a deterministic topological order. Variables are updated in
place, so the order also puts every write of a variable after the run's reads of its old
value (see ``_reads_before_writes``).
"""
from tfone import errors
from tfone.framework.graph import Operation
from tfone.framework.op_registry import ALL_INPUTS

__all__ = ["schedule", "evaluated_inputs"]


def evaluated_inputs(op):
    """Inputs whose values an op's kernel reads (ref inputs only name a variable)."""
    ref = op._opdef.ref_inputs
    if not ref:
        return op._inputs
    if ref is ALL_INPUTS:
        return ()
    return tuple(t for i, t in enumerate(op._inputs) if i not in ref)


def schedule(fetch_elements, feed_tensors):
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
        for t in evaluated_inputs(op):
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
    deps = [t._op for t in evaluated_inputs(op) if t not in fed]
    # A control dependency on an op whose outputs are all fed is met by the feed (TF1), e.g.
    # tf.control_dependencies([placeholder]) or on tf.cast(placeholder) of its own dtype.
    deps.extend(c for c in op._control_inputs
                if not (fed and c._outputs and all(t in fed for t in c._outputs)))
    if op._cond is not None:
        # Ops inside tf.cond branches run under `if pred:`; the predicates come first.
        deps.extend(b.pred._op for b in op._cond.chain() if b.pred not in fed)
    return deps
