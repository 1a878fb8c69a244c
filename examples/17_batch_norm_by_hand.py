"""Batch normalization written by hand: tf.nn.moments, ExponentialMovingAverage and tf.cond.

The way TF1 tutorials explained batch norm before tf.layers had it: in training, normalize
with the batch's mean and variance and update their moving averages
(tf.train.ExponentialMovingAverage.apply under control_dependencies); at test time,
tf.cond switches to the averages (ema.average). A small MLP on the digits, trained with
Momentum.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 3 if args.fast else 20
batch_size = 64

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
tf.set_random_seed(17)


def batch_norm(x, n_out, phase_train, scope="bn"):
    """x: [batch, n_out]; phase_train: a boolean tensor."""
    with tf.variable_scope(scope):
        beta = tf.Variable(tf.constant(0.0, shape=[n_out]), name="beta")
        gamma = tf.Variable(tf.constant(1.0, shape=[n_out]), name="gamma")
        batch_mean, batch_var = tf.nn.moments(x, [0], name="moments")
        ema = tf.train.ExponentialMovingAverage(decay=0.9)

        def mean_var_with_update():
            ema_apply_op = ema.apply([batch_mean, batch_var])
            with tf.control_dependencies([ema_apply_op]):
                return tf.identity(batch_mean), tf.identity(batch_var)

        mean, var = tf.cond(phase_train, mean_var_with_update,
                            lambda: (ema.average(batch_mean), ema.average(batch_var)))
        return tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-3)


x = tf.placeholder(tf.float32, [None, 64], name="x")
y = tf.placeholder(tf.int64, [None], name="y")
phase_train = tf.placeholder(tf.bool, name="phase_train")

w1 = tf.Variable(tf.truncated_normal([64, 100], stddev=0.1), name="w1")
h1 = tf.nn.relu(batch_norm(tf.matmul(x, w1), 100, phase_train, scope="bn1"))
w2 = tf.Variable(tf.truncated_normal([100, 50], stddev=0.1), name="w2")
h2 = tf.nn.relu(batch_norm(tf.matmul(h1, w2), 50, phase_train, scope="bn2"))
w3 = tf.Variable(tf.truncated_normal([50, 10], stddev=0.1), name="w3")
b3 = tf.Variable(tf.zeros([10]), name="b3")
logits = tf.matmul(h2, w3) + b3

loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_step = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

print("moving averages:", [v.name for v in tf.global_variables()
                           if "ExponentialMovingAverage" in v.name])
rng = np.random.RandomState(17)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            idx = order[start:start + batch_size]
            sess.run(train_step, {x: x_train[idx], y: y_train[idx], phase_train: True})
        acc = sess.run(accuracy, {x: x_test, y: y_test, phase_train: False})
        print("epoch %d: test accuracy (moving averages) %.4f" % (epoch, acc))
    batch_stats_acc = sess.run(accuracy, {x: x_test, y: y_test, phase_train: True})
    print("the same test set normalized by its own statistics: %.4f" % batch_stats_acc)

viz.render(viz.draw_graph(train_step, depth=2, title="batch norm by hand: moments, EMA, cond"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc)
