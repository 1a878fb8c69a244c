"""``tf.app.flags`` (also ``tf.flags``): command-line flags as TF1 scripts define them.

    flags = tf.app.flags
    flags.DEFINE_integer("max_steps", 1000, "Number of steps to run trainer.")
    flags.DEFINE_boolean("fake_data", False, "Use fake data for unit testing.")
    FLAGS = flags.FLAGS
    ...
    print(FLAGS.max_steps)      # parses sys.argv on first use, as TF1 does

Syntax as in TF1 (absl): ``--name=value``, ``--name value``, ``--flag`` / ``--noflag`` for
booleans, one or two dashes, ``--`` ends the flags. Unknown flags raise
``UnrecognizedFlagError`` unless parsed with ``known_only=True`` (what ``tf.app.run`` does).
"""
import sys as _sys

__all__ = ["FLAGS", "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean",
           "DEFINE_bool", "DEFINE_list", "DEFINE_enum", "Error", "UnrecognizedFlagError",
           "IllegalFlagValueError", "DuplicateFlagError", "UnparsedFlagAccessError"]


class Error(Exception):
    """Base class of the flag errors."""


class UnrecognizedFlagError(Error):
    pass


class IllegalFlagValueError(Error):
    pass


class DuplicateFlagError(Error):
    pass


class UnparsedFlagAccessError(Error):
    pass


_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


class _Flag:
    def __init__(self, name, default, help, parse, kind):
        self.name, self.help, self.parse, self.kind = name, help, parse, kind
        self.default = default if default is None else self._convert(default)
        self.value = self.default
        self.present = 0

    def _convert(self, value):
        if isinstance(value, str) or self.kind == "list":
            try:
                return self.parse(value)
            except (ValueError, TypeError) as e:
                raise IllegalFlagValueError("flag --%s=%r: %s" % (self.name, value, e)) from None
        return self.parse(value) if self.kind != "string" else value

    def set(self, text):
        self.value = self._convert(text)
        self.present += 1


class FlagValues:
    """The flag registry (``FLAGS``): attributes are the flags' values."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)

    # -- definition
    def _define(self, flag):
        if flag.name in self._flags:
            raise DuplicateFlagError("The flag '%s' is defined twice." % flag.name)
        self._flags[flag.name] = flag

    # -- access
    def __getattr__(self, name):
        flags = object.__getattribute__(self, "_flags")
        if name not in flags:
            raise AttributeError(name)
        if not self._parsed:
            self(_sys.argv)      # TF1 parses the command line on the first read of a flag
        return flags[name].value

    def __setattr__(self, name, value):
        if name not in self._flags:
            raise AttributeError("Unknown flag %r: define it first (tf.app.flags.DEFINE_...)."
                                 % name)
        flag = self._flags[name]
        flag.value = flag._convert(value) if value is not None else None

    def __contains__(self, name):
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def is_parsed(self):
        return self._parsed

    def mark_as_parsed(self):
        object.__setattr__(self, "_parsed", True)

    def flag_values_dict(self):
        return {name: flag.value for name, flag in self._flags.items()}

    def __call__(self, argv, known_only=False):
        """Parse ``argv`` (``argv[0]`` is the program); returns ``[argv[0]]`` plus the
        arguments that are not flags (and the unknown flags when ``known_only``)."""
        argv = list(argv)
        if not argv:
            raise ValueError("argv cannot be empty: its first item is the program name.")
        rest, i = [argv[0]], 1
        while i < len(argv):
            arg = argv[i]
            i += 1
            if arg == "--":
                rest.extend(argv[i:])
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, has_value, text = arg.lstrip("-").partition("=")
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not has_value:
                negated = self._flags.get(name[2:])
                if negated is not None and negated.kind == "bool":
                    negated.set("false")
                    continue
            if flag is None:
                if known_only:
                    rest.append(arg)
                    continue
                raise UnrecognizedFlagError(
                    "Unknown command line flag '%s'. Defined flags: %s. (In a notebook, parse "
                    "an empty command line first: tf.app.flags.FLAGS(['notebook']).)"
                    % (name, ", ".join(sorted(self._flags)) or "none"))
            if flag.kind == "bool" and not has_value:
                flag.set("true")
                continue
            if not has_value:
                if i >= len(argv):
                    raise IllegalFlagValueError("Flag --%s needs a value." % name)
                text = argv[i]
                i += 1
            flag.set(text)
        self.mark_as_parsed()
        return rest


FLAGS = FlagValues()


def _parse_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected true or false")


def _bounded(kind, lower_bound, upper_bound):
    def parse(value):
        if isinstance(value, bool):
            raise ValueError("expected a number")
        number = kind(value)
        if lower_bound is not None and number < lower_bound:
            raise ValueError("should be >= %s" % lower_bound)
        if upper_bound is not None and number > upper_bound:
            raise ValueError("should be <= %s" % upper_bound)
        return number
    return parse


def DEFINE_string(name, default, help, flag_values=FLAGS):  # noqa: N802,A002 - TF1's names
    flag_values._define(_Flag(name, default, help, str, "string"))


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802,A002
                   flag_values=FLAGS):
    flag_values._define(_Flag(name, default, help, _bounded(int, lower_bound, upper_bound),
                              "int"))


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802,A002
                 flag_values=FLAGS):
    flag_values._define(_Flag(name, default, help, _bounded(float, lower_bound, upper_bound),
                              "float"))


def DEFINE_boolean(name, default, help, flag_values=FLAGS):  # noqa: N802,A002
    flag_values._define(_Flag(name, default, help, _parse_bool, "bool"))


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name, default, help, flag_values=FLAGS):  # noqa: N802,A002
    def parse(value):
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        return [v.strip() for v in str(value).split(",") if v.strip()]
    flag_values._define(_Flag(name, default, help, parse, "list"))


def DEFINE_enum(name, default, enum_values, help, flag_values=FLAGS):  # noqa: N802,A002
    choices = list(enum_values)

    def parse(value):
        if value not in choices:
            raise ValueError("should be one of <%s>" % "|".join(choices))
        return value
    flag_values._define(_Flag(name, default, help, parse, "string"))
