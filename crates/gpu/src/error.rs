//! The one error type of the GPU backend. Every message says what to do.

use hetero_core::ProblemError;
use hetero_kernel::KernelError;
use thiserror::Error;

/// Everything that can go wrong on the GPU. A reduction that returns an
/// error returns no value; a map that returns one has written only the
/// tiles it finished before the failure (a prefix of `out`, in order) and
/// left the rest of `out` untouched.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GpuError {
    #[error(
        "no GPU adapter found ({reason}); install a Vulkan, Metal or DX12 driver (on Debian, `apt-get install mesa-vulkan-drivers libvulkan1` gives a software one) or choose a CPU backend"
    )]
    NoAdapter { reason: String },

    #[error("{variable}='{value}' is not valid: {accepted}")]
    BadSetting {
        variable: &'static str,
        value: String,
        accepted: &'static str,
    },

    #[error("no GPU adapter matches HETERO_GPU_ADAPTER='{wanted}'; adapters found: {found}")]
    AdapterNotFound { wanted: String, found: String },

    #[error("could not open a device on adapter '{adapter}': {reason}")]
    RequestDevice { adapter: String, reason: String },

    #[error(
        "{what} needs the GPU feature {feature}, which adapter '{adapter}' does not have; use f32 or a CPU backend"
    )]
    MissingFeature {
        what: String,
        feature: &'static str,
        adapter: String,
    },

    #[error("{label}: needs {needed} bytes but {limit_name} is {limit} bytes; {hint}")]
    LimitExceeded {
        label: String,
        needed: u64,
        limit: u64,
        limit_name: &'static str,
        hint: &'static str,
    },

    #[error("invalid WGSL in {label}:\n{message}")]
    InvalidShader { label: String, message: String },

    #[error("{label}: GPU validation error: {message}")]
    Validation { label: String, message: String },

    #[error("{label}: the GPU ran out of memory; lower HETERO_GPU_BUDGET_MIB or the problem size")]
    OutOfMemory { label: String },

    #[error("GPU error outside any call ({message}); open a new context")]
    Uncaptured { message: String },

    #[error("the GPU device was lost ({reason}); open a new context")]
    DeviceLost { reason: String },

    #[error("{label}: waiting for the GPU failed: {reason}")]
    Poll { label: &'static str, reason: String },

    #[error("{label}: reading results back failed: {reason}")]
    Readback { label: &'static str, reason: String },

    #[error("{label}: cancelled before it finished; no result")]
    Cancelled { label: &'static str },

    #[error(transparent)]
    Problem(#[from] ProblemError),

    #[error(transparent)]
    Kernel(#[from] KernelError),
}

pub type GpuResult<T> = Result<T, GpuError>;
