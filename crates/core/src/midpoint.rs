//! `midpoint`: the midpoint rule, ∫ₐᵇ f(x) dx ≈ h·Σ f(a + (i+½)h), h = (b−a)/n.

use crate::error::{ProblemError, finite};

/// A validated midpoint-rule integration: interval `[a, b]` and `n` subintervals.
///
/// `a > b` is allowed and defined: h is negative and the rule returns
/// −∫ᵦᵃ f (the orientation convention of the integral). `a == b` gives 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Midpoint {
    a: f64,
    b: f64,
    n: u64,
}

impl Midpoint {
    /// The reference notebook's problem: ∫₀¹ exp(−x²) dx with n = 10⁶.
    pub const fn notebook() -> Self {
        Self {
            a: 0.0,
            b: 1.0,
            n: 1_000_000,
        }
    }

    /// # Errors
    /// [`ProblemError::ZeroCount`] for `n == 0`, [`ProblemError::NotFinite`]
    /// for a NaN or infinite bound, [`ProblemError::IntervalOverflow`] when
    /// `b - a` is not finite.
    pub fn new(a: f64, b: f64, n: u64) -> Result<Self, ProblemError> {
        finite("midpoint", "a", a)?;
        finite("midpoint", "b", b)?;
        if n == 0 {
            return Err(ProblemError::ZeroCount {
                problem: "midpoint",
                what: "subintervals",
            });
        }
        if !(b - a).is_finite() {
            return Err(ProblemError::IntervalOverflow { a, b });
        }
        Ok(Self { a, b, n })
    }

    pub fn a(&self) -> f64 {
        self.a
    }

    pub fn b(&self) -> f64 {
        self.b
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    /// The subinterval width h = (b − a)/n (negative when a > b).
    pub fn h(&self) -> f64 {
        (self.b - self.a) / self.n as f64
    }

    /// The midpoint of subinterval `i`, x = a + (i + ½)·h.
    ///
    /// Every CPU backend evaluates exactly this expression (no fused
    /// multiply-add), so they all sample f at the same points.
    #[inline]
    pub fn node(&self, i: u64, h: f64) -> f64 {
        self.a + (i as f64 + 0.5) * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_cannot_be_integrated() {
        assert!(matches!(
            Midpoint::new(0.0, 1.0, 0),
            Err(ProblemError::ZeroCount { .. })
        ));
        assert!(matches!(
            Midpoint::new(f64::NAN, 1.0, 10),
            Err(ProblemError::NotFinite { name: "a", .. })
        ));
        assert!(matches!(
            Midpoint::new(0.0, f64::INFINITY, 10),
            Err(ProblemError::NotFinite { name: "b", .. })
        ));
        assert!(matches!(
            Midpoint::new(-f64::MAX, f64::MAX, 10),
            Err(ProblemError::IntervalOverflow { .. })
        ));
    }

    #[test]
    fn reversed_interval_has_negative_step() {
        let m = Midpoint::new(1.0, 0.0, 4).unwrap();
        assert_eq!(m.h(), -0.25);
        assert_eq!(m.node(0, m.h()), 0.875);
    }
}
