//! [`Real`] for one `f32` or `f64`: the `scalar` backend's arithmetic, and
//! the tail of every vector loop. Elementary functions are libm's.

use crate::real::{Float, Real};

macro_rules! scalar_real {
    ($t:ident, $counts:ty, $wgsl:literal) => {
        impl Real for $t {
            type Scalar = $t;
            type Mask = bool;
            type Counts = $counts;
            const LANES: usize = 1;

            #[inline(always)]
            fn splat(value: $t) -> Self {
                value
            }
            #[inline(always)]
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            #[inline(always)]
            fn load(src: &[$t]) -> Self {
                src[0]
            }
            #[inline(always)]
            fn write_to(self, dst: &mut [$t]) {
                dst[0] = self;
            }
            #[inline(always)]
            fn lane(self, _: usize) -> $t {
                self
            }
            #[inline(always)]
            fn from_fn(mut f: impl FnMut(usize) -> $t) -> Self {
                f(0)
            }
            #[inline(always)]
            fn iota() -> Self {
                0.0
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                // PERF: libm's fma is a slow correctly rounded emulation
                // where the target lacks FMA; this one may round twice.
                #[cfg(target_feature = "fma")]
                {
                    <$t>::mul_add(self, a, b)
                }
                #[cfg(not(target_feature = "fma"))]
                {
                    self * a + b
                }
            }
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline(always)]
            fn fast_min(self, other: Self) -> Self {
                if other < self { other } else { self }
            }
            #[inline(always)]
            fn fast_max(self, other: Self) -> Self {
                if other > self { other } else { self }
            }
            #[inline(always)]
            fn simd_lt(self, other: Self) -> bool {
                self < other
            }
            #[inline(always)]
            fn simd_le(self, other: Self) -> bool {
                self <= other
            }
            #[inline(always)]
            fn simd_gt(self, other: Self) -> bool {
                self > other
            }
            #[inline(always)]
            fn simd_ge(self, other: Self) -> bool {
                self >= other
            }
            #[inline(always)]
            fn simd_eq(self, other: Self) -> bool {
                self == other
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn select(mask: bool, if_true: Self, if_false: Self) -> Self {
                if mask { if_true } else { if_false }
            }
            #[inline(always)]
            fn count_where(counts: $counts, active: bool) -> $counts {
                counts + <$counts>::from(active)
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                self
            }
        }

        impl Float for $t {
            const WGSL: &'static str = $wgsl;
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
        }
    };
}

scalar_real!(f32, u32, "f32");
scalar_real!(f64, u64, "f64");
