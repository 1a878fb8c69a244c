"""Linear algebra ops: numpy references (batched, float32 kept), static shapes, gradients."""
import numpy as np
import pytest

import tfone as tf
from tfone.test import check_gradients

REFERENCE_CHECKED = {"MatrixInverse", "MatrixDeterminant", "LogMatrixDeterminant", "Cholesky",
                     "MatrixSolve", "MatrixTriangularSolve", "SelfAdjointEigV2", "Svd"}
SHAPE_CHECKED = set(REFERENCE_CHECKED)
GRADIENT_CHECKED = set(REFERENCE_CHECKED)

RNG = np.random.RandomState(7)
A = (RNG.randn(2, 3, 3) + 3 * np.eye(3)).astype(np.float32)      # well conditioned
B = RNG.randn(2, 3, 4).astype(np.float32)
SPD = (A @ np.swapaxes(A, -1, -2) + np.eye(3)).astype(np.float32)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def shape_of(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


def symmetric(x):
    """A symmetric positive-definite matrix made from any square x (gradients must see a
    symmetric perturbation, as the ops read one triangle only)."""
    n = x.shape.as_list()[-1]
    return tf.matmul(x, x, transpose_b=True) + n * tf.eye(n, dtype=x.dtype)


def test_inverse_and_determinants_match_numpy():
    a = tf.constant(A)
    inverse, det = tf.matrix_inverse(a), tf.matrix_determinant(a)
    sign, logabs = tf.linalg.slogdet(a)
    assert inverse.dtype == tf.float32 and inverse.op.name == "MatrixInverse"
    values = run([inverse, tf.linalg.inv(a, adjoint=True), det, sign, logabs])
    np.testing.assert_allclose(values[0], np.linalg.inv(A), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(values[1], np.linalg.inv(np.swapaxes(A, -1, -2)), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(values[2], np.linalg.det(A), rtol=1e-4)
    ref_sign, ref_log = np.linalg.slogdet(A)
    np.testing.assert_allclose(values[3], ref_sign)
    np.testing.assert_allclose(values[4], ref_log, rtol=1e-5)
    assert values[2].dtype == np.float32 and values[4].dtype == np.float32
    np.testing.assert_allclose(run(tf.linalg.logdet(SPD)), np.linalg.slogdet(SPD)[1], rtol=1e-5)
    np.testing.assert_allclose(run(tf.linalg.det(A[0].astype(np.float64))), np.linalg.det(A[0]),
                               rtol=1e-5)


def test_cholesky_and_solves_match_numpy():
    chol = run(tf.cholesky(SPD))
    np.testing.assert_allclose(chol, np.linalg.cholesky(SPD), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run(tf.matrix_solve(A, B)), np.linalg.solve(A, B), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(run(tf.linalg.solve(A, B, adjoint=True)),
                               np.linalg.solve(np.swapaxes(A, -1, -2), B), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run(tf.matrix_triangular_solve(A, B)),
                               np.linalg.solve(np.tril(A), B), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run(tf.linalg.triangular_solve(A, B, lower=False, adjoint=True)),
                               np.linalg.solve(np.swapaxes(np.triu(A), -1, -2), B), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(run(tf.cholesky_solve(np.linalg.cholesky(SPD), B)),
                               np.linalg.solve(SPD, B), rtol=1e-4, atol=1e-5)


def test_least_squares():
    x, y = RNG.randn(6, 3), RNG.randn(6, 2)
    np.testing.assert_allclose(run(tf.matrix_solve_ls(x, y)), np.linalg.lstsq(x, y, rcond=None)[0],
                               rtol=1e-6)
    ridge = np.linalg.solve(x.T @ x + 0.5 * np.eye(3), x.T @ y)
    np.testing.assert_allclose(run(tf.linalg.lstsq(x, y, l2_regularizer=0.5)), ridge, rtol=1e-6)
    wide = RNG.randn(2, 4)
    np.testing.assert_allclose(run(tf.linalg.lstsq(wide, y[:2])),
                               np.linalg.pinv(wide) @ y[:2], rtol=1e-6)
    with pytest.raises(ValueError, match="fast=False"):
        tf.matrix_solve_ls(x, y, fast=False)


def test_eigh_and_svd_match_numpy():
    e, v = tf.self_adjoint_eig(SPD)
    values, vectors = run([e, v])
    np.testing.assert_allclose(values, np.linalg.eigvalsh(SPD), rtol=1e-5)
    np.testing.assert_allclose(vectors @ (values[..., None] * np.swapaxes(vectors, -1, -2)), SPD,
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(tf.linalg.eigvalsh(SPD)), np.linalg.eigvalsh(SPD), rtol=1e-5)
    s, u, v = tf.svd(B)
    s_val, u_val, v_val = run([s, u, v])
    np.testing.assert_allclose(s_val, np.linalg.svd(B, compute_uv=False), rtol=1e-5)
    np.testing.assert_allclose(u_val @ (s_val[..., None] * np.swapaxes(v_val, -1, -2)), B,
                               atol=1e-5)
    only_s = tf.linalg.svd(B, compute_uv=False)
    assert isinstance(only_s, tf.Tensor)
    np.testing.assert_allclose(run(only_s), s_val, rtol=1e-6)
    full = run(tf.svd(B, full_matrices=True))
    assert full[1].shape == (2, 3, 3) and full[2].shape == (2, 4, 4)


def test_run_time_errors_use_tf1_messages():
    singular = np.ones((2, 2), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        run(tf.matrix_inverse(singular))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not "
                                                             "successful"):
        run(tf.cholesky(-np.eye(2, dtype=np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        run(tf.matrix_solve(singular, np.ones((2, 1), np.float32)))


def test_static_shapes():
    p = tf.placeholder(tf.float32, [None, 4, 4])
    assert shape_of(tf.matrix_inverse(p)) == [None, 4, 4]
    assert shape_of(tf.matrix_determinant(p)) == [None]
    assert [shape_of(t) for t in tf.linalg.slogdet(p)] == [[None], [None]]
    assert shape_of(tf.cholesky(p)) == [None, 4, 4]
    assert shape_of(tf.matrix_solve(p, tf.placeholder(tf.float32, [None, 4, 2]))) == [None, 4, 2]
    assert shape_of(tf.matrix_triangular_solve(tf.placeholder(tf.float32, [3, 3]),
                                               tf.placeholder(tf.float32, [3, None]))) == [3, None]
    e, v = tf.self_adjoint_eig(p)
    assert shape_of(e) == [None, 4] and shape_of(v) == [None, 4, 4]
    s, u, v = tf.svd(tf.placeholder(tf.float32, [5, 3, 2]))
    assert (shape_of(s), shape_of(u), shape_of(v)) == ([5, 2], [5, 3, 2], [5, 2, 2])
    s, u, v = tf.svd(tf.placeholder(tf.float32, [3, 2]), full_matrices=True)
    assert (shape_of(s), shape_of(u), shape_of(v)) == ([2], [3, 3], [2, 2])
    assert shape_of(tf.svd(tf.placeholder(tf.float32, [None, 3]), compute_uv=False)) == [None]
    unknown = tf.placeholder(tf.float32)
    assert shape_of(tf.matrix_inverse(unknown)) is None
    assert shape_of(tf.matrix_determinant(unknown)) is None
    assert shape_of(tf.self_adjoint_eig(unknown)[0]) is None
    with pytest.raises(ValueError, match="must be square"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.cholesky(tf.zeros([3]))
    with pytest.raises(ValueError, match="same number of rows"):
        tf.matrix_solve(tf.zeros([3, 3]), tf.zeros([2, 1]))
    with pytest.raises(TypeError, match="floating-point"):
        tf.matrix_determinant(tf.zeros([2, 2], tf.int32))


@pytest.mark.parametrize("name", ["inv", "inv_adjoint", "det", "slogdet", "solve",
                                  "solve_adjoint", "triangular", "triangular_upper_adjoint"])
def test_gradients_of_general_matrices(name):
    a = RNG.randn(2, 3, 3) + 3 * np.eye(3)
    b = RNG.randn(2, 3, 2)
    fns = {
        "inv": lambda x, y: tf.matrix_inverse(x),
        "inv_adjoint": lambda x, y: tf.matrix_inverse(x, adjoint=True),
        "det": lambda x, y: tf.matrix_determinant(x),
        "slogdet": lambda x, y: tf.linalg.slogdet(x)[1],
        "solve": lambda x, y: tf.matrix_solve(x, y),
        "solve_adjoint": lambda x, y: tf.matrix_solve(x, y, adjoint=True),
        "triangular": lambda x, y: tf.matrix_triangular_solve(x, y),
        "triangular_upper_adjoint": lambda x, y: tf.matrix_triangular_solve(x, y, lower=False,
                                                                            adjoint=True),
    }
    fn = fns[name]
    if name in ("inv", "inv_adjoint", "det", "slogdet"):
        check_gradients(lambda x: fn(x, tf.zeros([2, 3, 2], tf.float64)), a)
        check_gradients(lambda x: fn(x, tf.zeros([2, 3, 2], tf.float64)), a, order=2)
    else:
        check_gradients(fn, a, b)


def test_gradients_of_symmetric_positive_definite_inputs():
    x = RNG.randn(3, 3)
    check_gradients(lambda x: tf.cholesky(symmetric(x)), x)
    check_gradients(lambda x: tf.cholesky(symmetric(x)), x, order=2)
    check_gradients(lambda x: tf.linalg.logdet(symmetric(x)), x)
    check_gradients(lambda x: tf.linalg.eigvalsh(symmetric(x)), x)
    # Eigenvectors are defined up to sign: differentiate sign-free functions of them.
    check_gradients(lambda x: tf.abs(tf.self_adjoint_eig(symmetric(x))[1]), x)
    check_gradients(lambda x, y: tf.linalg.lstsq(x, y, l2_regularizer=0.1), RNG.randn(5, 3),
                    RNG.randn(5, 2))


@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (3, 3), (2, 3, 4)])
def test_svd_gradients(shape):
    x = RNG.randn(*shape)
    check_gradients(lambda x: tf.svd(x, compute_uv=False), x)
    # u and v are defined up to a common sign per singular vector: use |u|, |v| and s.
    check_gradients(lambda x: [tf.abs(t) for t in tf.svd(x)][0] + tf.reduce_sum(
        tf.abs(tf.svd(x)[1])) + tf.reduce_sum(tf.abs(tf.svd(x)[2])), x)
