"""Initializers (TF1's ``init_ops``): objects that build the ops giving a variable its first value.

``init(shape, dtype=None, partition_info=None)`` returns a tensor; ``tf.get_variable(...,
initializer=init)`` and ``tf.Variable(lambda: init(shape))`` call it. Random initializers use
tfone's random ops, so they follow TF1's seed rules (see ``random_ops``). Every initializer
has ``get_config()`` and ``from_config(config)``, as Keras needs.

Also declares the ``Qr`` op (``tf.linalg.qr``), which the orthogonal initializer needs.
"""
import math

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         is_tensor_like)
from tfone.framework.tensor_shape import TensorShape
from tfone.ops import array_ops, math_ops, random_ops
from tfone.ops.constant_op import constant

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "UniformUnitScaling", "VarianceScaling", "Orthogonal", "Identity",
           "GlorotUniform", "GlorotNormal", "zeros_initializer", "ones_initializer",
           "constant_initializer", "random_uniform_initializer", "random_normal_initializer",
           "truncated_normal_initializer", "uniform_unit_scaling_initializer",
           "variance_scaling_initializer", "orthogonal_initializer", "identity_initializer",
           "glorot_uniform_initializer", "glorot_normal_initializer", "lecun_normal",
           "lecun_uniform", "he_normal", "he_uniform", "qr"]

# scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.): the stddev of a standard normal cut at
# +-2; dividing by it makes the truncated samples have the requested variance (as TF1 does).
_TRUNCATED_STDDEV = .87962566103423978


# -- helpers ----------------------------------------------------------------------------------------
def _assert_float_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError("Expected floating point type, got %s." % dtype.name)
    return dtype


def _static_dims(shape, who):
    """``shape`` as a list of Python ints (initializers compute scales from it)."""
    shape = TensorShape(shape)
    if not shape.is_fully_defined():
        raise ValueError("%s needs a fully defined shape to compute its scale, got %s"
                         % (who, shape))
    return shape.as_list()


def _scale_shape(shape, partition_info, who):
    # A partitioned variable scales by the full variable's shape, not by its slice.
    full = shape if partition_info is None else partition_info.full_shape
    return _static_dims(full, who)


def _compute_fans(shape):
    """(fan_in, fan_out) of a weight shape, as TF1 computes them.

    Dense kernels are [fan_in, fan_out]; convolution kernels are [..spatial.., in, out], whose
    fans are the channel counts times the receptive field size (product of spatial dims).
    """
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field_size = int(np.prod(shape[:-2]))
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


# -- initializer classes ------------------------------------------------------------------------------
class Initializer:
    """Base class: ``__call__(shape, dtype=None, partition_info=None)`` returns a tensor."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError("%s does not implement __call__" % type(self).__name__)

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild an initializer from ``get_config()``'s dict."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join("%s=%r" % kv for kv in self.get_config().items())
        return "%s(%s)" % (type(self).__name__, args)


class Zeros(Initializer):
    """Initializer that generates tensors initialized to 0."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, self.dtype if dtype is None else dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """Initializer that generates tensors initialized to 1."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, self.dtype if dtype is None else dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """Initializer that generates tensors with constant values.

    ``value`` is a Python scalar (filling the whole shape), or a list/array; a list shorter than
    the shape is padded with its last element, as tf.constant does (unless verify_shape=True).
    """

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError("Invalid type for initial value: %s (expected Python scalar, list or "
                            "tuple of values, or numpy.ndarray)." % type(value).__name__)
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        if verify_shape is None:
            verify_shape = self._verify_shape
        return constant(self.value, dtype=self.dtype if dtype is None else dtype, shape=shape,
                        verify_shape=verify_shape)

    def get_config(self):
        # verify_shape is left out, as in TF1 (Keras compatibility)
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"value": value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Initializer that generates tensors with a uniform distribution on [minval, maxval)."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval,
                                         self.dtype if dtype is None else dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": self.dtype.name}


class RandomNormal(Initializer):
    """Initializer that generates tensors with a normal distribution."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(shape, self.mean, self.stddev,
                                        self.dtype if dtype is None else dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class TruncatedNormal(Initializer):
    """Initializer that generates a truncated normal distribution (redrawn beyond 2 stddev)."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(shape, self.mean, self.stddev,
                                           self.dtype if dtype is None else dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """Uniform on [-sqrt(3 / input_size), sqrt(3 / input_size)) * factor, where input_size is the
    product of all dimensions but the last (deprecated in TF1 in favour of VarianceScaling)."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        self.factor = factor
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _scale_shape(shape, partition_info, "UniformUnitScaling")
        input_size = max(float(np.prod(dims[:-1])), 1.0)  # 1 avoids dividing by 0 for empty shapes
        max_val = math.sqrt(3 / input_size) * self.factor
        return random_ops.random_uniform(shape, -max_val, max_val,
                                         self.dtype if dtype is None else dtype, seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class VarianceScaling(Initializer):
    """Samples with variance ``scale / n``, n = fan_in, fan_out or their average (``mode``).

    ``distribution``: "truncated_normal" (default; stddev corrected for the truncation, so the
    samples really have that variance), "normal" (TF1's older name for the same thing),
    "untruncated_normal", or "uniform" (on [-limit, limit), limit = sqrt(3 * scale / n)).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        if scale <= 0.:
            raise ValueError("`scale` must be positive float.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("Invalid `mode` argument: %r (use 'fan_in', 'fan_out' or "
                             "'fan_avg')" % (mode,))
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Invalid `distribution` argument: %r (use 'truncated_normal', "
                             "'untruncated_normal', 'normal' or 'uniform')" % (distribution,))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else dtype
        fan_in, fan_out = _compute_fans(_scale_shape(shape, partition_info, "VarianceScaling"))
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1., fan_in)
        elif self.mode == "fan_out":
            scale /= max(1., fan_out)
        else:
            scale /= max(1., (fan_in + fan_out) / 2.)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """Initializer that generates an orthogonal matrix (times ``gain``).

    The shape is flattened to [prod(shape[:-1]), shape[-1]]; the QR decomposition of a normal
    random matrix gives Q, uniformly distributed over orthogonal matrices. Rows are
    orthonormal when there are fewer rows than columns, columns otherwise.
    """

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        self.gain = gain
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else _assert_float_dtype(dtype)
        dims = _static_dims(shape, "Orthogonal")
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional, got "
                             "shape %s" % (dims,))
        num_rows = int(np.prod(dims[:-1]))
        num_cols = int(dims[-1])
        flat_shape = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        a = random_ops.random_normal(flat_shape, dtype=dtype, seed=self.seed)
        # tfone's Qr returns R with a non-negative diagonal, so Q needs no sign correction
        # (TF1 multiplies Q by sign(diag(R)) to get the same unique, uniformly distributed Q).
        q, _ = qr(a, full_matrices=False)
        if num_rows < num_cols:
            q = array_ops.transpose(q)
        return math_ops.multiply(self.gain, array_ops.reshape(q, dims), name="mul")

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """Initializer that generates the identity matrix (times ``gain``); 2-D shapes only."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        self.gain = gain
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        full_shape = _static_dims(shape if partition_info is None else partition_info.full_shape,
                                  "Identity")
        if len(full_shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices, got "
                             "shape %s" % (full_shape,))
        dtype = _assert_float_dtype(self.dtype if dtype is None else dtype)
        eye = np.eye(*full_shape, dtype=dtype._np)
        if partition_info is not None:
            dims = _static_dims(shape, "Identity")
            offset = list(partition_info.var_offset)
            eye = eye[offset[0]:offset[0] + dims[0], offset[1]:offset[1] + dims[1]]
        return math_ops.multiply(self.gain, constant(eye, name="eye"), name="mul")

    def get_config(self):
        return {"gain": self.gain, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """Glorot (Xavier) uniform: U[-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed, dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Glorot (Xavier) normal: truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed,
                         dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


# TF1's lower-case names for the classes.
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
orthogonal_initializer = Orthogonal
identity_initializer = Identity
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal


def lecun_normal(seed=None):
    """Truncated normal with stddev sqrt(1 / fan_in) (LeCun 1998; used with selu)."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed=None):
    """Uniform on [-limit, limit), limit = sqrt(3 / fan_in)."""
    return VarianceScaling(scale=1., mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed=None):
    """Truncated normal with stddev sqrt(2 / fan_in) (He et al. 2015; used with relu)."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed=None):
    """Uniform on [-limit, limit), limit = sqrt(6 / fan_in)."""
    return VarianceScaling(scale=2., mode="fan_in", distribution="uniform", seed=seed)


# -- the Qr op ------------------------------------------------------------------------------------------
@register_op("Qr")
class Qr(OpDef):
    """QR decomposition of (a batch of) matrices: input = q @ r, q orthonormal, r upper triangular."""
    family = "linalg"
    # Fixed dtypes rather than a type variable: tfone declares no gradient for Qr yet, and
    # tf.gradients says so (LookupError) if a path to a loss goes through it.
    inputs = ("input:float64|float32|float16|complex64|complex128",)
    attrs = {"full_matrices": False}
    num_outputs = 2
    label = "qr"

    def infer(self, input, full_matrices):
        dims = input.shape.as_tuple()
        if dims is None:
            return [(input.dtype, None), (input.dtype, None)]
        if len(dims) < 2:
            raise ValueError("Qr needs a matrix or a batch of matrices (rank >= 2), got shape %s"
                             % input.shape)
        *batch, m, n = dims
        if full_matrices:
            p = m
        else:
            p = None if m is None or n is None else min(m, n)
        return [(input.dtype, batch + [m, p]), (input.dtype, batch + [p, n])]

    def compute(self, input, full_matrices):
        a = input.astype(np.float32) if input.dtype == np.float16 else input
        q, r = np.linalg.qr(a, mode="complete" if full_matrices else "reduced")
        # Make diag(r) non-negative: the QR decomposition is then unique (for full-rank input),
        # independent of the LAPACK build, and q is uniformly distributed for normal input.
        k = min(a.shape[-2], a.shape[-1])
        d = np.diagonal(r, axis1=-2, axis2=-1)
        signs = np.where(d == 0, 1, d / np.where(d == 0, 1, np.abs(d))).astype(r.dtype)
        q[..., :, :k] *= signs[..., None, :]
        r[..., :k, :] *= np.conj(signs)[..., :, None]
        return q.astype(input.dtype, copy=False), r.astype(input.dtype, copy=False)


def qr(input, full_matrices=False, name=None):
    """``tf.linalg.qr``: (q, r) with input = q @ r; r's diagonal is made non-negative."""
    attrs = {"full_matrices": bool(full_matrices)}
    if is_tensor_like(input):
        return tuple(apply_op("Qr", [input], attrs, name=name))
    # Keep a numpy array's own dtype (float32 stays float32); Python lists become float32.
    with name_scope(name, "Qr") as scope:
        input = convert_to_tensor(input, name="input")
        return tuple(apply_op("Qr", [input], attrs, name=scope))
