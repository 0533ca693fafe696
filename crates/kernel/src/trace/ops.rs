//! [`Real`] for [`Trace`]: every operation becomes a WGSL expression.

use core::marker::PhantomData;
use core::ops::{
    Add, AddAssign, BitAnd, BitAndAssign, BitOr, BitOrAssign, Div, DivAssign, Mul, MulAssign, Neg,
    Not, Sub, SubAssign,
};

use super::literal::literal;
use super::{Trace, TraceMask, emit, refuse};
use crate::real::{Float, Mask, Real};

macro_rules! binary {
    ($op:ident, $method:ident, $assign:ident, $assign_method:ident, $symbol:literal) => {
        impl<T: Float> $op for Trace<T> {
            type Output = Self;
            fn $method(self, rhs: Self) -> Self {
                Self::value(format!(concat!("(v{} ", $symbol, " v{})"), self.id, rhs.id))
            }
        }
        impl<T: Float> $assign for Trace<T> {
            fn $assign_method(&mut self, rhs: Self) {
                *self = $op::$method(*self, rhs);
            }
        }
    };
}

binary!(Add, add, AddAssign, add_assign, "+");
binary!(Sub, sub, SubAssign, sub_assign, "-");
binary!(Mul, mul, MulAssign, mul_assign, "*");
binary!(Div, div, DivAssign, div_assign, "/");

impl<T: Float> Neg for Trace<T> {
    type Output = Self;
    fn neg(self) -> Self {
        Self::value(format!("(-v{})", self.id))
    }
}

fn mask(expr: String) -> TraceMask {
    TraceMask {
        id: emit("bool", expr),
    }
}

impl BitAnd for TraceMask {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        mask(format!("(v{} && v{})", self.id, rhs.id))
    }
}

impl BitOr for TraceMask {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        mask(format!("(v{} || v{})", self.id, rhs.id))
    }
}

impl Not for TraceMask {
    type Output = Self;
    fn not(self) -> Self {
        mask(format!("(!v{})", self.id))
    }
}

impl BitAndAssign for TraceMask {
    fn bitand_assign(&mut self, rhs: Self) {
        *self = *self & rhs;
    }
}

impl BitOrAssign for TraceMask {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = *self | rhs;
    }
}

impl Mask for TraceMask {
    fn splat(value: bool) -> Self {
        mask(value.to_string())
    }
    fn any(self) -> bool {
        refuse("the body branches on a mask (any/all); use select instead");
        false
    }
    fn all(self) -> bool {
        refuse("the body branches on a mask (any/all); use select instead");
        false
    }
}

impl<T: Float> Trace<T> {
    fn call(name: &str, args: &[Self]) -> Self {
        let args: Vec<String> = args.iter().map(|a| format!("v{}", a.id)).collect();
        Self::value(format!("{name}({})", args.join(", ")))
    }

    fn compare(self, symbol: &str, other: Self) -> TraceMask {
        mask(format!("(v{} {symbol} v{})", self.id, other.id))
    }

    /// A function WGSL has in f32 only (sin, cos on Vulkan).
    fn f32_only(self, name: &str) -> Self {
        if T::WGSL != "f32" {
            refuse(&format!(
                "{name} has no f64 form in WGSL on Vulkan; trace in f32"
            ));
        }
        Self::call(name, &[self])
    }

    fn refused(reason: &str) -> Self {
        refuse(reason);
        Self {
            id: 0,
            lane: PhantomData,
        }
    }
}

const LANE_ACCESS: &str =
    "the body reads or builds single lanes (a closure evaluated lane by lane has no WGSL form)";

impl<T: Float> Real for Trace<T> {
    type Scalar = T;
    type Mask = TraceMask;
    type Counts = u32;
    const LANES: usize = 1;

    fn splat(value: T) -> Self {
        match literal(value) {
            Ok(text) => Self::value(text),
            Err(reason) => Self::refused(reason),
        }
    }
    fn from_f64(value: f64) -> Self {
        Self::splat(<T as Real>::from_f64(value))
    }
    fn load(_: &[T]) -> Self {
        Self::refused("the body loads from memory; a traced body takes its inputs as arguments")
    }
    fn write_to(self, _: &mut [T]) {
        refuse("the body writes to memory; a traced body returns its result");
    }
    fn lane(self, _: usize) -> T {
        refuse(LANE_ACCESS);
        T::default()
    }
    fn from_fn(_: impl FnMut(usize) -> T) -> Self {
        Self::refused(LANE_ACCESS)
    }
    fn iota() -> Self {
        Self::splat(T::default())
    }
    fn mul_add(self, a: Self, b: Self) -> Self {
        Self::call("fma", &[self, a, b])
    }
    fn fma(self, a: Self, b: Self) -> Self {
        Self::call("fma", &[self, a, b])
    }
    fn abs(self) -> Self {
        Self::call("abs", &[self])
    }
    fn sqrt(self) -> Self {
        Self::call("sqrt", &[self])
    }
    fn exp(self) -> Self {
        // WGSL's exp is not defined for f64 on Vulkan: hetero's own.
        let name = if T::WGSL == "f32" { "exp" } else { "exp_f64" };
        Self::call(name, &[self])
    }
    fn ln(self) -> Self {
        self.f32_only("log")
    }
    fn sin(self) -> Self {
        self.f32_only("sin")
    }
    fn cos(self) -> Self {
        self.f32_only("cos")
    }
    fn min(self, other: Self) -> Self {
        Self::call("min", &[self, other])
    }
    fn max(self, other: Self) -> Self {
        Self::call("max", &[self, other])
    }
    fn simd_lt(self, other: Self) -> TraceMask {
        self.compare("<", other)
    }
    fn simd_le(self, other: Self) -> TraceMask {
        self.compare("<=", other)
    }
    fn simd_gt(self, other: Self) -> TraceMask {
        self.compare(">", other)
    }
    fn simd_ge(self, other: Self) -> TraceMask {
        self.compare(">=", other)
    }
    fn simd_eq(self, other: Self) -> TraceMask {
        self.compare("==", other)
    }
    fn is_nan(self) -> TraceMask {
        self.compare("!=", self)
    }
    fn select(mask: TraceMask, if_true: Self, if_false: Self) -> Self {
        Self::value(format!(
            "select(v{}, v{}, v{})",
            if_false.id, if_true.id, mask.id
        ))
    }
    fn count_where(counts: u32, _: TraceMask) -> u32 {
        refuse("the body counts per lane; only real-valued bodies trace");
        counts
    }
    fn reduce_add(self) -> T {
        refuse("the body adds lanes together; a traced body works on one lane");
        T::default()
    }
}
