//! [`Real`] for `wide`'s float vectors of every width. A comparison yields a
//! vector of all-ones / all-zeros lanes, which is the mask type; counters
//! are the unsigned vector of the same lane width.

use wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8, u32x4, u32x8, u32x16, u64x2, u64x4, u64x8};

use crate::math;
use crate::real::{Counts, Mask, Real};

macro_rules! vector_real {
    ($v:ident, $t:ident, $u:ident, $ut:ident, $lanes:literal, $exp:path $(, two_sum = $two_sum:path)?) => {
        impl Mask for $v {
            #[inline(always)]
            fn splat(value: bool) -> Self {
                $v::from_bits($u::splat(if value { $ut::MAX } else { 0 }))
            }
            #[inline(always)]
            fn any(self) -> bool {
                $v::any(self)
            }
            #[inline(always)]
            fn all(self) -> bool {
                $v::all(self)
            }
        }

        impl Counts for $u {
            type Elem = $ut;
            #[inline(always)]
            fn zero() -> Self {
                $u::ZERO
            }
            #[inline(always)]
            fn lane(self, i: usize) -> $ut {
                self.as_array()[i]
            }
            #[inline(always)]
            fn write_to(self, dst: &mut [$ut]) {
                dst[..$lanes].copy_from_slice(self.as_array());
            }
        }

        impl Real for $v {
            type Scalar = $t;
            type Mask = $v;
            type Counts = $u;
            const LANES: usize = $lanes;

            #[inline(always)]
            fn splat(value: $t) -> Self {
                $v::splat(value)
            }
            #[inline(always)]
            fn from_f64(value: f64) -> Self {
                $v::splat(value as $t)
            }
            #[inline(always)]
            fn load(src: &[$t]) -> Self {
                // One bounds check, then one vector load.
                match <[$t; $lanes]>::try_from(&src[..$lanes]) {
                    Ok(lanes) => $v::new(lanes),
                    Err(_) => unreachable!("a slice of exactly LANES elements converts"),
                }
            }
            #[inline(always)]
            fn write_to(self, dst: &mut [$t]) {
                dst[..$lanes].copy_from_slice(self.as_array());
            }
            #[inline(always)]
            fn lane(self, i: usize) -> $t {
                self.as_array()[i]
            }
            #[inline(always)]
            fn from_fn(f: impl FnMut(usize) -> $t) -> Self {
                $v::new(core::array::from_fn(f))
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $v::mul_add(self, a, b)
            }
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                // `wide`'s mul_add rounds twice where the target lacks FMA (a
                // baseline x86-64 build): fall back to the correctly rounded
                // scalar fma per lane there.
                #[cfg(target_feature = "fma")]
                {
                    $v::mul_add(self, a, b)
                }
                #[cfg(not(target_feature = "fma"))]
                {
                    let (x, a, b) = (self.to_array(), a.to_array(), b.to_array());
                    $v::new(core::array::from_fn(|i| x[i].mul_add(a[i], b[i])))
                }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $v::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $v::sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $v::ln(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                $v::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                $v::cos(self)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                $v::min(self, other)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                $v::max(self, other)
            }
            #[inline(always)]
            fn fast_min(self, other: Self) -> Self {
                $v::fast_min(self, other)
            }
            #[inline(always)]
            fn fast_max(self, other: Self) -> Self {
                $v::fast_max(self, other)
            }
            #[inline(always)]
            fn simd_lt(self, other: Self) -> Self {
                $v::simd_lt(self, other)
            }
            #[inline(always)]
            fn simd_le(self, other: Self) -> Self {
                $v::simd_le(self, other)
            }
            #[inline(always)]
            fn simd_gt(self, other: Self) -> Self {
                $v::simd_gt(self, other)
            }
            #[inline(always)]
            fn simd_ge(self, other: Self) -> Self {
                $v::simd_ge(self, other)
            }
            #[inline(always)]
            fn simd_eq(self, other: Self) -> Self {
                $v::simd_eq(self, other)
            }
            #[inline(always)]
            fn is_nan(self) -> Self {
                $v::is_nan(self)
            }
            #[inline(always)]
            fn select(mask: Self, if_true: Self, if_false: Self) -> Self {
                mask.select(if_true, if_false)
            }
            #[inline(always)]
            fn count_where(counts: $u, active: Self) -> $u {
                // An active lane's mask is all ones, i.e. −1: subtracting adds 1.
                counts - active.to_bits()
            }
            $(
                #[inline(always)]
                fn two_sum(self, other: Self) -> (Self, Self) {
                    $two_sum(self, other)
                }
            )?
            #[inline(always)]
            fn reduce_add(self) -> $t {
                let lanes = self.to_array();
                lanes[1..].iter().fold(lanes[0], |sum, &x| sum + x)
            }
        }
    };
}

vector_real!(f32x4, f32, u32x4, u32, 4, math::exp_f32x4);
vector_real!(f32x8, f32, u32x8, u32, 8, math::exp_f32x8);
vector_real!(f32x16, f32, u32x16, u32, 16, math::exp_f32x16);
vector_real!(f64x2, f64, u64x2, u64, 2, math::exp_f64x2);
vector_real!(f64x4, f64, u64x4, u64, 4, math::exp_f64x4);
vector_real!(f64x8, f64, u64x8, u64, 8, math::exp_f64x8);
