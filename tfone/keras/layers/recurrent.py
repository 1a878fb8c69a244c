"""Keras recurrent layers: ``RNN``, ``SimpleRNN``, ``LSTM``, ``GRU`` and their cells.

Defaults are those of ``tf.keras.layers.LSTM`` / ``GRU`` in TensorFlow 1.15 (the v1 layers,
which are also Keras 2.2's): ``recurrent_activation='hard_sigmoid'``,
``recurrent_initializer='orthogonal'``, ``unit_forget_bias=True``, ``implementation=1``, and
``reset_after=False`` for GRU.

Weights belong to the layer's name scope: ``lstm/kernel:0`` ``(input_dim, 4 * units)``,
``lstm/recurrent_kernel:0`` ``(units, 4 * units)``, ``lstm/bias:0`` ``(4 * units,)``, with the
gates in Keras's order ``i, f, c, o`` (GRU: ``z, r, h``).

tfone unrolls the recurrence over the time steps while building the graph (``unroll`` is
always effectively True): the number of time steps must be known, e.g.
``LSTM(32, input_shape=(10, 8))``. Step ``t`` is built under ``<layer>/step_<t>/``.
"""
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras import activations, backend, constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import (Layer, InputSpec, get_keras_history)
from tfone.keras.engine.base_layer_utils import flatten, smart_cond
from tfone.ops import array_ops, math_ops

__all__ = ["RNN", "StackedRNNCells", "SimpleRNNCell", "SimpleRNN", "LSTMCell", "LSTM",
           "GRUCell", "GRU"]


def _is_multiple_state(state_size):
    return hasattr(state_size, "__len__") and not isinstance(state_size, TensorShape)


def _nn():
    from tfone import nn
    return nn


def _dot(x, y):
    return math_ops.matmul(x, y)


def _bias_add(x, b):
    return _nn().bias_add(x, b)


def _generate_zero_filled_state(batch_size, state_size, dtype):
    def zeros(size):
        dims = TensorShape(size).as_list()
        if isinstance(batch_size, int):
            return array_ops.zeros([batch_size] + dims, dtype=dtype)
        out = array_ops.zeros(array_ops.stack([batch_size] + dims), dtype=dtype)
        out.set_shape([None] + dims)
        return out
    if _is_multiple_state(state_size):
        return [zeros(s) for s in state_size]
    return zeros(state_size)


class StackedRNNCells(Layer):
    """Several cells used as one: the output of each is the input of the next."""

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError("All cells must have a `call` method. received cells: %s"
                                 % (cells,))
            if not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `state_size` attribute. received cells: "
                                 "%s" % (cells,))
        self.cells = list(cells)
        super().__init__(**kwargs)

    @property
    def state_size(self):
        return tuple(c.state_size for c in self.cells)

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if _is_multiple_state(last.state_size):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return tuple(cell.get_initial_state(inputs=inputs, batch_size=batch_size, dtype=dtype)
                     for cell in self.cells)

    def call(self, inputs, states, training=None):
        flat = list(flatten(states))
        new_states = []
        for cell in self.cells:
            n = len(cell.state_size) if _is_multiple_state(cell.state_size) else 1
            cell_states, flat = flat[:n], flat[n:]
            if n == 1 and getattr(cell, "_is_tf_rnn_cell", False):
                cell_states = cell_states[0]   # TF cells take a single state unwrapped
            kwargs = {"training": training} if cell._expects_training_arg else {}
            inputs, cell_new = cell.call(inputs, cell_states, **kwargs)
            new_states += list(cell_new) if isinstance(cell_new, (list, tuple)) else [cell_new]
        return inputs, new_states

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                if cell._dtype is None:
                    cell._dtype = self.dtype
                cell.build(shape)
                cell.built = True
            output_dim = (cell.output_size if getattr(cell, "output_size", None) is not None
                          else (cell.state_size[0] if _is_multiple_state(cell.state_size)
                                else cell.state_size))
            shape = TensorShape([shape.as_list()[0]] + TensorShape(output_dim).as_list())
        self.built = True

    def get_config(self):
        cells = [{"class_name": c.__class__.__name__, "config": c.get_config()}
                 for c in self.cells]
        return dict(super().get_config(), cells=cells)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfone.keras.layers import deserialize
        config = dict(config)
        cells = [deserialize(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


class RNN(Layer):
    """Base class for recurrent layers: runs ``cell`` over the time steps of its input.

    ``return_sequences`` (all outputs or the last), ``return_state`` (also return the final
    states), ``go_backwards`` (process the sequence in reverse; the output sequence is
    reversed), ``time_major``. Masks (from ``Embedding(mask_zero=True)`` or ``Masking``) make
    masked steps keep the previous state and output. ``stateful=True`` is not supported.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError("`cell` should have a `call` method. The RNN was passed: %s"
                             % (cell,))
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have an attribute `state_size` (tuple of "
                             "integers, one integer per RNN state).")
        if stateful:
            raise ValueError("stateful=True RNNs are not supported by tfone (the state would "
                             "have to live in variables between batches); pass the state "
                             "explicitly with initial_state / return_state instead.")
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None),
                                     kwargs.pop("input_dim", None))
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = False
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = None
        self.state_spec = None

    @property
    def states(self):
        size = self.cell.state_size
        return [None] * len(size) if _is_multiple_state(size) else [None]

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        dims = TensorShape(input_shape).as_list()
        batch, time_step = dims[0], dims[1]
        if self.time_major:
            batch, time_step = time_step, batch
        state_size = (list(self.cell.state_size) if _is_multiple_state(self.cell.state_size)
                      else [self.cell.state_size])
        output_dim = TensorShape(getattr(self.cell, "output_size", None) or state_size[0])
        if self.return_sequences:
            head = [time_step, batch] if self.time_major else [batch, time_step]
            output_shape = TensorShape(head + output_dim.as_list())
        else:
            output_shape = TensorShape([batch] + output_dim.as_list())
        if self.return_state:
            return [output_shape] + [TensorShape([batch] + TensorShape(s).as_list())
                                     for s in state_size]
        return output_shape

    def compute_mask(self, inputs, mask):
        mask = flatten(mask)[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.states]
        return output_mask

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        shape = TensorShape(input_shape)
        dims = shape.as_list()
        batch_index, time_index = (1, 0) if self.time_major else (0, 1)
        spec_shape = list(dims)
        spec_shape[batch_index] = None
        spec_shape[time_index] = None
        self.input_spec = [InputSpec(shape=tuple(spec_shape))]
        step_shape = dims[1:] if self.time_major else [dims[0]] + dims[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            if self.cell._dtype is None:
                self.cell._dtype = self.dtype
            self.cell.build(TensorShape(step_shape))
            self.cell.built = True
        state_size = (list(self.cell.state_size) if _is_multiple_state(self.cell.state_size)
                      else [self.cell.state_size])
        self.state_spec = [InputSpec(shape=[None] + TensorShape(s).as_list())
                           for s in state_size]
        self.built = True

    def get_initial_state(self, inputs):
        """Zero states, one per entry of ``cell.state_size``, for the batch of ``inputs``."""
        batch_axis = 1 if self.time_major else 0
        batch = dimension_value(inputs.shape[batch_axis])
        if batch is None:
            batch = array_ops.shape(inputs)[batch_axis]
        get_initial_state_fn = getattr(self.cell, "get_initial_state", None)
        if get_initial_state_fn is not None:
            init_state = get_initial_state_fn(inputs=None, batch_size=batch, dtype=inputs.dtype)
        else:
            init_state = _generate_zero_filled_state(batch, self.cell.state_size, inputs.dtype)
        if not isinstance(init_state, (list, tuple)):
            init_state = [init_state]
        return list(init_state)

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        if constants is not None:
            raise ValueError("RNN `constants` are not supported by tfone.")
        if isinstance(inputs, list) and initial_state is None and len(inputs) > 1:
            inputs, initial_state = inputs[0], inputs[1:]
        if initial_state is None:
            return super().__call__(inputs, **kwargs)
        initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
            initial_state]
        if all(get_keras_history(s) is not None for s in initial_state):
            # Keras tensors: make them inputs of the node, so functional models see them.
            saved_spec = self.input_spec
            self.input_spec = None
            try:
                return super().__call__([inputs] + initial_state, **kwargs)
            finally:
                if saved_spec is not None and self.input_spec is None:
                    self.input_spec = saved_spec
        kwargs["initial_state"] = initial_state
        return super().__call__(inputs, **kwargs)

    def _maybe_build(self, inputs):
        if isinstance(inputs, list):
            first = inputs[0]
            if self._dtype is None:
                self._dtype = first.dtype.base_dtype.name if first.dtype.is_floating else (
                    backend.floatx())
            self.build(first.shape)
            self.built = True
            return
        super()._maybe_build(inputs)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        from tfone.ops.rnn import keras_rnn
        if isinstance(inputs, list):
            initial_state = inputs[1:] or initial_state
            inputs = inputs[0]
        if initial_state is None:
            initial_state = self.get_initial_state(inputs)
        if len(initial_state) != len(self.states):
            raise ValueError("Layer %s has %d states but was passed %d initial states."
                             % (self.name, len(self.states), len(initial_state)))
        if mask is not None:
            mask = flatten(mask)[0] if isinstance(mask, (list, tuple)) else mask
        kwargs = {}
        if getattr(self.cell, "_expects_training_arg", False):
            kwargs["training"] = training
        is_tf_cell = getattr(self.cell, "_is_tf_rnn_cell", False)

        def step(step_inputs, states):
            states = states[0] if len(states) == 1 and is_tf_cell else list(states)
            output, new_states = self.cell.call(step_inputs, states, **kwargs)
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            return output, new_states
        if hasattr(self.cell, "reset_dropout_mask"):
            self.cell.reset_dropout_mask()
            self.cell.reset_recurrent_dropout_mask()
        last_output, outputs, states = keras_rnn(
            step, inputs, initial_state, go_backwards=self.go_backwards, mask=mask,
            time_major=self.time_major, zero_output_for_mask=self.zero_output_for_mask)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None):
        raise AttributeError("Layer must be stateful (tfone does not support stateful RNNs).")

    def get_config(self):
        config = {"return_sequences": self.return_sequences, "return_state": self.return_state,
                  "go_backwards": self.go_backwards, "stateful": self.stateful,
                  "unroll": self.unroll, "time_major": self.time_major}
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        config["cell"] = {"class_name": self.cell.__class__.__name__,
                          "config": self.cell.get_config()}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfone.keras.layers import deserialize
        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


# -- dropout masks shared by the cells -------------------------------------------------------------
class _DropoutMasks:
    """One dropout mask per call of the RNN layer, reused by every time step (as Keras)."""

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _mask(self, attr, rate, like, training, count):
        if not 0. < rate < 1.:
            return None
        cached = getattr(self, attr, None)
        if cached is None:
            ones = array_ops.ones_like(like)
            if training is None:
                training = backend.learning_phase()

            def one_mask():
                return smart_cond(training, lambda: _nn().dropout(ones, rate=rate),
                                  lambda: ones)
            cached = [one_mask() for _ in range(count)]
            setattr(self, attr, cached)
        return cached

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        return self._mask("_dropout_mask", self.dropout, inputs, training, count)

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        return self._mask("_recurrent_dropout_mask", self.recurrent_dropout, inputs, training,
                          count)


def _common_config(cell):
    return {
        "units": cell.units,
        "activation": activations.serialize(cell.activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
    }


class _KerasCell(_DropoutMasks, Layer):
    def _init_common(self, units, activation, use_bias, kernel_initializer,
                     recurrent_initializer, bias_initializer, kernel_regularizer,
                     recurrent_regularizer, bias_regularizer, kernel_constraint,
                     recurrent_constraint, bias_constraint, dropout, recurrent_dropout):
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            batch_size = dimension_value(inputs.shape[0]) or array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError("batch_size and dtype cannot be None while constructing initial "
                             "state: batch_size=%s, dtype=%s" % (batch_size, dtype))
        return _generate_zero_filled_state(batch_size, self.state_size, dtype)

    def _input_dim(self, input_shape):
        dim = dimension_value(TensorShape(input_shape)[-1])
        if dim is None:
            raise ValueError("The last dimension of the inputs to %s should be defined. Found "
                             "`None`." % self.name)
        return dim


class SimpleRNNCell(_KerasCell):
    """``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=None):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(prev_output, training)
        h = _dot(inputs * dp_mask[0] if dp_mask else inputs, self.kernel)
        if self.bias is not None:
            h = _bias_add(h, self.bias)
        if rec_dp_mask:
            prev_output = prev_output * rec_dp_mask[0]
        output = h + _dot(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]

    def get_config(self):
        return dict(super().get_config(), **_common_config(self))


class LSTMCell(_KerasCell):
    """Keras LSTM step; state ``[h, c]``; gates ``i, f, c, o`` in the kernel columns.

    ``implementation=1`` computes each gate with its own matrix products (Keras's default),
    ``implementation=2`` with one product split four ways (same values)."""

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=1,
                 **kwargs):
        super().__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        if implementation not in (1, 2):
            raise ValueError("implementation must be 1 or 2, got %r" % (implementation,))
        self.implementation = implementation
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units * 4), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units * 4),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            if self.unit_forget_bias:
                base_initializer = self.bias_initializer
                units = self.units

                def bias_initializer(shape, dtype=None, **kwargs):
                    return array_ops.concat([
                        base_initializer((units,), dtype=dtype),
                        initializers.Ones()((units,), dtype=dtype),
                        base_initializer((units * 2,), dtype=dtype)], 0)
            else:
                bias_initializer = self.bias_initializer
            self.bias = self.add_weight(shape=(self.units * 4,), name="bias",
                                        initializer=bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=4)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=4)
        units = self.units
        rk = self.recurrent_kernel
        if self.implementation == 1:
            if dp_mask:
                inputs_i, inputs_f, inputs_c, inputs_o = [inputs * m for m in dp_mask]
            else:
                inputs_i = inputs_f = inputs_c = inputs_o = inputs
            k_i, k_f, k_c, k_o = array_ops.split(self.kernel, num_or_size_splits=4, axis=1)
            x_i, x_f = _dot(inputs_i, k_i), _dot(inputs_f, k_f)
            x_c, x_o = _dot(inputs_c, k_c), _dot(inputs_o, k_o)
            if self.use_bias:
                b_i, b_f, b_c, b_o = array_ops.split(self.bias, num_or_size_splits=4, axis=0)
                x_i, x_f = _bias_add(x_i, b_i), _bias_add(x_f, b_f)
                x_c, x_o = _bias_add(x_c, b_c), _bias_add(x_o, b_o)
            if rec_dp_mask:
                h_i, h_f, h_c, h_o = [h_tm1 * m for m in rec_dp_mask]
            else:
                h_i = h_f = h_c = h_o = h_tm1
            i = self.recurrent_activation(x_i + _dot(h_i, rk[:, :units]))
            f = self.recurrent_activation(x_f + _dot(h_f, rk[:, units:units * 2]))
            c = f * c_tm1 + i * self.activation(x_c + _dot(h_c, rk[:, units * 2:units * 3]))
            o = self.recurrent_activation(x_o + _dot(h_o, rk[:, units * 3:]))
        else:
            if dp_mask:
                inputs = inputs * dp_mask[0]
            z = _dot(inputs, self.kernel)
            z += _dot(h_tm1 * rec_dp_mask[0] if rec_dp_mask else h_tm1, rk)
            if self.use_bias:
                z = _bias_add(z, self.bias)
            z0, z1, z2, z3 = array_ops.split(z, num_or_size_splits=4, axis=1)
            i = self.recurrent_activation(z0)
            f = self.recurrent_activation(z1)
            c = f * c_tm1 + i * self.activation(z2)
            o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = _common_config(self)
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias,
                      implementation=self.implementation)
        return dict(super().get_config(), **config)


class GRUCell(_KerasCell):
    """Keras GRU step; gates ``z, r, h`` in the kernel columns. ``reset_after=False`` (the v1
    default) applies the reset gate before the recurrent product; ``reset_after=True`` (CuDNN
    convention) after it, with a separate recurrent bias (bias shape ``(2, 3 * units)``)."""

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0., recurrent_dropout=0., implementation=1, reset_after=False,
                 **kwargs):
        super().__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer, kernel_regularizer,
                          recurrent_regularizer, bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout, recurrent_dropout)
        self.recurrent_activation = activations.get(recurrent_activation)
        if implementation not in (1, 2):
            raise ValueError("implementation must be 1 or 2, got %r" % (implementation,))
        self.implementation = implementation
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units * 3), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units * 3),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            bias_shape = (3 * self.units,) if not self.reset_after else (2, 3 * self.units)
            self.bias = self.add_weight(shape=bias_shape, name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=None):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=3)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=3)
        units = self.units
        rk = self.recurrent_kernel
        input_bias = recurrent_bias = None
        if self.use_bias:
            if not self.reset_after:
                input_bias = self.bias
            else:
                input_bias, recurrent_bias = array_ops.unstack(self.bias)
        if self.implementation == 1:
            if dp_mask:
                inputs_z, inputs_r, inputs_h = [inputs * m for m in dp_mask]
            else:
                inputs_z = inputs_r = inputs_h = inputs
            k = self.kernel
            x_z = _dot(inputs_z, k[:, :units])
            x_r = _dot(inputs_r, k[:, units:units * 2])
            x_h = _dot(inputs_h, k[:, units * 2:])
            if self.use_bias:
                x_z = _bias_add(x_z, input_bias[:units])
                x_r = _bias_add(x_r, input_bias[units:units * 2])
                x_h = _bias_add(x_h, input_bias[units * 2:])
            if rec_dp_mask:
                h_z, h_r, h_h = [h_tm1 * m for m in rec_dp_mask]
            else:
                h_z = h_r = h_h = h_tm1
            recurrent_z = _dot(h_z, rk[:, :units])
            recurrent_r = _dot(h_r, rk[:, units:units * 2])
            if self.reset_after and self.use_bias:
                recurrent_z = _bias_add(recurrent_z, recurrent_bias[:units])
                recurrent_r = _bias_add(recurrent_r, recurrent_bias[units:units * 2])
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = _dot(h_h, rk[:, units * 2:])
                if self.use_bias:
                    recurrent_h = _bias_add(recurrent_h, recurrent_bias[units * 2:])
                recurrent_h = r * recurrent_h
            else:
                recurrent_h = _dot(r * h_h, rk[:, units * 2:])
            hh = self.activation(x_h + recurrent_h)
        else:
            if dp_mask:
                inputs = inputs * dp_mask[0]
            matrix_x = _dot(inputs, self.kernel)
            if self.use_bias:
                matrix_x = _bias_add(matrix_x, input_bias)
            x_z, x_r, x_h = matrix_x[:, :units], matrix_x[:, units:2 * units], \
                matrix_x[:, 2 * units:]
            if rec_dp_mask:
                h_tm1_dropped = h_tm1 * rec_dp_mask[0]
            else:
                h_tm1_dropped = h_tm1
            if self.reset_after:
                matrix_inner = _dot(h_tm1_dropped, rk)
                if self.use_bias:
                    matrix_inner = _bias_add(matrix_inner, recurrent_bias)
            else:
                matrix_inner = _dot(h_tm1_dropped, rk[:, :2 * units])
            recurrent_z = matrix_inner[:, :units]
            recurrent_r = matrix_inner[:, units:2 * units]
            z = self.recurrent_activation(x_z + recurrent_z)
            r = self.recurrent_activation(x_r + recurrent_r)
            if self.reset_after:
                recurrent_h = r * matrix_inner[:, 2 * units:]
            else:
                recurrent_h = _dot(r * h_tm1_dropped, rk[:, 2 * units:])
            hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    def get_config(self):
        config = _common_config(self)
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      implementation=self.implementation, reset_after=self.reset_after)
        return dict(super().get_config(), **config)


class _RNNWithCell(RNN):
    """RNN layers that own a standard cell and expose its settings as attributes."""
    _cell_class = None
    _cell_args = ()

    _positional = ()  # Keras 2's order of the arguments after ``units``

    def __init__(self, units, *args, **kwargs):
        if len(args) > len(self._positional):
            raise TypeError("%s takes at most %d positional arguments after units, got %d"
                            % (type(self).__name__, len(self._positional), len(args)))
        for name, value in zip(self._positional, args):
            if name in kwargs:
                raise TypeError("%s got multiple values for argument %r"
                                % (type(self).__name__, name))
            kwargs[name] = value
        self._init(units, **kwargs)

    def _init(self, units, return_sequences=False, return_state=False, go_backwards=False,
              stateful=False, unroll=False, activity_regularizer=None, **kwargs):
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in self._cell_args}
        cell = self._cell_class(units, dtype=kwargs.get("dtype"), **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def __getattr__(self, name):
        # units, activation, kernel_initializer, ... come from the cell (as Keras's properties)
        if name in self._cell_args or name == "units":
            cell = self.__dict__.get("cell")
            if cell is not None:
                return getattr(cell, name)
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def get_config(self):
        config = _common_config(self.cell)
        for extra in ("recurrent_activation", "unit_forget_bias", "implementation",
                      "reset_after"):
            if hasattr(self.cell, extra):
                value = getattr(self.cell, extra)
                config[extra] = (activations.serialize(value) if extra == "recurrent_activation"
                                 else value)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        base = super().get_config()
        del base["cell"]
        return dict(base, **config)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)


_COMMON_ARGS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                "bias_constraint", "dropout", "recurrent_dropout")


_REGULARIZERS = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout")
_LAYER_FLAGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")


class SimpleRNN(_RNNWithCell):
    """Fully-connected RNN: the output is fed back as the next input state."""
    _cell_class = SimpleRNNCell
    _cell_args = _COMMON_ARGS
    _positional = (("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                    "bias_initializer") + _REGULARIZERS + _LAYER_FLAGS)


class LSTM(_RNNWithCell):
    """Long short-term memory layer (Hochreiter 1997); see the module docstring for defaults."""
    _cell_class = LSTMCell
    _cell_args = _COMMON_ARGS + ("recurrent_activation", "unit_forget_bias", "implementation")
    _positional = (("activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "unit_forget_bias")
                   + _REGULARIZERS + ("implementation",) + _LAYER_FLAGS)


class GRU(_RNNWithCell):
    """Gated recurrent unit layer (Cho et al. 2014); ``reset_after=False`` by default."""
    _cell_class = GRUCell
    _cell_args = _COMMON_ARGS + ("recurrent_activation", "implementation", "reset_after")
    _positional = (("activation", "recurrent_activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer") + _REGULARIZERS
                   + ("implementation",) + _LAYER_FLAGS + ("reset_after",))
