//! `midpoint` over rayon: chunk sums in parallel, combined along the fixed tree.

use hetero_core::chunks::{MIDPOINT_CHUNK, chunk_count, chunk_range};
use hetero_core::{Midpoint, Neumaier};

use super::{Inner, tree_reduce_par};
use crate::{Integrand, scalar, simd};

/// h·Σ f(a + (i+½)h), equal bit for bit to the sequential backend `inner`.
pub fn integrate<F: Integrand + ?Sized>(spec: &Midpoint, f: &F, inner: Inner) -> f64 {
    let n = spec.n();
    let leaf = |c| {
        let range = chunk_range(c, n, MIDPOINT_CHUNK);
        match inner {
            Inner::Scalar => scalar::midpoint::chunk_sum(spec, f, range),
            Inner::Simd => simd::midpoint::chunk_sum(spec, f, range),
        }
    };
    let total = tree_reduce_par(0, chunk_count(n, MIDPOINT_CHUNK), &leaf, &Neumaier::merge);
    spec.h() * total.value()
}
