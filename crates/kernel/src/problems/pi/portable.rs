//! Philox and the inside test on `wide`'s u32x8: the portable SIMD path,
//! used where the build lacks AVX2 (see `avx2.rs` for why AVX2 gets its own).

use hetero_core::pi::{COORD_SHIFT, RADIUS_SQ_HI};
use hetero_core::rng::{PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1};
use wide::u32x8;

/// Philox4x32-10 on eight counters (c0, c1, 0, 0) with one key.
#[inline(always)]
fn philox_x8(c0: u32x8, c1: u32x8, key: [u32; 2]) -> [u32x8; 4] {
    let (m0, m1) = (u32x8::splat(PHILOX_M0), u32x8::splat(PHILOX_M1));
    let (mut c0, mut c1, mut c2, mut c3) = (c0, c1, u32x8::ZERO, u32x8::ZERO);
    let [mut k0, mut k1] = key;
    for round in 0..PHILOX_ROUNDS {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W0);
            k1 = k1.wrapping_add(PHILOX_W1);
        }
        let (lo0, hi0) = m0.mul_keep_low_high(c0);
        let (lo1, hi1) = m1.mul_keep_low_high(c2);
        (c0, c1, c2, c3) = (
            hi1 ^ c1 ^ u32x8::splat(k0),
            lo1,
            hi0 ^ c3 ^ u32x8::splat(k1),
            lo0,
        );
    }
    [c0, c1, c2, c3]
}

/// All-ones lanes where (x, y) is inside: the exact test of
/// [`hetero_core::pi::inside`], with the 64-bit sum of squares held as
/// (high, low) 32-bit words, as a GPU would.
#[inline(always)]
fn inside_x8(x: u32x8, y: u32x8) -> u32x8 {
    let u = x.unbounded_shr_scalar(COORD_SHIFT).unbounded_shl_scalar(1) | u32x8::ONE;
    let v = y.unbounded_shr_scalar(COORD_SHIFT).unbounded_shl_scalar(1) | u32x8::ONE;
    let (u_lo, u_hi) = u.mul_keep_low_high(u);
    let (v_lo, v_hi) = v.mul_keep_low_high(v);
    let lo = u_lo + v_lo;
    let carry = lo.simd_lt(u_lo); // all ones (−1) where the low words wrapped
    let hi = u_hi + v_hi - carry;
    hi.simd_lt(u32x8::splat(RADIUS_SQ_HI))
}

/// Hits among the samples of pairs `first_pair .. first_pair + 8·groups`.
pub fn count_pair_groups(key: [u32; 2], first_pair: u64, groups: u64) -> u64 {
    let mut total = 0u64;
    // Each group adds at most 2 per lane: flush the u32 lanes into a u64
    // before 2^31 groups, so any range length is counted exactly.
    const FLUSH_GROUPS: u64 = 1 << 30;
    let mut block_start = 0;
    while block_start < groups {
        let block_end = (block_start + FLUSH_GROUPS).min(groups);
        let mut hits = u32x8::ZERO;
        for g in block_start..block_end {
            let base = first_pair + g * 8;
            let pairs: [u64; 8] = core::array::from_fn(|lane| base + lane as u64);
            let c0 = u32x8::new(pairs.map(|p| p as u32));
            let c1 = u32x8::new(pairs.map(|p| (p >> 32) as u32));
            let [x0, y0, x1, y1] = philox_x8(c0, c1, key);
            // Inside lanes are −1: subtracting counts them.
            hits -= inside_x8(x0, y0);
            hits -= inside_x8(x1, y1);
        }
        total += hits.to_array().iter().map(|&h| u64::from(h)).sum::<u64>();
        block_start = block_end;
    }
    total
}
