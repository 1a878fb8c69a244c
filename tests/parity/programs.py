"""Small TF1 programs whose results TensorFlow 1 computed once (tests/parity/data/golden.npz).

Each program is written once against the TF1 API and takes the library as ``tf``:
``tools/parity/make_golden.py`` runs it with ``tensorflow.compat.v1`` to record the reference
values, names, static shapes and dtypes; ``tests/parity/test_golden.py`` runs it with tfone and
compares. Programs use only fixed numpy inputs (seeded here, not by a library), so both runs
see identical data. Randomly initialised weights are not reproduced: the reference run records
its initial variable values and the tfone run loads them by variable name first.

Kinds:
- ``fetch``: ``build(tf)`` returns ``{key: tensor or list of tensors}`` (or that and a feed
  dict); it is run once.
- ``train``: ``build(tf)`` returns ``(train_op, {key: tensor}, feed or None)``; the fetches
  are recorded before each of ``steps`` runs of ``train_op`` and after the last, and every
  global variable's final value is recorded by name.
- ``keras``: ``build(tf)`` returns ``(model, script)``; TF1's initial weights are loaded by
  name, ``script(tf, model)`` (compile/fit/evaluate/predict) returns arrays, and the final
  weights are recorded by name.
"""
import numpy as np

PROGRAMS = {}   # name -> dict(kind, build, steps, rtol, atol, names, copy_variables)


def program(kind="fetch", steps=0, rtol=1e-5, atol=1e-6, names=True, copy_variables=False):
    def register(build):
        PROGRAMS[build.__name__] = dict(kind=kind, build=build, steps=steps, rtol=rtol,
                                        atol=atol, names=names, copy_variables=copy_variables)
        return build
    return register


_R = np.random.RandomState(20240)
LOGITS = np.array([[2.0, 1.0, 0.1, -1.0], [1000.0, -1000.0, 0.0, 5.0],
                   [-200.0, -200.0, -200.0, -200.0], [0.0, 0.0, 0.0, 0.0],
                   [80.0, -80.0, 30.0, 88.0]], np.float32)
PROBS = np.array([[0.7, 0.2, 0.1, 0.0], [0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25],
                  [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]], np.float32)
SPARSE = np.array([0, 1, 3, 2, 3], np.int32)
IMG = _R.randn(2, 7, 6, 3).astype(np.float32)
FILT = _R.randn(3, 2, 3, 4).astype(np.float32)
FILT_T = _R.randn(3, 2, 5, 3).astype(np.float32)
X = _R.randn(8, 3).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
W0 = (_R.randn(3, 4) * 0.5).astype(np.float32)
V0 = (_R.randn(4, 1) * 0.5).astype(np.float32)
SEQ = _R.randn(3, 5, 4).astype(np.float32)
LENS = np.array([5, 2, 0], np.int32)
NEG = np.array([-7, -6, -1, 0, 1, 6, 7], np.int32)
HALVES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.49], np.float32)
PRED = _R.rand(4, 3).astype(np.float32)
LABEL = (_R.rand(4, 3) > 0.5).astype(np.float32)
LOSS_LOGITS = (_R.randn(4, 3) * 3).astype(np.float32)
W_ROW = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)


def _randn(seed, *shape):
    """Fixed float32 data (its own generator, so programs do not depend on their order)."""
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def _wsum(tf, y):
    """A scalar depending on every element of y with distinct weights (for gradients)."""
    shape = y.shape.as_list()
    w = np.linspace(0.5, 1.5, int(np.prod(shape))).astype(np.float32).reshape(shape)
    return tf.reduce_sum(y * w)


# --- math / array ------------------------------------------------------------------------------

@program()
def integer_division(tf):
    x = tf.constant(NEG)
    out = {}
    for d in (3, -3):
        out["floordiv%d" % d] = tf.floordiv(x, d)
        out["floormod%d" % d] = tf.floormod(x, d)
        out["truncatediv%d" % d] = tf.truncatediv(x, d)
        out["truncatemod%d" % d] = tf.truncatemod(x, d)
        out["div%d" % d] = tf.div(x, d)
        out["truediv%d" % d] = x / d
    xf = tf.constant(np.array([-7.5, -1.0, 0.0, 1.0, 7.5], np.float32))
    out["float_floormod"] = tf.floormod(xf, -2.0)
    out["float_floordiv"] = xf // 2.0
    return out


@program()
def rounding_and_int_mean(tf):
    x = tf.constant(HALVES)
    i = tf.constant(np.array([[1, 2], [4, 4]], np.int32))
    return {"round": tf.round(x), "floor": tf.floor(x), "ceil": tf.ceil(x),
            "cast_int": tf.cast(x, tf.int32), "int_mean": tf.reduce_mean(i),
            "int_mean0": tf.reduce_mean(i, 0),
            "neg_int_mean": tf.reduce_mean(tf.constant(np.array([-3, -4], np.int32)))}


@program()
def argmax_topk_ties(tf):
    x = tf.constant(np.array([[1, 3, 3, 2, 3], [5, 5, 5, 5, 5], [0, -1, 4, 4, 0]], np.float32))
    v, i = tf.nn.top_k(x, 3)
    return {"argmax": tf.argmax(x, 1), "argmin": tf.argmin(x, 1), "topk_v": v, "topk_i": i,
            "topk_g": tf.gradients(_wsum(tf, v), [x]),
            "max_g": tf.gradients(_wsum(tf, tf.reduce_max(x, 1)), [x])}


@program()
def slicing_and_masks(tf):
    c = tf.constant(_randn(1, 2, 3, 4))
    a = c[:, 1:, ::2]
    out = {"a": a, "b": c[..., -1], "c": c[::-1, tf.newaxis, 1], "d": c[0, :, 3:0:-2],
           "a_g": tf.gradients(_wsum(tf, a), [c]),
           "bmask": tf.boolean_mask(c, tf.constant(np.array([[True, False, True],
                                                             [False, False, True]]))),
           "seqmask": tf.sequence_mask(tf.constant(np.array([0, 2, 5], np.int32)), 4),
           "where1": tf.where(tf.constant(np.array([[True, False], [False, True]]))),
           "onehot": tf.one_hot(tf.constant(np.array([[0, 2], [-1, 5]], np.int32)), 3),
           "gather_nd": tf.gather_nd(c, tf.constant(np.array([[0, 1], [1, 2]], np.int64)))}
    for mode in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        y = tf.pad(c, [[0, 1], [1, 2], [2, 1]], mode=mode)
        out["pad_" + mode] = y
        out["pad_g_" + mode] = tf.gradients(_wsum(tf, y), [c])
    return out


@program(names=False)   # TF 2.x's einsum/tensordot output op names are not TF 1.15's
def cumsum_einsum_tensordot(tf):
    a = tf.constant(_randn(2, 3, 4))
    b = tf.constant(_randn(3, 2, 3, 4))
    c = tf.constant(_randn(4, 2, 4, 3))
    out = {}
    for ex in (False, True):
        for rv in (False, True):
            k = "cumsum_%d%d" % (ex, rv)
            out[k] = tf.cumsum(a, axis=1, exclusive=ex, reverse=rv)
            out[k + "_g"] = tf.gradients(_wsum(tf, out[k]), [a])
    e = tf.einsum("bij,bjk->bik", b, c)
    td = tf.tensordot(b, c, axes=[[1, 2], [2, 1]])
    out.update({"einsum": e, "einsum_g": tf.gradients(_wsum(tf, e), [b, c]), "tensordot": td,
                "tensordot_g": tf.gradients(_wsum(tf, td), [b, c])})
    return out


@program()
def clip_ops(tf):
    x = tf.constant(_randn(5, 3, 4) * 3)
    y = tf.constant(_randn(6, 4))
    (g1, g2), norm = tf.clip_by_global_norm([x, y], 2.0)
    cv = tf.clip_by_value(x, -1.0, 2.0)
    return {"cv": cv, "cv_g": tf.gradients(_wsum(tf, cv), [x]), "cn": tf.clip_by_norm(x, 1.5),
            "cn_axes": tf.clip_by_norm(x, 1.0, axes=[1]), "g1": g1, "g2": g2, "norm": norm}


# --- nn ---------------------------------------------------------------------------------------

@program(atol=1e-5)
def cross_entropy_extremes(tf):
    logits = tf.constant(LOGITS)
    labels = tf.constant(PROBS)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(SPARSE),
                                                            logits=logits)
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    wce = tf.nn.weighted_cross_entropy_with_logits(labels, logits, 2.5)
    sm = tf.nn.softmax(logits)
    lsm = tf.nn.log_softmax(logits)
    return {"v2": v2, "sparse": sparse, "sigmoid": sig, "weighted": wce, "softmax": sm,
            "log_softmax": lsm,
            "v2_g": tf.gradients(_wsum(tf, v2), [logits, labels]),
            "sparse_g": tf.gradients(_wsum(tf, sparse), [logits]),
            "sigmoid_g": tf.gradients(_wsum(tf, sig), [logits, labels]),
            "weighted_g": tf.gradients(_wsum(tf, wce), [logits]),
            "softmax_g": tf.gradients(_wsum(tf, sm), [logits]),
            "log_softmax_g": tf.gradients(_wsum(tf, lsm), [logits])}


def _conv_program(padding, strides, dilations=None):
    def build(tf):
        x = tf.constant(IMG)
        f = tf.constant(FILT)
        kw = {} if dilations is None else {"dilations": dilations}
        y = tf.nn.conv2d(x, f, strides, padding, **kw)
        return {"y": y, "g": tf.gradients(_wsum(tf, y), [x, f])}
    return build


for _pad in ("SAME", "VALID"):
    for _s in ((1, 1), (2, 3)):
        _b = _conv_program(_pad, [1, _s[0], _s[1], 1])
        _b.__name__ = "conv2d_%s_s%d%d" % (_pad.lower(), _s[0], _s[1])
        program(rtol=1e-4, atol=1e-4)(_b)
    _b = _conv_program(_pad, [1, 1, 1, 1], [1, 2, 2, 1])
    _b.__name__ = "conv2d_%s_dilation2" % _pad.lower()
    program(rtol=1e-4, atol=1e-4)(_b)


@program(rtol=1e-4, atol=1e-4)
def conv2d_nchw(tf):
    x = tf.constant(IMG.transpose(0, 3, 1, 2).copy())
    f = tf.constant(FILT)
    y = tf.nn.conv2d(x, f, [1, 1, 2, 2], "SAME", data_format="NCHW")
    return {"y": y, "g": tf.gradients(_wsum(tf, y), [x, f])}


@program(rtol=1e-4, atol=1e-5)
def pools(tf):
    x = tf.constant(IMG)
    out = {}
    for padding in ("SAME", "VALID"):
        for k, s in (((2, 2), (2, 2)), ((3, 3), (2, 1)), ((3, 2), (1, 1))):
            tag = "%s_k%d%d_s%d%d" % (padding.lower(), k[0], k[1], s[0], s[1])
            mp = tf.nn.max_pool(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1], padding)
            ap = tf.nn.avg_pool(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1], padding)
            out["max_" + tag] = mp
            out["avg_" + tag] = ap
            out["max_g_" + tag] = tf.gradients(_wsum(tf, mp), [x])
            out["avg_g_" + tag] = tf.gradients(_wsum(tf, ap), [x])
    ones = tf.constant(np.ones((1, 4, 4, 1), np.float32))
    out["max_ties_g"] = tf.gradients(tf.reduce_sum(tf.nn.max_pool(
        ones, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")), [ones])
    return out


@program(rtol=1e-4, atol=1e-4)
def conv2d_transpose(tf):
    x = tf.constant(IMG)
    f = tf.constant(FILT_T)
    out = {}
    for padding, shape, strides in (("SAME", [2, 14, 12, 5], 2), ("SAME", [2, 13, 11, 5], 2),
                                    ("VALID", [2, 15, 12, 5], 2), ("SAME", [2, 7, 6, 5], 1)):
        tag = "%s_%d_%d" % (padding.lower(), shape[1], strides)
        y = tf.nn.conv2d_transpose(x, f, shape, [1, strides, strides, 1], padding)
        out[tag] = y
        out[tag + "_g"] = tf.gradients(_wsum(tf, y), [x, f])
    return out


@program(rtol=1e-4, atol=1e-4)
def normalization(tf):
    x = tf.constant(IMG)
    m, v = tf.nn.moments(x, axes=[0, 1, 2])
    scale = tf.constant(np.array([0.5, 1.5, 2.0], np.float32))
    offset = tf.constant(np.array([0.1, -0.2, 0.0], np.float32))
    bn = tf.nn.batch_normalization(x, m, v, offset, scale, 1e-3)
    fused, fm, fv = tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3)
    l2n = tf.nn.l2_normalize(tf.constant(np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)), 1)
    return {"mean": m, "var": v, "bn": bn, "bn_g": tf.gradients(_wsum(tf, bn), [x, scale]),
            "fused": fused, "fused_mean": fm, "fused_var_bessel": fv,
            "fused_g": tf.gradients(_wsum(tf, fused), [x, scale, offset]), "l2n": l2n}


# --- tf.losses ---------------------------------------------------------------------------------

@program(atol=1e-5)
def losses_reductions(tf):
    R = tf.losses.Reduction
    out = {}
    p, lab, lg = tf.constant(PRED), tf.constant(LABEL), tf.constant(LOSS_LOGITS)
    onehot = tf.constant(np.eye(3, dtype=np.float32)[[0, 2, 1, 2]])
    for red_name in ("NONE", "SUM", "MEAN", "SUM_OVER_BATCH_SIZE", "SUM_BY_NONZERO_WEIGHTS"):
        red = getattr(R, red_name)
        w = tf.constant(W_ROW)
        out["mse_" + red_name] = tf.losses.mean_squared_error(lab, p, w, reduction=red)
        out["abs_" + red_name] = tf.losses.absolute_difference(lab, p, w, reduction=red)
        out["huber_" + red_name] = tf.losses.huber_loss(lab, p * 3, w, delta=0.7,
                                                        reduction=red)
        out["log_" + red_name] = tf.losses.log_loss(lab, p, w, reduction=red)
        out["hinge_" + red_name] = tf.losses.hinge_loss(lab, lg, w, reduction=red)
        out["sig_" + red_name] = tf.losses.sigmoid_cross_entropy(lab, lg, w,
                                                                 label_smoothing=0.2,
                                                                 reduction=red)
        out["soft_" + red_name] = tf.losses.softmax_cross_entropy(
            onehot, lg, tf.constant(W_ROW[:, 0]), label_smoothing=0.1, reduction=red)
        out["sparse_" + red_name] = tf.losses.sparse_softmax_cross_entropy(
            tf.constant(np.array([0, 2, 1, 2], np.int32)), lg, tf.constant(W_ROW[:, 0]),
            reduction=red)
    # reduction NONE losses are not scalars, so the total is over the scalar ones only
    out["total"] = tf.add_n([t for k, t in out.items() if not k.endswith("_NONE")])
    out["n_collected"] = tf.constant(len(tf.losses.get_losses()))
    return out


# --- tf.layers ---------------------------------------------------------------------------------

@program(copy_variables=True, rtol=1e-4, atol=1e-5)
def layers_dense_conv_pool(tf):
    x = tf.constant(IMG)
    c = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    c2 = tf.layers.conv2d(c, 2, (2, 1), strides=2, name="c2")
    p = tf.layers.max_pooling2d(c2, 2, 2, padding="same")
    f = tf.layers.flatten(p)
    d = tf.layers.dense(f, 3)
    d2 = tf.layers.dense(d, 2, activation=tf.tanh, use_bias=False)
    return {"c": c, "c2": c2, "p": p, "f": f, "d": d, "d2": d2,
            "g": tf.gradients(tf.reduce_sum(d2), tf.trainable_variables())}


@program(kind="train", steps=3, rtol=1e-4, atol=1e-5)
def layers_batch_norm_training(tf):
    x = tf.constant(IMG)
    y = tf.layers.batch_normalization(x, training=True, momentum=0.5)
    y2 = tf.layers.batch_normalization(tf.reshape(x, [2, -1]), training=False)
    train = tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    moving = {v.op.name: v for v in tf.global_variables() if "moving" in v.name}
    out = {"y": y, "y2": y2}
    out.update(moving)
    return train, out, None


# --- rnn ----------------------------------------------------------------------------------------

def _rnn_program(make_cell):
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 5, 4])
        lengths = tf.placeholder(tf.int32, [None])
        out, state = tf.nn.dynamic_rnn(make_cell(tf), x, sequence_length=lengths,
                                       dtype=tf.float32)
        flat = list(state) if isinstance(state, tuple) else [state]
        flat = [t for s in flat for t in (s if isinstance(s, tuple) else [s])]
        loss = tf.reduce_sum(out * out) + tf.add_n([tf.reduce_sum(s) for s in flat])
        return ({"out": out, "state": flat,
                 "g": tf.gradients(loss, [x] + tf.trainable_variables())},
                {x: SEQ, lengths: LENS})
    return build


_CELLS = {
    "rnn_basic_rnn": lambda tf: tf.nn.rnn_cell.BasicRNNCell(6),
    "rnn_basic_lstm": lambda tf: tf.nn.rnn_cell.BasicLSTMCell(6),
    "rnn_lstm_peephole_proj_clip": lambda tf: tf.nn.rnn_cell.LSTMCell(
        6, use_peepholes=True, num_proj=3, cell_clip=0.5, proj_clip=0.3),
    "rnn_gru": lambda tf: tf.nn.rnn_cell.GRUCell(6),
    "rnn_multi_lstm_gru": lambda tf: tf.nn.rnn_cell.MultiRNNCell(
        [tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.GRUCell(4)]),
}
for _name, _make in _CELLS.items():
    _b = _rnn_program(_make)
    _b.__name__ = _name
    # names=False: output op names of the unrolled loop differ from TF1's while-loop
    program(copy_variables=True, rtol=1e-4, atol=1e-5, names=False)(_b)


@program(copy_variables=True, rtol=1e-4, atol=1e-5, names=False)
def rnn_static_bidirectional(tf):
    xs = [tf.constant(SEQ[:, t]) for t in range(5)]
    outs, sf, sb = tf.nn.static_bidirectional_rnn(
        tf.nn.rnn_cell.BasicLSTMCell(3), tf.nn.rnn_cell.GRUCell(2), xs, dtype=tf.float32,
        sequence_length=tf.constant(LENS))
    return {"outs": outs, "sf": list(sf), "sb": sb}


# --- optimizers ---------------------------------------------------------------------------------

def _problem(tf):
    x = tf.constant(X)
    W = tf.Variable(W0, name="W")
    b = tf.Variable(np.zeros(4, np.float32), name="b")
    V = tf.Variable(V0, name="V")
    pred = tf.matmul(tf.tanh(tf.matmul(x, W) + b), V)
    return tf.reduce_mean(tf.square(pred - tf.constant(Y)))


OPTIMIZERS = {
    "sgd": lambda tf: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda tf: tf.train.MomentumOptimizer(0.05, 0.9),
    "momentum_nesterov": lambda tf: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
    "adam": lambda tf: tf.train.AdamOptimizer(0.05),
    "adam_custom": lambda tf: tf.train.AdamOptimizer(0.01, beta1=0.5, beta2=0.9, epsilon=1e-3),
    "rmsprop": lambda tf: tf.train.RMSPropOptimizer(0.01),
    "rmsprop_momentum": lambda tf: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5),
    "rmsprop_centered_momentum": lambda tf: tf.train.RMSPropOptimizer(
        0.01, momentum=0.9, centered=True, epsilon=1e-6),
    "adagrad": lambda tf: tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.5),
    "adadelta": lambda tf: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-4),
    "ftrl": lambda tf: tf.train.FtrlOptimizer(0.1),
    "ftrl_l1_l2": lambda tf: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                                    l2_regularization_strength=0.02),
    "ftrl_power_shrinkage": lambda tf: tf.train.FtrlOptimizer(
        0.2, learning_rate_power=-0.7, initial_accumulator_value=0.3,
        l1_regularization_strength=0.001, l2_shrinkage_regularization_strength=0.05),
}


def _optimizer_program(make):
    def build(tf):
        loss = _problem(tf)
        gs = tf.train.get_or_create_global_step()
        lr_probe = tf.train.exponential_decay(0.1, gs, 2, 0.5, staircase=True)
        train = make(tf).minimize(loss, global_step=gs)
        return train, {"loss": loss, "global_step": gs, "lr_probe": lr_probe}, None
    return build


for _name, _make in OPTIMIZERS.items():
    _b = _optimizer_program(_make)
    _b.__name__ = "optimizer_" + _name
    program(kind="train", steps=6, rtol=2e-5, atol=2e-6)(_b)


@program(kind="train", steps=5, rtol=1e-4, atol=1e-5, copy_variables=True)
def train_conv_bn_dense_adam(tf):
    x = tf.constant(IMG)
    h = tf.layers.conv2d(x, 4, 3, padding="same", use_bias=False)
    h = tf.nn.relu(tf.layers.batch_normalization(h, training=True))
    h = tf.layers.flatten(tf.layers.max_pooling2d(h, 2, 2))
    logits = tf.layers.dense(h, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(tf.constant(np.array([0, 2], np.int32)),
                                                  logits)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
    return train, {"loss": loss}, None


@program(kind="train", steps=4, rtol=1e-4, atol=1e-5, copy_variables=True)
def train_lstm_gru_rmsprop(tf):
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(5),
                                        tf.nn.rnn_cell.GRUCell(4)])
    _, state = tf.nn.dynamic_rnn(cell, tf.constant(SEQ), sequence_length=tf.constant(LENS),
                                 dtype=tf.float32)
    pred = tf.layers.dense(state[-1], 2)
    loss = tf.losses.mean_squared_error(tf.constant(SEQ[:, 0, :2]), pred)
    train = tf.train.RMSPropOptimizer(0.01, momentum=0.5).minimize(loss)
    return train, {"loss": loss}, None


# --- names --------------------------------------------------------------------------------------

@program(copy_variables=True, rtol=1e-4, atol=1e-5)
def names_layers_and_slots(tf):
    """Variable names are compared through copy_variables; these add op names."""
    x = tf.constant(IMG)
    with tf.variable_scope("net"):
        c = tf.layers.conv2d(x, 2, 3)
        d = tf.layers.dense(tf.layers.flatten(c), 3, name="logits")
        bn = tf.layers.batch_normalization(d)
    cell = tf.nn.rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2)
    tf.nn.dynamic_rnn(cell, tf.constant(SEQ), dtype=tf.float32)
    gru = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(2), tf.nn.rnn_cell.BasicRNNCell(2)])
    tf.nn.dynamic_rnn(gru, tf.constant(SEQ), dtype=tf.float32, scope="stack")
    loss = tf.reduce_sum(bn)
    gs = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer().minimize(loss, global_step=gs)
    train2 = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    return {"c": c, "d": d, "bn": bn, "train": train, "train2": train2}


# --- Keras (kind "keras": build(tf) -> (model, script); script(tf, model) -> {key: array}) ------

KX = _randn(30, 16, 6)
KY = np.eye(3, dtype=np.float32)[np.random.RandomState(31).randint(0, 3, 16)]
KIMG = _randn(32, 8, 6, 6, 2)
KIMG_Y = np.random.RandomState(33).randint(0, 3, 8)
KSEQ = _randn(34, 8, 5, 3)
KSEQ_Y = _randn(35, 8, 2)


def _fit_script(optimizer, loss, x, y, epochs=2, batch_size=4):
    def script(tf, model):
        opt = optimizer(tf) if callable(optimizer) else optimizer
        model.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
        hist = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
        acc = [v for k, v in hist.history.items() if k in ("acc", "accuracy")][0]
        out = {"loss_history": np.array(hist.history["loss"]), "acc_history": np.array(acc),
               "evaluate": np.array(model.evaluate(x, y, batch_size=8, verbose=0)),
               "predict": model.predict(x)}
        return out
    return script


def _keras_mlp(tf):
    return tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(6,)),
                                tf.keras.layers.Dense(3, activation="softmax")])


for _name, _opt in (("sgd", lambda tf: tf.keras.optimizers.SGD(0.1)),
                    ("sgd_nesterov", lambda tf: tf.keras.optimizers.SGD(0.05, momentum=0.9,
                                                                         nesterov=True)),
                    ("adam", lambda tf: tf.keras.optimizers.Adam(0.01)),
                    ("rmsprop", lambda tf: tf.keras.optimizers.RMSprop(0.01)),
                    ("adagrad", lambda tf: tf.keras.optimizers.Adagrad(0.1))):
    def _b(tf, _opt=_opt):
        return _keras_mlp(tf), _fit_script(_opt, "categorical_crossentropy", KX, KY)
    _b.__name__ = "keras_fit_mlp_" + _name
    program(kind="keras", rtol=2e-4, atol=2e-5)(_b)


@program(kind="keras", rtol=2e-4, atol=2e-5)
def keras_fit_cnn_batchnorm(tf):
    model = tf.keras.Sequential([
        # no conv bias: BN cancels it, so its gradient is rounding noise that Adam amplifies
        tf.keras.layers.Conv2D(3, 3, padding="same", use_bias=False, input_shape=(6, 6, 2)),
        tf.keras.layers.BatchNormalization(momentum=0.9),
        tf.keras.layers.Activation("relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(3, activation="softmax")])
    return model, _fit_script("adam", "sparse_categorical_crossentropy", KIMG, KIMG_Y,
                              batch_size=3)


@program(kind="keras", rtol=2e-4, atol=2e-5)
def keras_fit_lstm_gru(tf):
    model = tf.keras.Sequential([
        tf.keras.layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
        tf.keras.layers.GRU(3),
        tf.keras.layers.Dense(2)])

    def script(tf, model):
        model.compile(tf.keras.optimizers.RMSprop(0.01), "mse")
        hist = model.fit(KSEQ, KSEQ_Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        return {"loss_history": np.array(hist.history["loss"]), "predict": model.predict(KSEQ)}
    return model, script


def keras_weight_name(name):
    """TF 2.x Keras scopes RNN weights under the cell ('lstm/lstm_cell/kernel:0'); TF 1.15
    did not ('lstm/kernel:0', tensorflow issue #33776)."""
    for cell in ("/lstm_cell/", "/gru_cell/", "/simple_rnn_cell/"):
        name = name.replace(cell, "/")
    return name


def run_keras_program(tf, name, initial_values=None):
    spec = PROGRAMS[name]
    graph = tf.Graph()
    result = {"values": {}, "meta": {}, "initial": {}, "final": {}}
    with graph.as_default():
        sess = tf.Session(graph=graph)
        with sess.as_default():
            tf.keras.backend.set_session(sess)
            model, script = spec["build"](tf)
            names = [keras_weight_name(w.name) for w in model.weights]
            if initial_values:
                tf.keras.backend.batch_set_value([
                    (w, initial_values[n]) for w, n in zip(model.weights, names)
                    if n in initial_values])
            result["initial"] = dict(zip(names, tf.keras.backend.batch_get_value(
                model.weights)))
            result["values"] = {k: np.asarray(v) for k, v in script(tf, model).items()}
            result["final"] = dict(zip(names, tf.keras.backend.batch_get_value(
                model.weights)))
        sess.close()
    return result


# --- runner (library-agnostic) -------------------------------------------------------------------

def flatten(fetches):
    flat = {}
    for key, value in fetches.items():
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                flat["%s[%d]" % (key, i)] = item
        else:
            flat[key] = value
    return flat


def static_shape(t):
    if t.shape.ndims is None:
        return None
    return [d if d is None else int(d) for d in t.shape.as_list()]


def run_program(tf, name, initial_values=None):
    """Run PROGRAMS[name] with library ``tf``. Returns a dict with 'values' {key: array},
    'meta' {key: (tensor name, static shape, dtype)}, 'initial' {var name: array} (before
    training), 'final' {var name: array} (train programs)."""
    spec = PROGRAMS[name]
    if spec["kind"] == "keras":
        return run_keras_program(tf, name, initial_values)
    graph = tf.Graph()
    result = {"values": {}, "meta": {}, "initial": {}, "final": {}}
    with graph.as_default():
        if spec["kind"] == "fetch":
            built = spec["build"](tf)
            feed = None
            if isinstance(built, tuple):
                built, feed = built
            train_op = None
        else:
            train_op, built, feed = spec["build"](tf)
        flat = flatten(built)
        for key, value in list(flat.items()):
            if value is not None and hasattr(value, "indices") and hasattr(value, "dense_shape"):
                flat[key] = tf.convert_to_tensor(value)     # TF1's IndexedSlices gradients
        tensors = {k: v for k, v in flat.items() if v is not None and hasattr(v, "dtype")}
        ops = {k: v for k, v in flat.items() if v is not None and not hasattr(v, "dtype")}
        for key, t in tensors.items():
            result["meta"][key] = (t.name, static_shape(t), t.dtype.base_dtype.name)
        for key, op in ops.items():
            result["meta"][key] = (op.name, None, None)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            variables = tf.global_variables()
            if initial_values:
                by_name = {v.name: v for v in variables}
                for vname, value in initial_values.items():
                    if vname in by_name:
                        by_name[vname].load(value, sess)
            result["initial"] = dict(zip([v.name for v in variables], sess.run(variables)))
            if train_op is None:
                values = sess.run(tensors, feed_dict=feed)    # operations: names only
                result["values"] = {k: np.asarray(v) for k, v in values.items()}
            else:
                steps = []
                for _ in range(spec["steps"]):
                    steps.append(sess.run(tensors, feed_dict=feed))
                    sess.run(train_op, feed_dict=feed)
                steps.append(sess.run(tensors, feed_dict=feed))
                result["values"] = {k: np.stack([np.asarray(s[k]) for s in steps])
                                    for k in tensors}
                result["final"] = dict(zip([v.name for v in variables], sess.run(variables)))
    return result
