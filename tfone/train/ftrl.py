"""``tf.train.FtrlOptimizer``: FTRL-proximal (McMahan et al. 2013), as TF1 computes it.

With p = -learning_rate_power (0.5 by default) and g' = g + 2 * l2_shrinkage * var::

    new_accum = accum + g**2
    linear += g' - (new_accum**p - accum**p) / lr * var
    var = (l1 * sign(linear) - linear) / (new_accum**p / lr + 2 * l2)   if |linear| > l1
    var = 0                                                              otherwise
    accum = new_accum
"""
from tfone.ops.constant_op import constant
from tfone.train import training_ops
from tfone.train.optimizer import Optimizer, _colocate_with, _init_scope

__all__ = ["FtrlOptimizer"]


class FtrlOptimizer(Optimizer):
    """FTRL. Slots ``accum`` (``W/Ftrl``, starts at ``initial_accumulator_value``) and
    ``linear`` (``W/Ftrl_1``)."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0):
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero"
                             % initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero"
                             % learning_rate_power)
        if l1_regularization_strength < 0.0:
            raise ValueError("l1_regularization_strength %f needs to be positive or zero"
                             % l1_regularization_strength)
        if l2_regularization_strength < 0.0:
            raise ValueError("l2_regularization_strength %f needs to be positive or zero"
                             % l2_regularization_strength)
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError("l2_shrinkage_regularization_strength %f needs to be positive or "
                             "zero" % l2_shrinkage_regularization_strength)
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            graph = v.graph
            with graph.as_default(), _init_scope(graph), _colocate_with(graph, v):
                if v.shape.is_fully_defined():
                    val = constant(self._initial_accumulator_value, dtype=v.dtype.base_dtype,
                                   shape=v.shape.as_list())
                else:
                    from tfone.ops import array_ops
                    val = (array_ops.ones_like(v.initialized_value()) *
                           self._initial_accumulator_value)
            self._get_or_make_slot(v, val, "accum", self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")
        self._l1_regularization_strength_tensor = self._hyper(
            self._l1_regularization_strength, "l1_regularization_strength")
        self._l2_regularization_strength_tensor = self._hyper(
            self._l2_regularization_strength, "l2_regularization_strength")
        self._l2_shrinkage_regularization_strength_tensor = self._hyper(
            self._l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = self._hyper(self._learning_rate_power,
                                                       "learning_rate_power")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        lr = self._cast(self._learning_rate_tensor, var)
        l1 = self._cast(self._l1_regularization_strength_tensor, var)
        l2 = self._cast(self._l2_regularization_strength_tensor, var)
        power = self._cast(self._learning_rate_power_tensor, var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.apply_ftrl(var, accum, linear, grad, lr, l1, l2, power,
                                           use_locking=self._use_locking).op
        shrinkage = self._cast(self._l2_shrinkage_regularization_strength_tensor, var)
        return training_ops.apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, shrinkage, power,
                                          use_locking=self._use_locking).op

    def _apply_sparse_rows(self, grad, var, indices):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        lr = self._cast(self._learning_rate_tensor, var)
        l1 = self._cast(self._l1_regularization_strength_tensor, var)
        l2 = self._cast(self._l2_regularization_strength_tensor, var)
        power = self._cast(self._learning_rate_power_tensor, var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.sparse_apply_ftrl(var, accum, linear, grad, indices, lr, l1, l2,
                                                  power, use_locking=self._use_locking).op
        shrinkage = self._cast(self._l2_shrinkage_regularization_strength_tensor, var)
        return training_ops.sparse_apply_ftrl_v2(var, accum, linear, grad, indices, lr, l1, l2,
                                                 shrinkage, power,
                                                 use_locking=self._use_locking).op
