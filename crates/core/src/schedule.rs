//! Scheduling policies: which thread computes which of a kernel's chunks.
//!
//! OpenMP's `schedule(static|dynamic|guided|auto, chunk)` (Cython's
//! `prange(…, schedule=…, chunksize=…)`) decides both who computes an
//! iteration and, for a reduction, in which order the partial sums meet —
//! so the bits change with the policy and the thread count. In hetero the
//! combine order is the kernel's fixed chunk tree ([`crate::chunks`]), so a
//! policy only decides *who* computes a chunk: every policy, at every
//! thread count, gives the same bits.
//!
//! The unit of a `chunk` here is one of the kernel's own chunks (midpoint:
//! 2¹⁴ points, Julia: a band of 4 rows), the granularity the kernel
//! declared; a claim of `chunk` chunks is one task. A reduction's task is
//! the largest subtree of the combining tree with at most `chunk` chunks
//! (so it reduces to one partial without changing the tree); a map's task
//! is exactly `chunk` chunks of items.

use core::fmt;
use core::str::FromStr;

/// How the threaded backends (`threads`, `simd-threads`) deal a call's
/// chunks out among their threads. The result is the same under every
/// policy; only the time differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Schedule {
    /// Dealt out before the call starts, OpenMP's `static`. With no
    /// `chunk`, each thread takes one contiguous, even share of the chunks;
    /// with a `chunk`, tasks of `chunk` chunks go round-robin (thread `t`
    /// takes tasks `t`, `t + threads`, …). Cheapest to run, and slow when
    /// chunks differ in cost: a thread with the costly chunks finishes last.
    Static { chunk: Option<u64> },
    /// Each thread claims the next task of `chunk` chunks when it is free,
    /// OpenMP's `dynamic`: balances uneven chunks, one atomic claim per task.
    Dynamic { chunk: u64 },
    /// Each thread claims a run of tasks proportional to what is left
    /// (remaining ÷ threads, at least `min_chunk` chunks), OpenMP's
    /// `guided`: few claims early, small tasks at the end to even out.
    Guided { min_chunk: u64 },
    /// hetero's default: calls of up to 4096 chunks are `dynamic` with
    /// about 16 tasks per thread, claimed by the calling thread and the
    /// pool's threads as they wake; larger calls are split along the chunk
    /// tree by rayon's work-stealing `join`.
    #[default]
    Auto,
}

/// The forms [`Schedule::from_str`] reads, for error messages and `--help`.
pub const SCHEDULE_FORMS: &str =
    "auto, static, static,CHUNK, dynamic, dynamic,CHUNK, guided, guided,MIN_CHUNK (CHUNK ≥ 1)";

/// A schedule that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "{policy} schedule with a chunk of 0: give a chunk of at least 1 (a number of the kernel's chunks)"
    )]
    ZeroChunk { policy: &'static str },
    #[error("unknown schedule '{text}': expected one of {SCHEDULE_FORMS}")]
    Unknown { text: String },
    #[error("schedule '{text}': the chunk '{chunk}' is not a whole number ≥ 1 ({SCHEDULE_FORMS})")]
    BadChunk { text: String, chunk: String },
}

impl Schedule {
    /// Every policy's name, in the order reports list them.
    pub const NAMES: [&'static str; 4] = ["static", "dynamic", "guided", "auto"];

    /// The policy's name (`static`, `dynamic`, `guided`, `auto`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Static { .. } => "static",
            Self::Dynamic { .. } => "dynamic",
            Self::Guided { .. } => "guided",
            Self::Auto => "auto",
        }
    }

    /// The schedule itself, or why it cannot be used.
    ///
    /// # Errors
    /// [`ScheduleError::ZeroChunk`] for a chunk of 0.
    pub fn check(self) -> Result<Self, ScheduleError> {
        let zero = match self {
            Self::Static { chunk: Some(0) } => Some("static"),
            Self::Dynamic { chunk: 0 } => Some("dynamic"),
            Self::Guided { min_chunk: 0 } => Some("guided"),
            _ => None,
        };
        match zero {
            Some(policy) => Err(ScheduleError::ZeroChunk { policy }),
            None => Ok(self),
        }
    }
}

impl fmt::Display for Schedule {
    /// The form [`Schedule::from_str`] reads back: `dynamic,4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static { chunk: None } | Self::Auto => f.write_str(self.name()),
            Self::Static { chunk: Some(c) } | Self::Dynamic { chunk: c } => {
                write!(f, "{},{c}", self.name())
            }
            Self::Guided { min_chunk } => write!(f, "guided,{min_chunk}"),
        }
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    /// OpenMP's `OMP_SCHEDULE` form: a policy, optionally `,CHUNK`
    /// (`dynamic` and `guided` default to 1, `static` to even shares).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lowered = text.trim().to_ascii_lowercase();
        let (policy, chunk) = match lowered.split_once(',') {
            Some((p, c)) => (p.trim(), Some(c.trim())),
            None => (lowered.as_str(), None),
        };
        let chunk = match chunk {
            None => None,
            Some(c) => Some(c.parse::<u64>().map_err(|_| ScheduleError::BadChunk {
                text: text.to_owned(),
                chunk: c.to_owned(),
            })?),
        };
        let schedule = match (policy, chunk) {
            ("static", chunk) => Self::Static { chunk },
            ("dynamic", chunk) => Self::Dynamic {
                chunk: chunk.unwrap_or(1),
            },
            ("guided", chunk) => Self::Guided {
                min_chunk: chunk.unwrap_or(1),
            },
            ("auto", None) => Self::Auto,
            _ => {
                return Err(ScheduleError::Unknown {
                    text: text.to_owned(),
                });
            }
        };
        schedule.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_back_from_its_display() {
        for s in [
            Schedule::Auto,
            Schedule::Static { chunk: None },
            Schedule::Static { chunk: Some(3) },
            Schedule::Dynamic { chunk: 1 },
            Schedule::Dynamic { chunk: 64 },
            Schedule::Guided { min_chunk: 2 },
        ] {
            assert_eq!(s.to_string().parse::<Schedule>(), Ok(s), "{s}");
        }
        assert_eq!("Dynamic".parse(), Ok(Schedule::Dynamic { chunk: 1 }));
        assert_eq!(
            " guided , 4 ".parse(),
            Ok(Schedule::Guided { min_chunk: 4 })
        );
    }

    #[test]
    fn bad_forms_say_what_is_accepted() {
        for bad in ["", "fast", "auto,2", "dynamic,", "dynamic,-1", "static,x"] {
            let e = bad.parse::<Schedule>().expect_err(bad);
            assert!(e.to_string().contains("dynamic,CHUNK"), "{bad}: {e}");
        }
        for zero in ["dynamic,0", "guided,0", "static,0"] {
            assert!(
                matches!(
                    zero.parse::<Schedule>(),
                    Err(ScheduleError::ZeroChunk { .. })
                ),
                "{zero}"
            );
        }
    }
}
