"""Nested element structures and ``TensorSpec``, as ``tf.data`` uses them.

An element is a single component or a (nested) tuple or dict of components, as in TF's
``nest``: tuples (including namedtuples) and dicts are structures, anything else is a leaf.
Dict leaves are flattened in sorted key order, as TF does, so ``get_next()`` outputs and
``output_types`` line up with ``nest.flatten``.
"""
from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape, as_shape

__all__ = ["TensorSpec"]


class TensorSpec:
    """Describes a tensor by its shape and dtype (TF's ``tf.TensorSpec``): what
    ``Dataset.element_spec`` is made of."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape, doc="The static shape, a ``tf.TensorShape``.")
    dtype = property(lambda self: self._dtype, doc="The ``tf.DType`` of the elements.")
    name = property(lambda self: self._name, doc="An optional name (None by default).")

    def is_compatible_with(self, spec_or_tensor):
        """Same dtype and a compatible shape (unknown dims match anything)."""
        return (self._dtype == spec_or_tensor.dtype and
                self._shape.is_compatible_with(spec_or_tensor.shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._dtype == other._dtype and
                self._shape == other._shape and self._name == other._name)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=%r, name=%r)" % (
            _shape_text(self._shape), self._dtype, self._name)


def _shape_text(shape):
    """TF 1.15 prints TensorSpec shapes as tuples: ``()``, ``(None, 3)``, ``<unknown>``."""
    dims = shape.as_tuple()
    if dims is None:
        return "<unknown>"
    return str(tuple(dims))


# -- nest ------------------------------------------------------------------------------------------
def is_structure(value):
    return isinstance(value, (tuple, dict))


def flatten(structure):
    """The leaves of ``structure`` in TF's order (dict keys sorted)."""
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def pack_like(structure, leaves):
    """Rebuild ``structure`` with the values of the flat list ``leaves`` (consumed in order)."""
    it = iter(leaves)

    def build(s):
        if isinstance(s, tuple):
            items = [build(item) for item in s]
            return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
        if isinstance(s, dict):
            built = {key: build(s[key]) for key in sorted(s)}
            return {key: built[key] for key in s}
        return next(it)
    return build(structure)


def map_structure(fn, structure):
    return pack_like(structure, [fn(leaf) for leaf in flatten(structure)])


def same_structure(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(
            same_structure(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(
            same_structure(a[k], b[k]) for k in a)
    return not isinstance(b, (tuple, dict))


def describe(structure):
    """A short text of a structure of specs or values: ``(float32[?, 3], int64[])``."""
    if isinstance(structure, tuple):
        return "(%s)" % ", ".join(describe(s) for s in structure)
    if isinstance(structure, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, describe(v)) for k, v in structure.items())
    if isinstance(structure, TensorSpec):
        dims = structure.shape.as_tuple()
        return "%s%s" % (structure.dtype.name, "[<unknown>]" if dims is None else
                         "[%s]" % ", ".join("?" if d is None else str(d) for d in dims))
    if hasattr(structure, "dtype") and hasattr(structure, "shape"):
        return "%s%s" % (structure.dtype, list(structure.shape))
    return type(structure).__name__


# -- legacy (TF1) views of a spec structure -----------------------------------------------------------
def types_of(spec):
    return map_structure(lambda s: s.dtype, spec)


def shapes_of(spec):
    return map_structure(lambda s: s.shape, spec)


def classes_of(spec):
    from tfone.framework.graph import Tensor
    return map_structure(lambda s: Tensor, spec)


def spec_from_legacy(output_types, output_shapes=None):
    """A TensorSpec structure from TF1's ``output_types`` / ``output_shapes`` structures."""
    types = map_structure(dtypes.as_dtype, output_types)
    if output_shapes is None:
        shapes = map_structure(lambda _: TensorShape(None), types)
    else:
        shapes = _map_up_to(types, as_shape, output_shapes)
    if not same_structure(types, shapes):
        raise TypeError("output_types %r and output_shapes %r have different structures"
                        % (output_types, output_shapes))
    return pack_like(types, [TensorSpec(s, t) for t, s in zip(flatten(types), flatten(shapes))])


def _map_up_to(shallow, fn, value):
    """Apply ``fn`` to the parts of ``value`` found where ``shallow`` has leaves (a shape like
    ``[None, 3]`` is one leaf, not a structure)."""
    if isinstance(shallow, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(shallow):
            raise TypeError("output_shapes %r does not match the structure of output_types %r"
                            % (value, shallow))
        items = [_map_up_to(s, fn, v) for s, v in zip(shallow, value)]
        return type(shallow)(*items) if hasattr(shallow, "_fields") else tuple(items)
    if isinstance(shallow, dict):
        if not isinstance(value, dict) or set(value) != set(shallow):
            raise TypeError("output_shapes %r does not match the structure of output_types %r"
                            % (value, shallow))
        return {k: _map_up_to(shallow[k], fn, value[k]) for k in shallow}
    return fn(value)
