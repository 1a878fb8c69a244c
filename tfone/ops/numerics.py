"""tf.verify_tensor_all_finite: a tensor that fails at run time if it holds NaN or Inf."""
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import convert_to_tensor

__all__ = ["verify_tensor_all_finite"]


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """``t`` unchanged, but evaluating it raises InvalidArgumentError with ``msg`` if it holds
    NaN or Inf (a CheckNumerics op; ``x`` and ``message`` are TF1's newer argument names)."""
    from tfone.ops import control_flow_ops, logging_ops
    t = x if t is None else t
    msg = message if msg is None else msg
    if t is None:
        raise TypeError("verify_tensor_all_finite() needs the tensor to check (t=...)")
    with name_scope(name, "VerifyFinite", [t]):
        t = convert_to_tensor(t, name="t")
        check = logging_ops.check_numerics(t, message=msg or "")
        return control_flow_ops.with_dependencies([check], t)
