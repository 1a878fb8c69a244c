"""Recurrent networks: ``tf.nn.static_rnn``, ``tf.nn.dynamic_rnn`` and their bidirectional forms.

tfone has no while loop: every RNN here is **unrolled** over the time dimension, which must be
known when the graph is built (``[batch, time, depth]`` with a static ``time``). Step ``t``
builds its ops under the name scope ``<scope>/step_<t>/`` (``rnn/step_0/basic_lstm_cell/...``,
``rnn/step_1/...``): every step has the same structure, so pictures can fold the repeated
``step_<t>`` scopes, and ``tf.gradients`` differentiates through the unrolled graph
(backpropagation through time is visible as ordinary ops).

The variables are TF1's: the cell is called in the variable scope ``rnn`` (or ``scope``), so an
LSTM's weights are ``rnn/basic_lstm_cell/kernel:0`` and ``rnn/basic_lstm_cell/bias:0``,
created at step 0 and reused by the later steps.

``sequence_length`` (one length per batch entry) masks as TF1 does: at steps ``t >= length``
the output is zero and the state is copied through, so the final state is the state after the
last valid step.
"""
from tfone.framework import dtypes
from tfone.framework.op_registry import convert_to_tensor
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras.engine.base_layer_utils import flatten, pack_sequence_as, map_structure
from tfone.ops import array_ops, math_ops
from tfone.ops import variable_scope as vs
from tfone.ops.rnn_cell_impl import assert_like_rnncell, unrolled_step, _concat

__all__ = ["static_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]


# -- shared pieces ---------------------------------------------------------------------------------
def _infer_state_dtype(explicit_dtype, state):
    if explicit_dtype is not None:
        return dtypes.as_dtype(explicit_dtype)
    inferred = [convert_to_tensor(s).dtype for s in flatten(state)]
    if not inferred:
        raise ValueError("Unable to infer dtype from empty state.")
    if any(d != inferred[0] for d in inferred):
        raise ValueError("State has tensors of different inferred_dtypes. Unable to infer a "
                         "single representative dtype.")
    return inferred[0]


def _select_rows(cond, if_true, if_false):
    """``if_true[b]`` where ``cond[b]`` else ``if_false[b]``, for each tensor of a structure
    (``cond`` is a [batch] bool vector)."""
    reshaped = {1: cond}

    def select(t, f):
        t, f = convert_to_tensor(t), convert_to_tensor(f)
        rank = t.shape.ndims
        if rank is None:
            raise ValueError("Masking an RNN step needs tensors of known rank, got %s" % t)
        if rank not in reshaped:
            reshaped[rank] = array_ops.reshape(cond, [-1] + [1] * (rank - 1))
        return math_ops.where_v2(reshaped[rank], t, f)
    return map_structure(select, if_true, if_false)


def _initial_state(cell, initial_state, batch_size, dtype, what):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype (%s)." % what)
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def _zero_outputs(output_size, batch_size, static_batch, dtype):
    def zero(size):
        output = array_ops.zeros(_concat(batch_size, size), dtype)
        output.set_shape(TensorShape([static_batch]).concatenate(TensorShape(size)))
        return output
    return map_structure(zero, output_size)


def _checked_lengths(sequence_length, batch_size):
    sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
    if sequence_length.shape.ndims not in (None, 1):
        raise ValueError("sequence_length must be a vector of length batch_size, but saw shape: "
                         "%s" % sequence_length.shape)
    known = dimension_value(sequence_length.shape[0]) if sequence_length.shape.ndims else None
    if isinstance(batch_size, int) and known is not None and known != batch_size:
        raise ValueError("Expected sequence_length to have shape [%d] (the batch size), but saw "
                         "shape %s" % (batch_size, sequence_length.shape))
    return math_ops.cast(sequence_length, dtypes.int32)


def _run_steps(cell, step_inputs, state, varscope, sequence_length, zero_output):
    """Call ``cell`` on each step input in ``step_<t>`` name scopes; returns (outputs, state)."""
    outputs = []
    for t, input_t in enumerate(step_inputs):
        if t > 0:
            varscope.reuse_variables()
        with unrolled_step(t):
            output, new_state = cell(input_t, state)
            if sequence_length is not None:
                copy_cond = math_ops.greater_equal(t, sequence_length)  # past the end
                output = _select_rows(copy_cond, zero_output, output)
                new_state = _select_rows(copy_cond, state, new_state)
            state = new_state
        outputs.append(output)
    return outputs, state


# -- static_rnn ------------------------------------------------------------------------------------
def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Run ``cell`` on a Python list of inputs ``[batch, input_size]``, one per time step.

    Returns ``(outputs, state)``: the list of outputs (one per step) and the final state.
    ``initial_state`` defaults to ``cell.zero_state(batch_size, dtype)`` (then ``dtype`` is
    required). Steps are built under ``<scope>/step_<t>/`` (see the module docstring).
    """
    assert_like_rnncell("cell", cell)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence (a Python list of tensors, one per time "
                        "step); to run on a [batch, time, depth] tensor use tf.nn.dynamic_rnn")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with vs.variable_scope(scope or "rnn") as varscope:
        first_input = inputs
        while isinstance(first_input, (list, tuple)):
            first_input = first_input[0]
        first_input = convert_to_tensor(first_input)
        if first_input.shape.ndims != 1:
            fixed_batch_size = first_input.shape.with_rank_at_least(2)[0]
            for flat_input in flatten(inputs):
                input_shape = convert_to_tensor(flat_input).shape.with_rank_at_least(2)
                for i, size in enumerate(input_shape.as_list()[1:]):
                    if size is None:
                        raise ValueError("Input size (dimension %d of inputs) must be accessible "
                                         "via shape inference, but saw value None." % i)
        else:
            fixed_batch_size = first_input.shape[0]
        static_batch = dimension_value(fixed_batch_size)
        batch_size = static_batch if static_batch else array_ops.shape(first_input)[0]
        state = _initial_state(cell, initial_state, batch_size, dtype, "tf.nn.static_rnn")
        zero_output = None
        if sequence_length is not None:
            sequence_length = _checked_lengths(sequence_length, batch_size)
            zero_output = _zero_outputs(cell.output_size, batch_size, static_batch,
                                        _infer_state_dtype(dtype, state))
        outputs, state = _run_steps(cell, list(inputs), state, varscope, sequence_length,
                                    zero_output)
        return outputs, state


# -- dynamic_rnn -----------------------------------------------------------------------------------
def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """Run ``cell`` over a ``[batch, time, depth]`` tensor (``[time, batch, depth]`` if
    ``time_major``); returns ``(outputs, final_state)`` with outputs shaped like the inputs but
    with ``cell.output_size`` features.

    Unlike TF1 (a ``tf.while_loop``), tfone **unrolls** the loop over the time dimension, so
    ``time`` must be known when the graph is built; steps are built under
    ``<scope>/step_<t>/``. ``parallel_iterations`` and ``swap_memory`` are accepted and
    ignored. ``sequence_length`` masking, ``initial_state`` / ``dtype`` and the variable names
    (``rnn/basic_lstm_cell/kernel:0``) are TF1's.
    """
    del parallel_iterations, swap_memory
    assert_like_rnncell("cell", cell)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with vs.variable_scope(scope or "rnn") as varscope:
        flat_input = [convert_to_tensor(x) for x in flatten(inputs)]
        time_steps = None
        for x in flat_input:
            if x.shape.ndims is None or x.shape.ndims < 2:
                raise ValueError("dynamic_rnn inputs must be %s tensors of rank >= 2 with a known "
                                 "rank; got %s with shape %s"
                                 % ("[time, batch, ...]" if time_major else "[batch, time, ...]",
                                    x.name, x.shape))
            steps = x.shape.as_list()[time_axis]
            if steps is None:
                raise ValueError(
                    "tf.nn.dynamic_rnn: the time dimension (axis %d) of input %s is unknown "
                    "(shape %s). tfone unrolls RNNs over the time steps while building the graph, "
                    "so it must be known: give the placeholder a static shape, e.g. "
                    "tf.placeholder(tf.float32, [None, 20, %s]) (batch may stay None), and pad "
                    "shorter sequences, passing their lengths as sequence_length."
                    % (time_axis, x.name, x.shape,
                       x.shape.as_list()[-1] if x.shape.as_list()[-1] is not None else "depth"))
            if time_steps is None:
                time_steps = steps
            elif steps != time_steps:
                raise ValueError("dynamic_rnn inputs disagree on the number of time steps: %d vs "
                                 "%d" % (time_steps, steps))
        if time_steps == 0:
            raise ValueError("dynamic_rnn needs at least one time step, got inputs of shape %s"
                             % flat_input[0].shape)
        static_batch = None
        for x in flat_input:
            static_batch = static_batch or x.shape.as_list()[batch_axis]
        batch_size = static_batch if static_batch else array_ops.shape(flat_input[0])[batch_axis]
        if sequence_length is not None:
            sequence_length = _checked_lengths(sequence_length, batch_size)
            sequence_length = array_ops.identity(sequence_length, name="sequence_length")
        state = _initial_state(cell, initial_state, batch_size, dtype, "tf.nn.dynamic_rnn")
        per_input = [array_ops.unstack(x, num=time_steps, axis=time_axis) for x in flat_input]
        step_inputs = [pack_sequence_as(inputs, [p[t] for p in per_input])
                       for t in range(time_steps)]
        zero_output = None
        if sequence_length is not None:
            zero_output = _zero_outputs(cell.output_size, batch_size, static_batch,
                                        _infer_state_dtype(dtype, state))
        outputs, state = _run_steps(cell, step_inputs, state, varscope, sequence_length,
                                    zero_output)
        flat_outputs = [flatten(o) for o in outputs]
        stacked = [array_ops.stack([o[i] for o in flat_outputs], axis=time_axis)
                   for i in range(len(flat_outputs[0]))]
        return pack_sequence_as(outputs[0], stacked), state


# -- bidirectional ---------------------------------------------------------------------------------
def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """A forward and a backward ``dynamic_rnn`` (unrolled, see :func:`dynamic_rnn`).

    Returns ``((output_fw, output_bw), (output_state_fw, output_state_bw))``; ``output_bw`` is
    reversed back to the input order. The backward RNN reads each sequence from its last valid
    step (``tf.reverse_sequence`` with ``sequence_length``). Variables live in
    ``bidirectional_rnn/fw/...`` and ``bidirectional_rnn/bw/...``.
    """
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def _reverse(input_, seq_lengths):
        if seq_lengths is not None:
            return array_ops.reverse_sequence(input=input_, seq_lengths=seq_lengths,
                                              seq_axis=time_axis, batch_axis=batch_axis)
        return array_ops.reverse(input_, axis=[time_axis])

    with vs.variable_scope(scope or "bidirectional_rnn"):
        with vs.variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length=sequence_length,
                initial_state=initial_state_fw, dtype=dtype, time_major=time_major,
                scope=fw_scope)
        with vs.variable_scope("bw") as bw_scope:
            inputs_reverse = map_structure(lambda x: _reverse(x, sequence_length), inputs)
            tmp, output_state_bw = dynamic_rnn(
                cell_bw, inputs_reverse, sequence_length=sequence_length,
                initial_state=initial_state_bw, dtype=dtype, time_major=time_major,
                scope=bw_scope)
    output_bw = map_structure(lambda x: _reverse(x, sequence_length), tmp)
    return (output_fw, output_bw), (output_state_fw, output_state_bw)


def _reverse_seq(input_seq, lengths):
    """Reverse a list of [batch, ...] step tensors, per batch entry up to ``lengths``."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_by_step = [flatten(x) for x in input_seq]
    reversed_flat = []
    for i in range(len(flat_by_step[0])):
        sequence = array_ops.stack([step[i] for step in flat_by_step])  # [time, batch, ...]
        reversed_sequence = array_ops.reverse_sequence(
            sequence, math_ops.cast(lengths, dtypes.int64), seq_axis=0, batch_axis=1)
        reversed_flat.append(array_ops.unstack(reversed_sequence, num=len(input_seq)))
    return [pack_sequence_as(input_seq[t], [r[t] for r in reversed_flat])
            for t in range(len(input_seq))]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """Forward and backward ``static_rnn``; returns ``(outputs, output_state_fw,
    output_state_bw)`` where each output is ``concat([fw, bw], 1)``."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with vs.variable_scope(scope or "bidirectional_rnn"):
        with vs.variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                                    sequence_length, scope=fw_scope)
        with vs.variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, output_state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype,
                                              sequence_length, scope=bw_scope)
    output_bw = _reverse_seq(tmp, sequence_length)
    outputs = [pack_sequence_as(fw, [array_ops.concat([a, b], 1)
                                     for a, b in zip(flatten(fw), flatten(bw))])
               for fw, bw in zip(output_fw, output_bw)]
    return outputs, output_state_fw, output_state_bw


# -- Keras's loop ----------------------------------------------------------------------------------
def keras_rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
              time_major=False, zero_output_for_mask=False):
    """Keras's ``K.rnn``, unrolled: ``step_function(input_t, states) -> (output, new_states)``.

    ``inputs`` is ``[batch, time, ...]`` (or time-major) with a known time dimension; ``mask``
    ``[batch, time]`` (bool) skips steps: a masked step keeps the previous states and repeats
    the previous output (zeros with ``zero_output_for_mask``). Returns ``(last_output,
    outputs, new_states)`` with outputs stacked in the processing order (reversed when
    ``go_backwards``).
    """
    time_axis = 0 if time_major else 1
    flat_inputs = [convert_to_tensor(x) for x in flatten(inputs)]
    steps = flat_inputs[0].shape.as_list()[time_axis]
    if steps is None:
        raise ValueError("The time dimension of the RNN input is unknown (shape %s). tfone "
                         "unrolls recurrent layers while building the graph, so the number of "
                         "time steps must be known: pass `input_shape=(timesteps, features)` (or "
                         "`input_length=` to Embedding) for a Sequential model, or "
                         "`keras.Input(shape=(timesteps, features))`." % flat_inputs[0].shape)
    per_input = [array_ops.unstack(x, num=steps, axis=time_axis) for x in flat_inputs]
    step_inputs = [pack_sequence_as(inputs, [p[t] for p in per_input]) for t in range(steps)]
    mask_list = None
    if mask is not None:
        if mask.dtype != dtypes.bool:
            mask = math_ops.cast(mask, dtypes.bool)
        mask_list = array_ops.unstack(mask, num=steps, axis=time_axis)
    order = list(range(steps))
    if go_backwards:
        order.reverse()
    states = list(initial_states)
    outputs = []
    for i, t in enumerate(order):
        with unrolled_step(i):
            output, new_states = step_function(step_inputs[t], tuple(states))
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [
                new_states]
            if mask_list is not None:
                keep = mask_list[t]
                previous = outputs[-1] if outputs else array_ops.zeros_like(output)
                output = _select_rows(keep, output, previous)
                new_states = [_select_rows(keep, n, s) for n, s in zip(new_states, states)]
            states = new_states
        outputs.append(output)
    last_output = outputs[-1]
    if mask_list is not None and zero_output_for_mask:
        masks = [mask_list[t] for t in order]
        outputs = [_select_rows(m, o, array_ops.zeros_like(o)) for m, o in zip(masks, outputs)]
        last_output = outputs[-1]
    stacked = array_ops.stack(outputs, axis=time_axis)
    return last_output, stacked, states
