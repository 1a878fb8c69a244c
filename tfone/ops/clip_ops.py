"""Gradient clipping: ``tf.clip_by_norm``, ``tf.clip_by_global_norm``, ``tf.global_norm``,
``tf.clip_by_average_norm`` (``tf.clip_by_value`` lives in math_ops).

Built from ordinary ops, as in TF1, so clipping shows in pictures and is differentiable::

    grads, variables = zip(*opt.compute_gradients(loss))
    grads, norm = tf.clip_by_global_norm(grads, 5.0)
    train_op = opt.apply_gradients(zip(grads, variables))
"""
import collections.abc

from tfone.framework import dtypes
from tfone.framework.gradients import gathered_rows
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops
from tfone.ops.constant_op import constant

__all__ = ["clip_by_norm", "global_norm", "clip_by_global_norm", "clip_by_average_norm"]


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(l2norm(t), clip_norm)``: ``t`` rescaled so that its L2 norm
    (over ``axes``, default all) is at most ``clip_norm``."""
    rows = gathered_rows(t) if axes is None else None
    with name_scope(name, "clip_by_norm", [t, clip_norm]) as name:
        values = convert_to_tensor(t, name="t")
        if rows is None:
            l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        else:   # TF1 measures an IndexedSlices gradient by its slices (see GatheredRows)
            l2sum = rows.sum_of_squares()
        pred = l2sum > 0
        # Two selects keep the gradient finite where the norm is zero.
        l2sum_safe = math_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = math_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        # clip_norm must not broadcast t to a bigger shape.
        values.shape.merge_with(intermediate.shape)
        clipped = array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm),
                                     name=name)
        if rows is not None:
            clipped._gathered_rows = rows.scaled(
                math_ops.cast(clip_norm, l2norm.dtype) / math_ops.maximum(l2norm, clip_norm))
        return clipped


def _check_sequence(t_list):
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError("t_list should be a sequence")


def global_norm(t_list, name=None):
    """``sqrt(sum(l2norm(t)**2 for t in t_list))``; None entries are ignored."""
    _check_sequence(t_list)
    t_list = list(t_list)
    with name_scope(name, "global_norm", [t for t in t_list if t is not None]) as name:
        values = [convert_to_tensor(t, name="t_%d" % i) if t is not None else None
                  for i, t in enumerate(t_list)]
        # TF1 measures an IndexedSlices gradient by its slices (see GatheredRows).
        half_squared_norms = [_l2_loss(v) if gathered_rows(t) is None
                              else gathered_rows(t).sum_of_squares() * 0.5
                              for t, v in zip(t_list, values) if v is not None]
        if not half_squared_norms:
            raise ValueError("global_norm needs at least one tensor that is not None.")
        half_squared_norm = math_ops.reduce_sum(array_ops.stack(half_squared_norms))
        return math_ops.sqrt(
            half_squared_norm * constant(2.0, dtype=half_squared_norm.dtype), name="global_norm")


def _l2_loss(t):
    from tfone.ops import nn_ops
    return nn_ops.l2_loss(t)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Rescale every tensor of ``t_list`` by ``clip_norm / max(global_norm, clip_norm)``.

    Returns ``(list_clipped, global_norm)``; None entries stay None. If the global norm is
    inf or NaN, every entry becomes NaN (as TF1 does), so a diverged step is visible.
    """
    _check_sequence(t_list)
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with name_scope(name, "clip_by_global_norm",
                    [t for t in t_list if t is not None] + [clip_norm]) as name:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, constant(1.0, dtype=use_norm.dtype) / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)   # NaN if use_norm is not finite
        values = [convert_to_tensor(t, name="t_%d" % i) if t is not None else None
                  for i, t in enumerate(t_list)]
        clipped = []
        for i, v in enumerate(values):
            if v is None:
                clipped.append(None)
            else:
                clipped.append(array_ops.identity(v * math_ops.cast(scale, v.dtype),
                                                  name="%s_%d" % (name, i)))
                rows = gathered_rows(t_list[i])
                if rows is not None:
                    clipped[-1]._gathered_rows = rows.scaled(math_ops.cast(scale, v.dtype))
    return clipped, use_norm


def clip_by_average_norm(t, clip_norm, name=None):
    """``t * clip_norm / max(l2norm(t) / size(t), clip_norm)`` (TF1, deprecated there too)."""
    with name_scope(name, "clip_by_average_norm", [t, clip_norm]) as name:
        t = convert_to_tensor(t, name="t")
        n_element = math_ops.cast(array_ops.size(t), dtypes.float32)
        l2norm_inv = math_ops.rsqrt(math_ops.reduce_sum(t * t, math_ops.range(array_ops.rank(t))))
        return array_ops.identity(
            t * clip_norm * math_ops.minimum(l2norm_inv * n_element,
                                             constant(1.0) / clip_norm), name=name)
