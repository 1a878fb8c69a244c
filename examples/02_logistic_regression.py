"""Logistic regression (binary) on the two-moons data with sigmoid cross-entropy.

Features are expanded by hand (x, y, x*y, x^2, y^2) so a linear classifier can bend its
decision boundary; the program feeds mini-batches and reports test accuracy.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import moons
import viz

args = _example.parse_args(__doc__)
training_epochs = 10 if args.fast else 60

(x_train, y_train), (x_test, y_test) = moons.load_data()


def features(x):
    a, b = x[:, 0:1], x[:, 1:2]
    return np.hstack([a, b, a * b, a * a, b * b]).astype(np.float32)


x_train, x_test = features(x_train), features(x_test)
y_train = y_train.reshape(-1, 1).astype(np.float32)
y_test = y_test.reshape(-1, 1).astype(np.float32)

learning_rate = 0.5
batch_size = 50

x = tf.placeholder(tf.float32, [None, 5], name="x")
y = tf.placeholder(tf.float32, [None, 1], name="y")

W = tf.Variable(tf.zeros([5, 1]), name="W")
b = tf.Variable(tf.zeros([1]), name="b")

logits = tf.matmul(x, W) + b
prob = tf.sigmoid(logits)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
train_step = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)

predicted = tf.cast(prob > 0.5, tf.float32)
accuracy = tf.reduce_mean(tf.cast(tf.equal(predicted, y), tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    total_batch = len(x_train) // batch_size
    for epoch in range(training_epochs):
        avg_cost = 0.0
        for i in range(total_batch):
            batch_xs = x_train[i * batch_size:(i + 1) * batch_size]
            batch_ys = y_train[i * batch_size:(i + 1) * batch_size]
            _, c = sess.run([train_step, loss], feed_dict={x: batch_xs, y: batch_ys})
            avg_cost += c / total_batch
        if (epoch + 1) % max(1, training_epochs // 5) == 0:
            print("Epoch:", "%04d" % (epoch + 1), "cost=", "{:.9f}".format(avg_cost))
    acc = accuracy.eval({x: x_test, y: y_test})
    print("Accuracy:", acc)
    print("W =", sess.run(W).ravel(), "b =", sess.run(b))

viz.render(viz.draw_graph(train_step, title="logistic regression"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc)
