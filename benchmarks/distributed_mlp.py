"""Synchronous data parallelism on Dask: an MLP with a large batch on 1 vs 2 local workers.

    python -m benchmarks.distributed_mlp            # about a minute
    python -m benchmarks.distributed_mlp --quick    # smaller model and batch, fewer steps

Measures, for the same model, batch and optimizer (Adam):

* single process: ``sess.run(train_op)`` in this process, with the BLAS threads numpy has by
  default, and again in a child process limited to 1 BLAS thread (what one worker gets:
  Dask's nanny starts workers with OMP/OPENBLAS/MKL_NUM_THREADS=1);
* ``DataParallel`` on 1 and on 2 worker processes, with the dataset scattered once
  (a step sends only the parameters) and, on 2 workers, with the batch sent every step.

Reports steps per second (median of per-step times), the scaling efficiency
``rate(2 workers) / (2 * rate(1 worker))``, and where a distributed step's time goes
(from ``DataParallel.last_step``): reading the variables, the workers' graph runs
(compute), everything else in the round trip (serialising and moving arrays, Dask
scheduling: "transfer"), averaging and the update on the driver. Also the machine: core
count, CPU affinity, load average before and after (other programs share the cores), BLAS.
Numbers are from this run on this machine; nothing is adjusted.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np


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


def single_process_rate(config, steps, warmup):
    """Median seconds per step of plain sess.run(train_op) on the whole batch."""
    import tfone as tf
    graph, x, y, loss = build_mlp(tf, config["n_in"], config["hidden"], config["n_out"])
    with graph.as_default():
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)
    xb, yb = make_data(config["batch"], config["n_in"], config["n_out"])
    feed = {x: xb, y: yb}
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        sess.run(train_op, feed)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def single_process_one_thread(config, steps, warmup):
    """The same, in a child process whose BLAS may use only one thread."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    code = ("import json, sys; from benchmarks.distributed_mlp import single_process_rate; "
            "print(single_process_rate(json.loads(sys.argv[1]), %d, %d))" % (steps, warmup))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code, json.dumps(config)], env=env, cwd=root,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def distributed_rate(cluster, config, steps, warmup, scattered):
    """Median seconds per DataParallel step and the median time split of those steps."""
    import tfone as tf
    from tfone.distribute import DataParallel
    graph, x, y, loss = build_mlp(tf, config["n_in"], config["hidden"], config["n_out"])
    with graph.as_default():
        dp = DataParallel(cluster, loss, tf.train.AdamOptimizer(1e-3), inputs=[x, y])
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)
    xb, yb = make_data(config["batch"], config["n_in"], config["n_out"])
    if scattered:
        dp.scatter({x: xb, y: yb}, batch_size=config["batch"])
    times, stats = [], []
    for i in range(warmup + steps):
        start = time.perf_counter()
        if scattered:
            dp.run(sess, batch=0)
        else:
            dp.run(sess, {x: xb, y: yb})
        if i >= warmup:
            times.append(time.perf_counter() - start)
            stats.append(dp.last_step)
    dp.close()

    def median(f):
        return statistics.median(f(s) for s in stats)
    split = {
        "read variables": median(lambda s: s.read_seconds),
        "worker compute (slowest)": median(lambda s: max(s.compute_seconds)),
        "transfer + scheduling": median(lambda s: s.round_trip_seconds - max(s.compute_seconds)),
        "average gradients": median(lambda s: s.average_seconds),
        "apply update": median(lambda s: s.apply_seconds),
    }
    sent = stats[-1].bytes_to_workers
    received = stats[-1].bytes_from_workers
    return statistics.median(times), split, sent, received, stats[-1].shard_sizes


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
    return info


def load_average():
    return tuple(round(v, 2) for v in os.getloadavg()) if hasattr(os, "getloadavg") else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small model, few steps")
    parser.add_argument("--batch", type=int, help="global batch size")
    parser.add_argument("--steps", type=int, help="timed steps per configuration")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    config = ({"n_in": 256, "hidden": [256], "n_out": 10, "batch": 2048} if args.quick else
              {"n_in": 784, "hidden": [512, 512], "n_out": 10, "batch": 8192})
    if args.batch:
        config["batch"] = args.batch
    steps = args.steps or (5 if args.quick else 10)
    warmup = 2
    n_params = sum(a * b + b for a, b in zip([config["n_in"]] + config["hidden"],
                                             config["hidden"] + [config["n_out"]]))

    from tfone.distribute import Cluster
    results = {"machine": machine(), "config": dict(config, parameters=n_params,
                                                    optimizer="Adam", timed_steps=steps),
               "load_average_before": load_average()}
    print("MLP %s -> %s -> %d, %d parameters (%.1f MB), global batch %d, Adam; %d timed steps"
          % (config["n_in"], " -> ".join(map(str, config["hidden"])), config["n_out"], n_params,
             n_params * 4 / 2**20, config["batch"], steps))
    print("machine: %s" % results["machine"])
    print("load average (1, 5, 15 min) before: %s" % (results["load_average_before"],))

    rates = {}
    rates["single process, default BLAS threads"] = single_process_rate(config, steps, warmup)
    rates["single process, 1 BLAS thread"] = single_process_one_thread(config, steps, warmup)
    splits = {}
    for n_workers in (1, 2):
        with Cluster(n_workers=n_workers, threads_per_worker=1, processes=True) as cluster:
            modes = [True] + ([False] if n_workers == 2 else [])
            for scattered in modes:
                name = "DataParallel, %d worker%s, %s" % (
                    n_workers, "s" if n_workers > 1 else "",
                    "data scattered once" if scattered else "batch sent every step")
                seconds, split, sent, received, shards = distributed_rate(
                    cluster, config, steps, warmup, scattered)
                rates[name] = seconds
                splits[name] = dict(split, bytes_to_workers=sent, bytes_from_workers=received,
                                    shard_sizes=shards)
    results["load_average_after"] = load_average()

    print("\n%-58s %10s %9s" % ("configuration", "s/step", "steps/s"))
    for name, seconds in rates.items():
        print("%-58s %10.4f %9.2f" % (name, seconds, 1.0 / seconds))
    one = rates["DataParallel, 1 worker, data scattered once"]
    two = rates["DataParallel, 2 workers, data scattered once"]
    efficiency = one / (2.0 * two)
    print("\nscaling efficiency, scattered data: rate(2 workers) / (2 x rate(1 worker)) = "
          "%.2f  (speed-up %.2fx)" % (efficiency, one / two))
    print("speed-up of 2 workers over the single process (1 BLAS thread): %.2fx; "
          "(default threads): %.2fx" % (rates["single process, 1 BLAS thread"] / two,
                                        rates["single process, default BLAS threads"] / two))

    print("\nwhere a distributed step's time goes (medians, ms):")
    keys = ["read variables", "worker compute (slowest)", "transfer + scheduling",
            "average gradients", "apply update"]
    print("%-58s %s" % ("", " ".join("%12s" % k.split(" (")[0][:12] for k in keys)))
    for name, split in splits.items():
        print("%-58s %s" % (name, " ".join("%12.1f" % (1e3 * split[k]) for k in keys)))
        print("%-58s bytes to workers %.1f MB, from workers %.1f MB, rows per worker %s" % (
            "", split["bytes_to_workers"] / 2**20, split["bytes_from_workers"] / 2**20,
            split["shard_sizes"]))
    print("\nload average after: %s" % (results["load_average_after"],))
    if (os.cpu_count() or 1) < 3:
        print("note: this machine has %s cores for the driver, the scheduler and the workers "
              "together; 2 workers cannot run at full speed side by side here." % os.cpu_count())

    results.update(seconds_per_step=rates, time_split=splits, scaling_efficiency=efficiency)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
