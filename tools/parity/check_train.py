"""Parity: tf.train optimizers (several steps on one problem: every variable and slot, by
name), slot/non-slot variable names, train-op names, global step, learning-rate schedules,
compute_gradients / apply_gradients details.

Run: ``/opt/tfref/bin/python tools/parity/check_train.py``.
"""
import numpy as np

from harness import Report, check, check_training, main_guard

R = np.random.RandomState(2)
X = R.randn(8, 3).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
W0 = R.randn(3, 4).astype(np.float32) * 0.5
V0 = R.randn(4, 1).astype(np.float32) * 0.5


def problem(tf):
    """A 2-layer net with a tanh; variables W, b, V with fixed initial values."""
    x = tf.constant(X)
    y = tf.constant(Y)
    W = tf.Variable(W0, name="W")
    b = tf.Variable(np.zeros(4, np.float32), name="b")
    V = tf.Variable(V0, name="V")
    pred = tf.matmul(tf.tanh(tf.matmul(x, W) + b), V)
    loss = tf.reduce_mean(tf.square(pred - y))
    return loss


# (label, constructor(tf) -> optimizer)
OPTIMIZERS = [
    ("GradientDescent", lambda tf: tf.train.GradientDescentOptimizer(0.1)),
    ("Momentum", lambda tf: tf.train.MomentumOptimizer(0.05, 0.9)),
    ("Momentum nesterov", lambda tf: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True)),
    ("Adam", lambda tf: tf.train.AdamOptimizer(0.05)),
    ("Adam eps/betas", lambda tf: tf.train.AdamOptimizer(0.01, beta1=0.5, beta2=0.9,
                                                          epsilon=1e-3)),
    ("RMSProp", lambda tf: tf.train.RMSPropOptimizer(0.01)),
    ("RMSProp momentum", lambda tf: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5)),
    ("RMSProp centered", lambda tf: tf.train.RMSPropOptimizer(0.01, centered=True)),
    ("RMSProp centered+momentum", lambda tf: tf.train.RMSPropOptimizer(
        0.01, momentum=0.9, centered=True, epsilon=1e-6)),
    ("Adagrad", lambda tf: tf.train.AdagradOptimizer(0.1)),
    ("Adagrad init_acc", lambda tf: tf.train.AdagradOptimizer(0.1,
                                                              initial_accumulator_value=0.5)),
    ("Adadelta", lambda tf: tf.train.AdadeltaOptimizer(1.0)),
    ("Adadelta rho/eps", lambda tf: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-4)),
    ("Ftrl", lambda tf: tf.train.FtrlOptimizer(0.1)),
    ("Ftrl l1/l2", lambda tf: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                                      l2_regularization_strength=0.02)),
    ("Ftrl power/init/shrinkage", lambda tf: tf.train.FtrlOptimizer(
        0.2, learning_rate_power=-0.7, initial_accumulator_value=0.3,
        l1_regularization_strength=0.001, l2_shrinkage_regularization_strength=0.05)),
    ("Ftrl power 0", lambda tf: tf.train.FtrlOptimizer(0.1, learning_rate_power=0.0,
                                                        l2_regularization_strength=0.01)),
]


def run(report):
    for label, make in OPTIMIZERS:
        def build(tf, make=make):
            loss = problem(tf)
            gs = tf.train.get_or_create_global_step()
            train = make(tf).minimize(loss, global_step=gs)
            return train, {"loss": loss, "step": gs}, None
        check_training(report, "optimizer " + label, build, steps=6, rtol=2e-5, atol=2e-6)

    # Optimizers with a tensor / schedule learning rate
    def build_sched(tf):
        loss = problem(tf)
        gs = tf.train.get_or_create_global_step()
        lr = tf.train.exponential_decay(0.1, gs, 2, 0.5, staircase=True)
        train = tf.train.MomentumOptimizer(lr, 0.9).minimize(loss, global_step=gs)
        return train, {"loss": loss, "lr": lr}, None
    check_training(report, "Momentum with exponential_decay staircase", build_sched, steps=6)

    def build_placeholder_lr(tf):
        loss = problem(tf)
        lr = tf.placeholder(tf.float32, [])
        train = tf.train.AdamOptimizer(lr).minimize(loss)
        return train, {"loss": loss}, {lr: 0.02}
    check_training(report, "Adam with placeholder learning rate", build_placeholder_lr, steps=4)

    def build_two_optimizers(tf):
        loss = problem(tf)
        a = tf.train.AdamOptimizer(0.01).minimize(loss)
        b = tf.train.AdamOptimizer(0.01, name="Adam2").minimize(loss)
        return tf.group(a, b), {"loss": loss}, None
    check_training(report, "two Adam optimizers (slot names W/Adam_2, beta1_power_1)",
                   build_two_optimizers, steps=3)

    def build_var_list(tf):
        loss = problem(tf)
        v = [x for x in tf.trainable_variables() if x.op.name == "V"]
        train = tf.train.RMSPropOptimizer(0.01, momentum=0.5).minimize(loss, var_list=v)
        return train, {"loss": loss}, None
    check_training(report, "RMSProp var_list subset", build_var_list, steps=3)

    def build_scoped(tf):
        with tf.variable_scope("net"):
            loss = problem(tf)
        with tf.name_scope("training"):
            train = tf.train.AdamOptimizer(0.01).minimize(loss)
        return train, {"loss": loss}, None
    check_training(report, "Adam under scopes (slot names)", build_scoped, steps=2)

    def build_apply(tf):
        loss = problem(tf)
        opt = tf.train.GradientDescentOptimizer(0.1)
        gv = opt.compute_gradients(loss)
        clipped = [(tf.clip_by_norm(g, 0.1), v) for g, v in gv]
        return opt.apply_gradients(clipped), {"loss": loss}, None
    check_training(report, "compute_gradients + clip + apply_gradients", build_apply, steps=4)

    def build_global_clip(tf):
        loss = problem(tf)
        opt = tf.train.AdamOptimizer(0.05)
        grads, variables = zip(*opt.compute_gradients(loss))
        grads, norm = tf.clip_by_global_norm(grads, 0.5)
        return opt.apply_gradients(zip(grads, variables)), {"loss": loss, "norm": norm}, None
    check_training(report, "clip_by_global_norm + Adam", build_global_clip, steps=4)

    def build_int_global_step(tf):
        loss = problem(tf)
        gs = tf.Variable(0, trainable=False, name="global_step")
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)
        return train, {"gs": gs}, None
    check_training(report, "manual int32 global_step", build_int_global_step, steps=3)

    # --- names of what minimize() builds -------------------------------------------------
    for label, make in OPTIMIZERS[:1] + OPTIMIZERS[1:2] + OPTIMIZERS[3:4] + OPTIMIZERS[5:6] + \
            OPTIMIZERS[9:10] + OPTIMIZERS[11:12] + OPTIMIZERS[13:14]:
        def names(tf, make=make):
            loss = problem(tf)
            opt = make(tf)
            gs = tf.train.get_or_create_global_step()
            train = opt.minimize(loss, global_step=gs)
            out = {"train_op": train, "gs": gs}
            for v in tf.trainable_variables():
                for slot in sorted(opt.get_slot_names()):
                    s = opt.get_slot(v, slot)
                    out["slot %s %s" % (v.op.name, slot)] = s
            return out
        check(report, "names: %s train op & slots" % label, names, rtol=1e-5)

    def get_name(tf):
        o = tf.train.AdamOptimizer()
        return {"n": tf.constant(o.get_name()), "slots": tf.constant(" ".join(
            sorted(o.get_slot_names())))}
    check(report, "optimizer get_name/get_slot_names", get_name, names=False)

    # --- learning-rate schedules --------------------------------------------------------------
    def schedules(tf):
        gs = tf.placeholder(tf.int64, [])
        out = {
            "exp": tf.train.exponential_decay(0.1, gs, 3, 0.9),
            "exp_stair": tf.train.exponential_decay(0.1, gs, 3, 0.9, staircase=True),
            "nat": tf.train.natural_exp_decay(0.1, gs, 3, 0.5),
            "nat_stair": tf.train.natural_exp_decay(0.1, gs, 3, 0.5, staircase=True),
            "inv": tf.train.inverse_time_decay(0.1, gs, 3, 0.5),
            "inv_stair": tf.train.inverse_time_decay(0.1, gs, 3, 0.5, staircase=True),
            "poly": tf.train.polynomial_decay(0.1, gs, 10, 0.01),
            "poly_pow": tf.train.polynomial_decay(0.1, gs, 10, 0.01, power=2.0),
            "poly_cycle": tf.train.polynomial_decay(0.1, gs, 4, 0.01, cycle=True),
            "cos": tf.train.cosine_decay(0.1, gs, 10),
            "cos_alpha": tf.train.cosine_decay(0.1, gs, 10, alpha=0.2),
            "pw": tf.train.piecewise_constant(gs, [3, 7], [1.0, 0.5, 0.1]),
        }
        return out
    for step in (0, 1, 3, 4, 7, 10, 15):
        def sched_at(tf, step=step):
            out = schedules(tf)
            gs = [p for p in tf.get_default_graph().get_operations()
                  if p.type == "Placeholder"][0].outputs[0]
            return out, {gs: step}
        # names: cosine_decay / piecewise_constant end in TF1-internal ops (Mul_3, case/cond)
        check(report, "lr schedules at step %d" % step, sched_at,
              names={"exp", "exp_stair", "nat", "nat_stair", "inv", "inv_stair", "poly",
                     "poly_pow", "poly_cycle"} if step == 0 else False)

    def pw_int(tf):
        gs = tf.constant(5, tf.int32)
        return {"pw_int": tf.train.piecewise_constant(gs, [3, 7], [10, 20, 30]),
                "pw_f": tf.train.piecewise_constant(gs, [5, 7], [0.1, 0.2, 0.3])}
    check(report, "piecewise_constant ints / boundary equality", pw_int, names=False)

    def gstep(tf):
        gs = tf.train.get_or_create_global_step()
        gs2 = tf.train.get_global_step()
        return {"gs": gs, "gs2": gs2, "gs_read": tf.train.global_step(tf.get_default_session()
                                                                      or tf.Session(), gs)
                if False else gs}
    check(report, "global step variable (name, dtype int64, shape)", gstep)


if __name__ == "__main__":
    rep = Report("training")
    run(rep)
    main_guard(rep)
