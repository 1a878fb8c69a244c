"""Shared pytest setup: every test starts with a fresh default graph and a fixed numpy seed."""
import numpy as np
import pytest

import tfone as tf


@pytest.fixture(autouse=True)
def fresh_default_graph():
    tf.reset_default_graph()
    np.random.seed(0)
    yield
    tf.reset_default_graph()


@pytest.fixture
def sess():
    with tf.Session() as session:
        yield session
