//! `pi` over rayon: chunk hit counts in parallel, added along the fixed tree.

use hetero_core::chunks::{PI_CHUNK, chunk_count, chunk_range};
use hetero_core::{Pi, PiEstimate};

use super::{Inner, tree_reduce_par};
use crate::{scalar, simd};

/// The estimate from all n samples: the same hit count as every other backend.
pub fn estimate(spec: &Pi, inner: Inner) -> PiEstimate {
    let n = spec.n();
    let leaf = |c| {
        let range = chunk_range(c, n, PI_CHUNK);
        match inner {
            Inner::Scalar => scalar::pi::count_hits(spec.seed(), range),
            Inner::Simd => simd::pi::count_hits(spec.seed(), range),
        }
    };
    spec.estimate(tree_reduce_par(
        0,
        chunk_count(n, PI_CHUNK),
        &leaf,
        &|a, b| a + b,
    ))
}
