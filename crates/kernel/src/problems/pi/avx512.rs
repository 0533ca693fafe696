//! Philox and the inside test on AVX-512F, eight pairs per 512-bit
//! register (`wide_words.rs` has the layout), the inside test's result as a
//! mask that adds one to the lanes inside.
//!
//! Everything here runs inside [`count_pair_groups`], which is compiled
//! with the level's target features and called only where the CPU has
//! them (`mod.rs` checks): that is the SAFETY argument of each `unsafe`
//! block. (The tests check the CPU first.)

// Intrinsics of the instruction set this module is compiled for: every
// unsafe block says why its target features are present.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m512i, __mmask8, _mm512_add_epi64, _mm512_cmplt_epu64_mask, _mm512_mask_add_epi64,
    _mm512_mul_epu32, _mm512_reduce_add_epi64, _mm512_set1_epi64, _mm512_setr_epi64,
    _mm512_setzero_si512, _mm512_srli_epi64, _mm512_sub_epi64, _mm512_ternarylogic_epi64,
};

use hetero_core::pi::{COORD_BITS, COORD_SHIFT};

use super::wide_words::{Words, fold_words};

/// Groups of eight pairs in flight per step (four chains of multiplies).
const INTERLEAVE: usize = 4;

impl Words for __m512i {
    const PAIRS: u64 = 8;
    // PERF: written out, the rounds ran 1.16× slower on a Zen 4 (π 10⁷ on
    // one core, 9.3 against 8.0 ms; an earlier written-out form, 1.35× on
    // a Xeon).
    const UNROLL_ROUNDS: bool = false;
    #[inline(always)]
    fn counters(first: u64) -> Self {
        // SAFETY: see the module documentation.
        unsafe {
            _mm512_add_epi64(
                _mm512_set1_epi64(first as i64),
                _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
            )
        }
    }
    #[inline(always)]
    fn splat(word: u32) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm512_set1_epi64(i64::from(word)) }
    }
    #[inline(always)]
    fn zero() -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm512_setzero_si512() }
    }
    #[inline(always)]
    fn mul_low_halves(self, other: Self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm512_mul_epu32(self, other) }
    }
    #[inline(always)]
    fn high_half(self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm512_srli_epi64::<32>(self) }
    }
    #[inline(always)]
    fn xor3(self, b: Self, c: Self) -> Self {
        // SAFETY: see the module documentation.
        unsafe { _mm512_ternarylogic_epi64::<0x96>(self, b, c) }
    }
}

/// The lanes whose point of words (x, y) is inside: the exact test of
/// [`hetero_core::pi::inside`], `(2X+1)² + (2Y+1)² < 2^(2·COORD_BITS+2)`,
/// scaled by 2^(2·COORD_SHIFT−2) so that the bound is 2^64.
#[inline(always)]
fn inside_x8(x: __m512i, y: __m512i) -> __mmask8 {
    // The top COORD_BITS bits of the low word, in place, with the high
    // garbage cleared and the bit below them set: t = 2^(COORD_SHIFT−1)·(2X+1)
    // in one ternary-logic op, t < 2^32 and t² = 2^(2·COORD_SHIFT−2)·(2X+1)².
    const KEEP: i64 = (u32::MAX << COORD_SHIFT) as i64;
    const HALF: i64 = 1 << (COORD_SHIFT - 1);
    // The scaled bound is exactly 2^64, so "inside" is "the u64 sum of the
    // two squares does not carry": t_x² < 2^64 − t_y², and t_y² > 0.
    const _: () = assert!(2 * COORD_BITS + 2 + 2 * COORD_SHIFT - 2 == 64);
    // SAFETY: see the module documentation.
    unsafe {
        let (keep, half) = (_mm512_set1_epi64(KEEP), _mm512_set1_epi64(HALF));
        // 0xEA: (a & b) | c.
        let tx = _mm512_ternarylogic_epi64::<0xEA>(x, keep, half);
        let ty = _mm512_ternarylogic_epi64::<0xEA>(y, keep, half);
        let (x2, y2) = (_mm512_mul_epu32(tx, tx), _mm512_mul_epu32(ty, ty));
        _mm512_cmplt_epu64_mask(x2, _mm512_sub_epi64(_mm512_setzero_si512(), y2))
    }
}

/// One to each lane of `hits` whose sample in `words` is inside, for both
/// samples of each pair.
#[inline(always)]
fn count(hits: __m512i, [x0, y0, x1, y1]: [__m512i; 4]) -> __m512i {
    // SAFETY: see the module documentation.
    unsafe {
        let one = _mm512_set1_epi64(1);
        let hits = _mm512_mask_add_epi64(hits, inside_x8(x0, y0), hits, one);
        _mm512_mask_add_epi64(hits, inside_x8(x1, y1), hits, one)
    }
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`.
///
/// # Safety
/// The CPU must have AVX-512F (`Isa::V4`).
#[target_feature(enable = "avx,avx2,fma,avx512f,avx512dq,avx512bw,avx512vl")]
pub unsafe fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    let hits =
        fold_words::<__m512i, INTERLEAVE, _>(key, first_pair, groups, __m512i::zero(), |h, w| {
            count(h, w)
        });
    // Lanes count up from 0 and never wrap: the sum is the hit count.
    _mm512_reduce_add_epi64(hits) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::pi::wide_words::edge_words;
    use core::arch::x86_64::_mm512_loadu_si512;
    use hetero_core::pi::inside;

    /// The scaled test with its no-carry compare says what the exact
    /// integer test says on both sides of the edge, whatever the lanes'
    /// high halves hold.
    #[test]
    fn inside_x8_is_the_exact_test_at_the_edge() {
        if !crate::isa::Isa::V4.is_supported() {
            eprintln!("skipped: this CPU has no AVX-512 (level v4)");
            return;
        }
        let words = edge_words();
        for (group, pairs) in words.chunks(8).enumerate() {
            let lane = |i: usize, word: u32| {
                let garbage = (group as u64 * 0x9E37_79B9 + i as u64 * 0x7F4A_7C15) << 32;
                garbage | u64::from(word)
            };
            let xs: [u64; 8] = core::array::from_fn(|i| lane(i, pairs.get(i).map_or(0, |p| p.0)));
            let ys: [u64; 8] = core::array::from_fn(|i| lane(i, pairs.get(i).map_or(0, |p| p.1)));
            // SAFETY: AVX-512F checked above; each array
            // is 64 readable bytes and loadu needs no alignment.
            let mask = unsafe {
                inside_x8(
                    _mm512_loadu_si512(xs.as_ptr().cast()),
                    _mm512_loadu_si512(ys.as_ptr().cast()),
                )
            };
            for (i, &(x, y)) in pairs.iter().enumerate() {
                assert_eq!(mask >> i & 1 == 1, inside(x, y), "({x:#x}, {y:#x})");
            }
        }
    }
}
