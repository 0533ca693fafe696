//! The `gpu` execution space of the dispatch: a kernel's GPU side run by
//! the drivers of `hetero-gpu` (or, in a build without the `gpu` feature,
//! a typed error).

use core::ops::Range;

use hetero_kernel::gpu::GpuReduce;
use hetero_kernel::observe::Observer;
use hetero_kernel::{ChunkPlan, MapKernel, ReduceKernel, Reduction};

use crate::{Engine, Result};

#[cfg(feature = "gpu")]
impl Engine {
    pub(crate) fn reduce_gpu<K: ReduceKernel>(&self, kernel: &K) -> Result<K::Output> {
        let ctx = self.gpu()?;
        // Asked here, not in the driver, so a kernel without a GPU side is
        // the facade's `Error::Unsupported`.
        let side = kernel.gpu(&ctx.caps())?;
        Ok(hetero_gpu::reduce_with(ctx, kernel, &*side)?.0)
    }

    pub(crate) fn reduce_blocks_gpu<K: ReduceKernel>(
        &self,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
    ) -> Result<Vec<K::Partial>> {
        self.reduce_blocks_gpu_observed(kernel, plan, blocks, &hetero_kernel::observe::Unobserved)
    }

    /// Runs `f` with a function that computes the partials of blocks of
    /// `plan` on the GPU, the kernel's GPU side built once for all its
    /// calls (a hybrid run makes one per batch). If the GPU or the side is
    /// missing, every call returns that error.
    pub(crate) fn with_gpu_blocks<K: ReduceKernel, T>(
        &self,
        kernel: &K,
        plan: &ChunkPlan,
        observer: &dyn Observer,
        f: impl FnOnce(&mut dyn FnMut(&[Range<u64>]) -> Result<Vec<K::Partial>>) -> T,
    ) -> T {
        let prepared = self
            .gpu()
            .and_then(|ctx| Ok((ctx, kernel.gpu(&ctx.caps())?)));
        match prepared {
            Ok((ctx, side)) => f(&mut |blocks| {
                hetero_gpu::reduce_blocks_observed(ctx, kernel, &*side, plan, blocks, observer)
                    .map(|(partials, _)| partials)
                    .map_err(cancelled)
            }),
            Err(e) => f(&mut |_| Err(e.clone())),
        }
    }

    /// Why `hybrid` should run on the CPU threads alone (`Some`), or
    /// `None` when the GPU takes part. `has_side` says whether the kernel
    /// has a GPU side on a device with these caps. Under a fixed split the
    /// GPU is required: its absence is the error.
    pub(crate) fn hybrid_cpu_only(
        &self,
        has_side: impl FnOnce(&hetero_kernel::gpu::GpuCaps) -> bool,
    ) -> Result<Option<String>> {
        let split = self.hybrid_split();
        let required = matches!(split, crate::hybrid::HybridSplit::Fixed { .. });
        let ctx = match self.gpu() {
            Ok(ctx) => ctx,
            Err(e) if !required => return Ok(Some(format!("no GPU: {e}"))),
            Err(e) => return Err(e),
        };
        if ctx.describe().is_software && !split.allows_software() {
            return Ok(Some(format!(
                "the GPU '{}' is a software adapter on these same cores",
                ctx.describe().name
            )));
        }
        if !has_side(&ctx.caps()) {
            if required {
                return Err(crate::Error::Unsupported {
                    what: "a kernel without a GPU side",
                    backend: "hybrid",
                    hint: "a fixed split needs the kernel's GPU side; use the adaptive split or a CPU backend",
                });
            }
            return Ok(Some("the kernel has no GPU side".to_owned()));
        }
        Ok(None)
    }

    pub(crate) fn map_gpu_observed<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &dyn Observer,
    ) -> Result<()> {
        hetero_kernel::kernel::check_map(kernel, &items, out.len())?;
        let ctx = self.gpu()?;
        let side = kernel.gpu(&ctx.caps())?;
        hetero_gpu::map_with_observed(ctx, kernel, &*side, items, out, observer)
            .map_err(cancelled)?;
        Ok(())
    }

    /// A reduction whose GPU side is given apart from it (a WGSL integrand).
    pub(crate) fn reduce_gpu_with<K: Reduction>(
        &self,
        shape: &K,
        side: &dyn GpuReduce<K::Partial>,
    ) -> Result<K::Output> {
        Ok(hetero_gpu::reduce_with(self.gpu()?, shape, side)?.0)
    }

    pub(crate) fn map_gpu<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
    ) -> Result<()> {
        hetero_kernel::kernel::check_map(kernel, &items, out.len())?;
        let ctx = self.gpu()?;
        let side = kernel.gpu(&ctx.caps())?;
        hetero_gpu::map_with(ctx, kernel, &*side, items, out)?;
        Ok(())
    }
}

/// A GPU call stopped by its observer is the facade's `Cancelled`.
#[cfg(feature = "gpu")]
fn cancelled(e: hetero_gpu::GpuError) -> crate::Error {
    match e {
        hetero_gpu::GpuError::Cancelled { .. } => crate::Error::Cancelled,
        other => other.into(),
    }
}

#[cfg(not(feature = "gpu"))]
impl Engine {
    pub(crate) fn with_gpu_blocks<K: ReduceKernel, T>(
        &self,
        _: &K,
        _: &ChunkPlan,
        _: &dyn Observer,
        f: impl FnOnce(&mut dyn FnMut(&[Range<u64>]) -> Result<Vec<K::Partial>>) -> T,
    ) -> T {
        f(&mut |_| Err(crate::Error::GpuUnavailable))
    }

    /// Without the `gpu` feature `hybrid` is the CPU threads alone (a
    /// fixed split, which needs the GPU, is the error).
    pub(crate) fn hybrid_cpu_only(
        &self,
        _: impl FnOnce(&hetero_kernel::gpu::GpuCaps) -> bool,
    ) -> Result<Option<String>> {
        match self.hybrid_split() {
            crate::hybrid::HybridSplit::Fixed { .. } => Err(crate::Error::GpuUnavailable),
            _ => Ok(Some("this build has no gpu backend".to_owned())),
        }
    }

    pub(crate) fn map_gpu_observed<K: MapKernel>(
        &self,
        _: &K,
        _: Range<usize>,
        _: &mut [K::Out],
        _: &dyn Observer,
    ) -> Result<()> {
        Err(crate::Error::GpuUnavailable)
    }

    pub(crate) fn reduce_gpu<K: ReduceKernel>(&self, _: &K) -> Result<K::Output> {
        Err(crate::Error::GpuUnavailable)
    }

    pub(crate) fn reduce_blocks_gpu<K: ReduceKernel>(
        &self,
        _: &K,
        _: &ChunkPlan,
        _: &[Range<u64>],
    ) -> Result<Vec<K::Partial>> {
        Err(crate::Error::GpuUnavailable)
    }

    pub(crate) fn reduce_gpu_with<K: Reduction>(
        &self,
        _: &K,
        _: &dyn GpuReduce<K::Partial>,
    ) -> Result<K::Output> {
        Err(crate::Error::GpuUnavailable)
    }

    pub(crate) fn map_gpu<K: MapKernel>(
        &self,
        _: &K,
        _: Range<usize>,
        _: &mut [K::Out],
    ) -> Result<()> {
        Err(crate::Error::GpuUnavailable)
    }
}

impl Engine {
    /// The partials of `blocks` on the GPU (see [`Engine::with_gpu_blocks`]).
    pub(crate) fn reduce_blocks_gpu_observed<K: ReduceKernel>(
        &self,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &dyn Observer,
    ) -> Result<Vec<K::Partial>> {
        self.with_gpu_blocks(kernel, plan, observer, |run| run(blocks))
    }

    /// [`Engine::reduce_gpu`] with `observer` asked before every tile; a
    /// stop is [`crate::Error::Cancelled`]. The whole index space is one
    /// block, the call `reduce_with` makes: the same bits.
    pub(crate) fn reduce_gpu_observed<K: ReduceKernel>(
        &self,
        kernel: &K,
        observer: &dyn Observer,
    ) -> Result<K::Output> {
        let plan = ChunkPlan::of(kernel)?;
        let whole = 0..plan.chunks;
        let partials = self.reduce_blocks_gpu_observed(
            kernel,
            &plan,
            core::slice::from_ref(&whole),
            observer,
        )?;
        let total = partials
            .into_iter()
            .next()
            .ok_or(hetero_kernel::KernelError::EmptyRange {
                kernel: kernel.name(),
            })?;
        Ok(kernel.finish(total))
    }
}
