"""``tf.linalg``: matrix products, einsum/tensordot, norms, matrix helpers, inverses,
determinants, decompositions (Cholesky, QR, eigh, SVD) and solvers."""
from tfone.ops.math_ops import matmul, tensordot, einsum, norm  # noqa: F401
from tfone.ops.array_ops import (  # noqa: F401
    matrix_transpose, matrix_diag as diag, matrix_diag_part as diag_part,
    matrix_set_diag as set_diag, eye)
from tfone.ops.array_ops import matrix_band_part as band_part  # noqa: F401
from tfone.ops.init_ops import qr  # noqa: F401
from tfone.ops.linalg_ops import (  # noqa: F401
    inv, det, slogdet, logdet, cholesky, solve, triangular_solve, cholesky_solve, lstsq, eigh,
    eigvalsh, svd)
from tfone.ops import array_ops as _array_ops
from tfone.ops import math_ops as _math_ops

transpose = matrix_transpose


def adjoint(matrix, name=None):
    """Conjugate transpose of the last two axes."""
    from tfone.framework.graph import name_scope
    with name_scope(name, "adjoint", [matrix]):
        return matrix_transpose(matrix, conjugate=True)


def trace(x, name=None):
    """Sum of the main diagonal of the last two axes."""
    from tfone.framework.graph import name_scope
    with name_scope(name, "Trace", [x]) as scope:
        return _math_ops.reduce_sum(_array_ops.matrix_diag_part(x), [-1], name=scope)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Matrix times vector(s): a [..., M, N] @ b [..., N] -> [..., M]."""
    from tfone.framework.graph import name_scope
    with name_scope(name, "MatVec", [a, b]):
        product = _math_ops.matmul(a, _array_ops.expand_dims(b, -1), transpose_a=transpose_a,
                                   adjoint_a=adjoint_a)
        return _array_ops.squeeze(product, -1)
