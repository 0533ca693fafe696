//! Philox and the inside test on AVX-512F, eight pairs per 512-bit register:
//! the AVX2 leaf's layout (each Philox word in the low half of a 64-bit
//! lane, one `vpmuludq` per multiply, no shuffles) at twice the width, and
//! the inside test's result as a mask that adds one to the lanes inside.

use core::arch::x86_64::{
    __m512i, __mmask8, _mm512_add_epi64, _mm512_cmpgt_epi64_mask, _mm512_mask_add_epi64,
    _mm512_mul_epu32, _mm512_or_si512, _mm512_reduce_add_epi64, _mm512_set1_epi64,
    _mm512_setr_epi64, _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srli_epi64,
    _mm512_xor_si512,
};

use hetero_core::pi::{COORD_SHIFT, RADIUS_SQ};
use hetero_core::rng::{PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1};

/// Philox4x32-10 on eight counters (pair, 0, 0) with one key. Only the low
/// 32 bits of each output lane are meaningful.
#[inline]
#[target_feature(enable = "avx512f")]
fn philox_x8(first_pair: u64, key: [u32; 2]) -> [__m512i; 4] {
    let pairs = _mm512_add_epi64(
        _mm512_set1_epi64(first_pair as i64),
        _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
    );
    let mut c0 = pairs;
    let mut c1 = _mm512_srli_epi64::<32>(pairs);
    let (mut c2, mut c3) = (_mm512_setzero_si512(), _mm512_setzero_si512());
    let m0 = _mm512_set1_epi64(i64::from(PHILOX_M0));
    let m1 = _mm512_set1_epi64(i64::from(PHILOX_M1));
    let [mut k0, mut k1] = key;
    for round in 0..PHILOX_ROUNDS {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W0);
            k1 = k1.wrapping_add(PHILOX_W1);
        }
        let prod0 = _mm512_mul_epu32(m0, c0);
        let prod1 = _mm512_mul_epu32(m1, c2);
        let key0 = _mm512_set1_epi64(i64::from(k0));
        let key1 = _mm512_set1_epi64(i64::from(k1));
        let next0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64::<32>(prod1), c1), key0);
        let next2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64::<32>(prod0), c3), key1);
        (c0, c1, c2, c3) = (next0, prod1, next2, prod0);
    }
    [c0, c1, c2, c3]
}

/// The lanes whose point of words (x, y) is inside: the exact test of
/// [`hetero_core::pi::inside`] in 64-bit integer lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn inside_x8(x: __m512i, y: __m512i) -> __mmask8 {
    // (w << 32) >> (32 + shift) drops the high garbage and keeps the top
    // COORD_BITS of the low word; then 2X + 1 < 2^26 and (2X+1)² < 2^52.
    const DOWN: u32 = 32 + COORD_SHIFT;
    let one = _mm512_set1_epi64(1);
    let coordinate = |w: __m512i| {
        _mm512_or_si512(
            _mm512_slli_epi64::<1>(_mm512_srli_epi64::<DOWN>(_mm512_slli_epi64::<32>(w))),
            one,
        )
    };
    let (u, v) = (coordinate(x), coordinate(y));
    let sum = _mm512_add_epi64(_mm512_mul_epu32(u, u), _mm512_mul_epu32(v, v));
    // Both sides are below 2^63, so the signed compare is exact.
    _mm512_cmpgt_epi64_mask(_mm512_set1_epi64(RADIUS_SQ as i64), sum)
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`.
#[target_feature(enable = "avx512f")]
pub fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    let one = _mm512_set1_epi64(1);
    let mut hits = _mm512_setzero_si512();
    let count = |hits: __m512i, [w0, w1, w2, w3]: [__m512i; 4]| {
        let hits = _mm512_mask_add_epi64(hits, inside_x8(w0, w1), hits, one);
        _mm512_mask_add_epi64(hits, inside_x8(w2, w3), hits, one)
    };
    let mut g = 0;
    // PERF: two independent groups of eight keep both multipliers busy.
    while g + 2 <= groups {
        let base = first_pair + g * 8;
        let (a, b) = (philox_x8(base, key), philox_x8(base + 8, key));
        hits = count(hits, a);
        hits = count(hits, b);
        g += 2;
    }
    if g < groups {
        hits = count(hits, philox_x8(first_pair + g * 8, key));
    }
    // Lanes count up from 0 and never wrap: the sum is the hit count.
    _mm512_reduce_add_epi64(hits) as u64
}
