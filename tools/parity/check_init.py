"""Parity: initializer statistics and defaults (not the random numbers: TF1's Philox stream is
not reproduced by design). For each initializer, a large variable is drawn in both libraries
and its mean / std / min / max compared; deterministic initializers compare exactly. Also the
default initializers of get_variable, tf.layers and the RNN cells, seeds' determinism, and
variable/ scope naming.

Run: ``/opt/tfref/bin/python tools/parity/check_init.py``.
"""
import numpy as np

from harness import Report, check, main_guard

SHAPE = [120, 80]          # fan_in 120, fan_out 80
CONV = [3, 3, 16, 32]      # receptive field 9: fan_in 144, fan_out 288


def stats(tf, v, bounded=True):
    """mean/std (and min/max for bounded distributions: extremes of a normal sample vary)."""
    m, var = tf.nn.moments(tf.reshape(v, [-1]), [0])
    out = {"mean": m, "std": tf.sqrt(var)}
    if bounded:
        out.update({"max": tf.reduce_max(v), "min": tf.reduce_min(v)})
    return out


UNBOUNDED = ("variance_scaling untruncated", "random_normal default", "random_normal 2, 0.5")


def init_cases(tf):
    """(label, shape, initializer)"""
    return [
        ("glorot_uniform", SHAPE, tf.glorot_uniform_initializer()),
        ("glorot_normal", SHAPE, tf.glorot_normal_initializer()),
        ("glorot_uniform conv", CONV, tf.glorot_uniform_initializer()),
        ("variance_scaling default", SHAPE, tf.variance_scaling_initializer()),
        ("variance_scaling fan_avg uniform", CONV, tf.variance_scaling_initializer(
            2.0, "fan_avg", "uniform")),
        ("variance_scaling fan_out normal", SHAPE, tf.variance_scaling_initializer(
            1.0, "fan_out", "normal")),
        ("variance_scaling untruncated", SHAPE, tf.variance_scaling_initializer(
            3.0, distribution="untruncated_normal")),
        ("random_normal default", SHAPE, tf.random_normal_initializer()),
        ("random_normal 2, 0.5", SHAPE, tf.random_normal_initializer(2.0, 0.5)),
        ("truncated_normal default", SHAPE, tf.truncated_normal_initializer()),
        ("truncated_normal 1, 0.1", SHAPE, tf.truncated_normal_initializer(1.0, 0.1)),
        ("random_uniform default", SHAPE, tf.random_uniform_initializer()),
        ("random_uniform -3, 2", SHAPE, tf.random_uniform_initializer(-3.0, 2.0)),
        ("uniform_unit_scaling", SHAPE, tf.uniform_unit_scaling_initializer(1.5)),
        ("he_normal", CONV, tf.keras.initializers.he_normal()),
        ("lecun_uniform", SHAPE, tf.keras.initializers.lecun_uniform()),
    ]


def run(report):
    n = len(init_cases(__import__("tfone")))
    for i in range(n):
        def draw(tf, i=i):
            label, shape, init = init_cases(tf)[i]
            v = tf.get_variable("v", shape, initializer=init)
            return stats(tf, v, bounded=label not in UNBOUNDED)
        label = init_cases(__import__("tfone"))[i][0]
        # std and extremes within a few percent; the mean within 4 standard errors
        check(report, "initializer %s" % label, draw, names=False, rtol=0.04, atol=0.02)

    def deterministic(tf):
        out = {}
        for name, init, shape in (
                ("zeros", tf.zeros_initializer(), [2, 3]),
                ("ones", tf.ones_initializer(), [3]),
                ("const", tf.constant_initializer(2.5), [2, 2]),
                ("const_list", tf.constant_initializer([1, 2, 3, 4]), [2, 2]),
                ("const_int", tf.constant_initializer(3, dtype=tf.int32), [2]),
                ("identity", tf.initializers.identity(2.0), [3, 4])):
            dtype = tf.int32 if name == "const_int" else tf.float32
            out[name] = tf.get_variable(name, shape, dtype=dtype, initializer=init)
        return out
    check(report, "deterministic initializers", deterministic)

    def orthogonal(tf):
        w = tf.get_variable("w", [30, 20], initializer=tf.orthogonal_initializer(gain=2.0))
        w2 = tf.get_variable("w2", [20, 30], initializer=tf.orthogonal_initializer())
        w3 = tf.get_variable("w3", [3, 4, 5], initializer=tf.orthogonal_initializer())
        flat3 = tf.reshape(w3, [12, 5])
        return {"wtw": tf.matmul(w, w, transpose_a=True), "wwt": tf.matmul(w2, w2,
                                                                         transpose_b=True),
                "w3": tf.matmul(flat3, flat3, transpose_a=True)}
    check(report, "orthogonal initializer (W^T W = gain^2 I)", orthogonal, names=False,
          atol=1e-4)

    def defaults(tf):
        x = tf.constant(np.zeros((2, 120), np.float32))
        v = tf.get_variable("default", SHAPE)        # glorot_uniform
        b = tf.get_variable("default_int", [3], dtype=tf.int32)   # zeros for ints
        d = tf.layers.dense(x, 80)
        img = tf.constant(np.zeros((1, 8, 8, 16), np.float32))
        c = tf.layers.conv2d(img, 32, 3)
        gv = tf.global_variables()
        out = {}
        out.update({"gv " + k: t for k, t in stats(tf, v).items()})
        out["int"] = b
        kern = [w for w in gv if w.name == "dense/kernel:0"][0]
        out.update({"dense " + k: t for k, t in stats(tf, kern).items()})
        out["dense bias"] = [w for w in gv if w.name == "dense/bias:0"][0]
        ck = [w for w in gv if w.name == "conv2d/kernel:0"][0]
        out.update({"conv " + k: t for k, t in stats(tf, ck).items()})
        return out
    check(report, "default initializers (get_variable, dense, conv2d)", defaults, names=False,
          rtol=0.04, atol=0.02)

    def rnn_defaults(tf):
        x = tf.constant(np.zeros((2, 3, 100), np.float32))
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(60), x, dtype=tf.float32, scope="lstm")
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(60), x, dtype=tf.float32, scope="gru")
        out = {}
        for v in tf.global_variables():
            for k, t in stats(tf, v).items():
                out["%s %s" % (v.op.name, k)] = t
        return out
    check(report, "RNN cell default initializers", rnn_defaults, names=False, rtol=0.05,
          atol=0.02)

    def seeds(tf):
        tf.set_random_seed(7)
        a = tf.random_normal([1000], seed=3)
        b = tf.random_uniform([1000])
        return {"a_mean": tf.reduce_mean(a), "b_max": tf.reduce_max(b), "b_min": tf.reduce_min(b)}
    check(report, "random op statistics", seeds, names=False, atol=0.1)

    def random_ops(tf):
        out = {}
        out.update({"tn " + k: v for k, v in stats(tf, tf.truncated_normal([300, 100], 1.0,
                                                                         2.0)).items()})
        out.update({"ru_int " + k: v for k, v in stats(tf, tf.cast(tf.random_uniform(
            [300, 100], 0, 10, dtype=tf.int32), tf.float32)).items()})
        out["multinomial_frac"] = tf.reduce_mean(tf.cast(tf.equal(tf.multinomial(
            tf.log([[0.2, 0.8]]), 5000), 1), tf.float32))
        out["shuffle_sum"] = tf.reduce_sum(tf.random_shuffle(tf.range(100)))
        out["ru_dtype_int64"] = tf.random_uniform([2], 0, 5, dtype=tf.int64) * 0
        return out
    check(report, "random ops distributions", random_ops, names=False, rtol=0.05, atol=0.05)

    def var_names(tf):
        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        c = tf.Variable(3.0, name="c")
        c2 = tf.Variable(3.0, name="c")
        with tf.variable_scope("vs"):
            d = tf.get_variable("d", [1])
            e = tf.Variable(1.0, name="e")
            with tf.name_scope("ns"):
                f = tf.get_variable("f", [1])
                g = tf.Variable(1.0, name="g")
        with tf.variable_scope("vs", reuse=True):
            d2 = tf.get_variable("d", [1])
        with tf.variable_scope("vs"):
            h = tf.Variable(1.0, name="h")
        with tf.name_scope("outer"):
            i = tf.Variable(1.0)
            j = tf.get_variable("j", [1])
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            k1 = tf.get_variable("k", [1])
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            k2 = tf.get_variable("k", [1])
        with tf.variable_scope(None, default_name="def"):
            m = tf.get_variable("m", [1])
        with tf.variable_scope(None, default_name="def"):
            m2 = tf.get_variable("m", [1])
        return {"a": a, "b": b, "c": c, "c2": c2, "d": d, "e": e, "f": f, "g": g, "d2": d2,
                "h": h, "i": i, "j": j, "k1": k1, "k2": k2, "m": m, "m2": m2,
                "read": a.read_value() if hasattr(a, "read_value") else a,
                "init_value": a.initialized_value(), "plus": a + 1.0, "val": a.value()}
    check(report, "variable and scope naming", var_names, names=True, copy_variables=True)

    def var_attrs(tf):
        v = tf.Variable(np.ones((2, 3), np.float32), name="v")
        w = tf.get_variable("w", [4], dtype=tf.float64, trainable=False)
        return {"shape": tf.constant(str(v.shape)), "dtype": tf.constant(v.dtype.name),
                "w_dtype": tf.constant(w.dtype.name), "opname": tf.constant(v.op.name),
                "init_name": tf.constant(v.initializer.name),
                "n_trainable": tf.constant(len(tf.trainable_variables())),
                "n_global": tf.constant(len(tf.global_variables()))}
    check(report, "variable attributes (dtype _ref, initializer op name)", var_attrs,
          names=False)


if __name__ == "__main__":
    rep = Report("initializers")
    run(rep)
    main_guard(rep)
