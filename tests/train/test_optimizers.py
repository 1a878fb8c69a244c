"""Optimizers: several steps of every TF1 update rule vs numpy, slots, names, dtypes, API."""
import numpy as np
import pytest

import tfone as tf

RNG = np.random.RandomState(7)
SHAPE = (2, 3)
INIT = RNG.randn(*SHAPE)
GRADS = [RNG.randn(*SHAPE) for _ in range(5)]


# -- numpy references (TF1's formulas, written out) ------------------------------------------------
class SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, w, g):
        return w - self.lr * g


class Momentum:
    def __init__(self, lr, mu, nesterov=False):
        self.lr, self.mu, self.nesterov, self.accum = lr, mu, nesterov, 0.0

    def step(self, w, g):
        self.accum = self.mu * self.accum + g
        if self.nesterov:
            return w - (self.lr * g + self.lr * self.mu * self.accum)
        return w - self.lr * self.accum


class Adam:
    def __init__(self, lr=0.001, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = self.v = 0.0
        self.t = 0

    def step(self, w, g):
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        lr_t = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        return w - lr_t * self.m / (np.sqrt(self.v) + self.eps)   # epsilon outside the sqrt


class RMSProp:
    def __init__(self, lr, decay=0.9, momentum=0.0, eps=1e-10, centered=False):
        self.lr, self.rho, self.mu, self.eps, self.centered = lr, decay, momentum, eps, centered
        self.ms, self.mg, self.mom = 1.0, 0.0, 0.0   # TF1 starts the mean square at ONE

    def step(self, w, g):
        self.ms = self.rho * self.ms + (1 - self.rho) * g * g
        denom = self.ms + self.eps
        if self.centered:
            self.mg = self.rho * self.mg + (1 - self.rho) * g
            denom = self.ms - self.mg ** 2 + self.eps
        self.mom = self.mu * self.mom + self.lr * g / np.sqrt(denom)
        return w - self.mom


class Adagrad:
    def __init__(self, lr, init=0.1):
        self.lr, self.accum = lr, init

    def step(self, w, g):
        self.accum = self.accum + g * g
        return w - self.lr * g / np.sqrt(self.accum)


class Adadelta:
    def __init__(self, lr=0.001, rho=0.95, eps=1e-8):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.accum = self.accum_update = 0.0

    def step(self, w, g):
        self.accum = self.rho * self.accum + (1 - self.rho) * g * g
        update = np.sqrt(self.accum_update + self.eps) / np.sqrt(self.accum + self.eps) * g
        self.accum_update = self.rho * self.accum_update + (1 - self.rho) * update ** 2
        return w - self.lr * update


class Ftrl:
    def __init__(self, lr, power=-0.5, init=0.1, l1=0.0, l2=0.0, shrinkage=0.0):
        self.lr, self.p, self.l1, self.l2, self.shrink = lr, -power, l1, l2, shrinkage
        self.n, self.z = init, 0.0

    def step(self, w, g):
        n_new = self.n + g * g
        sigma = (n_new ** self.p - self.n ** self.p) / self.lr
        self.z = self.z + g + 2 * self.shrink * w - sigma * w
        self.n = n_new
        quadratic = n_new ** self.p / self.lr + 2 * self.l2
        return np.where(np.abs(self.z) > self.l1,
                        (np.sign(self.z) * self.l1 - self.z) / quadratic, 0.0)


def _reference(ref, init=INIT, grads=GRADS):
    w, out = init.copy(), []
    for g in grads:
        w = ref.step(w, g)
        out.append(w)
    return out


def _run(make_optimizer, dtype=np.float64, init=INIT, grads=GRADS, lr_feed=None):
    """Apply the gradients one step at a time; returns the variable after each step."""
    var = tf.Variable(init.astype(dtype), name="W")
    g = tf.placeholder(dtype, init.shape, name="g")
    opt = make_optimizer()
    train = opt.apply_gradients([(g, var)])
    out = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i, grad in enumerate(grads):
            feed = {g: grad.astype(dtype)}
            if lr_feed is not None:
                feed[lr_feed[0]] = lr_feed[1][i]
            sess.run(train, feed)
            out.append(sess.run(var))
    return out


# Hyperparameters exactly representable in float32, so float64 runs match to rounding error.
CASES = {
    "sgd": (lambda: tf.train.GradientDescentOptimizer(0.25), lambda: SGD(0.25)),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.25, 0.75), lambda: Momentum(0.25, 0.75)),
    "nesterov": (lambda: tf.train.MomentumOptimizer(0.25, 0.75, use_nesterov=True),
                 lambda: Momentum(0.25, 0.75, nesterov=True)),
    "adam": (lambda: tf.train.AdamOptimizer(0.25, 0.75, 0.875, 0.0625),
             lambda: Adam(0.25, 0.75, 0.875, 0.0625)),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.25, decay=0.75, epsilon=0.125),
                lambda: RMSProp(0.25, 0.75, eps=0.125)),
    "rmsprop_momentum": (lambda: tf.train.RMSPropOptimizer(0.25, 0.75, momentum=0.5,
                                                           epsilon=0.125),
                         lambda: RMSProp(0.25, 0.75, momentum=0.5, eps=0.125)),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(0.25, 0.75, momentum=0.5,
                                                           epsilon=0.125, centered=True),
                         lambda: RMSProp(0.25, 0.75, momentum=0.5, eps=0.125, centered=True)),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.5, initial_accumulator_value=0.25),
                lambda: Adagrad(0.5, 0.25)),
    "adadelta": (lambda: tf.train.AdadeltaOptimizer(0.5, rho=0.75, epsilon=0.125),
                 lambda: Adadelta(0.5, 0.75, 0.125)),
    "ftrl": (lambda: tf.train.FtrlOptimizer(0.5, initial_accumulator_value=0.25),
             lambda: Ftrl(0.5, init=0.25)),
    "ftrl_l1_l2": (lambda: tf.train.FtrlOptimizer(0.5, initial_accumulator_value=0.25,
                                                  l1_regularization_strength=0.5,
                                                  l2_regularization_strength=0.25),
                   lambda: Ftrl(0.5, init=0.25, l1=0.5, l2=0.25)),
    "ftrl_power": (lambda: tf.train.FtrlOptimizer(0.5, learning_rate_power=-0.25,
                                                  l1_regularization_strength=0.125),
                   lambda: Ftrl(0.5, power=-0.25, l1=0.125)),
    "ftrl_shrinkage": (lambda: tf.train.FtrlOptimizer(
        0.5, l1_regularization_strength=0.125, l2_regularization_strength=0.25,
        l2_shrinkage_regularization_strength=0.125),
        lambda: Ftrl(0.5, l1=0.125, l2=0.25, shrinkage=0.125)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_rule_matches_tf1_formula_over_several_steps(case):
    make_optimizer, make_reference = CASES[case]
    got = _run(make_optimizer)
    expected = _reference(make_reference())
    for step, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12,
                                   err_msg="%s differs at step %d" % (case, step + 1))


def test_ftrl_l1_zeroes_some_weights():
    got = _run(CASES["ftrl_l1_l2"][0])[-1]
    assert (got == 0).any() and (got != 0).any()


def _f32(x):
    return float(np.float32(x))


# The references spell out TF1's defaults, rounded to float32 as TF1's constants are.
DEFAULTS = {
    "adam": (lambda: tf.train.AdamOptimizer(),
             lambda: Adam(_f32(0.001), _f32(0.9), _f32(0.999), _f32(1e-8))),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01),
                lambda: RMSProp(_f32(0.01), _f32(0.9), 0.0, _f32(1e-10))),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.1), lambda: Adagrad(_f32(0.1), 0.1)),
    "adadelta": (lambda: tf.train.AdadeltaOptimizer(),
                 lambda: Adadelta(_f32(0.001), _f32(0.95), _f32(1e-8))),
    "ftrl": (lambda: tf.train.FtrlOptimizer(0.1), lambda: Ftrl(_f32(0.1), -0.5, 0.1)),
}


@pytest.mark.parametrize("case", sorted(DEFAULTS))
def test_default_hyperparameters_are_tf1s(case):
    make_optimizer, make_reference = DEFAULTS[case]
    got = _run(make_optimizer)
    expected = _reference(make_reference())
    np.testing.assert_allclose(got[-1], expected[-1], rtol=1e-6, atol=1e-8)


def test_default_constants_in_the_graph():
    w = tf.Variable(tf.ones([2]), name="W")
    loss = tf.reduce_sum(w * w)
    tf.train.AdamOptimizer().minimize(loss)
    tf.train.RMSPropOptimizer(0.1).minimize(loss)
    tf.train.AdadeltaOptimizer().minimize(loss)
    tf.train.FtrlOptimizer(0.1).minimize(loss)
    tf.train.AdagradOptimizer(0.1).minimize(loss)
    names = ["Adam/learning_rate", "Adam/beta1", "Adam/beta2", "Adam/epsilon",
             "RMSProp/decay", "RMSProp/momentum", "RMSProp/epsilon",
             "Adadelta/lr", "Adadelta/rho", "Adadelta/epsilon",
             "Ftrl/learning_rate_power", "Ftrl/l1_regularization_strength",
             "Ftrl/l2_regularization_strength"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run([n + ":0" for n in names])
        np.testing.assert_array_equal(values, np.float32(
            [0.001, 0.9, 0.999, 1e-8, 0.9, 0.0, 1e-10, 0.001, 0.95, 1e-8, -0.5, 0.0, 0.0]))
        np.testing.assert_array_equal(sess.run("W/Adagrad:0"), np.float32([0.1, 0.1]))
        np.testing.assert_array_equal(sess.run("W/Ftrl:0"), np.float32([0.1, 0.1]))
        np.testing.assert_array_equal(sess.run("W/RMSProp:0"), [1.0, 1.0])   # rms starts at 1


def test_float32_is_preserved():
    for case in ("adam", "rmsprop_centered", "ftrl_l1_l2", "adadelta"):
        tf.reset_default_graph()
        make_optimizer, make_reference = CASES[case]
        got = _run(make_optimizer, dtype=np.float32)
        assert all(w.dtype == np.float32 for w in got)
        np.testing.assert_allclose(got[-1], _reference(make_reference())[-1], rtol=2e-5,
                                   atol=1e-6)
        slots = [v for v in tf.global_variables() if v.name != "W:0"]
        assert slots and all(v.dtype in (tf.float32,) for v in slots), case


# -- slots and names -------------------------------------------------------------------------------
def _slot_names(optimizer, var_name="W", shape=(2,)):
    var = tf.Variable(tf.zeros(shape), name=var_name)
    optimizer.minimize(tf.reduce_sum(var * var))
    return var, {name: optimizer.get_slot(var, name).name for name in optimizer.get_slot_names()}


def test_slot_variable_names_are_tf1s():
    _, slots = _slot_names(tf.train.AdamOptimizer())
    assert slots == {"m": "W/Adam:0", "v": "W/Adam_1:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.MomentumOptimizer(0.1, 0.9))
    assert slots == {"momentum": "W/Momentum:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.RMSPropOptimizer(0.1))
    assert slots == {"rms": "W/RMSProp:0", "momentum": "W/RMSProp_1:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.RMSPropOptimizer(0.1, centered=True))
    assert slots == {"rms": "W/RMSProp:0", "mg": "W/RMSProp_1:0", "momentum": "W/RMSProp_2:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.AdagradOptimizer(0.1))
    assert slots == {"accumulator": "W/Adagrad:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.AdadeltaOptimizer())
    assert slots == {"accum": "W/Adadelta:0", "accum_update": "W/Adadelta_1:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.FtrlOptimizer(0.1))
    assert slots == {"accum": "W/Ftrl:0", "linear": "W/Ftrl_1:0"}
    tf.reset_default_graph()
    _, slots = _slot_names(tf.train.GradientDescentOptimizer(0.1))
    assert slots == {}


def test_slots_in_scopes_are_global_non_trainable_variables():
    with tf.variable_scope("layer1"):
        w = tf.get_variable("kernel", [3, 2])
    opt = tf.train.AdamOptimizer()
    with tf.name_scope("somewhere"), tf.control_dependencies([tf.no_op()]):
        opt.minimize(tf.reduce_sum(w * w))
    m = opt.get_slot(w, "m")
    assert m.name == "layer1/kernel/Adam:0" and m.shape.as_list() == [3, 2]
    assert m.initializer.inputs[1].op.name == "layer1/kernel/Adam/Initializer/zeros"
    assert not m.op.control_inputs
    assert [v.name for v in tf.trainable_variables()] == ["layer1/kernel:0"]
    # As TF1: the beta powers follow the name scope, the slots only the variable scope.
    assert [v.name for v in tf.global_variables()] == [
        "layer1/kernel:0", "somewhere/beta1_power:0", "somewhere/beta2_power:0",
        "layer1/kernel/Adam:0", "layer1/kernel/Adam_1:0"]
    assert [v.name for v in opt.variables()] == [      # sorted by name, as TF1
        "layer1/kernel/Adam:0", "layer1/kernel/Adam_1:0", "somewhere/beta1_power:0",
        "somewhere/beta2_power:0"]
    assert opt.get_slot(w, "nope") is None
    beta1_power, beta2_power = opt._get_beta_accumulators()
    assert beta1_power.dtype == tf.float32 and not beta1_power.trainable


def test_optimizer_variables_follow_tf1_scoping_rules():
    # TF1: non-slot variables (beta powers) are made in the current name scope, slots in the
    # current variable scope; tf.variable_scope opens both (checked against TF 1.x).
    w = tf.Variable(tf.zeros([2, 1]), name="w")
    with tf.variable_scope("net"):
        v = tf.get_variable("v", [1])
    loss = tf.reduce_sum(w) + tf.reduce_sum(v)
    with tf.variable_scope("opt"):
        with tf.name_scope("inner"):
            first = tf.train.AdamOptimizer().minimize(loss)
            tf.train.AdamOptimizer().minimize(loss)
        momentum = tf.train.MomentumOptimizer(0.1, 0.9)
        momentum.minimize(loss)
    assert first.name == "opt/inner/Adam"
    assert sorted(x.name for x in tf.global_variables()) == [
        "net/v:0", "opt/inner/beta1_power:0", "opt/inner/beta1_power_1:0",
        "opt/inner/beta2_power:0", "opt/inner/beta2_power_1:0",
        "opt/net/v/Adam:0", "opt/net/v/Adam_1:0", "opt/net/v/Adam_2:0", "opt/net/v/Adam_3:0",
        "opt/net/v/Momentum:0", "opt/w/Adam:0", "opt/w/Adam_1:0", "opt/w/Adam_2:0",
        "opt/w/Adam_3:0", "opt/w/Momentum:0", "w:0"]
    assert momentum.get_slot(w, "momentum").name == "opt/w/Momentum:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(first)
        np.testing.assert_allclose(sess.run("opt/inner/beta1_power:0"), 0.81, rtol=1e-6)


def test_adam_beta_powers_advance_each_step():
    w = tf.Variable(tf.ones([2]), name="W")
    train = tf.train.AdamOptimizer().minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        np.testing.assert_allclose(sess.run(["beta1_power:0", "beta2_power:0"]),
                                   [0.9 ** 4, 0.999 ** 4], rtol=1e-6)


def test_train_op_and_update_op_names():
    w = tf.Variable(tf.ones([2]), name="W")
    b = tf.Variable(tf.ones([2]), name="b")
    loss = tf.reduce_sum(w * b)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert train.name == "GradientDescent" and train.type == "NoOp"
    assert sorted(c.name for c in train.control_inputs) == [
        "GradientDescent/update_W/ApplyGradientDescent",
        "GradientDescent/update_b/ApplyGradientDescent"]
    named = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, name="train")
    assert named.name == "train"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train, named]
    again = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert again.name == "GradientDescent_1"


def test_global_step_is_incremented_after_the_updates():
    w = tf.Variable(tf.ones([2]), name="W")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w), global_step=step)
    assert train.name == "Adam" and train.type == "AssignAdd"
    assert [c.name for c in train.control_inputs] == ["Adam/update"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for expected in (1, 2, 3):
            sess.run(train)
            assert tf.train.global_step(sess, step) == expected


def test_float64_variables_cast_the_hyperparameters():
    w = tf.Variable(np.ones(2), name="W")
    tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    cast = tf.get_default_graph().get_operation_by_name("GradientDescent/update_W/Cast")
    assert cast.type == "Cast" and cast.outputs[0].dtype == tf.float64


# -- learning rates --------------------------------------------------------------------------------
def test_learning_rate_as_a_fed_tensor():
    lr = tf.placeholder(tf.float32, [], name="lr")
    rates = [0.5, 0.25, 0.125, 1.0, 0.0]
    got = _run(lambda: tf.train.MomentumOptimizer(lr, 0.5), lr_feed=(lr, rates))
    ref, w, expected = Momentum(None, 0.5), INIT.copy(), []
    for rate, g in zip(rates, GRADS):
        ref.lr = rate
        w = ref.step(w, g)
        expected.append(w)
    np.testing.assert_allclose(got[-1], expected[-1], rtol=1e-10)


def test_learning_rate_as_a_schedule_of_the_global_step():
    w = tf.Variable(np.zeros(1), name="W")
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(1.0, step, decay_steps=1, decay_rate=0.5)
    # loss = -w: the gradient is -1, so each step adds the current learning rate.
    train = tf.train.GradientDescentOptimizer(lr).minimize(-tf.reduce_sum(w), global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            sess.run(train)
        np.testing.assert_allclose(sess.run(w), [1 + 0.5 + 0.25 + 0.125])
        assert sess.run(step) == 4


def test_callable_learning_rate():
    w = tf.Variable(np.zeros(1), name="W")
    train = tf.train.GradientDescentOptimizer(lambda: 0.5).minimize(-tf.reduce_sum(w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.5])


# -- compute_gradients / apply_gradients -----------------------------------------------------------
def test_compute_gradients_keeps_none_for_unrelated_variables():
    a = tf.Variable(2.0, name="a")
    b = tf.Variable(3.0, name="b")
    frozen = tf.Variable(1.0, name="frozen", trainable=False)
    loss = a * a * frozen
    pairs = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss)
    assert [v for _, v in pairs] == [a, b]
    assert pairs[0][0] is not None and pairs[1][0] is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(pairs[0][0]) == 4.0


def test_minimize_updates_only_var_list_and_variables_with_gradients():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    c = tf.Variable(1.0, name="c")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(a * b, var_list=[a, c])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([a, b, c]) == [0.5, 1.0, 1.0]


def test_errors_match_tf1():
    a = tf.Variable(1.0, name="a")
    unrelated = tf.constant(3.0) * 2.0
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.minimize(unrelated)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, a)])
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        opt.compute_gradients(a * a, gate_gradients=7)
    with pytest.raises(ValueError, match="Invalid type"):
        opt.compute_gradients(tf.constant(3))
    with pytest.raises(NotImplementedError, match="Trying to update a Tensor"):
        opt.apply_gradients([(tf.constant(1.0), tf.constant(2.0))])
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="learning_rate_power"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0)


def test_clipped_gradients_through_apply_gradients():
    w = tf.Variable(np.array([3.0, 4.0]), name="W")
    opt = tf.train.GradientDescentOptimizer(1.0)
    grads, variables = zip(*opt.compute_gradients(0.5 * tf.reduce_sum(w * w)))
    clipped, norm = tf.clip_by_global_norm(grads, 1.0)
    train = opt.apply_gradients(zip(clipped, variables))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(norm) == pytest.approx(5.0)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [3.0 - 0.6, 4.0 - 0.8])


def test_gate_graph_and_grad_loss():
    w = tf.Variable(np.array([1.0, 2.0]), name="W")
    y = w * 3.0
    opt = tf.train.GradientDescentOptimizer(0.5)
    train = opt.minimize(y, gate_gradients=tf.train.Optimizer.GATE_GRAPH,
                         grad_loss=tf.constant([1.0, -1.0], tf.float64))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [1.0 - 1.5, 2.0 + 1.5])


def test_variable_constraint_is_applied_after_the_update():
    w = tf.Variable(np.array([0.0, 0.0]), name="W",
                    constraint=lambda v: tf.clip_by_value(v, -0.1, 0.1))
    train = tf.train.GradientDescentOptimizer(1.0).minimize(-tf.reduce_sum(w * [1.0, -0.05]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [0.1, -0.05])


def test_updates_wait_for_every_use_of_the_old_value():
    """W2's in-place update must not run before the backprop through W2 that layer 1 needs,
    whatever the order of var_list: the Session orders writes after reads (session.py)."""
    x_value, w1_value, w2_value = RNG.randn(5, 3), RNG.randn(3, 4), RNG.randn(4, 2)
    for var_order in ("forward", "reversed"):
        tf.reset_default_graph()
        w1 = tf.Variable(w1_value, name="W1")
        w2 = tf.Variable(w2_value, name="W2")
        y = tf.matmul(tf.matmul(tf.constant(x_value), w1), w2)
        var_list = [w1, w2] if var_order == "forward" else [w2, w1]
        train = tf.train.GradientDescentOptimizer(0.5).minimize(0.5 * tf.reduce_sum(y * y),
                                                                var_list=var_list)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            new_w1, new_w2 = sess.run([w1, w2])
        h = x_value @ w1_value
        dy = h @ w2_value
        np.testing.assert_allclose(new_w2, w2_value - 0.5 * h.T @ dy, rtol=1e-12)
        np.testing.assert_allclose(new_w1, w1_value - 0.5 * x_value.T @ (dy @ w2_value.T),
                                   rtol=1e-12)
    update_w2 = tf.get_default_graph().get_operation_by_name(
        "GradientDescent/update_W2/ApplyGradientDescent")
    assert update_w2.control_inputs == []  # the graph is TF1's: no extra edges


def test_two_optimizers_in_one_run_read_the_values_from_before_the_step():
    """A GAN-style group of two train ops: both gradients use the pre-update values, as TF1."""
    x = tf.constant([[1.0, 2.0]])
    w1 = tf.Variable([[0.5], [-0.5]], name="W1")
    w2 = tf.Variable([[2.0]], name="W2")
    loss = tf.reduce_sum(tf.square(tf.matmul(tf.matmul(x, w1), w2) - 1.0))
    first = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[w2])
    second = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[w1])
    grads = tf.gradients(loss, [w1, w2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g1, g2 = sess.run(grads)
        sess.run(tf.group(first, second))
        np.testing.assert_allclose(sess.run(w1), [[0.5], [-0.5]] - 0.1 * g1, rtol=1e-6)
        np.testing.assert_allclose(sess.run(w2), [[2.0]] - 0.1 * g2, rtol=1e-6)


def test_same_optimizer_twice_shares_slots_and_beta_powers():
    w = tf.Variable(tf.ones([2]), name="W")
    opt = tf.train.AdamOptimizer()
    first = opt.minimize(tf.reduce_sum(w * w))
    second = opt.minimize(tf.reduce_sum(w))
    assert first.name == "Adam" and second.name == "Adam_1"
    assert [v.name for v in opt.variables()] == ["W/Adam:0", "W/Adam_1:0", "beta1_power:0",
                                                 "beta2_power:0"]


# -- embedding (gather) gradients: TF1's IndexedSlices updates -----------------------------------
E0 = np.random.RandomState(0).randn(6, 3).astype(np.float32)
ID_BATCHES = [[0, 1, 1], [2, 3, 2], [0, 4, 0]]


def _train_embedding(make_optimizer, build_loss=None):
    E = tf.Variable(E0, name="E")
    ids = tf.placeholder(tf.int32, [3])
    if build_loss is None:
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(E, ids) - 1.0))
    else:
        loss = build_loss(E, ids)
    opt = make_optimizer()
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch in ID_BATCHES:
            sess.run(train, {ids: batch})
        return sess.run(E), opt, train


def _sparse_momentum_reference(lr=0.1, momentum=0.9):
    var, accum = E0.astype(np.float64), np.zeros_like(E0, dtype=np.float64)
    for batch in ID_BATCHES:
        grad = np.zeros_like(var)
        for i in batch:
            grad[i] += 2 * (var[i] - 1.0)
        rows = np.unique(batch)          # TF1 touches the gathered rows only
        accum[rows] = accum[rows] * momentum + grad[rows]
        var[rows] -= lr * accum[rows]
    return var


def test_momentum_updates_only_gathered_rows_as_tf1():
    # TF1 gives embedding_lookup an IndexedSlices gradient and SparseApplyMomentum moves only
    # the looked-up rows: row 0's momentum does not carry it along in batch 2 (checked
    # against TF 1.x).
    E, _, train = _train_embedding(lambda: tf.train.MomentumOptimizer(0.1, 0.9))
    np.testing.assert_allclose(E, _sparse_momentum_reference(), rtol=1e-5)
    np.testing.assert_array_equal(E[5], E0[5])
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "SparseApplyMomentum" in types and "ApplyMomentum" not in types


def test_rmsprop_adadelta_ftrl_use_row_updates_and_adam_sgd_stay_dense():
    for make, expected in [(lambda: tf.train.RMSPropOptimizer(0.01), "SparseApplyRMSProp"),
                           (lambda: tf.train.RMSPropOptimizer(0.01, centered=True),
                            "SparseApplyCenteredRMSProp"),
                           (lambda: tf.train.AdadeltaOptimizer(1.0), "SparseApplyAdadelta"),
                           (lambda: tf.train.AdagradOptimizer(0.1), "SparseApplyAdagrad"),
                           (lambda: tf.train.FtrlOptimizer(0.1), "SparseApplyFtrl"),
                           (lambda: tf.train.AdamOptimizer(0.1), "ApplyAdam"),
                           (lambda: tf.train.GradientDescentOptimizer(0.1),
                            "ApplyGradientDescent")]:
        tf.reset_default_graph()
        E, _, _ = _train_embedding(make)
        assert expected in {op.type for op in tf.get_default_graph().get_operations()}
        if expected.startswith("Sparse"):
            np.testing.assert_array_equal(E[5], E0[5])


def test_variables_also_used_densely_get_dense_updates():
    # Tied embeddings (lookup + matmul with the same matrix): TF1 sums an IndexedSlices and a
    # dense gradient into a dense one, so every row moves.
    def tied(E, ids):
        return tf.reduce_sum(tf.square(tf.matmul(tf.nn.embedding_lookup(E, ids), E,
                                                 transpose_b=True)))
    _train_embedding(lambda: tf.train.MomentumOptimizer(0.1, 0.9), tied)
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "ApplyMomentum" in types and "SparseApplyMomentum" not in types


def test_row_updates_through_tf_gradients_two_lookups_and_clipping():
    E = tf.Variable(E0, name="E")
    ids = tf.placeholder(tf.int32, [3])
    loss = (tf.reduce_sum(tf.square(tf.nn.embedding_lookup(E, ids) - 1.0))
            + tf.reduce_sum(tf.gather(E, ids[:1])))
    grads = tf.gradients(loss, [E])
    clipped, _ = tf.clip_by_global_norm(grads, 0.5)
    train = tf.train.MomentumOptimizer(0.1, 0.9).apply_gradients(zip(clipped, [E]))
    assert train.type == "NoOp"
    assert "SparseApplyMomentum" in {op.type for op in tf.get_default_graph().get_operations()}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [1, 2, 1]})
        E1 = sess.run(E)
    np.testing.assert_array_equal(E1[[0, 3, 4, 5]], E0[[0, 3, 4, 5]])
    assert not np.allclose(E1[[1, 2]], E0[[1, 2]])
