"""Assertions (``tf.Assert``, ``tf.assert_*``, ``tf.debugging.assert_shapes``), as in TF1.15.

Each helper builds its condition from ordinary ops (``Less``, ``All``...) and returns an
``Assert`` op that raises ``InvalidArgumentError`` with the data when run on values that
violate it. Like any op it runs only when something depends on it::

    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.log(x)

What can be decided at graph-construction time is decided then, as TF1 does: a wrong static
rank or dtype raises ``ValueError``/``TypeError`` at once, and ``assert_equal`` on two
constants that differ raises ``InvalidArgumentError`` at once.
"""
import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import Tensor, name_scope
from tfone.framework.op_registry import apply_op, convert_to_tensor, constant_value
from tfone.framework.graph import control_dependencies
from tfone.ops import array_ops, math_ops
from tfone.ops import logging_ops  # noqa: F401  (declares the Assert op)
from tfone.ops.control_flow_ops import no_op, group, with_dependencies

__all__ = ["Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
           "assert_greater", "assert_greater_equal", "assert_positive", "assert_non_negative",
           "assert_negative", "assert_non_positive", "assert_near", "assert_rank",
           "assert_rank_at_least", "assert_rank_in", "assert_type", "assert_integer",
           "assert_scalar", "assert_shapes", "assert_proper_iterable", "is_numeric_tensor",
           "is_non_decreasing", "is_strictly_increasing"]


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF1's name
    """TF1's ``tf.Assert``: an op that raises ``InvalidArgumentError`` showing ``data`` (the
    first ``summarize`` entries of each tensor, default 3) when ``condition`` is False.

    Returns the Operation; make it run with ``tf.control_dependencies([assert_op])``.
    """
    if isinstance(data, (Tensor, str)) or not isinstance(data, (list, tuple)):
        raise TypeError("tf.Assert expects `data` to be a list of tensors (or Python values) to "
                        "print, got %r; wrap a single tensor in a list: [t]." % (data,))
    with name_scope(name, "Assert", [condition]):
        return apply_op("Assert", [condition, list(data)],
                        {"summarize": 3 if summarize is None else int(summarize)}, name="Assert")


# -- comparisons ---------------------------------------------------------------------------------
def _static_failure(data):
    """TF1's _assert_static: the data, with tensors shown by their constant values."""
    shown = []
    for item in data:
        if isinstance(item, Tensor):
            value = constant_value(item)
            shown.append(item.name if value is None else str(value))
        else:
            shown.append(str(item))
    return errors.InvalidArgumentError(None, None, "\n".join(shown))


def _binary_assert(default_name, symbol, compare, static_compare, x, y, data, summarize,
                   message, name):
    message = message or ""
    with name_scope(name, default_name, [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [message, "Condition x %s y did not hold %s:" % (
                symbol, "for every single element" if symbol == "!=" else "element-wise"),
                "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
        condition = math_ops.reduce_all(compare(x, y))
        if static_compare is not None:
            x_static, y_static = constant_value(x), constant_value(y)
            if x_static is not None and y_static is not None:
                if not np.all(static_compare(x_static, y_static)):
                    raise _static_failure(data)
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x == y`` element-wise (with broadcasting). Constant inputs are checked now."""
    return _binary_assert("assert_equal", "==", math_ops.equal, np.equal, x, y, data,
                          summarize, message, name)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x != y`` for every element."""
    return _binary_assert("assert_none_equal", "!=", math_ops.not_equal, None, x, y, data,
                          summarize, message, name)


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x < y`` element-wise."""
    return _binary_assert("assert_less", "<", math_ops.less, None, x, y, data, summarize,
                          message, name)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x <= y`` element-wise."""
    return _binary_assert("assert_less_equal", "<=", math_ops.less_equal, None, x, y, data,
                          summarize, message, name)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x > y`` element-wise."""
    return _binary_assert("assert_greater", ">", math_ops.greater, None, x, y, data, summarize,
                          message, name)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Assert ``x >= y`` element-wise."""
    return _binary_assert("assert_greater_equal", ">=", math_ops.greater_equal, None, x, y,
                          data, summarize, message, name)


def _sign_assert(default_name, condition_text, check, zero_first, x, data, summarize, message,
                 name):
    message = message or ""
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [message, "Condition x %s did not hold element-wise:" % condition_text,
                    "x (%s) = " % x.name, x]
        zero = convert_to_tensor(0, dtype=x.dtype)
        if zero_first:
            return check(zero, x, data=data, summarize=summarize)
        return check(x, zero, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """Assert ``x > 0`` element-wise."""
    return _sign_assert("assert_positive", "> 0", assert_less, True, x, data, summarize,
                        message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """Assert ``x >= 0`` element-wise."""
    return _sign_assert("assert_non_negative", ">= 0", assert_less_equal, True, x, data,
                        summarize, message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """Assert ``x < 0`` element-wise."""
    return _sign_assert("assert_negative", "< 0", assert_less, False, x, data, summarize,
                        message, name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """Assert ``x <= 0`` element-wise."""
    return _sign_assert("assert_non_positive", "<= 0", assert_less_equal, False, x, data,
                        summarize, message, name)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """Assert ``|x - y| < atol + rtol * |y|`` element-wise (default tolerances: 10 eps of the
    dtype)."""
    message = message or ""
    with name_scope(name, "assert_near", [x, y]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        if not (x.dtype.is_floating or x.dtype.is_complex):
            raise TypeError("assert_near needs floating tensors, got %s for %s"
                            % (x.dtype.name, x.name))
        eps = np.finfo(x.dtype.as_numpy_dtype).eps
        rtol = 10 * eps if rtol is None else rtol
        atol = 10 * eps if atol is None else atol
        shown_rtol, shown_atol = _shown(rtol), _shown(atol)
        rtol = convert_to_tensor(rtol, name="rtol", dtype=x.dtype)
        atol = convert_to_tensor(atol, name="atol", dtype=x.dtype)
        if data is None:
            data = [message, "x and y not equal to tolerance rtol = %s, atol = %s"
                    % (shown_rtol, shown_atol),
                    "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
        tol = math_ops.add(atol, math_ops.multiply(rtol, math_ops.abs(y)))
        diff = math_ops.abs(math_ops.subtract(x, y))
        condition = math_ops.reduce_all(math_ops.less(diff, tol))
        return Assert(condition, data, summarize=summarize)


def _shown(value):
    if isinstance(value, Tensor):
        static = constant_value(value)
        return value.name if static is None else str(static)
    return str(value)


# -- types and ranks -----------------------------------------------------------------------------
def assert_type(tensor, tf_type, message=None, name=None):
    """Statically assert that ``tensor`` has dtype ``tf_type`` (TypeError otherwise)."""
    message = message or ""
    tf_type = dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.dtype != tf_type:
            raise TypeError("%s  %s must be of type %s" % (message, tensor.name, tf_type))
        return no_op("statically_determined_correct_type")


def assert_integer(x, message=None, name=None):
    """Statically assert that ``x`` has an integer dtype (TypeError otherwise)."""
    message = message or ""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError('%s  Expected "x" to be integer type.  Found: %s of dtype %s'
                            % (message, x.name, x.dtype))
        return no_op("statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None):
    """Statically assert that ``tensor`` is a scalar; returns the tensor."""
    with name_scope(name, "assert_scalar", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name=scope)
        if tensor.shape.ndims != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s."
                             % (message or "", tensor.name, tensor.shape))
        return tensor


class _StaticRankFailure(Exception):
    def __init__(self, actual, given):
        super().__init__(actual, given)
        self.actual, self.given = actual, given


def _rank_value(rank):
    """The static value of a rank argument (checked to be an int32 scalar), or None."""
    assert_type(rank, dtypes.int32)
    value = constant_value(rank)
    if value is not None and np.ndim(value) != 0:
        raise ValueError("Rank must be a scalar.")
    return None if value is None else int(value)


def _assert_ranks_condition(x, ranks, static_condition, dynamic_condition, data, summarize):
    static_ranks = [_rank_value(r) for r in ranks]
    if all(r is not None for r in static_ranks):
        actual = x.shape.ndims
        if actual is not None:
            if not static_condition(actual, static_ranks):
                raise _StaticRankFailure(actual, static_ranks)
            return no_op(name="static_checks_determined_all_ok")
    condition = dynamic_condition(array_ops.rank(x), ranks)
    checks = []
    for rank, value in zip(ranks, static_ranks):
        if value is None:  # catch assert_rank(x, [n]) meant as assert_rank(x, n) at run time
            checks.append(assert_rank(rank, 0, data=["Rank must be a scalar. Received rank: ",
                                                     rank]))
    if checks:
        condition = with_dependencies(checks, condition)
    return Assert(condition, data, summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Assert that ``x`` has rank ``rank``: ValueError now when x's rank is known statically,
    else an Assert op."""
    with name_scope(name, "assert_rank", [x, rank]):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = message or ""
        if data is None:
            data = [message, "Tensor %s must have rank" % x.name, rank, "Received shape: ",
                    array_ops.shape(x)]
        try:
            return _assert_ranks_condition(
                x, [rank], lambda actual, given: actual == given[0],
                lambda actual, given: math_ops.equal(actual, given[0]), data, summarize)
        except _StaticRankFailure as e:
            raise ValueError("%s.  Tensor %s must have rank %d.  Received rank %d, shape %s"
                             % (message, x.name, e.given[0], e.actual, x.shape)) from None


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Assert that ``x`` has rank ``rank`` or more (statically when x's rank is known)."""
    with name_scope(name, "assert_rank_at_least", [x, rank]):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = message or ""
        if data is None:
            data = [message, "Tensor %s must have rank at least" % x.name, rank,
                    "Received shape: ", array_ops.shape(x)]
        try:
            return _assert_ranks_condition(
                x, [rank], lambda actual, given: actual >= given[0],
                lambda actual, given: math_ops.greater_equal(actual, given[0]), data, summarize)
        except _StaticRankFailure as e:
            raise ValueError("%s.  Tensor %s must have rank at least %d.  Received rank %d, "
                             "shape %s" % (message, x.name, e.given[0], e.actual,
                                           x.shape)) from None


def _rank_in(actual, given):
    result = math_ops.equal(given[0], actual)
    for rank in given[1:]:
        result = math_ops.logical_or(result, math_ops.equal(rank, actual))
    return result


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Assert that the rank of ``x`` is one of ``ranks``."""
    with name_scope(name, "assert_rank_in", [x]):
        x = convert_to_tensor(x, name="x")
        ranks = [convert_to_tensor(rank, name="rank") for rank in ranks]
        if not ranks:
            raise ValueError("assert_rank_in needs at least one rank")
        message = message or ""
        if data is None:
            data = ([message, "Tensor %s must have rank in" % x.name] + list(ranks) +
                    ["Received shape: ", array_ops.shape(x)])
        try:
            return _assert_ranks_condition(x, ranks, lambda actual, given: actual in given,
                                           _rank_in, data, summarize)
        except _StaticRankFailure as e:
            raise ValueError("%s.  Tensor %s must have rank in %s.  Received rank %d, shape %s"
                             % (message, x.name, tuple(e.given), e.actual, x.shape)) from None


# -- assert_shapes ---------------------------------------------------------------------------------
def _is_any_size(symbol):
    return symbol is None or (isinstance(symbol, str) and symbol == ".")


def _known_size(symbol):
    if symbol is None or isinstance(symbol, bool):
        return False
    try:
        int(symbol)
    except (TypeError, ValueError):
        return False
    return True


def _dimension_sizes(x):
    """Static sizes where known, else tensors; a scalar counts as shape [1] (as in TF1)."""
    dims = x.shape.as_tuple()
    if dims is None:
        return None  # unknown rank: sizes are sliced from tf.shape(x) when needed
    if not dims:
        return [1]
    shape = None
    sizes = []
    for i, d in enumerate(dims):
        if d is None:
            shape = array_ops.shape(x) if shape is None else shape
            sizes.append(shape[i])
        else:
            sizes.append(int(d))
    return sizes


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """TF1.15's ``tf.debugging.assert_shapes``: check tensor shapes and the relations between
    their dimensions.

    ``shapes`` is a list of ``(tensor, shape)`` pairs (or a dict). A shape entry is an int
    (that exact size), a symbol such as ``'N'`` (every dimension with that symbol must have the
    same size), or ``None``/``'.'`` (any size); a leading ``...`` or ``'*'`` allows any number
    of outer dimensions. Violations known statically raise ValueError at once; the rest are
    checked at run time by the returned op.
    """
    message = message or ""
    items = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    with name_scope(name, "assert_shapes", []):
        constraints = [(convert_to_tensor(x), s) for x, s in items if s is not None]
        specs = []
        for tensor, symbolic in constraints:
            if not (isinstance(symbolic, (list, tuple)) or hasattr(symbolic, "__iter__")):
                raise ValueError("%s.  Tensor %s.  Specified shape must be an iterable.  An "
                                 "iterable has the attribute `__iter__` or `__getitem__`.  "
                                 "Received specified shape: %s" % (message, tensor.name, symbolic))
            symbols = tuple(symbolic)
            outer_any = False
            for i, symbol in enumerate(symbols):
                if symbol is Ellipsis or (isinstance(symbol, str) and symbol == "*"):
                    if i != 0:
                        raise ValueError("%s.  Tensor %s specified shape index %d.  Symbol `...` "
                                         "or `*` for a variable number of unspecified dimensions "
                                         "is only allowed as the first entry"
                                         % (message, tensor.name, i))
                    outer_any = True
            symbols = symbols[1:] if outer_any else symbols
            specs.append((tensor, outer_any, symbols or (1,)))

        rank_assertions = []
        for tensor, outer_any, symbols in specs:
            rank = len(symbols)
            if outer_any:
                if rank <= 1:
                    continue
                check = assert_rank_at_least(tensor, rank, data=data, summarize=summarize,
                                             message=message)
            elif rank <= 1:
                check = assert_rank_in(tensor, [0, 1], data=data, summarize=summarize,
                                       message=message)
            else:
                check = assert_rank(tensor, rank, data=data, summarize=summarize,
                                    message=message)
            rank_assertions.append(check)

        size_assertions = []
        specified = {}
        for tensor, outer_any, symbols in specs:
            sizes = _dimension_sizes(tensor)
            for i, symbol in enumerate(symbols):
                if _is_any_size(symbol):
                    continue
                dim = i - len(symbols) if outer_any else i
                with control_dependencies(rank_assertions):
                    actual = _size_of(tensor, sizes, dim, outer_any, len(symbols))
                if not (_known_size(symbol) or symbol in specified):
                    specified[symbol] = (actual, tensor, dim)
                    continue
                if _known_size(symbol):
                    expected, how = int(symbol), "Specified explicitly"
                else:
                    expected, by, by_dim = specified[symbol]
                    how = "Specified by tensor %s dimension %d" % (by.name, by_dim)
                if isinstance(actual, int) and isinstance(expected, int):
                    if actual != expected:
                        raise ValueError("%s.  %s.  Tensor %s dimension %s must have size %d.  "
                                         "Received size %d, shape %s" % (
                                             message, how, tensor.name, dim, expected, actual,
                                             tensor.shape))
                    continue
                condition = math_ops.equal(convert_to_tensor(actual), convert_to_tensor(expected))
                shown = data
                if data is None:
                    shown = [message, how, "Tensor %s dimension" % tensor.name, dim,
                             "must have size", expected, "Received shape: ",
                             array_ops.shape(tensor)]
                size_assertions.append(Assert(condition, shown, summarize=summarize))
        with control_dependencies(rank_assertions):
            return group(*size_assertions)


def _size_of(tensor, sizes, dim, outer_any, spec_rank):
    if sizes is not None:
        return sizes[dim]
    if spec_rank <= 1 and not outer_any:
        # Unknown rank, asserted to be 0 or 1: flattening makes a scalar shape [1], as TF1 does.
        return array_ops.shape(array_ops.reshape(tensor, [-1]))[0]
    # Unknown rank: the rank assertions run first, so slicing the dynamic shape is safe (a
    # scalar matched against ('...', n) is the one case TF1 handles with a tf.cond; here its
    # slice fails at run time naming the op).
    return array_ops.shape(tensor)[dim]


# -- predicates -----------------------------------------------------------------------------------
def is_numeric_tensor(tensor):
    """True for a Tensor of a numeric dtype (ints, floats, complex)."""
    return isinstance(tensor, Tensor) and tensor.dtype.is_numeric


def _monotonic_diff(x):
    x = array_ops.reshape(convert_to_tensor(x, name="x"), [-1])
    if not is_numeric_tensor(x):
        raise TypeError("Expected x to be numeric, instead found: %s" % x)
    return x[1:] - x[:-1]  # empty when x has fewer than two elements


def is_non_decreasing(x, name=None):
    """A bool scalar: ``x[i] <= x[i+1]`` for all i, in row-major (flattened) order."""
    with name_scope(name, "is_non_decreasing", [x]):
        diff = _monotonic_diff(x)
        zero = convert_to_tensor(0, dtype=diff.dtype)
        return math_ops.reduce_all(math_ops.less_equal(zero, diff))


def is_strictly_increasing(x, name=None):
    """A bool scalar: ``x[i] < x[i+1]`` for all i, in row-major (flattened) order."""
    with name_scope(name, "is_strictly_increasing", [x]):
        diff = _monotonic_diff(x)
        zero = convert_to_tensor(0, dtype=diff.dtype)
        return math_ops.reduce_all(math_ops.less(zero, diff))


def assert_proper_iterable(values):
    """Statically assert that ``values`` is a Python iterable of values, not a tensor, array or
    string (which would be iterated element by element)."""
    unintentional = (Tensor, np.ndarray, bytes, str)
    if isinstance(values, unintentional) or hasattr(values, "_as_tensor"):
        raise TypeError("Expected argument \"values\" to be a \"proper\" iterable.  Found: %s"
                        % type(values))
    if not hasattr(values, "__iter__"):
        raise TypeError("Expected argument \"values\" to be iterable.  Found: %s" % type(values))
