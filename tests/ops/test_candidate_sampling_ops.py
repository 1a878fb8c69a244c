"""Candidate samplers and the sampled losses (tf.nn.nce_loss, tf.nn.sampled_softmax_loss).

The loss values with fixed ``sampled_values`` were computed with TensorFlow's graph mode."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"LogUniformCandidateSampler", "UniformCandidateSampler"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = set()   # samplers are not differentiable (as TF1)

LABELS = np.array([[1], [5], [0]], np.int64)
EMB = np.random.RandomState(0).randn(10, 4).astype(np.float32)
X = np.random.RandomState(1).randn(3, 4).astype(np.float32)
SAMPLED = (np.array([1, 3, 2, 0, 5], np.int64), np.array([[0.8], [0.3], [1.4]], np.float32),
           np.array([0.8, 0.4, 0.6, 1.4, 0.3], np.float32))


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def sampled_values(dtype=np.float32):
    return (tf.constant(SAMPLED[0]),) + tuple(tf.constant(v.astype(dtype)) for v in SAMPLED[1:])


def test_sampled_losses_match_tf1():
    bias = np.zeros(10, np.float32)
    losses = [
        tf.nn.nce_loss(EMB, bias, LABELS, X, 5, 10, sampled_values=sampled_values()),
        tf.nn.nce_loss(EMB, bias, LABELS, X, 5, 10, sampled_values=sampled_values(),
                       remove_accidental_hits=True),
        tf.nn.sampled_softmax_loss(EMB, bias, LABELS, X, 5, 10, sampled_values=sampled_values()),
        tf.nn.sampled_softmax_loss(EMB, bias, LABELS, X, 5, 10, sampled_values=sampled_values(),
                                   remove_accidental_hits=False),
    ]
    assert losses[0].name == "Reshape:0" and losses[0].shape.as_list() == [3]
    assert losses[2].name == "softmax_cross_entropy_with_logits/Reshape_2:0"
    expected = [[5.9297657, 10.326494, 10.50861], [2.3853054, 9.827971, 10.462742],
                [0.14405201, 6.321538, 6.7339473], [0.7677649, 6.3233337, 6.735136]]
    for value, ref in zip(run(losses), expected):
        np.testing.assert_allclose(value, ref, rtol=1e-5)


def test_sampled_loss_with_num_true_2_and_partitioned_weights_matches_numpy():
    labels = np.array([[1, 4], [5, 5]], np.int64)
    sampled = (np.array([2, 7, 9]), np.full((2, 2), 0.5, np.float32),
               np.array([0.25, 0.5, 1.0], np.float32))
    bias = np.linspace(-1, 1, 10).astype(np.float32)
    x = X[:2]
    parts = [tf.constant(EMB[0::2]), tf.constant(EMB[1::2])]   # "mod" partitions
    loss = tf.nn.nce_loss(parts, bias, labels, x, 3, 10, num_true=2,
                          sampled_values=tuple(tf.constant(v) for v in sampled))
    true_logits = np.einsum("bd,btd->bt", x, EMB[labels]) + bias[labels] - np.log(sampled[1])
    sampled_logits = x @ EMB[sampled[0]].T + bias[sampled[0]] - np.log(sampled[2])
    logits = np.concatenate([true_logits, sampled_logits], 1)
    targets = np.concatenate([np.full((2, 2), 0.5), np.zeros((2, 3))], 1)
    ref = (np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))).sum(1)
    np.testing.assert_allclose(run(loss), ref, rtol=1e-5)


def test_sampled_loss_gradients():
    labels = np.array([[1], [5], [0]])
    check_gradients(lambda w, b, x: tf.nn.nce_loss(w, b, labels, x, 5, 10,
                                                   sampled_values=sampled_values(np.float64)),
                    EMB.astype(np.float64), np.zeros(10), X.astype(np.float64))
    check_gradients(lambda w, x: tf.nn.sampled_softmax_loss(w, tf.zeros([10], tf.float64), labels,
                                                            x, 5, 10,
                                                            sampled_values=sampled_values(
                                                                np.float64)),
                    EMB.astype(np.float64), X.astype(np.float64))


def test_nce_trains_word_vectors():
    tf.set_random_seed(3)
    emb = tf.Variable(np.random.RandomState(0).randn(10, 4).astype(np.float32) * 0.1)
    out_w = tf.Variable(np.zeros((10, 4), np.float32))
    out_b = tf.Variable(np.zeros(10, np.float32))
    words = tf.placeholder(tf.int32, [None])
    contexts = tf.placeholder(tf.int64, [None, 1])
    loss = tf.reduce_mean(tf.nn.nce_loss(out_w, out_b, contexts,
                                         tf.nn.embedding_lookup(emb, words), 4, 10))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed = {words: [0, 1, 2, 3] * 4, contexts: [[1], [0], [3], [2]] * 4}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = np.mean([sess.run(loss, feed) for _ in range(5)])
        for _ in range(200):
            sess.run(train, feed)
        last = np.mean([sess.run(loss, feed) for _ in range(5)])
    assert last < 0.5 * first


@pytest.mark.parametrize("sampler", ["log_uniform", "uniform"])
def test_samplers(sampler):
    fn = getattr(tf.nn, sampler + "_candidate_sampler")
    tf.set_random_seed(5)
    classes, true_count, sampled_count = fn(LABELS, 1, 6, True, 20)
    assert classes.op.type == {"log_uniform": "LogUniformCandidateSampler",
                               "uniform": "UniformCandidateSampler"}[sampler]
    assert classes.dtype == tf.int64 and classes.shape.as_list() == [6]
    assert true_count.shape.as_list() == [3, 1] and sampled_count.shape.as_list() == [6]
    repeated = fn(LABELS, 1, 30, False, 20)[0]
    with tf.Session() as sess:
        first = sess.run([classes, true_count, sampled_count])
        second = sess.run(classes)
        draws = np.concatenate([sess.run(repeated) for _ in range(200)])
    assert len(set(first[0].tolist())) == 6 and ((first[0] >= 0) & (first[0] < 20)).all()
    assert not np.array_equal(first[0], second)          # a new draw every run
    assert ((0 < first[2]) & (first[2] <= 1)).all()       # unique: counts are probabilities
    k = np.arange(20)
    if sampler == "log_uniform":
        p = np.log((k + 2.0) / (k + 1.0)) / np.log(21.0)
    else:
        p = np.full(20, 1 / 20)
    frequencies = np.bincount(draws, minlength=20) / draws.size
    np.testing.assert_allclose(frequencies, p, atol=0.02)
    # Without rejection of repeats, the expected counts are p * num_sampled.
    counts = run(fn(LABELS, 1, 30, False, 20))
    np.testing.assert_allclose(counts[1][:, 0], p[LABELS[:, 0]] * 30, rtol=1e-5)
    np.testing.assert_allclose(counts[2], p[counts[0]] * 30, rtol=1e-5)


def test_sampler_errors():
    with pytest.raises(ValueError, match="range is too small"):
        tf.nn.log_uniform_candidate_sampler(LABELS, 1, 30, True, 20)
    with pytest.raises(ValueError, match="num_true"):
        tf.nn.uniform_candidate_sampler(LABELS, 2, 3, True, 20)
