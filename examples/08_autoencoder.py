"""A stacked autoencoder on the digits with tied weights, trained with RMSProp.

64 -> 32 -> 8 -> 32 -> 64. The decoder reuses the transposed encoder weights
(tf.transpose), the reconstruction loss is the mean squared error, and an L2
regularizer on the weights is added with tf.nn.l2_loss.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 12 if args.fast else 40
batch_size = 64

(x_train, _), (x_test, _) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0

n_inputs, n_hidden1, n_hidden2 = 64, 32, 8
learning_rate = 0.01
l2_reg = 1e-4

tf.set_random_seed(5)
initializer = tf.variance_scaling_initializer()
X = tf.placeholder(tf.float32, shape=[None, n_inputs], name="X")

with tf.variable_scope("autoencoder"):
    weights1 = tf.get_variable("weights1", [n_inputs, n_hidden1], initializer=initializer)
    weights2 = tf.get_variable("weights2", [n_hidden1, n_hidden2], initializer=initializer)
    weights3 = tf.transpose(weights2, name="weights3")  # tied weights
    weights4 = tf.transpose(weights1, name="weights4")  # tied weights
    biases1 = tf.get_variable("biases1", [n_hidden1], initializer=tf.zeros_initializer())
    biases2 = tf.get_variable("biases2", [n_hidden2], initializer=tf.zeros_initializer())
    biases3 = tf.get_variable("biases3", [n_hidden1], initializer=tf.zeros_initializer())
    biases4 = tf.get_variable("biases4", [n_inputs], initializer=tf.zeros_initializer())

with tf.name_scope("encoder"):
    hidden1 = tf.nn.elu(tf.matmul(X, weights1) + biases1)
    codings = tf.nn.elu(tf.matmul(hidden1, weights2) + biases2)
with tf.name_scope("decoder"):
    hidden3 = tf.nn.elu(tf.matmul(codings, weights3) + biases3)
    outputs = tf.nn.sigmoid(tf.matmul(hidden3, weights4) + biases4)

with tf.name_scope("loss"):
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X))
    reg_loss = l2_reg * (tf.nn.l2_loss(weights1) + tf.nn.l2_loss(weights2))
    loss = reconstruction_loss + reg_loss

optimizer = tf.train.RMSPropOptimizer(learning_rate)
training_op = optimizer.minimize(loss)

baseline = np.mean((x_test - x_train.mean(axis=0)) ** 2)
rng = np.random.RandomState(5)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            sess.run(training_op, feed_dict={X: x_train[order[start:start + batch_size]]})
        loss_train = reconstruction_loss.eval(feed_dict={X: x_train})
        print("epoch %2d  train MSE %.5f" % (epoch, loss_train))
    test_mse = reconstruction_loss.eval(feed_dict={X: x_test})
    codes = codings.eval(feed_dict={X: x_test[:3]})
    print("codings of three test digits:\n", np.round(codes, 3))

print("test MSE %.5f (predicting the mean image: %.5f)" % (test_mse, baseline))
viz.render(viz.draw_graph(training_op, title="tied-weights autoencoder"),
           _example.path(args, "graph.png"))
print("final test_mse_vs_baseline: %.4f" % (test_mse / baseline))
