//! The facade's error type.

use hetero_core::ProblemError;
use thiserror::Error;

/// Everything that can go wrong in a hetero call. Messages say what to change.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The problem itself is invalid (see [`ProblemError`]).
    #[error(transparent)]
    Problem(#[from] ProblemError),

    #[error("unknown backend '{name}'; choose one of: scalar, simd, threads, simd-threads, gpu")]
    UnknownBackend { name: String },

    #[error(
        "the gpu backend is not available in this build of hetero yet; choose scalar, simd, threads or simd-threads"
    )]
    GpuUnavailable,

    #[error(
        "the thread count must be at least 1 (got 0); pass 1 or more, or use Engine::new() for all cores"
    )]
    ZeroThreads,

    #[error("could not start a pool of {threads} threads: {reason}")]
    ThreadPool { threads: usize, reason: String },
}
