use hetero_core::{Pi, PiEstimate};
use hetero_cpu::{Inner, par, scalar, simd};

use crate::{Backend, Engine, Result};

impl Engine {
    /// The Monte Carlo estimate of π: the same hit count on every backend
    /// and thread count for the same (n, seed).
    ///
    /// # Errors
    /// [`crate::Error::GpuUnavailable`] for `gpu` in this build.
    pub fn pi(&self, spec: &Pi, backend: Backend) -> Result<PiEstimate> {
        self.run(backend, || match backend {
            Backend::Scalar => scalar::pi::estimate(spec),
            Backend::Simd => simd::pi::estimate(spec),
            Backend::Threads => par::pi::estimate(spec, Inner::Scalar),
            Backend::SimdThreads | Backend::Gpu => par::pi::estimate(spec, Inner::Simd),
        })
    }
}
