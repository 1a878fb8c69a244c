"""tf.data's iterator ops (tfone/data/iterator_ops.py): what each op computes and its static
shapes. The TF1 idioms built on them are tested in tests/data/test_iterators.py."""
import numpy as np
import pytest

import tfone as tf
from tfone.data import Dataset
from tfone.framework.op_registry import apply_op

ITERATOR_OPS = {"OneShotIterator", "IteratorV2", "MakeIterator", "IteratorGetNext",
                "IteratorToStringHandle", "IteratorFromStringHandleV2"}
REFERENCE_CHECKED = set(ITERATOR_OPS)
SHAPE_CHECKED = set(ITERATOR_OPS)
GRADIENT_CHECKED = set()   # iterator outputs are data, not functions of inputs: no gradients


def _attrs(types, shapes):
    return {"output_types": tuple(types), "output_shapes": tuple(tf.TensorShape(s) for s in shapes)}


def test_registry_entries():
    ops = tf.registered_ops()
    for name in ITERATOR_OPS:
        opdef = ops[name]
        assert opdef.family == "data" and not opdef.differentiable
        assert opdef.gradient is not None   # declared NOT_DIFFERENTIABLE, not missing
    assert ops["IteratorGetNext"].stateful and ops["MakeIterator"].stateful
    assert ops["IteratorGetNext"].label == "get_next"


def test_reference_values_of_each_op(sess):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    ds = Dataset.from_tensor_slices((x, np.array([5, 6, 7])))
    one_shot = ds.make_one_shot_iterator()
    handle = one_shot._iterator_resource
    assert handle.op.type == "OneShotIterator" and handle.dtype == tf.string
    # OneShotIterator and IteratorV2 give a handle (a string naming the iterator).
    assert sess.run(handle) == b"OneShotIterator"
    a, b = one_shot.get_next()
    for i in range(3):
        av, bv = sess.run([a, b])
        np.testing.assert_array_equal(av, x[i])
        assert bv == 5 + i and bv.dtype == np.int64
    initializable = ds.make_initializable_iterator(shared_name="shared")
    assert sess.run(initializable._iterator_resource) == b"shared"
    # IteratorToStringHandle / IteratorFromStringHandleV2 pass the handle through.
    string_handle = initializable.string_handle()
    assert sess.run(string_handle) == b"shared"
    fed = tf.placeholder(tf.string, [])
    from_handle = apply_op("IteratorFromStringHandleV2", [fed], _attrs([tf.float32], [[2]]))
    assert sess.run(from_handle, {fed: b"shared"}) == b"shared"
    # MakeIterator (the initializer) starts IteratorV2 on the dataset; it has no outputs.
    assert initializable.initializer.outputs == []
    assert sess.run(initializable.initializer) is None
    first = initializable.get_next()
    np.testing.assert_array_equal(sess.run(first[0]), x[0])
    # IteratorGetNext returns fresh arrays: changing a fetched value changes nothing else.
    value = sess.run(first[0])
    value[:] = -1
    np.testing.assert_array_equal(x[1], [2.0, 3.0])
    whole = Dataset.from_tensors(x).repeat(2).make_one_shot_iterator().get_next()
    fetched = sess.run(whole)
    fetched[:] = -1
    np.testing.assert_array_equal(sess.run(whole), x)
    assert x.flags.writeable   # the dataset reads the caller's array through a read-only view


def test_get_next_checks_the_values_against_its_declared_types_and_shapes(sess):
    dataset = Dataset.from_tensor_slices(np.zeros((2, 3), np.float32))
    iterator = dataset.make_initializable_iterator()
    wrong_type = apply_op("IteratorGetNext", [iterator._iterator_resource],
                          _attrs([tf.int32], [[3]]))
    wrong_shape = apply_op("IteratorGetNext", [iterator._iterator_resource],
                           _attrs([tf.float32], [[4]]))
    sess.run(iterator.initializer)
    with pytest.raises(tf.errors.InvalidArgumentError, match="expects int32"):
        sess.run(wrong_type)
    with pytest.raises(tf.errors.InvalidArgumentError, match="static shape"):
        sess.run(wrong_shape)


def test_static_shapes_known_partial_and_unknown():
    handle = apply_op("IteratorV2", [], _attrs([tf.float32], [[2]]))
    assert handle.shape.as_list() == [] and handle.dtype == tf.string
    one_shot = apply_op("OneShotIterator", [], dict(_attrs([tf.int64], [[]]),
                                                    dataset_factory="dataset_none"))
    assert one_shot.shape.as_list() == []
    outputs = apply_op("IteratorGetNext", [handle],
                       _attrs([tf.float32, tf.int64, tf.string], [[None, 3], [4], None]))
    assert [t.shape.as_list() if t.shape.ndims is not None else None for t in outputs] \
        == [[None, 3], [4], None]
    assert [t.dtype for t in outputs] == [tf.float32, tf.int64, tf.string]
    assert [t.name for t in outputs] == ["IteratorGetNext:0", "IteratorGetNext:1",
                                         "IteratorGetNext:2"]
    single = apply_op("IteratorGetNext", [handle], _attrs([tf.float32], [[2]]))
    assert isinstance(single, list) and len(single) == 1   # always a list of outputs
    unknown_handle = tf.placeholder(tf.string)
    from_handle = apply_op("IteratorFromStringHandleV2", [unknown_handle], {})
    assert from_handle.shape.as_list() == []
    to_handle = apply_op("IteratorToStringHandle", [handle])
    assert to_handle.shape.as_list() == [] and to_handle.dtype == tf.string
    make = apply_op("MakeIterator", [[tf.placeholder(tf.float32, [None, 2])], handle],
                    {"dataset": "dataset_none"})
    assert isinstance(make, tf.Operation) and make.outputs == []


def test_shape_errors():
    vector_handle = tf.placeholder(tf.string, [2])
    with pytest.raises(ValueError, match="scalar"):
        apply_op("IteratorGetNext", [vector_handle], _attrs([tf.float32], [[]]))
    with pytest.raises(ValueError, match="scalar"):
        apply_op("IteratorFromStringHandleV2", [vector_handle], {})
    with pytest.raises(ValueError, match="scalar"):
        apply_op("MakeIterator", [[], vector_handle], {"dataset": "dataset_none"})
    handle = apply_op("IteratorV2", [], _attrs([tf.float32], [[]]))
    with pytest.raises(ValueError, match="at least one component"):
        apply_op("IteratorGetNext", [handle], _attrs([], []))
    with pytest.raises(TypeError):
        apply_op("IteratorGetNext", [tf.placeholder(tf.float32, [])], _attrs([tf.float32], [[]]))


def test_an_unknown_dataset_token_is_reported(sess):
    handle = apply_op("OneShotIterator", [], dict(_attrs([tf.int64], [[]]),
                                                  dataset_factory="dataset_none"))
    with pytest.raises(tf.errors.FailedPreconditionError, match="does not exist"):
        sess.run(handle)
