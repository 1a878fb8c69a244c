"""Linear regression with placeholders, variables, GradientDescentOptimizer and a feed_dict loop.

The classic first TF1 program: fit y = W*x + b to noisy points by feeding mini-batches.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
epochs = 20 if args.fast else 100

# Training data: y = 3x + 2 plus noise.
rng = np.random.RandomState(0)
train_X = rng.uniform(-1.0, 1.0, size=200).astype(np.float32)
train_Y = (3.0 * train_X + 2.0 + rng.normal(0.0, 0.1, size=200)).astype(np.float32)
n_samples = train_X.shape[0]

learning_rate = 0.1
batch_size = 20

# Graph input
X = tf.placeholder(tf.float32, [None], name="X")
Y = tf.placeholder(tf.float32, [None], name="Y")

# Model weights
W = tf.Variable(rng.randn(), dtype=tf.float32, name="weight")
b = tf.Variable(rng.randn(), dtype=tf.float32, name="bias")

# Linear model and mean squared error
pred = tf.add(tf.multiply(X, W), b)
cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * tf.cast(tf.shape(X)[0], tf.float32))
optimizer = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)

init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init)
    for epoch in range(epochs):
        perm = rng.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            idx = perm[start:start + batch_size]
            sess.run(optimizer, feed_dict={X: train_X[idx], Y: train_Y[idx]})
        if (epoch + 1) % (epochs // 5) == 0:
            c = sess.run(cost, feed_dict={X: train_X, Y: train_Y})
            print("Epoch: %04d cost= %.6f W= %.4f b= %.4f" % (epoch + 1, c, sess.run(W),
                                                             sess.run(b)))
    training_cost = sess.run(cost, feed_dict={X: train_X, Y: train_Y})
    w_value, b_value = sess.run([W, b])
    print("Training cost=", training_cost, "W=", w_value, "b=", b_value)

    # Testing
    test_X = np.linspace(-1, 1, 50).astype(np.float32)
    test_Y = 3.0 * test_X + 2.0
    testing_cost = sess.run(tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * test_X.shape[0]),
                            feed_dict={X: test_X, Y: test_Y})
    print("Testing cost=", testing_cost)

viz.render(viz.draw_graph(optimizer, title="linear regression"), _example.path(args, "graph.png"))
print("final test_mse: %.6f" % (2 * testing_cost))
