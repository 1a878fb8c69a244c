"""The main demo (what `bash setup.sh` runs): lesson 03, then a gallery of tfone's pictures.

    python tutorials/demo.py [--out DIR] [--fast]

1. Lesson 03 trains logistic regression twice, the TF1 low-level way and with Keras, and
   draws loss curves, decision boundaries and both graphs.
2. The gallery trains a small neural network on the two-moons data and draws what viz can
   show about it: the graph, the backward pass, the values of one run, the gradient flow, an
   animation of one training step, and the decision boundary.
3. Everything is listed in DIR/index.html: open it in a browser to see all the pictures.
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import html
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run_lesson_03(lesson):
    out = os.path.join(lesson.out, "03_logistic_regression")
    command = [sys.executable, os.path.join(HERE, "03_logistic_regression.py"), "--out", out]
    if lesson.fast:
        command.append("--fast")
    print("$ python tutorials/03_logistic_regression.py --out %s%s"
          % (out, " --fast" if lesson.fast else ""))
    sys.stdout.flush()
    done = subprocess.run(command)
    if done.returncode != 0:
        sys.exit("lesson 03 failed (exit code %d)" % done.returncode)
    captions = {
        "loss_curves.png": "Lesson 03: loss and accuracy of the TF1 and Keras versions",
        "decision_boundary.png": "Lesson 03: p(class 1) and the decision boundary",
        "graph_low_level.png": "Lesson 03: the low-level graph with gradients and update",
        "graph_keras.png": "Lesson 03: the graph Keras builds",
    }
    pictures = []
    for name, caption in captions.items():
        path = os.path.join(out, name)
        if not os.path.isfile(path):
            sys.exit("lesson 03 did not write %s" % path)
        pictures.append((path, caption))
    return pictures


def gallery(lesson):
    import tfone as tf
    from tfone.keras.datasets import make_moons
    import viz

    lesson.section("The gallery: a small network on the two-moons data, drawn by viz")
    x_data, y_data = make_moons(200, noise=0.1, seed=0)
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.placeholder(tf.int32, [None], name="y")
    tf.set_random_seed(0)
    with tf.name_scope("layer_1"):
        W1 = tf.Variable(tf.random_normal([2, 16], stddev=0.8), name="W")
        b1 = tf.Variable(tf.zeros([16]), name="b")
        h = tf.nn.relu(tf.matmul(x, W1) + b1)
    with tf.name_scope("layer_2"):
        W2 = tf.Variable(tf.random_normal([16, 2], stddev=0.3), name="W")
        b2 = tf.Variable(tf.zeros([2]), name="b")
        logits = tf.matmul(h, W2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits),
                          name="loss")
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed = {x: x_data, y: y_data}
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    steps = 60 if lesson.fast else 300
    for step in range(steps):
        loss_value, _ = sess.run([loss, train_op], feed)
    accuracy = np.mean(sess.run(tf.argmax(logits, 1, output_type=tf.int32), feed) == y_data)
    print("trained %d gradient-descent steps: loss %.4f, training accuracy %.3f"
          % (steps, sess.run(loss, feed), accuracy))

    shots = [
        (viz.draw_graph(loss, show_gradients=False, title="the forward graph"),
         "graph.png", "The forward graph: placeholders, variables, ops and shapes"),
        (viz.draw_graph(train_op, show_gradients="aligned",
                        title="forward pass, backward pass (tf.gradients) and the update"),
         "graph_with_gradients.png", "The backward pass drawn beside the forward pass"),
        (viz.draw_values(sess, loss, feed, title="one run: every node's value"),
         "values.png", "One run: every node labelled with the value it computed"),
        (viz.draw_gradient_flow(sess, loss, feed, train_op=train_op,
                                title="gradient flow: colour = log10 ‖∂loss/∂t‖"),
         "gradient_flow.png", "Gradient flow: the size of the gradient on every edge"),
    ]
    for picture, name, caption in shots:
        lesson.save(picture, name, caption)
    run = viz.trace(sess, [loss, train_op], feed, title="one training step, in execution order")
    lesson.save(run.diagram(), "training_step.png",
                "One training step: every node numbered by when it runs")

    # An animation needs one picture per step, so it is made for a graph small enough to
    # follow by eye: one sigmoid neuron (lesson 09 explains it).
    neuron = tf.Graph()
    with neuron.as_default():
        nx = tf.placeholder(tf.float32, [], name="x")
        target = tf.placeholder(tf.float32, [], name="target")
        w = tf.Variable(0.5, name="w")
        b = tf.Variable(0.0, name="b")
        neuron_loss = tf.square(tf.sigmoid(w * nx + b, name="y") - target, name="loss")
        neuron_step = tf.train.GradientDescentOptimizer(1.0).minimize(neuron_loss)
        with tf.Session() as neuron_sess:
            neuron_sess.run(tf.global_variables_initializer())
            animation = viz.trace(neuron_sess, [neuron_loss, neuron_step],
                                  {nx: 2.0, target: 1.0}, title="one neuron, one training step")
            lesson.save(animation, "neuron_step.gif",
                        "Animation: forward pass, backward pass and update, op by op")

    plt = _common.pyplot()
    grid_x, grid_y = np.meshgrid(np.linspace(-1.5, 2.5, 150), np.linspace(-1.0, 1.5, 150))
    grid = np.c_[grid_x.ravel(), grid_y.ravel()].astype(np.float32)
    p = sess.run(tf.nn.softmax(logits), {x: grid})[:, 1].reshape(grid_x.shape)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.contourf(grid_x, grid_y, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.4)
    ax.contour(grid_x, grid_y, p, levels=[0.5], colors="black", linewidths=2)
    ax.scatter(x_data[:, 0], x_data[:, 1], c=np.where(y_data == 1, "#D55E00", "#0072B2"),
               s=14, edgecolor="black", linewidth=0.4)
    ax.set_title("two moons: the network's decision boundary (accuracy %.1f%%)"
                 % (100 * accuracy), fontsize=10)
    lesson.save(fig, "decision_boundary.png", "What the network learned")
    sess.close()
    return [(path, what) for path, what in lesson.pictures]


def write_index(path, sections):
    parts = ["<!doctype html><meta charset='utf-8'><title>tfone demo</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
             "img{max-width:100%;border:1px solid #ddd}figure{margin:2em 0}</style>",
             "<h1>tfone: the main demo</h1>"]
    for title, pictures in sections:
        parts.append("<h2>%s</h2>" % html.escape(title))
        for picture, caption in pictures:
            rel = os.path.relpath(picture, os.path.dirname(path)).replace(os.sep, "/")
            parts.append("<figure><img src='%s' alt='%s'><figcaption>%s</figcaption></figure>"
                         % (html.escape(rel), html.escape(caption or ""),
                            html.escape(caption or "")))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return path


def main():
    lesson = _common.Lesson("demo", __doc__)
    lesson.section("Lesson 03, run as its own program")
    lesson_03 = run_lesson_03(lesson)
    pictures = gallery(lesson)
    index = write_index(lesson.path("index.html"),
                        [("Lesson 03: logistic regression, TF1 and Keras", lesson_03),
                         ("Gallery: a small network on two moons", pictures)])
    lesson.done()
    print("Lesson 03's pictures are in %s/" % os.path.dirname(lesson_03[0][0]))
    print("All pictures on one page: %s" % os.path.abspath(index))
    print("Next: the lessons in tutorials/ (python tutorials/01_graphs_and_sessions.py, ...).")


if __name__ == "__main__":
    main()
