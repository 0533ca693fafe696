//! Measuring a kernel on a backend for the cost model: the same kernel
//! over a prefix of its own index space (a reduction's first chunks, a
//! map's first items into scratch), once small and once large enough that
//! the per-item cost shows through the fixed cost.

use std::time::{Duration, Instant};

use core::ops::Range;

use hetero_kernel::gpu::{GpuCaps, GpuReduce};
use hetero_kernel::{ChunkPlan, KernelError, Lanes, MapKernel, ReduceKernel, Reduction};

use super::StopOnly;
use super::model::CostModel;
use crate::{Backend, Engine, Result, dispatch};

/// The larger probe grows until a call takes this long (or covers the
/// whole index space), and to at least ten times the one-chunk call.
const LARGE_PROBE: Duration = Duration::from_millis(4);

/// A model whose larger probe covered its whole kernel before reaching
/// [`LARGE_PROBE`] predicts up to this many times that probe's items.
const REACH: u64 = 8;

/// The best of `runs` timings of `f`.
fn best_of(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let started = Instant::now();
        f()?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// A model and whether it rests on two sizes (a kernel of one chunk gives
/// one point: its model holds for that kernel's size only).
pub(crate) struct Probed {
    pub model: CostModel,
    pub has_slope: bool,
}

/// Fits the model from `time(units)` — the seconds of a call over the
/// first `units` of `total` units (chunks); `items(units)` is their items.
fn fit(
    total: u64,
    items: impl Fn(u64) -> u64,
    mut time: impl FnMut(u64) -> Result<f64>,
) -> Result<Probed> {
    time(1)?; // warm-up: first-touch, pipeline caches, thread wake-up
    // The fixed cost decides small calls: the best of several, so one
    // preemption does not make a backend look slow.
    let mut t_one = f64::INFINITY;
    for _ in 0..5 {
        t_one = t_one.min(time(1)?);
    }
    let mut units = 1;
    let mut t_large = t_one;
    while units < total && (t_large < LARGE_PROBE.as_secs_f64() || t_large < 10.0 * t_one) {
        units = (units * 4).min(total);
        t_large = time(units)?;
    }
    if units > 1 {
        // The best of three: shared machines stall single runs.
        t_large = t_large.min(time(units)?).min(time(units)?);
    }
    let mut model = CostModel::fit(items(1), t_one, items(units), t_large);
    if units == total && t_large < LARGE_PROBE.as_secs_f64() {
        // The kernel ended first: a fixed cost that hides the per-item one
        // (a GPU's submission, a pool's wake-up) must not be extrapolated far.
        model.valid_to = items(units).saturating_mul(REACH);
    }
    Ok(Probed {
        model,
        has_slope: units > 1,
    })
}

impl Engine {
    /// The cost model of reduction `kernel` on `backend`, measured now
    /// (stopped at the next chunk when `observer` says stop).
    pub(crate) fn probe_reduce<K: ReduceKernel>(
        &self,
        kernel: &K,
        backend: Backend,
        observer: &StopOnly<'_>,
    ) -> Result<Probed> {
        let plan = ChunkPlan::of(kernel)?;
        let items = |units: u64| (units.saturating_mul(plan.chunk)).min(plan.len);
        fit(plan.chunks, items, |units| {
            let prefix = Prefix {
                kernel,
                len: items(units),
            };
            best_of(1, || {
                dispatch::reduce_in_space(self, &prefix, backend, observer).map(drop)
            })
        })
    }

    /// The cost model of map `kernel` on `backend`, measured now (into a
    /// scratch output of at most the probe's size).
    pub(crate) fn probe_map<K: MapKernel>(
        &self,
        kernel: &K,
        backend: Backend,
        observer: &StopOnly<'_>,
    ) -> Result<Probed> {
        let (chunk, per_item) = (kernel.chunk().max(1), kernel.out_per_item());
        let total = kernel.len().div_ceil(chunk) as u64;
        let items = |units: u64| (units.saturating_mul(chunk as u64)).min(kernel.len() as u64);
        let mut scratch: Vec<K::Out> = Vec::new();
        fit(total, items, |units| {
            let items = (units as usize * chunk).min(kernel.len());
            let values = items * per_item;
            hetero_core::alloc::try_resize(
                &mut scratch,
                values as u64,
                K::Out::default(),
                "auto: the probe's scratch output",
            )
            .map_err(KernelError::from)?;
            best_of(1, || {
                dispatch::map_range(self, kernel, 0..items, &mut scratch, backend, observer)
            })
        })
    }
}

/// A reduction's first `len` items as a reduction of its own: the probe
/// runs it as a call runs, through the same driver and schedule (the
/// threaded drivers deal small calls out differently from large ones, and
/// from a share of blocks). Its result is thrown away; only its time counts.
struct Prefix<'k, K> {
    kernel: &'k K,
    len: u64,
}

impl<K: ReduceKernel> Reduction for Prefix<'_, K> {
    type Partial = K::Partial;
    type Output = K::Output;

    fn name(&self) -> &'static str {
        self.kernel.name()
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn chunk(&self) -> u64 {
        self.kernel.chunk()
    }
    fn combine(&self, left: K::Partial, right: K::Partial) -> K::Partial {
        self.kernel.combine(left, right)
    }
    fn finish(&self, total: K::Partial) -> K::Output {
        self.kernel.finish(total)
    }
}

impl<K: ReduceKernel> ReduceKernel for Prefix<'_, K> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> K::Partial {
        self.kernel.leaf::<L>(items)
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<K::Partial> + '_>, KernelError> {
        self.kernel.gpu(caps)
    }
}
