//! The machine's own limits, measured once per run, so each result can be
//! shown as a fraction of the ceiling that bounds it.

use std::hint::black_box;
use std::time::Instant;

use rayon::prelude::*;
use wide::f64x4;

/// Measured limits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Ceilings {
    /// f64 GFLOP/s of one core running independent FMA chains in registers
    /// (an FMA counts as 2 flops). f32 is twice this (twice the lanes).
    pub fma_gflops_per_core: f64,
    /// The same on every core at once.
    pub fma_gflops_all_cores: f64,
    /// STREAM-like triad a[i] = b[i] + s·c[i] on every core, GB/s
    /// (24 bytes counted per element, as STREAM does).
    pub triad_gbs: f64,
}

/// 12 independent FMA chains on f64x4: enough to cover the FMA latency on
/// two ports, with everything in registers.
fn fma_kernel(iterations: u64) -> f64 {
    let a = f64x4::splat(black_box(0.999_999_9));
    let b = f64x4::splat(black_box(1e-9));
    let mut acc = [f64x4::splat(1.0); 12];
    for _ in 0..iterations {
        for v in &mut acc {
            *v = v.mul_add(a, b);
        }
    }
    acc.iter().map(|v| v.reduce_add()).sum()
}

const FLOPS_PER_ITERATION: f64 = 12.0 * 4.0 * 2.0;

fn fma_gflops(iterations: u64) -> f64 {
    black_box(fma_kernel(iterations / 10)); // warm up the clock
    let started = Instant::now();
    black_box(fma_kernel(iterations));
    iterations as f64 * FLOPS_PER_ITERATION / started.elapsed().as_secs_f64() / 1e9
}

fn triad_gbs(elements: usize, repeats: u32) -> f64 {
    let b = vec![1.0f64; elements];
    let c = vec![2.0f64; elements];
    let mut a = vec![0.0f64; elements];
    let s = black_box(3.0);
    let mut best = f64::MAX;
    for _ in 0..repeats {
        let started = Instant::now();
        a.par_chunks_mut(1 << 16)
            .zip(b.par_chunks(1 << 16))
            .zip(c.par_chunks(1 << 16))
            .for_each(|((a, b), c)| {
                for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                    *a = b + s * c;
                }
            });
        best = best.min(started.elapsed().as_secs_f64());
        black_box(&a);
    }
    24.0 * elements as f64 / best / 1e9
}

/// Measures the ceilings; `quick` uses shorter runs and smaller arrays.
pub fn measure(quick: bool) -> Ceilings {
    let iterations = if quick { 20_000_000 } else { 60_000_000 };
    let per_core = fma_gflops(iterations);
    let all: f64 = (0..rayon::current_num_threads())
        .into_par_iter()
        .map(|_| fma_gflops(iterations))
        .sum();
    // 3 arrays of 8 M f64 (192 MB) or 32 M (768 MB): well past the caches.
    let elements = if quick { 8 << 20 } else { 32 << 20 };
    Ceilings {
        fma_gflops_per_core: per_core,
        fma_gflops_all_cores: all,
        triad_gbs: triad_gbs(elements, if quick { 3 } else { 5 }),
    }
}

/// Approximate f64 flops per element of each kernel, counted from the SIMD
/// source (an FMA is 2): what a result is set against the FMA ceiling with.
pub mod flops {
    /// Node (2) + exp(−x²): square and negate (2), reduction (6), 12 FMAs
    /// (24), final terms (4), scaling (2) + TwoSum (6).
    pub const MIDPOINT: f64 = 46.0;
    /// f32: difference and argument (3), exp: reduction (6), 6 FMAs (12),
    /// final terms (4), scaling (2). Counted in f32 flops.
    pub const GAUSSIAN_F32: f64 = 27.0;
    /// f32 per iteration: zr², zi², |z|², 2·zr, the fma (2), zr² − zi², + cr.
    pub const JULIA_ITERATION_F32: f64 = 8.0;
    /// Bytes moved per Gaussian f32 element: x and y read, z written.
    pub const GAUSSIAN_F32_BYTES: f64 = 12.0;
}
