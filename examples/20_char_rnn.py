"""A character-level LSTM language model: truncated backprop with the state fed back, then
sampling text one character at a time.

The PTB/char-rnn tutorial pattern: the training model unrolls ``num_steps`` characters; the
final LSTM state of one batch is fed as the initial state of the next (feed_dict keys are the
initial state's LSTMStateTuple, as in the tutorials), and a second model with the same
variables (``reuse=True``) and ``num_steps=1`` generates text with tf.multinomial.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
epochs = 8 if args.fast else 40

text = ("the quick brown fox jumps over the lazy dog. " * 40
        + "a stitch in time saves nine. " * 40)
chars = sorted(set(text))
vocab_size = len(chars)
char_to_id = {c: i for i, c in enumerate(chars)}
data = np.array([char_to_id[c] for c in text], dtype=np.int32)
batch_size, num_steps, hidden_size = 16, 20, 64


def batches(data):
    """Split into batch_size parallel streams and yield (x, y) windows in order."""
    n = (len(data) - 1) // (batch_size * num_steps) * num_steps
    xs = data[:batch_size * n].reshape(batch_size, n)
    ys = data[1:batch_size * n + 1].reshape(batch_size, n)
    for i in range(0, n, num_steps):
        yield xs[:, i:i + num_steps], ys[:, i:i + num_steps]


class CharModel(object):
    def __init__(self, batch_size, num_steps, training):
        self.inputs = tf.placeholder(tf.int32, [batch_size, num_steps], name="inputs")
        self.targets = tf.placeholder(tf.int32, [batch_size, num_steps], name="targets")
        cell = tf.nn.rnn_cell.LSTMCell(hidden_size)
        self.initial_state = cell.zero_state(batch_size, tf.float32)
        embedding = tf.get_variable("embedding", [vocab_size, 32])
        inputs = tf.nn.embedding_lookup(embedding, self.inputs)
        outputs, self.final_state = tf.nn.dynamic_rnn(cell, inputs,
                                                      initial_state=self.initial_state)
        output = tf.reshape(outputs, [-1, hidden_size])
        softmax_w = tf.get_variable("softmax_w", [hidden_size, vocab_size])
        softmax_b = tf.get_variable("softmax_b", [vocab_size], initializer=tf.zeros_initializer())
        self.logits = tf.matmul(output, softmax_w) + softmax_b
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.reshape(self.targets, [-1]), logits=self.logits)
        self.cost = tf.reduce_mean(loss)
        self.temperature = tf.placeholder_with_default(1.0, [], name="temperature")
        self.sample = tf.multinomial(self.logits / self.temperature, 1)
        if training:
            tvars = tf.trainable_variables()
            grads, _ = tf.clip_by_global_norm(tf.gradients(self.cost, tvars), 5.0)
            self.train_op = tf.train.AdamOptimizer(0.01).apply_gradients(zip(grads, tvars))


tf.set_random_seed(20)
with tf.variable_scope("model", reuse=None):
    train_model = CharModel(batch_size, num_steps, training=True)
with tf.variable_scope("model", reuse=True):
    sample_model = CharModel(1, 1, training=False)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(epochs):
        state = sess.run(train_model.initial_state)
        costs, iters = 0.0, 0
        for x, y in batches(data):
            feed = {train_model.inputs: x, train_model.targets: y,
                    train_model.initial_state: state}          # carry the state over
            cost, state, _ = sess.run([train_model.cost, train_model.final_state,
                                       train_model.train_op], feed)
            costs += cost
            iters += 1
        perplexity = np.exp(costs / iters)
        if epoch % max(1, epochs // 4) == 0 or epoch == epochs - 1:
            print("epoch %2d  perplexity %.3f" % (epoch, perplexity))

    # Generate: prime with "the ", then sample one character at a time.
    state = sess.run(sample_model.initial_state)
    generated = "the "
    for c in generated[:-1]:
        state = sess.run(sample_model.final_state, {
            sample_model.inputs: [[char_to_id[c]]], sample_model.initial_state: state})
    c = generated[-1]
    for _ in range(60):
        sample, state = sess.run([sample_model.sample, sample_model.final_state], {
            sample_model.inputs: [[char_to_id[c]]], sample_model.initial_state: state,
            sample_model.temperature: 0.5})
        c = chars[sample[0, 0]]
        generated += c
    print("sampled text:", repr(generated))

viz.render(viz.draw_graph(train_model.cost, show_gradients=False, depth=2,
                          title="char-RNN (training model)"), _example.path(args, "graph.png"))
print("final perplexity: %.4f" % perplexity)
