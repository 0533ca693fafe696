//! The 512-bit forms where the build has AVX-512F: `vscalefps` for the f32
//! scaling, an f64 exp that trades half its polynomial for a 16-entry
//! table held in two registers, and (with AVX-512DQ) a shorter TwoSum.
//!
//! This module exists only in builds with AVX-512F in their target
//! features (`mod.rs`), so every intrinsic here is available on every CPU
//! that runs it: that is the SAFETY argument of each `unsafe` block.

// Intrinsics of the instruction set this module is compiled for: every
// unsafe block says why its target features are present.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m512, __m512d, __m512i, _mm512_permutex2var_pd, _mm512_scalef_pd, _mm512_scalef_ps,
};
#[cfg(target_feature = "avx512dq")]
use core::arch::x86_64::{
    _MM_FROUND_NO_EXC, _MM_FROUND_TO_NEAREST_INT, _mm512_fnmadd_round_pd, _mm512_range_pd,
};
use wide::{f32x16, f64x8};

use super::{LN2_HI_F64, LN2_LO_F64, LOG2E_F64, ROUND_SHIFT_F64};

// `wide`'s 512-bit vectors are exactly the registers' bits.
const _: () = assert!(size_of::<f64x8>() == size_of::<__m512d>());
const _: () = assert!(size_of::<f32x16>() == size_of::<__m512>());

#[inline(always)]
fn m512d(v: f64x8) -> __m512d {
    // SAFETY: f64x8 and __m512d are 64 bytes of eight f64 lanes; every bit
    // pattern is valid for both.
    unsafe { core::mem::transmute::<f64x8, __m512d>(v) }
}

#[inline(always)]
fn f64x8(v: __m512d) -> f64x8 {
    // SAFETY: as in `m512d`.
    unsafe { core::mem::transmute::<__m512d, f64x8>(v) }
}

/// p·2^k for the integers k (`vscalefps`: the exact product rounded once —
/// the same bits as the two-factor multiply of the narrower widths).
#[inline(always)]
pub(super) fn scalef_f32x16(p: f32x16, k: f32x16, _shifted: f32x16) -> f32x16 {
    // SAFETY: f32x16 and __m512 are 64 bytes of sixteen f32 lanes, every bit
    // pattern valid for both; AVX-512F as in the module documentation.
    unsafe {
        let (p, k) = (
            core::mem::transmute::<f32x16, __m512>(p),
            core::mem::transmute::<f32x16, __m512>(k),
        );
        core::mem::transmute::<__m512, f32x16>(_mm512_scalef_ps(p, k))
    }
}

/// 2^(j/16) for j = 0..8 and j = 8..16, each correctly rounded: the two
/// registers `vpermt2pd` picks from.
const EXP2_SIXTEENTHS: [[f64; 8]; 2] = [
    [
        f64::from_bits(0x3FF0_0000_0000_0000),
        f64::from_bits(0x3FF0_B558_6CF9_890F),
        f64::from_bits(0x3FF1_72B8_3C7D_517B),
        f64::from_bits(0x3FF2_387A_6E75_6238),
        f64::from_bits(0x3FF3_06FE_0A31_B715),
        f64::from_bits(0x3FF3_DEA6_4C12_3422),
        f64::from_bits(0x3FF4_BFDA_D536_2A27),
        f64::from_bits(0x3FF5_AB07_DD48_5429),
    ],
    [
        f64::from_bits(0x3FF6_A09E_667F_3BCD),
        f64::from_bits(0x3FF7_A114_73EB_0187),
        f64::from_bits(0x3FF8_ACE5_422A_A0DB),
        f64::from_bits(0x3FF9_C491_82A3_F090),
        f64::from_bits(0x3FFA_E89F_995A_D3AD),
        f64::from_bits(0x3FFC_199B_DD85_529C),
        f64::from_bits(0x3FFD_5818_DCFB_A487),
        f64::from_bits(0x3FFE_A4AF_A2A4_90DA),
    ],
];

/// 1/k! for k = 2 ..= 7: Taylor to degree 7 leaves |r|^8/8! < 2e-18
/// relative error on |r| ≤ ln2/32.
const EXP_TAYLOR_SHORT: [f64; 6] = [
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
];

/// e^x lane-wise, within 2 ULP of `f64::exp` for every input, with the
/// special values of the narrower widths' recipe (NaN gives NaN, results
/// below the smallest subnormal 0, above `f64::MAX` +∞).
///
/// x = (16m + j)·ln2/16 + r with |r| ≤ ln2/32, so e^x = 2^m · 2^(j/16) · e^r:
/// 2^(j/16) from a 16-entry table (`vpermt2pd` on two registers — the
/// index is the low four bits of the rounded k, already in `shifted`'s
/// mantissa), e^r from a degree-7 polynomial instead of degree 13, 2^m by
/// `vscalefpd`. PERF: 19 vector operations instead of 30; midpoint's exp(−x²)
/// is bound by their count, not by latency. The table's rounding adds up to
/// half an ULP, so results may differ from the narrower widths' in the last
/// bit (both are within the 2-ULP promise).
#[inline(always)]
pub fn exp_f64x8(x: f64x8) -> f64x8 {
    let splat = f64x8::splat;
    // A NaN x stays NaN through the clamp and every step after it.
    let xc = super::clamp::clamp_f64x8(x, 800.0);
    // k = round(16x/ln2), |k| < 2^15, kept as k/16: adding a shift 16
    // times smaller rounds x/ln2 to sixteenths (scaling by 16 commutes with
    // the rounding, so this is k/16 exactly). `shifted` holds k in its low
    // mantissa bits (two's complement modulo 2^51), so its low four bits are
    // k mod 16. PERF: scalef takes k/16 as it is — no multiply by 1/16.
    let sixteenth_shift = splat(ROUND_SHIFT_F64 / 16.0);
    let shifted = xc.mul_add(splat(LOG2E_F64), sixteenth_shift);
    let k_sixteenths = shifted - sixteenth_shift;
    // k·ln2/16 split as in the narrower recipe; (k/16)·LN2_HI is exact.
    let r = (-k_sixteenths).mul_add(splat(LN2_HI_F64), xc);
    let r = (-k_sixteenths).mul_add(splat(LN2_LO_F64), r);

    let r2 = r * r;
    let c = |i: usize| splat(EXP_TAYLOR_SHORT[i]);
    let p01 = r.mul_add(c(1), c(0));
    let p23 = r.mul_add(c(3), c(2));
    let p45 = r.mul_add(c(5), c(4));
    let q = (r2 * r2).mul_add(p45, r2.mul_add(p23, p01));
    // e^r − 1 = r + r²·q; T·e^r = T + T·(e^r − 1), rounded once.
    let s = r2.mul_add(q, r);
    // PERF: the halves are constants, not built per call: a table built
    // with `array::map` here stayed an out-of-line call in some callers.
    let (low, high) = (
        m512d(f64x8::new(EXP2_SIXTEENTHS[0])),
        m512d(f64x8::new(EXP2_SIXTEENTHS[1])),
    );
    // SAFETY: AVX-512F as in the module documentation; the index operand is
    // any bit pattern (only its low four bits per lane are read).
    let t = f64x8(unsafe {
        _mm512_permutex2var_pd(low, core::mem::transmute::<f64x8, __m512i>(shifted), high)
    });
    let y = t.mul_add(s, t);
    // 2^floor(k/16) (`vscalefpd` floors its exponent operand), and
    // floor(k/16) = (k − j)/16.
    // SAFETY: AVX-512F as in the module documentation.
    f64x8(unsafe { _mm512_scalef_pd(m512d(y), m512d(k_sixteenths)) })
}

/// `Real::two_sum` for f64x8: Dekker's Fast2Sum, exact when its first
/// operand has the larger magnitude, on the operands put in that order by
/// `vrangepd` (the larger and the smaller magnitude, each keeping its own
/// sign; of +x and −x, the larger is +x and the smaller −x). The error is
/// unique, so these are Knuth's TwoSum's values (a zero error's sign
/// aside) in five instructions instead of six. PERF: midpoint adds every
/// term with it; one instruction of the ~31 per vector.
#[cfg(target_feature = "avx512dq")]
#[inline(always)]
pub fn two_sum_f64x8(a: f64x8, b: f64x8) -> (f64x8, f64x8) {
    let sum = a + b;
    // SAFETY: AVX-512F and AVX-512DQ (this function's cfg) as in the module
    // documentation. imm8 bits 1:0 pick max-abs (11) or min-abs (10), bits
    // 3:2 = 01 keep the sign of the operand picked.
    let (larger, smaller) = unsafe {
        (
            f64x8(_mm512_range_pd::<0b0111>(m512d(a), m512d(b))),
            f64x8(_mm512_range_pd::<0b0110>(m512d(a), m512d(b))),
        )
    };
    // PERF: the two subtractions as FMAs by one, with round-to-nearest
    // spelled out so that LLVM keeps them FMAs (it folds a plain FMA by a
    // constant back into a subtraction). Same values: x·1 is exact, so each
    // is the subtraction rounded once. AMD's Zen 4 has two FMA pipes beside
    // two add pipes, and `sum`'s loop left the FMA pipes idle: there it goes
    // from 34 to 47 GB/s (10⁶ f64 from L3, 2048 from L1; one core). Intel
    // runs adds and FMAs on the same ports.
    const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    let one = m512d(f64x8::splat(1.0));
    // SAFETY: AVX-512F as in the module documentation.
    let error = unsafe {
        let sum_less_larger = _mm512_fnmadd_round_pd::<NEAREST>(m512d(larger), one, m512d(sum));
        _mm512_fnmadd_round_pd::<NEAREST>(sum_less_larger, one, m512d(smaller))
    };
    (sum, f64x8(error))
}
