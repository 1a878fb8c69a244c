"""Cluster: embedded start/stop, connecting by address, clear errors; a thread-based cluster."""
import numpy as np
import pytest

import tfone as tf
from tfone.distribute import Cluster, DataParallel

from tests.distribute._models import MLP, data, single_process


def test_shared_process_cluster_has_two_workers(two_workers):
    addresses = two_workers.worker_addresses
    assert len(addresses) == 2 and two_workers.n_workers == 2
    assert all(a.startswith("tcp://") for a in addresses)
    pids = two_workers.worker_pids()
    assert set(pids) == set(addresses)
    assert len(set(pids.values())) == 2          # separate processes
    assert two_workers.started_here
    assert "embedded" in repr(two_workers)


def test_connecting_by_address_does_not_stop_the_cluster_on_close(two_workers):
    with Cluster(address=two_workers.address) as remote:
        assert not remote.started_here
        assert remote.worker_addresses == two_workers.worker_addresses
        assert "remote" in repr(remote)
    assert remote.closed
    with pytest.raises(RuntimeError, match="closed"):
        remote.worker_addresses
    assert two_workers.n_workers == 2                # still running


def test_unreachable_scheduler_is_unavailable():
    with pytest.raises(tf.errors.UnavailableError, match="Cannot reach the Dask scheduler"):
        Cluster(address="tcp://127.0.0.1:9", timeout=1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_workers must be a positive integer"):
        Cluster(n_workers=0)
    with pytest.raises(TypeError, match="do not apply"):
        Cluster(address="tcp://127.0.0.1:9", processes=False, memory_limit="1GB")


def test_thread_cluster_starts_trains_exactly_and_stops():
    """Workers as threads of this process: replicas are kept apart per worker address."""
    x, y = data(n_rows=30)
    expected, _ = single_process(lambda: tf.train.GradientDescentOptimizer(0.5), [(x, y)] * 2)
    cluster = Cluster(n_workers=2, processes=False)
    local_cluster = cluster._local_cluster
    try:
        assert cluster.n_workers == 2
        model = MLP()
        with model.graph.as_default():
            dp = DataParallel(cluster, model.loss, tf.train.GradientDescentOptimizer(0.5),
                              inputs=[model.x, model.y])
        sess = model.session()
        for _ in range(2):
            dp.run(sess, {model.x: x, model.y: y})
        assert dp.last_step.shard_sizes == [15, 15]
        for got, want in zip(sess.run(model.variables), expected):
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
        dp.close()
    finally:
        cluster.close()
    assert cluster.closed and local_cluster.status.name == "closed"
    cluster.close()                                  # closing twice is fine
    with pytest.raises(TypeError, match="open tfone.distribute.Cluster"):
        DataParallel(cluster, model.loss, tf.train.GradientDescentOptimizer(0.5),
                     inputs=[model.x, model.y])
    with pytest.raises(RuntimeError, match="DataParallel is closed"):
        dp.run(sess, {model.x: x, model.y: y})
