"""``tfone.data.Dataset``: TF1's input pipelines, feeding graphs through iterators.

A Dataset describes a sequence of *elements*; each element is one component or a nested
tuple/dict of components (as in TF: a Python list is one component). Pipelines are built
with TF1's methods, and a graph reads them through an iterator whose ``get_next()`` is an op::

    dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
               .shuffle(1000, seed=1)
               .map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, tf.one_hot(y, 10)))
               .batch(32)
               .repeat(2))
    iterator = dataset.make_one_shot_iterator()
    images, labels = iterator.get_next()          # graph tensors: float32 [?, 784], [?, 10]
    loss = ...
    with tf.Session() as sess:
        while True:
            try:
                sess.run(train_op)                 # every run pulls the next batch
            except tf.errors.OutOfRangeError:      # "End of sequence"
                break

The same idioms as TF1 work: ``make_initializable_iterator()`` with ``sess.run(
iterator.initializer, feed_dict=...)`` (a dataset may be built from placeholders, e.g.
``from_tensor_slices(x_ph)`` or ``batch(batch_size_ph)``, fed when the initializer runs);
``tf.data.Iterator.from_structure(types, shapes)`` with one ``make_initializer(dataset)``
per dataset (train/validation switching); feedable iterators via ``string_handle()``;
``output_types`` / ``output_shapes`` / ``output_classes`` / ``element_spec``.

How tfone runs a pipeline (the design, and where it differs from TF1):

- The dataset is a Python object, not a chain of graph ops. The graph holds only the
  iterator ops (``OneShotIterator`` / ``IteratorV2``, ``MakeIterator``, ``IteratorGetNext``;
  see ``iterator_ops.py``). The iterator's state lives in the Session: two Sessions iterate
  independently, a new Session starts over, and running the initializer again restarts.
- The pipeline runs in Python, in the Session's thread, when ``get_next`` runs: each run
  pulls one element through the chain of generators (shuffle buffer, map, batch...).
  There are no background threads; ``prefetch`` and ``num_parallel_calls`` change nothing.
- ``map``/``filter``/``flat_map``/``interleave`` functions are traced once on placeholders
  in a private graph and that graph runs for every element in a private Session (see
  ``functions.py``). Functions that cannot be traced run on numpy values instead.
- A dataset can also be iterated in Python (``for x, y in dataset``), which Keras's
  ``fit`` does; elements are numpy values. Graph tensors a dataset uses must then have
  constant values.
- Seeds follow TF1's rules (``tf.get_seed``): ``shuffle(seed=None)`` is reproducible when a
  graph-level seed is set, and with ``reshuffle_each_iteration`` every pass (each
  ``repeat``, each re-initialisation of an iterator, each Python loop) gets a new order.
  The orders are numpy's, not TF1's.
- Arrays given to ``from_tensor_slices`` / ``from_tensors`` are used through read-only
  views, not copied (TF1 copies them into the graph as constants): changing such an array
  afterwards changes the dataset. Values fetched from ``get_next`` are copies.
"""
import copy
import itertools
import os
import weakref

import numpy as np

from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape
from tfone.data import structure as nest
from tfone.data.structure import TensorSpec
from tfone.data.functions import StructuredFunction, SpecUnavailable
from tfone.data.iterator_ops import Env

__all__ = ["Dataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AUTOTUNE"]

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
AUTOTUNE = -1

# Python iteration (``for x in dataset``): shuffle epochs and caches are kept per dataset
# object, private sessions per function, for as long as they exist.
_PYTHON_ENV = Env(weakref.WeakKeyDictionary(), weakref.WeakKeyDictionary(),
                  weakref.WeakKeyDictionary())


# -- values ---------------------------------------------------------------------------------------
def _is_tensor(value):
    from tfone.framework.graph import Tensor
    return isinstance(value, Tensor)


def _tensor_like(value):
    return _is_tensor(value) or hasattr(value, "_as_tensor")


def _normalize(value):
    """An element component as TF sees it: tuples/dicts stay structures, graph tensors stay
    tensors (their values come from the Session), the rest become numpy arrays.

    Python floats become float32 and Python ints int32, as ``tf.constant`` would make them;
    numpy arrays keep their dtype.
    """
    if isinstance(value, tuple):
        items = [_normalize(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {k: _normalize(value[k]) for k in value}
    if isinstance(value, np.ndarray):
        return value
    if _is_tensor(value):
        return value
    if _tensor_like(value) or (isinstance(value, list) and any(
            _tensor_like(v) for v in nest.flatten(tuple(value)))):
        from tfone.framework.op_registry import convert_to_tensor
        return convert_to_tensor(value)   # a Variable's value, or tf.stack of a list of tensors
    if hasattr(value, "to_numpy") and not isinstance(value, (str, bytes)):  # pandas
        return np.asarray(value.to_numpy())
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, np.generic):
        array = array.astype(np.float32)
    elif array.dtype == np.int64 and not isinstance(value, np.generic):
        array = array.astype(np.int32)
    elif array.dtype.kind == "U":
        array = array.astype(object).astype(bytes)   # tf.string values are bytes
    return array


def _read_only(structure):
    """The arrays of ``structure`` as read-only views: a dataset never changes the arrays it
    is given, and map functions cannot change them by accident."""
    def view(leaf):
        if isinstance(leaf, np.ndarray) and leaf.flags.writeable:
            leaf = leaf.view()
            leaf.flags.writeable = False
        return leaf
    return nest.map_structure(view, structure)


def _spec_of(value):
    """The TensorSpec of a component: a tensor's static shape, or a value's shape."""
    if _is_tensor(value):
        return TensorSpec(value.shape, value.dtype)
    value = np.asarray(value) if not isinstance(value, (bytes, str)) else np.asarray(
        value, dtype=object)
    try:
        dtype = dtypes.as_dtype(value.dtype)
    except TypeError:
        raise TypeError("tfone has no dtype for %s values (use float32/64, (u)int8/16, "
                        "int32/64, bool or strings)" % value.dtype) from None
    return TensorSpec(value.shape, dtype)


def _spec_of_element(element):
    return nest.map_structure(_spec_of, element)


def _count(value, what):
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise TypeError("%s must be an integer, got %r" % (what, value)) from None
    if count != value:
        raise TypeError("%s must be an integer, got %r" % (what, value))
    return count


def _scalar_param(value, what, dtype=dtypes.int64):
    """A parameter such as batch_size: a Python value, or a scalar graph tensor of ``dtype``
    (e.g. a placeholder fed when the iterator's initializer runs), as TF1 allows."""
    if not _tensor_like(value):
        return _count(value, what) if dtype == dtypes.int64 else bool(value)
    from tfone.framework.op_registry import convert_to_tensor
    tensor = convert_to_tensor(value, dtype=dtype, name=what)
    if tensor.shape.ndims not in (None, 0):
        raise ValueError("%s must be a scalar, got a tensor of shape %s" % (what, tensor.shape))
    return tensor


def _static(value):
    """A parameter's Python value, or None while it is a graph tensor."""
    return None if _is_tensor(value) else value


# -- the base class -------------------------------------------------------------------------------
class Dataset:
    """A sequence of elements, read in a graph through an iterator (``get_next()`` is an op)
    or iterated in Python; see the module docstring."""

    _inputs = ()   # attributes holding input datasets (or structures of them)
    _params = ()   # attributes that may hold graph tensors (or structures of them)

    # -- sources ------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per slice along the first axis: ``(x, y)`` gives ``(x[i], y[i])``.

        Components are numpy arrays, Python values or graph tensors (e.g. a placeholder fed
        when the iterator's initializer runs); all must have the same first dimension.
        """
        return _TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A dataset with a single element, ``tensors`` itself."""
        return _Tensors(tensors)

    @staticmethod
    def range(*args):
        """``Dataset.range(5)`` -> 0, 1, 2, 3, 4 (int64); ``range(start, stop[, step])`` as Python."""
        if not 1 <= len(args) <= 3:
            raise TypeError("Dataset.range takes 1 to 3 arguments (stop | start, stop[, step]), "
                            "got %d" % len(args))
        values = [_count(a, "Dataset.range's arguments") for a in args]
        if len(values) == 3 and values[2] == 0:
            raise ValueError("Dataset.range: step must not be 0")
        return _Range(range(*values))

    @staticmethod
    def zip(datasets):
        """Elements of several datasets side by side: ``zip((a, b))`` gives ``(a_i, b_i)``.

        ``datasets`` is a tuple (or dict) of datasets; the result stops with the shortest.
        """
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None):
        """Elements produced by calling ``generator(*args)`` (called again for every pass).

        ``output_types`` (a dtype or a structure of them, required for iterators as in TF1)
        and ``output_shapes`` (default: unknown) describe each element; values are converted
        to these dtypes, and an element of another shape raises InvalidArgumentError.
        """
        if not callable(generator):
            raise TypeError("`generator` must be callable (a function returning an iterator), "
                            "got %r" % (generator,))
        return _FromGenerator(generator, output_types, output_shapes, tuple(args or ()))

    # -- transformations ---------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False):
        """Stack ``batch_size`` consecutive elements along a new first axis. The last batch is
        smaller unless ``drop_remainder=True`` (then the batch dimension is static)."""
        return _Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes, padding_values=None, drop_remainder=False):
        """Batch elements of different shapes, padding each component to ``padded_shapes``
        (a dim of None or -1: the longest in the batch) with ``padding_values`` (default 0,
        or b'' for strings)."""
        return _PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self):
        """Split each element along its first axis (the inverse of ``batch``)."""
        return _Unbatch(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Randomly shuffle with a buffer of ``buffer_size`` elements, as TF does: the next
        element is drawn uniformly from the buffer, which is refilled from the input. A buffer
        at least as large as the dataset gives a uniform permutation. With
        ``reshuffle_each_iteration`` (default True) each pass gets a new order."""
        return _Shuffle(self, buffer_size, seed,
                        True if reshuffle_each_iteration is None else reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """Apply ``map_func`` to every element (tuple elements are unpacked into arguments).

        As in TF1, ``map_func`` is traced once on tensors (write it with tf ops) and its graph
        runs for every element; a function that cannot be traced runs on numpy values.
        ``num_parallel_calls`` is accepted and ignored (elements are made one at a time).
        """
        return _Map(self, map_func)

    def flat_map(self, map_func):
        """``map_func`` returns a Dataset for each element; their elements, in order."""
        return _FlatMap(self, map_func)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1,
                   num_parallel_calls=None):
        """Like flat_map, but takes ``block_length`` elements in turn from ``cycle_length``
        of the datasets ``map_func`` returns (AUTOTUNE: the number of CPUs, as TF)."""
        return _Interleave(self, map_func, cycle_length, block_length)

    def filter(self, predicate):
        """Keep the elements for which ``predicate`` (traced like map's function; it returns
        a scalar bool) is True."""
        return _Filter(self, predicate)

    def repeat(self, count=None):
        """Repeat the dataset ``count`` times (forever when None or -1)."""
        return _Repeat(self, count)

    def take(self, count):
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        return _Take(self, count)

    def skip(self, count):
        """All but the first ``count`` elements (skips everything when ``count`` is -1)."""
        return _Skip(self, count)

    def shard(self, num_shards, index):
        """Every ``num_shards``-th element, starting at ``index`` (for one of several workers)."""
        return _Shard(self, num_shards, index)

    def concatenate(self, dataset):
        """This dataset's elements followed by those of ``dataset`` (same structure and dtypes)."""
        if not isinstance(dataset, Dataset):
            raise TypeError("concatenate expects a Dataset, got %r" % (dataset,))
        return _Concatenate(self, dataset)

    def enumerate(self, start=0):
        """``(index, element)`` pairs, the index an int64 counting from ``start``."""
        return Dataset.zip((Dataset.range(start, 2 ** 62), self))

    def cache(self, filename=""):
        """Remember the elements of the first complete pass and replay them afterwards
        (in memory; a ``filename`` is not supported). In a graph, each initialisation of an
        iterator starts a new cache."""
        if filename:
            raise ValueError("tfone's Dataset.cache keeps elements in memory only; call "
                             "cache() without a filename.")
        return _Cache(self)

    def prefetch(self, buffer_size):
        """Does nothing in tfone (elements are produced on demand, in the Session's thread);
        kept so TF pipelines run unchanged."""
        return self

    def with_options(self, options):
        """Accepted and ignored (tfone has no pipeline optimisations to configure)."""
        return self

    def apply(self, transformation_func):
        """``transformation_func(self)``, for chaining custom transformations."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset, got %r" % (result,))
        return result

    # -- iterators ----------------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that starts on its own the first time ``get_next()`` runs in a
        Session (it cannot be re-initialised). Graph tensors the dataset uses must be
        constants; use ``make_initializable_iterator`` for placeholders."""
        from tfone.data.iterator import make_one_shot_iterator
        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator to start (and restart) with ``sess.run(iterator.initializer,
        feed_dict)``; placeholders the dataset uses are fed at that run."""
        from tfone.data.iterator import make_initializable_iterator
        return make_initializable_iterator(self, shared_name)

    @property
    def element_spec(self):
        """The structure of an element: a (nested) structure of ``TensorSpec``."""
        spec = self.__dict__.get("_spec")
        if spec is None:
            spec = self._compute_spec()
            self.__dict__["_spec"] = spec
        return spec

    @property
    def output_types(self):
        """The dtype of each component of an element (a structure like the element)."""
        return nest.types_of(self.element_spec)

    @property
    def output_shapes(self):
        """The static shape of each component of an element (``tf.TensorShape``)."""
        return nest.shapes_of(self.element_spec)

    @property
    def output_classes(self):
        """The class of each component of an element: ``tf.Tensor``."""
        return nest.classes_of(self.element_spec)

    # -- Python iteration ---------------------------------------------------------------------------
    def __iter__(self):
        return iter(self._concrete()._elements(_PYTHON_ENV))

    def as_numpy_iterator(self):
        """An iterator over the elements as numpy values (Python iteration)."""
        return iter(self)

    def cardinality(self):
        """The number of elements: an int, ``INFINITE_CARDINALITY`` (-1) or
        ``UNKNOWN_CARDINALITY`` (-2, e.g. after ``filter``)."""
        return UNKNOWN_CARDINALITY

    def __len__(self):
        n = self.cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def __repr__(self):
        try:
            shapes, types = self.output_shapes, self.output_types
        except (SpecUnavailable, TypeError, ValueError):
            return "<%sDataset>" % type(self).__name__.strip("_")
        return "<%sDataset shapes: %s, types: %s>" % (
            type(self).__name__.strip("_"), _legacy_text(shapes), _legacy_text(types))

    # -- graph tensors the dataset uses, and binding their values ------------------------------------
    @property
    def _key(self):
        """The dataset this one was bound from (itself if it was not): per-pass state such as
        shuffle epochs is kept under this key."""
        return self.__dict__.get("_origin", self)

    def _captures(self):
        """The graph tensors this dataset (and its inputs) use, in a fixed order."""
        captures = self.__dict__.get("_captured")
        if captures is None:
            captures, seen = [], set()
            for name in self._inputs:
                for dataset in nest.flatten(getattr(self, name)):
                    for t in dataset._captures():
                        if t not in seen:
                            seen.add(t)
                            captures.append(t)
            for name in self._params:
                for leaf in nest.flatten(getattr(self, name)):
                    if _is_tensor(leaf) and leaf not in seen:
                        seen.add(leaf)
                        captures.append(leaf)
            self.__dict__["_captured"] = captures
        return captures

    def _bind(self, values):
        """A copy using ``values`` ({tensor: numpy value}) for the graph tensors it uses."""
        if not self._captures():
            return self
        clone = copy.copy(self)
        clone.__dict__.pop("_captured", None)
        clone.__dict__["_origin"] = self._key
        for name in self._inputs:
            structure = getattr(self, name)
            setattr(clone, name, nest.pack_like(
                structure, [d._bind(values) for d in nest.flatten(structure)]))
        for name in self._params:
            value = getattr(self, name)
            leaves = nest.flatten(value)
            if any(_is_tensor(leaf) for leaf in leaves):
                setattr(clone, name, nest.pack_like(
                    value, [values[leaf] if _is_tensor(leaf) else leaf for leaf in leaves]))
        clone._check_bound()
        return clone

    def _check_bound(self):
        """Validate parameters whose values were just bound (graph tensors until then)."""

    def _concrete(self):
        """This dataset with constant graph tensors replaced by their values (for Python
        iteration and one-shot iterators)."""
        captures = self._captures()
        if not captures:
            return self
        from tfone.framework.op_registry import constant_value
        values = {}
        for t in captures:
            value = constant_value(t)
            if value is None:
                raise TypeError(
                    "This dataset uses the graph tensor %s (op type %s), whose value is known "
                    "only when a Session runs it, so it cannot be iterated in Python. Read it "
                    "in the graph with an initializable iterator instead:\n"
                    "    iterator = dataset.make_initializable_iterator()\n"
                    "    next_element = iterator.get_next()\n"
                    "    sess.run(iterator.initializer, feed_dict={...})"
                    % (t.name, t.op.type))
            values[t] = np.asarray(value)
        return self._bind(values)

    # -- to implement --------------------------------------------------------------------------------
    def _compute_spec(self):
        raise NotImplementedError

    def _elements(self, env):
        """A generator of the elements; ``env`` holds per-pass state (iterator_ops.Env)."""
        raise NotImplementedError


def _legacy_text(structure):
    if isinstance(structure, tuple):
        return "(%s)" % ", ".join(_legacy_text(s) for s in structure)
    if isinstance(structure, dict):
        return "{%s}" % ", ".join("%s: %s" % (k, _legacy_text(v)) for k, v in structure.items())
    return str(structure) if not isinstance(structure, dtypes.DType) else repr(structure)


# -- sources ------------------------------------------------------------------------------------
class _TensorSlices(Dataset):
    _params = ("_structure",)

    def __init__(self, tensors):
        self._structure = _read_only(_normalize(tensors))
        leaves = nest.flatten(self._structure)
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one component")
        sizes = set()
        for leaf in leaves:
            ndims = leaf.shape.ndims if _is_tensor(leaf) else leaf.ndim
            if ndims == 0:
                raise ValueError("from_tensor_slices: every component needs a first dimension "
                                 "to slice, got a scalar (use from_tensors for a single element)")
            first = None if ndims is None else (
                leaf.shape.as_tuple()[0] if _is_tensor(leaf) else leaf.shape[0])
            if first is not None:
                sizes.add(first)
        if len(sizes) > 1:
            raise ValueError("from_tensor_slices: all components must have the same size in "
                             "the first dimension, got %s" % nest.describe(
                                 nest.map_structure(_spec_of, self._structure)))
        self._n = None if self._captures() else leaves[0].shape[0]   # known once bound

    def _check_bound(self):
        self._structure = _read_only(self._structure)
        leaves = nest.flatten(self._structure)
        if any(np.ndim(leaf) == 0 for leaf in leaves):
            raise ValueError("from_tensor_slices: a component fed as a scalar has no first "
                             "dimension to slice")
        sizes = {np.shape(leaf)[0] for leaf in leaves}
        if len(sizes) > 1:
            raise ValueError("from_tensor_slices: Dimension 0 in all components must be equal, "
                             "got %s" % nest.describe(nest.map_structure(np.asarray,
                                                                         self._structure)))
        self._n = sizes.pop()

    def cardinality(self):
        if self._n is not None:
            return self._n
        firsts = {leaf.shape.as_tuple()[0] for leaf in nest.flatten(self._structure)
                  if leaf.shape.ndims}
        firsts.discard(None)
        return firsts.pop() if len(firsts) == 1 else UNKNOWN_CARDINALITY

    def _compute_spec(self):
        def sliced(leaf):
            spec = _spec_of(leaf)
            dims = spec.shape.as_tuple()
            return TensorSpec(spec.shape if dims is None else dims[1:], spec.dtype)
        return nest.map_structure(sliced, self._structure)

    def _elements(self, env):
        leaves = nest.flatten(self._structure)
        structure = self._structure
        if len(leaves) == 1 and not nest.is_structure(structure):
            yield from (structure[i] for i in range(self._n))
            return
        for i in range(self._n):
            yield nest.pack_like(structure, [leaf[i] for leaf in leaves])


class _Tensors(Dataset):
    _params = ("_structure",)

    def __init__(self, tensors):
        self._structure = _read_only(_normalize(tensors))

    def _check_bound(self):
        self._structure = _read_only(self._structure)

    def cardinality(self):
        return 1

    def _compute_spec(self):
        return nest.map_structure(_spec_of, self._structure)

    def _elements(self, env):
        yield self._structure


class _Range(Dataset):
    def __init__(self, values):
        self._values = values

    def cardinality(self):
        return len(self._values)

    def _compute_spec(self):
        return TensorSpec([], dtypes.int64)

    def _elements(self, env):
        for v in self._values:
            yield np.int64(v)


class _Zip(Dataset):
    _inputs = ("_datasets",)

    def __init__(self, datasets):
        if isinstance(datasets, Dataset):
            raise TypeError("Dataset.zip takes a tuple of datasets, e.g. Dataset.zip((a, b)); "
                            "got a single Dataset")
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        for d in nest.flatten(datasets if nest.is_structure(datasets) else (datasets,)):
            if not isinstance(d, Dataset):
                raise TypeError("Dataset.zip takes a (nested) tuple or dict of datasets, found "
                                "%r" % (d,))
        self._datasets = datasets

    def cardinality(self):
        sizes = [d.cardinality() for d in nest.flatten(self._datasets)]
        finite = [s for s in sizes if s >= 0]
        if finite:
            return min(finite)
        return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in sizes else INFINITE_CARDINALITY

    def _compute_spec(self):
        return nest.map_structure(lambda d: d.element_spec, self._datasets)

    def _elements(self, env):
        leaves = nest.flatten(self._datasets)
        for values in zip(*[d._elements(env) for d in leaves]):
            yield nest.pack_like(self._datasets, list(values))


class _FromGenerator(Dataset):
    def __init__(self, generator, output_types, output_shapes, args):
        self._generator = generator
        self._args = args
        if output_types is None:
            if output_shapes is not None:
                raise TypeError("from_generator: output_shapes needs output_types")
            self._declared = None
        else:
            self._declared = nest.spec_from_legacy(output_types, output_shapes)

    def _compute_spec(self):
        if self._declared is None:
            raise SpecUnavailable(
                "Dataset.from_generator was called without output_types, so the dtypes of its "
                "elements are unknown; give output_types (and output_shapes) as TF1 requires.")
        return self._declared

    def _elements(self, env):
        declared = self._declared
        for element in self._generator(*self._args):
            if declared is None:
                yield _normalize(element)
                continue
            if isinstance(element, list) and not isinstance(declared, TensorSpec):
                element = tuple(element)
            if not nest.same_structure(declared, element):
                raise TypeError("`generator` yielded an element that did not match the "
                                "expected structure. The expected structure was %s, but the "
                                "yielded element was %r." % (nest.describe(declared), element))
            yield nest.pack_like(declared, [
                _generated(value, spec) for value, spec in zip(nest.flatten(element),
                                                               nest.flatten(declared))])


def _generated(value, spec):
    np_dtype = spec.dtype._np
    try:
        if spec.dtype == dtypes.string:
            array = np.asarray(value)
            array = array.astype(object).astype(bytes) if array.dtype.kind == "U" else array
            array = array.astype(object)
        else:
            array = np.asarray(value, dtype=np_dtype)
    except (TypeError, ValueError):
        raise TypeError("`generator` yielded an element that could not be converted to the "
                        "expected type. The expected type was %s, but the yielded element was "
                        "%r." % (spec.dtype.name, value)) from None
    if not spec.shape.is_compatible_with(array.shape):
        raise ValueError("`generator` yielded an element of shape %s where an element of shape "
                         "%s was expected." % (list(array.shape), spec.shape))
    return array


# -- transformations --------------------------------------------------------------------------------
_DATASET_COUNTS = weakref.WeakKeyDictionary()   # graph -> shuffles made under its seed


def _next_dataset_index():
    from tfone.framework.graph import get_default_graph
    graph = get_default_graph()
    _DATASET_COUNTS[graph] = _DATASET_COUNTS.get(graph, 0) + 1
    return _DATASET_COUNTS[graph]


def _input_spec(dataset):
    """The element spec of ``dataset``, or None when it cannot be known."""
    try:
        return dataset.element_spec
    except SpecUnavailable:
        return None


class _Unary(Dataset):
    _inputs = ("_input",)

    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError("expected a Dataset, got %r" % (input_dataset,))
        self._input = input_dataset

    def cardinality(self):
        return self._input.cardinality()

    def _compute_spec(self):
        return self._input.element_spec


class _Batch(_Unary):
    _params = ("_batch_size", "_drop")

    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset)
        self._batch_size = _scalar_param(batch_size, "batch_size")
        self._drop = _scalar_param(drop_remainder, "drop_remainder", dtypes.bool)
        self._check_bound()

    def _check_bound(self):
        if not _is_tensor(self._batch_size):
            self._batch_size = _count(self._batch_size, "batch_size")
            if self._batch_size <= 0:
                raise ValueError("batch_size must be greater than zero, got %d"
                                 % self._batch_size)
        if not _is_tensor(self._drop):
            self._drop = bool(self._drop)

    def cardinality(self):
        n, size, drop = self._input.cardinality(), _static(self._batch_size), _static(self._drop)
        if n < 0:
            return n
        if size is None or drop is None:
            return UNKNOWN_CARDINALITY
        return n // size if drop else -(-n // size)

    def _batch_dim(self):
        size, drop = _static(self._batch_size), _static(self._drop)
        return size if drop and size is not None else None

    def _compute_spec(self):
        batch = TensorShape([self._batch_dim()])
        return nest.map_structure(lambda s: TensorSpec(batch.concatenate(s.shape), s.dtype),
                                  self._input.element_spec)

    def _elements(self, env):
        pending = []
        size = self._batch_size
        for element in self._input._elements(env):
            pending.append(element)
            if len(pending) == size:
                yield self._stack(pending)
                pending = []
        if pending and not self._drop:
            yield self._stack(pending)

    @staticmethod
    def _stack(elements):
        first = elements[0]
        for e in elements[1:]:
            if not nest.same_structure(first, e):
                raise ValueError("batch: elements have different structures: %s vs %s"
                                 % (nest.describe(first), nest.describe(e)))
        stacked = []
        for index, column in enumerate(zip(*[nest.flatten(e) for e in elements])):
            shapes = [np.shape(c) for c in column]
            if any(s != shapes[0] for s in shapes):
                other = next(i for i, s in enumerate(shapes) if s != shapes[0])
                raise ValueError("Cannot batch tensors with different shapes in component %d. "
                                 "First element had shape %s and element %d had shape %s (pad "
                                 "them with padded_batch, or map them to one shape first)."
                                 % (index, list(shapes[0]), other, list(shapes[other])))
            stacked.append(np.stack(column))
        return nest.pack_like(first, stacked)


class _PaddedBatch(_Batch):
    _params = ("_batch_size", "_drop")

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(input_dataset, batch_size, drop_remainder)
        spec = _input_spec(input_dataset)
        if padded_shapes is None:
            raise TypeError("padded_batch needs padded_shapes (a shape per component; None or "
                            "-1 pads a dimension to the longest element of the batch)")
        structure = spec if spec is not None else padded_shapes
        try:
            shapes = nest._map_up_to(structure, _padded_shape, padded_shapes)
        except TypeError:
            raise ValueError("padded_shapes %r does not match the structure of the elements %s"
                             % (padded_shapes, nest.describe(structure))) from None
        self._padded_shapes = shapes
        for padded, s in zip(nest.flatten(shapes), nest.flatten(spec or ())):
            dims = s.shape.as_tuple()
            if dims is not None and (len(dims) != padded.ndims or any(
                    p is not None and d is not None and d > p
                    for p, d in zip(padded.as_tuple(), dims))):
                raise ValueError("The padded shape %s is not compatible with the corresponding "
                                 "input component shape %s." % (padded, s.shape))
        self._padding = None
        if padding_values is not None:
            self._padding = nest.map_structure(
                _padding_value, nest._map_up_to(shapes, lambda v: v, padding_values))

    def _compute_spec(self):
        batch = TensorShape([self._batch_dim()])
        spec = self._input.element_spec
        return nest.pack_like(spec, [
            TensorSpec(batch.concatenate(p), s.dtype)
            for p, s in zip(nest.flatten(self._padded_shapes), nest.flatten(spec))])

    def _pad_values(self):
        specs = nest.flatten(self._input.element_spec)
        values = [None] * len(specs) if self._padding is None else nest.flatten(self._padding)
        out = []
        for value, spec in zip(values, specs):
            if value is None:
                value = b"" if spec.dtype == dtypes.string else 0
            elif isinstance(value, (np.ndarray, np.generic)) and \
                    _spec_of(value).dtype != spec.dtype:
                raise TypeError("Mismatched type between padding value and input dataset's "
                                "component: %s vs. %s" % (value.dtype, spec.dtype.name))
            out.append(value)
        return out

    def _elements(self, env):
        pads = self._pad_values()
        dtypes_ = [s.dtype for s in nest.flatten(self._input.element_spec)]
        shapes = [p.as_tuple() for p in nest.flatten(self._padded_shapes)]
        pending = []
        for element in self._input._elements(env):
            pending.append(element)
            if len(pending) == self._batch_size:
                yield self._pad(pending, shapes, pads, dtypes_)
                pending = []
        if pending and not self._drop:
            yield self._pad(pending, shapes, pads, dtypes_)

    @staticmethod
    def _pad(elements, shapes, pads, dtypes_):
        columns = zip(*[nest.flatten(e) for e in elements])
        out = []
        for index, (column, dims, pad, dtype) in enumerate(zip(columns, shapes, pads, dtypes_)):
            column = [np.asarray(c, dtype=object) if dtype == dtypes.string else np.asarray(c)
                      for c in column]
            for c in column:
                if c.ndim != len(dims):
                    raise ValueError("padded_batch: component %d has rank %d but its padded "
                                     "shape %s has rank %d" % (index, c.ndim, list(dims),
                                                               len(dims)))
            target = [max(c.shape[k] for c in column) if d is None else d
                      for k, d in enumerate(dims)]
            for c in column:
                if any(s > t for s, t in zip(c.shape, target)):
                    raise ValueError("Attempted to pad to a smaller size than the input element "
                                     "(component %d: element shape %s, padded shape %s)."
                                     % (index, list(c.shape), target))
            batch = np.full([len(column)] + target, pad, dtype=dtype._np)
            for i, c in enumerate(column):
                batch[(i,) + tuple(slice(0, s) for s in c.shape)] = c
            out.append(batch)
        return nest.pack_like(elements[0], out)


def _padding_value(value):
    """A padding value: a Python or numpy scalar (or a constant scalar tensor's value)."""
    if _tensor_like(value):
        from tfone.framework.op_registry import constant_value
        constant = constant_value(value) if _is_tensor(value) else None
        if constant is None:
            raise TypeError("padding_values must be constants in tfone, got %r" % (value,))
        value = np.asarray(constant)
    if np.ndim(value) != 0:
        raise ValueError("padding_values must be scalars, got %r" % (value,))
    return value


def _padded_shape(shape):
    if _tensor_like(shape):
        raise TypeError("padded_shapes must be Python shapes in tfone, got the tensor %r"
                        % (shape,))
    if isinstance(shape, TensorShape):
        if shape.ndims is None:
            raise ValueError("padded_shapes must have a known rank")
        return shape
    dims = [shape] if isinstance(shape, (int, np.integer)) else list(shape)
    return TensorShape([None if d is None or int(d) == -1 else int(d) for d in dims])


class _Unbatch(_Unary):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        spec = _input_spec(input_dataset)
        if spec is not None and any(s.shape.ndims == 0 for s in nest.flatten(spec)):
            raise ValueError("Cannot unbatch an input with scalar components.")

    def cardinality(self):
        return UNKNOWN_CARDINALITY if self._input.cardinality() != INFINITE_CARDINALITY \
            else INFINITE_CARDINALITY

    def _compute_spec(self):
        def unbatched(s):
            dims = s.shape.as_tuple()
            return TensorSpec(s.shape if dims is None else dims[1:], s.dtype)
        return nest.map_structure(unbatched, self._input.element_spec)

    def _elements(self, env):
        for element in self._input._elements(env):
            leaves = nest.flatten(element)
            if any(np.ndim(leaf) == 0 for leaf in leaves):
                raise ValueError("unbatch: every component needs a first dimension, got %s"
                                 % nest.describe(element))
            sizes = {np.shape(leaf)[0] for leaf in leaves}
            if len(sizes) > 1:
                raise ValueError("unbatch: the components have different first dimensions: %s"
                                 % nest.describe(element))
            for i in range(sizes.pop()):
                yield nest.pack_like(element, [leaf[i] for leaf in leaves])


class _Shuffle(_Unary):
    _params = ("_buffer_size",)

    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        self._buffer_size = _scalar_param(buffer_size, "buffer_size")
        if not _is_tensor(self._buffer_size):
            self._check_bound()
        from tfone.ops.random_ops import get_seed
        seed1, seed2 = get_seed(seed)
        if seed1 is None:  # no seed anywhere: nondeterministic, as in TF
            self._seed = [int(v) for v in np.random.SeedSequence().generate_state(2)]
        else:
            # Datasets add no ops, so count them: two shuffles made one after the other under
            # the same graph seed still get different streams (as TF's dataset ops do).
            self._seed = [seed1, seed2, _next_dataset_index() if seed is None else 0]
        self._reshuffle = bool(reshuffle_each_iteration)

    def _check_bound(self):
        self._buffer_size = _count(self._buffer_size, "buffer_size")
        if self._buffer_size <= 0:
            raise ValueError("buffer_size must be greater than zero, got %d" % self._buffer_size)

    def _elements(self, env):
        key = self._key
        epoch = env.passes.get(key, 0)
        env.passes[key] = epoch + 1
        rng = np.random.default_rng(self._seed + [epoch if self._reshuffle else 0])
        buffer = []
        size = self._buffer_size
        for element in self._input._elements(env):
            if len(buffer) < size:
                buffer.append(element)
                continue
            i = rng.integers(len(buffer))
            yield buffer[i]
            buffer[i] = element
        while buffer:
            i = rng.integers(len(buffer))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()


class _Map(_Unary):
    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(fn, _input_spec(input_dataset), "map_func",
                                      normalize=_normalize)

    def _compute_spec(self):
        if self._fn.traced:
            return self._fn.output_spec
        self._input.element_spec  # raises if the input's structure is unknown
        return self._fn.numpy_output_spec(_spec_of_element)

    def _elements(self, env):
        fn = self._fn
        for element in self._input._elements(env):
            yield fn(element, env)


class _Filter(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(predicate, _input_spec(input_dataset), "predicate")
        if self._fn.traced:
            spec = self._fn.output_spec
            if not (isinstance(spec, TensorSpec) and spec.dtype == dtypes.bool and
                    spec.shape.is_compatible_with([])):
                raise ValueError("`predicate` return type must be convertible to a scalar "
                                 "boolean tensor. Was %r." % (spec,))

    def cardinality(self):
        n = self._input.cardinality()
        return n if n == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY

    def _elements(self, env):
        fn = self._fn
        for element in self._input._elements(env):
            keep = fn(element, env)
            if np.ndim(keep) != 0:
                raise ValueError("filter: the predicate must return a scalar bool, got a value "
                                 "of shape %s" % (np.shape(keep),))
            if bool(keep):
                yield element


class _FlatMap(_Unary):
    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(fn, _input_spec(input_dataset), "map_func",
                                      returns_dataset=True)

    def cardinality(self):
        n = self._input.cardinality()
        return n if n in (0, INFINITE_CARDINALITY) else UNKNOWN_CARDINALITY

    def _compute_spec(self):
        if self._fn.traced:
            return self._fn.output_spec
        self._input.element_spec
        return self._fn.numpy_output_spec(lambda dataset: dataset.element_spec)

    def _datasets(self, env):
        for element in self._input._elements(env):
            yield self._fn(element, env)._concrete()

    def _elements(self, env):
        for dataset in self._datasets(env):
            yield from dataset._elements(env)


class _Interleave(_FlatMap):
    def __init__(self, input_dataset, fn, cycle_length, block_length):
        super().__init__(input_dataset, fn)
        cycle_length = _count(cycle_length, "cycle_length")
        self._cycle_length = (os.cpu_count() or 1) if cycle_length == AUTOTUNE else cycle_length
        self._block_length = _count(block_length, "block_length")
        if self._cycle_length <= 0 or self._block_length <= 0:
            raise ValueError("cycle_length and block_length must be positive, got %d and %d"
                             % (self._cycle_length, self._block_length))

    def _elements(self, env):
        datasets = self._datasets(env)
        slots = [None] * self._cycle_length
        open_slots, index, taken, input_done = 0, 0, 0, False
        while not input_done or open_slots:
            current = slots[index]
            if current is not None:
                try:
                    element = next(current)
                except StopIteration:
                    slots[index] = None
                    open_slots -= 1
                    index, taken = (index + 1) % len(slots), 0
                    continue
                yield element
                taken += 1
                if taken == self._block_length:
                    index, taken = (index + 1) % len(slots), 0
            elif not input_done:
                dataset = next(datasets, None)
                if dataset is None:
                    input_done = True
                else:
                    slots[index] = iter(dataset._elements(env))
                    open_slots += 1
            else:
                index, taken = (index + 1) % len(slots), 0


class _Repeat(_Unary):
    _params = ("_count",)

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else _scalar_param(count, "count")

    def _check_bound(self):
        self._count = _count(self._count, "repeat's count")

    def cardinality(self):
        n, count = self._input.cardinality(), _static(self._count)
        if count is None:
            return UNKNOWN_CARDINALITY
        if count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        return n * count if n >= 0 else n

    def _elements(self, env):
        passes = itertools.count() if self._count < 0 else range(self._count)
        for _ in passes:
            produced = False
            for element in self._input._elements(env):
                produced = True
                yield element
            if not produced:
                return


class _Take(_Unary):
    _params = ("_count",)

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _scalar_param(count, "count")

    def _check_bound(self):
        self._count = _count(self._count, "take's count")

    def cardinality(self):
        n, count = self._input.cardinality(), _static(self._count)
        if count is None:
            return UNKNOWN_CARDINALITY
        if count < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return count
        return min(n, count) if n >= 0 else UNKNOWN_CARDINALITY

    def _elements(self, env):
        if self._count < 0:
            yield from self._input._elements(env)
        elif self._count > 0:
            yield from itertools.islice(self._input._elements(env), self._count)


class _Skip(_Unary):
    _params = ("_count",)

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _scalar_param(count, "count")

    def _check_bound(self):
        self._count = _count(self._count, "skip's count")

    def cardinality(self):
        n, count = self._input.cardinality(), _static(self._count)
        if count is None:
            return UNKNOWN_CARDINALITY
        if count < 0:
            return 0 if n != INFINITE_CARDINALITY else n
        return max(n - count, 0) if n >= 0 else n

    def _elements(self, env):
        if self._count < 0:
            for _ in self._input._elements(env):
                pass
            return
        yield from itertools.islice(self._input._elements(env), self._count, None)


class _Shard(_Unary):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._num_shards = _count(num_shards, "num_shards")
        self._index = _count(index, "index")
        if self._num_shards <= 0 or not 0 <= self._index < self._num_shards:
            raise ValueError("shard needs num_shards > 0 and 0 <= index < num_shards, got %d and "
                             "%d" % (self._num_shards, self._index))

    def cardinality(self):
        n = self._input.cardinality()
        if n < 0:
            return n
        return n // self._num_shards + (1 if self._index < n % self._num_shards else 0)

    def _elements(self, env):
        return itertools.islice(self._input._elements(env), self._index, None, self._num_shards)


class _Concatenate(_Unary):
    _inputs = ("_input", "_other")

    def __init__(self, input_dataset, other):
        super().__init__(input_dataset)
        self._other = other
        a, b = _input_spec(input_dataset), _input_spec(other)
        if a is not None and b is not None:
            self._merged(a, b)

    @staticmethod
    def _merged(a, b):
        if not nest.same_structure(a, b):
            raise TypeError("Two datasets to concatenate have different structures %s and %s"
                            % (nest.describe(a), nest.describe(b)))
        types_a, types_b = nest.types_of(a), nest.types_of(b)
        if nest.flatten(types_a) != nest.flatten(types_b):
            raise TypeError("Two datasets to concatenate have different types %s and %s"
                            % (_legacy_text(types_a), _legacy_text(types_b)))
        merged = []
        for x, y in zip(nest.flatten(a), nest.flatten(b)):
            dx, dy = x.shape.as_tuple(), y.shape.as_tuple()
            if dx is None or dy is None or len(dx) != len(dy):
                shape = None
            else:
                shape = [p if p == q else None for p, q in zip(dx, dy)]
            merged.append(TensorSpec(shape, x.dtype))
        return nest.pack_like(a, merged)

    def cardinality(self):
        a, b = self._input.cardinality(), self._other.cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        return a + b if a >= 0 and b >= 0 else UNKNOWN_CARDINALITY

    def _compute_spec(self):
        return self._merged(self._input.element_spec, self._other.element_spec)

    def _elements(self, env):
        first = None
        for element in self._input._elements(env):
            first = element if first is None else first
            yield element
        for element in self._other._elements(env):
            if first is not None and not nest.same_structure(first, element):
                raise TypeError("concatenate: the datasets have different structures: %s vs %s"
                                % (nest.describe(first), nest.describe(element)))
            yield element


class _Cache(_Unary):
    def _elements(self, env):
        key = self._key
        cached = env.caches.get(key)
        if cached is not None:
            yield from cached
            return
        seen = []
        for element in self._input._elements(env):
            seen.append(element)
            yield element
        env.caches[key] = seen
