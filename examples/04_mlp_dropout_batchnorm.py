"""A two-hidden-layer MLP on digits with tf.layers: batch norm, dropout and a training flag.

The textbook idiom: one graph for training and evaluation, switched by a boolean
``training`` placeholder; batch norm's moving averages are updated by the ops in
tf.GraphKeys.UPDATE_OPS, which the train op depends on via control_dependencies.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 4 if args.fast else 25
batch_size = 50

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)

tf.set_random_seed(42)
n_inputs, n_hidden1, n_hidden2, n_outputs = 64, 100, 50, 10

X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
training = tf.placeholder_with_default(False, shape=(), name="training")

with tf.name_scope("dnn"):
    hidden1 = tf.layers.dense(X, n_hidden1, name="hidden1")
    bn1 = tf.layers.batch_normalization(hidden1, training=training, momentum=0.9)
    bn1_act = tf.nn.elu(bn1)
    hidden1_drop = tf.layers.dropout(bn1_act, rate=0.2, training=training)
    hidden2 = tf.layers.dense(hidden1_drop, n_hidden2, name="hidden2")
    bn2 = tf.layers.batch_normalization(hidden2, training=training, momentum=0.9)
    bn2_act = tf.nn.elu(bn2)
    hidden2_drop = tf.layers.dropout(bn2_act, rate=0.2, training=training)
    logits = tf.layers.dense(hidden2_drop, n_outputs, name="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")

with tf.name_scope("train"):
    optimizer = tf.train.AdamOptimizer(learning_rate=0.01)
    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(extra_update_ops):
        training_op = optimizer.minimize(loss)

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

init = tf.global_variables_initializer()
saver = tf.train.Saver()
print("update ops:", [op.name for op in extra_update_ops])

rng = np.random.RandomState(42)
with tf.Session() as sess:
    init.run()
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            idx = order[start:start + batch_size]
            sess.run(training_op, feed_dict={training: True, X: x_train[idx], y: y_train[idx]})
        acc_train = accuracy.eval(feed_dict={X: x_train, y: y_train})
        acc_test = accuracy.eval(feed_dict={X: x_test, y: y_test})
        print(epoch, "Train accuracy:", acc_train, "Test accuracy:", acc_test)
    moving_mean = sess.run(tf.get_default_graph().get_tensor_by_name(
        "batch_normalization/moving_mean:0"))
    print("first moving means of layer 1:", np.round(moving_mean[:4], 4))
    assert np.any(moving_mean != 0.0), "the UPDATE_OPS did not run"
    saver.save(sess, _example.path(args, "mlp.ckpt"))

viz.render(viz.draw_graph(training_op, depth=1, title="MLP with batch norm and dropout"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc_test)
