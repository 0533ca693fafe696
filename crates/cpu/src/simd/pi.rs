//! `pi` with SIMD: eight Philox pairs (sixteen samples) per step, on AVX2
//! registers directly where the build has AVX2 (`pi_avx2`), else on `wide`'s
//! u32x8 (`pi_wide`). The partial pairs at a range's ends go through the
//! scalar kernel.

use core::ops::Range;

use crate::scalar::pi::count_hits as count_hits_scalar;
use hetero_core::chunks::{PI_CHUNK, chunk_count, chunk_range, tree_reduce};
use hetero_core::pi::PairSpan;
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`:
/// AVX2 where the build has it (see `pi_avx2`), else `wide`'s u32x8.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    // SAFETY: this function exists only in builds compiled with AVX2
    // enabled (the cfg above), so every CPU that runs it has AVX2.
    unsafe { super::pi_avx2::count_pair_groups(key, first_pair, groups) }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    super::pi_wide::count_pair_groups(key, first_pair, groups)
}

/// Hits among the samples `range` of `seed`.
pub fn count_hits(seed: u64, range: Range<u64>) -> u64 {
    // Whole groups of eight pairs go through the vectors; the lone samples
    // at either end and the last < 8 pairs go through the scalar kernel.
    let span = PairSpan::of(range);
    let (first_pair, end_pair) = (span.pairs.start, span.pairs.end);
    let groups = (end_pair - first_pair) / 8;
    let vector_end = first_pair + groups * 8;
    span.lone_hits(seed)
        + count_pair_groups(seed_key(seed), first_pair, groups)
        + count_hits_scalar(seed, vector_end * 2..end_pair * 2)
}

/// The estimate from all n samples.
pub fn estimate(spec: &Pi) -> PiEstimate {
    let n = spec.n();
    let leaf = |c| count_hits(spec.seed(), chunk_range(c, n, PI_CHUNK));
    spec.estimate(tree_reduce(0, chunk_count(n, PI_CHUNK), &leaf, &|a, b| {
        a + b
    }))
}
