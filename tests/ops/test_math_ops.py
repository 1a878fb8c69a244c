"""Math ops: numpy references (with broadcasting and None batches), static shapes, gradients.

Tables at the top describe each elementwise op once; the tests below run every entry through
the same checks: value vs numpy (float32 kept), static shape with known/partial/unknown
inputs, first-order and (for the smooth ones) second-order central-difference gradients.
"""
import math

import numpy as np
import pytest

import tfone as tf
from tfone.framework.op_registry import apply_op
from tfone.test import check_gradients

RNG = np.random.RandomState(42)

# op type: (tf function, numpy reference, input domain, second-order gradient checked)
UNARY = {
    "Neg": (tf.negative, np.negative, "any", True),
    "Abs": (tf.abs, np.abs, "nonzero", True),
    "Sign": (tf.sign, np.sign, "nonzero", True),
    "Square": (tf.square, np.square, "any", True),
    "Sqrt": (tf.sqrt, np.sqrt, "positive", True),
    "Rsqrt": (tf.rsqrt, lambda x: 1 / np.sqrt(x), "positive", True),
    "Reciprocal": (tf.reciprocal, np.reciprocal, "positive", True),
    "Exp": (tf.exp, np.exp, "any", True),
    "Expm1": (tf.expm1, np.expm1, "any", True),
    "Log": (tf.log, np.log, "positive", True),
    "Log1p": (tf.log1p, np.log1p, "positive", True),
    "Sin": (tf.sin, np.sin, "any", True),
    "Cos": (tf.cos, np.cos, "any", True),
    "Tan": (tf.tan, np.tan, "small", True),
    "Tanh": (tf.tanh, np.tanh, "any", True),
    "Sigmoid": (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), "any", True),
    "Erf": (tf.erf, np.vectorize(math.erf), "any", True),
    "Asin": (tf.asin, np.arcsin, "unit", True),
    "Acos": (tf.acos, np.arccos, "unit", True),
    "Atan": (tf.atan, np.arctan, "any", True),
    "Sinh": (tf.sinh, np.sinh, "any", True),
    "Cosh": (tf.cosh, np.cosh, "any", True),
    "Asinh": (tf.asinh, np.arcsinh, "any", True),
    "Acosh": (tf.acosh, np.arccosh, "above1", True),
    "Atanh": (tf.atanh, np.arctanh, "unit", True),
    "Floor": (tf.floor, np.floor, "any", None),
    "Ceil": (tf.ceil, np.ceil, "any", None),
    "Round": (tf.round, np.round, "any", None),
    "Rint": (tf.math.rint, np.rint, "any", None),
}
# Gradient helper ops y' = f'(x) expressed through y = f(x): (y, dy) -> value.
UNARY_GRAD = {
    "SigmoidGrad": lambda y, dy: dy * y * (1 - y),
    "TanhGrad": lambda y, dy: dy * (1 - y * y),
    "SqrtGrad": lambda y, dy: dy * 0.5 / y,
    "RsqrtGrad": lambda y, dy: dy * -0.5 * y ** 3,
    "ReciprocalGrad": lambda y, dy: -dy * y * y,
}
# op type: (tf function, numpy reference, (x domain, y domain), differentiable)
BINARY = {
    "Add": (tf.add, np.add, ("any", "any"), True),
    "Sub": (tf.subtract, np.subtract, ("any", "any"), True),
    "Mul": (tf.multiply, np.multiply, ("any", "any"), True),
    "RealDiv": (tf.realdiv, np.true_divide, ("any", "positive"), True),
    "DivNoNan": (tf.div_no_nan, np.true_divide, ("any", "positive"), True),
    "Pow": (tf.pow, np.power, ("positive", "any"), True),
    "Maximum": (tf.maximum, np.maximum, ("any", "any"), True),
    "Minimum": (tf.minimum, np.minimum, ("any", "any"), True),
    "SquaredDifference": (tf.squared_difference, lambda x, y: (x - y) ** 2, ("any", "any"), True),
    "FloorMod": (tf.floormod, np.mod, ("any", "positive"), True),
    "FloorDiv": (tf.floordiv, np.floor_divide, ("any", "positive"), False),
    "TruncateMod": (tf.truncatemod, np.fmod, ("any", "positive"), True),
    "TruncateDiv": (tf.truncatediv, lambda x, y: np.trunc(x / y), ("any", "positive"), False),
    "Atan2": (tf.atan2, np.arctan2, ("any", "positive"), True),
}
COMPARISON = {
    "Less": (tf.less, np.less), "LessEqual": (tf.less_equal, np.less_equal),
    "Greater": (tf.greater, np.greater), "GreaterEqual": (tf.greater_equal, np.greater_equal),
    "Equal": (tf.equal, np.equal), "NotEqual": (tf.not_equal, np.not_equal),
}
LOGICAL = {"LogicalAnd": (tf.logical_and, np.logical_and),
           "LogicalOr": (tf.logical_or, np.logical_or)}
PREDICATE = {"IsNan": (tf.is_nan, np.isnan), "IsInf": (tf.is_inf, np.isinf),
             "IsFinite": (tf.is_finite, np.isfinite)}
REDUCTION = {  # op type: (tf function, numpy reference)
    "Sum": (tf.reduce_sum, np.sum), "Mean": (tf.reduce_mean, np.mean),
    "Max": (tf.reduce_max, np.max), "Min": (tf.reduce_min, np.min),
    "Prod": (tf.reduce_prod, np.prod),
}

REFERENCE_CHECKED = (set(UNARY) | set(UNARY_GRAD) | set(BINARY) | set(COMPARISON) | set(LOGICAL)
                     | set(PREDICATE) | set(REDUCTION) | {
                         "Any", "All", "LogicalNot", "ArgMax", "ArgMin", "AddN", "MatMul",
                         "BatchMatMulV2", "Einsum", "Cumsum", "Cumprod", "Select", "SelectV2",
                         "Where",
                         "Cast", "Range", "ReducedShape", "Conj"})
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = ({k for k, v in UNARY.items() if v[3]} | set(UNARY_GRAD)
                    | {k for k, v in BINARY.items() if v[3]} | set(REDUCTION) | {
                        "AddN", "MatMul", "BatchMatMulV2", "Einsum", "Cumsum", "Cumprod", "Select",
                        "SelectV2", "Cast", "Conj"})


def sample(domain, shape, rng=RNG):
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "small":
        return rng.uniform(-1.0, 1.0, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "above1":
        return rng.uniform(1.2, 3.0, shape)
    x = rng.uniform(-2.0, 2.0, shape)
    if domain == "nonzero":
        x = np.where(np.abs(x) < 0.2, 0.7, x)
    return x


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def shape_of(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


# -- unary elementwise -----------------------------------------------------------------------------
@pytest.mark.parametrize("op_type", sorted(UNARY))
def test_unary_matches_numpy_and_keeps_float32(op_type):
    fn, ref, domain, _ = UNARY[op_type]
    x = sample(domain, (4, 3)).astype(np.float32)
    if op_type in ("Round", "Rint"):
        x[0, :3] = [0.5, 1.5, -2.5]  # halves go to even (banker's rounding, like TF)
    p = tf.placeholder(tf.float32, [None, 3])
    y = fn(p)
    assert y.op.type == op_type and y.dtype == tf.float32
    out = run(y, {p: x})
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=2e-6, atol=1e-6)
    if op_type in ("Round", "Rint"):
        np.testing.assert_array_equal(out[0, :3], [0.0, 2.0, -2.0])


@pytest.mark.parametrize("op_type", sorted(UNARY))
def test_unary_static_shapes(op_type):
    fn = UNARY[op_type][0]
    assert shape_of(fn(tf.placeholder(tf.float32, [2, 5]))) == [2, 5]
    assert shape_of(fn(tf.placeholder(tf.float32, [None, 5]))) == [None, 5]
    assert shape_of(fn(tf.placeholder(tf.float32))) is None
    assert shape_of(fn(tf.constant(1.5))) == []


@pytest.mark.parametrize("op_type", sorted(k for k, v in UNARY.items() if v[3]))
def test_unary_gradients_first_and_second_order(op_type):
    fn, _, domain, _ = UNARY[op_type]
    x = sample(domain, (2, 3))
    check_gradients(fn, x)
    check_gradients(fn, x, order=2)


@pytest.mark.parametrize("op_type", ["Floor", "Ceil", "Round", "Rint"])
def test_piecewise_constant_ops_have_no_gradient(op_type):
    x = tf.placeholder(tf.float32, [3])
    assert tf.gradients(UNARY[op_type][0](x), x) == [None]


@pytest.mark.parametrize("fn", [tf.sqrt, tf.exp, tf.log, tf.sigmoid, tf.tanh, tf.floor, tf.erf])
def test_float_only_ops_reject_integers_with_a_hint(fn):
    with pytest.raises(TypeError, match="int32.*tf.cast"):
        fn(tf.constant([1, 2]))


def test_integer_unary_ops_keep_integers():
    x = tf.constant([-3, 0, 4])
    a, s, q, r, n = run([tf.abs(x), tf.sign(x), tf.square(x), tf.round(x), tf.negative(x)])
    np.testing.assert_array_equal(a, [3, 0, 4])
    np.testing.assert_array_equal(s, [-1, 0, 1])
    np.testing.assert_array_equal(q, [9, 0, 16])
    np.testing.assert_array_equal(n, [3, 0, -4])
    assert r is not None and a.dtype == s.dtype == q.dtype == np.int32
    assert tf.round(x) is x  # integer tensors are returned unchanged, as in TF1


def test_rint_names_and_integer_inputs():
    y = tf.rint(tf.constant([-1.5, 0.5, 2.5, 2.6], tf.float64))
    assert y.op.name == "Rint" and y.dtype == tf.float64
    np.testing.assert_array_equal(run(y), [-2.0, 0.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="int32"):
        tf.math.rint(tf.constant([1, 2]))  # TF1's Rint takes floats only


def test_saturate_cast_clips_to_the_target_range():
    x = tf.constant([-300.0, -1.5, 0.7, 254.9, 300.0])
    y = tf.saturate_cast(x, tf.uint8)
    assert y.dtype == tf.uint8 and y.op.name == "saturate_cast"
    np.testing.assert_array_equal(run(y), [0, 0, 0, 254, 255])
    z = run(tf.saturate_cast(tf.constant([-70000, 5, 70000]), tf.int16))
    assert z.dtype == np.int16 and z.tolist() == [-32768, 5, 32767]
    same = tf.constant([1.0])
    assert tf.saturate_cast(same, tf.float32) is same


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0], dtype=np.float32)
    out = run(tf.sigmoid(x))
    assert np.all(np.isfinite(out)) and out.dtype == np.float32
    np.testing.assert_allclose(out, [0.0, 4.248354e-18, 0.5, 1.0, 1.0], rtol=1e-5)


def test_sigmoid_and_tanh_names_and_gradient_ops():
    x = tf.placeholder(tf.float32, [2], name="x")
    s, t = tf.sigmoid(x), tf.tanh(x)
    assert (s.op.name, t.op.name) == ("Sigmoid", "Tanh")
    gs, gt = tf.gradients([s, t], x)[0].op.inputs
    assert {gs.op.type, gt.op.type} == {"SigmoidGrad", "TanhGrad"}


@pytest.mark.parametrize("op_type", sorted(UNARY_GRAD))
def test_unary_grad_ops_reference_shape_and_gradient(op_type):
    ref = UNARY_GRAD[op_type]
    y, dy = RNG.uniform(0.5, 1.5, (2, 3)).astype(np.float32), RNG.randn(2, 3).astype(np.float32)
    out = run(apply_op(op_type, [tf.constant(y), tf.constant(dy)]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(y.astype(np.float64), dy), rtol=1e-5)
    partial = apply_op(op_type, [tf.placeholder(tf.float32, [None, 3]),
                                 tf.placeholder(tf.float32, [2, None])])
    assert shape_of(partial) == [2, 3]
    assert shape_of(apply_op(op_type, [tf.placeholder(tf.float32)] * 2)) is None
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        apply_op(op_type, [tf.constant(y), tf.constant(dy.T)])
    fn = lambda a, b: apply_op(op_type, [a, b])  # noqa: E731
    check_gradients(fn, y, dy)
    check_gradients(fn, y, dy, order=2)


# -- binary elementwise ----------------------------------------------------------------------------
BROADCAST_CASES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)),
                   ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("op_type", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_CASES)
def test_binary_matches_numpy_with_broadcasting(op_type, shapes):
    fn, ref, (dx, dy), _ = BINARY[op_type]
    x = sample(dx, shapes[0]).astype(np.float32)
    y = sample(dy, shapes[1]).astype(np.float32)
    px, py = tf.placeholder(tf.float32, shapes[0]), tf.placeholder(tf.float32, shapes[1])
    z = fn(px, py)
    assert z.op.type == op_type
    out = run(z, {px: x, py: y})
    assert out.dtype == np.float32
    assert out.shape == np.broadcast(x, y).shape == tuple(z.shape.as_list())
    np.testing.assert_allclose(out, ref(x.astype(np.float64), y.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op_type", sorted(BINARY))
def test_binary_with_none_batch_and_python_operands(op_type):
    fn, ref, (dx, dy), _ = BINARY[op_type]
    x = sample(dx, (5, 3)).astype(np.float32)
    y = sample(dy, (3,)).astype(np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    z = fn(p, y)  # numpy operand on the right, converted to the placeholder's float32
    assert shape_of(z) == [None, 3] and z.dtype == tf.float32
    np.testing.assert_allclose(run(z, {p: x}), ref(x, y), rtol=1e-5, atol=1e-6)
    w = fn(2.0, p) if dx != "positive" else fn(1.5, p)  # Python scalar on the left
    assert shape_of(w) == [None, 3]


@pytest.mark.parametrize("op_type", sorted(BINARY))
def test_binary_static_shapes_and_errors(op_type):
    fn = BINARY[op_type][0]
    f32 = tf.float32
    assert shape_of(fn(tf.placeholder(f32, [None, 3]), tf.placeholder(f32, [4, 1]))) == [4, 3]
    assert shape_of(fn(tf.placeholder(f32, [None, 1]), tf.placeholder(f32, [3]))) == [None, 3]
    assert shape_of(fn(tf.placeholder(f32, [2, None]), tf.placeholder(f32, [5, 2, 1]))) == \
        [5, 2, None]
    assert shape_of(fn(tf.placeholder(f32), tf.placeholder(f32, [3]))) is None
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        fn(tf.placeholder(f32, [2, 3]), tf.placeholder(f32, [4]))
    with pytest.raises((TypeError, ValueError), match="float32.*int32|int32.*float32"):
        fn(tf.placeholder(f32, [2]), tf.constant([1, 2]))  # no implicit casts, as in TF1


@pytest.mark.parametrize("op_type", sorted(k for k, v in BINARY.items() if v[3]))
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((), (2, 2))])
def test_binary_gradients_first_and_second_order(op_type, shapes):
    fn, _, (dx, dy), _ = BINARY[op_type]
    x, y = sample(dx, shapes[0]), sample(dy, shapes[1])
    if op_type in ("Maximum", "Minimum"):  # keep x - y away from the kink at 0
        x = RNG.randint(-2, 2, shapes[0]) + RNG.choice([0.1, 0.3, 0.7, 0.9], shapes[0])
        y = RNG.randint(-2, 2, shapes[1]) + 0.5
    if op_type in ("FloorMod", "TruncateMod"):  # keep x / y away from integers (jumps)
        y = np.full(shapes[1], 1.5)
        x = 1.5 * RNG.randint(-2, 2, shapes[0]) + RNG.uniform(0.2, 1.3, shapes[0])
    check_gradients(fn, x, y)
    check_gradients(fn, x, y, order=2)


def test_max_min_gradient_ties_go_to_x():
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant([2.0, 2.0, 2.0])
    gx, gy = tf.gradients(tf.maximum(x, y), [x, y])
    hx, hy = tf.gradients(tf.minimum(x, y), [x, y])
    np.testing.assert_array_equal(run([gx, gy, hx, hy]),
                                  [[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1]])


def test_floordiv_and_floormod_follow_python_signs():
    x = np.array([7, -7, 7, -7], dtype=np.int32)
    y = np.array([2, 2, -2, -2], dtype=np.int32)
    q, r = run([tf.floordiv(x, y), tf.floormod(x, y)])
    np.testing.assert_array_equal(q, x // y)
    np.testing.assert_array_equal(r, x % y)
    assert q.dtype == np.int32
    f = run(tf.floordiv(tf.constant([7.5, -7.5]), 2.0))
    np.testing.assert_array_equal(f, [3.0, -4.0])
    with tf.Graph().as_default():
        assert tf.floordiv(1.0, 2.0).op.name == "floordiv"
    assert tf.mod is tf.floormod


def test_truncated_division_and_tf1_div():
    x = np.array([7, -7, 7, -7], dtype=np.int32)
    y = np.array([2, 2, -2, -2], dtype=np.int32)
    q, r, d = run([tf.truncatediv(x, y), tf.truncatemod(x, y), tf.div(x, y)])
    assert q.tolist() == [3, -3, -3, 3] and r.tolist() == [1, -1, 1, -1]
    assert d.tolist() == [3, -4, -4, 3] and d.dtype == np.int32  # Python-2 floor division
    f = tf.div(tf.constant([7.0, -7.0]), 2.0)
    assert f.op.type == "RealDiv" and f.op.name == "div_1" and run(f).tolist() == [3.5, -3.5]
    np.testing.assert_allclose(run(tf.truncatemod(tf.constant([-7.5, 7.5]), 2.0)), [-1.5, 1.5])


def test_atan2_quadrants_and_log_sigmoid():
    y, x = np.array([1.0, 1.0, -1.0, -1.0]), np.array([1.0, -1.0, -1.0, 1.0])
    np.testing.assert_allclose(run(tf.atan2(y, x)), np.arctan2(y, x))
    z = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0], dtype=np.float32)
    ls = tf.log_sigmoid(z)
    assert ls.op.name == "LogSigmoid" and ls.dtype == tf.float32
    np.testing.assert_allclose(run(ls), -np.logaddexp(0, -z.astype(np.float64)), rtol=1e-6)
    check_gradients(tf.log_sigmoid, RNG.randn(2, 3), order=2)


def test_integer_division_by_zero_is_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run(tf.floordiv(tf.constant([1, 2]), tf.constant([1, 0])))


def test_integer_pow_with_negative_exponent_is_an_error():
    assert run(tf.pow(tf.constant([2, 3]), 2)).tolist() == [4, 9]
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        run(tf.pow(tf.constant([2, 3]), -1))


def test_pow_gradient_at_zero_base_is_finite():
    x, y = tf.constant([0.0, 2.0]), tf.constant([2.0, 3.0])
    gx, gy = run(tf.gradients(tf.pow(x, y), [x, y]))
    np.testing.assert_allclose(gx, [0.0, 12.0])
    np.testing.assert_allclose(gy, [0.0, 8 * np.log(2)])


def test_truediv_divide_and_integer_promotion():
    a = tf.constant([1, 2], dtype=tf.int32)
    out = tf.truediv(a, 4)
    assert out.dtype == tf.float64 and out.op.type == "RealDiv" and out.op.name == "truediv"
    np.testing.assert_allclose(run(out), [0.25, 0.5])
    assert tf.divide(tf.constant([1, 2], tf.int16), 4).dtype == tf.float32
    assert run(tf.div_no_nan(tf.constant([1.0, 2.0]), [0.0, 4.0])).tolist() == [0.0, 0.5]
    with pytest.raises(TypeError, match="RealDiv"):
        tf.realdiv(a, a)


def test_scalar_mul_and_add_n():
    x = tf.constant([[1.0, 2.0]])
    assert run(tf.scalar_mul(3, x)).tolist() == [[3.0, 6.0]]
    with pytest.raises(ValueError, match="scalar"):
        tf.scalar_mul([1.0, 2.0], x)
    ins = [RNG.randn(2, 3).astype(np.float32) for _ in range(3)]
    s = tf.add_n([tf.constant(v) for v in ins])
    assert s.op.type == "AddN" and s.dtype == tf.float32
    np.testing.assert_allclose(run(s), sum(ins), rtol=1e-6)
    assert shape_of(tf.add_n([tf.placeholder(tf.float32, [None, 3]),
                              tf.placeholder(tf.float32, [2, None])])) == [2, 3]
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        tf.add_n([tf.zeros([2]), tf.zeros([3])])
    check_gradients(lambda a, b, c: tf.add_n([a, b, c]) * a, *ins, order=2)


def test_clip_by_value():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.clip_by_value(x, -1.0, [0.5, 2.0])
    assert shape_of(y) == [None, 2] and y.op.name == "clip_by_value"
    np.testing.assert_allclose(run(y, {x: [[-3.0, 3.0], [0.7, 0.2]]}), [[-1, 2], [0.5, 0.2]])
    check_gradients(lambda t: tf.clip_by_value(t, -1.0, 1.0), np.array([-1.5, -0.5, 0.3, 1.7]))
    with pytest.raises(ValueError, match="broadcast"):
        tf.clip_by_value(tf.zeros([3]), 0.0, tf.ones([2, 3]))


# -- comparisons, logic, predicates ----------------------------------------------------------------
@pytest.mark.parametrize("op_type", sorted(COMPARISON))
def test_comparisons(op_type):
    fn, ref = COMPARISON[op_type]
    x = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.float32)
    y = np.array([2, 2, 2], dtype=np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    z = fn(p, y)
    assert z.op.type == op_type and z.dtype == tf.bool and shape_of(z) == [None, 3]
    out = run(z, {p: x})
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, ref(x, y))
    np.testing.assert_array_equal(run(fn(tf.constant([1, 5]), 3)), ref(np.array([1, 5]), 3))
    assert shape_of(fn(tf.placeholder(tf.float32), 1.0)) is None
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        fn(tf.zeros([2]), tf.zeros([3]))
    x_ = tf.placeholder(tf.float32, [2])
    assert tf.gradients(tf.cast(fn(x_, 1.0), tf.float32), x_) == [None]


def test_equal_accepts_bools_and_ordering_rejects_them():
    np.testing.assert_array_equal(run(tf.equal([True, False], True)), [True, False])
    with pytest.raises(TypeError, match="bool"):
        tf.less(tf.constant([True]), True)


@pytest.mark.parametrize("op_type", sorted(LOGICAL))
def test_logical_binary(op_type):
    fn, ref = LOGICAL[op_type]
    x = np.array([[True, False], [True, True]])
    y = np.array([False, True])
    z = fn(tf.constant(x), y)
    assert z.op.type == op_type and shape_of(z) == [2, 2]
    np.testing.assert_array_equal(run(z), ref(x, y))
    assert shape_of(fn(tf.placeholder(tf.bool, [None, 2]), y)) == [None, 2]
    with pytest.raises(TypeError, match="bool"):
        fn(tf.constant([1.0]), tf.constant([2.0]))


def test_logical_not_and_xor():
    x, y = np.array([True, True, False, False]), np.array([True, False, True, False])
    n = tf.logical_not(tf.placeholder(tf.bool, [None], name="p"))
    assert n.op.type == "LogicalNot" and shape_of(n) == [None]
    xor = tf.logical_xor(x, y)
    assert xor.op.name == "LogicalXor"
    np.testing.assert_array_equal(run(xor), x ^ y)
    np.testing.assert_array_equal(run(tf.logical_not(x)), ~x)
    assert shape_of(tf.logical_not(tf.placeholder(tf.bool))) is None


@pytest.mark.parametrize("op_type", sorted(PREDICATE))
def test_float_predicates(op_type):
    fn, ref = PREDICATE[op_type]
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], dtype=np.float32)
    z = fn(tf.placeholder(tf.float32, [None]))
    assert z.dtype == tf.bool and shape_of(z) == [None] and z.op.type == op_type
    np.testing.assert_array_equal(run(fn(x)), ref(x))
    assert shape_of(fn(tf.placeholder(tf.float32))) is None


# -- where / select --------------------------------------------------------------------------------
def test_where_three_args_same_shape_and_row_vector():
    x = RNG.randn(3, 2).astype(np.float32)
    y = RNG.randn(3, 2).astype(np.float32)
    c = np.array([[True, False], [False, True], [True, True]])
    s = tf.where(c, x, y)
    assert s.op.type == "Select" and s.dtype == tf.float32 and shape_of(s) == [3, 2]
    np.testing.assert_array_equal(run(s), np.where(c, x, y))
    rows = tf.where([True, False, True], x, y)  # a vector condition selects whole rows
    np.testing.assert_array_equal(run(rows), np.where([[True], [False], [True]], x, y))
    p = tf.placeholder(tf.float32, [None, 2])
    assert shape_of(tf.where(tf.placeholder(tf.bool, [None]), p, p)) == [None, 2]
    assert shape_of(tf.where(tf.placeholder(tf.bool), p, y)) == [3, 2]


def test_where_three_args_scalar_condition_picks_a_whole_tensor():
    # TF1's Select takes a scalar condition (SelectOp::ComputeScalar), e.g. tf.where(is_training,
    # a, b) with a boolean placeholder.
    x = RNG.randn(3, 2).astype(np.float32)
    y = RNG.randn(3, 2).astype(np.float32)
    p = tf.placeholder(tf.bool, [])
    s = tf.where(p, x, y)
    assert s.op.type == "Select" and shape_of(s) == [3, 2]
    np.testing.assert_array_equal(run(s, {p: True}), x)
    np.testing.assert_array_equal(run(s, {p: False}), y)
    assert shape_of(tf.where(True, tf.placeholder(tf.float32, [None, 2]), x)) == [3, 2]
    for flag in (True, False):
        tf.test.check_gradients(lambda a, b, flag=flag: tf.where(flag, a, b) * 1.5,
                                x.astype(np.float64), y.astype(np.float64))


def test_where_three_args_errors():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2,\)|\(2,\).*\(3, 2\)"):
        tf.where(True, tf.zeros([3, 2]), tf.zeros([2]))  # no broadcasting in TF1's where
    with pytest.raises(ValueError, match="condition"):
        tf.where(tf.constant([True, False]), tf.zeros([3, 2]), tf.zeros([3, 2]))
    with pytest.raises(ValueError, match="both"):
        tf.where(True, x=1.0)
    c = tf.placeholder(tf.bool)
    with pytest.raises(tf.errors.InvalidArgumentError, match="condition"):
        run(tf.where(c, tf.zeros([3, 2]), tf.ones([3, 2])), {c: [True, False]})


def test_where_one_arg_gives_int64_coordinates():
    c = np.array([[True, False, True], [False, False, True]])
    w = tf.where(c)
    assert w.op.type == "Where" and w.dtype == tf.int64 and shape_of(w) == [None, 2]
    out = run(w)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, np.argwhere(c))
    assert run(tf.where(tf.constant([0, 3, 0, 1]))).tolist() == [[1], [3]]
    assert shape_of(tf.where(tf.placeholder(tf.bool))) == [None, None]


def test_where_v2_broadcasts():
    x = RNG.randn(2, 3)
    s = tf.where_v2(x > 0, x, 0.0)
    assert s.op.type == "SelectV2" and shape_of(s) == [2, 3]
    np.testing.assert_allclose(run(s), np.where(x > 0, x, 0))
    assert shape_of(tf.where_v2(tf.placeholder(tf.bool, [None, 1]), tf.zeros([3]), 1.0)) == \
        [None, 3]
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)|\(3,\).*\(2,\)"):
        tf.where_v2(tf.constant([True, False]), tf.zeros([3]), 0.0)


def test_select_gradients():
    x, y = RNG.randn(3, 2), RNG.randn(3, 2)
    c = np.array([True, False, True])
    check_gradients(lambda a, b: tf.where(c, a * a, b * a), x, y, order=2)
    check_gradients(lambda a, b: tf.where_v2(c[:, None], a * a, b), x, y[0], order=2)
    cond = tf.placeholder(tf.bool, [3])
    assert tf.gradients(tf.where(cond, x, y), cond) == [None]


# -- reductions ------------------------------------------------------------------------------------
AXES = [None, 0, 1, -1, [0, 2], [], (1, -1)]


@pytest.mark.parametrize("op_type", sorted(REDUCTION))
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(op_type, axis, keepdims):
    fn, ref = REDUCTION[op_type]
    x = RNG.uniform(0.5, 1.5, (2, 3, 4)).astype(np.float32)
    y = fn(tf.constant(x), axis=axis, keepdims=keepdims)
    assert y.op.type == op_type and y.dtype == tf.float32
    np_axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    expected = ref(x.astype(np.float64), axis=np_axis, keepdims=keepdims)
    out = run(y)
    assert np.asarray(out).dtype == np.float32 and tuple(y.shape.as_list()) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5)


@pytest.mark.parametrize("op_type", sorted(REDUCTION))
def test_reduction_static_shapes(op_type):
    fn = REDUCTION[op_type][0]
    p = tf.placeholder(tf.float32, [None, 3, 4])
    assert shape_of(fn(p)) == []
    assert shape_of(fn(p, 1)) == [None, 4]
    assert shape_of(fn(p, [0, -1], keepdims=True)) == [1, 3, 1]
    assert shape_of(fn(p, 0, keep_dims=True)) == [1, 3, 4]          # TF1's deprecated name
    assert shape_of(fn(p, reduction_indices=[2])) == [None, 3]      # TF1's deprecated name
    assert shape_of(fn(tf.placeholder(tf.float32), 1)) is None
    runtime_axis = tf.placeholder(tf.int32, [])
    assert shape_of(fn(p, runtime_axis)) is None
    assert shape_of(fn(p, runtime_axis, keepdims=True)) == [None, None, None]
    with pytest.raises(ValueError, match=r"Invalid reduction dimension 3[\s\S]*\(\?, 3, 4\)"):
        fn(p, 3)
    with pytest.raises(ValueError, match="both"):
        fn(p, axis=0, reduction_indices=0)


@pytest.mark.parametrize("op_type", sorted(REDUCTION))
def test_reduction_with_none_batch_and_runtime_axes(op_type):
    fn, ref = REDUCTION[op_type]
    x = RNG.uniform(0.5, 1.5, (5, 3)).astype(np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    a = tf.placeholder(tf.int32, [None])
    out = run([fn(p), fn(p, 0), fn(p, a, keepdims=True)], {p: x, a: [1]})
    np.testing.assert_allclose(out[0], ref(x), rtol=1e-5)
    np.testing.assert_allclose(out[1], ref(x, axis=0), rtol=1e-5)
    np.testing.assert_allclose(out[2], ref(x, axis=1, keepdims=True), rtol=1e-5)
    unknown = tf.placeholder(tf.float32)  # unknown rank: axes come from tf.range(tf.rank(x))
    np.testing.assert_allclose(run(fn(unknown), {unknown: x}), ref(x), rtol=1e-5)


@pytest.mark.parametrize("op_type", sorted(REDUCTION))
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), ([0, 2], True), (-1, True)])
def test_reduction_gradients_first_and_second_order(op_type, axis, keepdims):
    fn = REDUCTION[op_type][0]
    x = RNG.uniform(0.5, 1.5, (2, 3, 2))
    check_gradients(lambda t: fn(t * t, axis=axis, keepdims=keepdims), x)
    check_gradients(lambda t: fn(t * t, axis=axis, keepdims=keepdims), x, order=2)


def test_reduction_gradient_with_dynamic_shapes():
    p = tf.placeholder(tf.float64, [None, 3])
    a = tf.placeholder(tf.int32, [None])
    x = RNG.uniform(0.5, 1.5, (4, 3))
    for fn in (tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_prod):
        g = tf.gradients(fn(p * p, a), p)[0]
        with tf.Session() as sess:
            got = sess.run(g, {p: x, a: [1]})
        ref = {tf.reduce_sum: 2 * x, tf.reduce_mean: 2 * x / 3,
               tf.reduce_prod: 2 * np.prod(x ** 2, 1, keepdims=True) / x}.get(fn)
        if fn is tf.reduce_max:
            ref = 2 * x * (x == x.max(1, keepdims=True))
        np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_max_min_gradient_splits_ties_equally():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    g_max = tf.gradients(tf.reduce_max(x, 1), x)[0]
    g_min = tf.gradients(tf.reduce_min(x), x)[0]
    np.testing.assert_allclose(run(g_max), [[0, 0.5, 0.5], [1 / 3.0] * 3])
    np.testing.assert_allclose(run(g_min), [[1.0, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("zeros", [[(0, 1)], [(0, 1), (0, 2)], [(0, 0), (0, 1), (0, 2)]])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_prod_gradient_with_zeros_is_exact_to_second_order(zeros, axis):
    x = RNG.uniform(0.5, 1.5, (2, 3))
    for index in zeros:
        x[index] = 0.0
    check_gradients(lambda t: tf.reduce_prod(t, axis), x)
    check_gradients(lambda t: tf.reduce_prod(t, axis), x, order=2)


def test_integer_reductions_keep_integer_dtypes():
    x = tf.constant([[1, 2], [-3, -4]], dtype=tf.int32)
    mean, mean_rows, s, p, mx = run([tf.reduce_mean(x), tf.reduce_mean(x, 1), tf.reduce_sum(x),
                                     tf.reduce_prod(x), tf.reduce_max(x)])
    assert mean == -1 and mean.dtype == np.int32  # (-4) / 4
    assert mean_rows.tolist() == [1, -3]          # 1.5 -> 1 and -3.5 -> -3: toward zero
    assert s == -4 and p == 24 and mx == 2
    assert np.asarray(s).dtype == np.asarray(p).dtype == np.int32


def test_empty_reductions():
    x = tf.zeros([0, 3])
    s, m, mx, mn, pr = run([tf.reduce_sum(x, 0), tf.reduce_mean(x, 0), tf.reduce_max(x, 0),
                            tf.reduce_min(x), tf.reduce_prod(x)])
    assert s.tolist() == [0, 0, 0] and np.isnan(m).all()
    assert mx.tolist() == [-np.inf] * 3 and mn == np.inf and pr == 1


def test_reduce_any_all():
    x = np.array([[True, False, True], [False, False, True]])
    p = tf.placeholder(tf.bool, [None, 3])
    outs = [tf.reduce_any(p), tf.reduce_any(p, 1), tf.reduce_all(p, 0, keepdims=True),
            tf.reduce_all(p)]
    assert [o.op.type for o in outs] == ["Any", "Any", "All", "All"]
    assert [shape_of(o) for o in outs] == [[], [None], [1, 3], []]
    got = run(outs, {p: x})
    assert got[0] and got[1].tolist() == [True, True]
    assert got[2].tolist() == [[False, False, True]] and not got[3]
    with pytest.raises(TypeError, match="bool"):
        tf.reduce_any(tf.zeros([2]))


def test_reduce_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1e9], [-np.inf, -np.inf]], dtype=np.float32)
    y = tf.reduce_logsumexp(x, 1)
    assert y.op.name == "ReduceLogSumExp" and shape_of(y) == [3]
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[:2], [1000 + np.log(2), -1000], rtol=1e-6)
    assert out[2] == -np.inf
    assert shape_of(tf.reduce_logsumexp(tf.placeholder(tf.float32, [None, 4]), 0,
                                        keepdims=True)) == [1, 4]
    p = tf.placeholder(tf.float32, [None, 2])
    np.testing.assert_allclose(run(tf.reduce_logsumexp(p, 1), {p: x[:2]}), out[:2])
    z = RNG.randn(2, 3)
    check_gradients(lambda t: tf.reduce_logsumexp(t, 1), z, order=2)
    check_gradients(lambda t: tf.reduce_logsumexp(t, keepdims=True), z, order=2)


def test_reduce_variance_std_and_count_nonzero():
    x = RNG.randn(3, 4)
    v, s = run([tf.math.reduce_variance(x, 1), tf.math.reduce_std(x)])
    np.testing.assert_allclose(v, x.var(1))
    np.testing.assert_allclose(s, x.std())
    c = tf.count_nonzero(tf.constant([[0, 1, 2], [0, 0, 3]]), axis=1)
    assert c.dtype == tf.int64 and run(c).tolist() == [2, 1]
    # TF1's deprecated alias input= (parity audit)
    assert run(tf.count_nonzero(input=[[0.0, 1.5], [0.0, 0.0]])) == 1
    with pytest.raises(ValueError, match="both"):
        tf.count_nonzero([1], input=[1])


def test_reduced_shape_op():
    out = apply_op("ReducedShape", [tf.constant([2, 3, 4]), tf.constant([0, -1])])
    assert shape_of(out) == [3]
    assert run(out).tolist() == [1, 3, 1]
    assert shape_of(apply_op("ReducedShape", [tf.placeholder(tf.int32, [None]), 0])) == [None]


# -- argmax / argmin -------------------------------------------------------------------------------
@pytest.mark.parametrize("op_type, fn, ref", [("ArgMax", tf.argmax, np.argmax),
                                              ("ArgMin", tf.argmin, np.argmin)])
def test_argmax_argmin(op_type, fn, ref):
    x = RNG.randn(4, 3).astype(np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    default, rows, old_name = fn(p), fn(p, axis=-1, output_type=tf.int32), fn(p, dimension=1)
    assert default.op.type == op_type and default.dtype == tf.int64 and rows.dtype == tf.int32
    assert [shape_of(t) for t in (default, rows, old_name)] == [[3], [None], [None]]
    got = run([default, rows, old_name], {p: x})
    np.testing.assert_array_equal(got[0], ref(x, 0))
    np.testing.assert_array_equal(got[1], ref(x, 1))
    np.testing.assert_array_equal(got[2], ref(x, 1))
    assert got[0].dtype == np.int64 and got[1].dtype == np.int32
    assert run(fn([3, 7, 7, 3])) == (1 if op_type == "ArgMax" else 0)  # first of the ties
    assert shape_of(fn(tf.placeholder(tf.float32))) is None
    assert shape_of(fn(p, tf.placeholder(tf.int32, []))) == [None]
    with pytest.raises(ValueError, match=r"range \[-2, 2\).*\(\?, 3\)"):
        fn(p, 2)
    with pytest.raises(ValueError, match="both"):
        fn(p, axis=0, dimension=0)
    assert tf.gradients(tf.cast(fn(p, 1), tf.float32), p) == [None]


# -- cast, range -----------------------------------------------------------------------------------
def test_cast():
    x = np.array([[-1.7, 0.0, 2.9]], dtype=np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    i, b, d = tf.cast(p, tf.int32), tf.cast(p, tf.bool), tf.to_double(p)
    assert (i.op.type, i.dtype, shape_of(i)) == ("Cast", tf.int32, [None, 3])
    got = run([i, b, d, tf.to_float(tf.constant([1, 2]))], {p: x})
    assert got[0].tolist() == [[-1, 0, 2]]  # truncation toward zero, as in TF
    assert got[1].tolist() == [[True, False, True]]
    assert got[2].dtype == np.float64 and got[3].dtype == np.float32
    assert tf.cast(p, tf.float32) is p
    assert shape_of(tf.cast(tf.placeholder(tf.float32), tf.int64)) is None
    check_gradients(lambda t: tf.cast(tf.cast(t, tf.float32) * 3.0, tf.float64),
                    RNG.randn(2, 3), delta=1e-2, tol=1e-5)
    assert tf.gradients(tf.cast(tf.cast(p, tf.int32), tf.float32), p) == [None]


def test_range():
    r = tf.range(5)
    assert r.op.type == "Range" and r.dtype == tf.int32 and shape_of(r) == [5]
    assert run(r).tolist() == [0, 1, 2, 3, 4]
    f = tf.range(1.0, 2.0, 0.25)
    assert f.dtype == tf.float32 and shape_of(f) == [4]
    np.testing.assert_allclose(run(f), [1, 1.25, 1.5, 1.75])
    assert run(tf.range(10, 0, -3)).tolist() == [10, 7, 4, 1]
    n = tf.placeholder(tf.int32, [])
    assert shape_of(tf.range(n)) == [None]
    assert run(tf.range(n), {n: 3}).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="delta"):
        tf.range(0, 5, 0)


# -- matrix products -------------------------------------------------------------------------------
@pytest.mark.parametrize("ta, tb, aa, ab", [
    (False, False, False, False), (True, False, False, False), (False, True, False, False),
    (True, True, False, False), (False, False, True, True)])
def test_matmul_2d(ta, tb, aa, ab):
    a = RNG.randn(*((3, 2) if ta or aa else (2, 3))).astype(np.float32)
    b = RNG.randn(*((4, 3) if tb or ab else (3, 4))).astype(np.float32)
    pa = tf.placeholder(tf.float32, [None, a.shape[1]] if not (ta or aa) else [a.shape[0], None])
    y = tf.matmul(pa, b, transpose_a=ta, transpose_b=tb, adjoint_a=aa, adjoint_b=ab)
    assert y.op.type == "MatMul" and y.op.name == "MatMul" and shape_of(y) == [None, 4]
    out = run(y, {pa: a})
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, (a.T if ta or aa else a) @ (b.T if tb or ab else b),
                               rtol=1e-5)
    fn = lambda x, z: tf.matmul(x, z, transpose_a=ta, transpose_b=tb,  # noqa: E731
                                adjoint_a=aa, adjoint_b=ab)
    check_gradients(fn, a, b)
    check_gradients(fn, a, b, order=2)


def test_matmul_static_shapes_and_errors():
    f32 = tf.float32
    assert shape_of(tf.matmul(tf.placeholder(f32), tf.placeholder(f32, [3, 5]))) == [None, 5]
    with pytest.raises(ValueError, match=r"Dimensions must be equal.*\(2, 3\), \(4, 5\)"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))
    with pytest.raises(ValueError, match="rank 2.*rank 1"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="Only one of"):
        tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2]), transpose_a=True, adjoint_a=True)
    with pytest.raises(TypeError, match="bool"):
        tf.matmul(tf.zeros([2, 2], tf.bool), tf.zeros([2, 2], tf.bool))


def test_matmul_integers_and_complex_adjoint():
    a = np.array([[1, 2], [3, 4]], dtype=np.int32)
    got = run(tf.matmul(a, a))
    assert got.dtype == np.int32 and got.tolist() == (a @ a).tolist()
    c = np.array([[1 + 2j, 3j], [2, 1 - 1j]], dtype=np.complex64)
    np.testing.assert_allclose(run(tf.matmul(c, c, adjoint_a=True)), c.conj().T @ c, rtol=1e-6)
    np.testing.assert_allclose(run(tf.conj(c)), c.conj())
    assert tf.conj(tf.constant(a)).op.type == "Const"  # real tensors pass through
    assert tf.conj(tf.constant(c)).op.type == "Conj"
    assert shape_of(tf.conj(tf.placeholder(tf.complex64, [None, 2]))) == [None, 2]
    assert shape_of(tf.conj(tf.placeholder(tf.complex64))) is None


def test_conj_gradient_conjugates():
    # check_gradients is real-only; TF1's rule: the gradient of conj(z) is conj(upstream).
    z = tf.placeholder(tf.complex128, [2])
    up = np.array([1 + 2j, -3j])
    g = tf.gradients(tf.conj(z), z, grad_ys=tf.constant(up))[0]
    np.testing.assert_allclose(run(g, {z: [1j, 2]}), np.conj(up))


BATCH_CASES = [((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
               ((2, 1, 3, 4), (5, 4, 2)), ((1, 3, 4), (2, 4, 2))]


@pytest.mark.parametrize("shapes", BATCH_CASES)
@pytest.mark.parametrize("adj_x, adj_y", [(False, False), (True, False), (False, True),
                                          (True, True)])
def test_batch_matmul_broadcasts_batch_axes(shapes, adj_x, adj_y):
    sx, sy = list(shapes[0]), list(shapes[1])
    if adj_x:
        sx[-2:] = sx[-2:][::-1]
    if adj_y:
        sy[-2:] = sy[-2:][::-1]
    x, y = RNG.randn(*sx).astype(np.float32), RNG.randn(*sy).astype(np.float32)
    z = tf.matmul(x, y, transpose_a=adj_x, adjoint_b=adj_y)
    assert z.op.type == "BatchMatMulV2"
    ref = np.matmul(np.swapaxes(x, -1, -2) if adj_x else x, np.swapaxes(y, -1, -2) if adj_y else y)
    out = run(z)
    assert out.dtype == np.float32 and tuple(z.shape.as_list()) == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    fn = lambda a, b: tf.matmul(a, b, transpose_a=adj_x, adjoint_b=adj_y)  # noqa: E731
    check_gradients(fn, x, y)
    check_gradients(fn, x, y, order=2)


def test_batch_matmul_static_shapes_none_batch_and_errors():
    f32 = tf.float32
    p = tf.placeholder(f32, [None, 3, 4])
    z = tf.matmul(p, tf.zeros([4, 5]))
    assert shape_of(z) == [None, 3, 5]
    x = RNG.randn(6, 3, 4).astype(np.float32)
    np.testing.assert_allclose(run(z, {p: x}), x @ np.zeros((4, 5)))
    assert shape_of(tf.matmul(tf.placeholder(f32, [None, 1, 3, 4]),
                              tf.placeholder(f32, [7, None, 5]))) == [None, 7, 3, 5]
    assert shape_of(apply_op("BatchMatMulV2", [tf.placeholder(f32), tf.zeros([2, 2])])) is None
    with pytest.raises(ValueError, match=r"Dimensions must be equal.*\(2, 3, 4\), \(2, 5, 6\)"):
        tf.matmul(tf.zeros([2, 3, 4]), tf.zeros([2, 5, 6]))
    with pytest.raises(ValueError, match=r"Batch dimensions.*\(2, 3, 4\).*\(5, 4, 6\)"):
        tf.matmul(tf.zeros([2, 3, 4]), tf.zeros([5, 4, 6]))
    with pytest.raises(ValueError, match="at least rank 2"):
        apply_op("BatchMatMulV2", [tf.zeros([3]), tf.zeros([2, 3, 4])])


def test_batch_matmul_gradient_with_dynamic_batch_shapes():
    a = tf.placeholder(tf.float64, [None, 3, 4])
    b = tf.placeholder(tf.float64, [None, 4, 2])  # batch may broadcast: decided at run time
    ga, gb = tf.gradients(tf.reduce_sum(tf.matmul(a, b)), [a, b])
    x, y = RNG.randn(5, 3, 4), RNG.randn(1, 4, 2)
    got_a, got_b = run([ga, gb], {a: x, b: y})
    np.testing.assert_allclose(got_a, np.broadcast_to(y.sum(-1)[:, None, :], x.shape))
    np.testing.assert_allclose(got_b, np.broadcast_to(x.sum((0, 1))[:, None], y.shape))


# -- einsum and tensordot --------------------------------------------------------------------------
EINSUM_CASES = [
    ("ij,jk->ik", (2, 3), (3, 4)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("ij,jk", (2, 3), (3, 4)), ("ij->ji", (2, 3), None), ("ij->", (2, 3), None),
    ("ij->j", (2, 3), None), ("i,j->ij", (3,), (4,)), ("ij,ij->i", (2, 3), (2, 3)),
    ("bij,jk->bki", (2, 3, 4), (4, 5)), ("ij,k->k", (2, 3), (4,)), ("i,i->", (3,), (3,)),
    ("abc,cd->dba", (2, 3, 4), (4, 2)),
]


@pytest.mark.parametrize("eq, sa, sb", EINSUM_CASES)
def test_einsum_reference_shapes_and_gradients(eq, sa, sb):
    operands = [RNG.randn(*s).astype(np.float32) for s in (sa, sb) if s is not None]
    y = tf.einsum(eq, *[tf.constant(o) for o in operands])
    assert y.op.type == "Einsum" and y.op.name == "einsum"
    ref = np.einsum(eq, *[o.astype(np.float64) for o in operands])
    out = run(y)
    assert np.asarray(out).dtype == np.float32 and tuple(y.shape.as_list()) == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    check_gradients(lambda *ts: tf.einsum(eq, *ts), *operands)
    check_gradients(lambda *ts: tf.einsum(eq, *ts), *operands, order=2)


def test_einsum_partial_shapes_and_errors():
    f32 = tf.float32
    y = tf.einsum("bij,jk->bik", tf.placeholder(f32, [None, 3, None]), tf.placeholder(f32, [4, 5]))
    assert shape_of(y) == [None, 3, 5]
    assert shape_of(tf.einsum("ij,jk->ik", tf.placeholder(f32), tf.zeros([3, 5]))) == [None, 5]
    assert shape_of(tf.einsum("ij,jk->ik", tf.placeholder(f32), tf.placeholder(f32))) == \
        [None, None]
    x = RNG.randn(6, 3, 4).astype(np.float32)
    p = tf.placeholder(f32, [None, 3, 4])
    np.testing.assert_allclose(run(tf.einsum("bij->bj", p), {p: x}), x.sum(1), rtol=1e-5)
    with pytest.raises(ValueError, match=r"index 'j' has size 3.*4"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([4, 5]))
    with pytest.raises(ValueError, match=r"rank 2.*'ijk'"):
        tf.einsum("ijk,k->i", tf.zeros([2, 3]), tf.zeros([3]))
    for eq, err in [("ii->i", "diagonals"), ("...ij,jk->...ik", "ellipsis"),
                    ("ij,jk,kl->il", "1 or 2"), ("ij->k", "appears in no input")]:
        n = 3 if eq.count(",") == 2 else (2 if "," in eq else 1)
        with pytest.raises(ValueError, match=err):
            tf.einsum(eq, *[tf.zeros([2, 2])] * n)


@pytest.mark.parametrize("axes, sb", [(1, (3, 5)), (2, (2, 3, 5)), (0, (2,)),
                                      ([[2], [0]], (3, 5)), ([[0, 2], [1, 0]], (3, 4)),
                                      ([[-1, 1], [0, 1]], (3, 2, 7))])
def test_tensordot(axes, sb):
    a = RNG.randn(4, 2, 3).astype(np.float32)
    b = RNG.randn(*sb).astype(np.float32)
    np_axes = axes if isinstance(axes, int) else [[i % 3 for i in axes[0]], axes[1]]
    ref = np.tensordot(a.astype(np.float64), b, np_axes)
    y = tf.tensordot(a, b, axes)
    assert y.op.name == "Tensordot" and tuple(y.shape.as_list()) == ref.shape
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    p = tf.placeholder(tf.float32, [None, 2, 3])  # partially known: one Einsum op
    z = tf.tensordot(p, b, axes)
    assert z.op.type == "Einsum" and z.shape.is_compatible_with(ref.shape)
    assert z.shape.num_elements() is None or 0 in np.atleast_1d(np_axes)[0:1].ravel()
    np.testing.assert_allclose(run(z, {p: a}), ref, rtol=1e-5, atol=1e-5)
    check_gradients(lambda s, t: tf.tensordot(s, t, axes), a, b)


def test_tensordot_builds_matmul_and_rejects_bad_axes():
    y = tf.tensordot(tf.zeros([4, 3]), tf.zeros([3, 5]), 1)
    assert y.op.inputs[0].op.type == "MatMul"
    with pytest.raises(ValueError, match="size 3.*size 4"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([4, 5]), 1)
    with pytest.raises(ValueError, match="length 2"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 5]), [[1], [0], [0]])
    with pytest.raises(ValueError, match="Different number"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 5]), [[1], [0, 1]])
    with pytest.raises(ValueError, match="larger"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 5]), 3)


# -- cumsum ----------------------------------------------------------------------------------------
def _np_cumsum(x, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis)
    if exclusive:
        out = out - x
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum(exclusive, reverse, axis):
    x = RNG.randn(3, 4).astype(np.float32)
    p = tf.placeholder(tf.float32, [None, 4])
    y = tf.cumsum(p, axis, exclusive=exclusive, reverse=reverse)
    assert y.op.type == "Cumsum" and y.op.name == "Cumsum" and shape_of(y) == [None, 4]
    out = run(y, {p: x})
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, _np_cumsum(x.astype(np.float64), axis, exclusive, reverse),
                               rtol=1e-5, atol=1e-6)
    fn = lambda t: tf.cumsum(t * t, axis, exclusive=exclusive, reverse=reverse)  # noqa: E731
    check_gradients(fn, x.astype(np.float64))
    check_gradients(fn, x.astype(np.float64), order=2)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod(exclusive, reverse):
    x = RNG.uniform(0.5, 1.5, (3, 4)).astype(np.float32)
    y = tf.cumprod(tf.placeholder_with_default(x, [None, 4]), 1, exclusive, reverse)
    assert y.op.type == "Cumprod" and y.op.name == "Cumprod" and y.shape.as_list() == [None, 4]
    flipped = np.flip(x, 1) if reverse else x
    ref = np.cumprod(flipped.astype(np.float64), 1)
    if exclusive:
        ref = np.concatenate([np.ones((3, 1)), ref[:, :-1]], 1)
    ref = np.flip(ref, 1) if reverse else ref
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5)
    assert run(tf.cumprod([1, 2, 3, 4], exclusive=True)).tolist() == [1, 1, 2, 6]
    assert tf.cumprod(tf.placeholder(tf.float32)).shape.ndims is None
    fn = lambda t: tf.cumprod(t, 0, exclusive, reverse)  # noqa: E731
    check_gradients(fn, x.astype(np.float64).T)
    check_gradients(fn, x.astype(np.float64).T, order=2)


def test_accumulate_n():
    a = tf.placeholder(tf.float32, [None, 2])
    s = tf.accumulate_n([a, a, tf.ones([3, 2])], shape=[3, 2])
    assert s.shape.as_list() == [3, 2]
    np.testing.assert_allclose(run(s, {a: np.ones((3, 2))}), 3 * np.ones((3, 2)))
    with pytest.raises(TypeError, match="dtype"):
        tf.accumulate_n([a], tensor_dtype=tf.float64)


def test_cumsum_integers_shapes_and_errors():
    assert run(tf.cumsum([1, 2, 3], exclusive=True)).tolist() == [0, 1, 3]
    assert shape_of(tf.cumsum(tf.placeholder(tf.float32), 0)) is None
    assert shape_of(tf.cumsum(tf.zeros([2, 3]), tf.placeholder(tf.int32, []))) == [2, 3]
    with pytest.raises(ValueError, match=r"axis 2 out of range.*\(2, 3\)"):
        tf.cumsum(tf.zeros([2, 3]), 2)


# -- Python operators ------------------------------------------------------------------------------
def test_python_operators_with_mixed_operands():
    x_val = np.array([[1.5, -2.0], [3.0, 4.5]], dtype=np.float32)
    x = tf.constant(x_val)
    n = np.array([2.0, 3.0], dtype=np.float32)
    cases = [
        (x // 2, x_val // 2), (7.0 // x, 7.0 // x_val), (x % 2, x_val % 2),
        (5.0 % x, 5.0 % x_val), (x ** 2, x_val ** 2), (2 ** x, 2 ** x_val),
        (n ** x, n ** x_val), (x / n, x_val / n), (n - x, n - x_val), (abs(x), np.abs(x_val)),
        (-x, -x_val), (x @ x_val, x_val @ x_val), (x_val @ x, x_val @ x_val),
    ]
    outs = run([c[0] for c in cases])
    for out, (t, ref) in zip(outs, cases):
        assert t.dtype == tf.float32 and out.dtype == np.float32
        np.testing.assert_allclose(out, ref, rtol=1e-6)
    assert (x // 2).op.name.startswith("floordiv") and (x % 2).op.type == "FloorMod"
    assert (x ** 2).op.type == "Pow" and abs(x).op.type == "Abs"
    b = x > 0
    logic = run([b & (x < 4), b | False, b ^ True, ~b, x >= 1.5, x <= n])
    np.testing.assert_array_equal(logic[0], (x_val > 0) & (x_val < 4))
    np.testing.assert_array_equal(logic[1], x_val > 0)
    np.testing.assert_array_equal(logic[2], ~(x_val > 0))
    np.testing.assert_array_equal(logic[3], ~(x_val > 0))
    np.testing.assert_array_equal(logic[4], x_val >= 1.5)
    np.testing.assert_array_equal(logic[5], x_val <= n)
    assert (x < 3).op.name.startswith("Less")


def test_tensor_truth_value_is_an_error():
    x = tf.constant([1.0])
    with pytest.raises(TypeError, match="bool"):
        if x > 0:
            pass
    with pytest.raises(TypeError, match="bool"):
        bool(tf.equal(x, x))


# -- namespaces ------------------------------------------------------------------------------------
def test_math_and_linalg_namespaces():
    assert tf.math.exp is tf.exp and tf.math.reduce_mean is tf.reduce_mean
    assert tf.math.floormod is tf.mod and tf.math.sigmoid is tf.sigmoid
    assert tf.linalg.matmul is tf.matmul and tf.linalg.einsum is tf.einsum
    m = RNG.randn(2, 3, 3).astype(np.float32)
    v = RNG.randn(2, 3).astype(np.float32)
    tr, mv, nrm = run([tf.linalg.trace(m), tf.linalg.matvec(m, v), tf.norm(m[0])])
    np.testing.assert_allclose(tr, np.trace(m, axis1=1, axis2=2), rtol=1e-5)
    np.testing.assert_allclose(mv, np.einsum("bij,bj->bi", m, v), rtol=1e-5)
    np.testing.assert_allclose(nrm, np.linalg.norm(m[0]), rtol=1e-5)


@pytest.mark.parametrize("ord_, axis", [("euclidean", None), (1, None), (np.inf, 1), (3, 0),
                                        ("fro", [0, 1]), (1, [0, 1]), (np.inf, [0, 1]),
                                        (2, -1)])
def test_norm(ord_, axis):
    x = RNG.randn(3, 4)
    y = tf.norm(x, ord=ord_, axis=axis, keepdims=True)
    if axis is None:
        ref = np.linalg.norm(x.reshape(-1), 2 if ord_ == "euclidean" else ord_).reshape(1, 1)
    elif isinstance(axis, list):
        ref = np.linalg.norm(x, "fro" if ord_ == "fro" else ord_, axis=tuple(axis), keepdims=True)
    else:
        ref = np.linalg.norm(x, ord_, axis=axis, keepdims=True)
    out = run(y)
    assert out.shape == ref.shape == tuple(y.shape.as_list())
    np.testing.assert_allclose(out, ref, rtol=1e-10)
    check_gradients(lambda t: tf.norm(t, ord=ord_, axis=axis), x)
    with pytest.raises(ValueError, match="ord"):
        tf.norm(x, ord=2, axis=[0, 1])


def test_norm_squeezes_reduced_axes_like_tf1():
    # TF1 reduces with keepdims=True and squeezes: the result is "norm/Squeeze" (parity audit)
    x = RNG.randn(2, 3, 4).astype(np.float32)
    full = tf.norm(x)
    rows = tf.norm(x, ord=1, axis=-1)
    mats = tf.norm(x, axis=[1, 2])
    assert full.name == "norm/Squeeze:0" and full.shape.as_list() == []
    assert rows.name == "norm_1/Squeeze:0" and rows.shape.as_list() == [2, 3]
    assert mats.shape.as_list() == [2]
    assert tf.norm(x, axis=1, keepdims=True).shape.as_list() == [2, 1, 4]
    out = run([full, rows, mats])
    np.testing.assert_allclose(out[0], np.linalg.norm(x), rtol=1e-5)
    np.testing.assert_allclose(out[1], np.abs(x).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(out[2], np.linalg.norm(x, axis=(1, 2)), rtol=1e-5)
