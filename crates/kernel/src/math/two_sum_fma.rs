//! `Real::two_sum` for f64x4 on AVX2 + FMA builds: Knuth's TwoSum with two
//! of its subtractions done as FMAs by one.
//!
//! PERF: AMD's Zen cores have two FMA pipes beside two add pipes, and the
//! compensated sums ran all six of TwoSum's operations (and the
//! compensation's add) on the add pipes. x − y·1 rounded once is x − y, so
//! the values are Knuth's to the last bit. Measured on a Zen 4 with an
//! `x86-64-v3` build, one core: `fold::sum_slice` over 10⁶ f64 249 → 203 µs
//! with two FMAs, 176 µs with three — but three slowed midpoint, whose
//! `exp` keeps the FMA pipes busy, by 4 %; two leave it unchanged. Intel
//! cores run adds and FMAs on the same ports.
//!
//! This module exists only in builds with AVX2 and FMA in their target
//! features (`mod.rs`): that is the SAFETY argument of each `unsafe` block.

// Intrinsics of the instruction set this module is compiled for: every
// unsafe block says why its target features are present.
#![allow(unsafe_code)]

use core::arch::x86_64::{__m256d, _mm256_fnmadd_pd, _mm256_set1_pd};
use wide::f64x4;

const _: () = assert!(size_of::<f64x4>() == size_of::<__m256d>());

#[inline(always)]
fn m256d(v: f64x4) -> __m256d {
    // SAFETY: f64x4 and __m256d are 32 bytes of four f64 lanes; every bit
    // pattern is valid for both.
    unsafe { core::mem::transmute::<f64x4, __m256d>(v) }
}

#[inline(always)]
fn f64x4(v: __m256d) -> f64x4 {
    // SAFETY: as for `m256d`.
    unsafe { core::mem::transmute::<__m256d, f64x4>(v) }
}

/// 1.0 in every lane, hidden from LLVM, which would fold an FMA by a
/// constant one back into a subtraction. The empty `asm!` emits nothing and,
/// being pure, is hoisted out of loops with the constant it hides.
#[inline(always)]
fn opaque_one() -> __m256d {
    // SAFETY: see the module documentation; the asm is empty and reads and
    // writes nothing but the register it is given.
    unsafe {
        let mut one = _mm256_set1_pd(1.0);
        core::arch::asm!(
            "/* {0} */",
            inout(ymm_reg) one,
            options(pure, nomem, nostack, preserves_flags)
        );
        one
    }
}

/// (a + b, its exact rounding error), as `Real::two_sum`'s default.
#[inline(always)]
pub fn two_sum_f64x4(a: f64x4, b: f64x4) -> (f64x4, f64x4) {
    let one = opaque_one();
    let s = a + b;
    // SAFETY: see the module documentation.
    let (z, s_less_z) = unsafe {
        let z = _mm256_fnmadd_pd(m256d(a), one, m256d(s)); // s − a
        (z, _mm256_fnmadd_pd(z, one, m256d(s))) // s − z
    };
    (s, (a - f64x4(s_less_z)) + (b - f64x4(z)))
}
