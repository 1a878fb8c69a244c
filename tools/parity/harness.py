"""Shared machinery for the TF1-parity scripts (see README.md in this folder).

A *case* is one small program written once against the TF1 API and run twice: with
``tf = tensorflow.compat.v1`` (graph mode) and with ``tf = tfone``. It returns a dict of
named fetches (tensors, or lists of tensors such as ``tf.gradients`` results). The harness
runs both in a fresh graph and session, and compares, per fetch: the value (to a
tolerance), the static shape, the dtype and the tensor name. A case that raises in one
library but not in the other is a discrepancy too.

Only the reference virtualenv (TensorFlow + tfone, see README.md) can run this; CI and
pytest never import it.
"""
import os
import sys
import traceback

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")   # Keras 2 (tf_keras) for tf.layers/rnn/keras

import tfone  # noqa: E402

_TF1 = None


def tf1():
    """tensorflow.compat.v1 with v2 behaviour disabled (imported once, lazily)."""
    global _TF1
    if _TF1 is None:
        import logging
        import warnings
        warnings.filterwarnings("ignore")
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        tf.logging.set_verbosity(tf.logging.ERROR)
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        _TF1 = tf
    return _TF1


LIBS = {"tf1": tf1, "tfone": lambda: tfone}


# ---------------------------------------------------------------------------------------------
# running one program

class Fetched:
    """What one library produced for one fetch key."""

    def __init__(self, value, shape, dtype, name):
        self.value, self.shape, self.dtype, self.name = value, shape, dtype, name


def static_shape(t):
    shape = t.shape
    if shape.ndims is None:
        return None
    return [d if d is None else int(d) for d in shape.as_list()]


def _flatten(fetches):
    """{'k': t, 'g': [t1, t2]} -> {'k': t, 'g[0]': t1, 'g[1]': t2} (None entries kept)."""
    flat = {}
    for key, value in fetches.items():
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                flat["%s[%d]" % (key, i)] = item
        else:
            flat[key] = value
    return flat


def run_case(lib, fn, setup=None):
    """Build ``fn(tf)`` in a fresh graph of ``lib`` and run it.

    ``fn`` returns a dict of fetches, or ``(fetches, feed_dict_builder)`` where the builder
    maps the library to a feed dict. ``setup(tf, sess)`` runs after variable initialisation
    (used to load identical weights). Returns ({key: Fetched}, graph).
    """
    tf = LIBS[lib]()
    graph = tf.Graph()
    with graph.as_default():
        if hasattr(tf, "set_random_seed"):
            tf.set_random_seed(0)
        np.random.seed(1234)   # inline np.random data in a case is identical in both runs
        built = fn(tf)
        feed = None
        if isinstance(built, tuple):
            built, feed = built
        flat = _flatten(built)
        densified = set()
        for key, value in flat.items():
            # TF1 returns IndexedSlices for gather/embedding gradients; compare them densely.
            if value is not None and hasattr(value, "indices") and hasattr(value, "dense_shape"):
                flat[key] = tf.convert_to_tensor(value)
                densified.add(key)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.local_variables_initializer())
            if setup is not None:
                setup(tf, sess)
            variables = tf.global_variables()
            initial = dict(zip([v.name for v in variables], sess.run(variables)))
            tensors = {k: v for k, v in flat.items() if v is not None and hasattr(v, "dtype")}
            ops = [v for k, v in flat.items() if v is not None and not hasattr(v, "dtype")]
            if ops:
                sess.run(ops, feed_dict=feed)
            values = sess.run(tensors, feed_dict=feed) if tensors else {}
    out = {}
    for key, value in flat.items():
        if value is None:
            out[key] = Fetched(None, None, None, None)
        elif not hasattr(value, "dtype"):
            out[key] = Fetched("<op>", None, None, value.name)
        else:
            out[key] = Fetched(np.asarray(values[key]), static_shape(value),
                               value.dtype.base_dtype.name,
                               "gradients/<IndexedSlices>" if key in densified else value.name)
    return out, initial


# ---------------------------------------------------------------------------------------------
# comparing and reporting

class Report:
    """Collects per-case results; ``finish()`` prints a summary and returns an exit status."""

    def __init__(self, title):
        self.title = title
        self.lines = []
        self.n_cases = 0
        self.n_checks = 0
        self.problems = []      # (case, key, kind, detail)

    def problem(self, case, key, kind, detail):
        self.problems.append((case, key, kind, detail))
        print("  MISMATCH %-40s %-14s %-6s %s" % (case, key, kind, detail))

    def finish(self):
        print()
        print("== %s: %d cases, %d checks, %d mismatches" % (
            self.title, self.n_cases, self.n_checks, len(self.problems)))
        by_kind = {}
        for p in self.problems:
            by_kind.setdefault(p[2], []).append(p)
        for kind, items in sorted(by_kind.items()):
            print("   %-6s %d" % (kind, len(items)))
        return 1 if self.problems else 0


def _describe(a):
    a = np.asarray(a)
    if a.size <= 12:
        return np.array2string(a, precision=6, separator=",").replace("\n", "")
    return "array%s(first: %s)" % (a.shape, np.array2string(a.ravel()[:6], precision=6,
                                                             separator=","))


def compare_values(ref, got, rtol, atol):
    """None if equal enough, else a short description."""
    ref, got = np.asarray(ref), np.asarray(got)
    if ref.shape != got.shape:
        return "value shape %s vs %s" % (ref.shape, got.shape)
    if ref.dtype.kind in "fc" or got.dtype.kind in "fc":
        ok = np.allclose(got.astype(np.float64), ref.astype(np.float64), rtol=rtol, atol=atol,
                         equal_nan=True)
        if not ok:
            diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
            diff = np.where(np.isnan(diff), np.inf, diff)
            return "tf1=%s tfone=%s (max abs diff %.3g)" % (_describe(ref), _describe(got),
                                                            np.max(diff))
        return None
    if ref.dtype.kind in "SUO" or got.dtype.kind in "SUO":
        same = np.array_equal(np.vectorize(_as_str)(ref) if ref.size else ref,
                              np.vectorize(_as_str)(got) if got.size else got)
    else:
        same = np.array_equal(ref, got)
    return None if same else "tf1=%s tfone=%s" % (_describe(ref), _describe(got))


def _as_str(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _strip_colon(name):
    return name


def check(report, case, fn, rtol=1e-5, atol=1e-6, names=True, shapes=True, dtypes=True,
          setup=None, tolerances=None, expect_error=None, copy_variables=False):
    """Run ``fn`` in both libraries and record differences.

    ``copy_variables``: TF1's initial variable values are loaded into tfone's variables of
    the same name (so randomly initialised layers compute the same function); the variable
    names must then match exactly.
    ``tolerances`` maps a fetch key to (rtol, atol). ``names`` may be False (skip tensor
    names) or a set of keys whose names are compared. ``expect_error`` True means both are
    expected to raise at graph construction.
    """
    report.n_cases += 1
    results, errors, initial = {}, {}, {}
    for lib in ("tf1", "tfone"):
        lib_setup = setup
        if copy_variables and lib == "tfone" and "tf1" in initial:
            lib_setup = _chain(setup, copy_weights_setup(initial["tf1"]))
        try:
            results[lib], initial[lib] = run_case(lib, fn, setup=lib_setup)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors[lib] = exc
            if lib == "tfone" and os.environ.get("PARITY_TRACEBACK"):
                traceback.print_exc()
    if errors:
        report.n_checks += 1
        if len(errors) == 2:
            if not expect_error:
                report.problem(case, "-", "broken", "both raised (the case itself is wrong?): "
                               "tf1 %s; tfone %s" % (_short(errors["tf1"]),
                                                     _short(errors["tfone"])))
            elif not _same_error_kind(errors["tf1"], errors["tfone"]):
                report.problem(case, "-", "errtype", "tf1 %s vs tfone %s" % (
                    _short(errors["tf1"]), _short(errors["tfone"])))
            return None
        lib = next(iter(errors))
        if lib == "tf1":
            report.problem(case, "-", "error", "TF1 raises %s; tfone does not" %
                           _short(errors["tf1"]))
        else:
            report.problem(case, "-", "error", "tfone raises %s; TF1 does not" %
                           _short(errors["tfone"]))
        return None
    if expect_error:
        report.n_checks += 1
        report.problem(case, "-", "error", "neither library raised (expected both to)")
        return None
    ref, got = results["tf1"], results["tfone"]
    if copy_variables or sorted(initial["tf1"]) != sorted(initial["tfone"]):
        report.n_checks += 1
        if sorted(initial["tf1"]) != sorted(initial["tfone"]):
            report.problem(case, "variables", "name", "only tf1: %s; only tfone: %s" % (
                sorted(set(initial["tf1"]) - set(initial["tfone"])),
                sorted(set(initial["tfone"]) - set(initial["tf1"]))))
    for key in ref:
        r, g = ref[key], got.get(key)
        if g is None:
            report.problem(case, key, "fetch", "missing in tfone result")
            continue
        report.n_checks += 1
        if (r.value is None) != (g.value is None):
            report.problem(case, key, "value", "gradient None-ness differs: tf1 %s, tfone %s"
                           % (r.value is None, g.value is None))
            continue
        if r.value is None or isinstance(r.value, str):
            continue
        tol = (tolerances or {}).get(key, (rtol, atol))
        diff = compare_values(r.value, g.value, *tol)
        if diff:
            report.problem(case, key, "value", diff)
        if dtypes and r.dtype != g.dtype:
            report.problem(case, key, "dtype", "tf1 %s tfone %s" % (r.dtype, g.dtype))
        if shapes and r.shape != g.shape:
            report.problem(case, key, "shape", "tf1 %s tfone %s" % (r.shape, g.shape))
        if (names and (names is True or key in names) and r.name != g.name
                and not (r.name or "").startswith("gradients")):
            # gradient-internal op names are not compared (TF2's compat.v1 gradient
            # functions differ from TF 1.15's there anyway)
            report.problem(case, key, "name", "tf1 %s tfone %s" % (r.name, g.name))
    return ref, got


def _same_error_kind(ref, got):
    """Same exception class name, or tfone's class is a subclass of a builtin TF1 raised."""
    if type(ref).__name__ == type(got).__name__:
        return True
    return any(isinstance(got, cls) for cls in type(ref).__mro__
               if cls.__module__ == "builtins" and cls not in (Exception, BaseException, object))


def _chain(first, second):
    def setup(tf, sess):
        if first is not None:
            first(tf, sess)
        second(tf, sess)
    return setup


def _short(exc):
    text = str(exc).strip().splitlines()
    return "%s(%s)" % (type(exc).__name__, (text[0] if text else "")[:150])


def check_raises(report, case, fn):
    """Both libraries must raise while building ``fn`` (graph construction error)."""
    return check(report, case, fn, expect_error=True)


def main_guard(report):
    sys.exit(report.finish())


# ---------------------------------------------------------------------------------------------
# training loops

def run_training(lib, build, steps, setup=None):
    """``build(tf)`` returns (train_op, fetches dict, feed dict or None). Runs ``train_op``
    ``steps`` times, fetching ``fetches`` before every step and after the last one.
    Returns (trajectory {key: [values...]}, {variable name: final value}, graph)."""
    tf = LIBS[lib]()
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        np.random.seed(1234)
        train_op, fetches, feed = build(tf)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.local_variables_initializer())
            if setup is not None:
                setup(tf, sess)
            variables = tf.global_variables()
            initial = dict(zip([v.name for v in variables], sess.run(variables)))
            traj = {k: [] for k in fetches}
            for _ in range(steps):
                vals = sess.run(fetches, feed_dict=feed) if fetches else {}
                for k in fetches:
                    traj[k].append(vals[k])
                sess.run(train_op, feed_dict=feed)
            vals = sess.run(fetches, feed_dict=feed) if fetches else {}
            for k in fetches:
                traj[k].append(vals[k])
            variables = tf.global_variables()
            final = dict(zip([v.name for v in variables], sess.run(variables)))
    return traj, final, initial


def check_training(report, case, build, steps=5, rtol=1e-5, atol=1e-6, setup=None,
                   compare_variable_names=True, copy_variables=False):
    """Same training loop in both libraries: trajectories and every variable (by name).
    ``copy_variables`` loads TF1's initial values into tfone's same-named variables."""
    report.n_cases += 1
    res = {}
    for lib in ("tf1", "tfone"):
        lib_setup = setup
        if copy_variables and lib == "tfone":
            lib_setup = _chain(setup, copy_weights_setup(res["tf1"][2]))
        try:
            res[lib] = run_training(lib, build, steps, setup=lib_setup)
        except Exception as exc:  # noqa: BLE001
            if lib == "tfone" and os.environ.get("PARITY_TRACEBACK"):
                traceback.print_exc()
            report.n_checks += 1
            report.problem(case, "-", "error", "%s raises %s" % (lib, _short(exc)))
            return None
    (t_ref, v_ref, _), (t_got, v_got, _) = res["tf1"], res["tfone"]
    for key in t_ref:
        report.n_checks += 1
        diff = compare_values(np.array(t_ref[key]), np.array(t_got[key]), rtol, atol)
        if diff:
            report.problem(case, key, "value", "trajectory " + diff)
    if compare_variable_names:
        report.n_checks += 1
        if sorted(v_ref) != sorted(v_got):
            report.problem(case, "variables", "name", "tf1 %s tfone %s" % (
                sorted(set(v_ref) - set(v_got)), sorted(set(v_got) - set(v_ref))))
    for name in v_ref:
        if name in v_got:
            report.n_checks += 1
            diff = compare_values(v_ref[name], v_got[name], rtol, atol)
            if diff:
                report.problem(case, name, "value", diff)
    return res


def copy_weights_setup(values_by_name):
    """A ``setup`` that loads {variable name: array} into the matching global variables."""
    def setup(tf, sess):
        variables = {v.name: v for v in tf.global_variables()}
        for name, value in values_by_name.items():
            if name in variables:      # missing names are reported by the caller
                variables[name].load(value, sess)
    return setup
