//! `gaussian` with f64x4 and f32x8, scalar tail.

use hetero_core::gaussian::{kernel_f32, kernel_f64};
use hetero_core::{Gaussian, ProblemError};
use wide::{f32x8, f64x4};

use super::math::{exp_f32x8, exp_f64x4};

/// out[i] = exp(−γ(x[i] − y[i])²) in f64.
///
/// # Errors
/// [`ProblemError::LengthMismatch`] unless x, y and out have one length.
pub fn gaussian_f64(
    spec: &Gaussian,
    x: &[f64],
    y: &[f64],
    out: &mut [f64],
) -> Result<(), ProblemError> {
    Gaussian::check_lengths(x.len(), y.len(), out.len())?;
    let gamma = spec.gamma();
    let neg_gamma = f64x4::splat(-gamma);
    let (xv, x_tail) = x.as_chunks::<4>();
    let (yv, y_tail) = y.as_chunks::<4>();
    let (ov, o_tail) = out.as_chunks_mut::<4>();
    for ((o, x), y) in ov.iter_mut().zip(xv).zip(yv) {
        let d = f64x4::new(*x) - f64x4::new(*y);
        // Same order as the scalar kernel: (−γ·d)·d.
        *o = exp_f64x4(neg_gamma * d * d).to_array();
    }
    for ((o, &x), &y) in o_tail.iter_mut().zip(x_tail).zip(y_tail) {
        *o = kernel_f64(gamma, x, y);
    }
    Ok(())
}

/// out[i] = exp(−γ(x[i] − y[i])²) in f32 (γ rounded to f32).
///
/// # Errors
/// [`ProblemError::LengthMismatch`] unless x, y and out have one length.
pub fn gaussian_f32(
    spec: &Gaussian,
    x: &[f32],
    y: &[f32],
    out: &mut [f32],
) -> Result<(), ProblemError> {
    Gaussian::check_lengths(x.len(), y.len(), out.len())?;
    let gamma = spec.gamma() as f32;
    let neg_gamma = f32x8::splat(-gamma);
    let (xv, x_tail) = x.as_chunks::<8>();
    let (yv, y_tail) = y.as_chunks::<8>();
    let (ov, o_tail) = out.as_chunks_mut::<8>();
    for ((o, x), y) in ov.iter_mut().zip(xv).zip(yv) {
        let d = f32x8::new(*x) - f32x8::new(*y);
        *o = exp_f32x8(neg_gamma * d * d).to_array();
    }
    for ((o, &x), &y) in o_tail.iter_mut().zip(x_tail).zip(y_tail) {
        *o = kernel_f32(gamma, x, y);
    }
    Ok(())
}
