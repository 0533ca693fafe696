//! # hetero-gpu
//!
//! The `gpu` backend of hetero: wgpu compute pipelines running the WGSL in
//! `shaders/` (one file per problem, twin of the CPU kernels of the same
//! name). A [`GpuContext`] opens the adapter, the device and every pipeline
//! once; each call is checked against the device limits and a memory budget
//! before anything is allocated, split into chunks, tiles or dispatches
//! when it is too big for one, and returns a typed [`GpuError`] — never a
//! panic, and never data after a failure.
//!
//! All wgpu calls of hetero live in this crate.

mod adapter;
mod config;
mod context;
mod error;
pub mod kernels;
mod memory;
pub mod shaders;
mod timing;

pub use adapter::{AdapterSummary, list_adapters};
pub use config::{DEFAULT_MEMORY_BUDGET, GpuConfig};
pub use context::GpuContext;
pub use error::{GpuError, GpuResult};
pub use kernels::midpoint::{Precision, WgslIntegrand};
pub use timing::GpuTimings;
