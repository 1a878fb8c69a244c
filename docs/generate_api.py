"""Generate docs/API.md from the code: every public name, grouped like TF1's namespaces, and
the table of registered ops.

    python docs/generate_api.py           # rewrite docs/API.md
    python docs/generate_api.py --check   # exit 1 if docs/API.md is out of date (tests run this)

A namespace's public names are its ``__all__`` (or, without one, its names not starting with
``_``); each is listed with its signature and the first line of its docstring. The op table
comes from ``tf.registered_ops()`` after every namespace has been imported (Keras registers
its own optimizer ops).
"""
import argparse
import difflib
import importlib
import inspect
import os
import re
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "docs", "API.md")

# (the name TF1 users know, the module that implements it)
NAMESPACES = [
    ("tf", "tfone"),
    ("tf.nn", "tfone.nn"),
    ("tf.nn.rnn_cell", "tfone.nn.rnn_cell"),
    ("tf.math", "tfone.math"),
    ("tf.linalg", "tfone.linalg"),
    ("tf.random", "tfone.random"),
    ("tf.image", "tfone.image"),
    ("tf.initializers", "tfone.initializers"),
    ("tf.losses", "tfone.losses"),
    ("tf.train", "tfone.train"),
    ("tf.layers", "tfone.layers"),
    ("tf.data", "tfone.data"),
    ("tf.data.experimental", "tfone.data.experimental"),
    ("tf.summary", "tfone.summary"),
    ("tf.debugging", "tfone.debugging"),
    ("tf.errors", "tfone.errors"),
    ("tf.test", "tfone.test"),
    ("tf.distribute", "tfone.distribute"),
    ("tf.keras", "tfone.keras"),
    ("tf.keras.layers", "tfone.keras.layers"),
    ("tf.keras.models", "tfone.keras.models"),
    ("tf.keras.activations", "tfone.keras.activations"),
    ("tf.keras.initializers", "tfone.keras.initializers"),
    ("tf.keras.regularizers", "tfone.keras.regularizers"),
    ("tf.keras.constraints", "tfone.keras.constraints"),
    ("tf.keras.losses", "tfone.keras.losses"),
    ("tf.keras.metrics", "tfone.keras.metrics"),
    ("tf.keras.optimizers", "tfone.keras.optimizers"),
    ("tf.keras.callbacks", "tfone.keras.callbacks"),
    ("tf.keras.backend", "tfone.keras.backend"),
    ("tf.keras.utils", "tfone.keras.utils"),
    ("tf.keras.datasets", "tfone.keras.datasets"),
    ("tf.keras.preprocessing", "tfone.keras.preprocessing"),
    ("tf.keras.preprocessing.sequence", "tfone.keras.preprocessing.sequence"),
    ("tf.keras.preprocessing.text", "tfone.keras.preprocessing.text"),
    ("tf.keras.preprocessing.image", "tfone.keras.preprocessing.image"),
    ("viz", "viz"),
]
MODULE_OF = {module: public for public, module in NAMESPACES}
MAX_SIGNATURE = 120


def _first_line(obj):
    doc = inspect.getdoc(obj) or ""
    line = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    return " ".join(line.split())


def _clean(text):
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)          # object addresses
    return text.replace(ROOT + os.sep, "")


def _signature(name, obj):
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return name
    text = _clean(name + sig)
    if len(text) > MAX_SIGNATURE:
        text = text[:MAX_SIGNATURE - 1].rstrip(", ") + "…)"
    return text


def _md(text):
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return sorted(set(names), key=lambda n: (n.lower(), n))


def _entry(public, name, obj):
    """One Markdown list item, or None for names that are not part of the API."""
    if isinstance(obj, types.ModuleType):
        sub = MODULE_OF.get(obj.__name__)
        if sub is None or sub == public:
            return None
        return "- `%s` — namespace, see [%s](#%s)" % (name, sub, _anchor(sub))
    if inspect.isclass(obj):
        kind = "class "
        what = _signature(name, obj)
    elif callable(obj):
        kind = ""
        what = _signature(name, obj)
    else:
        value = _clean(repr(obj))
        if len(value) > 60:
            value = value[:59] + "…"
        return "- `%s = %s`" % (name, value)
    line = "- %s`%s`" % (kind, what)
    real = getattr(obj, "__name__", name)
    doc = _first_line(obj)
    if real != name and not real.startswith("<"):
        doc = ("alias of `%s`. " % real) + doc
    if doc:
        line += " — " + _md(doc)
    return line


def _anchor(title):
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def namespace_section(public, module_name):
    module = importlib.import_module(module_name)
    lines = ["## %s" % public, ""]
    summary = _first_line(module)
    if summary:
        lines += [_md(summary), ""]
    lines.append("*`%s`* · %s" % (module_name, "names from `__all__`"
                                  if hasattr(module, "__all__") else "public attributes"))
    lines.append("")
    count = 0
    for name in _public_names(module):
        try:
            obj = getattr(module, name)
        except AttributeError as e:
            raise SystemExit("%s lists %r but it cannot be imported: %s" % (module_name, name, e))
        entry = _entry(public, name, obj)
        if entry is not None:
            lines.append(entry)
            count += 1
    lines.append("")
    return lines, count


def _op_modules():
    """Every module under tfone/ that declares ops (some, like Keras's optimizer ops, are
    otherwise imported only when first used)."""
    found = []
    for directory, _, files in os.walk(os.path.join(ROOT, "tfone")):
        for filename in files:
            if not filename.endswith(".py"):
                continue
            path = os.path.join(directory, filename)
            with open(path, encoding="utf-8") as f:
                if "@register_op(" not in f.read():
                    continue
            rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
            found.append(rel[:-len(".__init__")] if rel.endswith(".__init__") else rel)
    return sorted(found)


def op_table():
    import tfone as tf
    for module_name in _op_modules():
        importlib.import_module(module_name)
    rows = ["## Registered ops", "",
            "Every op type in `tf.registered_ops()`: the family (the module that declares it "
            "under `tfone/ops/`), the label drawn in pictures, and whether `tf.gradients` can "
            "differentiate it (*no*: declared not differentiable, inputs get no gradient; "
            "*missing*: no gradient defined, `tf.gradients` raises LookupError).", "",
            "| op type | family | label | differentiable | description |",
            "|---|---|---|---|---|"]
    ops = tf.registered_ops()
    for op_type, opdef in ops.items():
        if opdef.differentiable:
            diff = "yes"
        elif opdef.has_gradient:
            diff = "no"
        else:
            diff = "missing"
        label = opdef.label or op_type
        rows.append("| `%s` | %s | %s | %s | %s |" % (op_type, opdef.family, _md(label), diff,
                                                     _md(_first_line(type(opdef)))))
    rows.append("")
    return rows, len(ops)


def render():
    sys.path.insert(0, ROOT)
    sections, counts = [], []
    for public, module_name in NAMESPACES:
        lines, count = namespace_section(public, module_name)
        sections.append(lines)
        counts.append((public, count))
    ops, n_ops = op_table()          # after every namespace is imported
    out = ["# tfone API", "",
           "<!-- Generated by docs/generate_api.py from the code; do not edit by hand. "
           "tests/test_docs.py fails when this file is out of date. -->", "",
           "Every public name, grouped like TensorFlow 1's namespaces (`import tfone as tf`; "
           "`from tfone import keras`; `import viz`), with its signature and the first line "
           "of its docstring, then the %d registered op types. Where tfone differs from "
           "TF1, see [DIFFERENCES.md](DIFFERENCES.md)." % n_ops, ""]
    out.append("| namespace | names |")
    out.append("|---|---|")
    for public, count in counts:
        out.append("| [%s](#%s) | %d |" % (public, _anchor(public), count))
    out.append("| [registered ops](#registered-ops) | %d |" % n_ops)
    out.append("")
    for lines in sections:
        out += lines
    out += ops
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with docs/API.md instead of writing it")
    args = parser.parse_args()
    text = render()
    if args.check:
        try:
            with open(OUTPUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                             "docs/API.md", "generated", lineterm="", n=0))
            print("docs/API.md is out of date; run `python docs/generate_api.py`. "
                  "Differences (%d lines):" % len(diff))
            print("\n".join(diff[:60]))
            return 1
        print("docs/API.md is up to date")
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote", os.path.relpath(OUTPUT, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
