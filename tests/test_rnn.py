"""tf.nn.rnn_cell cells and the unrolled tf.nn.static_rnn / dynamic_rnn: cell math vs numpy,
TF1 variable names, static == dynamic, time_major, sequence_length masking, stacking, dropout,
gradients through time, and a small sequence task learned."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

rnn_cell = tf.nn.rnn_cell
RNG = np.random.RandomState(3)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def var_names():
    return [v.name for v in tf.global_variables()]


def init_and_load(sess, values):
    """Initialize all variables, then load ``{variable name: value}``."""
    sess.run(tf.global_variables_initializer())
    by_name = {v.name: v for v in tf.global_variables()}
    for name, value in values.items():
        by_name[name].load(value, sess)


def np_basic_lstm(x, c, h, w, b, forget_bias=1.0):
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ w + b, 4, axis=1)
    new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    return new_c, np.tanh(new_c) * sigmoid(o)


def np_gru(x, h, wg, bg, wc, bc):
    r, u = np.split(sigmoid(np.concatenate([x, h], 1) @ wg + bg), 2, axis=1)
    cand = np.tanh(np.concatenate([x, r * h], 1) @ wc + bc)
    return u * h + (1 - u) * cand


# -- one step of each cell ------------------------------------------------------------------------
def test_basic_rnn_cell_one_step():
    x = tf.placeholder(tf.float64, [None, 3])
    h = tf.placeholder(tf.float64, [None, 2])
    cell = rnn_cell.BasicRNNCell(2)
    out, state = cell(x, h)
    assert out is state or out.name == state.name
    assert var_names() == ["basic_rnn_cell/kernel:0", "basic_rnn_cell/bias:0"]
    w, b = RNG.randn(5, 2), RNG.randn(2)
    xv, hv = RNG.randn(4, 3), RNG.randn(4, 2)
    with tf.Session() as sess:
        init_and_load(sess, {"basic_rnn_cell/kernel:0": w, "basic_rnn_cell/bias:0": b})
        got = sess.run(out, {x: xv, h: hv})
    np.testing.assert_allclose(got, np.tanh(np.concatenate([xv, hv], 1) @ w + b), rtol=1e-12)


@pytest.mark.parametrize("state_is_tuple", [True, False])
def test_basic_lstm_cell_one_step_gate_order_and_forget_bias(state_is_tuple):
    x = tf.placeholder(tf.float64, [None, 3])
    cell = rnn_cell.BasicLSTMCell(2, forget_bias=0.5, state_is_tuple=state_is_tuple)
    assert cell.state_size == ((2, 2) if state_is_tuple else 4) and cell.output_size == 2
    state = cell.zero_state(4, tf.float64)
    c0 = tf.placeholder(tf.float64, [None, 2])
    h0 = tf.placeholder(tf.float64, [None, 2])
    given = rnn_cell.LSTMStateTuple(c0, h0) if state_is_tuple else tf.concat([c0, h0], 1)
    out, new_state = cell(x, given)
    assert var_names() == ["basic_lstm_cell/kernel:0", "basic_lstm_cell/bias:0"]
    w, b = RNG.randn(5, 8), RNG.randn(8)
    xv, cv, hv = RNG.randn(4, 3), RNG.randn(4, 2), RNG.randn(4, 2)
    want_c, want_h = np_basic_lstm(xv, cv, hv, w, b, forget_bias=0.5)
    with tf.Session() as sess:
        init_and_load(sess, {"basic_lstm_cell/kernel:0": w, "basic_lstm_cell/bias:0": b})
        got_out, got_state, zero = sess.run([out, new_state, state], {x: xv, c0: cv, h0: hv})
    np.testing.assert_allclose(got_out, want_h, rtol=1e-12)
    if state_is_tuple:
        assert isinstance(new_state, rnn_cell.LSTMStateTuple)
        np.testing.assert_allclose(got_state.c, want_c, rtol=1e-12)
        np.testing.assert_allclose(got_state.h, want_h, rtol=1e-12)
        assert zero.c.shape == (4, 2) and not zero.c.any()
        assert state.c.op.name == "BasicLSTMCellZeroState/zeros"
    else:
        np.testing.assert_allclose(got_state, np.concatenate([want_c, want_h], 1), rtol=1e-12)


def test_lstm_cell_peepholes_clip_and_projection():
    x = tf.placeholder(tf.float64, [None, 3])
    cell = rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.5, num_proj=2, forget_bias=1.0)
    assert cell.state_size == (4, 2) and cell.output_size == 2
    c0, h0 = tf.placeholder(tf.float64, [None, 4]), tf.placeholder(tf.float64, [None, 2])
    out, state = cell(x, rnn_cell.LSTMStateTuple(c0, h0))
    assert var_names() == ["lstm_cell/kernel:0", "lstm_cell/bias:0", "lstm_cell/w_f_diag:0",
                           "lstm_cell/w_i_diag:0", "lstm_cell/w_o_diag:0",
                           "lstm_cell/projection/kernel:0"]
    vals = {"lstm_cell/kernel:0": RNG.randn(5, 16), "lstm_cell/bias:0": RNG.randn(16),
            "lstm_cell/w_f_diag:0": RNG.randn(4), "lstm_cell/w_i_diag:0": RNG.randn(4),
            "lstm_cell/w_o_diag:0": RNG.randn(4), "lstm_cell/projection/kernel:0": RNG.randn(4, 2)}
    xv, cv, hv = RNG.randn(3, 3), RNG.randn(3, 4), RNG.randn(3, 2)
    i, j, f, o = np.split(np.concatenate([xv, hv], 1) @ vals["lstm_cell/kernel:0"]
                          + vals["lstm_cell/bias:0"], 4, axis=1)
    c = (sigmoid(f + 1.0 + vals["lstm_cell/w_f_diag:0"] * cv) * cv
         + sigmoid(i + vals["lstm_cell/w_i_diag:0"] * cv) * np.tanh(j))
    c = np.clip(c, -0.5, 0.5)
    m = sigmoid(o + vals["lstm_cell/w_o_diag:0"] * c) * np.tanh(c)
    m = m @ vals["lstm_cell/projection/kernel:0"]
    with tf.Session() as sess:
        init_and_load(sess, vals)
        got_out, got_state = sess.run([out, state], {x: xv, c0: cv, h0: hv})
    np.testing.assert_allclose(got_out, m, rtol=1e-12)
    np.testing.assert_allclose(got_state.c, c, rtol=1e-12)


def test_gru_cell_one_step():
    x = tf.placeholder(tf.float64, [None, 3])
    h = tf.placeholder(tf.float64, [None, 2])
    cell = rnn_cell.GRUCell(2)
    out, state = cell(x, h)
    assert var_names() == ["gru_cell/gates/kernel:0", "gru_cell/gates/bias:0",
                           "gru_cell/candidate/kernel:0", "gru_cell/candidate/bias:0"]
    xv, hv = RNG.randn(4, 3), RNG.randn(4, 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wg, bg, wc, bc = sess.run(tf.global_variables())
        got = sess.run(out, {x: xv, h: hv})
    np.testing.assert_array_equal(bg, np.ones(4))          # gates start "open"
    np.testing.assert_allclose(got, np_gru(xv, hv, wg, bg, wc, bc), rtol=1e-12)


# -- whole sequences -------------------------------------------------------------------------------
def test_dynamic_rnn_names_steps_and_numpy_values():
    x = tf.placeholder(tf.float64, [None, 4, 3])
    cell = rnn_cell.BasicLSTMCell(2)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
    assert var_names() == ["rnn/basic_lstm_cell/kernel:0", "rnn/basic_lstm_cell/bias:0"]
    assert outputs.shape.as_list() == [None, 4, 2]
    op_names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "rnn/step_0/basic_lstm_cell/MatMul" in op_names
    assert "rnn/step_3/basic_lstm_cell/MatMul" in op_names
    assert state.h.op.name.startswith("rnn/step_3/")
    w, b = RNG.randn(5, 8), RNG.randn(8)
    xv = RNG.randn(2, 4, 3)
    c, h = np.zeros((2, 2)), np.zeros((2, 2))
    want = []
    for t in range(4):
        c, h = np_basic_lstm(xv[:, t], c, h, w, b)
        want.append(h)
    with tf.Session() as sess:
        init_and_load(sess, {"rnn/basic_lstm_cell/kernel:0": w, "rnn/basic_lstm_cell/bias:0": b})
        got_out, got_state = sess.run([outputs, state], {x: xv})
    np.testing.assert_allclose(got_out, np.stack(want, 1), rtol=1e-12)
    np.testing.assert_allclose(got_state.c, c, rtol=1e-12)


def test_static_and_dynamic_rnn_agree_and_time_major():
    x = tf.placeholder(tf.float32, [3, 5, 2])
    cell = rnn_cell.GRUCell(4)
    dyn_out, dyn_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    st_out, st_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    tm_out, tm_state = tf.nn.dynamic_rnn(cell, tf.transpose(x, [1, 0, 2]), dtype=tf.float32,
                                         time_major=True, scope="tm")
    assert var_names() == ["rnn/gru_cell/gates/kernel:0", "rnn/gru_cell/gates/bias:0",
                           "rnn/gru_cell/candidate/kernel:0", "rnn/gru_cell/candidate/bias:0"]
    assert isinstance(st_out, list) and len(st_out) == 5
    assert tm_out.shape.as_list() == [5, 3, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        d, s, ds, ss, t, ts = sess.run([dyn_out, st_out, dyn_state, st_state, tm_out, tm_state],
                                       {x: RNG.randn(3, 5, 2)})
    np.testing.assert_allclose(np.stack(s, 1), d, rtol=1e-6)
    np.testing.assert_allclose(t.transpose(1, 0, 2), d, rtol=1e-6)
    np.testing.assert_allclose(ss, ds, rtol=1e-6)
    np.testing.assert_allclose(ts, ds, rtol=1e-6)


@pytest.mark.parametrize("static", [False, True])
def test_sequence_length_masking(static):
    x = tf.placeholder(tf.float64, [3, 4, 2])
    lengths = tf.placeholder(tf.int32, [3])
    cell = rnn_cell.BasicLSTMCell(3)
    if static:
        outs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64,
                                       sequence_length=lengths)
        outs = tf.stack(outs, axis=1)
    else:
        outs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64, sequence_length=lengths)
    full, full_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64, scope="rnn_full")
    xv, lv = RNG.randn(3, 4, 2), np.array([4, 2, 1])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_state, every = sess.run([outs, state, full], {x: xv, lengths: lv})
        for b, n in enumerate(lv):
            # the same batch entry run alone on its first n steps
            alone = sess.run([full, full_state], {x: np.concatenate(
                [xv[b:b + 1, :n], np.zeros((1, 4 - n, 2))], 1).repeat(3, 0)})
            np.testing.assert_allclose(got[b, :n], every[b, :n], rtol=1e-12)
            np.testing.assert_array_equal(got[b, n:], 0)                 # zero past the end
            np.testing.assert_allclose(got_state.h[b], alone[0][0, n - 1], rtol=1e-12)
    assert tf.get_default_graph().get_operation_by_name(
        "rnn/step_1/SelectV2" if not static else "rnn/step_1/SelectV2")


def test_multi_rnn_cell_stacks_cells():
    x = tf.placeholder(tf.float64, [None, 3, 2])
    cells = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(3), rnn_cell.BasicLSTMCell(2)])
    assert cells.state_size == ((3, 3), (2, 2)) and cells.output_size == 2
    outputs, state = tf.nn.dynamic_rnn(cells, x, dtype=tf.float64)
    assert var_names() == ["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0",
                           "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0",
                           "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel:0",
                           "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias:0"]
    assert len(state) == 2 and isinstance(state[1], rnn_cell.LSTMStateTuple)
    assert [v.name for v in cells.trainable_weights] == var_names()
    xv = RNG.randn(2, 3, 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w0, b0, w1, b1 = sess.run(tf.global_variables())
        got = sess.run(outputs, {x: xv})
    s0 = (np.zeros((2, 3)), np.zeros((2, 3)))
    s1 = (np.zeros((2, 2)), np.zeros((2, 2)))
    for t in range(3):
        s0 = np_basic_lstm(xv[:, t], *s0, w0, b0)
        s1 = np_basic_lstm(s0[1], *s1, w1, b1)
        np.testing.assert_allclose(got[:, t], s1[1], rtol=1e-12)


def test_dropout_wrapper():
    x = tf.placeholder(tf.float32, [50, 3, 4])
    plain = rnn_cell.BasicLSTMCell(8)
    wrapped = rnn_cell.DropoutWrapper(plain, input_keep_prob=1.0, output_keep_prob=1.0)
    a, _ = tf.nn.dynamic_rnn(plain, x, dtype=tf.float32, scope="s")
    b, _ = tf.nn.dynamic_rnn(wrapped, x, dtype=tf.float32, scope="s")
    assert var_names() == ["s/basic_lstm_cell/kernel:0", "s/basic_lstm_cell/bias:0"]
    assert not any("dropout" in op.name for op in tf.get_default_graph().get_operations())
    dropped = rnn_cell.DropoutWrapper(plain, output_keep_prob=0.5, state_keep_prob=0.5, seed=1)
    c, c_state = tf.nn.dynamic_rnn(dropped, x, dtype=tf.float32, scope="s")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        xv = RNG.randn(50, 3, 4).astype(np.float32)
        av, bv, cv, cs = sess.run([a, b, c, c_state], {x: xv})
    np.testing.assert_array_equal(av, bv)
    assert abs((cv == 0).mean() - 0.5) < 0.05
    assert (cs.h == 0).any() and not (cs.c == 0).any()     # h is dropped, the memory c is not
    with pytest.raises(ValueError, match="between 0 and 1"):
        rnn_cell.DropoutWrapper(plain, input_keep_prob=1.5)


def test_bidirectional_dynamic_rnn_with_lengths():
    x = tf.placeholder(tf.float64, [2, 4, 2])
    lengths = tf.constant([4, 2])
    fw, bw = rnn_cell.GRUCell(3), rnn_cell.GRUCell(3)
    (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(
        fw, bw, x, sequence_length=lengths, dtype=tf.float64)
    assert var_names()[0] == "bidirectional_rnn/fw/gru_cell/gates/kernel:0"
    assert var_names()[4] == "bidirectional_rnn/bw/gru_cell/gates/kernel:0"
    # the backward pass by hand: reverse each valid prefix, run, reverse back
    xv = RNG.randn(2, 4, 2)
    rev = xv.copy()
    rev[0] = xv[0, ::-1]
    rev[1, :2] = xv[1, 1::-1]
    manual, _ = tf.nn.dynamic_rnn(bw, tf.constant(rev), sequence_length=lengths,
                                  dtype=tf.float64, scope="bidirectional_rnn/bw")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_bw, got_st_bw, man = sess.run([out_bw, st_bw, manual], {x: xv})
    np.testing.assert_allclose(got_bw[0], man[0, ::-1], rtol=1e-12)
    np.testing.assert_allclose(got_bw[1, :2], man[1, 1::-1], rtol=1e-12)
    np.testing.assert_array_equal(got_bw[1, 2:], 0)
    np.testing.assert_allclose(got_st_bw[1], man[1, 1], rtol=1e-12)


def test_errors_are_clear():
    cell = rnn_cell.BasicLSTMCell(2)
    with pytest.raises(ValueError, match=r"time dimension \(axis 1\) .* is unknown.*static "
                                         r"shape"):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, [None, None, 3]), dtype=tf.float32)
    with pytest.raises(ValueError, match="you must give a dtype"):
        tf.nn.dynamic_rnn(cell, tf.placeholder(tf.float32, [None, 4, 3]))
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        tf.nn.static_rnn(cell, tf.placeholder(tf.float32, [None, 4, 3]), dtype=tf.float32)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.dynamic_rnn(object(), tf.placeholder(tf.float32, [None, 4, 3]), dtype=tf.float32)
    with pytest.raises(ValueError, match="expected ndim=2"):
        cell(tf.placeholder(tf.float32, [None, 4, 3]), cell.zero_state(2, tf.float32))
    with pytest.raises(ValueError, match="sequence_length to have shape \\[2\\]"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), tf.placeholder(tf.float32, [2, 4, 3]),
                          sequence_length=[1, 2, 3], dtype=tf.float32, scope="other")


# -- gradients through time ------------------------------------------------------------------------
def test_lstm_gradient_through_time():
    """d(outputs, final state) / d(inputs, kernel, bias, initial state) of an unrolled LSTM."""
    def fn(x, kernel, bias, c0, h0):
        def getter(getter_fn, name, *args, **kwargs):
            return {"rnn/basic_lstm_cell/kernel": kernel, "rnn/basic_lstm_cell/bias": bias}[name]
        with tf.variable_scope("", custom_getter=getter):
            outputs, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(2), x,
                                               initial_state=rnn_cell.LSTMStateTuple(c0, h0))
        return [outputs, state.c]
    check_gradients(fn, RNG.randn(2, 3, 2), RNG.randn(4, 8) * 0.5, RNG.randn(8) * 0.5,
                    RNG.randn(2, 2), RNG.randn(2, 2))


def test_gradients_flow_to_early_steps_only_through_valid_steps():
    x = tf.placeholder(tf.float32, [2, 3, 1])
    outputs, state = tf.nn.dynamic_rnn(rnn_cell.BasicRNNCell(2), x, dtype=tf.float32,
                                       sequence_length=[3, 1])
    g = tf.gradients(state, x)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gv = sess.run(g, {x: RNG.randn(2, 3, 1)})
    assert np.all(gv[0] != 0) and gv[1, 0] != 0 and np.all(gv[1, 1:] == 0)


# -- learning -----------------------------------------------------------------------------------
def test_lstm_learns_to_remember_the_first_sign():
    """The label is the sign of the first input; later inputs are noise. Needs memory."""
    tf.set_random_seed(0)
    rng = np.random.RandomState(0)
    steps = 6

    def batch(n):
        xs = rng.randn(n, steps, 1).astype(np.float32)
        ys = (xs[:, 0, 0] > 0).astype(np.int32)
        return xs, ys
    x = tf.placeholder(tf.float32, [None, steps, 1])
    y = tf.placeholder(tf.int32, [None])
    _, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(8), x, dtype=tf.float32)
    logits = tf.layers.dense(state.h, 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y),
                                      tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(150):
            xs, ys = batch(32)
            sess.run(train, {x: xs, y: ys})
        xs, ys = batch(500)
        assert sess.run(accuracy, {x: xs, y: ys}) > 0.95
