use hetero_core::Gaussian;
use hetero_core::alloc::try_zeroed;
use hetero_kernel::Element;
use hetero_kernel::problems::gaussian::GaussianKernel;

use crate::{Backend, Engine, Result};

impl Engine {
    /// out\[i\] = exp(−γ(x\[i\] − y\[i\])²) into `out`, in `T` (f64 or f32)
    /// arithmetic throughout.
    ///
    /// # Errors
    /// [`ProblemError::LengthMismatch`](crate::ProblemError::LengthMismatch) unless x, y and out have one length
    /// (nothing is written then); [`ProblemError::GammaOutOfRange`](crate::ProblemError::GammaOutOfRange) for a γ
    /// `T` cannot hold; [`Error::Unsupported`](crate::Error::Unsupported)
    /// for f64 on `gpu`, which computes in f32; for `gpu`, why the GPU could
    /// not be opened or the call failed.
    pub fn gaussian<T: Element>(
        &self,
        spec: &Gaussian,
        x: &[T],
        y: &[T],
        out: &mut [T],
        backend: Backend,
    ) -> Result<()> {
        Gaussian::check_lengths(x.len(), y.len(), out.len())?;
        self.map(&GaussianKernel::new(spec, x, y)?, out, backend)
    }

    /// [`Engine::gaussian`] in f64. Empty inputs give an empty result.
    ///
    /// # Errors
    /// As [`Engine::gaussian`]; `gpu` computes in f32 — use
    /// [`Engine::gaussian_f32`].
    pub fn gaussian_f64(
        &self,
        spec: &Gaussian,
        x: &[f64],
        y: &[f64],
        out: &mut [f64],
        backend: Backend,
    ) -> Result<()> {
        self.gaussian(spec, x, y, out, backend)
    }

    /// [`Engine::gaussian`] in f32, on any backend. On `gpu` the arrays
    /// stream through device memory in chunks within the GPU's memory
    /// budget.
    ///
    /// # Errors
    /// As [`Engine::gaussian`].
    pub fn gaussian_f32(
        &self,
        spec: &Gaussian,
        x: &[f32],
        y: &[f32],
        out: &mut [f32],
        backend: Backend,
    ) -> Result<()> {
        self.gaussian(spec, x, y, out, backend)
    }

    /// As [`Engine::gaussian_f64`], into a new `Vec`.
    ///
    /// # Errors
    /// As [`Engine::gaussian_f64`], plus [`Error::OutOfMemory`](crate::Error::OutOfMemory).
    pub fn gaussian_f64_vec(
        &self,
        spec: &Gaussian,
        x: &[f64],
        y: &[f64],
        backend: Backend,
    ) -> Result<Vec<f64>> {
        Gaussian::check_lengths(x.len(), y.len(), x.len())?;
        let mut out = try_zeroed(x.len() as u64, "gaussian: the output")?;
        self.gaussian_f64(spec, x, y, &mut out, backend)?;
        Ok(out)
    }

    /// As [`Engine::gaussian_f32`], into a new `Vec`.
    ///
    /// # Errors
    /// As [`Engine::gaussian_f32`], plus [`Error::OutOfMemory`](crate::Error::OutOfMemory).
    pub fn gaussian_f32_vec(
        &self,
        spec: &Gaussian,
        x: &[f32],
        y: &[f32],
        backend: Backend,
    ) -> Result<Vec<f32>> {
        Gaussian::check_lengths(x.len(), y.len(), x.len())?;
        let mut out = try_zeroed(x.len() as u64, "gaussian: the output")?;
        self.gaussian_f32(spec, x, y, &mut out, backend)?;
        Ok(out)
    }
}
