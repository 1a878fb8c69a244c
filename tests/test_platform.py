"""TF1's script scaffolding: tf.ConfigProto, tf.logging, tf.app.run / tf.app.flags, tf.gfile and
tf.compat.v1 (``import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()`` programs)."""
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tfone as tf
from tfone.platform import flags as flags_module

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- tf.ConfigProto ------------------------------------------------------------------------------
def test_session_accepts_the_usual_config():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            intra_op_parallelism_threads=2, device_count={"GPU": 0})
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.4
    assert config.gpu_options.allow_growth and config.device_count == {"GPU": 0}
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(2.0) * 3.0) == 6.0
    config = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))
    assert config.gpu_options == tf.GPUOptions(allow_growth=True)
    assert "allow_growth" in repr(config)


def test_config_fields_are_checked_like_protocol_buffers():
    with pytest.raises(ValueError, match='no "allow_growth" field'):
        tf.ConfigProto(allow_growth=True)
    config = tf.ConfigProto()
    with pytest.raises(AttributeError, match="allow_grow"):
        config.gpu_options.allow_grow = True
    with pytest.raises(TypeError, match="integer"):
        config.intra_op_parallelism_threads = "2"
    with pytest.raises(TypeError, match="tf.ConfigProto"):
        tf.Session(config={"allow_soft_placement": True})


# -- tf.logging ----------------------------------------------------------------------------------
def test_logging_levels_and_messages(caplog):
    old = tf.logging.get_verbosity()
    try:
        tf.logging.set_verbosity(tf.logging.INFO)
        assert tf.logging.get_verbosity() == tf.logging.INFO == logging.INFO
        with caplog.at_level(logging.INFO, logger="tensorflow"):
            tf.logging.info("step %d, loss %.2f", 3, 0.25)
            tf.logging.debug("hidden")
            for i in range(5):
                tf.logging.log_every_n(tf.logging.INFO, "every %d", 2, i)
            for i in range(5):
                tf.logging.log_first_n(tf.logging.WARN, "first %d", 1, i)
        messages = [r.getMessage() for r in caplog.records if r.name == "tensorflow"]
        assert messages == ["step 3, loss 0.25", "every 0", "every 2", "every 4", "first 0"]
    finally:
        tf.logging.set_verbosity(old)


def test_logging_prints_tf1_format_to_stderr():
    code = textwrap.dedent("""
        import tfone as tf
        tf.logging.info("not shown at the default WARN level")
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("Saving checkpoint %d", 7)
        tf.logging.warning("careful")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == ["INFO:tensorflow:Saving checkpoint 7",
                                        "WARNING:tensorflow:careful"]


# -- tf.app.flags / tf.app.run -------------------------------------------------------------------
@pytest.fixture
def flag_values():
    return flags_module.FlagValues()


def _define_all(fv):
    f = tf.app.flags
    f.DEFINE_string("data_dir", "/tmp/data", "where", flag_values=fv)
    f.DEFINE_integer("max_steps", 100, "steps", lower_bound=1, flag_values=fv)
    f.DEFINE_float("learning_rate", 0.01, "lr", flag_values=fv)
    f.DEFINE_boolean("fake_data", False, "fake", flag_values=fv)
    f.DEFINE_bool("shuffle", True, "shuffle", flag_values=fv)
    f.DEFINE_list("layers", "64,32", "sizes", flag_values=fv)
    f.DEFINE_enum("mode", "train", ["train", "eval"], "mode", flag_values=fv)


def test_flags_defaults_and_parsing(flag_values):
    _define_all(flag_values)
    rest = flag_values(["prog", "--max_steps=5", "--learning_rate", "0.5", "--fake_data",
                        "--noshuffle", "pos", "-layers=8,4", "--mode=eval", "--", "--x"])
    assert rest == ["prog", "pos", "--x"]
    assert flag_values.flag_values_dict() == {
        "data_dir": "/tmp/data", "max_steps": 5, "learning_rate": 0.5, "fake_data": True,
        "shuffle": False, "layers": ["8", "4"], "mode": "eval"}
    flag_values.max_steps = 7
    assert flag_values.max_steps == 7
    flag_values(["prog", "--fake_data=false"])
    assert flag_values.fake_data is False


def test_flag_errors(flag_values):
    _define_all(flag_values)
    with pytest.raises(flags_module.UnrecognizedFlagError, match="'f'"):
        flag_values(["ipykernel", "-f", "kernel.json"])
    assert flag_values(["prog", "--unknown=1", "a"], known_only=True) == ["prog", "--unknown=1",
                                                                         "a"]
    with pytest.raises(flags_module.IllegalFlagValueError, match=">= 1"):
        flag_values(["prog", "--max_steps=0"])
    with pytest.raises(flags_module.IllegalFlagValueError, match="train|eval"):
        flag_values(["prog", "--mode=test"])
    with pytest.raises(flags_module.IllegalFlagValueError, match="needs a value"):
        flag_values(["prog", "--data_dir"])
    with pytest.raises(flags_module.DuplicateFlagError):
        tf.app.flags.DEFINE_string("data_dir", "", "again", flag_values=flag_values)
    with pytest.raises(AttributeError, match="define it first"):
        flag_values.nope = 1


def test_app_run_parses_flags_and_exits_with_mains_result():
    code = textwrap.dedent("""
        import sys
        import tfone as tf
        flags = tf.app.flags
        flags.DEFINE_integer("max_steps", 10, "Number of steps.")
        FLAGS = flags.FLAGS

        def main(argv):
            print("steps", FLAGS.max_steps, "argv", argv[1:])
            return 3

        if __name__ == "__main__":
            tf.app.run()
    """)
    proc = subprocess.run([sys.executable, "-c", code, "--max_steps=42", "extra",
                           "--unknown"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.strip() == "steps 42 argv ['extra', '--unknown']"


def test_reading_a_flag_parses_the_command_line(monkeypatch, flag_values):
    tf.app.flags.DEFINE_integer("batch_size", 32, "size", flag_values=flag_values)
    monkeypatch.setattr(sys, "argv", ["prog", "--batch_size=8"])
    assert not flag_values.is_parsed()
    assert flag_values.batch_size == 8 and flag_values.is_parsed()


# -- tf.gfile ------------------------------------------------------------------------------------
def test_gfile_round_trip(tmp_path):
    d = str(tmp_path / "logs" / "run1")
    assert not tf.gfile.Exists(d)
    tf.gfile.MakeDirs(d)
    assert tf.gfile.IsDirectory(d)
    path = os.path.join(d, "notes.txt")
    with tf.gfile.GFile(path, "w") as f:
        f.write("line 1\nline 2\n")
    with tf.gfile.Open(path) as f:
        assert [line for line in f] == ["line 1\n", "line 2\n"]
    assert tf.gfile.GFile(path).size() == 14
    assert tf.gfile.ListDirectory(d) == ["notes.txt"]
    assert tf.gfile.Glob(os.path.join(d, "*.txt")) == [path]
    tf.gfile.Copy(path, path + ".bak")
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Copy(path, path + ".bak")
    tf.gfile.Rename(path + ".bak", path + ".old")
    assert tf.gfile.Stat(path).length == 14
    tf.gfile.Remove(path + ".old")
    tf.gfile.DeleteRecursively(str(tmp_path / "logs"))
    assert not tf.gfile.Exists(d)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.GFile(path)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.DeleteRecursively(d)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.MkDir(str(tmp_path / "a" / "b"))


# -- tf.compat.v1 --------------------------------------------------------------------------------
def test_compat_v1_is_tfone():
    import tfone.compat.v1 as tf1
    assert tf1 is tf and tf.compat.v1 is tf
    tf1.disable_v2_behavior()
    tf1.disable_eager_execution()
    assert tf1.executing_eagerly() is False
    with pytest.raises(NotImplementedError, match="graph mode"):
        tf1.enable_eager_execution()
    with pytest.raises(NotImplementedError, match="TensorFlow 1"):
        tf1.enable_v2_behavior()
    x = tf1.placeholder(tf1.float32, [None])
    with tf1.Session() as sess:
        np.testing.assert_allclose(sess.run(x * 2, {x: [1.0, 2.0]}), [2.0, 4.0])
    assert tf.VERSION == tf.__version__


def test_tf_test_device_checks():
    # TF1 notebooks start with these; tfone has no GPU.
    assert tf.test.is_gpu_available() is False and tf.test.is_gpu_available(cuda_only=True) is False
    assert tf.test.gpu_device_name() == "" and tf.test.is_built_with_cuda() is False
    assert callable(tf.test.compute_gradient_error)
