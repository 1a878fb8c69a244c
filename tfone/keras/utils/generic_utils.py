"""Serialization helpers shared by Keras objects (losses, metrics, optimizers, models).

Keras describes objects as ``{'class_name': 'Adam', 'config': {...}}`` and functions by name.
``deserialize_keras_object`` looks names up in a module's objects, then in ``custom_objects``
passed by the caller, then in the global custom objects (``get_custom_objects()``, extended
temporarily by ``with CustomObjectScope({...}):`` / ``custom_object_scope``), as Keras 2 does.
"""
import re
import threading

import numpy as np

__all__ = ["get_custom_objects", "CustomObjectScope", "custom_object_scope",
           "serialize_keras_object", "deserialize_keras_object", "to_snake_case", "Progbar",
           "active_custom_objects"]

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPES = threading.local()


def get_custom_objects():
    """The global dict of custom objects (name -> class or function); add yours to it."""
    return _GLOBAL_CUSTOM_OBJECTS


def active_custom_objects():
    """The global custom objects plus those of the enclosing CustomObjectScope blocks."""
    merged = dict(_GLOBAL_CUSTOM_OBJECTS)
    for scope in getattr(_SCOPES, "stack", []):
        merged.update(scope)
    return merged


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` makes the names known to every
    deserializer inside the block (``load_model``, ``model_from_json``, ...)."""

    def __init__(self, *args):
        self.custom_objects = {}
        for arg in args:
            if arg:
                self.custom_objects.update(arg)

    def __enter__(self):
        if not hasattr(_SCOPES, "stack"):
            _SCOPES.stack = []
        _SCOPES.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPES.stack.pop()


def custom_object_scope(*args):
    """Context manager under which custom classes and functions are found by name when models,
    layers or losses are loaded."""
    return CustomObjectScope(*args)


def serialize_keras_object(instance):
    """``{'class_name', 'config'}`` for objects with ``get_config``; the name for functions."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": type(instance).__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError("Cannot serialize %r: it has no get_config() and no __name__" % (instance,))


def deserialize_keras_object(identifier, module_objects, custom_objects=None,
                             printable_module_name="object"):
    """The object described by ``identifier`` (a name or a ``{'class_name', 'config'}`` dict)."""
    objects = dict(module_objects)
    objects.update(active_custom_objects())
    objects.update(custom_objects or {})
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError("Improper config format for a %s: %r (expected a dict with "
                             "'class_name' and 'config')" % (printable_module_name, identifier))
        name = identifier["class_name"]
        cls = objects.get(name)
        if cls is None:
            raise ValueError("Unknown %s: %s. Known names: %s. Pass custom_objects={%r: ...} for "
                             "your own." % (printable_module_name, name,
                                            ", ".join(sorted(module_objects)), name))
        config = dict(identifier["config"] or {})
        if hasattr(cls, "from_config"):
            try:
                return cls.from_config(config, custom_objects=custom_objects)
            except TypeError as e:
                if "custom_objects" not in str(e):
                    raise
                return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        obj = objects.get(identifier)
        if obj is None:
            raise ValueError("Unknown %s: %s. Known names: %s. Pass custom_objects={%r: ...} for "
                             "your own." % (printable_module_name, identifier,
                                            ", ".join(sorted(module_objects)), identifier))
        return obj
    raise ValueError("Could not interpret %s identifier: %r" % (printable_module_name, identifier))


def to_snake_case(name):
    """``'BinaryAccuracy'`` -> ``'binary_accuracy'``, as Keras names objects."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    if insecure[0] != "_":
        return insecure
    return "private" + insecure


# -- progress bar ------------------------------------------------------------------------------------
class Progbar:
    """Keras's text progress bar::

        32/32 [==============================] - 0s 2ms/step - loss: 0.6931 - accuracy: 0.5000

    ``update(current, values)`` redraws it (``values``: ``[(name, value), ...]``); metrics
    named in ``stateful_metrics`` are shown as given, the others as their average over the
    updates so far (weighted by the number of units each update covers). ``verbose=2`` prints
    one line when ``current`` reaches ``target``: ``32/32 - 0s - loss: 0.6931``.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        import os
        import sys
        import time
        self._time = time.time
        self._stdout = sys.stdout
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = (stateful_metrics if hasattr(stateful_metrics, "__contains__")
                                 and not isinstance(stateful_metrics, (list, tuple))
                                 else set(stateful_metrics or ()))
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = self._time()
        self._last_update = 0

    def update(self, current, values=None, finalize=None):
        import sys
        out = sys.stdout
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics:
                value_base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * value_base, value_base]
                else:
                    self._values[k][0] += v * value_base
                    self._values[k][1] += value_base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current

        now = self._time()
        info = " - %.0fs" % (now - self._start)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            prev_total_width = self._total_width
            if self._dynamic_display:
                out.write("\b" * prev_total_width)
                out.write("\r")
            else:
                out.write("\n")
            if self.target is not None:
                numdigits = int(np.log10(self.target)) + 1 if self.target > 0 else 1
                bar = ("%" + str(numdigits) + "d/%d [") % (current, self.target)
                prog = float(current) / self.target if self.target else 1.0
                prog_width = int(self.width * prog)
                if prog_width > 0:
                    bar += "=" * (prog_width - 1)
                    bar += ">" if current < self.target else "="
                bar += "." * (self.width - prog_width)
                bar += "]"
            else:
                bar = "%7d/Unknown" % current
            self._total_width = len(bar)
            out.write(bar)
            time_per_unit = (now - self._start) / current if current else 0
            if self.target is None or finalize:
                if time_per_unit >= 1 or time_per_unit == 0:
                    info += " %.0fs/%s" % (time_per_unit, self.unit_name)
                elif time_per_unit >= 1e-3:
                    info += " %.0fms/%s" % (time_per_unit * 1e3, self.unit_name)
                else:
                    info += " %.0fus/%s" % (time_per_unit * 1e6, self.unit_name)
            else:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_format = "%ds" % eta
                info = " - ETA: %s" % eta_format
            info += self._format_values()
            self._total_width += len(info)
            if prev_total_width > self._total_width:
                info += " " * (prev_total_width - self._total_width)
            if finalize:
                info += "\n"
            out.write(info)
            out.flush()
        elif self.verbose == 2:
            if finalize:
                numdigits = int(np.log10(self.target)) + 1 if self.target else 1
                count = ("%" + str(numdigits) + "d/%d") % (current, self.target)
                out.write(count + info + self._format_values() + "\n")
                out.flush()
        self._last_update = now

    def _format_values(self):
        info = ""
        for k in self._values_order:
            info += " - %s:" % k
            total, count = self._values[k]
            avg = np.mean(total / max(1, count))
            if abs(avg) > 1e-3:
                info += " %.4f" % avg
            else:
                info += " %.4e" % avg
        return info

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)
