//! # hetero
//!
//! The same separable problems on every processor you own — scalar, explicit
//! SIMD, SIMD across threads and GPU compute shaders — checked against each
//! other and timed side by side.
//!
//! ```
//! use hetero::{Backend, Engine, Julia, Midpoint};
//!
//! let engine = Engine::with_threads(2)?;
//! let integral = engine.midpoint(&Midpoint::notebook(), Backend::SimdThreads)?;
//! assert!((integral - 0.746_824_132_812_427).abs() < 1e-12);
//!
//! let counts = engine.julia(&Julia::notebook(), Backend::Simd)?;
//! assert_eq!(counts.iter().map(|&c| u64::from(c)).sum::<u64>(), 14_565_573);
//! # Ok::<(), hetero::Error>(())
//! ```
//!
//! The problems' specs live in [`hetero_core`], their kernels in
//! [`hetero_kernel`] (both re-exported here), the drivers in `hetero_cpu`
//! and `hetero_gpu` (feature `gpu`, on by default); this crate dispatches a
//! kernel to the driver of a backend.

// Unsafe code only where a module allows it (each block with its SAFETY
// comment): a new `unsafe` elsewhere is a visible decision.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod auto;
mod backend;
mod builtin;
mod cpu;
mod dispatch;
mod engine;
mod error;
pub mod gpu;
pub mod hybrid;
pub mod jobs;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod output;
pub mod pingpong;
pub mod timeline;
mod validate;

pub use backend::{Backend, Policy, Space, Threading, Width};
pub use engine::{Engine, MAX_THREADS_PER_CORE};
pub use error::Error;
pub use gpu::{GpuAdapter, quiet_gpu_probe};
/// Buffers sized by the user, reserved without aborting (see [`AllocError`]).
pub use hetero_core::alloc;
pub use hetero_core::gaussian::standard_normal_inputs;
pub use hetero_core::{
    AllocError, AllocFailure, Gaussian, Julia, JuliaParams, Midpoint, Neumaier, Pi, PiEstimate,
    ProblemError, Schedule, ScheduleError, Viewport, reference, tolerance,
};
#[cfg(feature = "gpu")]
pub use hetero_gpu::{GpuConfig, GpuContext, GpuError, GpuTimings};
/// The kernel model: bodies, kernels, their GPU sides.
pub use hetero_kernel as kernel;
pub use hetero_kernel::problems::midpoint::{ExpNegSquare, Integrand, Precision, WgslIntegrand};
pub use hetero_kernel::term_sum::{TermSum, TermSumGpu};
pub use hetero_kernel::zip::ZipMap;
pub use hetero_kernel::{
    Compare, Element, ElementWise, Float, IndexTerm, Isa, IsaError, KernelError, Lanes, MapKernel,
    Mapping, Mask, Real, ReduceKernel, Reduction, fold, lanes, problems, wide,
};
/// NumPy `.npy` files: reading, writing, per-file statistics, many files.
pub use hetero_npy as npy;
pub use jobs::{Job, JobControl, JobScope, Jobs};
pub use validate::{Check, Validation};

/// `Result` with hetero's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// The README's examples, compiled and run as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The library guide's examples, run as doctests.
#[doc = include_str!("../docs/library.md")]
#[cfg(doctest)]
pub struct LibraryDoctests;

/// The policies guide's examples (`auto`, `hybrid`, jobs), run as doctests.
#[doc = include_str!("../docs/policies.md")]
#[cfg(doctest)]
pub struct PoliciesDoctests;

/// The map from the notebooks' APIs to hetero, every block run as a doctest.
#[doc = include_str!("../docs/notebooks.md")]
#[cfg(doctest)]
pub struct NotebooksDoctests;
