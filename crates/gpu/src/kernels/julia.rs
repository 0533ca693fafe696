//! `julia` on the GPU: tiles of rows, one invocation per pixel
//! (`shaders/julia.wgsl`).

use std::time::Instant;

use bytemuck::{Pod, Zeroable};
use hetero_core::Julia;

use super::{INPUT, OUTPUT, STAGING, Slot, UNIFORM, encoder, record_pass};
use crate::error::{GpuError, GpuResult};
use crate::{GpuContext, GpuTimings};

pub(crate) const LAYOUT: [Slot; 4] = [Slot::Uniform, Slot::Read, Slot::Read, Slot::ReadWrite];
/// The shader's workgroup is 16 × 16 pixels.
const TILE: u64 = 16;

/// Mirrors `Params` in `shaders/julia.wgsl` (a test checks the layout).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct JuliaParams {
    pub width: u32,
    pub rows: u32,
    pub maxiters: u32,
    pub _pad: u32,
    pub cr: f32,
    pub ci: f32,
    /// Must be 0: it only keeps the shader compiler from fusing products.
    pub opaque_zero: u32,
    pub _pad2: u32,
}

/// Renders the image into `out` (row-major, width × height), in tiles of
/// rows that fit the binding limit and the memory budget.
///
/// # Errors
/// [`hetero_core::ProblemError::OutputSize`] for a wrong `out`,
/// [`GpuError::LimitExceeded`] when one row cannot be dispatched or does not
/// fit the budget, or any device error.
pub fn render(ctx: &GpuContext, spec: &Julia, out: &mut [u32]) -> GpuResult<GpuTimings> {
    spec.check_output(out.len())?;
    render_rows(ctx, spec, 0, out)
}

/// Renders the rows `first_row..` that `out` holds (whole rows): the same
/// kernel, with the row starts of that range.
///
/// # Errors
/// [`hetero_core::ProblemError::RowRange`] unless `out` is whole rows inside
/// the image; otherwise as [`render`].
pub fn render_rows(
    ctx: &GpuContext,
    spec: &Julia,
    first_row: usize,
    out: &mut [u32],
) -> GpuResult<GpuTimings> {
    let height = spec.check_rows(first_row, out.len())? as u64;
    let started = Instant::now();
    if height == 0 {
        return Ok(GpuTimings::default());
    }
    let width = spec.width() as u64;
    let max_width = TILE * u64::from(ctx.max_workgroups);
    if width > max_width {
        return Err(GpuError::LimitExceeded {
            label: "julia:counts",
            needed: width,
            limit: max_width,
            limit_name: "the widest row one dispatch covers (pixels)",
            hint: "render a narrower image, or split the viewport into column strips",
        });
    }
    let row_bytes = width * 4;
    let budget = ctx.bounds.budget;
    // Per tile row: its counts, their staging copy and its start value.
    let fixed = row_bytes + 256;
    let rows_by_budget = budget.saturating_sub(fixed) / (2 * row_bytes + 4);
    let rows_by_binding = ctx.bounds.storage_cap() / row_bytes;
    let tile_rows = rows_by_budget
        .min(rows_by_binding)
        .min(TILE * u64::from(ctx.max_workgroups))
        .min(height);
    if tile_rows == 0 {
        return Err(GpuError::LimitExceeded {
            label: "julia:counts",
            needed: fixed + 2 * row_bytes + 4,
            limit: budget.min(ctx.bounds.storage_cap()),
            limit_name: "the memory budget or the storage binding limit",
            hint: "raise HETERO_GPU_BUDGET_MIB or render a narrower image",
        });
    }
    let (cr, ci) = spec.c();
    ctx.call("julia", || {
        let kernel = &ctx.pipelines.julia;
        let columns = ctx.buffer("julia:column-starts", row_bytes, INPUT)?;
        let rows = ctx.buffer("julia:row-starts", tile_rows * 4, INPUT)?;
        let counts = ctx.buffer("julia:counts", tile_rows * row_bytes, OUTPUT)?;
        let staging = ctx.buffer("julia:staging", tile_rows * row_bytes, STAGING)?;
        let params = ctx.buffer("julia:params", size_of::<JuliaParams>() as u64, UNIFORM)?;
        let bind_group = kernel.bind(
            &ctx.device,
            &[
                (&params, None),
                (&columns, None),
                (&rows, None),
                (&counts, None),
            ],
        );
        let mut timings = GpuTimings::default();

        let upload = Instant::now();
        ctx.queue
            .write_buffer(&columns, 0, bytemuck::cast_slice(&spec.column_starts()));
        timings.upload += upload.elapsed();

        let mut first_row = first_row as u64;
        for tile in out.chunks_mut((tile_rows * width) as usize) {
            let tile_height = tile.len() as u64 / width;
            let upload = Instant::now();
            let starts: Vec<f32> = (first_row..first_row + tile_height)
                .map(|i| spec.start_im(i as usize))
                .collect();
            ctx.queue
                .write_buffer(&rows, 0, bytemuck::cast_slice(&starts));
            let p = JuliaParams {
                width: width as u32,
                rows: tile_height as u32,
                maxiters: spec.maxiters(),
                _pad: 0,
                cr,
                ci,
                opaque_zero: 0,
                _pad2: 0,
            };
            ctx.queue.write_buffer(&params, 0, bytemuck::bytes_of(&p));
            timings.upload += upload.elapsed();

            let mut enc = encoder(ctx, "julia:encoder");
            let groups = [
                width.div_ceil(TILE) as u32,
                tile_height.div_ceil(TILE) as u32,
            ];
            record_pass(ctx, &mut enc, kernel, &bind_group, &[(groups, None)]);
            let bytes = tile_height * row_bytes;
            enc.copy_buffer_to_buffer(&counts, 0, &staging, 0, bytes);
            ctx.submit_and_read("julia", enc, &staging, bytes, |data| {
                let read = Instant::now();
                bytemuck::cast_slice_mut::<u32, u8>(tile).copy_from_slice(data);
                timings.readback += read.elapsed();
            })?;
            timings.add_kernel(ctx.read_timer()?);
            timings.dispatches += 1;
            first_row += tile_height;
        }
        timings.end_to_end = started.elapsed();
        Ok(timings)
    })
}
