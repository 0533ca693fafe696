//! `pi` on one core, one Philox pair (two samples) at a time.

use core::ops::Range;

use hetero_core::chunks::{PI_CHUNK, chunk_count, chunk_range, tree_reduce};
use hetero_core::pi::{PairSpan, pair_hits};
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

/// Hits among the samples `range` of `seed`.
pub fn count_hits(seed: u64, range: Range<u64>) -> u64 {
    let span = PairSpan::of(range);
    let key = seed_key(seed);
    span.lone_hits(seed) + span.pairs.map(|pair| pair_hits(key, pair)).sum::<u64>()
}

/// The estimate from all n samples.
pub fn estimate(spec: &Pi) -> PiEstimate {
    let n = spec.n();
    let leaf = |c| count_hits(spec.seed(), chunk_range(c, n, PI_CHUNK));
    spec.estimate(tree_reduce(0, chunk_count(n, PI_CHUNK), &leaf, &|a, b| {
        a + b
    }))
}
