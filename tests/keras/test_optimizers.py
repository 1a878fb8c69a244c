"""Keras 2 optimizers: first steps vs Keras's formulas (numpy), defaults, configs, state."""
import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras import backend as K
from tfone.keras import optimizers

C = np.array([1.0, 3.0, 0.5], np.float64)
D = np.array([0.5, -1.0, 2.0], np.float64)
W0 = np.array([1.0, -2.0, 0.25], np.float64)


def _grad(w):
    return C * w + D   # gradient of sum(C * w**2 / 2 + D * w)


def _run(optimizer, steps=3):
    w = tf.Variable(W0.astype(np.float32), name="w")
    loss = tf.reduce_sum(C.astype(np.float32) * w * w / 2 + D.astype(np.float32) * w)
    train = optimizer.minimize(loss, [w])
    sess = K.get_session()
    values = []
    for _ in range(steps):
        sess.run(train)
        values.append(sess.run(w.value()))
    return values, sess


def _reference(name, steps=3, **h):
    w = W0.copy()
    s = {k: np.zeros_like(w) for k in ("m", "v", "vhat", "mom", "ms", "mg", "au")}
    s["acc"] = np.full_like(w, h.get("initial_accumulator_value", 0.1))
    m_sched = 1.0
    out = []
    for t in range(1, steps + 1):
        g = _grad(w)
        lr = h["lr"] / (1 + h.get("decay", 0.0) * (t - 1))
        if name == "sgd":
            mu = h.get("momentum", 0.0)
            if mu:
                s["mom"] = mu * s["mom"] - lr * g
                w = w + (mu * s["mom"] - lr * g if h.get("nesterov") else s["mom"])
            else:
                w = w - lr * g
        elif name == "adam":
            b1, b2, eps = 0.9, 0.999, 1e-7
            lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = b2 * s["v"] + (1 - b2) * g * g
            s["vhat"] = np.maximum(s["vhat"], s["v"])
            denom = s["vhat"] if h.get("amsgrad") else s["v"]
            w = w - lr_t * s["m"] / (np.sqrt(denom) + eps)
        elif name == "rmsprop":
            rho, eps, mu = 0.9, 1e-7, h.get("momentum", 0.0)
            if mu:   # TF's ApplyRMSProp: epsilon inside the root
                s["ms"] = s["ms"] + (g * g - s["ms"]) * (1 - rho)
                s["mom"] = mu * s["mom"] + lr * g / np.sqrt(s["ms"] + eps)
                w = w - s["mom"]
            else:
                s["ms"] = rho * s["ms"] + (1 - rho) * g * g
                denom = s["ms"]
                if h.get("centered"):
                    s["mg"] = rho * s["mg"] + (1 - rho) * g
                    denom = s["ms"] - s["mg"] ** 2
                w = w - lr * g / (np.sqrt(denom) + eps)
        elif name == "adagrad":
            s["acc"] = s["acc"] + g * g
            w = w - lr * g / (np.sqrt(s["acc"]) + 1e-7)
        elif name == "adadelta":
            rho, eps = 0.95, 1e-7
            s["ms"] = rho * s["ms"] + (1 - rho) * g * g
            update = np.sqrt(s["au"] + eps) / np.sqrt(s["ms"] + eps) * g
            w = w - lr * update
            s["au"] = rho * s["au"] + (1 - rho) * update ** 2
        elif name == "adamax":
            b1, b2, eps = 0.9, 0.999, 1e-7
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = np.maximum(b2 * s["v"], np.abs(g))
            w = w - lr / (1 - b1 ** t) * s["m"] / (s["v"] + eps)
        elif name == "nadam":
            b1, b2, eps = 0.9, 0.999, 1e-7
            mu_t = b1 * (1 - 0.5 * 0.96 ** (0.004 * t))
            mu_t1 = b1 * (1 - 0.5 * 0.96 ** (0.004 * (t + 1)))
            sched_new = m_sched * mu_t
            sched_next = sched_new * mu_t1
            m_sched = sched_new
            g_prime = g / (1 - sched_new)
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = b2 * s["v"] + (1 - b2) * g * g
            m_bar = (1 - mu_t) * g_prime + mu_t1 * s["m"] / (1 - sched_next)
            w = w - h["lr"] * m_bar / (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)
        out.append(w.copy())
    return out


CASES = [
    ("sgd", optimizers.SGD, {"lr": 0.1}),
    ("sgd", optimizers.SGD, {"lr": 0.1, "momentum": 0.9}),
    ("sgd", optimizers.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd", optimizers.SGD, {"lr": 0.1, "decay": 0.5}),
    ("adam", optimizers.Adam, {"lr": 0.1}),
    ("adam", optimizers.Adam, {"lr": 0.1, "amsgrad": True}),
    ("rmsprop", optimizers.RMSprop, {"lr": 0.1}),
    ("rmsprop", optimizers.RMSprop, {"lr": 0.1, "centered": True}),
    ("rmsprop", optimizers.RMSprop, {"lr": 0.1, "momentum": 0.5}),
    ("adagrad", optimizers.Adagrad, {"lr": 0.1}),
    ("adadelta", optimizers.Adadelta, {"lr": 1.0}),
    ("adamax", optimizers.Adamax, {"lr": 0.1}),
    ("nadam", optimizers.Nadam, {"lr": 0.1}),
]


@pytest.mark.parametrize("name,cls,hyper", CASES,
                         ids=["%s-%s" % (c[0], "-".join(sorted(c[2]))) for c in CASES])
def test_first_steps_match_keras_formulas(name, cls, hyper):
    kwargs = dict(hyper)
    values, _ = _run(cls(**kwargs))
    expected = _reference(name, **hyper)
    for got, want in zip(values, expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("cls,defaults", [
    (optimizers.SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    (optimizers.Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                       "amsgrad": False}),
    (optimizers.RMSprop, {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
                          "epsilon": 1e-7, "centered": False}),
    (optimizers.Adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1,
                          "epsilon": 1e-7}),
    (optimizers.Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
    (optimizers.Adamax, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                         "epsilon": 1e-7}),
    (optimizers.Nadam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                        "epsilon": 1e-7}),
])
def test_defaults_and_config_round_trip(cls, defaults):
    opt = cls()
    config = opt.get_config()
    assert config["name"] == cls.__name__
    for key, value in defaults.items():
        assert config[key] == pytest.approx(value), key
    clone = cls.from_config(config)
    assert clone.get_config() == config
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is cls and again.get_config() == config


def test_lookup_by_name_and_lr_alias():
    for name, cls in [("sgd", optimizers.SGD), ("Adam", optimizers.Adam),
                      ("rmsprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
                      ("adadelta", optimizers.Adadelta), ("adamax", optimizers.Adamax),
                      ("nadam", optimizers.Nadam)]:
        assert type(optimizers.get(name)) is cls
    opt = optimizers.Adam(lr=0.5)
    assert opt.get_config()["learning_rate"] == 0.5
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.get("adamw")
    with pytest.raises(TypeError, match="Unexpected keyword argument"):
        optimizers.SGD(momentun=0.9)
    with pytest.raises(ValueError, match="between"):
        optimizers.SGD(momentum=1.5)


def test_state_variables_names_and_order():
    values, sess = _run(optimizers.Adam(0.1, amsgrad=True), steps=2)
    opt_weights = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    names = [v.name for v in opt_weights]
    assert "Adam/iter:0" in names and "Adam/learning_rate:0" in names
    adam = [v for v in opt_weights if v.name == "Adam/iter:0"][0]
    assert sess.run(adam) == 2 and adam.dtype == tf.int64


def test_weights_get_set_and_learning_rate_variable():
    opt = optimizers.SGD(0.1, momentum=0.9)
    _run(opt, steps=2)
    assert [w.name for w in opt.weights] == ["SGD/iter:0", "SGD/w/momentum:0"]
    weights = opt.get_weights()
    assert weights[0] == 2
    opt.set_weights([np.int64(7), np.zeros(3)])
    assert opt.get_weights()[0] == 7
    with pytest.raises(ValueError, match="expecting 2 weights"):
        opt.set_weights([np.zeros(3)])
    K.set_value(opt.lr, 0.25)
    assert K.get_value(opt.learning_rate) == pytest.approx(0.25)
    assert opt.get_config()["learning_rate"] == pytest.approx(0.25)
    opt.lr = 0.5   # attribute assignment sets the variable once it exists
    assert K.get_value(opt.lr) == pytest.approx(0.5)


def test_clipnorm_and_clipvalue():
    w = tf.Variable(np.array([3.0, 4.0], np.float32), name="w")
    loss = tf.reduce_sum(w * w)          # gradient 2w = (6, 8), norm 10
    step = optimizers.SGD(1.0, clipnorm=1.0).minimize(loss, [w])
    K.get_session().run(step)
    np.testing.assert_allclose(K.get_value(w), [3.0 - 0.6, 4.0 - 0.8], rtol=1e-6)
    tf.reset_default_graph()
    w = tf.Variable(np.array([3.0, 0.1], np.float32), name="w")
    step = optimizers.SGD(1.0, clipvalue=0.5).minimize(tf.reduce_sum(w * w), [w])
    K.get_session().run(step)
    np.testing.assert_allclose(K.get_value(w), [2.5, 0.1 - 0.2], rtol=1e-6)


def test_optimizer_belongs_to_one_graph():
    opt = optimizers.Adam()
    _run(opt, steps=1)
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="another graph"):
        _run(opt, steps=1)


def test_updates_use_fused_in_place_ops():
    w = tf.Variable(np.ones(3, np.float32), name="w")
    optimizers.RMSprop(0.1).minimize(tf.reduce_sum(w * w), [w])
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "ApplyKerasRMSProp" in types
    tf.reset_default_graph()
    w = tf.Variable(np.ones(3, np.float32), name="w")
    optimizers.Adam(0.1).minimize(tf.reduce_sum(w * w), [w])
    assert "ApplyAdam" in {op.type for op in tf.get_default_graph().get_operations()}


def test_one_sgd_step_on_a_dense_layer_equals_the_hand_calculation():
    x = np.array([[1., 2.], [3., -1.], [0.5, 0.5], [-2., 1.]], np.float32)
    y = np.array([[1.], [0.], [2.], [-1.]], np.float32)
    W = np.array([[0.3], [-0.2]], np.float32)
    b = np.array([0.1], np.float32)
    model = keras.Sequential([keras.layers.Dense(1, input_dim=2)])
    model.set_weights([W, b])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    loss = model.train_on_batch(x, y)
    err = x @ W + b - y                     # d(mean(err**2)) / d(pred) = 2 * err / n
    assert loss == pytest.approx(float(np.mean(err ** 2)), rel=1e-6)
    new_W, new_b = model.get_weights()
    np.testing.assert_allclose(new_W, W - 0.1 * (2 * x.T @ err / 4), rtol=1e-6)
    np.testing.assert_allclose(new_b, b - 0.1 * (2 * err.mean(axis=0)), rtol=1e-6)
    assert K.get_value(model.optimizer.iterations) == 1


# -- embeddings: tf.keras updates only the rows looked up (IndexedSlices gradients) ----------------
E0 = np.random.RandomState(0).randn(6, 3).astype(np.float32)
ID_BATCHES = np.array([[0, 1], [2, 2], [0, 4]])


def _fit_embedding(optimizer, targets=None):
    """One epoch over ID_BATCHES, one batch per step; returns the table and the graph's ops."""
    model = keras.Sequential([keras.layers.Embedding(6, 3, input_length=2)])
    model.compile(optimizer, "mse")
    model.set_weights([E0])
    targets = np.ones((3, 2, 3)) if targets is None else targets
    model.fit(ID_BATCHES, targets, batch_size=1, shuffle=False, verbose=0)
    types = {op.type for op in model.graph.get_operations()}
    return model.get_weights()[0], model, types


def test_embedding_with_sgd_momentum_moves_only_looked_up_rows():
    # The FINDINGS case: TF's ResourceSparseApplyKerasMomentum leaves the momentum (and the
    # value) of rows not in the batch alone; a dense update keeps moving row 1 in batches 2, 3.
    table, _, types = _fit_embedding(keras.optimizers.SGD(0.1, momentum=0.9))
    assert "SparseApplyKerasMomentum" in types and "ApplyKerasMomentum" not in types
    var, accum = E0.astype(np.float64), np.zeros((6, 3))
    for ids in ID_BATCHES:
        grad = np.zeros_like(var)
        for i in ids:               # mse over the 2 x 3 outputs of one sample
            grad[i] += 2.0 / 6.0 * (var[i] - 1.0)
        rows = np.unique(ids)
        accum[rows] = 0.9 * accum[rows] - 0.1 * grad[rows]
        var[rows] += accum[rows]
    np.testing.assert_allclose(table, var, rtol=1e-5)
    np.testing.assert_array_equal(table[[3, 5]], E0[[3, 5]])
    dense_row_1 = E0[1] - 0.1 * 2 / 6 * (E0[1] - 1) * (1 + 0.9 + 0.81)
    assert not np.allclose(table[1], dense_row_1, rtol=1e-3)     # what a dense update gives


@pytest.mark.parametrize("make,op_type,slots_frozen", [
    (lambda: keras.optimizers.SGD(0.1, momentum=0.5, nesterov=True), "SparseApplyKerasMomentum",
     True),
    (lambda: keras.optimizers.Adagrad(0.1), "SparseApplyAdagradV2", True),
    (lambda: keras.optimizers.Adadelta(1.0), "SparseApplyAdadelta", True),
    (lambda: keras.optimizers.Adamax(0.1), "SparseApplyAdaMax", True),
    (lambda: keras.optimizers.RMSprop(0.01, momentum=0.5), "SparseApplyRMSProp", True),
    (lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     "SparseApplyCenteredRMSProp", True),
    (lambda: keras.optimizers.Nadam(0.01), "SparseApplyNadam", False),
    (lambda: keras.optimizers.SGD(0.1), "ApplyGradientDescent", False),
    (lambda: keras.optimizers.Adam(0.1), "ApplyAdam", False),
    (lambda: keras.optimizers.RMSprop(0.01), "ApplyKerasRMSProp", False),
])
def test_each_optimizer_on_an_embedding_uses_keras_row_updates(make, op_type, slots_frozen):
    optimizer = make()
    table, model, types = _fit_embedding(optimizer)
    assert op_type in types
    if op_type.startswith("Sparse"):
        np.testing.assert_array_equal(table[[3, 5]], E0[[3, 5]])    # never looked up
    var = model.layers[0].embeddings
    for name in optimizer.get_slot_names():
        value = K.get_value(optimizer.get_slot(var, name))
        initial = 0.1 if name == "accumulator" else 0.0
        if slots_frozen:         # untouched rows keep their initial slot values, others moved
            np.testing.assert_array_equal(value[[3, 5]], np.full((2, 3), initial, np.float32))
            assert np.all(value[[0, 1, 2, 4]] != initial), name
    if op_type == "SparseApplyNadam":   # m decays everywhere, so row 1 keeps a nonzero m
        m = K.get_value(optimizer.get_slot(var, "m"))
        assert np.all(m[1] != 0) and np.all(m[[3, 5]] == 0)


def test_dense_use_of_the_embedding_makes_updates_dense():
    # embeddings_regularizer reads the whole table: TF sums the IndexedSlices with a dense
    # gradient, so every row moves.
    model = keras.Sequential([keras.layers.Embedding(6, 3, input_length=2,
                                                     embeddings_regularizer="l2")])
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9), "mse")
    model.set_weights([E0])
    model.fit(ID_BATCHES, np.ones((3, 2, 3)), batch_size=1, shuffle=False, verbose=0)
    types = {op.type for op in model.graph.get_operations()}
    assert "ApplyKerasMomentum" in types and "SparseApplyKerasMomentum" not in types
    assert not np.allclose(model.get_weights()[0][5], E0[5])


def test_clipvalue_clips_each_lookup_before_summing_and_constraints_are_refused():
    # Row 2 is looked up twice with a large gradient: Keras clips each slice to 0.1 and then
    # sums them (0.2), where clipping the summed row would give 0.1.
    targets = np.full((3, 2, 3), 100.0)
    table, _, types = _fit_embedding(keras.optimizers.SGD(1.0, clipvalue=0.1), targets)
    assert "UnsortedSegmentSum" in types
    np.testing.assert_allclose(table[2] - E0[2], 0.2, rtol=1e-5)
    np.testing.assert_allclose(table[0] - E0[0], 0.2, rtol=1e-5)   # once in batches 1 and 3
    np.testing.assert_allclose(table[4] - E0[4], 0.1, rtol=1e-5)
    model = keras.Sequential([keras.layers.Embedding(6, 3, input_length=2,
                                                     embeddings_constraint="non_neg")])
    with pytest.raises(RuntimeError, match="Cannot use a constraint function on a sparse"):
        model.compile("sgd", "mse")
        model.fit(ID_BATCHES, np.ones((3, 2, 3)), verbose=0)
