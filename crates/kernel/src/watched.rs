//! A kernel run under an [`Observer`]: every leaf first asks whether to go
//! on and then reports its items. The CPU drivers call leaves chunk by
//! chunk, so wrapping a kernel is all it takes for a submitted job to show
//! progress and stop at the next chunk boundary — the drivers stay as they
//! are, and an unwatched call pays nothing.
//!
//! A stopped leaf still has to return a partial: it computes the partial of
//! its first item alone (cheap, and never empty), and whoever stopped the
//! call throws the result away. The GPU side is the inner kernel's own; the
//! GPU drivers take the observer directly, tile by tile.

use core::ops::Range;

use crate::error::KernelError;
use crate::gpu::{GpuCaps, GpuMap, GpuReduce};
use crate::kernel::{MapKernel, Mapping, ReduceKernel, Reduction};
use crate::lanes::Lanes;
use crate::observe::Observer;

/// `inner`, with its leaves watched by `observer`. Leaves that run compute
/// exactly what `inner`'s would: same chunk, same combine, same bits. The
/// observer's type is a parameter so that watching by
/// [`crate::observe::Unobserved`] compiles to the bare kernel.
pub struct Watched<'a, K: ?Sized, O: Observer + ?Sized = dyn Observer> {
    inner: &'a K,
    observer: &'a O,
}

impl<'a, K: ?Sized, O: Observer + ?Sized> Watched<'a, K, O> {
    /// `inner` watched by `observer`.
    pub fn new(inner: &'a K, observer: &'a O) -> Self {
        Self { inner, observer }
    }
}

impl<K: Reduction + ?Sized, O: Observer + ?Sized> Reduction for Watched<'_, K, O> {
    type Partial = K::Partial;
    type Output = K::Output;

    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn chunk(&self) -> u64 {
        self.inner.chunk()
    }
    fn combine(&self, left: K::Partial, right: K::Partial) -> K::Partial {
        self.inner.combine(left, right)
    }
    fn finish(&self, total: K::Partial) -> K::Output {
        self.inner.finish(total)
    }
}

impl<K: ReduceKernel + ?Sized, O: Observer + ?Sized> ReduceKernel for Watched<'_, K, O> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> K::Partial {
        if !self.observer.proceed() {
            // Stopped: a throw-away partial of one item (items is never empty).
            return self.inner.leaf::<L>(items.start..items.start + 1);
        }
        let count = items.end - items.start;
        let partial = self.inner.leaf::<L>(items);
        self.observer.finished(count);
        partial
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<K::Partial> + '_>, KernelError> {
        self.inner.gpu(caps)
    }
}

impl<K: Mapping + ?Sized, O: Observer + ?Sized> Mapping for Watched<'_, K, O> {
    type Out = K::Out;

    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn out_per_item(&self) -> usize {
        self.inner.out_per_item()
    }
    fn chunk(&self) -> usize {
        self.inner.chunk()
    }
}

impl<K: MapKernel + ?Sized, O: Observer + ?Sized> MapKernel for Watched<'_, K, O> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [K::Out]) {
        if !self.observer.proceed() {
            return; // stopped: the output is thrown away
        }
        let count = items.len() as u64;
        self.inner.leaf::<L>(items, out);
        self.observer.finished(count);
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        self.inner.gpu(caps)
    }
}
