//! The lazily opened GPU context of an [`Engine`].

use std::sync::OnceLock;

use hetero_gpu::{GpuConfig, GpuContext, GpuError};

use crate::{Engine, Result};

/// A GPU context opened on first use; the outcome (context or error) is kept.
pub(crate) struct LazyGpu {
    config: GpuConfig,
    context: OnceLock<Result<GpuContext, GpuError>>,
}

impl LazyGpu {
    pub(crate) fn new(config: GpuConfig) -> Self {
        Self {
            config,
            context: OnceLock::new(),
        }
    }

    /// What the context is (or will be) opened with.
    pub(crate) fn config(&self) -> &GpuConfig {
        &self.config
    }
}

impl Engine {
    /// Replaces the GPU configuration (adapter choice, memory budget). Call
    /// it before the first GPU use; the context is opened once.
    #[must_use]
    pub fn with_gpu_config(mut self, config: GpuConfig) -> Self {
        self.gpu = std::sync::Arc::new(LazyGpu::new(config));
        self
    }

    /// The GPU context, opened (and the built-in problems' pipelines
    /// compiled) on first call.
    /// Use it for what the engine's one-call-per-problem methods do not
    /// expose: timings, f64 midpoint, the adapter's description.
    ///
    /// # Errors
    /// [`crate::Error::Gpu`] with why the GPU could not be opened; the same
    /// error on every later call.
    pub fn gpu(&self) -> Result<&GpuContext> {
        let gpu = &self.gpu;
        gpu.context
            .get_or_init(|| open_and_prepare(&gpu.config))
            .as_ref()
            .map_err(|e| e.clone().into())
    }
}

/// Opens the GPU and compiles every built-in problem's programs, so that
/// opening costs once and no call pays for a compile.
fn open_and_prepare(config: &GpuConfig) -> Result<GpuContext, GpuError> {
    let context = GpuContext::open(config)?;
    let caps = context.caps();
    for problem in hetero_kernel::problems::ALL {
        for program in problem.gpu_programs(&caps) {
            context.prepare(&program)?;
        }
    }
    Ok(context)
}
