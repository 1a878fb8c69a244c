"""Sampled losses for large output vocabularies (word2vec): tf.nn.nce_loss and
tf.nn.sampled_softmax_loss, with the candidate samplers they draw negative classes from.

The samplers follow TF1's algorithms (log-uniform/Zipfian and uniform, with or without
rejection of repeats, and TF1's expected-count formulas); their random numbers come from
numpy (see random_ops), so the sampled classes differ from TF1's. Pass ``sampled_values`` to
a loss to fix them.
"""
import numpy as np

from tfone.framework import dtypes
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import (OpDef, register_op, apply_op, convert_to_tensor,
                                         NOT_DIFFERENTIABLE)
from tfone.ops import array_ops, math_ops

__all__ = ["log_uniform_candidate_sampler", "uniform_candidate_sampler", "nce_loss",
           "sampled_softmax_loss"]


class _CandidateSampler(OpDef):
    inputs = ("true_classes:int64",)
    attrs = {"num_true": 1, "num_sampled": 1, "unique": True, "range_max": 1, "seed": 0,
             "seed2": 0}
    num_outputs = 3
    stateful = True
    gradient = NOT_DIFFERENTIABLE

    def infer(self, true_classes, num_true, num_sampled, unique, range_max, seed, seed2):
        if true_classes.shape.ndims not in (None, 2):
            raise ValueError("true_classes must be a matrix [batch_size, num_true], got shape %s"
                             % true_classes.shape)
        dims = true_classes.shape.as_list() if true_classes.shape.ndims == 2 else [None, None]
        if dims[1] is not None and dims[1] != num_true:
            raise ValueError("true_classes has %d columns but num_true is %d" % (dims[1], num_true))
        if num_sampled < 1 or range_max < 1:
            raise ValueError("num_sampled (%d) and range_max (%d) must be positive"
                             % (num_sampled, range_max))
        if unique and num_sampled > range_max:
            raise ValueError("Sampler's range is too small: num_sampled (%d) unique classes "
                             "cannot be drawn from range_max = %d" % (num_sampled, range_max))
        return [(dtypes.int64, [num_sampled]), (dtypes.float32, [dims[0], num_true]),
                (dtypes.float32, [num_sampled])]

    def make_kernel(self, op, ctx):
        from tfone.ops.random_ops import _generator
        gen = _generator(op, ctx)
        num_sampled, unique = op.get_attr("num_sampled"), op.get_attr("unique")
        range_max = op.get_attr("range_max")

        def kernel(true_classes):
            if unique:
                sampled, tries = self._draw_unique(gen, num_sampled, range_max)
            else:
                sampled, tries = self._draw(gen, num_sampled, range_max), num_sampled
            return (sampled,
                    self._expected(true_classes, num_sampled, tries, range_max),
                    self._expected(sampled, num_sampled, tries, range_max))
        return kernel

    def _draw_unique(self, gen, num_sampled, range_max):
        """Draw until ``num_sampled`` distinct classes came up (TF1's rejection): the distinct
        values in order of first appearance, and how many draws that took."""
        draws = np.zeros(0, np.int64)
        chunk = max(2 * num_sampled, 64)
        while True:
            draws = np.concatenate([draws, self._draw(gen, chunk, range_max)])
            values, first = np.unique(draws, return_index=True)
            if values.size >= num_sampled:
                firsts = np.sort(first)[:num_sampled]
                return draws[firsts], int(firsts[-1]) + 1

    def _expected(self, classes, num_sampled, tries, range_max):
        p = self._probability(np.asarray(classes, np.float64), range_max)
        if tries == num_sampled:
            count = p * num_sampled
        else:   # the expected number of times a class is drawn in `tries` tries, at most once
            count = -np.expm1(tries * np.log1p(-p))
        return count.astype(np.float32)


@register_op("LogUniformCandidateSampler")
class LogUniformCandidateSampler(_CandidateSampler):
    """Draws ``num_sampled`` classes from the log-uniform (Zipfian) distribution over
    [0, range_max): P(k) = log((k + 2) / (k + 1)) / log(range_max + 1); also returns the
    expected counts of the true and the sampled classes."""
    label = "log_uniform_sampler"

    @staticmethod
    def _draw(gen, n, range_max):
        values = np.exp(gen.random(n) * np.log(range_max + 1.0)).astype(np.int64) - 1
        return values % range_max

    @staticmethod
    def _probability(classes, range_max):
        return np.log((classes + 2.0) / (classes + 1.0)) / np.log(range_max + 1.0)


@register_op("UniformCandidateSampler")
class UniformCandidateSampler(_CandidateSampler):
    """Draws ``num_sampled`` classes uniformly from [0, range_max); also returns the expected
    counts of the true and the sampled classes."""
    label = "uniform_sampler"

    @staticmethod
    def _draw(gen, n, range_max):
        return gen.integers(0, range_max, size=n, dtype=np.int64)

    @staticmethod
    def _probability(classes, range_max):
        return np.full(np.shape(classes), 1.0 / range_max)


def _sampler(op_type, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    from tfone.ops.random_ops import _seed_attrs
    attrs = dict(_seed_attrs(seed), num_true=int(num_true), num_sampled=int(num_sampled),
                 unique=bool(unique), range_max=int(range_max))
    true_classes = convert_to_tensor(true_classes, name="true_classes", dtype=dtypes.int64)
    sampled, true_expected, sampled_expected = apply_op(op_type, [true_classes], attrs, name=name)
    return sampled, true_expected, sampled_expected


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """(sampled_candidates, true_expected_count, sampled_expected_count): ``num_sampled``
    classes drawn from a log-uniform (Zipfian) distribution over [0, range_max) — suited to
    classes sorted by decreasing frequency — and the expected counts used by sampled losses."""
    return _sampler("LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique,
                    range_max, seed, name)


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                              name=None):
    """(sampled_candidates, true_expected_count, sampled_expected_count): ``num_sampled``
    classes drawn uniformly from [0, range_max), and the expected counts used by sampled
    losses."""
    return _sampler("UniformCandidateSampler", true_classes, num_true, num_sampled, unique,
                    range_max, seed, name)


def _sum_rows(x):
    """The sum of each row of a matrix, as TF1 computes it (a matmul with ones)."""
    ones = array_ops.ones(array_ops.stack([array_ops.shape(x)[1], 1]), x.dtype)
    return array_ops.reshape(math_ops.matmul(x, ones), [-1])


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                            sampled_values, subtract_log_q, remove_accidental_hits,
                            partition_strategy, name, seed=None):
    """(logits, labels) [batch, num_true + num_sampled] of the true and the sampled classes,
    as TF1's nn_impl._compute_sampled_logits."""
    from tfone.ops import nn_ops
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    with name_scope(name, "compute_sampled_logits"):
        labels = convert_to_tensor(labels, name="labels")
        if labels.dtype != dtypes.int64:
            labels = math_ops.cast(labels, dtypes.int64)
        inputs = convert_to_tensor(inputs, name="inputs")
        labels_flat = array_ops.reshape(labels, [-1])
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes, seed=seed)
        sampled, true_expected_count, sampled_expected_count = (
            array_ops.stop_gradient(s) for s in sampled_values)
        sampled = math_ops.cast(sampled, dtypes.int64)
        all_ids = array_ops.concat([labels_flat, sampled], 0)
        all_w = nn_ops.embedding_lookup(list(weights), all_ids,
                                        partition_strategy=partition_strategy)
        if all_w.dtype != inputs.dtype:
            all_w = math_ops.cast(all_w, inputs.dtype)
        n_true = array_ops.shape(labels_flat)[0]
        true_w = array_ops.slice(all_w, [0, 0], array_ops.stack([n_true, -1]))
        sampled_w = array_ops.slice(all_w, array_ops.stack([n_true, 0]), [-1, -1])
        sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)
        all_b = nn_ops.embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        if all_b.dtype != inputs.dtype:
            all_b = math_ops.cast(all_b, inputs.dtype)
        true_b = array_ops.slice(all_b, [0], array_ops.shape(labels_flat))
        sampled_b = array_ops.slice(all_b, array_ops.shape(labels_flat), [-1])
        dim = array_ops.shape(true_w)[1:2]
        new_true_w_shape = array_ops.concat([[-1, num_true], dim], 0)
        row_wise_dots = math_ops.multiply(array_ops.expand_dims(inputs, 1),
                                          array_ops.reshape(true_w, new_true_w_shape))
        dots_as_matrix = array_ops.reshape(row_wise_dots, array_ops.concat([[-1], dim], 0))
        true_logits = array_ops.reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_b = array_ops.reshape(true_b, [-1, num_true])
        true_logits += true_b
        sampled_logits += sampled_b
        if remove_accidental_hits:
            # A sampled class that is one of the row's true classes gets logit -FLOAT_MAX (TF1
            # adds it with sparse_to_dense; here a mask of the same cells).
            hits = math_ops.reduce_any(math_ops.equal(
                array_ops.expand_dims(labels, 2),
                array_ops.reshape(sampled, [1, 1, -1])), axis=1)
            lowest = np.finfo(sampled_logits.dtype._np).min
            sampled_logits += math_ops.cast(hits, sampled_logits.dtype) * lowest
        if subtract_log_q:   # subtract log Q(class), the prior probability of sampling it
            true_logits -= math_ops.log(true_expected_count)
            sampled_logits -= math_ops.log(sampled_expected_count)
        out_logits = array_ops.concat([true_logits, sampled_logits], 1)
        # Labels: 1/num_true for each true class (a proper distribution), 0 for the samples.
        out_labels = array_ops.concat([array_ops.ones_like(true_logits) / num_true,
                                       array_ops.zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss"):
    """The noise-contrastive estimation loss per example [batch_size] (word2vec's loss).

    ``weights`` [num_classes, dim] (or a list of partitions) and ``biases`` [num_classes] are
    the output layer; ``labels`` [batch_size, num_true] the true classes; ``inputs``
    [batch_size, dim] the activations. Each example is scored against its true classes and
    ``num_sampled`` classes drawn by log_uniform_candidate_sampler (or ``sampled_values``),
    with sigmoid cross-entropies. Use it for training only; evaluate with the full softmax.
    """
    from tfone.ops import nn_ops
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy,
        name=name)
    sampled_losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                             name="sampled_losses")
    return _sum_rows(sampled_losses)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss", seed=None):
    """The softmax cross-entropy per example [batch_size], computed over the true classes and
    ``num_sampled`` sampled classes instead of all ``num_classes`` (arguments as nce_loss;
    sampled classes that are true classes are removed by default). Training only."""
    from tfone.ops import nn_ops
    logits, labels = _compute_sampled_logits(
        weights, biases, labels, inputs, num_sampled, num_classes, num_true=num_true,
        sampled_values=sampled_values, subtract_log_q=True,
        remove_accidental_hits=remove_accidental_hits, partition_strategy=partition_strategy,
        name=name, seed=seed)
    labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
