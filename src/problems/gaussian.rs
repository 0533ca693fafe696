use hetero_core::{Gaussian, ProblemError};
use hetero_cpu::{Inner, par, scalar, simd};

use crate::{Backend, Engine, Result};

/// A zeroed output of `len`, allocated without aborting on failure.
fn try_zeroed<T: Copy + Default>(len: usize) -> Result<Vec<T>, ProblemError> {
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| ProblemError::OutOfMemory {
            problem: "gaussian",
            bytes: len.saturating_mul(size_of::<T>()),
        })?;
    out.resize(len, T::default());
    Ok(out)
}

macro_rules! gaussian_methods {
    ($into:ident, $vec:ident, $t:ty) => {
        #[doc = concat!("out[i] = exp(−γ(x[i] − y[i])²) in ", stringify!($t), ", into `out`.")]
        ///
        /// Empty inputs give an empty result.
        ///
        /// # Errors
        /// [`ProblemError::LengthMismatch`] unless x, y and out have one
        /// length (nothing is written then), [`crate::Error::GpuUnavailable`]
        /// for `gpu` in this build.
        pub fn $into(
            &self,
            spec: &Gaussian,
            x: &[$t],
            y: &[$t],
            out: &mut [$t],
            backend: Backend,
        ) -> Result<()> {
            Gaussian::check_lengths(x.len(), y.len(), out.len())?;
            Ok(self.run(backend, || match backend {
                Backend::Scalar => scalar::gaussian::$into(spec, x, y, out),
                Backend::Simd => simd::gaussian::$into(spec, x, y, out),
                Backend::Threads => par::gaussian::$into(spec, x, y, out, Inner::Scalar),
                Backend::SimdThreads | Backend::Gpu => {
                    par::gaussian::$into(spec, x, y, out, Inner::Simd)
                }
            })??)
        }

        #[doc = concat!("As [`Engine::", stringify!($into), "`], into a new `Vec`.")]
        ///
        /// # Errors
        /// As the `_into` form, plus [`ProblemError::OutOfMemory`].
        pub fn $vec(
            &self,
            spec: &Gaussian,
            x: &[$t],
            y: &[$t],
            backend: Backend,
        ) -> Result<Vec<$t>> {
            Gaussian::check_lengths(x.len(), y.len(), x.len())?;
            let mut out = try_zeroed(x.len())?;
            self.$into(spec, x, y, &mut out, backend)?;
            Ok(out)
        }
    };
}

impl Engine {
    gaussian_methods!(gaussian_f64, gaussian_f64_vec, f64);
    gaussian_methods!(gaussian_f32, gaussian_f32_vec, f32);
}
