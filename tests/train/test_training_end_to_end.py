"""End to end: textbook TF1 training scripts reach a stated accuracy on fixed generated data.

* logistic regression on two Gaussian blobs: >= 97% training accuracy;
* a 2-16-2 tanh MLP on two interleaved moons (not linearly separable): >= 98% accuracy
  with Adam, and with momentum SGD on an exponentially decaying learning rate;
* the MLP checkpointed mid-training and resumed in a new graph ends exactly where an
  uninterrupted run does.
"""
import numpy as np

import tfone as tf


def _blobs(n=200, seed=0):
    rng = np.random.RandomState(seed)
    x0 = rng.randn(n // 2, 2) * 0.8 + [-1.5, -1.0]
    x1 = rng.randn(n // 2, 2) * 0.8 + [1.5, 1.0]
    x = np.vstack([x0, x1]).astype(np.float32)
    y = np.concatenate([np.zeros(n // 2), np.ones(n // 2)]).astype(np.float32)[:, None]
    return x, y


def _moons(n=200, noise=0.1, seed=0):
    rng = np.random.RandomState(seed)
    t = rng.rand(n // 2) * np.pi
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.vstack([upper, lower]) + rng.randn(n, 2) * noise
    y = np.concatenate([np.zeros(n // 2, np.int64), np.ones(n // 2, np.int64)])
    return x.astype(np.float32), y


def test_logistic_regression_on_blobs():
    x_data, y_data = _blobs()
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    w = tf.Variable(tf.zeros([2, 1]), name="W")
    b = tf.Variable(tf.zeros([1]), name="b")
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), y), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: x_data, y: y_data})
        for _ in range(100):
            sess.run(train, {x: x_data, y: y_data})
        final, acc = sess.run([loss, accuracy], {x: x_data, y: y_data})
    assert final < first * 0.3
    assert acc >= 0.97


def _mlp(hidden=16, seed=1):
    rng = np.random.RandomState(seed)
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    with tf.name_scope("hidden"):
        w1 = tf.Variable((rng.randn(2, hidden) * 0.5).astype(np.float32), name="W")
        b1 = tf.Variable(tf.zeros([hidden]), name="b")
        h = tf.tanh(tf.matmul(x, w1) + b1)
    with tf.name_scope("output"):
        w2 = tf.Variable((rng.randn(hidden, 2) * 0.5).astype(np.float32), name="W")
        b2 = tf.Variable(tf.zeros([2]), name="b")
        logits = tf.matmul(h, w2) + b2
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    correct = tf.equal(tf.argmax(logits, 1), labels)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return x, labels, loss, accuracy


def _fit(train, x, labels, loss, accuracy, steps, x_data, y_data, batch=50):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            lo = (step * batch) % len(x_data)
            sess.run(train, {x: x_data[lo:lo + batch], labels: y_data[lo:lo + batch]})
        return sess.run([loss, accuracy], {x: x_data, labels: y_data})


def test_mlp_on_moons_with_adam():
    x_data, y_data = _moons()
    perm = np.random.RandomState(2).permutation(len(x_data))
    x_data, y_data = x_data[perm], y_data[perm]
    x, labels, loss, accuracy = _mlp()
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    final, acc = _fit(train, x, labels, loss, accuracy, 600, x_data, y_data)
    assert acc >= 0.98, (final, acc)


def test_mlp_on_moons_with_momentum_and_decay():
    x_data, y_data = _moons()
    perm = np.random.RandomState(2).permutation(len(x_data))
    x_data, y_data = x_data[perm], y_data[perm]
    x, labels, loss, accuracy = _mlp()
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.2, step, decay_steps=200, decay_rate=0.5)
    train = tf.train.MomentumOptimizer(lr, 0.9).minimize(loss, global_step=step)
    final, acc = _fit(train, x, labels, loss, accuracy, 800, x_data, y_data)
    assert acc >= 0.98, (final, acc)


def test_checkpointed_training_resumes_exactly(tmp_path):
    x_data, y_data = _moons(seed=5)

    def build():
        x, labels, loss, accuracy = _mlp()
        step = tf.train.get_or_create_global_step()
        train = tf.train.RMSPropOptimizer(0.01, momentum=0.5).minimize(loss, global_step=step)
        return x, labels, loss, train

    def run(sess, train, x, labels, steps):
        for _ in range(steps):
            sess.run(train, {x: x_data, labels: y_data})

    x, labels, loss, train = build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        run(sess, train, x, labels, 20)
        path = tf.train.Saver().save(sess, str(tmp_path / "mlp"),
                                     global_step=tf.train.get_global_step())
        run(sess, train, x, labels, 20)
        uninterrupted = sess.run(tf.trainable_variables())
    tf.reset_default_graph()
    x, labels, loss, train = build()
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert path.endswith("mlp-20")
        run(sess, train, x, labels, 20)
        resumed = sess.run(tf.trainable_variables())
        assert sess.run(tf.train.get_global_step()) == 40
    for a, b in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(a, b)
