//! `gaussian`: z\[i\] = exp(−γ·(x\[i\] − y\[i\])²), element-wise.

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

/// The notebook's inputs: `n` pairs (x\[i\], y\[i\]) of independent standard
/// normals, a pure function of (n, seed) on every machine.
///
/// Pair i comes from Philox4x32-10 with counter i and key `seed`: two 53-bit
/// uniforms in (0, 1], then the Box–Muller transform.
///
/// # Errors
/// [`AllocError`](crate::AllocError) when the two arrays cannot be
/// allocated (nothing is computed then).
pub fn standard_normal_inputs(
    n: usize,
    seed: u64,
) -> Result<(Vec<f64>, Vec<f64>), crate::AllocError> {
    let key = crate::rng::seed_key(seed);
    let to_unit = |hi: u32, lo: u32| {
        let bits = ((u64::from(hi) << 32) | u64::from(lo)) >> 11;
        (bits + 1) as f64 / (1u64 << 53) as f64
    };
    let mut x = crate::alloc::try_with_capacity(n as u64, "standard normal inputs: x")?;
    let mut y = crate::alloc::try_with_capacity(n as u64, "standard normal inputs: y")?;
    // Within the reserved capacities: no further allocation.
    for i in 0..n as u64 {
        let [a, b, c, d] = crate::rng::philox4x32_10(crate::rng::pair_counter(i), key);
        let (u1, u2) = (to_unit(a, b), to_unit(c, d));
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = core::f64::consts::TAU * u2;
        x.push(radius * angle.cos());
        y.push(radius * angle.sin());
    }
    Ok((x, y))
}

/// The kernel on one element in f64: the reference every backend is
/// checked against. `exp(-γ·d·d)` evaluated left to right: NaN in gives
/// NaN out (so does ∞ − ∞), an infinite or huge |x − y| gives 0 — and for
/// γ = 0 the result is 1 wherever d is a number, an infinite d included
/// (the limit of the kernel as |d| grows at γ = 0), not the 0·∞ = NaN the
/// plain formula gives.
#[inline]
pub fn kernel_f64(gamma: f64, x: f64, y: f64) -> f64 {
    let d = x - y;
    if gamma == 0.0 && !d.is_nan() {
        return 1.0;
    }
    (-gamma * d * d).exp()
}

/// The same kernel in f32 arithmetic throughout.
#[inline]
pub fn kernel_f32(gamma: f32, x: f32, y: f32) -> f32 {
    let d = x - y;
    if gamma == 0.0 && !d.is_nan() {
        return 1.0;
    }
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
    fn normal_inputs_are_reproducible_and_standard() {
        let (x, y) = standard_normal_inputs(100_000, 1).unwrap();
        assert_eq!(standard_normal_inputs(100_000, 1).unwrap().0, x);
        assert_ne!(standard_normal_inputs(10, 2).unwrap().0, x[..10]);
        for v in [&x, &y] {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / v.len() as f64;
            // 5σ bounds for the sample mean and variance of 10^5 normals.
            assert!(mean.abs() < 5.0 / 316.0, "mean {mean}");
            assert!(
                (var - 1.0).abs() < 5.0 * (2.0f64 / 1e5).sqrt(),
                "variance {var}"
            );
            assert!(v.iter().all(|a| a.is_finite()));
        }
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
