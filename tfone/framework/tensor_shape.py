"""Static shapes with unknown parts: TF1's ``TensorShape`` and ``Dimension``.

A shape may be entirely unknown (``TensorShape(None)``, rank unknown) or have a known rank
with some unknown dimensions (``[None, 784]``). Ops use these to check inputs at graph
construction and to label edges in pictures.
"""

__all__ = ["Dimension", "TensorShape", "as_shape", "unknown_shape", "dimension_value"]


class Dimension:
    """One dimension of a TensorShape; ``value`` is an int or None (unknown)."""

    __slots__ = ("_value",)

    def __init__(self, value):
        if isinstance(value, Dimension):
            value = value._value
        if value is not None:
            try:
                ivalue = int(value.__index__()) if not isinstance(value, int) else value
            except (AttributeError, TypeError):
                raise TypeError("Dimension value must be integer or None, got %r" % (value,)) from None
            if ivalue < 0:
                raise ValueError("Dimension %d must be >= 0" % ivalue)
            value = ivalue
        self._value = value

    @property
    def value(self):
        return self._value

    def __repr__(self):
        return "Dimension(%r)" % (self._value,)

    def __str__(self):
        return "?" if self._value is None else str(self._value)

    def __int__(self):
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self._value

    __index__ = __int__

    def __hash__(self):
        return hash(self._value)

    def __eq__(self, other):
        other = _dim_value(other)
        if self._value is None or other is None:
            return None
        return self._value == other

    def __ne__(self, other):
        other = _dim_value(other)
        if self._value is None or other is None:
            return None
        return self._value != other

    def is_compatible_with(self, other):
        other = _dim_value(other)
        return self._value is None or other is None or self._value == other

    def merge_with(self, other):
        other = _dim_value(other)
        if not self.is_compatible_with(other):
            raise ValueError("Dimensions %s and %s are not compatible" % (self, Dimension(other)))
        return Dimension(self._value if self._value is not None else other)

    def _arith(self, other, fn):
        other = _dim_value(other)
        if self._value is None or other is None:
            return Dimension(None)
        return Dimension(fn(self._value, other))

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other):
        return self._arith(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._arith(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)

    def __lt__(self, other):
        other = _dim_value(other)
        return None if self._value is None or other is None else self._value < other

    def __le__(self, other):
        other = _dim_value(other)
        return None if self._value is None or other is None else self._value <= other

    def __gt__(self, other):
        other = _dim_value(other)
        return None if self._value is None or other is None else self._value > other

    def __ge__(self, other):
        other = _dim_value(other)
        return None if self._value is None or other is None else self._value >= other


def _dim_value(d):
    return d._value if isinstance(d, Dimension) else (None if d is None else int(d))


def dimension_value(dimension):
    """The int (or None) behind a Dimension or a plain value, like TF1's helper."""
    return _dim_value(dimension)


class TensorShape:
    """The static shape of a tensor: unknown rank (``dims is None``) or a list of dims."""

    __slots__ = ("_dims",)

    def __init__(self, dims):
        if dims is None:
            self._dims = None
            return
        if dims.__class__ is tuple or dims.__class__ is list:
            # Fast path for the common case (graph construction builds many shapes).
            dims = tuple(dims)
            for d in dims:
                if d is not None and (d.__class__ is not int or d < 0):
                    break
            else:
                self._dims = dims
                return
        if isinstance(dims, TensorShape):
            self._dims = dims._dims
        else:
            try:
                items = list(dims)
            except TypeError:  # a scalar int means a 1-D shape of that size, as TF1 does
                items = [dims]
            self._dims = tuple(_dim_value(d) for d in items)
            for d in self._dims:
                if d is not None and d < 0:
                    raise ValueError("Dimension %d must be >= 0 in shape %s" % (d, list(self._dims)))

    # -- queries -------------------------------------------------------------------------
    @property
    def dims(self):
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self):
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self):
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self):
        """Dims as a tuple of ints/None, or None for unknown rank (tfone helper)."""
        return self._dims

    def is_fully_defined(self):
        return self._dims is not None and None not in self._dims

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    def __len__(self):
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __bool__(self):
        return self._dims is not None

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter([Dimension(d) for d in self._dims])

    def __getitem__(self, key):
        if self._dims is None:
            return TensorShape(None) if isinstance(key, slice) else Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return Dimension(self._dims[key])

    # -- compatibility ---------------------------------------------------------------------
    def is_compatible_with(self, other):
        other = as_shape(other)
        if self._dims is None or other._dims is None or self._dims == other._dims:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def merge_with(self, other):
        other = as_shape(other)
        if self._dims == other._dims:
            return self
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError("Shapes %s and %s are not compatible" % (self, other))
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError("Shapes %s and %s are incompatible" % (self, as_shape(other)))

    def assert_has_rank(self, rank):
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError("Shape %s must have rank %d" % (self, rank))

    def with_rank(self, rank):
        if self._dims is None:
            return unknown_shape(rank)
        self.assert_has_rank(rank)
        return self

    def with_rank_at_least(self, rank):
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError("Shape %s must have rank at least %d" % (self, rank))
        return self

    def concatenate(self, other):
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def is_unknown(self):
        return self._dims is None

    # -- dunder ------------------------------------------------------------------------------
    def __eq__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self._dims)

    def __repr__(self):
        if self._dims is None:
            return "TensorShape(None)"
        return "TensorShape(%s)" % list(self._dims)

    def __str__(self):
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self._dims)
        return "(%s,)" % inner if len(self._dims) == 1 else "(%s)" % inner

    def __reduce__(self):
        return TensorShape, (None if self._dims is None else list(self._dims),)


def as_shape(shape):
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank=None):
    return TensorShape(None if rank is None else [None] * rank)
