//! A tape as each kind of body: a map's element-wise function, midpoint's
//! integrand, a sum's term — so the kernels written for Rust bodies (and
//! their GPU sides, traced from the same evaluation) run it.

use super::Tape;
use crate::function::{ElementWise, IndexTerm};
use crate::problems::midpoint::Integrand;
use crate::real::Real;

impl<const N: usize> ElementWise<N> for Tape {
    #[inline(always)]
    fn eval<R: Real>(&self, args: [R; N]) -> R {
        Tape::eval(self, &args)
    }
}

impl Integrand for Tape {
    #[inline(always)]
    fn eval<R: Real>(&self, x: R) -> R {
        Tape::eval(self, &[x])
    }
}

impl IndexTerm for Tape {
    #[inline(always)]
    fn term<R: Real>(&self, i: R) -> R {
        Tape::eval(self, &[i])
    }
}
