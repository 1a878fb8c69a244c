"""Neural-network ops (``tf.nn``): activations, softmax, cross-entropies, bias_add, dropout,
l2 losses and normalisation, moments, batch normalisation, embedding lookup, top-k.

Activations have their own gradient ops (ReluGrad, EluGrad, ...) as in TF1, so backward graphs
look like TF's and stay differentiable (each gradient op declares its own gradient).
The fused SoftmaxCrossEntropyWithLogits / SparseSoftmaxCrossEntropyWithLogits ops compute the
loss and its gradient in one pass; their gradient functions also handle the gradient flowing
into the ``backprop`` output, so second derivatives work.
"""
import numbers

import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         constant_value, is_tensor_like, NOT_DIFFERENTIABLE)
from tfone.framework.tensor_shape import TensorShape, unknown_shape
from tfone.ops import array_ops, math_ops
from tfone.ops.constant_op import constant
from tfone.ops.shape_inference import broadcast_shape

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign", "crelu", "swish",
           "relu_layer", "zero_fraction", "log_poisson_loss", "sufficient_statistics",
           "normalize_moments", "weighted_moments", "softmax",
           "log_softmax", "bias_add", "xw_plus_b", "dropout", "l2_loss", "l2_normalize",
           "moments", "batch_normalization", "fused_batch_norm", "lrn",
           "local_response_normalization",
           "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "weighted_cross_entropy_with_logits", "embedding_lookup", "in_top_k", "top_k"]

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def _check_kind(op_type, dtype, allow_int=False, arg="features"):
    ok = dtype.is_floating or (allow_int and dtype.is_integer)
    if not ok:
        raise TypeError("%s needs a %s '%s', got %s%s" % (
            op_type, "real-valued" if allow_int else "floating-point", arg, dtype.name,
            "" if allow_int else " (cast it with tf.cast(x, tf.float32))"))


def _stable_sigmoid(x):
    """1 / (1 + exp(-x)) without overflow, keeping x's dtype."""
    return np.exp(-np.logaddexp(0, -x))


# -- activations -------------------------------------------------------------------------------------
class _Activation(OpDef):
    """Base: ``y = f(features)`` elementwise."""
    inputs = ("features:T",)
    allow_int = False

    def infer(self, features, **attrs):
        _check_kind(self.type, features.dtype, self.allow_int)
        return features.dtype, features.shape


class _ActivationGrad(OpDef):
    """Base: ``backprops = gradients * f'(...)`` elementwise; both inputs have one shape."""
    inputs = ("gradients:T", "features:T")
    allow_int = False

    def infer(self, gradients, features, **attrs):
        _check_kind(self.type, gradients.dtype, self.allow_int, "gradients")
        if not gradients.shape.is_compatible_with(features.shape):
            raise ValueError("%s: gradients %s and %s %s must have the same shape"
                             % (self.type, gradients.shape, self.inputs[1].split(":")[0],
                                features.shape))
        return gradients.dtype, gradients.shape.merge_with(features.shape)


class _PiecewiseLinearGrad(_ActivationGrad):
    """Base of ReluGrad/Relu6Grad/LeakyReluGrad: linear in `gradients`, flat in `features`."""

    def gradient(self, op, grad):
        x = op.inputs[1]
        return [apply_op(self.type, [grad, x], dict(op.attrs)), array_ops.zeros_like(x)]


class _GradFromOutputs(_ActivationGrad):
    """Base of EluGrad/SeluGrad: where outputs < 0 the derivative is outputs + constant, so
    the gradient with respect to `outputs` is grad * gradients there (0 elsewhere)."""
    inputs = ("gradients:T", "outputs:T")

    def gradient(self, op, grad):
        dy, y = op.inputs
        return [apply_op(self.type, [grad, y]),
                math_ops.where(math_ops.less(y, 0), grad * dy, array_ops.zeros_like(y))]


@register_op("Relu")
class Relu(_Activation):
    """max(features, 0)."""
    label = "relu"
    allow_int = True

    def compute(self, features):
        return np.maximum(features, 0)

    def gradient(self, op, grad):
        return [apply_op("ReluGrad", [grad, op.outputs[0]])]


@register_op("ReluGrad")
class ReluGrad(_PiecewiseLinearGrad):
    """Gradient of Relu: gradients where features > 0, else 0."""
    label = "relu_grad"
    allow_int = True

    def compute(self, gradients, features):
        return gradients * (features > 0)  # as TF's kernel; much faster than np.where


@register_op("Relu6")
class Relu6(_Activation):
    """min(max(features, 0), 6)."""
    label = "relu6"
    allow_int = True

    def compute(self, features):
        return np.minimum(np.maximum(features, 0), 6)

    def gradient(self, op, grad):
        return [apply_op("Relu6Grad", [grad, op.outputs[0]])]


@register_op("Relu6Grad")
class Relu6Grad(_PiecewiseLinearGrad):
    """Gradient of Relu6: gradients where 0 < features < 6, else 0."""
    label = "relu6_grad"
    allow_int = True

    def compute(self, gradients, features):
        return gradients * ((features > 0) & (features < 6))


@register_op("LeakyRelu")
class LeakyRelu(_Activation):
    """features if features > 0 else alpha * features."""
    attrs = {"alpha": 0.2}
    label = "leaky_relu"

    def compute(self, features, alpha):
        return np.where(features > 0, features, features * features.dtype.type(alpha))

    def gradient(self, op, grad):
        return [apply_op("LeakyReluGrad", [grad, op.inputs[0]], {"alpha": op.get_attr("alpha")})]


@register_op("LeakyReluGrad")
class LeakyReluGrad(_PiecewiseLinearGrad):
    """Gradient of LeakyRelu: gradients where features > 0, else alpha * gradients."""
    attrs = {"alpha": 0.2}
    label = "leaky_relu_grad"

    def compute(self, gradients, features, alpha):
        return np.where(features > 0, gradients, gradients * gradients.dtype.type(alpha))


@register_op("Elu")
class Elu(_Activation):
    """exp(features) - 1 if features < 0 else features."""
    label = "elu"

    def compute(self, features):
        return np.where(features < 0, np.expm1(np.minimum(features, 0)), features)

    def gradient(self, op, grad):
        return [apply_op("EluGrad", [grad, op.outputs[0]])]


@register_op("EluGrad")
class EluGrad(_GradFromOutputs):
    """Gradient of Elu from its outputs: gradients * (outputs + 1) where outputs < 0."""
    label = "elu_grad"

    def compute(self, gradients, outputs):
        return np.where(outputs < 0, gradients * (outputs + 1), gradients)


@register_op("Selu")
class Selu(_Activation):
    """scale * (alpha * (exp(features) - 1) if features < 0 else features), self-normalising."""
    label = "selu"

    def compute(self, features):
        t = features.dtype.type
        neg = t(_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(features, 0))
        return np.where(features < 0, neg, features * t(_SELU_SCALE))

    def gradient(self, op, grad):
        return [apply_op("SeluGrad", [grad, op.outputs[0]])]


@register_op("SeluGrad")
class SeluGrad(_GradFromOutputs):
    """Gradient of Selu from its outputs."""
    label = "selu_grad"

    def compute(self, gradients, outputs):
        t = gradients.dtype.type
        return np.where(outputs < 0, gradients * (outputs + t(_SELU_SCALE * _SELU_ALPHA)),
                        gradients * t(_SELU_SCALE))


@register_op("Softplus")
class Softplus(_Activation):
    """log(1 + exp(features)), computed stably."""
    label = "softplus"

    def compute(self, features):
        return np.logaddexp(features.dtype.type(0), features)

    def gradient(self, op, grad):
        return [apply_op("SoftplusGrad", [grad, op.inputs[0]])]


@register_op("SoftplusGrad")
class SoftplusGrad(_ActivationGrad):
    """Gradient of Softplus: gradients * sigmoid(features)."""
    label = "softplus_grad"

    def compute(self, gradients, features):
        return gradients * _stable_sigmoid(features)

    def gradient(self, op, grad):
        dy, x = op.inputs
        # d/dx sigmoid(x) = 1 / (exp(-x) + 2 + exp(x)), which is 0 (not nan) when exp overflows.
        curvature = math_ops.exp(math_ops.negative(x)) + 2.0 + math_ops.exp(x)
        return [apply_op("SoftplusGrad", [grad, x]), grad * dy / curvature]


@register_op("Softsign")
class Softsign(_Activation):
    """features / (1 + |features|)."""
    label = "softsign"

    def compute(self, features):
        return features / (np.abs(features) + 1)

    def gradient(self, op, grad):
        return [apply_op("SoftsignGrad", [grad, op.inputs[0]])]


@register_op("SoftsignGrad")
class SoftsignGrad(_ActivationGrad):
    """Gradient of Softsign: gradients / (1 + |features|)^2."""
    label = "softsign_grad"

    def compute(self, gradients, features):
        return gradients / np.square(np.abs(features) + 1)

    def gradient(self, op, grad):
        dy, x = op.inputs
        denom = math_ops.abs(x) + 1.0
        d2x = grad * dy * -2.0 * math_ops.sign(x) / (denom * denom * denom)
        return [apply_op("SoftsignGrad", [grad, x]), d2x]


def relu(features, name=None):
    """Rectified linear: max(features, 0)."""
    return apply_op("Relu", [features], name=name)


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    with name_scope(name, "Relu6", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return apply_op("Relu6", [features], name=scope)


def leaky_relu(features, alpha=0.2, name=None):
    """features if features > 0 else alpha * features (integer inputs become float32)."""
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        if is_tensor_like(alpha):
            raise TypeError("leaky_relu's alpha must be a Python number, not a tensor")
        return apply_op("LeakyRelu", [features], {"alpha": float(alpha)}, name=scope)


def elu(features, name=None):
    """Exponential linear unit: exp(features) - 1 if features < 0 else features."""
    return apply_op("Elu", [features], name=name)


def selu(features, name=None):
    """Scaled exponential linear unit."""
    return apply_op("Selu", [features], name=name)


def softplus(features, name=None):
    """log(exp(features) + 1)."""
    return apply_op("Softplus", [features], name=name)


def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return apply_op("Softsign", [features], name=name)


def crelu(features, name=None, axis=-1):
    """Concatenated ReLU: relu(concat([features, -features], axis)) (doubles the depth)."""
    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        c = array_ops.concat([features, math_ops.negative(features)], axis, name=scope)
        return relu(c)


def swish(features):
    """features * sigmoid(features) (a.k.a. SiLU)."""
    with name_scope(None, "swish", [features]):
        features = convert_to_tensor(features, name="features")
        return features * math_ops.sigmoid(features)


def relu_layer(x, weights, biases, name=None):
    """relu(matmul(x, weights) + biases)."""
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return relu(bias_add(math_ops.matmul(x, weights), biases), name=scope)


def zero_fraction(value, name=None):
    """The fraction of zeros in ``value``, as a float32 scalar (nan if ``value`` is empty)."""
    with name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = math_ops.cast(math_ops.equal(value, array_ops.zeros_like(value)), dtypes.float32)
        with name_scope("counts_to_fraction"):
            num_zero = math_ops.reduce_sum(zero)
            size = math_ops.cast(array_ops.size(value), dtypes.float32)
            fraction = num_zero / size
        return array_ops.identity(fraction, "fraction")


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - targets * log_input (+ Stirling's approximation of log(targets!))."""
    with name_scope(name, "log_poisson_loss", [log_input, targets]) as scope:
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets", dtype_hint=log_input.dtype)
        if not targets.shape.is_compatible_with(log_input.shape):
            raise ValueError("log_input and targets must have the same shape (%s vs %s)"
                             % (log_input.shape, targets.shape))
        result = math_ops.exp(log_input) - log_input * targets
        if compute_full_loss:
            point_five = constant(0.5, dtype=targets.dtype)
            two_pi = constant(2 * np.pi, dtype=targets.dtype)
            stirling = (targets * math_ops.log(targets)) - targets + (
                point_five * math_ops.log(two_pi * targets))
            zeros = array_ops.zeros_like(targets)
            ones = array_ops.ones_like(targets)
            cond = math_ops.logical_and(math_ops.greater_equal(targets, zeros),
                                        math_ops.less_equal(targets, ones))
            result += math_ops.where(cond, zeros, stirling)
        del scope
        return result


# -- softmax ---------------------------------------------------------------------------------------------
class _SoftmaxBase(OpDef):
    inputs = ("logits:T",)

    def infer(self, logits):
        _check_kind(self.type, logits.dtype, arg="logits")
        if logits.shape.ndims == 0:
            raise ValueError("%s: logits must have >= 1 dimension, got a scalar" % self.type)
        return logits.dtype, logits.shape


@register_op("Softmax")
class Softmax(_SoftmaxBase):
    """exp(logits) / sum(exp(logits)) over the last axis (max-shifted for stability)."""
    label = "softmax"

    def compute(self, logits):
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def gradient(self, op, grad):
        y = op.outputs[0]
        sum_channels = math_ops.reduce_sum(grad * y, -1, keepdims=True)
        return [(grad - sum_channels) * y]


@register_op("LogSoftmax")
class LogSoftmax(_SoftmaxBase):
    """logits - log(sum(exp(logits))) over the last axis (max-shifted for stability)."""
    label = "log_softmax"

    def compute(self, logits):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    def gradient(self, op, grad):
        softmax_ = math_ops.exp(op.outputs[0])
        return [grad - math_ops.reduce_sum(grad, -1, keepdims=True) * softmax_]


def _softmax(logits, op_type, axis, name):
    logits = convert_to_tensor(logits)
    ndims = logits.shape.ndims
    if is_tensor_like(axis):
        value = constant_value(axis)
        if value is None:
            raise ValueError("%s: axis must be known when the graph is built" % op_type)
        axis = int(value)
    axis = int(axis)
    if axis == -1 or (ndims is not None and axis == ndims - 1):
        return apply_op(op_type, [logits], name=name)
    if ndims is None:
        raise ValueError("%s along axis %d needs logits of known rank" % (op_type, axis))
    if not -ndims <= axis < ndims:
        from tfone import errors
        raise errors.InvalidArgumentError(
            None, None, "Dimension (%d) must be in the range [%d, %d) where %d is the number of "
            "dimensions in the input." % (axis, -ndims, ndims, ndims))
    axis %= ndims
    # Swap the axis with the last one, apply the op, swap back (TF1 does the same).
    perm = list(range(ndims))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    out = apply_op(op_type, [array_ops.transpose(logits, perm)])
    out = array_ops.transpose(out, perm, name=name or "transpose")
    out.set_shape(logits.shape)
    return out


def softmax(logits, axis=None, name=None, dim=None):
    """Softmax along ``axis`` (default: the last one); ``dim`` is the deprecated alias."""
    axis = _deprecated_alias("axis", axis, "dim", dim)
    return _softmax(logits, "Softmax", -1 if axis is None else axis, name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """log(softmax(logits)) along ``axis``, computed stably."""
    axis = _deprecated_alias("axis", axis, "dim", dim)
    return _softmax(logits, "LogSoftmax", -1 if axis is None else axis, name)


def _deprecated_alias(new_name, new_value, old_name, old_value):
    if new_value is not None and old_value is not None:
        raise ValueError("Cannot specify both '%s' and '%s'" % (new_name, old_name))
    return new_value if new_value is not None else old_value


# -- bias_add ---------------------------------------------------------------------------------------------
def _bias_axis(ndims, data_format, op_type):
    if data_format == "NHWC":
        if ndims is not None and ndims < 2:
            raise ValueError("%s: value must be at least 2-D, got rank %d" % (op_type, ndims))
        return -1
    if data_format == "NCHW":
        if ndims is not None and ndims < 3:
            raise ValueError("%s with data_format NCHW needs a value of rank >= 3, got rank %d"
                             % (op_type, ndims))
        return 1
    raise ValueError("%s: data_format must be 'NHWC' or 'NCHW', got %r" % (op_type, data_format))


@register_op("BiasAdd")
class BiasAdd(OpDef):
    """value + bias, with the 1-D bias added along the channel dimension."""
    inputs = ("value:T", "bias:T")
    attrs = {"data_format": "NHWC"}
    label = "bias_add"

    def infer(self, value, bias, data_format):
        ndims = value.shape.ndims
        axis = _bias_axis(ndims, data_format, "BiasAdd")
        if bias.shape.ndims not in (None, 1):
            raise ValueError("BiasAdd: bias must be 1-D, got shape %s" % bias.shape)
        if ndims is None:
            return value.dtype, value.shape
        dims = list(value.shape.as_tuple())
        b = bias.shape.as_tuple()[0] if bias.shape.ndims == 1 else None
        if dims[axis] is not None and b is not None and dims[axis] != b:
            raise ValueError("BiasAdd: bias has %d elements but the channel dimension (axis %d) "
                             "of value %s has %d" % (b, axis % ndims, value.shape, dims[axis]))
        if dims[axis] is None:
            dims[axis] = b
        return value.dtype, dims

    def make_kernel(self, op, ctx):
        if op.get_attr("data_format") == "NHWC":
            return np.add

        def bias_add_nchw(value, bias):
            return value + bias.reshape((-1,) + (1,) * (value.ndim - 2))
        return bias_add_nchw

    def compute(self, value, bias, data_format):
        if data_format == "NHWC":
            return value + bias
        return value + bias.reshape((-1,) + (1,) * (value.ndim - 2))

    def gradient(self, op, grad):
        return [grad, apply_op("BiasAddGrad", [grad], {"data_format": op.get_attr("data_format")})]


@register_op("BiasAddGrad")
class BiasAddGrad(OpDef):
    """Gradient of BiasAdd for the bias: out_backprop summed over all but the channel axis."""
    inputs = ("out_backprop:T",)
    attrs = {"data_format": "NHWC"}
    label = "bias_add_grad"

    def infer(self, out_backprop, data_format):
        ndims = out_backprop.shape.ndims
        axis = _bias_axis(ndims, data_format, "BiasAddGrad")
        if ndims is None:
            return out_backprop.dtype, [None]
        return out_backprop.dtype, [out_backprop.shape.as_tuple()[axis]]

    def compute(self, out_backprop, data_format):
        x = out_backprop
        if data_format == "NHWC":
            return x.reshape(-1, x.shape[-1]).sum(axis=0, dtype=x.dtype)
        return x.sum(axis=(0,) + tuple(range(2, x.ndim)), dtype=x.dtype)

    def gradient(self, op, grad):
        x = op.inputs[0]
        ndims = x.shape.ndims
        if ndims is None:
            raise ValueError("The gradient of BiasAddGrad (op %s) needs an input of known rank"
                             % op.name)
        axis = _bias_axis(ndims, op.get_attr("data_format"), "BiasAddGrad") % ndims
        shape = [1] * ndims
        shape[axis] = -1
        return [array_ops.broadcast_to(array_ops.reshape(grad, shape), array_ops._shape_of(x))]


def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D ``bias`` to ``value`` along its channel dimension (last, or 1 for NC...)."""
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        if data_format is not None:
            if data_format.startswith("NC"):
                data_format = "NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                data_format = "NHWC"
            else:
                raise ValueError("data_format must be of the form `N...C` or `NC...`")
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype, name="bias")
        return apply_op("BiasAdd", [value, bias], {"data_format": data_format or "NHWC"},
                        name=scope)


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return bias_add(math_ops.matmul(x, weights), biases, name=scope)


# -- l2 ----------------------------------------------------------------------------------------------------
@register_op("L2Loss")
class L2Loss(OpDef):
    """sum(t ** 2) / 2, a scalar."""
    inputs = ("t:T",)
    label = "l2_loss"

    def infer(self, t):
        _check_kind("L2Loss", t.dtype, arg="t")
        return t.dtype, []

    def compute(self, t):
        flat = np.ravel(t)
        return np.asarray(np.dot(flat, flat) / 2, dtype=t.dtype)

    def gradient(self, op, grad):
        return [op.inputs[0] * grad]


def l2_loss(t, name=None):
    """sum(t ** 2) / 2 (no square root): the usual weight-decay penalty."""
    return apply_op("L2Loss", [t], name=name)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    with name_scope(name, "l2_normalize", [x]) as scope:
        axis = _deprecated_alias("axis", axis, "dim", dim)
        x = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


# -- moments and batch normalisation ---------------------------------------------------------------------
def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) of ``x`` over ``axes`` (the population variance, as TF1).

    ``shift`` is accepted and ignored, as in TF1. float16 inputs are reduced in float32.
    """
    keep_dims = bool(_deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x)
        y = math_ops.cast(x, dtypes.float32) if x.dtype == dtypes.float16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes, keepdims=True,
            name="variance")
        if not keep_dims:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if x.dtype == dtypes.float16:
            return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
        return mean, variance


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """(count, sum of (x - shift), sum of (x - shift)^2, shift) over ``axes``."""
    axes = sorted(set(int(a) for a in axes))
    keep_dims = bool(_deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    with name_scope(name, "sufficient_statistics", [x, shift]):
        x = convert_to_tensor(x, name="x")
        dims = x.shape.as_tuple()
        if dims is not None and all(dims[d] is not None for d in axes):
            count = 1
            for d in axes:
                count *= dims[d]
            counts = constant(count, dtype=x.dtype)
        else:
            x_dims = array_ops.gather(math_ops.cast(array_ops.shape(x), x.dtype), axes)
            counts = math_ops.reduce_prod(x_dims, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift")
            m_ss = math_ops.subtract(x, shift)
            v_ss = math_ops.squared_difference(x, shift)
        else:
            m_ss = x
            v_ss = math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keep_dims, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keep_dims, name="var_ss")
    return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics."""
    with name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = math_ops.reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = math_ops.subtract(math_ops.multiply(variance_ss, divisor),
                                     math_ops.square(shifted_mean), name="variance")
    return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """Frequency-weighted (mean, variance) of ``x`` over ``axes``."""
    keep_dims = bool(_deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        frequency_weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        needs_cast = x.dtype == dtypes.float16
        if needs_cast:
            x = math_ops.cast(x, dtypes.float32)
        if frequency_weights.dtype != x.dtype:
            frequency_weights = math_ops.cast(frequency_weights, x.dtype)
        weighted_input_sum = math_ops.reduce_sum(frequency_weights * x, axes,
                                                 name="weighted_input_sum", keepdims=True)
        broadcasted_weights = frequency_weights + array_ops.zeros_like(x)
        sum_of_weights = math_ops.reduce_sum(broadcasted_weights, axes, name="sum_of_weights",
                                             keepdims=True)
        divisor = math_ops.reciprocal(sum_of_weights, name="inv_weight_sum")
        weighted_mean = math_ops.multiply(weighted_input_sum, divisor)
        weighted_distsq = math_ops.reduce_sum(
            frequency_weights * math_ops.squared_difference(x, weighted_mean), axes,
            name="weighted_distsq", keepdims=True)
        weighted_variance = math_ops.multiply(weighted_distsq, divisor)
        if not keep_dims:
            weighted_mean = array_ops.squeeze(weighted_mean, axis=axes)
            weighted_variance = array_ops.squeeze(weighted_variance, axis=axes)
        if needs_cast:
            weighted_mean = math_ops.cast(weighted_mean, dtypes.float16)
            weighted_variance = math_ops.cast(weighted_variance, dtypes.float16)
        return weighted_mean, weighted_variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """scale * (x - mean) / sqrt(variance + variance_epsilon) + offset (offset/scale may be None)."""
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x)
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        shift = offset - mean * inv if offset is not None else -mean * inv
        return x * math_ops.cast(inv, x.dtype) + math_ops.cast(shift, x.dtype)


def _depth_window_sum(v, radius):
    """sum(v[..., d - radius : d + radius + 1]) for every d (zeros beyond the edges)."""
    depth = v.shape[-1]
    padded = np.zeros(v.shape[:-1] + (depth + 2 * radius,), dtype=v.dtype)
    padded[..., radius:radius + depth] = v
    out = padded[..., :depth].copy()
    for k in range(1, 2 * radius + 1):
        out += padded[..., k:k + depth]
    return out


def _depth_window_sum_op(v, radius):
    """The same window sum built from differentiable graph ops (pad, slices, add_n)."""
    padded = array_ops.pad(v, [[0, 0]] * 3 + [[radius, radius]])
    terms = [padded[..., k:(k - 2 * radius) or None] for k in range(2 * radius + 1)]
    return math_ops.add_n(terms) if len(terms) > 1 else terms[0]


@register_op("LRN")
class LRN(OpDef):
    """Local response normalisation: input / (bias + alpha * sum of squares over nearby depths)
    ** beta, the window covering depth_radius channels on each side."""
    inputs = ("input:T",)
    attrs = {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5}
    label = "lrn"

    def infer(self, input, depth_radius, bias, alpha, beta):
        _check_kind("LRN", input.dtype, arg="input")
        if input.shape.ndims not in (None, 4):
            raise ValueError("LRN: input must be 4-dimensional [batch, height, width, depth], got "
                             "shape %s" % input.shape)
        if depth_radius < 0:
            raise ValueError("LRN: depth_radius must be >= 0, got %d" % depth_radius)
        return input.dtype, input.shape.with_rank(4)

    def compute(self, input, depth_radius, bias, alpha, beta):
        t = input.dtype.type
        norm = t(bias) + t(alpha) * _depth_window_sum(np.square(input), depth_radius)
        return input / norm ** t(beta)

    def gradient(self, op, grad):
        # y = x * N^-beta with N = bias + alpha * W(x^2), W the depth window sum (symmetric):
        # dx = grad * N^-beta - 2 alpha beta x W(grad * y / N). Built from ordinary ops, so it
        # can be differentiated again (TF's LRNGrad op cannot).
        x, y = op.inputs[0], op.outputs[0]
        radius = op.get_attr("depth_radius")
        alpha, beta = op.get_attr("alpha"), op.get_attr("beta")
        norm = op.get_attr("bias") + alpha * _depth_window_sum_op(math_ops.square(x), radius)
        return [grad * math_ops.pow(norm, -beta) -
                (2.0 * alpha * beta) * x * _depth_window_sum_op(grad * y / norm, radius)]


def lrn(input, depth_radius=5, bias=1, alpha=1, beta=0.5, name=None):
    """Local response normalisation across the last dimension of a 4-D tensor."""
    return apply_op("LRN", [input], {"depth_radius": int(depth_radius), "bias": float(bias),
                                     "alpha": float(alpha), "beta": float(beta)}, name=name)


local_response_normalization = lrn


def _channel_layout(x, data_format, op_type):
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("%s: data_format must be 'NHWC' or 'NCHW', got %r" % (op_type, data_format))
    ndims = x.shape.ndims
    if ndims is not None and ndims != 4:
        raise ValueError("%s: x must be 4-D, got shape %s" % (op_type, x.shape))
    return 3 if data_format == "NHWC" else 1


@register_op("FusedBatchNormV3")
class FusedBatchNormV3(OpDef):
    """Batch normalisation of a 4-D tensor in one op (training: batch statistics)."""
    inputs = ("x:T", "scale:U", "offset:U", "mean:U", "variance:U")
    attrs = {"epsilon": 1e-4, "data_format": "NHWC", "is_training": True}
    num_outputs = 6
    label = "fused_batch_norm"

    def infer(self, x, scale, offset, mean, variance, epsilon, data_format, is_training):
        _check_kind("FusedBatchNormV3", x.dtype, arg="x")
        if x.dtype != scale.dtype and not (x.dtype == dtypes.float16 and scale.dtype == dtypes.float32):
            raise TypeError("FusedBatchNormV3: scale/offset/mean/variance must be %s, got %s"
                            % (x.dtype.name, scale.dtype.name))
        axis = _channel_layout(x, data_format, "FusedBatchNormV3")
        c = x.shape.as_tuple()[axis] if x.shape.ndims == 4 else None
        for t, what in ((scale, "scale"), (offset, "offset")) + (
                () if is_training else ((mean, "mean"), (variance, "variance"))):
            if t.shape.ndims not in (None, 1):
                raise ValueError("FusedBatchNormV3: %s must be 1-D, got %s" % (what, t.shape))
            n = t.shape.as_tuple()[0] if t.shape.ndims == 1 else None
            if c is not None and n is not None and n != c:
                raise ValueError("FusedBatchNormV3: %s has %d elements but x has %d channels"
                                 % (what, n, c))
            c = c if c is not None else n
        stat = (scale.dtype, [c])
        return [(x.dtype, x.shape.with_rank(4))] + [stat] * 5

    def make_kernel(self, op, ctx):
        eps = op.get_attr("epsilon")
        axis = 3 if op.get_attr("data_format") == "NHWC" else 1
        training = op.get_attr("is_training")
        reduce_axes = tuple(a for a in range(4) if a != axis)

        def fused_batch_norm(x, scale, offset, mean, variance):
            shape = [1, 1, 1, 1]
            shape[axis] = -1
            xs = x.astype(scale.dtype, copy=False)
            if training:
                mean = xs.mean(axis=reduce_axes, dtype=scale.dtype)
                variance = np.square(xs - mean.reshape(shape)).mean(axis=reduce_axes)
                count = x.size // x.shape[axis]
                # The variance output is Bessel-corrected (for moving averages), as in TF.
                corrected = variance * (count / max(count - 1, 1))
            else:
                corrected = variance
            inv = (1.0 / np.sqrt(variance + scale.dtype.type(eps))).astype(scale.dtype)
            y = (xs - mean.reshape(shape)) * (inv * scale).reshape(shape) + offset.reshape(shape)
            return (y.astype(x.dtype, copy=False), mean, corrected, mean, inv,
                    np.zeros(0, dtype=scale.dtype))
        return fused_batch_norm

    def gradient(self, op, grad_y, *unused):
        x, scale, offset, mean, variance = op.inputs
        eps = op.get_attr("epsilon")
        data_format = op.get_attr("data_format")
        axis = 3 if data_format == "NHWC" else 1
        axes = [a for a in range(4) if a != axis]
        shape = [1, 1, 1, 1]
        shape[axis] = -1
        xs = math_ops.cast(x, scale.dtype)
        gy = math_ops.cast(grad_y, scale.dtype)
        if op.get_attr("is_training"):
            # Rebuilt with ordinary ops so second derivatives work.
            batch_mean = math_ops.reduce_mean(xs, axes, keepdims=True)
            centered = xs - batch_mean
            var = math_ops.reduce_mean(math_ops.square(centered), axes, keepdims=True)
            inv = math_ops.rsqrt(var + eps)
            xhat = centered * inv
            g_scale = math_ops.reduce_sum(gy * xhat, axes)
            g_offset = math_ops.reduce_sum(gy, axes)
            mean_gy = math_ops.reduce_mean(gy, axes, keepdims=True)
            mean_gy_xhat = math_ops.reduce_mean(gy * xhat, axes, keepdims=True)
            gx = array_ops.reshape(scale, shape) * inv * (gy - mean_gy - xhat * mean_gy_xhat)
            grad_mean, grad_var = unused[0], unused[1]
            count = math_ops.cast(array_ops.size(xs), scale.dtype) / math_ops.cast(
                array_ops.size(scale), scale.dtype)
            if not _is_zeros(grad_mean):   # batch_mean output used downstream
                gx += array_ops.reshape(grad_mean, shape) / count
            if not _is_zeros(grad_var):    # batch_var = sum(centered^2) / (count - 1)
                gx += array_ops.reshape(grad_var, shape) * 2.0 * centered / math_ops.maximum(
                    count - 1.0, 1.0)
            return [math_ops.cast(gx, x.dtype), g_scale, g_offset, None, None]
        inv = math_ops.rsqrt(variance + eps)
        centered = xs - array_ops.reshape(mean, shape)
        g_scale = math_ops.reduce_sum(gy * centered, axes) * inv
        g_offset = math_ops.reduce_sum(gy, axes)
        gx = gy * array_ops.reshape(scale * inv, shape)
        g_mean = -g_offset * scale * inv
        g_var = -0.5 * g_scale * scale * inv * inv
        return [math_ops.cast(gx, x.dtype), g_scale, g_offset, g_mean, g_var]


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None):
    """Batch normalisation of 4-D ``x`` in one op; returns (y, batch_mean, batch_var).

    In training, ``mean``/``variance`` must be None and the batch statistics are used;
    ``batch_var`` is Bessel-corrected (n / (n - 1)), as TF returns it for moving averages.
    """
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset", dtype=scale.dtype)
    if is_training:
        if mean is not None or variance is not None:
            raise ValueError("Both 'mean' and 'variance' must be None if is_training is True.")
    elif mean is None or variance is None:
        raise ValueError("fused_batch_norm with is_training=False needs 'mean' and 'variance'")
    mean = constant(np.zeros(0, scale.dtype._np)) if mean is None else convert_to_tensor(mean, dtype=scale.dtype)
    variance = (constant(np.zeros(0, scale.dtype._np)) if variance is None
                else convert_to_tensor(variance, dtype=scale.dtype))
    epsilon = max(float(epsilon), 1.001e-5)  # TF's (cuDNN's) minimum
    outputs = apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance],
                       {"epsilon": epsilon, "data_format": data_format,
                        "is_training": bool(is_training)}, name=name)
    return outputs[0], outputs[1], outputs[2]


# -- sigmoid cross-entropies ------------------------------------------------------------------------------
def _ensure_xent_args(name, sentinel, labels, logits):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)" % name)
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Elementwise logistic loss max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x, labels z."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels", dtype_hint=logits.dtype)
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (logits.shape, labels.shape))
        zeros = array_ops.zeros_like(logits, dtype=logits.dtype)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = math_ops.where(cond, logits, zeros)
        neg_abs_logits = math_ops.where(cond, math_ops.negative(logits), logits)
        return math_ops.add(relu_logits - logits * labels,
                            math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None,
                                       targets=None):
    """Logistic loss with positive examples weighted by ``pos_weight``; ``targets`` is the
    deprecated alias of ``labels``."""
    labels = _deprecated_alias("labels", labels, "targets", targets)
    if labels is None or logits is None or pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs labels (targets), logits and "
                         "pos_weight")
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels", dtype_hint=logits.dtype)
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (logits.shape, labels.shape))
        log_weight = 1 + (pos_weight - 1) * labels
        return math_ops.add(
            (1 - labels) * logits,
            log_weight * (math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(logits))))
                          + relu(math_ops.negative(logits))),
            name=scope)


# -- softmax cross-entropies (fused ops) -----------------------------------------------------------------
def _is_zeros(t):
    return t is None or t.op.type == "ZerosLike"


def _softmax_rows(logits):
    """(log_softmax, softmax) of a 2-D array along axis 1."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return log_probs, np.exp(log_probs)


@register_op("SoftmaxCrossEntropyWithLogits")
class SoftmaxCrossEntropyWithLogits(OpDef):
    """Softmax cross-entropy per row and its gradient (softmax - labels), in one pass."""
    inputs = ("features:T", "labels:T")
    num_outputs = 2
    label = "softmax_xent"

    def infer(self, features, labels):
        _check_kind("SoftmaxCrossEntropyWithLogits", features.dtype, arg="features")
        for t, what in ((features, "logits"), (labels, "labels")):
            if t.shape.ndims not in (None, 2):
                raise ValueError("SoftmaxCrossEntropyWithLogits: %s must be 2-D [batch, classes], "
                                 "got shape %s" % (what, t.shape))
        shape = broadcast_shape(features.shape.with_rank(2), labels.shape.with_rank(2))
        return [(features.dtype, [shape.as_tuple()[0]]), (features.dtype, shape)]

    def compute(self, features, labels):
        log_probs, probs = _softmax_rows(features)
        loss = -(labels * log_probs).sum(axis=1)
        return loss, probs - labels

    def gradient(self, op, grad_loss, grad_grad):
        logits, labels = op.inputs
        g = array_ops.expand_dims(grad_loss, -1)
        grad = g * op.outputs[1]
        labels_grad = g * math_ops.negative(log_softmax(logits))
        if not _is_zeros(grad_grad):
            # Gradient flowing into `backprop` (= softmax - labels): second derivatives.
            probs = softmax(logits)
            grad += (grad_grad - math_ops.reduce_sum(grad_grad * probs, -1, keepdims=True)) * probs
            labels_grad -= grad_grad
        return [grad, labels_grad]


@register_op("SparseSoftmaxCrossEntropyWithLogits")
class SparseSoftmaxCrossEntropyWithLogits(OpDef):
    """Softmax cross-entropy per row against integer class labels, and its gradient."""
    inputs = ("features:T", "labels:int32|int64")
    num_outputs = 2
    label = "sparse_softmax_xent"

    def infer(self, features, labels):
        op = "SparseSoftmaxCrossEntropyWithLogits"
        _check_kind(op, features.dtype, arg="features")
        if features.shape.ndims not in (None, 2):
            raise ValueError("%s: logits must be 2-D [batch, classes], got shape %s"
                             % (op, features.shape))
        if labels.shape.ndims not in (None, 1):
            raise ValueError("%s: labels must be 1-D [batch], got shape %s" % (op, labels.shape))
        fdims = features.shape.with_rank(2).as_tuple()
        ldims = labels.shape.with_rank(1).as_tuple()
        if fdims[0] is not None and ldims[0] is not None and fdims[0] != ldims[0]:
            raise ValueError("%s: logits and labels must have the same first dimension, got "
                             "logits shape %s and labels shape %s" % (op, features.shape, labels.shape))
        batch = fdims[0] if fdims[0] is not None else ldims[0]
        return [(features.dtype, [batch]), (features.dtype, [batch, fdims[1]])]

    def compute(self, features, labels):
        n, classes = features.shape
        labels = np.asarray(labels)
        bad = (labels < 0) | (labels >= classes)
        if bad.any():
            raise ValueError("Received a label value of %d which is outside the valid range of "
                             "[0, %d).  Label values: %s"
                             % (labels[bad][0], classes, " ".join(str(v) for v in labels.tolist())))
        log_probs, probs = _softmax_rows(features)
        rows = np.arange(n)
        loss = -log_probs[rows, labels]
        probs[rows, labels] -= 1
        return loss, probs

    def gradient(self, op, grad_loss, grad_grad):
        logits = op.inputs[0]
        grad = array_ops.expand_dims(grad_loss, -1) * op.outputs[1]
        if not _is_zeros(grad_grad):
            probs = softmax(logits)
            grad += (grad_grad - math_ops.reduce_sum(grad_grad * probs, -1, keepdims=True)) * probs
        return [grad, None]


def _flatten_outer_dims(t):
    """``t`` reshaped to [-1, last dim] (static shape kept when known)."""
    dims = t.shape.as_tuple()
    if dims is not None and dims[-1] is not None:
        return array_ops.reshape(t, [-1, dims[-1]])
    last = array_ops.strided_slice(array_ops.shape(t), [-1], [0], end_mask=1)
    return array_ops.reshape(t, array_ops.concat([[-1], last], 0))


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """Softmax cross-entropy between ``logits`` and the probability rows of ``labels``.

    Gradients flow into both logits and labels (wrap labels in tf.stop_gradient to prevent it).
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits_v2", None, labels, logits)
    axis = _deprecated_alias("axis", axis, "dim", dim)
    axis = -1 if axis is None else int(axis)
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels", dtype_hint=logits.dtype)
        to_float32 = logits.dtype == dtypes.float16
        precise = math_ops.cast(logits, dtypes.float32) if to_float32 else logits
        labels = math_ops.cast(labels, precise.dtype)
        shape = logits.shape
        ndims = shape.ndims
        if ndims is None:
            raise ValueError("softmax_cross_entropy_with_logits needs logits of known rank")
        if ndims == 0:
            raise ValueError("Logits cannot be scalars - received shape %s." % shape)
        if not labels.shape.is_compatible_with(shape):
            raise ValueError("logits and labels must have the same shape (%s vs %s)"
                             % (shape, labels.shape))
        if not -ndims <= axis < ndims:
            raise ValueError("axis %d is out of range for logits of rank %d" % (axis, ndims))
        axis %= ndims
        if axis != ndims - 1:
            perm = [i for i in range(ndims) if i != axis] + [axis]
            precise = array_ops.transpose(precise, perm)
            labels = array_ops.transpose(labels, perm)
        out_dims = [d for i, d in enumerate(shape.as_tuple()) if i != axis]
        # As TF1: flatten both to [-1, classes] (Reshape, Reshape_1), run the fused op, and
        # reshape the cost back (Reshape_2), so tensor names match TF's.
        input_shape = None if None not in out_dims else array_ops.shape(precise)
        cost, _ = apply_op("SoftmaxCrossEntropyWithLogits",
                           [_flatten_outer_dims(precise), _flatten_outer_dims(labels)], name=scope)
        if input_shape is None:
            cost = array_ops.reshape(cost, out_dims)
        else:
            cost = array_ops.reshape(cost, array_ops.strided_slice(input_shape, [0], [-1]))
        cost.set_shape(out_dims)
        return math_ops.cast(cost, logits.dtype) if to_float32 else cost


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                      axis=None):
    """Softmax cross-entropy (TF1's deprecated v1): no gradient flows into ``labels``."""
    dim = _deprecated_alias("axis", axis, "dim", dim)
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=dim, name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Softmax cross-entropy against integer class ids: labels [d0..dn-1], logits [d0..dn-1, C]."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        if not labels.dtype.is_integer:
            raise TypeError("sparse_softmax_cross_entropy_with_logits needs integer class ids as "
                            "labels (int32 or int64), got %s. For one-hot or probability labels "
                            "use softmax_cross_entropy_with_logits_v2." % labels.dtype.name)
        precise = math_ops.cast(logits, dtypes.float32) if logits.dtype == dtypes.float16 else logits
        lshape, gshape = labels.shape, logits.shape
        if gshape.ndims == 0:
            raise ValueError("Logits cannot be scalars - received shape %s." % gshape)
        if gshape.ndims is not None and lshape.ndims is not None and lshape.ndims != gshape.ndims - 1:
            raise ValueError("Rank mismatch: Rank of labels (received %s) should equal rank of "
                             "logits minus 1 (received %s)." % (lshape.ndims, gshape.ndims))
        if gshape.ndims is not None and not lshape.is_compatible_with(gshape[:-1]):
            raise ValueError("Shape mismatch: The shape of labels (received %s) should equal the "
                             "shape of logits except for the last dimension (received %s)."
                             % (lshape, gshape))
        if gshape.ndims == 2:
            cost, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits", [precise, labels], name=name)
        else:
            if gshape.ndims is None:
                raise ValueError("sparse_softmax_cross_entropy_with_logits needs logits of known rank")
            labels_shape = array_ops.shape(labels)
            cost, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits",
                               [_flatten_outer_dims(precise), array_ops.reshape(labels, [-1])],
                               name=name)
            out = lshape.merge_with(gshape[:-1])
            cost = array_ops.reshape(cost, out.as_list() if out.is_fully_defined() else labels_shape)
            cost.set_shape(out)
        return math_ops.cast(cost, dtypes.float16) if logits.dtype == dtypes.float16 else cost


# -- dropout ----------------------------------------------------------------------------------------------
def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return array_ops.shape(x)
    if is_tensor_like(noise_shape):
        return noise_shape
    try:
        dims = TensorShape(noise_shape).as_tuple()
    except (TypeError, ValueError):
        return noise_shape
    xdims = x.shape.as_tuple()
    if xdims is not None and dims is not None and len(xdims) == len(dims):
        dims = [xd if d is None and xd is not None else d for d, xd in zip(dims, xdims)]
    if dims is not None and None not in dims:
        return list(dims)
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes each element with probability ``rate`` (= 1 - keep_prob) and scales the rest by
    1 / (1 - rate), so the expected sum is unchanged. Use it only while training."""
    try:
        keep = 1. - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError("keep_prob must be a floating point number or Tensor (got %r)"
                         % (keep_prob,)) from None
    rate = _deprecated_alias("rate", rate, "keep_prob", keep)
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    from tfone.ops import random_ops
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be scaled. "
                             "Got a %s tensor instead." % x.dtype.name)
        if isinstance(rate, numbers.Real):
            if not 0 <= rate < 1:
                raise ValueError("rate must be a scalar tensor or a float in the range [0, 1), "
                                 "got %g" % rate)
            if rate == 0:
                return x
        rate = convert_to_tensor(rate, dtype=x.dtype, name="rate")
        if rate.shape.ndims not in (None, 0):
            raise ValueError("rate must be a scalar, got shape %s" % rate.shape)
        value = constant_value(rate)
        if value is not None and float(value) == 0:
            return x
        random_tensor = random_ops.random_uniform(_noise_shape(x, noise_shape), seed=seed,
                                                  dtype=x.dtype)
        keep_prob = 1 - rate
        scale = 1 / keep_prob
        keep_mask = math_ops.greater_equal(random_tensor, rate)
        ret = x * scale * math_ops.cast(keep_mask, x.dtype)
        ret.set_shape(x.shape)
        return ret


# -- embeddings -------------------------------------------------------------------------------------------
def _clip_rows(values, ids, max_norm):
    """Scale each looked-up embedding down to L2 norm ``max_norm`` if it is longer."""
    if max_norm is None:
        return values
    id_rank, value_rank = ids.shape.ndims, values.shape.ndims
    if id_rank is None or value_rank is None:
        raise ValueError("embedding_lookup with max_norm needs ids and params of known rank")
    axes = list(range(id_rank, value_rank))
    with name_scope(None, "clip_by_norm", [values]) as scope:
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        positive = math_ops.greater(l2sum, 0)
        safe = math_ops.where(positive, l2sum, array_ops.ones_like(l2sum))
        l2norm = math_ops.where(positive, math_ops.sqrt(safe), l2sum)
        clipped = (values * max_norm) / math_ops.maximum(l2norm, max_norm)
        return array_ops.identity(clipped, name=scope)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """Rows of ``params`` for each id in ``ids`` (gather along axis 0).

    ``params`` may be a list of tensors (a partitioned table): with "mod" id i lives in
    partition i % n at row i // n; with "div" partitions hold consecutive id ranges. The
    gradient with respect to params is a dense tensor (TF1 gives IndexedSlices).
    """
    del validate_indices
    if params is None:
        raise ValueError("Need at least one param")
    if isinstance(params, (list, tuple)):
        params = list(params)
        if not params:
            raise ValueError("Need at least one param")
    else:
        params = [params]
    if partition_strategy not in ("mod", "div"):
        raise ValueError("Unrecognized partition strategy: " + str(partition_strategy))
    with name_scope(name, "embedding_lookup", params + [ids]) as scope:
        params = [p._as_tensor(None) if hasattr(p, "_as_tensor") else convert_to_tensor(p, name="params")
                  for p in params]
        ids = convert_to_tensor(ids, name="ids")
        if not ids.dtype.is_integer:
            raise TypeError("embedding_lookup ids must be integers, got %s" % ids.dtype.name)
        if len(params) == 1:
            result = _clip_rows(array_ops.gather(params[0], ids, name=scope), ids, max_norm)
            return array_ops.identity(result)
        sizes = []
        for p in params:
            dims = p.shape.as_tuple()
            if dims is None or not dims or dims[0] is None:
                raise ValueError("embedding_lookup over %d partitions needs each partition's first "
                                 "dimension to be known; %s has shape %s" % (len(params), p.name, p.shape))
            sizes.append(dims[0])
        n = len(params)
        # One table and index arithmetic instead of TF's dynamic_partition/stitch: the same
        # values and (dense) gradients. Names follow TF: Reshape (flat ids) ... Reshape_1.
        flat_ids = array_ops.reshape(ids, [-1])
        table = array_ops.concat(params, 0)
        total = sum(sizes)
        if partition_strategy == "div":
            per, extras = divmod(total, n)
            expected = [per + 1 if i < extras else per for i in range(n)]
            if sizes != expected:
                raise ValueError("With partition_strategy='div', %d ids over %d partitions must be "
                                 "split as %s rows, got %s" % (total, n, expected, sizes))
            rows = flat_ids
        else:
            expected = [(total - i + n - 1) // n for i in range(n)]
            if sizes != expected:
                raise ValueError("With partition_strategy='mod', %d ids over %d partitions must be "
                                 "split as %s rows, got %s" % (total, n, expected, sizes))
            offsets = constant(np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(ids.dtype._np),
                               name="partition_offsets")
            rows = math_ops.add(array_ops.gather(offsets, math_ops.floormod(flat_ids, n)),
                                math_ops.floordiv(flat_ids, n))
        element = params[0].shape[1:]
        for p in params[1:]:
            element = element.merge_with(p.shape[1:])
        ret = array_ops.gather(table, rows, name=scope)
        if ids.shape.is_fully_defined() and element.is_fully_defined():
            ret = array_ops.reshape(ret, ids.shape.as_list() + element.as_list())
        else:
            element_d = element.as_list() if element.is_fully_defined() else \
                array_ops.strided_slice(array_ops.shape(params[0]), [1], [0], end_mask=1)
            ret = array_ops.reshape(ret, array_ops.concat([array_ops.shape(ids), element_d], 0))
        ret.set_shape(ids.shape.concatenate(element))
        return _clip_rows(ret, ids, max_norm)


# -- top-k -------------------------------------------------------------------------------------------------
@register_op("InTopKV2")
class InTopKV2(OpDef):
    """Whether each target's prediction is among the k largest of its row (ties count in)."""
    inputs = ("predictions:float32", "targets:T", "k:T")
    label = "in_top_k"
    gradient = NOT_DIFFERENTIABLE

    def infer(self, predictions, targets, k):
        if not targets.dtype.is_integer:
            raise TypeError("InTopKV2: targets must be int32 or int64, got %s" % targets.dtype.name)
        if predictions.shape.ndims not in (None, 2):
            raise ValueError("InTopKV2: predictions must be 2-D [batch, classes], got %s"
                             % predictions.shape)
        if targets.shape.ndims not in (None, 1):
            raise ValueError("InTopKV2: targets must be 1-D [batch], got %s" % targets.shape)
        if k.shape.ndims not in (None, 0):
            raise ValueError("InTopKV2: k must be a scalar, got shape %s" % k.shape)
        batch = predictions.shape.with_rank(2).as_tuple()[0]
        tb = targets.shape.with_rank(1).as_tuple()[0]
        if batch is not None and tb is not None and batch != tb:
            raise ValueError("InTopKV2: predictions has %d rows but targets has %d entries"
                             % (batch, tb))
        return dtypes.bool, [batch if batch is not None else tb]

    def compute(self, predictions, targets, k):
        n, classes = predictions.shape
        if targets.shape != (n,):
            raise ValueError("InTopKV2: targets must have shape (%d,), got %s" % (n, targets.shape))
        targets = targets.astype(np.int64)
        valid = (targets >= 0) & (targets < classes)
        target_pred = predictions[np.arange(n), np.where(valid, targets, 0)]
        finite = np.isfinite(predictions).all(axis=1) & np.isfinite(target_pred)
        better = (predictions > target_pred[:, None]).sum(axis=1)
        return valid & finite & (better < int(k))


def in_top_k(predictions, targets, k, name=None):
    """True where ``targets[i]`` is among the ``k`` largest ``predictions[i]`` (ties count)."""
    with name_scope(name, "in_top_k"):
        targets = convert_to_tensor(targets, name="targets")
        if is_tensor_like(k):
            k = math_ops.cast(k, targets.dtype)
        else:
            k = constant(int(k), dtype=targets.dtype, name="k")
        return apply_op("InTopKV2", [predictions, targets, k], name=name)


def _top_k_indices(x, k):
    """Indices of the k largest entries along the last axis; ties: the lower index first."""
    n = x.shape[-1]
    reversed_order = np.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    return (n - 1 - reversed_order[..., :k]).astype(np.int32)


@register_op("TopKV2")
class TopKV2(OpDef):
    """The k largest entries of the last axis (values and int32 indices); ties: lower index first."""
    inputs = ("input:T", "k:int32")
    attrs = {"sorted": True}
    num_outputs = 2
    label = "top_k"

    def infer(self, input, k, sorted):
        if not (input.dtype.is_floating or input.dtype.is_integer):
            raise TypeError("TopKV2 needs a real-valued input, got %s" % input.dtype.name)
        if k.shape.ndims not in (None, 0):
            raise ValueError("TopKV2: k must be a scalar, got shape %s" % k.shape)
        kv = constant_value(k)
        dims = input.shape.as_tuple()
        if dims is not None and len(dims) == 0:
            raise ValueError("TopKV2: input must be at least 1-D, got a scalar")
        if kv is not None:
            kv = int(kv)
            if kv < 0:
                raise ValueError("TopKV2: k must be non-negative, got %d" % kv)
            if dims is not None and dims[-1] is not None and dims[-1] < kv:
                raise ValueError("input must have at least k columns. Had %d, needed %d"
                                 % (dims[-1], kv))
        out = unknown_shape() if dims is None else TensorShape(list(dims[:-1]) + [kv])
        return [(input.dtype, out), (dtypes.int32, out)]

    def compute(self, input, k, sorted):
        k = int(k)
        if k < 0:
            raise ValueError("TopKV2: k must be non-negative, got %d" % k)
        if input.ndim == 0 or input.shape[-1] < k:
            raise ValueError("input must have at least k columns. Had %d, needed %d"
                             % (input.shape[-1] if input.ndim else 0, k))
        indices = _top_k_indices(input, k)
        return np.take_along_axis(input, indices, axis=-1), indices

    def gradient(self, op, grad, _grad_indices):
        # Scatter each row's k gradients back to the columns they came from.
        x, indices = op.inputs[0], op.outputs[1]
        n, k = _last_dim(x), _last_dim(indices)
        total = x.shape.num_elements()
        total = array_ops.size(x) if total is None else total
        rows = array_ops.reshape(indices, [-1, k])
        starts = array_ops.expand_dims(math_ops.range(0, total, n), -1)
        flat = array_ops.reshape(rows + starts, [-1])
        summed = array_ops.unsorted_segment_sum(array_ops.reshape(grad, [-1]), flat, total)
        return [array_ops.reshape(summed, array_ops._shape_of(x)), None]


def _last_dim(t):
    """The last dimension of ``t``: an int when static, else a scalar tensor."""
    dims = t.shape.as_tuple()
    if dims is not None and dims and dims[-1] is not None:
        return dims[-1]
    return array_ops.strided_slice(array_ops.shape(t), [-1], [0], shrink_axis_mask=1)


def top_k(input, k=1, sorted=True, name=None):
    """(values, indices) of the ``k`` largest entries along the last axis."""
    if not is_tensor_like(k):
        k = int(k)
    outputs = apply_op("TopKV2", [input, k], {"sorted": bool(sorted)}, name=name)
    return outputs[0], outputs[1]
