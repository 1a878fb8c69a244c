"""Linear algebra on (batches of) matrices: inverse, determinants, Cholesky, solves, eigh, SVD.

Every op works on the last two axes and treats leading axes as a batch, as TF1 does; kernels
are numpy.linalg (float16 is computed in float32). Gradients are TF1's formulas written with
ordinary ops, so they can be differentiated again. Singular or non-positive-definite inputs
raise InvalidArgumentError at run time with TF1's message.
"""
import numpy as np

from tfone import errors
from tfone.framework.graph import name_scope
from tfone.framework.op_registry import OpDef, register_op, apply_op, convert_to_tensor
from tfone.ops import array_ops, math_ops

__all__ = ["matrix_inverse", "matrix_determinant", "log_matrix_determinant", "cholesky",
           "matrix_solve", "matrix_triangular_solve", "cholesky_solve", "matrix_solve_ls",
           "self_adjoint_eig", "self_adjoint_eigvals", "svd", "logdet", "inv", "det", "slogdet",
           "solve", "triangular_solve", "lstsq", "eigh", "eigvalsh"]

_FLOATS = "float32|float64|float16|complex64|complex128"


def _matrix_dims(op_type, t, square=True, name="input"):
    """(batch dims, rows, cols) of a matrix-valued tensor, or None for unknown rank."""
    dims = t.shape.as_tuple()
    if dims is None:
        return None
    if len(dims) < 2:
        raise ValueError("%s needs a matrix or a batch of matrices (rank >= 2) for '%s', got "
                         "shape %s" % (op_type, name, t.shape))
    *batch, m, n = dims
    if square and m is not None and n is not None and m != n:
        raise ValueError("Input matrix must be square: %s of %s has shape %s"
                         % (name, op_type, t.shape))
    return list(batch), m, n


def _lapack(a):
    """numpy.linalg has no float16: compute those in float32."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def _adjoint(a):
    return np.conj(np.swapaxes(a, -1, -2)) if np.iscomplexobj(a) else np.swapaxes(a, -1, -2)


def _t_adjoint(t):
    return array_ops.matrix_transpose(t, conjugate=True)


def _safe_reciprocal(x, epsilon=1e-20):
    return x * math_ops.reciprocal(x * x + epsilon)


def _identity_like(matrix):
    """The identity, batched like ``matrix`` (square), built without static shapes."""
    return array_ops.matrix_diag(array_ops.ones_like(array_ops.matrix_diag_part(matrix)))


# -- inverse and determinants --------------------------------------------------------------------
@register_op("MatrixInverse")
class MatrixInverse(OpDef):
    """The inverse of each square matrix (of its adjoint with ``adjoint=True``)."""
    inputs = ("input:T",)
    attrs = {"adjoint": False}
    label = "inv"

    def infer(self, input, adjoint):
        _check_float(self.type, input)
        _matrix_dims(self.type, input)
        return input.dtype, input.shape

    def compute(self, input, adjoint):
        a = _lapack(input)
        if adjoint:
            a = _adjoint(a)
        try:
            return np.linalg.inv(a).astype(input.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, None, "Input is not invertible.") from None

    def gradient(self, op, grad):
        inverse = op.outputs[0]
        adjoint = op.get_attr("adjoint")
        return [-math_ops.matmul(inverse, math_ops.matmul(grad, inverse, adjoint_a=adjoint,
                                                          adjoint_b=not adjoint),
                                 adjoint_a=not adjoint)]


def matrix_inverse(input, adjoint=False, name=None):
    """The inverse of each square matrix in ``input`` [..., M, M] (``adjoint=True``: of its
    conjugate transpose). InvalidArgumentError at run time if a matrix is singular."""
    return apply_op("MatrixInverse", [input], {"adjoint": bool(adjoint)}, name=name)


@register_op("MatrixDeterminant")
class MatrixDeterminant(OpDef):
    """The determinant of each square matrix: [..., M, M] -> [...]."""
    inputs = ("input:T",)
    label = "det"

    def infer(self, input):
        _check_float(self.type, input)
        dims = _matrix_dims(self.type, input)
        return input.dtype, None if dims is None else dims[0]

    def compute(self, input):
        return np.asarray(np.linalg.det(_lapack(input)), dtype=input.dtype)

    def gradient(self, op, grad):
        # d det(A) / dA = det(A) * inv(A)^H
        a, det = op.inputs[0], op.outputs[0]
        multipliers = array_ops.expand_dims(array_ops.expand_dims(grad * det, -1), -1)
        return [multipliers * matrix_inverse(a, adjoint=True)]


def matrix_determinant(input, name=None):
    """The determinant of each square matrix in ``input`` ([..., M, M] -> [...])."""
    return apply_op("MatrixDeterminant", [input], name=name)


@register_op("LogMatrixDeterminant")
class LogMatrixDeterminant(OpDef):
    """(sign, log |det|) of each square matrix, without overflow for large matrices."""
    inputs = ("input:T",)
    num_outputs = 2
    label = "slogdet"

    def infer(self, input):
        _check_float(self.type, input)
        dims = _matrix_dims(self.type, input)
        shape = None if dims is None else dims[0]
        return [(input.dtype, shape), (input.dtype, shape)]

    def compute(self, input):
        sign, logdet = np.linalg.slogdet(_lapack(input))
        return (np.asarray(sign, dtype=input.dtype),
                np.asarray(logdet, dtype=input.dtype))

    def gradient(self, op, grad_sign, grad_logdet):
        # d log|det A| / dA = inv(A)^H; the sign is piecewise constant.
        multipliers = array_ops.expand_dims(array_ops.expand_dims(grad_logdet, -1), -1)
        return [multipliers * matrix_inverse(op.inputs[0], adjoint=True)]


def log_matrix_determinant(input, name=None):
    """(sign, log_abs_determinant) of each square matrix in ``input`` ([..., M, M] -> [...])."""
    return tuple(apply_op("LogMatrixDeterminant", [input], name=name))


def slogdet(input, name=None):
    """(sign, log_abs_determinant) of each square matrix (tf.linalg.slogdet)."""
    return log_matrix_determinant(input, name=name)


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive-definite matrices, via the Cholesky factor:
    2 * sum(log(diag(cholesky(matrix))))."""
    with name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        if chol.dtype.is_complex:
            raise TypeError("tfone's logdet supports real matrices only, got %s" % chol.dtype.name)
        return 2.0 * math_ops.reduce_sum(math_ops.log(array_ops.matrix_diag_part(chol)),
                                         axis=[-1])


# -- Cholesky and solves -------------------------------------------------------------------------
@register_op("Cholesky")
class Cholesky(OpDef):
    """The lower-triangular L with L L^H = input, for each Hermitian positive-definite matrix
    (only the lower triangle of the input is read)."""
    inputs = ("input:T",)
    label = "cholesky"

    def infer(self, input):
        _check_float(self.type, input)
        _matrix_dims(self.type, input)
        return input.dtype, input.shape

    def compute(self, input):
        try:
            return np.linalg.cholesky(_lapack(input)).astype(input.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(
                None, None, "Cholesky decomposition was not successful. The input might not be "
                "valid (it must be symmetric/Hermitian positive definite).") from None

    def gradient(self, op, grad):
        # TF1's formula (Murray 2016, "Differentiation of the Cholesky decomposition").
        l = op.outputs[0]
        l_inverse = matrix_triangular_solve(l, _identity_like(l))
        middle = math_ops.matmul(l, grad, adjoint_a=True)
        middle = array_ops.matrix_set_diag(middle, 0.5 * array_ops.matrix_diag_part(middle))
        middle = array_ops.matrix_band_part(middle, -1, 0)
        grad_a = math_ops.matmul(math_ops.matmul(l_inverse, middle, adjoint_a=True), l_inverse)
        grad_a = grad_a + _t_adjoint(grad_a)
        return [grad_a * 0.5]


def cholesky(input, name=None):
    """The Cholesky factor L (lower triangular, L @ L^H = input) of each Hermitian
    positive-definite matrix in ``input`` [..., M, M]; only the lower triangle is read."""
    return apply_op("Cholesky", [input], name=name)


def _solve_shapes(op_type, matrix, rhs):
    a = _matrix_dims(op_type, matrix, name="matrix")
    b = _matrix_dims(op_type, rhs, square=False, name="rhs")
    if a is None or b is None:
        return None if b is None else rhs.shape
    if a[1] is not None and b[1] is not None and a[1] != b[1]:
        raise ValueError("%s: matrix %s and rhs %s must have the same number of rows"
                         % (op_type, matrix.shape, rhs.shape))
    if len(a[0]) != len(b[0]):
        raise ValueError("%s: matrix %s and rhs %s must have the same batch dimensions"
                         % (op_type, matrix.shape, rhs.shape))
    batch = []
    for x, y in zip(a[0], b[0]):
        if x is not None and y is not None and x != y:
            raise ValueError("%s: matrix %s and rhs %s must have the same batch dimensions"
                             % (op_type, matrix.shape, rhs.shape))
        batch.append(x if x is not None else y)
    rows = a[1] if a[1] is not None else a[2] if a[2] is not None else b[1]
    return batch + [rows, b[2]]


@register_op("MatrixSolve")
class MatrixSolve(OpDef):
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs with ``adjoint=True``), per batch."""
    inputs = ("matrix:T", "rhs:T")
    attrs = {"adjoint": False}
    label = "solve"

    def infer(self, matrix, rhs, adjoint):
        _check_float(self.type, matrix)
        return matrix.dtype, _solve_shapes(self.type, matrix, rhs)

    def compute(self, matrix, rhs, adjoint):
        a = _lapack(matrix)
        if adjoint:
            a = _adjoint(a)
        _check_batches(self.type, matrix, rhs)
        try:
            return np.linalg.solve(a, _lapack(rhs)).astype(rhs.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(None, None, "Input matrix is not invertible.") from None

    def gradient(self, op, grad):
        matrix, adjoint, x = op.inputs[0], op.get_attr("adjoint"), op.outputs[0]
        grad_rhs = matrix_solve(matrix, grad, adjoint=not adjoint)
        if adjoint:
            grad_matrix = -math_ops.matmul(x, grad_rhs, adjoint_b=True)
        else:
            grad_matrix = -math_ops.matmul(grad_rhs, x, adjoint_b=True)
        return [grad_matrix, grad_rhs]


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """The solution X of ``matrix @ X = rhs`` for each square matrix [..., M, M] and right-hand
    sides [..., M, K] (``adjoint=True`` solves with the conjugate transpose)."""
    return apply_op("MatrixSolve", [matrix, rhs], {"adjoint": bool(adjoint)}, name=name)


def _check_batches(op_type, matrix, rhs):
    if matrix.shape[:-2] != rhs.shape[:-2] or matrix.shape[-2] != rhs.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, "%s: matrix of shape %s and rhs of shape %s do not match (same batch "
            "dimensions and number of rows needed)" % (op_type, matrix.shape, rhs.shape))


@register_op("MatrixTriangularSolve")
class MatrixTriangularSolve(OpDef):
    """X with matrix @ X = rhs for triangular matrices (only the ``lower`` or upper triangle is
    read; ``adjoint=True`` solves with the conjugate transpose)."""
    inputs = ("matrix:T", "rhs:T")
    attrs = {"lower": True, "adjoint": False}
    label = "triangular_solve"

    def infer(self, matrix, rhs, lower, adjoint):
        _check_float(self.type, matrix)
        return matrix.dtype, _solve_shapes(self.type, matrix, rhs)

    def compute(self, matrix, rhs, lower, adjoint):
        _check_batches(self.type, matrix, rhs)
        a = _lapack(matrix)
        a = np.tril(a) if lower else np.triu(a)
        if adjoint:
            a = _adjoint(a)
        try:
            return np.linalg.solve(a, _lapack(rhs)).astype(rhs.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise errors.InvalidArgumentError(
                None, None, "Input matrix is not invertible (a zero on the diagonal of the "
                "triangular matrix).") from None

    def gradient(self, op, grad):
        matrix, x = op.inputs[0], op.outputs[0]
        lower, adjoint = op.get_attr("lower"), op.get_attr("adjoint")
        grad_rhs = matrix_triangular_solve(matrix, grad, lower=lower, adjoint=not adjoint)
        if adjoint:
            grad_matrix = -math_ops.matmul(x, grad_rhs, adjoint_b=True)
        else:
            grad_matrix = -math_ops.matmul(grad_rhs, x, adjoint_b=True)
        band = (-1, 0) if lower else (0, -1)
        return [array_ops.matrix_band_part(grad_matrix, *band), grad_rhs]


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """The solution X of ``matrix @ X = rhs`` for lower (or, ``lower=False``, upper) triangular
    matrices [..., M, M]; the other triangle of ``matrix`` is ignored."""
    return apply_op("MatrixTriangularSolve", [matrix, rhs],
                    {"lower": bool(lower), "adjoint": bool(adjoint)}, name=name)


def cholesky_solve(chol, rhs, name=None):
    """The solution X of ``A @ X = rhs`` given ``chol``, the Cholesky factor of A (two
    triangular solves)."""
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares solutions X of ``matrix @ X ≈ rhs`` (``matrix`` [..., M, N], ``rhs``
    [..., M, K]), with optional L2 (ridge) regularization.

    As TF1's ``fast=True`` path: the regularized normal equations solved with a Cholesky
    factorization (A^H A + l2 I when M >= N, else A^H (A A^H + l2 I)^-1 for the minimum-norm
    solution). TF1's ``fast=False`` (complete orthogonal decomposition, for rank-deficient
    matrices) is not available in tfone and raises ValueError.
    """
    if not fast:
        raise ValueError("matrix_solve_ls(fast=False) (TF1's complete orthogonal decomposition "
                         "for rank-deficient matrices) is not supported by tfone; use the "
                         "default fast=True (regularized normal equations with Cholesky)")
    with name_scope(name, "matrix_solve_ls", [matrix, rhs]):
        matrix = convert_to_tensor(matrix, name="matrix")
        rhs = convert_to_tensor(rhs, name="rhs", dtype_hint=matrix.dtype)
        dims = _matrix_dims("matrix_solve_ls", matrix, square=False, name="matrix")
        if dims is None or dims[1] is None or dims[2] is None:
            raise ValueError("matrix_solve_ls needs the number of rows and columns of matrix "
                             "to be known statically, got shape %s" % matrix.shape)
        m, n = dims[1], dims[2]
        l2 = math_ops.cast(l2_regularizer, matrix.dtype)
        if m >= n:
            gramian = math_ops.matmul(matrix, matrix, adjoint_a=True)
            gramian = gramian + l2 * _identity_like(gramian)
            return cholesky_solve(cholesky(gramian), math_ops.matmul(matrix, rhs, adjoint_a=True))
        gramian = math_ops.matmul(matrix, matrix, adjoint_b=True)
        gramian = gramian + l2 * _identity_like(gramian)
        return math_ops.matmul(matrix, cholesky_solve(cholesky(gramian), rhs), adjoint_a=True)


# -- eigendecomposition and SVD ------------------------------------------------------------------
@register_op("SelfAdjointEigV2")
class SelfAdjointEigV2(OpDef):
    """Eigenvalues (ascending) and eigenvectors (columns) of each self-adjoint matrix; only the
    lower triangle is read."""
    inputs = ("input:T",)
    attrs = {"compute_v": True}
    num_outputs = 2
    label = "eigh"

    def infer(self, input, compute_v):
        _check_float(self.type, input)
        dims = _matrix_dims(self.type, input)
        if dims is None:
            return [(input.dtype, None), (input.dtype, None)]
        batch, m, n = dims
        size = m if m is not None else n
        real = input.dtype.real_dtype if input.dtype.is_complex else input.dtype
        return [(real, batch + [size]), (input.dtype, batch + [size, size] if compute_v else [0])]

    def compute(self, input, compute_v):
        a = _lapack(input)
        if not compute_v:
            e = np.linalg.eigvalsh(a)
            return e.astype(_real_np(input.dtype), copy=False), np.zeros((0,), dtype=input.dtype)
        e, v = np.linalg.eigh(a)
        return e.astype(_real_np(input.dtype), copy=False), v.astype(input.dtype, copy=False)

    def gradient(self, op, grad_e, grad_v):
        # TF1's formula; the result is symmetrized onto the lower triangle, the part read.
        e = op.outputs[0]
        if op.inputs[0].dtype.is_complex:
            raise LookupError("tfone has no gradient for the eigendecomposition of complex "
                              "matrices (op %s)" % op.name)
        if op.get_attr("compute_v"):
            v = op.outputs[1]
            f = array_ops.matrix_set_diag(
                _safe_reciprocal(array_ops.expand_dims(e, -2) - array_ops.expand_dims(e, -1)),
                array_ops.zeros_like(e))
            inner = array_ops.matrix_diag(grad_e) + f * math_ops.matmul(v, grad_v, adjoint_a=True)
        else:
            _, v = self_adjoint_eig(op.inputs[0])
            inner = array_ops.matrix_diag(grad_e)
        grad_a = math_ops.matmul(v, math_ops.matmul(inner, v, adjoint_b=True))
        grad_a = array_ops.matrix_band_part(grad_a + _t_adjoint(grad_a), -1, 0)
        grad_a = array_ops.matrix_set_diag(grad_a, 0.5 * array_ops.matrix_diag_part(grad_a))
        return [grad_a]


def _real_np(np_dtype):
    return {np.dtype(np.complex64): np.float32,
            np.dtype(np.complex128): np.float64}.get(np.dtype(np_dtype), np_dtype)


def self_adjoint_eig(tensor, name=None):
    """(e, v): eigenvalues in ascending order [..., N] and eigenvectors as the columns of v
    [..., N, N] of each self-adjoint (symmetric/Hermitian) matrix; only the lower triangle is
    read."""
    e, v = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": True}, name=name)
    return e, v


def self_adjoint_eigvals(tensor, name=None):
    """The eigenvalues (ascending) of each self-adjoint matrix in ``tensor`` [..., N, N]."""
    e, _ = apply_op("SelfAdjointEigV2", [tensor], {"compute_v": False}, name=name)
    return e


@register_op("Svd")
class Svd(OpDef):
    """Singular values s (descending) and, with ``compute_uv``, u and v such that
    input = u @ diag(s) @ adjoint(v), for each matrix."""
    inputs = ("input:T",)
    attrs = {"compute_uv": True, "full_matrices": False}
    num_outputs = 3
    label = "svd"

    def infer(self, input, compute_uv, full_matrices):
        _check_float(self.type, input)
        dims = _matrix_dims(self.type, input, square=False)
        real = input.dtype.real_dtype if input.dtype.is_complex else input.dtype
        if dims is None:
            return [(real, None), (input.dtype, None), (input.dtype, None)]
        batch, m, n = dims
        p = None if m is None or n is None else min(m, n)
        if not compute_uv:
            return [(real, batch + [p]), (input.dtype, [0]), (input.dtype, [0])]
        u_cols, v_cols = (m, n) if full_matrices else (p, p)
        return [(real, batch + [p]), (input.dtype, batch + [m, u_cols]),
                (input.dtype, batch + [n, v_cols])]

    def compute(self, input, compute_uv, full_matrices):
        a = _lapack(input)
        real = _real_np(input.dtype)
        if not compute_uv:
            s = np.linalg.svd(a, compute_uv=False)
            empty = np.zeros((0,), dtype=input.dtype)
            return s.astype(real, copy=False), empty, empty
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        return (s.astype(real, copy=False), u.astype(input.dtype, copy=False),
                _adjoint(vh).astype(input.dtype, copy=False))

    def gradient(self, op, grad_s, grad_u, grad_v):
        return [_svd_gradient(op, grad_s, grad_u, grad_v)]


def _svd_gradient(op, grad_s, grad_u, grad_v):
    """TF1's SVD gradient (real and complex inputs with distinct singular values)."""
    a = op.inputs[0]
    if a.dtype.is_complex:
        raise LookupError("tfone has no gradient for the SVD of complex matrices (op %s)" % op.name)
    grad_s_mat = array_ops.matrix_diag(grad_s)
    if not op.get_attr("compute_uv"):
        s, u, v = svd(a, compute_uv=True)
        return math_ops.matmul(u, math_ops.matmul(grad_s_mat, v, adjoint_b=True))
    dims = a.shape.as_tuple()
    if dims is None or dims[-1] is None or dims[-2] is None:
        raise ValueError("The gradient of svd needs the matrix dimensions of %s to be known "
                         "statically, got shape %s" % (a.name, a.shape))
    m, n = dims[-2], dims[-1]
    full_matrices = op.get_attr("full_matrices")
    if full_matrices and abs(m - n) > 1:
        raise NotImplementedError("svd gradient has not been implemented for abs(m - n) > 1 if "
                                  "full_matrices is True (as in TF1)")
    s, u, v = op.outputs
    use_adjoint = m > n
    if use_adjoint:  # differentiate A^H = V S U^H, then take the adjoint of the result
        m, n = n, m
        u, v = v, u
        grad_u, grad_v = grad_v, grad_u
    s_mat = array_ops.matrix_diag(s)
    s2 = math_ops.square(s)
    f = array_ops.matrix_set_diag(
        _safe_reciprocal(array_ops.expand_dims(s2, -2) - array_ops.expand_dims(s2, -1)),
        array_ops.zeros_like(s))
    s_inv_mat = array_ops.matrix_diag(_safe_reciprocal(s))
    v1 = v[..., :, :m]
    grad_v1 = grad_v[..., :, :m]
    u_gu = math_ops.matmul(u, grad_u, adjoint_a=True)
    v_gv = math_ops.matmul(v1, grad_v1, adjoint_a=True)
    f_u = f * u_gu
    f_v = f * v_gv
    term1_nouv = (grad_s_mat + math_ops.matmul(f_u + _t_adjoint(f_u), s_mat) +
                  math_ops.matmul(s_mat, f_v + _t_adjoint(f_v)))
    term1 = math_ops.matmul(u, math_ops.matmul(term1_nouv, v1, adjoint_b=True))
    if m == n:
        grad_a = term1
    else:
        gv1t = _t_adjoint(grad_v1)
        gv1t_v1 = math_ops.matmul(gv1t, v1)
        term2_nous = gv1t - math_ops.matmul(gv1t_v1, v1, adjoint_b=True)
        if full_matrices:
            v2 = v[..., :, m:n]
            grad_v2 = grad_v[..., :, m:n]
            v1t_gv2 = math_ops.matmul(v1, grad_v2, adjoint_a=True)
            term2_nous = term2_nous - math_ops.matmul(v1t_gv2, v2, adjoint_b=True)
        u_s_inv = math_ops.matmul(u, s_inv_mat)
        grad_a = term1 + math_ops.matmul(u_s_inv, term2_nous)
    return _t_adjoint(grad_a) if use_adjoint else grad_a


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular value decomposition of each matrix in ``tensor`` [..., M, N]: ``s`` (descending)
    if not ``compute_uv``, else ``(s, u, v)`` with tensor = u @ diag(s) @ adjoint(v) (note: v,
    not its adjoint, as TF1 returns it)."""
    s, u, v = apply_op("Svd", [tensor], {"compute_uv": bool(compute_uv),
                                         "full_matrices": bool(full_matrices)}, name=name)
    return (s, u, v) if compute_uv else s


def _check_float(op_type, t):
    if not (t.dtype.is_floating or t.dtype.is_complex):
        raise TypeError("%s needs a floating-point or complex matrix, got %s (use tf.cast)"
                        % (op_type, t.dtype.name))


# tf.linalg names
inv = matrix_inverse
det = matrix_determinant
solve = matrix_solve
triangular_solve = matrix_triangular_solve
lstsq = matrix_solve_ls
eigh = self_adjoint_eig
eigvalsh = self_adjoint_eigvals
