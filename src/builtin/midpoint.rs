use hetero_core::Midpoint;
use hetero_kernel::problems::midpoint::{
    ExpNegSquare, Integrand, MidpointGpu, MidpointKernel, Precision, WgslIntegrand,
};

use crate::{Backend, Engine, Result};

impl Engine {
    /// ∫ exp(−x²) over the spec's interval by the midpoint rule.
    ///
    /// CPU backends sum in f64 (relative error ≤ 1e-14); `gpu` in f32 with
    /// partials combined in f64 (~1e-7). For the GPU's f64 path see
    /// [`Engine::midpoint_wgsl`].
    ///
    /// # Errors
    /// For `gpu`: why the GPU could not be opened or the call failed.
    pub fn midpoint(&self, spec: &Midpoint, backend: Backend) -> Result<f64> {
        self.reduce(&MidpointKernel::new(spec, &ExpNegSquare), backend)
    }

    /// ∫ f over the spec's interval by the midpoint rule, for any
    /// [`Integrand`] (closures included), on the CPU backends. Every
    /// reduction is compensated and combined along a fixed tree: the result
    /// does not depend on the thread count.
    ///
    /// # Errors
    /// [`crate::Error::Unsupported`] for `gpu` when the integrand has no WGSL
    /// form ([`Integrand::wgsl`]; a closure never has one): a GPU runs WGSL,
    /// not Rust — use [`Engine::midpoint_wgsl`].
    pub fn midpoint_with<F: Integrand + ?Sized>(
        &self,
        spec: &Midpoint,
        f: &F,
        backend: Backend,
    ) -> Result<f64> {
        self.reduce(&MidpointKernel::new(spec, f), backend)
    }

    /// ∫ f over the spec's interval on the GPU, with f given as WGSL
    /// function bodies (validated, compiled once and cached), in f32 or — where
    /// the device has SHADER_F64 — f64.
    ///
    /// # Errors
    /// [`crate::Error::Gpu`]: no adapter, invalid WGSL (with naga's
    /// message), f64 without SHADER_F64, or a device failure;
    /// [`crate::Error::Unsupported`] for f64 without an f64 body.
    pub fn midpoint_wgsl(
        &self,
        spec: &Midpoint,
        integrand: &WgslIntegrand,
        precision: Precision,
    ) -> Result<f64> {
        let side = MidpointGpu::new(spec, integrand, precision)?;
        crate::dispatch::reduce_on_gpu_with(self, &MidpointKernel::gpu_only(spec), &side)
    }
}
