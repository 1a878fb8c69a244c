"""An LSTM classifier for variable-length sequences: BasicLSTMCell + dynamic_rnn(sequence_length).

Each sequence has between 3 and 12 valid steps; the rest is padding filled with large
junk values. The label says whether the valid steps sum to a positive number. Because
dynamic_rnn is given ``sequence_length``, the final state is the state at each sequence's
own last step and the padding cannot leak into the prediction.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
training_steps = 150 if args.fast else 1000
max_len, n_hidden, batch_size = 12, 16, 64
rng = np.random.RandomState(7)


def make_batch(n):
    lengths = rng.randint(3, max_len + 1, size=n).astype(np.int32)
    x = rng.uniform(-1.0, 1.0, size=(n, max_len, 1)).astype(np.float32)
    mask = np.arange(max_len)[None, :] < lengths[:, None]
    y = (np.sum(x[..., 0] * mask, axis=1) > 0).astype(np.int32)
    x[~mask] = rng.uniform(-50.0, 50.0, size=(int((~mask).sum()), 1))  # junk padding
    return x, y, lengths


tf.set_random_seed(7)
inputs = tf.placeholder(tf.float32, [None, max_len, 1], name="inputs")
labels = tf.placeholder(tf.int32, [None], name="labels")
seqlen = tf.placeholder(tf.int32, [None], name="seqlen")

cell = tf.nn.rnn_cell.BasicLSTMCell(n_hidden)
outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=seqlen, dtype=tf.float32)
# state is an LSTMStateTuple(c, h); h is the output at each sequence's last valid step.
# The same vector, gathered from outputs by hand:
batch_range = tf.range(tf.shape(outputs)[0])
last_output = tf.gather_nd(outputs, tf.stack([batch_range, seqlen - 1], axis=1))

weights = tf.Variable(tf.random_normal([n_hidden, 2], stddev=0.1), name="out_weights")
biases = tf.Variable(tf.zeros([2]), name="out_biases")
logits = tf.matmul(state.h, weights) + biases

loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                     logits=logits))
train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32),
                                           labels), tf.float32))

test_x, test_y, test_len = make_batch(500)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, training_steps + 1):
        bx, by, bl = make_batch(batch_size)
        _, l = sess.run([train_op, loss], feed_dict={inputs: bx, labels: by, seqlen: bl})
        if step % (training_steps // 5) == 0:
            print("step %4d  loss %.4f" % (step, l))
    feed = {inputs: test_x, labels: test_y, seqlen: test_len}
    acc, h, last, outs = sess.run([accuracy, state.h, last_output, outputs], feed_dict=feed)
    print("state.h equals the output at the last valid step:", np.allclose(h, last))
    print("outputs past the length are zero:", bool(np.all(outs[0, test_len[0]:] == 0)))
    print("test accuracy:", acc)

viz.render(viz.draw_graph(loss, show_gradients=False, title="LSTM with sequence_length"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc)
