"""tf.data in a graph, as TF1 scripts use it: iterators whose get_next() is an op, run by a
Session step after step until OutOfRangeError; map/filter functions written with tf ops."""
import numpy as np
import pytest

import tfone as tf
from tfone.data import Dataset


def drain(sess, fetches, feed_dict=None, limit=1000):
    """Run ``fetches`` until OutOfRangeError; the list of results."""
    results = []
    for _ in range(limit):
        try:
            results.append(sess.run(fetches, feed_dict))
        except tf.errors.OutOfRangeError:
            return results
    raise AssertionError("the iterator did not run out after %d steps" % limit)


# -- one-shot iterators -----------------------------------------------------------------------
def test_one_shot_iterator_yields_batches_in_order_then_end_of_sequence(sess):
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10, dtype=np.int64)
    iterator = Dataset.from_tensor_slices((x, y)).batch(4).make_one_shot_iterator()
    features, labels = iterator.get_next()
    assert features.name == "IteratorGetNext:0" and labels.name == "IteratorGetNext:1"
    assert features.op is labels.op and features.op.type == "IteratorGetNext"
    assert features.dtype == tf.float32 and labels.dtype == tf.int64
    assert features.shape.as_list() == [None, 2] and labels.shape.as_list() == [None]
    assert iterator._iterator_resource.op.type == "OneShotIterator"
    f0, l0 = sess.run([features, labels])      # one run, one element: the outputs match
    np.testing.assert_array_equal(f0, x[:4])
    np.testing.assert_array_equal(l0, y[:4])
    assert f0.dtype == np.float32
    np.testing.assert_array_equal(sess.run(labels), [4, 5, 6, 7])   # the next run, the next batch
    np.testing.assert_array_equal(sess.run(features), x[8:])
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence") as info:
        sess.run(features)
    assert info.value.op is features.op
    with pytest.raises(tf.errors.OutOfRangeError):   # it stays at the end
        sess.run(labels)


def test_get_next_runs_once_per_step_however_many_outputs_are_used(sess):
    iterator = tf.data.make_one_shot_iterator(Dataset.range(5).map(lambda v: (v, v * 10)))
    a, b = iterator.get_next()
    total = a + b          # both outputs feed one op: still one element per run
    assert drain(sess, [total, a, b]) == [[11 * i, i, 10 * i] for i in range(5)]
    source = sess.plan_source([total, a, b])
    assert source.count("(IteratorGetNext)") == 1


def test_training_step_pulls_the_next_batch(sess):
    data = np.arange(12, dtype=np.float32).reshape(12, 1)
    iterator = Dataset.from_tensor_slices(data).batch(5).repeat(2).make_one_shot_iterator()
    batch = iterator.get_next()
    seen = tf.Variable(0.0)
    step = tf.assign_add(seen, tf.reduce_sum(batch))
    sess.run(tf.global_variables_initializer())
    steps = 0
    while True:
        try:
            sess.run(step)
            steps += 1
        except tf.errors.OutOfRangeError:
            break
    assert steps == 6                               # ceil(12 / 5) batches, twice
    assert sess.run(seen) == 2 * data.sum()


def test_dicts_and_nested_structures(sess):
    ds = Dataset.from_tensor_slices({"b": np.arange(3), "a": (np.ones((3, 2)), np.zeros(3))})
    element = ds.make_one_shot_iterator().get_next()
    assert set(element) == {"a", "b"} and isinstance(element["a"], tuple)
    assert element["a"][0].name == "IteratorGetNext:0"   # dict keys flatten in sorted order
    assert element["b"].name == "IteratorGetNext:2"
    first = sess.run(element)
    assert first["b"] == 0 and first["a"][0].tolist() == [1.0, 1.0]


def test_new_session_starts_over_and_sessions_iterate_independently():
    next_value = Dataset.range(4).make_one_shot_iterator().get_next()
    with tf.Session() as a, tf.Session() as b:
        assert [a.run(next_value) for _ in range(3)] == [0, 1, 2]
        assert b.run(next_value) == 0
        assert a.run(next_value) == 3 and b.run(next_value) == 1
    with tf.Session() as c:
        assert c.run(next_value) == 0


def test_one_shot_iterator_cannot_capture_a_placeholder():
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="Cannot capture a placeholder"):
        Dataset.from_tensor_slices(x).make_one_shot_iterator()
    with pytest.raises(ValueError, match="does not have an initializer"):
        Dataset.range(3).make_one_shot_iterator().initializer


def test_constant_tensors_are_captured_by_value(sess):
    values = tf.constant([[1, 2], [3, 4]])
    element = Dataset.from_tensor_slices(values).make_one_shot_iterator().get_next()
    assert element.shape.as_list() == [2] and element.dtype == tf.int32
    assert [v.tolist() for v in drain(sess, element)] == [[1, 2], [3, 4]]


# -- initializable iterators ------------------------------------------------------------------
def test_get_next_before_the_initializer_fails_with_failed_precondition(sess):
    iterator = Dataset.range(3).make_initializable_iterator()
    element = iterator.get_next()
    assert iterator._iterator_resource.op.type == "IteratorV2"
    assert iterator.initializer.type == iterator.initializer.name == "MakeIterator"
    with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
        sess.run(element)
    sess.run(iterator.initializer)
    assert drain(sess, element) == [0, 1, 2]


def test_reinitializing_restarts(sess):
    iterator = Dataset.range(5).make_initializable_iterator()
    element = iterator.get_next()
    sess.run(iterator.initializer)
    assert [sess.run(element) for _ in range(3)] == [0, 1, 2]
    sess.run(iterator.initializer)
    assert drain(sess, element) == [0, 1, 2, 3, 4]
    sess.run(iterator.initializer)                 # also after the end
    assert sess.run(element) == 0


def test_placeholders_are_fed_when_the_initializer_runs(sess):
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int64, [None])
    batch_size = tf.placeholder(tf.int64, shape=[])
    dataset = Dataset.from_tensor_slices((x, y)).batch(batch_size)
    iterator = dataset.make_initializable_iterator()
    features, labels = iterator.get_next()
    assert features.shape.as_list() == [None, 2]
    assert iterator.initializer.inputs[0] is x        # the dataset's tensors feed MakeIterator
    train_x = np.arange(10, dtype=np.float32).reshape(5, 2)
    sess.run(iterator.initializer, {x: train_x, y: np.arange(5), batch_size: 2})
    got = drain(sess, [features, labels])
    assert [l.tolist() for _, l in got] == [[0, 1], [2, 3], [4]]
    np.testing.assert_array_equal(np.concatenate([f for f, _ in got]), train_x)
    # Re-initialised with other data (the feeds are read at initializer time only).
    sess.run(iterator.initializer, {x: np.ones((3, 2)), y: [7, 8, 9], batch_size: 10})
    f, l = sess.run([features, labels])
    assert f.shape == (3, 2) and l.tolist() == [7, 8, 9]
    with pytest.raises(tf.errors.InvalidArgumentError, match="must feed"):
        sess.run(iterator.initializer, {x: train_x, y: np.arange(5)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension 0"):
        sess.run(iterator.initializer, {x: train_x, y: np.arange(4), batch_size: 2})


def test_batch_size_tensor_must_be_int64_like_tf1():
    with pytest.raises(ValueError, match="int64"):
        Dataset.range(4).batch(tf.placeholder(tf.int32, []))


def test_from_structure_switches_between_datasets(sess):
    train = Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(4)
    valid = Dataset.from_tensor_slices(np.arange(100, 103, dtype=np.float32)).batch(4)
    iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    assert iterator.output_types == tf.float32
    assert iterator.output_shapes.as_list() == [None]
    assert iterator.output_classes is tf.Tensor
    batch = iterator.get_next()
    train_init = iterator.make_initializer(train)
    valid_init = iterator.make_initializer(valid)
    assert train_init.name == "make_initializer" and valid_init.name == "make_initializer_1"
    with pytest.raises(ValueError, match="does not have an initializer"):
        iterator.initializer
    for _ in range(2):
        sess.run(train_init)
        assert [b.tolist() for b in drain(sess, batch)] == [[0, 1, 2, 3], [4, 5]]
        sess.run(valid_init)
        assert [b.tolist() for b in drain(sess, batch)] == [[100, 101, 102]]
    with pytest.raises(TypeError, match="Expected output types"):
        iterator.make_initializer(Dataset.range(3))
    with pytest.raises(TypeError, match="output shapes compatible"):
        iterator.make_initializer(Dataset.from_tensors(np.zeros((3, 2), np.float32)))
    with pytest.raises(TypeError, match="same nested structure"):
        iterator.make_initializer(Dataset.zip((train, train)))


def test_from_structure_with_unknown_shapes_accepts_any(sess):
    iterator = tf.data.Iterator.from_structure((tf.int64, tf.float32))
    a, b = iterator.get_next()
    assert a.shape.ndims is None and b.shape.ndims is None
    ds = Dataset.zip((Dataset.range(2), Dataset.from_tensors(np.ones(3, np.float32)).repeat()))
    sess.run(iterator.make_initializer(ds))
    assert drain(sess, a) == [0, 1]


def test_feedable_iterator_with_string_handles(sess):
    train = Dataset.range(100).make_one_shot_iterator()
    valid = Dataset.range(1000, 1003).make_initializable_iterator()
    handle = tf.placeholder(tf.string, shape=[])
    iterator = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    element = iterator.get_next()
    train_handle, valid_handle = sess.run([train.string_handle(), valid.string_handle()])
    assert isinstance(train_handle, bytes) and train_handle != valid_handle
    sess.run(valid.initializer)
    assert sess.run(element, {handle: train_handle}) == 0
    assert sess.run(element, {handle: valid_handle}) == 1000
    assert sess.run(element, {handle: train_handle}) == 1
    with pytest.raises(tf.errors.FailedPreconditionError):
        sess.run(element, {handle: b"no such iterator"})


def test_iterators_are_collected_and_exported(sess):
    iterator = Dataset.range(3).make_initializable_iterator()
    iterator.get_next()
    assert tf.get_collection("iterators") == [iterator._iterator_resource]
    assert iterator.string_handle().op.type == "IteratorToStringHandle"
    # The graph round-trips through its JSON GraphDef (in the process that made the dataset).
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as other:
            other.run("MakeIterator")
            assert other.run("IteratorGetNext:0") == 0


# -- shapes, types, classes ---------------------------------------------------------------------
def test_output_types_shapes_classes_of_datasets_and_iterators():
    ds = Dataset.from_tensor_slices((np.zeros((8, 3), np.float32), np.zeros(8, np.int32)))
    assert ds.output_types == (tf.float32, tf.int32)
    assert ds.output_shapes == (tf.TensorShape([3]), tf.TensorShape([]))
    assert ds.output_classes == (tf.Tensor, tf.Tensor)
    assert ds.element_spec == (tf.data.TensorSpec([3], tf.float32),
                               tf.data.TensorSpec([], tf.int32))
    assert repr(ds.element_spec[0]) == "TensorSpec(shape=(3,), dtype=tf.float32, name=None)"
    assert ds.batch(4).output_shapes == (tf.TensorShape([None, 3]), tf.TensorShape([None]))
    dropped = ds.batch(4, drop_remainder=True)
    assert dropped.output_shapes == (tf.TensorShape([4, 3]), tf.TensorShape([4]))
    assert tf.compat.v1.data.get_output_types(dropped) == (tf.float32, tf.int32)
    assert tf.data.get_output_shapes(dropped) == dropped.output_shapes
    iterator = dropped.make_initializable_iterator()
    assert tf.data.get_output_classes(iterator) == (tf.Tensor, tf.Tensor)
    features, labels = iterator.get_next()
    assert features.shape.as_list() == [4, 3] and labels.shape.as_list() == [4]
    assert ds.batch(2).unbatch().output_shapes == ds.output_shapes
    assert Dataset.range(3).output_types == tf.int64
    assert Dataset.zip((Dataset.range(3), ds)).output_types == (tf.int64, (tf.float32, tf.int32))


def test_get_next_is_stateful_and_not_differentiable(sess):
    x = np.ones((4, 2), np.float32)
    features = Dataset.from_tensor_slices(x).batch(2).make_one_shot_iterator().get_next()
    w = tf.Variable(tf.ones([2, 1]))
    loss = tf.reduce_sum(tf.matmul(features, w))
    grad_w, = tf.gradients(loss, [w])
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(grad_w), [[2.0], [2.0]])
    np.testing.assert_array_equal(sess.run(grad_w), [[2.0], [2.0]])  # the second batch
    assert tf.get_default_graph().get_operation_by_name("IteratorGetNext")._opdef.stateful


# -- map and filter with tf ops --------------------------------------------------------------------
def test_map_with_tf_ops_cast_one_hot_reshape(sess):
    images = np.arange(2 * 16, dtype=np.uint8).reshape(2, 16)
    labels = np.array([3, 7], dtype=np.int64)
    ds = Dataset.from_tensor_slices((images, labels)).map(
        lambda x, y: (tf.reshape(tf.cast(x, tf.float32) / 255.0, [4, 4, 1]), tf.one_hot(y, 10)))
    assert ds.output_types == (tf.float32, tf.float32)
    assert ds.output_shapes == (tf.TensorShape([4, 4, 1]), tf.TensorShape([10]))
    x, y = ds.batch(2).make_one_shot_iterator().get_next()
    assert x.shape.as_list() == [None, 4, 4, 1] and y.shape.as_list() == [None, 10]
    xv, yv = sess.run([x, y])
    np.testing.assert_allclose(xv, (images.astype(np.float32) / 255.0).reshape(2, 4, 4, 1))
    assert xv.dtype == np.float32
    np.testing.assert_array_equal(yv, np.eye(10, dtype=np.float32)[labels])


def test_map_traces_once_on_placeholders(sess):
    calls = []

    def parse(x):
        calls.append(x)
        return {"doubled": x * 2, "square": tf.square(x)}
    ds = Dataset.from_tensor_slices(np.arange(4.0, dtype=np.float32)).map(parse)
    assert len(calls) == 1 and calls[0].op.type == "Placeholder"
    assert calls[0].graph is not tf.get_default_graph()   # a private graph
    element = ds.make_one_shot_iterator().get_next()
    got = drain(sess, element)
    assert [g["square"] for g in got] == [0.0, 1.0, 4.0, 9.0]
    assert len(calls) == 1


def test_map_with_random_ops_follows_seeds():
    def noisy():
        tf.set_random_seed(3)
        ds = Dataset.range(4).map(lambda v: tf.cast(v, tf.float32) + tf.random_uniform([]))
        element = ds.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            return drain(sess, element)
    first = noisy()
    tf.reset_default_graph()
    assert noisy() == first and len(set(first)) == 4


def test_map_with_py_func(sess):
    def numpy_code(x):
        return np.float32(np.sqrt(x))
    ds = Dataset.from_tensor_slices(np.array([4.0, 9.0], np.float32)).map(
        lambda x: tf.py_func(numpy_code, [x], tf.float32))
    assert drain(sess, ds.make_one_shot_iterator().get_next()) == [2.0, 3.0]


def test_filter_with_a_tf_predicate(sess):
    ds = Dataset.range(10).filter(lambda x: tf.equal(tf.mod(x, 3), 0))
    assert drain(sess, ds.make_one_shot_iterator().get_next()) == [0, 3, 6, 9]
    pairs = Dataset.from_tensor_slices((np.arange(6), np.arange(6) * 1.5)).filter(
        lambda i, v: tf.logical_and(i > 1, v < 6.0))
    assert [(int(i), float(v)) for i, v in drain(sess, pairs.make_one_shot_iterator().get_next())] \
        == [(2, 3.0), (3, 4.5)]


def test_errors_in_the_pipeline_name_the_op(sess):
    ds = Dataset.from_tensor_slices(np.arange(3.0)).map(lambda x: tf.py_func(
        lambda v: v / 0.0 if v < 2 else np.float64("bad"), [x], tf.float64))
    element = ds.make_one_shot_iterator().get_next()
    sess.run(element)
    sess.run(element)
    with pytest.raises(tf.errors.OpError) as info:
        sess.run(element)
    assert "IteratorGetNext" in str(info.value) or "PyFunc" in str(info.value)


# -- other sources and transformations -----------------------------------------------------------
def test_padded_batch(sess):
    def sequences():
        yield np.array([1, 2, 3]), 0
        yield np.array([4]), 1
        yield np.array([5, 6]), 2
    ds = Dataset.from_generator(sequences, (tf.int32, tf.int64), ([None], []))
    assert ds.output_shapes == (tf.TensorShape([None]), tf.TensorShape([]))
    batched = ds.padded_batch(2, padded_shapes=([None], []), padding_values=(-1, np.int64(0)))
    tokens, ids = batched.make_one_shot_iterator().get_next()
    assert tokens.shape.as_list() == [None, None] and tokens.dtype == tf.int32
    first, second = drain(sess, [tokens, ids])
    np.testing.assert_array_equal(first[0], [[1, 2, 3], [4, -1, -1]])
    np.testing.assert_array_equal(second[0], [[5, 6]])
    fixed = ds.padded_batch(3, padded_shapes=([5], []))
    tokens5 = fixed.make_one_shot_iterator().get_next()[0]
    assert tokens5.shape.as_list() == [None, 5]
    np.testing.assert_array_equal(sess.run(tokens5)[1], [4, 0, 0, 0, 0])
    too_small = ds.padded_batch(3, padded_shapes=([2], []))
    with pytest.raises(tf.errors.InvalidArgumentError, match="smaller size"):
        sess.run(too_small.make_one_shot_iterator().get_next())
    with pytest.raises(ValueError, match="not compatible"):
        ds.padded_batch(2, padded_shapes=([None, None], []))


def test_from_generator_checks_shapes_and_converts_types(sess):
    def gen():
        yield [1.0, 2.0]
        yield [3, 4]
        yield [5.0]
    ds = Dataset.from_generator(gen, tf.float32, tf.TensorShape([2]))
    element = ds.make_one_shot_iterator().get_next()
    assert element.shape.as_list() == [2]
    assert sess.run(element).tolist() == [1.0, 2.0]
    assert sess.run(element).dtype == np.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
        sess.run(element)
    with pytest.raises(TypeError, match="output_types"):
        Dataset.from_generator(gen).make_one_shot_iterator()


def test_range_interleave_flat_map_cache_apply(sess):
    def run(ds):
        return [np.asarray(v).tolist() for v in drain(sess, ds.make_one_shot_iterator().get_next())]
    assert run(Dataset.range(2, 8, 2)) == [2, 4, 6]
    assert run(Dataset.range(3).flat_map(
        lambda x: Dataset.from_tensors(x).repeat(x))) == [1, 2, 2]
    assert run(Dataset.range(1, 4).interleave(
        lambda x: Dataset.from_tensors(x).repeat(3), cycle_length=2, block_length=2)) \
        == [1, 1, 2, 2, 1, 2, 3, 3, 3]
    assert run(Dataset.range(2).flat_map(
        lambda x: Dataset.from_tensor_slices(tf.stack([x, x + 10])))) == [0, 10, 1, 11]
    assert run(Dataset.range(6).apply(lambda d: d.shard(2, 1))) == [1, 3, 5]
    assert run(Dataset.range(5).batch(2).unbatch()) == [0, 1, 2, 3, 4]
    assert run(Dataset.range(3).concatenate(Dataset.range(7, 9))) == [0, 1, 2, 7, 8]
    assert run(Dataset.range(4).apply(tf.data.experimental.shuffle_and_repeat(4, 2, seed=1))) \
        != list(range(4)) * 2

    calls = []

    def counted(x):
        calls.append(1)
        return x
    cached = Dataset.range(3).map(lambda x: tf.py_func(counted, [x], tf.int64)).cache().repeat(2)
    assert run(cached) == [0, 1, 2, 0, 1, 2] and len(calls) == 3


def test_shuffle_in_sessions_reproducible_and_reshuffled_on_reinitialization():
    def orders():
        tf.reset_default_graph()
        iterator = Dataset.range(20).shuffle(20, seed=1).make_initializable_iterator()
        element = iterator.get_next()
        with tf.Session() as sess:
            sess.run(iterator.initializer)
            first = drain(sess, element)
            sess.run(iterator.initializer)
            second = drain(sess, element)
        return first, second
    first, second = orders()
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second                  # each initialisation is a new pass
    assert orders() == (first, second)      # a new program/Session repeats the same orders
    # Passes are counted per iterator (TF1 keeps the seed generator in the iterator).
    shuffled = Dataset.range(20).shuffle(20, seed=1)
    a = shuffled.make_one_shot_iterator().get_next()
    b = shuffled.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert drain(sess, a) == drain(sess, b) == first


def test_end_to_end_training_with_an_iterator_reaches_accuracy():
    rng = np.random.RandomState(0)
    centers = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]], np.float32)
    labels = rng.randint(0, 3, size=600)
    points = (centers[labels] + rng.normal(scale=0.7, size=(600, 2))).astype(np.float32)
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int64, [None])
    dataset = (Dataset.from_tensor_slices((x, y))
               .shuffle(600, seed=1)
               .map(lambda p, l: (p, tf.one_hot(l, 3)))
               .batch(32))
    iterator = dataset.make_initializable_iterator()
    features, targets = iterator.get_next()
    hidden = tf.layers.dense(features, 16, activation=tf.nn.relu)
    logits = tf.layers.dense(hidden, 3)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=targets, logits=logits))
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(targets, 1)),
                                    tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(iterator.initializer, {x: points, y: labels})
            steps = len(drain(sess, train_op))
            assert steps == 19
        sess.run(iterator.initializer, {x: points, y: labels})
        accuracy = sum(drain(sess, correct)) / len(points)
    assert accuracy > 0.95


def test_draw_graph_shows_the_iterator_ops():
    pytest.importorskip("graphviz")
    import viz
    from tests.viz.programs import Dot
    x = tf.placeholder(tf.float32, [None, 3], name="x_data")
    iterator = Dataset.from_tensor_slices(x).batch(5).make_initializable_iterator()
    features = iterator.get_next()
    tf.reduce_sum(tf.layers.dense(features, 2))
    dot = Dot(viz.draw_graph().source)
    assert "get_next" in dot.label("IteratorGetNext")
    assert "iterator" in dot.label("IteratorV2")
    assert "make iterator" in dot.label("MakeIterator")
    assert ("x_data", "MakeIterator") in [(s, t) for s, t, _ in dot.edges]
