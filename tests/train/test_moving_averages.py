"""tf.train.ExponentialMovingAverage: shadow variables, update formula, num_updates, zero_debias,
names (checked against TF 1.x), variables_to_restore with a Saver."""
import numpy as np
import pytest

import tfone as tf


def test_shadow_variables_follow_the_update_formula():
    w = tf.Variable([1.0, 2.0], name="w")
    ema = tf.train.ExponentialMovingAverage(decay=0.9)
    assign = w.assign_add([1.0, -1.0])
    with tf.control_dependencies([assign]):
        update = ema.apply([w])
    shadow = ema.average(w)
    assert shadow.name == "w/ExponentialMovingAverage:0" and not shadow.trainable
    assert shadow in tf.global_variables() and update.name == "ExponentialMovingAverage"
    assert tf.moving_average_variables() == [w]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(shadow), [1.0, 2.0])  # starts at w's initial value
        expected = np.array([1.0, 2.0])
        for step in range(1, 4):
            sess.run(update)
            current = np.array([1.0, 2.0]) + step * np.array([1.0, -1.0])
            expected = expected - (expected - current) * 0.1
            np.testing.assert_allclose(sess.run(shadow), expected, rtol=1e-6)


def test_num_updates_caps_the_decay():
    w = tf.Variable(0.0, name="w")
    step = tf.Variable(0, name="step")
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step)
    update = ema.apply([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(10.0))
        sess.run(update)       # decay = min(0.99, 1/10) = 0.1
        assert sess.run(ema.average(w)) == pytest.approx(9.0)


def test_tensor_averages_start_at_zero_and_can_be_debiased():
    x = tf.placeholder(tf.float32, [5])
    mean = tf.reduce_mean(x, name="batch_mean")
    plain = tf.train.ExponentialMovingAverage(0.5)
    debiased = tf.train.ExponentialMovingAverage(0.5, zero_debias=True, name="debiased")
    updates = [plain.apply([mean]), debiased.apply([mean])]
    assert plain.average(mean).name == "batch_mean/ExponentialMovingAverage:0"
    assert debiased.average(mean).name == "batch_mean/debiased:0"
    assert {v.name for v in tf.global_variables()} == {
        "batch_mean/ExponentialMovingAverage:0", "batch_mean/debiased:0",
        "batch_mean/debiased/biased:0", "batch_mean/debiased/local_step:0"}
    assert tf.moving_average_variables() == []       # only Variables are listed, as TF1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(updates, {x: np.full(5, 4.0, np.float32)})
        sess.run(updates, {x: np.full(5, 8.0, np.float32)})
        # plain: 0 -> 2 -> 5; debiased: biased 2 -> 5, divided by 1 - 0.5**2
        assert sess.run(plain.average(mean)) == pytest.approx(5.0)
        assert sess.run(debiased.average(mean)) == pytest.approx(5.0 / 0.75)


def test_variable_scope_names_and_variables_to_restore(tmp_path):
    with tf.variable_scope("net"):
        w = tf.get_variable("w", initializer=tf.constant([3.0]))
    b = tf.Variable([1.0], name="b")
    other = tf.Variable([5.0], name="other", trainable=False)
    with tf.variable_scope("averages"):
        ema = tf.train.ExponentialMovingAverage(0.5)
        update = ema.apply([w, b])
    assert ema.average(w).name == "averages/net/w/ExponentialMovingAverage:0"
    assert ema.average_name(b) == "averages/b/ExponentialMovingAverage"
    assert ema.average_name(other) == "other/ExponentialMovingAverage"   # no average yet
    restore = ema.variables_to_restore()
    assert sorted(restore) == ["averages/b/ExponentialMovingAverage",
                               "averages/net/w/ExponentialMovingAverage", "other"]
    assert restore["averages/net/w/ExponentialMovingAverage"] is w
    path = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([7.0]))
        sess.run(update)       # average of w: 3 -> 5
        tf.train.Saver().save(sess, path)
    with tf.Session() as sess:
        tf.train.Saver(restore).restore(sess, path)
        assert sess.run(w) == pytest.approx([5.0])      # the average, loaded into w
        assert sess.run(other) == pytest.approx([5.0])


def test_errors():
    ema = tf.train.ExponentialMovingAverage(0.9)
    with pytest.raises(TypeError, match="half, float, or double"):
        ema.apply([tf.Variable(1, name="count")])
    with pytest.raises(ValueError, match="fully defined"):
        ema.apply([tf.placeholder(tf.float32, [None])])
    with pytest.raises(TypeError, match="Variables or Tensors"):
        ema.apply([3.0])
