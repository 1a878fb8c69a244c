"""``tf.logging``: TF1's logging functions, on Python's ``logging`` (logger ``'tensorflow'``).

    tf.logging.set_verbosity(tf.logging.INFO)
    tf.logging.info("step %d, loss %.3f", step, loss)     # INFO:tensorflow:step 3, loss 0.25

As in TF1 (without absl): messages go to stderr as ``LEVEL:tensorflow:message`` unless the
root logger already has handlers; the default verbosity is WARN.
"""
import logging as _logging
import sys as _sys

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
WARNING = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "get_logger", "log", "debug", "info",
           "warn", "warning", "error", "fatal", "vlog", "log_if", "log_every_n", "log_first_n",
           "flush", "get_verbosity", "set_verbosity", "TaskLevelStatusMessage"]

_logger = None
_counts = {}


def get_logger():
    """The ``'tensorflow'`` logger, given a stderr handler the first time (as TF1)."""
    global _logger
    if _logger is None:
        logger = _logging.getLogger("tensorflow")
        if not _logging.getLogger().handlers and not logger.handlers:
            handler = _logging.StreamHandler(_sys.stderr)
            handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
            logger.addHandler(handler)
        _logger = logger
    return _logger


def log(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def log_if(level, msg, condition, *args):
    """Log ``msg % args`` at ``level`` if ``condition`` is true."""
    if condition:
        vlog(level, msg, *args)


def _caller_key():
    frame = _sys._getframe(2)
    return frame.f_code.co_filename, frame.f_lineno


def log_every_n(level, msg, n, *args):
    """Log on the 1st, (n+1)th, (2n+1)th... call from the same line of code."""
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    log_if(level, msg, count % n == 0, *args)


def log_first_n(level, msg, n, *args):
    """Log only on the first ``n`` calls from the same line of code."""
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    log_if(level, msg, count < n, *args)


def flush():
    for handler in get_logger().handlers:
        handler.flush()


def get_verbosity():
    """The effective level of the ``'tensorflow'`` logger (WARN by default)."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v):
    """Show messages at level ``v`` (e.g. ``tf.logging.INFO``) and above."""
    get_logger().setLevel(v)


def TaskLevelStatusMessage(msg):  # noqa: N802 - TF1's name
    error(msg)
