//! `midpoint` with f64x4: eight subintervals per step in two independent
//! vectors, each lane with its own compensated sum.

use core::ops::Range;

use hetero_core::chunks::{MIDPOINT_CHUNK, chunk_count, chunk_range, tree_reduce};
use hetero_core::{Midpoint, Neumaier};
use wide::f64x4;

use crate::Integrand;

/// Per-lane compensated accumulator: Knuth's TwoSum, branch-free, so every
/// lane recovers the exact rounding error of each addition.
#[derive(Clone, Copy)]
struct LaneSum {
    sum: f64x4,
    compensation: f64x4,
}

impl LaneSum {
    const ZERO: Self = Self {
        sum: f64x4::ZERO,
        compensation: f64x4::ZERO,
    };

    #[inline(always)]
    fn add(&mut self, x: f64x4) {
        let t = self.sum + x;
        let z = t - self.sum;
        self.compensation += (self.sum - (t - z)) + (x - z);
        self.sum = t;
    }

    /// The lanes merged in lane order into `acc`.
    fn merge_into(self, mut acc: Neumaier) -> Neumaier {
        let (s, c) = (self.sum.to_array(), self.compensation.to_array());
        for lane in 0..4 {
            acc = acc.merge(Neumaier {
                sum: s[lane],
                compensation: c[lane],
            });
        }
        acc
    }
}

/// The compensated sum of f over the subintervals `range` (no factor h).
pub fn chunk_sum<F: Integrand + ?Sized>(spec: &Midpoint, f: &F, range: Range<u64>) -> Neumaier {
    let h = spec.h();
    let (a, hv) = (f64x4::splat(spec.a()), f64x4::splat(h));
    let (mut lo, mut hi) = (LaneSum::ZERO, LaneSum::ZERO);
    let mut i = range.start;
    // (i + ½ + lane) is exact in f64 for i < 2^52, and so is stepping it by
    // 8: the nodes are the scalar backend's nodes, bit for bit.
    let mut offset = f64x4::new([0.5, 1.5, 2.5, 3.5]) + f64x4::splat(i as f64);
    let (four, eight) = (f64x4::splat(4.0), f64x4::splat(8.0));
    // PERF: two vectors per step keep two independent exp evaluations and
    // accumulator chains in flight; one alone leaves the FMA units waiting.
    while range.end - i >= 8 {
        lo.add(f.eval_f64x4(a + offset * hv));
        hi.add(f.eval_f64x4(a + (offset + four) * hv));
        offset += eight;
        i += 8;
    }
    let mut acc = hi.merge_into(lo.merge_into(Neumaier::ZERO));
    for i in i..range.end {
        acc.add(f.eval(spec.node(i, h)));
    }
    acc
}

/// h·Σ f(a + (i+½)h) over SIMD chunk sums combined along the fixed tree, so
/// `simd-threads` returns this value bit for bit.
pub fn integrate<F: Integrand + ?Sized>(spec: &Midpoint, f: &F) -> f64 {
    let n = spec.n();
    let leaf = |c| chunk_sum(spec, f, chunk_range(c, n, MIDPOINT_CHUNK));
    let total = tree_reduce(0, chunk_count(n, MIDPOINT_CHUNK), &leaf, &Neumaier::merge);
    spec.h() * total.value()
}
