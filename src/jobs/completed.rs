//! `concurrent.futures.as_completed` for jobs: their indexes in the order
//! they finish.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::handle::{Job, Listener};

/// Something that finishes once and can say so: every [`Job`], whatever
/// its result type, so jobs of different problems go into one
/// [`as_completed`].
pub trait Pending {
    /// Calls `listener` once, when the job has finished (at once if it has).
    fn when_done(&self, listener: Box<dyn FnOnce() + Send>);
}

impl<T> Pending for Job<T> {
    fn when_done(&self, listener: Listener) {
        self.shared.when_done(listener);
    }
}

struct Finished {
    order: Mutex<VecDeque<usize>>,
    arrived: Condvar,
}

/// The indexes of the jobs given to [`as_completed`], in the order they
/// finish (ties in index order). Take each job's result with
/// [`Job::wait`] or [`Job::try_take`]: it is ready.
pub struct AsCompleted {
    finished: Arc<Finished>,
    left: usize,
}

/// Watches `jobs` and yields the index of each as it finishes, like
/// Python's `concurrent.futures.as_completed`.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use hetero::{Backend, Engine, Pi, jobs::as_completed, problems::pi::PiKernel};
/// let engine = Arc::new(Engine::new()?);
/// let small = engine.jobs().submit(PiKernel::new(&Pi::new(1_000_000, 1)?), Backend::SimdThreads);
/// let large = engine.jobs().submit(PiKernel::new(&Pi::new(100_000_000, 1)?), Backend::SimdThreads);
/// for index in as_completed([&small, &large]) {
///     println!("job {index} finished");
/// }
/// # Ok::<(), hetero::Error>(())
/// ```
pub fn as_completed<'a, P: Pending + ?Sized + 'a>(
    jobs: impl IntoIterator<Item = &'a P>,
) -> AsCompleted {
    let finished = Arc::new(Finished {
        order: Mutex::new(VecDeque::new()),
        arrived: Condvar::new(),
    });
    let mut left = 0;
    for (index, job) in jobs.into_iter().enumerate() {
        let finished = Arc::clone(&finished);
        job.when_done(Box::new(move || {
            finished
                .order
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push_back(index);
            finished.arrived.notify_all();
        }));
        left += 1;
    }
    AsCompleted { finished, left }
}

impl AsCompleted {
    /// The next job to finish, waiting at most `timeout` for it: `None`
    /// when none finished in time (or none is left).
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        let deadline = Instant::now().checked_add(timeout);
        let mut order = self
            .finished
            .order
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(index) = order.pop_front() {
                self.left -= 1;
                return Some(index);
            }
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return None;
            }
            order = self
                .finished
                .arrived
                .wait_timeout(order, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Jobs that have not been yielded yet.
    pub fn remaining(&self) -> usize {
        self.left
    }
}

impl Iterator for AsCompleted {
    type Item = usize;

    /// Blocks until the next job finishes.
    fn next(&mut self) -> Option<usize> {
        while self.left > 0 {
            if let Some(index) = self.next_timeout(Duration::from_secs(3600)) {
                return Some(index);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}
