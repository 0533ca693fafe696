//! The lanes of the x86-64 levels above the baseline, written over
//! `core::arch` and chosen at run time: [`Avx2`] (v3) and [`Avx512`] (v4).
//!
//! `wide` picks its representation by `cfg(target_feature)` when it is
//! compiled, so inside a default (SSE2) build its f64x4 stays two SSE2
//! halves and its `mul_add` a multiply and an add, whatever the CPU. These
//! types are the registers themselves, with `#[inline(always)]` methods
//! that call the intrinsics — the faer/pulp design: a kernel's leaf is
//! instantiated with them inside [`Lanes::vectorize`], a function compiled
//! with the level's target features, and everything the leaf inlines is
//! compiled for the level too.
//!
//! # The contract
//! The intrinsics are sound only on a CPU that has the level. The drivers
//! call every leaf through [`Lanes::vectorize`], which checks the CPU
//! (once per leaf, a cached load) and panics rather than run v3 code on a
//! CPU without it; the engine never instantiates a level the CPU lacks
//! (`Isa::check`). Calling these types' `Real` methods in code of your own
//! outside `vectorize` is the same as calling `core::arch` intrinsics: do
//! it only where the level is known to be present.
//!
//! # Inlining
//! What is not inlined into the trampoline is compiled without the level's
//! features, and each intrinsic in it becomes a call: correct, and several
//! times slower. Every leaf and helper in this crate is therefore
//! `#[inline(always)]`; a user's kernel body should be too (a small body
//! is inlined anyway).

// The trampolines: `unsafe` calls of functions compiled for a level, each
// after the check that the CPU has it.
#![allow(unsafe_code)]

use crate::isa::Isa;
use crate::lanes::Lanes;

pub mod avx2;
pub mod avx512;

/// The arithmetic operators of a float lane type over register `.0`, with
/// `$wrap!` the module's unsafe wrapper (`v3!`, `v4!`). Negation flips the
/// sign bit, as `f64`'s and `wide`'s do.
macro_rules! float_operators {
    ($v:ident, $wrap:ident, $add:ident, $sub:ident, $mul:ident, $div:ident, $xor:ident, $set1:ident) => {
        impl core::ops::Add for $v {
            type Output = Self;
            #[inline(always)]
            fn add(self, other: Self) -> Self {
                $v($wrap!($add(self.0, other.0)))
            }
        }
        impl core::ops::Sub for $v {
            type Output = Self;
            #[inline(always)]
            fn sub(self, other: Self) -> Self {
                $v($wrap!($sub(self.0, other.0)))
            }
        }
        impl core::ops::Mul for $v {
            type Output = Self;
            #[inline(always)]
            fn mul(self, other: Self) -> Self {
                $v($wrap!($mul(self.0, other.0)))
            }
        }
        impl core::ops::Div for $v {
            type Output = Self;
            #[inline(always)]
            fn div(self, other: Self) -> Self {
                $v($wrap!($div(self.0, other.0)))
            }
        }
        impl core::ops::Neg for $v {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                $v($wrap!($xor(self.0, $set1(-0.0))))
            }
        }
        impl core::ops::AddAssign for $v {
            #[inline(always)]
            fn add_assign(&mut self, other: Self) {
                *self = *self + other;
            }
        }
        impl core::ops::SubAssign for $v {
            #[inline(always)]
            fn sub_assign(&mut self, other: Self) {
                *self = *self - other;
            }
        }
        impl core::ops::MulAssign for $v {
            #[inline(always)]
            fn mul_assign(&mut self, other: Self) {
                *self = *self * other;
            }
        }
        impl core::ops::DivAssign for $v {
            #[inline(always)]
            fn div_assign(&mut self, other: Self) {
                *self = *self / other;
            }
        }
    };
}
pub(crate) use float_operators;

/// Level v3's lanes: AVX2 registers of four f64 or eight f32, FMA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Avx2;

/// Level v4's lanes: AVX-512 registers of eight f64 or sixteen f32, with
/// comparisons in mask registers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Avx512;

impl Lanes for Avx2 {
    type F64 = avx2::F64x4;
    type F32 = avx2::F32x8;
    const NAME: &'static str = "f64x4/f32x8 (AVX2)";
    const ISA: Isa = Isa::V3;

    #[inline(always)]
    fn vectorize<T>(leaf: impl FnOnce() -> T) -> T {
        #[target_feature(enable = "avx,avx2,fma")]
        unsafe fn with_v3<T>(leaf: impl FnOnce() -> T) -> T {
            leaf()
        }
        assert_level(Isa::V3);
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { with_v3(leaf) }
    }
}

impl Lanes for Avx512 {
    type F64 = avx512::F64x8;
    type F32 = avx512::F32x16;
    const NAME: &'static str = "f64x8/f32x16 (AVX-512)";
    const ISA: Isa = Isa::V4;

    #[inline(always)]
    fn vectorize<T>(leaf: impl FnOnce() -> T) -> T {
        #[target_feature(enable = "avx,avx2,fma,avx512f,avx512dq,avx512bw,avx512vl")]
        unsafe fn with_v4<T>(leaf: impl FnOnce() -> T) -> T {
            leaf()
        }
        assert_level(Isa::V4);
        // SAFETY: the CPU has AVX-512 F/DQ/BW/VL, AVX2 and FMA (checked just
        // above).
        unsafe { with_v4(leaf) }
    }
}

/// Panics unless the CPU has `level`: only code that names a level's lanes
/// itself, bypassing the engine's check, can get here.
#[inline(always)]
fn assert_level(level: Isa) {
    if !level.is_supported() {
        level_missing(level);
    }
}

#[cold]
#[inline(never)]
fn level_missing(level: Isa) -> ! {
    panic!(
        "a leaf at level {level} was entered on a CPU without {} (it has {}); choose the level with Isa::check or the engine",
        level.needs(),
        Isa::detect()
    )
}
