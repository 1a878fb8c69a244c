"""Forecasting a time series with an RNN: one prediction per time step through
tf.contrib.rnn.OutputProjectionWrapper, then generating a new sequence from a seed.

The textbook "predict the next value" setup: windows of 20 steps from a sum of sines, targets
shifted one step ahead, a BasicRNNCell of 32 ReLU units whose outputs are projected to one
number per step, MSE loss. Afterwards the model extends a seed window by feeding its own
predictions back.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
n_iterations = 300 if args.fast else 1500
t_min, t_max, resolution = 0, 30, 0.1
n_steps, n_inputs, n_neurons, n_outputs, batch_size = 20, 1, 32, 1, 50


def time_series(t):
    return t * np.sin(t) / 3 + 2 * np.sin(t * 5)


rng = np.random.RandomState(23)


def next_batch(batch_size, n_steps):
    t0 = rng.rand(batch_size, 1) * (t_max - t_min - n_steps * resolution)
    ts = t0 + np.arange(0., n_steps + 1) * resolution
    ys = time_series(ts)
    return (ys[:, :-1].reshape(-1, n_steps, 1).astype(np.float32),
            ys[:, 1:].reshape(-1, n_steps, 1).astype(np.float32))


tf.set_random_seed(23)
X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.float32, [None, n_steps, n_outputs])
cell = tf.contrib.rnn.OutputProjectionWrapper(
    tf.contrib.rnn.BasicRNNCell(num_units=n_neurons, activation=tf.nn.relu),
    output_size=n_outputs)
outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
loss = tf.reduce_mean(tf.square(outputs - y))
training_op = tf.train.AdamOptimizer(learning_rate=0.001).minimize(loss)

with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for iteration in range(n_iterations):
        X_batch, y_batch = next_batch(batch_size, n_steps)
        sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        if iteration % (n_iterations // 5) == 0:
            print(iteration, "\tMSE:", loss.eval(feed_dict={X: X_batch, y: y_batch}))
    X_test, y_test = next_batch(200, n_steps)
    test_mse = loss.eval(feed_dict={X: X_test, y: y_test})
    # generate: start from a real window, then append the model's own predictions
    sequence = list(time_series(np.arange(n_steps) * resolution + 12.2))
    for _ in range(30):
        window = np.array(sequence[-n_steps:], np.float32).reshape(1, n_steps, 1)
        sequence.append(float(sess.run(outputs, feed_dict={X: window})[0, -1, 0]))
    truth = time_series(np.arange(n_steps + 30) * resolution + 12.2)
    print("generated vs true, next 5 steps:", np.round(sequence[n_steps:n_steps + 5], 3),
          np.round(truth[n_steps:n_steps + 5], 3))

print("variables:", [v.name for v in tf.trainable_variables()])
viz.render(viz.draw_graph(loss, show_gradients=False, title="RNN with an output projection"),
           _example.path(args, "graph.png"))
print("test MSE %.5f (variance of the targets %.3f)" % (test_mse, np.var(y_test)))
print("final test_mse: %.5f" % test_mse)
