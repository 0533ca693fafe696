//! `gaussian` on one core, one element at a time.

use hetero_core::gaussian::{kernel_f32, kernel_f64};
use hetero_core::{Gaussian, ProblemError};

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
    for ((o, &x), &y) in out.iter_mut().zip(x).zip(y) {
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
    for ((o, &x), &y) in out.iter_mut().zip(x).zip(y) {
        *o = kernel_f32(gamma, x, y);
    }
    Ok(())
}
