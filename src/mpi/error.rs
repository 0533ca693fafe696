//! What can go wrong across ranks. Every rank of a failed call returns the
//! same error, so rank 0 can print it once.

use thiserror::Error;

/// A failure of a call across MPI ranks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MpiError {
    #[error("MPI could not be initialised: {reason}")]
    Init { reason: String },

    #[error(
        "HETERO_MPI_TIMEOUT_SECONDS must be a positive number of seconds (e.g. 120), got '{given}'"
    )]
    BadTimeout { given: String },

    /// One rank's own input or device failed; the lowest such rank is named.
    /// `code` is the exit status the rank asked for (2: usage, 1: runtime).
    #[error("rank {rank}: {cause}")]
    RankFailed {
        rank: usize,
        code: u8,
        cause: String,
    },

    /// The ranks were not given the same problem.
    #[error(
        "rank {rank} was given a different problem from rank 0 ({what}); give every rank the same problem arguments (only the backend and thread count may differ per rank)"
    )]
    Mismatch { rank: usize, what: String },

    /// A message past what one MPI call can carry (counts are 32-bit).
    #[error(
        "{what}: {count} values is more than one MPI message carries ({limit}); choose a smaller problem (rank 0 receives all of it at once)"
    )]
    TooLarge {
        what: &'static str,
        count: u128,
        limit: i32,
    },

    /// A point-to-point peer that is not another rank of the job.
    #[error(
        "rank {rank} cannot exchange messages with rank {peer}: give another rank of the job (0 to {}, not {rank} itself)",
        size.saturating_sub(1)
    )]
    BadPeer {
        peer: usize,
        rank: usize,
        size: usize,
    },

    /// A tag past what every MPI library accepts.
    #[error("message tag {tag} is too large: use a tag from 0 to {max}")]
    BadTag { tag: u16, max: u16 },

    /// The next message from a rank was not the one the receive expected;
    /// it was consumed.
    #[error(
        "the next message from rank {from} has tag {got_tag} and {got_bytes} bytes, but the receive expected tag {expected_tag} and {expected_bytes} bytes: send and receive the same lengths in the same order on both ranks"
    )]
    WrongMessage {
        from: usize,
        expected_tag: u16,
        got_tag: i32,
        expected_bytes: usize,
        got_bytes: usize,
    },
}

impl MpiError {
    /// The exit status a program should end with for this error: the failed
    /// rank's own for [`MpiError::RankFailed`], 2 for what the user gave
    /// (mismatched arguments, a bad setting, a problem too large to
    /// gather), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::RankFailed { code, .. } => *code,
            Self::Mismatch { .. }
            | Self::BadTimeout { .. }
            | Self::TooLarge { .. }
            | Self::BadPeer { .. }
            | Self::BadTag { .. } => 2,
            Self::Init { .. } | Self::WrongMessage { .. } => 1,
        }
    }
}
