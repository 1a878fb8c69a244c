"""Fused in-place update ops for the Keras 2 optimizers whose formulas differ from TF1's.

Keras's optimizers (tf.keras 1.15, ``optimizer_v2``) reuse TF1's ``ApplyGradientDescent``,
``ApplyAdam``, ``ApplyRMSProp``, ``ApplyCenteredRMSProp`` and ``ApplyAdadelta`` (see
:mod:`tfone.train.training_ops`); the ops below implement the other Keras formulas, term for
term, with the same machinery (variables named by ``ref`` inputs, buffers updated in place)::

    ApplyKerasMomentum    accum = accum * momentum - lr * grad
                          var += accum                               (use_nesterov=False)
                          var += accum * momentum - lr * grad        (use_nesterov=True)
    ApplyAdagradV2        accum += grad**2;  var -= lr * grad / (sqrt(accum) + epsilon)
    ApplyAdaMax           m += (grad - m) * (1 - beta1);  v = max(beta2 * v, |grad|)
                          var -= lr / (1 - beta1_power) * m / (v + epsilon)
    ApplyAdamWithAmsgrad  Adam's m and v, vhat = max(vhat, v)
                          var -= lr * sqrt(1 - beta2_power) / (1 - beta1_power)
                                 * m / (sqrt(vhat) + epsilon)
    ApplyKerasRMSProp     ms = rho * ms + (1 - rho) * grad**2
                          var -= lr * grad / (sqrt(ms) + epsilon)    (Keras RMSprop, momentum 0)
    ApplyKerasCenteredRMSProp  as ApplyKerasRMSProp with mg = rho * mg + (1 - rho) * grad and
                          the denominator sqrt(ms - mg**2) + epsilon
    ApplyNadam            Keras's Nadam step, given the momentum schedule of this step (see
                          :class:`ApplyNadam`)

(TF has the first four under the same names; Keras builds the last three from separate assign
ops, fused here.) Note where epsilon sits: Keras adds it *outside* the square root
(``sqrt(ms) + epsilon``), TF1's RMSProp inside (``sqrt(ms + epsilon)``).

The kernels share their in-place machinery and the pieces of the formulas (moving averages,
``var -= lr * a / b``, ...) with :mod:`tfone.train.training_ops`.

Row (sparse) updates. tf.keras gives an ``Embedding`` (any ``tf.gather`` /
``embedding_lookup`` of a variable) an ``IndexedSlices`` gradient and then, as its
``_resource_apply_sparse`` does, changes only the looked-up rows of the variable and of its
slots for SGD with momentum (``SparseApplyKerasMomentum``), Adagrad (``SparseApplyAdagradV2``),
Adamax (``SparseApplyAdaMax``), Adadelta and RMSprop with momentum (TF's ``SparseApply*``). Its
Nadam decays ``m`` and ``v`` everywhere but moves only the looked-up rows of the variable
(``SparseApplyNadam``). Plain SGD, Adam and RMSprop without momentum give the same numbers as
their dense updates (the gradient is zero elsewhere) and use them.
"""
import numpy as np

from tfone.train.training_ops import (_ApplyOp, _SparseApplyOp, _apply, _average, _decay_towards,
                                      _sqrt_plus, _descend, _adam_moments, _adam_lr,
                                      _adagrad_update)
from tfone.framework.op_registry import register_op

__all__ = ["apply_keras_momentum", "apply_adagrad_v2", "apply_ada_max",
           "apply_adam_with_amsgrad", "apply_keras_rms_prop", "apply_keras_centered_rms_prop",
           "apply_nadam", "sparse_apply_keras_momentum", "sparse_apply_adagrad_v2",
           "sparse_apply_ada_max", "sparse_apply_nadam"]


class _KerasApplyOp(_ApplyOp):
    family = "training"


class _KerasSparseApplyOp(_SparseApplyOp):
    family = "training"


@register_op("ApplyKerasMomentum")
class ApplyKerasMomentum(_KerasApplyOp):
    """Keras SGD momentum: accum = momentum * accum - lr * grad; var += accum (in place)."""
    inputs = ("var:T", "accum:T", "lr:T", "grad:T", "momentum:T")
    attrs = {"use_locking": False, "use_nesterov": False}
    num_refs = 2
    scalars = ("lr", "momentum")
    label = "apply momentum"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum), (lr, grad, momentum) = bufs, values
        t, u = scratch.get(var, 2)
        np.multiply(accum, momentum, out=accum)
        np.multiply(grad, lr, out=t)
        np.subtract(accum, t, out=accum)
        if attrs["use_nesterov"]:
            # var += accum * momentum - lr * grad
            np.multiply(accum, momentum, out=u)
            np.subtract(u, t, out=u)
            np.add(var, u, out=var)
        else:
            np.add(var, accum, out=var)


@register_op("ApplyAdagradV2")
class ApplyAdagradV2(_KerasApplyOp):
    """Adagrad with epsilon: accum += grad**2; var -= lr * grad / (sqrt(accum) + epsilon)."""
    inputs = ("var:T", "accum:T", "lr:T", "epsilon:T", "grad:T")
    attrs = {"use_locking": False, "update_slots": True}
    num_refs = 2
    scalars = ("lr", "epsilon")
    label = "apply Adagrad"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum), (lr, epsilon, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        _adagrad_update(var, accum, lr, grad, epsilon, attrs["update_slots"], t)


@register_op("ApplyAdaMax")
class ApplyAdaMax(_KerasApplyOp):
    """AdaMax: m moving average, v = max(beta2 * v, |grad|); var -= lr/(1-beta1^t) * m/(v+eps)."""
    inputs = ("var:T", "m:T", "v:T", "beta1_power:T", "lr:T", "beta1:T", "beta2:T",
              "epsilon:T", "grad:T")
    num_refs = 3
    scalars = ("beta1_power", "lr", "beta1", "beta2", "epsilon")
    label = "apply AdaMax"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, m, v) = bufs
        beta1_power, lr, beta1, beta2, epsilon, grad = values
        (t,) = scratch.get(var, 1)
        _decay_towards(m, grad, beta1, t)
        np.multiply(v, beta2, out=v)
        np.abs(grad, out=t)
        np.maximum(v, t, out=v)
        np.add(v, epsilon, out=t)
        _descend(var, m, t, lr / (1 - beta1_power), t)


@register_op("ApplyAdamWithAmsgrad")
class ApplyAdamWithAmsgrad(_KerasApplyOp):
    """AMSGrad: Adam with vhat = max(vhat, v) in the denominator, in place."""
    inputs = ("var:T", "m:T", "v:T", "vhat:T", "beta1_power:T", "beta2_power:T", "lr:T",
              "beta1:T", "beta2:T", "epsilon:T", "grad:T")
    num_refs = 4
    scalars = ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon")
    label = "apply AMSGrad"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, m, v, vhat) = bufs
        beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad = values
        (t,) = scratch.get(var, 1)
        _adam_moments(m, v, grad, beta1, beta2, t)
        np.maximum(vhat, v, out=vhat)
        _sqrt_plus(vhat, epsilon, t)
        _descend(var, m, t, _adam_lr(lr, beta1_power, beta2_power), t)


@register_op("ApplyKerasRMSProp")
class ApplyKerasRMSProp(_KerasApplyOp):
    """Keras RMSprop without momentum: ms = rho*ms + (1-rho)*grad**2;
    var -= lr * grad / (sqrt(ms) + epsilon)."""
    inputs = ("var:T", "ms:T", "lr:T", "rho:T", "epsilon:T", "grad:T")
    num_refs = 2
    scalars = ("lr", "rho", "epsilon")
    label = "apply RMSprop"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, ms), (lr, rho, epsilon, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(grad, grad, out=t)
        _average(ms, t, rho, t)
        _sqrt_plus(ms, epsilon, t)
        _descend(var, grad, t, lr, t)


@register_op("ApplyKerasCenteredRMSProp")
class ApplyKerasCenteredRMSProp(_KerasApplyOp):
    """Keras centered RMSprop without momentum: also tracks mg; divides by
    sqrt(ms - mg**2) + epsilon."""
    inputs = ("var:T", "mg:T", "ms:T", "lr:T", "rho:T", "epsilon:T", "grad:T")
    num_refs = 3
    scalars = ("lr", "rho", "epsilon")
    label = "apply RMSprop"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, mg, ms), (lr, rho, epsilon, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(grad, grad, out=t)
        _average(ms, t, rho, t)
        _average(mg, grad, rho, t)
        np.multiply(mg, mg, out=t)
        np.subtract(ms, t, out=t)
        _sqrt_plus(t, epsilon, t)
        _descend(var, grad, t, lr, t)


@register_op("ApplyNadam")
class ApplyNadam(_KerasApplyOp):
    """Keras Nadam step, in place, given this step's momentum schedule::

        g' = grad / (1 - m_schedule_new)
        m = beta1 * m + (1 - beta1) * grad;        m' = m / (1 - m_schedule_next)
        v = beta2 * v + (1 - beta2) * grad**2;     v' = v / (1 - beta2_power)
        var -= lr * ((1 - momentum_t) * g' + momentum_t_1 * m') / (sqrt(v') + epsilon)
    """
    inputs = ("var:T", "m:T", "v:T", "lr:T", "beta1:T", "beta2:T", "epsilon:T",
              "momentum_t:T", "momentum_t_1:T", "m_schedule_new:T", "m_schedule_next:T",
              "beta2_power:T", "grad:T")
    num_refs = 3
    scalars = ("lr", "beta1", "beta2", "epsilon", "momentum_t", "momentum_t_1",
               "m_schedule_new", "m_schedule_next", "beta2_power")
    label = "apply Nadam"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, m, v) = bufs
        (lr, beta1, beta2, epsilon, momentum_t, momentum_t_1, m_schedule_new, m_schedule_next,
         beta2_power, grad) = values
        t, u = scratch.get(var, 2)
        _average(m, grad, beta1, t)
        np.multiply(grad, grad, out=t)
        _average(v, t, beta2, t)
        # t = m_t_bar = (1 - momentum_t) * g' + momentum_t_1 * m'
        np.divide(grad, 1 - m_schedule_new, out=t)
        np.multiply(t, 1 - momentum_t, out=t)
        np.divide(m, 1 - m_schedule_next, out=u)
        np.multiply(u, momentum_t_1, out=u)
        np.add(t, u, out=t)
        # u = sqrt(v') + epsilon
        np.divide(v, 1 - beta2_power, out=u)
        _sqrt_plus(u, epsilon, u)
        _descend(var, t, u, lr, t)


# -- sparse (row) variants -------------------------------------------------------------------------
@register_op("SparseApplyKerasMomentum")
class SparseApplyKerasMomentum(_KerasSparseApplyOp):
    """ApplyKerasMomentum on the gathered rows only (accum and var elsewhere unchanged)."""
    dense = ApplyKerasMomentum


@register_op("SparseApplyAdagradV2")
class SparseApplyAdagradV2(_KerasSparseApplyOp):
    """ApplyAdagradV2 on the gathered rows only."""
    dense = ApplyAdagradV2


@register_op("SparseApplyAdaMax")
class SparseApplyAdaMax(_KerasSparseApplyOp):
    """ApplyAdaMax on the gathered rows only (m and v elsewhere unchanged)."""
    dense = ApplyAdaMax


@register_op("SparseApplyNadam")
class SparseApplyNadam(_KerasSparseApplyOp):
    """Keras Nadam with an embedding gradient: m and v decay everywhere, var moves only in the
    gathered rows."""
    dense = ApplyNadam

    @staticmethod
    def apply_rows(update, bufs, values, grad_index, rows, scratch, attrs):
        var = bufs[0]
        moved = var.copy()
        update([moved] + list(bufs[1:]), values, scratch, attrs)   # the gradient is 0 elsewhere
        var[rows] = moved[rows]


# -- Python wrappers (TF's gen_training_ops names where TF has the op) -----------------------------
def apply_keras_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False,
                         name=None):
    return _apply("ApplyKerasMomentum", [var, accum], [lr, grad, momentum],
                  {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)}, name)


def apply_adagrad_v2(var, accum, lr, epsilon, grad, use_locking=False, update_slots=True,
                     name=None):
    return _apply("ApplyAdagradV2", [var, accum], [lr, epsilon, grad],
                  {"use_locking": bool(use_locking), "update_slots": bool(update_slots)}, name)


def apply_ada_max(var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
                  name=None):
    return _apply("ApplyAdaMax", [var, m, v], [beta1_power, lr, beta1, beta2, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_adam_with_amsgrad(var, m, v, vhat, beta1_power, beta2_power, lr, beta1, beta2,
                            epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyAdamWithAmsgrad", [var, m, v, vhat],
                  [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_keras_rms_prop(var, ms, lr, rho, epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyKerasRMSProp", [var, ms], [lr, rho, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_keras_centered_rms_prop(var, mg, ms, lr, rho, epsilon, grad, use_locking=False,
                                  name=None):
    return _apply("ApplyKerasCenteredRMSProp", [var, mg, ms], [lr, rho, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_nadam(var, m, v, lr, beta1, beta2, epsilon, momentum_t, momentum_t_1, m_schedule_new,
                m_schedule_next, beta2_power, grad, use_locking=False, name=None):
    return _apply("ApplyNadam", [var, m, v],
                  [lr, beta1, beta2, epsilon, momentum_t, momentum_t_1, m_schedule_new,
                   m_schedule_next, beta2_power, grad], {"use_locking": bool(use_locking)}, name)


# Row variants: ``grad`` is tfone's dense gradient, ``indices`` the rows TF's IndexedSlices
# gradient would hold (duplicates allowed).
def sparse_apply_keras_momentum(var, accum, lr, grad, indices, momentum, use_locking=False,
                                use_nesterov=False, name=None):
    return _apply("SparseApplyKerasMomentum", [var, accum], [lr, grad, momentum, indices],
                  {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)}, name)


def sparse_apply_adagrad_v2(var, accum, lr, epsilon, grad, indices, use_locking=False,
                            update_slots=True, name=None):
    return _apply("SparseApplyAdagradV2", [var, accum], [lr, epsilon, grad, indices],
                  {"use_locking": bool(use_locking), "update_slots": bool(update_slots)}, name)


def sparse_apply_ada_max(var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad, indices,
                         use_locking=False, name=None):
    return _apply("SparseApplyAdaMax", [var, m, v],
                  [beta1_power, lr, beta1, beta2, epsilon, grad, indices],
                  {"use_locking": bool(use_locking)}, name)


def sparse_apply_nadam(var, m, v, lr, beta1, beta2, epsilon, momentum_t, momentum_t_1,
                       m_schedule_new, m_schedule_next, beta2_power, grad, indices,
                       use_locking=False, name=None):
    return _apply("SparseApplyNadam", [var, m, v],
                  [lr, beta1, beta2, epsilon, momentum_t, momentum_t_1, m_schedule_new,
                   m_schedule_next, beta2_power, grad, indices],
                  {"use_locking": bool(use_locking)}, name)
