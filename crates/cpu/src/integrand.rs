//! Functions the midpoint rule can integrate on every CPU backend.

use wide::f64x4;

use crate::simd::math::exp_f64x4;

/// A function of one f64 variable, with an optional 4-lane SIMD form.
///
/// `eval` is used by the `scalar` and `threads` backends, `eval_f64x4` by
/// `simd` and `simd-threads`. The default `eval_f64x4` calls `eval` lane by
/// lane: correct for any function, and worth overriding with real vector
/// arithmetic for speed. Both forms should agree to a few ULP, since the
/// backends are cross-checked against each other.
///
/// Closures `Fn(f64) -> f64 + Sync` are integrands.
pub trait Integrand: Sync {
    fn eval(&self, x: f64) -> f64;

    #[inline]
    fn eval_f64x4(&self, x: f64x4) -> f64x4 {
        f64x4::new(x.to_array().map(|v| self.eval(v)))
    }
}

impl<F: Fn(f64) -> f64 + Sync> Integrand for F {
    #[inline]
    fn eval(&self, x: f64) -> f64 {
        self(x)
    }
}

/// f(x) = exp(−x²), the notebook's integrand.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExpNegSquare;

impl Integrand for ExpNegSquare {
    #[inline]
    fn eval(&self, x: f64) -> f64 {
        (-x * x).exp()
    }

    #[inline]
    fn eval_f64x4(&self, x: f64x4) -> f64x4 {
        exp_f64x4(-x * x)
    }
}
