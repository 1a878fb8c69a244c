"""``tf.train``: optimizers, learning-rate schedules, the global step, checkpoints.

See :mod:`tfone.train.optimizer` (how ``minimize`` builds the update ops),
:mod:`tfone.train.training_ops` (the fused update formulas), :mod:`tfone.train.saver`
(the checkpoint format) and :mod:`tfone.framework.graph_io` (graph export).
"""
from tfone.train.optimizer import Optimizer  # noqa: F401
from tfone.train.gradient_descent import GradientDescentOptimizer  # noqa: F401
from tfone.train.momentum import MomentumOptimizer  # noqa: F401
from tfone.train.adam import AdamOptimizer  # noqa: F401
from tfone.train.rmsprop import RMSPropOptimizer  # noqa: F401
from tfone.train.adagrad import AdagradOptimizer  # noqa: F401
from tfone.train.adadelta import AdadeltaOptimizer  # noqa: F401
from tfone.train.ftrl import FtrlOptimizer  # noqa: F401
from tfone.train.learning_rate_decay import (  # noqa: F401
    exponential_decay, piecewise_constant, piecewise_constant_decay, polynomial_decay,
    natural_exp_decay, inverse_time_decay, cosine_decay, cosine_decay_restarts,
    linear_cosine_decay)
from tfone.train.training_util import (  # noqa: F401
    global_step, get_global_step, create_global_step, get_or_create_global_step,
    assert_global_step)
from tfone.train.saver import (  # noqa: F401
    Saver, latest_checkpoint, get_checkpoint_state, update_checkpoint_state, checkpoint_exists,
    get_checkpoint_mtimes, remove_checkpoint, CheckpointState, list_variables, load_variable,
    load_checkpoint, NewCheckpointReader, export_meta_graph, import_meta_graph)
from tfone.framework.graph_io import write_graph  # noqa: F401
from tfone.summary.summary_iterator import summary_iterator  # noqa: F401
from tfone.train.moving_averages import ExponentialMovingAverage  # noqa: F401
