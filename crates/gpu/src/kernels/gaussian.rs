//! `gaussian` on the GPU in f32: the arrays stream through in chunks that
//! fit the memory budget (`shaders/gaussian.wgsl`).

use std::time::Instant;

use bytemuck::{Pod, Zeroable};
use hetero_core::Gaussian;

use super::{INPUT, OUTPUT, STAGING, Slot, UNIFORM, encoder, grid, record_pass};
use crate::error::{GpuError, GpuResult};
use crate::{GpuContext, GpuTimings};

pub(crate) const LAYOUT: [Slot; 4] = [Slot::Uniform, Slot::Read, Slot::Read, Slot::ReadWrite];
const WORKGROUP: u64 = 256;

/// Mirrors `Params` in `shaders/gaussian.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct GaussianParams {
    pub n: u32,
    pub gamma: f32,
    pub _pad: [u32; 2],
}

/// out[i] = exp(−γ(x[i] − y[i])²) in f32 (γ rounded to f32).
///
/// Device and staging memory stay within the context's budget: x, y, z and
/// the staging copy of z take four chunk-sized buffers, so a chunk is a
/// quarter of the budget (capped by the binding limit). Host memory beyond
/// the caller's slices is what wgpu stages for the uploads, one chunk at a
/// time.
///
/// # Errors
/// [`hetero_core::ProblemError::LengthMismatch`], or any device error.
pub fn compute(
    ctx: &GpuContext,
    spec: &Gaussian,
    x: &[f32],
    y: &[f32],
    out: &mut [f32],
) -> GpuResult<GpuTimings> {
    Gaussian::check_lengths(x.len(), y.len(), out.len())?;
    let started = Instant::now();
    if x.is_empty() {
        return Ok(GpuTimings::default());
    }
    let chunk_bytes = (ctx.bounds.budget.saturating_sub(256) / 4)
        .min(ctx.bounds.storage_cap())
        .min(u64::from(u32::MAX))
        / 4
        * 4;
    let chunk = (chunk_bytes / 4) as usize;
    if chunk == 0 {
        return Err(GpuError::LimitExceeded {
            label: "gaussian:chunk",
            needed: 16,
            limit: ctx.bounds.budget,
            limit_name: "the memory budget",
            hint: "raise HETERO_GPU_BUDGET_MIB",
        });
    }
    let chunk = chunk.min(x.len());
    let bytes = chunk as u64 * 4;
    ctx.call("gaussian", || {
        let kernel = &ctx.pipelines.gaussian;
        let xs = ctx.buffer("gaussian:x", bytes, INPUT)?;
        let ys = ctx.buffer("gaussian:y", bytes, INPUT)?;
        let zs = ctx.buffer("gaussian:z", bytes, OUTPUT)?;
        let staging = ctx.buffer("gaussian:staging", bytes, STAGING)?;
        let params = ctx.buffer(
            "gaussian:params",
            size_of::<GaussianParams>() as u64,
            UNIFORM,
        )?;
        let bind_group = kernel.bind(
            &ctx.device,
            &[(&params, None), (&xs, None), (&ys, None), (&zs, None)],
        );
        let mut timings = GpuTimings::default();
        for ((x, y), out) in x
            .chunks(chunk)
            .zip(y.chunks(chunk))
            .zip(out.chunks_mut(chunk))
        {
            let upload = Instant::now();
            ctx.queue.write_buffer(&xs, 0, bytemuck::cast_slice(x));
            ctx.queue.write_buffer(&ys, 0, bytemuck::cast_slice(y));
            let p = GaussianParams {
                n: x.len() as u32,
                gamma: spec.gamma() as f32,
                _pad: [0; 2],
            };
            ctx.queue.write_buffer(&params, 0, bytemuck::bytes_of(&p));
            timings.upload += upload.elapsed();

            let mut enc = encoder(ctx, "gaussian:encoder");
            let groups = grid((x.len() as u64).div_ceil(WORKGROUP), ctx.max_workgroups);
            record_pass(ctx, &mut enc, kernel, &bind_group, &[(groups, None)]);
            let len = x.len() as u64 * 4;
            enc.copy_buffer_to_buffer(&zs, 0, &staging, 0, len);
            ctx.submit_and_read("gaussian", enc, &staging, len, |data| {
                let read = Instant::now();
                bytemuck::cast_slice_mut::<f32, u8>(out).copy_from_slice(data);
                timings.readback += read.elapsed();
            })?;
            timings.add_kernel(ctx.read_timer()?);
            timings.dispatches += 1;
        }
        timings.end_to_end = started.elapsed();
        Ok(timings)
    })
}
