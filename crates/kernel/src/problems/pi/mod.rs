//! `pi`: hits of n Monte Carlo samples inside the quarter circle, a
//! reduction of exact integer counts (so every backend, thread count and
//! device returns the same hits). GPU twin: `shaders/pi.wgsl`.
//!
//! The one-lane leaf is the obvious loop over Philox pairs. The vector leaf
//! is hand-specialised, because the generic body cannot express it fast:
//! groups of eight Philox pairs on 512-bit registers where the build has
//! AVX-512F (`avx512.rs`), on 256-bit ones with AVX2 (`avx2.rs`), else on
//! `wide`'s u32x8 (`portable.rs`).
//! The partial pairs at a range's ends go through the one-lane loop.

use core::ops::Range;

use hetero_core::chunks::PI_CHUNK;
use hetero_core::pi::{PairSpan, pair_hits};
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

use crate::error::KernelError;
use crate::gpu::{GpuCaps, GpuProgram, GpuReduce};
use crate::kernel::{ReduceKernel, Reduction};
use crate::lanes::{Lanes, is_scalar};
use crate::problem::Problem;

pub mod gpu;

pub use gpu::{PiGpu, PiParams};

// On AVX-512 builds the AVX2 leaf stays compiled for the test that holds
// the two leaves to the same counts.
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
#[cfg_attr(target_feature = "avx512f", allow(dead_code))]
mod avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
mod avx512;
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
mod portable;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
mod wide_words;

/// The Monte Carlo estimate for `spec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiKernel {
    spec: Pi,
}

impl PiKernel {
    pub fn new(spec: &Pi) -> Self {
        Self { spec: *spec }
    }

    pub fn spec(&self) -> &Pi {
        &self.spec
    }
}

/// Hits among the samples `range` of `seed`, one Philox pair at a time.
pub fn count_hits_scalar(seed: u64, range: Range<u64>) -> u64 {
    let span = PairSpan::of(range);
    let key = seed_key(seed);
    span.lone_hits(seed) + span.pairs.map(|pair| pair_hits(key, pair)).sum::<u64>()
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`:
/// AVX-512 where the build has it, AVX2 where it has that, else `wide`'s
/// u32x8.
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    avx512::count_pair_groups(key, first_pair, groups)
}

#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    not(target_feature = "avx512f")
))]
fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    avx2::count_pair_groups(key, first_pair, groups)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    portable::count_pair_groups(key, first_pair, groups)
}

/// Hits among the samples `range` of `seed`, eight pairs per vector step.
pub fn count_hits_simd(seed: u64, range: Range<u64>) -> u64 {
    // Whole groups of eight pairs go through the vectors; the lone samples
    // at either end and the last < 8 pairs go through the one-lane loop.
    let span = PairSpan::of(range);
    let (first_pair, end_pair) = (span.pairs.start, span.pairs.end);
    let groups = (end_pair - first_pair) / 8;
    let vector_end = first_pair + groups * 8;
    span.lone_hits(seed)
        + count_pair_groups(seed_key(seed), first_pair, groups)
        + count_hits_scalar(seed, vector_end * 2..end_pair * 2)
}

impl Reduction for PiKernel {
    type Partial = u64;
    type Output = PiEstimate;

    fn name(&self) -> &'static str {
        "pi"
    }
    fn len(&self) -> u64 {
        self.spec.n()
    }
    /// An even chunk, so chunks hold whole Philox pairs.
    fn chunk(&self) -> u64 {
        PI_CHUNK
    }
    fn combine(&self, left: u64, right: u64) -> u64 {
        left + right
    }
    fn finish(&self, hits: u64) -> PiEstimate {
        self.spec.estimate(hits)
    }
}

impl ReduceKernel for PiKernel {
    #[inline]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> u64 {
        if is_scalar::<L>() {
            count_hits_scalar(self.spec.seed(), items)
        } else {
            count_hits_simd(self.spec.seed(), items)
        }
    }

    fn gpu(&self, _: &GpuCaps) -> Result<Box<dyn GpuReduce<u64> + '_>, KernelError> {
        Ok(Box::new(PiGpu {
            seed: self.spec.seed(),
        }))
    }
}

/// The registry entry of `pi`.
pub const PROBLEM: &dyn Problem = &Registered;

struct Registered;

impl Problem for Registered {
    fn name(&self) -> &'static str {
        "pi"
    }
    fn summary(&self) -> &'static str {
        "Monte Carlo π from Philox samples of the unit square"
    }
    fn gpu_programs(&self, _: &GpuCaps) -> Vec<GpuProgram> {
        vec![PiGpu { seed: 0 }.program()]
    }
}

#[cfg(all(test, target_arch = "x86_64", target_feature = "avx512f"))]
mod tests {
    use super::*;

    /// The AVX-512 and AVX2 leaves count the same hits as the one-lane loop,
    /// for odd and even group counts and first pairs past 2^32.
    #[test]
    fn the_avx512_leaf_counts_what_the_avx2_leaf_and_the_scalar_loop_count() {
        for (seed, first_pair, groups) in [
            (1u64, 0u64, 1u64),
            (7, 5, 2),
            (42, 1 << 33, 3),
            (1_592_594_321, 123_456, 257),
        ] {
            let key = seed_key(seed);
            let (wide, narrow) = (
                avx512::count_pair_groups(key, first_pair, groups),
                avx2::count_pair_groups(key, first_pair, groups),
            );
            let scalar = count_hits_scalar(seed, first_pair * 2..(first_pair + 8 * groups) * 2);
            assert_eq!(
                (wide, narrow),
                (scalar, scalar),
                "seed {seed}, {groups} groups"
            );
        }
    }
}
