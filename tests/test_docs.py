"""The documentation stays true: API.md matches the code, the README's commands are the ones
CI runs, its example works, and every link and picture it points to exists."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_DOT = shutil.which("dot") is not None


def _read(*parts):
    with open(os.path.join(REPO, *parts), encoding="utf-8") as f:
        return f.read()


def _env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO] + [p for p in [os.environ.get("PYTHONPATH")] if p]), MPLBACKEND="Agg")


def test_api_md_is_up_to_date():
    # A fresh process: the op registry must not include ops that tests register.
    done = subprocess.run([sys.executable, os.path.join(REPO, "docs", "generate_api.py"),
                           "--check"], capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_public_name_has_a_docstring():
    # The first line of each docstring is what docs/API.md shows next to the name.
    import importlib
    import inspect
    import types
    sys.path.insert(0, os.path.join(REPO, "docs"))
    try:
        import generate_api
    finally:
        sys.path.pop(0)
    missing = []
    for public, module_name in generate_api.NAMESPACES:
        module = importlib.import_module(module_name)
        for name in generate_api._public_names(module):
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or not (inspect.isclass(obj) or callable(obj)):
                continue
            if not generate_api._first_line(obj):
                missing.append("%s.%s" % (public, name))
    assert not missing, "public names without a docstring: %s" % ", ".join(missing)


def test_api_md_lists_the_namespaces_and_ops():
    text = _read("docs", "API.md")
    for heading in ("## tf\n", "## tf.nn\n", "## tf.math\n", "## tf.linalg\n", "## tf.train\n",
                    "## tf.layers\n", "## tf.losses\n", "## tf.initializers\n", "## tf.random\n",
                    "## tf.summary\n", "## tf.debugging\n", "## tf.keras\n",
                    "## tf.keras.layers\n", "## Registered ops\n"):
        assert heading in text
    assert "| `MatMul` | math | matmul | yes |" in text
    assert re.search(r"^- `placeholder\(dtype, shape=None, name=None\)`", text, re.M)


def test_readme_commands_match_setup_and_ci():
    readme = _read("README.md")
    assert "bash setup.sh " in readme and ".venv/bin/python -m pytest -q" in readme
    ci = _read(".ci", "run")
    assert "bash setup.sh --no-demo" in ci
    assert ".venv/bin/python -m pytest -q" in ci
    assert "tutorials/demo.py" in _read("setup.sh")


def test_readme_links_and_pictures_exist():
    readme = _read("README.md")
    targets = re.findall(r"\]\(([^)#\s]+)", readme) + re.findall(r'src="([^"]+)"', readme)
    assert targets
    for target in targets:
        if target.startswith("http"):
            continue
        assert os.path.exists(os.path.join(REPO, target)), "README links to missing %s" % target
    lessons = sorted(f[:-3] for f in os.listdir(os.path.join(REPO, "tutorials"))
                     if re.match(r"\d\d_\w+\.py$", f))
    for lesson in lessons:
        assert "docs/images/lessons/%s.png" % lesson in readme, "no thumbnail for " + lesson
        assert "tutorials/%s.py" % lesson in readme


def test_gallery_pictures_exist_and_stay_small():
    gallery = _read("docs", "GALLERY.md")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", gallery)
    assert len(pictures) >= 11
    for picture in pictures:
        assert os.path.isfile(os.path.join(REPO, "docs", picture)), picture
    total = 0
    for top in ("gallery", "lessons"):
        for directory, _, files in os.walk(os.path.join(REPO, "docs", "images", top)):
            total += sum(os.path.getsize(os.path.join(directory, f)) for f in files)
    total += os.path.getsize(os.path.join(REPO, "docs", "images", "readme_example.png"))
    assert total < 3 * 1024 * 1024


def test_docs_links_exist():
    for name in ("DIFFERENCES.md", "GALLERY.md", "HOW_IT_WORKS.md"):
        text = _read("docs", name)
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if target.startswith("http"):
                continue
            assert os.path.exists(os.path.join(REPO, "docs", target)), (
                "%s links to missing %s" % (name, target))


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed")
def test_readme_example_runs(tmp_path):
    readme = _read("README.md")
    block = readme.split("<!-- example:start -->")[1].split("<!-- example:end -->")[0]
    code = block.split("```python")[1].split("```")[0]
    assert 15 <= len([line for line in code.splitlines() if line.strip()]) <= 20
    (tmp_path / "example.py").write_text(code)
    done = subprocess.run([sys.executable, "example.py"], cwd=str(tmp_path), env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", done.stdout)]
    np.testing.assert_allclose(numbers, [1.0, -2.0, 0.5, 3.0], atol=1e-4)
    for number in re.findall(r"-?\d+\.\d+", readme.split("It prints the learned weights")[1]
                             .split("\n\n")[0]):
        assert number in done.stdout, "README quotes %s, the example printed %s" % (
            number, done.stdout)
    with open(tmp_path / "graph.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
