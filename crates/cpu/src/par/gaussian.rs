//! `gaussian` over rayon: fixed-size slices of the arrays, one task each.

use hetero_core::chunks::GAUSSIAN_CHUNK;
use hetero_core::{Gaussian, ProblemError};
use rayon::prelude::*;

use super::Inner;
use crate::{scalar, simd};

macro_rules! gaussian_par {
    ($name:ident, $t:ty) => {
        /// The element-wise kernel over rayon; each element equals the
        /// sequential backend `inner`'s.
        ///
        /// # Errors
        /// [`ProblemError::LengthMismatch`] unless x, y and out have one length.
        pub fn $name(
            spec: &Gaussian,
            x: &[$t],
            y: &[$t],
            out: &mut [$t],
            inner: Inner,
        ) -> Result<(), ProblemError> {
            Gaussian::check_lengths(x.len(), y.len(), out.len())?;
            let kernel = match inner {
                Inner::Scalar => scalar::gaussian::$name,
                Inner::Simd => simd::gaussian::$name,
            };
            out.par_chunks_mut(GAUSSIAN_CHUNK)
                .zip(x.par_chunks(GAUSSIAN_CHUNK))
                .zip(y.par_chunks(GAUSSIAN_CHUNK))
                // The pieces have equal lengths by construction: no error can occur.
                .for_each(|((o, x), y)| {
                    let _ = kernel(spec, x, y, o);
                });
            Ok(())
        }
    };
}

gaussian_par!(gaussian_f64, f64);
gaussian_par!(gaussian_f32, f32);
