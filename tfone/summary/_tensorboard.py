"""Lazy access to the ``tensorboard`` package (an optional extra of tfone).

tfone uses tensorboard's protobuf definitions and event-file writer, so the files it writes
are the real thing. It is imported only when a summary is computed or a FileWriter is made,
which keeps ``import tfone`` fast and lets tfone work without it.
"""
import importlib

INSTALL_HINT = ("pip install tfone[tensorboard]   (or: pip install tensorboard)")


def require(module_name, feature="TensorBoard summaries and event files"):
    """Import ``module_name`` from tensorboard, or raise an ImportError saying how to install it."""
    try:
        return importlib.import_module(module_name)
    except ImportError as e:
        raise ImportError(
            "%s need the optional `tensorboard` package, which could not be imported (%s).\n"
            "  Install it with:  %s" % (feature, e, INSTALL_HINT)) from e


def proto(name):
    """A module of tensorboard's protobuf definitions, e.g. ``proto('summary_pb2')``."""
    return require("tensorboard.compat.proto." + name)
