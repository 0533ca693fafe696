//! `midpoint` on one core, one term at a time.

use core::ops::Range;

use hetero_core::chunks::{MIDPOINT_CHUNK, chunk_count, chunk_range, tree_reduce};
use hetero_core::{Midpoint, Neumaier};

use crate::Integrand;

/// The compensated sum of f over the subintervals `range` (no factor h).
pub fn chunk_sum<F: Integrand + ?Sized>(spec: &Midpoint, f: &F, range: Range<u64>) -> Neumaier {
    let h = spec.h();
    let mut acc = Neumaier::ZERO;
    for i in range {
        acc.add(f.eval(spec.node(i, h)));
    }
    acc
}

/// h·Σ f(a + (i+½)h): chunk sums combined along the fixed tree, so the
/// `threads` backend returns this value bit for bit.
pub fn integrate<F: Integrand + ?Sized>(spec: &Midpoint, f: &F) -> f64 {
    let n = spec.n();
    let leaf = |c| chunk_sum(spec, f, chunk_range(c, n, MIDPOINT_CHUNK));
    let total = tree_reduce(0, chunk_count(n, MIDPOINT_CHUNK), &leaf, &Neumaier::merge);
    spec.h() * total.value()
}
