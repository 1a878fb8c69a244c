"""A convolutional network on the 8x8 digits: tf.nn.conv2d/max_pool by hand, then tf.layers.

Layer 1 is written the "Deep MNIST for experts" way (weight_variable, bias_variable,
conv2d with SAME padding, 2x2 max pooling); layer 2 uses tf.layers.conv2d and
tf.layers.max_pooling2d; then a dense layer with dropout (keep_prob placeholder).
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
steps = 120 if args.fast else 800

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 8, 8, 1).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 8, 8, 1).astype(np.float32) / 16.0
y_train = np.eye(10, dtype=np.float32)[y_train]
y_test = np.eye(10, dtype=np.float32)[y_test]

tf.set_random_seed(1)


def weight_variable(shape):
    initial = tf.truncated_normal(shape, stddev=0.1)
    return tf.Variable(initial)


def bias_variable(shape):
    initial = tf.constant(0.1, shape=shape)
    return tf.Variable(initial)


def conv2d(x, W):
    return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")


def max_pool_2x2(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


x = tf.placeholder(tf.float32, shape=[None, 8, 8, 1])
y_ = tf.placeholder(tf.float32, shape=[None, 10])
keep_prob = tf.placeholder(tf.float32)

with tf.name_scope("conv1"):
    W_conv1 = weight_variable([3, 3, 1, 16])
    b_conv1 = bias_variable([16])
    h_conv1 = tf.nn.relu(conv2d(x, W_conv1) + b_conv1)
    h_pool1 = max_pool_2x2(h_conv1)                       # 4x4x16

conv2 = tf.layers.conv2d(h_pool1, filters=32, kernel_size=[3, 3], padding="same",
                         activation=tf.nn.relu, name="conv2")
pool2 = tf.layers.max_pooling2d(conv2, pool_size=[2, 2], strides=2)   # 2x2x32
print("shapes:", h_pool1.shape, conv2.shape, pool2.shape)

with tf.name_scope("fc1"):
    pool2_flat = tf.reshape(pool2, [-1, 2 * 2 * 32])
    W_fc1 = weight_variable([2 * 2 * 32, 64])
    b_fc1 = bias_variable([64])
    h_fc1 = tf.nn.relu(tf.matmul(pool2_flat, W_fc1) + b_fc1)
    h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob)

with tf.name_scope("fc2"):
    W_fc2 = weight_variable([64, 10])
    b_fc2 = bias_variable([10])
    y_conv = tf.matmul(h_fc1_drop, W_fc2) + b_fc2

cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y_conv))
train_step = tf.train.AdamOptimizer(1e-3).minimize(cross_entropy)
correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

rng = np.random.RandomState(1)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(steps):
        idx = rng.randint(0, len(x_train), 50)
        batch = (x_train[idx], y_train[idx])
        if i % (steps // 4) == 0:
            train_accuracy = accuracy.eval(feed_dict={x: batch[0], y_: batch[1], keep_prob: 1.0})
            print("step %d, training accuracy %g" % (i, train_accuracy))
        train_step.run(feed_dict={x: batch[0], y_: batch[1], keep_prob: 0.5})
    test_accuracy = accuracy.eval(feed_dict={x: x_test, y_: y_test, keep_prob: 1.0})
    print("test accuracy %g" % test_accuracy)

viz.render(viz.draw_graph(cross_entropy, show_gradients=False, title="CNN forward pass"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % test_accuracy)
