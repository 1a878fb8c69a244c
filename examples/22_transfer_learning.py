"""Transfer learning: reuse the lower layers of a trained network for a new task.

Part 1 trains an MLP on digits 0-4 and saves it. Part 2 builds a new graph with the same
hidden layers and a new output layer for digits 5-9, restores only the hidden layers (a
Saver with a ``var_list`` dict from checkpoint names to variables), freezes the first hidden
layer (``minimize(var_list=...)`` picks trainable variables by a regex scope, as textbooks
do) and trains on a small part of the new data. tf.stop_gradient shows the other way to
freeze.
"""
import _example


import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 5 if args.fast else 30
batch_size = 32

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
old_task = y_train < 5
new_train, new_test = y_train >= 5, y_test >= 5
x_new, y_new = x_train[new_train][:100], y_train[new_train][:100] - 5   # few examples
x_new_test, y_new_test = x_test[new_test], y_test[new_test] - 5
ckpt = _example.path(args, "base_model.ckpt")
rng = np.random.RandomState(22)


def build(n_outputs, freeze_hidden1=False):
    X = tf.placeholder(tf.float32, [None, 64], name="X")
    y = tf.placeholder(tf.int64, [None], name="y")
    hidden1 = tf.layers.dense(X, 64, activation=tf.nn.relu, name="hidden1")
    if freeze_hidden1:
        hidden1 = tf.stop_gradient(hidden1)
    hidden2 = tf.layers.dense(hidden1, 32, activation=tf.nn.relu, name="hidden2")
    logits = tf.layers.dense(hidden2, n_outputs, name="outputs")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    return X, y, loss, accuracy


def train(sess, X, y, train_op, xs, ys, epochs):
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        for start in range(0, len(xs), batch_size):
            idx = order[start:start + batch_size]
            sess.run(train_op, {X: xs[idx], y: ys[idx]})


# Part 1: the base model, on digits 0-4.
tf.set_random_seed(22)
X, y, loss, accuracy = build(5)
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    train(sess, X, y, train_op, x_train[old_task], y_train[old_task], n_epochs)
    base_acc = sess.run(accuracy, {X: x_test[y_test < 5], y: y_test[y_test < 5]})
    tf.train.Saver().save(sess, ckpt)
print("base model, digits 0-4: test accuracy %.4f" % base_acc)

# Part 2: a new graph; reuse hidden1 and hidden2, new output layer, hidden1 frozen.
tf.reset_default_graph()
tf.set_random_seed(23)
X, y, loss, accuracy = build(5)
reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="hidden[12]")
reuse_vars_dict = {var.op.name: var for var in reuse_vars}
restore_saver = tf.train.Saver(reuse_vars_dict)
train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden2|outputs")
print("restored:", sorted(reuse_vars_dict))
print("trained: ", [v.op.name for v in train_vars])
train_op = tf.train.AdamOptimizer(0.01).minimize(loss, var_list=train_vars)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    restore_saver.restore(sess, ckpt)
    frozen_before = sess.run("hidden1/kernel:0")
    train(sess, X, y, train_op, x_new, y_new, n_epochs * 3)
    transfer_acc = sess.run(accuracy, {X: x_new_test, y: y_new_test})
    assert np.array_equal(frozen_before, sess.run("hidden1/kernel:0"))  # really frozen

# For comparison: the same network trained from scratch on the same 100 examples.
tf.reset_default_graph()
tf.set_random_seed(23)
X, y, loss, accuracy = build(5, freeze_hidden1=False)
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    train(sess, X, y, train_op, x_new, y_new, n_epochs * 3)
    scratch_acc = sess.run(accuracy, {X: x_new_test, y: y_new_test})

# tf.stop_gradient freezes hidden1 too: no gradient reaches its variables.
tf.reset_default_graph()
X, y, loss, accuracy = build(5, freeze_hidden1=True)
grads = tf.gradients(loss, tf.trainable_variables())
print("gradients under stop_gradient:", [(v.op.name, g is not None) for v, g in
                                         zip(tf.trainable_variables(), grads)][:3])
viz.render(viz.draw_graph(loss, show_gradients=False, title="hidden1 frozen by stop_gradient"),
           _example.path(args, "graph.png"))

print("digits 5-9 from 100 examples: transfer %.4f, from scratch %.4f"
      % (transfer_acc, scratch_acc))
print("final transfer_accuracy: %.4f" % transfer_acc)
