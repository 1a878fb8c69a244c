"""Small TF1 programs the viz tests (and docs/make_images.py) draw."""
import numpy as np

import tfone as tf


def linear_regression():
    """x -> matmul(W) + b -> squared error; returns a dict of the interesting tensors."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.name_scope("model"):
        W = tf.Variable(tf.zeros([3, 1]), name="W")
        b = tf.Variable(tf.zeros([1]), name="b")
        pred = tf.matmul(x, W) + b
    loss = tf.reduce_mean(tf.square(pred - y), name="loss")
    feed = {x: np.array([[1, 2, 3], [4, 5, 6]], np.float32),
            y: np.array([[1], [2]], np.float32)}
    return dict(x=x, y=y, W=W, b=b, pred=pred, loss=loss, feed=feed)


def mlp(layers=2, width=16, activation=None, stddev=0.5, seed=1):
    """A small MLP in scopes layer_1..layer_N and out, softmax cross-entropy loss."""
    activation = activation or tf.nn.relu
    x = tf.placeholder(tf.float32, [None, 8], name="x")
    labels = tf.placeholder(tf.float32, [None, 3], name="labels")
    h, fan_in = x, 8
    for i in range(1, layers + 1):
        with tf.name_scope("layer_%d" % i):
            W = tf.Variable(tf.random_normal([fan_in, width], stddev=stddev, seed=seed + i),
                            name="W")
            b = tf.Variable(tf.zeros([width]), name="b")
            h = activation(tf.matmul(h, W) + b)
        fan_in = width
    with tf.name_scope("out"):
        W = tf.Variable(tf.random_normal([fan_in, 3], stddev=stddev, seed=seed), name="W")
        b = tf.Variable(tf.zeros([3]), name="b")
        logits = tf.matmul(h, W) + b
    with tf.name_scope("loss"):
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=labels, logits=logits))
    rng = np.random.RandomState(0)
    feed = {x: rng.randn(16, 8).astype(np.float32),
            labels: np.eye(3, dtype=np.float32)[rng.randint(0, 3, 16)]}
    return dict(x=x, labels=labels, logits=logits, loss=loss, feed=feed)


import shutil  # noqa: E402

import pytest  # noqa: E402

HAVE_DOT = shutil.which("dot") is not None and shutil.which("neato") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed "
                               "(apt-get install graphviz); rendering tests are skipped")


# -- reading DOT text back (the tests assert on the structure of what viz emits) -----------------
def _split_id(text, i):
    """(identifier, next index) of a DOT id at text[i:] (quoted or bare)."""
    if text[i] == '"':
        j = i + 1
        out = []
        while text[j] != '"':
            if text[j] == "\\" and text[j + 1] == '"':
                out.append('"')
                j += 2
                continue
            out.append(text[j])
            j += 1
        return "".join(out), j + 1
    j = i
    while j < len(text) and text[j] not in " \t[;":
        j += 1
    return text[i:j], j


def _attrs(text):
    """Attributes of a `[k=v k2="v 2" label=<...>]` list."""
    out = {}
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t\n,":
            i += 1
        if i >= n:
            break
        j = text.index("=", i)
        key = text[i:j].strip()
        i = j + 1
        if text[i] == '"':
            value, i = _split_id(text, i)
        elif text[i] == "<":
            depth, j = 0, i
            while True:
                if text[j] == "<":
                    depth += 1
                elif text[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            value, i = text[i:j + 1], j + 1
        else:
            j = i
            while j < n and text[j] not in " \t\n":
                j += 1
            value, i = text[i:j], j
        out[key] = value
    return out


def _complete(statement):
    """Is every [ ] attribute list closed (ignoring brackets in quotes and HTML labels)?"""
    depth = html = 0
    quoted = escaped = False
    for ch in statement:
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif html:
            html += {"<": 1, ">": -1}.get(ch, 0)
        elif ch == '"':
            quoted = True
        elif ch == "<":
            html = 1
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
    return depth == 0 and not quoted


class Dot:
    """nodes {id: attrs}, edges [(src, dst, attrs)], clusters {name: [node ids, nested]},
    cluster_of {node id: innermost cluster name}, graph_attrs."""

    def __init__(self, source):
        self.source = source
        self.nodes, self.edges, self.clusters, self.cluster_of = {}, [], {}, {}
        self.cluster_attrs = {}
        self.graph_attrs = {}
        stack = []
        statement = ""
        for raw in source.splitlines():
            line = raw.strip()
            if not statement and line.startswith("subgraph "):
                name, _ = _split_id(line, len("subgraph "))
                stack.append(name)
                self.clusters.setdefault(name, [])
                continue
            if not statement and line == "}":
                if stack:
                    stack.pop()
                continue
            statement = (statement + "\n" + raw) if statement else line
            if not _complete(statement):
                continue  # attribute list continues on the next line
            self._statement(statement, stack)
            statement = ""

    def _statement(self, line, stack):
        if line.startswith(("graph [", "node [", "edge [", "{rank", "digraph")) or not line:
            if line.startswith("graph [") and stack:
                self.cluster_attrs[stack[-1]] = _attrs(line[len("graph ["):-1])
            elif line.startswith("graph ["):
                self.graph_attrs = _attrs(line[len("graph ["):-1])
            return
        first, i = _split_id(line, 0)
        rest = line[i:].strip()
        if rest.startswith("->"):
            second, j = _split_id(rest, rest.index("->") + 2 + (1 if rest[2] == " " else 0))
            attrs = rest[j:].strip()
            attrs = _attrs(attrs[1:-1]) if attrs.startswith("[") else {}
            self.edges.append((first, second, attrs))
            return
        attrs = _attrs(rest[1:-1]) if rest.startswith("[") else {}
        self.nodes[first] = attrs
        for name in stack:
            self.clusters[name].append(first)
        if stack:
            self.cluster_of[first] = stack[-1]

    def edges_between(self, src, dst):
        return [a for s, d, a in self.edges if s == src and d == dst]

    def label(self, node):
        return self.nodes[node].get("label", "")
