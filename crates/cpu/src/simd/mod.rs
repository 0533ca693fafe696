//! The `simd` backend: `wide` vectors on one thread (f64x4 for f64 work,
//! f32x8 for Julia and f32 Gaussian, u32x8 for Philox), with a scalar tail.

pub mod gaussian;
pub mod julia;
pub mod math;
pub mod midpoint;
pub mod pi;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
mod pi_avx2;
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
mod pi_wide;
