//! The GPU map driver: any map kernel's GPU side, over a range of its index
//! space, in tiles that fit the memory budget.
//!
//! On an error, tiles that completed before it have written their part of
//! `out` — tiles run in order, so that is a prefix of `out` — and the rest
//! of `out` is untouched (a test breaks the second tile of a call and
//! checks both). Holding every tile's output back until the end would
//! double the host memory of a streamed call. The error says which call
//! failed.

use core::ops::Range;
use std::time::Instant;

use hetero_kernel::gpu::GpuMap;
use hetero_kernel::kernel::check_map;
use hetero_kernel::{MapKernel, Mapping};

use crate::context::GpuContext;
use crate::error::{GpuError, GpuResult};
use crate::tile::{Step, Tile, dispatches};
use crate::timing::GpuTimings;
use hetero_kernel::observe::{Observer, Unobserved};

/// `kernel` on the GPU over `items`, into `out`, with its own GPU side.
///
/// # Errors
/// [`crate::GpuError::Kernel`] for a range or output the kernel cannot
/// take (nothing is written then) or a kernel without a GPU side; any
/// device error.
pub fn map<K: MapKernel + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
) -> GpuResult<GpuTimings> {
    check_map(kernel, &items, out.len())?;
    let side = kernel.gpu(&ctx.caps())?;
    map_with(ctx, kernel, &*side, items, out)
}

/// The map `kernel` (its index space and outputs) with the GPU side `side`.
///
/// # Errors
/// As [`map`].
pub fn map_with<K: Mapping + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuMap,
    items: Range<usize>,
    out: &mut [K::Out],
) -> GpuResult<GpuTimings> {
    map_with_observed(ctx, kernel, side, items, out, &Unobserved)
}

/// [`map_with`], asking `observer` before each tile whether to go on and
/// telling it each tile's items when written.
///
/// # Errors
/// As [`map`]; [`crate::GpuError::Cancelled`] when the observer stops the
/// call (the finished tiles, a prefix of `out`, are written).
pub fn map_with_observed<K: Mapping + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuMap,
    items: Range<usize>,
    out: &mut [K::Out],
    observer: &dyn Observer,
) -> GpuResult<GpuTimings> {
    check_map(kernel, &items, out.len())?;
    let started = Instant::now();
    let per_item = kernel.out_per_item();
    if items.is_empty() || per_item == 0 {
        return Ok(GpuTimings::default());
    }
    let program = side.program();
    let pipeline = ctx.pipeline(&program)?;
    let out_bytes = (per_item * size_of::<K::Out>()) as u64;
    let tiling = ctx.map_tiling(
        &program,
        side,
        items.len() as u64,
        (per_item as u64, out_bytes),
    )?;
    ctx.call(program.label, || {
        let mut timings = GpuTimings::default();
        let (first, last) = (items.start as u64, items.end as u64);
        for tile_start in (first..last).step_by(tiling.tile_items as usize) {
            if !observer.proceed() {
                return Err(GpuError::Cancelled {
                    label: program.label,
                });
            }
            let tile_items = tile_start..(tile_start + tiling.tile_items).min(last);
            let steps = dispatches(tile_items.clone(), tiling.dispatch_items, tile_start, 1)
                .map(|(range, dispatch)| Step {
                    params: side.params(range.clone()),
                    grid: side.grid(range.end - range.start, program.workgroup_size),
                    dispatch,
                })
                .collect();
            let tile = Tile {
                label: program.label,
                pipeline: &pipeline,
                inputs: (0..program.inputs)
                    .map(|i| side.input(i, tile_items.clone()))
                    .collect(),
                steps,
                output_bytes: (tile_items.end - tile_items.start) * out_bytes,
                items: tile_items.end - tile_items.start,
            };
            let from = (tile_items.start - first) as usize * per_item;
            let to = (tile_items.end - first) as usize * per_item;
            let target = &mut out[from..to];
            ctx.run_tile(tile, &mut timings, observer, |bytes| {
                bytemuck::cast_slice_mut::<K::Out, u8>(target).copy_from_slice(bytes);
            })?;
            observer.finished(tile_items.end - tile_items.start);
        }
        timings.end_to_end = started.elapsed();
        Ok(timings)
    })
}
