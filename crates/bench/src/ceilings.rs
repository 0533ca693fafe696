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

impl Ceilings {
    /// The share of the FMA peak of `cores` cores that `flops` floating-point
    /// operations in `seconds` reach (f32 lanes: twice the f64 peak).
    pub fn fma_share(&self, flops: f64, seconds: f64, cores: usize, f32: bool) -> f64 {
        let peak = self.fma_gflops_per_core * 1e9 * cores.max(1) as f64;
        flops / seconds / if f32 { 2.0 * peak } else { peak }
    }

    /// The share of the memory bandwidth that `bytes` moved in `seconds` reach.
    pub fn memory_share(&self, bytes: f64, seconds: f64) -> f64 {
        bytes / seconds / (self.triad_gbs * 1e9)
    }
}
