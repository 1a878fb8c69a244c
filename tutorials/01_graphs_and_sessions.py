"""01: graphs and sessions -- build first, run later.

TensorFlow 1 programs have two phases. First you *describe* a computation: every tf.* call
adds an operation to a graph and returns a symbolic Tensor, and nothing is computed. Then a
Session *runs* the parts of the graph you ask for, with the values you feed in.

    python tutorials/01_graphs_and_sessions.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons
import numpy as np

import tfone as tf
import viz

lesson = _common.Lesson("01_graphs_and_sessions", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("1. Constants: building a graph computes nothing")
a = tf.constant(3.0, name="a")
b = tf.constant(4.0, name="b")
c = a * b + 1.0                       # an Operation "add" in the default graph
print("c =", c)
lesson.say("""c is a symbolic Tensor: it knows its name (op name ':' output index), its dtype
and its static shape, but has no value yet. The default graph now holds %d operations: %s."""
           % (len(tf.get_default_graph().get_operations()),
              ", ".join(op.name for op in tf.get_default_graph().get_operations())))

with tf.Session() as sess:
    print("sess.run(c) =", _common.plain(sess.run(c)))

# ---------------------------------------------------------------------------------------------
lesson.section("2. Placeholders and feeds: the inputs of a graph")
x = tf.placeholder(tf.float32, shape=[None, 3], name="x")   # None: any batch size
row_sums = tf.reduce_sum(x * 2.0, axis=1, name="row_sums")
print("x        =", x)
print("row_sums =", row_sums, " <- the batch dimension is unknown ('?') until run time")
with tf.Session() as sess:
    for batch in (np.ones((2, 3)), np.arange(12.0).reshape(4, 3)):
        out = sess.run(row_sums, feed_dict={x: batch})
        print("feed x of shape %-7s -> row_sums = %s" % (batch.shape, _common.fmt(out)))
    try:
        sess.run(row_sums)
    except tf.errors.InvalidArgumentError as e:
        print("Forgetting the feed raises InvalidArgumentError:")
        print("   ", str(e).splitlines()[0])

# ---------------------------------------------------------------------------------------------
lesson.section("3. Nested fetches: ask for many things in one run")
lesson.say("""sess.run accepts any nesting of lists, tuples and dicts of tensors and returns
the same structure filled with numpy values. Each op runs at most once per call, even when
several fetches need it.""")
with tf.Session() as sess:
    result = sess.run({"product": c, "pair": (a, b), "sums": [row_sums, tf.reduce_max(row_sums)]},
                      feed_dict={x: [[1.0, 2.0, 3.0]]})
for key in sorted(result):
    print("  %-8s %r" % (key, _common.plain(result[key])))

# ---------------------------------------------------------------------------------------------
lesson.section("4. Variables: state that lives in a Session")
with tf.name_scope("counter"):
    count = tf.Variable(0, name="count")
    increment = tf.assign_add(count, 1, name="increment")
with tf.name_scope("linear"):
    W = tf.Variable(tf.random_normal([3, 2], stddev=0.1, seed=1), name="W")
    bias = tf.Variable(tf.zeros([2]), name="b")
    y = tf.matmul(x, W) + bias
print("W =", W)
lesson.say("""A Variable's initial value is itself an op (here random_normal); the variable
has no value until its initializer runs. Running it first is an error:""")
sess = tf.Session()
try:
    sess.run(y, feed_dict={x: np.ones((1, 3))})
except tf.errors.FailedPreconditionError as e:
    print("   ", str(e).splitlines()[0])
init = tf.global_variables_initializer()   # one op that runs every initializer
sess.run(init)
print("after tf.global_variables_initializer():")
print("  W =", _common.fmt(sess.run(W)).replace("\n", "\n      "))
print("  y for x = [1, 1, 1]:", _common.fmt(sess.run(y, {x: np.ones((1, 3))})))
counts = [int(sess.run(increment)) for _ in range(3)]
print("  running `increment` three times gives", counts, "- the value persists between runs")

other = tf.Session()
other.run(init)
print("  a second Session has its own copy: count =", other.run(count),
      "there, but", sess.run(count), "in the first")
other.close()
sess.close()

# ---------------------------------------------------------------------------------------------
lesson.section("5. The picture of the graph")
lesson.say("""Everything above lives in one graph. viz.draw_graph draws it: placeholders,
variables (with their initializers folded in), constants and ops, with the static shape of
every tensor on the edges and one box per name scope.""")
print("As text, what y depends on (viz.print_graph(y)):")
viz.print_graph(y)
lesson.save(viz.draw_graph(title="Lesson 01: the default graph"), "graph.png",
            "every op of this lesson")
lesson.save(viz.draw_graph([y, increment], rankdir="LR", title="y and increment"),
            "graph_variables.svg", "just what y and increment depend on")

lesson.done()
