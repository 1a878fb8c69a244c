"""Gradient checking (``tf.test``): compare tf.gradients with central differences.

``tf.test.compute_gradient`` is TF1's API (full Jacobians in the default session).
``check_gradients(fn, *arrays)`` is the workhorse of tfone's own op tests: it builds ``fn``
on float64 placeholders in a fresh graph, and compares the gradient of a random projection of
its output with central differences, optionally for second derivatives too.
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Graph
from tfone.framework.gradients import gradients
from tfone.framework.session import Session, get_default_session
from tfone.framework.op_registry import convert_to_tensor

__all__ = ["compute_gradient", "compute_gradient_error", "check_gradients", "gradient_error",
           "is_gpu_available", "gpu_device_name", "is_built_with_cuda"]


# The device checks TF1 notebooks start with. tfone computes with numpy on the CPU.
def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """False: tfone runs every op on the CPU (numpy)."""
    return False


def gpu_device_name():
    """'' (no GPU device), as TF1 says on a machine without one."""
    return ""


def is_built_with_cuda():
    """False: tfone has no CUDA build."""
    return False


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """(theoretical, numerical) Jacobians of ``y`` w.r.t. ``x``, each of shape [x size, y size].

    Runs in the default session. ``x`` may be a list (with a list of shapes and init values).
    """
    if isinstance(x, (list, tuple)):
        init = x_init_value or [None] * len(x)
        return [compute_gradient(xi, si, y, y_shape, vi, delta, init_targets, extra_feed_dict)
                for xi, si, vi in zip(x, x_shape, init)]
    session = get_default_session()
    if session is None:
        raise ValueError("compute_gradient needs a default session (use `with tf.Session():`)")
    if init_targets is not None:
        session.run(init_targets)
    x_shape, y_shape = tuple(x_shape), tuple(y_shape)
    x_value = (np.asarray(x_init_value, dtype=x.dtype._np) if x_init_value is not None
               else np.random.RandomState(1).random_sample(x_shape).astype(x.dtype._np))
    feed = dict(extra_feed_dict or {})
    x_size, y_size = int(np.prod(x_shape)), int(np.prod(y_shape))
    from tfone.ops.array_ops import placeholder
    dy = placeholder(y.dtype, y_shape)
    grad = gradients(y, x, grad_ys=dy)[0]
    theoretical = np.zeros((x_size, y_size), dtype=np.float64)
    for j in range(y_size):
        basis = np.zeros(y_size, dtype=y.dtype._np)
        basis[j] = 1
        feed.update({x: x_value, dy: basis.reshape(y_shape)})
        if grad is not None:
            theoretical[:, j] = np.asarray(session.run(grad, feed)).reshape(-1)
    numerical = np.zeros((x_size, y_size), dtype=np.float64)
    flat = x_value.reshape(-1)
    for i in range(x_size):
        saved = flat[i]
        flat[i] = saved + delta
        feed[x] = flat.reshape(x_shape)
        plus = np.asarray(session.run(y, feed), dtype=np.float64).reshape(-1)
        flat[i] = saved - delta
        feed[x] = flat.reshape(x_shape)
        minus = np.asarray(session.run(y, feed), dtype=np.float64).reshape(-1)
        flat[i] = saved
        numerical[i, :] = (plus - minus) / (2 * delta)
    return theoretical, numerical


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None):
    """Max absolute difference between the theoretical and numerical Jacobians."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                              extra_feed_dict)
    if isinstance(result, list):
        return max(float(np.max(np.abs(t - n))) if t.size else 0.0 for t, n in result)
    t, n = result
    return float(np.max(np.abs(t - n))) if t.size else 0.0


def gradient_error(fn, *values, wrt=None, order=1, delta=1e-6, seed=0):
    """Largest relative error between tf.gradients and central differences for ``fn``.

    ``fn(*tensors)`` builds a tensor (or list of tensors) from placeholders that get
    ``values``; floating values are fed as float64. ``wrt`` lists the argument indices to
    check (default: every floating argument). ``order=2`` checks the gradient of a random
    projection of the gradient (second derivatives).
    """
    values = [np.asarray(v) for v in values]
    values = [v.astype(np.float64) if v.dtype.kind == "f" else v for v in values]
    if wrt is None:
        wrt = [i for i, v in enumerate(values) if v.dtype.kind == "f"]
    rng = np.random.RandomState(seed)
    graph = Graph()
    with graph.as_default():
        from tfone.ops.array_ops import placeholder
        from tfone.ops.math_ops import reduce_sum, multiply, add_n, cast
        inputs = [placeholder(dtypes.as_dtype(v.dtype), v.shape, name="arg%d" % i)
                  for i, v in enumerate(values)]
        outputs = fn(*inputs)
        outputs = [convert_to_tensor(o) for o in (outputs if isinstance(outputs, (list, tuple))
                                                  else [outputs])]
        terms = []
        for o in outputs:
            if not o.dtype.is_floating:
                continue
            shape = o.shape.as_list()
            if None in shape:
                raise ValueError("check_gradients needs static output shapes, got %s" % o.shape)
            weights = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
            terms.append(reduce_sum(multiply(cast(o, dtypes.float64), weights)))
        if not terms:
            raise ValueError("fn produced no floating-point output to differentiate")
        scalar = add_n(terms) if len(terms) > 1 else terms[0]
        xs = [inputs[i] for i in wrt]
        grads = gradients(scalar, xs)
        if order == 2:
            second = []
            for g, i in zip(grads, wrt):
                if g is None:
                    continue
                v = rng.uniform(0.5, 1.5, size=values[i].shape)
                second.append(reduce_sum(multiply(g, v)))
            if not second:
                raise ValueError("no first-order gradient to differentiate again")
            scalar = add_n(second) if len(second) > 1 else second[0]
            grads = gradients(scalar, xs)
        elif order != 1:
            raise ValueError("order must be 1 or 2")
        with Session(graph=graph) as sess:
            feed = {p: v for p, v in zip(inputs, values)}
            analytic = sess.run([g if g is not None else scalar for g in grads], feed)
            worst = 0.0
            for k, (i, g) in enumerate(zip(wrt, grads)):
                numeric = _numeric_gradient(sess, scalar, inputs, values, i, delta)
                got = np.zeros_like(numeric) if g is None else np.asarray(analytic[k], dtype=np.float64)
                if got.shape != numeric.shape:
                    raise AssertionError("gradient for argument %d has shape %s, expected %s"
                                         % (i, got.shape, numeric.shape))
                scale = max(1.0, float(np.max(np.abs(numeric))) if numeric.size else 1.0)
                err = float(np.max(np.abs(got - numeric))) / scale if numeric.size else 0.0
                worst = max(worst, err)
            return worst


def check_gradients(fn, *values, wrt=None, order=1, tol=1e-5, delta=1e-6, seed=0):
    """Assert that ``gradient_error(fn, *values, ...)`` is below ``tol``; returns the error."""
    err = gradient_error(fn, *values, wrt=wrt, order=order, delta=delta, seed=seed)
    if not err < tol:
        raise AssertionError("gradient check failed: relative error %.3g >= %.3g (order %d)"
                             % (err, tol, order))
    return err


def _numeric_gradient(sess, scalar, inputs, values, index, delta):
    feed = {p: v for p, v in zip(inputs, values)}
    x = values[index].copy()
    flat = x.reshape(-1)
    out = np.zeros(flat.size)
    for j in range(flat.size):
        saved = flat[j]
        flat[j] = saved + delta
        feed[inputs[index]] = x
        plus = float(sess.run(scalar, feed))
        flat[j] = saved - delta
        feed[inputs[index]] = x
        minus = float(sess.run(scalar, feed))
        flat[j] = saved
        out[j] = (plus - minus) / (2 * delta)
    return out.reshape(x.shape)
