"""Every lesson (and the main demo) runs in --fast mode, prints its results and writes the
pictures it promises.

The lessons run as subprocesses (as a student runs them), two at a time, in a temporary
directory; each test then checks one lesson's exit code, output and pictures.
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(REPO, "tutorials")

# lesson -> (text its output must contain (regular expressions), pictures it writes)
LESSONS = {
    "01_graphs_and_sessions": (
        [r"sess\.run\(c\) = 13\.0", r"row_sums = \[ 6\., 24\., 42\., 60\.\]",
         r"running `increment` three times gives \[1, 2, 3\]"],
        ["graph.png", "graph_variables.svg"]),
    "02_gradients_by_hand": (
        [r"x= 2\.0 y= 3\.0   tf: z= 6\.9093 dz/dx= 2\.5839", r"least squares \(numpy\): w = "],
        ["forward.png", "forward_and_gradients.png", "values_and_gradients.png",
         "training.png"]),
    "03_logistic_regression": (
        [r"learned W = \[", r"largest difference between the two loss curves: ",
         r"Keras evaluate on the test set: loss \d\.\d+, accuracy \d\.\d+"],
        ["graph_low_level.png", "graph_keras.png", "loss_curves.png", "decision_boundary.png"]),
    "04_mlp_digits": (
        [r"4810 trainable parameters", r"final test accuracy: \d+\.\d%",
         r"accuracy per digit: 0:"],
        ["samples.png", "confusion_matrix.png", "training_curves.png", "graph_by_scope.png",
         "graph_forward.png"]),
    "05_cnn_digits": (
        [r"conv2/MaxPool +\(\?, 2, 2, 24\)", r"final test accuracy: \d+\.\d%"],
        ["filters.png", "feature_maps.png", "graph.png", "graph_by_scope.png"]),
    "06_rnn_lstm": (
        [r"rnn/lstm_cell/kernel:0 +\(25, 96\)", r"test mse \d\.\d+ vs \d\.\d+",
         r"RMS error \d\.\d+"],
        ["predictions.png", "unrolled_graph.png", "lstm_step.png"]),
    "07_keras_tour": (
        [r"Total params: 4,810", r"best val_loss \d\.\d+ at epoch \d+",
         r"loaded model: test loss (\d\.\d+), accuracy (\d\.\d+) \(before saving: \1, \2\)",
         r"Adam's step counter is now \d+"],
        ["functional_model.png", "training_with_callbacks.png", "keras_graph.png"]),
    "08_gradient_flow": (
        [r"sigmoid, Glorot init +\d\.\de-\d\d", r"ReLU, He init +\d\.\de[-+]\d\d",
         r"\d+ x vanishing: layer_1/kernel"],
        ["gradient_flow_sigmoid.png", "gradient_flow_sigmoid_detail.png",
         "history_sigmoid.png", "gradient_flow_relu_small.png", "gradient_flow_relu_he.png",
         "per_layer_gradients.png", "loss_curves.png"]),
    "09_step_by_step": (
        [r"w: 0\.50000 -> 0\.71151 \(by hand 0\.71151\)",
         r"b: 0\.00000 -> 0\.10575 \(by hand 0\.10575\)", r"backward \( ?\d+ ops\)",
         r"values in the trace: y = 0\.73106, loss = 0\.07233, w read as 0\.50000, "
         r"w written as 0\.71151"],
        ["numbered_steps.png", "step_by_step.gif", "values.png"]),
    "10_distributed": (
        [r"step 1: loss \d\.\d+ on 2 workers, \d\.\d+ in one process; largest weight "
         r"difference after the update (\d\.\de-(0[5-9]|[1-9]\d)|0\.0e\+00)",
         r"\d+ steps applied; final test accuracy \d\.\d+"],
        ["placement.png", "training.png", "model_graph.png"]),
    "11_checkpoints_and_export": (
        [r"same predictions as before saving: True", r"imported graph, same predictions: True",
         r"resumed training: global_step (\d+) -> \d+"],
        ["iris_graph.png", "iris_forward.png"]),
    "demo": (
        [r"Lesson 03: logistic regression", r"All pictures on one page: .*index\.html"],
        ["03_logistic_regression/loss_curves.png", "03_logistic_regression/decision_boundary.png",
         "graph.png", "graph_with_gradients.png", "values.png", "gradient_flow.png",
         "training_step.png", "neuron_step.gif", "decision_boundary.png", "index.html"]),
}

HAVE_DOT = shutil.which("dot") is not None and shutil.which("neato") is not None
pytestmark = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed "
                                "(bash setup.sh installs it); the lessons draw with it")


def _run(name, out_root):
    out = os.path.join(out_root, name)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO] + [p for p in [os.environ.get("PYTHONPATH")] if p]), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, os.path.join(TUTORIALS, name + ".py"), "--fast",
                           "--out", out], cwd=out_root, env=env, capture_output=True,
                          text=True, timeout=600)
    return name, done, out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run every lesson once, two at a time (the machine has 2 cores)."""
    root = str(tmp_path_factory.mktemp("lessons"))
    names = list(LESSONS)
    try:
        import distributed  # noqa: F401
    except ImportError:
        names.remove("10_distributed")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: _run(n, root), names))
    return {name: (done, out) for name, done, out in results}


def _picture_kind(path):
    with open(path, "rb") as f:
        head = f.read(512)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"GIF87a") or head.startswith(b"GIF89a"):
        return "gif"
    if b"<svg" in head or (head.lstrip().startswith(b"<?xml") and path.endswith(".svg")):
        return "svg"
    if head.lstrip().lower().startswith(b"<!doctype html"):
        return "html"
    return None


def test_every_lesson_is_listed():
    on_disk = sorted(f[:-3] for f in os.listdir(TUTORIALS)
                     if re.match(r"\d\d_\w+\.py$", f) or f == "demo.py")
    assert on_disk == sorted(LESSONS)


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_lesson_runs(runs, name):
    if name not in runs:
        pytest.skip("dask[distributed] is not installed")
    done, out = runs[name]
    report = "exit code %d\n--- stdout (end)\n%s\n--- stderr (end)\n%s" % (
        done.returncode, done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0, report
    assert "Traceback" not in done.stderr, report
    patterns, pictures = LESSONS[name]
    for pattern in patterns:
        assert re.search(pattern, done.stdout), "%r not in the output of %s\n%s" % (
            pattern, name, report)
    assert re.search(r"Done in \d+\.\d s\. \d+ pictures? in ", done.stdout), report
    expected_ext = {".png": "png", ".gif": "gif", ".svg": "svg", ".html": "html"}
    for picture in pictures:
        path = os.path.join(out, picture)
        assert os.path.isfile(path), "%s did not write %s\n%s" % (name, picture, report)
        assert os.path.getsize(path) > 0, "%s is empty" % path
        assert _picture_kind(path) == expected_ext[os.path.splitext(path)[1]], (
            "%s is not a valid %s file" % (path, os.path.splitext(path)[1]))
        if not picture.endswith(".html"):
            assert picture.split("/")[-1] in done.stdout, (
                "%s wrote %s but did not say where it went" % (name, picture))
