"""The worker side of data-parallel training: the code that runs inside Dask worker processes.

Nothing here is pickled. Dask sends a *reference* to these module-level functions (module
name + function name) and their arguments: JSON text and numpy arrays. The worker imports
this module from its own tfone installation.

A worker holds one *replica* per model: the graph rebuilt from the GraphDef JSON the driver
sent once (``load_replica``) and a ``tf.Session`` on it. The replica's graph has no variables:
the driver turned every variable the loss reads into a placeholder of the same name, so each
request carries the current parameter values, and a worker keeps no training state at all.
That is what makes a step safe to retry anywhere: a request is a pure function

    (parameter values, shard of the batch)  ->  (shard size, loss, gradients, metrics, sums).

Replicas are kept in this process's ``_REPLICAS`` dict, keyed by (model key, worker address),
so several workers that share one process (``Cluster(processes=False)``) stay separate.
"""
import time

import numpy as np

__all__ = ["load_replica", "compute_gradients", "release_replica", "ReplicaMissingError"]

_REPLICAS = {}


class ReplicaMissingError(RuntimeError):
    """This worker does not hold the requested model (it was restarted since it got the graph)."""


class _Replica:
    """The rebuilt graph, its session, and the names to fetch."""

    def __init__(self, graph_json, loss_name, gradient_names, metric_names, sum_names):
        import tfone as tf
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.import_graph_def(_parse(graph_json), name="")
        self.session = tf.Session(graph=self.graph)
        self.fetches = (loss_name, tuple(gradient_names), tuple(metric_names), tuple(sum_names))

    def run(self, variable_values, feeds):
        feed_dict = dict(variable_values)
        feed_dict.update(feeds)
        return self.session.run(self.fetches, feed_dict)


def _parse(graph_json):
    from tfone.framework.graph_io import GraphDef
    graph_def = GraphDef()
    graph_def.ParseFromString(graph_json)
    return graph_def


def _worker_address():
    from distributed import get_worker
    try:
        return get_worker().address
    except ValueError:   # called outside a Dask worker (e.g. a unit test of this module)
        return "local"


def load_replica(model_key, graph_json, loss_name, gradient_names, metric_names, sum_names,
                 tfone_version):
    """Rebuild the graph from JSON and keep it (with a Session) for ``model_key``.

    Returns a small description (address, process id, op count) for the driver's records.
    """
    import os
    import tfone
    if tfone_version != tfone.__version__:
        raise RuntimeError("tfone version mismatch: the driver runs tfone %s, this worker (%s) "
                           "has tfone %s. Install the same version on every machine."
                           % (tfone_version, _worker_address(), tfone.__version__))
    start = time.perf_counter()
    replica = _Replica(graph_json, loss_name, gradient_names, metric_names, sum_names)
    _REPLICAS[model_key, _worker_address()] = replica
    return {"address": _worker_address(), "pid": os.getpid(),
            "ops": len(replica.graph.get_operations()),
            "load_seconds": time.perf_counter() - start}


def compute_gradients(model_key, variable_values, shard_feeds, common_feeds, rows=None):
    """Gradients of the loss on this worker's shard, at the given parameter values.

    Args:
      model_key: which replica (from ``load_replica``).
      variable_values: {variable tensor name ('dense/kernel:0'): numpy array}.
      shard_feeds: {input tensor name: array}; the rows of the batch this worker handles.
      common_feeds: {tensor name: value} fed unchanged on every worker (e.g. a dropout rate).
      rows: (start, stop) to use rows ``start:stop`` of ``shard_feeds`` (data scattered once
        with ``DataParallel.scatter``); None uses all of them.

    Returns {'size': rows used, 'loss': float, 'gradients': [arrays], 'metrics': [floats],
    'sums': [arrays], 'compute_seconds': wall time inside Session.run, 'compute_cpu_seconds':
    CPU time of this thread in it (less than the wall time when the worker waits for a core)}.
    """
    replica = _REPLICAS.get((model_key, _worker_address()))
    if replica is None:
        raise ReplicaMissingError("Worker %s holds no replica of model %s (was it restarted?)."
                                  % (_worker_address(), model_key))
    if rows is not None:
        start, stop = rows
        shard_feeds = {name: value[start:stop] for name, value in shard_feeds.items()}
    sizes = {len(value) for value in shard_feeds.values()}
    if len(sizes) != 1:
        raise ValueError("The inputs of one shard have different numbers of rows: %s"
                         % {name: len(v) for name, v in shard_feeds.items()})
    feeds = dict(common_feeds)
    feeds.update(shard_feeds)
    began, began_cpu = time.perf_counter(), time.thread_time()
    loss, grads, metrics, sums = replica.run(variable_values, feeds)
    elapsed, elapsed_cpu = time.perf_counter() - began, time.thread_time() - began_cpu
    return {"size": sizes.pop(), "loss": float(loss), "gradients": [np.asarray(g) for g in grads],
            "metrics": [float(m) for m in metrics], "sums": [np.asarray(s) for s in sums],
            "compute_seconds": elapsed, "compute_cpu_seconds": elapsed_cpu}


def release_replica(model_key):
    """Forget the replica of ``model_key`` on this worker (frees its graph and session)."""
    replica = _REPLICAS.pop((model_key, _worker_address()), None)
    if replica is not None:
        replica.session.close()
    return replica is not None
