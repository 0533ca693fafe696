use hetero_core::{Pi, PiEstimate};
use hetero_cpu::{Inner, par, scalar, simd};

use crate::{Backend, Engine, Result};

impl Engine {
    /// The Monte Carlo estimate of π: the same hit count on every backend
    /// (the GPU included) and thread count for the same (n, seed).
    ///
    /// # Errors
    /// For `gpu`: why the GPU could not be opened or the call failed.
    pub fn pi(&self, spec: &Pi, backend: Backend) -> Result<PiEstimate> {
        Ok(match backend {
            #[cfg(feature = "gpu")]
            Backend::Gpu => hetero_gpu::kernels::pi::estimate(self.gpu()?, spec)?.0,
            #[cfg(not(feature = "gpu"))]
            Backend::Gpu => return self.no_gpu(),
            Backend::Scalar => scalar::pi::estimate(spec),
            Backend::Simd => simd::pi::estimate(spec),
            Backend::Threads => self.run_cpu(backend, || par::pi::estimate(spec, Inner::Scalar)),
            Backend::SimdThreads => self.run_cpu(backend, || par::pi::estimate(spec, Inner::Simd)),
        })
    }
}
