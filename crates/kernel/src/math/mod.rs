//! Vector elementary functions that `wide` does not provide fast enough.
//!
//! `wide`'s own `f64x4::exp` costs ~14 ns a vector on an AVX2 core: more
//! than the scalar `f64::exp` it should beat. These follow the classic
//! recipe (Cody–Waite range reduction, a polynomial on |r| ≤ ln2/2, scaling by
//! 2^k built from exponent bits) with fused multiply-adds, and stay within
//! [`hetero_core::tolerance::EXP_F64_ULP`] / `EXP_F32_ULP` of the libm result.
//! One recipe per element type, instantiated for every vector width.

use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8, u32x4, u32x8, u32x16, u64x2, u64x4, u64x8};

/// log2(e).
pub(crate) const LOG2E_F64: f64 = core::f64::consts::LOG2_E;
/// ln 2 split in two (fdlibm): the high part has 21 trailing zero bits, so
/// k·LN2_HI is exact for every k this function meets.
pub(crate) const LN2_HI_F64: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // 6.93147180369123816490e-01
pub(crate) const LN2_LO_F64: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // 1.90821492927058770002e-10
/// 1.5·2^52: adding it rounds to an integer and leaves that integer in the
/// low mantissa bits.
pub(crate) const ROUND_SHIFT_F64: f64 = 6_755_399_441_055_744.0;

/// 1/k! for k = 13 down to 2. Taylor to degree 13 leaves |r|^14/14! < 5e-18
/// relative error on |r| ≤ ln2/2, well below half an ULP.
pub(crate) const EXP_TAYLOR_F64: [f64; 12] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

pub(crate) const LOG2E_F32: f32 = core::f32::consts::LOG2_E;
/// ln 2 split for f32: the high part has 12 trailing zero bits.
pub(crate) const LN2_HI_F32: f32 = f32::from_bits(0x3F31_7200); // 0.693145751953125
pub(crate) const LN2_LO_F32: f32 = f32::from_bits(0x35BF_BE8E); // 1.42860677e-6
/// 1.5·2^23, the f32 rounding shift.
pub(crate) const ROUND_SHIFT_F32: f32 = 12_582_912.0;
/// 1/k! for k = 7 down to 2: |r|^8/8! < 6e-9, a tenth of an f32 ULP.
pub(crate) const EXP_TAYLOR_F32: [f32; 6] = [
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

macro_rules! exp_f64 {
    ($name:ident, $f:ident, $clamp:path, $scale:path) => {
        /// e^x lane-wise, within 2 ULP of `f64::exp` for every input: NaN
        /// gives NaN, results below the smallest subnormal give 0, above
        /// `f64::MAX` give +∞, and the subnormal range is rounded once.
        #[inline(always)]
        pub fn $name(x: $f) -> $f {
            // PERF: clamping keeps k in ±1155, so both halves of 2^k below
            // are normal numbers and no lane needs a slow path; e^±800
            // already under/overflows. A NaN x stays NaN through the clamp
            // and gives NaN (`clamp.rs`).
            let xc = $clamp(x, 800.0);
            let shifted = xc.mul_add(
                $f::splat($crate::math::LOG2E_F64),
                $f::splat($crate::math::ROUND_SHIFT_F64),
            );
            let k = shifted - $f::splat($crate::math::ROUND_SHIFT_F64);
            let r = (-k).mul_add($f::splat($crate::math::LN2_HI_F64), xc);
            let r = (-k).mul_add($f::splat($crate::math::LN2_LO_F64), r);

            // PERF: Estrin's scheme: the polynomial's FMAs form a tree of
            // depth 5 rather than Horner's chain of 11, so one vector's
            // evaluation no longer waits on 11 FMA latencies in a row.
            let r2 = r * r;
            let r4 = r2 * r2;
            let c = |k: usize| $f::splat($crate::math::EXP_TAYLOR_F64[11 - k]);
            let p01 = r.mul_add(c(1), c(0));
            let p23 = r.mul_add(c(3), c(2));
            let p45 = r.mul_add(c(5), c(4));
            let p67 = r.mul_add(c(7), c(6));
            let p89 = r.mul_add(c(9), c(8));
            let p1011 = r.mul_add(c(11), c(10));
            let p03 = r2.mul_add(p23, p01);
            let p47 = r2.mul_add(p67, p45);
            let p811 = r2.mul_add(p1011, p89);
            let p = (r4 * r4).mul_add(p811, r4.mul_add(p47, p03));
            // e^r = 1 + r + r²·p, with the large terms added last.
            let p = r2.mul_add(p, r) + $f::splat(1.0);
            $scale(p, k, shifted)
        }
    };
}

/// p·2^k for the rounded integers k of `shifted` (= k + the rounding
/// shift), with one rounding: 2^k as two factors 2^k1·2^k2
/// (k1 = floor((k + 2·bias)/2) − bias), so that results in the subnormal
/// range are rounded once, at the last multiply — the bits `vscalefps`
/// gives on AVX-512. `$bias` is the exponent bias + 1 (1024, 128) and
/// `$mantissa` the mantissa width (52, 23).
macro_rules! scale_by_pow2 {
    ($name:ident, $f:ident, $u:ident, $round_shift:expr, $bias:expr, $mantissa:expr) => {
        #[inline(always)]
        fn $name(p: $f, _k: $f, shifted: $f) -> $f {
            let kb = shifted.to_bits() - $u::splat($round_shift.to_bits()) + $u::splat(2 * $bias);
            let k1b = kb.unbounded_shr_scalar(1);
            let one = $u::splat(1);
            let scale1 = $f::from_bits((k1b - one).unbounded_shl_scalar($mantissa));
            let scale2 = $f::from_bits((kb - k1b - one).unbounded_shl_scalar($mantissa));
            p * scale1 * scale2
        }
    };
}

// Instantiated for the levels' lane types too (`levels/`).
#[cfg(target_arch = "x86_64")]
pub(crate) use exp_f64;

macro_rules! exp_f32 {
    ($name:ident, $f:ident, $clamp:path, $scale:path) => {
        /// e^x lane-wise in f32, within 2 ULP of `f32::exp`, with the same
        /// special-value behaviour as the f64 functions.
        #[inline(always)]
        pub fn $name(x: $f) -> $f {
            // e^±120 under/overflows f32; k stays within ±174 so 2^k1, 2^k2
            // are normal. A NaN x stays NaN, as in the f64 functions.
            let xc = $clamp(x, 120.0);
            let shifted = xc.mul_add(
                $f::splat($crate::math::LOG2E_F32),
                $f::splat($crate::math::ROUND_SHIFT_F32),
            );
            let k = shifted - $f::splat($crate::math::ROUND_SHIFT_F32);
            let r = (-k).mul_add($f::splat($crate::math::LN2_HI_F32), xc);
            let r = (-k).mul_add($f::splat($crate::math::LN2_LO_F32), r);

            // Estrin's scheme, as for f64: depth 3 rather than 5.
            let r2 = r * r;
            let c = |k: usize| $f::splat($crate::math::EXP_TAYLOR_F32[5 - k]);
            let p01 = r.mul_add(c(1), c(0));
            let p23 = r.mul_add(c(3), c(2));
            let p45 = r.mul_add(c(5), c(4));
            let p = (r2 * r2).mul_add(p45, r2.mul_add(p23, p01));
            let p = r2.mul_add(p, r) + $f::splat(1.0);
            $scale(p, k, shifted)
        }
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use exp_f32;

mod clamp;

use clamp::{clamp_f32x4, clamp_f32x8, clamp_f32x16, clamp_f64x2, clamp_f64x4, clamp_f64x8};

scale_by_pow2!(scale_f64x2, f64x2, u64x2, ROUND_SHIFT_F64, 1024, 52);
scale_by_pow2!(scale_f64x4, f64x4, u64x4, ROUND_SHIFT_F64, 1024, 52);
scale_by_pow2!(scale_f64x8, f64x8, u64x8, ROUND_SHIFT_F64, 1024, 52);
scale_by_pow2!(scale_f32x4, f32x4, u32x4, ROUND_SHIFT_F32, 128, 23);
scale_by_pow2!(scale_f32x8, f32x8, u32x8, ROUND_SHIFT_F32, 128, 23);
scale_by_pow2!(scale_f32x16, f32x16, u32x16, ROUND_SHIFT_F32, 128, 23);

exp_f64!(exp_f64x2, f64x2, clamp_f64x2, scale_f64x2);
exp_f64!(exp_f64x4, f64x4, clamp_f64x4, scale_f64x4);
exp_f64!(exp_f64x8, f64x8, clamp_f64x8, scale_f64x8);
exp_f32!(exp_f32x4, f32x4, clamp_f32x4, scale_f32x4);
exp_f32!(exp_f32x8, f32x8, clamp_f32x8, scale_f32x8);
exp_f32!(exp_f32x16, f32x16, clamp_f32x16, scale_f32x16);

#[cfg(test)]
mod tests {
    use super::*;
    use hetero_core::tolerance::{EXP_F32_ULP, EXP_F64_ULP, ulp_distance_f32, ulp_distance_f64};
    use proptest::prelude::*;

    /// The same result: the same bits, or both NaN (which NaN a width's
    /// arithmetic carries through is not promised).
    fn same(a: impl Into<f64>, b: impl Into<f64>) -> bool {
        let (a, b) = (a.into(), b.into());
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// e^x through every f64 width of `wide`: the same recipe, so the same
    /// bits. (The levels' lanes are checked in `levels/tests.rs`.)
    fn exp64(x: f64) -> f64 {
        let a = exp_f64x4(f64x4::splat(x)).to_array()[0];
        let b = exp_f64x2(f64x2::splat(x)).to_array()[1];
        let c = exp_f64x8(f64x8::splat(x)).to_array()[7];
        assert!(same(a, b), "f64x2 at {x}: {b} vs {a}");
        assert!(same(a, c), "f64x8 at {x}: {c} vs {a}");
        a
    }

    fn exp32(x: f32) -> f32 {
        let a = exp_f32x8(f32x8::splat(x)).to_array()[0];
        let b = exp_f32x4(f32x4::splat(x)).to_array()[3];
        let c = exp_f32x16(f32x16::splat(x)).to_array()[15];
        assert!(same(a, b), "f32x4 at {x}: {b} vs {a}");
        assert!(same(a, c), "f32x16 at {x}: {c} vs {a}");
        a
    }

    #[test]
    fn f64_special_values() {
        assert!(exp64(f64::NAN).is_nan());
        assert_eq!(exp64(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp64(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp64(0.0), 1.0);
        assert_eq!(exp64(-0.0), 1.0);
        assert_eq!(exp64(f64::from_bits(1)), 1.0); // subnormal input
        assert_eq!(exp64(710.0), f64::INFINITY);
        assert_eq!(exp64(-746.0), 0.0);
        assert_eq!(exp64(-1e300), 0.0);
        assert_eq!(exp64(1e300), f64::INFINITY);
    }

    #[test]
    fn f64_edges_of_the_range_and_subnormal_results() {
        let mut x = -745.2;
        while x < 709.8 {
            let d = ulp_distance_f64(exp64(x), x.exp());
            assert!(
                d <= EXP_F64_ULP,
                "exp({x}): {} vs {} ({d} ulp)",
                exp64(x),
                x.exp()
            );
            x += 0.0137;
        }
        for x in [
            709.782712893384,
            -708.4,
            -708.396_418_532_264,
            -744.440_071_921_381,
            -745.133_219_101_941,
        ] {
            assert!(
                ulp_distance_f64(exp64(x), x.exp()) <= EXP_F64_ULP,
                "exp({x})"
            );
        }
    }

    #[test]
    fn f32_special_values_and_sweep() {
        assert!(exp32(f32::NAN).is_nan());
        assert_eq!(exp32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp32(-0.0), 1.0);
        assert_eq!(exp32(89.0), f32::INFINITY);
        assert_eq!(exp32(-104.0), 0.0);
        let mut x = -103.9_f32;
        while x < 88.7 {
            let d = ulp_distance_f32(exp32(x), x.exp());
            assert!(
                d <= EXP_F32_ULP,
                "exp({x}): {} vs {} ({d} ulp)",
                exp32(x),
                x.exp()
            );
            x += 0.00731;
        }
    }

    #[test]
    fn lanes_are_independent() {
        let xs = [f64::NAN, -1.0, 800.5, -0.25];
        let got = exp_f64x4(f64x4::new(xs)).to_array();
        assert!(got[0].is_nan());
        for i in 1..4 {
            assert!(ulp_distance_f64(got[i], xs[i].exp()) <= EXP_F64_ULP);
        }
    }

    proptest! {
        #[test]
        fn f64_random(x in -745.0f64..709.0) {
            prop_assert!(ulp_distance_f64(exp64(x), x.exp()) <= EXP_F64_ULP);
        }

        #[test]
        fn f64_random_bits(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assert!(ulp_distance_f64(exp64(x), x.exp()) <= EXP_F64_ULP, "exp({})", x);
        }

        #[test]
        fn f32_random_bits(bits in any::<u32>()) {
            let x = f32::from_bits(bits);
            prop_assert!(ulp_distance_f32(exp32(x), x.exp()) <= EXP_F32_ULP, "exp({})", x);
        }
    }
}
