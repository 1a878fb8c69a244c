"""Parity: tf.losses (every loss, every reduction, weights broadcasting, collections) and
tf.layers (dense / conv2d / pooling / flatten / dropout / batch_normalization in training and
inference, UPDATE_OPS, variable and op names, reuse) with TF1's initial weights copied in.

Run: ``/opt/tfref/bin/python tools/parity/check_losses_layers.py``.
"""
import numpy as np

from harness import Report, check, check_training, main_guard

R = np.random.RandomState(3)
PRED = R.rand(4, 3).astype(np.float32)
LABEL = (R.rand(4, 3) > 0.5).astype(np.float32)
LOGITS = (R.randn(4, 3) * 3).astype(np.float32)
LOGITS[0, 0] = 60.0
LOGITS[1, 1] = -80.0
W_FULL = R.rand(4, 3).astype(np.float32)
W_ROW = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)
W_ZERO = np.zeros((4, 1), np.float32)
SPARSE = np.array([0, 2, 1, 2], np.int32)
ONEHOT = np.eye(3, dtype=np.float32)[SPARSE]
IMG = R.randn(2, 8, 8, 3).astype(np.float32)

REDUCTIONS = ["none", "sum", "mean", "sum_over_batch_size", "sum_by_nonzero_weights",
              "weighted_sum_by_nonzero_weights"]


def run(report):
    for red in REDUCTIONS:
        for wname, weights in (("w=1", 1.0), ("w=row", W_ROW), ("w=full", W_FULL),
                               ("w=0", W_ZERO)):
            def losses(tf, red=red, weights=weights):
                reduction = {"none": tf.losses.Reduction.NONE, "sum": tf.losses.Reduction.SUM,
                             "mean": tf.losses.Reduction.MEAN,
                             "sum_over_batch_size": tf.losses.Reduction.SUM_OVER_BATCH_SIZE,
                             "sum_by_nonzero_weights":
                                 tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS,
                             "weighted_sum_by_nonzero_weights":
                                 getattr(tf.losses.Reduction, "SUM_BY_NONZERO_WEIGHTS")}[red]
                p = tf.constant(PRED)
                lab = tf.constant(LABEL)
                lg = tf.constant(LOGITS)
                w = tf.constant(weights) if not np.isscalar(weights) else weights
                row_w = tf.constant(W_ROW[:, 0]) if not np.isscalar(weights) else weights
                out = {
                    "abs": tf.losses.absolute_difference(lab, p, w, reduction=reduction),
                    "mse": tf.losses.mean_squared_error(lab, p, w, reduction=reduction),
                    "huber": tf.losses.huber_loss(lab, p * 3, w, delta=0.7, reduction=reduction),
                    "log": tf.losses.log_loss(lab, p, w, reduction=reduction),
                    "hinge": tf.losses.hinge_loss(lab, lg, w, reduction=reduction),
                    "cos": tf.losses.cosine_distance(tf.nn.l2_normalize(lab + 0.1, 1),
                                                     tf.nn.l2_normalize(p, 1), axis=1,
                                                     weights=row_w if np.isscalar(weights)
                                                     else tf.constant(W_ROW),
                                                     reduction=reduction),
                    "sig": tf.losses.sigmoid_cross_entropy(lab, lg, w, reduction=reduction),
                    "sig_ls": tf.losses.sigmoid_cross_entropy(lab, lg, w, label_smoothing=0.2,
                                                              reduction=reduction),
                    "soft": tf.losses.softmax_cross_entropy(tf.constant(ONEHOT), lg, row_w,
                                                            reduction=reduction),
                    "soft_ls": tf.losses.softmax_cross_entropy(tf.constant(ONEHOT), lg, row_w,
                                                               label_smoothing=0.1,
                                                               reduction=reduction),
                    "sparse": tf.losses.sparse_softmax_cross_entropy(
                        tf.constant(SPARSE), lg, row_w, reduction=reduction),
                }
                grads = tf.gradients(tf.add_n([tf.reduce_sum(v) for v in out.values()]),
                                     [p, lg])
                out["g"] = grads
                if red != "none":     # unreduced losses have different shapes: no add_n
                    out["collection"] = tf.add_n(tf.losses.get_losses())
                    out["total"] = tf.losses.get_total_loss()
                return out
            check(report, "tf.losses %s %s" % (red, wname), losses, rtol=1e-5, atol=1e-5,
                  names=(red == "sum_by_nonzero_weights" and wname == "w=row"))

    def loss_scope(tf):
        with tf.name_scope("scope"):
            l1 = tf.losses.mean_squared_error(tf.constant(LABEL), tf.constant(PRED),
                                              loss_collection="my_losses")
        l2 = tf.losses.log_loss(tf.constant(LABEL), tf.constant(PRED), epsilon=1e-3,
                                scope="mine")
        return {"l1": l1, "l2": l2, "coll": tf.add_n(tf.get_collection("my_losses")),
                "n_losses": tf.constant(len(tf.losses.get_losses()))}
    check(report, "tf.losses scope/loss_collection/epsilon", loss_scope)

    def regularization(tf):
        x = tf.constant(PRED)
        y = tf.layers.dense(x, 2, kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1)
                            if hasattr(tf, "contrib") else (lambda w: 0.1 * tf.nn.l2_loss(w)),
                            bias_regularizer=lambda b: tf.reduce_sum(tf.abs(b)) * 0.3,
                            bias_initializer=tf.constant_initializer(0.5))
        mse = tf.losses.mean_squared_error(tf.zeros_like(y), y)
        return {"y": y, "reg": tf.losses.get_regularization_loss(),
                "regs": tf.losses.get_regularization_losses(),
                "total": tf.losses.get_total_loss(),
                "total_noreg": tf.losses.get_total_loss(add_regularization_losses=False),
                "mse": mse}
    check(report, "regularization losses & total loss", regularization, copy_variables=True)

    # --- tf.layers ---------------------------------------------------------------------------
    def dense(tf):
        x = tf.placeholder(tf.float32, [None, 3])
        h = tf.layers.dense(x, 5, activation=tf.nn.relu)
        h2 = tf.layers.dense(h, 4, use_bias=False, name="out")
        h3 = tf.layers.dense(h, 2, activation=tf.tanh)
        h4 = tf.layers.dense(tf.placeholder_with_default(IMG[:, 0, :, :], [None, 8, 3]), 2)
        g = tf.gradients(tf.reduce_sum(h2) + tf.reduce_sum(h3), tf.trainable_variables())
        return {"h": h, "h2": h2, "h3": h3, "h4": h4, "g": g}, {x: PRED}
    check(report, "tf.layers.dense (names, rank-3 input, grads)", dense, copy_variables=True)

    def dense_class(tf):
        x = tf.constant(PRED)
        layer = tf.layers.Dense(3, name="shared")
        a = layer(x)
        b = layer(x * 2.0)
        with tf.variable_scope("block"):
            c = tf.layers.dense(x, 2)
        with tf.variable_scope("block", reuse=True):
            d = tf.layers.dense(x * 2.0, 2)
        return {"a": a, "b": b, "c": c, "d": d, "kernel": layer.kernel,
                "n_trainable": tf.constant(len(tf.trainable_variables()))}
    check(report, "tf.layers.Dense reuse / variable_scope", dense_class, copy_variables=True)

    for padding in ("same", "valid"):
        for strides, dil in ((1, 1), (2, 1), ((2, 1), 1), (1, 2)):
            def conv(tf, padding=padding, strides=strides, dil=dil):
                x = tf.constant(IMG)
                y = tf.layers.conv2d(x, 4, 3, strides=strides, padding=padding,
                                     dilation_rate=dil, activation=tf.nn.relu)
                y2 = tf.layers.conv2d(y, 2, (2, 1), name="c2")
                return {"y": y, "y2": y2, "g": tf.gradients(tf.reduce_sum(y2),
                                                            tf.trainable_variables() + [x])}
            check(report, "tf.layers.conv2d %s s%s d%s" % (padding, strides, dil), conv,
                  copy_variables=True, rtol=1e-4, atol=1e-4)

    def pooling(tf):
        x = tf.constant(IMG)
        return {"mp": tf.layers.max_pooling2d(x, 2, 2), "mp_same": tf.layers.max_pooling2d(
            x, 3, 2, padding="same"), "ap": tf.layers.average_pooling2d(x, (3, 2), (1, 2)),
            "ap_same": tf.layers.average_pooling2d(x, 3, 3, padding="same"),
            "flat": tf.layers.flatten(x), "MP": tf.layers.MaxPooling2D(2, 2)(x)}
    check(report, "tf.layers pooling/flatten", pooling)

    def flatten_none(tf):
        x = tf.placeholder(tf.float32, [None, 8, 8, 3])
        return {"flat": tf.layers.flatten(x)}, {x: IMG}
    check(report, "tf.layers.flatten None batch", flatten_none)

    def dropout(tf):
        x = tf.ones([300, 40])
        d_train = tf.layers.dropout(x, 0.3, training=True)
        d_eval = tf.layers.dropout(x, 0.3)
        ph = tf.placeholder(tf.bool, [])
        d_ph = tf.layers.dropout(x, 0.5, training=ph)
        return {"max": tf.reduce_max(d_train), "eval": d_eval,
                "frac": tf.reduce_mean(tf.cast(tf.equal(d_train, 0.0), tf.float32)),
                "ph_max": tf.reduce_max(d_ph)}, {ph: True}
    check(report, "tf.layers.dropout (rate, training flag)", dropout, names={"eval"},
          tolerances={"frac": (0, 0.02)})

    for training in (True, False):
        for axis, fused in ((-1, None), (-1, False), (1, None)):
            def bn(tf, training=training, axis=axis, fused=fused):
                x = tf.constant(IMG)
                kwargs = {} if fused is None else {"fused": fused}
                y = tf.layers.batch_normalization(x, axis=axis, training=training,
                                                  momentum=0.9, **kwargs)
                y2 = tf.layers.batch_normalization(tf.reshape(x, [2, -1]) * 2.0,
                                                   training=training, center=False,
                                                   scale=False, epsilon=0.01)
                updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
                with tf.control_dependencies(updates):
                    y_dep = tf.identity(y)
                grads = tf.gradients(tf.reduce_sum(y * y), [x] + tf.trainable_variables())
                return {"y": y_dep, "y2": y2, "n_updates": tf.constant(len(updates)), "g": grads,
                        "vars": tf.constant(" ".join(sorted(v.name for v in
                                                            tf.global_variables()))),
                        "trainable": tf.constant(" ".join(sorted(
                            v.name for v in tf.trainable_variables())))}
            check(report, "tf.layers.batch_normalization training=%s axis=%s fused=%s" % (
                training, axis, fused), bn, rtol=1e-4, atol=1e-4, names={"y2"})

    def bn_moving(tf):
        x = tf.constant(IMG)
        training = tf.placeholder_with_default(True, [])
        y = tf.layers.batch_normalization(x, training=training, momentum=0.5)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train = tf.no_op()
        mv = [v for v in tf.global_variables() if "moving" in v.name]
        return train, {"mm": mv[0], "mv": mv[1], "y": y}, None
    check_training(report, "batch_normalization moving averages over 3 steps", bn_moving,
                   steps=3, rtol=1e-4, atol=1e-5)

    def bn_train(tf):
        x = tf.constant(IMG)
        # no conv bias: BN cancels it, so its gradient is rounding noise that Adam amplifies
        h = tf.layers.conv2d(x, 4, 3, padding="same", use_bias=False)
        h = tf.layers.batch_normalization(h, training=True)
        h = tf.nn.relu(h)
        h = tf.layers.flatten(tf.layers.max_pooling2d(h, 2, 2))
        logits = tf.layers.dense(h, 3)
        loss = tf.losses.sparse_softmax_cross_entropy(tf.constant(np.array([0, 2], np.int32)),
                                                      logits)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train = tf.train.AdamOptimizer(0.01).minimize(loss)
        return train, {"loss": loss}, None
    check_training(report, "conv+BN+dense net trained with Adam (copied weights)", bn_train,
                   steps=4, rtol=2e-4, atol=2e-5, copy_variables=True)

    def layer_names(tf):
        x = tf.constant(IMG)
        c = tf.layers.conv2d(x, 2, 3)
        p = tf.layers.max_pooling2d(c, 2, 2)
        f = tf.layers.flatten(p)
        d = tf.layers.dense(f, 3)
        d2 = tf.layers.dense(d, 3, activation=tf.nn.relu)
        bn = tf.layers.batch_normalization(d2)
        dr = tf.layers.dropout(bn, training=True)
        return {"c": c, "p": p, "f": f, "d": d, "d2": d2, "bn": bn, "dr_shape": tf.shape(dr)}
    check(report, "tf.layers output op names", layer_names, copy_variables=True,
          rtol=1e-4, atol=1e-4, names={"c", "p", "f", "d", "d2", "bn"})


if __name__ == "__main__":
    rep = Report("losses/layers")
    run(rep)
    main_guard(rep)
