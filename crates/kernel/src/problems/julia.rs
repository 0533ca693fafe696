//! `julia`: escape-time counts of z ← z² + c, a map over the rows of an
//! image (one item = one row of `width` counts). GPU twin:
//! `shaders/julia.wgsl`.
//!
//! The recipe (see `hetero_core::julia`): `2·zr·zi + ci` rounded once (a
//! true fused multiply-add on every build), `zr² − zi² + cr` plain f32 left
//! to right. One generic body runs on one lane and on vectors; every width
//! gives the same counts bit for bit.

use core::ops::Range;

use hetero_core::Julia;

use crate::kernel::{MapKernel, Mapping};
use crate::lanes::Lanes;
use crate::real::{Counts, Mask, Real};

/// Vectors iterated together. PERF: the escape loop is latency-bound (each
/// step waits on the last multiply); one vector gave 4.5× scalar, two 7×,
/// four 8.5–9× on an AVX2 core. More lanes per group waste more work on
/// pixels that escaped early while a neighbour still iterates.
const INTERLEAVE: usize = 4;

/// Iterates `N` values of pixels at once until every lane has escaped or
/// reached `maxiters`; returns the counts.
///
/// Lanes that escaped keep being iterated (their values may overflow to
/// ∞/NaN), but `active` only ever loses lanes, so their counts stay frozen.
/// All active lanes have count == iteration, so the one-lane loop's
/// `count < maxiters` is the loop bound here.
#[inline(always)]
fn escape<R: Real<Scalar = f32>, const N: usize>(
    zr0: [R; N],
    zi0: R,
    (cr, ci): (R, R),
    maxiters: u32,
) -> [R::Counts; N] {
    let (two, four) = (R::splat(2.0), R::splat(4.0));
    let mut zr = zr0;
    let mut zi = [zi0; N];
    let mut active = [R::Mask::splat(true); N];
    let mut counts = [R::Counts::zero(); N];
    for _ in 0..maxiters {
        let mut any = R::Mask::splat(false);
        for v in 0..N {
            active[v] &= (zr[v] * zr[v] + zi[v] * zi[v]).simd_le(four);
            any |= active[v];
        }
        if !any.any() {
            break;
        }
        // PERF: the N chains are independent, so their multiply latencies
        // overlap; one vector alone is latency-bound.
        for v in 0..N {
            // 2·zr is exact, so this is round(2·zr·zi + ci): one rounding,
            // as the notebook's f64 evaluation rounded to f32.
            let zi_next = (two * zr[v]).fma(zi[v], ci);
            zr[v] = zr[v] * zr[v] - zi[v] * zi[v] + cr;
            zi[v] = zi_next;
            counts[v] = R::count_where(counts[v], active[v]);
        }
    }
    counts
}

/// One row's counts: blocks of `INTERLEAVE` vectors, then single vectors,
/// then the tail one pixel at a time.
#[inline]
fn row_counts<R: Real<Scalar = f32, Counts: Counts<Elem = u32>>>(
    column_starts: &[f32],
    zi0: f32,
    c: (f32, f32),
    maxiters: u32,
    out: &mut [u32],
) {
    let (lanes, ziv, cv) = (R::LANES, R::splat(zi0), (R::splat(c.0), R::splat(c.1)));
    let mut done = 0;
    if lanes > 1 {
        let block = INTERLEAVE * lanes;
        for (o, zr) in out
            .chunks_exact_mut(block)
            .zip(column_starts.chunks_exact(block))
        {
            let zr: [R; INTERLEAVE] = core::array::from_fn(|v| R::load(&zr[v * lanes..]));
            for (v, counts) in escape(zr, ziv, cv, maxiters).into_iter().enumerate() {
                counts.write_to(&mut o[v * lanes..]);
            }
        }
        done = out.len() / block * block;
    }
    for (o, zr) in out[done..]
        .chunks_exact_mut(lanes)
        .zip(column_starts[done..].chunks_exact(lanes))
    {
        let [counts] = escape([R::load(zr)], ziv, cv, maxiters);
        counts.write_to(o);
    }
    done += (out.len() - done) / lanes * lanes;
    for (o, &zr) in out[done..].iter_mut().zip(&column_starts[done..]) {
        let [count] = escape([zr], zi0, c, maxiters);
        *o = count;
    }
}

/// The escape counts of `spec`'s image, row by row.
#[derive(Debug, Clone)]
pub struct JuliaKernel {
    spec: Julia,
    /// Every column's starting real part, shared by all rows.
    column_starts: Vec<f32>,
}

impl JuliaKernel {
    pub fn new(spec: &Julia) -> Self {
        Self {
            spec: *spec,
            column_starts: spec.column_starts(),
        }
    }

    pub fn spec(&self) -> &Julia {
        &self.spec
    }

    pub fn column_starts(&self) -> &[f32] {
        &self.column_starts
    }
}

impl Mapping for JuliaKernel {
    type Out = u32;

    fn name(&self) -> &'static str {
        "julia"
    }
    fn len(&self) -> usize {
        self.spec.height()
    }
    fn out_per_item(&self) -> usize {
        self.spec.width()
    }
    /// One row per task: rows cost unevenly (the set's interior iterates to
    /// `maxiters`), so small tasks balance the threads.
    fn chunk(&self) -> usize {
        1
    }
}

impl MapKernel for JuliaKernel {
    #[inline]
    fn leaf<L: Lanes>(&self, rows: Range<usize>, out: &mut [u32]) {
        let width = self.spec.width();
        for (row, counts) in rows.zip(out.chunks_exact_mut(width)) {
            row_counts::<L::F32>(
                &self.column_starts,
                self.spec.start_im(row),
                self.spec.c(),
                self.spec.maxiters(),
                counts,
            );
        }
    }
}
