//! # hetero-gpu
//!
//! The `gpu` backend of hetero: the GPU drivers of the kernel model. A
//! [`GpuContext`] opens the adapter and the device once; [`reduce()`] and
//! [`map()`] run any kernel's GPU side (its WGSL, parameters and inputs, as
//! `hetero_kernel::gpu` describes them), compiling each program once,
//! checking every call against the device limits and a memory budget before
//! anything is allocated, and cutting it into tiles and dispatches when it
//! is too big for one. Every failure is a typed [`GpuError`] — never a
//! panic, and never a result: a reduction returns no value, and a map
//! returns the error with `out` holding only the tiles finished before it.
//!
//! The context knows no problem by name. All wgpu calls of hetero live in
//! this crate.

// No unsafe code but one call, allowed where it is made: seeding wgpu's
// pipeline cache from a file (`pipeline_cache.rs` says why it is sound).
// Another `unsafe` here is a decision to make as visibly.
#![deny(unsafe_code)]

mod adapter;
mod config;
mod context;
mod error;
pub mod map;
mod memory;
mod pipeline;
mod pipeline_cache;
mod plan;
mod program;
pub mod reduce;
mod tile;
mod timing;
mod turns;
pub mod wgsl;

pub use adapter::{AdapterSummary, list_adapters};
pub use config::{DEFAULT_MEMORY_BUDGET, GpuConfig, MAX_BUDGET_MIB};
pub use context::GpuContext;
pub use error::{GpuError, GpuResult};
pub use hetero_kernel::gpu::GpuCaps;
pub use hetero_kernel::observe::{Observer, Unobserved, Watch};
pub use map::{map, map_with, map_with_observed};
pub use pipeline_cache::PipelineCacheFile;
pub use reduce::{reduce, reduce_blocks, reduce_blocks_observed, reduce_chunks, reduce_with};
pub use timing::GpuTimings;
