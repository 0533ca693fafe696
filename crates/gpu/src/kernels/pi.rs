//! `pi` on the GPU: whole Philox pairs in the shader, the odd samples at a
//! range's ends on the host (`shaders/pi.wgsl`).

use core::ops::Range;
use std::time::Instant;

use bytemuck::{Pod, Zeroable};
use hetero_core::pi::PairSpan;
use hetero_core::rng::seed_key;
use hetero_core::{Pi, PiEstimate};

use super::{OUTPUT, STAGING, Slot, UNIFORM, encoder, grid, record_pass};
use crate::error::GpuResult;
use crate::{GpuContext, GpuTimings};

pub(crate) const LAYOUT: [Slot; 2] = [Slot::Uniform, Slot::ReadWrite];
/// Pairs one workgroup counts: 256 invocations × 16 pairs.
const PAIRS_PER_GROUP: u64 = 256 * 16;

/// Mirrors `Params` in `shaders/pi.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct PiParams {
    pub first_pair_lo: u32,
    pub first_pair_hi: u32,
    pub pairs: u32,
    pub _pad: u32,
    pub key: [u32; 2],
    pub _pad2: [u32; 2],
}

/// Hits among the samples `range` of `seed`: equal to every CPU backend's.
///
/// # Errors
/// Any device error.
pub fn count_hits(ctx: &GpuContext, seed: u64, range: Range<u64>) -> GpuResult<(u64, GpuTimings)> {
    let started = Instant::now();
    let span = PairSpan::of(range);
    let mut hits = span.lone_hits(seed);
    let (first_pair, end_pair) = (span.pairs.start, span.pairs.end);
    if first_pair == end_pair {
        return Ok((hits, GpuTimings::default()));
    }
    let max_groups = u64::from(ctx.max_workgroups);
    let pairs_per_dispatch = max_groups * PAIRS_PER_GROUP;
    let partial_bytes = max_groups.min((end_pair - first_pair).div_ceil(PAIRS_PER_GROUP)) * 4;
    ctx.call("pi", || {
        let kernel = &ctx.pipelines.pi;
        let partials = ctx.buffer("pi:partials", partial_bytes, OUTPUT)?;
        let staging = ctx.buffer("pi:staging", partial_bytes, STAGING)?;
        let params = ctx.buffer("pi:params", size_of::<PiParams>() as u64, UNIFORM)?;
        let bind_group = kernel.bind(&ctx.device, &[(&params, None), (&partials, None)]);
        let mut timings = GpuTimings::default();
        let mut pair = first_pair;
        while pair < end_pair {
            let pairs = (end_pair - pair).min(pairs_per_dispatch);
            let groups = pairs.div_ceil(PAIRS_PER_GROUP);
            let p = PiParams {
                first_pair_lo: pair as u32,
                first_pair_hi: (pair >> 32) as u32,
                pairs: pairs as u32,
                _pad: 0,
                key: seed_key(seed),
                _pad2: [0; 2],
            };
            ctx.queue.write_buffer(&params, 0, bytemuck::bytes_of(&p));
            let mut enc = encoder(ctx, "pi:encoder");
            record_pass(
                ctx,
                &mut enc,
                kernel,
                &bind_group,
                &[(grid(groups, ctx.max_workgroups), None)],
            );
            enc.copy_buffer_to_buffer(&partials, 0, &staging, 0, groups * 4);
            hits += ctx.submit_and_read("pi", enc, &staging, groups * 4, |data| {
                let read = Instant::now();
                let sum: u64 = data
                    .chunks_exact(4)
                    .map(|w| u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
                    .sum();
                timings.readback += read.elapsed();
                sum
            })?;
            timings.add_kernel(ctx.read_timer()?);
            timings.dispatches += 1;
            pair += pairs;
        }
        timings.end_to_end = started.elapsed();
        Ok((hits, timings))
    })
}

/// The estimate from all n samples of `spec`.
///
/// # Errors
/// Any device error.
pub fn estimate(ctx: &GpuContext, spec: &Pi) -> GpuResult<(PiEstimate, GpuTimings)> {
    let (hits, timings) = count_hits(ctx, spec.seed(), 0..spec.n())?;
    Ok((spec.estimate(hits), timings))
}
