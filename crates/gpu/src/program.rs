//! Kernel programs compiled on first use and cached by source, so a
//! pipeline is compiled once per context whatever calls it.

use std::sync::Arc;

use hetero_kernel::gpu::GpuProgram;

use crate::context::{GpuContext, Scope, lock};
use crate::error::{GpuError, GpuResult};
use crate::pipeline::Pipeline;
use crate::wgsl;

impl GpuContext {
    /// The compiled pipeline of `program`: validated with naga (its message
    /// in [`GpuError::InvalidShader`]), compiled once and cached.
    ///
    /// # Errors
    /// [`GpuError::MissingFeature`] for an f64 program on a device without
    /// SHADER_F64, [`GpuError::InvalidShader`], or a device error.
    pub(crate) fn pipeline(&self, program: &GpuProgram) -> GpuResult<Arc<Pipeline>> {
        self.check_fault()?;
        if program.needs_f64 && !self.has_f64() {
            return Err(GpuError::MissingFeature {
                what: format!("the {} kernel in f64", program.label),
                feature: "SHADER_F64",
                adapter: self.describe().name.clone(),
            });
        }
        let key = (program.label, program.inputs, program.source.to_string());
        if let Some(pipeline) = lock(&self.programs).get(&key) {
            return Ok(Arc::clone(pipeline));
        }
        let source = wgsl::with_prelude(&program.source);
        wgsl::validate(program.label, &source, program.needs_f64)?;
        let scope = Scope::push(&self.device);
        let cache = self.pipeline_cache.as_ref().map(|c| &c.cache);
        let pipeline = Pipeline::build(&self.device, cache, program.label, &source, program.inputs);
        scope.pop(&format!("{}:pipeline", program.label))?;
        let pipeline = Arc::new(pipeline);
        lock(&self.programs).insert(key, Arc::clone(&pipeline));
        if let Some(cache) = &self.pipeline_cache {
            // A cache that cannot be saved costs the next process a
            // compile, never this call.
            let _ = cache.save();
        }
        Ok(pipeline)
    }

    /// Compiles `program` now, so that its first call does not pay for it
    /// (the facade prepares the built-in problems when it opens the GPU).
    ///
    /// # Errors
    /// As the compilation of a call would fail.
    pub fn prepare(&self, program: &GpuProgram) -> GpuResult<()> {
        self.pipeline(program).map(drop)
    }
}
