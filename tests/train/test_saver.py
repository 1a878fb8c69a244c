"""tf.train.Saver: round trips, the checkpoint file, max_to_keep, errors, atomic saves."""
import json
import os

import numpy as np
import pytest

import tfone as tf
from tfone.train import saver as saver_module

W_VALUE = np.arange(6, dtype=np.float32).reshape(2, 3)
B_VALUE = np.array([0.5, -1.5], dtype=np.float64)


def _model(w_init=None, b_init=None):
    w = tf.Variable(W_VALUE if w_init is None else w_init, name="W")
    with tf.variable_scope("layer"):
        b = tf.get_variable("b", initializer=tf.constant(B_VALUE if b_init is None else b_init))
    return w, b


def _save_model(path, **kwargs):
    w, b = _model()
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver(**kwargs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(step, 42))
        return saver.save(sess, path, global_step=step)


def test_round_trip_into_a_new_graph_and_session(tmp_path):
    prefix = _save_model(str(tmp_path / "model.ckpt"))
    assert prefix == str(tmp_path / "model.ckpt-42")
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt-42.index.json",
                                            "model.ckpt-42.meta", "model.ckpt-42.npz"]
    tf.reset_default_graph()
    w, b = _model(np.zeros((2, 3), np.float32), np.zeros(2))
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, prefix)   # no initializer needed: restoring initializes
        w_out, b_out, step_out = sess.run([w, b, step])
    np.testing.assert_array_equal(w_out, W_VALUE)
    assert w_out.dtype == np.float32
    np.testing.assert_array_equal(b_out, B_VALUE)
    assert step_out == 42


def test_checkpoint_files_are_plain_numpy_and_json(tmp_path):
    prefix = _save_model(str(tmp_path / "model.ckpt"))
    with np.load(prefix + ".npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["W", "global_step", "layer/b"]
        np.testing.assert_array_equal(data["W"], W_VALUE)
        assert data["global_step"].shape == () and data["global_step"] == 42
    with open(prefix + ".index.json") as f:
        index = json.load(f)
    assert index["format"] == "tfone.checkpoint" and index["tfone_version"] == tf.__version__
    assert index["variables"]["W"] == {"dtype": "float32", "shape": [2, 3]}
    assert index["variables"]["layer/b"] == {"dtype": "float64", "shape": [2]}
    assert tf.train.list_variables(str(tmp_path)) == [("W", [2, 3]), ("global_step", []),
                                                      ("layer/b", [2])]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "layer/b"), B_VALUE)
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.has_tensor("W") and not reader.has_tensor("V")
    assert reader.get_variable_to_dtype_map()["global_step"] == tf.int64


def test_checkpoint_state_file_and_latest_checkpoint(tmp_path):
    directory = str(tmp_path)
    assert tf.train.latest_checkpoint(directory) is None
    assert tf.train.get_checkpoint_state(directory) is None
    w = tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(w.initializer)
        for step in (10, 20):
            saver.save(sess, os.path.join(directory, "model.ckpt"), global_step=step)
    with open(os.path.join(directory, "checkpoint")) as f:
        assert f.read() == ('model_checkpoint_path: "model.ckpt-20"\n'
                            'all_model_checkpoint_paths: "model.ckpt-10"\n'
                            'all_model_checkpoint_paths: "model.ckpt-20"\n'
                            .replace('"model', '"%s/model' % directory))
    state = tf.train.get_checkpoint_state(directory)
    assert state.model_checkpoint_path == os.path.join(directory, "model.ckpt-20")
    assert state.all_model_checkpoint_paths == [os.path.join(directory, "model.ckpt-10"),
                                                os.path.join(directory, "model.ckpt-20")]
    assert tf.train.latest_checkpoint(directory) == os.path.join(directory, "model.ckpt-20")
    assert saver.last_checkpoints == state.all_model_checkpoint_paths


def test_relative_paths_are_stored_relative_to_the_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpt")
    w = tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert saver.save(sess, "ckpt/model", global_step=3) == "ckpt/model-3"
        assert saver.save(sess, "plain") == "plain"
    with open("ckpt/checkpoint") as f:
        assert f.read() == ('model_checkpoint_path: "model-3"\n'
                            'all_model_checkpoint_paths: "model-3"\n')
    assert tf.train.latest_checkpoint("ckpt") == os.path.join("ckpt", "model-3")
    assert tf.train.latest_checkpoint(".") == os.path.join(".", "plain")


def test_max_to_keep_deletes_old_checkpoints(tmp_path):
    w = tf.Variable(1.0, name="w")
    saver = tf.train.Saver(max_to_keep=2)
    base = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(w.initializer)
        for step in range(1, 5):
            sess.run(w.assign(float(step)))
            saver.save(sess, base, global_step=step)
    assert saver.last_checkpoints == [base + "-3", base + "-4"]
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".npz")) == [
        "model.ckpt-3.npz", "model.ckpt-4.npz"]
    assert not any(f.startswith("model.ckpt-1") for f in os.listdir(tmp_path))
    assert tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths == \
        [base + "-3", base + "-4"]
    assert tf.train.load_variable(base + "-3", "w") == 3.0


def test_max_to_keep_zero_or_none_keeps_every_file(tmp_path):
    w = tf.Variable(1.0, name="w")
    for keep in (0, None):
        saver = tf.train.Saver(max_to_keep=keep)
        with tf.Session() as sess:
            sess.run(w.initializer)
            for step in range(3):
                saver.save(sess, str(tmp_path / ("k%s" % keep)), global_step=step,
                           write_meta_graph=False)
        assert saver.last_checkpoints == []
        assert len([f for f in os.listdir(tmp_path)
                    if f.startswith("k%s" % keep) and f.endswith(".npz")]) == 3


def test_var_list_as_list_and_as_dict(tmp_path):
    w, b = _model()
    only_w = tf.train.Saver([w])
    renamed = tf.train.Saver({"weights": w, "bias": b})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        p1 = only_w.save(sess, str(tmp_path / "w"), write_meta_graph=False)
        p2 = renamed.save(sess, str(tmp_path / "renamed"), write_meta_graph=False)
    assert [n for n, _ in tf.train.list_variables(p1)] == ["W"]
    assert [n for n, _ in tf.train.list_variables(p2)] == ["bias", "weights"]
    tf.reset_default_graph()
    v = tf.Variable(np.zeros((2, 3), np.float32), name="other_name")
    with tf.Session() as sess:
        tf.train.Saver({"weights": v}).restore(sess, p2)
        np.testing.assert_array_equal(sess.run(v), W_VALUE)
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver([v, tf.constant(1.0)])
    with pytest.raises(TypeError, match="dict or a list"):
        tf.train.Saver(v)


def test_restore_subset_leaves_other_variables_alone(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    tf.reset_default_graph()
    w, b = _model(np.zeros((2, 3), np.float32), np.zeros(2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver([w]).restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), W_VALUE)
        np.testing.assert_array_equal(sess.run(b), [0.0, 0.0])


def test_optimizer_slots_are_saved_and_training_resumes_exactly(tmp_path):
    def build():
        x = tf.constant(np.array([[1.0, 2.0], [3.0, -1.0]]))
        w = tf.Variable(np.array([[0.5], [-0.5]]), name="W")
        step = tf.train.get_or_create_global_step()
        train = tf.train.AdamOptimizer(0.1).minimize(
            tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0)), global_step=step)
        return w, train
    w, train = build()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        prefix = saver.save(sess, str(tmp_path / "adam"))
        for _ in range(3):
            sess.run(train)
        expected = sess.run(w)
    assert {"W/Adam", "W/Adam_1", "beta1_power", "beta2_power", "global_step"} <= {
        n for n, _ in tf.train.list_variables(prefix)}
    tf.reset_default_graph()
    w, train = build()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        for _ in range(3):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(w), expected)


# -- errors ----------------------------------------------------------------------------------------
def test_missing_variable_is_a_not_found_error_naming_it(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    tf.reset_default_graph()
    _model()
    tf.Variable(1.0, name="extra")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Key extra not found in checkpoint"):
            tf.train.Saver().restore(sess, prefix)


def test_shape_mismatch_is_an_invalid_argument_error_naming_both_shapes(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    tf.reset_default_graph()
    _model(w_init=np.zeros((3, 2), np.float32))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            tf.train.Saver().restore(sess, prefix)
    message = str(info.value)
    assert "'W'" in message and "(3, 2)" in message and "[2, 3]" in message


def test_reshape_true_allows_same_size_shapes(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    tf.reset_default_graph()
    w, _ = _model(w_init=np.zeros((3, 2), np.float32))
    tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        tf.train.Saver(reshape=True).restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), W_VALUE.reshape(3, 2))


def test_dtype_mismatch_is_an_invalid_argument_error(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    tf.reset_default_graph()
    _model(w_init=np.zeros((2, 3), np.float64))
    tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="expected dtype float64 does not equal original dtype float32"):
            tf.train.Saver().restore(sess, prefix)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "pickle"])
def test_corrupt_checkpoint_is_a_data_loss_error(tmp_path, damage):
    prefix = _save_model(str(tmp_path / "m"))
    data_path = prefix + ".npz"
    if damage == "truncate":
        with open(data_path, "rb") as f:
            data = f.read()
        with open(data_path, "wb") as f:
            f.write(data[:len(data) // 2])
    elif damage == "garbage":
        with open(data_path, "r+b") as f:
            f.seek(200)
            f.write(b"\xff" * 64)
    else:  # an .npz holding a pickled object array: never loaded
        np.savez(data_path, W=np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    tf.reset_default_graph()
    _model()
    tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DataLossError, match="Unable to read checkpoint"):
            tf.train.Saver().restore(sess, prefix)


def test_restore_from_a_missing_path(tmp_path):
    tf.Variable(1.0, name="w")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "nothing"))
        with pytest.raises(ValueError, match="None"):
            tf.train.Saver().restore(sess, None)


def test_saving_errors(tmp_path):
    w = tf.Variable(1.0, name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value w"):
            saver.save(sess, str(tmp_path / "m"))
        sess.run(w.initializer)
        with pytest.raises(ValueError, match="doesn't exist"):
            saver.save(sess, str(tmp_path / "no" / "such" / "dir" / "m"))
        with pytest.raises(ValueError, match="collides"):
            saver.save(sess, str(tmp_path / "checkpoint"))
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    empty = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert empty.save(sess, str(tmp_path / "empty"), write_meta_graph=False) is None


def test_a_crash_in_the_middle_of_a_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    w = tf.Variable(np.ones(4), name="w")
    saver = tf.train.Saver()
    path = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert saver.save(sess, path) == path
        before = sorted(os.listdir(tmp_path))
        real_write_npz = saver_module._write_npz

        def crash_after_half(target, arrays):
            real_write_npz(target, arrays)
            with open(target, "r+b") as f:   # half-written file, then the process "dies"
                f.truncate(os.path.getsize(target) // 2)
            raise KeyboardInterrupt("simulated crash")

        monkeypatch.setattr(saver_module, "_write_npz", crash_after_half)
        sess.run(w.assign(np.full(4, 7.0)))
        with pytest.raises(KeyboardInterrupt):
            saver.save(sess, path)
        monkeypatch.setattr(saver_module, "_write_npz", real_write_npz)
    assert sorted(os.listdir(tmp_path)) == before   # no temporary files left behind
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    tf.reset_default_graph()
    w = tf.Variable(np.zeros(4), name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        np.testing.assert_array_equal(sess.run(w), np.ones(4))


def test_restore_ops_are_in_the_graph():
    tf.Variable(1.0, name="w")
    tf.train.Saver()
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "save/restore_all" in names and "save/Assign" in names
    tf.train.Saver()
    assert "save_1/restore_all" in [op.name for op in tf.get_default_graph().get_operations()]


# -- meta graphs -----------------------------------------------------------------------------------
def test_import_meta_graph_rebuilds_variables_collections_and_saver(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(np.array([[1.0], [2.0]], np.float32), name="W")
    loss = tf.reduce_sum(tf.matmul(x, w), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=step)
    tf.add_to_collection("my_loss", loss)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: [[1.0, 1.0]]})
        prefix = saver.save(sess, str(tmp_path / "model"), global_step=step)
        expected = sess.run(w)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(prefix + ".meta")
    graph = tf.get_default_graph()
    assert [v.name for v in tf.trainable_variables()] == ["W:0"]
    assert [v.name for v in tf.global_variables()] == ["W:0", "global_step:0"]
    assert tf.train.get_global_step().name == "global_step:0"
    assert tf.get_collection("my_loss")[0].name == "loss:0"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP)[0].name == "GradientDescent"
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run("W:0"), expected)
        sess.run(tf.get_collection(tf.GraphKeys.TRAIN_OP)[0], {"x:0": [[1.0, 1.0]]})
        np.testing.assert_allclose(sess.run(tf.trainable_variables()[0]), expected - 0.5)
        assert sess.run(tf.train.get_global_step()) == 2
        # The imported Variable objects work like the originals.
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run("W:0"), [[1.0], [2.0]])
        assert graph.get_operation_by_name("W").type == "VariableV2"


def test_import_meta_graph_without_a_saver_builds_one_for_global_variables(tmp_path):
    w = tf.Variable(np.array([1.0, 2.0]), name="W")
    tf.Variable(0.0, name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    path = str(tmp_path / "graph.meta")
    meta = tf.train.export_meta_graph(path)
    assert meta.saver_def is None and os.path.exists(path)
    with tf.Session() as sess:
        sess.run(w.initializer)
        prefix = tf.train.Saver([w]).save(sess, str(tmp_path / "w"), write_meta_graph=False)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path, import_scope="restored")
    assert [v.name for v in tf.local_variables()] == ["restored/counter:0"]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Key restored/W not found"):
            saver.restore(sess, prefix)
        tf.train.Saver({"W": tf.global_variables()[0]}).restore(sess, prefix)
        np.testing.assert_array_equal(sess.run("restored/W:0"), [1.0, 2.0])
