"""Parity: the textbook programs of examples/, in deterministic variants, TF1 vs tfone.

Each program is written once against the TF1 API (``build(tf)``) and trained in both
libraries on identical mini-batches: randomly initialised variables get TF1's initial
values (copied by name, so the variable names must match), dropout is off (keep_prob 1,
``training=False``) and the data come from fixed numpy generators. Compared: the fetches
before every step (losses, learning rates, gradient norms, ...), the evaluation fetches
after the last step, and every global variable's final value (weights, optimizer slots,
batch-norm moving averages, global steps).

Run: ``/opt/tfref/bin/python tools/parity/check_examples.py`` (prints one line per program
and the mismatches; ``-v`` prints the compared metrics too). Not run by CI.
"""
import os
import sys
import traceback

import numpy as np

from harness import LIBS, Report, compare_values, copy_weights_setup, main_guard, _short

from tfone.keras.datasets import digits, iris, moons, spirals

VERBOSE = "-v" in sys.argv

_DIGITS = digits.load_data()
DX = _DIGITS[0][0].reshape(-1, 64).astype(np.float32) / 16.0
DY = _DIGITS[0][1].astype(np.int64)
DX_TEST = _DIGITS[1][0].reshape(-1, 64).astype(np.float32) / 16.0
DY_TEST = _DIGITS[1][1].astype(np.int64)


def batches(n_total, batch_size, seed):
    """Index arrays of a fixed shuffled pass (repeated), one per step."""
    rng = np.random.RandomState(seed)
    order = np.concatenate([rng.permutation(n_total) for _ in range(50)])

    def at(step):
        return order[step * batch_size:(step + 1) * batch_size]
    return at


class Program:
    """What ``build(tf)`` returns.

    train:   ops run one after the other on every step (with the step's feed);
    fetches: {key: tensor} fetched before every step and after the last one;
    feed:    step -> feed dict (None: no feed);
    evals:   {key: tensor} fetched once after training, with ``eval_feed``.
    """

    def __init__(self, train, fetches, feed=None, evals=None, eval_feed=None):
        self.train = train if isinstance(train, (list, tuple)) else [train]
        self.fetches, self.feed = fetches, feed or (lambda step: None)
        self.evals, self.eval_feed = evals or {}, eval_feed


def run_program(lib, build, steps, initial=None):
    tf = LIBS[lib]()
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        prog = build(tf)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            if initial is not None:
                copy_weights_setup(initial)(tf, sess)
            variables = tf.global_variables()
            start = dict(zip([v.name for v in variables], sess.run(variables)))
            traj = {k: [] for k in prog.fetches}
            for step in range(steps + 1):
                feed = prog.feed(min(step, steps - 1))
                if prog.fetches:
                    values = sess.run(prog.fetches, feed_dict=feed)
                    for k in prog.fetches:
                        traj[k].append(values[k])
                if step < steps:
                    for op in prog.train:
                        sess.run(op, feed_dict=feed)
            evals = sess.run(prog.evals, feed_dict=prog.eval_feed) if prog.evals else {}
            final = dict(zip([v.name for v in variables], sess.run(variables)))
    return traj, evals, final, start


def check_program(report, name, build, steps, rtol=1e-4, atol=1e-5, tolerances=None):
    report.n_cases += 1
    results = {}
    for lib in ("tf1", "tfone"):
        try:
            initial = results["tf1"][3] if lib == "tfone" else None
            results[lib] = run_program(lib, build, steps, initial)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            if lib == "tfone" and os.environ.get("PARITY_TRACEBACK"):
                traceback.print_exc()
            report.n_checks += 1
            report.problem(name, "-", "error", "%s raises %s" % (lib, _short(exc)))
            print("%-34s ERROR" % name)
            return
    (t_ref, e_ref, v_ref, _), (t_got, e_got, v_got, _) = results["tf1"], results["tfone"]
    before = len(report.problems)
    tolerances = tolerances or {}

    def compare(key, ref, got):
        report.n_checks += 1
        diff = compare_values(np.asarray(ref), np.asarray(got), *tolerances.get(key, (rtol, atol)))
        if diff:
            report.problem(name, key, "value", diff)

    for key in t_ref:
        compare(key, np.array(t_ref[key]), np.array(t_got[key]))
    for key in e_ref:
        compare(key, e_ref[key], e_got[key])
    report.n_checks += 1
    if sorted(v_ref) != sorted(v_got):
        report.problem(name, "variables", "name", "only tf1 %s; only tfone %s" % (
            sorted(set(v_ref) - set(v_got)), sorted(set(v_got) - set(v_ref))))
    for var in v_ref:
        if var in v_got:
            compare(var, v_ref[var], v_got[var])
    summary = ", ".join("%s %s" % (k, _fmt(t_got[k][-1])) for k in list(t_got)[:2])
    summary += "".join(", %s %s" % (k, _fmt(v)) for k, v in list(e_got.items())[:2])
    status = "ok" if len(report.problems) == before else "MISMATCH"
    print("%-34s %-8s %d steps, %d variables; tfone: %s" % (name, status, steps, len(v_ref),
                                                          summary))
    if VERBOSE:
        for k in t_ref:
            print("    %-24s tf1 %s\n    %-24s tfone %s" % (k, _fmt(t_ref[k][-1]), "",
                                                          _fmt(t_got[k][-1])))


def _fmt(v):
    v = np.asarray(v)
    return ("%.6g" % v) if v.size == 1 else "array%s" % (v.shape,)


# ---------------------------------------------------------------------------------------------
# the programs (deterministic variants of examples/NN_*.py)

def linear_regression(tf):
    rng = np.random.RandomState(0)
    xs = rng.uniform(-1, 1, 200).astype(np.float32)
    ys = (3 * xs + 2 + rng.normal(0, 0.1, 200)).astype(np.float32)
    X = tf.placeholder(tf.float32, [None], name="X")
    Y = tf.placeholder(tf.float32, [None], name="Y")
    W = tf.Variable(-1.84, dtype=tf.float32, name="weight")
    b = tf.Variable(-0.48, dtype=tf.float32, name="bias")
    pred = tf.add(tf.multiply(X, W), b)
    cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * tf.cast(tf.shape(X)[0], tf.float32))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)
    at = batches(200, 20, 1)
    return Program(train, {"cost": cost}, lambda s: {X: xs[at(s)], Y: ys[at(s)]},
                   {"full cost": cost}, {X: xs, Y: ys})


def logistic_regression(tf):
    (x_tr, y_tr), (x_te, y_te) = moons.load_data()

    def feats(x):
        a, b = x[:, :1], x[:, 1:]
        return np.hstack([a, b, a * b, a * a, b * b]).astype(np.float32)
    x_tr, x_te = feats(x_tr), feats(x_te)
    y_tr = y_tr.reshape(-1, 1).astype(np.float32)
    y_te = y_te.reshape(-1, 1).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5])
    y = tf.placeholder(tf.float32, [None, 1])
    W = tf.Variable(tf.zeros([5, 1]), name="W")
    b = tf.Variable(tf.zeros([1]), name="b")
    logits = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.cast(tf.sigmoid(logits) > 0.5, tf.float32), y),
                                 tf.float32))
    at = batches(len(x_tr), 50, 2)
    return Program(train, {"loss": loss}, lambda s: {x: x_tr[at(s)], y: y_tr[at(s)]},
                   {"test accuracy": acc}, {x: x_te, y: y_te})


def softmax_regression(tf):
    x = tf.placeholder(tf.float32, [None, 64])
    y_ = tf.placeholder(tf.float32, [None, 10])
    W = tf.Variable(tf.zeros([64, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.matmul(x, W) + b
    xent = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(xent)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)), tf.float32))
    onehot = np.eye(10, dtype=np.float32)
    at = batches(len(DX), 100, 3)
    return Program(train, {"cross_entropy": xent},
                   lambda s: {x: DX[at(s)], y_: onehot[DY[at(s)]]},
                   {"test accuracy": acc}, {x: DX_TEST, y_: onehot[DY_TEST]})


def mlp_batchnorm(tf):
    X = tf.placeholder(tf.float32, (None, 64), name="X")
    y = tf.placeholder(tf.int64, (None,), name="y")
    training = tf.placeholder_with_default(False, (), name="training")
    # No bias before batch norm: its gradient is zero up to round-off, and Adam turns that
    # round-off into full-size steps, so both libraries would drift apart on noise alone.
    with tf.name_scope("dnn"):
        h1 = tf.layers.dense(X, 100, use_bias=False, name="hidden1")
        bn1 = tf.nn.elu(tf.layers.batch_normalization(h1, training=training, momentum=0.9))
        d1 = tf.layers.dropout(bn1, rate=0.2, training=False)
        h2 = tf.layers.dense(d1, 50, use_bias=False, name="hidden2")
        bn2 = tf.nn.elu(tf.layers.batch_normalization(h2, training=training, momentum=0.9))
        logits = tf.layers.dense(bn2, 10, name="outputs")
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
    with tf.name_scope("train"):
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train = tf.train.AdamOptimizer(0.01).minimize(loss)
    acc = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    at = batches(len(DX), 50, 4)
    return Program(train, {"loss (inference mode)": loss},
                   lambda s: {training: True, X: DX[at(s)], y: DY[at(s)]},
                   {"test accuracy": acc, "test loss": loss}, {X: DX_TEST, y: DY_TEST})


def cnn(tf):
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y_ = tf.placeholder(tf.float32, [None, 10])
    W1 = tf.Variable(tf.truncated_normal([3, 3, 1, 16], stddev=0.1), name="W_conv1")
    b1 = tf.Variable(tf.constant(0.1, shape=[16]), name="b_conv1")
    h1 = tf.nn.relu(tf.nn.conv2d(x, W1, strides=[1, 1, 1, 1], padding="SAME") + b1)
    p1 = tf.nn.max_pool(h1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    c2 = tf.layers.conv2d(p1, 32, [3, 3], padding="same", activation=tf.nn.relu, name="conv2")
    p2 = tf.layers.max_pooling2d(c2, [2, 2], 2)
    flat = tf.reshape(p2, [-1, 2 * 2 * 32])
    fc = tf.layers.dense(flat, 64, activation=tf.nn.relu, name="fc1")
    fc = tf.nn.dropout(fc, keep_prob=1.0)
    logits = tf.layers.dense(fc, 10, name="fc2")
    xent = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    train = tf.train.AdamOptimizer(1e-3).minimize(xent)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))
    onehot = np.eye(10, dtype=np.float32)
    img, img_test = DX.reshape(-1, 8, 8, 1), DX_TEST.reshape(-1, 8, 8, 1)
    at = batches(len(DX), 50, 5)
    return Program(train, {"cross_entropy": xent},
                   lambda s: {x: img[at(s)], y_: onehot[DY[at(s)]]},
                   {"test accuracy": acc}, {x: img_test, y_: onehot[DY_TEST]})


def _sequences(n, seed, max_len=12):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(3, max_len + 1, n).astype(np.int32)
    x = rng.uniform(-1, 1, (n, max_len, 1)).astype(np.float32)
    mask = np.arange(max_len)[None] < lengths[:, None]
    y = (np.sum(x[..., 0] * mask, 1) > 0).astype(np.int32)
    x[~mask] = rng.uniform(-50, 50, (int((~mask).sum()), 1))
    return x, y, lengths


def lstm_sequence_length(tf):
    xs, ys, ls = _sequences(640, 7)
    inputs = tf.placeholder(tf.float32, [None, 12, 1])
    labels = tf.placeholder(tf.int32, [None])
    seqlen = tf.placeholder(tf.int32, [None])
    cell = tf.nn.rnn_cell.BasicLSTMCell(16)
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=seqlen, dtype=tf.float32)
    w = tf.Variable(tf.random_normal([16, 2], stddev=0.1), name="out_weights")
    b = tf.Variable(tf.zeros([2]), name="out_biases")
    logits = tf.matmul(state.h, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), labels),
                                 tf.float32))
    last = tf.gather_nd(outputs, tf.stack([tf.range(tf.shape(outputs)[0]), seqlen - 1], 1))
    at = batches(640, 64, 6)
    return Program(train, {"loss": loss},
                   lambda s: {inputs: xs[at(s)], labels: ys[at(s)], seqlen: ls[at(s)]},
                   {"accuracy": acc, "state.h": state.h, "state.c": state.c,
                    "last output": last, "outputs": outputs},
                   {inputs: xs[:100], labels: ys[:100], seqlen: ls[:100]})


def gru_multirnn(tf):
    X = tf.placeholder(tf.float32, [None, 8, 8])
    y = tf.placeholder(tf.int64, [None])
    layers = [tf.nn.rnn_cell.GRUCell(num_units=32) for _ in range(2)]
    layers[0] = tf.nn.rnn_cell.DropoutWrapper(layers[0], input_keep_prob=1.0)
    outputs, states = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(layers), X,
                                        dtype=tf.float32)
    logits = tf.layers.dense(states[-1], 10, name="softmax")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    acc = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
    img = DX.reshape(-1, 8, 8)
    at = batches(len(DX), 64, 7)
    return Program(train, {"loss": loss}, lambda s: {X: img[at(s)], y: DY[at(s)]},
                   {"test accuracy": acc}, {X: DX_TEST.reshape(-1, 8, 8), y: DY_TEST})


def autoencoder(tf):
    X = tf.placeholder(tf.float32, [None, 64], name="X")
    init = tf.variance_scaling_initializer()
    with tf.variable_scope("autoencoder"):
        w1 = tf.get_variable("weights1", [64, 32], initializer=init)
        w2 = tf.get_variable("weights2", [32, 8], initializer=init)
        b1 = tf.get_variable("biases1", [32], initializer=tf.zeros_initializer())
        b2 = tf.get_variable("biases2", [8], initializer=tf.zeros_initializer())
        b3 = tf.get_variable("biases3", [32], initializer=tf.zeros_initializer())
        b4 = tf.get_variable("biases4", [64], initializer=tf.zeros_initializer())
    h1 = tf.nn.elu(tf.matmul(X, w1) + b1)
    codings = tf.nn.elu(tf.matmul(h1, w2) + b2)
    h3 = tf.nn.elu(tf.matmul(codings, tf.transpose(w2)) + b3)
    out = tf.nn.sigmoid(tf.matmul(h3, tf.transpose(w1)) + b4)
    recon = tf.reduce_mean(tf.square(out - X))
    loss = recon + 1e-4 * (tf.nn.l2_loss(w1) + tf.nn.l2_loss(w2))
    train = tf.train.RMSPropOptimizer(0.01).minimize(loss)
    at = batches(len(DX), 64, 8)
    return Program(train, {"loss": loss}, lambda s: {X: DX[at(s)]},
                   {"test reconstruction MSE": recon, "codings": codings}, {X: DX_TEST[:50]})


def word_embeddings(tf):
    rng = np.random.RandomState(11)
    vocab, n = 20, 128
    pairs = np.stack([rng.randint(0, vocab, 4000), rng.randint(0, vocab, 4000)], 1)
    pairs[:, 1] = (pairs[:, 0] * 7 + rng.randint(0, 3, 4000)) % vocab   # learnable contexts
    inputs = tf.placeholder(tf.int32, [n])
    labels = tf.placeholder(tf.int32, [n])
    embeddings = tf.Variable(tf.random_uniform([vocab, 8], -1.0, 1.0), name="embeddings")
    embed = tf.nn.embedding_lookup(embeddings, inputs)
    w = tf.Variable(tf.truncated_normal([8, vocab], stddev=0.5), name="weights")
    b = tf.Variable(tf.zeros([vocab]), name="biases")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=tf.matmul(embed, w) + b)
    train = tf.train.AdagradOptimizer(0.5).minimize(loss)
    normalized = embeddings / tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keepdims=True))
    similarity = tf.matmul(normalized, normalized, transpose_b=True)
    at = batches(4000, n, 9)
    return Program(train, {"loss": loss},
                   lambda s: {inputs: pairs[at(s), 0], labels: pairs[at(s), 1]},
                   {"similarity": similarity})


def word_embeddings_momentum_clipped(tf):
    """Program 09 with Momentum and clip_by_global_norm: TF1's IndexedSlices semantics (only
    looked-up rows move; the norm counts repeated ids once per lookup)."""
    rng = np.random.RandomState(12)
    vocab, n = 20, 64
    pairs = np.stack([rng.randint(0, vocab, 4000), rng.randint(0, vocab, 4000)], 1)
    pairs[:, 1] = (pairs[:, 0] * 7 + rng.randint(0, 3, 4000)) % vocab
    inputs = tf.placeholder(tf.int32, [n])
    labels = tf.placeholder(tf.int32, [n])
    embeddings = tf.Variable(tf.random_uniform([vocab, 8], -1.0, 1.0), name="embeddings")
    w = tf.Variable(tf.truncated_normal([8, vocab], stddev=0.5), name="weights")
    logits = tf.matmul(tf.nn.embedding_lookup(embeddings, inputs), w)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    opt = tf.train.MomentumOptimizer(0.5, 0.9)
    grads, variables = zip(*opt.compute_gradients(loss))
    clipped, norm = tf.clip_by_global_norm(grads, 1.0)
    train = opt.apply_gradients(zip(clipped, variables))
    at = batches(4000, n, 15)
    return Program(train, {"loss": loss, "global_norm": norm},
                   lambda s: {inputs: pairs[at(s), 0], labels: pairs[at(s), 1]})


def vae(tf):
    """Program 21 with the noise fed (eps), so both libraries see the same samples."""
    X = tf.placeholder(tf.float32, [None, 64])
    eps = tf.placeholder(tf.float32, [None, 2])
    with tf.variable_scope("encoder"):
        h = tf.layers.dense(X, 64, activation=tf.nn.elu, name="hidden")
        mean = tf.layers.dense(h, 2, name="mean")
        log_var = tf.layers.dense(h, 2, name="log_var")
    z = mean + tf.exp(0.5 * log_var) * eps
    with tf.variable_scope("decoder", reuse=tf.AUTO_REUSE):
        h = tf.layers.dense(z, 64, activation=tf.nn.elu, name="hidden")
        logits = tf.layers.dense(h, 64, name="logits")
    xent = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    rec = tf.reduce_mean(tf.reduce_sum(xent, axis=1))
    kl = tf.reduce_mean(-0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var),
                                             axis=1))
    train = tf.train.AdamOptimizer(0.005).minimize(rec + kl)
    noise = np.random.RandomState(21).randn(len(DX) * 2, 2).astype(np.float32)
    at = batches(len(DX), 64, 16)
    return Program(train, {"reconstruction": rec, "kl": kl},
                   lambda s: {X: DX[at(s)], eps: noise[s * 64:(s + 1) * 64]})


def gan(tf):
    rng = np.random.RandomState(2)
    real = rng.normal(4.0, 1.25, (3000, 1)).astype(np.float32)
    noise = rng.uniform(-1, 1, (3000, 1)).astype(np.float32)

    def generator(z):
        with tf.variable_scope("generator"):
            h = tf.layers.dense(z, 16, activation=tf.nn.softplus, name="h0")
            return tf.layers.dense(h, 1, name="out")

    def discriminator(x, reuse=False):
        with tf.variable_scope("discriminator", reuse=reuse):
            h = tf.layers.dense(x, 16, activation=tf.nn.leaky_relu, name="h0")
            h = tf.layers.dense(h, 16, activation=tf.nn.leaky_relu, name="h1")
            return tf.layers.dense(h, 1, name="out")

    z = tf.placeholder(tf.float32, [None, 1])
    x = tf.placeholder(tf.float32, [None, 1])
    G = generator(z)
    d_real, d_fake = discriminator(x), discriminator(G, reuse=True)
    xent = tf.nn.sigmoid_cross_entropy_with_logits
    d_loss = (tf.reduce_mean(xent(logits=d_real, labels=tf.ones_like(d_real)))
              + tf.reduce_mean(xent(logits=d_fake, labels=tf.zeros_like(d_fake))))
    g_loss = tf.reduce_mean(xent(logits=d_fake, labels=tf.ones_like(d_fake)))
    d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
    g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="generator")
    d_train = tf.train.AdamOptimizer(0.005, beta1=0.5).minimize(d_loss, var_list=d_vars)
    g_train = tf.train.AdamOptimizer(0.005, beta1=0.5).minimize(g_loss, var_list=g_vars)
    at = batches(3000, 64, 10)
    return Program([d_train, g_train], {"d_loss": d_loss, "g_loss": g_loss},
                   lambda s: {x: real[at(s)], z: noise[at(s)]},
                   {"generated": G}, {z: noise[:200]})


def summaries(tf):
    (x_tr, y_tr), _ = iris.load_data()
    x_tr = ((x_tr - x_tr.mean(0)) / x_tr.std(0)).astype(np.float32)

    def layer(inp, n_in, n_out, name, act=tf.nn.relu):
        with tf.name_scope(name):
            with tf.name_scope("weights"):
                w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1))
                tf.summary.scalar("mean", tf.reduce_mean(w))
                tf.summary.histogram("histogram", w)
            with tf.name_scope("biases"):
                b = tf.Variable(tf.constant(0.1, shape=[n_out]))
            with tf.name_scope("Wx_plus_b"):
                pre = tf.matmul(inp, w) + b
            return act(pre, name="activation")

    with tf.name_scope("input"):
        x = tf.placeholder(tf.float32, [None, 4], name="x-input")
        y_ = tf.placeholder(tf.int64, [None], name="y-input")
    y = layer(layer(x, 4, 16, "layer1"), 16, 3, "layer2", act=tf.identity)
    with tf.name_scope("cross_entropy"):
        xent = tf.losses.sparse_softmax_cross_entropy(labels=y_, logits=y)
    tf.summary.scalar("cross_entropy", xent)
    with tf.name_scope("train"):
        train = tf.train.AdamOptimizer(0.01).minimize(xent)
    with tf.name_scope("accuracy"):
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y, 1), y_), tf.float32))
    tf.summary.scalar("accuracy", acc)
    merged = tf.summary.merge_all()   # serialized Summary bytes, parsed after the run
    return Program(train, {"cross_entropy": xent, "scalar summaries": merged},
                   lambda s: {x: x_tr, y_: y_tr}, {"tags": merged}, {x: x_tr, y_: y_tr})


def _ensure_tensorboard():
    """The reference virtualenv may lack tensorboard (TF 2.x does not need it); tfone's
    summaries do. Borrow the system Python's tensorboard package alone (a folder holding
    just a link to it, appended to sys.path, so nothing else is shadowed)."""
    try:
        import tensorboard  # noqa: F401
        return
    except ImportError:
        pass
    import subprocess
    import tempfile
    found = subprocess.run(["python3", "-c", "import tensorboard, os; "
                            "print(os.path.dirname(tensorboard.__file__))"],
                           capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    if found.returncode != 0:
        raise ImportError("tensorboard is needed for the summaries check")
    folder = tempfile.mkdtemp(prefix="tensorboard_only_")
    os.symlink(found.stdout.strip(), os.path.join(folder, "tensorboard"))
    sys.path.append(folder)


def _parse_summaries(value):
    from tensorboard.compat.proto import summary_pb2
    s = summary_pb2.Summary.FromString(bytes(np.asarray(value).item()))
    return s


def lr_decay_clipping(tf):
    (x_tr, y_tr), _ = spirals.load_data()
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int32, [None])
    h = x
    for i in range(4):
        h = tf.layers.dense(h, 32, activation=tf.nn.tanh, name="dense%d" % i)
    logits = tf.layers.dense(h, 3, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    global_step = tf.Variable(0, trainable=False, name="global_step")
    lr = tf.train.exponential_decay(0.1, global_step, decay_steps=10, decay_rate=0.5,
                                    staircase=True)
    opt = tf.train.MomentumOptimizer(lr, momentum=0.9)
    grads, variables = zip(*opt.compute_gradients(loss))
    clipped, norm = tf.clip_by_global_norm(grads, clip_norm=0.25)
    train = opt.apply_gradients(zip(clipped, variables), global_step=global_step)
    return Program(train, {"loss": loss, "learning_rate": lr, "global_norm": norm,
                           "clipped norm": tf.global_norm(clipped)},
                   lambda s: {x: x_tr, y: y_tr})


def cond_case(tf):
    rng = np.random.RandomState(13)

    def make(n):
        xs = rng.uniform(-3, 3, (n, 1)).astype(np.float32)
        ys = 2.0 * xs - 1.0 + 0.1 * rng.randn(n, 1)
        out = rng.rand(n) < 0.1
        ys[out] += rng.uniform(20, 40, (int(out.sum()), 1))
        return xs, ys.astype(np.float32)
    x_tr, y_tr = make(400)
    x_va, y_va = make(100)
    empty = np.zeros((0, 1), np.float32)
    xb = tf.placeholder_with_default(empty, [None, 1])
    yb = tf.placeholder_with_default(empty, [None, 1])
    use_val = tf.placeholder_with_default(False, [])
    use_huber = tf.placeholder_with_default(True, [])
    x, y = tf.cond(use_val, lambda: (tf.constant(x_va), tf.constant(y_va)), lambda: (xb, yb))
    w = tf.Variable(0.0, name="w")
    b = tf.Variable(0.0, name="b")
    r = y - (w * x + b)
    small = tf.abs(r) <= 1.0
    huber = tf.where(small, 0.5 * tf.square(r), tf.abs(r) - 0.5)
    loss = tf.cond(use_huber, lambda: tf.reduce_mean(huber),
                   lambda: tf.reduce_mean(0.5 * tf.square(r)))
    gs = tf.train.get_or_create_global_step()
    lr = tf.case([(tf.less(gs, 20), lambda: tf.constant(0.1)),
                  (tf.less(gs, 40), lambda: tf.constant(0.03))],
                 default=lambda: tf.constant(0.01), exclusive=False)
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=gs)
    at = batches(400, 32, 11)
    return Program(train, {"loss": loss, "lr": lr, "w": w.read_value()},
                   lambda s: {xb: x_tr[at(s)], yb: y_tr[at(s)], use_huber: s % 2 == 0},
                   {"validation loss": loss}, {use_val: True})


def siamese(tf):
    rng = np.random.RandomState(15)
    first = rng.randint(0, len(DX), 3000)
    second = rng.randint(0, len(DX), 3000)
    same = (DY[first] == DY[second]).astype(np.float32).reshape(-1, 1)

    def tower(x):
        with tf.variable_scope("layer1"):
            w = tf.get_variable("weights", [64, 32],
                                initializer=tf.random_normal_initializer(stddev=0.1))
            b = tf.get_variable("biases", [32], initializer=tf.constant_initializer(0.0))
            h = tf.nn.relu(tf.matmul(x, w) + b)
        with tf.variable_scope("layer2"):
            w = tf.get_variable("weights", [32, 8],
                                initializer=tf.random_normal_initializer(stddev=0.1))
            b = tf.get_variable("biases", [8], initializer=tf.constant_initializer(0.0))
            return tf.matmul(h, w) + b

    x1 = tf.placeholder(tf.float32, [None, 64])
    x2 = tf.placeholder(tf.float32, [None, 64])
    s = tf.placeholder(tf.float32, [None, 1])
    with tf.variable_scope("siamese") as scope:
        e1 = tower(x1)
        scope.reuse_variables()
        e2 = tower(x2)
    with tf.variable_scope("siamese", reuse=tf.AUTO_REUSE):
        e3 = tower(x2)
    with tf.variable_scope("head"):
        w = tf.get_variable("weights", [8, 1], initializer=tf.constant_initializer(-1.0))
        b = tf.get_variable("bias", [1], initializer=tf.constant_initializer(2.0))
        logits = tf.matmul(tf.abs(e1 - e2), w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=s, logits=logits))
    train = tf.train.AdamOptimizer(0.005).minimize(loss)
    at = batches(3000, 64, 12)
    return Program(train, {"loss": loss},
                   lambda k: {x1: DX[first[at(k)]], x2: DX[second[at(k)]], s: same[at(k)]},
                   {"embeddings": e2, "auto_reuse embeddings": e3}, {x2: DX_TEST[:20]})


def batch_norm_by_hand(tf):
    x = tf.placeholder(tf.float32, [None, 64])
    y = tf.placeholder(tf.int64, [None])
    phase_train = tf.placeholder(tf.bool, [])

    def batch_norm(h, n_out, scope):
        with tf.variable_scope(scope):
            beta = tf.Variable(tf.constant(0.0, shape=[n_out]), name="beta")
            gamma = tf.Variable(tf.constant(1.0, shape=[n_out]), name="gamma")
            mean, var = tf.nn.moments(h, [0], name="moments")
            ema = tf.train.ExponentialMovingAverage(decay=0.9)

            def update():
                with tf.control_dependencies([ema.apply([mean, var])]):
                    return tf.identity(mean), tf.identity(var)
            m, v = tf.cond(phase_train, update, lambda: (ema.average(mean), ema.average(var)))
            return tf.nn.batch_normalization(h, m, v, beta, gamma, 1e-3)

    w1 = tf.Variable(tf.truncated_normal([64, 100], stddev=0.1), name="w1")
    h1 = tf.nn.relu(batch_norm(tf.matmul(x, w1), 100, "bn1"))
    w2 = tf.Variable(tf.truncated_normal([100, 10], stddev=0.1), name="w2")
    logits = tf.matmul(h1, w2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train = tf.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    at = batches(len(DX), 64, 13)
    return Program(train, {"loss": loss},
                   lambda s: {x: DX[at(s)], y: DY[at(s)], phase_train: True},
                   {"test accuracy (averages)": acc, "test loss (averages)": loss},
                   {x: DX_TEST, y: DY_TEST, phase_train: False})


def fully_connected_feed(tf):
    images = tf.placeholder(tf.float32, shape=(100, 64))
    labels = tf.placeholder(tf.int32, shape=(100,))
    with tf.name_scope("hidden1"):
        w = tf.Variable(tf.truncated_normal([64, 64], stddev=0.125), name="weights")
        h = tf.nn.relu(tf.matmul(images, w) + tf.Variable(tf.zeros([64]), name="biases"))
    with tf.name_scope("softmax_linear"):
        w = tf.Variable(tf.truncated_normal([64, 10], stddev=0.125), name="weights")
        logits = tf.matmul(h, w) + tf.Variable(tf.zeros([10]), name="biases")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=tf.to_int64(labels), logits=logits)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    correct = tf.reduce_sum(tf.cast(tf.nn.in_top_k(logits, labels, 1), tf.int32))
    at = batches(len(DX), 100, 14)
    y32 = DY.astype(np.int32)
    return Program(train, {"loss": loss, "correct": correct},
                   lambda s: {images: DX[at(s)], labels: y32[at(s)]})


def attention_classifier(tf):
    """Idioms of sequence models: bidirectional_dynamic_rnn with sequence_length, additive
    attention masked with sequence_mask, tf.layers.dense on rank-3 inputs, time_major
    dynamic_rnn with reverse_sequence, and a masked per-step loss (tf.losses weights)."""
    xs, ys, ls = _sequences(320, 17)
    x = tf.placeholder(tf.float32, [None, 12, 1])
    y = tf.placeholder(tf.int32, [None])
    lens = tf.placeholder(tf.int32, [None])
    fw, bw = tf.nn.rnn_cell.GRUCell(8), tf.nn.rnn_cell.LSTMCell(8)
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=lens,
                                                         dtype=tf.float32)
    outputs = tf.concat([out_fw, out_bw], axis=2)                     # [batch, time, 16]
    scores = tf.squeeze(tf.layers.dense(tf.layers.dense(outputs, 8, activation=tf.tanh,
                                                        name="att_hidden"),
                                        1, use_bias=False, name="att_score"), axis=2)
    mask = tf.sequence_mask(lens, maxlen=12)
    scores = tf.where(mask, scores, tf.fill(tf.shape(scores), -1e9))
    alphas = tf.nn.softmax(scores, axis=1)
    context = tf.reduce_sum(outputs * tf.expand_dims(alphas, 2), axis=1)
    logits = tf.layers.dense(context, 2, name="logits")
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    # a second, time-major reader of the reversed sequences, with a masked per-step loss
    rev = tf.reverse_sequence(x, lens, seq_axis=1, batch_axis=0)
    with tf.variable_scope("time_major"):
        tm_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(4), tf.transpose(rev, [1, 0, 2]),
                                      sequence_length=lens, dtype=tf.float32, time_major=True)
    step_logits = tf.layers.dense(tf.transpose(tm_out, [1, 0, 2]), 2, name="step_logits")
    step_labels = tf.tile(tf.expand_dims(y, 1), [1, 12])
    step_loss = tf.losses.sparse_softmax_cross_entropy(
        labels=step_labels, logits=step_logits, weights=tf.cast(mask, tf.float32))
    train = tf.train.AdamOptimizer(0.01).minimize(loss + step_loss)
    at = batches(320, 32, 17)
    return Program(train, {"loss": loss, "step_loss": step_loss},
                   lambda s: {x: xs[at(s)], y: ys[at(s)], lens: ls[at(s)]},
                   {"alphas": alphas, "context": context}, {x: xs[:20], y: ys[:20],
                                                            lens: ls[:20]})


def dqn_update(tf):
    """The Q-learning update of DQN tutorials: gather_nd of the taken actions, a max over
    next-state Q values from a target network (stop_gradient), Huber loss, RMSProp."""
    rng = np.random.RandomState(18)
    states = rng.randn(256, 4).astype(np.float32)
    next_states = rng.randn(256, 4).astype(np.float32)
    actions = rng.randint(0, 3, 256).astype(np.int32)
    rewards = rng.randn(256).astype(np.float32)
    done = (rng.rand(256) < 0.1).astype(np.float32)
    s_ph = tf.placeholder(tf.float32, [None, 4])
    s2_ph = tf.placeholder(tf.float32, [None, 4])
    a_ph = tf.placeholder(tf.int32, [None])
    r_ph = tf.placeholder(tf.float32, [None])
    d_ph = tf.placeholder(tf.float32, [None])

    def q_network(s, scope):
        with tf.variable_scope(scope):
            h = tf.layers.dense(s, 16, activation=tf.nn.relu, name="h")
            return tf.layers.dense(h, 3, name="q")
    q = q_network(s_ph, "online")
    q_next = q_network(s2_ph, "target")
    target = r_ph + 0.99 * (1.0 - d_ph) * tf.reduce_max(q_next, axis=1)
    q_taken = tf.gather_nd(q, tf.stack([tf.range(tf.shape(q)[0]), a_ph], axis=1))
    loss = tf.losses.huber_loss(tf.stop_gradient(target), q_taken)
    online = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="online")
    target_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="target")
    train = tf.train.RMSPropOptimizer(0.005, momentum=0.5).minimize(loss, var_list=online)
    sync = tf.group(*[t.assign(o) for o, t in zip(online, target_vars)])
    at = batches(256, 32, 18)
    return Program([train, sync], {"loss": loss, "greedy": tf.argmax(q, 1)},
                   lambda k: {s_ph: states[at(k)], s2_ph: next_states[at(k)], a_ph: actions[at(k)],
                              r_ph: rewards[at(k)], d_ph: done[at(k)]})


def dcgan_generator(tf):
    """A DCGAN-style generator and discriminator on 8x8 images: tf.nn.conv2d_transpose with
    fixed-size output_shape, tf.layers.batch_normalization (training, UPDATE_OPS),
    leaky_relu, strided tf.layers.conv2d; only the discriminator is trained here."""
    z = tf.placeholder(tf.float32, [16, 8])
    real = tf.placeholder(tf.float32, [16, 8, 8, 1])
    with tf.variable_scope("generator"):
        h = tf.reshape(tf.layers.dense(z, 2 * 2 * 16, name="project"), [16, 2, 2, 16])
        h = tf.nn.relu(tf.layers.batch_normalization(h, training=True, name="bn0"))
        w1 = tf.get_variable("deconv1", [3, 3, 8, 16],
                             initializer=tf.random_normal_initializer(stddev=0.2))
        h = tf.nn.conv2d_transpose(h, w1, [16, 4, 4, 8], [1, 2, 2, 1], padding="SAME")
        h = tf.nn.relu(tf.layers.batch_normalization(h, training=True, name="bn1"))
        w2 = tf.get_variable("deconv2", [3, 3, 1, 8],
                             initializer=tf.random_normal_initializer(stddev=0.2))
        fake = tf.tanh(tf.nn.conv2d_transpose(h, w2, [16, 8, 8, 1], [1, 2, 2, 1],
                                              padding="SAME"))

    def discriminator(x, reuse):
        with tf.variable_scope("discriminator", reuse=reuse):
            h = tf.nn.leaky_relu(tf.layers.conv2d(x, 8, 3, strides=2, padding="same",
                                                  name="conv1"), alpha=0.2)
            h = tf.nn.leaky_relu(tf.layers.conv2d(h, 16, 3, strides=2, padding="same",
                                                  name="conv2"), alpha=0.2)
            return tf.layers.dense(tf.layers.flatten(h), 1, name="out")
    d_real, d_fake = discriminator(real, False), discriminator(fake, True)
    xent = tf.nn.sigmoid_cross_entropy_with_logits
    d_loss = tf.reduce_mean(xent(labels=tf.ones_like(d_real), logits=d_real)) + \
        tf.reduce_mean(xent(labels=tf.zeros_like(d_fake), logits=d_fake))
    g_loss = tf.reduce_mean(xent(labels=tf.ones_like(d_fake), logits=d_fake))
    d_vars = tf.trainable_variables(scope="discriminator")
    g_vars = tf.trainable_variables(scope="generator")
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        d_train = tf.train.AdamOptimizer(0.002, beta1=0.5).minimize(d_loss, var_list=d_vars)
        g_train = tf.train.AdamOptimizer(0.002, beta1=0.5).minimize(g_loss, var_list=g_vars)
    noise = np.random.RandomState(19).uniform(-1, 1, (800, 8)).astype(np.float32)
    images = (DX.reshape(-1, 8, 8, 1) * 2.0 - 1.0)
    at = batches(len(DX), 16, 19)
    return Program([d_train, g_train], {"d_loss": d_loss, "g_loss": g_loss},
                   lambda s: {z: noise[s * 16:(s + 1) * 16], real: images[at(s)]},
                   {"fake": fake}, {z: noise[:16]})


def keras_layers_in_tf(tf):
    """'Keras as a simplified interface to TensorFlow': Keras layers on placeholders, a Keras
    loss and metric in a tf.train optimizer loop, K.learning_phase() fed as 0."""
    keras = tf.keras
    K = keras.backend
    img = tf.placeholder(tf.float32, shape=(None, 64))
    labels = tf.placeholder(tf.float32, shape=(None, 10))
    x = keras.layers.Dense(32, activation="relu")(img)
    x = keras.layers.Dropout(0.5)(x)
    preds = keras.layers.Dense(10, activation="softmax")(x)
    loss = tf.reduce_mean(keras.losses.categorical_crossentropy(labels, preds))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    acc = tf.reduce_mean(keras.metrics.categorical_accuracy(labels, preds))
    onehot = np.eye(10, dtype=np.float32)
    at = batches(len(DX), 50, 20)
    return Program(train, {"loss": loss, "accuracy": acc},
                   lambda s: {img: DX[at(s)], labels: onehot[DY[at(s)]], K.learning_phase(): 0})


PROGRAMS = [
    ("01 linear regression", linear_regression, 30, {}),
    ("02 logistic regression", logistic_regression, 30, {}),
    ("03 softmax regression", softmax_regression, 40, {}),
    ("04 MLP batch norm (UPDATE_OPS)", mlp_batchnorm, 25, {}),
    ("05 CNN", cnn, 25, {}),
    ("06 LSTM sequence_length", lstm_sequence_length, 20, {}),
    ("07 GRU MultiRNNCell", gru_multirnn, 20, {}),
    ("08 autoencoder (tied, RMSProp)", autoencoder, 30, {}),
    ("09 skip-gram embeddings", word_embeddings, 30, {}),
    ("09b embeddings, Momentum + clipping", word_embeddings_momentum_clipped, 30, {}),
    ("10 GAN (two optimizers)", gan, 30, {}),
    ("21 VAE (reparameterization, KL)", vae, 30, {}),
    ("13 exp decay + clip_by_global_norm", lr_decay_clipping, 30, {}),
    ("14 cond / case / where", cond_case, 60, {}),
    ("15 siamese (reuse, AUTO_REUSE)", siamese, 30, {}),
    ("17 batch norm by hand (EMA, cond)", batch_norm_by_hand, 30, {}),
    ("18 fully_connected_feed", fully_connected_feed, 30, {}),
    ("idioms: attention, birnn, masks", attention_classifier, 20, {}),
    ("idioms: DQN update", dqn_update, 30, {}),
    ("idioms: DCGAN conv2d_transpose", dcgan_generator, 20, {}),
    ("idioms: Keras layers in a tf loop", keras_layers_in_tf, 20, {}),
]


def check_summaries(report):
    """11: the merged summary's tags and scalar values, step by step."""
    name = "11 summaries (tags, values)"
    report.n_cases += 1
    _ensure_tensorboard()
    got = {}
    for lib in ("tf1", "tfone"):
        try:
            initial = got["tf1"][3] if lib == "tfone" else None
            got[lib] = run_program(lib, summaries, 10, initial)
        except Exception as exc:  # noqa: BLE001
            report.n_checks += 1
            report.problem(name, "-", "error", "%s raises %s" % (lib, _short(exc)))
            print("%-34s ERROR" % name)
            return
    before = len(report.problems)
    (t_ref, e_ref, _, _), (t_got, e_got, _, _) = got["tf1"], got["tfone"]
    report.n_checks += 1
    diff = compare_values(np.array(t_ref["cross_entropy"]), np.array(t_got["cross_entropy"]),
                          1e-4, 1e-5)
    if diff:
        report.problem(name, "cross_entropy", "value", diff)
    ref_s, got_s = _parse_summaries(e_ref["tags"]), _parse_summaries(e_got["tags"])
    ref_tags, got_tags = [v.tag for v in ref_s.value], [v.tag for v in got_s.value]
    report.n_checks += 1
    if ref_tags != got_tags:
        report.problem(name, "tags", "name", "tf1 %s tfone %s" % (ref_tags, got_tags))
    for step, (r, g) in enumerate(zip(t_ref["scalar summaries"], t_got["scalar summaries"])):
        rs, gs = _parse_summaries(r), _parse_summaries(g)
        rv = {v.tag: v.simple_value for v in rs.value if v.HasField("simple_value")}
        gv = {v.tag: v.simple_value for v in gs.value if v.HasField("simple_value")}
        report.n_checks += 1
        if sorted(rv) != sorted(gv):
            report.problem(name, "scalar tags", "name", "%s vs %s" % (sorted(rv), sorted(gv)))
            break
        for tag in rv:
            diff = compare_values(np.float32(rv[tag]), np.float32(gv[tag]), 1e-4, 1e-5)
            if diff:
                report.problem(name, "step %d %s" % (step, tag), "value", diff)
        rh = {v.tag: v.histo for v in rs.value if v.HasField("histo")}
        gh = {v.tag: v.histo for v in gs.value if v.HasField("histo")}
        for tag in rh:
            for field in ("min", "max", "num", "sum", "sum_squares"):
                diff = compare_values(np.float64(getattr(rh[tag], field)),
                                      np.float64(getattr(gh[tag], field)), 1e-4, 1e-5)
                if diff:
                    report.problem(name, "step %d %s.%s" % (step, tag, field), "value", diff)
    status = "ok" if len(report.problems) == before else "MISMATCH"
    print("%-34s %-8s 10 steps; tags %s" % (name, status, got_tags))


def check_checkpoint_names(report):
    """12: a Saver checkpoint of the example's model lists the same variables."""
    name = "12 Saver checkpoint contents"
    report.n_cases += 1
    import tempfile
    listed = {}
    for lib in ("tf1", "tfone"):
        tf = LIBS[lib]()
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, 1], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
            gs = tf.train.get_or_create_global_step()
            h = tf.layers.dense(x, 32, activation=tf.nn.tanh, name="hidden")
            pred = tf.layers.dense(h, 1, name="pred")
            loss = tf.reduce_mean(tf.square(pred - y), name="loss")
            tf.train.AdamOptimizer(0.01).minimize(loss, global_step=gs)
            saver = tf.train.Saver(max_to_keep=3)
            with tf.Session(graph=graph) as sess, tempfile.TemporaryDirectory() as d:
                sess.run(tf.global_variables_initializer())
                for step in range(5):
                    saver.save(sess, os.path.join(d, "model.ckpt"), global_step=step)
                latest = tf.train.latest_checkpoint(d)
                listed[lib] = (os.path.basename(latest),
                               [os.path.basename(p) for p in saver.last_checkpoints],
                               [(n, list(s)) for n, s in tf.train.list_variables(latest)])
    report.n_checks += 1
    if listed["tf1"] != listed["tfone"]:
        report.problem(name, "checkpoint", "name", "tf1 %s\n    tfone %s" % (listed["tf1"],
                                                                         listed["tfone"]))
        print("%-34s MISMATCH" % name)
    else:
        print("%-34s ok       latest %s, kept %s, %d variables" % (
            name, listed["tf1"][0], listed["tf1"][1], len(listed["tf1"][2])))


def _keras_models(tf):
    keras = tf.keras
    seq = keras.models.Sequential([
        keras.layers.Dense(64, activation="relu", input_shape=(64,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax")])
    seq.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    image_in = keras.layers.Input(shape=(64,), name="image")
    profile_in = keras.layers.Input(shape=(16,), name="profile")
    shared = keras.layers.Dense(32, activation="relu", name="shared")
    a = shared(keras.layers.Dense(16, name="image_proj")(image_in))
    b = shared(keras.layers.Dense(16, name="profile_proj")(profile_in))
    hidden = keras.layers.Dense(32, activation="relu")(keras.layers.concatenate([a, b]))
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
    even = keras.layers.Dense(1, activation="sigmoid", name="even")(hidden)
    fun = keras.models.Model(inputs=[image_in, profile_in], outputs=[digit, even])
    fun.compile(optimizer=keras.optimizers.Adam(lr=0.005),
                loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
                loss_weights={"digit": 1.0, "even": 0.5}, metrics=["accuracy"])
    return seq, fun


def _run_keras(lib, weights=None):
    tf = LIBS[lib]()
    img = DX[:480].reshape(-1, 8, 8)
    profiles = (np.concatenate([img.sum(1), img.sum(2)], 1) / 8.0).astype(np.float32)
    even = (DY[:480] % 2 == 0).astype(np.float32)
    graph = tf.Graph()
    out = {}
    with graph.as_default():
        sess = tf.Session(graph=graph)
        with sess.as_default():
            tf.keras.backend.set_session(sess)
            seq, fun = _keras_models(tf)
            if weights is not None:
                seq.set_weights(weights[0])
                fun.set_weights(weights[1])
            start = (seq.get_weights(), fun.get_weights())
            h = seq.fit(DX[:480], DY[:480], batch_size=32, epochs=2, shuffle=False, verbose=0)
            out["sequential loss"] = h.history["loss"]
            out["sequential evaluate"] = seq.evaluate(DX_TEST, DY_TEST, verbose=0)
            out["sequential predict"] = seq.predict(DX_TEST[:20])
            h = fun.fit([DX[:480], profiles], [DY[:480], even], batch_size=32, epochs=2,
                        shuffle=False, verbose=0)
            out["functional loss"] = h.history["loss"]
            out["functional digit_loss"] = h.history["digit_loss"]
            out["functional weights"] = fun.get_weights()
        sess.close()
    return out, start


def check_keras_models(report):
    """16: Keras Sequential and functional models: fit (shuffle=False), evaluate, predict,
    with TF1's initial weights copied in by position (set_weights)."""
    name = "16 Keras Sequential + functional"
    report.n_cases += 1
    try:
        ref, start = _run_keras("tf1")
        got, _ = _run_keras("tfone", weights=start)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("PARITY_TRACEBACK"):
            traceback.print_exc()
        report.n_checks += 1
        report.problem(name, "-", "error", _short(exc))
        print("%-34s ERROR" % name)
        return
    before = len(report.problems)
    for key in ref:
        r, g = ref[key], got[key]
        items = list(zip(r, g)) if key == "functional weights" else [(r, g)]
        for i, (a, b) in enumerate(items):
            report.n_checks += 1
            diff = compare_values(np.asarray(a), np.asarray(b), 1e-4, 1e-5)
            if diff:
                report.problem(name, "%s[%d]" % (key, i) if len(items) > 1 else key, "value",
                               diff)
    status = "ok" if len(report.problems) == before else "MISMATCH"
    print("%-34s %-8s 2 epochs each; tfone: sequential evaluate %s" % (
        name, status, np.round(got["sequential evaluate"], 5).tolist()))


def main():
    report = Report("examples parity (TF1 vs tfone)")
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    for name, build, steps, tol in PROGRAMS:
        if only and not any(o in name for o in only):
            continue
        check_program(report, name, build, steps, tolerances=tol)
    if not only or any(o in "11 summaries" for o in only):
        check_summaries(report)
    if not only or any(o in "12 saver" for o in only):
        check_checkpoint_names(report)
    if not only or any(o in "16 keras" for o in only):
        check_keras_models(report)
    main_guard(report)


if __name__ == "__main__":
    main()
