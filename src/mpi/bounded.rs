//! Bounded waits: every collective is started non-blocking and polled
//! against the cluster's timeout, so a rank that never arrives (killed,
//! hung, far slower than the timeout allows) ends the job with a message
//! instead of leaving the others blocked in MPI forever.

use std::time::{Duration, Instant};

use mpi::request::{Request, Scope};

use super::{Cluster, TIMEOUT_VARIABLE};

/// The exit status of a job ended because a rank did not answer in time.
pub const EXIT_TIMEOUT: i32 = 3;

/// The longest pause between two polls: short enough to add no visible
/// latency to a collective, long enough not to burn a core while waiting
/// for a slower rank.
const MAX_PAUSE: Duration = Duration::from_millis(2);

/// How long a wait polls without pausing first. A message between two
/// ranks of one machine takes well under a microsecond; the shortest sleep
/// the OS grants takes 50 µs or more, so a wait that slept at once would
/// measure the timer, not MPI (the ping-pong latency rows).
const SPIN: Duration = Duration::from_micros(200);

impl Cluster {
    /// Waits for `request` at most the cluster's timeout; past it, ends the
    /// whole job (`MPI_Abort`) with one line naming `what` was waited for.
    /// The time waited counts as communication.
    pub(crate) fn wait<'a, D: ?Sized, S: Scope<'a>>(&self, request: Request<'a, D, S>, what: &str) {
        let mut pending = Some(request);
        self.poll(what, || match pending.take()?.test() {
            Ok(_) => Some(()),
            Err(still) => {
                pending = Some(still);
                None
            }
        });
    }

    /// Calls `ready` until it gives a value, at most the cluster's timeout
    /// (then as [`Cluster::wait`]): without pause for the first [`SPIN`],
    /// then with pauses doubling up to [`MAX_PAUSE`]. The time counts as
    /// communication.
    pub(crate) fn poll<R>(&self, what: &str, mut ready: impl FnMut() -> Option<R>) -> R {
        let started = Instant::now();
        let deadline = deadline(started, self.timeout);
        let mut pause = Duration::from_micros(1);
        let value = loop {
            if let Some(value) = ready() {
                break value;
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                self.abort(
                    EXIT_TIMEOUT,
                    &format!(
                        "no answer from every rank within {:.0} s during {what} (a rank died, hung, or is that much slower); ending the job — set {TIMEOUT_VARIABLE} to wait longer",
                        self.timeout.as_secs_f64()
                    ),
                );
            }
            if now.duration_since(started) < SPIN {
                core::hint::spin_loop();
                continue;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(MAX_PAUSE);
        };
        self.comm_spent
            .set(self.comm_spent.get() + started.elapsed());
        value
    }
}

/// When a wait that starts at `started` gives up: `None` — never — for a
/// timeout past what the clock can represent (`Duration::MAX` asks for an
/// unbounded wait; adding it to an `Instant` would overflow and panic).
fn deadline(started: Instant, timeout: Duration) -> Option<Instant> {
    started.checked_add(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_past_the_clock_waits_without_bound_instead_of_panicking() {
        let now = Instant::now();
        assert_eq!(deadline(now, Duration::MAX), None);
        let second = Duration::from_secs(1);
        assert_eq!(deadline(now, second), Some(now + second));
    }
}
