"""``tf.train.AdagradOptimizer``: accum += g**2; var -= lr * g / sqrt(accum)."""
from tfone.train import training_ops
from tfone.train.optimizer import Optimizer, _constant_initializer

__all__ = ["AdagradOptimizer"]


class AdagradOptimizer(Optimizer):
    """Adagrad. Slot ``accumulator`` (``W/Adagrad``) starts at ``initial_accumulator_value``."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: %s"
                             % initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot_with_initializer(
                v, _constant_initializer(self._initial_accumulator_value), v.shape,
                v.dtype.base_dtype, "accumulator", self._name)

    def _prepare(self):
        self._learning_rate_tensor = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(var, acc, self._cast(self._learning_rate_tensor, var),
                                          grad, use_locking=self._use_locking).op

    def _apply_sparse_rows(self, grad, var, indices):
        acc = self.get_slot(var, "accumulator")
        return training_ops.sparse_apply_adagrad(
            var, acc, self._cast(self._learning_rate_tensor, var), grad, indices,
            use_locking=self._use_locking).op
