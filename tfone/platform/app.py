"""``tf.app``: ``tf.app.run()`` and ``tf.app.flags``, as TF1 scripts use them.

    def main(argv):
        ...
    if __name__ == "__main__":
        tf.app.run()          # parses the flags, calls main(argv), exits with its result
"""
import sys as _sys

from tfone.platform import flags  # noqa: F401  (tf.app.flags)

__all__ = ["run", "flags"]


def run(main=None, argv=None):
    """Parse the known flags from ``argv`` (default ``sys.argv``), call
    ``main(remaining argv)`` (default: the ``main`` function of the ``__main__`` module) and
    ``sys.exit`` with its return value."""
    if main is None:
        main = getattr(_sys.modules["__main__"], "main", None)
        if main is None:
            raise AttributeError("tf.app.run() calls the main(argv) function of your script, "
                                 "but it has none: define main or pass tf.app.run(main=...).")
    args = flags.FLAGS(_sys.argv if argv is None else argv, known_only=True)
    _sys.exit(main(args))
