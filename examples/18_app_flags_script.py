"""A script in the style of TF1's official tutorials (fully_connected_feed.py): tf.app.flags,
tf.app.run, tf.logging, tf.gfile, tf.ConfigProto, a tf.Graph().as_default() block, and the
model split into inference() / loss() / training() / evaluation() functions.

    python examples/18_app_flags_script.py --max_steps=500 --hidden1=64 [--fast] [--out DIR]
"""
import _example  # noqa: F401  (repository path; this script parses its own flags)

import os
import time

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

flags = tf.app.flags
flags.DEFINE_float("learning_rate", 0.1, "Initial learning rate.")
flags.DEFINE_integer("max_steps", 1500, "Number of steps to run trainer.", lower_bound=1)
flags.DEFINE_integer("hidden1", 64, "Number of units in hidden layer 1.")
flags.DEFINE_integer("hidden2", 32, "Number of units in hidden layer 2.")
flags.DEFINE_integer("batch_size", 100, "Batch size.")
flags.DEFINE_boolean("fast", False, "Fewer steps (for the tests).")
flags.DEFINE_string("out", os.path.join("examples_output", "18_app_flags_script"),
                    "Directory for logs, checkpoints and the graph picture.")
FLAGS = flags.FLAGS

NUM_CLASSES, IMAGE_PIXELS = 10, 64


def placeholder_inputs(batch_size):
    images_placeholder = tf.placeholder(tf.float32, shape=(batch_size, IMAGE_PIXELS))
    labels_placeholder = tf.placeholder(tf.int32, shape=(batch_size,))
    return images_placeholder, labels_placeholder


def inference(images, hidden1_units, hidden2_units):
    with tf.name_scope("hidden1"):
        weights = tf.Variable(tf.truncated_normal([IMAGE_PIXELS, hidden1_units],
                                                  stddev=1.0 / np.sqrt(float(IMAGE_PIXELS))),
                              name="weights")
        biases = tf.Variable(tf.zeros([hidden1_units]), name="biases")
        hidden1 = tf.nn.relu(tf.matmul(images, weights) + biases)
    with tf.name_scope("hidden2"):
        weights = tf.Variable(tf.truncated_normal([hidden1_units, hidden2_units],
                                                  stddev=1.0 / np.sqrt(float(hidden1_units))),
                              name="weights")
        biases = tf.Variable(tf.zeros([hidden2_units]), name="biases")
        hidden2 = tf.nn.relu(tf.matmul(hidden1, weights) + biases)
    with tf.name_scope("softmax_linear"):
        weights = tf.Variable(tf.truncated_normal([hidden2_units, NUM_CLASSES],
                                                  stddev=1.0 / np.sqrt(float(hidden2_units))),
                              name="weights")
        biases = tf.Variable(tf.zeros([NUM_CLASSES]), name="biases")
        logits = tf.matmul(hidden2, weights) + biases
    return logits


def loss(logits, labels):
    labels = tf.to_int64(labels)
    return tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)


def training(loss, learning_rate):
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))


def do_eval(sess, eval_correct, images_placeholder, labels_placeholder, images, labels):
    true_count = 0
    steps_per_epoch = len(images) // FLAGS.batch_size
    num_examples = steps_per_epoch * FLAGS.batch_size
    for step in range(steps_per_epoch):
        sl = slice(step * FLAGS.batch_size, (step + 1) * FLAGS.batch_size)
        true_count += sess.run(eval_correct, feed_dict={images_placeholder: images[sl],
                                                         labels_placeholder: labels[sl]})
    precision = float(true_count) / num_examples
    print("  Num examples: %d  Num correct: %d  Precision @ 1: %0.04f"
          % (num_examples, true_count, precision))
    return precision


def run_training():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
    x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    max_steps = 200 if FLAGS.fast else FLAGS.max_steps
    log_dir = os.path.join(FLAGS.out, "logs")
    if tf.gfile.Exists(log_dir):
        tf.gfile.DeleteRecursively(log_dir)
    tf.gfile.MakeDirs(log_dir)

    with tf.Graph().as_default() as graph:
        tf.set_random_seed(18)
        images_placeholder, labels_placeholder = placeholder_inputs(FLAGS.batch_size)
        logits = inference(images_placeholder, FLAGS.hidden1, FLAGS.hidden2)
        loss_op = loss(logits, labels_placeholder)
        train_op = training(loss_op, FLAGS.learning_rate)
        eval_correct = evaluation(logits, labels_placeholder)
        summary = tf.summary.merge_all()
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()

        config = tf.ConfigProto(allow_soft_placement=True)
        config.gpu_options.allow_growth = True
        sess = tf.Session(config=config)
        summary_writer = tf.summary.FileWriter(log_dir, sess.graph)
        sess.run(init)
        rng = np.random.RandomState(18)
        for step in range(max_steps):
            start_time = time.time()
            idx = rng.randint(0, len(x_train), FLAGS.batch_size)
            feed_dict = {images_placeholder: x_train[idx], labels_placeholder: y_train[idx]}
            _, loss_value = sess.run([train_op, loss_op], feed_dict=feed_dict)
            duration = time.time() - start_time
            if step % 100 == 0:
                tf.logging.info("Step %d: loss = %.2f (%.3f sec)", step, loss_value, duration)
                summary_str = sess.run(summary, feed_dict=feed_dict)
                summary_writer.add_summary(summary_str, step)
                summary_writer.flush()
            if (step + 1) == max_steps:
                checkpoint_file = os.path.join(log_dir, "model.ckpt")
                saver.save(sess, checkpoint_file, global_step=step)
                print("Training Data Eval:")
                do_eval(sess, eval_correct, images_placeholder, labels_placeholder,
                        x_train, y_train)
                print("Test Data Eval:")
                precision = do_eval(sess, eval_correct, images_placeholder, labels_placeholder,
                                    x_test, y_test)
        summary_writer.close()
        sess.close()
    viz.render(viz.draw_graph(graph, depth=1, title="fully_connected_feed, pocket-sized"),
               os.path.join(FLAGS.out, "graph.png"))
    print("final test_precision: %.4f" % precision)


def main(_):
    tf.logging.set_verbosity(tf.logging.INFO)
    run_training()


if __name__ == "__main__":
    tf.app.run(main=main)
