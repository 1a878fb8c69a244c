"""Serialization helpers shared by Keras objects (losses, metrics, optimizers, models).

Keras describes objects as ``{'class_name': 'Adam', 'config': {...}}`` and functions by name.
``deserialize_keras_object`` looks names up in a module's objects, then in ``custom_objects``
passed by the caller, then in the global custom objects (``get_custom_objects()``, extended
temporarily by ``with CustomObjectScope({...}):`` / ``custom_object_scope``), as Keras 2 does.
"""
import re
import threading

__all__ = ["get_custom_objects", "CustomObjectScope", "custom_object_scope",
           "serialize_keras_object", "deserialize_keras_object", "to_snake_case"]

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPES = threading.local()


def get_custom_objects():
    """The global dict of custom objects (name -> class or function); add yours to it."""
    return _GLOBAL_CUSTOM_OBJECTS


def _active_custom_objects():
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
    objects.update(_active_custom_objects())
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
