//! `gaussian`: z[i] = exp(−γ·(x[i] − y[i])²), element-wise.

use crate::error::{ProblemError, finite};

/// A validated Gaussian kernel with width parameter γ ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    gamma: f64,
}

impl Gaussian {
    /// The reference notebook's kernel, γ = 1.
    pub const fn notebook() -> Self {
        Self { gamma: 1.0 }
    }

    /// # Errors
    /// [`ProblemError::NotFinite`] for NaN/∞, [`ProblemError::NegativeGamma`] for γ < 0.
    pub fn new(gamma: f64) -> Result<Self, ProblemError> {
        finite("gaussian", "gamma", gamma)?;
        if gamma < 0.0 {
            return Err(ProblemError::NegativeGamma { gamma });
        }
        Ok(Self { gamma })
    }

    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Checks that the inputs and the output have one length.
    ///
    /// Empty slices are valid and give an empty result.
    ///
    /// # Errors
    /// [`ProblemError::LengthMismatch`] naming all three lengths.
    pub fn check_lengths(x: usize, y: usize, out: usize) -> Result<(), ProblemError> {
        if x == y && y == out {
            Ok(())
        } else {
            Err(ProblemError::LengthMismatch { x, y, out })
        }
    }
}

/// The kernel on one element in f64: every CPU backend's scalar path and the
/// reference. `exp(-γ·d·d)` evaluated left to right: NaN in gives NaN out,
/// an infinite or huge |x − y| gives 0.
#[inline]
pub fn kernel_f64(gamma: f64, x: f64, y: f64) -> f64 {
    let d = x - y;
    (-gamma * d * d).exp()
}

/// The same kernel in f32 arithmetic throughout.
#[inline]
pub fn kernel_f32(gamma: f32, x: f32, y: f32) -> f32 {
    let d = x - y;
    (-gamma * d * d).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(Gaussian::new(0.0).is_ok());
        assert!(matches!(
            Gaussian::new(-1.0),
            Err(ProblemError::NegativeGamma { .. })
        ));
        assert!(matches!(
            Gaussian::new(f64::NAN),
            Err(ProblemError::NotFinite { .. })
        ));
        assert!(Gaussian::check_lengths(3, 3, 3).is_ok());
        assert_eq!(
            Gaussian::check_lengths(3, 2, 3),
            Err(ProblemError::LengthMismatch { x: 3, y: 2, out: 3 })
        );
    }

    #[test]
    fn kernel_edges() {
        assert_eq!(kernel_f64(1.0, 0.0, 0.0), 1.0);
        assert_eq!(kernel_f64(1.0, f64::INFINITY, 0.0), 0.0);
        assert_eq!(kernel_f64(1.0, 1e200, -1e200), 0.0);
        assert!(kernel_f64(1.0, f64::NAN, 0.0).is_nan());
        assert_eq!(kernel_f32(1.0, -0.0, 0.0), 1.0);
    }
}
