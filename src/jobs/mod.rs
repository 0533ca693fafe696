//! Non-blocking submission: `Pool.apply_async` and `concurrent.futures` for
//! hetero's kernels.
//!
//! [`Engine::submit`](crate::Engine::submit) (reductions) and
//! [`Engine::submit_map`](crate::Engine::submit_map) (maps) return a
//! [`Job`] at once; the work runs on a thread of its own, which drives the
//! engine's pool or the GPU exactly as the blocking call would, so the
//! result is the blocking call's, bit for bit. A job can be polled
//! ([`Job::is_ready`], [`Job::progress`]), waited on ([`Job::wait`],
//! [`Job::wait_timeout`]), awaited (it is a [`Future`](core::future::Future)),
//! cancelled ([`Job::cancel`]: the work stops at the next chunk or GPU tile
//! and the job ends in [`crate::Error::Cancelled`]), or dropped (which
//! cancels it; its thread ends at that boundary and frees everything).
//! [`as_completed`] yields several jobs as they finish.

mod completed;
mod handle;
mod submit;

pub use completed::{AsCompleted, Pending, as_completed};
pub use handle::{Job, running_jobs};
pub use submit::JobScope;
