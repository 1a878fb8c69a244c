"""tf.py_func / tf.numpy_function: a Python function on numpy arrays as an op of the graph.

As in TF1, the function lives in a registry of this Python process and the op refers to it by
a token (``pyfunc_0``, ...): graphs holding it can be exported, but not run in another process
(a Dask worker, or after import_graph_def elsewhere). It has no gradient (tf.gradients raises
LookupError through it), and the values it returns must have exactly the declared dtypes.
"""
import itertools
import threading

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.op_registry import OpDef, register_op, apply_op, convert_to_tensor

__all__ = ["py_func", "numpy_function"]

_FUNCS = {}                  # token -> Python function (this process only)
_TOKENS = itertools.count()
_LOCK = threading.Lock()


def _register(func):
    with _LOCK:
        token = "pyfunc_%d" % next(_TOKENS)
        _FUNCS[token] = func
    return token


@register_op("PyFunc")
class PyFunc(OpDef):
    """Calls a Python function on the input values (numpy arrays) and returns its results,
    which must have the dtypes ``Tout``."""
    inputs = ("*input",)
    attrs = {"token": "", "Tout": ()}
    num_outputs = None
    label = "py_func"
    stateful = True          # the function may have side effects: never folded, always run

    def infer(self, input, token, Tout):
        return [(dtypes.as_dtype(t), None) for t in Tout]

    def make_kernel(self, op, ctx):
        token, tout = op.get_attr("token"), [dtypes.as_dtype(t) for t in op.get_attr("Tout")]

        def call(inputs):
            func = _FUNCS.get(token)
            if func is None:
                raise errors.InvalidArgumentError(
                    None, None, "The Python function of py_func (token %s) is not registered "
                    "in this process: a py_func only runs in the Python process that created "
                    "it (TF1 has the same rule)." % token)
            result = func(*[np.array(x, copy=True) if isinstance(x, np.ndarray) else x
                            for x in inputs])
            if isinstance(result, bytes):
                result = [result]
            values = list(result) if isinstance(result, (list, tuple)) else [result]
            if not tout and result is None:
                return ()
            if len(values) != len(tout):
                raise errors.InvalidArgumentError(
                    None, None, "%s returns %d values, but expects to see %d values."
                    % (token, len(values), len(tout)))
            return tuple(_checked(value, dtype, i, token) for i, (value, dtype) in
                         enumerate(zip(values, tout)))
        return call


def _checked(value, dtype, index, token):
    """``value`` as an array of ``dtype``; TF1 rejects any other dtype (no silent casts)."""
    if dtype == dtypes.string:
        array = np.asarray(value, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                            otypes=[object])(array) if array.size else array
    array = np.asarray(value)
    if array.dtype != dtype._np:
        got = dtypes.as_dtype(array.dtype).name if array.dtype.kind in "biufc" else str(array.dtype)
        raise errors.InvalidArgumentError(
            None, None, "%d-th value returned by %s is %s, but expects %s (return arrays of the "
                        "declared Tout dtype, e.g. np.float32)" % (index, token, got, dtype.name))
    return array


def py_func(func, inp, Tout, stateful=True, name=None):
    """An op that runs ``func`` on the values of the tensors ``inp`` (numpy arrays) when the
    graph runs, returning tensors of the dtypes ``Tout`` (a dtype, or a list of them: then a
    list is returned). Output shapes are unknown (use set_shape); no gradient is defined."""
    if not callable(func):
        raise TypeError("func must be callable, got %r" % (func,))
    is_list = isinstance(Tout, (list, tuple))
    tout = tuple(dtypes.as_dtype(t) for t in (Tout if is_list else [Tout]))
    inputs = [convert_to_tensor(x) for x in inp]
    result = apply_op("PyFunc", [inputs], {"token": _register(func), "Tout": tout},
                      name=name or "PyFunc")
    if not tout:
        return result          # the Operation: run it for its side effects
    outputs = result if isinstance(result, list) else [result]
    return outputs if is_list else outputs[0]


def numpy_function(func, inp, Tout, name=None):
    """tf.py_func with ``stateful=True``: ``func`` receives and returns numpy arrays."""
    return py_func(func, inp, Tout, stateful=True, name=name)
