//! The floating-point peak: independent FMA chains in registers at the
//! build's full vector width (`hetero::kernel::lanes::Simd`, the width the
//! `simd` backends run at), in f64 and in f32.

use std::hint::black_box;
use std::time::Instant;

use hetero::kernel::Real;
use hetero::kernel::lanes::{Lanes, Simd};

/// Independent chains: FMA latency (4 cycles) × FMA ports (2) = 8 in
/// flight covers the pipes; 12 leave room and still fit the 16 vector
/// registers of AVX2 (AVX-512 has 32).
const CHAINS: usize = 12;

/// FMAs of `R` at `CHAINS` in flight, `iterations` rounds; returns the
/// accumulators so the work cannot be dropped.
#[inline(never)]
fn chains<R: Real>(iterations: u64) -> [R; CHAINS] {
    let a = R::from_f64(black_box(0.999_999_9));
    let b = R::from_f64(black_box(1e-9));
    let mut acc = [R::from_f64(1.0); CHAINS];
    for _ in 0..iterations {
        for v in &mut acc {
            *v = v.mul_add(a, b);
        }
    }
    acc
}

/// GFLOP/s of one thread (an FMA counts 2 flops per lane).
fn gflops<R: Real>(iterations: u64) -> f64 {
    black_box(chains::<R>(iterations / 8)); // bring the clock up
    let started = Instant::now();
    black_box(chains::<R>(iterations));
    let flops = iterations as f64 * (CHAINS * R::LANES * 2) as f64;
    flops / started.elapsed().as_secs_f64() / 1e9
}

/// The peak of one core and of `pool`'s threads together, for f64 and f32.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FmaPeak {
    /// The lane types measured, e.g. `f64x8/f32x16`.
    pub width: &'static str,
    pub f64_gflops_per_core: f64,
    pub f64_gflops_all_cores: f64,
    pub f32_gflops_per_core: f64,
    pub f32_gflops_all_cores: f64,
}

impl FmaPeak {
    pub fn measure(pool: &rayon::ThreadPool, quick: bool) -> Self {
        let iterations = if quick { 4_000_000 } else { 20_000_000 };
        let all = |f: fn(u64) -> f64| -> f64 { pool.broadcast(|_| f(iterations)).iter().sum() };
        type F64 = <Simd as Lanes>::F64;
        type F32 = <Simd as Lanes>::F32;
        Self {
            width: Simd::NAME,
            f64_gflops_per_core: gflops::<F64>(iterations),
            f64_gflops_all_cores: all(gflops::<F64>),
            f32_gflops_per_core: gflops::<F32>(iterations),
            f32_gflops_all_cores: all(gflops::<F32>),
        }
    }

    /// The peak of `cores` of the cores measured together (`all` of them).
    pub fn gflops(&self, cores: usize, all: usize, f32: bool) -> f64 {
        let (one, every) = if f32 {
            (self.f32_gflops_per_core, self.f32_gflops_all_cores)
        } else {
            (self.f64_gflops_per_core, self.f64_gflops_all_cores)
        };
        super::share_of_cores(one, every, cores, all)
    }
}
