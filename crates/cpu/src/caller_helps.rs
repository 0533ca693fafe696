//! The claim protocol of the threaded driver for work of a few thousand
//! chunks or less, and of every explicit schedule ([`crate::scheduled`]):
//! the calling thread starts on the tasks at once and the pool's threads
//! help as they wake, each claiming tasks from a shared counter as the
//! [`Deal`] says (OpenMP's dynamic, guided or static schedule, with the
//! caller as a worker).
//!
//! Why not `ThreadPool::install`: it parks the caller and wakes a worker,
//! which wakes the next, and the last one wakes the caller. On a VM each
//! wake of an idle virtual core costs 10–100 µs (measured: an empty
//! `install` takes 8 µs back to back and 41 µs median, 120 µs p90, after
//! 1 ms idle, on a 2-core Xeon VM), so at 10⁵ elements `simd-threads` was
//! 1.5–2.3× *slower* than `simd`. Here the caller never sleeps before the
//! work is done, and a helper that wakes late finds nothing left and
//! leaves: the call costs what the work costs.
//!
//! The tasks' results are combined by the caller ([`crate::scheduled`]):
//! along the same fixed tree as every other driver, so the result is
//! bit-identical to the sequential driver's for any thread count.

// The closure shared with the helpers has its lifetime erased: the
// protocol below (each step with its SAFETY comment) keeps it alive.
#![allow(unsafe_code)]

use core::any::Any;
use core::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::ThreadPool;

/// The most chunks a call runs this way: one partial per chunk is kept,
/// so beyond this the fork-join driver (O(log n) partials) takes over.
pub const MAX_CHUNKS: u64 = 4096;

/// `task` as a pointer whose lifetime the type no longer tracks.
#[derive(Clone, Copy)]
struct TaskPtr(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the pointee is `Sync` (so `&` to it may cross threads), and it is
// dereferenced only under the protocol of `for_each_claimed`.
unsafe impl Send for TaskPtr {}
// SAFETY: as above.
unsafe impl Sync for TaskPtr {}

/// How the tasks of a call are dealt out: what one claim takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deal {
    /// One task per claim, the next in order (OpenMP's `dynamic`).
    OneByOne,
    /// A run of the next ⌈remaining ÷ `workers`⌉ tasks per claim (OpenMP's
    /// `guided`).
    Guided { workers: usize },
    /// Claim `w` (the `w`-th worker to arrive) takes tasks `w`, `w +
    /// workers`, … (OpenMP's `static` with a chunk).
    Cyclic { workers: usize },
    /// Claim `w` takes the run of tasks `owners[w]` (OpenMP's `static`:
    /// one even, contiguous share per worker).
    Owned(Vec<Range<usize>>),
}

impl Deal {
    /// How many claims the counter hands out before it runs dry, in the
    /// counter's own unit (tasks for `OneByOne`/`Guided`, workers else).
    fn units(&self, tasks: usize) -> usize {
        match self {
            Self::OneByOne | Self::Guided { .. } => tasks,
            Self::Cyclic { workers } => (*workers).clamp(1, tasks.max(1)),
            Self::Owned(owners) => owners.len(),
        }
    }
}

/// One claim: the tasks `first, first + step, …` below `end`, worth
/// `units` of the counter when finished.
struct Claim {
    first: usize,
    end: usize,
    step: usize,
    units: usize,
}

/// What the caller and its helpers share: the claim counter (in the
/// deal's unit), the count of finished units, the task and the first panic.
struct Claims {
    next: AtomicUsize,
    done: AtomicUsize,
    /// Tasks in the call.
    count: usize,
    /// Units the counter hands out ([`Deal::units`]).
    units: usize,
    deal: Deal,
    task: TaskPtr,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

/// Counts a claimed task as finished when dropped: on every path out of
/// it, an unwind included, so the caller's wait always ends.
struct Finished<'a>(&'a AtomicUsize, usize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(self.1, Ordering::Release);
    }
}

/// The caller's side of the protocol, run however `for_each_claimed` is
/// left (an unwind included): stop further claims, then wait until every
/// task already claimed has finished, so no helper can still be inside the
/// lifetime-erased closure once the caller's frame is gone.
struct WaitForClaimed<'a>(&'a Claims);

impl Drop for WaitForClaimed<'_> {
    fn drop(&mut self) {
        let claims = self.0;
        // Every later claim lands past `units`; `units` more than any
        // number of claims made so far, so this cannot wrap.
        let claimed = claims
            .next
            .fetch_add(claims.units, Ordering::Relaxed)
            .min(claims.units);
        // What is left are claims the helpers are running now: a task's
        // time each under `dynamic`, so spin, then yield.
        let mut spins = 0u32;
        while claims.done.load(Ordering::Acquire) < claimed {
            if spins < 1 << 12 {
                core::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// Drops a panic's payload, catching a panic in the payload's own `Drop`
/// (`panic_any` of a value whose drop panics): leaked rather than let it
/// unwind out of a worker. Unwinding there would skip the bookkeeping the
/// caller waits on, or take a rayon thread down (an abort).
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(second) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        core::mem::forget(second);
    }
}

impl Claims {
    /// The next claim, or `None` once the counter has run dry.
    fn claim(&self) -> Option<Claim> {
        match &self.deal {
            Deal::OneByOne => {
                let i = self.next.fetch_add(1, Ordering::Relaxed);
                (i < self.units).then_some(Claim {
                    first: i,
                    end: i + 1,
                    step: 1,
                    units: 1,
                })
            }
            Deal::Guided { workers } => {
                let mut current = self.next.load(Ordering::Relaxed);
                loop {
                    if current >= self.units {
                        return None;
                    }
                    let run = (self.units - current).div_ceil((*workers).max(1));
                    let end = current + run;
                    match self.next.compare_exchange_weak(
                        current,
                        end,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            return Some(Claim {
                                first: current,
                                end,
                                step: 1,
                                units: run,
                            });
                        }
                        Err(now) => current = now,
                    }
                }
            }
            Deal::Cyclic { .. } => {
                let w = self.next.fetch_add(1, Ordering::Relaxed);
                (w < self.units).then_some(Claim {
                    first: w,
                    end: self.count,
                    step: self.units,
                    units: 1,
                })
            }
            Deal::Owned(owners) => {
                let w = self.next.fetch_add(1, Ordering::Relaxed);
                owners.get(w).map(|run| Claim {
                    first: run.start,
                    end: run.end.min(self.count),
                    step: 1,
                    units: 1,
                })
            }
        }
    }

    /// Claims and runs tasks until none are left. Never unwinds: a task's
    /// panic is kept (the first) or dropped safely (the rest).
    fn work(&self) {
        while let Some(claim) = self.claim() {
            let _finished = Finished(&self.done, claim.units);
            // SAFETY: the claim succeeded, so `done` cannot reach the
            // claimed total before this claim's increment above (on drop),
            // and the caller of `for_each_dealt` — which owns the closure —
            // does not return before it does: the closure is alive. A
            // failed claim returns above without touching it.
            let task = unsafe { &*self.task.0 };
            for i in (claim.first..claim.end).step_by(claim.step) {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| task(i))) {
                    self.keep_first_panic(payload);
                }
            }
        }
    }

    /// Keeps the first task's panic to raise in the caller; drops the rest.
    fn keep_first_panic(&self, payload: Box<dyn Any + Send>) {
        let later = {
            let mut first = self.panic.lock().unwrap_or_else(PoisonError::into_inner);
            match *first {
                None => {
                    *first = Some(payload);
                    None
                }
                Some(_) => Some(payload),
            }
        };
        // Outside the lock: the payload's Drop may do anything.
        if let Some(payload) = later {
            drop_payload(payload);
        }
    }
}

/// Runs `task(i)` for every `i` in `0..count`, each exactly once, on the
/// calling thread and on up to `threads − 1` of `pool`'s threads, one
/// task per claim; returns when all have finished. A panicking task's
/// panic is raised here, after the others finished.
pub fn for_each_claimed(pool: &ThreadPool, count: usize, task: &(dyn Fn(usize) + Sync)) {
    for_each_dealt(pool, count, Deal::OneByOne, task);
}

/// [`for_each_claimed`] with the tasks dealt out by `deal`. Whoever
/// arrives first takes the first claim, the caller included, so a worker's
/// share under [`Deal::Cyclic`] or [`Deal::Owned`] is run by the caller
/// when the pool's threads are busy: no deal waits for a thread that never
/// comes.
pub fn for_each_dealt(pool: &ThreadPool, count: usize, deal: Deal, task: &(dyn Fn(usize) + Sync)) {
    if count == 0 {
        return;
    }
    let raw: *const (dyn Fn(usize) + Sync + '_) = task;
    // SAFETY: only the lifetime is erased (same fat-pointer layout); see
    // `Claims::work` for why no dereference outlives this call.
    let raw: *const (dyn Fn(usize) + Sync + 'static) = unsafe { core::mem::transmute(raw) };
    let units = deal.units(count);
    let claims = Arc::new(Claims {
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        count,
        units,
        deal,
        task: TaskPtr(raw),
        panic: Mutex::new(None),
    });
    let helpers = pool
        .current_num_threads()
        .saturating_sub(1)
        .min(units.saturating_sub(1));
    for _ in 0..helpers {
        let claims = Arc::clone(&claims);
        pool.spawn(move || claims.work());
    }
    {
        let _wait = WaitForClaimed(&claims);
        claims.work();
    }
    let panic = claims
        .panic
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
}

/// Whether a call of `chunks` chunks runs here rather than fork-join.
pub fn suits(chunks: u64) -> bool {
    chunks <= MAX_CHUNKS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn every_task_runs_exactly_once() {
        for threads in [1, 2, 4] {
            for count in [0, 1, 2, 7, 1000] {
                let runs: Vec<AtomicUsize> = (0..count).map(|_| AtomicUsize::new(0)).collect();
                for_each_claimed(&pool(threads), count, &|i| {
                    runs[i].fetch_add(1, Ordering::Relaxed);
                });
                assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
            }
        }
    }

    #[test]
    fn a_panicking_task_panics_the_caller_after_the_rest_finished() {
        let finished = AtomicUsize::new(0);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            for_each_claimed(&pool(2), 64, &|i| {
                assert!(i != 5, "task five fails");
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }));
        let payload = caught.expect_err("the panic reaches the caller");
        let message = payload
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("task five fails"), "{message}");
        assert_eq!(finished.load(Ordering::Relaxed), 63);
    }

    /// A panic payload whose own `Drop` panics.
    struct PanicsOnDrop;

    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("the payload's drop panics");
            }
        }
    }

    #[test]
    fn a_payload_that_panics_on_drop_neither_escapes_nor_hangs_the_call() {
        use std::sync::mpsc;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let (entered, left) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let caught = catch_unwind(AssertUnwindSafe(|| {
                for_each_claimed(&pool(2), 100, &|_| {
                    entered.fetch_add(1, Ordering::SeqCst);
                    let _leave = Finished(&left, 1);
                    // Long enough that both threads are inside tasks at once.
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    std::panic::panic_any(PanicsOnDrop);
                });
            }));
            // Once the call is left, no task may still be running.
            let inside = entered.load(Ordering::SeqCst) - left.load(Ordering::SeqCst);
            let payload = caught.expect_err("the first panic reaches the caller");
            let is_ours = payload.is::<PanicsOnDrop>();
            core::mem::forget(payload);
            let _ = tx.send((inside, is_ours, entered.load(Ordering::SeqCst)));
        });
        let (inside, is_ours, entered) = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the call returned (no hang, no lost thread)");
        assert_eq!(inside, 0, "a task still ran after the call was left");
        assert!(is_ours, "the first task's payload is the one raised");
        assert_eq!(entered, 100, "every task ran once");
    }

    #[test]
    fn a_busy_pool_leaves_the_work_to_the_caller() {
        // Both pool threads are held until the call returns: the caller
        // must do every task itself rather than wait for them.
        let pool = pool(2);
        let release = std::sync::Barrier::new(3);
        let release = &release;
        let ran_on = Mutex::new(Vec::new());
        pool.in_place_scope(|scope| {
            for _ in 0..2 {
                scope.spawn(move |_| {
                    release.wait();
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            for_each_claimed(&pool, 8, &|_| {
                ran_on.lock().unwrap().push(std::thread::current().id());
            });
            release.wait();
        });
        let ran_on = ran_on.into_inner().unwrap();
        assert_eq!(ran_on.len(), 8);
        assert!(ran_on.iter().all(|&id| id == std::thread::current().id()));
    }
}
