"""Parity: programs TF1 rejects (at graph construction, or when run) must be rejected by
tfone too, with the same kind of exception (ValueError / TypeError / InvalidArgumentError...).
Message wording may differ.

Run: ``/opt/tfref/bin/python tools/parity/check_errors.py``.
"""
import numpy as np

from harness import Report, check_raises, check, main_guard


def f32(*shape):
    return np.ones(shape, np.float32)


# (Not listed: cases where TF 2.x compat.v1 differs from 1.15 - reshape to [-1, -1] of a
# constant, 2-element max_pool ksize, positional args to the v1 softmax xent sentinel.)
CASES = {
    "matmul inner dims": lambda tf: {"y": tf.matmul(tf.constant(f32(2, 3)),
                                                    tf.constant(f32(4, 5)))},
    "matmul rank 1": lambda tf: {"y": tf.matmul(tf.constant(f32(3)), tf.constant(f32(3, 2)))},
    "add incompatible shapes": lambda tf: {"y": tf.constant(f32(2, 3)) + tf.constant(f32(4))},
    "add float32 + int32 tensors": lambda tf: {"y": tf.constant(f32(2)) + tf.constant(
        np.ones(2, np.int32))},
    "int placeholder + 1.5": lambda tf: {"y": tf.placeholder(tf.int32, [2]) + 1.5},
    "float32 + float64": lambda tf: {"y": tf.constant(f32(2)) + tf.constant(np.ones(2))},
    "reshape wrong size": lambda tf: {"y": tf.reshape(tf.constant(f32(2, 3)), [4])},
    "concat rank mismatch": lambda tf: {"y": tf.concat([tf.constant(f32(2, 3)),
                                                        tf.constant(f32(3))], 0)},
    "concat dim mismatch": lambda tf: {"y": tf.concat([tf.constant(f32(2, 3)),
                                                       tf.constant(f32(2, 4))], 0)},
    "stack shape mismatch": lambda tf: {"y": tf.stack([tf.constant(f32(2)),
                                                       tf.constant(f32(3))])},
    "conv2d channel mismatch": lambda tf: {"y": tf.nn.conv2d(
        tf.constant(f32(1, 5, 5, 3)), tf.constant(f32(3, 3, 4, 2)), [1, 1, 1, 1], "SAME")},
    "conv2d rank-3 input": lambda tf: {"y": tf.nn.conv2d(
        tf.constant(f32(5, 5, 3)), tf.constant(f32(3, 3, 3, 2)), [1, 1, 1, 1], "SAME")},
    "conv2d bad padding string": lambda tf: {"y": tf.nn.conv2d(
        tf.constant(f32(1, 5, 5, 3)), tf.constant(f32(3, 3, 3, 2)), [1, 1, 1, 1], "FULL")},
    "reduce_sum axis out of range": lambda tf: {"y": tf.reduce_sum(tf.constant(f32(2, 3)), 2)},
    "argmax axis out of range": lambda tf: {"y": tf.argmax(tf.constant(f32(2, 3)), 3)},
    "transpose perm length": lambda tf: {"y": tf.transpose(tf.constant(f32(2, 3)), [1, 0, 2])},
    "split uneven": lambda tf: {"y": tf.split(tf.constant(f32(5, 2)), 2)[0]},
    "squeeze non-1 dim": lambda tf: {"y": tf.squeeze(tf.constant(f32(2, 3)), [0])},
    "gather_nd index depth too big": lambda tf: {"y": tf.gather_nd(
        tf.constant(f32(2, 3)), tf.constant(np.zeros((1, 3), np.int32)))},
    "one_hot float indices": lambda tf: {"y": tf.one_hot(tf.constant(f32(2)), 3)},
    "softmax xent v2 label/logit mismatch": lambda tf: {
        "y": tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.constant(f32(4, 3)),
                                                        logits=tf.constant(f32(4, 2)))},
    "sparse xent labels rank": lambda tf: {
        "y": tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.constant(np.zeros((4, 3), np.int32)), logits=tf.constant(f32(4, 3)))},
    "sparse xent float labels": lambda tf: {
        "y": tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.constant(f32(4)), logits=tf.constant(f32(4, 3)))},
    "sigmoid xent shape mismatch": lambda tf: {
        "y": tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(f32(4, 3)),
                                                     logits=tf.constant(f32(4, 2)))},
    "losses shape mismatch": lambda tf: {"y": tf.losses.mean_squared_error(
        tf.constant(f32(4, 3)), tf.constant(f32(4, 2)))},
    "losses bad weights shape": lambda tf: {"y": tf.losses.mean_squared_error(
        tf.constant(f32(4, 3)), tf.constant(f32(4, 3)), weights=tf.constant(f32(3, 3)))},
    "dense with unknown last dim": lambda tf: {"y": tf.layers.dense(
        tf.placeholder(tf.float32, [None, None]), 3)},
    "dense rank-1 input": lambda tf: {"y": tf.layers.dense(tf.constant(f32(3)), 3)},
    "conv2d layer on rank-2": lambda tf: {"y": tf.layers.conv2d(tf.constant(f32(3, 3)), 2, 2)},
    "dynamic_rnn rank-2 input": lambda tf: {"y": tf.nn.dynamic_rnn(
        tf.nn.rnn_cell.BasicRNNCell(3), tf.constant(f32(2, 3)), dtype=tf.float32)[0]},
    "dynamic_rnn no dtype/initial_state": lambda tf: {"y": tf.nn.dynamic_rnn(
        tf.nn.rnn_cell.BasicRNNCell(3), tf.constant(f32(2, 4, 3)))[0]},
    "get_variable exists": lambda tf: {"y": [tf.get_variable("v", [1]),
                                             tf.get_variable("v", [1])][0]},
    "get_variable reuse missing": lambda tf: _reuse_missing(tf),
    "get_variable shape mismatch on reuse": lambda tf: _reuse_shape(tf),
    "get_variable no shape": lambda tf: {"y": tf.get_variable("v")},
    "Variable assign wrong shape": lambda tf: {"y": tf.assign(tf.Variable(f32(2)), f32(3))},
    "Variable no initial value": lambda tf: {"y": tf.Variable()},
    "minimize no variables": lambda tf: {"y": tf.train.GradientDescentOptimizer(0.1).minimize(
        tf.constant(1.0))},
    "minimize no gradients": lambda tf: _no_grads(tf),
    "placeholder not fed": lambda tf: {"y": tf.placeholder(tf.float32, [2]) * 2.0},
    "feed wrong shape": lambda tf: ({"y": _ph(tf) * 2.0}, {_ph(tf): f32(3)}),
    "uninitialized variable": lambda tf: _uninit(tf),
    "tensor from another graph": lambda tf: _other_graph(tf),
    "constant shape mismatch": lambda tf: {"y": tf.constant([1.0, 2.0], shape=[3],
                                                            verify_shape=True)},
    "constant ragged list": lambda tf: {"y": tf.constant([[1, 2], [3]])},
    "cast string to float": lambda tf: {"y": tf.cast(tf.constant("a"), tf.float32)},
    "set_shape incompatible": lambda tf: _set_shape(tf),
    "tile multiples length": lambda tf: {"y": tf.tile(tf.constant(f32(2, 3)), [2])},
    "pad paddings shape": lambda tf: {"y": tf.pad(tf.constant(f32(2, 3)), [[1, 1]])},
    "reflect pad too large": lambda tf: {"y": tf.pad(tf.constant(f32(2, 3)), [[2, 2], [0, 0]],
                                                     mode="REFLECT")},
    "where x/y shape mismatch": lambda tf: {"y": tf.where(tf.constant([True, False]),
                                                          tf.constant(f32(2)),
                                                          tf.constant(f32(3)))},
    "boolean_mask mask rank too big": lambda tf: {"y": tf.boolean_mask(
        tf.constant(f32(2)), tf.constant(np.ones((2, 2), bool)))},
    "Session.run on None": lambda tf: {"y": None, "z": tf.constant(1.0)} if False else
    {"y": tf.constant(1.0), "z": tf.Session().run(None)},
    "batch_norm layer unknown channels": lambda tf: {"y": tf.layers.batch_normalization(
        tf.placeholder(tf.float32, [None, None]))},
}


_PH = {}


def _ph(tf):
    g = tf.get_default_graph()
    if g not in _PH:
        _PH.clear()
        _PH[g] = tf.placeholder(tf.float32, [2])
    return _PH[g]


def _reuse_missing(tf):
    with tf.variable_scope("s", reuse=True):
        return {"y": tf.get_variable("nope", [1])}


def _reuse_shape(tf):
    with tf.variable_scope("s"):
        tf.get_variable("v", [2])
    with tf.variable_scope("s", reuse=True):
        return {"y": tf.get_variable("v", [3])}


def _no_grads(tf):
    v = tf.Variable(1.0)
    return {"y": tf.train.GradientDescentOptimizer(0.1).minimize(tf.stop_gradient(v) * 2.0)}


def _uninit(tf):
    v = tf.Variable(1.0)
    sess = tf.Session()
    return {"y": tf.constant(sess.run(v))}


def _other_graph(tf):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    return {"y": a + tf.constant(2.0)}


def _set_shape(tf):
    p = tf.placeholder(tf.float32, [None, 3])
    p.set_shape([2, 4])
    return {"y": p}


def run(report):
    for label, fn in CASES.items():
        check_raises(report, "raises: " + label, fn)

    # and a few things TF1 accepts that a strict implementation might refuse
    accepted = {
        "add python float to int32 tensor (whole value)": lambda tf: {
            "y": tf.constant(np.ones(2, np.int32)) + 2.0},
        "feed list to placeholder": lambda tf: ({"y": _ph(tf) * 2.0}, {_ph(tf): [1, 2]}),
        "feed int array to float placeholder": lambda tf: (
            {"y": _ph(tf) * 2.0}, {_ph(tf): np.array([1, 2])}),
        "feed by tensor name": lambda tf: ({"y": _ph(tf) * 2.0}, {_ph(tf).name: f32(2)}),
        "reduce_sum on empty axis list": lambda tf: {"y": tf.reduce_sum(tf.constant(f32(2, 3)),
                                                                        [])},
        "matmul with python lists": lambda tf: {"y": tf.matmul([[1.0, 2.0]], [[3.0], [4.0]])},
        "concat single tensor": lambda tf: {"y": tf.concat([tf.constant(f32(2))], 0)},
        "gradients wrt unconnected": lambda tf: {"y": [tf.constant(1.0)] + tf.gradients(
            tf.constant(1.0), [tf.Variable(1.0)])},
        "gradients of int tensor": lambda tf: {"y": [tf.constant(1.0)] + tf.gradients(
            tf.cast(tf.Variable(1.0), tf.int32), [tf.Variable(2.0)])},
        "constant from numpy float64 keeps float64": lambda tf: {"y": tf.constant(
            np.ones(2))},
        "python float list -> float32": lambda tf: {"y": tf.constant([1.5, 2.5])},
        "python int > int32 -> int64": lambda tf: {"y": tf.constant(2 ** 40)},
        "bool arithmetic via cast": lambda tf: {"y": tf.cast(tf.constant([True, False]),
                                                             tf.float32) * 2},
    }
    for label, fn in accepted.items():
        check(report, "accepts: " + label, fn, names=False)


if __name__ == "__main__":
    rep = Report("errors")
    run(rep)
    main_guard(rep)
