"""``tf.contrib.rnn``: TF1's RNN cells under their contrib names (same classes as
``tf.nn.rnn_cell``), the static RNN functions, and contrib's projection wrappers."""
from tfone.ops import math_ops, variable_scope as vs
from tfone.ops.init_ops import zeros_initializer
from tfone.ops.rnn_cell_impl import (  # noqa: F401
    RNNCell, LayerRNNCell, BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell, MultiRNNCell,
    DropoutWrapper, ResidualWrapper, LSTMStateTuple, assert_like_rnncell)
from tfone.ops.rnn import static_rnn, static_bidirectional_rnn  # noqa: F401

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
           "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "LSTMStateTuple",
           "OutputProjectionWrapper", "InputProjectionWrapper", "static_rnn",
           "static_bidirectional_rnn"]


def _linear(x, size, name_prefix=""):
    """``x @ kernel + bias`` with variables ``kernel`` and ``bias`` (zeros) in the current
    variable scope, as TF1's core_rnn_cell._linear."""
    depth = x.shape.as_list()[-1]
    if depth is None:
        raise ValueError("The last dimension of the inputs must be known, got shape %s"
                         % x.shape)
    kernel = vs.get_variable(name_prefix + "kernel", [depth, size], dtype=x.dtype)
    bias = vs.get_variable(name_prefix + "bias", [size], dtype=x.dtype,
                           initializer=zeros_initializer(dtype=x.dtype))
    return math_ops.matmul(x, kernel) + bias


class OutputProjectionWrapper(RNNCell):
    """A cell whose outputs are projected to ``output_size`` by a dense layer
    (``output_projection_wrapper/kernel`` and ``bias``; the wrapped cell's variables live
    inside, e.g. ``rnn/output_projection_wrapper/basic_rnn_cell/kernel``). The state is the
    wrapped cell's. The usual way to get one prediction per time step from an RNN."""

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        if output_size < 1:
            raise ValueError("Parameter output_size must be > 0: %d." % output_size)
        self._cell = cell
        self._output_size = output_size
        self._activation = activation

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._output_size

    def zero_state(self, batch_size, dtype):
        from tfone.framework.graph import name_scope
        with name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        projected = _linear(output, self._output_size)
        if self._activation:
            projected = self._activation(projected)
        return projected, res_state


class InputProjectionWrapper(RNNCell):
    """A cell whose inputs are first projected to ``num_proj`` features by a dense layer
    (``input_projection_wrapper/kernel`` and ``bias``)."""

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None):
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        if input_size is not None:
            raise ValueError("The input_size parameter is deprecated (as in TF1); remove it.")
        self._cell = cell
        self._num_proj = num_proj
        self._activation = activation

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        from tfone.framework.graph import name_scope
        with name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        projected = _linear(inputs, self._num_proj)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


def __getattr__(name):
    raise AttributeError("tfone has no tf.contrib.rnn.%s; tf.contrib.rnn provides %s."
                         % (name, ", ".join(__all__)))
