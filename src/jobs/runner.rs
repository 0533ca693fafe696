//! The threads jobs run on: a bounded set per engine, started as jobs need
//! them, with a queue for the rest (`concurrent.futures.ThreadPoolExecutor`'s
//! design). A thread per submit made 10 000 submits 10 000 threads; here at
//! most [`JobRunner::limit`] jobs run at once and the others start in
//! submission order as running ones finish.
//!
//! Job threads block (on the engine's rayon pool or the GPU), so they are
//! not the rayon pool: its threads must stay free to compute the jobs'
//! chunks. An idle job thread leaves after [`IDLE`]; the engine's drop asks
//! the idle ones to leave at once (never joining: the last reference to the
//! engine may be dropped on a job thread itself).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long a job thread waits for work before it leaves.
const IDLE: Duration = Duration::from_secs(5);

type Task = Box<dyn FnOnce() + Send>;

/// An engine's job threads and their queue.
pub(crate) struct JobRunner {
    inner: Arc<Inner>,
}

struct Inner {
    queue: Mutex<Queue>,
    work: Condvar,
    limit: usize,
}

#[derive(Default)]
struct Queue {
    tasks: VecDeque<Task>,
    /// Job threads alive, and how many of them wait for a task.
    threads: usize,
    idle: usize,
    shutdown: bool,
}

fn lock(inner: &Inner) -> MutexGuard<'_, Queue> {
    // The queue's invariants hold between statements: a panic (there is
    // none inside the lock) could not break them.
    inner.queue.lock().unwrap_or_else(PoisonError::into_inner)
}

impl JobRunner {
    /// A runner of at most `limit` threads (at least 1); none started yet.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                queue: Mutex::new(Queue::default()),
                work: Condvar::new(),
                limit: limit.max(1),
            }),
        }
    }

    /// Most jobs that run at once.
    pub(crate) fn limit(&self) -> usize {
        self.inner.limit
    }

    /// Queues `task`, starting a thread for it when none is idle and the
    /// limit allows.
    ///
    /// # Errors
    /// The OS's reason when no job thread exists and none can be started:
    /// `task` would never run (it is dropped).
    pub(crate) fn run(&self, task: Task) -> std::io::Result<()> {
        let mut queue = lock(&self.inner);
        queue.tasks.push_back(task);
        let waiting = queue.tasks.len();
        if queue.idle >= waiting || queue.threads >= self.inner.limit {
            self.inner.work.notify_one();
            return Ok(());
        }
        queue.threads += 1;
        drop(queue);
        let inner = Arc::clone(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("hetero-job".into())
            .spawn(move || work(&inner));
        if let Err(e) = spawned {
            let mut queue = lock(&self.inner);
            queue.threads -= 1;
            if queue.threads == 0 {
                // Nobody will take it: hand the failure back.
                queue.tasks.pop_back();
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Drop for JobRunner {
    fn drop(&mut self) {
        lock(&self.inner).shutdown = true;
        self.inner.work.notify_all();
    }
}

/// A job thread: runs queued tasks until none comes for [`IDLE`] or the
/// runner is dropped (queued tasks are still run first: each holds its
/// job's engine, so a dropped runner has none left).
fn work(inner: &Inner) {
    let mut queue = lock(inner);
    loop {
        if let Some(task) = queue.tasks.pop_front() {
            drop(queue);
            // A job's task catches its own panics (see `submit_with`).
            task();
            queue = lock(inner);
            continue;
        }
        if queue.shutdown {
            break;
        }
        queue.idle += 1;
        let (next, timeout) = inner
            .work
            .wait_timeout(queue, IDLE)
            .unwrap_or_else(PoisonError::into_inner);
        queue = next;
        queue.idle -= 1;
        if timeout.timed_out() && queue.tasks.is_empty() {
            break;
        }
    }
    queue.threads -= 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    #[test]
    fn at_most_limit_tasks_run_at_once_and_every_task_runs() {
        let runner = JobRunner::new(3);
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (tx, rx) = mpsc::channel();
        for i in 0..50 {
            let (running, peak, tx) = (Arc::clone(&running), Arc::clone(&peak), tx.clone());
            runner
                .run(Box::new(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(1));
                    running.fetch_sub(1, Ordering::SeqCst);
                    tx.send(i).unwrap();
                }))
                .unwrap();
        }
        let mut done: Vec<i32> = (0..50)
            .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
            .collect();
        done.sort_unstable();
        assert_eq!(done, (0..50).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3, "{peak:?}");
        assert!(lock(&runner.inner).threads <= 3);
    }
}
