//! The `gpu` execution space: a kernel's GPU side run by the drivers of
//! `hetero-gpu` on the engine's context. (Registered in the dispatch only
//! in a build with the `gpu` feature.)

use core::ops::Range;

use hetero_kernel::gpu::GpuReduce;
use hetero_kernel::kernel::check_map;
use hetero_kernel::{ChunkPlan, MapKernel, ReduceKernel, Reduction};

use crate::dispatch::Driver;
use crate::dispatch::Observing;
use crate::{Engine, Result};

/// The GPU driver.
pub(crate) struct GpuDriver;

impl Driver for GpuDriver {
    fn reduce_blocks<K: ReduceKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &O,
    ) -> Result<Vec<K::Partial>> {
        let ctx = engine.gpu()?;
        // Asked here, not in the driver, so a kernel without a GPU side is
        // the facade's `Error::Unsupported`.
        let side = kernel.gpu(&ctx.caps())?;
        let (partials, timings) =
            hetero_gpu::reduce_blocks_observed(ctx, kernel, &*side, plan, blocks, observer)
                .map_err(cancelled)?;
        record_split(observer, &timings);
        Ok(partials)
    }

    fn map_range<K: MapKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &O,
    ) -> Result<()> {
        check_map(kernel, &items, out.len())?;
        let ctx = engine.gpu()?;
        let side = kernel.gpu(&ctx.caps())?;
        let timings = hetero_gpu::map_with_observed(ctx, kernel, &*side, items, out, observer)
            .map_err(cancelled)?;
        record_split(observer, &timings);
        Ok(())
    }
}

/// A reduction whose GPU side is given apart from it (a WGSL integrand).
pub(crate) fn reduce_with_side<K: Reduction>(
    engine: &Engine,
    shape: &K,
    side: &dyn GpuReduce<K::Partial>,
) -> Result<K::Output> {
    Ok(hetero_gpu::reduce_with(engine.gpu()?, shape, side)?.0)
}

/// Where a recorded GPU call's time went, as an instant event at its end:
/// the host's upload and readback copies, the compute passes' GPU time
/// (timestamp queries, where the adapter has them) and the dispatches.
fn record_split<O: Observing>(observer: &O, timings: &hetero_gpu::GpuTimings) {
    let Some(timeline) = observer
        .traced()
        .and_then(crate::timeline::Traced::timeline)
    else {
        return;
    };
    let us = |d: core::time::Duration| d.as_secs_f64() * 1e6;
    let mut args = vec![
        ("end_to_end_us", us(timings.end_to_end).into()),
        ("upload_us", us(timings.upload).into()),
        ("readback_us", us(timings.readback).into()),
        ("dispatches", u64::from(timings.dispatches).into()),
    ];
    if let Some(kernel) = timings.kernel {
        args.push(("kernel_us", us(kernel).into()));
    }
    timeline.instant("gpu time split", "gpu", args);
}

/// A GPU call stopped by its observer is the facade's `Cancelled`.
fn cancelled(e: hetero_gpu::GpuError) -> crate::Error {
    match e {
        hetero_gpu::GpuError::Cancelled { .. } => crate::Error::Cancelled,
        other => other.into(),
    }
}
