"""The Optimizer base class (``tf.train.Optimizer``): gradients in, update ops out.

``opt.minimize(loss)`` is ``opt.apply_gradients(opt.compute_gradients(loss))``:

* ``compute_gradients`` calls ``tf.gradients(loss, var_list)`` and returns ``(grad, var)``
  pairs (``grad`` is None for variables the loss does not depend on, as in TF1);
* ``apply_gradients`` creates the optimizer's *slot* variables (``W/Adam``, ``W/Adam_1``...,
  non-trainable graph variables in GLOBAL_VARIABLES, so ``tf.global_variables_initializer()``
  initializes them and ``tf.train.Saver`` saves them), then one fused update op per variable
  in the name scope ``<Optimizer>/update_<var>/`` and a ``group`` of them, named after the
  optimizer, that is the train op. With ``global_step`` the train op is the op that
  increments the step, after the updates.

Updates write into the variable buffers in place, and a variable's ``read`` shares its
buffer, so an update must not run before every other use of the variable's old value in the
same step (e.g. the backprop ``matmul(dy, W2, transpose_b=True)`` that carries the error to
layer 1). The Session guarantees that for every run: it orders each write after the reads of
the old value (see tfone/framework/schedule.py), so the graph stays TF1's.
"""
import contextlib

from tfone.framework import dtypes
from tfone.framework.gradients import gradients
from tfone.framework.graph import GraphKeys, Tensor, get_default_graph
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, control_flow_ops, math_ops, state_ops, variable_scope
from tfone.ops.variables import Variable

__all__ = ["Optimizer"]


class Optimizer:
    """Base class for optimizers; subclasses define ``_create_slots``, ``_prepare`` and
    ``_apply_dense`` (and optionally ``_finish``), as in TF1."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}           # slot name -> {variable op: slot Variable}
        self._non_slot_dict = {}   # (name, graph) -> Variable (e.g. Adam's beta1_power)

    def get_name(self):
        return self._name

    # -- the public API --------------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """Add ops that minimize ``loss`` by updating ``var_list`` (default: the trainable
        variables); returns the train op. ``global_step``, if given, is incremented by one
        after the updates."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables %s and loss %s."
                % ([str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """A list of ``(gradient, variable)`` pairs; the gradient is None where ``loss`` does
        not depend on the variable."""
        if callable(loss) and not isinstance(loss, (Tensor, Variable)):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a Tensor "
                               "(callable losses are for eager execution, which tfone does not "
                               "have).")
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not %s" % gate_gradients)
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = convert_to_tensor(grad_loss)
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        else:
            var_list = _flatten(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, (Variable, Tensor)):
                raise TypeError("Argument is not a tf.Variable: %r (var_list must hold "
                                "variables)" % (v,))
        grads = gradients(loss, var_list, grad_ys=grad_loss,
                          gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = control_flow_ops.tuple(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Ops that apply ``(gradient, variable)`` pairs; returns the train op.

        Pairs whose gradient is None are skipped; if every gradient is None this raises
        ValueError, as TF1 does.
        """
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                try:
                    g = convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError("Gradient must be convertible to a Tensor or None: %s"
                                    % (g,)) from None
            if not isinstance(v, Variable):
                if isinstance(v, Tensor):
                    raise NotImplementedError("Trying to update a Tensor %s: only tf.Variable "
                                              "objects can be updated by an optimizer." % v.name)
                raise TypeError("Expected a tf.Variable in grads_and_vars, got %r" % (v,))
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: %s."
                             % ([str(v) for _, v in converted],))
        graph = var_list[0].graph
        with graph.as_default():
            with _init_scope(graph):
                self._create_slots(var_list)
            update_ops = []
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                for grad, var in converted:
                    if grad is None:
                        continue
                    with graph.name_scope("update_" + var.op.name), _colocate_with(graph, var):
                        update_ops.append(self._apply_with_constraint(grad, var))
                if global_step is None:
                    apply_updates = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        with _colocate_with(graph, global_step):
                            apply_updates = state_ops.assign_add(global_step, 1, name=scope)
            if isinstance(apply_updates, Tensor):
                apply_updates = apply_updates.op
            train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
        return apply_updates

    def get_slot(self, var, name):
        """The slot variable ``name`` (see :meth:`get_slot_names`) created for ``var``, or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self):
        """Sorted names of the slots this optimizer creates (e.g. ['m', 'v'] for Adam)."""
        return sorted(self._slots)

    def variables(self):
        """The optimizer's own variables in the default graph (slots and e.g. beta1_power),
        sorted by name."""
        graph = get_default_graph()
        found = [v for (name, g), v in self._non_slot_dict.items() if g is graph]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is graph)
        return sorted(found, key=lambda v: v.name)

    # -- for subclasses --------------------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError("%s must define _apply_dense(grad, var)" % type(self).__name__)

    def _finish(self, update_ops, name_scope):
        return control_flow_ops.group(*update_ops, name=name_scope)

    def _apply_sparse_rows(self, grad, var, indices):
        """Update only the rows ``indices`` of ``var`` (and of its slots), as TF1's
        ``_apply_sparse`` does for an IndexedSlices gradient. The default is the dense update,
        right for optimizers whose TF1 sparse update equals the dense one on a gradient that
        is zero outside those rows (GradientDescent; Adam, which TF1 updates densely)."""
        return self._apply_dense(grad, var)

    def _apply_with_constraint(self, grad, var):
        # tf.gradients marks the gradient of a variable read only through tf.gather /
        # embedding_lookup with the gathered indices (TF1 returns IndexedSlices there).
        indices = sparse_gradient_indices(grad)
        if indices is None:
            update_op = self._apply_dense(grad, var)
        else:
            update_op = self._apply_sparse_rows(grad, var, indices)
        if var.constraint is None:
            return update_op
        with get_default_graph().control_dependencies([update_op]):
            return var.assign(var.constraint(var.value()))

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    def _hyper(self, value, name):
        """A hyperparameter as a tensor in the optimizer's scope (``Adam/learning_rate``)."""
        return convert_to_tensor(self._call_if_callable(value), name=name)

    @staticmethod
    def _cast(tensor, var):
        return math_ops.cast(tensor, var.dtype.base_dtype)

    def _assert_valid_dtypes(self, tensors):
        valid = (dtypes.float16, dtypes.float32, dtypes.float64)
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError("Invalid type %r for %s, expected: %s." % (
                    dtype, t.name, [v for v in valid]))

    # -- slots -----------------------------------------------------------------------------------
    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name,
                                           op_name):
        """The slot ``slot_name`` of ``var``, created as ``<var>/<op_name>`` (made unique:
        ``W/Adam``, ``W/Adam_1``...) holding ``initializer(shape, dtype)``."""
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = _create_slot(var, initializer, dtype, op_name)
        return named_slots[key]

    def _zeros_slot(self, var, slot_name, op_name):
        return self._get_or_make_slot_with_initializer(
            var, _constant_initializer(0), var.shape, var.dtype.base_dtype, slot_name, op_name)

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        """A slot whose initial value is the tensor ``val``."""
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = _create_slot(var, lambda shape, dtype: val, val.dtype, op_name)
        return named_slots[key]

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A variable shared by all the variables this optimizer updates (one per graph)."""
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with graph.as_default(), _init_scope(graph), _colocate_with(graph, colocate_with):
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))


# -- helpers ---------------------------------------------------------------------------------------
def sparse_gradient_indices(grad):
    """The rows a dense gradient stands for when TF1 would give IndexedSlices (a variable
    read only by tf.gather / tf.nn.embedding_lookup on axis 0): an int tensor of gathered
    indices, duplicates allowed; None for an ordinary gradient."""
    from tfone.framework.gradients import gathered_rows
    rows = gathered_rows(grad)
    return None if rows is None else rows.indices()


def _var_key(var):
    return var.op if hasattr(var, "op") else var


def _flatten(value):
    if isinstance(value, dict):
        return [v for k in sorted(value) for v in _flatten(value[k])]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flatten(item)]
    return [value]


@contextlib.contextmanager
def _init_scope(graph):
    """TF1's ``init_scope`` in graph mode: no control dependencies, but the name scope stays
    (so Adam's ``beta1_power`` made under ``tf.name_scope('train')`` is
    ``train/beta1_power``, as in TF1)."""
    with graph.control_dependencies(None):
        yield


@contextlib.contextmanager
def _colocate_with(graph, var):
    """Place ops on ``var``'s device, whatever the enclosing device scope (TF1's colocate_with)."""
    device = getattr(var, "device", "") or None
    with graph.device(None):
        if device:
            with graph.device(device):
                yield
        else:
            yield


def _constant_initializer(value):
    def initializer(shape, dtype):
        if value == 0:
            return array_ops.zeros(shape, dtype=dtype)
        if value == 1:
            return array_ops.ones(shape, dtype=dtype)
        from tfone.ops.constant_op import constant
        return constant(value, dtype=dtype, shape=shape)
    return initializer


def _create_slot(primary, initializer, dtype, op_name):
    """A non-trainable variable ``<primary>/<op_name>`` shaped like ``primary``."""
    graph = primary.graph
    shape = primary.shape
    # As TF1's slot_creator: the slot lives in the current *variable* scope (minimize inside
    # tf.variable_scope('opt') makes 'opt/w/Adam'); name scopes do not apply.
    with graph.as_default():
        scope = variable_scope.get_variable_scope().name
    name = (scope + "/" if scope else "") + primary.op.name + "/" + op_name
    with graph.as_default(), graph.name_scope(None), _init_scope(graph), \
            _colocate_with(graph, primary):
        if shape.is_fully_defined():
            return Variable(lambda: initializer(shape.as_list(), dtype),
                            name=name, trainable=False, dtype=dtype)
        # Shape known only at run time: start from the primary's initial value's shape.
        return Variable(lambda: _like(initializer, primary, dtype),
                        name=name, trainable=False, dtype=dtype, validate_shape=False)


def _like(initializer, primary, dtype):
    shape = array_ops.shape(primary.initialized_value())
    return initializer(shape, dtype)
