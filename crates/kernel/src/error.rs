//! The errors of the kernel model: a kernel or a call on it that no driver
//! can run. Every message says what to change.

use thiserror::Error;

/// A kernel has no form for a backend (a Rust closure on the GPU, say).
/// Never answered with a silent fallback to another backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported {
    /// What is missing, e.g. "a Rust integrand".
    pub what: &'static str,
    /// What to do instead.
    pub hint: &'static str,
}

/// A kernel, or a call on it, that no driver can run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KernelError {
    #[error("{kernel}: the chunk size is 0; give every chunk at least one item")]
    ZeroChunk { kernel: &'static str },

    #[error(
        "{kernel}: the index space is empty; a reduction needs at least one item (its result would be undefined)"
    )]
    EmptyRange { kernel: &'static str },

    #[error(
        "{kernel}: the inputs must have the same length (got {lengths:?}); pass slices of equal length"
    )]
    LengthMismatch {
        kernel: &'static str,
        lengths: Vec<usize>,
    },

    #[error(
        "{kernel}: items {start}..{end} need an output of {expected} values, got {got}; pass an output of exactly {expected}"
    )]
    OutputLength {
        kernel: &'static str,
        start: u64,
        end: u64,
        expected: usize,
        got: usize,
    },

    #[error("{kernel}: items {start}..{end} are not inside its index space 0..{len}")]
    OutOfRange {
        kernel: &'static str,
        start: u64,
        end: u64,
        len: u64,
    },

    #[error("{what} is not available on the {backend} backend; {hint}")]
    Unsupported {
        what: &'static str,
        backend: &'static str,
        hint: &'static str,
    },

    #[error("{kernel}: cannot be translated to WGSL: {reason}")]
    Untraceable {
        kernel: &'static str,
        reason: String,
    },

    #[error(
        "{kernel}: its GPU side sums {group} items per workgroup, which does not divide its chunk of {chunk}; make the chunk a multiple of {group}"
    )]
    GpuChunk {
        kernel: &'static str,
        group: u64,
        chunk: u64,
    },

    /// A buffer sized by the kernel (its output) could not be allocated.
    #[error(transparent)]
    OutOfMemory(#[from] hetero_core::AllocError),
}

impl Unsupported {
    /// The error for asking backend `backend` anyway.
    pub fn on(self, backend: &'static str) -> KernelError {
        KernelError::Unsupported {
            what: self.what,
            backend,
            hint: self.hint,
        }
    }
}
