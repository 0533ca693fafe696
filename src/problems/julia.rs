use hetero_core::Julia;
use hetero_cpu::{Inner, par, scalar, simd};

use crate::{Backend, Engine, Result};

impl Engine {
    /// The escape counts of the image, row-major (height rows of width).
    ///
    /// # Errors
    /// [`hetero_core::ProblemError::OutOfMemory`] when the counts cannot be
    /// allocated, [`crate::Error::GpuUnavailable`] for `gpu` in this build.
    pub fn julia(&self, spec: &Julia, backend: Backend) -> Result<Vec<u32>> {
        let mut counts = spec.try_alloc_counts()?;
        self.julia_into(spec, &mut counts, backend)?;
        Ok(counts)
    }

    /// The escape counts into a caller-provided buffer of width × height.
    ///
    /// # Errors
    /// [`hetero_core::ProblemError::OutputSize`] for a buffer of another
    /// length, [`crate::Error::GpuUnavailable`] for `gpu` in this build.
    pub fn julia_into(&self, spec: &Julia, out: &mut [u32], backend: Backend) -> Result<()> {
        spec.check_output(out.len())?;
        Ok(self.run(backend, || match backend {
            Backend::Scalar => scalar::julia::render(spec, out),
            Backend::Simd => simd::julia::render(spec, out),
            Backend::Threads => par::julia::render(spec, out, Inner::Scalar),
            Backend::SimdThreads | Backend::Gpu => par::julia::render(spec, out, Inner::Simd),
        })??)
    }
}
