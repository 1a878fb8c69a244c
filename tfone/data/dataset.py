"""``tfone.data.Dataset``: TF1's input-pipeline API, running in Python over numpy values.

A Dataset describes a sequence of *elements*; each element is a numpy array or a nested
structure of them (tuples and dicts are structures, as in TF; a Python list is converted to
one array). Pipelines are built with the same methods as ``tf.data.Dataset``::

    ds = (Dataset.from_tensor_slices((x, y))     # one element per row: (x[i], y[i])
          .shuffle(1000, seed=1)
          .map(lambda x, y: (x / 255.0, y))       # receives numpy values
          .batch(32))
    for xb, yb in ds:                             # plain Python iteration
        ...
    model.fit(ds, epochs=3)                       # Keras takes it directly

Difference from TensorFlow, on purpose: a tfone Dataset is **not** part of the graph. Its
transformations run in Python when you iterate, ``map`` and ``filter`` functions receive numpy
values (not tensors) and may use any Python or numpy code, and nothing appears in
``tf.get_default_graph()``. To feed a graph, iterate and pass the values in ``feed_dict``
(Keras's ``fit`` does exactly this). ``make_one_shot_iterator`` and the other graph iterators
are therefore not available.

Seeds follow TF1's rules (``tf.get_seed``): ``shuffle(seed=None)`` is reproducible when a
graph-level seed is set (``tf.set_random_seed``), and nondeterministic otherwise.
"""
import itertools
import weakref

import numpy as np

__all__ = ["Dataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


# -- nested structures ------------------------------------------------------------------------------
def _normalize(value):
    """An element component as TF sees it: tuples/dicts stay structures, the rest become arrays.

    Python floats become float32 and Python ints int32, as ``tf.constant`` would make them;
    numpy arrays keep their dtype.
    """
    if isinstance(value, tuple):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, dict):
        return {k: _normalize(value[k]) for k in value}
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "to_numpy") and not isinstance(value, (str, bytes)):  # pandas
        return np.asarray(value.to_numpy())
    if hasattr(value, "_as_tensor") or type(value).__name__ == "Tensor":
        raise TypeError("tfone datasets hold numpy values, not graph tensors: got %r. Build the "
                        "Dataset from numpy arrays (datasets run in Python, not in the graph)."
                        % (value,))
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    elif array.dtype == np.int64 and not isinstance(value, np.generic):
        array = array.astype(np.int32)
    elif array.dtype.kind == "U":
        array = array.astype(object).astype(bytes)
    return array


def _flatten(structure):
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _pack_like(structure, leaves):
    """Rebuild ``structure`` with the values of the flat list ``leaves`` (consumed in order)."""
    it = iter(leaves)

    def build(s):
        if isinstance(s, tuple):
            return tuple(build(item) for item in s)
        if isinstance(s, dict):
            built = {key: build(s[key]) for key in sorted(s)}
            return {key: built[key] for key in s}
        return next(it)
    return build(structure)


def _map_structure(fn, structure):
    return _pack_like(structure, [fn(leaf) for leaf in _flatten(structure)])


def _same_structure(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(
            _same_structure(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(
            _same_structure(a[k], b[k]) for k in a)
    return not isinstance(b, (tuple, dict))


def _describe(structure):
    if isinstance(structure, tuple):
        return "(%s)" % ", ".join(_describe(s) for s in structure)
    if isinstance(structure, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, _describe(v)) for k, v in structure.items())
    return "%s%s" % (structure.dtype, list(structure.shape))


def _count(value, what):
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise TypeError("%s must be an integer, got %r" % (what, value)) from None
    if count != value:
        raise TypeError("%s must be an integer, got %r" % (what, value))
    return count


def _call(fn, element):
    """TF's convention: a tuple element is unpacked into positional arguments."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


# -- the base class -------------------------------------------------------------------------------
class Dataset:
    """A sequence of elements, iterable in Python; see the module docstring."""

    # -- sources ------------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per slice along the first axis: ``(x, y)`` gives ``(x[i], y[i])``.

        Every component must have the same first dimension.
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
        """Elements produced by calling ``generator(*args)`` (called again for every pass)."""
        if not callable(generator):
            raise TypeError("`generator` must be callable (a function returning an iterator), "
                            "got %r" % (generator,))
        return _FromGenerator(generator, output_types, tuple(args or ()))

    # -- transformations ---------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False):
        """Stack ``batch_size`` consecutive elements along a new first axis. The last batch is
        smaller unless ``drop_remainder=True``."""
        return _Batch(self, batch_size, drop_remainder)

    def unbatch(self):
        """Split each element along its first axis (the inverse of ``batch``)."""
        return _Unbatch(self)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """Randomly shuffle with a buffer of ``buffer_size`` elements, as TF does: the next
        element is drawn uniformly from the buffer, which is refilled from the input. A buffer
        at least as large as the dataset gives a uniform permutation. With
        ``reshuffle_each_iteration`` each pass (epoch) gets a new order."""
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """Apply ``map_func`` to every element (tuple elements are unpacked into arguments).

        ``map_func`` receives numpy values and runs in Python; it may return numpy arrays,
        Python numbers or tuples/dicts of them. ``num_parallel_calls`` is accepted and ignored.
        """
        if not callable(map_func):
            raise TypeError("map_func must be callable, got %r" % (map_func,))
        return _Map(self, map_func)

    def filter(self, predicate):
        """Keep the elements for which ``predicate`` (numpy values in, a bool out) is True."""
        if not callable(predicate):
            raise TypeError("predicate must be callable, got %r" % (predicate,))
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

    def concatenate(self, dataset):
        """This dataset's elements followed by those of ``dataset`` (same structure)."""
        if not isinstance(dataset, Dataset):
            raise TypeError("concatenate expects a Dataset, got %r" % (dataset,))
        return _Concatenate(self, dataset)

    def enumerate(self, start=0):
        """``(index, element)`` pairs, the index an int64 counting from ``start``."""
        return Dataset.zip((Dataset.range(start, 2 ** 62), self))

    def cache(self, filename=""):
        """Remember the elements of the first complete pass and replay them afterwards
        (in memory; a ``filename`` is not supported)."""
        if filename:
            raise ValueError("tfone's Dataset.cache keeps elements in memory only; call "
                             "cache() without a filename.")
        return _Cache(self)

    def prefetch(self, buffer_size):
        """Does nothing in tfone (elements are produced on demand in Python); kept so TF
        pipelines run unchanged."""
        return self

    def with_options(self, options):
        return self

    def apply(self, transformation_func):
        """``transformation_func(self)``, for chaining custom transformations."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset, got %r" % (result,))
        return result

    # -- iteration -------------------------------------------------------------------------------
    def __iter__(self):
        return iter(self._elements())

    def as_numpy_iterator(self):
        """An iterator over the elements (they already are numpy values)."""
        return iter(self)

    def make_one_shot_iterator(self):
        raise NotImplementedError(
            "tfone datasets run in Python, not as graph ops, so they have no graph iterator. "
            "Iterate in Python instead and feed each element to placeholders:\n"
            "    for x_batch, y_batch in dataset:\n"
            "        sess.run(train_op, {x: x_batch, y: y_batch})\n"
            "or pass the dataset to a Keras model's fit().")

    make_initializable_iterator = make_one_shot_iterator

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

    @property
    def element_spec(self):
        """A description of the first element's structure, dtypes and shapes (a string
        structure: tfone has no TensorSpec). Computes the first element."""
        for element in self:
            return _describe(element)
        return None

    def __repr__(self):
        return "<%sDataset>" % type(self).__name__.strip("_")

    def _elements(self):
        raise NotImplementedError


# -- sources ------------------------------------------------------------------------------------
class _TensorSlices(Dataset):
    def __init__(self, tensors):
        self._structure = _normalize(tensors)
        leaves = _flatten(self._structure)
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one array")
        sizes = set()
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError("from_tensor_slices: every component needs a first dimension "
                                 "to slice, got a scalar (use from_tensors for a single element)")
            sizes.add(leaf.shape[0])
        if len(sizes) > 1:
            raise ValueError("from_tensor_slices: all components must have the same size in "
                             "the first dimension, got %s" % _describe(self._structure))
        self._n = sizes.pop()

    def cardinality(self):
        return self._n

    def _elements(self):
        leaves = _flatten(self._structure)
        for i in range(self._n):
            yield _pack_like(self._structure, [leaf[i] for leaf in leaves])


class _Tensors(Dataset):
    def __init__(self, tensors):
        self._structure = _normalize(tensors)

    def cardinality(self):
        return 1

    def _elements(self):
        yield self._structure


class _Range(Dataset):
    def __init__(self, values):
        self._values = values

    def cardinality(self):
        return len(self._values)

    def _elements(self):
        for v in self._values:
            yield np.int64(v)


class _Zip(Dataset):
    def __init__(self, datasets):
        if isinstance(datasets, Dataset):
            raise TypeError("Dataset.zip takes a tuple of datasets, e.g. Dataset.zip((a, b)); "
                            "got a single Dataset")
        for d in _flatten(datasets if isinstance(datasets, (tuple, dict)) else (datasets,)):
            if not isinstance(d, Dataset):
                raise TypeError("Dataset.zip takes a (nested) tuple or dict of datasets, found "
                                "%r" % (d,))
        self._datasets = datasets

    def cardinality(self):
        sizes = [d.cardinality() for d in _flatten(self._datasets)]
        finite = [s for s in sizes if s >= 0]
        if finite:
            return min(finite)
        return UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in sizes else INFINITE_CARDINALITY

    def _elements(self):
        leaves = _flatten(self._datasets)
        for values in zip(*leaves):
            yield _pack_like(self._datasets, list(values))


class _FromGenerator(Dataset):
    def __init__(self, generator, output_types, args):
        self._generator = generator
        self._types = output_types
        self._args = args

    def _elements(self):
        for element in self._generator(*self._args):
            element = _normalize(element)
            if self._types is not None:
                element = _pack_like(element, [
                    np.asarray(leaf, dtype=_np_dtype(t)) for leaf, t in
                    zip(_flatten(element), _flatten(self._types if isinstance(
                        self._types, (tuple, dict)) else self._types))])
            yield element


def _np_dtype(dtype):
    if hasattr(dtype, "as_numpy_dtype"):
        return dtype.as_numpy_dtype
    return np.dtype(dtype)


# -- transformations --------------------------------------------------------------------------------
_DATASET_COUNTS = weakref.WeakKeyDictionary()   # graph -> shuffles made under its seed


def _next_dataset_index():
    from tfone.framework.graph import get_default_graph
    graph = get_default_graph()
    _DATASET_COUNTS[graph] = _DATASET_COUNTS.get(graph, 0) + 1
    return _DATASET_COUNTS[graph]


class _Unary(Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError("expected a Dataset, got %r" % (input_dataset,))
        self._input = input_dataset


class _Batch(_Unary):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset)
        self._batch_size = _count(batch_size, "batch_size")
        if self._batch_size <= 0:
            raise ValueError("batch_size must be positive, got %d" % self._batch_size)
        self._drop = bool(drop_remainder)

    def cardinality(self):
        n = self._input.cardinality()
        if n < 0:
            return n
        return n // self._batch_size if self._drop else -(-n // self._batch_size)

    def _elements(self):
        pending = []
        for element in self._input:
            pending.append(element)
            if len(pending) == self._batch_size:
                yield self._stack(pending)
                pending = []
        if pending and not self._drop:
            yield self._stack(pending)

    @staticmethod
    def _stack(elements):
        first = elements[0]
        for e in elements[1:]:
            if not _same_structure(first, e):
                raise ValueError("batch: elements have different structures: %s vs %s"
                                 % (_describe(first), _describe(e)))
        columns = zip(*[_flatten(e) for e in elements])
        stacked = []
        for column in columns:
            shapes = {np.shape(c) for c in column}
            if len(shapes) > 1:
                raise ValueError("batch: cannot stack elements of different shapes %s into one "
                                 "batch (map them to a common shape first)" % sorted(shapes))
            stacked.append(np.stack(column))
        return _pack_like(first, stacked)


class _Unbatch(_Unary):
    def _elements(self):
        for element in self._input:
            leaves = _flatten(element)
            if any(np.ndim(leaf) == 0 for leaf in leaves):
                raise ValueError("unbatch: every component needs a first dimension, got %s"
                                 % _describe(element))
            n = leaves[0].shape[0]
            for i in range(n):
                yield _pack_like(element, [leaf[i] for leaf in leaves])


class _Shuffle(_Unary):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        self._buffer_size = _count(buffer_size, "buffer_size")
        if self._buffer_size <= 0:
            raise ValueError("buffer_size must be greater than zero, got %d" % self._buffer_size)
        from tfone.ops.random_ops import get_seed
        seed1, seed2 = get_seed(seed)
        if seed1 is None:  # no seed anywhere: nondeterministic, as in TF
            self._seed = [int(v) for v in np.random.SeedSequence().generate_state(2)]
        else:
            # Datasets add no ops, so count them: two shuffles made one after the other under
            # the same graph seed still get different streams (as TF's dataset ops do).
            self._seed = [seed1, seed2, _next_dataset_index() if seed is None else 0]
        self._reshuffle = bool(reshuffle_each_iteration)
        self._passes = 0

    def cardinality(self):
        return self._input.cardinality()

    def _elements(self):
        epoch = self._passes if self._reshuffle else 0
        self._passes += 1
        rng = np.random.default_rng(self._seed + [epoch])
        buffer = []
        for element in self._input:
            if len(buffer) < self._buffer_size:
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
        self._fn = fn

    def cardinality(self):
        return self._input.cardinality()

    def _elements(self):
        for element in self._input:
            yield _normalize(_call(self._fn, element))


class _Filter(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._predicate = predicate

    def cardinality(self):
        n = self._input.cardinality()
        return n if n == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY

    def _elements(self):
        for element in self._input:
            keep = _call(self._predicate, element)
            if np.ndim(keep) != 0:
                raise ValueError("filter: the predicate must return a scalar bool, got a value "
                                 "of shape %s" % (np.shape(keep),))
            if bool(keep):
                yield element


class _Repeat(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else _count(count, "repeat's count")

    def cardinality(self):
        n = self._input.cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        return n * self._count if n >= 0 else n

    def _elements(self):
        passes = itertools.count() if self._count < 0 else range(self._count)
        for _ in passes:
            produced = False
            for element in self._input:
                produced = True
                yield element
            if not produced:
                return


class _Take(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _count(count, "take's count")

    def cardinality(self):
        n = self._input.cardinality()
        if self._count < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        return min(n, self._count) if n >= 0 else UNKNOWN_CARDINALITY

    def _elements(self):
        if self._count < 0:
            yield from self._input
        elif self._count > 0:
            yield from itertools.islice(iter(self._input), self._count)


class _Skip(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = _count(count, "skip's count")

    def cardinality(self):
        n = self._input.cardinality()
        if self._count < 0:
            return 0 if n != INFINITE_CARDINALITY else n
        return max(n - self._count, 0) if n >= 0 else n

    def _elements(self):
        if self._count < 0:
            for _ in self._input:
                pass
            return
        yield from itertools.islice(iter(self._input), self._count, None)


class _Concatenate(_Unary):
    def __init__(self, input_dataset, other):
        super().__init__(input_dataset)
        self._other = other

    def cardinality(self):
        a, b = self._input.cardinality(), self._other.cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        return a + b if a >= 0 and b >= 0 else UNKNOWN_CARDINALITY

    def _elements(self):
        first = None
        for element in self._input:
            first = element if first is None else first
            yield element
        for element in self._other:
            if first is not None and not _same_structure(first, element):
                raise TypeError("concatenate: the datasets have different structures: %s vs %s"
                                % (_describe(first), _describe(element)))
            yield element


class _Cache(_Unary):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        self._cached = None

    def cardinality(self):
        return self._input.cardinality()

    def _elements(self):
        if self._cached is not None:
            yield from self._cached
            return
        seen = []
        for element in self._input:
            seen.append(element)
            yield element
        self._cached = seen
