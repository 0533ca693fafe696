//! Reference values the backends are checked against.

use crate::midpoint::Midpoint;

/// ∫₀¹ exp(−x²) dx = (√π/2)·erf(1), to more digits than f64 holds.
pub const EXP_NEG_SQUARE_0_1: f64 = 0.746_824_132_812_427_025_399_467_436_131_85;

/// The leading error of the midpoint rule for exp(−x²) on [0, 1]:
/// h²/24 · (f'(1) − f'(0)) with f'(x) = −2x·exp(−x²), i.e. h²/(12e).
/// The rule overestimates the integral by this much (+ O(h⁴)).
pub fn exp_neg_square_rule_error(n: u64) -> f64 {
    let h = 1.0 / n as f64;
    h * h / (12.0 * core::f64::consts::E)
}

/// The sum of the notebook image's escape counts (1000 × 2000, maxiters 50,
/// c = −0.835 − 0.2321i): what the notebook's own Cython code produces.
pub const JULIA_NOTEBOOK_SUM: u64 = 14_565_573;

/// The exact midpoint value of exp(−x²) for `spec`, by a compensated sum of
/// the same terms in index order, with no chunking. Slow (one scalar pass)
/// and independent of the backends' chunk plan: the yardstick for "no backend
/// may sum naively".
pub fn midpoint_compensated(spec: &Midpoint, f: impl Fn(f64) -> f64) -> f64 {
    let h = spec.h();
    h * crate::Neumaier::sum_of((0..spec.n()).map(|i| f(spec.node(i, h))))
}
