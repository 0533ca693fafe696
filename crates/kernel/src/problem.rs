//! The registry's view of a built-in problem: what every part of hetero
//! that lists problems (the GPU's start-up, the bench, the tests) needs,
//! so none of them keeps its own list.

use crate::gpu::{GpuCaps, GpuProgram};

/// A built-in problem, as [`crate::problems::ALL`] lists it.
pub trait Problem: Sync {
    /// The stable lowercase name: `midpoint`, `julia`, …
    fn name(&self) -> &'static str;
    /// One line: what it computes.
    fn summary(&self) -> &'static str;
    /// Its GPU programs on a device with `caps`, compiled when a GPU opens
    /// so that no call pays for them.
    fn gpu_programs(&self, caps: &GpuCaps) -> Vec<GpuProgram>;
}
