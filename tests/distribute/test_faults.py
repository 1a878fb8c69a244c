"""A worker process killed in the middle of a step: the step is atomic (no partial update) and
either runs again on the remaining workers or raises tf.errors.UnavailableError."""
import os
import signal
import time

import numpy as np
import pytest

import tfone as tf
from tfone.distribute import DataParallel

from tests.distribute._models import MLP, data, single_process


def _kill_a_worker_once_requests_are_in_flight(dp, cluster):
    """Make the next wait for results (i.e. mid-step: the requests are already submitted)
    start by killing the process of the first worker with SIGKILL. Returns its address."""
    victim = dp.workers[0]
    pid = cluster.worker_pids()[victim]
    collect = dp._collect
    state = {"killed": False}

    def collect_after_killing(futures, timeout=None):
        if not state["killed"]:
            state["killed"] = True
            os.kill(pid, signal.SIGKILL)
        return collect(futures, timeout)

    dp._collect = collect_after_killing
    return victim


def _model_and_dp(cluster, **kwargs):
    model = MLP()
    with model.graph.as_default():
        dp = DataParallel(cluster, model.loss, tf.train.AdamOptimizer(0.05),
                          inputs=[model.x, model.y], global_step=model.global_step, **kwargs)
    return model, dp, model.session()


def test_killed_worker_step_is_retried_on_the_remaining_workers(two_workers):
    x, y = data(n_rows=60)
    expected, expected_losses = single_process(lambda: tf.train.AdamOptimizer(0.05),
                                               [(x, y)] * 2)
    model, dp, sess = _model_and_dp(two_workers)
    victim = _kill_a_worker_once_requests_are_in_flight(dp, two_workers)
    losses = [dp.run(sess, {model.x: x, model.y: y}) for _ in range(2)]
    # The first step lost a worker, was restarted, and applied exactly one update.
    assert victim not in dp.workers
    assert sess.run(model.global_step) == 2
    np.testing.assert_allclose(losses, expected_losses, rtol=2e-5)
    for got, want in zip(sess.run(model.variables), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    dp.close()


def test_killed_worker_with_raise_policy_applies_nothing(two_workers):
    x, y = data(n_rows=60)
    model, dp, sess = _model_and_dp(two_workers, on_worker_failure="raise")
    before = sess.run(model.variables + [model.global_step])
    victim = _kill_a_worker_once_requests_are_in_flight(dp, two_workers)
    with pytest.raises(tf.errors.UnavailableError) as info:
        dp.run(sess, {model.x: x, model.y: y})
    message = str(info.value)
    assert victim in message and "No update was applied" in message
    after = sess.run(model.variables + [model.global_step])
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert dp.steps_applied == 0 and victim not in dp.workers
    # The driver still holds the whole state: training continues on the other worker.
    expected, _ = single_process(lambda: tf.train.AdamOptimizer(0.05), [(x, y)])
    dp.run(sess, {model.x: x, model.y: y})
    for got, want in zip(sess.run(model.variables), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    dp.close()


def test_restarted_worker_rejoins_after_refresh(two_workers):
    model, dp, sess = _model_and_dp(two_workers)
    victim = dp.workers[0]
    os.kill(two_workers.worker_pids()[victim], signal.SIGKILL)
    deadline = time.time() + 60                      # the nanny starts a new process
    while victim in two_workers.worker_addresses or two_workers.n_workers < 2:
        assert time.time() < deadline, "the killed worker was not replaced"
        time.sleep(0.1)
    workers = dp.refresh_workers()
    assert victim not in workers and len(workers) == 2
    x, y = data(n_rows=10)
    dp.run(sess, {model.x: x, model.y: y})
    assert len(dp.last_step.workers) == 2
    dp.close()


def test_killed_worker_with_scattered_data_rescatters_and_retries(two_workers):
    x, y = data(n_rows=50)
    batches = [(x[:25], y[:25]), (x[25:], y[25:])]
    expected, expected_losses = single_process(lambda: tf.train.AdamOptimizer(0.05), batches)
    model, dp, sess = _model_and_dp(two_workers)
    dp.scatter({model.x: x, model.y: y}, batch_size=25)
    losses = [dp.run(sess, batch=0)]
    victim = _kill_a_worker_once_requests_are_in_flight(dp, two_workers)
    losses.append(dp.run(sess, batch=1))        # its rows are lost with it: sent again
    assert victim not in dp.workers and dp.last_step.retries >= 1
    assert sum(dp.last_step.shard_sizes) == 25
    np.testing.assert_allclose(losses, expected_losses, rtol=2e-5)
    for got, want in zip(sess.run(model.variables), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    dp.close()
