"""10: distributed training -- one model, two worker processes, one synchronous update.

Data parallelism splits each batch across workers. Every worker computes the gradients of
its share with the current weights, the driver averages them (weighted by rows) and applies
the optimizer once. Because the loss is a mean over rows, the average *is* the gradient of
the whole batch, so a distributed step equals a single-process step. tfone runs the workers
on Dask: here a local cluster of 2 processes; on a real cluster, a scheduler address.

    python tutorials/10_distributed.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import numpy as np

import tfone as tf
from tfone.keras.datasets import digits
import viz


def build_model(seed=1):
    """An MLP for the 8x8 digits in its own graph; returns (graph, x, y, loss, accuracy)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 64], name="x")
        y = tf.placeholder(tf.int32, [None], name="y")
        hidden = tf.layers.dense(x, 64, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(hidden, 10, name="logits")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits), name="loss")
        accuracy = tf.reduce_mean(tf.cast(tf.equal(
            tf.argmax(logits, 1, output_type=tf.int32), y), tf.float32), name="accuracy")
    return graph, x, y, loss, accuracy


def main():
    lesson = _common.Lesson("10_distributed", __doc__)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
    x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    batch_size = 256
    epochs = 2 if lesson.fast else 12

    # -----------------------------------------------------------------------------------------
    lesson.section("1. Start a local Dask cluster")
    from tfone.distribute import Cluster, DataParallel
    with Cluster(n_workers=2) as cluster:
        print(cluster)
        for address, pid in sorted(cluster.worker_pids().items()):
            print("  worker %s: process %d" % (address, pid))

        # -------------------------------------------------------------------------------------
        lesson.section("2. DataParallel instead of optimizer.minimize")
        lesson.code("""
train = DataParallel(cluster, loss, tf.train.AdamOptimizer(0.01), inputs=[x, y])
sess.run(tf.global_variables_initializer())
loss_value = train.run(sess, {x: x_batch, y: y_batch})   # one synchronous step
""")
        graph, x, y, loss, accuracy = build_model()
        with graph.as_default():
            train = DataParallel(cluster, loss, tf.train.AdamOptimizer(0.01), inputs=[x, y],
                                 metrics={"accuracy": accuracy})
            init = tf.global_variables_initializer()
        sess = tf.Session(graph=graph)
        sess.run(init)
        print("the workers received the graph once: %d ops as JSON; variables %s stay on the "
              "driver" % (len(train.worker_graph_def["node"]),
                          ", ".join(v.op.name for v in train.variables)))

        # The claim to check: one distributed step == one single-process step.
        reference_graph, rx, ry, rloss, _ = build_model()
        with reference_graph.as_default():
            reference_step = tf.train.AdamOptimizer(0.01).minimize(rloss)
            reference_init = tf.global_variables_initializer()
        reference = tf.Session(graph=reference_graph)
        reference.run(reference_init)
        first = {x: x_train[:batch_size], y: y_train[:batch_size]}
        dist_loss, _ = train.run(sess, first)
        ref_loss, _ = reference.run([rloss, reference_step],
                                    {rx: x_train[:batch_size], ry: y_train[:batch_size]})
        with graph.as_default():
            dist_weights = sess.run(tf.trainable_variables())
        with reference_graph.as_default():
            ref_weights = reference.run(tf.trainable_variables())
        gap = max(float(np.abs(a - b).max()) for a, b in zip(dist_weights, ref_weights))
        print("step 1: loss %.6f on 2 workers, %.6f in one process; largest weight "
              "difference after the update %.1e" % (dist_loss, ref_loss, gap))
        assert abs(dist_loss - ref_loss) < 1e-5 and gap < 1e-4, "the two steps disagree"
        step = train.last_step
        print("  shards: %s rows; sent %d bytes to the workers, got %d bytes of gradients back"
              % (step.shard_sizes, step.bytes_to_workers, step.bytes_from_workers))
        reference.close()

        # -------------------------------------------------------------------------------------
        lesson.section("3. Train: each worker holds its rows of every batch (scatter)")
        # (The batches are fixed: batch k is rows k*256 ... k*256 + 255 of the shuffled data.)
        train.scatter({x: x_train, y: y_train}, batch_size)
        n_batches = train.num_batches
        print("scatter: %d batches of %d rows, each split across %d workers"
              % (n_batches, batch_size, len(train.workers)))
        history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        timings = []
        for epoch in range(1, epochs + 1):
            losses, accs = [], []
            for k in range(n_batches):
                value, metrics = train.run(sess, batch=k)
                losses.append(value)
                accs.append(metrics["accuracy"])
                timings.append(train.last_step)
            val_loss, val_acc = sess.run([loss, accuracy], {x: x_test, y: y_test})
            for key, v in zip(history, (np.mean(losses), np.mean(accs), val_loss, val_acc)):
                history[key].append(float(v))
            print("  epoch %2d  loss %.4f  accuracy %.3f  |  test loss %.4f  test accuracy %.3f"
                  % (epoch, np.mean(losses), np.mean(accs), val_loss, val_acc))
        print("%d steps applied; final test accuracy %.3f"
              % (train.steps_applied, history["val_accuracy"][-1]))

        # Where does a step's time go? (numbers measured in this run)
        compute = np.median([max(s.compute_seconds) for s in timings])
        round_trip = np.median([s.round_trip_seconds for s in timings])
        total = np.median([s.total_seconds for s in timings])
        print("median step %.1f ms: workers compute %.1f ms, the rest of the round trip "
              "(Dask, moving arrays) %.1f ms, driver (read, average, apply) %.1f ms"
              % (1e3 * total, 1e3 * compute, 1e3 * (round_trip - compute),
                 1e3 * (total - round_trip)))
        lesson.say("""On a model this small, communication dominates: data parallelism pays off
        when each worker's share of the computation is large compared to moving the weights
        and gradients.""")

        # -------------------------------------------------------------------------------------
        lesson.section("4. Pictures: where things live, and training")
        lesson.save(_dot_diagram(train.data_flow_dot()),
                    "placement.png", "driver holds the variables and the optimizer; workers "
                    "compute gradients of their rows")
        axes = viz.plot_history(history)
        axes[0].figure.suptitle("MLP on digits, data parallel on %d workers, batch %d"
                                % (len(train.workers), batch_size), y=1.03, fontsize=10)
        lesson.save(axes[0].figure, "training.png", "loss and accuracy per epoch")
        with graph.as_default():
            lesson.save(viz.draw_graph(loss, show_gradients=False,
                                       title="the model every worker runs (forward pass)"),
                        "model_graph.png", "the model's forward graph")
        train.close()
        sess.close()
    lesson.done()


def _dot_diagram(dot_source):
    """A DOT text as something lesson.save renders (a graphviz.Source)."""
    import graphviz
    return graphviz.Source(dot_source)


if __name__ == "__main__":     # required: Dask starts the workers by re-importing this file
    main()
