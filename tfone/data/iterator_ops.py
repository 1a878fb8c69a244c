"""The graph ops of ``tf.data`` iterators, and the iterator state they keep in each Session.

TF1 names and types: ``OneShotIterator`` and ``IteratorV2`` make an iterator (a handle),
``MakeIterator`` (the ``initializer``) points it at a dataset, ``IteratorGetNext`` produces
the next element (one output per component) and ``IteratorToStringHandle`` /
``IteratorFromStringHandleV2`` convert handles for feedable iterators.

How tfone runs them: a handle is a string scalar naming the iterator (TF1 uses a
``resource`` tensor). The dataset itself is a Python object (see ``dataset.py``), kept in a
registry of this process and named in the ops by a token attr, as ``tf.py_func`` does with
its function. Each Session keeps, per iterator, a Python generator over the dataset's
elements: ``MakeIterator`` creates it (binding the values of the graph tensors the dataset
uses, e.g. a fed placeholder), ``OneShotIterator`` creates it the first time it runs, and
``IteratorGetNext`` advances it, raising ``OutOfRangeError`` at the end. So two Sessions
iterate independently and a new Session starts over, as in TF1. This module only declares
the ops; it is imported with the op library, so graphs holding iterators can be imported.
"""
import itertools
import threading
import weakref

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.op_registry import OpDef, register_op, NOT_DIFFERENTIABLE, REQUIRED

__all__ = []

# -- datasets named by ops ------------------------------------------------------------------------
_DATASETS = weakref.WeakValueDictionary()   # token -> dataset, for the kernels
_TOKENS = itertools.count()
_LOCK = threading.Lock()
# The graph keeps the datasets its ops name alive, in a collection whose key is not a string
# (as TF1 keeps its variable store): graph exports leave it out.
_DATASETS_KEY = ("__datasets",)


def register_dataset(graph, dataset):
    """A token for ``dataset``, kept alive as long as ``graph`` is."""
    with _LOCK:
        token = "dataset_%d" % next(_TOKENS)
        _DATASETS[token] = dataset
    graph.add_to_collection(_DATASETS_KEY, dataset)
    return token


def _lookup_dataset(token, op):
    dataset = _DATASETS.get(token)
    if dataset is None:
        raise errors.FailedPreconditionError(
            None, op, "The dataset of %s (%s) does not exist in this Python process: tfone "
            "datasets are Python objects, so a graph holding an iterator runs only in the "
            "process that built it." % (op.name, token))
    return dataset


# -- per-Session state ------------------------------------------------------------------------------
class Env:
    """What one traversal of a dataset may keep: ``passes`` (shuffle epochs made, per dataset;
    kept by the iterator across re-initialisations, which therefore reshuffle, as TF1's
    seed generators in the iterator's resource manager do), ``runners`` (private sessions
    running traced map/filter functions) and ``caches`` (``Dataset.cache``, one per
    initialisation)."""

    __slots__ = ("passes", "runners", "caches")

    def __init__(self, passes, runners, caches):
        self.passes, self.runners, self.caches = passes, runners, caches


class _SessionData:
    def __init__(self):
        self.iterators = {}     # handle (bytes) -> _IteratorState
        self.passes = {}        # handle -> {dataset: shuffle passes made}
        self.runners = {}


_SESSIONS = weakref.WeakKeyDictionary()     # a Session's run context -> _SessionData


def _session_data(ctx):
    data = _SESSIONS.get(ctx)
    if data is None:
        data = _SESSIONS[ctx] = _SessionData()
    return data


class _IteratorState:
    """A Python generator over a bound dataset's elements (flattened)."""

    def __init__(self, dataset, data, key):
        from tfone.data.structure import flatten
        self._flatten = flatten
        passes = data.passes.setdefault(key, {})
        self._elements = iter(dataset._elements(Env(passes, data.runners, {})))

    def next(self):
        try:
            element = next(self._elements)
        except StopIteration:
            raise errors.OutOfRangeError(None, None, "End of sequence") from None
        except errors.OpError:
            raise
        except Exception as e:  # a map function, a generator, a batch of unequal shapes...
            raise errors.InvalidArgumentError(
                None, None, "%s: %s\n  (raised in the input pipeline)" % (type(e).__name__, e)
            ) from e
        return self._flatten(element)


def _handle_key(handle):
    value = handle[()] if isinstance(handle, np.ndarray) else handle
    return value.encode() if isinstance(value, str) else bytes(value)


def _handle(key):
    return np.array(key, dtype=object)


def _component(value, np_dtype, dims, index, op):
    """One output of IteratorGetNext: an array of the declared dtype, read-only (it may be
    the dataset's own array; the Session copies read-only arrays it hands out)."""
    if type(value) is not np.ndarray:
        value = np.asarray(value, dtype=object) if np_dtype == object else np.asarray(value)
    if value.dtype != np_dtype:
        if np_dtype == object and value.dtype.kind in "SU":
            value = value.astype(object)
        else:
            raise errors.InvalidArgumentError(
                None, op, "The input pipeline produced a %s value for component %d of %s, "
                "which expects %s." % (value.dtype, index, op.name, np.dtype(np_dtype)))
    if dims is not None:
        shape = value.shape
        if len(shape) != len(dims) or any(d is not None and d != s for d, s in zip(dims, shape)):
            raise errors.InvalidArgumentError(
                None, op, "The input pipeline produced a value of shape %s for component %d of "
                "%s, whose static shape is %s." % (list(shape), index, op.name,
                                                   ["?" if d is None else d for d in dims]))
    if value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


# -- ops --------------------------------------------------------------------------------------------
class _IteratorOp(OpDef):
    family = "data"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    @staticmethod
    def _key(op):
        return (op.get_attr("shared_name") or op.name).encode()


@register_op("IteratorV2")
class IteratorV2(_IteratorOp):
    """An iterator handle, pointed at a dataset by MakeIterator (make_initializable_iterator,
    Iterator.from_structure)."""
    attrs = {"shared_name": "", "container": "", "output_types": REQUIRED,
             "output_shapes": REQUIRED}
    label = "iterator"

    def infer(self, shared_name, container, output_types, output_shapes):
        return dtypes.string, []

    def make_kernel(self, op, ctx):
        handle = _handle(self._key(op))
        return lambda: handle


@register_op("OneShotIterator")
class OneShotIterator(_IteratorOp):
    """An iterator handle that starts on its dataset the first time it runs in a Session
    (make_one_shot_iterator)."""
    attrs = {"dataset_factory": REQUIRED, "output_types": REQUIRED, "output_shapes": REQUIRED,
             "container": "", "shared_name": ""}
    label = "one-shot iterator"

    def infer(self, dataset_factory, output_types, output_shapes, container, shared_name):
        return dtypes.string, []

    def make_kernel(self, op, ctx):
        key = self._key(op)
        handle = _handle(key)
        token = op.get_attr("dataset_factory")
        data = _session_data(ctx)

        def one_shot():
            if key not in data.iterators:
                data.iterators[key] = _IteratorState(_lookup_dataset(token, op), data, key)
            return handle
        return one_shot


@register_op("MakeIterator")
class MakeIterator(_IteratorOp):
    """Starts ``iterator`` on a dataset (an iterator's initializer); the inputs are the graph
    tensors the dataset uses, e.g. a placeholder fed when the initializer runs."""
    inputs = ("*components", "iterator:string")
    attrs = {"dataset": REQUIRED}
    label = "make iterator"

    def infer(self, components, iterator, dataset):
        if iterator.shape.ndims not in (None, 0):
            raise ValueError("the iterator handle must be a scalar, got shape %s" % iterator.shape)
        return []

    def make_kernel(self, op, ctx):
        token = op.get_attr("dataset")
        data = _session_data(ctx)

        def make_iterator(components, iterator):
            dataset = _lookup_dataset(token, op)
            captures = dataset._captures()
            if len(captures) != len(components):
                raise errors.InternalError(None, op, "%s: the dataset uses %d graph tensors but "
                                           "the op has %d inputs" % (op.name, len(captures),
                                                                     len(components)))
            bound = dataset._bind(dict(zip(captures, components)))
            key = _handle_key(iterator)
            data.iterators[key] = _IteratorState(bound, data, key)
        return make_iterator


@register_op("IteratorGetNext")
class IteratorGetNext(_IteratorOp):
    """The next element of an iterator, one output per component; OutOfRangeError ("End of
    sequence") after the last one."""
    inputs = ("iterator:string",)
    attrs = {"output_types": REQUIRED, "output_shapes": REQUIRED}
    num_outputs = None
    label = "get_next"

    def infer(self, iterator, output_types, output_shapes):
        if iterator.shape.ndims not in (None, 0):
            raise ValueError("the iterator handle must be a scalar, got shape %s" % iterator.shape)
        if len(output_types) != len(output_shapes):
            raise ValueError("output_types (%d) and output_shapes (%d) differ in length"
                             % (len(output_types), len(output_shapes)))
        if not output_types:
            raise ValueError("an iterator needs at least one component")
        return [(dtypes.as_dtype(t), s) for t, s in zip(output_types, output_shapes)]

    def make_kernel(self, op, ctx):
        data = _session_data(ctx)
        expected = [(dtypes.as_dtype(t)._np, s.as_tuple())
                    for t, s in zip(op.get_attr("output_types"), op.get_attr("output_shapes"))]

        def get_next(iterator):
            state = data.iterators.get(_handle_key(iterator))
            if state is None:
                raise errors.FailedPreconditionError(
                    None, op, "GetNext() failed because the iterator has not been initialized. "
                    "Ensure that you have run the initializer operation for this iterator "
                    "before getting the next element.")
            values = state.next()
            if len(values) != len(expected):
                raise errors.InvalidArgumentError(
                    None, op, "The input pipeline produced an element with %d components; %s "
                    "expects %d." % (len(values), op.name, len(expected)))
            return tuple(_component(v, t, dims, i, op)
                         for i, (v, (t, dims)) in enumerate(zip(values, expected)))
        return get_next


@register_op("IteratorToStringHandle")
class IteratorToStringHandle(OpDef):
    """The string handle of an iterator (Iterator.string_handle), to feed a feedable iterator."""
    family = "data"
    inputs = ("resource_handle:string",)
    label = "string handle"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, resource_handle):
        return dtypes.string, []

    def compute(self, resource_handle):
        return resource_handle


@register_op("IteratorFromStringHandleV2")
class IteratorFromStringHandleV2(OpDef):
    """The iterator named by a string handle (Iterator.from_string_handle): a feedable
    iterator."""
    family = "data"
    inputs = ("string_handle:string",)
    attrs = {"output_types": (), "output_shapes": ()}
    label = "iterator from handle"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, string_handle, output_types, output_shapes):
        if string_handle.shape.ndims not in (None, 0):
            raise ValueError("string_handle must be a scalar, got shape %s" % string_handle.shape)
        return dtypes.string, []

    def compute(self, string_handle, output_types, output_shapes):
        return string_handle
