"""One embedded cluster of 2 worker *processes* shared by all distribute tests (starting one
takes seconds). Tests that kill a worker wait for its replacement before they return."""
import pytest

from tfone.distribute import Cluster


@pytest.fixture(scope="session")
def cluster():
    with Cluster(n_workers=2, threads_per_worker=1, processes=True) as c:
        yield c


@pytest.fixture
def two_workers(cluster):
    """The shared cluster with both workers up (a killed worker is restarted by its nanny)."""
    cluster.wait_for_workers(2, timeout=60)
    yield cluster
    cluster.wait_for_workers(2, timeout=60)
