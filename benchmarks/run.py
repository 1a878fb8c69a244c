"""Run the benchmark suite: ``python -m benchmarks [--quick] [--only W3,W4]``.

Prints, per workload, the median time per step of tfone and of the hand-written numpy
program (measured interleaved in this run), their ratio and the issue's target; then the
scaling of graph construction, peak memory, import time, and the machine's BLAS/threads.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def configure_blas_threads(argv=None):
    """Fix the BLAS thread count (default 1) before numpy is imported.

    Multi-threaded OpenBLAS on a small, shared 2-core machine makes small matrix products
    erratic (the same product measured from 20 us to 5 ms here), which would drown the
    differences the benchmark is about. Both variants always share the setting; pass
    ``--blas-threads N`` to measure another one.
    """
    argv = sys.argv[1:] if argv is None else argv
    threads = "1"
    if "--blas-threads" in argv:
        threads = argv[argv.index("--blas-threads") + 1]
    for var in _THREAD_VARS:
        os.environ[var] = threads


if __name__ == "__main__":
    configure_blas_threads()

import numpy as np  # noqa: E402

from benchmarks import timing, workloads

TARGETS = {"W1": 1.3, "W2": 2.0, "W3": 1.15, "W4": 0.6, "W5": 1.15, "W6": 3.0}
TARGET_NOTES = {"W4": "x the straightforward im2col numpy step"}
ITERATIONS = {"W1": 2000, "W2": 500, "W3": 40, "W4": 4, "W5": 20, "W6": 3}


def machine_info():
    info = {"python": platform.python_version(), "numpy": np.__version__,
            "cpus": os.cpu_count(), "machine": platform.machine()}
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = "%s %s" % (blas.get("name", "?"), blas.get("version", ""))
    except Exception:  # older numpy: no dict mode
        info["blas"] = "unknown"
    for var in _THREAD_VARS + ("OPENBLAS_CORETYPE",):
        if os.environ.get(var):
            info[var] = os.environ[var]
    try:
        from threadpoolctl import threadpool_info
        info["blas_threads"] = [p.get("num_threads") for p in threadpool_info()]
    except ImportError:
        pass
    return info


def check_correctness(workload):
    if workload.check is None:
        return "n/a"
    ours, reference = workload.check()
    ok = np.allclose(ours, reference, rtol=1e-4, atol=1e-6)
    return "loss matches" if ok else "MISMATCH %s vs %s" % (ours, reference)


def time_workload(workload, quick):
    iterations = max(1, ITERATIONS[workload.key] // (10 if quick else 1))
    rounds = 3 if quick else 7
    return timing.interleaved(workload.variants, rounds=rounds, iterations=iterations,
                              warmup=1 if quick else 3)


def graph_build_scaling(quick):
    sizes = [1000, 2000] if quick else [1000, 2000, 4000, 8000]
    rows = []
    for n in sizes:
        med = timing.interleaved({"tfone": lambda: workloads.build_tfone_graph(n),
                                  "numpy": lambda: workloads.build_minimal_graph(n)},
                                 rounds=3, iterations=1, warmup=1)
        rows.append((n, med["tfone"], med["numpy"]))
    return rows


_RSS_SCRIPT = r"""
import sys
from benchmarks import workloads
w = getattr(workloads, sys.argv[1])()
step = w.variant(sys.argv[2])  # builds only this variant
for _ in range(int(sys.argv[3])):
    step()
# VmHWM is this process's own peak (ru_maxrss would include the parent's memory from before
# the exec on Linux).
try:
    with open("/proc/self/status") as f:
        print(next(line.split()[1] for line in f if line.startswith("VmHWM")))
except OSError:  # not Linux: ru_maxrss (kilobytes on Linux/BSD, bytes on macOS)
    import resource
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1))
"""


def peak_rss_mb(factory, variant, steps):
    """Peak resident memory (MB) of a fresh process that builds and runs one variant."""
    out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, factory, variant, str(steps)],
                         capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return int(out.stdout.strip().splitlines()[-1]) / 1024.0


def import_time_s(repeats):
    """Median wall time of ``import tfone`` in fresh processes, with bytecode caching on
    (as users have it; a first import writes the caches)."""
    code = "import time; t = time.perf_counter(); import tfone; print(time.perf_counter() - t)"
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import tfone"], env=env, check=True)
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env)
        times.append(float(out.stdout.strip()))
    return float(np.median(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: few iterations")
    parser.add_argument("--only", default="", help="comma-separated workload keys, e.g. W1,W3")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--blas-threads", default="1",
                        help="BLAS threads for both variants (set before numpy loads; default 1)")
    args = parser.parse_args(argv)
    only = {k.strip().upper() for k in args.only.split(",") if k.strip()}

    info = machine_info()
    print("machine: " + ", ".join("%s=%s" % kv for kv in info.items()))
    print()
    print("%-4s %-12s %-12s %-8s %-8s %s" % ("", "tfone", "numpy", "ratio", "target", "check / workload"))
    results = {"machine": info, "workloads": {}}
    for factory in workloads.ALL:
        workload = factory(quick=args.quick)
        if only and workload.key not in only:
            continue
        status = check_correctness(workload)
        medians = time_workload(workload, args.quick)
        ratio = medians["tfone"] / medians["numpy"]
        target = TARGETS[workload.key]
        verdict = "ok" if ratio <= target else "OVER"
        print("%-4s %-12s %-12s %-8s %-8s %s: %s [%s]" % (
            workload.key, _ms(medians["tfone"]), _ms(medians["numpy"]), "%.2fx" % ratio,
            "<=%.2fx" % target, verdict, workload.title, status))
        if workload.note:
            print("%41s(%s)" % ("", workload.note))
        results["workloads"][workload.key] = {"tfone_s": medians["tfone"], "numpy_s": medians["numpy"],
                                              "ratio": ratio, "target": target, "check": status}
    if not only or "W6" in only:
        print()
        print("graph construction + tf.gradients (W6 scaling):")
        for n, ours, minimal in graph_build_scaling(args.quick):
            print("  %5d ops: tfone %8s  minimal %8s  ratio %.2fx  (%.1f us/op)"
                  % (n, _ms(ours), _ms(minimal), ours / minimal, ours / n * 1e6))
    if not args.quick:
        print()
        for key, factory in (("W3", "w3_mlp_adam"), ("W4", "w4_cnn")):
            if only and key not in only:
                continue
            steps = 20 if key == "W3" else 3
            ours, ref = peak_rss_mb(factory, "tfone", steps), peak_rss_mb(factory, "numpy", steps)
            print("peak RSS %s: tfone %.0f MB, numpy %.0f MB, ratio %.2fx (target <= 1.30x)"
                  % (key, ours, ref, ours / ref))
            results["rss_" + key] = {"tfone_mb": ours, "numpy_mb": ref}
    seconds = import_time_s(3 if args.quick else 7)
    print("import tfone: %.3f s (target <= 0.3 s)" % seconds)
    results["import_s"] = seconds
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


def _ms(seconds):
    return "%.3f ms" % (seconds * 1e3) if seconds >= 1e-3 else "%.1f us" % (seconds * 1e6)


if __name__ == "__main__":
    main()
