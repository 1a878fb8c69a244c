"""Parity: tf.nn (activations, softmax, cross-entropies with extreme logits, conv/pool in every
padding/stride/dilation/layout, conv2d_transpose, moments, batch norm, dropout, l2_normalize,
embeddings) - values, shapes, dtypes, names and gradients.

Run: ``/opt/tfref/bin/python tools/parity/check_nn.py``.
"""
import numpy as np

from harness import Report, check, main_guard

R = np.random.RandomState(1)
LOGITS = np.array([[2.0, 1.0, 0.1, -1.0], [1000.0, -1000.0, 0.0, 5.0],
                   [-200.0, -200.0, -200.0, -200.0], [0.0, 0.0, 0.0, 0.0]], np.float32)
PROBS = np.array([[0.7, 0.2, 0.1, 0.0], [0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25],
                  [1.0, 0.0, 0.0, 0.0]], np.float32)
SPARSE = np.array([0, 1, 3, 2], np.int32)
IMG = R.randn(2, 7, 6, 3).astype(np.float32)
FILT = R.randn(3, 2, 3, 4).astype(np.float32)


def wsum(tf, y):
    shape = y.shape.as_list()
    w = np.linspace(0.5, 1.5, int(np.prod(shape))).astype(np.float32).reshape(shape)
    return tf.reduce_sum(y * w)


def grad(tf, y, xs):
    return tf.gradients(wsum(tf, y), xs)


def run(report):
    def activations(tf):
        x = tf.constant(np.array([[-3.0, -0.5, 0.0, 0.5, 3.0, 7.0]], np.float32))
        out = {}
        for name in ("relu", "relu6", "elu", "selu", "softplus", "softsign", "sigmoid", "tanh",
                     "leaky_relu"):
            y = getattr(tf.nn, name)(x)
            out[name] = y
            out[name + "_g"] = grad(tf, y, [x])
        out["leaky_relu_a"] = tf.nn.leaky_relu(x, alpha=0.1)
        out["softplus_big"] = tf.nn.softplus(tf.constant(np.array([-100.0, 100.0, 30.0],
                                                                  np.float32)))
        return out
    check(report, "activations + grads", activations)

    def relu_at_zero(tf):
        x = tf.constant(np.array([0.0, 6.0, -0.0], np.float32))
        return {"relu_g": tf.gradients(tf.reduce_sum(tf.nn.relu(x)), [x]),
                "relu6_g": tf.gradients(tf.reduce_sum(tf.nn.relu6(x)), [x]),
                "elu_g": tf.gradients(tf.reduce_sum(tf.nn.elu(x)), [x]),
                "lrelu_g": tf.gradients(tf.reduce_sum(tf.nn.leaky_relu(x)), [x]),
                "abs_g": tf.gradients(tf.reduce_sum(tf.abs(x)), [x])}
    check(report, "relu-family gradients at kinks", relu_at_zero)

    def softmaxes(tf):
        x = tf.constant(LOGITS)
        s = tf.nn.softmax(x)
        ls = tf.nn.log_softmax(x)
        s0 = tf.nn.softmax(x, axis=0)
        return {"softmax": s, "log_softmax": ls, "softmax_ax0": s0,
                "dim": tf.nn.softmax(x, dim=0), "ls_ax0": tf.nn.log_softmax(x, axis=0),
                "s_g": grad(tf, s, [x]), "ls_g": grad(tf, ls, [x]), "s0_g": grad(tf, s0, [x]),
                "logsumexp": tf.reduce_logsumexp(x, 1)}
    check(report, "softmax/log_softmax extremes", softmaxes)

    def softmax_3d(tf):
        x = tf.placeholder(tf.float32, [None, 3, 4])
        y = tf.nn.softmax(x, axis=1)
        return ({"y": y, "ls": tf.nn.log_softmax(x), "g": tf.gradients(tf.reduce_sum(y * y),
                                                                         [x])},
                {x: np.random.randn(2, 3, 4).astype(np.float32)})
    check(report, "softmax rank-3 axis=1 with None batch", softmax_3d)

    def xent(tf):
        logits = tf.constant(LOGITS)
        labels = tf.constant(PROBS)
        sp = tf.constant(SPARSE)
        v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
        v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        sps = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sp, logits=logits)
        sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        wce = tf.nn.weighted_cross_entropy_with_logits(labels, logits, 2.5)
        return {"v2": v2, "v1": v1, "sparse": sps, "sigmoid": sig, "weighted": wce,
                "v2_g": grad(tf, v2, [logits, labels]), "v1_g": grad(tf, v1, [logits]),
                "sparse_g": grad(tf, sps, [logits]), "sig_g": grad(tf, sig, [logits, labels]),
                "wce_g": grad(tf, wce, [logits, labels])}
    check(report, "cross-entropies with extreme logits", xent)

    def xent_axis(tf):
        logits = tf.constant(LOGITS.T.copy())
        labels = tf.constant(PROBS.T.copy())
        return {"v2_dim0": tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=labels, logits=logits, axis=0),
            "v2_3d": tf.nn.softmax_cross_entropy_with_logits_v2(
                labels=tf.reshape(labels, [2, 2, 4]), logits=tf.reshape(logits, [2, 2, 4])),
            "sparse_3d": tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=tf.constant(np.array([[0, 1], [3, 2]], np.int64)),
                logits=tf.reshape(logits, [2, 2, 4]))}
    check(report, "cross-entropy axis / rank-3", xent_axis)

    def xent_ph(tf):
        logits = tf.placeholder(tf.float32, [None, 4])
        labels = tf.placeholder(tf.int32, [None])
        y = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        return {"y": y}, {logits: LOGITS, labels: SPARSE}
    check(report, "sparse xent None batch", xent_ph)

    def xent_v1_label_grad(tf):
        # v1 stops gradients into labels; v2 does not
        logits = tf.constant(LOGITS[:1])
        labels = tf.constant(PROBS[:1])
        v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        return {"g": tf.gradients(v1, [labels])}
    check(report, "softmax xent v1 label gradient", xent_v1_label_grad)

    def l2(tf):
        x = tf.constant(np.array([[3.0, 4.0], [0.0, 0.0], [1e-8, 0.0]], np.float32))
        y = tf.nn.l2_normalize(x, axis=1)
        y0 = tf.nn.l2_normalize(x, 0, epsilon=1e-3)
        return {"y": y, "y0": y0, "dim": tf.nn.l2_normalize(x, dim=1), "l2loss": tf.nn.l2_loss(x),
                "g": grad(tf, y, [x]), "g0": grad(tf, y0, [x]),
                "l2loss_g": tf.gradients(tf.nn.l2_loss(x), [x])}
    check(report, "l2_normalize (zero rows, eps) / l2_loss", l2)

    def moments(tf):
        x = tf.constant(IMG)
        m, v = tf.nn.moments(x, axes=[0, 1, 2])
        mk, vk = tf.nn.moments(x, [1], keep_dims=True)
        return {"m": m, "v": v, "mk": mk, "vk": vk, "g": tf.gradients(wsum(tf, v) + wsum(tf, m),
                                                                       [x])}
    check(report, "moments", moments)

    def batch_norm(tf):
        x = tf.constant(IMG)
        mean = tf.constant(np.random.randn(3).astype(np.float32))
        var = tf.constant(np.random.rand(3).astype(np.float32) + 0.5)
        off = tf.constant(np.random.randn(3).astype(np.float32))
        sc = tf.constant(np.random.randn(3).astype(np.float32))
        y = tf.nn.batch_normalization(x, mean, var, off, sc, 1e-3)
        y_none = tf.nn.batch_normalization(x, mean, var, None, None, 1e-3)
        return {"y": y, "y_none": y_none, "g": grad(tf, y, [x, mean, var, off, sc])}
    check(report, "batch_normalization", batch_norm, rtol=1e-4, atol=1e-5)

    def fused_bn(tf):
        x = tf.constant(IMG)
        sc = tf.constant(np.random.rand(3).astype(np.float32) + 0.5)
        off = tf.constant(np.random.randn(3).astype(np.float32))
        y, bm, bv = tf.nn.fused_batch_norm(x, sc, off, epsilon=1e-3)
        mean = tf.constant(np.random.randn(3).astype(np.float32))
        var = tf.constant(np.random.rand(3).astype(np.float32) + 0.5)
        yi, _, _ = tf.nn.fused_batch_norm(x, sc, off, mean, var, is_training=False)
        return {"y": y, "mean": bm, "var": bv, "yi": yi,
                "g": grad(tf, y, [x, sc, off]), "gi": grad(tf, yi, [x, sc, off])}
    check(report, "fused_batch_norm train (bessel var) / inference", fused_bn,
          rtol=1e-4, atol=1e-4)

    def dropout(tf):
        x = tf.ones([200, 50])
        d = tf.nn.dropout(x, keep_prob=0.8)
        d_rate = tf.nn.dropout(x, rate=0.25)
        kept = tf.cast(tf.not_equal(d, 0.0), tf.float32)
        return {"max": tf.reduce_max(d), "min_nonzero": tf.reduce_min(tf.where(
            d > 0, d, tf.fill(tf.shape(d), 9.0))), "rate_max": tf.reduce_max(d_rate),
            "d_shape": tf.shape(d), "d_name_dummy": d * 0.0,
            "keep1": tf.nn.dropout(x, keep_prob=1.0)}
    check(report, "dropout scaling (1/keep_prob)", dropout, names=False)

    def dropout_frac(tf):
        x = tf.ones([400, 100])
        d = tf.nn.dropout(x, keep_prob=0.7)
        frac = tf.reduce_mean(tf.cast(tf.equal(d, 0.0), tf.float32))
        return {"frac": frac}
    check(report, "dropout drop fraction ~0.3", dropout_frac, rtol=0, atol=0.01)

    def dropout_ns(tf):
        x = tf.ones([4, 5, 3])
        d = tf.nn.dropout(x, keep_prob=0.5, noise_shape=[4, 1, 3])
        # columns along axis 1 share a mask: each [i, :, k] slice is all zero or all 2
        spread = tf.reduce_max(d, 1) - tf.reduce_min(d, 1)
        return {"spread": spread, "shape": tf.shape(d)}
    check(report, "dropout noise_shape", dropout_ns, names=False)

    def bias(tf):
        x = tf.constant(IMG)
        b = tf.constant(np.array([1.0, -2.0, 0.5], np.float32))
        y = tf.nn.bias_add(x, b)
        xt = tf.transpose(x, [0, 3, 1, 2])
        y2 = tf.nn.bias_add(xt, b, data_format="NCHW")
        w = tf.constant(np.random.randn(3, 5).astype(np.float32))
        xw = tf.nn.xw_plus_b(tf.constant(np.random.randn(4, 3).astype(np.float32)), w,
                             tf.constant(np.arange(5, dtype=np.float32)))
        return {"y": y, "y2": y2, "g": grad(tf, y, [x, b]), "g2": grad(tf, y2, [b]),
                "xw": xw}
    check(report, "bias_add NHWC/NCHW, xw_plus_b", bias)

    # --- convolution -----------------------------------------------------------------------
    for padding in ("SAME", "VALID"):
        for strides in ([1, 1, 1, 1], [1, 2, 3, 1]):
            def conv(tf, padding=padding, strides=strides):
                x = tf.constant(IMG)
                f = tf.constant(FILT)
                y = tf.nn.conv2d(x, f, strides, padding)
                return {"y": y, "g": grad(tf, y, [x, f])}
            check(report, "conv2d %s strides %s" % (padding, strides[1:3]), conv,
                  rtol=1e-4, atol=1e-4)

    for padding in ("SAME", "VALID"):
        def conv_dil(tf, padding=padding):
            x = tf.constant(IMG)
            f = tf.constant(FILT)
            y = tf.nn.conv2d(x, f, [1, 1, 1, 1], padding, dilations=[1, 2, 2, 1])
            return {"y": y, "g": grad(tf, y, [x, f])}
        check(report, "conv2d dilation 2 %s" % padding, conv_dil, rtol=1e-4, atol=1e-4)

    def conv_nchw(tf):
        x = tf.constant(IMG.transpose(0, 3, 1, 2).copy())
        f = tf.constant(FILT)
        y = tf.nn.conv2d(x, f, [1, 1, 2, 2], "SAME", data_format="NCHW")
        return {"y": y, "g": grad(tf, y, [x, f])}
    check(report, "conv2d NCHW (TF1 CPU may refuse)", conv_nchw, rtol=1e-4, atol=1e-4)

    def conv_ph(tf):
        x = tf.placeholder(tf.float32, [None, None, None, 3])
        x2 = tf.placeholder(tf.float32, [None, 7, 6, 3])
        f = tf.constant(FILT)
        return ({"y": tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME"),
                 "y2": tf.nn.conv2d(x2, f, [1, 2, 2, 1], "VALID"),
                 "mp": tf.nn.max_pool(x2, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")},
                {x: IMG, x2: IMG})
    check(report, "conv/pool static shapes with None dims", conv_ph, rtol=1e-4, atol=1e-4)

    def conv_filter_shape_arg(tf):
        x = tf.constant(IMG)
        f = tf.constant(FILT)
        return {"y": tf.nn.conv2d(input=x, filter=f, strides=[1, 1, 1, 1], padding="SAME",
                                  use_cudnn_on_gpu=True, name="myconv")}
    check(report, "conv2d keyword args & name", conv_filter_shape_arg, rtol=1e-4, atol=1e-4)

    for padding in ("SAME", "VALID"):
        for ksize, strides in (([1, 2, 2, 1], [1, 2, 2, 1]), ([1, 3, 3, 1], [1, 2, 1, 1]),
                               ([1, 3, 2, 1], [1, 1, 1, 1])):
            def pools(tf, padding=padding, ksize=ksize, strides=strides):
                x = tf.constant(IMG)
                mp = tf.nn.max_pool(x, ksize, strides, padding)
                ap = tf.nn.avg_pool(x, ksize, strides, padding)
                return {"mp": mp, "ap": ap, "mp_g": grad(tf, mp, [x]), "ap_g": grad(tf, ap, [x])}
            check(report, "pool %s k%s s%s" % (padding, ksize[1:3], strides[1:3]), pools,
                  rtol=1e-5, atol=1e-5)

    def maxpool_ties(tf):
        x = tf.constant(np.ones((1, 4, 4, 1), np.float32))
        mp = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        mp_ov = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
        return {"g": tf.gradients(tf.reduce_sum(mp), [x]),
                "g_ov": tf.gradients(tf.reduce_sum(mp_ov), [x])}
    check(report, "max_pool gradient with ties", maxpool_ties)

    def pool_nchw(tf):
        x = tf.constant(IMG.transpose(0, 3, 1, 2).copy())
        return {"mp": tf.nn.max_pool(x, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW"),
                "ap": tf.nn.avg_pool(x, [1, 1, 2, 2], [1, 1, 2, 2], "VALID", data_format="NCHW")}
    check(report, "pools NCHW (TF1 CPU may refuse)", pool_nchw)

    for padding in ("SAME", "VALID"):
        for out_hw, strides in (((14, 12), [1, 2, 2, 1]), ((13, 11), [1, 2, 2, 1]),
                                ((7, 6), [1, 1, 1, 1])):
            def convt(tf, padding=padding, out_hw=out_hw, strides=strides):
                if padding == "VALID":
                    out_hw = ((7 - 1) * strides[1] + 3, (6 - 1) * strides[2] + 2)
                x = tf.constant(IMG[..., :].repeat(1, axis=3)[..., :3])
                # conv2d_transpose filter: [h, w, out_channels, in_channels]
                f = tf.constant(np.random.randn(3, 2, 5, 3).astype(np.float32))
                y = tf.nn.conv2d_transpose(x, f, [2, out_hw[0], out_hw[1], 5], strides, padding)
                return {"y": y, "g": grad(tf, y, [x, f])}
            check(report, "conv2d_transpose %s out%s s%s" % (padding, out_hw, strides[1:3]),
                  convt, rtol=1e-4, atol=1e-4)

    def convt_dyn(tf):
        x = tf.placeholder(tf.float32, [None, 7, 6, 3])
        f = tf.constant(np.random.randn(3, 3, 4, 3).astype(np.float32))
        out_shape = tf.stack([tf.shape(x)[0], 14, 12, 4])
        y = tf.nn.conv2d_transpose(x, f, out_shape, [1, 2, 2, 1], "SAME")
        return {"y": y}, {x: IMG}
    check(report, "conv2d_transpose dynamic output_shape", convt_dyn, rtol=1e-4, atol=1e-4)

    def conv_backprops(tf):
        x = tf.constant(IMG)
        f = tf.constant(FILT)
        dy = tf.constant(np.random.randn(2, 4, 3, 4).astype(np.float32))
        return {"bi": tf.nn.conv2d_backprop_input([2, 7, 6, 3], f, dy, [1, 2, 2, 1], "SAME"),
                "bf": tf.nn.conv2d_backprop_filter(x, [3, 2, 3, 4], dy, [1, 2, 2, 1], "SAME")}
    check(report, "conv2d_backprop_input/filter", conv_backprops, rtol=1e-4, atol=1e-4)

    def embed(tf):
        params = tf.constant(np.random.randn(6, 3).astype(np.float32))
        ids = tf.constant(np.array([[0, 5], [2, 2]], np.int32))
        e = tf.nn.embedding_lookup(params, ids)
        e_norm = tf.nn.embedding_lookup(params, ids, max_norm=0.5)
        e_list = tf.nn.embedding_lookup([params[:3], params[3:]], tf.constant(
            np.array([0, 1, 4, 5], np.int32)))
        return {"e": e, "e_norm": e_norm, "e_list": e_list, "g": grad(tf, e, [params])}
    check(report, "embedding_lookup (max_norm, sharded mod)", embed)

    def names(tf):
        x = tf.constant(IMG)
        f = tf.constant(FILT)
        lg = tf.constant(LOGITS)
        return {"conv": tf.nn.conv2d(x, f, [1, 1, 1, 1], "SAME"),
                "mp": tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
                "ap": tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
                "relu": tf.nn.relu(lg), "softmax": tf.nn.softmax(lg),
                "xent": tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.constant(PROBS),
                                                                   logits=lg),
                "sxent": tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=tf.constant(SPARSE), logits=lg),
                "sig": tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(PROBS),
                                                               logits=lg),
                "l2n": tf.nn.l2_normalize(lg, 1), "l2": tf.nn.l2_loss(lg),
                "bias": tf.nn.bias_add(lg, tf.constant(np.ones(4, np.float32))),
                "moments_m": tf.nn.moments(lg, [0])[0], "moments_v": tf.nn.moments(lg, [0])[1],
                "lsm": tf.nn.log_softmax(lg), "lrelu": tf.nn.leaky_relu(lg),
                "emb": tf.nn.embedding_lookup(lg, tf.constant(np.array([1]))),
                "topk_v": tf.nn.top_k(lg, 2)[0]}
    check(report, "nn default op names", names, rtol=1e-4, atol=1e-4)


if __name__ == "__main__":
    rep = Report("nn ops")
    run(rep)
    main_guard(rep)
