//! # hetero-kernel
//!
//! The kernel model of hetero: a computation written once, run on every
//! backend.
//!
//! - [`Real`] is the numeric trait kernel bodies are written against; it is
//!   implemented for `f32`/`f64` and for `wide`'s vectors of every width, and
//!   [`Lanes`] names the types of one instruction width.
//! - [`ReduceKernel`] and [`MapKernel`] are the two shapes of work: an
//!   index-range reduction whose partials combine along the fixed chunk
//!   tree, and a map whose leaves write outputs of item ranges.
//! - [`gpu`] describes a kernel's GPU side (WGSL, parameters, inputs)
//!   without wgpu.
//! - [`problems`] holds the notebooks' problems as kernels; [`zip`] and
//!   [`term_sum`] are the building blocks of a user's own maps and sums.
//! - [`trace`] turns a generic body into WGSL, so a kernel written once in
//!   Rust also runs on the GPU; [`tape`] records a body as a list of
//!   operations (a Python function traced once) that every backend runs.
//!
//! Nothing here schedules work: the drivers (sequential and rayon in
//! `hetero-cpu`, the GPU in `hetero-gpu`) do.

// Unsafe code only where a module allows it (each block with its SAFETY
// comment): a new `unsafe` elsewhere is a visible decision.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod compare;
pub mod error;
pub mod fold;
pub mod function;
pub mod gpu;
pub mod isa;
pub mod kernel;
pub mod lanes;
#[cfg(target_arch = "x86_64")]
pub mod levels;
pub mod math;
pub mod observe;
pub mod picked;
pub mod problem;
pub mod problems;
pub mod real;
mod real_scalar;
mod real_vector;
pub mod tape;
pub mod term_sum;
pub mod trace;
pub mod watched;
pub mod zip;

pub use compare::Compare;
pub use error::{KernelError, Unsupported};
pub use function::{ElementWise, IndexTerm};
pub use isa::{Isa, IsaError};
pub use kernel::{ChunkPlan, MapKernel, Mapping, ReduceKernel, Reduction};
pub use lanes::{Element, Lanes};
pub use problem::Problem;
pub use real::{Counts, Float, Mask, Real};
/// The SIMD crate, re-exported so that kernels can name its vector types.
pub use wide;
