//! The lanes of level v3: AVX2 registers of four f64 or eight f32, with
//! comparisons as all-ones lanes (the mask is a register of the same type)
//! and counters in the integer register of the same lane width.
//!
//! Every method is `#[inline(always)]` and calls the AVX2/FMA intrinsics
//! directly: these types exist only inside code entered through
//! [`super::Avx2`]'s trampoline, compiled with those features enabled, so
//! the intrinsics inline into it (`levels/mod.rs` has the argument).

// Intrinsics of level v3: see the module documentation and `levels/mod.rs`.
#![allow(unsafe_code)]

use core::arch::x86_64::*;

use crate::real::Real;

/// `unsafe { $e }` with the SAFETY argument every intrinsic here shares.
macro_rules! v3 {
    ($e:expr) => {
        // SAFETY: the value of a v3 lane type exists only in code entered
        // through `Avx2::vectorize`, which checked that the CPU has AVX2 and
        // FMA (`levels/mod.rs`); the intrinsics read and write only their
        // register operands, and pointers only where a bounds-checked
        // slice of exactly LANES elements was taken just before.
        unsafe { $e }
    };
}

macro_rules! avx2_float {
    (
        $v:ident, $mask:ident, $counts:ident, $t:ty, $ut:ty, $lanes:literal, $reg:ty, $wide:ty,
        $set1:ident, $loadu:ident, $storeu:ident, $add:ident, $sub:ident, $mul:ident, $div:ident,
        $fmadd:ident, $sqrt:ident, $min:ident, $max:ident, $and:ident, $or:ident, $xor:ident,
        $andnot:ident, $cmp:ident, $blendv:ident, $movemask:ident, $to_int:ident,
        $sub_int:ident, $exp:path $(, two_sum = $two_sum:path)?
    ) => {
        /// Per-lane booleans of [`
        #[doc = stringify!($v)]
        /// `]: all-ones or all-zero lanes.
        #[derive(Clone, Copy, Debug)]
        #[repr(transparent)]
        pub struct $mask(pub(crate) $reg);

        crate::levels::lane_types!(
            $v, $counts, $t, $ut, $lanes, $reg, __m256i, $wide, v3, _mm256_setzero_si256
        );

        impl crate::real::Mask for $mask {
            #[inline(always)]
            fn splat(value: bool) -> Self {
                let bits = if value { <$ut>::MAX } else { 0 };
                $mask(v3!($set1(<$t>::from_bits(bits))))
            }
            #[inline(always)]
            fn any(self) -> bool {
                v3!($movemask(self.0)) != 0
            }
            #[inline(always)]
            fn all(self) -> bool {
                v3!($movemask(self.0)) == (1 << $lanes) - 1
            }
        }

        impl core::ops::BitAnd for $mask {
            type Output = Self;
            #[inline(always)]
            fn bitand(self, other: Self) -> Self {
                $mask(v3!($and(self.0, other.0)))
            }
        }
        impl core::ops::BitOr for $mask {
            type Output = Self;
            #[inline(always)]
            fn bitor(self, other: Self) -> Self {
                $mask(v3!($or(self.0, other.0)))
            }
        }
        impl core::ops::Not for $mask {
            type Output = Self;
            #[inline(always)]
            fn not(self) -> Self {
                let ones = <$mask as crate::real::Mask>::splat(true);
                $mask(v3!($xor(self.0, ones.0)))
            }
        }
        impl core::ops::BitAndAssign for $mask {
            #[inline(always)]
            fn bitand_assign(&mut self, other: Self) {
                *self = *self & other;
            }
        }
        impl core::ops::BitOrAssign for $mask {
            #[inline(always)]
            fn bitor_assign(&mut self, other: Self) {
                *self = *self | other;
            }
        }

        crate::levels::float_operators!($v, v3, $add, $sub, $mul, $div, $xor, $set1);

        impl crate::real::Real for $v {
            type Scalar = $t;
            type Mask = $mask;
            type Counts = $counts;
            const LANES: usize = $lanes;

            crate::levels::common_real_methods!(
                $v, $mask, $t, $lanes, v3, $set1, $loadu, $storeu, $fmadd, $sqrt, $min, $max,
                $cmp, $exp
            );
            #[inline(always)]
            fn abs(self) -> Self {
                $v(v3!($andnot($set1(-0.0), self.0)))
            }
            #[inline(always)]
            fn select(mask: $mask, if_true: Self, if_false: Self) -> Self {
                $v(v3!($blendv(if_false.0, if_true.0, mask.0)))
            }
            #[inline(always)]
            fn count_where(counts: $counts, active: $mask) -> $counts {
                // An active lane's mask is all ones, i.e. −1: subtracting adds 1.
                $counts(v3!($sub_int(counts.0, $to_int(active.0))))
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

avx2_float!(
    F64x4,
    M64x4,
    U64x4,
    f64,
    u64,
    4,
    __m256d,
    wide::f64x4,
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_add_pd,
    _mm256_sub_pd,
    _mm256_mul_pd,
    _mm256_div_pd,
    _mm256_fmadd_pd,
    _mm256_sqrt_pd,
    _mm256_min_pd,
    _mm256_max_pd,
    _mm256_and_pd,
    _mm256_or_pd,
    _mm256_xor_pd,
    _mm256_andnot_pd,
    _mm256_cmp_pd,
    _mm256_blendv_pd,
    _mm256_movemask_pd,
    _mm256_castpd_si256,
    _mm256_sub_epi64,
    exp_f64x4,
    two_sum = two_sum_f64x4
);

avx2_float!(
    F32x8,
    M32x8,
    U32x8,
    f32,
    u32,
    8,
    __m256,
    wide::f32x8,
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_add_ps,
    _mm256_sub_ps,
    _mm256_mul_ps,
    _mm256_div_ps,
    _mm256_fmadd_ps,
    _mm256_sqrt_ps,
    _mm256_min_ps,
    _mm256_max_ps,
    _mm256_and_ps,
    _mm256_or_ps,
    _mm256_xor_ps,
    _mm256_andnot_ps,
    _mm256_cmp_ps,
    _mm256_blendv_ps,
    _mm256_movemask_ps,
    _mm256_castps_si256,
    _mm256_sub_epi32,
    exp_f32x8
);

/// p·2^k rounded once, as `math::scale_by_pow2`: 2^k as two normal factors
/// built from the exponent bits of `shifted` (= k + the rounding shift).
#[inline(always)]
fn scale_f64x4(p: F64x4, _k: F64x4, shifted: F64x4) -> F64x4 {
    use crate::math::ROUND_SHIFT_F64;
    v3!({
        let kb = _mm256_add_epi64(
            _mm256_sub_epi64(
                _mm256_castpd_si256(shifted.0),
                _mm256_set1_epi64x(ROUND_SHIFT_F64.to_bits() as i64),
            ),
            _mm256_set1_epi64x(2 * 1024),
        );
        let k1b = _mm256_srli_epi64::<1>(kb);
        let one = _mm256_set1_epi64x(1);
        let scale1 = _mm256_slli_epi64::<52>(_mm256_sub_epi64(k1b, one));
        let scale2 = _mm256_slli_epi64::<52>(_mm256_sub_epi64(_mm256_sub_epi64(kb, k1b), one));
        F64x4(_mm256_mul_pd(
            _mm256_mul_pd(p.0, _mm256_castsi256_pd(scale1)),
            _mm256_castsi256_pd(scale2),
        ))
    })
}

#[inline(always)]
fn scale_f32x8(p: F32x8, _k: F32x8, shifted: F32x8) -> F32x8 {
    use crate::math::ROUND_SHIFT_F32;
    v3!({
        let kb = _mm256_add_epi32(
            _mm256_sub_epi32(
                _mm256_castps_si256(shifted.0),
                _mm256_set1_epi32(ROUND_SHIFT_F32.to_bits() as i32),
            ),
            _mm256_set1_epi32(2 * 128),
        );
        let k1b = _mm256_srli_epi32::<1>(kb);
        let one = _mm256_set1_epi32(1);
        let scale1 = _mm256_slli_epi32::<23>(_mm256_sub_epi32(k1b, one));
        let scale2 = _mm256_slli_epi32::<23>(_mm256_sub_epi32(_mm256_sub_epi32(kb, k1b), one));
        F32x8(_mm256_mul_ps(
            _mm256_mul_ps(p.0, _mm256_castsi256_ps(scale1)),
            _mm256_castsi256_ps(scale2),
        ))
    })
}

crate::math::exp_f64!(
    exp_f64x4,
    F64x4,
    crate::levels::clamp_keeping_nan,
    scale_f64x4
);
crate::math::exp_f32!(
    exp_f32x8,
    F32x8,
    crate::levels::clamp_keeping_nan,
    scale_f32x8
);

/// 1.0 in every lane, hidden from LLVM, which would fold an FMA by a
/// constant one back into a subtraction. The empty `asm!` emits nothing and,
/// being pure, is hoisted out of loops with the constant it hides. (A
/// `ymm` operand needs the function compiled with AVX; it inlines into its
/// callers, which are.)
#[target_feature(enable = "avx")]
#[inline]
fn opaque_one() -> __m256d {
    let mut one = _mm256_set1_pd(1.0);
    // SAFETY: the asm is empty and reads and writes nothing but the
    // register it is given.
    unsafe {
        core::arch::asm!(
            "/* {0} */",
            inout(ymm_reg) one,
            options(pure, nomem, nostack, preserves_flags)
        );
    }
    one
}

/// (a + b, its exact rounding error): Knuth's TwoSum with two of its
/// subtractions done as FMAs by one.
///
/// PERF: AMD's Zen cores have two FMA pipes beside two add pipes, and the
/// compensated sums ran all six of TwoSum's operations (and the
/// compensation's add) on the add pipes. x − y·1 rounded once is x − y, so
/// the values are Knuth's to the last bit. Measured on a Zen 4 with an
/// `x86-64-v3` build, one core: `fold::sum_slice` over 10⁶ f64 249 → 203 µs
/// with two FMAs, 176 µs with three — but three slowed midpoint, whose
/// `exp` keeps the FMA pipes busy, by 4 %; two leave it unchanged. Intel
/// cores run adds and FMAs on the same ports.
#[inline(always)]
fn two_sum_f64x4(a: F64x4, b: F64x4) -> (F64x4, F64x4) {
    let one = v3!(opaque_one());
    let s = a + b;
    let (z, s_less_z) = v3!({
        let z = _mm256_fnmadd_pd(a.0, one, s.0); // s − a
        (F64x4(z), F64x4(_mm256_fnmadd_pd(z, one, s.0))) // s − z
    });
    (s, (a - s_less_z) + (b - z))
}
