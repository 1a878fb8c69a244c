"""TF1's RNN cells (``tf.nn.rnn_cell``): one step of a recurrent network.

``output, new_state = cell(inputs, state)`` builds one time step. Cells are ``tf.layers``
layers: their weights are made by ``tf.get_variable`` in a variable scope named after the cell
(``rnn/basic_lstm_cell/kernel:0`` inside ``tf.nn.dynamic_rnn``), created on the first call and
reused by later calls (later time steps).

Gate layout (as TF1, so checkpoints and pictures match):

- ``BasicLSTMCell`` / ``LSTMCell``: ``kernel`` is ``[input_depth + h_depth, 4 * num_units]``;
  ``concat([inputs, h]) @ kernel + bias`` is split into ``i, j, f, o`` (input gate, new input,
  forget gate, output gate); ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``,
  ``h' = tanh(c') * sigmoid(o)``. The state is ``LSTMStateTuple(c, h)``.
- ``GRUCell``: ``gates/kernel`` ``[input_depth + num_units, 2 * num_units]`` gives ``r, u``
  (reset, update; ``gates/bias`` starts at 1.0); ``candidate/kernel`` gives
  ``c = tanh(concat([inputs, r * h]) @ W + b)``; ``h' = u * h + (1 - u) * c``.
"""
import collections
import threading

import numpy as np

from tfone.framework import dtypes
from tfone.framework import graph as _graph
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor, constant_value
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras.engine.base_layer import InputSpec
from tfone.keras.engine.base_layer_utils import flatten, pack_sequence_as, map_structure
from tfone.layers import base as base_layer
from tfone.ops import array_ops, math_ops, init_ops
from tfone.ops import variable_scope as vs

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell",
           "MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "LSTMStateTuple"]

_WEIGHTS_VARIABLE_NAME = "kernel"
_BIAS_VARIABLE_NAME = "bias"


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The state of an LSTM cell: ``(c, h)``, the memory cell and the hidden state (output)."""
    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError("Inconsistent internal state: %s vs %s" % (c.dtype, h.dtype))
        return c.dtype


# -- unrolled steps --------------------------------------------------------------------------------
class _Unrolling(threading.local):
    depth = 0


_unrolling = _Unrolling()


class unrolled_step:
    """Context manager for one unrolled time step: opens the name scope ``step_<t>`` and makes
    cells put this step's ops under it (``rnn/step_3/basic_lstm_cell/MatMul``), so every step
    has the same structure and pictures can fold ``step_0``, ``step_1``, ... together."""

    def __init__(self, t):
        self._t = t
        self._scope = None

    def __enter__(self):
        self._scope = _graph.get_default_graph().name_scope("step_%d" % self._t)
        name = self._scope.__enter__()
        _unrolling.depth += 1
        return name

    def __exit__(self, *exc):
        _unrolling.depth -= 1
        return self._scope.__exit__(*exc)


def assert_like_rnncell(cell_name, cell):
    """Raise TypeError naming what is missing if ``cell`` is not usable as an RNN cell."""
    conditions = [hasattr(cell, "output_size"), hasattr(cell, "state_size"),
                  hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"),
                  callable(cell)]
    messages = ["'output_size' property is missing", "'state_size' property is missing",
                "either 'zero_state' or 'get_initial_state' method is required",
                "is not callable"]
    if not all(conditions):
        missing = [m for m, ok in zip(messages, conditions) if not ok]
        raise TypeError("The argument %r (%s) is not an RNNCell: %s." % (cell_name, cell,
                                                                        ", ".join(missing)))


def _concat(prefix, suffix, static=False):
    """[prefix] + suffix as a list of ints/None (static) or an int32 shape tensor."""
    suffix_dims = TensorShape(suffix).as_list()
    if static:
        p = prefix if not hasattr(prefix, "dtype") else constant_value(prefix)
        p = None if p is None else int(p)
        return [p] + suffix_dims
    if hasattr(prefix, "dtype"):
        p = array_ops.reshape(math_ops.cast(prefix, dtypes.int32), [1])
        return array_ops.concat([p, convert_to_tensor(np.array(suffix_dims, np.int32))], 0)
    return [int(prefix)] + suffix_dims


def _zero_state_tensors(state_size, batch_size, dtype):
    def get_state_shape(s):
        size = array_ops.zeros(_concat(batch_size, s), dtype=dtype)
        size.set_shape(_concat(batch_size, s, static=True))
        return size
    return map_structure(get_state_shape, state_size)


def _input_depth(inputs_shape, dtype):
    """The known size of the inputs' last dimension (cells build their kernels from it)."""
    depth = dimension_value(TensorShape(inputs_shape)[-1])
    if depth is None:
        raise ValueError("Expected inputs.shape[-1] to be known, saw shape: %s" % (inputs_shape,))
    _check_supported_dtypes(dtype)
    return depth


def _check_supported_dtypes(dtype):
    if dtype is None:
        return
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError("RNN cell only supports floating point inputs, but saw dtype: %s"
                         % dtype.name)


def _check_rnn_cell_input_dtypes(inputs):
    for t in flatten(inputs):
        _check_supported_dtypes(t.dtype)


# -- base classes ----------------------------------------------------------------------------------
class RNNCell(base_layer.Layer):
    """Abstract RNN cell: ``state_size``, ``output_size`` and ``call(inputs, state)`` returning
    ``(output, new_state)``. Cells that make variables with ``tf.get_variable`` inside ``call``
    share them across calls through the variable scope captured on the first call."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._is_tf_rnn_cell = True

    def __call__(self, inputs, state, scope=None):
        if scope is not None:
            with vs.variable_scope(scope, custom_getter=self._rnn_get_variable) as scope:
                return super().__call__(inputs, state, scope=scope)
        captured = getattr(self, "rnncell_scope", None)
        if captured is None:
            with vs.variable_scope(vs.get_variable_scope(), custom_getter=self._rnn_get_variable,
                                   auxiliary_name_scope=False) as captured:
                self.rnncell_scope = captured
                return super().__call__(inputs, state)
        with vs.variable_scope(captured, custom_getter=self._rnn_get_variable,
                               auxiliary_name_scope=False):
            return super().__call__(inputs, state)

    def _rnn_get_variable(self, getter, *args, **kwargs):
        variable = getter(*args, **kwargs)
        if getattr(variable, "trainable", kwargs.get("trainable", True) is not False):
            if not any(variable is w for w in self._trainable_weights):
                self._trainable_weights.append(variable)
        elif not any(variable is w for w in self._non_trainable_weights):
            self._non_trainable_weights.append(variable)
        return variable

    def _name_scope(self):
        current = self._current_scope.original_name_scope
        if _unrolling.depth:
            graph_scope = _graph.get_default_graph().get_name_scope()
            if not current.startswith(graph_scope + "/"):
                # A later unrolled step: a fresh scope named like the cell inside this step.
                return self._scope.name.rsplit("/", 1)[-1]
        return current

    @property
    def state_size(self):
        """Size(s) of the state: an int, a TensorShape, or a (nested) tuple of them."""
        raise NotImplementedError("%s must define state_size" % type(self).__name__)

    @property
    def output_size(self):
        """Size of the outputs (an int or TensorShape)."""
        raise NotImplementedError("%s must define output_size" % type(self).__name__)

    def build(self, _):
        self.built = True

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            if batch_size is not None:
                static = batch_size if not hasattr(batch_size, "dtype") else constant_value(
                    batch_size)
                if dimension_value(inputs.shape[0]) != static:
                    raise ValueError("batch size from input tensor is different from the input "
                                     "param. Input tensor batch: %s, batch_size: %s"
                                     % (inputs.shape[0], batch_size))
            if dtype is not None and inputs.dtype != dtypes.as_dtype(dtype):
                raise ValueError("dtype from input tensor is different from the input param. "
                                 "Input tensor dtype: %s, dtype: %s" % (inputs.dtype, dtype))
            batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError("batch_size and dtype cannot be None while constructing initial "
                             "state: batch_size=%s, dtype=%s" % (batch_size, dtype))
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zero-filled state tensor(s) of shape ``[batch_size, s]`` for each size in
        ``state_size`` (``batch_size`` may be an int or a scalar tensor)."""
        with name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtypes.as_dtype(dtype))

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}


class LayerRNNCell(RNNCell):
    """An RNNCell that makes its weights in ``build`` like any layer (all built-in cells)."""

    def __call__(self, inputs, state, scope=None, *args, **kwargs):
        return base_layer.Layer.__call__(self, inputs, state, scope=scope, *args, **kwargs)


# -- cells -----------------------------------------------------------------------------------------
def _activation(activation):
    if activation:
        from tfone.keras import activations
        return activations.get(activation)
    return math_ops.tanh


def _serialize_activation(activation):
    from tfone.keras import activations
    return activations.serialize(activation)


def _bias_add(value, bias):
    from tfone import nn
    return nn.bias_add(value, bias)


class BasicRNNCell(LayerRNNCell):
    """The most basic RNN cell: ``output = new_state = tanh(concat([x, h]) @ kernel + bias)``."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = _input_depth(inputs_shape, self.dtype)
        self._kernel = self.add_variable(_WEIGHTS_VARIABLE_NAME,
                                         shape=[input_depth + self._num_units, self._num_units])
        self._bias = self.add_variable(_BIAS_VARIABLE_NAME, shape=[self._num_units],
                                       initializer=init_ops.zeros_initializer(dtype=self.dtype))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._kernel)
        gate_inputs = _bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output

    def get_config(self):
        return dict(super().get_config(), num_units=self._num_units,
                    activation=_serialize_activation(self._activation), reuse=self._reuse)


class BasicLSTMCell(LayerRNNCell):
    """LSTM cell without peepholes or projection; ``forget_bias`` (default 1.0) is added to the
    forget gate's pre-activation. State: ``LSTMStateTuple(c, h)`` (``state_is_tuple=True``) or
    ``concat([c, h], 1)``."""

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return (LSTMStateTuple(self._num_units, self._num_units) if self._state_is_tuple
                else 2 * self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = _input_depth(inputs_shape, self.dtype)
        h_depth = self._num_units
        self._kernel = self.add_variable(_WEIGHTS_VARIABLE_NAME,
                                         shape=[input_depth + h_depth, 4 * self._num_units])
        self._bias = self.add_variable(_BIAS_VARIABLE_NAME, shape=[4 * self._num_units],
                                       initializer=init_ops.zeros_initializer(dtype=self.dtype))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        sigmoid = math_ops.sigmoid
        one = convert_to_tensor(1, dtype=dtypes.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        gate_inputs = _bias_add(gate_inputs, self._bias)
        # i = input gate, j = new input, f = forget gate, o = output gate
        i, j, f, o = array_ops.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias_tensor = convert_to_tensor(self._forget_bias, dtype=f.dtype)
        add, multiply = math_ops.add, math_ops.multiply
        new_c = add(multiply(c, sigmoid(add(f, forget_bias_tensor))),
                    multiply(sigmoid(i), self._activation(j)))
        new_h = multiply(self._activation(new_c), sigmoid(o))
        if self._state_is_tuple:
            new_state = LSTMStateTuple(new_c, new_h)
        else:
            new_state = array_ops.concat([new_c, new_h], 1)
        return new_h, new_state

    def get_config(self):
        return dict(super().get_config(), num_units=self._num_units,
                    forget_bias=self._forget_bias, state_is_tuple=self._state_is_tuple,
                    activation=_serialize_activation(self._activation), reuse=self._reuse)


class LSTMCell(LayerRNNCell):
    """LSTM cell with optional peepholes (``use_peepholes``: ``w_f_diag``, ``w_i_diag``,
    ``w_o_diag``), cell clipping (``cell_clip``), and a projection of the output
    (``num_proj``: ``projection/kernel``, optionally clipped by ``proj_clip``)."""

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise ValueError("LSTMCell: num_unit_shards / num_proj_shards (partitioned weights) "
                             "are not supported by tfone.")
        self.input_spec = InputSpec(ndim=2)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        from tfone import initializers
        self._initializer = initializers.get(initializer)
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        if num_proj:
            self._state_size = (LSTMStateTuple(num_units, num_proj) if state_is_tuple
                                else num_units + num_proj)
            self._output_size = num_proj
        else:
            self._state_size = (LSTMStateTuple(num_units, num_units) if state_is_tuple
                                else 2 * num_units)
            self._output_size = num_units

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, inputs_shape):
        input_depth = _input_depth(inputs_shape, self.dtype)
        h_depth = self._num_units if self._num_proj is None else self._num_proj
        self._kernel = self.add_variable(_WEIGHTS_VARIABLE_NAME,
                                         shape=[input_depth + h_depth, 4 * self._num_units],
                                         initializer=self._initializer)
        self._bias = self.add_variable(_BIAS_VARIABLE_NAME, shape=[4 * self._num_units],
                                       initializer=init_ops.zeros_initializer(dtype=self.dtype))
        if self._use_peepholes:
            self._w_f_diag = self.add_variable("w_f_diag", shape=[self._num_units],
                                               initializer=self._initializer)
            self._w_i_diag = self.add_variable("w_i_diag", shape=[self._num_units],
                                               initializer=self._initializer)
            self._w_o_diag = self.add_variable("w_o_diag", shape=[self._num_units],
                                               initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_variable("projection/%s" % _WEIGHTS_VARIABLE_NAME,
                                                  shape=[self._num_units, self._num_proj],
                                                  initializer=self._initializer)
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        sigmoid = math_ops.sigmoid
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, self._num_units])
            m_prev = array_ops.slice(state, [0, self._num_units], [-1, num_proj])
        if dimension_value(inputs.shape.with_rank(2)[1]) is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        lstm_matrix = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = _bias_add(lstm_matrix, self._bias)
        i, j, f, o = array_ops.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = (LSTMStateTuple(c, m) if self._state_is_tuple
                     else array_ops.concat([c, m], 1))
        return m, new_state

    def get_config(self):
        from tfone import initializers
        return dict(super().get_config(), num_units=self._num_units,
                    use_peepholes=self._use_peepholes, cell_clip=self._cell_clip,
                    initializer=None if self._initializer is None else initializers.serialize(
                        self._initializer),
                    num_proj=self._num_proj, proj_clip=self._proj_clip,
                    num_unit_shards=None, num_proj_shards=None, forget_bias=self._forget_bias,
                    state_is_tuple=self._state_is_tuple,
                    activation=_serialize_activation(self._activation), reuse=self._reuse)


class GRUCell(LayerRNNCell):
    """Gated recurrent unit (Cho et al. 2014): reset and update gates, then a candidate."""

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = num_units
        self._activation = _activation(activation)
        from tfone import initializers
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = _input_depth(inputs_shape, self.dtype)
        self._gate_kernel = self.add_variable(
            "gates/%s" % _WEIGHTS_VARIABLE_NAME,
            shape=[input_depth + self._num_units, 2 * self._num_units],
            initializer=self._kernel_initializer)
        self._gate_bias = self.add_variable(
            "gates/%s" % _BIAS_VARIABLE_NAME, shape=[2 * self._num_units],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else init_ops.constant_initializer(1.0, dtype=self.dtype)))
        self._candidate_kernel = self.add_variable(
            "candidate/%s" % _WEIGHTS_VARIABLE_NAME,
            shape=[input_depth + self._num_units, self._num_units],
            initializer=self._kernel_initializer)
        self._candidate_bias = self.add_variable(
            "candidate/%s" % _BIAS_VARIABLE_NAME, shape=[self._num_units],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else init_ops.zeros_initializer(dtype=self.dtype)))
        self.built = True

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = math_ops.matmul(array_ops.concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = _bias_add(gate_inputs, self._gate_bias)
        value = math_ops.sigmoid(gate_inputs)
        r, u = array_ops.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = math_ops.matmul(array_ops.concat([inputs, r_state], 1),
                                    self._candidate_kernel)
        candidate = _bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h

    def get_config(self):
        from tfone import initializers
        return dict(super().get_config(), num_units=self._num_units,
                    kernel_initializer=None if self._kernel_initializer is None
                    else initializers.serialize(self._kernel_initializer),
                    bias_initializer=None if self._bias_initializer is None
                    else initializers.serialize(self._bias_initializer),
                    activation=_serialize_activation(self._activation), reuse=self._reuse)


class MultiRNNCell(RNNCell):
    """Cells stacked: the output of cell i is the input of cell i + 1. Variables live in
    ``multi_rnn_cell/cell_<i>/...``; the state is a tuple with one state per cell."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not isinstance(cells, (list, tuple)):
            raise TypeError("cells must be a list or tuple, but saw: %s." % (cells,))
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(isinstance(c.state_size, tuple) for c in self._cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple is "
                             "not set.  State sizes are: %s"
                             % [c.state_size for c in self._cells])

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return _zero_state_tensors(self.state_size, batch_size, dtypes.as_dtype(dtype))

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with vs.variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    if not isinstance(state, (list, tuple)):
                        raise ValueError("Expected state to be a tuple of length %d, but "
                                         "received: %s" % (len(self.state_size), state))
                    cur_state = state[i]
                else:
                    cur_state = array_ops.slice(state, [0, cur_state_pos],
                                                [-1, cell.state_size])
                    cur_state_pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        new_states = (tuple(new_states) if self._state_is_tuple
                      else array_ops.concat(new_states, 1))
        return cur_inp, new_states


class _RNNCellWrapper(RNNCell):
    """A cell that wraps another: it calls the wrapped cell's ``__call__`` directly, so the
    variables keep the wrapped cell's names (``rnn/basic_lstm_cell/kernel``)."""

    def __init__(self, cell, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    @property
    def wrapped_cell(self):
        return self.cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, cell_call_fn=self.cell.__call__,
                                       scope=scope)


def _default_dropout_state_filter_visitor(substate):
    if isinstance(substate, LSTMStateTuple):
        # Do not perform dropout on the memory state.
        return LSTMStateTuple(c=False, h=True)
    return True


class DropoutWrapper(_RNNCellWrapper):
    """Dropout on the inputs, outputs and/or state of a cell, with keep probabilities
    ``input_keep_prob``, ``output_keep_prob`` and ``state_keep_prob`` (Python floats or scalar
    tensors; a constant 1.0 adds no op). The ``c`` part of an ``LSTMStateTuple`` is never
    dropped (TF1's default ``dropout_state_filter_visitor``)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__(cell, dtype=dtype)
        if variational_recurrent:
            raise ValueError("DropoutWrapper: variational_recurrent=True is not supported by "
                             "tfone (the same dropout mask would have to be kept across the "
                             "unrolled steps); use variational_recurrent=False.")
        if dropout_state_filter_visitor is not None and not callable(
                dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or _default_dropout_state_filter_visitor)
        self._seed = seed
        for prob, attr in [(input_keep_prob, "_input_keep_prob"),
                           (state_keep_prob, "_state_keep_prob"),
                           (output_keep_prob, "_output_keep_prob")]:
            value = prob if not hasattr(prob, "dtype") else constant_value(
                convert_to_tensor(prob))
            if value is not None:
                value = float(value)
                if value < 0 or value > 1:
                    raise ValueError("Parameter %s must be between 0 and 1: %g" % (attr, value))
                setattr(self, attr, value)
            else:
                setattr(self, attr, prob)

    @staticmethod
    def _should_dropout(p):
        return (not isinstance(p, float)) or p < 1

    def _dropout(self, values, salt_prefix, keep_prob, flags=None):
        from tfone import nn
        flat = flatten(values)
        if flags is None:
            flags = [True] * len(flat)
        out = [nn.dropout(v, keep_prob=keep_prob, seed=self._gen_seed(salt_prefix)) if keep
               else v for v, keep in zip(flat, flags)]
        return pack_sequence_as(values, out)

    def _gen_seed(self, salt_prefix):
        if self._seed is None:
            return None
        import hashlib
        string = (str(self._seed) + salt_prefix).encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        if self._should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if self._should_dropout(self._state_keep_prob):
            flags = _dropout_flags(new_state, self._dropout_state_filter)
            new_state = self._dropout(new_state, "state", self._state_keep_prob, flags)
        if self._should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """Adds the cell's inputs to its outputs: ``output = cell_output + inputs``."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs, outputs):
            map_structure(lambda i, o: i.shape.assert_is_compatible_with(o.shape), inputs,
                          outputs)
            return map_structure(lambda i, o: i + o, inputs, outputs)
        res_outputs = (self._residual_fn or default_residual_fn)(inputs, outputs)
        return res_outputs, new_state


def _dropout_flags(state, visitor):
    """One bool per tensor of ``state``: does it get dropout? ``visitor(substructure)`` returns a
    bool (False: skip all of it; True: go inside) or a structure of bools for its parts, as
    TF1's ``dropout_state_filter_visitor``."""
    decision = visitor(state)
    is_sequence = isinstance(state, (list, tuple))
    if isinstance(decision, (list, tuple)):
        flags = []
        for part, keep in zip(state, decision):
            flags += _dropout_flags(part, visitor) if keep else [False] * len(flatten(part))
        return flags
    if not decision:
        return [False] * len(flatten(state))
    if not is_sequence:
        return [True]
    flags = []
    for part in state:
        flags += _dropout_flags(part, visitor)
    return flags
