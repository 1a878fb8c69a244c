"""Small models built the same way in a fresh graph, for distributed vs single-process runs."""
import numpy as np

import tfone as tf


def data(n_rows=101, n_in=6, n_out=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n_rows, n_in).astype(np.float32)
    labels = rng.randint(0, n_out, size=n_rows)
    return x, np.eye(n_out, dtype=np.float32)[labels]


class MLP:
    """x -> dense(relu) -> dense -> softmax cross-entropy (a mean over rows), plus accuracy."""

    def __init__(self, n_in=6, n_hidden=16, n_out=3, weight_decay=0.0, seed=7):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32, [None, n_in], name="x")
            self.y = tf.placeholder(tf.float32, [None, n_out], name="y")
            with tf.variable_scope("hidden"):
                self.w1 = tf.get_variable("kernel", [n_in, n_hidden], initializer=(
                    tf.random_normal_initializer(stddev=0.5, seed=seed)))
                self.b1 = tf.get_variable("bias", [n_hidden],
                                          initializer=tf.constant_initializer(0.1))
            with tf.variable_scope("logits"):
                self.w2 = tf.get_variable("kernel", [n_hidden, n_out], initializer=(
                    tf.random_normal_initializer(stddev=0.5, seed=seed + 1)))
                self.b2 = tf.get_variable("bias", [n_out], initializer=tf.zeros_initializer())
            hidden = tf.nn.relu(tf.matmul(self.x, self.w1) + self.b1)
            logits = tf.matmul(hidden, self.w2) + self.b2
            self.loss = tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits_v2(labels=self.y, logits=logits))
            if weight_decay:
                self.loss = self.loss + weight_decay * tf.nn.l2_loss(self.w1)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(
                tf.argmax(logits, 1), tf.argmax(self.y, 1)), tf.float32))
            self.global_step = tf.train.get_or_create_global_step()

    @property
    def variables(self):
        return [self.w1, self.b1, self.w2, self.b2]

    def session(self):
        with self.graph.as_default():
            init = tf.global_variables_initializer()
        sess = tf.Session(graph=self.graph)
        sess.run(init)
        return sess


def single_process(make_optimizer, batches, **model_kwargs):
    """Train with optimizer.minimize on the whole batches; returns (variables, losses)."""
    model = MLP(**model_kwargs)
    with model.graph.as_default():
        train_op = make_optimizer().minimize(model.loss, global_step=model.global_step)
    sess = model.session()
    losses = []
    for x, y in batches:
        losses.append(sess.run(model.loss, {model.x: x, model.y: y}))
        sess.run(train_op, {model.x: x, model.y: y})
    return sess.run(model.variables), losses
