"""``tf.ConfigProto`` and ``tf.GPUOptions``: the session configuration of TF1 scripts.

TF1 programs often start a session with::

    config = tf.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    sess = tf.Session(config=config)

tfone runs every op with numpy in the calling process, so these settings (devices, thread
pools, GPU memory) have nothing to configure: they are accepted and kept, so such programs
run unchanged, and results never depend on them. As with TF1's protocol buffers, fields
are checked: an unknown field name raises (ValueError in the constructor, AttributeError on
assignment), and values must have the field's type.
"""
import numbers

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions"]


class _Message:
    """A small protocol-buffer-like record: fixed fields with defaults and types."""

    _FIELDS = {}      # name -> (default, type or tuple of types, or a _Message subclass)
    __slots__ = ("_values",)

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", {})
        for name, (default, kind) in self._FIELDS.items():
            if isinstance(kind, type) and issubclass(kind, _Message):
                default = kind()
            elif isinstance(default, dict):
                default = dict(default)
            self._values[name] = default
        for name, value in kwargs.items():
            if name not in self._FIELDS:
                raise ValueError('Protocol message %s has no "%s" field. Its fields: %s.'
                                 % (type(self).__name__, name, ", ".join(sorted(self._FIELDS))))
            setattr(self, name, value)

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError("%s has no field %r. Its fields: %s."
                             % (type(self).__name__, name, ", ".join(sorted(self._FIELDS))))

    def __setattr__(self, name, value):
        if name not in self._FIELDS:
            raise AttributeError("Assignment not allowed (no field %r in protocol message %s)."
                                 % (name, type(self).__name__))
        default, kind = self._FIELDS[name]
        if isinstance(kind, type) and issubclass(kind, _Message):
            if not isinstance(value, kind):
                raise TypeError("%s.%s must be a tf.%s, got %s"
                                % (type(self).__name__, name, kind.__name__,
                                   type(value).__name__))
        elif kind is dict:
            value = dict(value)
        elif kind is bool:
            if not isinstance(value, (bool, int)):
                raise TypeError("%s.%s must be a bool, got %r" % (type(self).__name__, name,
                                                                   value))
            value = bool(value)
        elif kind is int:
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError("%s.%s must be an integer, got %r" % (type(self).__name__, name,
                                                                       value))
            value = int(value)
        elif kind is float:
            if not isinstance(value, numbers.Real):
                raise TypeError("%s.%s must be a number, got %r" % (type(self).__name__, name,
                                                                     value))
            value = float(value)
        elif kind is str:
            if not isinstance(value, str):
                raise TypeError("%s.%s must be a string, got %r" % (type(self).__name__, name,
                                                                     value))
        self._values[name] = value

    def __eq__(self, other):
        return type(self) is type(other) and self._values == other._values

    def __repr__(self):
        changed = ["%s: %r" % (k, v) for k, v in self._values.items()
                   if not (isinstance(v, _Message) and v == type(v)())
                   and v != self._FIELDS[k][0]]
        return "%s(%s)" % (type(self).__name__, ", ".join(changed))


class GPUOptions(_Message):
    """``tf.GPUOptions``: GPU memory settings (tfone uses no GPU; kept for TF1 programs)."""

    _FIELDS = {"allow_growth": (False, bool), "per_process_gpu_memory_fraction": (0.0, float),
               "visible_device_list": ("", str), "allocator_type": ("", str),
               "force_gpu_compatible": (False, bool), "polling_active_delay_usecs": (0, int),
               "deferred_deletion_bytes": (0, int)}
    __slots__ = ()


class OptimizerOptions(_Message):
    """``tf.OptimizerOptions``: graph-optimizer settings (tfone has its own plans)."""

    L1, L0 = 0, -1          # opt_level values
    OFF, ON_1, ON_2 = 0, 1, 2      # global_jit_level values
    DEFAULT = 0
    _FIELDS = {"do_common_subexpression_elimination": (False, bool),
               "do_constant_folding": (False, bool), "opt_level": (0, int),
               "global_jit_level": (0, int), "do_function_inlining": (False, bool)}
    __slots__ = ()


class GraphOptions(_Message):
    """``tf.GraphOptions``."""

    _FIELDS = {"optimizer_options": (None, OptimizerOptions), "build_cost_model": (0, int),
               "infer_shapes": (False, bool), "place_pruned_graph": (False, bool),
               "enable_bfloat16_sendrecv": (False, bool), "timeline_step": (0, int)}
    __slots__ = ()


class ConfigProto(_Message):
    """``tf.ConfigProto``: session options (devices, threads, placement logging, GPU memory).

    Accepted for compatibility; tfone computes with numpy in one process, so none of them
    changes what or how a graph computes.
    """

    _FIELDS = {"device_count": ({}, dict), "intra_op_parallelism_threads": (0, int),
               "inter_op_parallelism_threads": (0, int),
               "use_per_session_threads": (False, bool), "allow_soft_placement": (False, bool),
               "log_device_placement": (False, bool), "gpu_options": (None, GPUOptions),
               "graph_options": (None, GraphOptions), "operation_timeout_in_ms": (0, int),
               "isolate_session_state": (False, bool)}
    __slots__ = ()
