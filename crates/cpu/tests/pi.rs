//! Pi: one hit count for a (n, seed) on every backend and thread count.

#[macro_use]
mod common;

use common::{THREAD_COUNTS, on_threads, reduce_all, reduce_on};

/// The vector leaf's hits at the tests' level (`common::level`).
fn count_hits_simd(seed: u64, range: core::ops::Range<u64>) -> u64 {
    use common::level;
    use hetero_kernel::Isa;
    use hetero_kernel::problems::pi::count_hits_simd;
    at_level!(L => count_hits_simd::<L>(seed, range))
}
use hetero_core::Pi;
use hetero_core::chunks::PI_CHUNK;
use hetero_kernel::problems::pi::{PiKernel, count_hits_scalar};
use proptest::prelude::*;

fn all_backends(spec: &Pi) -> [u64; 4] {
    reduce_all(&PiKernel::new(spec)).map(|e| e.hits)
}

#[test]
fn notebook_size_is_within_four_sigma_with_one_hit_count_everywhere() {
    let spec = Pi::notebook();
    let hits = all_backends(&spec);
    assert!(hits.iter().all(|&h| h == hits[0]), "{hits:?}");
    let estimate = spec.estimate(hits[0]);
    assert!(
        estimate.error().abs() < 4.0 * estimate.sigma(),
        "{} ± {}",
        estimate.estimate(),
        estimate.sigma()
    );
}

#[test]
fn thread_count_does_not_change_the_hit_count() {
    let spec = Pi::new(3 * PI_CHUNK + 12_345, 42).unwrap();
    let kernel = PiKernel::new(&spec);
    let reference = reduce_on(&kernel, 0).unwrap().hits;
    for threads in THREAD_COUNTS {
        for which in [2, 3] {
            let hits = on_threads(threads, || reduce_on(&kernel, which).unwrap().hits);
            assert_eq!(hits, reference, "{threads} threads, backend {which}");
        }
    }
}

#[test]
fn boundary_sizes() {
    for n in [
        1,
        2,
        3,
        15,
        16,
        17,
        31,
        32,
        33,
        PI_CHUNK - 1,
        PI_CHUNK,
        PI_CHUNK + 1,
    ] {
        let spec = Pi::new(n, 9).unwrap();
        let hits = all_backends(&spec);
        assert!(hits.iter().all(|&h| h == hits[0]), "n = {n}: {hits:?}");
        assert!(hits[0] <= n);
    }
}

#[test]
fn seeds_change_the_samples() {
    let a = count_hits_scalar(1, 0..10_000);
    let b = count_hits_scalar(2, 0..10_000);
    assert_ne!(a, b);
}

#[test]
fn sub_ranges_add_up_to_the_whole() {
    // The rule that lets ranges be scattered across threads, GPUs or ranks.
    let seed = 77;
    let whole = count_hits_scalar(seed, 0..1000);
    for cut in [0, 1, 2, 15, 16, 17, 333, 999, 1000] {
        let parts = count_hits_simd(seed, 0..cut) + count_hits_simd(seed, cut..1000);
        assert_eq!(parts, whole, "cut at {cut}");
    }
}

#[test]
fn ranges_near_the_32_bit_pair_boundary_agree() {
    // Pair counters cross from (2^32 − 1, 0) to (0, 1) here.
    let start = (1u64 << 33) - 40;
    for seed in [0, u64::MAX] {
        assert_eq!(
            count_hits_scalar(seed, start..start + 100),
            count_hits_simd(seed, start..start + 100)
        );
    }
}

proptest! {
    #[test]
    fn simd_matches_scalar_on_any_range(seed in any::<u64>(), start in 0u64..(1 << 40), len in 0u64..300) {
        prop_assert_eq!(
            count_hits_scalar(seed, start..start + len),
            count_hits_simd(seed, start..start + len)
        );
    }
}
