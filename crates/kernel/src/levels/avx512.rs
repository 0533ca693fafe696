//! The lanes of level v4: AVX-512 registers of eight f64 or sixteen f32,
//! with comparisons in mask registers (`k0`–`k7`), so a `select` is one
//! masked blend and a masked count one masked add — what Julia's escape
//! loop and π's inside test spend their time on.
//!
//! Every method is `#[inline(always)]` and calls the AVX-512 intrinsics
//! directly: these types exist only inside code entered through
//! [`super::Avx512`]'s trampoline, compiled with those features enabled
//! (`levels/mod.rs` has the argument).

// Intrinsics of level v4: see the module documentation and `levels/mod.rs`.
#![allow(unsafe_code)]

use core::arch::x86_64::*;

use crate::real::Real;

/// `unsafe { $e }` with the SAFETY argument every intrinsic here shares.
macro_rules! v4 {
    ($e:expr) => {
        // SAFETY: the value of a v4 lane type exists only in code entered
        // through `Avx512::vectorize`, which checked that the CPU has
        // AVX-512 F/DQ/BW/VL, AVX2 and FMA (`levels/mod.rs`); the
        // intrinsics read and write only their register operands, and
        // pointers only where a bounds-checked slice of exactly LANES
        // elements was taken just before.
        unsafe { $e }
    };
}

macro_rules! avx512_float {
    (
        $v:ident, $mask:ident, $kbits:ty, $counts:ident, $t:ty, $ut:ty, $lanes:literal, $reg:ty,
        $wide:ty, $set1:ident, $loadu:ident, $storeu:ident, $add:ident, $sub:ident, $mul:ident,
        $div:ident, $fmadd:ident, $sqrt:ident, $min:ident, $max:ident, $xor:ident, $abs:ident,
        $cmp:ident, $blend:ident, $mask_add_int:ident, $set1_int:ident, $exp:path
        $(, two_sum = $two_sum:path)?
    ) => {
        /// Per-lane booleans of [`
        #[doc = stringify!($v)]
        /// `]: one bit per lane, held in a mask register.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(transparent)]
        pub struct $mask(pub(crate) $kbits);

        crate::levels::lane_types!(
            $v, $counts, $t, $ut, $lanes, $reg, __m512i, $wide, v4, _mm512_setzero_si512
        );

        impl crate::real::Mask for $mask {
            #[inline(always)]
            fn splat(value: bool) -> Self {
                $mask(if value { <$kbits>::MAX } else { 0 })
            }
            #[inline(always)]
            fn any(self) -> bool {
                self.0 != 0
            }
            #[inline(always)]
            fn all(self) -> bool {
                self.0 == <$kbits>::MAX
            }
        }

        impl core::ops::BitAnd for $mask {
            type Output = Self;
            #[inline(always)]
            fn bitand(self, other: Self) -> Self {
                $mask(self.0 & other.0)
            }
        }
        impl core::ops::BitOr for $mask {
            type Output = Self;
            #[inline(always)]
            fn bitor(self, other: Self) -> Self {
                $mask(self.0 | other.0)
            }
        }
        impl core::ops::Not for $mask {
            type Output = Self;
            #[inline(always)]
            fn not(self) -> Self {
                // Exactly LANES bits: every bit is a lane.
                $mask(!self.0)
            }
        }
        impl core::ops::BitAndAssign for $mask {
            #[inline(always)]
            fn bitand_assign(&mut self, other: Self) {
                self.0 &= other.0;
            }
        }
        impl core::ops::BitOrAssign for $mask {
            #[inline(always)]
            fn bitor_assign(&mut self, other: Self) {
                self.0 |= other.0;
            }
        }

        crate::levels::float_operators!($v, v4, $add, $sub, $mul, $div, $xor, $set1);

        impl crate::real::Real for $v {
            type Scalar = $t;
            type Mask = $mask;
            type Counts = $counts;
            const LANES: usize = $lanes;

            crate::levels::common_real_methods!(
                $v, $mask, $t, $lanes, v4, $set1, $loadu, $storeu, $fmadd, $sqrt, $min, $max,
                $cmp, $exp
            );
            #[inline(always)]
            fn abs(self) -> Self {
                $v(v4!($abs(self.0)))
            }
            #[inline(always)]
            fn select(mask: $mask, if_true: Self, if_false: Self) -> Self {
                $v(v4!($blend(mask.0, if_false.0, if_true.0)))
            }
            #[inline(always)]
            fn count_where(counts: $counts, active: $mask) -> $counts {
                // One masked add: inactive lanes keep their count.
                $counts(v4!($mask_add_int(counts.0, active.0, counts.0, $set1_int(1))))
            }
            $(
                #[inline(always)]
                fn two_sum(self, other: Self) -> (Self, Self) {
                    $two_sum(self, other)
                }
            )?
        }
    };
}

avx512_float!(
    F64x8,
    K8,
    u8,
    U64x8,
    f64,
    u64,
    8,
    __m512d,
    wide::f64x8,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_sub_pd,
    _mm512_mul_pd,
    _mm512_div_pd,
    _mm512_fmadd_pd,
    _mm512_sqrt_pd,
    _mm512_min_pd,
    _mm512_max_pd,
    _mm512_xor_pd,
    _mm512_abs_pd,
    _mm512_cmp_pd_mask,
    _mm512_mask_blend_pd,
    _mm512_mask_add_epi64,
    _mm512_set1_epi64,
    exp_f64x8,
    two_sum = two_sum_f64x8
);

avx512_float!(
    F32x16,
    K16,
    u16,
    U32x16,
    f32,
    u32,
    16,
    __m512,
    wide::f32x16,
    _mm512_set1_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_add_ps,
    _mm512_sub_ps,
    _mm512_mul_ps,
    _mm512_div_ps,
    _mm512_fmadd_ps,
    _mm512_sqrt_ps,
    _mm512_min_ps,
    _mm512_max_ps,
    _mm512_xor_ps,
    _mm512_abs_ps,
    _mm512_cmp_ps_mask,
    _mm512_mask_blend_ps,
    _mm512_mask_add_epi32,
    _mm512_set1_epi32,
    exp_f32x16
);

/// p·2^k for the integers k (`vscalefps`: the exact product rounded once —
/// the same bits as the two-factor multiply of the narrower widths).
#[inline(always)]
fn scalef_f32x16(p: F32x16, k: F32x16, _shifted: F32x16) -> F32x16 {
    F32x16(v4!(_mm512_scalef_ps(p.0, k.0)))
}

crate::math::exp_f32!(
    exp_f32x16,
    F32x16,
    crate::levels::clamp_keeping_nan,
    scalef_f32x16
);

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
pub(crate) fn exp_f64x8(x: F64x8) -> F64x8 {
    use crate::math::{LN2_HI_F64, LN2_LO_F64, LOG2E_F64, ROUND_SHIFT_F64};
    let splat = F64x8::splat;
    // A NaN x stays NaN through the clamp and every step after it.
    let xc = crate::levels::clamp_keeping_nan(x, 800.0);
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
    let t = v4!({
        let low = _mm512_loadu_pd(EXP2_SIXTEENTHS[0].as_ptr());
        let high = _mm512_loadu_pd(EXP2_SIXTEENTHS[1].as_ptr());
        // Only the low four bits of each index lane are read.
        F64x8(_mm512_permutex2var_pd(
            low,
            _mm512_castpd_si512(shifted.0),
            high,
        ))
    });
    let y = t.mul_add(s, t);
    // 2^floor(k/16) (`vscalefpd` floors its exponent operand), and
    // floor(k/16) = (k − j)/16.
    F64x8(v4!(_mm512_scalef_pd(y.0, k_sixteenths.0)))
}

/// `Real::two_sum` for f64x8: Dekker's Fast2Sum, exact when its first
/// operand has the larger magnitude, on the operands put in that order by
/// `vrangepd` (the larger and the smaller magnitude, each keeping its own
/// sign; of +x and −x, the larger is +x and the smaller −x). The error is
/// unique, so these are Knuth's TwoSum's values (a zero error's sign
/// aside) in five instructions instead of six. PERF: midpoint adds every
/// term with it; one instruction of the ~31 per vector.
#[inline(always)]
fn two_sum_f64x8(a: F64x8, b: F64x8) -> (F64x8, F64x8) {
    let sum = a + b;
    // imm8 bits 1:0 pick max-abs (11) or min-abs (10), bits 3:2 = 01 keep
    // the sign of the operand picked.
    let (larger, smaller) = v4!((
        _mm512_range_pd::<0b0111>(a.0, b.0),
        _mm512_range_pd::<0b0110>(a.0, b.0),
    ));
    // PERF: the two subtractions as FMAs by one, with round-to-nearest
    // spelled out so that LLVM keeps them FMAs (it folds a plain FMA by a
    // constant back into a subtraction). Same values: x·1 is exact, so each
    // is the subtraction rounded once. AMD's Zen 4 has two FMA pipes beside
    // two add pipes, and `sum`'s loop left the FMA pipes idle: there it goes
    // from 34 to 47 GB/s (10⁶ f64 from L3, 2048 from L1; one core). Intel
    // runs adds and FMAs on the same ports.
    const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    let error = v4!({
        let one = _mm512_set1_pd(1.0);
        let sum_less_larger = _mm512_fnmadd_round_pd::<NEAREST>(larger, one, sum.0);
        _mm512_fnmadd_round_pd::<NEAREST>(sum_less_larger, one, smaller)
    });
    (sum, F64x8(error))
}
