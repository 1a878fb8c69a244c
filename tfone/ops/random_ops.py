"""Random ops with TF1's seed rules: tf.random_normal, tf.random_uniform, tf.truncated_normal,
tf.random_shuffle, tf.multinomial (tf.random.categorical) and tf.set_random_seed.

Seeds work as in TF1 (``tf.get_seed``): every random op stores two ints, ``seed`` and
``seed2``, as attrs, resolved when the op is created from the graph-level seed
(``tf.set_random_seed``) and the op-level ``seed=`` argument:

- graph seed set, op seed None: the op seed is the graph's op count at creation, so the same
  program gives the same numbers on every run while different ops get different streams;
- op seed only: the graph seed is the default 87654321;
- neither: ``seed = seed2 = 0``, which means "nondeterministic".

Each Session keeps one numpy Generator per random op, seeded from (seed, seed2): running the
op again gives the next numbers of its stream, and a new Session starts the stream over. The
numbers are numpy's (PCG64), not TF1's Philox numbers; only the determinism rules are TF1's.
"""
import operator

import numpy as np

from tfone import errors
from tfone.framework import dtypes
from tfone.framework.graph import get_default_graph, name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, NOT_DIFFERENTIABLE,
                                         convert_to_tensor, constant_value, is_tensor_like)
from tfone.framework.tensor_shape import TensorShape, dimension_value, unknown_shape
from tfone.ops.shape_inference import shape_from_tensor
from tfone.ops.constant_op import constant
from tfone.ops import math_ops

__all__ = ["random_normal", "random_uniform", "truncated_normal", "random_shuffle",
           "multinomial", "categorical", "set_random_seed", "get_seed"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int32, dtypes.int64)


# -- seeds ----------------------------------------------------------------------------------------
def _check_seed(seed, what):
    if seed is None:
        return None
    try:
        return operator.index(seed)
    except TypeError:
        raise TypeError("%s must be an integer or None, got %r of type %s"
                        % (what, seed, type(seed).__name__)) from None


def _truncate_seed(seed):
    return seed % _MAXINT32  # fits a 32-bit int attr, as in TF1


def set_random_seed(seed):
    """Set the graph-level random seed of the default graph (TF1's ``tf.set_random_seed``).

    Random ops created afterwards without their own ``seed=`` derive one from it, so the whole
    program becomes reproducible. Call it after ``tf.reset_default_graph()`` or inside
    ``with graph.as_default():``; it affects only ops created later.
    """
    get_default_graph().seed = _check_seed(seed, "tf.set_random_seed's seed")


def get_seed(op_seed):
    """The (graph seed, op seed) pair a random op created now with ``seed=op_seed`` uses.

    Returns ``(None, None)`` when neither the graph nor the op has a seed (nondeterministic).
    """
    op_seed = _check_seed(op_seed, "The op-level seed")
    graph = get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = graph.version  # TF1 uses the graph's last op id: same program, same seeds
        seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):  # (0, 0) would mean "nondeterministic" to the kernels
        return 0, _MAXINT32
    return seeds


def _seed_attrs(seed):
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def _generator(op, ctx):
    """This session's Generator for ``op``: one stream per op, restarted by a new Session."""
    seed, seed2 = op.get_attr("seed"), op.get_attr("seed2")
    entropy = None if seed == 0 and seed2 == 0 else [seed, seed2]
    return ctx.generator(op.name, entropy)


# -- shapes ---------------------------------------------------------------------------------------
def _shape_tensor(shape):
    """TF1's ``tensor_util.shape_tensor``: a 1-D int tensor named 'shape' for ``shape``."""
    if is_tensor_like(shape):
        return convert_to_tensor(shape)
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError("Cannot convert a partially known TensorShape %s to a Tensor; pass "
                             "a shape tensor such as tf.shape(x) instead." % shape)
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)):
        if not shape:
            return constant([], dtype=dtypes.int32, name="shape")
        shape = [d if is_tensor_like(d) else dimension_value(d) for d in shape]
        if any(d is None for d in shape):
            raise ValueError("A random op's shape must not contain None, got %s; use a shape "
                             "tensor such as tf.shape(x) for sizes known only at run time."
                             % (shape,))
    return convert_to_tensor(shape, name="shape")


def _static_shape(shape):
    """Static output shape from a shape tensor (ValueError for a bad constant shape)."""
    if shape.shape.ndims not in (None, 1):
        raise ValueError("Shape must be rank 1 but is rank %d: pass the shape as a list such as "
                         "[2, 3], not as %s" % (shape.shape.ndims, shape.shape))
    value = constant_value(shape)
    if value is not None and np.any(np.asarray(value) < 0):
        raise ValueError("Shape %s has a negative dimension" % (np.asarray(value).tolist(),))
    if shape.shape.ndims is None:
        return unknown_shape()
    return shape_from_tensor(shape)


def _run_shape(shape, op_type):
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    if any(d < 0 for d in dims):
        raise errors.InvalidArgumentError(
            None, None, "%s: shape %s has a negative dimension" % (op_type, list(dims)))
    return dims


def _check_scalar(tensor, what):
    if tensor.shape.ndims not in (None, 0):
        raise ValueError("%s must be a scalar (0-D), got shape %s" % (what, tensor.shape))


# -- op declarations --------------------------------------------------------------------------------
class _RandomFromShape(OpDef):
    """Base of ops that draw a tensor of a given shape from this session's stream."""
    inputs = ("shape:int32|int64",)
    attrs = {"seed": 0, "seed2": 0, "dtype": dtypes.float32}
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, shape, seed, seed2, dtype):
        if dtype not in _FLOATS:
            raise TypeError("%s needs a floating dtype (float16, float32, float64), got %s"
                            % (self.type, dtype.name))
        return dtype, _static_shape(shape)

    def make_kernel(self, op, ctx):
        gen = _generator(op, ctx)
        np_dtype = op.get_attr("dtype")._np
        sample, op_type = self.sample, self.type

        def kernel(shape):
            return sample(gen, _run_shape(shape, op_type), np_dtype)
        return kernel


def _standard_normal(gen, size, np_dtype):
    if np_dtype == np.float16:
        return gen.standard_normal(size, dtype=np.float32).astype(np.float16)
    return gen.standard_normal(size, dtype=np_dtype)


@register_op("RandomStandardNormal")
class RandomStandardNormal(_RandomFromShape):
    """Samples from the normal distribution with mean 0 and standard deviation 1."""
    label = "N(0, 1)"
    sample = staticmethod(_standard_normal)


@register_op("TruncatedNormal")
class TruncatedNormal(_RandomFromShape):
    """Standard normal samples, redrawing any that fall more than 2 standard deviations out."""
    label = "truncated N(0, 1)"

    @staticmethod
    def sample(gen, size, np_dtype):
        values = _standard_normal(gen, size, np_dtype)
        flat = values.reshape(-1)
        redraw = np.flatnonzero(np.abs(flat) > 2)
        while redraw.size:  # each round keeps ~95% of the redrawn values
            fresh = _standard_normal(gen, redraw.size, np_dtype)
            flat[redraw] = fresh
            redraw = redraw[np.abs(fresh) > 2]
        return values


@register_op("RandomUniform")
class RandomUniform(_RandomFromShape):
    """Samples from the uniform distribution on [0, 1)."""
    label = "U[0, 1)"

    @staticmethod
    def sample(gen, size, np_dtype):
        if np_dtype == np.float16:
            values = gen.random(size, dtype=np.float32).astype(np.float16)
            # rounding to float16 can reach 1.0; keep the interval half-open
            return np.minimum(values, np.nextafter(np.float16(1), np.float16(0)))
        return gen.random(size, dtype=np_dtype)


@register_op("RandomUniformInt")
class RandomUniformInt(OpDef):
    """Integers drawn uniformly from [minval, maxval)."""
    inputs = ("shape:int32|int64", "minval:Tout", "maxval:Tout")
    attrs = {"seed": 0, "seed2": 0}
    label = "U{min..max-1}"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, shape, minval, maxval, seed, seed2):
        if minval.dtype not in _INTS:
            raise TypeError("RandomUniformInt needs int32 or int64 bounds, got %s"
                            % minval.dtype.name)
        _check_scalar(minval, "minval")
        _check_scalar(maxval, "maxval")
        return minval.dtype, _static_shape(shape)

    def make_kernel(self, op, ctx):
        gen = _generator(op, ctx)
        np_dtype = op.outputs[0].dtype._np

        def kernel(shape, minval, maxval):
            if not minval < maxval:
                raise errors.InvalidArgumentError(
                    None, None, "Need minval < maxval: %s >= %s" % (minval, maxval))
            return gen.integers(minval, maxval, size=_run_shape(shape, "RandomUniformInt"),
                                dtype=np_dtype)
        return kernel


@register_op("RandomShuffle")
class RandomShuffle(OpDef):
    """Randomly permutes a tensor along its first dimension."""
    inputs = ("value",)
    attrs = {"seed": 0, "seed2": 0}
    label = "shuffle"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, value, seed, seed2):
        return value.dtype, value.shape

    def make_kernel(self, op, ctx):
        gen = _generator(op, ctx)

        def kernel(value):
            if value.ndim == 0 or value.shape[0] <= 1:
                return value.copy()
            return value[gen.permutation(value.shape[0])]
        return kernel


@register_op("Multinomial")
class Multinomial(OpDef):
    """Draws ``num_samples`` class indices per row from the softmax of ``logits`` [batch, classes]."""
    inputs = ("logits:T", "num_samples:int32")
    attrs = {"seed": 0, "seed2": 0, "output_dtype": dtypes.int64}
    label = "sample classes"
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, logits, num_samples, seed, seed2, output_dtype):
        if not (logits.dtype.is_floating or logits.dtype.is_integer):
            raise TypeError("logits must be a real number tensor, got %s" % logits.dtype.name)
        if output_dtype not in _INTS:
            raise TypeError("output_dtype must be int32 or int64, got %s" % output_dtype.name)
        if logits.shape.ndims not in (None, 2):
            raise ValueError("logits should be a matrix [batch_size, num_classes], got shape %s"
                             % logits.shape)
        _check_scalar(num_samples, "num_samples")
        n = constant_value(num_samples)
        if n is not None and int(n) < 0:
            raise ValueError("num_samples should be nonnegative, got %d" % int(n))
        batch = logits.shape.as_list()[0] if logits.shape.ndims == 2 else None
        return output_dtype, [batch, None if n is None else int(n)]

    def make_kernel(self, op, ctx):
        gen = _generator(op, ctx)
        np_dtype = op.get_attr("output_dtype")._np

        def kernel(logits, num_samples):
            batch, classes = logits.shape
            num_samples = int(num_samples)
            if num_samples < 0:
                raise errors.InvalidArgumentError(
                    None, None, "num_samples should be nonnegative, got %d" % num_samples)
            if classes == 0:
                raise errors.InvalidArgumentError(
                    None, None, "num_classes should be positive, got 0")
            return _sample_classes(gen, logits, num_samples).astype(np_dtype, copy=False)
        return kernel


def _sample_classes(gen, logits, num_samples):
    """Inverse-CDF sampling for every row at once with one searchsorted.

    Row i's CDF is shifted to [i, i + 1], which makes the concatenated CDFs increasing, so a
    uniform draw u of row i is found at (i + u) in the flat array.
    """
    batch, classes = logits.shape
    logits = np.asarray(logits, dtype=np.float64)
    probs = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    rows = np.arange(batch)[:, None]
    flat_cdf = (cdf + rows).reshape(-1)
    draws = gen.random((batch, num_samples)) + rows
    picks = np.searchsorted(flat_cdf, draws.reshape(-1), side="right").reshape(batch, num_samples)
    return np.minimum(picks - rows * classes, classes - 1)


# -- TF1's Python functions -------------------------------------------------------------------------
def _float_dtype(dtype, fn):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS:
        raise ValueError("%s needs a floating dtype (tf.float16, tf.float32, tf.float64), got "
                         "%s" % (fn, dtype.name))
    return dtype


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution: ``RandomStandardNormal * stddev + mean``."""
    dtype = _float_dtype(dtype, "tf.random_normal")
    with name_scope(name, "random_normal", [shape, mean, stddev]) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        attrs = _seed_attrs(seed)
        attrs["dtype"] = dtype
        rnd = apply_op("RandomStandardNormal", [shape_t], attrs)
        return math_ops.add(math_ops.multiply(rnd, stddev_t, name="mul"), mean_t, name=scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal samples that are redrawn when more than 2 stddev from the mean."""
    dtype = _float_dtype(dtype, "tf.truncated_normal")
    with name_scope(name, "truncated_normal", [shape, mean, stddev]) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        attrs = _seed_attrs(seed)
        attrs["dtype"] = dtype
        rnd = apply_op("TruncatedNormal", [shape_t], attrs)
        return math_ops.add(math_ops.multiply(rnd, stddev_t, name="mul"), mean_t, name=scope)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform samples in [minval, maxval) (maxval defaults to 1 for floats; ints need it)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS + _INTS:
        raise ValueError("Invalid dtype %s for tf.random_uniform: use a float type or int32/int64"
                         % dtype.name)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %s" % dtype.name)
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_tensor(shape)
        min_t = convert_to_tensor(minval, dtype=dtype, name="min")
        max_t = convert_to_tensor(maxval, dtype=dtype, name="max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            return apply_op("RandomUniformInt", [shape_t, min_t, max_t], attrs, name=scope)
        attrs["dtype"] = dtype
        rnd = apply_op("RandomUniform", [shape_t], attrs)
        scale = math_ops.subtract(max_t, min_t, name="sub")
        return math_ops.add(math_ops.multiply(rnd, scale, name="mul"), min_t, name=scope)


def random_shuffle(value, seed=None, name=None):
    """``value`` with its first dimension randomly permuted (a new order on every run)."""
    attrs = _seed_attrs(seed)
    return apply_op("RandomShuffle", [value], attrs, name=name)


def _multinomial(logits, num_samples, seed, output_dtype):
    logits = convert_to_tensor(logits, name="logits")
    attrs = _seed_attrs(seed)
    attrs["output_dtype"] = dtypes.int64 if output_dtype is None else dtypes.as_dtype(output_dtype)
    return apply_op("Multinomial", [logits, num_samples], attrs)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """Class indices [batch, num_samples] drawn from the categorical distribution of each row
    of ``logits`` (unnormalized log-probabilities)."""
    with name_scope(name, "multinomial", [logits]):
        return _multinomial(logits, num_samples, seed, output_dtype)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``tf.random.categorical``: tf.multinomial with ``dtype`` for the output indices."""
    with name_scope(name, "categorical", [logits]):
        return _multinomial(logits, num_samples, seed, dtype)
