//! `pi`: hits of n Monte Carlo samples inside the quarter circle, a
//! reduction of exact integer counts (so every backend, thread count and
//! device returns the same hits). GPU twin: `shaders/pi.wgsl`.
//!
//! The one-lane leaf is the obvious loop over Philox pairs. The vector leaf
//! is hand-specialised, because the generic body cannot express it fast:
//! groups of eight Philox pairs on 512-bit registers at level v4
//! (`avx512.rs`), on 256-bit ones at v3 (`avx2.rs`), on `wide`'s u32x8
//! off x86 (`portable.rs`); at x86's baseline the one-lane loop, which
//! LLVM vectorises better than SSE2 `wide` code.
//! The partial pairs at a range's ends go through the one-lane loop.

// Calls into the levels' leaves, each guarded by a check of the CPU.
#![allow(unsafe_code)]

use core::ops::Range;

use hetero_core::chunks::PI_CHUNK;
use hetero_core::pi::{PairSpan, pair_hits};
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

use crate::error::KernelError;
use crate::gpu::{GpuCaps, GpuProgram, GpuReduce};
#[cfg(target_arch = "x86_64")]
use crate::isa::Isa;
use crate::kernel::{ReduceKernel, Reduction};
use crate::lanes::{Lanes, is_scalar};
use crate::problem::Problem;

pub mod gpu;

pub use gpu::{PiGpu, PiParams};

// The levels' leaves, compiled into every x86-64 build and entered only
// where the CPU has their level.
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod portable;
#[cfg(target_arch = "x86_64")]
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

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`
/// at the level of `L`: AVX-512 at v4, AVX2 at v3, `wide`'s u32x8 below.
#[inline(always)]
fn count_pair_groups<L: Lanes>(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    match L::ISA {
        // SAFETY: the CPU has the level (checked in the guard).
        Isa::V4 if Isa::V4.is_supported() => unsafe {
            return avx512::count_pair_groups(key, first_pair, groups);
        },
        // SAFETY: as above.
        Isa::V3 if Isa::V3.is_supported() => unsafe {
            return avx2::count_pair_groups(key, first_pair, groups);
        },
        _ => {}
    }
    portable::count_pair_groups(key, first_pair, groups)
}

/// Hits among the samples `range` of `seed`, eight pairs per vector step.
pub fn count_hits_simd<L: Lanes>(seed: u64, range: Range<u64>) -> u64 {
    // PERF: at x86-64's baseline (SSE2) `wide`'s u32x8 multiplies need
    // shuffles that the one-lane loop, auto-vectorised by LLVM, does
    // without: π 10⁷ took 53 ms against its 29 ms. The baseline level
    // runs the one-lane loop there (the same hits: it is the reference).
    #[cfg(target_arch = "x86_64")]
    if L::ISA == Isa::Baseline {
        return count_hits_scalar(seed, range);
    }
    // Whole groups of eight pairs go through the vectors; the lone samples
    // at either end and the last < 8 pairs go through the one-lane loop.
    let span = PairSpan::of(range);
    let (first_pair, end_pair) = (span.pairs.start, span.pairs.end);
    let groups = (end_pair - first_pair) / 8;
    let vector_end = first_pair + groups * 8;
    span.lone_hits(seed)
        + count_pair_groups::<L>(seed_key(seed), first_pair, groups)
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
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> u64 {
        if is_scalar::<L>() {
            count_hits_scalar(self.spec.seed(), items)
        } else {
            count_hits_simd::<L>(self.spec.seed(), items)
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

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// Every level's leaf the CPU has counts the same hits as the one-lane
    /// loop, for odd and even group counts and first pairs past 2^32.
    #[test]
    fn every_level_counts_what_the_scalar_loop_counts() {
        for (seed, first_pair, groups) in [
            (1u64, 0u64, 1u64),
            (7, 5, 2),
            (42, 1 << 33, 3),
            (1_592_594_321, 123_456, 257),
        ] {
            let key = seed_key(seed);
            let scalar = count_hits_scalar(seed, first_pair * 2..(first_pair + 8 * groups) * 2);
            let portable = portable::count_pair_groups(key, first_pair, groups);
            assert_eq!(portable, scalar, "portable: seed {seed}, {groups} groups");
            if Isa::V3.is_supported() {
                // SAFETY: the CPU has AVX2 (checked).
                let v3 = unsafe { avx2::count_pair_groups(key, first_pair, groups) };
                assert_eq!(v3, scalar, "v3: seed {seed}, {groups} groups");
            }
            if Isa::V4.is_supported() {
                // SAFETY: the CPU has AVX-512 (checked).
                let v4 = unsafe { avx512::count_pair_groups(key, first_pair, groups) };
                assert_eq!(v4, scalar, "v4: seed {seed}, {groups} groups");
            }
        }
    }
}
