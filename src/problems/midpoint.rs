use hetero_core::Midpoint;
use hetero_cpu::{ExpNegSquare, Inner, Integrand, par, scalar, simd};

use crate::{Backend, Engine, Result};

impl Engine {
    /// ∫ exp(−x²) over the spec's interval by the midpoint rule.
    ///
    /// # Errors
    /// [`crate::Error::GpuUnavailable`] for `gpu` in this build.
    pub fn midpoint(&self, spec: &Midpoint, backend: Backend) -> Result<f64> {
        self.midpoint_with(spec, &ExpNegSquare, backend)
    }

    /// ∫ f over the spec's interval by the midpoint rule, for any
    /// [`Integrand`] (closures included). Every reduction is compensated and
    /// combined along a fixed tree: the result does not depend on the
    /// thread count.
    ///
    /// # Errors
    /// [`crate::Error::GpuUnavailable`] for `gpu` in this build.
    pub fn midpoint_with<F: Integrand + ?Sized>(
        &self,
        spec: &Midpoint,
        f: &F,
        backend: Backend,
    ) -> Result<f64> {
        self.run(backend, || match backend {
            Backend::Scalar => scalar::midpoint::integrate(spec, f),
            Backend::Simd => simd::midpoint::integrate(spec, f),
            Backend::Threads => par::midpoint::integrate(spec, f, Inner::Scalar),
            // `run` refuses Gpu before calling this closure.
            Backend::SimdThreads | Backend::Gpu => par::midpoint::integrate(spec, f, Inner::Simd),
        })
    }
}
