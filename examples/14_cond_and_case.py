"""Control flow in the graph: tf.cond, tf.case and tf.where in a robust regression.

Fits a line to data with 10% wild outliers using a Huber loss written by hand with
tf.where. tf.cond picks the input: fed mini-batches while training, or the whole
validation set stored in constants when ``use_validation`` is True (one graph for both).
tf.case builds a piecewise-constant learning rate from the global step, and a second
tf.cond switches the loss between Huber and plain squared error for comparison.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
n_steps = 300 if args.fast else 1500
rng = np.random.RandomState(13)


def make_data(n):
    xs = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    ys = 2.0 * xs - 1.0 + 0.1 * rng.randn(n, 1)
    outliers = rng.rand(n) < 0.1
    ys[outliers] += rng.uniform(20, 40, size=(int(outliers.sum()), 1))
    return xs, ys.astype(np.float32)


x_train, y_train = make_data(400)
x_valid, y_valid = make_data(100)

# Tensors made outside a tf.cond are computed whichever branch runs, so a plain placeholder
# would have to be fed even in validation mode. An empty default avoids that.
empty = np.zeros((0, 1), np.float32)
x_batch = tf.placeholder_with_default(empty, [None, 1], name="x_batch")
y_batch = tf.placeholder_with_default(empty, [None, 1], name="y_batch")
use_validation = tf.placeholder_with_default(False, [], name="use_validation")
use_huber = tf.placeholder_with_default(True, [], name="use_huber")

x, y = tf.cond(use_validation,
               lambda: (tf.constant(x_valid), tf.constant(y_valid)),
               lambda: (x_batch, y_batch), name="input")

w = tf.Variable(0.0, name="w")
b = tf.Variable(0.0, name="b")
pred = w * x + b


def huber(residual, delta=1.0):
    small = tf.abs(residual) <= delta
    return tf.where(small, 0.5 * tf.square(residual), delta * (tf.abs(residual) - 0.5 * delta))


residual = y - pred
loss = tf.cond(use_huber, lambda: tf.reduce_mean(huber(residual)),
               lambda: tf.reduce_mean(0.5 * tf.square(residual)), name="loss")

global_step = tf.train.get_or_create_global_step()
learning_rate = tf.case([(tf.less(global_step, n_steps // 3), lambda: tf.constant(0.1)),
                         (tf.less(global_step, 2 * n_steps // 3), lambda: tf.constant(0.03))],
                        default=lambda: tf.constant(0.01), exclusive=False, name="lr_schedule")
train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss,
                                                                     global_step=global_step)

results = {}
with tf.Session() as sess:
    for huber_on in (False, True):
        sess.run(tf.global_variables_initializer())
        for step in range(n_steps):
            idx = rng.randint(0, len(x_train), 32)
            sess.run(train_op, {x_batch: x_train[idx], y_batch: y_train[idx],
                                use_huber: huber_on})
        lr, valid_loss, w_val, b_val = sess.run([learning_rate, loss, w, b],
                                                {use_validation: True, use_huber: True})
        results[huber_on] = (w_val, b_val)
        print("%-13s w=%.3f b=%.3f (true 2, -1)  validation Huber loss %.3f  final lr %.3f"
              % ("Huber:" if huber_on else "squared error:", w_val, b_val, valid_loss, lr))

w_err = abs(results[True][0] - 2.0) + abs(results[True][1] + 1.0)
print("the outliers drag squared error's intercept to %.2f; Huber's stays at %.2f"
      % (results[False][1], results[True][1]))
viz.render(viz.draw_graph(train_op, title="tf.cond, tf.case and tf.where"),
           _example.path(args, "graph.png"))
print("final huber_param_error: %.4f" % w_err)
