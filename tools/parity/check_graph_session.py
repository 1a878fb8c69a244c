"""Parity: tf.gradients options (grad_ys, stop_gradients, several ys, unconnected
gradients, aggregation over paths, hessians), Session.run fetch/feed structures, variables
(assign ops, control dependencies, read semantics) and static shapes through common ops.

Run: ``/opt/tfref/bin/python tools/parity/check_graph_session.py``.
"""
import collections

import numpy as np

from harness import LIBS, Report, check, compare_values, main_guard, _short

A = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], np.float32)


def run(report):
    def grad_options(tf):
        x = tf.constant(A)
        w = tf.constant(np.array([0.5, -1.0, 2.0], np.float32))
        y = tf.reduce_sum(x * x * w, 1)
        z = tf.tanh(x) * w
        a = x * 2.0
        b = a * a + a
        u = tf.constant(1.0)
        return {
            "grad_ys": tf.gradients(y, [x, w], grad_ys=tf.constant(np.array([1.0, -3.0],
                                                                           np.float32))),
            "two_ys": tf.gradients([y, z], [x]),
            "stop": tf.gradients(b, [x], stop_gradients=[a]),
            "paths": tf.gradients(tf.reduce_sum(x * x + tf.sin(x) * x), [x]),
            "unconnected_zero": tf.gradients(y, [u], unconnected_gradients="zero"),
            "hessian": tf.hessians(tf.reduce_sum(tf.square(x) * tf.exp(x)), [x]),
            "second": tf.gradients(tf.gradients(tf.reduce_sum(tf.sin(x) * x), x)[0], x),
            "identity": tf.gradients(tf.reduce_sum(tf.identity(x) * 3.0), x),
            "int_path": tf.gradients(tf.reduce_sum(tf.cast(tf.cast(x, tf.int32),
                                                           tf.float32)) + tf.reduce_sum(x), x),
        }
    check(report, "tf.gradients options", grad_options, names=False, rtol=1e-5, atol=1e-5)

    def grad_none(tf):
        x = tf.constant(A)
        v = tf.Variable(1.0)
        return {"none": tf.gradients(tf.reduce_sum(x), [v]) + [tf.constant(0.0)]}
    check(report, "unconnected gradient is None", grad_none, names=False)

    def variables(tf):
        v = tf.Variable(np.array([1.0, 2.0], np.float32), name="v")
        a = tf.assign(v, v * 2.0)
        with tf.control_dependencies([a]):
            after = tf.identity(v)
            plus = v + 0.0
        inc = tf.assign_add(v, [1.0, 1.0])
        sub = tf.assign_sub(v, [0.5, 0.5], use_locking=True)
        return {"a": a, "after": after, "plus": plus, "inc": inc, "sub": sub}
    # values depend on run order inside one sess.run, compare names/shapes/dtypes only
    check(report, "assign ops names/shapes", variables, rtol=np.inf, atol=np.inf)

    def assign_seq(tf):
        v = tf.Variable(np.array([1.0, 2.0], np.float32), name="v")
        a = tf.assign(v, v * 2.0)
        with tf.control_dependencies([a]):
            after = tf.identity(v) + 1.0
        return {"after": after}
    check(report, "control_dependencies sees the assigned value", assign_seq, names=False)

    def counter(tf):
        gs = tf.Variable(0, name="counter")
        inc = tf.assign_add(gs, 1)
        return {"inc": inc}     # (a read in the same run is unordered in TF1)
    check(report, "int variable assign_add", counter, rtol=np.inf, atol=np.inf)

    def shapes(tf):
        x = tf.placeholder(tf.float32, [None, 28, 28, 1])
        flat = tf.reshape(x, [-1, 784])
        y = tf.placeholder(tf.int64, [None])
        h = tf.layers.dense(flat, 10)
        c = tf.layers.conv2d(x, 8, 5, padding="same")
        p = tf.layers.max_pooling2d(c, 2, 2)
        out = {"flat": flat, "h": h, "c": c, "p": p,
               "argmax": tf.argmax(h, 1), "eq": tf.equal(tf.argmax(h, 1), y),
               "acc": tf.reduce_mean(tf.cast(tf.equal(tf.argmax(h, 1), y), tf.float32)),
               "shape": tf.shape(x), "concat": tf.concat([h, h], 1),
               "tr": tf.transpose(c, [0, 3, 1, 2]), "sq": tf.squeeze(tf.reduce_sum(c, [1, 2],
                                                                                   keepdims=True)),
               "bc": h + tf.zeros([10]), "mm": tf.matmul(h, tf.ones([10, 3])),
               "unk": tf.placeholder_with_default(np.float32(1.0), None) * 2.0,
               "pwd": tf.placeholder_with_default(np.zeros((2, 3), np.float32), [None, 3]),
               "oh": tf.one_hot(y, 10), "ex": tf.expand_dims(y, 1),
               "stack": tf.stack([tf.argmax(h, 1), y], axis=1),
               "gath": tf.gather(h, [0, 1]), "split": tf.split(h, 2, 1),
               "unstack": tf.unstack(tf.reshape(x, [-1, 28, 28]), axis=1)[:2]}
        feed = {x: np.zeros((2, 28, 28, 1), np.float32), y: np.array([1, 2])}
        return out, feed
    report_fn = check(report, "static shapes of a typical MNIST graph", shapes, names=False,
                      rtol=np.inf, atol=np.inf)
    del report_fn

    # --- Session.run structures ----------------------------------------------------------
    report.n_cases += 1
    Pair = collections.namedtuple("Pair", ["a", "b"])
    results = {}
    for lib in ("tf1", "tfone"):
        tf = LIBS[lib]()
        g = tf.Graph()
        try:
            with g.as_default():
                a = tf.constant(1.0)
                b = tf.constant([2, 3])
                v = tf.Variable(5.0)
                noop = tf.no_op()
                p = tf.placeholder(tf.float32, [])
                with tf.Session() as sess:
                    sess.run(v.initializer)
                    r = {
                        "dict": sess.run({"x": a, "y": [b, (a, a)]}),
                        "namedtuple": sess.run(Pair(a, b)),
                        "op": sess.run(noop),
                        "op_list": sess.run([noop, a]),
                        "by_name": sess.run("Const:0"),
                        "feed_var": sess.run(v * 2.0, {v: 1.5}),
                        "feed_const": sess.run(a * 3.0, {a: 4.0}),
                        "eval": (a * 2.0).eval(session=sess),
                        "feed_scalar_list": sess.run(p * 2, {p: 3}),
                        "string": sess.run(tf.constant("hi")),
                        "str_list": sess.run(tf.constant(["a", "bc"])),
                    }
                    results[lib] = r
        except Exception as exc:  # noqa: BLE001
            report.problem("Session.run structures", "-", "error", "%s raises %s" % (
                lib, _short(exc)))
            results = None
            break
    if results:
        ref, got = results["tf1"], results["tfone"]
        for k in ref:
            report.n_checks += 1
            r, g = ref[k], got[k]
            if type(r).__name__ != type(g).__name__:
                report.problem("Session.run structures", k, "type", "tf1 %s tfone %s" % (
                    type(r).__name__, type(g).__name__))
            if repr(r).replace("dtype=float32", "") != repr(g).replace("dtype=float32", ""):
                flat_r, flat_g = np.array(_flat(r), dtype=object), np.array(_flat(g),
                                                                            dtype=object)
                if len(flat_r) != len(flat_g) or any(
                        compare_values(np.asarray(x), np.asarray(y), 1e-6, 1e-6)
                        for x, y in zip(flat_r, flat_g)):
                    report.problem("Session.run structures", k, "value", "tf1 %r tfone %r" % (
                        r, g))
                elif any(type(x).__name__ != type(y).__name__ or getattr(x, "dtype", None)
                         != getattr(y, "dtype", None) for x, y in zip(flat_r, flat_g)):
                    report.problem("Session.run structures", k, "type", "tf1 %r tfone %r" % (
                        r, g))


def _flat(x):
    if isinstance(x, dict):
        return [y for k in sorted(x) for y in _flat(x[k])]
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flat(item)]
    return [x]


if __name__ == "__main__":
    rep = Report("graph/session")
    run(rep)
    main_guard(rep)
