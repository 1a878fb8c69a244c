"""Draw docs/images/distributed_data_flow.svg: the data flow of one DataParallel step.

    python docs/make_distributed_figure.py          # the generic picture (2 workers)
    python docs/make_distributed_figure.py --live   # a real 2-worker run: real addresses,
                                                    # variables, shard sizes and bytes

The picture is built by ``tfone.distribute.data_flow_dot`` (Graphviz DOT) and rendered with
Graphviz's ``dot``.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def live_dot():
    import tfone as tf
    from tfone.distribute import Cluster, DataParallel
    from benchmarks.distributed_mlp import build_mlp, make_data
    graph, x, y, loss = build_mlp(tf, 64, [128], 10)
    with Cluster(n_workers=2) as cluster:
        with graph.as_default():
            dp = DataParallel(cluster, loss, tf.train.AdamOptimizer(1e-3), inputs=[x, y])
            init = tf.global_variables_initializer()
        sess = tf.Session(graph=graph)
        sess.run(init)
        xb, yb = make_data(1000, 64, 10)
        dp.run(sess, {x: xb, y: yb})
        dot = dp.data_flow_dot()
        dp.close()
    return dot


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--live", action="store_true", help="draw a real 2-worker step")
    parser.add_argument("--out", default=os.path.join(HERE, "images", "distributed_data_flow.svg"))
    args = parser.parse_args()
    if args.live:
        dot = live_dot()
    else:
        from tfone.distribute.diagram import data_flow_dot
        dot = data_flow_dot(n_workers=2)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    fmt = os.path.splitext(args.out)[1].lstrip(".") or "svg"
    svg = subprocess.run(["dot", "-T" + fmt], input=dot.encode("utf-8"), capture_output=True,
                         check=True).stdout
    with open(args.out, "wb") as f:
        f.write(svg)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
