//! Philox and the inside test on AVX2, four pairs per 256-bit register
//! (`wide_words.rs` has the layout).
//!
//! PERF: `wide`'s `u32x8::mul_keep_low_high` regroups the even and odd lanes
//! with six shuffles per multiply, and shuffles have one port: it made
//! `simd` pi shuffle-bound at ~3.4× scalar. The 64-bit-lane layout needs no
//! shuffles at all.
//!
//! Everything here runs inside [`count_pair_groups`], which is compiled
//! with the level's target features and called only where the CPU has
//! them (`mod.rs` checks): that is the SAFETY argument of each `unsafe`
//! block. (The tests check the CPU first.)

// Intrinsics of the instruction set this module is compiled for: every
// unsafe block says why its target features are present.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_and_si256, _mm256_cmpgt_epi64, _mm256_mul_epu32,
    _mm256_or_si256, _mm256_set1_epi64x, _mm256_setr_epi64x, _mm256_setzero_si256,
    _mm256_srli_epi64, _mm256_storeu_si256, _mm256_sub_epi64, _mm256_xor_si256,
};

use hetero_core::pi::{COORD_BITS, COORD_SHIFT};

use super::wide_words::{Words, fold_words};

/// Groups of four pairs in flight per step. PERF: three groups' state (12
/// registers) and the multipliers fit AVX2's 16; four spilled every round
/// (π 10⁷ on one Zen 4 core, `x86-64-v3` build: 4 groups 15.0 ms, 3 groups
/// 12.3 ms, 3 with the rounds written out 11.3 ms, where LLVM's
/// auto-vectorised scalar loop took 11.7 ms).
const INTERLEAVE: usize = 3;

impl Words for __m256i {
    const PAIRS: u64 = 4;
    // PERF: 11.3 ms written out against 12.3 ms looped (see INTERLEAVE).
    const UNROLL_ROUNDS: bool = true;
    #[inline(always)]
    fn counters(first: u64) -> Self {
        // SAFETY: see the module documentation.
        unsafe {
            _mm256_add_epi64(
                _mm256_set1_epi64x(first as i64),
                _mm256_setr_epi64x(0, 1, 2, 3),
            )
        }
    }
    #[inline(always)]
    fn splat(word: u32) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm256_set1_epi64x(i64::from(word)) }
    }
    #[inline(always)]
    fn zero() -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm256_setzero_si256() }
    }
    #[inline(always)]
    fn mul_low_halves(self, other: Self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm256_mul_epu32(self, other) }
    }
    #[inline(always)]
    fn high_half(self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm256_srli_epi64::<32>(self) }
    }
    #[inline(always)]
    fn xor3(self, b: Self, c: Self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm256_xor_si256(_mm256_xor_si256(self, b), c) }
    }
}

/// All-ones 64-bit lanes where the point of words (x, y) is inside: the
/// exact test of [`hetero_core::pi::inside`],
/// `(2X+1)² + (2Y+1)² < 2^(2·COORD_BITS+2)`, scaled by
/// 2^(2·COORD_SHIFT−2) so that the bound is 2^64.
#[inline(always)]
fn inside_x4(x: __m256i, y: __m256i) -> __m256i {
    // t = 2^(COORD_SHIFT−1)·(2X+1): the top COORD_BITS bits of the low word
    // in place, the high garbage cleared, the bit below them set; t < 2^32.
    const KEEP: i64 = (u32::MAX << COORD_SHIFT) as i64;
    const HALF: i64 = 1 << (COORD_SHIFT - 1);
    const _: () = assert!(2 * COORD_BITS + 2 + 2 * COORD_SHIFT - 2 == 64);
    // SAFETY: see the module documentation.
    unsafe {
        let (keep, half) = (_mm256_set1_epi64x(KEEP), _mm256_set1_epi64x(HALF));
        let tx = _mm256_or_si256(_mm256_and_si256(x, keep), half);
        let ty = _mm256_or_si256(_mm256_and_si256(y, keep), half);
        let (x2, y2) = (_mm256_mul_epu32(tx, tx), _mm256_mul_epu32(ty, ty));
        // Inside iff the u64 sum of the squares does not carry:
        // t_x² < 2^64 − t_y² (t_y² > 0), unsigned; AVX2 compares signed, so
        // both sides get their sign bit flipped.
        let sign = _mm256_set1_epi64x(i64::MIN);
        let room = _mm256_xor_si256(_mm256_sub_epi64(_mm256_setzero_si256(), y2), sign);
        _mm256_cmpgt_epi64(room, _mm256_xor_si256(x2, sign))
    }
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`.
///
/// # Safety
/// The CPU must have AVX2 (`Isa::V3`).
#[target_feature(enable = "avx,avx2,fma")]
pub unsafe fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    // Inside lanes are −1: subtracting counts them (u64 lanes never wrap).
    // (A closure here inherits the function's target features.)
    let count = |hits: __m256i, [x0, y0, x1, y1]: [__m256i; 4]| {
        let hits = _mm256_sub_epi64(hits, inside_x4(x0, y0));
        _mm256_sub_epi64(hits, inside_x4(x1, y1))
    };
    // A group of eight pairs is two vectors of four.
    let hits =
        fold_words::<__m256i, INTERLEAVE, _>(key, first_pair, groups * 2, __m256i::zero(), count);
    let mut lanes = [0u64; 4];
    // SAFETY: `lanes` is 32 writable bytes; storeu has no alignment
    // requirement; AVX2 as in the module documentation.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), hits) };
    lanes.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::pi::wide_words::edge_words;
    use core::arch::x86_64::_mm256_loadu_si256;
    use hetero_core::pi::inside;

    /// The scaled test with its sign-flipped compare says what the exact
    /// integer test says on both sides of the edge, whatever the lanes'
    /// high halves hold.
    #[test]
    fn inside_x4_is_the_exact_test_at_the_edge() {
        if !crate::isa::Isa::V3.is_supported() {
            eprintln!("skipped: this CPU has no AVX2 (level v3)");
            return;
        }
        let words = edge_words();
        for (group, pairs) in words.chunks(4).enumerate() {
            let lane = |i: usize, word: u32| {
                let garbage = (group as u64 * 0x9E37_79B9 + i as u64 * 0x7F4A_7C15) << 32;
                garbage | u64::from(word)
            };
            let xs: [u64; 4] = core::array::from_fn(|i| lane(i, pairs.get(i).map_or(0, |p| p.0)));
            let ys: [u64; 4] = core::array::from_fn(|i| lane(i, pairs.get(i).map_or(0, |p| p.1)));
            let mut lanes = [0u64; 4];
            // SAFETY: AVX2 checked above; each array is 32
            // bytes and loadu/storeu need no alignment.
            unsafe {
                let inside_lanes = inside_x4(
                    _mm256_loadu_si256(xs.as_ptr().cast()),
                    _mm256_loadu_si256(ys.as_ptr().cast()),
                );
                _mm256_storeu_si256(lanes.as_mut_ptr().cast(), inside_lanes);
            }
            for (i, &(x, y)) in pairs.iter().enumerate() {
                assert_eq!(lanes[i] == u64::MAX, inside(x, y), "({x:#x}, {y:#x})");
            }
        }
    }
}
