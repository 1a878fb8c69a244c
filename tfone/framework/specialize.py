"""Shape specialisation: a copy of a plan's ops with the fed shapes filled in.

Graphs are usually built with unknown batch sizes (``[None, 784]``), so many ops in a
gradient graph exist only to compute shapes at run time (Shape, BroadcastGradientArgs,
Size...). Once a Session sees the actual shapes of the fed values, it re-runs static shape
inference on a private copy of the scheduled ops with those shapes. Every shape that follows
from the fed shapes becomes static, and the plan compiler then folds the shape computations
into constants. Shapes that depend on data values (e.g. ``tf.where(mask)``) stay unknown.
The copy keeps op names, attrs and source locations; variables are found by name, so the
copy reads and writes the same session buffers.
"""
from tfone.framework.graph import Graph
from tfone.framework.op_registry import _regroup, _normalize_specs, get_opdef, is_ref_input
from tfone.framework.tensor_shape import TensorShape


def clone_with_shapes(ops, feed_tensors, feed_shapes):
    """Copy ``ops`` into a new Graph with ``feed_tensors`` replaced by placeholders of the
    given concrete shapes. Returns ``(tensor_map, op_origin)`` or None if inference fails
    (the caller then keeps the general plan, which reports the error when it runs)."""
    graph = Graph()
    tensor_map = {}
    op_origin = {}
    placeholder = get_opdef("Placeholder")
    for i, (tensor, shape) in enumerate(zip(feed_tensors, feed_shapes)):
        if tensor in tensor_map:
            continue
        merged = tensor.shape.merge_with(TensorShape(shape))
        op = graph.create_op("Placeholder", [], {"dtype": tensor.dtype, "shape": merged},
                             [(tensor.dtype, merged)], "_feed_%d" % i, placeholder)
        tensor_map[tensor] = op._outputs[0]
    op_map = {}
    branches = _BranchMap(graph, ops[0].graph if ops else None, tensor_map)
    try:
        for op in ops:
            op_map[op] = _clone_op(graph, op, tensor_map, op_map, branches)
            op_origin[op_map[op]] = op
    except (ValueError, TypeError, KeyError):
        return None
    return tensor_map, op_origin


class _BranchMap:
    """Copies of the tf.cond branches (and their groups) that the cloned ops belong to."""

    def __init__(self, graph, source_graph, tensor_map):
        self.graph, self.source, self.tensor_map, self.map = graph, source_graph, tensor_map, {}

    def __call__(self, branch):
        if branch is None:
            return None
        if branch not in self.map:
            from tfone.framework.graph import CondBranch
            info = self.source._cond_groups[branch.group]
            parent = self(branch.parent)
            pair = tuple(CondBranch(self.tensor_map[b.pred], b.branch, parent, b.group)
                         for b in info["branches"])
            self.map.update(zip(info["branches"], pair))
            self.graph._cond_groups[branch.group] = {"branches": pair}
        return self.map[branch]


def _clone_op(graph, op, tensor_map, op_map, branches):
    opdef = op._opdef
    inputs = []
    for index, t in enumerate(op._inputs):
        mapped = tensor_map.get(t)
        if mapped is None:
            if not is_ref_input(opdef, index):
                raise ValueError("input %s of %s is not part of the plan" % (t.name, op.name))
            # A variable named by an update op: copy its (input-free) op so the name resolves.
            source = op_map.get(t.op) or _clone_op(graph, t.op, tensor_map, op_map, branches)
            op_map[t.op] = source
            mapped = source._outputs[t._value_index]
        inputs.append(mapped)
    specs = opdef._input_specs
    grouped = _regroup(inputs, opdef, op) if any(s.variadic for s in specs) else inputs
    output_specs = _normalize_specs(opdef, opdef.infer(*grouped, **op._attrs)) if op._inputs else \
        [(t.dtype, t.shape) for t in op._outputs]
    for (dtype, shape), original in zip(output_specs, op._outputs):
        if dtype != original.dtype or not shape.is_compatible_with(original.shape):
            raise ValueError("specialised inference disagrees for %s" % original.name)
    control = [op_map[c] for c in op._control_inputs if c in op_map]
    with graph._entered_cond_branch(branches(op._cond)):
        clone = graph.create_op(op._type, inputs, op._attrs, output_specs, op._name, opdef)
    clone._control_inputs = control
    clone._location = op._location
    clone._device = op._device
    for t, c in zip(op._outputs, clone._outputs):
        tensor_map[t] = c
    return clone
