"""``tfone.distribute``: train one model on several processes or machines, on Dask.

* :class:`Cluster` — an embedded ``dask.distributed.LocalCluster`` (``Cluster(n_workers=2)``)
  or an existing Dask scheduler (``Cluster(address='tcp://host:8786')``).
* :class:`DataParallel` — synchronous data parallelism with the driver as parameter server:
  the graph travels once to each worker as GraphDef JSON, each step splits the batch, the
  workers compute gradients of their shards, the driver averages them and applies the
  optimizer once. See :mod:`tfone.distribute.data_parallel` for the data flow and limits,
  and docs/DISTRIBUTED.md for the picture and measurements.
* ``model.fit(..., distribute=cluster)`` — Keras training through ``DataParallel``
  (:mod:`tfone.distribute.keras_training`).
* :mod:`tfone.distribute.worker` — the functions Dask runs inside the workers.

This is tfone's own API, not TF 1.15's ``tf.distribute.Strategy`` family (MirroredStrategy,
ParameterServerStrategy...), which is not reproduced; the closest TF1 counterpart of
``DataParallel`` is ``tf.train.SyncReplicasOptimizer`` with one parameter server.

``import tfone`` does not import Dask; ``tfone.distribute`` is imported on first use.
"""
from tfone.distribute.cluster import Cluster  # noqa: F401
from tfone.distribute.data_parallel import DataParallel, StepStats, worker_graph_def  # noqa: F401
from tfone.distribute.diagram import data_flow_dot  # noqa: F401

__all__ = ["Cluster", "DataParallel", "StepStats", "worker_graph_def", "data_flow_dot"]
