//! `pi` on one core, one Philox pair (two samples) at a time.

use core::ops::Range;

use hetero_core::chunks::{PI_CHUNK, chunk_count, chunk_range, tree_reduce};
use hetero_core::pi::{pair_hits, sample_inside};
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

/// Hits among the samples `range` of `seed`.
pub fn count_hits(seed: u64, range: Range<u64>) -> u64 {
    let (mut start, mut end) = (range.start, range.end);
    let mut hits = 0;
    // A range may begin or end in the middle of a pair.
    if start < end && start % 2 == 1 {
        hits += u64::from(sample_inside(seed, start));
        start += 1;
    }
    if start < end && end % 2 == 1 {
        hits += u64::from(sample_inside(seed, end - 1));
        end -= 1;
    }
    let key = seed_key(seed);
    for pair in start / 2..end / 2 {
        hits += pair_hits(key, pair);
    }
    hits
}

/// The estimate from all n samples.
pub fn estimate(spec: &Pi) -> PiEstimate {
    let n = spec.n();
    let leaf = |c| count_hits(spec.seed(), chunk_range(c, n, PI_CHUNK));
    spec.estimate(tree_reduce(0, chunk_count(n, PI_CHUNK), &leaf, &|a, b| {
        a + b
    }))
}
