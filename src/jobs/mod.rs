//! Non-blocking submission: `Pool.apply_async` and `concurrent.futures` for
//! hetero's kernels.
//!
//! [`Jobs::submit`] (reductions) and
//! [`Jobs::submit_map`] (maps) return a
//! [`Job`] at once; the work runs on one of the engine's job threads (at
//! most [`Jobs::threads`] jobs run at
//! once, the others wait in submission order), which drives the engine's
//! pool or the GPU exactly as the blocking call would, so the result is the
//! blocking call's, bit for bit. A job can be polled
//! ([`Job::is_ready`], [`Job::progress`]), waited on ([`Job::wait`],
//! [`Job::wait_timeout`]), awaited (it is a `Future`),
//! cancelled ([`Job::cancel`]: the work stops at the next chunk or GPU tile
//! and the job ends in [`crate::Error::Cancelled`]), or dropped (which
//! cancels it; its thread ends at that boundary and frees everything).
//! [`as_completed`] yields several jobs as they finish.

mod completed;
mod handle;
mod runner;
mod submit;

pub(crate) use runner::JobRunner;

/// Jobs an engine runs at once: `concurrent.futures.ThreadPoolExecutor`'s
/// default, min(32, logical cores + 4) — job threads mostly wait (on the
/// pool or the GPU), so a few more than the cores keep both busy.
pub(crate) fn default_job_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores + 4).min(32)
}

pub use completed::{AsCompleted, Pending, as_completed};
pub use handle::{Job, JobControl, running_jobs};
pub use submit::{JobScope, Jobs};
