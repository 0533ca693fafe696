"""hetero.submit: any hetero call as a job answered by a
concurrent.futures.Future, with progress() and a cancel() that stops a
running job; and the GIL released while hetero computes."""
import concurrent.futures as cf
import threading
import time

import numpy as np
import pytest

import hetero

# Generous bounds for things that end on their own; never a speed claim.
PATIENCE = 120.0

# π with 10¹² samples takes minutes on any CPU here: a job that ends well
# before that was stopped, not finished.
ENDLESS_PI = 10**12


def wait_until(condition, what):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.001)


def wait_for_no_jobs():
    wait_until(lambda: hetero.running_jobs() == 0, "every job thread to end")


def test_a_submitted_call_gives_the_blocking_calls_bits():
    future = hetero.submit(hetero.midpoint, 0.0, 1.0, 10**6, backend="simd-threads")
    assert isinstance(future, cf.Future) and isinstance(future, hetero.Future)
    assert future.result(timeout=PATIENCE) == hetero.midpoint(
        0.0, 1.0, 10**6, backend="simd-threads"
    )
    assert future.progress() == 1.0
    pi = hetero.submit(hetero.pi, n=10**6, seed=7, backend="threads").result()
    assert pi.hits == hetero.pi(n=10**6, seed=7, backend="scalar").hits
    counts = hetero.submit(hetero.julia, 100).result()
    assert np.array_equal(counts, hetero.julia(100, backend="scalar"))


def test_a_python_function_making_several_calls_is_one_job():
    x = np.linspace(-2.0, 2.0, 100_000)
    y = np.zeros_like(x)

    def pipeline(x, y):
        z = hetero.gaussian(x, y, backend="simd")
        return hetero.sum(z, backend="threads")

    expected = pipeline(x, y)
    assert hetero.submit(pipeline, x, y).result(timeout=PATIENCE) == expected


def test_futures_work_with_wait_as_completed_and_callbacks():
    seen = []
    futures = [
        hetero.submit(hetero.midpoint, 0.0, 1.0, 10**4 * (k + 1), backend="simd")
        for k in range(6)
    ]
    for f in futures:
        f.add_done_callback(seen.append)
    done = list(cf.as_completed(futures, timeout=PATIENCE))
    assert sorted(map(id, done)) == sorted(map(id, futures))
    finished, pending = cf.wait(futures, timeout=PATIENCE)
    assert len(finished) == 6 and not pending
    wait_until(lambda: len(seen) == 6, "the callbacks")
    assert sorted(map(id, seen)) == sorted(map(id, futures))
    for k, f in enumerate(futures):
        assert f.result() == hetero.midpoint(0.0, 1.0, 10**4 * (k + 1), backend="scalar")


def test_errors_arrive_through_the_future():
    future = hetero.submit(hetero.pi, n=0)
    with pytest.raises(ValueError):
        future.result(timeout=PATIENCE)
    assert isinstance(future.exception(), ValueError)

    def raises():
        raise KeyError("from the job")

    with pytest.raises(KeyError, match="from the job"):
        hetero.submit(raises).result(timeout=PATIENCE)
    with pytest.raises(TypeError, match="submit takes a function"):
        hetero.submit(42)


def test_cancel_stops_a_running_job():
    future = hetero.submit(hetero.pi, n=ENDLESS_PI, backend="simd-threads")
    assert not future.done()  # returned at once
    # Progress moves while the job runs — which this thread can only see
    # because the job released the GIL inside its call.
    wait_until(lambda: future.progress() > 0.0, "the job's first chunks")
    assert future.running()
    assert 0.0 < future.progress() < 1.0
    started = time.monotonic()
    assert future.cancel()
    assert future.cancelled() and future.done()
    with pytest.raises(cf.CancelledError):
        future.result()
    wait_for_no_jobs()
    stopped_in = time.monotonic() - started
    # Far below the minutes the whole call takes: it stopped, not finished.
    assert stopped_in < PATIENCE
    assert not future.cancel() or future.cancelled()  # a second cancel changes nothing


def test_cancel_of_queued_jobs_never_runs_them_and_wait_returns():
    futures = [
        hetero.submit(hetero.pi, n=ENDLESS_PI, backend="simd") for _ in range(40)
    ]
    assert all(f.cancel() for f in futures)
    finished, pending = cf.wait(futures, timeout=PATIENCE)
    assert len(finished) == 40 and not pending
    assert all(f.cancelled() for f in futures)
    wait_for_no_jobs()


def test_a_finished_future_cannot_be_cancelled():
    future = hetero.submit(hetero.midpoint, 0.0, 1.0, 1000)
    value = future.result(timeout=PATIENCE)
    assert not future.cancel()
    assert future.result() == value and not future.cancelled()


def test_a_call_of_a_cancelled_job_raises_cancelled_error_inside_the_job():
    caught = []
    entered = threading.Event()

    def body():
        entered.set()
        try:
            hetero.pi(n=ENDLESS_PI, backend="simd-threads")
        except BaseException as e:  # the job sees why its call ended
            caught.append(type(e))
            raise

    future = hetero.submit(body)
    entered.wait(PATIENCE)
    wait_until(lambda: future.progress() > 0.0, "the call inside the job")
    future.cancel()
    wait_for_no_jobs()
    assert caught == [cf.CancelledError]


def test_the_gil_is_released_while_a_traced_map_runs():
    @hetero.elementwise
    def heavy(x):
        return hetero.sqrt(hetero.exp(hetero.sin(x) * hetero.cos(x)) + 1.0)

    x = np.linspace(0.0, 1.0, 10**7)
    out = np.empty_like(x)
    future = hetero.submit(heavy, x, out=out, backend="scalar")
    # This thread runs Python while the job is inside its one map call.
    wait_until(lambda: future.progress() > 0.0 or future.done(), "the map")
    seen_inside = 0.0 < future.progress() < 1.0
    future.cancel()
    wait_for_no_jobs()
    assert seen_inside, "the map finished before this thread could run: the GIL was held"
    # A submitted map that runs to its end gives the blocking call's bits.
    small = x[:100_000]
    assert np.array_equal(
        hetero.submit(heavy, small, backend="scalar").result(timeout=PATIENCE),
        heavy(small, backend="threads"),  # the same width: the same bits
    )


def test_a_second_writer_of_a_busy_array_gets_value_error():
    x = np.linspace(-3.0, 3.0, 2 * 10**7)
    y = np.zeros_like(x)
    out = np.empty_like(x)
    for _ in range(5):
        future = hetero.submit(hetero.gaussian, x, y, out=out, backend="scalar")
        wait_until(lambda: future.progress() > 0.0 or future.done(), "the map")
        raised = False
        try:
            hetero.gaussian(x, y, out=out, backend="scalar")
        except ValueError as e:
            raised = "out cannot be written" in str(e)
        try:
            hetero.gaussian(out, y, backend="scalar")  # reading what is written
        except ValueError as e:
            raised = raised and "cannot be read" in str(e)
        busy = not future.done()
        future.cancel()
        wait_for_no_jobs()
        if busy:  # the job held `out` for both calls above
            assert raised
            return
    pytest.fail("the job finished before the second call five times")
