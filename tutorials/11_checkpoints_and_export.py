"""11: checkpoints and export -- save training, resume it, and ship the graph.

Variables live in a Session, so they vanish when the program ends. tf.train.Saver writes
them to a checkpoint and reads them back; the meta graph and tf.train.write_graph save the
graph itself, so another program (or `python -m viz`) can use it without your model code.

    python tutorials/11_checkpoints_and_export.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import json
import os
import subprocess
import sys

import numpy as np

import tfone as tf
from tfone.keras.datasets import iris
import viz

lesson = _common.Lesson("11_checkpoints_and_export", __doc__)
checkpoint_dir = lesson.path("checkpoints")
os.makedirs(checkpoint_dir, exist_ok=True)     # Saver, like TF1's, does not create it

(x_train, y_train), (x_test, y_test) = iris.load_data()
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std     # standardise features
y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)


def build_model():
    """A small softmax classifier for the iris flowers; the same code builds it every time."""
    features = tf.placeholder(tf.float32, [None, 4], name="features")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    hidden = tf.layers.dense(features, 8, activation=tf.nn.tanh, name="hidden")
    logits = tf.layers.dense(hidden, 3, name="logits")
    probabilities = tf.nn.softmax(logits, name="probabilities")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=global_step)
    tf.add_to_collection("train_op", train_op)      # found again after import_meta_graph
    return features, labels, probabilities, loss, train_op, global_step


# ---------------------------------------------------------------------------------------------
lesson.section("1. Train, saving a checkpoint every few steps")
features, labels, probabilities, loss, train_op, global_step = build_model()
saver = tf.train.Saver(max_to_keep=3)          # keep only the 3 newest checkpoints
steps, every = (40, 10) if lesson.fast else (200, 40)
feed = {features: x_train, labels: y_train}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(steps):
        _, step = sess.run([train_op, global_step], feed)
        if step % every == 0:
            path = saver.save(sess, os.path.join(checkpoint_dir, "iris.ckpt"),
                              global_step=global_step)
            print("  step %3d  loss %.4f  saved %s" % (step, sess.run(loss, feed), path))
    trained_probs = sess.run(probabilities, {features: x_test})
accuracy = np.mean(trained_probs.argmax(axis=1) == y_test)
print("test accuracy after %d steps: %.3f" % (steps, accuracy))

lesson.say("""The checkpoint directory holds, for each kept step, the values (.npz, a plain numpy
archive), a readable index (.index.json) and the meta graph (.meta), plus the text file
`checkpoint` that lists them. Older checkpoints were deleted (max_to_keep=3):""")
for name in sorted(os.listdir(checkpoint_dir)):
    print("    %-32s %7d bytes" % (name, os.path.getsize(os.path.join(checkpoint_dir, name))))
print("  contents of `checkpoint`:")
with open(os.path.join(checkpoint_dir, "checkpoint")) as f:
    for line in f:
        print("    " + line.rstrip())
latest = tf.train.latest_checkpoint(checkpoint_dir)
print("tf.train.latest_checkpoint ->", latest)
print("variables in it (tf.train.list_variables):")
for name, shape in tf.train.list_variables(latest):
    print("    %-26s %s" % (name, shape))
data = np.load(latest + ".npz")
print("and with numpy alone: np.load(...)['logits/bias'] =", _common.fmt(data["logits/bias"]))

# ---------------------------------------------------------------------------------------------
lesson.section("2. A new program: rebuild the graph with the code, restore the values")
tf.reset_default_graph()
features, labels, probabilities, loss, train_op, global_step = build_model()
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, latest)                 # no initializer needed: restore assigns all
    restored_probs = sess.run(probabilities, {features: x_test})
    print("restored global_step =", int(sess.run(global_step)))
print("same predictions as before saving:", np.array_equal(restored_probs, trained_probs))
assert np.array_equal(restored_probs, trained_probs)

# ---------------------------------------------------------------------------------------------
lesson.section("3. Without the code: import the meta graph, then resume training")
tf.reset_default_graph()
saver = tf.train.import_meta_graph(latest + ".meta")
graph = tf.get_default_graph()
features = graph.get_tensor_by_name("features:0")
labels = graph.get_tensor_by_name("labels:0")
probabilities = graph.get_tensor_by_name("probabilities:0")
train_op = tf.get_collection("train_op")[0]
global_step = tf.train.get_global_step()
more = steps // 2
with tf.Session() as sess:
    saver.restore(sess, latest)
    imported_probs = sess.run(probabilities, {features: x_test})
    print("imported graph, same predictions:", np.array_equal(imported_probs, trained_probs))
    assert np.array_equal(imported_probs, trained_probs)
    start = int(sess.run(global_step))
    for _ in range(more):
        sess.run(train_op, {features: x_train, labels: y_train})
    print("resumed training: global_step %d -> %d" % (start, sess.run(global_step)))
    resumed_acc = np.mean(sess.run(probabilities, {features: x_test}).argmax(1) == y_test)
    print("test accuracy now: %.3f" % resumed_acc)
    final_path = saver.save(sess, os.path.join(checkpoint_dir, "iris.ckpt"),
                            global_step=global_step)
    print("saved", final_path)

    # -----------------------------------------------------------------------------------------
    lesson.section("4. Export the graph and draw it from the command line")
    graph_path = tf.train.write_graph(sess.graph, lesson.out, "iris_graph.json")
    print("tf.train.write_graph wrote %s (%d bytes of JSON)"
          % (graph_path, os.path.getsize(graph_path)))

picture = lesson.path("iris_graph.png")
command = [sys.executable, "-m", "viz", graph_path, "-o", picture, "--depth", "1",
           "--title", "iris classifier (from iris_graph.json)"]
print("$ python -m viz %s -o %s --depth 1 --title '...'" % (graph_path, picture))
env = dict(os.environ, PYTHONPATH=os.pathsep.join(
    [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    + [p for p in [os.environ.get("PYTHONPATH")] if p]))
done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
if done.returncode != 0:
    sys.exit("python -m viz failed:\n" + done.stderr)
lesson.record(picture, "the saved graph, drawn by `python -m viz`")
text = subprocess.run(command[:4] + ["--text"], capture_output=True, text=True, env=env,
                      timeout=120).stdout
print("`python -m viz %s --text` prints the graph as a tree (%d lines); the top:"
      % (os.path.basename(graph_path), len(text.splitlines())))
for line in text.splitlines()[:8]:
    print("    " + line)

# The same file in Python: import the GraphDef JSON into a new graph and draw part of it.
graph = tf.Graph()
with graph.as_default():
    with open(graph_path) as f:
        tf.import_graph_def(json.load(f), name="")
lesson.save(viz.draw_graph(graph.get_tensor_by_name("probabilities:0"), show_gradients=False,
                           title="the exported graph, forward pass only"),
            "iris_forward.png", "the forward pass of the exported graph")

lesson.done()
