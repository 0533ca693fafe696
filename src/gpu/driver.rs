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
        hetero_gpu::reduce_blocks_observed(ctx, kernel, &*side, plan, blocks, observer)
            .map(|(partials, _)| partials)
            .map_err(cancelled)
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
        hetero_gpu::map_with_observed(ctx, kernel, &*side, items, out, observer)
            .map_err(cancelled)?;
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

/// A GPU call stopped by its observer is the facade's `Cancelled`.
fn cancelled(e: hetero_gpu::GpuError) -> crate::Error {
    match e {
        hetero_gpu::GpuError::Cancelled { .. } => crate::Error::Cancelled,
        other => other.into(),
    }
}
