"""The benchmark suite keeps working (quick mode); it times nothing that a test asserts on."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quick_benchmark_runs_and_models_match_numpy():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    for key in ("W1", "W2", "W3", "W4", "W5", "W6"):
        assert "\n%s " % key in out.stdout, out.stdout
    assert "MISMATCH" not in out.stdout  # each tfone model's loss equals the numpy version's
    assert out.stdout.count("loss matches") == 5
    assert "import tfone:" in out.stdout and "blas=" in out.stdout
