//! Instruction widths as types: which [`Real`] types a kernel body is
//! instantiated with. A kernel's leaf is generic over [`Lanes`], so one
//! source runs as `scalar` (one lane) and as `simd` (the vector types),
//! inside every driver.

use core::fmt::Debug;

use crate::isa::Isa;
use crate::real::{Counts, Float, Real};

#[cfg(target_arch = "x86_64")]
pub use crate::levels::{Avx2, Avx512};

/// The lane types of one instruction width.
pub trait Lanes: Copy + Default + Debug + Send + Sync + 'static {
    /// f64 lanes: `f64` or a `wide` f64 vector.
    type F64: Real<Scalar = f64, Counts: Counts<Elem = u64>>;
    /// f32 lanes: `f32` or a `wide` f32 vector.
    type F32: Real<Scalar = f32, Counts: Counts<Elem = u32>>;
    /// A short description for reports: `scalar`, `f64x4/f32x8`.
    const NAME: &'static str;
    /// The instruction-set level these lanes need.
    const ISA: Isa = Isa::Baseline;

    /// Runs `leaf` — a kernel's leaf instantiated with these lanes — with
    /// the level's target features enabled, so that everything it inlines
    /// is compiled for the level (`levels/mod.rs`). Every driver calls
    /// leaves through it. The lanes of the build's own target need nothing:
    /// they run `leaf` as it is.
    ///
    /// # Panics
    /// If the CPU lacks [`Lanes::ISA`] — which the engine never lets
    /// happen: it checks the level once ([`Isa::check`]).
    #[inline(always)]
    fn vectorize<T>(leaf: impl FnOnce() -> T) -> T {
        leaf()
    }
}

/// One lane: plain `f64` and `f32`, libm's elementary functions. The
/// reference every other width is checked against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scalar;

impl Lanes for Scalar {
    type F64 = f64;
    type F32 = f32;
    const NAME: &'static str = "scalar";
}

/// The baseline level's vectors: `wide`'s, for the build's own target
/// features — the 512-bit f64x8 and f32x16 where the build has AVX-512F,
/// else the 256-bit f64x4 and f32x8 (two SSE2 halves on a default x86-64
/// build, NEON on aarch64). The levels above it are [`Avx2`] and
/// [`Avx512`], chosen at run time; every kernel body is the same source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Simd;

#[cfg(target_feature = "avx512f")]
impl Lanes for Simd {
    type F64 = wide::f64x8;
    type F32 = wide::f32x16;
    const NAME: &'static str = "f64x8/f32x16";
}

#[cfg(not(target_feature = "avx512f"))]
impl Lanes for Simd {
    type F64 = wide::f64x4;
    type F32 = wide::f32x8;
    const NAME: &'static str = "f64x4/f32x8";
}

/// Whether `L` is the one-lane width (for kernels whose vector leaf is a
/// hand-specialised implementation rather than the generic body).
#[inline(always)]
pub const fn is_scalar<L: Lanes>() -> bool {
    <L::F64 as Real>::LANES == 1
}

/// An array element type (`f32`, `f64`) and its lane type at each width:
/// what lets a kernel over `&[T]` be written once for both precisions.
pub trait Element: Float + bytemuck::Pod {
    /// `T`'s lanes at width `L`: `L::F64` for f64, `L::F32` for f32.
    type Vector<L: Lanes>: Real<Scalar = Self>;
}

impl Element for f64 {
    type Vector<L: Lanes> = L::F64;
}

impl Element for f32 {
    type Vector<L: Lanes> = L::F32;
}
