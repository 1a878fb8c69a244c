"""Where in the user's code an op was created, so errors and pictures can point there.

Capturing a (filename, line) pair is a short walk up the stack past tfone's own frames; the
source text is read lazily, only when an error message is formatted.
"""
import linecache
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_INTERNAL_PREFIXES = [_PACKAGE_DIR]


def add_internal_prefix(path):
    """Treat frames under ``path`` as library code (e.g. the viz package) when locating users."""
    prefix = os.path.abspath(path) + os.sep
    if prefix not in _INTERNAL_PREFIXES:
        _INTERNAL_PREFIXES.append(prefix)


def user_frame():
    """(filename, lineno, function) of the innermost stack frame outside tfone, or None."""
    frame = sys._getframe(1)
    prefixes = tuple(_INTERNAL_PREFIXES)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(prefixes) and not filename.startswith("<frozen"):
            return (filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


def format_location(location):
    """'file.py:12 in main: y = tf.matmul(x, W)' for a location from :func:`user_frame`."""
    if location is None:
        return "<unknown location>"
    filename, lineno, function = location
    text = linecache.getline(filename, lineno).strip()
    short = _short_path(filename)
    where = "%s:%d" % (short, lineno)
    if function and function != "<module>":
        where += " in %s" % function
    return "%s: %s" % (where, text) if text else where


def _short_path(filename):
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith(".." + os.sep + "..") else rel
