"""Debugging and summary ops: Print, StringFormat, PrintV2, CheckNumerics, Assert and the
summary ops (whose outputs are decoded back from the Summary protocol buffer here; event files
are tested in tests/test_summary.py).

Print and CheckNumerics are identities whose gradient passes through (TF1); the others have
no gradient (NOT_DIFFERENTIABLE), which the registry test checks.
"""
import io
import sys
import wave

import numpy as np
import pytest

import tfone as tf
from tfone.ops import logging_ops
from tfone.test import check_gradients

summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")

SUMMARY_OPS = {"ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2",
               "TensorSummaryV2", "MergeSummary"}
REFERENCE_CHECKED = {"Print", "StringFormat", "PrintV2", "CheckNumerics", "Assert"} | SUMMARY_OPS
SHAPE_CHECKED = {"Print", "StringFormat", "PrintV2", "CheckNumerics", "Assert"} | SUMMARY_OPS
GRADIENT_CHECKED = {"Print", "CheckNumerics"}


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _summary(serialized):
    return summary_pb2.Summary.FromString(serialized)


# -- value formatting (TF1's Tensor::SummarizeValue) -----------------------------------------------
@pytest.mark.parametrize("value, summarize, expected", [
    (np.arange(5, dtype=np.int32), 3, "0 1 2..."),
    (np.arange(3, dtype=np.int32), 3, "0 1 2"),
    (np.array([[1, 2], [3, 4]]), 3, "[1 2][3...]..."),
    (np.array([[1, 2], [3, 4]]), -1, "[1 2][3 4]"),
    (np.float32(1 / 3), 3, "0.333333343"),   # %g with 6 digits unless that does not round-trip
    (np.float32(0.5), 3, "0.5"),
    (np.float64(0.1), 3, "0.1"),
    (np.float64(1 / 3), 3, "0.33333333333333331"),
    (np.float16(0.1), 3, "0.0999755859"),  # printed as the float it converts to
    (np.array([np.nan, np.inf, -np.inf], dtype=np.float32), 3, "nan inf -inf"),
    (np.array([True, False]), 3, "1 0"),
    (np.array([b"a\nb", b"c"], dtype=object), 3, "a\\nb c"),
])
def test_print_v1_format(value, summarize, expected):
    assert logging_ops.summarize_value(value, summarize) == expected


@pytest.mark.parametrize("value, summarize, expected", [
    (np.arange(10), 3, "[0 1 2 ... 7 8 9]"),
    (np.arange(6), 3, "[0 1 2 3 4 5]"),
    (np.arange(6).reshape(2, 3), 3, "[[0 1 2]\n [3 4 5]]"),
    (np.arange(24).reshape(2, 3, 4), 1,
     "[[[0 ... 3]\n  ...\n  [8 ... 11]]\n\n [[12 ... 15]\n  ...\n  [20 ... 23]]]"),
    (np.array([b"hi"], dtype=object), 3, '["hi"]'),
    (np.int64(7), 3, "7"),
    (np.arange(8), -1, "[0 1 2 3 4 5 6 7]"),
])
def test_print_v2_format(value, summarize, expected):
    assert logging_ops.summarize_value(value, summarize, print_v2=True) == expected


# -- tf.Print --------------------------------------------------------------------------------------
def test_print_is_identity_and_prints_message_and_data(capsys):
    x = tf.placeholder(tf.float32, [None])
    y = tf.Print(x, [x, tf.shape(x), "done"], message="x = ")
    assert y.op.type == "Print" and y.op.name == "Print"
    assert y.shape.as_list() == [None] and y.dtype == tf.float32
    out = _run(y * 2, {x: [1, 2, 3, 4]})
    np.testing.assert_array_equal(out, [2, 4, 6, 8])
    assert capsys.readouterr().err == "x = [1 2 3...][4][done]\n"


def test_print_first_n_counts_per_session(capsys):
    x = tf.constant([1.5])
    y = tf.Print(x, [x], "v", first_n=2, summarize=1)
    with tf.Session() as sess:
        for _ in range(4):
            sess.run(y)
        sess.run([y, tf.identity(y)])  # a different plan: the count is per session, not per plan
    assert capsys.readouterr().err == "v[1.5]\nv[1.5]\n"
    with tf.Session() as sess:
        sess.run(y)
    assert capsys.readouterr().err == "v[1.5]\n"


def test_print_needs_a_list_of_data():
    with pytest.raises(TypeError, match="Expected list for 'data'"):
        tf.Print(tf.constant(1.0), tf.constant(2.0))


def test_print_gradient_passes_through(capsys):
    check_gradients(lambda x: tf.Print(x, [x], "g") * x, np.random.randn(3, 2))
    x = tf.placeholder(tf.float32, [2])
    data = tf.placeholder(tf.float32, [2])
    gx, gdata = tf.gradients(tf.Print(x, [data]), [x, data])
    assert gdata is None
    np.testing.assert_array_equal(_run(gx, {x: [1, 2], data: [3, 4]}), [1, 1])


# -- tf.print (StringFormat + PrintV2) -------------------------------------------------------------
def test_print_v2_formats_structures_and_writes_to_stderr(capsys):
    x = tf.range(10)
    op = tf.print("x:", x, {"b": 3, "a": x * 2}, [x[0], "s"])
    assert op.type == "PrintV2" and op.name == "PrintV2"
    fmt = op.inputs[0].op
    assert fmt.type == "StringFormat"
    with tf.control_dependencies([op]):
        y = tf.identity(x)
    _run(y)
    assert capsys.readouterr().err == (
        "x: [0 1 2 ... 7 8 9] {'a': [0 2 4 ... 14 16 18], 'b': 3} [0, 's']\n")


def test_print_v2_options(capsys, tmp_path):
    x = tf.constant([[1.5, 2.0], [3.0, 4.25]])
    _run([tf.print(x, output_stream=sys.stdout, sep="|", end="!", summarize=-1),
          tf.print("a", "b", sep="-", name="p")])
    captured = capsys.readouterr()
    assert captured.out == "[[1.5 2]\n [3 4.25]]!"
    assert captured.err == "a-b\n"
    assert tf.get_default_graph().get_operation_by_name("p_format").type == "StringFormat"
    path = tmp_path / "log.txt"
    op = tf.print("hello", x[0, 0], output_stream="file://%s" % path)
    _run(op)
    _run(op)
    assert path.read_text() == "hello 1.5\nhello 1.5\n"


def test_print_v2_to_the_log(caplog):
    import logging
    caplog.set_level(logging.INFO, logger="tensorflow")
    op = tf.print("loss", tf.constant(0.5), output_stream=logging.warning)
    assert op.get_attr("output_stream") == "log(warning)"
    _run(op)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("tensorflow", logging.WARNING, "loss 0.5")]


def test_print_v2_single_string_tensor_is_printed_directly(capsys):
    s = tf.constant("just this")
    op = tf.print(s)
    assert op.inputs[0] is s
    _run(op)
    assert capsys.readouterr().err == "just this\n"


def test_print_v2_rejects_unknown_streams_and_kwargs():
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream=io.StringIO())
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        tf.print("x", colour="red")


def test_string_format_reference_and_static_checks():
    x = tf.constant([1, 2, 3])
    s = logging_ops.string_format("x={} y={}", [x, tf.constant(2.5)])
    assert s.dtype == tf.string and s.shape.as_list() == []
    assert _run(s) == b"x=[1 2 3] y=2.5"
    with pytest.raises(ValueError, match="num placeholders in template and num inputs must "
                                         "match: 2 vs. 1"):
        logging_ops.string_format("{} {}", [x])


def test_print_v2_shape_check():
    from tfone.framework.op_registry import apply_op
    with pytest.raises(ValueError, match="rank 0"):  # PrintV2 prints one string
        apply_op("PrintV2", [tf.constant(["a", "b"])])
    assert apply_op("PrintV2", [tf.placeholder(tf.string)]).outputs == []


# -- CheckNumerics ---------------------------------------------------------------------------------
def test_check_numerics_passes_finite_values_through():
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.check_numerics(x, "x is bad")
    assert y.op.type == "CheckNumerics" and y.shape.as_list() == [None, 2]
    value = np.array([[1, 2], [3, 1e38]], dtype=np.float32)  # the sum overflows, values do not
    out = _run(y, {x: value})
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, value)


@pytest.mark.parametrize("values, status", [([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"),
                                            ([np.nan, -np.inf], "Inf and NaN")])
def test_check_numerics_reports_status(values, status):
    x = tf.placeholder(tf.float64, [2])
    y = tf.check_numerics(x, "my message")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _run(y, {x: values})
    assert str(info.value).startswith("my message : Tensor had %s values" % status)
    assert info.value.op is y.op


def test_check_numerics_names_producer_op_and_line():
    a = tf.placeholder(tf.float32, [3])
    b = tf.placeholder(tf.float32, [3])
    ratio = tf.div(a, b, name="ratio"); producer_line = sys._getframe().f_lineno
    checked = tf.check_numerics(ratio, "ratio")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _run(checked, {a: [1, 0, 1], b: [1, 0, 2]})
    message = str(info.value)
    assert "produced by op 'ratio' (RealDiv)" in message
    assert "test_logging_ops.py:%d" % producer_line in message
    assert "tf.div(a, b, name=\"ratio\")" in message
    assert "1 of 3 values" in message


def test_check_numerics_static_checks():
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.check_numerics(tf.constant([1, 2]), "ints")
    y = tf.check_numerics([1.0, 2.0], "python floats become float32")
    assert y.dtype == tf.float32


def test_check_numerics_gradient():
    check_gradients(lambda x: tf.check_numerics(x * x, "m"), np.random.randn(2, 3))
    x = tf.placeholder(tf.float32, [2])
    (g,) = tf.gradients(tf.check_numerics(x, "fwd"), [x])
    # TF1 checks the gradient too, so a NaN flowing backwards is caught at this op as well.
    assert g.op.type == "CheckNumerics"
    assert g.op.get_attr("message") == ("Not a number (NaN) or infinity (Inf) values detected "
                                        "in gradient. fwd")


def test_add_check_numerics_ops_names_first_bad_op():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([1.0, 2.0], name="v")
    good = tf.multiply(x, v, name="good")
    logs = tf.log(good, name="logs"); bad_line = sys._getframe().f_lineno
    later = tf.multiply(logs, 2.0, name="later")  # NaN too, but only because logs is
    out = tf.reduce_sum(later, name="out")
    check = tf.add_check_numerics_ops()
    assert check.type == "NoOp"
    checked = {op.inputs[0].name for op in tf.get_default_graph().get_operations()
               if op.type == "CheckNumerics"}
    assert {"x:0", "good:0", "logs:0", "later:0", "out:0"} <= checked
    assert not {"v:0", "v/Assign:0"} & checked  # variables and assignments are not checked
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.isfinite(sess.run([out, check], {x: [1, 2]})[0])
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run([out, check], {x: [1, -2]})
        assert sess.run(v).tolist() == [1.0, 2.0]  # the checks did not re-run initializers
    message = str(info.value)
    assert message.startswith("logs:0 : Tensor had NaN values")
    assert "produced by op 'logs' (Log)" in message
    assert "test_logging_ops.py:%d" % bad_line in message


# -- Assert ----------------------------------------------------------------------------------------
def test_assert_op_passes_and_fails_with_data():
    flag = tf.placeholder(tf.bool, [])
    data = tf.constant([1, 2, 3, 4, 5])
    op = tf.Assert(flag, ["value:", data, 2.5], summarize=4)
    assert op.type == "Assert" and op.name == "Assert/Assert" and op.outputs == []
    with tf.Session() as sess:
        assert sess.run(op, {flag: True}) is None
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(op, {flag: False})
    message = str(info.value)
    assert message.startswith("assertion failed: [value:] [1 2 3 4...] [2.5]")
    assert "while running op 'Assert/Assert'" in message
    assert info.value.op is op


def test_assert_condition_shape_checks():
    with pytest.raises(ValueError, match="must be a scalar bool"):
        tf.Assert(tf.constant([True, False]), ["x"])
    cond = tf.placeholder(tf.bool, [None])
    op = tf.Assert(cond, ["x"])  # a length-1 vector is a legacy scalar, as in TF1
    with tf.Session() as sess:
        sess.run(op, {cond: [True]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="should be a scalar"):
            sess.run(op, {cond: [True, True]})
    with pytest.raises(TypeError, match="list"):
        tf.Assert(True, tf.constant(1))


# -- summary ops -----------------------------------------------------------------------------------
def test_scalar_summary_reference_and_names():
    x = tf.placeholder(tf.float32, [])
    s = tf.summary.scalar("loss", x)
    s2 = tf.summary.scalar("loss", x)
    with tf.name_scope("train"):
        s3 = tf.summary.scalar("acc rate", x, family="metrics")
    assert s.op.type == "ScalarSummary" and s.dtype == tf.string and s.shape.as_list() == []
    assert [t.op.name for t in (s, s2, s3)] == ["loss", "loss_1", "train/metrics/acc_rate"]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s, s2, s3]
    out = _run([s, s2, s3], {x: 0.25})
    values = [_summary(o).value[0] for o in out]
    assert [(v.tag, v.simple_value) for v in values] == [
        ("loss", 0.25), ("loss_1", 0.25), ("metrics/train/metrics/acc_rate", 0.25)]


def test_scalar_summary_with_int_values_and_vector_tags():
    from tfone.framework.op_registry import apply_op
    s = apply_op("ScalarSummary", [tf.constant(["a", "b"]), tf.constant([3, 4])])
    assert [(v.tag, v.simple_value) for v in _summary(_run(s)).value] == [("a", 3.0), ("b", 4.0)]


def test_scalar_summary_shape_checks():
    with pytest.raises(ValueError, match="tags and values not the same shape"):
        tf.summary.scalar("v", tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="bool"):
        tf.summary.scalar("v", tf.constant(True))
    x = tf.placeholder(tf.float32)  # unknown shape: checked when run
    s = tf.summary.scalar("v", x)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"tags and values not the same shape: \[\] != \[2\] \(tag 'v_2'\)"):
        _run(s, {x: [1.0, 2.0]})


def test_histogram_summary_reference():
    values = np.array([[-3.0, 0.0, 0.5], [0.5, 2.0, 1e-13]], dtype=np.float32)
    h = tf.summary.histogram("w", tf.constant(values))
    assert h.op.type == "HistogramSummary" and h.shape.as_list() == []
    value = _summary(_run(h)).value[0]
    histo = value.histo
    assert value.tag == "w"
    as64 = values.astype(np.float64)
    assert (histo.min, histo.max, histo.num) == (-3.0, 2.0, 6.0)
    assert histo.sum == pytest.approx(as64.sum())
    assert histo.sum_squares == pytest.approx((as64 ** 2).sum())
    limits, counts = np.array(histo.bucket_limit), np.array(histo.bucket)
    assert counts.sum() == 6 and np.all(np.diff(limits) > 0)
    assert not np.any((counts[:-1] == 0) & (counts[1:] == 0))  # empty runs are collapsed
    # each value lies in the bucket [previous limit, limit) holding it
    lower = np.concatenate([[-np.inf], limits[:-1]])
    for v in as64.reshape(-1):
        hit = (lower <= v) & (v < limits)
        assert counts[hit].sum() >= 1
    edges = tf.summary.encode.default_bucket_limits()  # TF1's: +-1e-12 * 1.1**k, 0, +-DBL_MAX
    middle = len(edges) // 2
    assert edges[middle] == 0.0 and edges[middle + 1] == 1e-12 and edges[middle - 1] == -1e-12
    assert edges[middle + 2] == 1e-12 * 1.1 and edges[-2] < 1e20 <= edges[-2] * 1.1
    assert edges[-1] == np.finfo(np.float64).max and np.all(edges == -edges[::-1])


def test_histogram_summary_rejects_nan():
    x = tf.placeholder(tf.float32, [2])
    h = tf.summary.histogram("weights", x)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Nan in summary histogram for: weights"):
        _run(h, {x: [1.0, np.nan]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in summary histogram"):
        _run(h, {x: [1.0, np.inf]})


def _png_pixels(encoded):
    image_module = pytest.importorskip("PIL.Image")
    return np.array(image_module.open(io.BytesIO(encoded)))


def test_image_summary_reference():
    images = np.zeros((3, 2, 2, 3), dtype=np.float32)
    images[0] = [[[0, 0.5, 1], [1, 1, 1]], [[0, 0, 0], [0.25, 0.25, 0.25]]]   # non-negative
    images[1] = [[[-1, 0, 1], [0.5, 0.5, 0.5]], [[0, 0, 0], [np.nan, 0, 0]]]  # signed, with NaN
    s = tf.summary.image("pics", tf.constant(images), max_outputs=2)
    assert s.op.type == "ImageSummary" and s.op.get_attr("max_images") == 2
    values = _summary(_run(s)).value
    assert [v.tag for v in values] == ["pics/image/0", "pics/image/1"]
    first, second = (_png_pixels(v.image.encoded_image_string) for v in values)
    assert (values[0].image.height, values[0].image.width, values[0].image.colorspace) == (2, 2, 3)
    np.testing.assert_array_equal(first, (images[0] * 255).astype(np.uint8))  # max -> 255
    expected = (np.nan_to_num(images[1]) * 127 + 128).astype(np.uint8)  # |max| -> 127 around 128
    expected[1, 1] = [255, 0, 0]  # a pixel with NaN gets the bad colour
    np.testing.assert_array_equal(second, expected)


def test_image_summary_uint8_gray_single_tag():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4, 1)
    s = tf.summary.image("g", tf.constant(images), max_outputs=1)
    (value,) = _summary(_run(s)).value
    assert value.tag == "g/image" and value.image.colorspace == 1
    np.testing.assert_array_equal(_png_pixels(value.image.encoded_image_string), images[0, :, :, 0])


def test_image_summary_shape_checks():
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4"):
        tf.summary.image("bad", tf.zeros([2, 3, 3]))
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4"):
        tf.summary.image("bad", tf.zeros([1, 3, 3, 2]))
    with pytest.raises(TypeError, match="int32"):
        tf.summary.image("bad", tf.zeros([1, 3, 3, 1], dtype=tf.int32))
    x = tf.placeholder(tf.float32, [None, None, None, None])
    s = tf.summary.image("late", x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="last dim 1, 3, or 4"):
        _run(s, {x: np.zeros((1, 2, 2, 2))})


def test_audio_summary_reference():
    t = np.linspace(0, 1, 50, dtype=np.float32)
    clips = np.stack([0.5 * np.sin(20 * t), -0.25 * np.ones_like(t)])
    s = tf.summary.audio("snd", tf.constant(clips), 8000, max_outputs=3)
    assert s.op.type == "AudioSummaryV2" and s.op.inputs[2].op.name == "snd/sample_rate"
    values = _summary(_run(s)).value
    assert [v.tag for v in values] == ["snd/audio/0", "snd/audio/1"]
    audio = values[0].audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames,
            audio.content_type) == (8000.0, 1, 50, "audio/wav")
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as wav:
        assert wav.getframerate() == 8000 and wav.getsampwidth() == 2
        samples = np.frombuffer(wav.readframes(50), dtype="<i2")
    np.testing.assert_array_equal(samples, np.round(clips[0] * 32768).astype(np.int16))
    with pytest.raises(ValueError, match="3-D or 2-D"):
        tf.summary.audio("bad", tf.zeros([3]), 8000)


def test_text_and_tensor_summaries():
    t = tf.summary.text("notes", tf.constant(["# hello", "world"]))
    assert t.op.type == "TensorSummaryV2" and t.op.name == "notes" and t.shape.as_list() == []
    value = _summary(_run(t)).value[0]
    assert value.tag == "notes" and value.metadata.plugin_data.plugin_name == "text"
    assert list(value.tensor.string_val) == [b"# hello", b"world"]
    assert [d.size for d in value.tensor.tensor_shape.dim] == [2]
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("bad", tf.constant(1.0))
    m = tf.summary.tensor_summary("matrix", tf.constant([[1.5, 2.0]]),
                                  summary_description="a matrix")
    value = _summary(_run(m)).value[0]
    assert value.metadata.summary_description == "a matrix"
    content = np.frombuffer(value.tensor.tensor_content, dtype="<f4")
    np.testing.assert_array_equal(content, [1.5, 2.0])


def test_merge_and_merge_all():
    x = tf.placeholder(tf.float32, [])
    a = tf.summary.scalar("a", x)
    b = tf.summary.histogram("b", x * 2)
    c = tf.summary.scalar("c", x, collections=["mine"])
    assert tf.get_collection("mine") == [c] and c not in tf.get_collection(tf.GraphKeys.SUMMARIES)
    merged = tf.summary.merge_all()
    assert merged.op.type == "MergeSummary" and merged.op.name == "Merge/MergeSummary"
    assert merged.shape.as_list() == [] and merged.dtype == tf.string
    assert list(merged.op.inputs) == [a, b]
    values = _summary(_run(merged, {x: 3.0})).value
    assert [v.tag for v in values] == ["a", "b"]
    assert values[0].simple_value == 3.0 and values[1].histo.max == 6.0
    named = tf.summary.merge([a, c], name="both")
    assert named.op.name == "both/both"
    assert [v.tag for v in _summary(_run(named, {x: 1.0})).value] == ["a", "c"]
    assert tf.summary.merge_all(key="nothing here") is None
    dup = tf.summary.merge([a, a])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found"):
        _run(dup, {x: 1.0})
    with pytest.raises(TypeError):
        tf.summary.merge([x])  # not a string tensor


def test_summary_and_side_effect_ops_are_not_differentiable():
    x = tf.placeholder(tf.float32, [])
    s = tf.summary.scalar("x", x)
    for op_type in SUMMARY_OPS | {"StringFormat", "PrintV2", "Assert"}:
        opdef = tf.registered_ops()[op_type]
        assert opdef.has_gradient and not opdef.differentiable  # NOT_DIFFERENTIABLE, not missing
    assert tf.gradients(s, [x]) == [None]
