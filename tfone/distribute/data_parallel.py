"""Synchronous data parallelism: one model, one batch, several workers, one update.

``DataParallel`` is the distributed version of ``optimizer.minimize(loss)``. You build the
model as usual, then, where you would call ``minimize``::

    train = tfone.distribute.DataParallel(cluster, loss, tf.train.AdamOptimizer(1e-3),
                                          inputs=[x, y])
    sess.run(tf.global_variables_initializer())
    for xb, yb in batches:
        loss_value = train.run(sess, {x: xb, y: yb})     # instead of sess.run(train_op, ...)

One step, as data moves (parameter-server design; see docs/DISTRIBUTED.md for the picture)::

      driver process (this one)                          Dask worker i (one per process)
      -------------------------                          -------------------------------
   1. read the variables from the driver's Session
      (the driver is the *parameter server*)
   2. split the batch by rows: worker i gets n_i rows
   3. send (variable values, shard i) ------------------> 4. feed them to its replica graph
                                                             and run loss and gradients
   5. average:  g = sum_i (n_i / N) * g_i  <------------- (n_i, loss_i, gradients g_i)
   6. run the optimizer's update once, on the driver,
      with g fed in; the variables change only here
   (next step starts at 1 with the new values)

Why this is exact. If the loss is a mean over the batch rows, L = sum_i (n_i / N) L_i where
L_i is the mean over shard i, and differentiation is linear, so the row-weighted average of
the shard gradients *is* the gradient of the whole batch. The update then runs once, with the
same optimizer, on the same variables: one distributed step equals one single-process step on
the whole batch, up to float rounding (the average is accumulated in float64).

How the graph travels. At construction the driver adds the gradient ops to your graph
(``optimizer.compute_gradients``), then exports the part of the graph they need as tfone's
GraphDef JSON, with every variable turned into a placeholder of the same name. Each worker
rebuilds that graph once (``tfone.distribute.worker.load_replica``) and keeps a Session on
it. Workers therefore hold no variables and no training state: each request carries the
current values. No code and no graph object is pickled; Dask ships JSON text, numpy arrays,
and references to the functions of ``tfone.distribute.worker``.

The optimizer's update ops are built on the driver by ``optimizer.apply_gradients`` with
placeholders in place of the gradients (``DataParallel/averaged_gradients/<variable>``), so
every optimizer works, with its slots (Adam's m and v) living on the driver only. This is
TF1's ``SyncReplicasOptimizer`` idea: wrap the optimizer, not the train op; a train op from
``minimize`` fuses the gradient computation with the update, and data parallelism must cut
between the two.

Faults. A step is atomic: the update (6) runs only after every shard's gradients arrived.
If a worker dies or leaves while the step is in flight, nothing is applied; with
``on_worker_failure='retry'`` (default) the step is split again over the workers that are
still there (plus any that joined, e.g. a restarted worker process) and run again, up to
``max_retries`` times; with ``'raise'`` (or when no worker is left) ``run`` raises
``tf.errors.UnavailableError``. The variables on the driver are exactly as before the step,
so training can continue, or restart from a ``tf.train.Saver`` checkpoint of the driver's
Session (the only place where the state lives).

Data. ``run(sess, feed_dict)`` sends each worker its rows of the batch every step. For a
dataset that fits in the workers' memory, ``scatter(feed_dict, batch_size)`` hands every
worker its share once: global batch k is rows ``k*batch_size ... (k+1)*batch_size - 1`` of
the dataset, and each worker holds its part of every batch; ``run(sess, batch=k)`` then sends
only the variable values.

Limits (not supported, or not exact):
* The loss must be a *mean over the batch rows* (plus any terms that do not depend on the
  batch, e.g. weight decay). A loss that sums over rows, or normalises by a data-dependent
  count (e.g. weights that are zero for some rows), is not reproduced exactly.
* Ops whose result depends on the whole batch (batch normalisation statistics in training
  mode) see only the worker's shard; random ops (dropout) draw different numbers on each
  worker. Training works, but is not identical to single-process training.
* The loss computation must not write variables (e.g. moving averages attached to it by
  control dependencies); run such updates separately on the driver.
* Synchronous only: a step waits for the slowest worker. No asynchronous updates, no model
  parallelism (``tf.device`` placements are recorded and exported, not used for scheduling),
  no sharded parameter servers: all variables live on the driver.
* Feeds go to the workers as numpy arrays; string tensors and dynamic shapes are fine, but
  the values must be picklable numpy data.
"""
import collections
import time
import uuid
from concurrent.futures import CancelledError

import numpy as np

from tfone import errors
from tfone.distribute import worker as _worker
from tfone.distribute.cluster import scheduler_workers
from tfone.framework import graph_io
from tfone.framework.graph import Operation, Tensor
from tfone.framework.op_registry import convert_to_tensor

__all__ = ["DataParallel", "StepStats", "worker_graph_def"]

_POLL_SECONDS = 0.2      # how often a waiting driver checks that its workers are still alive
_FETCH_TIMEOUT = 30.0    # fetching one finished result; longer means its worker has gone
_SCATTER_TIMEOUT = 10.0  # sending data to one worker; longer means it has gone

StepStats = collections.namedtuple("StepStats", [
    "step",                 # number of updates applied before this one
    "workers",              # worker addresses that computed this step
    "shard_sizes",          # rows per worker
    "read_seconds",         # driver: read the variables from its Session
    "round_trip_seconds",   # driver: send requests ... all results back
    "compute_seconds",      # per worker: time inside Session.run on the worker
    "compute_cpu_seconds",  # per worker: CPU time of that run (less if it waited for a core)
    "average_seconds",      # driver: weighted average of the gradients
    "apply_seconds",        # driver: the optimizer's update
    "total_seconds",
    "bytes_to_workers",     # variable values (+ shard rows unless scattered), all workers
    "bytes_from_workers",   # gradients, all workers
    "retries",              # how many times the step was restarted after a worker failure
])
StepStats.__doc__ = """Where the time of the last step went (see DataParallel.last_step).

``round_trip_seconds - max(compute_seconds)`` is the time spent outside the workers' graph
runs: serialising and moving arrays, and Dask's scheduling."""


class _WorkersLost(Exception):
    """Some workers disappeared (or lost their replica) while a request was in flight."""

    def __init__(self, addresses, reason):
        super().__init__("%s: %s" % (", ".join(sorted(addresses)), reason))
        self.addresses = set(addresses)
        self.reason = reason


class DataParallel:
    """Train ``loss`` with ``optimizer`` on the workers of ``cluster``, one synchronous step
    at a time (see the module docstring for the data flow and the limits).

    Args:
      cluster: a ``tfone.distribute.Cluster``.
      loss: scalar float tensor, a mean over the rows of the batch.
      optimizer: a ``tf.train.Optimizer`` (GradientDescent, Adam, ...) or a Keras optimizer
        (``keras.optimizers.Adam``...; its ``clipnorm``/``clipvalue`` act on the averaged
        gradient, as they act on the whole batch's gradient in single-process training).
      inputs: the tensors fed with batch data (placeholders); their feeds are split by rows
        across workers. Other feeds (a dropout rate, a learning rate) go to every worker
        unchanged, and to the driver's update if it needs them.
      var_list: variables to train (default: the trainable variables the loss depends on).
      global_step: optional variable incremented by one per applied step (on the driver).
      metrics: optional list or dict of scalar tensors (means over the batch rows, e.g.
        accuracy) computed on the workers with the loss and averaged the same way.
      sums: optional list or dict of tensors (totals over the batch rows, e.g. the number of
        correct predictions) computed on the workers and added up.
      on_worker_failure: ``'retry'`` (re-split the step over the remaining workers) or
        ``'raise'`` (``tf.errors.UnavailableError``). No update is applied in either case.
      max_retries: how many times one step may be restarted before giving up.
      timeout: seconds a step may take before ``tf.errors.DeadlineExceededError`` (None:
        no limit); the step is then not applied.
      name: name scope of the ops added to the graph.

    Attributes: ``train_op`` (the driver's update, fed with averaged gradients),
    ``variables``, ``gradients`` (the graph tensors the workers compute), ``workers``,
    ``last_step`` (a ``StepStats``), ``worker_graph_def`` (the GraphDef the workers run).
    """

    def __init__(self, cluster, loss, optimizer, inputs, var_list=None, global_step=None,
                 metrics=None, sums=None, on_worker_failure="retry", max_retries=3, timeout=None,
                 name="DataParallel"):
        if on_worker_failure not in ("retry", "raise"):
            raise ValueError("on_worker_failure must be 'retry' or 'raise', got %r"
                             % (on_worker_failure,))
        if getattr(cluster, "closed", True) or not hasattr(cluster, "client"):
            raise TypeError("cluster must be an open tfone.distribute.Cluster, got %r" % (cluster,))
        if not hasattr(optimizer, "apply_gradients") or not (
                hasattr(optimizer, "compute_gradients") or hasattr(optimizer, "get_gradients")):
            raise TypeError("optimizer must be a tf.train.Optimizer (GradientDescent, Adam, ...) "
                            "or a keras.optimizers optimizer, got %r" % (optimizer,))
        self.cluster = cluster
        self._client = cluster.client
        self.loss = _scalar(loss, "loss")
        self.graph = self.loss.graph
        self.inputs = [self._tensor(t, "inputs") for t in _as_list(inputs)]
        if not self.inputs:
            raise ValueError("inputs must name the tensors fed with batch data (e.g. [x, y]); "
                             "their feeds are split by rows across the workers.")
        self._metric_keys, metric_tensors = _flatten(metrics)
        self.metrics = [_scalar(self._tensor(m, "metrics"), "metric %s" % m.name)
                        for m in metric_tensors]
        self._sum_keys, sum_tensors = _flatten(sums)
        self.sums = [self._tensor(t, "sums") for t in sum_tensors]
        self.on_worker_failure = on_worker_failure
        self.max_retries = int(max_retries)
        self.timeout = timeout

        # The driver's graph: gradients for the workers to compute, and the update that the
        # driver runs with the averaged gradients fed into placeholders.
        with self.graph.as_default():
            pairs = [(g, v) for g, v in _raw_gradients(optimizer, self.loss, var_list)
                     if g is not None]
            if not pairs:
                raise ValueError("The loss %s does not depend on any of the variables to train."
                                 % self.loss.name)
            self.gradients = [g for g, _ in pairs]
            self.variables = [v for _, v in pairs]
            with self.graph.name_scope(name + "/averaged_gradients"):
                self._averaged = [_placeholder_like(g, v) for g, v in pairs]
            self.train_op = _update_op(optimizer, self._averaged, self.variables, global_step)

        # The workers' graph: what loss, gradients, metrics and sums need, variables as
        # placeholders.
        targets = [self.loss] + self.gradients + self.metrics + self.sums
        self.worker_graph_def, parameters = worker_graph_def(self.graph, targets)
        self._parameters = parameters                     # driver tensors of the variables
        self._parameter_names = [t.name for t in parameters]
        self._worker_ops = {node["name"] for node in self.worker_graph_def["node"]}
        self._apply_ops = _ancestor_ops([self.train_op])
        self._graph_json = self.worker_graph_def.SerializeToString().decode("utf-8")

        self._key = "%s-%s" % (name, uuid.uuid4().hex[:12])
        self._workers = []          # addresses holding a replica of the graph, sorted
        self._dataset = None        # set by scatter()
        self._closed = False
        self.steps_applied = 0
        self.last_step = None
        self.refresh_workers()
        if not self._workers:
            raise errors.UnavailableError(None, None, "The cluster has no workers to train on.")

    # -- public ---------------------------------------------------------------------------------
    @property
    def workers(self):
        """Addresses of the workers that hold the graph and take part in the steps."""
        return list(self._workers)

    def run(self, sess, feed_dict=None, batch=None):
        """One synchronous training step; returns the batch loss (and metrics and sums).

        ``feed_dict`` holds the batch for ``inputs`` (split across workers by rows) and any
        other feeds. After ``scatter``, pass ``batch=k`` instead of the input feeds to train
        on the k-th batch of the scattered dataset.

        Returns the loss of the whole batch (the row-weighted mean of the shard losses, at
        the variable values *before* the update, like ``sess.run([train_op, loss])``), or
        ``(loss, metrics)`` when ``metrics`` were given, ``(loss, metrics, sums)`` when
        ``sums`` were given (each with the structure given: list or dict; metrics is None
        if only sums were given).
        """
        self._check_usable(sess)
        began = time.perf_counter()
        shard_feeds, common_feeds = self._sort_feeds(feed_dict, scattered=batch is not None)
        if batch is not None:
            self._check_batch_index(batch)

        # 1. Read the current parameters from the driver's Session (the parameter server).
        values = dict(zip(self._parameter_names, sess.run(self._parameters)))
        read_seconds = time.perf_counter() - began

        # 2-5. Workers compute gradients of their shards; a lost worker restarts the step.
        retries = 0
        while True:
            try:
                sent = time.perf_counter()
                results, shard_bytes = self._compute_on_workers(values, shard_feeds,
                                                                common_feeds, batch)
                round_trip = time.perf_counter() - sent
                break
            except _WorkersLost as lost:
                retries += 1
                self._handle_lost_workers(lost, retries)

        averaging = time.perf_counter()
        sizes = [r["size"] for r in results.values()]
        total = float(sum(sizes))
        averaged = _weighted_mean([r["gradients"] for r in results.values()], sizes,
                                  [g.dtype.as_numpy_dtype for g in self.gradients])
        loss = float(sum(n * r["loss"] for n, r in zip(sizes, results.values())) / total)
        metric_values = [sum(n * r["metrics"][j] for n, r in zip(sizes, results.values())) / total
                         for j in range(len(self.metrics))]
        sum_values = [_total([r["sums"][j] for r in results.values()], t.dtype.as_numpy_dtype)
                      for j, t in enumerate(self.sums)]
        applying = time.perf_counter()

        # 6. Apply the update once, on the driver.
        apply_feed = dict(zip(self._averaged, averaged))
        apply_feed.update({t: v for t, v in common_feeds.items() if t.op in self._apply_ops})
        sess.run(self.train_op, apply_feed)
        done = time.perf_counter()

        value_bytes = sum(v.nbytes for v in values.values())
        self.last_step = StepStats(
            step=self.steps_applied, workers=list(results), shard_sizes=sizes,
            read_seconds=read_seconds, round_trip_seconds=round_trip,
            compute_seconds=[r["compute_seconds"] for r in results.values()],
            compute_cpu_seconds=[r["compute_cpu_seconds"] for r in results.values()],
            average_seconds=applying - averaging, apply_seconds=done - applying,
            total_seconds=done - began,
            bytes_to_workers=value_bytes * len(results) + shard_bytes,
            bytes_from_workers=sum(sum(g.nbytes for g in r["gradients"])
                                   for r in results.values()),
            retries=retries)
        self.steps_applied += 1
        metrics = _unflatten(self._metric_keys, metric_values)
        if self._sum_keys is not None:
            return loss, metrics, _unflatten(self._sum_keys, sum_values)
        return loss if metrics is None else (loss, metrics)

    def scatter(self, feed_dict, batch_size):
        """Hand each worker its share of a dataset once; then train with ``run(sess, batch=k)``.

        ``feed_dict`` maps every tensor of ``inputs`` to the whole dataset for it (same number
        of rows). Global batch k is rows ``k*batch_size ... (k+1)*batch_size - 1`` (the last
        one may be smaller), and every worker holds its rows of every batch, so step k trains
        on exactly that batch, whatever the number of workers. The driver keeps a reference
        to the arrays to re-scatter them if the set of workers changes.
        """
        self._check_open()
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError("batch_size must be a positive integer, got %r" % (batch_size,))
        arrays = {}
        for key, value in dict(feed_dict).items():
            tensor = self._tensor(key, "scatter feed_dict")
            if tensor not in self.inputs:
                raise ValueError("scatter() takes the dataset for the tensors of inputs=%s; %s "
                                 "is not one of them (feed it to run() instead)."
                                 % ([t.name for t in self.inputs], tensor.name))
            arrays[tensor] = _as_feed_array(value, tensor)
        missing = [t.name for t in self.inputs if t not in arrays]
        if missing:
            raise ValueError("scatter() needs data for every input; missing: %s" % missing)
        n_rows = _common_length(arrays)
        if n_rows == 0:
            raise ValueError("scatter() was given an empty dataset.")
        self._release_dataset()
        self._dataset = {"arrays": arrays, "rows": n_rows, "batch_size": int(batch_size),
                         "num_batches": -(-n_rows // int(batch_size)), "shards": {}}
        self._distribute_dataset()

    @property
    def num_batches(self):
        """Batches in the scattered dataset (``run(sess, batch=k)`` for k in range(...))."""
        if self._dataset is None:
            raise ValueError("No dataset was scattered; call scatter(feed_dict, batch_size).")
        return self._dataset["num_batches"]

    def refresh_workers(self):
        """Train on the workers the cluster has now: forget those that left, ship the graph
        to new ones (e.g. a restarted worker process). Called automatically after a failure.
        Returns the list of workers."""
        self._check_open()
        alive = self._alive_workers()
        self._workers = [a for a in self._workers if a in alive]
        new = sorted(a for a in alive if a not in self._workers)
        if new:
            loaded = self._load_replicas(new)
            self._workers = sorted(self._workers + loaded)
        if self._dataset is not None and set(self._dataset["shards"]) != set(self._workers):
            self._distribute_dataset()      # the shards must be exactly on these workers
        return self.workers

    def close(self):
        """Release the replicas and scattered data on the workers (the cluster stays up)."""
        if self._closed:
            return
        self._closed = True
        self._release_dataset()
        self._dataset = None
        if self.cluster.closed or not self._workers:
            return
        futures = [self._client.submit(_worker.release_replica, self._key, workers=[a],
                                       allow_other_workers=False, pure=False)
                   for a in self._workers]
        try:
            self._collect(dict(zip(self._workers, futures)), timeout=10)
        except (_WorkersLost, errors.OpError, OSError):
            pass   # a worker that is gone holds nothing any more
        self._workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def data_flow_dot(self):
        """A Graphviz DOT picture of this setup's data flow (see ``tfone.distribute.diagram``)."""
        from tfone.distribute.diagram import data_flow_dot
        return data_flow_dot(self)

    def __repr__(self):
        return "<tfone.distribute.DataParallel loss=%s workers=%d variables=%d steps=%d>" % (
            self.loss.name, len(self._workers), len(self.variables), self.steps_applied)

    # -- one step on the workers ----------------------------------------------------------------
    def _compute_on_workers(self, values, shard_feeds, common_feeds, batch):
        """Send each worker its request; returns ({address: result}, bytes of shard rows sent)."""
        if not self._workers:
            raise _WorkersLost((), "no workers")
        common = {t.name: v for t, v in common_feeds.items() if t.op.name in self._worker_ops}
        requests, shard_bytes = [], 0
        if batch is None:
            n_rows = _common_length(shard_feeds)
            for address, (start, stop) in zip(self._workers,
                                               _row_ranges(n_rows, len(self._workers))):
                if stop > start:
                    rows = {t.name: v[start:stop] for t, v in shard_feeds.items()
                            if t.op.name in self._worker_ops}
                    shard_bytes += sum(v.nbytes for v in rows.values())
                    requests.append((address, self._send(address, rows), None))
        else:
            for address in self._workers:
                shard = self._dataset["shards"][address]
                start, stop = shard["batches"][batch]
                if stop > start:
                    requests.append((address, shard["futures"], (start, stop)))
        futures = {address: self._client.submit(
            _worker.compute_gradients, self._key, values, rows, common, row_range,
            workers=[address], allow_other_workers=False, pure=False)
            for address, rows, row_range in requests}
        return self._collect(futures, timeout=self.timeout), shard_bytes

    def _send(self, address, arrays):
        """Put {name: array} in the memory of one worker, directly (not through the
        scheduler); returns {name: future}, which a task on that worker receives as arrays."""
        try:
            futures = self._client.scatter(list(arrays.values()), workers=[address],
                                           direct=True, hash=False, timeout=_SCATTER_TIMEOUT)
        except OSError as e:   # includes TimeoutError and Dask's CommClosedError
            raise _WorkersLost({address}, "could not send data to it (%s)" % e) from None
        return dict(zip(arrays, futures))

    def _collect(self, futures, timeout=None):
        """Wait for every {address: future}; raise _WorkersLost if a worker leaves meanwhile.

        Dask keeps a task pinned to a dead worker waiting forever (it may not run anywhere
        else), so while waiting the driver asks the scheduler every _POLL_SECONDS which
        workers are alive.
        """
        from distributed import wait
        deadline = None if timeout is None else time.perf_counter() + timeout
        lost = set()
        try:
            while True:
                try:   # returns when all are done, or after _POLL_SECONDS
                    wait(list(futures.values()), timeout=_POLL_SECONDS)
                except (TimeoutError, CancelledError):
                    pass   # cancelled: Dask gave up a task whose input data was lost
                for address, future in futures.items():
                    if future.status in ("error", "cancelled"):
                        self._raise_task_error(address, future, lost)
                unfinished = [a for a, f in futures.items() if f.status != "finished"]
                if unfinished:
                    alive = self._alive_workers()
                    lost.update(a for a in unfinished if a not in alive)
                if lost:
                    raise _WorkersLost(lost, "worker left the cluster during the step")
                if not unfinished:
                    return {a: self._fetch(a, f) for a, f in futures.items()}
                if deadline is not None and time.perf_counter() > deadline:
                    raise errors.DeadlineExceededError(None, None, (
                        "A distributed step took more than %s s (workers %s had not answered); "
                        "no update was applied." % (timeout, sorted(unfinished))))
        except BaseException:
            self._client.cancel([f for f in futures.values() if f.status != "finished"])
            raise

    def _fetch(self, address, future):
        """The result of a finished task (its data still lives on the worker)."""
        while True:
            try:
                return future.result(timeout=_FETCH_TIMEOUT)
            except TimeoutError:
                if address not in self._alive_workers():
                    raise _WorkersLost({address}, "worker left before its result was fetched")

    @staticmethod
    def _raise_task_error(address, future, lost):
        """A failed task: a lost worker (retry) or an error in the user's graph (raise it)."""
        from distributed import KilledWorker
        if future.status == "cancelled":
            lost.add(address)
            return
        exception = future.exception()
        if isinstance(exception, (_worker.ReplicaMissingError, KilledWorker, OSError)):
            lost.add(address)
            return
        raise exception

    def _handle_lost_workers(self, lost, retries):
        """Forget the lost workers; give up (UnavailableError) or prepare to retry."""
        self._workers = [a for a in self._workers if a not in lost.addresses]
        no_update = ("No update was applied: the variables in the driver's Session are as "
                     "before this step (step %d). " % self.steps_applied)
        if self.on_worker_failure == "raise" or retries > self.max_retries:
            why = ("on_worker_failure='raise'" if self.on_worker_failure == "raise"
                   else "gave up after %d retries" % self.max_retries)
            raise errors.UnavailableError(None, None, (
                "Distributed step failed: lost worker(s) %s (%s); %s. %sCall run() again to "
                "retry on the remaining workers %s (refresh_workers() adopts new ones), or "
                "restore a tf.train.Saver checkpoint." % (
                    sorted(lost.addresses), lost.reason, why, no_update, self._workers)))
        try:
            self.refresh_workers()
        except _WorkersLost:
            pass
        if not self._workers:
            raise errors.UnavailableError(None, None, (
                "Distributed step failed: lost worker(s) %s (%s) and no worker is left in the "
                "cluster. %sStart workers, then call refresh_workers() and run() again."
                % (sorted(lost.addresses), lost.reason, no_update)))

    # -- workers: graph and data ----------------------------------------------------------------
    def _alive_workers(self):
        try:
            return scheduler_workers(self._client)
        except OSError as e:
            raise errors.UnavailableError(None, None, "Lost contact with the Dask scheduler at "
                                          "%s: %s" % (self.cluster.address, e)) from None

    def _load_replicas(self, addresses):
        """Ship the graph JSON to ``addresses``; returns those that loaded it."""
        from tfone import __version__
        futures = {a: self._client.submit(
            _worker.load_replica, self._key, self._graph_json, self.loss.name,
            [g.name for g in self.gradients], [m.name for m in self.metrics],
            [t.name for t in self.sums], __version__,
            workers=[a], allow_other_workers=False, pure=False) for a in addresses}
        try:
            return sorted(self._collect(futures))
        except _WorkersLost as lost:       # some left while loading: use the others
            survivors = [a for a in addresses if a not in lost.addresses]
            return self._load_replicas(survivors) if survivors else []

    def _distribute_dataset(self):
        """Give every current worker its rows of every batch of the scattered dataset
        (a worker that cannot be reached is dropped, and the rows are split again)."""
        data = self._dataset
        while True:
            self._release_dataset()
            if not self._workers:
                return                      # run() will say that no worker is left
            parts = {a: [] for a in self._workers}       # row indices, batch after batch
            batches = {a: [] for a in self._workers}     # (start, stop) within the shard
            for k in range(data["num_batches"]):
                first = k * data["batch_size"]
                n = min(data["batch_size"], data["rows"] - first)
                for address, (start, stop) in zip(self._workers,
                                                   _row_ranges(n, len(self._workers))):
                    offset = sum(len(p) for p in parts[address])
                    parts[address].append(np.arange(first + start, first + stop))
                    batches[address].append((offset, offset + stop - start))
            try:
                for address in self._workers:
                    rows = np.concatenate(parts[address])
                    arrays = {t.name: value[rows] for t, value in data["arrays"].items()
                              if t.op.name in self._worker_ops}
                    data["shards"][address] = {"futures": self._send(address, arrays),
                                               "batches": batches[address]}
                return
            except _WorkersLost as lost:
                self._workers = [a for a in self._workers if a not in lost.addresses]

    def _release_dataset(self):
        if self._dataset is not None:
            for shard in self._dataset["shards"].values():
                self._client.cancel(list(shard["futures"].values()))
            self._dataset["shards"] = {}

    # -- checks and feeds ----------------------------------------------------------------------
    def _tensor(self, value, what):
        graph = getattr(self, "graph", None)
        if isinstance(value, (str, Tensor)) and graph is not None:
            tensor = graph.as_graph_element(value, allow_tensor=True, allow_operation=False)
        else:
            tensor = convert_to_tensor(value)
        if graph is not None and tensor.graph is not graph:
            raise ValueError("%s: %s is not in the loss's graph." % (what, tensor.name))
        return tensor

    def _sort_feeds(self, feed_dict, scattered):
        """Split feed_dict into ({input: array} split by rows, {other tensor: value})."""
        shard, common = {}, {}
        for key, value in dict(feed_dict or {}).items():
            tensor = self._tensor(key, "feed_dict")
            if tensor in self.inputs:
                if scattered:
                    raise ValueError("run(batch=k) trains on the scattered dataset; do not also "
                                     "feed the input %s." % tensor.name)
                shard[tensor] = _as_feed_array(value, tensor)
            else:
                common[tensor] = value
        if not scattered:
            missing = [t.name for t in self.inputs if t not in shard]
            if missing:
                raise ValueError("run() needs a feed for every tensor of inputs; missing %s. "
                                 "(To train on a scattered dataset, pass batch=k.)" % missing)
            if _common_length(shard) == 0:
                raise ValueError("run() was given an empty batch.")
        return shard, common

    def _check_batch_index(self, batch):
        if self._dataset is None:
            raise ValueError("run(batch=%r) needs a scattered dataset; call "
                             "scatter(feed_dict, batch_size) first." % (batch,))
        if not isinstance(batch, (int, np.integer)) or not 0 <= batch < self.num_batches:
            raise ValueError("batch must be an integer in [0, %d), got %r"
                             % (self.num_batches, batch))

    def _check_usable(self, sess):
        self._check_open()
        if getattr(sess, "graph", None) is not self.graph:
            raise ValueError("run() needs a tf.Session on the graph of the loss (the driver's "
                             "Session holds the variables); got %r." % (sess,))

    def _check_open(self):
        if self._closed:
            raise RuntimeError("This DataParallel is closed.")
        if self.cluster.closed:
            raise RuntimeError("The cluster of this DataParallel is closed.")


# -- the two halves of minimize() ------------------------------------------------------------
def _raw_gradients(optimizer, loss, var_list):
    """(gradient, variable) pairs of ``loss``: what the workers compute.

    A ``tf.train.Optimizer`` computes them with ``compute_gradients`` (TF1's API). A Keras
    optimizer's ``get_gradients`` also clips them (``clipnorm``/``clipvalue``); clipping must
    act on the *averaged* gradient, so here the workers get plain ``tf.gradients`` and the
    driver clips in ``_update_op``.
    """
    if hasattr(optimizer, "compute_gradients"):
        return optimizer.compute_gradients(loss, var_list=var_list)
    from tfone.framework.gradients import gradients
    from tfone.framework.graph import GraphKeys
    if var_list is None:
        var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
    var_list = list(var_list)
    if not var_list:
        raise ValueError("No variables to optimize.")
    return list(zip(gradients(loss, var_list), var_list))


def _update_op(optimizer, averaged_gradients, variables, global_step):
    """The optimizer's update, fed with the averaged gradients: what the driver runs."""
    if hasattr(optimizer, "compute_gradients"):          # tf.train.Optimizer
        return optimizer.apply_gradients(zip(averaged_gradients, variables),
                                         global_step=global_step)
    if global_step is not None:                          # Keras optimizer
        raise ValueError("Keras optimizers count their steps in optimizer.iterations; "
                         "global_step is for tf.train optimizers.")
    clip = getattr(optimizer, "_clip", None)
    grads = clip(list(averaged_gradients)) if clip is not None else list(averaged_gradients)
    return optimizer.apply_gradients(list(zip(grads, variables)))


# -- the workers' graph --------------------------------------------------------------------------
def worker_graph_def(graph, targets):
    """The GraphDef a worker runs to compute ``targets``, and the variables it needs.

    Keeps only the ops ``targets`` depend on (data and control inputs) and turns each
    variable (``VariableV2``) into a ``Placeholder`` with the same name, dtype and shape, so
    the worker is fed the parameter values instead of holding them. Returns
    ``(graph_def, parameters)`` where ``parameters`` are the driver's variable tensors, in
    graph order, whose values must be fed as ``'<variable name>:0'``.
    """
    needed = _ancestor_ops(targets)
    for op in needed:
        refs = op.opdef.ref_inputs if op.opdef is not None else ()
        if refs:
            raise ValueError(
                "The loss depends on op '%s' (%s), which uses variable '%s' itself (to write "
                "or inspect it), not its value. Workers hold only the values of variables, so "
                "this cannot run there; keep such ops (e.g. moving-average updates) out of the "
                "loss and run them on the driver." % (
                    op.name, op.type, op.inputs[0].op.name if op.inputs else "?"))
    names = {op.name for op in needed}
    full = graph.as_graph_def()
    nodes, parameters = [], []
    for node in full["node"]:
        if node["name"] not in names:
            continue
        if node["op"] == "VariableV2":
            node = graph_io.NodeDef(
                name=node["name"], op="Placeholder", input=[], device=node["device"],
                attr={"dtype": node["attr"]["dtype"], "shape": node["attr"]["shape"]},
                output=node["output"], **({"location": node["location"]}
                                          if "location" in node else {}))
            parameters.append(graph.get_operation_by_name(node["name"]).outputs[0])
        nodes.append(node)
    graph_def = graph_io.GraphDef(tfone_version=full.get("tfone_version"), node=nodes)
    return graph_def, parameters


def _ancestor_ops(targets):
    """Every op that ``targets`` (tensors or ops) need, through data and control inputs."""
    seen = set()
    stack = [t if isinstance(t, Operation) else t.op for t in targets]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


# -- small helpers -------------------------------------------------------------------------------
def _row_ranges(n_rows, n_parts):
    """``n_parts`` contiguous (start, stop) ranges covering ``n_rows`` rows; sizes differ by at
    most one (like ``np.array_split``)."""
    base, extra = divmod(n_rows, n_parts)
    ranges, start = [], 0
    for i in range(n_parts):
        stop = start + base + (1 if i < extra else 0)
        ranges.append((start, stop))
        start = stop
    return ranges


def _weighted_mean(gradient_lists, sizes, dtypes):
    """sum_i (n_i / N) * g_i for each variable, accumulated in float64, in each gradient's dtype."""
    total = float(sum(sizes))
    averaged = []
    for j, dtype in enumerate(dtypes):
        acc = np.zeros(np.shape(gradient_lists[0][j]), dtype=np.float64)
        for n, grads in zip(sizes, gradient_lists):
            acc += (n / total) * np.asarray(grads[j], dtype=np.float64)
        averaged.append(acc.astype(dtype))
    return averaged


def _placeholder_like(gradient, variable):
    from tfone.ops.array_ops import placeholder
    shape = variable.shape if gradient.shape.ndims is None else gradient.shape
    return placeholder(gradient.dtype, shape, name=variable.op.name)


def _scalar(tensor, what):
    tensor = convert_to_tensor(tensor)
    if tensor.shape.ndims not in (0, None):
        raise ValueError("The %s must be a scalar (a mean over the batch), but %s has shape %s. "
                         "Reduce it, e.g. with tf.reduce_mean." % (what, tensor.name, tensor.shape))
    if not tensor.dtype.is_floating:
        raise TypeError("The %s must be a float tensor, got %s of dtype %s."
                        % (what, tensor.name, tensor.dtype.name))
    return tensor


def _as_list(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _total(arrays, dtype):
    """The element-wise sum of the workers' arrays, accumulated in float64 (for floats)."""
    acc_dtype = np.float64 if np.dtype(dtype).kind in "fc" else dtype
    acc = np.zeros(np.shape(arrays[0]), dtype=acc_dtype)
    for a in arrays:
        acc += a
    return acc.astype(dtype)


def _flatten(structure):
    """(keys, tensors) of a list or dict of tensors; keys is None (not given), a list's
    length, or the dict's keys."""
    if structure is None:
        return None, []
    if isinstance(structure, dict):
        keys = list(structure)
        return keys, [structure[k] for k in keys]
    structure = _as_list(structure)
    return len(structure), structure


def _unflatten(keys, values):
    if keys is None:
        return None
    if isinstance(keys, list):
        return dict(zip(keys, values))
    return list(values)


def _as_feed_array(value, tensor):
    array = np.asarray(value)
    if array.ndim == 0:
        raise ValueError("The feed for input %s is a scalar; inputs are split by rows, so they "
                         "need a batch dimension." % tensor.name)
    target = np.dtype(tensor.dtype.as_numpy_dtype)
    # Convert here what the Session would convert anyway (float64 data for a float32 input),
    # so it travels at its final size; anything else is left for the worker's Session to
    # accept or reject with its usual error.
    if tensor.dtype.name != "string" and array.dtype != target and \
            np.can_cast(array.dtype, target, casting="same_kind"):
        array = array.astype(target)
    return array


def _common_length(arrays):
    lengths = {t.name: len(v) for t, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError("The inputs are split by rows, so they need the same number of rows; "
                         "got %s." % lengths)
    return next(iter(lengths.values())) if lengths else 0
