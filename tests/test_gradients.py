"""tf.gradients / tf.hessians behaviour: names, accumulation, broadcasting, options, errors,
second derivatives. Per-op gradient formulas are checked in tests/ops/test_*_ops.py."""
import numpy as np
import pytest

import tfone as tf
from tfone.framework.op_registry import get_opdef

RNG = np.random.RandomState(7)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _dense_model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    W = tf.constant(RNG.randn(3, 2).astype(np.float32), name="W")
    b = tf.constant(np.zeros(2, np.float32), name="b")
    loss = tf.reduce_mean(tf.square(tf.sigmoid(tf.matmul(x, W) + b)))
    return x, W, b, loss


# -- names -----------------------------------------------------------------------------------------
def test_gradient_ops_have_stable_tf1_names():
    _, W, b, loss = _dense_model()
    gW, gb = tf.gradients(loss, [W, b])
    assert gW.op.name == "gradients/MatMul_grad/MatMul_1"
    assert gb.op.name == "gradients/add_grad/Sum"
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"gradients/Fill", "gradients/grad_ys_0", "gradients/MatMul_grad/MatMul",
            "gradients/Sigmoid_grad/SigmoidGrad"} <= names
    second = tf.gradients(loss, W)[0]  # a second call gets its own scope
    assert second.op.name == "gradients_1/MatMul_grad/MatMul_1"
    assert tf.gradients(loss, W, name="my_grads")[0].op.name == "my_grads/MatMul_grad/MatMul_1"


def test_rebuilt_graph_gets_the_same_gradient_names():
    def build():
        with tf.Graph().as_default() as g:
            _, W, b, loss = _dense_model()
            tf.gradients(loss, [W, b])
            return [(op.name, op.type) for op in g.get_operations()]
    assert build() == build()


# -- accumulation and broadcasting -----------------------------------------------------------------
def test_gradients_from_several_consumers_are_summed():
    x = tf.constant([1.0, 2.0])
    y = x * x + 3.0 * x + tf.sin(x)
    g = tf.gradients(y, x)[0]
    assert g.op.type == "AddN"
    np.testing.assert_allclose(run(g), 2 * np.array([1.0, 2.0]) + 3 + np.cos([1.0, 2.0]),
                               rtol=1e-6)


def test_broadcast_gradient_is_summed_back_statically_for_none_batch():
    x = tf.placeholder(tf.float32, [None, 3])
    b = tf.constant([1.0, 2.0, 3.0])
    gx, gb = tf.gradients(tf.reduce_sum((x + b) * b), [x, b])
    assert gx.shape.as_list() == [None, 3] and gb.shape.as_list() == [3]
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "BroadcastGradientArgs" not in types  # the axes to sum were known statically
    x_val = RNG.randn(4, 3).astype(np.float32)
    got_x, got_b = run([gx, gb], {x: x_val})
    np.testing.assert_allclose(got_x, np.broadcast_to([1.0, 2.0, 3.0], (4, 3)))
    np.testing.assert_allclose(got_b, (x_val + 2 * np.array([1.0, 2, 3])).sum(0), rtol=1e-5)


def test_broadcast_gradient_decided_at_run_time_for_unknown_dims():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])   # y's first dim may be 1 or match x's
    gy = tf.gradients(x * y, y)[0]
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "BroadcastGradientArgs" in types
    x_val = RNG.randn(4, 3).astype(np.float32)
    with tf.Session() as sess:
        rows = sess.run(gy, {x: x_val, y: np.ones((4, 1))})
        broadcast = sess.run(gy, {x: x_val, y: np.ones((1, 1))})
    np.testing.assert_allclose(rows, x_val.sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(broadcast, [[x_val.sum()]], rtol=1e-5)
    unknown = tf.placeholder(tf.float32)  # unknown rank
    gu = tf.gradients(unknown * x, unknown)[0]
    np.testing.assert_allclose(run(gu, {unknown: 2.0, x: x_val}), x_val.sum(), rtol=1e-5)


# -- ys, grad_ys, xs -------------------------------------------------------------------------------
def test_list_of_ys_is_summed():
    x = tf.constant([1.0, 2.0])
    g = tf.gradients([x * x, 3.0 * x], x)[0]
    np.testing.assert_allclose(run(g), [5.0, 7.0])


def test_grad_ys_weights_each_y():
    x = tf.constant([1.0, 2.0])
    g = tf.gradients([x * x, 3.0 * x], x, grad_ys=[tf.constant([1.0, 0.0]), [2.0, 2.0]])[0]
    np.testing.assert_allclose(run(g), [2 * 1 + 6, 0 + 6])
    with pytest.raises(ValueError, match="grad_ys"):
        tf.gradients([x, x], x, grad_ys=[tf.constant([1.0, 1.0])])


def test_unconnected_xs_give_none_or_zeros():
    x, z = tf.constant([1.0, 2.0]), tf.constant([[3.0]])
    y = x * 2.0
    assert tf.gradients(y, [x, z])[1] is None
    gz = tf.gradients(y, z, unconnected_gradients="zero")[0]
    np.testing.assert_array_equal(run(gz), [[0.0]])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tf.gradients(y, z, unconnected_gradients="nan")


def test_no_gradient_flows_through_integer_or_bool_tensors():
    x = tf.constant([1.5, 2.5])
    through_int = tf.cast(tf.cast(x, tf.int32), tf.float32)
    through_bool = tf.cast(x > 2.0, tf.float32)
    assert tf.gradients(through_int * 3.0, x) == [None]
    assert tf.gradients(through_bool, x) == [None]
    i = tf.constant([1, 2])
    assert tf.gradients(i * 2, i) == [None]
    g = tf.gradients(through_int * x, x)[0]  # the float path still counts
    np.testing.assert_allclose(run(g), [1.0, 2.0])


def test_stop_gradient_and_stop_gradients_argument():
    x = tf.constant([1.0, 2.0])
    y = x * x
    stopped = tf.stop_gradient(y) * x
    np.testing.assert_allclose(run(tf.gradients(stopped, x)[0]), [1.0, 4.0])
    z = y + x
    np.testing.assert_allclose(run(tf.gradients(z, x, stop_gradients=[y])[0]), [1.0, 1.0])
    np.testing.assert_allclose(run(tf.gradients(z, x, stop_gradients=y.op)[0]), [1.0, 1.0])
    assert tf.gradients(y, x, stop_gradients=[x])[0] is not None  # stopping x itself is fine


def test_missing_gradient_raises_lookup_error_naming_the_op_type(monkeypatch):
    monkeypatch.setattr(get_opdef("Sin"), "gradient", None)  # pretend Sin had no gradient
    x = tf.constant([1.0])
    y = tf.sin(x, name="wave") * 2.0
    with pytest.raises(LookupError, match=r"'wave'.*op type: Sin"):
        tf.gradients(y, x)
    assert tf.gradients(y, x, stop_gradients=[y.op.inputs[0]])[0] is None  # avoided: no error


# -- higher order ----------------------------------------------------------------------------------
def test_second_derivative_of_elementwise_chain():
    x = tf.constant([0.3, -0.7])
    y = tf.tanh(x) * tf.sigmoid(x)
    g = tf.gradients(y, x)[0]
    h = tf.gradients(g, x)[0]
    xv = np.array([0.3, -0.7])
    s, t = 1 / (1 + np.exp(-xv)), np.tanh(xv)
    ds, dt = s * (1 - s), 1 - t * t
    d2s, d2t = ds * (1 - 2 * s), -2 * t * dt
    np.testing.assert_allclose(run(g), dt * s + t * ds, rtol=1e-5)
    np.testing.assert_allclose(run(h), d2t * s + 2 * dt * ds + t * d2s, rtol=1e-5)


def test_hessian_vector_product_matches_numeric_hessian():
    A = RNG.randn(3, 3)
    x = tf.placeholder(tf.float64, [3])
    v = tf.placeholder(tf.float64, [3])
    f = tf.reduce_sum(tf.tanh(tf.matmul(A, tf.reshape(x, [3, 1])))) + tf.reduce_sum(x ** 3)
    g = tf.gradients(f, x)[0]
    hv = tf.gradients(tf.reduce_sum(g * tf.stop_gradient(v)), x)[0]
    xv, vv = RNG.randn(3), RNG.randn(3)
    with tf.Session() as sess:
        got = sess.run(hv, {x: xv, v: vv})
        eps, numeric = 1e-5, np.zeros((3, 3))
        for i in range(3):
            e = np.eye(3)[i] * eps
            numeric[:, i] = (sess.run(g, {x: xv + e}) - sess.run(g, {x: xv - e})) / (2 * eps)
    np.testing.assert_allclose(got, numeric @ vv, rtol=1e-6, atol=1e-8)


def test_hessians_of_a_vector_input():
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    x = tf.placeholder(tf.float64, [3], name="x")
    quadratic = 0.5 * tf.reduce_sum(x * tf.reshape(tf.matmul(A, tf.reshape(x, [3, 1])), [3]))
    hessians = tf.hessians(quadratic, x)
    assert isinstance(hessians, list) and len(hessians) == 1
    h = hessians[0]
    assert h.shape.as_list() == [3, 3] and h.op.name.startswith("hessians")
    np.testing.assert_allclose(run(h, {x: RNG.randn(3)}), A, atol=1e-12)
    cubic = tf.hessians(tf.reduce_sum(x ** 3) + x[0] * x[1], [x])[0]
    np.testing.assert_allclose(run(cubic, {x: [1.0, 2.0, 3.0]}),
                               [[6.0, 1.0, 0.0], [1.0, 12.0, 0.0], [0.0, 0.0, 18.0]])


def test_hessians_of_several_xs_linear_parts_and_unknown_shapes():
    x = tf.placeholder(tf.float32, [2])
    m = tf.placeholder(tf.float32, [2, 2])
    y = tf.reduce_sum(x) + tf.reduce_sum(m * m)
    hx, hm = tf.hessians(y, [x, m])
    assert hx.shape.as_list() == [2, 2] and hm.shape.as_list() == [2, 2, 2, 2]
    got_x, got_m = run([hx, hm], {x: [1.0, 2.0], m: np.ones((2, 2))})
    np.testing.assert_array_equal(got_x, np.zeros((2, 2)))  # linear in x
    np.testing.assert_array_equal(got_m, 2 * np.eye(4).reshape(2, 2, 2, 2))
    assert got_x.dtype == np.float32
    with pytest.raises(ValueError, match="fully defined"):
        tf.hessians(y, tf.placeholder(tf.float32, [None]))
