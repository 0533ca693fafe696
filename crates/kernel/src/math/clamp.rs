//! x clamped to [−bound, bound] with NaN lanes kept NaN: what `exp`'s range
//! reduction needs (finite inputs of bounded size), in as few instructions
//! as each build allows.
//!
//! x86's `max`/`min` return their *second* operand when either is NaN, so
//! `min(bound, max(−bound, x))` carries a NaN x through, and the NaN then
//! flows through the rest of `exp` to a NaN result: no compare and blend
//! at the end. PERF: those two instructions were 2 of the ~33 per vector of
//! midpoint's exp(−x²). (AVX-512DQ's `vrange` would clamp in one, but it
//! returns the bound for a NaN x.) Where the width has no x86 form (a
//! baseline build's 256- and 512-bit vectors, other targets): the clamp,
//! then a NaN select.

// Intrinsics of the instruction set this module is compiled for: every
// unsafe block says why its target features are present.
#![allow(unsafe_code)]

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;
use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8};

/// `min(bound, max(−bound, x))` with the intrinsics `$max` and `$min` over
/// the register type `$reg`, compiled where the build has `$feature`.
macro_rules! clamp_keeping_nan {
    ($name:ident, $v:ident, $t:ty, $feature:literal, $reg:ty, $max:ident, $min:ident) => {
        #[inline(always)]
        pub(super) fn $name(x: $v, bound: $t) -> $v {
            #[cfg(all(target_arch = "x86_64", target_feature = $feature))]
            {
                const _: () = assert!(size_of::<$v>() == size_of::<$reg>());
                // SAFETY: the vector and the register are the same number of
                // lanes of the same type in the same order (size checked
                // above), every bit pattern valid for both; the intrinsics
                // need `$feature`, which this block is compiled only with.
                unsafe {
                    let reg = |v: $v| core::mem::transmute::<$v, $reg>(v);
                    let (lower, upper) = (reg($v::splat(-bound)), reg($v::splat(bound)));
                    // The bound first: with a NaN x, both return x.
                    core::mem::transmute::<$reg, $v>($min(upper, $max(lower, reg(x))))
                }
            }
            #[cfg(not(all(target_arch = "x86_64", target_feature = $feature)))]
            {
                // The portable form: any clamp, then NaN lanes put back.
                let clamped = x.fast_max($v::splat(-bound)).fast_min($v::splat(bound));
                x.is_nan().select(x, clamped)
            }
        }
    };
}

clamp_keeping_nan!(
    clamp_f64x2,
    f64x2,
    f64,
    "sse2",
    __m128d,
    _mm_max_pd,
    _mm_min_pd
);
clamp_keeping_nan!(
    clamp_f32x4,
    f32x4,
    f32,
    "sse2",
    __m128,
    _mm_max_ps,
    _mm_min_ps
);
clamp_keeping_nan!(
    clamp_f64x4,
    f64x4,
    f64,
    "avx",
    __m256d,
    _mm256_max_pd,
    _mm256_min_pd
);
clamp_keeping_nan!(
    clamp_f32x8,
    f32x8,
    f32,
    "avx",
    __m256,
    _mm256_max_ps,
    _mm256_min_ps
);
clamp_keeping_nan!(
    clamp_f64x8,
    f64x8,
    f64,
    "avx512f",
    __m512d,
    _mm512_max_pd,
    _mm512_min_pd
);
clamp_keeping_nan!(
    clamp_f32x16,
    f32x16,
    f32,
    "avx512f",
    __m512,
    _mm512_max_ps,
    _mm512_min_ps
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every width: inside values unchanged, outside ones at the bound with
    /// their sign, ±∞ at ±bound, and NaN still NaN (the lane order checks
    /// that no lane is mixed up).
    #[test]
    fn clamps_and_keeps_nan_at_every_width() {
        let inputs = [
            0.5,
            -3.0,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -0.0,
            800.0,
            -801.0,
            799.9,
            f64::MIN_POSITIVE,
            -f64::NAN,
            2.0,
            -2.0,
            1e-310,
        ];
        // Both element types checked in f64 (every f32 widens exactly).
        fn check(got: &[f64], xs: &[f64], bound: f64, width: &str) {
            for (&g, &x) in got.iter().zip(xs) {
                let want = if x.is_nan() {
                    x
                } else {
                    x.clamp(-bound, bound)
                };
                assert!(
                    g.is_nan() == want.is_nan() && (g.is_nan() || g == want),
                    "{width} clamp({x}) to ±{bound} gave {g}, want {want}"
                );
            }
        }
        let widen = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
        for chunk in inputs.chunks(2) {
            let got = clamp_f64x2(f64x2::new(chunk.try_into().unwrap()), 800.0);
            check(got.as_array(), chunk, 800.0, "f64x2");
        }
        for chunk in inputs.chunks(4) {
            let got = clamp_f64x4(f64x4::new(chunk.try_into().unwrap()), 800.0);
            check(got.as_array(), chunk, 800.0, "f64x4");
        }
        for chunk in inputs.chunks(8) {
            let got = clamp_f64x8(f64x8::new(chunk.try_into().unwrap()), 800.0);
            check(got.as_array(), chunk, 800.0, "f64x8");
        }
        let inputs32: [f32; 16] = inputs.map(|x| x as f32);
        for chunk in inputs32.chunks(4) {
            let got = clamp_f32x4(f32x4::new(chunk.try_into().unwrap()), 120.0);
            check(&widen(got.as_array()), &widen(chunk), 120.0, "f32x4");
        }
        for chunk in inputs32.chunks(8) {
            let got = clamp_f32x8(f32x8::new(chunk.try_into().unwrap()), 120.0);
            check(&widen(got.as_array()), &widen(chunk), 120.0, "f32x8");
        }
        let got = clamp_f32x16(f32x16::new(inputs32), 120.0);
        check(&widen(got.as_array()), &widen(&inputs32), 120.0, "f32x16");
    }
}
