//! Leaf loops every kernel shares, generic over the lane type: how a range
//! of items is walked in vectors with a one-lane tail, and how terms are
//! summed without losing their last digits.
//!
//! With one lane they are the plain loops of the `scalar` backend; with
//! vectors they keep several independent chains in flight.

use core::ops::Range;

use hetero_core::Neumaier;

use crate::function::{ElementWise, IndexTerm};
use crate::real::Real;

/// Per-lane compensated accumulator: `Real::two_sum` (Knuth's branch-free
/// TwoSum, or its equal on AVX-512DQ), so every lane recovers the exact
/// rounding error of each addition.
#[derive(Clone, Copy)]
struct LaneSum<R> {
    sum: R,
    compensation: R,
}

impl<R: Real<Scalar = f64>> LaneSum<R> {
    #[inline(always)]
    fn zero() -> Self {
        Self {
            sum: R::splat(0.0),
            compensation: R::splat(0.0),
        }
    }

    #[inline(always)]
    fn add(&mut self, x: R) {
        let (sum, error) = self.sum.two_sum(x);
        self.compensation += error;
        self.sum = sum;
    }

    /// The lanes merged in lane order into `acc`.
    #[inline(always)]
    fn merge_into(self, mut acc: Neumaier) -> Neumaier {
        for lane in 0..R::LANES {
            acc = acc.merge(Neumaier {
                sum: self.sum.lane(lane),
                compensation: self.compensation.lane(lane),
            });
        }
        acc
    }
}

/// Two vectors of terms per step, each lane with its own compensated sum;
/// the lanes merged in order (first vector's, then second's) at the end.
///
/// PERF: two vectors per step keep two independent chains (the term's
/// evaluation and the accumulation) in flight; one alone leaves the FMA
/// units waiting. Written as a plain loop over `pair(step)`, which the
/// callers hand in `#[inline(always)]`: an iterator adaptor's `next` may
/// stay out of line, and out of a level's trampoline it would be compiled
/// without the level's instructions (`levels/mod.rs`).
#[inline(always)]
fn sum_vector_pairs<R: Real<Scalar = f64>>(
    steps: u64,
    mut pair: impl FnMut(u64) -> (R, R),
) -> Neumaier {
    let (mut lo, mut hi) = (LaneSum::<R>::zero(), LaneSum::<R>::zero());
    for step in 0..steps {
        let (a, b) = pair(step);
        lo.add(a);
        hi.add(b);
    }
    hi.merge_into(lo.merge_into(Neumaier::ZERO))
}

/// Σ term(i) over `items`, compensated (no factor applied).
///
/// One lane: a Neumaier sum in index order, the `scalar` reference. Vectors:
/// `2·LANES` terms per step in two compensated vector sums, then the rest
/// one at a time. The index handed to the term is exact below 2^52.
#[inline(always)]
pub fn sum_terms<R: Real<Scalar = f64>>(
    items: Range<u64>,
    body: &(impl IndexTerm + ?Sized),
) -> Neumaier {
    sum_terms_at::<R>(items, 0.0, body)
}

/// Σ term(i + offset) over `items`, as [`sum_terms`]: for terms sampled
/// between the indices, such as midpoint's i + ½. `i + offset` must be
/// exact in f64 (for ½: i below 2^51), as it is in every lane: the vector
/// path steps `iota + start + offset` by whole numbers. PERF: the offset is
/// added once, not once per vector of terms.
#[inline(always)]
pub fn sum_terms_at<R: Real<Scalar = f64>>(
    items: Range<u64>,
    offset: f64,
    body: &(impl IndexTerm + ?Sized),
) -> Neumaier {
    if R::LANES == 1 {
        let mut acc = Neumaier::ZERO;
        for i in items {
            acc.add(body.term(i as f64 + offset));
        }
        return acc;
    }
    let lanes = R::LANES as u64;
    let steps = (items.end - items.start) / (2 * lanes);
    let vector_end = items.start + steps * 2 * lanes;
    // i + offset + lane is exact (above), and so is stepping it by 2·LANES.
    let mut index = R::iota() + R::splat(items.start as f64 + offset);
    let (step, half) = (R::splat((2 * lanes) as f64), R::splat(lanes as f64));
    let mut acc = sum_vector_pairs(
        steps,
        #[inline(always)]
        |_| {
            let pair = (body.term(index), body.term(index + half));
            index += step;
            pair
        },
    );
    for i in vector_end..items.end {
        acc.add(body.term(i as f64 + offset));
    }
    acc
}

/// [`sum_terms_at`] with the terms computed a block at a time:
/// `terms(indices, out)` writes the terms of up to
/// [`crate::tape::BLOCK_VECTORS`] vectors of indices, lane after lane in
/// plain `f64`s (what [`crate::tape::Tape::eval_block`] reads and writes),
/// and `one(i)` gives one term of the one-lane paths. When they compute
/// what a body's `term` does lane by lane, the sum is [`sum_terms_at`]'s
/// bit for bit: the same index vectors, added to the same two compensated
/// sums in the same order. (For bodies run by interpretation, where
/// calling them once per vector would cost more than the arithmetic: a
/// tape.)
///
/// # Panics
/// If `R` has more than [`MAX_F64_LANES`] lanes.
#[inline(always)]
pub fn sum_terms_at_blocked<R: Real<Scalar = f64>>(
    items: Range<u64>,
    offset: f64,
    mut terms: impl FnMut(&[f64], &mut [f64]),
    one: impl Fn(f64) -> f64,
) -> Neumaier {
    const BLOCK: usize = crate::tape::BLOCK_VECTORS;
    if R::LANES == 1 {
        let mut acc = Neumaier::ZERO;
        for i in items {
            acc.add(one(i as f64 + offset));
        }
        return acc;
    }
    let lanes = R::LANES;
    assert!(lanes <= MAX_F64_LANES);
    let steps = (items.end - items.start) / (2 * lanes as u64);
    let vector_end = items.start + steps * 2 * lanes as u64;
    let mut index = R::iota() + R::splat(items.start as f64 + offset);
    let (step, half) = (R::splat((2 * lanes) as f64), R::splat(lanes as f64));
    let (mut lo, mut hi) = (LaneSum::<R>::zero(), LaneSum::<R>::zero());
    let mut indices = [0.0; BLOCK * MAX_F64_LANES];
    let mut values = [0.0; BLOCK * MAX_F64_LANES];
    let mut done = 0u64;
    while done < steps {
        let pairs = ((steps - done) as usize).min(BLOCK / 2);
        let n = 2 * pairs * lanes;
        let (indices, values) = (&mut indices[..n], &mut values[..n]);
        let mut at = 0;
        while at + 2 * lanes <= n {
            index.write_to(&mut indices[at..at + lanes]);
            (index + half).write_to(&mut indices[at + lanes..at + 2 * lanes]);
            index += step;
            at += 2 * lanes;
        }
        terms(indices, values);
        let mut at = 0;
        while at + 2 * lanes <= n {
            lo.add(R::load(&values[at..at + lanes]));
            hi.add(R::load(&values[at + lanes..at + 2 * lanes]));
            at += 2 * lanes;
        }
        done += pairs as u64;
    }
    let mut acc = hi.merge_into(lo.merge_into(Neumaier::ZERO));
    for i in vector_end..items.end {
        acc.add(one(i as f64 + offset));
    }
    acc
}

/// The widest `f64` vector of any level (AVX-512: 8 lanes), which sizes
/// [`sum_terms_at_blocked`]'s buffers.
pub const MAX_F64_LANES: usize = 8;

/// Σ data\[i\], compensated, with the same order of operations as
/// [`sum_terms`] (two vectors per step, then the tail).
#[inline(always)]
pub fn sum_slice<R: Real<Scalar = f64>>(data: &[f64]) -> Neumaier {
    if R::LANES == 1 {
        let mut acc = Neumaier::ZERO;
        for &x in data {
            acc.add(x);
        }
        return acc;
    }
    // The same order as `sum_vector_pairs`, over exact chunks (so the
    // loads need no bounds checks) in a plain loop.
    let (mut lo, mut hi) = (LaneSum::<R>::zero(), LaneSum::<R>::zero());
    // PERF: two pairs per iteration (the same additions in the same
    // order): LLVM unrolled the loop so in a build for the CPU, not inside
    // a level's trampoline, and the memory-bound `sum` ran 10 % slower
    // without it (10⁶·16 f64, AVX-512, both cores).
    let mut quads = data.chunks_exact(4 * R::LANES);
    for quad in quads.by_ref() {
        lo.add(R::load(quad));
        hi.add(R::load(&quad[R::LANES..]));
        lo.add(R::load(&quad[2 * R::LANES..]));
        hi.add(R::load(&quad[3 * R::LANES..]));
    }
    let mut pairs = quads.remainder().chunks_exact(2 * R::LANES);
    for pair in pairs.by_ref() {
        lo.add(R::load(pair));
        hi.add(R::load(&pair[R::LANES..]));
    }
    let mut acc = hi.merge_into(lo.merge_into(Neumaier::ZERO));
    for &x in pairs.remainder() {
        acc.add(x);
    }
    acc
}

/// out\[k\] = f(inputs\[0\]\[k\], …) for every k: whole vectors of `R`, then the
/// tail one lane at a time.
///
/// # Panics
/// If an input is shorter than `out` (kernels check lengths up front).
#[inline(always)]
pub fn map_elements<R: Real, const N: usize>(
    body: &(impl ElementWise<N> + ?Sized),
    inputs: [&[R::Scalar]; N],
    out: &mut [R::Scalar],
) {
    let (n, lanes) = (out.len(), R::LANES);
    // Every input is cut to `n`: the precondition, checked once here.
    let inputs = inputs.map(|input| &input[..n]);
    let (vectors, tail) = out.split_at_mut(n / lanes * lanes);
    for (k, o) in vectors.chunks_exact_mut(lanes).enumerate() {
        let at = k * lanes;
        #[allow(unsafe_code)]
        let args: [R; N] = core::array::from_fn(
            #[inline(always)]
            |j| {
                // SAFETY: `at + lanes <= vectors.len() <= n == inputs[j].len()`.
                // PERF: the optimiser cannot see that through the array of
                // inputs, and the checks cost 10 % of the Gaussian kernel.
                R::load(unsafe { inputs[j].get_unchecked(at..at + lanes) })
            },
        );
        body.eval(args).write_to(o);
    }
    let whole = vectors.len();
    for (k, o) in tail.iter_mut().enumerate() {
        *o = body.eval::<R::Scalar>(core::array::from_fn(|j| inputs[j][whole + k]));
    }
}
