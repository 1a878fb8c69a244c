"""``tf.nn.rnn_cell``: TF1's RNN cells (see ``tfone.ops.rnn_cell_impl``)."""
from tfone.ops.rnn_cell_impl import (  # noqa: F401
    RNNCell, LayerRNNCell, BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell, MultiRNNCell,
    DropoutWrapper, ResidualWrapper, LSTMStateTuple)
