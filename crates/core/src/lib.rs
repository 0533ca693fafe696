//! # hetero-core
//!
//! What every backend of hetero agrees on: the four problems of the reference
//! notebooks as validated specs, their reference values and tolerances, the
//! counter-based random generator of the π problem, and the chunk plans that
//! make reductions deterministic whatever the thread count.
//!
//! Nothing here computes a whole problem; the backends in `hetero-cpu` (and
//! later `hetero-gpu`) do. Everything here is shared by all of them, so that a
//! kernel can work on a sub-range of its problem's index space and partial
//! results combine exactly.

// No unsafe code: a new `unsafe` here is a decision to make visibly,
// by lifting this.
#![forbid(unsafe_code)]

pub mod alloc;
pub mod chunks;
pub mod error;
pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;
pub mod reference;
pub mod rng;
pub mod schedule;
pub mod shares;
pub mod sum;
pub mod tolerance;

pub use alloc::{AllocError, AllocFailure};
pub use error::ProblemError;
pub use gaussian::Gaussian;
pub use julia::{Julia, JuliaParams, Viewport};
pub use midpoint::Midpoint;
pub use pi::{Pi, PiEstimate};
pub use schedule::{Schedule, ScheduleError};
pub use sum::Neumaier;
