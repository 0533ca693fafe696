//! The handle of a submitted job and the state it shares with the job's
//! thread.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::task::{Context, Poll, Waker};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hetero_kernel::observe::Watch;

use crate::{Error, Result};

/// What a running job's calls report to and stop at: its cancel flag, the
/// items its calls finished and the items they started. Shared by the
/// job's handle and every [`JobScope`](super::JobScope) made over it —
/// including one made on another thread that works for the job (hetero's
/// Python module keeps the control of the job a Python thread runs).
#[derive(Debug, Default)]
pub struct JobControl {
    pub(crate) watch: Watch,
    /// Items of the calls the job has started (what progress counts towards).
    total: AtomicU64,
}

impl JobControl {
    /// Asks the job's calls to stop at their next chunk (CPU) or tile
    /// (GPU) boundary.
    pub fn cancel(&self) {
        self.watch.cancel();
    }

    /// Whether [`JobControl::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.watch.is_cancelled()
    }

    /// The share of the started calls' items done, in `[0, 1]` (0 before
    /// the first call starts): counted per chunk on the CPU and per tile
    /// on the GPU, so it moves in steps.
    pub fn progress(&self) -> f64 {
        let total = self.total.load(Ordering::Relaxed).max(1) as f64;
        (self.watch.done() as f64 / total).clamp(0.0, 1.0)
    }

    pub(crate) fn add_total(&self, items: u64) {
        self.total.fetch_add(items, Ordering::Relaxed);
    }
}

/// Job threads alive in this process (see [`running_jobs`]).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// How many submitted jobs still have a thread in this process — including
/// cancelled or dropped ones that have not reached their next chunk
/// boundary yet. Falls to 0 once every job has ended: nothing is leaked.
pub fn running_jobs() -> usize {
    RUNNING.load(Ordering::SeqCst)
}

/// Counts a job thread from its start to the end of its last drop.
pub(crate) struct RunningGuard(());

impl RunningGuard {
    pub(crate) fn enter() -> Self {
        RUNNING.fetch_add(1, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Called once when a job finishes (see [`crate::jobs::as_completed`]).
pub(crate) type Listener = Box<dyn FnOnce() + Send>;

/// What the handle and the job's thread share.
pub(crate) struct Shared<T> {
    pub(crate) control: Arc<JobControl>,
    slot: Mutex<Slot<T>>,
    finished: Condvar,
}

struct Slot<T> {
    outcome: Option<Result<T>>,
    done: bool,
    waker: Option<Waker>,
    listeners: Vec<Listener>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The slot holds plain data; a panic elsewhere breaks no invariant.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Shared<T> {
    pub(crate) fn new() -> Self {
        Self {
            control: Arc::default(),
            slot: Mutex::new(Slot {
                outcome: None,
                done: false,
                waker: None,
                listeners: Vec::new(),
            }),
            finished: Condvar::new(),
        }
    }

    /// Stores the outcome and wakes everyone waiting for it.
    pub(crate) fn publish(&self, outcome: Result<T>) {
        let (waker, listeners) = {
            let mut slot = lock(&self.slot);
            slot.outcome = Some(outcome);
            slot.done = true;
            (slot.waker.take(), core::mem::take(&mut slot.listeners))
        };
        self.finished.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
        for listener in listeners {
            listener();
        }
    }

    pub(crate) fn when_done(&self, listener: Listener) {
        let mut slot = lock(&self.slot);
        if slot.done {
            drop(slot);
            listener();
        } else {
            slot.listeners.push(listener);
        }
    }
}

/// A submitted job: its result arrives later. Dropping a job that has not
/// finished cancels it.
#[must_use = "a job is cancelled when its handle is dropped; wait for it or keep it"]
pub struct Job<T> {
    pub(crate) shared: Arc<Shared<T>>,
}

impl<T> core::fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Job")
            .field("ready", &self.is_ready())
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl<T> Job<T> {
    /// Whether the job has finished (with a value or an error).
    pub fn is_ready(&self) -> bool {
        lock(&self.shared.slot).done
    }

    /// The share of the job's items done, in `[0, 1]`: counted per chunk on
    /// the CPU and per tile on the GPU, so it moves in steps.
    pub fn progress(&self) -> f64 {
        if self.is_ready() {
            return 1.0;
        }
        self.shared.control.progress()
    }

    /// Asks the job to stop at its next chunk (CPU) or tile (GPU)
    /// boundary; it then ends with [`Error::Cancelled`] and no value. A job
    /// that already finished keeps its result.
    pub fn cancel(&self) {
        if !self.is_ready() {
            self.shared.control.cancel();
        }
    }

    /// Blocks until the job ends and returns its result.
    ///
    /// # Errors
    /// What the blocking call would return; [`Error::Cancelled`] after
    /// [`Job::cancel`]; [`Error::JobPanicked`] if a kernel panicked.
    pub fn wait(self) -> Result<T> {
        let mut slot = lock(&self.shared.slot);
        while !slot.done {
            slot = self
                .shared
                .finished
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
        }
        slot.outcome.take().unwrap_or(Err(Error::JobTaken))
    }

    /// Waits at most `timeout`: `None` if the job is still running (it goes
    /// on; wait again or cancel it), else its result, taken out of the job.
    ///
    /// # Errors
    /// As [`Job::wait`]; [`Error::JobTaken`] if the result was already
    /// taken by an earlier call.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<Result<T>> {
        let deadline = Instant::now().checked_add(timeout);
        let mut slot = lock(&self.shared.slot);
        while !slot.done {
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return None;
            }
            slot = self
                .shared
                .finished
                .wait_timeout(slot, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Some(slot.outcome.take().unwrap_or(Err(Error::JobTaken)))
    }

    /// The result if the job has finished, without waiting.
    pub fn try_take(&mut self) -> Option<Result<T>> {
        self.wait_timeout(Duration::ZERO)
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        // Nobody can take the result any more: stop the work.
        if !lock(&self.shared.slot).done {
            self.shared.control.cancel();
        }
    }
}

impl<T> Future for Job<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = lock(&self.shared.slot);
        if slot.done {
            return Poll::Ready(slot.outcome.take().unwrap_or(Err(Error::JobTaken)));
        }
        match &mut slot.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            other => *other = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
