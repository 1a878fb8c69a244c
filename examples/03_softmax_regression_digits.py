"""Softmax regression on the 8x8 digits: the "MNIST for beginners" program, pocket-sized.

y = softmax(xW + b) with one-hot labels, softmax_cross_entropy_with_logits_v2, and a
mnist.train.next_batch-style helper that shuffles each epoch and feeds mini-batches.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
steps = 300 if args.fast else 2000


class DataSet(object):
    """Images and one-hot labels with next_batch(), like the old MNIST tutorial's helper."""

    def __init__(self, images, labels, seed=0):
        self.images, self.labels = images, labels
        self.num_examples = len(images)
        self._rng = np.random.RandomState(seed)
        self._index = self.num_examples  # shuffle on first use
        self.epochs_completed = 0

    def next_batch(self, batch_size):
        if self._index + batch_size > self.num_examples:
            order = self._rng.permutation(self.num_examples)
            self.images, self.labels = self.images[order], self.labels[order]
            self._index = 0
            self.epochs_completed += 1
        start, self._index = self._index, self._index + batch_size
        return self.images[start:self._index], self.labels[start:self._index]


def one_hot(labels, depth=10):
    return np.eye(depth, dtype=np.float32)[labels]


(x_train, y_train), (x_test, y_test) = digits.load_data()
train = DataSet(x_train.reshape(-1, 64).astype(np.float32) / 16.0, one_hot(y_train))
test_images = x_test.reshape(-1, 64).astype(np.float32) / 16.0
test_labels = one_hot(y_test)

x = tf.placeholder(tf.float32, [None, 64])
W = tf.Variable(tf.zeros([64, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b

y_ = tf.placeholder(tf.float32, [None, 10])
cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
# The same number, accumulated over batches in local variables (tf.metrics)
stream_acc, stream_acc_update = tf.metrics.accuracy(labels=tf.argmax(y_, 1),
                                                    predictions=tf.argmax(y, 1))

sess = tf.InteractiveSession()
tf.global_variables_initializer().run()
for i in range(steps):
    batch_xs, batch_ys = train.next_batch(100)
    sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
    if i % (steps // 4) == 0:
        print("step %d, cross-entropy %.4f" % (i, cross_entropy.eval(
            feed_dict={x: batch_xs, y_: batch_ys})))

acc = sess.run(accuracy, feed_dict={x: test_images, y_: test_labels})
sess.run(tf.local_variables_initializer())
for start in range(0, len(test_images), 100):
    sess.run(stream_acc_update, feed_dict={x: test_images[start:start + 100],
                                           y_: test_labels[start:start + 100]})
print("streamed over batches with tf.metrics.accuracy:", sess.run(stream_acc))
assert abs(sess.run(stream_acc) - acc) < 1e-6
print("epochs completed:", train.epochs_completed)
print("test accuracy:", acc)
sess.close()

viz.render(viz.draw_graph(train_step, title="softmax regression on digits"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc)
