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

/// What the lane types of every level share, around register type `$reg`
/// with `$wrap!` the level's unsafe wrapper: the float vector `$v`, its
/// counters `$counts` (in `$int_reg`, zeroed by `$zero_int`), the views as
/// an array and as `wide`'s vector of the same lanes (for `sin`, `cos`).
macro_rules! lane_types {
    (
        $v:ident, $counts:ident, $t:ty, $ut:ty, $lanes:literal, $reg:ty, $int_reg:ty,
        $wide:ty, $wrap:ident, $zero_int:ident
    ) => {
        /// Lanes of this level (see the module documentation).
        #[derive(Clone, Copy, Debug)]
        #[repr(transparent)]
        pub struct $v(pub(crate) $reg);

        /// Counters beside [`
        #[doc = stringify!($v)]
        /// `], one per lane.
        #[derive(Clone, Copy, Debug)]
        #[repr(transparent)]
        pub struct $counts(pub(crate) $int_reg);

        const _: () = assert!(size_of::<$v>() == size_of::<$wide>());

        impl $v {
            #[inline(always)]
            pub(crate) fn to_array(self) -> [$t; $lanes] {
                // SAFETY: a register of LANES lanes is LANES values in lane
                // order; every bit pattern is valid for both.
                unsafe { core::mem::transmute::<$reg, [$t; $lanes]>(self.0) }
            }
            /// `wide`'s vector of the same lanes, for the functions the
            /// levels take from it (`sin`, `cos`).
            #[inline(always)]
            fn to_wide(self) -> $wide {
                // SAFETY: `wide`'s vector is `repr(C)` LANES values in lane
                // order, the same size (checked above).
                unsafe { core::mem::transmute::<$v, $wide>(self) }
            }
            #[inline(always)]
            fn from_wide(v: $wide) -> Self {
                // SAFETY: as in `to_wide`.
                unsafe { core::mem::transmute::<$wide, $v>(v) }
            }
        }

        impl crate::real::Counts for $counts {
            type Elem = $ut;
            #[inline(always)]
            fn zero() -> Self {
                $counts($wrap!($zero_int()))
            }
            #[inline(always)]
            fn lane(self, i: usize) -> $ut {
                // SAFETY: a register of LANES unsigned lanes, any bits valid.
                unsafe { core::mem::transmute::<$int_reg, [$ut; $lanes]>(self.0)[i] }
            }
            #[inline(always)]
            fn write_to(self, dst: &mut [$ut]) {
                // SAFETY: as in `lane`.
                let lanes = unsafe { core::mem::transmute::<$int_reg, [$ut; $lanes]>(self.0) };
                dst[..$lanes].copy_from_slice(&lanes);
            }
        }
    };
}
pub(crate) use lane_types;

/// The `Real` methods every level writes the same way (inside its `impl
/// Real`): construction, loads and stores, the fused multiply-adds, the
/// elementary functions, min/max (`wide`'s NaN promise: a NaN lane gives
/// the other operand), the comparisons through `$cmp` into `$mask`, and
/// the lane-ordered sum.
macro_rules! common_real_methods {
    (
        $v:ident, $mask:ident, $t:ty, $lanes:literal, $wrap:ident, $set1:ident, $loadu:ident,
        $storeu:ident, $fmadd:ident, $sqrt:ident, $min:ident, $max:ident, $cmp:ident, $exp:path
    ) => {
        #[inline(always)]
        fn splat(value: $t) -> Self {
            $v($wrap!($set1(value)))
        }
        #[inline(always)]
        fn from_f64(value: f64) -> Self {
            Self::splat(value as $t)
        }
        #[inline(always)]
        fn load(src: &[$t]) -> Self {
            let src = &src[..$lanes];
            $v($wrap!($loadu(src.as_ptr())))
        }
        #[inline(always)]
        fn write_to(self, dst: &mut [$t]) {
            let dst = &mut dst[..$lanes];
            $wrap!($storeu(dst.as_mut_ptr(), self.0))
        }
        #[inline(always)]
        fn lane(self, i: usize) -> $t {
            self.to_array()[i]
        }
        #[inline(always)]
        fn from_fn(f: impl FnMut(usize) -> $t) -> Self {
            let lanes: [$t; $lanes] = core::array::from_fn(f);
            $v($wrap!($loadu(lanes.as_ptr())))
        }
        #[inline(always)]
        fn mul_add(self, a: Self, b: Self) -> Self {
            $v($wrap!($fmadd(self.0, a.0, b.0)))
        }
        #[inline(always)]
        fn fma(self, a: Self, b: Self) -> Self {
            $v($wrap!($fmadd(self.0, a.0, b.0)))
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            $v($wrap!($sqrt(self.0)))
        }
        #[inline(always)]
        fn exp(self) -> Self {
            $exp(self)
        }
        #[inline(always)]
        fn ln(self) -> Self {
            Self::from_wide(self.to_wide().ln())
        }
        #[inline(always)]
        fn sin(self) -> Self {
            Self::from_wide(self.to_wide().sin())
        }
        #[inline(always)]
        fn cos(self) -> Self {
            Self::from_wide(self.to_wide().cos())
        }
        #[inline(always)]
        fn min(self, other: Self) -> Self {
            // x86's min gives its second operand when either is NaN.
            Self::select(other.is_nan(), self, self.fast_min(other))
        }
        #[inline(always)]
        fn max(self, other: Self) -> Self {
            Self::select(other.is_nan(), self, self.fast_max(other))
        }
        #[inline(always)]
        fn fast_min(self, other: Self) -> Self {
            $v($wrap!($min(self.0, other.0)))
        }
        #[inline(always)]
        fn fast_max(self, other: Self) -> Self {
            $v($wrap!($max(self.0, other.0)))
        }
        #[inline(always)]
        fn simd_lt(self, other: Self) -> $mask {
            $mask($wrap!($cmp::<_CMP_LT_OQ>(self.0, other.0)))
        }
        #[inline(always)]
        fn simd_le(self, other: Self) -> $mask {
            $mask($wrap!($cmp::<_CMP_LE_OQ>(self.0, other.0)))
        }
        #[inline(always)]
        fn simd_gt(self, other: Self) -> $mask {
            $mask($wrap!($cmp::<_CMP_GT_OQ>(self.0, other.0)))
        }
        #[inline(always)]
        fn simd_ge(self, other: Self) -> $mask {
            $mask($wrap!($cmp::<_CMP_GE_OQ>(self.0, other.0)))
        }
        #[inline(always)]
        fn simd_eq(self, other: Self) -> $mask {
            $mask($wrap!($cmp::<_CMP_EQ_OQ>(self.0, other.0)))
        }
        #[inline(always)]
        fn is_nan(self) -> $mask {
            $mask($wrap!($cmp::<_CMP_UNORD_Q>(self.0, self.0)))
        }
        #[inline(always)]
        fn reduce_add(self) -> $t {
            let lanes = self.to_array();
            lanes[1..].iter().fold(lanes[0], |sum, &x| sum + x)
        }
    };
}
pub(crate) use common_real_methods;

/// x clamped to [−bound, bound] with NaN lanes kept NaN, for `exp`'s range
/// reduction: x86's `min`/`max` (`fast_min`/`fast_max` at every level)
/// give their second operand when either is NaN, so with the bound first
/// a NaN x comes through (`math/clamp.rs` has the argument).
#[inline(always)]
pub(crate) fn clamp_keeping_nan<R: crate::real::Real>(x: R, bound: R::Scalar) -> R {
    R::splat(bound).fast_min(R::splat(-bound).fast_max(x))
}

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
