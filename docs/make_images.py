"""Regenerate the pictures in docs/images/ (used by docs/VIZ.md).

    python docs/make_images.py

The programs are those of the viz tests (tests/viz/programs.py), so the pictures show what
the tests check. Needs Graphviz's `dot` (and matplotlib for the charts).
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import tfone as tf  # noqa: E402
import viz  # noqa: E402
from tests.viz.programs import linear_regression, mlp  # noqa: E402

OUT = os.path.join(ROOT, "docs", "images")
DPI = 72


def save(diagram, name, dpi=DPI):
    path = viz.render(diagram, os.path.join(OUT, name), dpi=dpi)
    print("wrote", os.path.relpath(path, ROOT))


def linear_pictures():
    tf.reset_default_graph()
    p = linear_regression()
    save(viz.draw_graph(p["loss"], title="Linear regression: the forward graph"),
         "viz_linear.png")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(p["loss"])
    save(viz.draw_graph(train, title="One training step: forward, backward, update"),
         "viz_training.png")
    save(viz.draw_graph(train, show_gradients="aligned",
                        title="show_gradients='aligned': each gradient beside its op"),
         "viz_aligned.png")
    save(viz.draw_graph(train, show_gradients=False, title="show_gradients=False"),
         "viz_no_gradients.png")
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(p["W"].assign([[0.5], [-0.25], [0.1]]))
    save(viz.draw_values(sess, p["loss"], p["feed"], title="draw_values: one run's numbers"),
         "viz_values.png")
    tr = viz.trace(sess, train, p["feed"], title="trace: the order of one training step")
    save(tr.diagram(), "viz_trace.png")
    gif = tr.save_gif(os.path.join(OUT, "viz_trace.gif"), dpi=60)
    print("wrote", os.path.relpath(gif, ROOT))
    with open(os.path.join(OUT, "viz_print_graph.txt"), "w", encoding="utf-8") as f:
        f.write(viz.format_graph(p["loss"]) + "\n")


def gradient_flow_pictures():
    tf.reset_default_graph()
    p = mlp(layers=5, width=8, activation=tf.sigmoid, stddev=0.3)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    d = viz.draw_gradient_flow(sess, p["loss"], p["feed"], vanishing_orders=2,
                               learning_rate=0.1, rankdir="LR",
                               title="draw_gradient_flow: a deep sigmoid MLP")
    save(d, "viz_gradient_flow.png")
    for finding in d.findings:
        print("  finding:", finding.message)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: charts skipped")
        return
    ax = viz.plot_gradient_flow(sess, p["loss"], p["feed"])
    ax.figure.savefig(os.path.join(OUT, "viz_gradient_bars.png"), dpi=DPI)
    history = viz.GradientHistory(p["loss"])
    train = tf.train.GradientDescentOptimizer(0.5).minimize(p["loss"])
    sess.run(tf.global_variables_initializer())
    for step in range(40):
        if step % 4 == 0:
            history.record(sess, p["feed"], step)
        sess.run(train, p["feed"])
    ax = viz.plot_gradient_flow(history)
    ax.figure.savefig(os.path.join(OUT, "viz_gradient_heatmap.png"), dpi=DPI)
    plt.close("all")
    print("wrote docs/images/viz_gradient_bars.png, docs/images/viz_gradient_heatmap.png")


def cnn_pictures():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    h, cin = x, 1
    for i, cout in enumerate((32, 64), start=1):
        with tf.name_scope("conv%d" % i):
            W = tf.Variable(tf.truncated_normal([5, 5, cin, cout], stddev=0.1), name="W")
            b = tf.Variable(tf.constant(0.1, shape=[cout]), name="b")
            h = tf.nn.relu(tf.nn.conv2d(h, W, strides=[1, 1, 1, 1], padding="SAME") + b)
            h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        cin = cout
    with tf.name_scope("fc1"):
        W = tf.Variable(tf.truncated_normal([7 * 7 * 64, 1024], stddev=0.1), name="W")
        b = tf.Variable(tf.constant(0.1, shape=[1024]), name="b")
        h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), W) + b)
    with tf.name_scope("fc2"):
        W = tf.Variable(tf.truncated_normal([1024, 10], stddev=0.1), name="W")
        b = tf.Variable(tf.constant(0.1, shape=[10]), name="b")
        logits = tf.matmul(h, W) + b
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(1e-4).minimize(loss)
    save(viz.draw_graph(train, budget=40, title="A CNN with Adam, within a 40-node budget"),
         "viz_cnn.png")
    save(viz.draw_graph(train, depth=0, title="depth=0: one node per top-level scope",
                        rankdir="LR"), "viz_cnn_depth0.png")


def rnn_pictures():
    tf.reset_default_graph()
    steps = 6
    x = tf.placeholder(tf.float32, [None, steps, 8], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    if not hasattr(tf.nn, "rnn_cell"):
        print("tf.nn.rnn_cell is not available: LSTM picture skipped")
        return
    cell = tf.nn.rnn_cell.BasicLSTMCell(16)
    outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    with tf.name_scope("out"):
        W = tf.Variable(tf.random_normal([16, 1], seed=1), name="W")
        pred = tf.matmul(outputs[-1], W)
    loss = tf.reduce_mean(tf.square(pred - y), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    save(viz.draw_graph(train, title="An unrolled LSTM: 6 identical steps drawn as one ×6"),
         "viz_lstm.png")


def keras_pictures():
    keras = getattr(tf, "keras", None)
    if keras is None or not hasattr(keras, "Sequential"):
        print("tf.keras is not available: Keras pictures skipped")
        return
    tf.reset_default_graph()
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(8,)),
                              keras.layers.Dropout(0.5),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    save(viz.draw_graph(model, depth=0, rankdir="LR",
                        title="A Keras model, one node per layer (depth=0)"), "viz_keras.png")
    rng = np.random.RandomState(0)
    x = rng.randn(64, 8).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)]
    history = model.fit(x, y, epochs=20, batch_size=16, validation_split=0.25, verbose=0)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    axes = viz.plot_history(history)
    axes[0].figure.savefig(os.path.join(OUT, "viz_history.png"), dpi=DPI)
    plt.close("all")
    print("wrote docs/images/viz_history.png")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    np.random.seed(0)
    linear_pictures()
    gradient_flow_pictures()
    cnn_pictures()
    rnn_pictures()
    keras_pictures()
