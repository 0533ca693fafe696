//! Bodies: the functions a user writes once, generic over [`Real`], that
//! kernels evaluate on one lane, on vectors, and (traced) on the GPU.
//!
//! Rust closures cannot be generic, so closures `Fn(f64) -> f64` and
//! `Fn(f64, f64) -> f64` are bodies too, evaluated lane by lane: correct
//! everywhere, fast nowhere. Implement the trait on a type to get vector
//! speed. (The midpoint rule's integrand, `Integrand`, lives with its
//! kernel in `problems::midpoint`.)

use crate::real::{Float as _, Real};

/// A real function of `N` arguments applied element-wise over `N` arrays
/// (a `Pool.map(f, xs, ys)` body).
pub trait ElementWise<const N: usize>: Sync {
    /// f(args) on every lane.
    fn eval<R: Real>(&self, args: [R; N]) -> R;

    /// Whether `eval` is a closure evaluated lane by lane (so it has no
    /// vector form and cannot be translated to WGSL).
    fn is_lanewise(&self) -> bool {
        false
    }
}

/// The term of index `i` of a sum Σ term(i), with `i` handed in as a real
/// (exact below 2^52 in f64, 2^24 in f32): the body of index-space
/// reductions like `midpoint`.
pub trait IndexTerm: Sync {
    fn term<R: Real>(&self, i: R) -> R;
}

impl<F: Fn(f64) -> f64 + Sync> ElementWise<1> for F {
    #[inline(always)]
    fn eval<R: Real>(&self, [x]: [R; 1]) -> R {
        R::from_fn(|i| <R::Scalar as Real>::from_f64(self(x.lane(i).to_f64())))
    }

    fn is_lanewise(&self) -> bool {
        true
    }
}

impl<F: Fn(f64, f64) -> f64 + Sync> ElementWise<2> for F {
    #[inline(always)]
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        R::from_fn(|i| <R::Scalar as Real>::from_f64(self(x.lane(i).to_f64(), y.lane(i).to_f64())))
    }

    fn is_lanewise(&self) -> bool {
        true
    }
}
