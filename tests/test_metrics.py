"""tf.metrics: streaming metrics on local variables (values and names checked against TF 1.x)."""
import numpy as np
import pytest

import tfone as tf


def _stream(metric_ops, feeds):
    value, update = metric_ops
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(value) == 0.0
        updates = [sess.run(update, feed) for feed in feeds]
        return updates, sess.run(value)


def test_accuracy_streams_over_batches():
    labels = tf.placeholder(tf.int64, [None])
    logits = tf.placeholder(tf.float32, [None, 3])
    acc, acc_op = tf.metrics.accuracy(labels=labels, predictions=tf.argmax(logits, 1))
    assert (acc.name, acc_op.name) == ("accuracy/value:0", "accuracy/update_op:0")
    assert sorted(v.name for v in tf.local_variables()) == ["accuracy/count:0",
                                                           "accuracy/total:0"]
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
    assert tf.trainable_variables() == [] and tf.global_variables() == []
    eye = np.eye(3, dtype=np.float32)
    updates, final = _stream((acc, acc_op), [{labels: [0, 1], logits: eye[[0, 1]]},
                                             {labels: [2, 2], logits: eye[[2, 0]]}])
    assert updates == [1.0, 0.75] and final == 0.75
    second, _ = tf.metrics.accuracy(labels, tf.argmax(logits, 1))
    assert second.name == "accuracy_1/value:0"


def test_weighted_mean_and_regression_metrics():
    values = tf.placeholder(tf.float32, [None])
    weights = tf.placeholder(tf.float32, [None])
    _, mean_op = tf.metrics.mean(values, weights=weights)
    y = tf.placeholder(tf.float32, [None, 1])        # squeezable against predictions [None]
    p = tf.placeholder(tf.float32, [None])
    _, mse_op = tf.metrics.mean_squared_error(y, p)
    rmse, rmse_op = tf.metrics.root_mean_squared_error(y, p)
    _, mae_op = tf.metrics.mean_absolute_error(y, p)
    assert rmse.name == "Sqrt:0"                      # as TF1: outside the metric's scope
    feed1 = {values: [1.0, 3.0], weights: [1.0, 3.0], y: [[0.0], [1.0]], p: [1.0, 1.0]}
    feed2 = {values: [5.0], weights: [0.0], y: [[2.0]], p: [0.0]}
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        first = sess.run([mean_op, mse_op, rmse_op, mae_op], feed1)
        second = sess.run([mean_op, mse_op, rmse_op, mae_op], feed2)
    np.testing.assert_allclose(first, [2.5, 0.5, np.sqrt(0.5), 0.5], rtol=1e-6)
    np.testing.assert_allclose(second, [2.5, 5.0 / 3, np.sqrt(5.0 / 3), 1.0], rtol=1e-6)


def test_precision_recall_and_counts():
    labels = tf.placeholder(tf.bool, [None])
    predictions = tf.placeholder(tf.bool, [None])
    ops = {name: getattr(tf.metrics, name)(labels, predictions)
           for name in ("precision", "recall", "true_positives", "false_positives",
                        "true_negatives", "false_negatives")}
    assert ops["precision"][0].name == "precision/value:0"
    assert ops["true_positives"][0].name == "true_positives/Identity:0"
    assert "precision/true_positives/count:0" in [v.name for v in tf.local_variables()]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(ops["precision"][0]) == 0.0          # 0 when undefined, as TF1
        got = sess.run({k: v[1] for k, v in ops.items()},
                       {labels: [True, True, False, False, True],
                        predictions: [True, False, True, False, True]})
    assert got == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "true_positives": 2,
                                 "false_positives": 1, "true_negatives": 1,
                                 "false_negatives": 1})


def test_collections_and_unknown_metrics():
    x = tf.placeholder(tf.float32, [None])
    value, update = tf.metrics.mean(x, metrics_collections=["m"], updates_collections=["u"])
    assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
    with pytest.raises(AttributeError, match="provides mean, accuracy"):
        tf.metrics.auc
