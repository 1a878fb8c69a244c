"""08: gradient flow -- why deep sigmoid nets learn slowly, and how ReLU and good init fix it.

Backpropagation multiplies one factor per layer. The derivative of the sigmoid is at most
0.25, so through ten sigmoid layers the gradient that reaches the first layer is thousands of
times smaller than at the last: the early layers barely learn ("vanishing gradients"). ReLU
passes gradients unchanged where it is active, but only if the initial weights keep the
signal's scale from layer to layer (He initialisation: variance 2 / fan_in).

    python tutorials/08_gradient_flow.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons


import tfone as tf
from tfone.keras.datasets import make_moons
import viz

lesson = _common.Lesson("08_gradient_flow", __doc__)

DEPTH, WIDTH = 10, 32
LEARNING_RATE = 0.02
STEPS = 60 if lesson.fast else 400
x_data, y_data = make_moons(256 if lesson.fast else 512, noise=0.15, seed=0)

NETWORKS = [
    ("sigmoid", "sigmoid, Glorot init", tf.nn.sigmoid, tf.glorot_uniform_initializer()),
    ("relu_small", "ReLU, small init N(0, 0.05²)", tf.nn.relu,
     tf.random_normal_initializer(stddev=0.05)),
    ("relu_he", "ReLU, He init", tf.nn.relu, tf.variance_scaling_initializer(scale=2.0)),
]


def build(activation, initializer):
    """A DEPTH-layer MLP on 2-D points in scopes layer_1..layer_N; returns its pieces."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        y = tf.placeholder(tf.int32, [None], name="y")
        h = x
        for i in range(1, DEPTH + 1):
            h = tf.layers.dense(h, WIDTH, activation=activation,
                                kernel_initializer=initializer, name="layer_%d" % i)
        logits = tf.layers.dense(h, 2, kernel_initializer=initializer, name="output")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits), name="loss")
        train_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(
            tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y), tf.float32))
    return graph, x, y, loss, train_op, accuracy


lesson.section("The experiment")
lesson.say("""Three %d-layer networks (width %d) classify the two-moons data (%d points) with
plain gradient descent (learning rate %g, %d steps). They differ only in the activation
function and in how the weights start.""" % (DEPTH, WIDTH, len(x_data), LEARNING_RATE, STEPS))

networks = []
for key, title, activation, initializer in NETWORKS:
    graph, x, y, loss, train_op, accuracy = build(activation, initializer)
    sess = tf.Session(graph=graph)
    with graph.as_default():
        sess.run(tf.global_variables_initializer())
    networks.append((graph, sess, x, y, loss, train_op, accuracy))

# The pictures of gradient flow between layers share one colour scale, so one colour means
# one gradient norm in all three: draw each once to find its range (colour_range, log10 of
# the norm), then draw them all with the union (vmin, vmax).
ranges = [viz.draw_gradient_flow(sess, loss, {x: x_data, y: y_data}, depth=0).colour_range
          for graph, sess, x, y, loss, train_op, accuracy in networks]
VMIN, VMAX = min(lo for lo, _ in ranges), max(hi for _, hi in ranges)
print("one colour scale for the three gradient-flow pictures: norms from 1e%d to 1e%d"
      % (VMIN, VMAX))

plt = _common.pyplot()
chart, chart_axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
curves = {}
summary = []
for (key, title, activation, initializer), ax, built in zip(NETWORKS, chart_axes, networks):
    lesson.section(title)
    graph, sess, x, y, loss, train_op, accuracy = built
    feed = {x: x_data, y: y_data}
    with graph.as_default(), sess:

        # 1. At initialisation: how big is the gradient of each layer's weights?
        kernels = [v for v in tf.trainable_variables() if v.op.name.endswith("kernel")]
        stats = viz.variable_gradient_stats(sess, loss, feed, wrt=kernels)
        norms = [s["grad_norm"] for s in stats.values()]
        print("  gradient norm |dloss/dW| of each layer's weights at initialisation "
              "(input -> output):")
        print("   ", " ".join("%.0e" % g for g in norms))
        print("  first layer %.1e, output layer %.1e: ratio %.1e"
              % (norms[0], norms[-1], norms[0] / norms[-1]))

        # Drawn in full (every op and variable), the picture checks each variable: findings.
        detail = viz.draw_gradient_flow(sess, loss, feed, train_op=train_op, budget=None,
                                        collapse_repeats=False)
        print("  viz.draw_gradient_flow found %d problem%s:"
              % (len(detail.findings), "" if len(detail.findings) == 1 else "s"))
        kinds = {}
        for finding in detail.findings:
            kinds.setdefault(finding.kind, []).append(finding)
        for kind, found in kinds.items():
            print("    %d x %s: %s" % (len(found), kind, ", ".join(f.name for f in found[:6])
                                      + (", ..." if len(found) > 6 else "")))
            print("      e.g. " + found[0].message)
        if key == "sigmoid":
            # For the picture, the middle layers (identical scopes) collapse into one box.
            shown = viz.draw_gradient_flow(sess, loss, feed, train_op=train_op,
                                           collapse_repeats=True,
                                           title="%s: ops and variables" % title)
            lesson.save(shown, "gradient_flow_sigmoid_detail.png",
                        "first and last layers in full, vanishing variables flagged")
        # depth=0: one box per layer, so the picture shows the gradient between layers,
        # coloured on the scale shared by the three networks.
        flow = viz.draw_gradient_flow(sess, loss, feed, depth=0, title=title, vmin=VMIN,
                                      vmax=VMAX)
        assert flow.colour_range == (VMIN, VMAX)
        lesson.save(flow, "gradient_flow_%s.png" % key, "gradient norm between layers, " + title)
        viz.plot_gradient_flow(sess, loss, feed, wrt=kernels, ax=ax)
        ax.set_title(title)
        ax.set_ylabel("|∂loss/∂W|" if ax is chart_axes[0] else "")

        # 2. Train, recording the gradients every few steps.
        history = viz.GradientHistory(loss, wrt=kernels)
        losses = []
        for step in range(STEPS + 1):
            if step % (STEPS // 20) == 0:
                history.record(sess, feed, step)
            if step < STEPS:
                loss_value = sess.run([loss, train_op], feed)[0]   # loss before the update
            else:
                loss_value = sess.run(loss, feed)
            losses.append(float(loss_value))
        acc = float(sess.run(accuracy, feed))
        print("  training: loss %.4f -> %.4f, accuracy %.3f after %d steps"
              % (losses[0], losses[-1], acc, STEPS))
        curves[title] = losses
        summary.append((title, norms[0], norms[-1], losses[-1], acc, len(detail.findings)))
        if key == "sigmoid":
            heat = viz.plot_gradient_flow(history)
            heat.set_title("sigmoid net: log10 mean |∂loss/∂W| per layer during training",
                           fontsize=10)
            lesson.save(heat.figure, "history_sigmoid.png", "gradients over training, sigmoid")

chart.suptitle("mean and max |gradient| per variable at initialisation (log scale)", y=1.02)
lesson.save(chart, "per_layer_gradients.png", "the per-layer chart of all three networks")

fig, ax = plt.subplots(figsize=(6, 3.6))
for (title, losses), style, colour in zip(curves.items(), ("-", "--", "-."),
                                         ("#0072B2", "#E69F00", "#009E73")):
    ax.plot(losses, style, color=colour, label=title, linewidth=2)
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.set_title("same data, same optimizer, %d layers" % DEPTH)
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
lesson.save(fig, "loss_curves.png", "training loss of the three networks")

lesson.section("Findings")
print("  %-30s %12s %12s %11s %9s %9s" % ("network", "|∇W| first", "|∇W| output",
                                            "final loss", "accuracy", "findings"))
for title, first, last, final, acc, problems in summary:
    print("  %-30s %12.1e %12.1e %11.4f %9.3f %9d" % (title, first, last, final, acc, problems))
lesson.say("""Read the table and the pictures together (all numbers above come from this
run).

Sigmoid: the weight gradient shrinks by a roughly constant factor per layer, so the first
layers receive almost nothing. The last layer alone learns to predict the class balance, and
then the net sits on a plateau (loss ln 2 = 0.693): the heat map shows the gradients of
every layer fading as the output layer settles.

ReLU with weights that are too small: the forward signal shrinks layer by layer, so each
weight gradient (input activation times backward signal) is tiny in every layer, and the
backward signal also fades towards the input. Nothing learns.

ReLU with He initialisation (variance 2/fan_in) keeps both the signal and the gradient at the
same scale through all %d layers, and the same optimizer trains the net. Its findings are about
ReLUs: each is off for about half of the inputs (normal), and a few units are never active
for any input of the batch (dead units, which never learn).""" % DEPTH)

lesson.done()
