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
//! The problems live in [`hetero_core`] (re-exported here), the CPU kernels
//! in [`hetero_cpu`], the GPU kernels in `hetero_gpu` (feature `gpu`, on by
//! default); this crate chooses between them.

mod backend;
mod engine;
mod error;
#[cfg(feature = "gpu")]
mod lazy_gpu;
mod problems;

pub use backend::Backend;
pub use engine::Engine;
pub use error::Error;
pub use hetero_core::gaussian::standard_normal_inputs;
pub use hetero_core::{
    Gaussian, Julia, JuliaParams, Midpoint, Neumaier, Pi, PiEstimate, ProblemError, Viewport,
    reference, tolerance,
};
pub use hetero_cpu::{ExpNegSquare, Integrand, wide};
/// The GPU crate, for what the engine does not wrap (timings, kernels by range).
#[cfg(feature = "gpu")]
pub use hetero_gpu as gpu;
#[cfg(feature = "gpu")]
pub use hetero_gpu::{GpuConfig, GpuContext, GpuError, GpuTimings, Precision, WgslIntegrand};

/// `Result` with hetero's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// The README's examples, compiled and run as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
