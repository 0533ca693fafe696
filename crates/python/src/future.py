# hetero.Future: the concurrent.futures.Future of a job started by
# hetero.submit. Written in Python because concurrent.futures.Future is a
# Python class (its waiters, as_completed and wait read its state), and a
# Rust class cannot subclass it.
import atexit
import concurrent.futures
import weakref

# Futures whose jobs have not delivered yet (the job holds its future
# until then, so the set's entries stay alive while they matter).
_live = weakref.WeakSet()


class Future(concurrent.futures.Future):
    """The result of a hetero call started with hetero.submit.

    A concurrent.futures.Future: done(), result(timeout=None),
    exception(timeout=None), add_done_callback(fn), and
    concurrent.futures.wait / as_completed accept it. Unlike a thread
    pool's future, cancel() also stops a job that is running: its hetero
    calls stop at their next chunk or GPU tile (well under a second), and
    result() raises concurrent.futures.CancelledError. progress() is the
    share of the items of the job's hetero calls done so far.
    """

    def __init__(self, job):
        super().__init__()
        self._job = job
        self._notified = False
        _live.add(self)

    def cancel(self):
        """Stops the job (queued or running) unless it has finished;
        True if the future is now cancelled."""
        if not super().cancel():
            return False
        self._job.cancel()
        with self._condition:
            if not self._notified:
                # Tell wait() and as_completed() now: a queued job that is
                # cancelled never runs, so it would never report back.
                self._notified = True
                self.set_running_or_notify_cancel()
        return True

    def running(self):
        """Whether the job has started and not finished."""
        return self._job.started() and not self.done()

    def progress(self):
        """The share of the job's hetero calls' items done, in [0, 1]:
        counted per chunk (CPU) or tile (GPU), so it moves in steps; 1.0
        once the future is done."""
        return 1.0 if self.done() else self._job.progress()

    def _finish(self, ok, value):
        # Called once on the job's thread with fn's outcome. The future
        # stays pending while the job runs (so cancel() works throughout);
        # a cancelled one drops the outcome.
        with self._condition:
            if self.cancelled():
                return
            self.set_running_or_notify_cancel()
        if ok:
            self.set_result(value)
        else:
            self.set_exception(value)

    def __repr__(self):
        state = "cancelled" if self.cancelled() else "finished" if self.done() else (
            "running" if self.running() else "pending")
        return f"<hetero.Future {state} progress={self.progress():.2f}>"


@atexit.register
def _wait_for_jobs():
    # As concurrent.futures' thread pools do: the interpreter waits for
    # submitted work before it exits (cancel a future not to wait for it).
    concurrent.futures.wait(list(_live))
