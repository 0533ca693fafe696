//! `julia` with f32x8: 32 pixels of a row at a time in four interleaved
//! vectors, then 8 at a time, then a scalar tail. Bit-identical to the
//! scalar backend.

use hetero_core::{Julia, ProblemError};
use wide::{f32x8, u32x8};

use super::math::fused_mul_add_f32x8;
use crate::scalar::julia::escape_count;

/// Vectors iterated together. PERF: the escape loop is latency-bound (each
/// step waits on the last multiply); one vector gave 4.5× scalar, two 7×,
/// four 8.5–9× on an AVX2 core. More lanes per group waste more work on
/// pixels that escaped early while a neighbour still iterates.
const INTERLEAVE: usize = 4;
const BLOCK: usize = 8 * INTERLEAVE;

/// Iterates `N` vectors of eight pixels at once until every lane has
/// escaped or reached `maxiters`; returns the counts.
///
/// Lanes that escaped keep being iterated (their values may overflow to
/// ∞/NaN), but `active` only ever loses lanes, so their counts stay frozen.
/// All active lanes have count == iteration, so the scalar loop's
/// `count < maxiters` is the loop bound here.
#[inline(always)]
fn escape<const N: usize>(
    zr0: [f32x8; N],
    zi0: f32x8,
    cr: f32x8,
    ci: f32x8,
    maxiters: u32,
) -> [u32x8; N] {
    let (two, four) = (f32x8::splat(2.0), f32x8::splat(4.0));
    let mut zr = zr0;
    let mut zi = [zi0; N];
    let mut active = [u32x8::MAX; N];
    let mut counts = [u32x8::ZERO; N];
    for _ in 0..maxiters {
        let mut any = u32x8::ZERO;
        for v in 0..N {
            let inside = (zr[v] * zr[v] + zi[v] * zi[v]).simd_le(four).to_bits();
            active[v] &= inside;
            any |= active[v];
        }
        if !any.any() {
            break;
        }
        // PERF: the N chains are independent, so their multiply latencies
        // overlap; one vector alone is latency-bound.
        for v in 0..N {
            let zi_next = fused_mul_add_f32x8(two * zr[v], zi[v], ci);
            zr[v] = zr[v] * zr[v] - zi[v] * zi[v] + cr;
            zi[v] = zi_next;
            // An active lane's mask is all ones, i.e. −1: subtracting adds 1.
            counts[v] -= active[v];
        }
    }
    counts
}

/// Counts for the rows `first_row..` that `out` holds (whole rows).
/// `column_starts` is [`Julia::column_starts`].
pub fn render_rows(spec: &Julia, column_starts: &[f32], first_row: usize, out: &mut [u32]) {
    let (cr, ci) = spec.c();
    let (crv, civ) = (f32x8::splat(cr), f32x8::splat(ci));
    let maxiters = spec.maxiters();
    for (r, row) in out.chunks_exact_mut(spec.width()).enumerate() {
        let zi0 = spec.start_im(first_row + r);
        let ziv = f32x8::splat(zi0);
        let (blocks, rest) = row.as_chunks_mut::<BLOCK>();
        let (starts_blocks, starts_rest) = column_starts.as_chunks::<BLOCK>();
        for (out_block, zr_block) in blocks.iter_mut().zip(starts_blocks) {
            let zr: [f32x8; INTERLEAVE] =
                core::array::from_fn(|v| f32x8::from(&zr_block[8 * v..8 * v + 8]));
            let counts = escape(zr, ziv, crv, civ, maxiters);
            for (v, c) in counts.iter().enumerate() {
                out_block[8 * v..8 * v + 8].copy_from_slice(c.as_array());
            }
        }
        let (eights, tail) = rest.as_chunks_mut::<8>();
        let (starts_eights, starts_tail) = starts_rest.as_chunks::<8>();
        for (out8, zr8) in eights.iter_mut().zip(starts_eights) {
            let [a] = escape([f32x8::new(*zr8)], ziv, crv, civ, maxiters);
            *out8 = a.to_array();
        }
        for (count, &zr0) in tail.iter_mut().zip(starts_tail) {
            *count = escape_count(zr0, zi0, (cr, ci), maxiters);
        }
    }
}

/// The whole image into `out` (row-major, width × height).
///
/// # Errors
/// [`ProblemError::OutputSize`] when `out` is not width × height.
pub fn render(spec: &Julia, out: &mut [u32]) -> Result<(), ProblemError> {
    spec.check_output(out.len())?;
    render_rows(spec, &spec.column_starts(), 0, out);
    Ok(())
}
