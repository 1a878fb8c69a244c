"""The tensor functions of ``keras.backend`` (``K.mean``, ``K.square``, ``K.function``, ...).

Keras 2 code writes custom losses, metrics and layers with them::

    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

Each builds ordinary tfone graph ops (``K.mean`` is ``tf.reduce_mean``, ...), with Keras's
argument names and defaults (``axis=None, keepdims=False``; booleans are cast to floatx by
``mean``). ``keras.backend`` re-exports them all.
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import Tensor, get_default_graph
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops

__all__ = [
    "variable", "constant", "placeholder", "is_placeholder", "shape", "zeros", "ones", "eye",
    "zeros_like", "ones_like", "identity", "random_uniform", "random_normal",
    "random_uniform_variable", "random_normal_variable", "eval", "function", "gradients",
    "stop_gradient", "cast", "dot", "batch_dot", "transpose", "gather", "max", "min", "sum",
    "prod", "mean", "std", "var", "any", "all", "argmax", "argmin", "square", "abs", "sqrt",
    "exp", "log", "round", "sign", "pow", "clip", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "maximum", "minimum", "sin", "cos", "softmax",
    "softplus", "softsign", "relu", "elu", "sigmoid", "hard_sigmoid", "tanh", "dropout",
    "l2_normalize", "in_top_k", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy", "reshape", "permute_dimensions", "concatenate", "stack",
    "expand_dims", "squeeze", "flatten", "batch_flatten", "tile", "repeat_elements",
    "one_hot", "reverse", "switch", "in_train_phase", "in_test_phase", "update", "update_add",
    "update_sub", "count_params", "arange", "cumsum", "backend", "is_tensor", "repeat",
    "temporal_padding", "spatial_2d_padding", "resize_images"]


def _floatx():
    from tfone.keras import backend
    return backend.floatx()


def _nn():
    from tfone.ops import nn_ops
    return nn_ops


def backend():
    """``'tensorflow'`` (Keras's multi-backend API; tfone builds TensorFlow-1-style graphs)."""
    return "tensorflow"


def is_tensor(x):
    """Is ``x`` a tensor (or a variable)?"""
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


# -- variables, constants, placeholders ------------------------------------------------------------
def variable(value, dtype=None, name=None, constraint=None):
    """A tf.Variable holding ``value`` (initialized by ``keras.backend.get_session()``)."""
    from tfone.ops.variables import Variable
    dtype = dtype or _floatx()
    value = np.asarray(value, dtype=dtypes.as_dtype(dtype).as_numpy_dtype)
    return Variable(value, dtype=dtype, name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor (dtype defaults to floatx())."""
    from tfone.ops.constant_op import constant as _constant
    return _constant(value, dtype=dtype or _floatx(), shape=shape, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A placeholder of ``shape`` (or rank ``ndim`` with unknown dimensions)."""
    if sparse:
        raise ValueError("Sparse placeholders are not supported by tfone.")
    if shape is None and ndim is not None:
        shape = (None,) * ndim
    return array_ops.placeholder(dtype or _floatx(), shape=shape, name=name)


def is_placeholder(x):
    """Is ``x`` a placeholder (or a placeholder with a default)?"""
    return isinstance(x, Tensor) and x.op.type in ("Placeholder", "PlaceholderWithDefault")


def shape(x):
    """The dynamic shape of ``x`` (a tensor; ``int_shape`` gives the static one)."""
    return array_ops.shape(x)


def zeros(shape, dtype=None, name=None):
    """A variable of the given shape initialized to zeros."""
    return variable(np.zeros(shape), dtype=dtype, name=name)


def ones(shape, dtype=None, name=None):
    """A variable of the given shape initialized to ones."""
    return variable(np.ones(shape), dtype=dtype, name=name)


def eye(size, dtype=None, name=None):
    """A variable initialized to the ``size`` x ``size`` identity matrix."""
    return variable(np.eye(size), dtype=dtype, name=name)


def zeros_like(x, dtype=None, name=None):
    """A tensor of zeros with the shape of ``x``."""
    return array_ops.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    """A tensor of ones with the shape of ``x``."""
    return array_ops.ones_like(x, dtype=dtype, name=name)


def identity(x, name=None):
    """A tensor with the same value as ``x``."""
    return array_ops.identity(x, name=name)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of uniformly distributed random values in [minval, maxval) (a new draw each run)."""
    from tfone.ops import random_ops
    return random_ops.random_uniform(shape, minval, maxval, dtype=dtype or _floatx(), seed=seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normally distributed random values (a new draw each run)."""
    from tfone.ops import random_ops
    return random_ops.random_normal(shape, mean, stddev, dtype=dtype or _floatx(), seed=seed)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized with values uniformly distributed in [low, high)."""
    rng = np.random.RandomState(seed)
    return variable(rng.uniform(low, high, size=shape), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized with normally distributed values (mean, scale)."""
    rng = np.random.RandomState(seed)
    return variable(rng.normal(mean, scale, size=shape), dtype=dtype, name=name)


def count_params(x):
    """The number of scalars in a tensor or variable of fully known shape."""
    return int(np.prod(x.shape.as_list()))


# -- running ----------------------------------------------------------------------------------------
def eval(x):
    """The value of a tensor or variable, computed in ``keras.backend.get_session()``."""
    from tfone.keras import backend
    graph = x.graph if hasattr(x, "graph") else get_default_graph()
    with graph.as_default():
        return backend.get_session().run(x)


class Function:
    """``K.function(inputs, outputs, updates)``: call it with a list of input values; returns
    the list of output values (running ``updates`` too). Feeding the learning phase
    (``K.learning_phase()``) as one of the inputs selects training or test behaviour."""

    def __init__(self, inputs, outputs, updates=None, name=None):
        from tfone.ops import control_flow_ops
        self.inputs = list(inputs)
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self._single = not isinstance(outputs, (list, tuple))
        graph = (self.outputs or self.inputs)[0].graph
        self._graph = graph
        update_ops = []
        with graph.as_default():
            for u in updates or []:
                if isinstance(u, tuple):
                    p, new_p = u
                    update_ops.append(p.assign(new_p).op)
                else:
                    update_ops.append(u.op if isinstance(u, Tensor) else u)
            with graph.control_dependencies(self.outputs) if self.outputs else _nothing():
                self._update = control_flow_ops.group(*update_ops) if update_ops else None
        self.name = name

    def __call__(self, inputs):
        from tfone.keras import backend
        if len(inputs) != len(self.inputs):
            raise ValueError("This function takes %d inputs, got %d"
                             % (len(self.inputs), len(inputs)))
        with self._graph.as_default():
            session = backend.get_session()
        fetches = self.outputs + ([self._update] if self._update is not None else [])
        values = session.run(fetches, dict(zip(self.inputs, inputs)))
        values = values[:len(self.outputs)]
        return values[0] if self._single else values


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable that takes a list of input values and returns the list of output values (running
    ``updates`` too), in the Keras session."""
    return Function(inputs, outputs, updates=updates, name=name)


def gradients(loss, variables):
    """The gradients of ``loss`` with respect to ``variables`` (tf.gradients)."""
    from tfone.framework.gradients import gradients as _gradients
    return _gradients(loss, variables)


def stop_gradient(variables):
    """The same value(s), treated as constants by gradients (a tensor or a list of them)."""
    if isinstance(variables, (list, tuple)):
        return [array_ops.stop_gradient(v) for v in variables]
    return array_ops.stop_gradient(variables)


# -- math --------------------------------------------------------------------------------------------
def cast(x, dtype):
    """``x`` converted to ``dtype``."""
    return math_ops.cast(x, dtype)


def dot(x, y):
    """Matrix product; for rank > 2 the last axis of x with the second-to-last of y."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.shape.ndims is not None and y.shape.ndims is not None and (
            x.shape.ndims > 2 or y.shape.ndims > 2):
        return math_ops.tensordot(x, y, [[x.shape.ndims - 1], [max(y.shape.ndims - 2, 0)]])
    return math_ops.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Per-sample dot products of two batches (``axes`` as in Keras; default: last of x with
    second-to-last of y for 3-D, last with last for 2-D)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.shape.ndims == 2 and y.shape.ndims == 2:
        if axes is None or axes in (1, [1, 1], (1, 1)):
            return math_ops.reduce_sum(x * y, axis=1, keepdims=True)
        raise ValueError("batch_dot of 2-D tensors supports axes=1 only, got %r" % (axes,))
    if axes is None:
        return math_ops.matmul(x, y)
    raise NotImplementedError("batch_dot with axes=%r is not supported by tfone (use axes=None "
                              "for batched matrix products)" % (axes,))


def transpose(x):
    """``x`` with its axes reversed (the matrix transpose for 2-D x)."""
    return array_ops.transpose(x)


def gather(reference, indices):
    """The rows of ``reference`` at ``indices``."""
    return array_ops.gather(reference, indices)


def _reduce(fn, x, axis, keepdims):
    return fn(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum over ``axis`` (all axes by default)."""
    return _reduce(math_ops.reduce_max, x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum over ``axis`` (all axes by default)."""
    return _reduce(math_ops.reduce_min, x, axis, keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Sum over ``axis`` (all axes by default)."""
    return _reduce(math_ops.reduce_sum, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis`` (all axes by default)."""
    return _reduce(math_ops.reduce_prod, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean of ``x`` (booleans are cast to floatx first, as in Keras)."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype == dtypes.bool:
        x = math_ops.cast(x, _floatx())
    return _reduce(math_ops.reduce_mean, x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    """Variance over ``axis`` (all axes by default)."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype == dtypes.bool:
        x = math_ops.cast(x, _floatx())
    return math_ops.reduce_variance(x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Standard deviation over ``axis`` (all axes by default)."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype == dtypes.bool:
        x = math_ops.cast(x, _floatx())
    return math_ops.reduce_std(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    """Logical OR over ``axis`` (all axes by default); non-bool inputs are cast to bool."""
    return math_ops.reduce_any(math_ops.cast(x, dtypes.bool), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    """Logical AND over ``axis`` (all axes by default); non-bool inputs are cast to bool."""
    return math_ops.reduce_all(math_ops.cast(x, dtypes.bool), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the largest value along ``axis`` (default: the last)."""
    return math_ops.argmax(x, axis)


def argmin(x, axis=-1):
    """Index of the smallest value along ``axis`` (default: the last)."""
    return math_ops.argmin(x, axis)


def square(x):
    """x ** 2, element-wise."""
    return math_ops.square(x)


def abs(x):  # noqa: A001
    """|x|, element-wise."""
    return math_ops.abs(x)


def sqrt(x):
    """sqrt(max(x, 0)), as Keras does (negative inputs give 0, not NaN)."""
    x = convert_to_tensor(x)
    return math_ops.sqrt(math_ops.maximum(x, convert_to_tensor(0., dtype=x.dtype)))


def exp(x):
    """exp(x), element-wise."""
    return math_ops.exp(x)


def log(x):
    """Natural logarithm, element-wise."""
    return math_ops.log(x)


def round(x):  # noqa: A001
    """Rounds to the nearest integer (half to even), element-wise."""
    return math_ops.round(x)


def sign(x):
    """-1, 0 or 1 for each element's sign."""
    return math_ops.sign(x)


def pow(x, a):  # noqa: A001
    """x ** a, element-wise."""
    return math_ops.pow(x, a)


def clip(x, min_value, max_value):
    """``x`` clipped element-wise to [min_value, max_value] (None: no bound)."""
    x = convert_to_tensor(x)
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return math_ops.clip_by_value(x, convert_to_tensor(min_value, dtype=x.dtype),
                                  convert_to_tensor(max_value, dtype=x.dtype))


def equal(x, y):
    """x == y, element-wise (a bool tensor)."""
    return math_ops.equal(x, y)


def not_equal(x, y):
    """x != y, element-wise."""
    return math_ops.not_equal(x, y)


def greater(x, y):
    """x > y, element-wise."""
    return math_ops.greater(x, y)


def greater_equal(x, y):
    """x >= y, element-wise."""
    return math_ops.greater_equal(x, y)


def less(x, y):
    """x < y, element-wise."""
    return math_ops.less(x, y)


def less_equal(x, y):
    """x <= y, element-wise."""
    return math_ops.less_equal(x, y)


def maximum(x, y):
    """Element-wise maximum of x and y."""
    return math_ops.maximum(x, y)


def minimum(x, y):
    """Element-wise minimum of x and y."""
    return math_ops.minimum(x, y)


def sin(x):
    """Sine, element-wise."""
    return math_ops.sin(x)


def cos(x):
    """Cosine, element-wise."""
    return math_ops.cos(x)


def cumsum(x, axis=0):
    """Cumulative sum along ``axis``."""
    return math_ops.cumsum(x, axis=axis)


def arange(start, stop=None, step=1, dtype="int32"):
    """A 1-D tensor of the integers from ``start`` up to (not including) ``stop``; ``arange(n)`` is
    0..n-1."""
    if stop is None:
        start, stop = 0, start
    return math_ops.range(start, stop, step, dtype=dtype)


# -- neural-network functions --------------------------------------------------------------------------
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (default: the last)."""
    return _nn().softmax(x, axis=axis)


def softplus(x):
    """log(1 + exp(x)), element-wise."""
    return _nn().softplus(x)


def softsign(x):
    """x / (1 + |x|), element-wise."""
    return _nn().softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0):
    """Rectified linear unit, with optional leak ``alpha``, cap ``max_value`` and ``threshold``."""
    from tfone.keras import activations
    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.):
    """Exponential linear unit: x if x > 0 else alpha * (exp(x) - 1)."""
    from tfone.keras import activations
    return activations.elu(x, alpha=alpha)


def sigmoid(x):
    """1 / (1 + exp(-x)), element-wise."""
    return math_ops.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    from tfone.keras import activations
    return activations.hard_sigmoid(x)


def tanh(x):
    """Hyperbolic tangent, element-wise."""
    return math_ops.tanh(x)


def dropout(x, level, noise_shape=None, seed=None):
    """Zero a fraction ``level`` of ``x`` and scale the rest by 1 / (1 - level)."""
    return _nn().dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def l2_normalize(x, axis=None):
    """``x`` divided by its L2 norm along ``axis``."""
    return _nn().l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k):
    """For each row, whether ``targets`` is among the ``k`` largest ``predictions``."""
    return _nn().in_top_k(predictions, targets, k)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot ``target`` and ``output`` (probabilities, or logits with
    ``from_logits=True``) along ``axis``."""
    from tfone.keras import losses
    return losses.backend_categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer class ``target`` and ``output`` (probabilities, or logits with
    ``from_logits=True``)."""
    from tfone.keras import losses
    return losses.backend_sparse_categorical_crossentropy(target, output, from_logits, axis)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy between ``target`` and ``output`` (probabilities, or
    logits with ``from_logits=True``)."""
    from tfone.keras import losses
    return losses.backend_binary_crossentropy(target, output, from_logits)


# -- shapes --------------------------------------------------------------------------------------------
def reshape(x, shape):
    """``x`` with a new shape."""
    return array_ops.reshape(x, shape)


def permute_dimensions(x, pattern):
    """``x`` with its axes reordered by ``pattern`` (a transpose)."""
    return array_ops.transpose(x, perm=list(pattern))


def concatenate(tensors, axis=-1):
    """Tensors joined along ``axis`` (default: the last)."""
    if axis < 0:
        rank = convert_to_tensor(tensors[0]).shape.ndims
        axis = axis % rank if rank else 0
    return array_ops.concat(list(tensors), axis)


def stack(x, axis=0):
    """A list of tensors of the same shape joined along a new axis."""
    return array_ops.stack(x, axis=axis)


def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis`` (default: the end)."""
    return array_ops.expand_dims(x, axis)


def squeeze(x, axis):
    """``x`` without its axis ``axis`` of size 1."""
    return array_ops.squeeze(x, [axis])


def flatten(x):
    """``x`` reshaped to 1-D."""
    return array_ops.reshape(x, [-1])


def batch_flatten(x):
    """``x`` reshaped to (batch, everything else)."""
    x = convert_to_tensor(x)
    dims = x.shape.as_tuple()
    if dims is not None and None not in dims[1:]:
        return array_ops.reshape(x, [-1, int(np.prod(dims[1:]))])
    return array_ops.reshape(x, array_ops.stack([-1, math_ops.reduce_prod(
        array_ops.shape(x)[1:])]))


def tile(x, n):
    """``x`` repeated ``n`` times along each axis."""
    if isinstance(n, int):
        n = [n]
    return array_ops.tile(x, n)


def repeat_elements(x, rep, axis):
    """Repeat each slice of ``x`` along ``axis`` ``rep`` times (``np.repeat``)."""
    x = convert_to_tensor(x)
    dims = x.shape.as_tuple()
    if dims is None or dims[axis] is None:
        raise ValueError("repeat_elements needs a known size along axis %d, got shape %s"
                         % (axis, x.shape))
    slices = array_ops.split(x, dims[axis], axis=axis)
    return array_ops.concat([s for s in slices for _ in range(rep)], axis)


def repeat(x, n):
    """A 2-D tensor ``(batch, features)`` repeated ``n`` times: ``(batch, n, features)``."""
    x = convert_to_tensor(x)
    if x.shape.ndims not in (None, 2):
        raise ValueError("repeat expects a 2-D tensor (batch, features), got shape %s" % x.shape)
    return array_ops.tile(array_ops.expand_dims(x, 1), array_ops.stack([1, n, 1]))


def _repeat_axis(x, rep, axis):
    """Each slice of ``x`` along ``axis`` repeated ``rep`` times, as ``np.repeat``, also for
    an unknown size along ``axis`` (one tile and one reshape)."""
    dims = x.shape.as_list()
    tiled = array_ops.tile(array_ops.expand_dims(x, axis + 1),
                           [rep if i == axis + 1 else 1 for i in range(len(dims) + 1)])
    dynamic = array_ops.shape(x)
    new_shape = [d if d is not None else dynamic[i] for i, d in enumerate(dims)]
    new_shape[axis] = dims[axis] * rep if dims[axis] is not None else dynamic[axis] * rep
    dynamic_dims = [d for d in new_shape if is_tensor(d)]
    out = array_ops.reshape(tiled, array_ops.stack(new_shape) if dynamic_dims else new_shape)
    out.set_shape([d * rep if (i == axis and d is not None) else d for i, d in enumerate(dims)])
    return out


def temporal_padding(x, padding=(1, 1)):
    """Zeros added before and after the time axis of a 3-D tensor ``(batch, steps, features)``."""
    if len(padding) != 2:
        raise ValueError("temporal_padding: padding must be a tuple of 2 ints, got %r"
                         % (padding,))
    return array_ops.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros added around the rows and columns of a 4-D image tensor:
    ``padding = ((top, bottom), (left, right))``."""
    from tfone.keras import backend
    if len(padding) != 2 or [p for p in padding if len(p) != 2]:
        raise ValueError("spatial_2d_padding: padding must be ((top, bottom), (left, right)), "
                         "got %r" % (padding,))
    data_format = data_format or backend.image_data_format()
    if data_format == "channels_first":
        pattern = [[0, 0], [0, 0], list(padding[0]), list(padding[1])]
    elif data_format == "channels_last":
        pattern = [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    else:
        raise ValueError("Unknown data_format: %r" % (data_format,))
    return array_ops.pad(x, pattern)


def _bilinear_matrix(n_in, factor, dtype):
    """[n_in * factor, n_in] weights of TF's bilinear resize with half-pixel centers (what
    ``tf.image.resize`` / Keras's ``resize_images`` use): output row r reads input position
    (r + 0.5) / factor - 0.5, between its two neighbours (clamped at the borders)."""
    n_out = n_in * factor
    src = (np.arange(n_out) + 0.5) / factor - 0.5
    floor = np.floor(src)
    low = np.maximum(floor, 0).astype(int)
    high = np.minimum(np.ceil(src), n_in - 1).astype(int)
    frac = src - floor
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), low), 1 - frac)
    np.add.at(weights, (np.arange(n_out), high), frac)
    return convert_to_tensor(weights.astype(dtype.as_numpy_dtype))


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """A 4-D image tensor enlarged by integer factors: ``'nearest'`` repeats pixels;
    ``'bilinear'`` interpolates with half-pixel centers, as Keras's ``resize_images_v2``
    (the height and width must be known)."""
    if data_format == "channels_first":
        rows, cols = 2, 3
    elif data_format == "channels_last":
        rows, cols = 1, 2
    else:
        raise ValueError("Invalid `data_format` argument: %s" % (data_format,))
    x = convert_to_tensor(x)
    if interpolation == "nearest":
        return _repeat_axis(_repeat_axis(x, height_factor, rows), width_factor, cols)
    if interpolation != "bilinear":
        raise ValueError('interpolation should be one of "nearest" or "bilinear".')
    dims = x.shape.as_list()
    if dims[rows] is None or dims[cols] is None:
        raise ValueError("resize_images(interpolation='bilinear') needs a known height and "
                         "width, got shape %s" % x.shape)
    dtype = x.dtype.base_dtype
    for axis, factor in ((rows, height_factor), (cols, width_factor)):
        weights = _bilinear_matrix(dims[axis], factor, dtype)      # [out, in]
        # contract ``axis`` with the matrix; the new axis comes last, so move it back
        moved = math_ops.tensordot(x, weights, [[axis], [1]])
        order = list(range(axis)) + [3] + list(range(axis, 3))
        x = array_ops.transpose(moved, order)
        dims[axis] *= factor
        x.set_shape(dims)
    return x


def one_hot(indices, num_classes):
    """One-hot encoding of integer ``indices`` with ``num_classes`` classes (a new last axis)."""
    return array_ops.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x, axes):
    """``x`` reversed along ``axes``."""
    if isinstance(axes, int):
        axes = [axes]
    return array_ops.reverse(x, axes)


# -- control --------------------------------------------------------------------------------------------
def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression`` (callables are
    called); a scalar condition known while building picks one branch."""
    from tfone.keras.engine.base_layer_utils import smart_cond
    then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
    else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
    condition = convert_to_tensor(condition) if is_tensor(condition) else condition
    if is_tensor(condition) and condition.shape.ndims not in (0, None):
        if condition.dtype != dtypes.bool:
            condition = math_ops.cast(condition, dtypes.bool)
        then_value, else_value = then_fn(), else_fn()
        target = convert_to_tensor(then_value).shape.ndims
        while condition.shape.ndims is not None and target and condition.shape.ndims < target:
            condition = array_ops.expand_dims(condition, -1)
        return math_ops.where_v2(condition, then_value, else_value)
    return smart_cond(condition, then_fn, else_fn)


def in_train_phase(x, alt, training=None):
    """``x`` in the training phase, ``alt`` otherwise (``training`` defaults to the learning
    phase)."""
    from tfone.keras import backend
    if training is None:
        training = backend.learning_phase()
    if not is_tensor(training):   # a phase fixed by set_learning_phase (or a Python bool)
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """``x`` in the test phase, ``alt`` in the training phase (see in_train_phase)."""
    return in_train_phase(alt, x, training=training)


def update(x, new_x):
    """An op that assigns ``new_x`` to the variable ``x``."""
    return x.assign(new_x)


def update_add(x, increment):
    """An op that adds ``increment`` to the variable ``x``."""
    return x.assign_add(increment)


def update_sub(x, decrement):
    """An op that subtracts ``decrement`` from the variable ``x``."""
    return x.assign_sub(decrement)
