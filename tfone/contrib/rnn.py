"""``tf.contrib.rnn``: TF1's RNN cells under their contrib names (same classes as
``tf.nn.rnn_cell``) and the static RNN functions."""
from tfone.ops.rnn_cell_impl import (  # noqa: F401
    RNNCell, LayerRNNCell, BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell, MultiRNNCell,
    DropoutWrapper, ResidualWrapper, LSTMStateTuple)
from tfone.ops.rnn import static_rnn, static_bidirectional_rnn  # noqa: F401

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
           "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "LSTMStateTuple", "static_rnn",
           "static_bidirectional_rnn"]


def __getattr__(name):
    raise AttributeError("tfone has no tf.contrib.rnn.%s; tf.contrib.rnn provides %s."
                         % (name, ", ".join(__all__)))
