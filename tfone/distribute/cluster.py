"""``Cluster``: a handle on a Dask cluster, embedded or remote.

tfone does not implement its own distributed runtime: it uses Dask (``dask.distributed``),
a real scheduler with worker processes that can live on many machines. A ``Cluster`` is a
``dask.distributed.Client`` plus, when you ask for one, the local cluster it started::

    with tfone.distribute.Cluster(n_workers=2) as cluster:     # 2 worker processes here
        ...
    cluster = tfone.distribute.Cluster(address="tcp://10.0.0.5:8786")  # an existing scheduler

An embedded cluster starts its worker processes with Python's ``spawn`` method, which
re-imports your main module in every worker. Put the training code of a script under
``if __name__ == "__main__":`` (the usual multiprocessing rule); tfone checks this and says so.
"""
import logging
import os
import sys

__all__ = ["Cluster"]


def _import_dask():
    try:
        import distributed
    except ImportError:  # pragma: no cover - dask[distributed] is a declared extra
        raise ImportError("tfone.distribute needs Dask's distributed scheduler: "
                          "pip install 'dask[distributed]'") from None
    return distributed


class Cluster:
    """Workers to train on: an embedded ``dask.distributed.LocalCluster`` or a remote scheduler.

    Args:
      n_workers: worker processes to start (embedded cluster only).
      threads_per_worker: threads per worker. tfone's workers run one request at a time, so
        more threads only help other Dask work you run on the same cluster.
      processes: True (default) runs each worker in its own process, as on real machines;
        False runs them as threads of this process (faster to start, but they share one
        Python interpreter, so they compute one after the other).
      address: ``'tcp://host:8786'`` connects to a running Dask scheduler instead of starting
        a cluster; the workers are whatever is connected to it (they need the same tfone
        version installed).
      timeout: seconds to wait for the scheduler and the first workers.
      **local_cluster_kwargs: passed to ``dask.distributed.LocalCluster``.

    ``close()`` (or leaving the ``with`` block) closes the client and shuts down only what
    this object started: a remote cluster keeps running.
    """

    def __init__(self, n_workers=2, threads_per_worker=1, processes=True, address=None,
                 timeout=60, **local_cluster_kwargs):
        distributed = _import_dask()
        self._local_cluster = None
        self._closed = False
        if address is not None:
            if local_cluster_kwargs:
                raise TypeError("Cluster(address=...) connects to an existing scheduler; "
                                "LocalCluster options %s do not apply."
                                % sorted(local_cluster_kwargs))
            try:
                self.client = distributed.Client(address, timeout=timeout)
            except OSError as e:
                from tfone import errors
                raise errors.UnavailableError(None, None, "Cannot reach the Dask scheduler at %r: "
                                              "%s" % (address, e)) from None
            self.address = address
            return
        if not isinstance(n_workers, int) or n_workers < 1:
            raise ValueError("n_workers must be a positive integer, got %r" % (n_workers,))
        if processes:
            _check_main_module_is_guarded()
        local_cluster_kwargs.setdefault("dashboard_address", ":0")  # any free port, never 8787
        local_cluster_kwargs.setdefault("silence_logs", logging.ERROR)
        try:
            self._local_cluster = distributed.LocalCluster(
                n_workers=n_workers, threads_per_worker=threads_per_worker,
                processes=processes, **local_cluster_kwargs)
        except RuntimeError as e:
            raise RuntimeError(
                "Dask could not start the worker processes (%s). The usual cause in a script "
                "is starting the cluster at import time: worker processes re-import the main "
                "module, so put that code under `if __name__ == \"__main__\":`." % e) from e
        try:
            self.client = distributed.Client(self._local_cluster, timeout=timeout)
            self.client.wait_for_workers(n_workers, timeout=timeout)
        except BaseException:
            self._local_cluster.close()
            raise
        self.address = self._local_cluster.scheduler_address

    # -- workers ---------------------------------------------------------------------------------
    @property
    def worker_addresses(self):
        """Addresses of the workers connected now (sorted), e.g. ``['tcp://127.0.0.1:40581']``."""
        self._check_open()
        return sorted(scheduler_workers(self.client))

    @property
    def n_workers(self):
        """How many workers are connected now."""
        return len(self.worker_addresses)

    @property
    def started_here(self):
        """True if this object started the cluster (and ``close()`` will shut it down)."""
        return self._local_cluster is not None

    def wait_for_workers(self, n_workers, timeout=60):
        """Block until at least ``n_workers`` workers are connected."""
        self._check_open()
        self.client.wait_for_workers(n_workers, timeout=timeout)

    def worker_pids(self):
        """{worker address: process id} (to watch or stop a worker process in a demo)."""
        self._check_open()
        return self.client.run(os.getpid)

    # -- lifetime --------------------------------------------------------------------------------
    def close(self):
        """Close the client; shut down the local cluster if this object started it."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.close()
        finally:
            if self._local_cluster is not None:
                self._local_cluster.close()

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check_open(self):
        if self._closed:
            raise RuntimeError("This tfone.distribute.Cluster is closed.")

    def __repr__(self):
        if self._closed:
            return "<tfone.distribute.Cluster (closed)>"
        kind = "embedded" if self._local_cluster is not None else "remote"
        return "<tfone.distribute.Cluster %s scheduler=%s workers=%d>" % (
            kind, self.address, self.n_workers)

    def __reduce__(self):
        raise TypeError("A Cluster cannot be pickled: it owns network connections and processes.")


def scheduler_workers(client):
    """The addresses of the workers the scheduler knows now (one request to the scheduler)."""
    try:
        info = client.scheduler_info(n_workers=-1)   # newer Dask lists only 5 by default
    except TypeError:                                # older Dask: no n_workers, lists all
        info = client.scheduler_info()
    return set(info["workers"])


def _check_main_module_is_guarded():
    """Worker processes are spawned, which re-runs the main script unless it is guarded.

    Python's own failure ("An attempt has been made to start a new process before the current
    process has finished its bootstrapping phase") comes from deep inside Dask's nanny; this
    says the same thing where the user can act on it.
    """
    # A spawned child runs the main script under the name "__mp_main__".
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "__mp_main__":
            raise RuntimeError(
                "tfone.distribute.Cluster() was called while a worker process was importing "
                "your script %r. Worker processes are spawned and re-import the main module, so "
                "put the code that starts the cluster under `if __name__ == \"__main__\":`."
                % frame.f_globals.get("__file__", "?"))
        frame = frame.f_back
