"""Parity: tf.nn.rnn_cell cells (BasicRNN, BasicLSTM, LSTMCell with peepholes / num_proj /
cell_clip, GRU, MultiRNNCell, ResidualWrapper, DropoutWrapper keep=1) and dynamic_rnn /
static_rnn / bidirectional_dynamic_rnn with sequence_length: outputs, final states, gradients,
variable names and static shapes, with TF1's initial weights copied into tfone by name.

Run: ``/opt/tfref/bin/python tools/parity/check_rnn.py``.
"""
import numpy as np

from harness import Report, check, check_training, main_guard

R = np.random.RandomState(4)
T, B, D = 5, 3, 4
SEQ = R.randn(B, T, D).astype(np.float32)
LENS = np.array([5, 2, 0], np.int32)

CELLS = [
    ("BasicRNNCell", lambda tf: tf.nn.rnn_cell.BasicRNNCell(6)),
    ("BasicRNNCell relu", lambda tf: tf.nn.rnn_cell.BasicRNNCell(6, activation=tf.nn.relu)),
    ("BasicLSTMCell", lambda tf: tf.nn.rnn_cell.BasicLSTMCell(6)),
    ("BasicLSTMCell forget_bias=0", lambda tf: tf.nn.rnn_cell.BasicLSTMCell(6,
                                                                           forget_bias=0.0)),
    ("BasicLSTMCell state_is_tuple=False",
     lambda tf: tf.nn.rnn_cell.BasicLSTMCell(6, state_is_tuple=False)),
    ("LSTMCell", lambda tf: tf.nn.rnn_cell.LSTMCell(6)),
    ("LSTMCell peepholes", lambda tf: tf.nn.rnn_cell.LSTMCell(6, use_peepholes=True)),
    ("LSTMCell num_proj", lambda tf: tf.nn.rnn_cell.LSTMCell(6, num_proj=3)),
    ("LSTMCell peep+proj+clips", lambda tf: tf.nn.rnn_cell.LSTMCell(
        6, use_peepholes=True, num_proj=3, cell_clip=0.5, proj_clip=0.3)),
    ("GRUCell", lambda tf: tf.nn.rnn_cell.GRUCell(6)),
    ("GRUCell tanh init", lambda tf: tf.nn.rnn_cell.GRUCell(
        5, kernel_initializer=tf.constant_initializer(0.1),
        bias_initializer=tf.constant_initializer(0.2))),
    ("MultiRNNCell LSTM x2", lambda tf: tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.BasicLSTMCell(4)])),
    ("MultiRNNCell GRU+RNN", lambda tf: tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.GRUCell(4), tf.nn.rnn_cell.BasicRNNCell(4)])),
    ("ResidualWrapper(GRU)", lambda tf: tf.nn.rnn_cell.ResidualWrapper(
        tf.nn.rnn_cell.GRUCell(4))),
    ("DropoutWrapper keep=1", lambda tf: tf.nn.rnn_cell.DropoutWrapper(
        tf.nn.rnn_cell.LSTMCell(4), input_keep_prob=1.0, output_keep_prob=1.0)),
]


def flat_state(state):
    if isinstance(state, (tuple, list)):
        out = []
        for s in state:
            out.extend(flat_state(s))
        return out
    return [state]


def run(report):
    for label, make in CELLS:
        def dyn(tf, make=make):
            x = tf.placeholder(tf.float32, [None, T, D])
            cell = make(tf)
            out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=tf.constant(LENS),
                                           dtype=tf.float32)
            loss = tf.reduce_sum(out * out) + tf.add_n([tf.reduce_sum(s) for s in
                                                        flat_state(state)])
            grads = tf.gradients(loss, [x] + tf.trainable_variables())
            return ({"out": out, "state": flat_state(state), "g": grads,
                     "state_size": tf.constant(str(cell.state_size).replace("L", "")),
                     "output_size": tf.constant(cell.output_size)}, {x: SEQ})
        check(report, "dynamic_rnn %s" % label, dyn, copy_variables=True, rtol=1e-4,
              atol=1e-5, names=False)

        def stat(tf, make=make):
            xs = [tf.constant(SEQ[:, t]) for t in range(T)]
            cell = make(tf)
            outs, state = tf.nn.static_rnn(cell, xs, dtype=tf.float32,
                                           sequence_length=tf.constant(LENS))
            grads = tf.gradients(tf.add_n([tf.reduce_sum(o) for o in outs]),
                                 tf.trainable_variables())
            return {"outs": outs, "state": flat_state(state), "g": grads}
        check(report, "static_rnn %s" % label, stat, copy_variables=True, rtol=1e-4,
              atol=1e-5, names=False)

    def no_len(tf):
        x = tf.constant(SEQ)
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        tm = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(3), tf.transpose(x, [1, 0, 2]),
                               time_major=True, dtype=tf.float32, scope="tm")
        return {"out": out, "c": state.c, "h": state.h, "tm_out": tm[0], "tm_state": tm[1]}
    check(report, "dynamic_rnn no sequence_length, time_major, scope", no_len,
          copy_variables=True, rtol=1e-4, atol=1e-5, names=False)

    def init_state(tf):
        x = tf.constant(SEQ)
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        s0 = cell.zero_state(B, tf.float32)
        init = tf.nn.rnn_cell.LSTMStateTuple(s0.c + 0.5, s0.h - 0.25)
        out, state = tf.nn.dynamic_rnn(cell, x, initial_state=init,
                                       sequence_length=tf.constant(LENS))
        return {"out": out, "c": state.c, "h": state.h, "z": s0.c}
    check(report, "dynamic_rnn explicit initial_state", init_state, copy_variables=True,
          rtol=1e-4, atol=1e-5, names=False)

    def bidir(tf):
        x = tf.placeholder(tf.float32, [None, None, D])
        (of, ob), (sf, sb) = tf.nn.bidirectional_dynamic_rnn(
            tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.BasicLSTMCell(2), x,
            sequence_length=tf.constant(LENS), dtype=tf.float32)
        g = tf.gradients(tf.reduce_sum(of) + tf.reduce_sum(ob * ob), tf.trainable_variables())
        return {"of": of, "ob": ob, "sf": sf, "sb": flat_state(sb), "g": g}, {x: SEQ}
    check(report, "bidirectional_dynamic_rnn with lengths", bidir, copy_variables=True,
          rtol=1e-4, atol=1e-5, names=False)

    def static_bidir(tf):
        xs = [tf.constant(SEQ[:, t]) for t in range(T)]
        outs, sf, sb = tf.nn.static_bidirectional_rnn(
            tf.nn.rnn_cell.BasicRNNCell(3), tf.nn.rnn_cell.BasicRNNCell(3), xs,
            dtype=tf.float32, sequence_length=tf.constant(LENS))
        return {"outs": outs, "sf": sf, "sb": sb}
    check(report, "static_bidirectional_rnn", static_bidir, copy_variables=True, rtol=1e-4,
          atol=1e-5, names=False)

    def cell_call(tf):
        x = tf.constant(SEQ[:, 0])
        cell = tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2)
        state = cell.zero_state(B, tf.float32)
        y, s = cell(x, state)
        y2, s2 = cell(x * 2.0, s)
        gru = tf.nn.rnn_cell.GRUCell(3, name="my_gru")
        gy, _ = gru(x, gru.zero_state(B, tf.float32))
        return {"y": y, "c": s.c, "h": s.h, "y2": y2, "c2": s2.c, "gy": gy,
                "zero": cell.zero_state(B, tf.float32).c}
    check(report, "direct cell calls (variable names, reuse on 2nd call)", cell_call,
          copy_variables=True, rtol=1e-4, atol=1e-5, names=False)

    def shapes(tf):
        x = tf.placeholder(tf.float32, [None, None, D])
        out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4, num_proj=2), x,
                                       dtype=tf.float32)
        out2, state2 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(
            [tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.GRUCell(2)]), x, dtype=tf.float32,
            scope="multi")
        return ({"out": out, "c": state.c, "h": state.h, "out2": out2,
                 "s2": flat_state(state2)}, {x: SEQ})
    check(report, "dynamic_rnn static shapes with None batch/time", shapes,
          copy_variables=True, rtol=1e-4, atol=1e-5, names=False)

    def rnn_train(tf):
        x = tf.constant(SEQ)
        y = tf.constant(np.random.randn(B, 2).astype(np.float32))
        cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(5),
                                            tf.nn.rnn_cell.GRUCell(4)])
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=tf.constant(LENS),
                                       dtype=tf.float32)
        pred = tf.layers.dense(state[-1], 2)
        loss = tf.losses.mean_squared_error(y, pred)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        return train, {"loss": loss}, None
    check_training(report, "LSTM+GRU stack trained with Adam (copied weights)", rnn_train,
                   steps=4, rtol=1e-4, atol=1e-5, copy_variables=True)


if __name__ == "__main__":
    rep = Report("rnn")
    run(rep)
    main_guard(rep)
