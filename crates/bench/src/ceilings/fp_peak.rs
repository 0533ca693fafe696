//! The floating-point peak: independent FMA chains in registers at the
//! build's full vector width (`hetero::kernel::lanes::Simd`, the width the
//! `simd` backends run at), in f64 and in f32 — and FMA chains beside add
//! chains, because some cores add on pipes of their own (AMD Zen: two FMA
//! and two add pipes), where a kernel that adds as well as fuses beats an
//! FMA-only peak. The peak is the better of the two; on cores whose adds
//! share the FMA ports (Intel) the FMA-only probe is the better one.

use std::hint::black_box;
use std::time::Instant;

use hetero::kernel::Real;
use hetero::kernel::lanes::{Lanes, Simd};

/// Independent chains: FMA latency (4 cycles) × FMA ports (2) = 8 in
/// flight covers the pipes; 12 leave room and still fit the 16 vector
/// registers of AVX2 (AVX-512 has 32).
const CHAINS: usize = 12;

/// FMA and add chains in the mixed probe: as many adds as FMAs where the
/// 32 AVX-512 registers hold them, else what fits in 16 with the two
/// operands (enough for two FMA pipes of latency 4 and two add pipes of
/// latency 3).
const MIXED_FMA: usize = if cfg!(target_feature = "avx512f") {
    12
} else {
    8
};
const MIXED_ADD: usize = if cfg!(target_feature = "avx512f") {
    12
} else {
    6
};

/// `FMAS` FMA chains and `ADDS` add chains of `R`, interleaved, `iterations`
/// rounds; returns the accumulators so the work cannot be dropped.
#[inline(never)]
fn chains<R: Real, const FMAS: usize, const ADDS: usize>(
    iterations: u64,
) -> ([R; FMAS], [R; ADDS]) {
    let a = R::from_f64(black_box(0.999_999_9));
    let b = R::from_f64(black_box(1e-9));
    let mut fused = [R::from_f64(1.0); FMAS];
    let mut added = [R::from_f64(1.0); ADDS];
    for _ in 0..iterations {
        for v in &mut fused {
            *v = v.mul_add(a, b);
        }
        for v in &mut added {
            *v += b;
        }
    }
    (fused, added)
}

/// GFLOP/s of one thread (an FMA counts 2 flops per lane, an add 1): the
/// better of the FMA-only and the mixed probe, and the FMA-only one.
fn gflops<R: Real>(iterations: u64) -> (f64, f64) {
    black_box(chains::<R, CHAINS, 0>(iterations / 8)); // bring the clock up
    let rate = |flops_per_iteration: usize, run: &dyn Fn()| {
        let started = Instant::now();
        run();
        (iterations * (flops_per_iteration * R::LANES) as u64) as f64
            / started.elapsed().as_secs_f64()
            / 1e9
    };
    let fma_only = rate(CHAINS * 2, &|| {
        black_box(chains::<R, CHAINS, 0>(iterations));
    });
    let mixed = rate(MIXED_FMA * 2 + MIXED_ADD, &|| {
        black_box(chains::<R, MIXED_FMA, MIXED_ADD>(iterations));
    });
    (fma_only.max(mixed), fma_only)
}

/// The peak of one core and of `pool`'s threads together, for f64 and f32.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FpPeak {
    /// The lane types measured, e.g. `f64x8/f32x16`.
    pub width: &'static str,
    pub f64_gflops_per_core: f64,
    pub f64_gflops_all_cores: f64,
    pub f32_gflops_per_core: f64,
    pub f32_gflops_all_cores: f64,
    /// One core's FMA-only figures, shown beside the peak where adds on
    /// their own pipes raise it.
    pub f64_fma_only_gflops_per_core: f64,
    pub f32_fma_only_gflops_per_core: f64,
}

impl FpPeak {
    pub fn measure(pool: &rayon::ThreadPool, quick: bool) -> Self {
        let iterations = if quick { 4_000_000 } else { 20_000_000 };
        let all =
            |f: fn(u64) -> (f64, f64)| -> f64 { pool.broadcast(|_| f(iterations).0).iter().sum() };
        type F64 = <Simd as Lanes>::F64;
        type F32 = <Simd as Lanes>::F32;
        let (f64_one, f64_fma_only) = gflops::<F64>(iterations);
        let (f32_one, f32_fma_only) = gflops::<F32>(iterations);
        Self {
            width: Simd::NAME,
            f64_gflops_per_core: f64_one,
            f64_gflops_all_cores: all(gflops::<F64>),
            f32_gflops_per_core: f32_one,
            f32_gflops_all_cores: all(gflops::<F32>),
            f64_fma_only_gflops_per_core: f64_fma_only,
            f32_fma_only_gflops_per_core: f32_fma_only,
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
