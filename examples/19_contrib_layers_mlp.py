"""An MLP built with tf.contrib.layers, as in first-edition TF1 textbooks.

``fully_connected`` layers (ReLU and Xavier initialization by default) with an L2 weight
regularizer; the regularization losses are collected from tf.GraphKeys.REGULARIZATION_LOSSES
and added to the cross-entropy; Nesterov momentum.
"""
import _example

import numpy as np
import tfone as tf
from tfone.contrib.layers import fully_connected, l2_regularizer
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 4 if args.fast else 30
batch_size = 50

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)

tf.set_random_seed(19)
X = tf.placeholder(tf.float32, shape=(None, 64), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")

with tf.name_scope("dnn"):
    regularizer = l2_regularizer(1e-4)
    hidden1 = fully_connected(X, 100, weights_regularizer=regularizer, scope="hidden1")
    hidden2 = fully_connected(hidden1, 50, weights_regularizer=regularizer, scope="hidden2")
    logits = fully_connected(hidden2, 10, activation_fn=None, scope="outputs")

with tf.name_scope("loss"):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    reg_loss = tf.add_n(reg_losses, name="regularization")
    loss = tf.add(base_loss, reg_loss, name="loss")

with tf.name_scope("train"):
    optimizer = tf.train.MomentumOptimizer(0.05, momentum=0.9, use_nesterov=True)
    training_op = optimizer.minimize(loss)

with tf.name_scope("eval"):
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

print("regularization losses:", [t.name for t in reg_losses])
rng = np.random.RandomState(19)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            idx = order[start:start + batch_size]
            sess.run(training_op, feed_dict={X: x_train[idx], y: y_train[idx]})
        acc_test, l2 = sess.run([accuracy, reg_loss], {X: x_test, y: y_test})
        print(epoch, "Test accuracy:", acc_test, "L2 penalty: %.5f" % l2)

viz.render(viz.draw_graph(training_op, depth=1, title="tf.contrib.layers MLP"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc_test)
