"""Parity: tf.keras (Keras 2 in TF1 graph mode) vs tfone.keras.

Layers (Dense, Conv2D, pooling, BatchNormalization, Embedding, SimpleRNN/LSTM/GRU, Dropout at
inference) with TF1's initial weights copied in (``set_weights(get_weights())``); weight names;
one ``fit`` epoch with SGD / momentum / Adam / RMSprop / Adagrad on fixed data with
``shuffle=False``; ``evaluate`` / ``predict``; history keys and metric names/values;
``summary()`` text.

The reference is TF 2.x's ``tf_keras`` (Keras 2) in compat.v1 graph mode. Known differences
from the TF 1.15 Keras that tfone targets are noted where they show up (e.g. TF 1.15 names
the accuracy metric ``acc`` in history and ``metrics_names``; TF 2.x says ``accuracy``).

Run: ``/opt/tfref/bin/python tools/parity/check_keras.py``.
"""
import re

import numpy as np

from harness import LIBS, Report, compare_values, main_guard, _short
import os
import traceback

R = np.random.RandomState(5)
X = R.randn(16, 6).astype(np.float32)
Y_INT = R.randint(0, 3, 16)
Y_ONEHOT = np.eye(3, dtype=np.float32)[Y_INT]
Y_REG = R.randn(16, 2).astype(np.float32)
IMG = R.randn(8, 6, 6, 2).astype(np.float32)
IMG_Y = R.randint(0, 3, 8)
SEQ = R.randn(8, 5, 3).astype(np.float32)
TOKENS = R.randint(1, 10, (8, 5))
TOKENS[0, 3:] = 0


def run_keras(lib, build, script, weights=None):
    """``build(tf)`` -> model; ``script(tf, model)`` -> dict of results (numpy / str /
    lists). ``weights`` (a list) is loaded with set_weights before the script runs."""
    tf = LIBS[lib]()
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        np.random.seed(1234)
        sess = tf.Session(graph=graph)
        with sess.as_default():
            if lib == "tf1":
                tf.keras.backend.set_session(sess)
            else:
                tf.keras.backend.set_session(sess)
            model = build(tf)
            if isinstance(weights, dict):      # by (normalised) weight name
                tf.keras.backend.batch_set_value([
                    (w, weights[_tf115_name(w.name)]) for w in model.weights
                    if _tf115_name(w.name) in weights])
            elif weights is not None:          # by position, as TF1's set_weights
                model.set_weights(weights)
            initial = {_tf115_name(w.name): v for w, v in zip(model.weights,
                                                               model.get_weights())}
            out = {"get_weights order": [_tf115_name(w.name) for w in model.weights]}
            out.update(script(tf, model))
            out["weight names"] = sorted(_tf115_name(w.name) for w in model.weights)
            names = [_tf115_name(w.name) for w in model.weights]
            out["weight shapes"] = {n: tuple(int(d) for d in w.shape)
                                    for n, w in zip(names, model.weights)}
            if "weights" in out:    # compared by name; the order is 'get_weights order'
                out["weights"] = dict(zip(names, out["weights"]))
        sess.close()
    return out, initial


def _tf115_name(name):
    """TF 2.x Keras puts RNN weights under the cell's scope ('lstm/lstm_cell/kernel:0');
    TF 1.15 / 2.0 did not ('lstm/kernel:0', tensorflow issue #33776)."""
    for cell in ("/lstm_cell/", "/gru_cell/", "/simple_rnn_cell/"):
        name = name.replace(cell, "/")
    return name


def check_keras(report, case, build, script, rtol=1e-5, atol=1e-6, skip=()):
    """Weights are copied by name (so a weight-order difference shows up once, as
    'get_weights order', instead of breaking every comparison)."""
    report.n_cases += 1
    try:
        ref, initial = run_keras("tf1", build, script)
    except Exception as exc:  # noqa: BLE001
        report.problem(case, "-", "error", "TF1 raises %s" % _short(exc))
        return
    try:
        got, _ = run_keras("tfone", build, script, weights=initial)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("PARITY_TRACEBACK"):
            traceback.print_exc()
        report.n_checks += 1
        report.problem(case, "-", "error", "tfone raises %s" % _short(exc))
        return
    for key, r in ref.items():
        if key in skip:
            continue
        report.n_checks += 1
        if key not in got:
            report.problem(case, key, "fetch", "missing in tfone result")
            continue
        g = got[key]
        if isinstance(r, str) or (isinstance(r, list) and r and isinstance(r[0], (str, tuple))):
            if r != g:
                report.problem(case, key, "text", "tf1 %r tfone %r" % (r, g))
            continue
        if isinstance(r, dict):
            if sorted(r) != sorted(g):
                report.problem(case, key, "keys", "tf1 %s tfone %s" % (sorted(r), sorted(g)))
                continue
            for k in r:
                diff = compare_values(np.asarray(r[k]), np.asarray(g[k]), rtol, atol)
                if diff:
                    report.problem(case, "%s[%s]" % (key, k), "value", diff)
            continue
        if isinstance(r, list):
            if len(r) != len(g):
                report.problem(case, key, "value", "tf1 %d items, tfone %d" % (len(r), len(g)))
                continue
            for i, (a, b) in enumerate(zip(r, g)):
                diff = compare_values(np.asarray(a), np.asarray(b), rtol, atol)
                if diff:
                    report.problem(case, "%s[%d]" % (key, i), "value", diff)
            continue
        diff = compare_values(np.asarray(r), np.asarray(g), rtol, atol)
        if diff:
            report.problem(case, key, "value", diff)


def _names(tf, names):
    """TF 1.15 Keras (graph mode) calls metrics=['accuracy'] 'acc'; TF 2.x 'accuracy'."""
    if tf.__name__ == "tfone":
        return list(names)
    return [re.sub(r"(^|_)accuracy$", r"\1acc", n) for n in names]


def _hist(tf, history):
    return dict(zip(_names(tf, history), history.values()))


def summary_text(model):
    """The parts of model.summary() both Keras versions print alike: the Model line, each
    output shape and parameter count in order, and the totals. (TF 2.x changed the layout:
    leading space, wrapped names, byte sizes; tfone prints TF 1.15's layout.)"""
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    shapes = re.findall(r"\[?\((?:None|\d+)(?:, (?:None|\d+))*,?\)\]?\s+\d+", text)
    totals = re.findall(r"^\s*((?:Total|Trainable|Non-trainable) params: [\d,]+)", text, re.M)
    return " | ".join([lines[0]] + [" ".join(x.split()) for x in shapes] + totals)


def predict_script(inputs):
    def script(tf, model):
        return {"predict": model.predict(inputs, batch_size=4)}
    return script


def run(report):
    # --- single layers, inference ----------------------------------------------------------
    layers = [
        ("Dense relu", lambda tf: tf.keras.Sequential([tf.keras.layers.Dense(
            4, activation="relu", input_shape=(6,))]), X),
        ("Dense x2 softmax", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Dense(5, activation="tanh", input_shape=(6,)),
            tf.keras.layers.Dense(3, activation="softmax")]), X),
        ("Conv2D same/valid + pools + Flatten", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Conv2D(3, 3, padding="same", activation="relu",
                                   input_shape=(6, 6, 2)),
            tf.keras.layers.MaxPooling2D(2),
            tf.keras.layers.Conv2D(4, (2, 1), strides=(1, 1)),
            tf.keras.layers.AveragePooling2D((1, 2)),
            tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)]), IMG),
        ("Conv2D strides+dilation, GlobalAveragePooling", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Conv2D(3, 3, strides=2, padding="same", input_shape=(6, 6, 2)),
            tf.keras.layers.Conv2D(2, 2, dilation_rate=2, padding="same"),
            tf.keras.layers.GlobalAveragePooling2D()]), IMG),
        ("BatchNormalization inference", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Dense(4, input_shape=(6,)),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dropout(0.5)]), X),
        ("Embedding + SimpleRNN", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Embedding(10, 3, input_length=5),
            tf.keras.layers.SimpleRNN(4)]), TOKENS),
        ("LSTM return_sequences", lambda tf: tf.keras.Sequential([
            tf.keras.layers.LSTM(4, return_sequences=True, input_shape=(5, 3))]), SEQ),
        ("LSTM x2", lambda tf: tf.keras.Sequential([
            tf.keras.layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
            tf.keras.layers.LSTM(2)]), SEQ),
        ("GRU (reset_after=False, Keras 2 default)", lambda tf: tf.keras.Sequential([
            tf.keras.layers.GRU(4, input_shape=(5, 3))]), SEQ),
        ("GRU go_backwards", lambda tf: tf.keras.Sequential([
            tf.keras.layers.GRU(3, go_backwards=True, input_shape=(5, 3))]), SEQ),
        ("Embedding mask_zero + LSTM", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Embedding(10, 3, mask_zero=True, input_length=5),
            tf.keras.layers.LSTM(3)]), TOKENS),
        ("activations layers", lambda tf: tf.keras.Sequential([
            tf.keras.layers.Dense(6, input_shape=(6,)), tf.keras.layers.LeakyReLU(),
            tf.keras.layers.Dense(6), tf.keras.layers.ELU(),
            tf.keras.layers.Dense(6, activation="sigmoid"),
            tf.keras.layers.Dense(6, activation="hard_sigmoid"),
            tf.keras.layers.Dense(6, activation="softplus"),
            tf.keras.layers.Dense(6, activation="selu"),
            tf.keras.layers.Dense(3), tf.keras.layers.Softmax()]), X),
    ]
    for label, build, inputs in layers:
        def script(tf, model, inputs=inputs):
            return {"predict": model.predict(inputs, batch_size=4),
                    "summary": summary_text(model),
                    "output_shape": str(tuple(model.output_shape))}
        check_keras(report, "keras layers: " + label, build, script, rtol=1e-4, atol=1e-5)

    # --- functional API ------------------------------------------------------------------
    def functional(tf):
        inp = tf.keras.layers.Input(shape=(6,))
        a = tf.keras.layers.Dense(4, activation="relu")(inp)
        b = tf.keras.layers.Dense(4)(inp)
        c = tf.keras.layers.concatenate([a, b])
        d = tf.keras.layers.add([a, b])
        out = tf.keras.layers.Dense(2)(tf.keras.layers.concatenate([c, d]))
        return tf.keras.Model(inputs=inp, outputs=out)

    def fscript(tf, model):
        return {"predict": model.predict(X), "summary": summary_text(model)}
    check_keras(report, "keras functional concat/add", functional, fscript, rtol=1e-4,
                atol=1e-5)

    # --- training: one epoch, shuffle=False --------------------------------------------------
    def mlp(tf):
        return tf.keras.Sequential([
            tf.keras.layers.Dense(8, activation="relu", input_shape=(6,)),
            tf.keras.layers.Dense(3, activation="softmax")])

    optimizers = [
        ("SGD", lambda tf: tf.keras.optimizers.SGD(0.1)),
        ("SGD momentum nesterov", lambda tf: tf.keras.optimizers.SGD(0.05, momentum=0.9,
                                                                      nesterov=True)),
        ("Adam", lambda tf: tf.keras.optimizers.Adam(0.01)),
        ("RMSprop", lambda tf: tf.keras.optimizers.RMSprop(0.01)),
        ("Adagrad", lambda tf: tf.keras.optimizers.Adagrad(0.1)),
        ("Adadelta", lambda tf: tf.keras.optimizers.Adadelta(1.0)),
        ("'adam' string", lambda tf: "adam"),
        ("'sgd' string", lambda tf: "sgd"),
        ("'rmsprop' string", lambda tf: "rmsprop"),
    ]
    for label, make_opt in optimizers:
        def script(tf, model, make_opt=make_opt):
            model.compile(optimizer=make_opt(tf), loss="categorical_crossentropy",
                          metrics=["accuracy"])
            hist = model.fit(X, Y_ONEHOT, batch_size=4, epochs=2, shuffle=False, verbose=0)
            ev = model.evaluate(X, Y_ONEHOT, batch_size=8, verbose=0)
            return {"history": _hist(tf, hist.history),
                    "evaluate": ev, "weights": model.get_weights(),
                    "metrics_names": _names(tf, model.metrics_names),
                    "predict": model.predict(X)}
        check_keras(report, "keras fit 2 epochs %s" % label, mlp, script, rtol=2e-4, atol=2e-5)

    losses = [("sparse_categorical_crossentropy", Y_INT, "softmax"),
              ("mse", Y_REG[:, :1].repeat(3, 1), None),
              ("mae", Y_REG[:, :1].repeat(3, 1), None),
              ("binary_crossentropy", (Y_ONEHOT > 0).astype(np.float32), "sigmoid"),
              ("categorical_hinge", Y_ONEHOT, None),
              ("kullback_leibler_divergence", Y_ONEHOT * 0.8 + 0.2 / 3, "softmax"),
              ("logcosh", Y_REG[:, :1].repeat(3, 1), None),
              ("huber_loss" if False else "mean_squared_logarithmic_error",
               np.abs(Y_REG[:, :1].repeat(3, 1)), "relu")]
    for loss, y, act in losses:
        def build(tf, act=act):
            return tf.keras.Sequential([
                tf.keras.layers.Dense(8, activation="tanh", input_shape=(6,)),
                tf.keras.layers.Dense(3, activation=act)])

        def script(tf, model, loss=loss, y=y):
            metrics = ["accuracy"] if "entropy" in loss else ["mae", "mse"]
            model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss=loss, metrics=metrics)
            hist = model.fit(X, y, batch_size=5, epochs=1, shuffle=False, verbose=0)
            ev = model.evaluate(X, y, verbose=0)
            return {"history": _hist(tf, hist.history),
                    "evaluate": ev, "weights": model.get_weights()}
        check_keras(report, "keras loss %s" % loss, build, script, rtol=2e-4, atol=2e-5)

    def bn_train(tf):
        return tf.keras.Sequential([
            tf.keras.layers.Dense(5, input_shape=(6,)),
            tf.keras.layers.BatchNormalization(momentum=0.9),
            tf.keras.layers.Activation("relu"),
            tf.keras.layers.Dense(3, activation="softmax")])

    def bn_script(tf, model):
        model.compile("sgd", "categorical_crossentropy")
        model.fit(X, Y_ONEHOT, batch_size=4, epochs=1, shuffle=False, verbose=0)
        return {"weights": model.get_weights(), "predict": model.predict(X),
                "evaluate": model.evaluate(X, Y_ONEHOT, verbose=0)}
    check_keras(report, "keras BatchNormalization fit (moving stats)", bn_train, bn_script,
                rtol=2e-4, atol=2e-5)

    def cnn(tf):
        return tf.keras.Sequential([
            tf.keras.layers.Conv2D(3, 3, activation="relu", input_shape=(6, 6, 2)),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(3, activation="softmax")])

    def cnn_script(tf, model):
        model.compile(tf.keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        h = model.fit(IMG, IMG_Y, batch_size=3, epochs=2, shuffle=False, verbose=0,
                      validation_data=(IMG[:4], IMG_Y[:4]))
        return {"history": _hist(tf, h.history),
                "weights": model.get_weights()}
    check_keras(report, "keras CNN fit with validation_data", cnn, cnn_script, rtol=2e-4,
                atol=2e-5)

    def rnn_model(tf):
        return tf.keras.Sequential([
            tf.keras.layers.LSTM(4, input_shape=(5, 3)),
            tf.keras.layers.Dense(2)])

    def rnn_script(tf, model):
        model.compile(tf.keras.optimizers.RMSprop(0.01), "mse")
        model.fit(SEQ, Y_REG[:8], batch_size=4, epochs=2, shuffle=False, verbose=0)
        return {"weights": model.get_weights(), "predict": model.predict(SEQ)}
    check_keras(report, "keras LSTM fit RMSprop", rnn_model, rnn_script, rtol=2e-4, atol=2e-5)

    def val_split(tf):
        return mlp(tf)

    def val_split_script(tf, model):
        model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
        h = model.fit(X, Y_ONEHOT, batch_size=4, epochs=2, shuffle=False, verbose=0,
                      validation_split=0.25)
        return {"history": _hist(tf, h.history),
                "weights": model.get_weights()}
    check_keras(report, "keras fit validation_split", val_split, val_split_script, rtol=2e-4,
                atol=2e-5)

    def train_on_batch(tf):
        return mlp(tf)

    def tob_script(tf, model):
        model.compile(tf.keras.optimizers.SGD(0.1, momentum=0.5), "categorical_crossentropy",
                      metrics=["accuracy"])
        a = model.train_on_batch(X[:4], Y_ONEHOT[:4])
        b = model.train_on_batch(X[4:8], Y_ONEHOT[4:8])
        c = model.test_on_batch(X, Y_ONEHOT)
        return {"a": a, "b": b, "c": c, "pob": model.predict_on_batch(X[:3])}
    check_keras(report, "keras train_on_batch/test_on_batch", train_on_batch, tob_script,
                rtol=2e-4, atol=2e-5)

    def names(tf):
        m = tf.keras.Sequential()
        m.add(tf.keras.layers.Dense(3, input_shape=(6,)))
        m.add(tf.keras.layers.Dense(2))
        m2 = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(6,), name="fc")])
        return m

    def names_script(tf, model):
        other = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(6,), name="fc")])
        return {"layer names": [l.name for l in model.layers],
                "model name": model.name, "other": [w.name for w in other.weights],
                "output": model.output.name, "input": model.input.name,
                "summary": summary_text(model)}
    check_keras(report, "keras default layer/model/weight names", names, names_script)


if __name__ == "__main__":
    rep = Report("keras")
    run(rep)
    main_guard(rep)
