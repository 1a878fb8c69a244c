"""Synchronous data parallelism on Dask: an MLP with a large batch on 1 vs 2 local workers.

    python -m benchmarks.distributed_mlp            # a few minutes on a busy 2-core machine
    python -m benchmarks.distributed_mlp --quick    # smaller model and batch, fewer steps

The same model, batch (8192 rows) and optimizer (Adam) are trained four ways, measured in
interleaved rounds (each round runs a few steps of every configuration in turn, so a change
in the machine's load affects them all alike):

* single process: plain ``sess.run(train_op)`` on the whole batch in this process;
* ``DataParallel`` on 1 worker process and on 2, with the dataset scattered once (a step
  then sends only the parameters);
* ``DataParallel`` on 2 workers with the batch sent every step.

This process limits numpy's BLAS to 1 thread, as Dask's nanny does for every worker
(OMP/OPENBLAS/MKL_NUM_THREADS=1), so one worker and the single process do the same work
with the same resources. The single process with numpy's default threads is measured
separately, for reference.

Reported: seconds per step (median) and steps per second; the scaling efficiency
``rate(2 workers) / (2 * rate(1 worker))``; where a distributed step's time goes (from
``DataParallel.last_step``): reading the variables, the workers' graph runs as wall time and
as CPU time (more wall than CPU time means the worker waited for a core), everything else
in the round trip (serialising and moving arrays, Dask's scheduling: "transfer"), averaging
and the update on the driver; and the machine: cores, load average before and after, BLAS.
Nothing is adjusted; the "CPU-bound estimate" line is labelled as an estimate.
"""
import os

if __name__ == "__main__":          # before numpy is imported: 1 BLAS thread, as on workers
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def build_mlp(tf, n_in, hidden, n_out, seed=1):
    """x -> [dense relu] * len(hidden) -> softmax cross-entropy; returns (graph, x, y, loss)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, n_in], name="x")
        y = tf.placeholder(tf.float32, [None, n_out], name="y")
        h = x
        for i, width in enumerate(list(hidden) + [n_out]):
            fan_in = int(h.shape[1])
            w = tf.Variable(tf.random_normal([fan_in, width], stddev=np.sqrt(2.0 / fan_in)),
                            name="dense%d/kernel" % i)
            b = tf.Variable(tf.zeros([width]), name="dense%d/bias" % i)
            h = tf.matmul(h, w) + b
            if i < len(hidden):
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
    return graph, x, y, loss


def make_data(n_rows, n_in, n_out, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n_rows, n_in).astype(np.float32)
    y = np.eye(n_out, dtype=np.float32)[rng.randint(0, n_out, n_rows)]
    return x, y


class SingleProcess:
    """One step = sess.run(train_op) on the whole batch."""

    def __init__(self, config):
        import tfone as tf
        graph, x, y, loss = build_mlp(tf, config["n_in"], config["hidden"], config["n_out"])
        with graph.as_default():
            self.train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
            init = tf.global_variables_initializer()
        self.sess = tf.Session(graph=graph)
        self.sess.run(init)
        xb, yb = make_data(config["batch"], config["n_in"], config["n_out"])
        self.feed = {x: xb, y: yb}
        self.stats = []

    def step(self):
        self.sess.run(self.train_op, self.feed)

    def close(self):
        self.sess.close()


class Distributed:
    """One step = DataParallel.run, with the data scattered once or sent every step."""

    def __init__(self, cluster, config, scattered):
        import tfone as tf
        from tfone.distribute import DataParallel
        graph, self.x, self.y, loss = build_mlp(tf, config["n_in"], config["hidden"],
                                                config["n_out"])
        with graph.as_default():
            self.dp = DataParallel(cluster, loss, tf.train.AdamOptimizer(1e-3),
                                   inputs=[self.x, self.y])
            init = tf.global_variables_initializer()
        self.sess = tf.Session(graph=graph)
        self.sess.run(init)
        self.xb, self.yb = make_data(config["batch"], config["n_in"], config["n_out"])
        self.scattered = scattered
        if scattered:
            self.dp.scatter({self.x: self.xb, self.y: self.yb}, batch_size=config["batch"])
        self.stats = []

    def step(self):
        if self.scattered:
            self.dp.run(self.sess, batch=0)
        else:
            self.dp.run(self.sess, {self.x: self.xb, self.y: self.yb})
        self.stats.append(self.dp.last_step)

    def close(self):
        self.dp.close()
        self.sess.close()


def measure(variants, rounds, steps_per_round, warmup):
    """{name: [seconds per step]}: every round runs steps_per_round steps of each variant."""
    for variant in variants.values():
        for _ in range(warmup):
            variant.step()
        variant.stats.clear()
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, variant in variants.items():
            for _ in range(steps_per_round):
                start = time.perf_counter()
                variant.step()
                times[name].append(time.perf_counter() - start)
    return times


def time_split(stats):
    """Medians (seconds) of where the distributed steps' time went."""
    def median(f):
        return statistics.median(f(s) for s in stats)

    def slowest(s):
        return s.compute_seconds.index(max(s.compute_seconds))
    return {
        "read variables": median(lambda s: s.read_seconds),
        "worker compute (slowest, wall)": median(lambda s: max(s.compute_seconds)),
        "its CPU time": median(lambda s: s.compute_cpu_seconds[slowest(s)]),
        "transfer + scheduling": median(lambda s: s.round_trip_seconds - max(s.compute_seconds)),
        "average gradients": median(lambda s: s.average_seconds),
        "apply update": median(lambda s: s.apply_seconds),
    }


def default_threads_rate(config, steps):
    """The single process with numpy's default BLAS threads, in a child process."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
    code = ("import json, sys, time, statistics\n"
            "from benchmarks.distributed_mlp import SingleProcess\n"
            "s = SingleProcess(json.loads(sys.argv[1])); s.step(); s.step()\n"
            "t = []\n"
            "for _ in range(%d):\n"
            "    a = time.perf_counter(); s.step(); t.append(time.perf_counter() - a)\n"
            "print(statistics.median(t))" % steps)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code, json.dumps(config)], env=env, cwd=root,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def machine():
    info = {"python": platform.python_version(), "numpy": np.__version__,
            "os.cpu_count()": os.cpu_count(), "platform": platform.platform()}
    if hasattr(os, "sched_getaffinity"):
        info["cores this process may use"] = len(os.sched_getaffinity(0))
    try:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        info["blas"] = "%s %s" % (blas.get("name", "?"), blas.get("version", ""))
    except Exception:
        info["blas"] = "unknown"
    info["BLAS threads here"] = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return info


def load_average():
    return tuple(round(v, 2) for v in os.getloadavg()) if hasattr(os, "getloadavg") else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small model, few steps")
    parser.add_argument("--batch", type=int, help="global batch size")
    parser.add_argument("--rounds", type=int, help="interleaved rounds")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    config = ({"n_in": 256, "hidden": [256], "n_out": 10, "batch": 2048} if args.quick else
              {"n_in": 784, "hidden": [512, 512], "n_out": 10, "batch": 8192})
    if args.batch:
        config["batch"] = args.batch
    rounds = args.rounds or (3 if args.quick else 6)
    steps_per_round, warmup = 2, 2
    n_params = sum(a * b + b for a, b in zip([config["n_in"]] + config["hidden"],
                                             config["hidden"] + [config["n_out"]]))

    from tfone.distribute import Cluster
    results = {"machine": machine(), "config": dict(
        config, parameters=n_params, optimizer="Adam", rounds=rounds,
        steps_per_round=steps_per_round), "load_average_before": load_average()}
    print("MLP %s -> %s -> %d, %d parameters (%.1f MB), global batch %d, Adam; "
          "%d interleaved rounds of %d steps" % (
              config["n_in"], " -> ".join(map(str, config["hidden"])), config["n_out"],
              n_params, n_params * 4 / 2**20, config["batch"], rounds, steps_per_round))
    print("machine: %s" % results["machine"])
    print("load average (1, 5, 15 min) before: %s" % (results["load_average_before"],))

    one = Cluster(n_workers=1, threads_per_worker=1, processes=True)
    two = Cluster(n_workers=2, threads_per_worker=1, processes=True)
    variants = {}
    try:
        variants["single process (1 BLAS thread)"] = SingleProcess(config)
        variants["1 worker, data scattered once"] = Distributed(one, config, scattered=True)
        variants["2 workers, data scattered once"] = Distributed(two, config, scattered=True)
        variants["2 workers, batch sent every step"] = Distributed(two, config, scattered=False)
        times = measure(variants, rounds, steps_per_round, warmup)
        splits = {name: dict(time_split(v.stats), bytes_to_workers=v.stats[-1].bytes_to_workers,
                             bytes_from_workers=v.stats[-1].bytes_from_workers,
                             shard_sizes=v.stats[-1].shard_sizes)
                  for name, v in variants.items() if v.stats}
    finally:
        for variant in variants.values():
            variant.close()
        two.close()     # in reverse order: each restores the log levels it found
        one.close()
    seconds = {name: statistics.median(t) for name, t in times.items()}
    seconds["single process (default BLAS threads, measured separately)"] = \
        default_threads_rate(config, rounds * steps_per_round)
    results["load_average_after"] = load_average()

    print("\n%-60s %9s %9s" % ("configuration", "s/step", "steps/s"))
    for name, value in seconds.items():
        print("%-60s %9.4f %9.2f" % (name, value, 1.0 / value))
    t1 = seconds["1 worker, data scattered once"]
    t2 = seconds["2 workers, data scattered once"]
    efficiency = t1 / (2.0 * t2)
    print("\nscaling efficiency, data scattered: rate(2 workers) / (2 x rate(1 worker)) = %.2f "
          "(speed-up %.2fx)" % (efficiency, t1 / t2))
    print("2 workers vs the single process (1 BLAS thread): %.2fx"
          % (seconds["single process (1 BLAS thread)"] / t2))

    def cpu_bound(split):   # the step if every worker had a core to itself
        return (split["read variables"] + split["its CPU time"] + split["transfer + scheduling"]
                + split["average gradients"] + split["apply update"])
    e1 = cpu_bound(splits["1 worker, data scattered once"])
    e2 = cpu_bound(splits["2 workers, data scattered once"])
    print("estimate, not a measurement: with a free core per worker (workers' CPU time in place "
          "of their wall time) a step would take %.0f ms on 1 worker and %.0f ms on 2: "
          "efficiency %.2f" % (1e3 * e1, 1e3 * e2, e1 / (2.0 * e2)))

    keys = ["read variables", "worker compute (slowest, wall)", "its CPU time",
            "transfer + scheduling", "average gradients", "apply update"]
    heads = ["read vars", "compute", "(CPU)", "transfer", "average", "apply"]
    print("\nwhere a distributed step's time goes (medians, ms):")
    print("%-36s %s" % ("", " ".join("%9s" % h for h in heads)))
    for name, split in splits.items():
        print("%-36s %s" % (name, " ".join("%9.1f" % (1e3 * split[k]) for k in keys)))
        print("%-36s sent %.1f MB, received %.1f MB, rows per worker %s" % (
            "", split["bytes_to_workers"] / 2**20, split["bytes_from_workers"] / 2**20,
            split["shard_sizes"]))
    print("\nload average after: %s" % (results["load_average_after"],))
    if (os.cpu_count() or 1) < 3:
        print("note: %s cores for the driver, the scheduler, 3 worker processes and anything "
              "else running on the machine." % os.cpu_count())

    results.update(seconds_per_step=seconds, time_split=splits, scaling_efficiency=efficiency,
                   cpu_bound_estimate_seconds={"1 worker": e1, "2 workers": e2})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
