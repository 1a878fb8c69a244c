"""W1-W6: each workload built in tfone and as a hand-written numpy program with the same ops.

A workload returns ``variants`` ({name: step function}) for timing and a ``check`` function
that runs a few steps of each from identical weights and returns their losses, so the
benchmark also proves the tfone model computes the same thing as the numpy one.
"""
import numpy as np

import tfone as tf

F32 = np.float32


class Workload:
    """``builders`` maps a variant name to a function that builds it and returns its step
    function; variants are built on first use, so a memory measurement builds only one."""

    def __init__(self, key, title, builders, check=None, note=""):
        self.key, self.title, self.builders, self.check, self.note = key, title, builders, check, note
        self._built = {}

    def variant(self, name):
        if name not in self._built:
            self._built[name] = self.builders[name]()
        return self._built[name]

    @property
    def variants(self):
        return {name: self.variant(name) for name in self.builders}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- W1: 200-op elementwise graph ------------------------------------------------------------------
def w1_elementwise(quick=False):
    n_pairs = 100
    rng = np.random.RandomState(0)
    scales = (1.0 + rng.uniform(-1e-3, 1e-3, n_pairs)).astype(F32)
    shifts = rng.uniform(-0.5, 0.5, n_pairs).astype(F32)
    value = rng.randn(4).astype(F32)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [4], name="x")
        h = x
        for a, b in zip(scales, shifts):
            h = h * a
            h = h + b
        sess = tf.Session(graph=graph)
    feed = {x: value}

    def tfone_step():
        return sess.run(h, feed)

    # The floor: a minimal plan executor, a list of (kernel, constant) applied in order.
    plan = []
    for a, b in zip(scales, shifts):
        plan.append((np.multiply, np.array(a)))
        plan.append((np.add, np.array(b)))

    def numpy_step():
        v = value
        for kernel, constant in plan:
            v = kernel(v, constant)
        return v

    def check():
        return [float(np.sum(tfone_step()))], [float(np.sum(numpy_step()))]
    return Workload("W1", "Session.run of a 200-op elementwise graph on a [4] vector",
                    {"tfone": lambda: tfone_step, "numpy": lambda: numpy_step}, check,
                    "numpy = minimal plan executor (list of kernels in a loop)")


# -- W2: logistic regression ------------------------------------------------------------------------
def w2_logistic_regression(quick=False):
    rng = np.random.RandomState(1)
    n, d, lr = 256, 20, 0.1
    X = rng.randn(n, d).astype(F32)
    Y = (rng.rand(n, 1) < _sigmoid(X[:, :1])).astype(F32)
    W0 = (rng.randn(d, 1) * 0.1).astype(F32)
    b0 = np.zeros(1, F32)

    def make_tfone():
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, d], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
            W = tf.Variable(W0, name="W")
            b = tf.Variable(b0, name="b")
            logits = tf.matmul(x, W) + b
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
            train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
            sess = tf.Session(graph=graph)
            sess.run(tf.global_variables_initializer())
        fetches, feed = [train, loss], {x: X, y: Y}
        return lambda: sess.run(fetches, feed)[1]

    def make_numpy():
        W, b = W0.copy(), b0.copy()

        def step():
            nonlocal W, b
            z = X @ W + b
            loss = np.mean(np.maximum(z, 0) - z * Y + np.log1p(np.exp(-np.abs(z))))
            dz = (_sigmoid(z) - Y) * F32(1.0 / n)
            W -= F32(lr) * (X.T @ dz)
            b -= F32(lr) * dz.sum(axis=0)
            return loss
        return step

    def check():
        t, m = make_tfone(), make_numpy()
        return [float(t()) for _ in range(5)], [float(m()) for _ in range(5)]
    return Workload("W2", "logistic regression GD step, batch 256 x 20 features",
                    {"tfone": make_tfone, "numpy": make_numpy}, check)


# -- W3: MLP with Adam -------------------------------------------------------------------------------
def _mlp_data(seed=2):
    rng = np.random.RandomState(seed)
    X = rng.rand(128, 784).astype(F32)
    labels = rng.randint(0, 10, 128)
    Y = np.eye(10, dtype=F32)[labels]
    sizes = [(784, 256), (256, 128), (128, 10)]
    params = []
    for fan_in, fan_out in sizes:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(F32))
        params.append(np.zeros(fan_out, F32))
    return X, Y, params


def w3_mlp_adam(quick=False):
    X, Y, params0 = _mlp_data()
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-8

    def make_tfone():
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, 784], name="x")
            y = tf.placeholder(tf.float32, [None, 10], name="y")
            h = x
            variables = [tf.Variable(p) for p in params0]
            for i in range(3):
                h = tf.matmul(h, variables[2 * i]) + variables[2 * i + 1]
                if i < 2:
                    h = tf.nn.relu(h)
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
            train = tf.train.AdamOptimizer(lr, b1, b2, eps).minimize(loss)
            sess = tf.Session(graph=graph)
            sess.run(tf.global_variables_initializer())
        fetches, feed = [train, loss], {x: X, y: Y}
        return lambda: sess.run(fetches, feed)[1]

    def make_numpy():
        params = [p.copy() for p in params0]
        ms = [np.zeros_like(p) for p in params]
        vs = [np.zeros_like(p) for p in params]
        state = {"t": 0}

        def step():
            W1, c1, W2, c2, W3, c3 = params
            a1 = X @ W1 + c1
            h1 = np.maximum(a1, 0)
            a2 = h1 @ W2 + c2
            h2 = np.maximum(a2, 0)
            logits = h2 @ W3 + c3
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            log_p = shifted - log_z
            loss = -(Y * log_p).sum(axis=1).mean()
            d_logits = (np.exp(log_p) - Y) * F32(1.0 / X.shape[0])
            grads = [None] * 6
            grads[4] = h2.T @ d_logits
            grads[5] = d_logits.sum(axis=0)
            d_h2 = (d_logits @ W3.T) * (a2 > 0)
            grads[2] = h1.T @ d_h2
            grads[3] = d_h2.sum(axis=0)
            d_h1 = (d_h2 @ W2.T) * (a1 > 0)
            grads[0] = X.T @ d_h1
            grads[1] = d_h1.sum(axis=0)
            state["t"] += 1
            t = state["t"]
            lr_t = F32(lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t))
            for p, g, m, v in zip(params, grads, ms, vs):
                m *= F32(b1)
                m += F32(1 - b1) * g
                v *= F32(b2)
                v += F32(1 - b2) * (g * g)
                p -= lr_t * m / (np.sqrt(v) + F32(eps))
            return loss
        return step

    def check():
        t, m = make_tfone(), make_numpy()
        return [float(t()) for _ in range(5)], [float(m()) for _ in range(5)]
    return Workload("W3", "MLP 784-256-128-10 relu, softmax xent, Adam, batch 128",
                    {"tfone": make_tfone, "numpy": make_numpy}, check)


# -- W4: LeNet-like CNN --------------------------------------------------------------------------------
def _im2col_naive(x, kh, kw, pad):
    """Straightforward im2col: one Python loop over kernel offsets (as students write it)."""
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = np.empty((n, h, w, kh, kw, c), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = xp[:, i:i + h, j:j + w, :]
    return cols.reshape(n * h * w, kh * kw * c)


def _col2im_naive(cols, shape, kh, kw, pad):
    n, h, w, c = shape
    dxp = np.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=cols.dtype)
    cols = cols.reshape(n, h, w, kh, kw, c)
    for i in range(kh):
        for j in range(kw):
            dxp[:, i:i + h, j:j + w, :] += cols[:, :, :, i, j, :]
    return dxp[:, pad:pad + h, pad:pad + w, :]


def _pool_forward(x):
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c)
    out = windows.max(axis=(2, 4))
    mask = windows == out[:, :, None, :, None, :]
    return out, mask


def _pool_backward(d_out, mask):
    d = mask * d_out[:, :, None, :, None, :]
    n, h2, _, w2, _, c = mask.shape
    return d.reshape(n, h2 * 2, w2 * 2, c)


def _cnn_data(seed=3):
    rng = np.random.RandomState(seed)
    X = rng.rand(64, 28, 28, 1).astype(F32)
    Y = np.eye(10, dtype=F32)[rng.randint(0, 10, 64)]

    def glorot(shape, fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(F32)
    params = [glorot((5, 5, 1, 16), 25, 400), np.zeros(16, F32),
              glorot((5, 5, 16, 32), 400, 800), np.zeros(32, F32),
              glorot((7 * 7 * 32, 128), 1568, 128), np.zeros(128, F32),
              glorot((128, 10), 128, 10), np.zeros(10, F32)]
    return X, Y, params


def w4_cnn(quick=False):
    X, Y, params0 = _cnn_data()
    lr = 0.05

    def make_tfone():
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
            y = tf.placeholder(tf.float32, [None, 10], name="y")
            k1, c1, k2, c2, W3, c3, W4, c4 = [tf.Variable(p) for p in params0]
            h = tf.nn.relu(tf.nn.conv2d(x, k1, [1, 1, 1, 1], "SAME") + c1)
            h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
            h = tf.nn.relu(tf.nn.conv2d(h, k2, [1, 1, 1, 1], "SAME") + c2)
            h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
            h = tf.reshape(h, [-1, 7 * 7 * 32])
            h = tf.nn.relu(tf.matmul(h, W3) + c3)
            logits = tf.matmul(h, W4) + c4
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
            train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
            sess = tf.Session(graph=graph)
            sess.run(tf.global_variables_initializer())
        fetches, feed = [train, loss], {x: X, y: Y}
        return lambda: sess.run(fetches, feed)[1]

    def make_numpy():
        params = [p.copy() for p in params0]

        def step():
            k1, c1, k2, c2, W3, c3, W4, c4 = params
            n = X.shape[0]
            cols1 = _im2col_naive(X, 5, 5, 2)
            a1 = (cols1 @ k1.reshape(-1, 16)).reshape(n, 28, 28, 16) + c1
            r1 = np.maximum(a1, 0)
            p1, m1 = _pool_forward(r1)
            cols2 = _im2col_naive(p1, 5, 5, 2)
            a2 = (cols2 @ k2.reshape(-1, 32)).reshape(n, 14, 14, 32) + c2
            r2 = np.maximum(a2, 0)
            p2, m2 = _pool_forward(r2)
            flat = p2.reshape(n, -1)
            a3 = flat @ W3 + c3
            h3 = np.maximum(a3, 0)
            logits = h3 @ W4 + c4
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -(Y * log_p).sum(axis=1).mean()
            d_logits = (np.exp(log_p) - Y) * F32(1.0 / n)
            g_W4, g_c4 = h3.T @ d_logits, d_logits.sum(0)
            d_a3 = (d_logits @ W4.T) * (a3 > 0)
            g_W3, g_c3 = flat.T @ d_a3, d_a3.sum(0)
            d_r2 = _pool_backward((d_a3 @ W3.T).reshape(p2.shape), m2) * (a2 > 0)
            g_k2 = (cols2.T @ d_r2.reshape(-1, 32)).reshape(k2.shape)
            g_c2 = d_r2.sum(axis=(0, 1, 2))
            d_p1 = _col2im_naive(d_r2.reshape(-1, 32) @ k2.reshape(-1, 32).T, p1.shape, 5, 5, 2)
            d_r1 = _pool_backward(d_p1, m1) * (a1 > 0)
            g_k1 = (cols1.T @ d_r1.reshape(-1, 16)).reshape(k1.shape)
            g_c1 = d_r1.sum(axis=(0, 1, 2))
            for p, g in zip(params, [g_k1, g_c1, g_k2, g_c2, g_W3, g_c3, g_W4, g_c4]):
                p -= F32(lr) * g
            return loss
        return step

    def check():
        t, m = make_tfone(), make_numpy()
        return [float(t()) for _ in range(3)], [float(m()) for _ in range(3)]
    return Workload("W4", "LeNet-like CNN 28x28x1 (conv5x5x16 SAME, pool, conv5x5x32 SAME, pool, "
                    "dense 128, dense 10), SGD, batch 64",
                    {"tfone": make_tfone, "numpy": make_numpy}, check,
                    "numpy = straightforward im2col (loop over kernel offsets) + GEMM")


# -- W5: LSTM written by hand in the graph ----------------------------------------------------------
def _lstm_data(seed=4):
    rng = np.random.RandomState(seed)
    T, n, d, hdim = 20, 32, 32, 64
    X = rng.randn(T, n, d).astype(F32)
    target = rng.randn(n, hdim).astype(F32) * 0.1
    W = (rng.randn(d + hdim, 4 * hdim) * 0.1).astype(F32)
    b = np.zeros(4 * hdim, F32)
    return X, target, W, b


def w5_lstm(quick=False):
    X, target, W0, b0 = _lstm_data()
    T, n, d = X.shape
    hdim = target.shape[1]
    lr = 0.1

    def make_tfone():
        graph = tf.Graph()
        with graph.as_default():
            xs = tf.placeholder(tf.float32, [T, None, d], name="x")
            y = tf.placeholder(tf.float32, [None, hdim], name="y")
            W = tf.Variable(W0, name="W")
            b = tf.Variable(b0, name="b")
            h = tf.zeros([n, hdim])
            c = tf.zeros([n, hdim])
            for t in range(T):
                z = tf.matmul(tf.concat([xs[t], h], axis=1), W) + b
                i, g, f, o = tf.split(z, 4, axis=1)
                c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
                h = tf.sigmoid(o) * tf.tanh(c)
            loss = tf.reduce_mean(tf.square(h - y))
            train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
            sess = tf.Session(graph=graph)
            sess.run(tf.global_variables_initializer())
        fetches, feed = [train, loss], {xs: X, y: target}
        return lambda: sess.run(fetches, feed)[1]

    def make_numpy():
        W, b = W0.copy(), b0.copy()

        def step():
            nonlocal W, b
            h = np.zeros((n, hdim), F32)
            c = np.zeros((n, hdim), F32)
            cache = []
            for t in range(T):
                xh = np.concatenate([X[t], h], axis=1)
                z = xh @ W + b
                si, tg = _sigmoid(z[:, :hdim]), np.tanh(z[:, hdim:2 * hdim])
                sf, so = _sigmoid(z[:, 2 * hdim:3 * hdim]), _sigmoid(z[:, 3 * hdim:])
                c_prev = c
                c = sf * c_prev + si * tg
                tc = np.tanh(c)
                h = so * tc
                cache.append((xh, si, tg, sf, so, c_prev, tc))
            diff = h - target
            loss = np.mean(diff * diff)
            dh = diff * F32(2.0 / diff.size)
            dc = np.zeros_like(c)
            dW = np.zeros_like(W)
            db = np.zeros_like(b)
            for xh, si, tg, sf, so, c_prev, tc in reversed(cache):
                do = dh * tc
                dc = dc + dh * so * (1 - tc * tc)
                di, dg, df = dc * tg, dc * si, dc * c_prev
                dz = np.concatenate([di * si * (1 - si), dg * (1 - tg * tg),
                                     df * sf * (1 - sf), do * so * (1 - so)], axis=1)
                dW += xh.T @ dz
                db += dz.sum(axis=0)
                dxh = dz @ W.T
                dh = dxh[:, d:]
                dc = dc * sf
            W -= F32(lr) * dW
            b -= F32(lr) * db
            return loss
        return step

    def check():
        t, m = make_tfone(), make_numpy()
        return [float(t()) for _ in range(5)], [float(m()) for _ in range(5)]
    return Workload("W5", "LSTM by hand in the graph, T=20, input 32, hidden 64, batch 32, SGD",
                    {"tfone": make_tfone, "numpy": make_numpy}, check)


# -- W6: graph construction and tf.gradients --------------------------------------------------------
class _Node:
    """The minimal symbolic node a graph builder needs: an op name and its inputs."""
    __slots__ = ("op", "inputs")

    def __init__(self, op, inputs):
        self.op, self.inputs = op, inputs


def build_tfone_graph(n_ops):
    """A chain of ``n_ops`` elementwise ops on a [4] placeholder, then tf.gradients."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [4], name="x")
        c = tf.constant(np.full(4, 0.5, F32), name="c")
        h = x
        for i in range(n_ops // 2):
            h = tf.multiply(h, c)
            h = tf.add(h, x)
        tf.gradients(h, x)
    return graph


def build_minimal_graph(n_ops):
    """The same chain and its reverse pass as bare nodes (the lower bound for any builder)."""
    x, c = _Node("x", ()), _Node("c", ())
    nodes, h = [x, c], x
    for i in range(n_ops // 2):
        h = _Node("mul", (h, c))
        nodes.append(h)
        h = _Node("add", (h, x))
        nodes.append(h)
    grads = {h: _Node("ones", ())}
    for node in reversed(nodes):
        g = grads.get(node)
        if g is None:
            continue
        if node.op == "add":
            for inp in node.inputs:
                grads[inp] = _Node("add", (grads[inp], g)) if inp in grads else g
        elif node.op == "mul":
            a, b = node.inputs
            grads[a] = _Node("mul", (g, b))
            grads[b] = _Node("mul", (g, a))
    return grads[x]


def w6_graph_build(quick=False):
    n = 2000
    return Workload("W6", "build a 2,000-op graph and call tf.gradients",
                    {"tfone": lambda: lambda: build_tfone_graph(n),
                     "numpy": lambda: lambda: build_minimal_graph(n)},
                    None, "numpy = minimal Python node builder with the same reverse pass")


ALL = [w1_elementwise, w2_logistic_regression, w3_mlp_adam, w4_cnn, w5_lstm, w6_graph_build]
