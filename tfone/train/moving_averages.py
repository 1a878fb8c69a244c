"""``tf.train.ExponentialMovingAverage`` and ``assign_moving_average`` (TF1 semantics).

    ema = tf.train.ExponentialMovingAverage(decay=0.999)
    with tf.control_dependencies([train_op]):
        train_op = ema.apply(tf.trainable_variables())   # shadow <- shadow - (1-decay)*(shadow-var)
    ema.average(w)                                       # the shadow variable of w
    saver = tf.train.Saver(ema.variables_to_restore())   # evaluate with the averages

Shadow variables are named ``<var op name>/ExponentialMovingAverage`` (in the current variable
scope), start at the variable's initial value (zeros for a tensor such as a batch mean) and
are non-trainable global variables. With ``num_updates`` the decay is
``min(decay, (1 + num_updates) / (10 + num_updates))``. ``zero_debias=True`` (tensors only, as
in TF1) divides out the bias towards the zero start, like Adam's bias correction.
"""
from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, Tensor, get_default_graph
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import control_flow_ops, math_ops, state_ops, variable_scope, variables
from tfone.ops.variables import Variable
from tfone.train.optimizer import _colocate_with, _create_slot, _init_scope

__all__ = ["ExponentialMovingAverage", "assign_moving_average", "moving_average_variables"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def moving_average_variables(scope=None):
    """The variables that have an ``ExponentialMovingAverage`` (``tf.moving_average_variables``)."""
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """``variable <- variable - (variable - value) * (1 - decay)``; returns the new value.

    ``zero_debias`` (the default, as TF1) keeps a biased average in ``<variable>/biased`` and a
    step count in ``<variable>/local_step`` and assigns ``biased / (1 - decay**step)``, so an
    average that starts at zero is not pulled towards zero.
    """
    graph = variable.graph
    with graph.as_default(), graph.name_scope(name or "AssignMovingAvg") as scope, \
            _colocate_with(graph, variable):
        base = variable.dtype.base_dtype
        decay = convert_to_tensor(1.0 - decay, name="decay")
        if decay.dtype != base:
            decay = math_ops.cast(decay, base)
        if not zero_debias:
            return state_ops.assign_sub(variable, (variable - value) * decay, name=scope)
        return _zero_debias(variable, value, decay, scope)


def _zero_debias(unbiased_var, value, decay, scope):
    graph = unbiased_var.graph
    base = unbiased_var.dtype.base_dtype
    with variable_scope.variable_scope(unbiased_var.op.name):
        with _init_scope(graph):
            biased_var = variable_scope.get_variable(
                _unique_in_scope("biased"), shape=unbiased_var.shape, dtype=base,
                initializer=_zeros(), trainable=False)
            local_step = variable_scope.get_variable(
                _unique_in_scope("local_step"), shape=[], dtype=base, initializer=_zeros(),
                trainable=False)
    update_biased = state_ops.assign_sub(biased_var, (biased_var - value) * decay)
    update_local_step = state_ops.assign_add(local_step, 1.0)
    bias_factor = 1 - math_ops.pow(1.0 - decay, update_local_step)
    return state_ops.assign(unbiased_var, update_biased / bias_factor, name=scope)


def _zeros():
    from tfone.ops.init_ops import zeros_initializer
    return zeros_initializer()


def _unique_in_scope(name):
    scope = variable_scope.get_variable_scope()
    if scope.reuse:
        return name
    taken = {v.op.name for v in variables.global_variables()}
    full = scope.name + "/" + name
    if full not in taken:
        return name
    idx = 1
    while "%s_%d" % (full, idx) in taken:
        idx += 1
    return "%s_%d" % (name, idx)


class ExponentialMovingAverage:
    """Maintains moving averages of variables (or tensors) by exponential decay."""

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}       # id(var) -> (var, shadow variable)

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Create the shadow variables (first time) and return an op that updates them all.

        ``var_list``: Variables or float tensors (default: ``tf.trainable_variables()``).
        """
        if var_list is None:
            var_list = variables.trainable_variables()
        var_list = list(var_list)
        zero_debias = set()
        for var in var_list:
            if not isinstance(var, (Variable, Tensor)):
                raise TypeError("ExponentialMovingAverage.apply takes Variables or Tensors, "
                                "got %r" % (var,))
            if var.dtype.base_dtype not in _FLOATS:
                raise TypeError("The variables must be half, float, or double: %s (%s)"
                                % (var.name, var.dtype.base_dtype.name))
            if id(var) in self._averages:
                continue
            graph = var.graph
            if isinstance(var, Variable):
                avg = _create_slot(var, lambda shape, dtype, var=var: var.initialized_value(),
                                   var.dtype.base_dtype, self._name)
                graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
            else:
                if not var.shape.is_fully_defined():
                    raise ValueError(
                        "ExponentialMovingAverage.apply: tensor %s has shape %s; tfone needs a "
                        "fully defined static shape to make its shadow variable (average a "
                        "reduced statistic such as a batch mean instead)." % (var.name,
                                                                              var.shape))
                avg = _create_slot(var, _zeros_like_initializer, var.dtype.base_dtype,
                                   self._name)
                if self._zero_debias:
                    zero_debias.add(id(avg))
            self._averages[id(var)] = (var, avg)
        graph = var_list[0].graph if var_list else get_default_graph()
        with graph.as_default(), graph.name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=dtypes.float32, name="decay")
            if self._num_updates is not None:
                num_updates = math_ops.cast(self._num_updates, dtypes.float32,
                                            name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = []
            for var in var_list:
                avg = self._averages[id(var)][1]
                updates.append(assign_moving_average(avg, var, decay,
                                                     zero_debias=id(avg) in zero_debias))
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var):
        """The shadow variable of ``var`` (None if ``apply`` was not called for it)."""
        entry = self._averages.get(id(var))
        return entry[1] if entry is not None else None

    def average_name(self, var):
        """The name of ``var``'s shadow variable (what it is or would be called), for
        ``tf.train.Saver({ema.average_name(v): v})``."""
        entry = self._averages.get(id(var))
        if entry is not None:
            return entry[1].op.name
        return var.graph.unique_name(var.op.name + "/" + self._name, mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None):
        """``{name in the checkpoint: variable}`` that loads each variable's *average* into
        the variable itself (and every other global variable under its own name)."""
        if moving_avg_variables is None:
            moving_avg_variables = (variables.trainable_variables()
                                    + moving_average_variables())
        unique = []
        for v in moving_avg_variables:
            if all(v is not u for u in unique):
                unique.append(v)
        name_map = {self.average_name(v): v for v in unique}
        names = {v.name for v in unique}
        for v in variables.global_variables():
            if v.name not in names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map


def _zeros_like_initializer(shape, dtype):
    from tfone.ops import array_ops
    return array_ops.zeros(shape, dtype=dtype)
