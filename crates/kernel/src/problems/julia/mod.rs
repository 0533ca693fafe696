//! `julia`: escape-time counts of z ← z² + c, a map over the rows of an
//! image (one item = one row of `width` counts). GPU twin:
//! `shaders/julia.wgsl`.
//!
//! The recipe (see `hetero_core::julia`): `2·zr·zi + ci` rounded once (a
//! true fused multiply-add on every build), `zr² − zi² + cr` plain f32 left
//! to right. One generic body runs on one lane and on vectors; every width
//! gives the same counts bit for bit.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::{Pod, Zeroable};
use hetero_core::Julia;

use crate::error::KernelError;
use crate::gpu::{GpuCaps, GpuMap, GpuProgram, Grid};
use crate::kernel::{MapKernel, Mapping};
use crate::lanes::Lanes;
use crate::problem::Problem;
use crate::real::{Counts, Mask, Real};

#[cfg(target_arch = "x86_64")]
mod avx512;

pub const SHADER: &str = include_str!("../../../shaders/julia.wgsl");

/// The line of `julia.wgsl` that rounds 2·zr·zi + ci, and its exact f64 form.
const FMA_STEP: &str = "let zi_next = fma(2.0 * zr, zi, params.ci); // ZI STEP";
const F64_STEP: &str = "let zi_next = f32(f64(2.0 * zr) * f64(zi) + f64(params.ci));";

/// `julia.wgsl`, with the single-rounding step done in f64 when `exact_f64`
/// (the device has SHADER_F64): 2·zr·zi is exact in f64, so this rounds
/// like the CPU's fused multiply-add, whatever the driver does with `fma`
/// (lavapipe evaluates it as a multiply and an add).
pub fn shader_source(exact_f64: bool) -> String {
    if exact_f64 {
        SHADER.replace(FMA_STEP, F64_STEP)
    } else {
        SHADER.to_owned()
    }
}

/// Mirrors `Params` in `shaders/julia.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct JuliaParams {
    pub width: u32,
    pub maxiters: u32,
    pub cr: f32,
    pub ci: f32,
    /// Must be 0: it only keeps the shader compiler from fusing products.
    pub opaque_zero: u32,
    pub _pad: [u32; 3],
}

/// The shader's tiles are 16 × 16 pixels (one workgroup of 256): neighbours
/// in both directions escape alike, so a tile's invocations stay together.
const TILE: u64 = 16;

/// Vectors iterated together. PERF: the escape loop is latency-bound (each
/// step waits on the last multiply); one vector gave 4.5× scalar, two 7×,
/// four 8.5–9× on an AVX2 core. More lanes per group waste more work on
/// pixels that escaped early while a neighbour still iterates.
const INTERLEAVE: usize = 4;

/// Rows iterated together: the `INTERLEAVE` vectors of a group are one
/// vector's columns in `BAND` neighbouring rows, a square-ish patch of the
/// image rather than a strip of one row. A group runs until its slowest
/// pixel escapes, and a compact patch has less spread: for the notebook's
/// image on 16 lanes, 16 × 4 patches take 1.41 M vector steps where 64 × 1
/// strips took 1.77 M (every pixel to its own count alone: 1.04 M).
const BAND: usize = INTERLEAVE;

/// Iterates `N` values of pixels at once until every lane has escaped or
/// reached `maxiters`; returns the counts.
///
/// Lanes that escaped keep being iterated (their values may overflow to
/// ∞/NaN), but `active` only ever loses lanes, so their counts stay frozen.
/// All active lanes have count == iteration, so the one-lane loop's
/// `count < maxiters` is the loop bound here.
///
/// At level v4, 16-lane vectors take `avx512::escape`: the same steps
/// with the masks in mask registers.
#[inline(always)]
fn escape<R: Real<Scalar = f32>, const N: usize>(
    zr0: [R; N],
    zi0: [R; N],
    (cr, ci): (R, R),
    maxiters: u32,
) -> [R::Counts; N] {
    #[cfg(target_arch = "x86_64")]
    if let Some(counts) = escape_on_avx512(&zr0, &zi0, (cr, ci), maxiters) {
        return counts;
    }
    let (two, four) = (R::splat(2.0), R::splat(4.0));
    let mut zr = zr0;
    let mut zi = zi0;
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

/// [`avx512::escape`] when `R` is level v4's `F32x16`; `None` for every other lane
/// type. Safe downcasts: each is a comparison of constant type ids, folded
/// away in each instance.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn escape_on_avx512<R: Real<Scalar = f32>, const N: usize>(
    zr0: &[R; N],
    zi0: &[R; N],
    (cr, ci): (R, R),
    maxiters: u32,
) -> Option<[R::Counts; N]> {
    use crate::levels::avx512::{F32x16, U32x16};
    use core::any::Any;
    let lanes = |v: &[R; N]| (v as &dyn Any).downcast_ref::<[F32x16; N]>().copied();
    let scalar = |v: &R| (v as &dyn Any).downcast_ref::<F32x16>().copied();
    let counts = avx512::escape(
        lanes(zr0)?,
        lanes(zi0)?,
        (scalar(&cr)?, scalar(&ci)?),
        maxiters,
    );
    let mut out = [R::Counts::zero(); N];
    // F32x16's `Counts` is U32x16 (`real_vector.rs`), so this always takes.
    *(&mut out as &mut dyn Any).downcast_mut::<[U32x16; N]>()? = counts;
    Some(out)
}

/// One row's counts: blocks of `INTERLEAVE` vectors, then single vectors,
/// then the tail one pixel at a time.
#[inline(always)]
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
            for (v, counts) in escape(zr, [ziv; INTERLEAVE], cv, maxiters)
                .into_iter()
                .enumerate()
            {
                counts.write_to(&mut o[v * lanes..]);
            }
        }
        done = out.len() / block * block;
    }
    for (o, zr) in out[done..]
        .chunks_exact_mut(lanes)
        .zip(column_starts[done..].chunks_exact(lanes))
    {
        let [counts] = escape([R::load(zr)], [ziv], cv, maxiters);
        counts.write_to(o);
    }
    done += (out.len() - done) / lanes * lanes;
    pixel_counts(&column_starts[done..], zi0, c, maxiters, &mut out[done..]);
}

/// The counts of pixels one at a time (the tails the vectors leave).
#[inline(always)]
fn pixel_counts(column_starts: &[f32], zi0: f32, c: (f32, f32), maxiters: u32, out: &mut [u32]) {
    for (o, &zr) in out.iter_mut().zip(column_starts) {
        let [count] = escape([zr], [zi0], c, maxiters);
        *o = count;
    }
}

/// The counts of `BAND` whole rows (`out` holds them one after another),
/// with rows `zi0s`: each vector of columns iterated in all the rows at
/// once; the columns past the last whole vector row by row.
#[inline(always)]
fn band_counts<R: Real<Scalar = f32, Counts: Counts<Elem = u32>>>(
    column_starts: &[f32],
    zi0s: [f32; BAND],
    c: (f32, f32),
    maxiters: u32,
    out: &mut [u32],
) {
    let (lanes, width) = (R::LANES, column_starts.len());
    let (ziv, cv) = (zi0s.map(R::splat), (R::splat(c.0), R::splat(c.1)));
    let vectors = width / lanes;
    for j in 0..vectors {
        let at = j * lanes;
        let zr = R::load(&column_starts[at..]);
        for (row, counts) in escape([zr; BAND], ziv, cv, maxiters)
            .into_iter()
            .enumerate()
        {
            counts.write_to(&mut out[row * width + at..]);
        }
    }
    let done = vectors * lanes;
    for (row, zi0) in zi0s.into_iter().enumerate() {
        let tail = &mut out[row * width + done..(row + 1) * width];
        pixel_counts(&column_starts[done..], zi0, c, maxiters, tail);
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
    /// One band of rows per task: rows cost unevenly (the set's interior
    /// iterates to `maxiters`), so small tasks balance the threads, and a
    /// band is what the vector leaf iterates together.
    fn chunk(&self) -> usize {
        BAND
    }
}

impl MapKernel for JuliaKernel {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, rows: Range<usize>, out: &mut [u32]) {
        let width = self.spec.width();
        let mut rows = rows;
        let mut out = out;
        if <L::F32 as Real>::LANES > 1 {
            while rows.len() >= BAND {
                let (band, rest) = out.split_at_mut(BAND * width);
                band_counts::<L::F32>(
                    &self.column_starts,
                    core::array::from_fn(|r| self.spec.start_im(rows.start + r)),
                    self.spec.c(),
                    self.spec.maxiters(),
                    band,
                );
                (rows.start, out) = (rows.start + BAND, rest);
            }
        }
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

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        Ok(Box::new(JuliaGpu {
            kernel: self,
            exact_f64: caps.f64,
        }))
    }
}

/// The GPU side of [`JuliaKernel`]: one invocation per pixel.
struct JuliaGpu<'k> {
    kernel: &'k JuliaKernel,
    exact_f64: bool,
}

impl GpuMap for JuliaGpu<'_> {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "julia",
            source: Cow::Owned(shader_source(self.exact_f64)),
            needs_f64: self.exact_f64,
            inputs: 2,
            workgroup_size: 256,
        }
    }

    /// One workgroup per 16 × 16 tile: across the row, down the band.
    fn grid(&self, rows: u64, _: u32) -> Grid {
        let across = (self.kernel.spec.width() as u64).div_ceil(TILE);
        Grid::Xy([across, rows.div_ceil(TILE)])
    }

    fn params(&self, _: Range<u64>) -> Vec<u8> {
        let (cr, ci) = self.kernel.spec.c();
        bytemuck::bytes_of(&JuliaParams {
            width: self.kernel.spec.width() as u32,
            maxiters: self.kernel.spec.maxiters(),
            cr,
            ci,
            opaque_zero: 0,
            _pad: [0; 3],
        })
        .to_vec()
    }

    /// Input 0: every column's start; input 1: the tile's row starts.
    fn input_bytes(&self, input: usize, rows: u64) -> u64 {
        if input == 0 {
            self.kernel.column_starts.len() as u64 * 4
        } else {
            rows * 4
        }
    }

    fn input(&self, input: usize, rows: Range<u64>) -> Cow<'_, [u8]> {
        if input == 0 {
            return Cow::Borrowed(bytemuck::cast_slice(&self.kernel.column_starts));
        }
        let starts: Vec<f32> = (rows.start..rows.end)
            .map(|row| self.kernel.spec.start_im(row as usize))
            .collect();
        Cow::Owned(bytemuck::cast_slice(&starts).to_vec())
    }
}

/// The registry entry of `julia`.
pub const PROBLEM: &dyn Problem = &Registered;

struct Registered;

impl Problem for Registered {
    fn name(&self) -> &'static str {
        "julia"
    }
    fn summary(&self) -> &'static str {
        "escape-time counts of z ← z² + c on an H × W grid"
    }
    fn gpu_programs(&self, caps: &GpuCaps) -> Vec<GpuProgram> {
        let kernel = JuliaKernel::new(&Julia::notebook());
        let side = JuliaGpu {
            kernel: &kernel,
            exact_f64: caps.f64,
        };
        vec![side.program()]
    }
}
