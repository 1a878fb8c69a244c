"""02: gradients by hand -- tf.gradients, then gradient descent written with assign ops.

tf.gradients(y, xs) adds the backward pass to the graph as ordinary ops, so derivatives are
computed by the same Session that computes values. With them, gradient descent is three lines:
compute the gradients, assign `w - lr * grad` to each variable, repeat.

    python tutorials/02_gradients_by_hand.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons
import numpy as np

import tfone as tf
import viz

lesson = _common.Lesson("02_gradients_by_hand", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("1. tf.gradients on a small expression")
x = tf.placeholder(tf.float32, [], name="x")
y = tf.placeholder(tf.float32, [], name="y")
z = x * y + tf.sin(x)
dz_dx, dz_dy = tf.gradients(z, [x, y])
d2z_dx2 = tf.gradients(dz_dx, x)[0]          # gradients are ops: differentiate them again
print("z       =", z)
print("dz/dx   =", dz_dx)
lesson.say("""By hand: z = x*y + sin(x) gives dz/dx = y + cos(x), dz/dy = x and
d2z/dx2 = -sin(x). The graph computes the same numbers:""")
with tf.Session() as sess:
    for xv, yv in ((2.0, 3.0), (0.5, -1.0)):
        got = sess.run([z, dz_dx, dz_dy, d2z_dx2], {x: xv, y: yv})
        hand = [xv * yv + np.sin(xv), yv + np.cos(xv), xv, -np.sin(xv)]
        print("  x=%4.1f y=%4.1f   tf: z=%7.4f dz/dx=%7.4f dz/dy=%5.2f d2z/dx2=%7.4f"
              % ((xv, yv) + tuple(float(g) for g in got)))
        print("  %19s hand: z=%7.4f dz/dx=%7.4f dz/dy=%5.2f d2z/dx2=%7.4f" % (("",) + tuple(hand)))
        assert np.allclose(got, hand, atol=1e-5)
lesson.say("""The backward ops live in the graph under the name scope 'gradients/': for
example %s.""" % ", ".join(sorted(op.name for op in tf.get_default_graph().get_operations()
                                  if op.name.startswith("gradients/"))[:4]))

# ---------------------------------------------------------------------------------------------
lesson.section("2. Gradient descent with assign ops: fit a line")
tf.reset_default_graph()
rng = np.random.RandomState(0)
n = 40 if lesson.fast else 200
true_w, true_b = 2.0, -1.0
x_data = rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)
t_data = (true_w * x_data + true_b + 0.1 * rng.randn(n, 1)).astype(np.float32)
print("data: %d points on the line t = %.1f x %+.1f, plus noise of std 0.1" % (n, true_w, true_b))

inputs = tf.placeholder(tf.float32, [None, 1], name="inputs")
targets = tf.placeholder(tf.float32, [None, 1], name="targets")
w = tf.Variable(0.0, name="w")
b = tf.Variable(0.0, name="b")
prediction = w * inputs + b
loss = tf.reduce_mean(tf.square(prediction - targets), name="loss")

# The whole of "training": gradients, then one assign per variable, grouped into one op.
learning_rate = 0.2
grad_w, grad_b = tf.gradients(loss, [w, b])
train_step = tf.group(tf.assign_sub(w, learning_rate * grad_w),
                      tf.assign_sub(b, learning_rate * grad_b), name="train_step")
lesson.code("""
grad_w, grad_b = tf.gradients(loss, [w, b])
train_step = tf.group(tf.assign_sub(w, learning_rate * grad_w),
                      tf.assign_sub(b, learning_rate * grad_b))
""")

feed = {inputs: x_data, targets: t_data}
steps = 20 if lesson.fast else 60
sess = tf.Session()
sess.run(tf.global_variables_initializer())

# Before training: one run that also records what every node computed (a picture, below).
values = viz.draw_values(sess, [loss, grad_w, grad_b], feed, target=train_step,
                         title="one run at the start (w = b = 0): values and gradients")
print("at the start: loss %.4f, dloss/dw %.4f, dloss/db %.4f"
      % tuple(float(v) for v in values.results))

losses = []
for step in range(steps + 1):
    loss_value, w_value, b_value = sess.run([loss, w, b], feed)
    losses.append(float(loss_value))
    if step % (steps // 5) == 0:
        print("  step %3d   loss %.5f   w %+.4f   b %+.4f" % (step, loss_value, w_value, b_value))
    if step < steps:
        sess.run(train_step, feed)

# The exact least-squares answer, for comparison.
design = np.hstack([x_data, np.ones_like(x_data)]).astype(np.float64)
(ls_w, ls_b), *_ = np.linalg.lstsq(design, t_data.astype(np.float64).ravel(), rcond=None)
w_final, b_final = (float(v) for v in sess.run([w, b]))
print("after %d steps: w = %.4f, b = %.4f; least squares (numpy): w = %.4f, b = %.4f"
      % (steps, w_final, b_final, ls_w, ls_b))
print("final loss %.5f (started at %.5f)" % (losses[-1], losses[0]))

# ---------------------------------------------------------------------------------------------
lesson.section("3. Pictures")
lesson.say("""The forward graph, then the same graph with the backward pass drawn beside it
(each gradient op linked to the forward op it differentiates), then the run at the start of
training with the value every node computed (the update ops did not run: dashed).""")
lesson.save(viz.draw_graph(loss, show_gradients=False,
                           title="forward: loss = mean((w·x + b − t)²)"),
            "forward.png", "the forward graph")
lesson.save(viz.draw_graph(train_step, show_gradients="aligned",
                           title="forward, gradients (tf.gradients) and the assign updates"),
            "forward_and_gradients.png", "forward and backward pass, aligned")
lesson.save(values, "values_and_gradients.png", "each node's value in one run")

plt = _common.pyplot()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
ax1.plot(losses, color="#0072B2")
ax1.set_yscale("log")
ax1.set_xlabel("step")
ax1.set_ylabel("loss (mean squared error)")
ax1.set_title("gradient descent by hand")
ax1.grid(alpha=0.3)
ax2.scatter(x_data[:, 0], t_data[:, 0], s=10, color="#999999", label="data")
grid = np.linspace(-1, 1, 2)
ax2.plot(grid, w_final * grid + b_final, color="#D55E00", label="fitted w·x + b")
ax2.plot(grid, true_w * grid + true_b, "--", color="#009E73", label="true line")
ax2.legend(fontsize=8)
ax2.set_title("the fitted line")
lesson.save(fig, "training.png", "loss curve and fitted line")
sess.close()

lesson.done()
