//! What the engine's GPU is, in any build: examples and scripts choose a
//! backend from this without depending on the GPU crate.

use crate::{Engine, Result};

/// The adapter an engine's `gpu` backend runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuAdapter {
    pub name: String,
    /// A CPU emulating a GPU (lavapipe, SwiftShader, WARP): correct, and
    /// slower than the CPU backends it shares the cores with.
    pub is_software: bool,
    /// The device has SHADER_F64.
    pub f64: bool,
    /// One line: name, backend, driver, features.
    pub description: String,
}

impl GpuAdapter {
    /// What a kernel may adapt its GPU side to on this adapter.
    pub fn caps(&self) -> hetero_kernel::gpu::GpuCaps {
        hetero_kernel::gpu::GpuCaps { f64: self.f64 }
    }
}

impl Engine {
    /// The GPU this engine uses, opened on first use.
    ///
    /// # Errors
    /// Why no GPU could be opened ([`crate::Error::GpuUnavailable`] in a
    /// build without the `gpu` feature).
    pub fn gpu_adapter(&self) -> Result<GpuAdapter> {
        #[cfg(feature = "gpu")]
        {
            let ctx = self.gpu()?;
            let summary = ctx.describe();
            Ok(GpuAdapter {
                name: summary.name.clone(),
                is_software: summary.is_software,
                f64: ctx.has_f64(),
                description: summary.to_string(),
            })
        }
        #[cfg(not(feature = "gpu"))]
        {
            Err(crate::Error::GpuUnavailable)
        }
    }

    /// The backend to use when none is asked for, and why: a hardware GPU
    /// where there is one, else `simd-threads` (a software GPU such as
    /// lavapipe shares the CPU and is slower than it). Opens the GPU to look.
    pub fn fastest_backend(&self) -> (crate::Backend, &'static str) {
        match self.gpu_adapter() {
            Ok(gpu) if !gpu.is_software => (crate::Backend::Gpu, "a hardware GPU"),
            Ok(_) => (
                crate::Backend::SimdThreads,
                "the only GPU is a software one, slower than the CPU",
            ),
            Err(_) => (crate::Backend::SimdThreads, "no GPU found"),
        }
    }
}
