"""Parity: math and array ops (values, static shapes, dtypes, default names, gradients).

Run with the reference virtualenv: ``/opt/tfref/bin/python tools/parity/check_math_array.py``.
"""
import numpy as np

from harness import Report, check, main_guard

R = np.random.RandomState(0)
A = R.randn(3, 4).astype(np.float32)
B = R.randn(4).astype(np.float32)
C = R.randn(2, 3, 4).astype(np.float32)
NEG = np.array([-7, -6, -1, 0, 1, 6, 7], np.int32)
HALVES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.49], np.float32)


def weighted_sum(tf, y):
    """A scalar that depends on every element of y with different weights (for gradients)."""
    w = np.linspace(0.5, 1.5, int(np.prod(y.shape.as_list())) or 1).astype(
        y.dtype.as_numpy_dtype).reshape(y.shape.as_list())
    return tf.reduce_sum(y * w)


def with_grad(tf, y, xs):
    return tf.gradients(weighted_sum(tf, y), xs)


def run(report):
    # --- broadcasting arithmetic and gradients through broadcasts -----------------------------
    def bcast(tf):
        a = tf.constant(A)
        b = tf.constant(B)
        c = tf.constant(C)
        y = a * b + c - b / (tf.abs(a) + 1.0)
        return {"y": y, "g": with_grad(tf, y, [a, b, c]),
                "sq": tf.squared_difference(a, b), "pow": tf.pow(tf.abs(a) + 0.5, b)}
    check(report, "broadcast arithmetic", bcast)

    def pow_grad(tf):
        x = tf.constant(np.array([0.5, 1.0, 2.0], np.float32))
        e = tf.constant(np.array([2.0, 0.0, -1.0], np.float32))
        y = tf.pow(x, e)
        return {"y": y, "g": with_grad(tf, y, [x, e])}
    check(report, "pow grad", pow_grad)

    def pow_zero_base(tf):
        x = tf.constant(np.array([0.0, 0.0, 2.0], np.float32))
        e = tf.constant(np.array([2.0, 0.5, 3.0], np.float32))
        y = tf.pow(x, e)
        return {"y": y, "g": with_grad(tf, y, [x, e])}
    check(report, "pow zero base grad", pow_zero_base)

    # --- integer division / mod with negatives ------------------------------------------------
    def intdiv(tf):
        x = tf.constant(NEG)
        out = {}
        for d in (3, -3):
            out["floordiv%d" % d] = tf.floordiv(x, d)
            out["floormod%d" % d] = tf.floormod(x, d)
            out["mod%d" % d] = tf.mod(x, d)
            out["truncdiv%d" % d] = tf.truncatediv(x, d)
            out["truncmod%d" % d] = tf.truncatemod(x, d)
            out["div%d" % d] = tf.div(x, d)
            out["truediv%d" % d] = tf.truediv(x, d)
            out["op//%d" % d] = x // d
            out["op%%%d" % d] = x % d
            out["op/%d" % d] = x / d
        return out
    check(report, "int division/mod negatives", intdiv)

    def floatdiv(tf):
        x = tf.constant(np.array([-7.5, -1.0, 0.0, 1.0, 7.5], np.float32))
        return {"floordiv": tf.floordiv(x, 2.0), "floormod": tf.floormod(x, -2.0),
                "div": tf.div(x, 2.0), "realdiv": tf.realdiv(x, 2.0),
                "div_no_nan": tf.div_no_nan(x, tf.constant(np.array([0, 1, 0, 2, 4], np.float32))),
                "g": with_grad(tf, tf.floormod(x, 2.0), [x])}
    check(report, "float floordiv/floormod", floatdiv)

    def int64_div(tf):
        x = tf.constant(np.array([-7, 7], np.int64))
        return {"fd": x // 2, "fm": x % -2, "td": x / 2}
    check(report, "int64 division", int64_div)

    # --- rounding ----------------------------------------------------------------------------
    def rounding(tf):
        x = tf.constant(HALVES)
        return {"round": tf.round(x),
                "floor": tf.floor(x), "ceil": tf.ceil(x), "sign": tf.sign(x)}
    check(report, "round half-even", rounding)

    # --- reductions ----------------------------------------------------------------------------
    def int_mean(tf):
        x = tf.constant(np.array([[1, 2], [4, 4]], np.int32))
        neg = tf.constant(np.array([-3, -4], np.int32))
        return {"mean": tf.reduce_mean(x), "mean0": tf.reduce_mean(x, 0),
                "mean1": tf.reduce_mean(x, axis=1), "neg": tf.reduce_mean(neg),
                "sum": tf.reduce_sum(x), "prod": tf.reduce_prod(x, -1)}
    check(report, "int mean (truncating)", int_mean)

    def reductions(tf):
        c = tf.constant(C)
        out = {}
        for name in ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                     "reduce_logsumexp"):
            f = getattr(tf, name)
            out[name + "_kd"] = f(c, axis=[-1, 0], keepdims=True)
            out[name + "_neg"] = f(c, axis=-2)
            out[name + "_all"] = f(c)
            out[name + "_g"] = with_grad(tf, f(c, axis=-1, keepdims=True), [c])
        out["std"] = tf.math.reduce_std(c, axis=1) if hasattr(tf.math, "reduce_std") else c
        out["var"] = tf.math.reduce_variance(c, axis=1) if hasattr(tf.math,
                                                                     "reduce_variance") else c
        return out
    check(report, "reductions keepdims/negative axes", reductions)

    def reductions_ph(tf):
        x = tf.placeholder(tf.float32, [None, 3, 4])
        return ({"sum1": tf.reduce_sum(x, 1), "kd": tf.reduce_mean(x, [0, 2], keepdims=True),
                 "all": tf.reduce_max(x), "keep_dims": tf.reduce_sum(x, 2, keep_dims=True)},
                {x: C})
    check(report, "reductions on placeholder [None,3,4]", reductions_ph)

    def reduce_ties(tf):
        x = tf.constant(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]], np.float32))
        return {"max_g": with_grad(tf, tf.reduce_max(x, 1), [x]),
                "min_g": with_grad(tf, tf.reduce_min(x, 0), [x]),
                "maximum_g": tf.gradients(tf.reduce_sum(tf.maximum(x, 2.0)), [x]),
                "minimum_g": tf.gradients(tf.reduce_sum(tf.minimum(x, 2.0)), [x])}
    check(report, "max/min ties in gradients", reduce_ties)

    def bool_reduce(tf):
        x = tf.constant(np.array([[True, False], [True, True]]))
        y = tf.constant(np.array([[0, 1.5], [0, 0]], np.float32))
        return {"all": tf.reduce_all(x, 1), "any": tf.reduce_any(x, 0),
                "cnz": tf.count_nonzero(y), "cnz1": tf.count_nonzero(y, axis=1)}
    check(report, "boolean reductions, count_nonzero", bool_reduce)

    # --- argmax ties ------------------------------------------------------------------------
    def argmax(tf):
        x = tf.constant(np.array([[1, 3, 3], [2, 2, 1], [0, 0, 0]], np.float32))
        return {"amax": tf.argmax(x, 1), "amax0": tf.argmax(x, axis=0),
                "amin": tf.argmin(x, 1), "amax_default": tf.argmax(x),
                "amax32": tf.argmax(x, 1, output_type=tf.int32),
                "dim": tf.argmax(x, dimension=1)}
    check(report, "argmax/argmin ties", argmax)

    # (argmax over NaN is not compared: TF's Eigen reducer gives order-dependent answers.)

    # --- where ------------------------------------------------------------------------------
    def where(tf):
        cond = tf.constant(np.array([[True, False], [False, True]]))
        a = tf.constant(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
        b = tf.constant(np.array([[10.0, 20.0], [30.0, 40.0]], np.float32))
        y = tf.where(cond, a, b)
        v = tf.constant(np.array([True, False]))
        yv = tf.where(v, a, b)    # TF1 rank-1 condition selects rows
        return {"w1": tf.where(cond), "w3": y, "rows": yv, "g": with_grad(tf, y, [a, b]),
                "w_num": tf.where(tf.constant(np.array([0, 2, 0, 3])) > 0)}
    check(report, "where 1-arg/3-arg/row select", where)

    def where_v2(tf):
        cond = tf.constant(np.array([True, False, True]))
        a = tf.constant(np.array([[1.0], [2.0]], np.float32))
        return {"bc": tf.where_v2(cond, a, 0.0)}
    check(report, "where_v2 broadcasting", where_v2)

    # --- gather / gather_nd / one_hot ------------------------------------------------------
    def gather(tf):
        p = tf.constant(C)
        idx = tf.constant(np.array([[2, 0], [1, 1]], np.int32))
        g0 = tf.gather(p, tf.constant(np.array([1, 0, 1])))
        g1 = tf.gather(p, idx, axis=2)
        gn = tf.gather_nd(p, tf.constant(np.array([[0, 1], [1, 2]], np.int64)))
        gn2 = tf.gather_nd(p, tf.constant(np.array([[[0, 1, 3]], [[1, 0, 0]]])))
        return {"g0": g0, "g1": g1, "gn": gn, "gn2": gn2,
                "dg0": with_grad(tf, g0, [p]), "dg1": with_grad(tf, g1, [p]),
                "dgn": with_grad(tf, gn, [p])}
    check(report, "gather/gather_nd", gather)

    def gather_batch_dims(tf):
        p = tf.constant(C)
        idx = tf.constant(np.array([[0, 2], [1, 1]], np.int32))
        return {"bd": tf.gather(p, idx, axis=1, batch_dims=1)}
    check(report, "gather batch_dims", gather_batch_dims)

    def one_hot(tf):
        i = tf.constant(np.array([[0, 2], [-1, 5]], np.int32))
        return {"oh": tf.one_hot(i, 3), "oh_ax0": tf.one_hot(i, 3, axis=0),
                "oh_vals": tf.one_hot(i, 3, on_value=5.0, off_value=-1.0),
                "oh_int": tf.one_hot(i, 4, dtype=tf.int32),
                "oh_onint": tf.one_hot(i, 2, on_value=7, off_value=1)}
    check(report, "one_hot (negative/out-of-range, axis)", one_hot)

    # --- pad / tile / split / strided slices -----------------------------------------------
    def pads(tf):
        x = tf.constant(A)
        out = {}
        for mode in ("CONSTANT", "REFLECT", "SYMMETRIC"):
            y = tf.pad(x, [[1, 2], [2, 1]], mode=mode)
            out[mode] = y
            out[mode + "_g"] = with_grad(tf, y, [x])
        out["lower"] = tf.pad(x, [[0, 1], [1, 0]], mode="reflect")
        out["cval"] = tf.pad(x, [[1, 0], [0, 0]], constant_values=3.5)
        return out
    check(report, "pad modes + gradients", pads)

    def tile_split(tf):
        x = tf.constant(C)
        t = tf.tile(x, [2, 1, 3])
        s = tf.split(x, 2, axis=-1)
        sv = tf.split(x, [1, -1], 1)
        return {"tile": t, "tile_g": with_grad(tf, t, [x]), "s": s, "sv": sv,
                "s_g": tf.gradients(tf.reduce_sum(s[1] * 2.0), [x]),
                "unstack": tf.unstack(x, axis=1), "stack": tf.stack([x, x], axis=-1),
                "concat": tf.concat([x, x], -2)}
    check(report, "tile/split/stack/concat", tile_split)

    def strided(tf):
        x = tf.constant(C)
        out = {
            "a": x[:, 1:, ::2], "b": x[..., -1], "c": x[::-1, tf.newaxis, 1],
            "d": x[0, :, 3:0:-2], "e": x[-1:, ..., 1:3],
            "f": tf.strided_slice(x, [0, 1, 0], [2, 3, 4], [1, 1, 2], begin_mask=1,
                                  end_mask=4, shrink_axis_mask=2),
            "g": tf.strided_slice(x, [0, 0], [1, 2], [1, 1], ellipsis_mask=1),
            "h": tf.strided_slice(x, [1, 0, 0], [2, 0, 0], [1, 1, 1], new_axis_mask=2,
                                  shrink_axis_mask=1),
            "i": x[5:10], "j": x[:, -10:10],
        }
        out["a_g"] = with_grad(tf, out["a"], [x])
        out["c_g"] = with_grad(tf, out["c"], [x])
        return out
    check(report, "strided_slice masks", strided)

    def strided_ph(tf):
        x = tf.placeholder(tf.float32, [None, 3, 4])
        return ({"a": x[:, 1], "b": x[1:, :2], "c": x[..., ::-1], "d": x[:, None, 2:]}, {x: C})
    check(report, "strided_slice on None dims", strided_ph)

    def slices(tf):
        x = tf.constant(C)
        return {"slice": tf.slice(x, [1, 0, 1], [-1, 2, 2]),
                "rev": tf.reverse(x, [1, -1]),
                "tr": tf.transpose(x), "tr2": tf.transpose(x, [2, 0, 1]),
                "rs": tf.reshape(x, [-1, 6]), "sq": tf.squeeze(tf.reshape(x, [1, 2, 1, 12])),
                "sq_ax": tf.squeeze(tf.reshape(x, [1, 2, 1, 12]), axis=[2]),
                "ed": tf.expand_dims(x, -1)}
    check(report, "slice/reverse/transpose/reshape", slices)

    # --- boolean_mask / sequence_mask -------------------------------------------------------
    def bmask(tf):
        x = tf.constant(C)
        m2 = tf.constant(np.array([[True, False, True], [False, False, True]]))
        m1 = tf.constant(np.array([False, True]))
        y = tf.boolean_mask(x, m2)
        return {"m2": y, "m1": tf.boolean_mask(x, m1),
                "ax": tf.boolean_mask(x, tf.constant(np.array([True, False, True])), axis=1),
                "g": tf.gradients(tf.reduce_sum(y * 3.0), [x])}
    check(report, "boolean_mask", bmask)

    def seqmask(tf):
        lens = tf.constant(np.array([0, 2, 5], np.int32))
        return {"m": tf.sequence_mask(lens, 4), "auto": tf.sequence_mask(lens),
                "f": tf.sequence_mask(lens, 3, dtype=tf.float32),
                "2d": tf.sequence_mask(tf.constant(np.array([[1, 3], [0, 2]])), 3)}
    check(report, "sequence_mask", seqmask)

    # --- top_k ties -------------------------------------------------------------------------
    def topk(tf):
        x = tf.constant(np.array([[1, 3, 3, 2, 3], [5, 5, 5, 5, 5]], np.float32))
        v, i = tf.nn.top_k(x, 3)
        vs, iu = tf.nn.top_k(x, 2, sorted=True)
        return {"v": v, "i": i, "vs": vs, "iu": iu, "g": with_grad(tf, v, [x]),
                "in_top_k": tf.nn.in_top_k(x, tf.constant(np.array([3, 4], np.int32)), 2)}
    check(report, "top_k / in_top_k ties", topk)

    # --- cumsum / cumprod -------------------------------------------------------------------
    def cums(tf):
        x = tf.constant(A)
        out = {}
        for ex in (False, True):
            for rv in (False, True):
                k = "cumsum_e%d_r%d" % (ex, rv)
                out[k] = tf.cumsum(x, axis=1, exclusive=ex, reverse=rv)
                out[k + "_g"] = with_grad(tf, out[k], [x])
                k2 = "cumprod_e%d_r%d" % (ex, rv)
                out[k2] = tf.cumprod(x, axis=-1, exclusive=ex, reverse=rv)
        out["cumsum_default"] = tf.cumsum(x)
        return out
    check(report, "cumsum/cumprod exclusive/reverse", cums)

    # --- einsum / tensordot / matmul --------------------------------------------------------
    def contractions(tf):
        a = tf.constant(C)
        b = tf.constant(np.random.randn(4, 5).astype(np.float32))
        c = tf.constant(np.random.randn(2, 4, 3).astype(np.float32))
        e1 = tf.einsum("bij,jk->bik", a, b)
        e2 = tf.einsum("bij,bjk->bik", a, c)
        e3 = tf.einsum("ij->ji", tf.constant(A))
        e4 = tf.einsum("bij->b", a)
        td = tf.tensordot(a, b, axes=1)
        td2 = tf.tensordot(a, c, axes=[[1, 2], [2, 1]])
        td0 = tf.tensordot(tf.constant(B), tf.constant(B), 0)
        mm = tf.matmul(a, c)
        mmt = tf.matmul(tf.constant(A), tf.constant(A), transpose_b=True)
        return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "td": td, "td2": td2, "td0": td0,
                "mm": mm, "mmt": mmt,
                "g_e2": with_grad(tf, e2, [a, c]), "g_td2": with_grad(tf, td2, [a, c]),
                "g_mm": with_grad(tf, mm, [a, c])}
    # names: TF 2.x builds einsum/tensordot differently from 1.15 (not compared)
    check(report, "einsum/tensordot/matmul", contractions, rtol=1e-4, atol=1e-5, names=False)

    def matmul_ph(tf):
        x = tf.placeholder(tf.float32, [None, 4])
        w = tf.constant(np.random.randn(4, 2).astype(np.float32))
        td = tf.tensordot(tf.placeholder_with_default(C, [None, 3, 4]), w, 1)
        return ({"mm": tf.matmul(x, w), "td": td}, {x: A})
    check(report, "matmul/tensordot static shapes with None", matmul_ph, rtol=1e-4)

    # --- clip ops ---------------------------------------------------------------------------
    def clips(tf):
        x = tf.constant(A * 3)
        y = tf.constant(B)
        cv = tf.clip_by_value(x, -1.0, 2.0)
        cn = tf.clip_by_norm(x, 1.5)
        cn_ax = tf.clip_by_norm(x, 1.0, axes=[1])
        (g1, g2), gn = tf.clip_by_global_norm([x, y], 2.0)
        avg = tf.clip_by_average_norm(x, 0.1)
        return {"cv": cv, "cn": cn, "cn_ax": cn_ax, "g1": g1, "g2": g2, "gn": gn,
                "gnorm": tf.global_norm([x, y]), "avg": avg,
                "cv_g": with_grad(tf, cv, [x]), "cn_g": with_grad(tf, cn, [x]),
                "cv_int": tf.clip_by_value(tf.constant(NEG), -2, 3)}
    check(report, "clip ops", clips)

    def clip_edge(tf):
        x = tf.constant(np.array([1.0, -1.0, 2.0], np.float32))
        cv = tf.clip_by_value(x, 1.0, 1.5)   # boundary ties
        return {"cv": cv, "g": with_grad(tf, cv, [x]),
                "zero_norm": tf.clip_by_norm(tf.zeros([3]), 1.0),
                "zero_global": tf.clip_by_global_norm([tf.zeros([2])], 1.0)[0]}
    check(report, "clip boundary ties and zero norms", clip_edge)

    # --- misc math --------------------------------------------------------------------------
    def unary(tf):
        x = tf.constant(np.array([0.2, 0.5, 0.9], np.float32))
        out = {}
        for name in ("exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square", "reciprocal",
                     "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                     "asinh", "atanh", "erf", "sigmoid", "negative", "abs", "log_sigmoid"):
            f = getattr(tf, name, None) or getattr(tf.math, name)
            y = f(x)
            out[name] = y
            out[name + "_g"] = with_grad(tf, y, [x])
        out["acosh"] = tf.acosh(x + 1.0)
        out["atan2"] = tf.atan2(x, x - 0.5)
        return out
    check(report, "unary math + gradients", unary, rtol=1e-5, atol=1e-6)

    def int_unary(tf):
        x = tf.constant(NEG)
        return {"abs": tf.abs(x), "neg": -x, "square": tf.square(x), "sign": tf.sign(x),
                "max": tf.maximum(x, 0), "eq": tf.equal(x, 1), "pow": tf.pow(x, 2),
                "cast_f": tf.cast(x, tf.float32), "cast_b": tf.cast(x, tf.bool)}
    check(report, "int ops / casts", int_unary)

    def casts(tf):
        x = tf.constant(np.array([-1.7, -0.5, 0.5, 1.5, 2.7, 300.0], np.float32))
        return {"i32": tf.cast(x, tf.int32), "u8": tf.cast(tf.constant(
                    np.array([-1.7, 0.5, 1.5, 2.7], np.float32)), tf.uint8),
                "b": tf.cast(x, tf.bool), "f16": tf.cast(x, tf.float16),
                "to_int64": tf.to_int64(x), "g": tf.gradients(tf.reduce_sum(
                    tf.cast(x, tf.float64) * 2.0), [x])}
    check(report, "casts (truncation toward zero)", casts)

    def logical(tf):
        a = tf.constant(np.array([True, True, False, False]))
        b = tf.constant(np.array([True, False, True, False]))
        return {"and": tf.logical_and(a, b), "or": tf.logical_or(a, b),
                "xor": tf.logical_xor(a, b), "not": tf.logical_not(a),
                "op_and": a & b, "op_or": a | b, "op_not": ~a}
    check(report, "logical ops", logical)

    def comparisons(tf):
        a = tf.constant(A)
        b = tf.constant(B)
        return {"lt": a < b, "le": a <= 0.0, "gt": tf.greater(a, b), "ge": tf.greater_equal(a, b),
                "eq": tf.equal(a, a), "ne": tf.not_equal(a, b)}
    check(report, "comparisons broadcast", comparisons)

    def creation(tf):
        return {"range": tf.range(5), "range2": tf.range(1, 10, 3), "rangef": tf.range(0.0, 1.0,
                                                                                       0.25),
                "rangeneg": tf.range(5, 0, -2), "lin": tf.lin_space(0.0, 1.0, 5),
                "linspace": tf.linspace(-1.0, 1.0, 3),
                "zeros": tf.zeros([2, 3]), "ones_int": tf.ones([2], tf.int32),
                "fill": tf.fill([2, 2], 7), "eye": tf.eye(3, 2), "eye_b": tf.eye(2, batch_shape=[2]),
                "zl": tf.zeros_like(tf.constant(NEG)), "ol": tf.ones_like(tf.constant(A)),
                "const_b": tf.constant(3, shape=[2, 2]), "const_l": tf.constant([1.5, 2]),
                "const_int": tf.constant([1, 2]), "const_f64": tf.constant(np.float64(1.0)),
                "diag": tf.diag(tf.constant(B)), "meshx": tf.meshgrid(tf.range(3), tf.range(2))[0],
                "bt": tf.broadcast_to(tf.constant(B), [2, 4])}
    # linspace / eye: TF 2.x rewrote them in Python (1.15 used LinSpace / MatrixDiag ops,
    # which is what tfone names); those two names are not compared.
    check(report, "creation ops", creation,
          names={"range", "range2", "rangef", "rangeneg", "zeros", "ones_int", "fill", "zl",
                 "ol", "const_b", "const_l", "const_int", "const_f64", "diag", "meshx", "bt"})

    def segment(tf):
        data = tf.constant(A)
        ids = tf.constant(np.array([1, 0, 1], np.int32))
        y = tf.unsorted_segment_sum(data, ids, 3)
        return {"uss": y, "g": with_grad(tf, y, [data])}
    check(report, "unsorted_segment_sum", segment)

    def matrix(tf):
        x = tf.constant(np.random.randn(2, 3, 3).astype(np.float32))
        return {"band": tf.matrix_band_part(x, 1, 0), "dp": tf.matrix_diag_part(x),
                "sd": tf.matrix_set_diag(x, tf.ones([2, 3])), "md": tf.matrix_diag(tf.ones([2, 2])),
                "mt": tf.matrix_transpose(x), "norm": tf.norm(x), "norm1": tf.norm(x, ord=1,
                                                                                 axis=-1),
                "norm_g": tf.gradients(tf.norm(x), [x]),
                "eucl": tf.norm(x, axis=[-2, -1])}
    # matrix_diag & co: TF 2.x's Python wrappers default to name="diag"/"diag_part"/"set_diag";
    # 1.15 used the op names tfone uses - not compared.
    check(report, "matrix ops, norm", matrix, rtol=1e-5,
          names={"band", "mt", "norm", "norm1", "eucl"})

    def scalar_ops(tf):
        x = tf.constant(A)
        return {"add_n": tf.add_n([x, x, x]), "accum": tf.accumulate_n([x, x]),
                "scalar_mul": tf.scalar_mul(2.0, x), "sd": tf.stop_gradient(x),
                "g_sd": tf.gradients(tf.reduce_sum(tf.stop_gradient(x) * x), [x]),
                "rank": tf.rank(x), "size": tf.size(x), "shape": tf.shape(x),
                "shape64": tf.shape(x, out_type=tf.int64), "shape_n": tf.shape_n([x, x])}
    check(report, "add_n/scalar_mul/shape/rank/size", scalar_ops)

    def invperm(tf):
        return {"invperm": tf.invert_permutation(tf.constant(np.array([2, 0, 3, 1], np.int32)))}
    check(report, "invert_permutation", invperm)

    def reverse_sequence(tf):
        x = tf.constant(C)
        y = tf.reverse_sequence(x, tf.constant(np.array([2, 3], np.int64)), seq_axis=1,
                                batch_axis=0)
        return {"y": y, "g": with_grad(tf, y, [x])}
    check(report, "reverse_sequence", reverse_sequence)

    def scatter(tf):
        idx = tf.constant(np.array([[0], [2], [0]], np.int32))
        upd = tf.constant(np.array([1.0, 2.0, 3.0], np.float32))
        y = tf.scatter_nd(idx, upd, [4])
        return {"y": y, "g": with_grad(tf, y, [upd])}
    check(report, "scatter_nd duplicates", scatter)

    def nan_inf(tf):
        x = tf.constant(np.array([np.nan, np.inf, -np.inf, 1.0], np.float32))
        return {"isnan": tf.is_nan(x), "isinf": tf.is_inf(x), "isfin": tf.is_finite(x),
                "max_nan": tf.maximum(x, 0.0), "min_nan": tf.minimum(x, 0.0),
                "sum": tf.reduce_sum(x), "max": tf.reduce_max(x)}
    check(report, "nan/inf handling", nan_inf)

    def operators(tf):
        x = tf.constant(A)
        i = tf.constant(NEG)
        return {"radd": 1 + x, "rsub": 1 - x, "rmul": 2 * x, "rdiv": 1 / (x + 10),
                "rpow": 2 ** x, "pow": x ** 2, "neg": -x, "abs": abs(x), "matmul": x @ tf.transpose(x),
                "rfloordiv": 7 // (i + 10), "rmod": 7 % (i + 10), "int_truediv": i / 2,
                "int_div_int": i / i}
    check(report, "python operators", operators)

    def names(tf):
        x = tf.constant(A, name="x")
        with tf.name_scope("scope"):
            y = tf.add(x, 1.0)
            z = x * 2.0
            m = tf.reduce_mean(z)
            mm = tf.matmul(x, x, transpose_a=True)
        w = x + 1
        return {"y": y, "z": z, "m": m, "mm": mm, "w": w, "w2": x + 2, "s": x[1:],
                "neg": -x, "sig": tf.sigmoid(x), "id": tf.identity(x), "cast": tf.cast(x, tf.int32),
                "mean_named": tf.reduce_mean(x, name="avg"), "argmax": tf.argmax(x, 1),
                "cumsum": tf.cumsum(x), "concat": tf.concat([x, x], 0), "stack": tf.stack([x]),
                "oh": tf.one_hot([1], 3), "g": tf.gradients(tf.reduce_sum(x * x), [x]),
                "pad": tf.pad(x, [[1, 1], [0, 0]]), "clip": tf.clip_by_value(x, 0.0, 1.0),
                "sqdiff": tf.squared_difference(x, 1.0), "where": tf.where(x > 0, x, -x),
                "tile": tf.tile(x, [1, 2]), "squeeze": tf.squeeze(tf.expand_dims(x, 0))}
    check(report, "default op names", names)

    def overflow_int(tf):
        x = tf.constant(np.array([2 ** 31 - 1], np.int32))
        return {"add": x + 1, "u8": tf.constant(np.array([250], np.uint8)) + tf.constant(
            np.array([10], np.uint8))}
    check(report, "integer overflow wraps", overflow_int)


if __name__ == "__main__":
    rep = Report("math/array ops")
    run(rep)
    main_guard(rep)
