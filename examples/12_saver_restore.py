"""Checkpoints: Saver.save with global_step, latest_checkpoint, restore and continued training.

Part 1 trains a small regression network, saving a checkpoint every few steps (max_to_keep
keeps the newest ones). Part 2 starts over in a *new graph*, builds the same model,
restores the newest checkpoint found by tf.train.latest_checkpoint and carries on
training from the saved global step. Part 3 rebuilds the graph from the .meta file with
tf.train.import_meta_graph and evaluates without any Python model code.
"""
import _example

import os

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
steps_per_part = 100 if args.fast else 600
ckpt_dir = _example.path(args, "checkpoints")
os.makedirs(ckpt_dir, exist_ok=True)    # Saver.save does not create directories (as TF1)
for name in os.listdir(ckpt_dir):
    os.remove(os.path.join(ckpt_dir, name))   # start fresh on every run

rng = np.random.RandomState(9)
x_data = rng.uniform(-2, 2, size=(256, 1)).astype(np.float32)
y_data = (np.sin(2 * x_data) + 0.05 * rng.randn(256, 1)).astype(np.float32)


def build_model():
    """The same graph in each part; names matter, because checkpoints are keyed by them."""
    tf.set_random_seed(9)
    x = tf.placeholder(tf.float32, [None, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    global_step = tf.train.get_or_create_global_step()
    hidden = tf.layers.dense(x, 32, activation=tf.nn.tanh, name="hidden")
    pred = tf.layers.dense(hidden, 1, name="pred")
    loss = tf.reduce_mean(tf.square(pred - y), name="loss")
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=global_step)
    tf.add_to_collection("train_op", train_op)
    return x, y, global_step, loss, train_op


# Part 1: train and save.
x, y, global_step, loss, train_op = build_model()
saver = tf.train.Saver(max_to_keep=3)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(steps_per_part):
        _, l, step = sess.run([train_op, loss, global_step], {x: x_data, y: y_data})
        if (i + 1) % (steps_per_part // 4) == 0:
            path = saver.save(sess, os.path.join(ckpt_dir, "model.ckpt"), global_step=global_step)
            print("step %d, loss %.5f, saved %s" % (step, l, os.path.basename(path)))
    loss_part1 = sess.run(loss, {x: x_data, y: y_data})
    kernel_part1 = sess.run(tf.get_default_graph().get_tensor_by_name("hidden/kernel:0"))

print("checkpoints kept:", [os.path.basename(p) for p in saver.last_checkpoints])
print("variables in the newest checkpoint:")
latest = tf.train.latest_checkpoint(ckpt_dir)
for name, shape in tf.train.list_variables(latest):
    print("   %-30s %s" % (name, shape))

# Part 2: a new graph, restore, check, continue.
tf.reset_default_graph()
x, y, global_step, loss, train_op = build_model()
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, latest)
    restored_loss = sess.run(loss, {x: x_data, y: y_data})
    kernel = sess.run(tf.get_default_graph().get_tensor_by_name("hidden/kernel:0"))
    print("restored from %s at global step %d: loss %.5f (before saving: %.5f), weights equal: %s"
          % (os.path.basename(latest), sess.run(global_step), restored_loss, loss_part1,
             np.array_equal(kernel, kernel_part1)))
    for i in range(steps_per_part):
        sess.run(train_op, {x: x_data, y: y_data})
    loss_part2 = sess.run(loss, {x: x_data, y: y_data})
    saver.save(sess, os.path.join(ckpt_dir, "model.ckpt"), global_step=global_step)
    print("continued to step %d: loss %.5f" % (sess.run(global_step), loss_part2))

# Part 3: no model code at all, only the .meta graph and the checkpoint.
tf.reset_default_graph()
latest = tf.train.latest_checkpoint(ckpt_dir)
with tf.Session() as sess:
    saver = tf.train.import_meta_graph(latest + ".meta")
    saver.restore(sess, latest)
    graph = tf.get_default_graph()
    meta_loss = sess.run("loss:0", {"x:0": x_data, "y:0": y_data})
    sess.run(tf.get_collection("train_op")[0], {"x:0": x_data, "y:0": y_data})
    print("from %s.meta: loss %.5f, global step after one more step %d"
          % (os.path.basename(latest), meta_loss,
             sess.run(graph.get_tensor_by_name("global_step:0"))))

assert restored_loss == loss_part1 and np.isclose(meta_loss, loss_part2)
viz.render(viz.draw_graph(graph, depth=1, title="graph imported from the .meta file"),
           _example.path(args, "graph.png"))
print("final loss: %.5f" % loss_part2)
