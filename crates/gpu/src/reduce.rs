//! The GPU reduce driver: any reduction kernel's GPU side, dispatched over
//! the kernel's own chunk plan. Each tile of whole chunks comes back as one
//! partial per workgroup; the kernel turns each chunk's workgroups into its
//! chunk partial, and the partials combine along the same fixed tree as on
//! the CPU. Each tile is one whole subtree of that tree, reduced as it is
//! read back, so the host keeps O(log n) partials whatever the index space
//! (and the device one tile).

use core::ops::Range;
use std::time::Instant;

use hetero_core::chunks::{tree_reduce, try_tree_reduce_blocks};
use hetero_kernel::gpu::{GpuProgram, GpuReduce, Grid};
use hetero_kernel::{ChunkPlan, KernelError, ReduceKernel, Reduction};

use crate::context::GpuContext;
use crate::error::{GpuError, GpuResult};
use crate::pipeline::Pipeline;
use crate::plan::Tiling;
use crate::tile::{Step, Tile, dispatches};
use crate::timing::GpuTimings;
use hetero_kernel::observe::{Observer, Unobserved};

/// `kernel` on the GPU, with its own GPU side for this device.
///
/// # Errors
/// [`GpuError::Kernel`] when the kernel has no GPU side or no driver can
/// run it, or any device error.
pub fn reduce<K: ReduceKernel + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
) -> GpuResult<(K::Output, GpuTimings)> {
    let side = kernel.gpu(&ctx.caps())?;
    reduce_with(ctx, kernel, &*side)
}

/// The reduction `kernel` (its chunk plan and combine) with the GPU side
/// `side`.
///
/// # Errors
/// As [`reduce`].
pub fn reduce_with<K: Reduction + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuReduce<K::Partial>,
) -> GpuResult<(K::Output, GpuTimings)> {
    let plan = ChunkPlan::of(kernel)?;
    let (total, timings) = reduce_chunks(ctx, kernel, side, &plan, 0..plan.chunks)?;
    Ok((kernel.finish(total), timings))
}

/// The partial of the chunks `chunks` of `plan`, combined along the subtree
/// of the fixed tree that covers them.
///
/// # Errors
/// As [`reduce`]; [`KernelError::EmptyRange`] for an empty `chunks`.
pub fn reduce_chunks<K: Reduction + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuReduce<K::Partial>,
    plan: &ChunkPlan,
    chunks: Range<u64>,
) -> GpuResult<(K::Partial, GpuTimings)> {
    let (partials, timings) = reduce_blocks(ctx, kernel, side, plan, &[chunks])?;
    match partials.into_iter().next() {
        Some(partial) => Ok((partial, timings)),
        None => Err(KernelError::EmptyRange {
            kernel: kernel.name(),
        }
        .into()),
    }
}

/// The partial of each of `blocks` (chunk ranges of `plan`, each combined
/// along the subtree of the fixed tree that covers it), in order. The
/// program, its pipeline and the tiling are prepared once for all blocks:
/// a driver sharing a job among processes or devices hands one rank's
/// blocks over in one call.
///
/// # Errors
/// As [`reduce`]; [`KernelError::EmptyRange`] for an empty block or one
/// past the plan's last chunk (nothing runs then).
pub fn reduce_blocks<K: Reduction + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuReduce<K::Partial>,
    plan: &ChunkPlan,
    blocks: &[Range<u64>],
) -> GpuResult<(Vec<K::Partial>, GpuTimings)> {
    reduce_blocks_observed(ctx, kernel, side, plan, blocks, &Unobserved)
}

/// [`reduce_blocks`], asking `observer` before each tile whether to go on
/// and telling it each tile's items when done.
///
/// # Errors
/// As [`reduce_blocks`]; [`crate::GpuError::Cancelled`] when the observer
/// stops the call (no partial is returned).
pub fn reduce_blocks_observed<K: Reduction + ?Sized>(
    ctx: &GpuContext,
    kernel: &K,
    side: &dyn GpuReduce<K::Partial>,
    plan: &ChunkPlan,
    blocks: &[Range<u64>],
    observer: &dyn Observer,
) -> GpuResult<(Vec<K::Partial>, GpuTimings)> {
    if blocks.iter().any(|b| b.is_empty() || b.end > plan.chunks) {
        return Err(KernelError::EmptyRange {
            kernel: kernel.name(),
        }
        .into());
    }
    let started = Instant::now();
    let program = side.program();
    let pipeline = ctx.pipeline(&program)?;
    let tiling = ctx.reduce_tiling(&program, plan, side)?;
    let tile_chunks = tiling.tile_items / plan.chunk;
    ctx.call(program.label, || {
        let mut timings = GpuTimings::default();
        let job = TileJob {
            ctx,
            plan,
            side,
            program: &program,
            pipeline: &pipeline,
            tiling,
            observer,
        };
        let combine = |a, b| kernel.combine(a, b);
        let partials = blocks
            .iter()
            .map(|block| {
                try_tree_reduce_blocks(
                    block.start,
                    block.end,
                    tile_chunks,
                    &mut |subtree| job.run(subtree, &mut timings, &combine),
                    &combine,
                )
            })
            .collect::<GpuResult<Vec<_>>>()?;
        timings.end_to_end = started.elapsed();
        Ok((partials, timings))
    })
}

/// What every tile of one reduce call shares.
struct TileJob<'a, P> {
    ctx: &'a GpuContext,
    plan: &'a ChunkPlan,
    side: &'a dyn GpuReduce<P>,
    program: &'a GpuProgram,
    pipeline: &'a Pipeline,
    tiling: Tiling,
    observer: &'a dyn Observer,
}

impl<P> TileJob<'_, P> {
    /// The partial of the subtree over the chunks `chunks`, combined along
    /// the fixed tree straight from the read-back workgroup partials.
    fn run(
        &self,
        chunks: Range<u64>,
        timings: &mut GpuTimings,
        combine: &impl Fn(P, P) -> P,
    ) -> GpuResult<P> {
        let (plan, side) = (self.plan, self.side);
        if !self.observer.proceed() {
            return Err(GpuError::Cancelled {
                label: self.program.label,
            });
        }
        let items = plan.items(chunks.start).start..plan.items(chunks.end - 1).end;
        let (group, partial) = (side.group_items(), side.partial_bytes());
        let steps = dispatches(
            items.clone(),
            self.tiling.dispatch_items,
            items.start,
            group,
        )
        .map(|(range, dispatch)| Step {
            params: side.params(range.clone()),
            grid: Grid::Linear((range.end - range.start).div_ceil(group)),
            dispatch,
        })
        .collect();
        let tile = Tile {
            label: self.program.label,
            pipeline: self.pipeline,
            inputs: (0..self.program.inputs)
                .map(|i| side.input(i, items.clone()))
                .collect(),
            steps,
            output_bytes: (items.end - items.start).div_ceil(group) * partial,
            items: items.end - items.start,
        };
        self.ctx
            .run_tile(tile, timings, self.observer, |groups| {
                let leaf = |c: u64| {
                    let own = plan.items(c);
                    let first = (own.start - items.start) / group;
                    let end = (own.end - items.start).div_ceil(group);
                    side.chunk_partial(
                        own,
                        &groups[(first * partial) as usize..(end * partial) as usize],
                    )
                };
                tree_reduce(chunks.start, chunks.end, &leaf, combine)
            })
            .inspect(|_| self.observer.finished(items.end - items.start))
    }
}
