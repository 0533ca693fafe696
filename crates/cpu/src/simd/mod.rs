//! The `simd` backend: `wide` vectors on one thread (f64x4 for f64 work,
//! f32x8 for Julia and f32 Gaussian, u32x8 for Philox), with a scalar tail.

pub mod gaussian;
pub mod julia;
pub mod math;
pub mod midpoint;
pub mod pi;
