"""Digits read row by row by a two-layer GRU (MultiRNNCell), the classic "RNN on MNIST" program.

Each 8x8 image is a sequence of 8 time steps with 8 features. Two GRUCells are stacked
with tf.nn.rnn_cell.MultiRNNCell (the lower one wrapped in DropoutWrapper), unrolled by
tf.nn.dynamic_rnn, and the top layer's last output is classified with tf.layers.dense.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 3 if args.fast else 20
n_steps, n_inputs, n_neurons, n_outputs = 8, 8, 32, 10
batch_size = 64

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.astype(np.float32) / 16.0
x_test = x_test.astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)

tf.set_random_seed(3)
X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.int32, [None])
keep_prob = tf.placeholder_with_default(1.0, shape=())

layers = [tf.nn.rnn_cell.GRUCell(num_units=n_neurons) for _ in range(2)]
layers[0] = tf.nn.rnn_cell.DropoutWrapper(layers[0], input_keep_prob=keep_prob)
multi_layer_cell = tf.nn.rnn_cell.MultiRNNCell(layers)
outputs, states = tf.nn.dynamic_rnn(multi_layer_cell, X, dtype=tf.float32)
top_layer_h_state = states[-1]
logits = tf.layers.dense(top_layer_h_state, n_outputs, name="softmax")
xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
loss = tf.reduce_mean(xentropy)
optimizer = tf.train.AdamOptimizer(learning_rate=0.01)
training_op = optimizer.minimize(loss)
correct = tf.nn.in_top_k(logits, y, 1)
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

print("trainable variables:")
for v in tf.trainable_variables():
    print("  %-60s %s" % (v.name, v.shape))

rng = np.random.RandomState(3)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            idx = order[start:start + batch_size]
            sess.run(training_op, feed_dict={X: x_train[idx], y: y_train[idx], keep_prob: 0.9})
        acc_batch = accuracy.eval(feed_dict={X: x_train[idx], y: y_train[idx]})
        acc_test = accuracy.eval(feed_dict={X: x_test, y: y_test})
        print(epoch, "Last batch accuracy:", acc_batch, "Test accuracy:", acc_test)
    same = np.allclose(*sess.run([outputs[:, -1, :], top_layer_h_state], {X: x_test[:5]}))
    print("top GRU state == last output:", same)

viz.render(viz.draw_graph(training_op, depth=2, title="two-layer GRU on digit rows"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc_test)
