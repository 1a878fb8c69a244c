"""09: step by step -- watch one training step run: forward pass, backward pass, update.

A Session runs a step as a list of ops in an order where every op comes after its inputs.
viz.trace records that run (with RunOptions(trace_level=FULL_TRACE)) and draws it: a picture
with every node numbered by its step, and an animation that lights the nodes up one by one,
each with the value it computed.

    python tutorials/09_step_by_step.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons
import numpy as np

import tfone as tf
import viz

lesson = _common.Lesson("09_step_by_step", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("1. A neuron small enough to follow by hand")
x = tf.placeholder(tf.float32, [], name="x")
target = tf.placeholder(tf.float32, [], name="target")
w = tf.Variable(0.5, name="w")
b = tf.Variable(0.0, name="b")
y = tf.sigmoid(w * x + b, name="y")
loss = tf.square(y - target, name="loss")
train_op = tf.train.GradientDescentOptimizer(learning_rate=1.0).minimize(loss)
feed = {x: 2.0, target: 1.0}
lesson.code("""
y    = sigmoid(w * x + b)          w = 0.5, b = 0, x = 2, target = 1
loss = (y - target)^2
train_op = GradientDescentOptimizer(1.0).minimize(loss)
""")

sess = tf.Session()
sess.run(tf.global_variables_initializer())

# By hand, to check the run below.
z = 0.5 * 2.0 + 0.0
s = 1 / (1 + np.exp(-z))
dloss_dy = 2 * (s - 1.0)
dy_dz = s * (1 - s)
hand = {"y": s, "loss": (s - 1.0) ** 2, "dw": dloss_dy * dy_dz * 2.0, "db": dloss_dy * dy_dz}
print("by hand: y = sigmoid(1) = %.5f, loss = %.5f, dloss/dw = %.5f, dloss/db = %.5f"
      % (hand["y"], hand["loss"], hand["dw"], hand["db"]))

# ---------------------------------------------------------------------------------------------
lesson.section("2. Trace one training step")
before = sess.run([w, b])
run = viz.trace(sess, [loss, train_op], feed, title="one training step, traced")
after = sess.run([w, b])
print("the step executed %d ops, in this order (forward, then backward, then updates):"
      % len(run.order))
for phase in ("forward", "backward", "update"):
    names = [n for n in run.order if run.phase[n] == phase]
    print("  %-8s (%2d ops) %s" % (phase, len(names), ", ".join(names)))
print("loss during the step: %.5f (by hand %.5f)" % (run.results[0], hand["loss"]))
print("w: %.5f -> %.5f (by hand %.5f)" % (before[0], after[0], before[0] - 1.0 * hand["dw"]))
print("b: %.5f -> %.5f (by hand %.5f)" % (before[1], after[1], before[1] - 1.0 * hand["db"]))
assert np.isclose(after[0], before[0] - hand["dw"], atol=1e-5)
assert np.isclose(after[1], before[1] - hand["db"], atol=1e-5)

# The trace also recorded every drawn node's value, as it was at its step: a variable's
# node shows the value the forward pass read, the update's node the value it wrote.
read_w, wrote_w = run.values["w/read:0"], run.values[
    "GradientDescent/update_w/ApplyGradientDescent:0"]
print("values in the trace: y = %.5f, loss = %.5f, w read as %.5f, w written as %.5f"
      % (run.values["y:0"], run.values["loss:0"], read_w, wrote_w))
assert np.isclose(run.values["y:0"], hand["y"]) and np.isclose(run.values["loss:0"], hand["loss"])
assert np.isclose(read_w, before[0]) and np.isclose(wrote_w, after[0])

lesson.save(run.diagram(), "numbered_steps.png",
            "every node numbered by the step it runs in, with its value")
lesson.say("""The animation starts before the run and adds one frame per drawn node (%d
frames): the node computed in that frame is yellow and shows the value it computed, nodes
still to come are faded. Watch the forward pass compute y and the loss, the backward pass
compute the gradients from the loss back to w and b, and the updates write w and b. Its layout
is computed once, so nothing moves between frames.""" % (len(run.steps) + 1))
lesson.save(run, "step_by_step.gif", "animation: forward, backward, update, with values")

# ---------------------------------------------------------------------------------------------
lesson.section("3. The values of the next step, then a few more steps")
lesson.say("""viz.draw_values runs the graph once more and writes every node's value into the
picture. Here it runs only the forward and backward pass (the gradients), not the update, so
the variables keep the values shown.""")
grads = tf.gradients(loss, [w, b], name="check_gradients")
values = viz.draw_values(sess, [loss] + grads, feed, title="values of the next step's forward "
                         "and backward pass")
print("next step: loss %.5f, dloss/dw %.5f, dloss/db %.5f"
      % tuple(float(v) for v in values.results))
lesson.save(values, "values.png", "each node's value")

steps = 5 if lesson.fast else 20
losses = [float(sess.run(loss, feed))]
for _ in range(steps):
    losses.append(float(sess.run([loss, train_op], feed)[0]))
print("loss over %d more steps: %s"
      % (steps, " ".join("%.4f" % v for v in losses[::max(1, steps // 5)])))
sess.close()

lesson.done()
