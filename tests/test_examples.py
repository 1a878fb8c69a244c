"""The TF1 textbook programs in examples/ run end to end (``--fast``) and reach their metric.

Each example is run as a user would (``python examples/NAME.py --fast --out DIR``) in a
subprocess, two at a time; it must exit 0, print ``final <metric>: <value>`` beating the
threshold below, and render its graph picture with viz.
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")

# name -> (metric printed on the "final" line, "min" or "max", threshold)
EXPECTED = {
    "01_linear_regression": ("test_mse", "max", 0.01),
    "02_logistic_regression": ("test_accuracy", "min", 0.8),
    "03_softmax_regression_digits": ("test_accuracy", "min", 0.9),
    "04_mlp_dropout_batchnorm": ("test_accuracy", "min", 0.9),
    "05_cnn_digits": ("test_accuracy", "min", 0.7),
    "06_lstm_sequence_length": ("test_accuracy", "min", 0.85),
    "07_gru_multirnn_digits": ("test_accuracy", "min", 0.7),
    "08_autoencoder": ("test_mse_vs_baseline", "max", 0.6),
    "09_word_embeddings": ("neighbour_accuracy", "min", 0.8),
    "10_gan_1d": ("mean_error", "max", 0.5),
    "11_tensorboard_summaries": ("test_accuracy", "min", 0.8),
    "12_saver_restore": ("loss", "max", 0.1),
    "13_lr_decay_grad_clipping": ("test_accuracy", "min", 0.9),
    "14_cond_and_case": ("huber_param_error", "max", 0.3),
    "15_weight_sharing_siamese": ("pair_accuracy", "min", 0.85),
    "16_keras_sequential_functional": ("test_accuracy", "min", 0.85),
    "17_batch_norm_by_hand": ("test_accuracy", "min", 0.9),
    "18_app_flags_script": ("test_precision", "min", 0.85),
    "19_contrib_layers_mlp": ("test_accuracy", "min", 0.85),
    "20_char_rnn": ("perplexity", "max", 2.0),
    "21_vae": ("loss_vs_baseline", "max", 0.99),
    "22_transfer_learning": ("transfer_accuracy", "min", 0.7),
    "23_time_series_rnn": ("test_mse", "max", 1.0),
}

pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="the examples render pictures with Graphviz's dot")


def test_every_example_has_an_expectation():
    on_disk = {os.path.splitext(f)[0] for f in os.listdir(EXAMPLES)
               if re.match(r"\d\d_.*\.py$", f)}
    assert on_disk == set(EXPECTED)


def _run(name, out_dir):
    env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + ".py"), "--fast",
                           "--out", out_dir], cwd=out_dir, env=env, capture_output=True,
                          text=True, timeout=300)
    return proc


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every example, run once (two at a time: the machine has two cores)."""
    root = tmp_path_factory.mktemp("examples")
    dirs = {name: str(root / name) for name in EXPECTED}
    for d in dirs.values():
        os.makedirs(d)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, name, dirs[name]) for name in EXPECTED}
        return {name: (f.result(), dirs[name]) for name, f in futures.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_learns(runs, name):
    proc, out_dir = runs[name]
    assert proc.returncode == 0, "%s failed:\n%s\n%s" % (name, proc.stdout[-2000:],
                                                        proc.stderr[-4000:])
    metric, kind, threshold = EXPECTED[name]
    found = re.findall(r"^final %s: (\S+)$" % metric, proc.stdout, re.M)
    assert len(found) == 1, "%s printed no 'final %s:' line:\n%s" % (name, metric,
                                                                    proc.stdout[-2000:])
    value = float(found[0])
    if kind == "min":
        assert value >= threshold, "%s: %s %.4f < %.4f" % (name, metric, value, threshold)
    else:
        assert value <= threshold, "%s: %s %.4f > %.4f" % (name, metric, value, threshold)
    picture = os.path.join(out_dir, "graph.png")
    assert os.path.getsize(picture) > 1000
    with open(picture, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
