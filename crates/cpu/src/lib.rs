//! # hetero-cpu
//!
//! The CPU backends of hetero, one module per backend and one file per
//! problem in each, with the same function names in every module:
//!
//! | module | backend | what it is |
//! | --- | --- | --- |
//! | [`scalar`] | `scalar` | plain loops; f64 where the notebook uses f64; the reference |
//! | [`simd`] | `simd` | `wide` vectors (f64x4, f32x8, u32x8) on one thread, scalar tail |
//! | [`par`] | `threads`, `simd-threads` | rayon over the scalar or the SIMD kernels |
//!
//! Every kernel works on a sub-range of its problem's index space (a range of
//! subintervals or samples, a block of rows, a slice), so [`par`] only has to
//! cut the space and combine the partials along the fixed tree of
//! [`hetero_core::chunks`]. Parallel functions run on the rayon pool they are
//! called from: wrap them in `ThreadPool::install` to choose the thread count.

pub mod integrand;
pub mod par;
pub mod scalar;
pub mod simd;

pub use integrand::{ExpNegSquare, Integrand};
pub use par::Inner;
/// The SIMD crate, re-exported so that user integrands can name `f64x4`.
pub use wide;
