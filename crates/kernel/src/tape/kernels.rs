//! The kernels a tape runs in on the CPU: a map over arrays and a sum of
//! terms (midpoint's integrand, Σ term(i)), each evaluating the tape a
//! block of vectors at a time ([`Tape::eval_block`]) with the bits of the
//! per-vector kernels a Rust body runs in (`ZipMap`, `MidpointKernel`,
//! `TermSum`) — which also give them their GPU sides.

use core::ops::Range;

use hetero_core::{Midpoint, Neumaier};

use super::{BLOCK_VECTORS, BlockScratch, Tape};
use crate::error::KernelError;
use crate::fold::{MAX_F64_LANES, sum_terms_at_blocked};
use crate::gpu::{GpuCaps, GpuMap, GpuReduce};
use crate::kernel::{MapKernel, Mapping, ReduceKernel, Reduction};
use crate::lanes::{Element, Lanes};
use crate::problems::midpoint::MidpointKernel;
use crate::real::Real;
use crate::term_sum::TermSum;
use crate::zip::ZipMap;

/// `out[i] = tape(inputs[0][i], …)`: [`ZipMap`]'s outputs, bit for bit,
/// with the tape run a block at a time.
pub struct TapeMap<'a, T, const N: usize> {
    zip: ZipMap<'a, Tape, T, N>,
    tape: &'a Tape,
    inputs: [&'a [T]; N],
}

impl<'a, T: Element, const N: usize> TapeMap<'a, T, N> {
    /// # Errors
    /// [`KernelError::LengthMismatch`] unless every input has one length.
    pub fn new(tape: &'a Tape, inputs: [&'a [T]; N]) -> Result<Self, KernelError> {
        Ok(Self {
            zip: ZipMap::new(tape, inputs)?,
            tape,
            inputs,
        })
    }
}

impl<T: Element, const N: usize> Mapping for TapeMap<'_, T, N> {
    type Out = T;
    fn name(&self) -> &'static str {
        self.zip.name()
    }
    fn len(&self) -> usize {
        self.zip.len()
    }
    fn chunk(&self) -> usize {
        self.zip.chunk()
    }
}

impl<T: Element, const N: usize> MapKernel for TapeMap<'_, T, N> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [T]) {
        let inputs = self.inputs.map(|input| &input[items.clone()]);
        map_blocks::<T::Vector<L>, N>(self.tape, inputs, out);
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        self.zip.gpu(caps)
    }
}

/// [`crate::fold::map_elements`] for a tape: whole vectors a block at a
/// time, then the tail one lane at a time, as `map_elements` cuts them.
#[inline(always)]
fn map_blocks<R: Real, const N: usize>(
    tape: &Tape,
    inputs: [&[R::Scalar]; N],
    out: &mut [R::Scalar],
) {
    let (n, lanes) = (out.len(), R::LANES);
    let inputs = inputs.map(|input| &input[..n]);
    let whole = n / lanes * lanes;
    let mut scratch = BlockScratch::<R>::new(tape);
    let mut at = 0;
    while at < whole {
        let end = (at + BLOCK_VECTORS * lanes).min(whole);
        let block: [&[R::Scalar]; N] = core::array::from_fn(
            #[inline(always)]
            |k| &inputs[k][at..end],
        );
        tape.eval_block(&block, &mut out[at..end], &mut scratch);
        at = end;
    }
    for e in whole..n {
        let one: [R::Scalar; N] = core::array::from_fn(
            #[inline(always)]
            |k| inputs[k][e],
        );
        out[e] = tape.eval(&one);
    }
}

/// Which sum a [`TapeSum`] is.
enum Sampled<'a> {
    /// ∫ f by the midpoint rule: f at a + (i + ½)·h.
    Midpoint(MidpointKernel<'a, Tape>, f64, f64),
    /// Σ term(i).
    Terms(TermSum<'a, Tape>),
}

/// A sum of a tape's values over an index space — midpoint's integrand or
/// Σ term(i) — with [`MidpointKernel`]'s or [`TermSum`]'s result bit for
/// bit (and their GPU sides), the tape run a block at a time.
pub struct TapeSum<'a> {
    sampled: Sampled<'a>,
    tape: &'a Tape,
}

impl<'a> TapeSum<'a> {
    /// ∫ f over `spec`'s interval, f the tape (one input, x).
    pub fn midpoint(spec: &Midpoint, tape: &'a Tape) -> Self {
        Self {
            sampled: Sampled::Midpoint(MidpointKernel::new(spec, tape), spec.a(), spec.h()),
            tape,
        }
    }

    /// Σ tape(i) for i in 0..`len` (one input, i).
    pub fn terms(name: &'static str, tape: &'a Tape, len: u64) -> Self {
        Self {
            sampled: Sampled::Terms(TermSum::new(name, tape, len)),
            tape,
        }
    }
}

impl Reduction for TapeSum<'_> {
    type Partial = Neumaier;
    type Output = f64;
    fn name(&self) -> &'static str {
        match &self.sampled {
            Sampled::Midpoint(k, ..) => k.name(),
            Sampled::Terms(k) => k.name(),
        }
    }
    fn len(&self) -> u64 {
        match &self.sampled {
            Sampled::Midpoint(k, ..) => k.len(),
            Sampled::Terms(k) => k.len(),
        }
    }
    fn chunk(&self) -> u64 {
        match &self.sampled {
            Sampled::Midpoint(k, ..) => k.chunk(),
            Sampled::Terms(k) => k.chunk(),
        }
    }
    fn combine(&self, left: Neumaier, right: Neumaier) -> Neumaier {
        left.merge(right)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        match &self.sampled {
            Sampled::Midpoint(k, ..) => k.finish(total),
            Sampled::Terms(k) => k.finish(total),
        }
    }
}

impl ReduceKernel for TapeSum<'_> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Neumaier {
        let tape = self.tape;
        let mut scratch = BlockScratch::<L::F64>::new(tape);
        // Midpoint's x of a block, filled once per leaf rather than zeroed
        // for every block.
        let mut xs = [0.0; BLOCK_VECTORS * MAX_F64_LANES];
        match self.sampled {
            // x = a + (i + ½)·h, as `MidpointKernel`'s node computes it.
            Sampled::Midpoint(_, a, h) => sum_terms_at_blocked::<L::F64>(
                items,
                0.5,
                #[inline(always)]
                |indices, values| {
                    let lanes = <L::F64 as Real>::LANES;
                    let (a, h) = (L::F64::from_f64(a), L::F64::from_f64(h));
                    let xs = &mut xs[..indices.len()];
                    let mut at = 0;
                    while at + lanes <= indices.len() {
                        let i = L::F64::load(&indices[at..at + lanes]);
                        (a + i * h).write_to(&mut xs[at..at + lanes]);
                        at += lanes;
                    }
                    tape.eval_block(&[xs], values, &mut scratch);
                },
                #[inline(always)]
                |i| tape.eval(&[a + i * h]),
            ),
            Sampled::Terms(_) => sum_terms_at_blocked::<L::F64>(
                items,
                0.0,
                #[inline(always)]
                |indices, values| tape.eval_block(&[indices], values, &mut scratch),
                #[inline(always)]
                |i| tape.eval(&[i]),
            ),
        }
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<Neumaier> + '_>, KernelError> {
        match &self.sampled {
            Sampled::Midpoint(k, ..) => k.gpu(caps),
            Sampled::Terms(k) => k.gpu(caps),
        }
    }
}
