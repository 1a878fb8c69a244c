"""Name scopes and TensorBoard summaries: scalar, histogram, merge_all and FileWriter.

A small softmax classifier on the iris flowers, built inside name scopes (input, layer,
loss, train, accuracy) so TensorBoard's Graphs tab shows one box per scope. Training and
test metrics go to two FileWriters (logdir/train and logdir/test), the classic layout for
comparing curves. At the end the event files are read back with tf.train.summary_iterator.
Run ``tensorboard --logdir <out>/logs`` to look at them.
"""
import _example

import glob
import os

import tfone as tf
from tfone.keras.datasets import iris
import viz

args = _example.parse_args(__doc__)
max_steps = 100 if args.fast else 600
logdir = _example.path(args, "logs")

(x_train, y_train), (x_test, y_test) = iris.load_data()
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
tf.set_random_seed(4)


def variable_summaries(var):
    """Mean, stddev, max, min and a histogram of a tensor (as in the TensorBoard tutorial)."""
    with tf.name_scope("summaries"):
        mean = tf.reduce_mean(var)
        tf.summary.scalar("mean", mean)
        with tf.name_scope("stddev"):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar("stddev", stddev)
        tf.summary.scalar("max", tf.reduce_max(var))
        tf.summary.scalar("min", tf.reduce_min(var))
        tf.summary.histogram("histogram", var)


def nn_layer(input_tensor, input_dim, output_dim, layer_name, act=tf.nn.relu):
    with tf.name_scope(layer_name):
        with tf.name_scope("weights"):
            weights = tf.Variable(tf.truncated_normal([input_dim, output_dim], stddev=0.1))
            variable_summaries(weights)
        with tf.name_scope("biases"):
            biases = tf.Variable(tf.constant(0.1, shape=[output_dim]))
            variable_summaries(biases)
        with tf.name_scope("Wx_plus_b"):
            preactivate = tf.matmul(input_tensor, weights) + biases
            tf.summary.histogram("pre_activations", preactivate)
        activations = act(preactivate, name="activation")
        tf.summary.histogram("activations", activations)
        return activations


with tf.name_scope("input"):
    x = tf.placeholder(tf.float32, [None, 4], name="x-input")
    y_ = tf.placeholder(tf.int64, [None], name="y-input")

hidden1 = nn_layer(x, 4, 16, "layer1")
y = nn_layer(hidden1, 16, 3, "layer2", act=tf.identity)

with tf.name_scope("cross_entropy"):
    cross_entropy = tf.losses.sparse_softmax_cross_entropy(labels=y_, logits=y)
tf.summary.scalar("cross_entropy", cross_entropy)

with tf.name_scope("train"):
    train_step = tf.train.AdamOptimizer(0.01).minimize(cross_entropy)

with tf.name_scope("accuracy"):
    with tf.name_scope("correct_prediction"):
        correct_prediction = tf.equal(tf.argmax(y, 1), y_)
    with tf.name_scope("accuracy"):
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
tf.summary.scalar("accuracy", accuracy)

merged = tf.summary.merge_all()
print("summary ops collected:", len(tf.get_collection(tf.GraphKeys.SUMMARIES)))

with tf.Session() as sess:
    train_writer = tf.summary.FileWriter(logdir + "/train", sess.graph)
    test_writer = tf.summary.FileWriter(logdir + "/test")
    sess.run(tf.global_variables_initializer())
    for i in range(max_steps):
        if i % 10 == 0:
            summary, acc = sess.run([merged, accuracy], feed_dict={x: x_test, y_: y_test})
            test_writer.add_summary(summary, i)
            if i % 50 == 0:
                print("Accuracy at step %s: %s" % (i, acc))
        else:
            summary, _ = sess.run([merged, train_step], feed_dict={x: x_train, y_: y_train})
            train_writer.add_summary(summary, i)
    acc = sess.run(accuracy, feed_dict={x: x_test, y_: y_test})
    train_writer.close()
    test_writer.close()

# Read the test curve back from the event file.
event_file = sorted(glob.glob(os.path.join(logdir, "test", "events.out.tfevents.*")))[-1]
curve = [(e.step, v.simple_value) for e in tf.train.summary_iterator(event_file)
         for v in e.summary.value if v.tag == "accuracy_1"]
print("test accuracy in the event file:", ["%d:%.2f" % p for p in curve[-3:]])
tags = sorted({v.tag for e in tf.train.summary_iterator(event_file) for v in e.summary.value})
print("%d tags, e.g. %s" % (len(tags), tags[:4]))

viz.render(viz.draw_graph(train_step, depth=1, title="name scopes, as TensorBoard groups them"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % acc)
