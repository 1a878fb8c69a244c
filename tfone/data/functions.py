"""The functions given to ``map``, ``filter``, ``flat_map`` and ``interleave``.

As in TF1, a function is *traced once*: it is called on placeholders that match the
element's structure, dtypes and static shapes, in a private ``tf.Graph``, and the graph it
builds (tf ops: ``tf.cast``, ``tf.one_hot``, ``tf.py_func``...) is what runs for every
element, in a private Session fed with the element's values. So ``output_types`` and
``output_shapes`` are known statically, and the function's Python code (and its side
effects, e.g. a ``print``) runs once, when the dataset is built.

Errors of the tf ops a function builds (a dtype or shape mismatch) are raised when the
dataset is built, as in TF1. tfone extension: a function that fails on tensors for another
reason (it calls numpy on its arguments, tests a value with ``if``, ...) is called on the
numpy values of each element instead, in Python. Its output structure and dtypes are then
found, when an iterator needs them, by calling it on zeros shaped like the input; dims that
change with the input's unknown dims are unknown. If it fails on numpy values too, the error
reports why tracing failed as well.
"""
import os

import numpy as np

from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape
from tfone.data import structure as nest
from tfone.data.structure import TensorSpec

__all__ = []


class SpecUnavailable(TypeError):
    """The element structure of a dataset cannot be known without running it."""


def call(fn, element):
    """TF's convention: a tuple element is unpacked into positional arguments."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


_TFONE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Tensor methods that refuse Python/numpy protocols (``if t:``, ``len(t)``, ``np.asarray(t)``):
# raised there, an error means "numpy code", not "a tf op was misused".
_PROTOCOLS = {"__bool__", "__len__", "__iter__", "__array__", "__index__", "__int__",
              "__float__", "__complex__"}


def _raised_by_tf(error):
    """Did ``error`` come from tfone building an op (a dtype or shape mismatch...)?"""
    tb, last = error.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None:
        return False
    code = last.tb_frame.f_code
    return code.co_filename.startswith(_TFONE) and code.co_name not in _PROTOCOLS


def _is_tensor(value):
    from tfone.framework.graph import Tensor
    return isinstance(value, Tensor)


class StructuredFunction:
    """A user function over dataset elements, traced once when possible (module docstring).

    ``what`` names it in messages (``map_func``, ``predicate``); ``returns_dataset`` is True
    for ``flat_map`` / ``interleave``, whose function returns a Dataset.
    """

    def __init__(self, fn, input_spec, what, returns_dataset=False, normalize=None):
        if not callable(fn):
            raise TypeError("%s must be callable, got %r" % (what, fn))
        self._fn = fn
        self._what = what
        self._returns_dataset = returns_dataset
        self._normalize = normalize
        self._input_spec = input_spec
        self._trace_error = None
        self._numpy_spec = None
        self._scratch = None
        self.traced = False
        if input_spec is None:
            self._trace_error = SpecUnavailable(
                "the structure of its input is unknown (give from_generator output_types)")
        else:
            try:
                self._trace()
            except Exception as e:
                if _raised_by_tf(e):   # the function's tf ops are wrong: report it now, as TF1
                    raise
                self._trace_error = e  # numpy code: numpy mode

    # -- tracing -------------------------------------------------------------------------------
    def _trace(self):
        from tfone.framework.graph import Graph, get_default_graph
        from tfone.ops.array_ops import placeholder
        from tfone.data.dataset import Dataset
        graph = Graph()
        graph.seed = get_default_graph().seed   # random ops in the function follow tf's seeds
        with graph.as_default():
            specs = nest.flatten(self._input_spec)
            feeds = [placeholder(s.dtype, s.shape, name="args_%d" % i)
                     for i, s in enumerate(specs)]
            result = call(self._fn, nest.pack_like(self._input_spec, feeds))
            if self._returns_dataset:
                if not isinstance(result, Dataset):
                    raise TypeError("`%s` must return a Dataset object, got %s"
                                    % (self._what, type(result).__name__))
                fetches = result._captures()
                for t in fetches:
                    if t.graph is not graph:
                        raise ValueError("the dataset returned by %s uses %s from another graph"
                                         % (self._what, t.name))
                self._output_dataset = result
                self.output_spec = result.element_spec
            else:
                result = _as_tensors(result, graph, self._what)
                fetches = nest.flatten(result)
                self._output_structure = result
                self.output_spec = nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype),
                                                      result)
        self._graph, self._feeds, self._fetches = graph, feeds, fetches
        self.traced = True

    def _runner(self, env):
        runner = env.runners.get(self)
        if runner is None:
            if not self._fetches:
                def runner(*values):
                    return []
            else:
                from tfone.framework.session import Session
                runner = Session(graph=self._graph).make_callable(self._fetches, self._feeds)
            env.runners[self] = runner
        return runner

    # -- calling -------------------------------------------------------------------------------
    def __call__(self, element, env):
        """The function's result for one element (numpy values in, numpy values out)."""
        if self.traced:
            values = self._runner(env)(*nest.flatten(element))
            if self._returns_dataset:
                return self._output_dataset._bind(dict(zip(self._fetches, values)))
            return nest.pack_like(self._output_structure, values)
        return self._call_numpy(element)

    def _call_numpy(self, element):
        from tfone.framework.graph import Graph
        from tfone.data.dataset import Dataset
        if self._scratch is None:
            self._scratch = Graph()  # tf ops called on numpy values must not touch the user's graph
        try:
            with self._scratch.as_default():
                result = call(self._fn, element)
        except Exception as e:
            raise self._explain(e) from e
        if self._returns_dataset:
            if not isinstance(result, Dataset):
                raise TypeError("`%s` must return a Dataset object, got %s"
                                % (self._what, type(result).__name__))
            return result
        if any(_is_tensor(leaf) for leaf in nest.flatten(result)):
            raise TypeError("%s mixes tf ops with code that fails on tensors, so it can be "
                            "neither traced nor run on numpy values. Tracing failed with %s: %s"
                            % (self._what, type(self._trace_error).__name__, self._trace_error))
        return self._normalize(result) if self._normalize else result

    def _explain(self, error):
        """``error`` of a numpy-mode call, with the reason tracing failed."""
        message = ("%s failed on the numpy values of an element: %s: %s\n  (it runs on numpy "
                   "values because it could not be traced with tf ops: %s: %s)" % (
                       self._what, type(error).__name__, error,
                       type(self._trace_error).__name__, self._trace_error))
        try:
            return type(error)(message)
        except Exception:
            return TypeError(message)

    # -- the output structure in numpy mode -------------------------------------------------------
    def numpy_output_spec(self, describe):
        """The output spec of an untraced function, from calls on zeros (module docstring);
        ``describe(result)`` gives the spec of one result."""
        if self._numpy_spec is None:
            if self._input_spec is None:
                raise SpecUnavailable(
                    "the output structure of %s is unknown because the structure of its input "
                    "is: give from_generator output_types (and output_shapes)" % self._what)
            try:
                first = describe(self._call_numpy(_zeros_like_spec(self._input_spec, 1)))
                second = describe(self._call_numpy(_zeros_like_spec(self._input_spec, 2)))
            except Exception as e:
                raise SpecUnavailable(
                    "Cannot find the output types and shapes of %s, called on zeros shaped like "
                    "its input: %s\n  Write it with tf ops (tf.py_func can wrap numpy code)."
                    % (self._what, e)) from e
            self._numpy_spec = _merge_specs(first, second, self._what)
        return self._numpy_spec


def _as_tensors(result, graph, what):
    """A traced function's result as a structure of tensors of ``graph`` (lists become
    tuples, Python and numpy values constants)."""
    from tfone.framework.op_registry import convert_to_tensor
    from tfone.data.dataset import Dataset

    def convert(value):
        if isinstance(value, list):
            return tuple(convert(v) for v in value)
        if isinstance(value, tuple):
            items = [convert(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, Dataset):
            raise TypeError("%s returned a Dataset; use flat_map or interleave for functions "
                            "that return datasets" % what)
        if value is None:
            raise TypeError("%s returned None; it must return a tensor or a tuple/dict of "
                            "tensors" % what)
        if isinstance(value, np.ndarray) and value.dtype == object and any(
                _is_tensor(v) for v in value.flat):
            raise TypeError("%s built a numpy array of tensors" % what)
        tensor = convert_to_tensor(value)
        if tensor.graph is not graph:
            raise ValueError("%s uses the tensor %s of another graph; tfone cannot capture "
                             "tensors of the outer graph in a dataset function (pass values "
                             "through the dataset instead)" % (what, tensor.name))
        return tensor
    return convert(result)


def _zeros_like_spec(spec, unknown):
    def zeros(s):
        dims = s.shape.as_tuple()
        shape = () if dims is None else tuple(unknown if d is None else d for d in dims)
        if s.dtype == dtypes.string:
            return np.full(shape, b"", dtype=object)
        return np.zeros(shape, dtype=s.dtype._np)
    return nest.map_structure(zeros, spec)


def _merge_specs(a, b, what):
    if not nest.same_structure(a, b):
        raise SpecUnavailable("%s returns differently structured results for different inputs"
                              % what)
    merged = []
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if x.dtype != y.dtype:
            raise SpecUnavailable("%s returns %s or %s values depending on its input"
                                  % (what, x.dtype.name, y.dtype.name))
        dx, dy = x.shape.as_tuple(), y.shape.as_tuple()
        if dx is None or dy is None or len(dx) != len(dy):
            shape = TensorShape(None)
        else:
            shape = TensorShape([p if p == q else None for p, q in zip(dx, dy)])
        merged.append(TensorSpec(shape, x.dtype))
    return nest.pack_like(a, merged)
