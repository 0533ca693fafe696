//! The numeric trait a kernel body is written against, once.
//!
//! A body generic over [`Real`] runs on one `f64` or `f32` (the `scalar`
//! backend), on `wide`'s vectors of any width (the `simd` backends), and —
//! traced — becomes WGSL for the GPU. The trait is deliberately small:
//! arithmetic, comparisons as lane masks, `select` instead of branches, and
//! the elementary functions kernels in the reference notebooks need.
//!
//! Two multiply-adds, because they promise different things:
//! [`Real::mul_add`] is the fast one (fused where the target has FMA, two
//! roundings on a baseline x86-64 build), [`Real::fma`] rounds exactly once
//! on every build (a recipe like Julia's needs it).

use core::fmt::Debug;
use core::ops::{
    Add, AddAssign, BitAnd, BitAndAssign, BitOr, BitOrAssign, Div, DivAssign, Mul, MulAssign, Neg,
    Not, Sub, SubAssign,
};

/// Per-lane booleans: the result of a comparison, the argument of `select`.
pub trait Mask:
    Copy
    + Send
    + Sync
    + Debug
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + Not<Output = Self>
    + BitAndAssign
    + BitOrAssign
{
    /// Every lane `value`.
    fn splat(value: bool) -> Self;
    /// Whether any lane is set.
    fn any(self) -> bool;
    /// Whether every lane is set.
    fn all(self) -> bool;
}

/// Unsigned per-lane counters (u32 lanes beside f32, u64 beside f64), e.g.
/// escape-time iteration counts.
pub trait Counts: Copy + Send + Sync + Debug + 'static {
    /// `u32` or `u64`.
    type Elem: Copy + Default + Send + Sync + Debug + Into<u64>;
    /// Every lane 0.
    fn zero() -> Self;
    /// Lane `i`.
    fn lane(self, i: usize) -> Self::Elem;
    /// Writes the lanes to `dst[..LANES]`.
    fn write_to(self, dst: &mut [Self::Elem]);
}

/// A real number, or a vector of them processed lane by lane.
///
/// Implemented for `f32` and `f64` (one lane) and for `wide`'s `f32x4`,
/// `f32x8`, `f32x16`, `f64x2`, `f64x4` and `f64x8`. Operators work lane-wise;
/// `LANES` says how many lanes there are.
pub trait Real:
    Copy
    + Send
    + Sync
    + Debug
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// One lane: `f32` or `f64`.
    type Scalar: Float;
    /// What comparisons return and `select` takes.
    type Mask: Mask;
    /// Unsigned counters with one lane per lane of `Self`.
    type Counts: Counts;
    /// Lanes per value.
    const LANES: usize;

    /// Every lane `value`.
    fn splat(value: Self::Scalar) -> Self;
    /// Every lane `value`, rounded to the lane type (for constants written
    /// once in f64: `R::from_f64(0.5)`).
    fn from_f64(value: f64) -> Self;
    /// Lanes from `src[..LANES]`.
    ///
    /// # Panics
    /// If `src` is shorter than `LANES`: callers hand in whole vectors.
    fn load(src: &[Self::Scalar]) -> Self;
    /// Writes the lanes to `dst[..LANES]`.
    ///
    /// # Panics
    /// If `dst` is shorter than `LANES`.
    fn write_to(self, dst: &mut [Self::Scalar]);
    /// Lane `i` (`i < LANES`).
    fn lane(self, i: usize) -> Self::Scalar;
    /// A value whose lane `i` is `f(i)`.
    fn from_fn(f: impl FnMut(usize) -> Self::Scalar) -> Self;
    /// 0, 1, 2, … in lane order.
    fn iota() -> Self {
        Self::from_fn(|i| <Self::Scalar as Real>::from_f64(i as f64))
    }

    /// self·a + b, fused where the target has FMA (so it may round twice on
    /// a baseline build). The fast choice for polynomials.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// self·a + b rounded exactly once, on every build.
    fn fma(self, a: Self, b: Self) -> Self;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    /// e^x: libm's on one lane; hetero's 2-ULP vector exp on vectors.
    fn exp(self) -> Self;
    /// The natural logarithm: libm's on one lane, `wide`'s on vectors
    /// (NaN below 0, −∞ at 0).
    fn ln(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    /// The smaller lane (NaN handling as the platform's minimum).
    fn min(self, other: Self) -> Self;
    /// The larger lane (NaN handling as the platform's maximum).
    fn max(self, other: Self) -> Self;
    /// The smaller lane where neither is NaN; with a NaN, either operand
    /// (one instruction on x86, where `min` needs a NaN test). For loops
    /// that handle NaN apart, such as a running minimum.
    #[inline(always)]
    fn fast_min(self, other: Self) -> Self {
        self.min(other)
    }
    /// The larger lane where neither is NaN; with a NaN, either operand.
    #[inline(always)]
    fn fast_max(self, other: Self) -> Self {
        self.max(other)
    }

    fn simd_lt(self, other: Self) -> Self::Mask;
    fn simd_le(self, other: Self) -> Self::Mask;
    fn simd_gt(self, other: Self) -> Self::Mask;
    fn simd_ge(self, other: Self) -> Self::Mask;
    fn simd_eq(self, other: Self) -> Self::Mask;
    fn is_nan(self) -> Self::Mask;
    /// `if_true` where `mask` is set, else `if_false`: the branch-free `if`.
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self;
    /// `counts` plus one in every lane where `active` is set.
    fn count_where(counts: Self::Counts, active: Self::Mask) -> Self::Counts;
    /// The sum of the lanes, added left to right in lane order.
    fn reduce_add(self) -> Self::Scalar;

    /// `(s, e)` lane-wise: s = self + other rounded, and e its rounding
    /// error exactly (s + e = self + other, barring overflow). Knuth's
    /// branch-free TwoSum; a build may use a shorter form, which gives the
    /// same values (the error is unique; a zero error's sign may differ).
    #[inline(always)]
    fn two_sum(self, other: Self) -> (Self, Self) {
        let s = self + other;
        let z = s - self;
        (s, (self - (s - z)) + (other - z))
    }
}

/// A single `f32` or `f64`: the lane type of every [`Real`].
pub trait Float: Real<Scalar = Self, Mask = bool> + PartialOrd + Default {
    /// `self` widened (or kept) to f64.
    fn to_f64(self) -> f64;
    /// The WGSL name of the type (`f32`, `f64`).
    const WGSL: &'static str;
    /// The largest finite value.
    const MAX: Self;
}

impl Mask for bool {
    #[inline(always)]
    fn splat(value: bool) -> Self {
        value
    }
    #[inline(always)]
    fn any(self) -> bool {
        self
    }
    #[inline(always)]
    fn all(self) -> bool {
        self
    }
}

macro_rules! scalar_counts {
    ($t:ty) => {
        impl Counts for $t {
            type Elem = $t;
            #[inline(always)]
            fn zero() -> Self {
                0
            }
            #[inline(always)]
            fn lane(self, _: usize) -> $t {
                self
            }
            #[inline(always)]
            fn write_to(self, dst: &mut [$t]) {
                dst[0] = self;
            }
        }
    };
}

scalar_counts!(u32);
scalar_counts!(u64);
