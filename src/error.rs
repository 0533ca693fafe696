//! The facade's error type.

use hetero_core::{AllocError, ProblemError};
use hetero_kernel::KernelError;
use thiserror::Error;

/// Everything that can go wrong in a hetero call. Messages say what to change.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The problem itself is invalid (see [`ProblemError`]).
    #[error(transparent)]
    Problem(ProblemError),

    /// A buffer sized by the call (an output, an input it builds, a
    /// scratch array) could not be allocated: nothing was computed. Every
    /// crate's out-of-memory error arrives here, so one match catches them.
    #[error(transparent)]
    OutOfMemory(AllocError),

    /// A kernel, or a call on it, that no driver can run (see [`KernelError`]).
    #[error(transparent)]
    Kernel(KernelError),

    /// An instruction-set level that is not one, or that this CPU lacks
    /// (`HETERO_ISA`, [`crate::Engine::with_isa`]).
    #[error(transparent)]
    Isa(#[from] hetero_kernel::IsaError),

    /// A scheduling policy that cannot be used (a chunk of 0, a name that
    /// is none: [`crate::Engine::with_schedule`], `--schedule`).
    #[error(transparent)]
    Schedule(#[from] hetero_core::ScheduleError),

    /// The GPU could not be opened or a GPU call failed.
    #[cfg(feature = "gpu")]
    #[error(transparent)]
    Gpu(#[from] hetero_gpu::GpuError),

    #[error(
        "unknown backend '{name}'; choose one of: scalar, simd, threads, simd-threads, gpu, hybrid, auto"
    )]
    UnknownBackend { name: String },

    #[error(
        "this build of hetero has no gpu backend (it was built without the `gpu` feature); rebuild with it, or choose scalar, simd, threads or simd-threads"
    )]
    GpuUnavailable,

    /// A combination a backend does not offer (never a silent fallback).
    #[error("{what} is not available on the {backend} backend; {hint}")]
    Unsupported {
        what: &'static str,
        backend: &'static str,
        hint: &'static str,
    },

    #[error(
        "the thread count must be at least 1 (got 0); pass 1 or more, or use Engine::new() for all cores"
    )]
    ZeroThreads,

    #[error(
        "{threads} threads is more than this machine allows ({limit}: {per_core} per logical core, {cores} cores); pass at most {limit}"
    )]
    TooManyThreads {
        threads: usize,
        limit: usize,
        per_core: usize,
        cores: usize,
    },

    #[error("could not start a pool of {threads} threads: {reason}")]
    ThreadPool { threads: usize, reason: String },

    /// Shares of a problem that do not add up (see [`hetero_core::shares`]).
    #[error(transparent)]
    Shares(#[from] hetero_core::shares::SharesError),

    /// `auto` found no backend that can run the kernel.
    #[error("no backend can run this kernel ({reasons})")]
    NoBackend { reasons: String },

    /// A submitted job was cancelled (or its handle dropped) before it
    /// finished; it has no value.
    #[error("the job was cancelled before it finished; it has no result")]
    Cancelled,

    /// A kernel or a job's closure panicked; the job has no value.
    #[error("the job panicked: {message}")]
    JobPanicked { message: String },

    /// A job's result was already taken (by `wait_timeout`, `try_take` or
    /// awaiting it); a result is handed out once.
    #[error("this job's result was already taken; a job hands its result out once")]
    JobTaken,
}

impl From<AllocError> for Error {
    fn from(e: AllocError) -> Self {
        Self::OutOfMemory(e)
    }
}

impl From<ProblemError> for Error {
    /// A buffer that could not be allocated is [`Error::OutOfMemory`];
    /// every other problem error is [`Error::Problem`].
    fn from(e: ProblemError) -> Self {
        match e {
            ProblemError::OutOfMemory(a) => Self::OutOfMemory(a),
            other => Self::Problem(other),
        }
    }
}

impl From<KernelError> for Error {
    /// A kernel without a form for a backend is the facade's
    /// [`Error::Unsupported`]; a buffer that could not be allocated is
    /// [`Error::OutOfMemory`]; every other kernel error is [`Error::Kernel`].
    fn from(e: KernelError) -> Self {
        match e {
            KernelError::OutOfMemory(a) => Self::OutOfMemory(a),
            KernelError::Unsupported {
                what,
                backend,
                hint,
            } => Self::Unsupported {
                what,
                backend,
                hint,
            },
            other => Self::Kernel(other),
        }
    }
}
