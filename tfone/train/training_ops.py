"""Fused optimizer updates, as TF1's ``training_ops``: one op updates a variable (and its slots).

Each op names the variables it updates through ``ref`` inputs (they are not evaluated: the
kernel finds their buffers in the session) and takes the hyperparameters and the gradient as
ordinary inputs. The kernels write into the variable buffers in place with numpy ``out=``
arguments and per-op scratch arrays, so a training step allocates no new arrays for the
update itself. The formulas are TF1's, term for term::

    ApplyGradientDescent  var -= alpha * delta
    ApplyMomentum         accum = accum * momentum + grad
                          var -= lr * accum                       (use_nesterov=False)
                          var -= lr * grad + lr * momentum * accum (use_nesterov=True)
    ApplyAdam             lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
                          m += (grad - m) * (1 - beta1);  v += (grad**2 - v) * (1 - beta2)
                          var -= lr_t * m / (sqrt(v) + epsilon)
    ApplyRMSProp          ms += (grad**2 - ms) * (1 - rho)
                          mom = mom * momentum + lr * grad / sqrt(ms + epsilon);  var -= mom
    ApplyCenteredRMSProp  as RMSProp, with mg += (grad - mg) * (1 - rho) and the denominator
                          sqrt(ms - mg**2 + epsilon)
    ApplyAdagrad          accum += grad**2;  var -= lr * grad / sqrt(accum)
    ApplyAdadelta         accum = rho * accum + (1 - rho) * grad**2
                          update = sqrt(accum_update + epsilon) / sqrt(accum + epsilon) * grad
                          var -= lr * update
                          accum_update = rho * accum_update + (1 - rho) * update**2
    ApplyFtrl(V2)         FTRL-proximal (McMahan et al. 2013), see :class:`ApplyFtrl`.

They have no gradient. ``use_locking=True`` serializes updates of one variable within a
session (useful when several threads run training steps at once).

``SparseApply*`` apply the same formulas to some rows only: the rows a ``tf.gather`` /
``tf.nn.embedding_lookup`` read, for which TF1 has ``IndexedSlices`` gradients (see
:class:`_SparseApplyOp`; Optimizer.apply_gradients picks them).
"""
import threading
import weakref

import numpy as np

from tfone import errors
from tfone.framework.op_registry import OpDef, register_op, apply_op, NOT_DIFFERENTIABLE

__all__ = ["apply_gradient_descent", "apply_momentum", "apply_adam", "apply_rms_prop",
           "apply_centered_rms_prop", "apply_adagrad", "apply_adadelta", "apply_ftrl",
           "apply_ftrl_v2", "sparse_apply_momentum", "sparse_apply_rms_prop",
           "sparse_apply_centered_rms_prop", "sparse_apply_adagrad", "sparse_apply_adadelta",
           "sparse_apply_ftrl", "sparse_apply_ftrl_v2"]


# -- shared machinery ------------------------------------------------------------------------------
_LOCKS = weakref.WeakKeyDictionary()   # session run context -> {variable name: lock}
_LOCKS_GUARD = threading.Lock()


def _variable_lock(ctx, name):
    with _LOCKS_GUARD:
        locks = _LOCKS.setdefault(ctx, {})
        lock = locks.get(name)
        if lock is None:
            lock = locks[name] = threading.Lock()
        return lock


class _Scratch(threading.local):
    """Temporary arrays reused across steps (one set per thread, so concurrent runs are safe)."""

    def get(self, like, count, dtype=None):
        arrays = self.__dict__.get("arrays")
        dtype = like.dtype if dtype is None else dtype
        if arrays is None or arrays[0].shape != like.shape or arrays[0].dtype != dtype:
            arrays = self.arrays = [np.empty(like.shape, dtype=dtype) for _ in range(count)]
        return arrays


def _variable_buffers(store, names):
    """The session buffers of the variables ``names`` (updated in place by the kernels)."""
    try:
        return [store[n] for n in names]
    except KeyError as e:
        raise errors.FailedPreconditionError(
            None, None, "Attempting to use uninitialized value %s\n  Hint: run "
            "sess.run(tf.global_variables_initializer()) before training."
            % e.args[0]) from None


def _call_locked(lock, fn, *args):
    """``fn(*args)``, holding ``lock`` if there is one (``use_locking=True``)."""
    if lock is None:
        return fn(*args)
    with lock:
        return fn(*args)


# -- pieces of the update formulas (shared with tfone/keras/optimizer_ops.py) ----------------------
# Each writes into its first argument (or ``var``) in place; ``t`` is a scratch array.
def _decay_towards(acc, target, decay, t):
    """acc += (target - acc) * (1 - decay): TF's C++ form of the moving average (``target``
    may be ``t``)."""
    np.subtract(target, acc, out=t)
    np.multiply(t, 1 - decay, out=t)
    np.add(acc, t, out=acc)


def _average(acc, value, decay, t):
    """acc = decay * acc + (1 - decay) * value: the moving average written as Keras's Python
    optimizers (and TF's Adadelta) compute it (``value`` may be ``t``)."""
    np.multiply(value, 1 - decay, out=t)
    np.multiply(acc, decay, out=acc)
    np.add(acc, t, out=acc)


def _sqrt_plus(x, epsilon, out):
    """out = sqrt(x) + epsilon (epsilon outside the square root)."""
    np.sqrt(x, out=out)
    np.add(out, epsilon, out=out)


def _descend(var, numerator, denominator, lr, t):
    """var -= lr * numerator / denominator (``t`` may be the denominator)."""
    np.divide(numerator, denominator, out=t)
    np.multiply(t, lr, out=t)
    np.subtract(var, t, out=var)


def _adam_moments(m, v, grad, beta1, beta2, t):
    """Adam's first and second moments: m, v move towards grad and grad**2."""
    _decay_towards(m, grad, beta1, t)
    np.multiply(grad, grad, out=t)
    _decay_towards(v, t, beta2, t)


def _adam_lr(lr, beta1_power, beta2_power):
    """Adam's bias-corrected step size lr * sqrt(1 - beta2^t) / (1 - beta1^t)."""
    return lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)


def _adagrad_update(var, accum, lr, grad, epsilon, update_slots, t):
    """accum += grad**2 (if update_slots); var -= lr * grad / (sqrt(accum) [+ epsilon])."""
    if update_slots:
        np.multiply(grad, grad, out=t)
        np.add(accum, t, out=accum)
    np.sqrt(accum, out=t)
    if epsilon is not None:
        np.add(t, epsilon, out=t)
    _descend(var, grad, t, lr, t)


def _rms_momentum_step(var, mom, grad, lr, momentum, t):
    """TF's RMSProp step, given t = the mean square (+ epsilon, inside the square root):
    mom = momentum * mom + lr * grad / sqrt(t); var -= mom."""
    np.sqrt(t, out=t)
    np.divide(grad, t, out=t)
    np.multiply(t, lr, out=t)
    np.multiply(mom, momentum, out=mom)
    np.add(mom, t, out=mom)
    np.subtract(var, mom, out=var)


class _ApplyOp(OpDef):
    """Base of the fused updates: the first ``num_refs`` inputs are variables updated in place.

    Subclasses list ``inputs`` (refs first), name their ``scalars`` (hyperparameters that must
    be scalars), and define ``update(bufs, values, scratch, attrs)``.
    """
    attrs = {"use_locking": False}
    stateful = True
    aliases = "state"
    gradient = NOT_DIFFERENTIABLE
    num_refs = 1
    scalars = ()
    num_scratch = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.ref_inputs = tuple(range(cls.num_refs))

    def infer(self, *inputs, **attrs):
        names = [spec.partition(":")[0] for spec in self.inputs]
        var = inputs[0]
        for name, t in zip(names[:self.num_refs], inputs[:self.num_refs]):
            if t.op.type != "VariableV2":
                raise TypeError("input '%s' must be a variable (the output of a VariableV2 op), "
                                "got %s from a %s op" % (name, t.name, t.op.type))
        for name, t in zip(names, inputs):
            if name in self.scalars:
                if t.shape.ndims not in (None, 0):
                    raise ValueError("%s must be a scalar, got shape %s" % (name, t.shape))
            elif not var.shape.is_compatible_with(t.shape):
                raise ValueError("var and %s do not have the same shape: %s vs %s"
                                 % (name, var.shape, t.shape))
        return var.dtype, var.shape

    def make_kernel(self, op, ctx):
        store = ctx.variables
        names = [t.op.name for t in op.inputs[:self.num_refs]]
        attrs = dict(op._attrs)
        update = self.update
        scratch = _Scratch()
        lock = _variable_lock(ctx, names[0]) if attrs.get("use_locking") else None
        checks = self._runtime_checks(op, names)

        def run(*values):
            bufs = _variable_buffers(store, names)
            if checks is not None:
                checks(bufs, values)
            _call_locked(lock, update, bufs, values, scratch, attrs)
            return bufs[0]
        return run

    def _runtime_checks(self, op, names):
        """Shape checks the static shapes could not settle (None when there are none)."""
        specs = [spec.partition(":")[0] for spec in self.inputs]
        var_shape = op.inputs[0].shape
        static = var_shape.is_fully_defined()
        check_slots = not static
        scalar_checks, tensor_checks = [], []
        for i, (name, t) in enumerate(zip(specs[self.num_refs:], op.inputs[self.num_refs:])):
            if name in self.scalars:
                if t.shape.ndims is None:
                    scalar_checks.append((i, name))
            elif not (static and t.shape.is_fully_defined()):
                tensor_checks.append((i, name))
        if not (check_slots or scalar_checks or tensor_checks):
            return None
        op_type, var_name = self.type, names[0]

        def check(bufs, values):
            var = bufs[0]
            if check_slots:
                for n, b in zip(names[1:], bufs[1:]):
                    if b.shape != var.shape:
                        raise errors.InvalidArgumentError(
                            None, None, "%s: var %s and slot %s do not have the same shape: %s "
                            "vs %s" % (op_type, var_name, n, var.shape, b.shape))
            for i, name in scalar_checks:
                if np.ndim(values[i]) != 0:
                    raise errors.InvalidArgumentError(
                        None, None, "%s: %s is not a scalar: shape %s"
                        % (op_type, name, np.shape(values[i])))
            for i, name in tensor_checks:
                if np.shape(values[i]) != var.shape:
                    raise errors.InvalidArgumentError(
                        None, None, "%s: var %s and %s do not have the same shape: %s vs %s"
                        % (op_type, var_name, name, var.shape, np.shape(values[i])))
        return check


# -- the ops ---------------------------------------------------------------------------------------
@register_op("ApplyGradientDescent")
class ApplyGradientDescent(_ApplyOp):
    """var -= alpha * delta, in place."""
    inputs = ("var:T", "alpha:T", "delta:T")
    scalars = ("alpha",)
    label = "apply SGD"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var,), (alpha, delta) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(delta, alpha, out=t)
        np.subtract(var, t, out=var)


@register_op("ApplyMomentum")
class ApplyMomentum(_ApplyOp):
    """accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form), in place."""
    inputs = ("var:T", "accum:T", "lr:T", "grad:T", "momentum:T")
    attrs = {"use_locking": False, "use_nesterov": False}
    num_refs = 2
    scalars = ("lr", "momentum")
    label = "apply momentum"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum), (lr, grad, momentum) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(accum, momentum, out=accum)
        np.add(accum, grad, out=accum)
        if attrs["use_nesterov"]:
            # var -= grad * lr + accum * momentum * lr
            np.multiply(accum, momentum, out=t)
            np.add(t, grad, out=t)
            np.multiply(t, lr, out=t)
        else:
            np.multiply(accum, lr, out=t)
        np.subtract(var, t, out=var)


@register_op("ApplyAdam")
class ApplyAdam(_ApplyOp):
    """Adam: m, v moving averages; var -= lr_t * m / (sqrt(v) + epsilon), in place."""
    inputs = ("var:T", "m:T", "v:T", "beta1_power:T", "beta2_power:T", "lr:T", "beta1:T",
              "beta2:T", "epsilon:T", "grad:T")
    attrs = {"use_locking": False, "use_nesterov": False}
    num_refs = 3
    scalars = ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon")
    label = "apply Adam"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, m, v) = bufs
        beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad = values
        nesterov = attrs["use_nesterov"]
        t = scratch.get(var, 2 if nesterov else 1)[0]
        alpha = _adam_lr(lr, beta1_power, beta2_power)
        _adam_moments(m, v, grad, beta1, beta2, t)
        _sqrt_plus(v, epsilon, t)
        if not nesterov:
            _descend(var, m, t, alpha, t)
            return
        # var -= (grad * (1 - beta1) + beta1 * m) * alpha / (sqrt(v) + epsilon)
        u = scratch.get(var, 2)[1]
        np.multiply(m, beta1, out=u)
        np.divide(u, t, out=u)
        np.divide(grad, t, out=t)
        np.multiply(t, 1 - beta1, out=t)
        np.add(t, u, out=t)
        np.multiply(t, alpha, out=t)
        np.subtract(var, t, out=var)


@register_op("ApplyRMSProp")
class ApplyRMSProp(_ApplyOp):
    """RMSProp: ms averages grad**2; mom = momentum*mom + lr*grad/sqrt(ms+eps); var -= mom."""
    inputs = ("var:T", "ms:T", "mom:T", "lr:T", "rho:T", "momentum:T", "epsilon:T", "grad:T")
    num_refs = 3
    scalars = ("lr", "rho", "momentum", "epsilon")
    label = "apply RMSProp"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, ms, mom), (lr, rho, momentum, epsilon, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(grad, grad, out=t)
        _decay_towards(ms, t, rho, t)
        np.add(ms, epsilon, out=t)
        _rms_momentum_step(var, mom, grad, lr, momentum, t)


@register_op("ApplyCenteredRMSProp")
class ApplyCenteredRMSProp(_ApplyOp):
    """Centered RMSProp: also tracks mg, the mean gradient; divides by sqrt(ms - mg**2 + eps)."""
    inputs = ("var:T", "mg:T", "ms:T", "mom:T", "lr:T", "rho:T", "momentum:T", "epsilon:T",
              "grad:T")
    num_refs = 4
    scalars = ("lr", "rho", "momentum", "epsilon")
    label = "apply RMSProp"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, mg, ms, mom), (lr, rho, momentum, epsilon, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        np.multiply(grad, grad, out=t)
        _decay_towards(ms, t, rho, t)
        _decay_towards(mg, grad, rho, t)
        np.multiply(mg, mg, out=t)
        np.subtract(ms, t, out=t)
        np.add(t, epsilon, out=t)
        _rms_momentum_step(var, mom, grad, lr, momentum, t)


@register_op("ApplyAdagrad")
class ApplyAdagrad(_ApplyOp):
    """Adagrad: accum += grad**2; var -= lr * grad / sqrt(accum), in place."""
    inputs = ("var:T", "accum:T", "lr:T", "grad:T")
    attrs = {"use_locking": False, "update_slots": True}
    num_refs = 2
    scalars = ("lr",)
    label = "apply Adagrad"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum), (lr, grad) = bufs, values
        (t,) = scratch.get(var, 1)
        _adagrad_update(var, accum, lr, grad, None, attrs["update_slots"], t)


@register_op("ApplyAdadelta")
class ApplyAdadelta(_ApplyOp):
    """Adadelta: step = sqrt(accum_update + eps) / sqrt(accum + eps) * grad; var -= lr * step."""
    inputs = ("var:T", "accum:T", "accum_update:T", "lr:T", "rho:T", "epsilon:T", "grad:T")
    num_refs = 3
    scalars = ("lr", "rho", "epsilon")
    num_scratch = 2
    label = "apply Adadelta"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum, accum_update), (lr, rho, epsilon, grad) = bufs, values
        t, u = scratch.get(var, 2)
        np.multiply(grad, grad, out=t)
        _average(accum, t, rho, t)
        np.add(accum_update, epsilon, out=u)
        np.sqrt(u, out=u)
        np.add(accum, epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(u, t, out=u)
        np.multiply(u, grad, out=u)          # u = update
        np.multiply(u, lr, out=t)
        np.subtract(var, t, out=var)
        np.multiply(u, u, out=u)
        _average(accum_update, u, rho, u)


def _ftrl_update(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, scratch):
    new_accum, t, u = scratch.get(var, 3)
    mask = scratch.__dict__.get("mask")
    if mask is None or mask.shape != var.shape:
        mask = scratch.mask = np.empty(var.shape, dtype=bool)
    sqrt_form = lr_power == -0.5
    np.multiply(grad, grad, out=new_accum)
    np.add(new_accum, accum, out=new_accum)
    # linear += grad - (new_accum^-p - accum^-p) / lr * var
    if sqrt_form:
        np.sqrt(new_accum, out=t)
        np.sqrt(accum, out=u)
    else:
        np.power(new_accum, -lr_power, out=t)
        np.power(accum, -lr_power, out=u)
    np.subtract(t, u, out=t)
    np.divide(t, lr, out=t)
    np.multiply(t, var, out=t)
    if l2_shrinkage is None:
        np.subtract(grad, t, out=t)
    else:  # FtrlV2: the linear term sees grad + 2 * l2_shrinkage * var
        np.multiply(var, 2 * l2_shrinkage, out=u)
        np.add(u, grad, out=u)
        np.subtract(u, t, out=t)
    np.add(linear, t, out=linear)
    # var = (l1 * sign(linear) - linear) / (new_accum^-p / lr + 2 * l2)  where |linear| > l1, else 0
    np.sign(linear, out=t)
    np.multiply(t, l1, out=t)
    np.subtract(t, linear, out=t)
    if sqrt_form:
        np.sqrt(new_accum, out=u)
    else:
        np.power(new_accum, -lr_power, out=u)
    np.divide(u, lr, out=u)
    np.add(u, 2 * l2, out=u)
    np.divide(t, u, out=t)
    np.abs(linear, out=u)
    np.greater(u, l1, out=mask)
    var.fill(0)
    np.copyto(var, t, where=mask)
    np.copyto(accum, new_accum)


@register_op("ApplyFtrl")
class ApplyFtrl(_ApplyOp):
    """FTRL-proximal: accum of grad**2, linear term, closed-form l1/l2-regularized weights."""
    inputs = ("var:T", "accum:T", "linear:T", "grad:T", "lr:T", "l1:T", "l2:T", "lr_power:T")
    num_refs = 3
    scalars = ("lr", "l1", "l2", "lr_power")
    label = "apply FTRL"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum, linear), (grad, lr, l1, l2, lr_power) = bufs, values
        _ftrl_update(var, accum, linear, grad, lr, l1, l2, None, lr_power, scratch)


@register_op("ApplyFtrlV2")
class ApplyFtrlV2(_ApplyOp):
    """FTRL-proximal with shrinkage-type L2 (the linear term sees grad + 2*l2_shrinkage*var)."""
    inputs = ("var:T", "accum:T", "linear:T", "grad:T", "lr:T", "l1:T", "l2:T",
              "l2_shrinkage:T", "lr_power:T")
    num_refs = 3
    scalars = ("lr", "l1", "l2", "l2_shrinkage", "lr_power")
    label = "apply FTRL"

    @staticmethod
    def update(bufs, values, scratch, attrs):
        (var, accum, linear), (grad, lr, l1, l2, l2_shrinkage, lr_power) = bufs, values
        _ftrl_update(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, scratch)


# -- sparse (row) variants -------------------------------------------------------------------------
class _SparseApplyOp(OpDef):
    """TF1's ``SparseApply*`` ops: the dense formula applied to the rows ``indices`` only.

    TF1 gives a variable read by ``tf.gather`` / ``tf.nn.embedding_lookup`` an
    ``IndexedSlices`` gradient, and its optimizers then update only the gathered rows: the
    other rows of the variable *and of its slots* are left alone (so momentum does not keep
    moving them, and RMSProp's averages do not decay there). tfone's gradients are dense, so
    these ops take the dense gradient plus the gathered ``indices`` (duplicates allowed) and
    update exactly the rows TF1 would, with the same per-element formula as the dense op.
    """
    dense = None            # the dense _ApplyOp subclass whose formula is applied
    stateful = True
    aliases = "state"
    gradient = NOT_DIFFERENTIABLE

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        dense = cls.dense
        if dense is None:       # an intermediate base class
            return
        cls.inputs = dense.inputs + ("indices:int32|int64",)
        cls.attrs = dict(dense.attrs)
        cls.num_refs, cls.scalars = dense.num_refs, dense.scalars
        cls.ref_inputs = tuple(range(dense.num_refs))
        cls.label = dense.label + " (rows)"
        cls._grad_index = [spec.partition(":")[0] for spec in dense.inputs].index("grad") - \
            dense.num_refs

    def infer(self, *inputs, **attrs):
        dtype, shape = self.dense.infer(self, *inputs[:-1], **attrs)
        if inputs[-1].shape.ndims not in (None, 1):
            raise ValueError("indices must be a vector, got shape %s" % inputs[-1].shape)
        return dtype, shape

    def make_kernel(self, op, ctx):
        store = ctx.variables
        names = [t.op.name for t in op.inputs[:self.num_refs]]
        attrs = dict(op._attrs)
        update = self.dense.update
        scratch = _Scratch()
        lock = _variable_lock(ctx, names[0]) if attrs.get("use_locking") else None
        grad_index = self._grad_index
        op_type, var_name = self.type, names[0]

        apply_rows = self.apply_rows

        def run(*values):
            bufs = _variable_buffers(store, names)
            values = list(values)
            indices = np.asarray(values.pop())
            grad = np.asarray(values[grad_index])
            if grad.shape != bufs[0].shape:
                raise errors.InvalidArgumentError(
                    None, None, "%s: var %s and grad do not have the same shape: %s vs %s"
                    % (op_type, var_name, bufs[0].shape, grad.shape))
            rows = np.unique(indices)
            if rows.size and (rows[0] < 0 or rows[-1] >= bufs[0].shape[0]):
                bad = rows[0] if rows[0] < 0 else rows[-1]
                raise errors.InvalidArgumentError(
                    None, None, "%s: index %d is not in [0, %d) (the rows of %s)"
                    % (op_type, bad, bufs[0].shape[0], var_name))
            values[grad_index] = grad
            _call_locked(lock, apply_rows, update, bufs, values, grad_index, rows, scratch,
                         attrs)
            return bufs[0]
        return run

    @staticmethod
    def apply_rows(update, bufs, values, grad_index, rows, scratch, attrs):
        """Run the dense ``update`` on the rows ``rows`` (unique) of the variable and of every
        slot; ``values[grad_index]`` is the full dense gradient."""
        values = list(values)
        values[grad_index] = values[grad_index][rows]
        sub = [b[rows] for b in bufs]
        update(sub, values, scratch, attrs)
        for b, part in zip(bufs, sub):
            b[rows] = part


@register_op("SparseApplyMomentum")
class SparseApplyMomentum(_SparseApplyOp):
    """ApplyMomentum on the gathered rows only (accum and var elsewhere unchanged)."""
    dense = ApplyMomentum


@register_op("SparseApplyRMSProp")
class SparseApplyRMSProp(_SparseApplyOp):
    """ApplyRMSProp on the gathered rows only (ms and mom elsewhere unchanged)."""
    dense = ApplyRMSProp


@register_op("SparseApplyCenteredRMSProp")
class SparseApplyCenteredRMSProp(_SparseApplyOp):
    """ApplyCenteredRMSProp on the gathered rows only."""
    dense = ApplyCenteredRMSProp


@register_op("SparseApplyAdagrad")
class SparseApplyAdagrad(_SparseApplyOp):
    """ApplyAdagrad on the gathered rows only."""
    dense = ApplyAdagrad


@register_op("SparseApplyAdadelta")
class SparseApplyAdadelta(_SparseApplyOp):
    """ApplyAdadelta on the gathered rows only (accum and accum_update elsewhere unchanged)."""
    dense = ApplyAdadelta


@register_op("SparseApplyFtrl")
class SparseApplyFtrl(_SparseApplyOp):
    """ApplyFtrl on the gathered rows only."""
    dense = ApplyFtrl


@register_op("SparseApplyFtrlV2")
class SparseApplyFtrlV2(_SparseApplyOp):
    """ApplyFtrlV2 on the gathered rows only."""
    dense = ApplyFtrlV2


# -- Python wrappers (TF1's gen_training_ops names and argument order) -----------------------------
def _ref(variable):
    return variable._as_graph_element() if hasattr(variable, "_as_graph_element") else variable


def _apply(op_type, refs, values, attrs, name):
    return apply_op(op_type, [_ref(r) for r in refs] + list(values), attrs, name=name or op_type)


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    return _apply("ApplyGradientDescent", [var], [alpha, delta],
                  {"use_locking": bool(use_locking)}, name)


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False,
                   name=None):
    return _apply("ApplyMomentum", [var, accum], [lr, grad, momentum],
                  {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)}, name)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
               use_locking=False, use_nesterov=False, name=None):
    return _apply("ApplyAdam", [var, m, v],
                  [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
                  {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)}, name)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    return _apply("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                            use_locking=False, name=None):
    return _apply("ApplyCenteredRMSProp", [var, mg, ms, mom], [lr, rho, momentum, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    return _apply("ApplyAdagrad", [var, accum], [lr, grad],
                  {"use_locking": bool(use_locking), "update_slots": bool(update_slots)}, name)


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False,
                   name=None):
    return _apply("ApplyAdadelta", [var, accum, accum_update], [lr, rho, epsilon, grad],
                  {"use_locking": bool(use_locking)}, name)


def apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False, name=None):
    return _apply("ApplyFtrl", [var, accum, linear], [grad, lr, l1, l2, lr_power],
                  {"use_locking": bool(use_locking)}, name)


def apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power,
                  use_locking=False, name=None):
    return _apply("ApplyFtrlV2", [var, accum, linear], [grad, lr, l1, l2, l2_shrinkage, lr_power],
                  {"use_locking": bool(use_locking)}, name)


# TF1's sparse wrappers (argument order of gen_training_ops): ``grad`` is tfone's dense gradient,
# ``indices`` the rows TF1's IndexedSlices gradient would hold (duplicates allowed).
def sparse_apply_momentum(var, accum, lr, grad, indices, momentum, use_locking=False,
                          use_nesterov=False, name=None):
    return _apply("SparseApplyMomentum", [var, accum], [lr, grad, momentum, indices],
                  {"use_locking": bool(use_locking), "use_nesterov": bool(use_nesterov)}, name)


def sparse_apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                          use_locking=False, name=None):
    return _apply("SparseApplyRMSProp", [var, ms, mom],
                  [lr, rho, momentum, epsilon, grad, indices], {"use_locking": bool(use_locking)},
                  name)


def sparse_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                                   use_locking=False, name=None):
    return _apply("SparseApplyCenteredRMSProp", [var, mg, ms, mom],
                  [lr, rho, momentum, epsilon, grad, indices], {"use_locking": bool(use_locking)},
                  name)


def sparse_apply_adagrad(var, accum, lr, grad, indices, use_locking=False, update_slots=True,
                         name=None):
    return _apply("SparseApplyAdagrad", [var, accum], [lr, grad, indices],
                  {"use_locking": bool(use_locking), "update_slots": bool(update_slots)}, name)


def sparse_apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, indices,
                          use_locking=False, name=None):
    return _apply("SparseApplyAdadelta", [var, accum, accum_update],
                  [lr, rho, epsilon, grad, indices], {"use_locking": bool(use_locking)}, name)


def sparse_apply_ftrl(var, accum, linear, grad, indices, lr, l1, l2, lr_power, use_locking=False,
                      name=None):
    return _apply("SparseApplyFtrl", [var, accum, linear], [grad, lr, l1, l2, lr_power, indices],
                  {"use_locking": bool(use_locking)}, name)


def sparse_apply_ftrl_v2(var, accum, linear, grad, indices, lr, l1, l2, l2_shrinkage, lr_power,
                         use_locking=False, name=None):
    return _apply("SparseApplyFtrlV2", [var, accum, linear],
                  [grad, lr, l1, l2, l2_shrinkage, lr_power, indices],
                  {"use_locking": bool(use_locking)}, name)
