//! Philox and the inside test on AVX2, four pairs per 256-bit register.
//!
//! PERF: `wide`'s `u32x8::mul_keep_low_high` regroups the even and odd lanes
//! with six shuffles per multiply, and shuffles have one port: it made
//! `simd` pi shuffle-bound at ~3.4× scalar. Here each Philox word lives in
//! the low half of a 64-bit lane, so one `vpmuludq` yields the whole 64-bit
//! product: the low word is the lane as it is (the multiply reads only low
//! halves, so the high garbage never matters) and the high word is one
//! shift away. No shuffles at all.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_cmpgt_epi64, _mm256_mul_epu32, _mm256_or_si256,
    _mm256_set1_epi64x, _mm256_setr_epi64x, _mm256_setzero_si256, _mm256_slli_epi64,
    _mm256_srli_epi64, _mm256_storeu_si256, _mm256_sub_epi64, _mm256_xor_si256,
};

use hetero_core::pi::{COORD_SHIFT, RADIUS_SQ};
use hetero_core::rng::{PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1};

/// Philox4x32-10 on four counters (pair, 0, 0) with one key. Only the low 32
/// bits of each output lane are meaningful.
#[inline]
#[target_feature(enable = "avx2")]
fn philox_x4(first_pair: u64, key: [u32; 2]) -> [__m256i; 4] {
    let p = |lane: u64| (first_pair + lane) as i64;
    let pairs = _mm256_setr_epi64x(p(0), p(1), p(2), p(3));
    let mut c0 = pairs;
    let mut c1 = _mm256_srli_epi64::<32>(pairs);
    let (mut c2, mut c3) = (_mm256_setzero_si256(), _mm256_setzero_si256());
    let m0 = _mm256_set1_epi64x(i64::from(PHILOX_M0));
    let m1 = _mm256_set1_epi64x(i64::from(PHILOX_M1));
    let [mut k0, mut k1] = key;
    for round in 0..PHILOX_ROUNDS {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W0);
            k1 = k1.wrapping_add(PHILOX_W1);
        }
        let prod0 = _mm256_mul_epu32(m0, c0);
        let prod1 = _mm256_mul_epu32(m1, c2);
        let key0 = _mm256_set1_epi64x(i64::from(k0));
        let key1 = _mm256_set1_epi64x(i64::from(k1));
        let next0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(prod1), c1), key0);
        let next2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(prod0), c3), key1);
        (c0, c1, c2, c3) = (next0, prod1, next2, prod0);
    }
    [c0, c1, c2, c3]
}

/// All-ones 64-bit lanes where the point of words (x, y) is inside: the
/// exact test of [`hetero_core::pi::inside`] in 64-bit integer lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn inside_x4(x: __m256i, y: __m256i) -> __m256i {
    // (w << 32) >> (32 + shift) drops the high garbage and keeps the top
    // COORD_BITS of the low word; then 2X + 1 < 2^26 and (2X+1)² < 2^52.
    const DOWN: i32 = 32 + COORD_SHIFT as i32;
    let one = _mm256_set1_epi64x(1);
    let u = _mm256_or_si256(
        _mm256_slli_epi64::<1>(_mm256_srli_epi64::<DOWN>(_mm256_slli_epi64::<32>(x))),
        one,
    );
    let v = _mm256_or_si256(
        _mm256_slli_epi64::<1>(_mm256_srli_epi64::<DOWN>(_mm256_slli_epi64::<32>(y))),
        one,
    );
    let sum = _mm256_add_epi64(_mm256_mul_epu32(u, u), _mm256_mul_epu32(v, v));
    // Both sides are below 2^63, so the signed compare is exact.
    _mm256_cmpgt_epi64(_mm256_set1_epi64x(RADIUS_SQ as i64), sum)
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`.
#[target_feature(enable = "avx2")]
pub fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    let mut hits = _mm256_setzero_si256();
    for g in 0..groups {
        let base = first_pair + g * 8;
        // PERF: two independent groups of four keep both multipliers busy.
        let [a0, a1, a2, a3] = philox_x4(base, key);
        let [b0, b1, b2, b3] = philox_x4(base + 4, key);
        // Inside lanes are −1: subtracting counts them (u64 lanes never wrap).
        hits = _mm256_sub_epi64(hits, inside_x4(a0, a1));
        hits = _mm256_sub_epi64(hits, inside_x4(a2, a3));
        hits = _mm256_sub_epi64(hits, inside_x4(b0, b1));
        hits = _mm256_sub_epi64(hits, inside_x4(b2, b3));
    }
    let mut lanes = [0u64; 4];
    // SAFETY: `lanes` is 32 writable bytes; storeu has no alignment requirement.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), hits) };
    lanes.iter().sum()
}
