"""TF1's ``tf.layers``: variable names and sharing, initializers, regularization losses,
UPDATE_OPS, and conv/pool results equal to the tf.nn ops they wrap."""
import numpy as np
import pytest

import tfone as tf

RNG = np.random.RandomState(2)


def var_names(collection=tf.GraphKeys.GLOBAL_VARIABLES):
    return [v.name for v in tf.get_collection(collection)]


def test_dense_names_follow_tf1():
    x = tf.placeholder(tf.float32, [None, 3])
    h = tf.layers.dense(x, 4, activation=tf.nn.relu)
    y = tf.layers.dense(h, 2)
    z = tf.layers.dense(y, 1, name="logits")
    assert var_names() == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                           "dense_1/bias:0", "logits/kernel:0", "logits/bias:0"]
    assert var_names(tf.GraphKeys.TRAINABLE_VARIABLES) == var_names()
    assert h.op.name == "dense/Relu" and y.op.name == "dense_1/BiasAdd"
    assert h.op.inputs[0].op.inputs[0].op.name == "dense/MatMul"
    assert z.shape.as_list() == [None, 1]
    assert tf.get_default_graph().get_operation_by_name("dense/kernel/Initializer/random_uniform")
    with tf.variable_scope("tower"):
        tf.layers.dense(x, 2)
    assert var_names()[-2:] == ["tower/dense/kernel:0", "tower/dense/bias:0"]


def test_reuse_and_auto_reuse_share_variables():
    x = tf.placeholder(tf.float32, [None, 3])
    a = tf.layers.dense(x, 2, name="fc")
    b = tf.layers.dense(x, 2, name="fc", reuse=True)
    assert var_names() == ["fc/kernel:0", "fc/bias:0"]
    with pytest.raises(ValueError, match="Variable fc/kernel already exists"):
        tf.layers.dense(x, 2, name="fc")
    with pytest.raises(ValueError, match="Variable new/kernel does not exist"):
        tf.layers.dense(x, 2, name="new", reuse=True)
    for _ in range(2):
        tf.layers.dense(x, 2, name="auto", reuse=tf.AUTO_REUSE)
    assert var_names()[2:] == ["auto/kernel:0", "auto/bias:0"]
    # the GAN-discriminator idiom: the same code under a reusing scope
    for reuse in (False, True):
        with tf.variable_scope("disc", reuse=reuse):
            tf.layers.dense(tf.layers.dense(x, 4, activation=tf.nn.relu), 1)
    assert var_names()[4:] == ["disc/dense/kernel:0", "disc/dense/bias:0",
                               "disc/dense_1/kernel:0", "disc/dense_1/bias:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        xv = RNG.randn(2, 3)
        np.testing.assert_array_equal(*sess.run([a, b], {x: xv}))


def test_layer_object_applied_twice_keeps_one_set_of_variables():
    x1 = tf.placeholder(tf.float32, [None, 3])
    x2 = tf.placeholder(tf.float32, [None, 3])
    layer = tf.layers.Dense(2, name="shared")
    y1, y2 = layer.apply(x1), layer(x2)
    assert var_names() == ["shared/kernel:0", "shared/bias:0"]
    assert layer.scope_name == "shared"
    assert y1.op.name == "shared/BiasAdd" and y2.op.name == "shared/BiasAdd_1"
    assert [w.name for w in layer.trainable_weights] == var_names()


def test_initializers_trainable_and_dtype():
    x = tf.placeholder(tf.float64, [None, 2])
    y = tf.layers.dense(x, 3, kernel_initializer=tf.constant_initializer(0.5),
                        bias_initializer=tf.ones_initializer(), trainable=False)
    with tf.variable_scope("scoped", initializer=tf.constant_initializer(2.0)):
        z = tf.layers.dense(x, 1, use_bias=False)
    assert var_names(tf.GraphKeys.TRAINABLE_VARIABLES) == ["scoped/dense/kernel:0"]
    assert tf.global_variables()[0].dtype == tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        yv, zv = sess.run([y, z], {x: [[1., 2.]]})
    np.testing.assert_allclose(yv, [[2.5, 2.5, 2.5]])
    np.testing.assert_allclose(zv, [[6.0]])


def test_kernel_regularizer_goes_to_regularization_losses():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2, kernel_initializer=tf.ones_initializer(), name="a",
                    kernel_regularizer=lambda w: 0.5 * tf.reduce_sum(tf.square(w)))
    from tfone import keras
    tf.layers.dense(x, 2, kernel_initializer=tf.ones_initializer(), name="b",
                    kernel_regularizer=keras.regularizers.l2(0.1), reuse=tf.AUTO_REUSE)
    tf.layers.dense(x, 2, name="b", reuse=tf.AUTO_REUSE,
                    kernel_regularizer=keras.regularizers.l2(0.1))   # reused: no new loss
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 2
    assert losses[0].op.name.startswith("a/kernel/Regularizer/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(losses), [3.0, 0.6], rtol=1e-6)
        np.testing.assert_allclose(sess.run(tf.losses.get_regularization_loss()), 3.6,
                                   rtol=1e-6)


def test_conv2d_and_pooling_equal_the_nn_ops():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    c = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    c2 = tf.layers.conv2d(c, 2, (3, 3), strides=(2, 2))
    m = tf.layers.max_pooling2d(c, 2, 2)
    a = tf.layers.average_pooling2d(c, pool_size=3, strides=1, padding="same")
    f = tf.layers.flatten(m)
    assert var_names() == ["conv2d/kernel:0", "conv2d/bias:0", "conv2d_1/kernel:0",
                           "conv2d_1/bias:0"]
    kernel, bias = tf.global_variables()[:2]
    assert kernel.shape.as_list() == [3, 3, 3, 4]
    assert [t.shape.as_list() for t in (c, c2, m, a, f)] == [
        [None, 8, 8, 4], [None, 3, 3, 2], [None, 4, 4, 4], [None, 8, 8, 4], [None, 64]]
    assert m.op.name == "max_pooling2d/MaxPool" and c.op.name == "conv2d/Relu"
    ref_c = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"), bias))
    ref_m = tf.nn.max_pool(ref_c, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    ref_a = tf.nn.avg_pool(ref_c, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        xv = RNG.randn(2, 8, 8, 3).astype(np.float32)
        got = sess.run([c, m, a, ref_c, ref_m, ref_a], {x: xv})
    for mine, ref in zip(got[:3], got[3:]):
        np.testing.assert_allclose(mine, ref, rtol=1e-6)


def test_dropout_training_flag():
    x = tf.placeholder(tf.float32, [100, 20])
    is_training = tf.placeholder_with_default(False, shape=())
    off = tf.layers.dropout(x, rate=0.5)                      # training=False by default
    on = tf.layers.dropout(x, rate=0.5, training=True, seed=1)
    switch = tf.layers.dropout(x, rate=0.5, training=is_training)
    xv = np.ones((100, 20), np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(off, {x: xv}), xv)
        dropped = sess.run(on, {x: xv})
        assert abs((dropped == 0).mean() - 0.5) < 0.05 and dropped.max() == 2.0
        np.testing.assert_array_equal(sess.run(switch, {x: xv}), xv)
        assert (sess.run(switch, {x: xv, is_training: True}) == 0).any()


def test_batch_normalization_update_ops_idiom():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.layers.batch_normalization(x, training=True, momentum=0.5)
    assert var_names() == ["batch_normalization/gamma:0", "batch_normalization/beta:0",
                           "batch_normalization/moving_mean:0",
                           "batch_normalization/moving_variance:0"]
    assert var_names(tf.GraphKeys.TRAINABLE_VARIABLES) == var_names()[:2]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in update_ops] == ["batch_normalization/AssignMovingAvg",
                                            "batch_normalization/AssignMovingAvg_1"]
    loss = tf.reduce_sum(tf.square(y - 1.0))
    with tf.control_dependencies(update_ops):
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    xv = np.array([[1., 2.], [3., 6.]], np.float32)
    moving_mean, moving_var = tf.global_variables()[2:]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, {x: xv})
        np.testing.assert_allclose(sess.run(moving_mean), 0.5 * xv.mean(0), rtol=1e-6)
        np.testing.assert_allclose(sess.run(moving_var), 0.5 + 0.5 * xv.var(0), rtol=1e-6)
    # inference: no updates are made
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2])
    tf.layers.batch_normalization(x)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []


def test_batch_normalization_with_a_training_placeholder():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(update_ops) == 2
    xv = RNG.randn(3, 4, 4, 2).astype(np.float32) + 5
    moving_mean = tf.global_variables()[2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, _ = sess.run([y, update_ops], {x: xv, training: False})
        np.testing.assert_allclose(out, xv / np.sqrt(1 + 1e-3), rtol=1e-5)
        np.testing.assert_array_equal(sess.run(moving_mean), [0, 0])
        out, _ = sess.run([y, update_ops], {x: xv, training: True})
        assert abs(out.mean()) < 1e-4
        np.testing.assert_allclose(sess.run(moving_mean), 0.01 * xv.mean((0, 1, 2)), rtol=1e-5)


def test_custom_tf_layers_layer():
    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.s = self.add_variable("s", shape=[int(input_shape[-1])],
                                       initializer=tf.constant_initializer(3.0))
            self.built = True

        def call(self, inputs):
            return inputs * self.s

    x = tf.placeholder(tf.float32, [None, 2])
    y = Scale()(x)
    assert var_names() == ["scale/s:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: [[1., 2.]]}), [[3., 6.]])


def test_conv1d_conv2d_transpose_and_1d_pooling_layers():
    x = tf.placeholder(tf.float32, [None, 10, 3])
    y = tf.layers.conv1d(x, 4, 3, padding="same", name="c1")
    p = tf.layers.max_pooling1d(y, 2, 2)
    q = tf.layers.average_pooling1d(y, 2, 2)
    img = tf.placeholder(tf.float32, [None, 5, 5, 2])
    up = tf.layers.conv2d_transpose(img, 3, 3, strides=2, padding="same")
    assert y.shape.as_list() == [None, 10, 4] and p.shape.as_list() == [None, 5, 4]
    assert q.shape.as_list() == [None, 5, 4] and up.shape.as_list() == [None, 10, 10, 3]
    names = sorted(v.name for v in tf.global_variables())
    assert names == ["c1/bias:0", "c1/kernel:0", "conv2d_transpose/bias:0",
                     "conv2d_transpose/kernel:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = np.random.RandomState(0).randn(2, 10, 3).astype(np.float32)
        kernel, bias = sess.run(["c1/kernel:0", "c1/bias:0"])
        out, pooled = sess.run([y, p], {x: value})
        padded = np.pad(value, ((0, 0), (1, 1), (0, 0)))
        expected = np.stack([np.einsum("bkc,kcf->bf", padded[:, t:t + 3], kernel)
                             for t in range(10)], axis=1) + bias
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(pooled, expected.reshape(2, 5, 2, 4).max(axis=2), rtol=1e-5,
                                   atol=1e-5)
        assert sess.run(up, {img: np.ones((1, 5, 5, 2))}).shape == (1, 10, 10, 3)
