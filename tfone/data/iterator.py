"""``tf.data.Iterator`` and TF1's iterator functions (``tf.compat.v1.data.make_one_shot_iterator``,
``get_output_types``, ...). The ops they create are declared in ``iterator_ops.py``."""

from tfone.framework import dtypes
from tfone.framework.graph import Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import apply_op, convert_to_tensor, constant_value
from tfone.data import structure as nest
from tfone.data import iterator_ops

__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes"]

GLOBAL_ITERATORS = "iterators"   # TF1's collection of iterator handles


def _flat_attrs(spec):
    flat = nest.flatten(spec)
    return {"output_types": tuple(s.dtype for s in flat),
            "output_shapes": tuple(s.shape for s in flat)}


class Iterator:
    """Reads the elements of a dataset in a graph: ``get_next()`` returns tensors whose
    values, each time a Session runs them, are the next element (TF1's ``tf.data.Iterator``).

    Made by ``dataset.make_one_shot_iterator()``, ``dataset.make_initializable_iterator()``,
    ``Iterator.from_structure(...)`` or ``Iterator.from_string_handle(...)``.
    """

    def __init__(self, iterator_resource, initializer, output_types, output_shapes,
                 output_classes):
        if output_types is None or output_shapes is None or output_classes is None:
            raise ValueError("If `structure` is not specified, all of `output_types`, "
                             "`output_shapes`, and `output_classes` must be specified.")
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._element_spec = nest.spec_from_legacy(output_types, output_shapes)
        self._output_classes = output_classes
        self._string_handle = apply_op("IteratorToStringHandle", [iterator_resource])
        iterator_resource.graph.add_to_collection(GLOBAL_ITERATORS, iterator_resource)

    # -- constructors -----------------------------------------------------------------------------
    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An uninitialised iterator for elements of this structure; point it at a dataset
        with ``sess.run(iterator.make_initializer(dataset))`` (e.g. one initializer for the
        training data and one for the validation data)."""
        spec = nest.spec_from_legacy(output_types, output_shapes)
        _check_classes(spec, output_classes)
        resource = apply_op("IteratorV2", [], dict(_flat_attrs(spec),
                                                   shared_name=shared_name or "", container=""))
        return Iterator(resource, None, nest.types_of(spec), nest.shapes_of(spec),
                        nest.classes_of(spec))

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """A "feedable" iterator: it reads from whichever iterator the string ``handle``
        (usually a placeholder fed with ``sess.run(other_iterator.string_handle())``) names."""
        spec = nest.spec_from_legacy(output_types, output_shapes)
        _check_classes(spec, output_classes)
        string_handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        resource = apply_op("IteratorFromStringHandleV2", [string_handle], _flat_attrs(spec))
        return Iterator(resource, None, nest.types_of(spec), nest.shapes_of(spec),
                        nest.classes_of(spec))

    # -- use ----------------------------------------------------------------------------------------
    @property
    def initializer(self):
        """The op that (re)starts this iterator on its dataset; run it before ``get_next``."""
        if self._initializer is not None:
            return self._initializer
        raise ValueError("Iterator does not have an initializer.")

    def make_initializer(self, dataset, name=None):
        """An op that starts this iterator on ``dataset`` (whose structure, dtypes and shapes
        must be compatible with the iterator's); run it again to restart."""
        from tfone.data.dataset import Dataset
        if not isinstance(dataset, Dataset):
            raise TypeError("make_initializer expects a Dataset, got %r" % (dataset,))
        with name_scope(name, "make_initializer") as scope:
            theirs = dataset.element_spec
            if not nest.same_structure(self._element_spec, theirs):
                raise TypeError("The two structures don't have the same nested structure: "
                                "the iterator's %s and the dataset's %s"
                                % (nest.describe(self._element_spec), nest.describe(theirs)))
            mine, other = nest.flatten(self._element_spec), nest.flatten(theirs)
            if any(a.dtype != b.dtype for a, b in zip(mine, other)):
                raise TypeError("Expected output types %s but got dataset with output types %s."
                                % (_text(self.output_types), _text(dataset.output_types)))
            if any(not a.shape.is_compatible_with(b.shape) for a, b in zip(mine, other)):
                raise TypeError("Expected output shapes compatible with %s but got dataset with "
                                "output shapes %s." % (_text(self.output_shapes),
                                                       _text(dataset.output_shapes)))
            return _make_iterator(dataset, self._iterator_resource, scope)

    def get_next(self, name=None):
        """The next element, as tensors (a structure like the dataset's elements). Call it
        once and run its result (or ops that use it) in every step: each run moves on by one
        element; past the end the run raises ``tf.errors.OutOfRangeError``."""
        outputs = apply_op("IteratorGetNext", [self._iterator_resource],
                           _flat_attrs(self._element_spec), name=name)
        return nest.pack_like(self._element_spec, list(outputs))

    def string_handle(self, name=None):
        """A string scalar naming this iterator, to feed ``Iterator.from_string_handle``."""
        if name is None:
            return self._string_handle
        return apply_op("IteratorToStringHandle", [self._iterator_resource], name=name)

    @property
    def element_spec(self):
        """The structure of an element: a (nested) structure of ``TensorSpec``."""
        return self._element_spec

    @property
    def output_types(self):
        """The dtype of each component of an element."""
        return nest.types_of(self._element_spec)

    @property
    def output_shapes(self):
        """The static shape of each component of an element."""
        return nest.shapes_of(self._element_spec)

    @property
    def output_classes(self):
        """The class of each component of an element: ``tf.Tensor``."""
        return nest.classes_of(self._element_spec)

    def __repr__(self):
        return "<tf.data.Iterator %s: %s>" % (self._iterator_resource.op.name,
                                              nest.describe(self._element_spec))


def _check_classes(spec, output_classes):
    if output_classes is None:
        return
    classes = nest._map_up_to(nest.types_of(spec), lambda c: c, output_classes)
    for cls in nest.flatten(classes):
        if cls is not Tensor:
            raise TypeError("tfone iterators produce tf.Tensor components only, got %r" % (cls,))


def _text(structure):
    from tfone.data.dataset import _legacy_text
    return _legacy_text(structure)


def _make_iterator(dataset, resource, name=None):
    graph = resource.graph
    captures = dataset._captures()
    for t in captures:
        if t.graph is not graph:
            raise ValueError("The dataset uses %s, a tensor of another graph than the iterator's."
                             % t.name)
    token = iterator_ops.register_dataset(graph, dataset)
    return apply_op("MakeIterator", [list(captures), resource], {"dataset": token}, name=name)


def make_one_shot_iterator(dataset):
    """An iterator over ``dataset`` that starts on its own the first time it runs in a
    Session (TF1's ``tf.compat.v1.data.make_one_shot_iterator``)."""
    from tfone.data.dataset import Dataset
    if not isinstance(dataset, Dataset):
        raise TypeError("make_one_shot_iterator expects a Dataset, got %r" % (dataset,))
    for t in dataset._captures():
        if t.op.type == "Placeholder":
            raise ValueError("Cannot capture a placeholder (name:%s, type:Placeholder) by value. "
                             "A one-shot iterator cannot be fed; use "
                             "make_initializable_iterator() and feed the placeholder when you "
                             "run its initializer." % t.op.name)
        if constant_value(t) is None:
            raise ValueError("A one-shot iterator captures the values of the tensors its dataset "
                             "uses when it is made, but %s (op type %s) has no constant value. "
                             "Use make_initializable_iterator() and run its initializer."
                             % (t.name, t.op.type))
    spec = dataset.element_spec
    graph = get_default_graph()
    token = iterator_ops.register_dataset(graph, dataset._concrete())
    resource = apply_op("OneShotIterator", [], dict(_flat_attrs(spec), dataset_factory=token,
                                                    container="", shared_name=""))
    return Iterator(resource, None, nest.types_of(spec), nest.shapes_of(spec),
                    nest.classes_of(spec))


def make_initializable_iterator(dataset, shared_name=None):
    """An iterator over ``dataset`` that starts (and restarts) when its ``initializer`` runs;
    placeholders the dataset uses are fed at that run (TF1's
    ``tf.compat.v1.data.make_initializable_iterator``)."""
    from tfone.data.dataset import Dataset
    if not isinstance(dataset, Dataset):
        raise TypeError("make_initializable_iterator expects a Dataset, got %r" % (dataset,))
    spec = dataset.element_spec
    resource = apply_op("IteratorV2", [], dict(_flat_attrs(spec), shared_name=shared_name or "",
                                               container=""))
    initializer = _make_iterator(dataset, resource)
    return Iterator(resource, initializer, nest.types_of(spec), nest.shapes_of(spec),
                    nest.classes_of(spec))


def _spec_of(dataset_or_iterator):
    spec = getattr(dataset_or_iterator, "element_spec", None)
    if spec is None:
        raise TypeError("expected a tf.data.Dataset or tf.data.Iterator, got %r"
                        % (dataset_or_iterator,))
    return spec


def get_output_types(dataset_or_iterator):
    """The dtypes of the components of a dataset's or iterator's elements."""
    return nest.types_of(_spec_of(dataset_or_iterator))


def get_output_shapes(dataset_or_iterator):
    """The static shapes of the components of a dataset's or iterator's elements."""
    return nest.shapes_of(_spec_of(dataset_or_iterator))


def get_output_classes(dataset_or_iterator):
    """The classes of the components of a dataset's or iterator's elements (``tf.Tensor``)."""
    return nest.classes_of(_spec_of(dataset_or_iterator))
