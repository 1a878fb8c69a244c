"""tfone.data.Dataset semantics when iterated in Python (as Keras's fit does): values, order,
structure. Graph iterators are tested in test_iterators.py."""
import numpy as np
import pytest

import tfone as tf
from tfone.data import Dataset


def values(ds):
    return [np.asarray(v).tolist() for v in ds]


def test_from_tensor_slices_tuple_and_dtypes():
    x = np.arange(6, dtype=np.float64).reshape(3, 2)
    ds = Dataset.from_tensor_slices((x, [1, 2, 3]))
    elements = list(ds)
    assert len(elements) == 3 and len(ds) == 3
    xi, yi = elements[1]
    np.testing.assert_array_equal(xi, [2.0, 3.0])
    assert xi.dtype == np.float64          # numpy arrays keep their dtype
    assert yi.dtype == np.int32 and yi == 2  # Python ints become int32, as tf.constant does
    assert Dataset.from_tensor_slices([0.5, 1.5]).element_spec == tf.data.TensorSpec([], tf.float32)
    assert ds.output_types == (tf.float64, tf.int32)
    assert ds.output_shapes == (tf.TensorShape([2]), tf.TensorShape([]))


def test_from_tensor_slices_dict_and_errors():
    ds = Dataset.from_tensor_slices({"a": np.zeros((2, 3)), "b": np.ones(2)})
    first = next(iter(ds))
    assert set(first) == {"a", "b"} and first["a"].shape == (3,)
    with pytest.raises(ValueError, match="same size in the first dimension"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices(np.float32(1))


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors((np.zeros((4, 2)), np.ones(4)))
    (only,) = list(ds)
    assert only[0].shape == (4, 2)


def test_batch_and_drop_remainder():
    ds = Dataset.range(10).batch(4)
    assert values(ds) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(ds) == 3
    dropped = Dataset.range(10).batch(4, drop_remainder=True)
    assert values(dropped) == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(dropped) == 2
    pairs = Dataset.from_tensor_slices((np.zeros((5, 2)), np.arange(5))).batch(2)
    xb, yb = next(iter(pairs))
    assert xb.shape == (2, 2) and yb.tolist() == [0, 1]
    assert values(Dataset.range(5).batch(2).unbatch()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="greater than zero"):
        Dataset.range(3).batch(0)


def test_shuffle_is_a_permutation_and_seeded():
    a = values(Dataset.range(20).shuffle(20, seed=3))
    b = values(Dataset.range(20).shuffle(20, seed=3))
    assert sorted(a) == list(range(20)) and a == b and a != list(range(20))
    assert values(Dataset.range(20).shuffle(20, seed=4)) != a


def test_shuffle_reshuffles_each_iteration_unless_told_not_to():
    ds = Dataset.range(30).shuffle(30, seed=1)
    first, second = values(ds), values(ds)
    assert sorted(first) == sorted(second) and first != second
    fixed = Dataset.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    repeated = values(Dataset.range(5).shuffle(5, seed=2).repeat(2))
    assert sorted(repeated[:5]) == sorted(repeated[5:]) == list(range(5))


def test_shuffle_small_buffer_keeps_elements_near_their_place():
    order = values(Dataset.range(100).shuffle(2, seed=0))
    assert sorted(order) == list(range(100))
    # with a buffer of 2, element i can only be emitted at position >= i - 1
    assert all(pos >= v - 1 for pos, v in enumerate(order))


def test_shuffle_seed_from_graph_seed():
    tf.set_random_seed(5)
    a = values(Dataset.range(10).shuffle(10))
    tf.reset_default_graph()
    tf.set_random_seed(5)
    b = values(Dataset.range(10).shuffle(10))
    assert a == b


def test_map_is_traced_once_on_tensors_and_unpacks_tuples():
    seen = []

    def fn(x, y):
        seen.append((x, y))
        return x * 2, y + 1
    ds = Dataset.from_tensor_slices((np.arange(3.0), np.arange(3))).map(fn)
    out = list(ds)
    assert [o[0].item() for o in out] == [0.0, 2.0, 4.0]
    assert [o[1].item() for o in out] == [1, 2, 3]
    assert len(seen) == 1   # traced once, as TF1 does, on placeholders of the element's dtypes
    x, y = seen[0]
    assert isinstance(x, tf.Tensor) and x.dtype == tf.float64 and x.shape.as_list() == []
    assert y.dtype == tf.int64          # numpy int64 arrays stay int64
    assert ds.output_types == (tf.float64, tf.int64)
    list(ds)
    assert len(seen) == 1


def test_map_with_numpy_code_runs_on_numpy_values():
    seen = []

    def fn(x):
        seen.append(type(x))
        return np.sqrt(x) + 1      # numpy refuses tensors: tfone calls it on numpy values
    ds = Dataset.from_tensor_slices(np.array([0.0, 4.0, 9.0])).map(fn)
    assert values(ds) == [1.0, 3.0, 4.0]
    assert all(issubclass(t, (np.ndarray, np.generic)) for t in seen[1:])
    assert ds.output_types == tf.float64 and ds.output_shapes == tf.TensorShape([])


def test_map_failing_both_ways_reports_both_reasons():
    def fn(x):
        return np.sqrt(x) + undefined_name  # noqa: F821
    ds = Dataset.from_tensor_slices(np.array([1.0, 4.0])).map(fn)
    with pytest.raises(NameError, match="could not be traced"):
        list(ds)


def test_filter_repeat_take_skip_zip_concatenate():
    evens = Dataset.range(10).filter(lambda x: tf.equal(x % 2, 0))
    assert values(evens) == [0, 2, 4, 6, 8]
    assert evens.cardinality() == tf.data.UNKNOWN_CARDINALITY
    assert values(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert values(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert Dataset.range(3).repeat().cardinality() == tf.data.INFINITE_CARDINALITY
    assert values(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(5).skip(3)) == [3, 4]
    assert values(Dataset.range(5).skip(-1)) == []
    zipped = list(Dataset.zip((Dataset.range(3), Dataset.range(10, 20))))
    assert [(int(a), int(b)) for a, b in zipped] == [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.range(2).concatenate(Dataset.range(5, 7))) == [0, 1, 5, 6]
    assert Dataset.range(4).prefetch(2).cardinality() == 4
    with pytest.raises(TypeError, match="tuple of datasets"):
        Dataset.zip(Dataset.range(3))


def test_filter_needs_a_scalar_predicate():
    with pytest.raises(ValueError, match="scalar boolean"):
        Dataset.from_tensor_slices(np.zeros((2, 3))).filter(lambda x: x > 0)
    with pytest.raises(ValueError, match="scalar bool"):   # numpy mode: checked per element
        list(Dataset.from_tensor_slices(np.zeros((2, 3))).filter(lambda x: np.asarray(x) > 0))


def test_filter_equality_on_tensors_is_identity_as_in_tf1():
    # TF1's Tensor.__eq__ compares objects: `x == 0` is False, so nothing is kept.
    assert values(Dataset.range(4).filter(lambda x: x == 0)) == []
    assert values(Dataset.range(4).filter(lambda x: x < 2)) == [0, 1]


def test_datasets_of_graph_tensors_iterate_in_python_only_if_constant():
    assert values(Dataset.from_tensor_slices(tf.constant([1.0, 2.0]))) == [1.0, 2.0]
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(TypeError, match="make_initializable_iterator"):
        list(Dataset.from_tensor_slices(x))


def test_datasets_do_not_touch_the_graph():
    graph = tf.get_default_graph()
    before = graph.version
    list(Dataset.range(10).shuffle(4, seed=1).map(lambda x: x + 1).batch(3))
    assert graph.version == before


def test_from_generator_and_cache():
    calls = []

    def gen():
        calls.append(1)
        yield from ((i, i * i) for i in range(3))
    ds = Dataset.from_generator(gen, output_types=(tf.int64, tf.float32)).cache()
    assert [(int(a), float(b)) for a, b in ds] == [(0, 0.0), (1, 1.0), (2, 4.0)]
    assert next(iter(ds))[1].dtype == np.float32
    list(ds)
    assert len(calls) == 1


def test_shuffles_made_in_a_row_under_a_graph_seed_differ():
    tf.set_random_seed(5)
    a = values(Dataset.range(20).shuffle(20))
    b = values(Dataset.range(20).shuffle(20))
    assert a != b and sorted(a) == sorted(b)


def test_numpy_map_output_shapes_follow_the_input_dims():
    def gen():
        yield np.array([1.0, 2.0], np.float32)
    doubled = Dataset.from_generator(gen, tf.float32, [None]).map(
        lambda x: np.concatenate([x, x]).astype(np.float32))
    assert doubled.output_shapes.as_list() == [None] and doubled.output_types == tf.float32
    fixed = Dataset.from_tensor_slices(np.zeros((2, 3), np.float32)).map(
        lambda x: np.concatenate([x, x]))
    assert fixed.output_shapes.as_list() == [6]
    untyped = Dataset.from_generator(gen).map(lambda x: np.sum(x))
    assert values(untyped) == [3.0]                 # Python iteration needs no types
    with pytest.raises(TypeError, match="output_types"):
        untyped.output_types


def test_batch_parameters_from_graph_tensors_are_bound_at_iteration():
    size = tf.constant(np.int64(2))
    drop = tf.constant(True)
    ds = Dataset.range(5).batch(size, drop_remainder=drop)
    assert ds.output_shapes.as_list() == [None]     # unknown until the graph runs
    assert values(ds) == [[0, 1], [2, 3]]            # constants: Python iteration binds them
    assert Dataset.range(5).take(tf.constant(np.int64(2))).cardinality() == \
        tf.data.UNKNOWN_CARDINALITY


def test_interleave_default_cycle_length_is_the_cpu_count():
    import os
    ds = Dataset.range(3).interleave(lambda x: Dataset.from_tensors(x).repeat(2))
    assert ds._cycle_length == (os.cpu_count() or 1)
    assert sorted(values(ds)) == [0, 0, 1, 1, 2, 2]


def test_errors_of_tf_ops_in_a_map_function_are_raised_when_it_is_built():
    labels = Dataset.from_tensor_slices(np.zeros(4, np.float32))
    with pytest.raises(TypeError, match="OneHot"):          # as TF1: at map() time
        labels.map(lambda y: tf.one_hot(y, 10))
    with pytest.raises(ValueError, match="reshape|Reshape"):
        Dataset.from_tensor_slices(np.zeros((2, 6))).map(lambda x: tf.reshape(x, [5]))
    mixed = labels.map(lambda y: tf.constant(np.sqrt(y)))
    with pytest.raises(TypeError, match="neither traced nor run on numpy values"):
        mixed.make_one_shot_iterator()
