"""Learning-rate schedules: graph ops computing a learning rate from the global step.

Each function returns a scalar tensor (named after the schedule, e.g. ``ExponentialDecay``)
to pass as an optimizer's ``learning_rate``; it is re-evaluated at every step::

    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, decay_steps=1000, decay_rate=0.96)
    train_op = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)

Formulas (p = global_step / decay_steps, floored when ``staircase=True``):

=====================  =======================================================================
exponential_decay      lr * decay_rate ** p
inverse_time_decay     lr / (1 + decay_rate * p)
natural_exp_decay      lr * exp(-decay_rate * p)
polynomial_decay       (lr - end_lr) * (1 - min(step, decay_steps) / decay_steps) ** power + end_lr
                       (``cycle=True``: decay_steps *= ceil(step / decay_steps), at least 1)
cosine_decay           lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
                       decay_steps)) + alpha)
cosine_decay_restarts  cosine_decay restarted after first_decay_steps, periods growing by
                       t_mul and peaks scaled by m_mul (SGDR)
linear_cosine_decay    lr * ((alpha + (1 - t)) * 0.5 * (1 + cos(2 pi num_periods t)) + beta),
                       t = min(step, decay_steps) / decay_steps
piecewise_constant     values[i] for boundaries[i-1] < x <= boundaries[i]
=====================  =======================================================================
"""
import math

from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import math_ops
from tfone.ops.constant_op import constant

__all__ = ["exponential_decay", "piecewise_constant", "piecewise_constant_decay",
           "polynomial_decay", "natural_exp_decay", "inverse_time_decay", "cosine_decay",
           "cosine_decay_restarts", "linear_cosine_decay"]


def _require_step(global_step, schedule):
    if global_step is None:
        raise ValueError("global_step is required for %s." % schedule)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)`` (floored exponent with
    ``staircase=True``)."""
    _require_step(global_step, "exponential_decay")
    with name_scope(name, "ExponentialDecay",
                    [learning_rate, global_step, decay_steps, decay_rate]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = math_ops.cast(global_step, dtype) / decay_steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(learning_rate, math_ops.pow(decay_rate, p), name=name)


def piecewise_constant(x, boundaries, values, name=None):
    """``values[0]`` while ``x <= boundaries[0]``, ``values[1]`` while ``x <= boundaries[1]``,
    ..., ``values[-1]`` after the last boundary."""
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant", [x]) as scope:
        boundaries = [convert_to_tensor(b) for b in boundaries]
        values = [convert_to_tensor(v) for v in values]
        x_recomp = convert_to_tensor(x)
        for i, b in enumerate(boundaries):
            if b.dtype.base_dtype != x_recomp.dtype.base_dtype:
                # int32 boundaries promote losslessly to an int64 step (the common case).
                if b.dtype.base_dtype.name == "int32" and x_recomp.dtype.base_dtype.name == "int64":
                    boundaries[i] = math_ops.cast(b, x_recomp.dtype.base_dtype)
                else:
                    raise ValueError("Boundaries (%s) must have the same dtype as x (%s)." % (
                        b.dtype.base_dtype.name, x_recomp.dtype.base_dtype.name))
        for v in values[1:]:
            if v.dtype.base_dtype != values[0].dtype.base_dtype:
                raise ValueError("Values must have elements all with the same dtype (%s vs %s)."
                                 % (values[0].dtype.base_dtype.name, v.dtype.base_dtype.name))
        if not boundaries:  # a constant schedule
            from tfone.ops import array_ops
            return array_ops.identity(values[0], name=scope)
        result = values[-1]
        for i in reversed(range(len(boundaries))):
            result = math_ops.where(math_ops.less_equal(x_recomp, boundaries[i]), values[i],
                                    result, name=scope if i == 0 else None)
        return result


piecewise_constant_decay = piecewise_constant


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """Decay from ``learning_rate`` to ``end_learning_rate`` over ``decay_steps`` steps along
    ``(1 - t) ** power``; with ``cycle=True`` restart with a longer period each time."""
    _require_step(global_step, "polynomial_decay")
    with name_scope(name, "PolynomialDecay", [learning_rate, global_step, decay_steps,
                                              end_learning_rate, power]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype
        end_learning_rate = math_ops.cast(end_learning_rate, dtype)
        power = math_ops.cast(power, dtype)
        global_step_recomp = math_ops.cast(global_step, dtype)
        decay_steps_recomp = math_ops.cast(decay_steps, dtype)
        if cycle:
            # The first multiple of decay_steps after global_step (1 at step 0).
            multiplier = math_ops.where(math_ops.equal(global_step_recomp, 0),
                                        constant(1.0, dtype=dtype),
                                        math_ops.ceil(global_step_recomp / decay_steps_recomp))
            decay_steps_recomp = math_ops.multiply(decay_steps_recomp, multiplier)
        else:
            global_step_recomp = math_ops.minimum(global_step_recomp, decay_steps_recomp)
        p = math_ops.divide(global_step_recomp, decay_steps_recomp)
        return math_ops.add(math_ops.multiply(learning_rate - end_learning_rate,
                                              math_ops.pow(1 - p, power)),
                            end_learning_rate, name=name)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)``."""
    _require_step(global_step, "natural_exp_decay")
    with name_scope(name, "NaturalExpDecay", [learning_rate, global_step, decay_rate]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = math_ops.cast(global_step, dtype) / decay_steps
        if staircase:
            p = math_ops.floor(p)
        exponent = math_ops.exp(math_ops.multiply(math_ops.negative(decay_rate), p))
        return math_ops.multiply(learning_rate, exponent, name=name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``."""
    _require_step(global_step, "inverse_time_decay")
    with name_scope(name, "InverseTimeDecay", [learning_rate, global_step, decay_rate]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = math_ops.cast(global_step, dtype) / decay_steps
        if staircase:
            p = math_ops.floor(p)
        const = math_ops.cast(constant(1), dtype)
        denom = math_ops.add(const, math_ops.multiply(decay_rate, p))
        return math_ops.divide(learning_rate, denom, name=name)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """Cosine annealing from ``learning_rate`` to ``alpha * learning_rate`` over
    ``decay_steps`` steps (Loshchilov & Hutter), then constant."""
    _require_step(global_step, "cosine decay")
    with name_scope(name, "CosineDecay", [learning_rate, global_step]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = learning_rate.dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        global_step_recomp = math_ops.minimum(math_ops.cast(global_step, dtype), decay_steps)
        completed_fraction = global_step_recomp / decay_steps
        cosine_decayed = 0.5 * (1.0 + math_ops.cos(constant(math.pi, dtype=dtype) *
                                                   completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return math_ops.multiply(learning_rate, decayed, name=name)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0, name=None):
    """Cosine decay with warm restarts (Loshchilov & Hutter's SGDR): the i-th period lasts
    ``first_decay_steps * t_mul**i`` steps and starts at ``learning_rate * m_mul**i``."""
    _require_step(global_step, "cosine decay restarts")
    with name_scope(name, "SGDRDecay", [learning_rate, global_step]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="initial_learning_rate")
        dtype = learning_rate.dtype
        first_decay_steps = math_ops.cast(first_decay_steps, dtype)
        alpha = math_ops.cast(alpha, dtype)
        t_mul_t = math_ops.cast(t_mul, dtype)
        m_mul = math_ops.cast(m_mul, dtype)
        completed_fraction = math_ops.cast(global_step, dtype) / first_decay_steps

        def restarts(geometric):
            if geometric:
                i_restart = math_ops.floor(
                    math_ops.log(1.0 - completed_fraction * (1.0 - t_mul_t)) /
                    math_ops.log(t_mul_t))
                sum_r = (1.0 - t_mul_t ** i_restart) / (1.0 - t_mul_t)
                return i_restart, (completed_fraction - sum_r) / t_mul_t ** i_restart
            i_restart = math_ops.floor(completed_fraction)
            return i_restart, completed_fraction - i_restart

        if isinstance(t_mul, (int, float)):   # known now: build only the branch that applies
            i_restart, fraction = restarts(geometric=t_mul != 1.0)
        else:
            is_one = math_ops.equal(t_mul_t, 1.0)
            (i_a, f_a), (i_g, f_g) = restarts(False), restarts(True)
            i_restart = math_ops.where(is_one, i_a, i_g)
            fraction = math_ops.where(is_one, f_a, f_g)
        m_fac = m_mul ** i_restart
        cosine_decayed = 0.5 * m_fac * (1.0 + math_ops.cos(constant(math.pi, dtype=dtype) *
                                                           fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return math_ops.multiply(learning_rate, decayed, name=name)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """Linear decay times a cosine with ``num_periods`` periods (Bello et al. 2017)."""
    _require_step(global_step, "linear cosine decay")
    with name_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as name:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype
        decay_steps = math_ops.cast(decay_steps, dtype)
        num_periods = math_ops.cast(num_periods, dtype)
        alpha = math_ops.cast(alpha, dtype)
        beta = math_ops.cast(beta, dtype)
        global_step_recomp = math_ops.minimum(math_ops.cast(global_step, dtype), decay_steps)
        linear_decayed = (decay_steps - global_step_recomp) / decay_steps
        completed_fraction = global_step_recomp / decay_steps
        fraction = 2.0 * num_periods * completed_fraction
        cosine_decayed = 0.5 * (1.0 + math_ops.cos(constant(math.pi, dtype=dtype) * fraction))
        linear_cosine_decayed = (alpha + linear_decayed) * cosine_decayed + beta
        return math_ops.multiply(learning_rate, linear_cosine_decayed, name=name)
