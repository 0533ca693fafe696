//! The one place a backend becomes a driver call.
//!
//! A [`Backend`] is either an execution space (the CPU at a width and a
//! threading, or the GPU) or a policy over the spaces (`hybrid`, `auto`),
//! as Kokkos keeps execution spaces and policies apart. Every call —
//! blocking, a job's, `hybrid`'s two sides, `auto`'s probes, an MPI
//! rank's — comes through the three functions here with an observer
//! ([`Unobserved`](hetero_kernel::observe::Unobserved) when nobody
//! watches: it compiles away), and [`with_driver!`] is the registry that
//! turns a space into its [`Driver`]. A build without the `gpu` feature
//! registers no GPU driver: the space answers `Error::GpuUnavailable`.
//!
//! Adding a driver: its folder (a type implementing [`Driver`]), one arm
//! in [`with_driver!`], and its name in `backend.rs`.

mod calls;

use core::ops::Range;

use hetero_kernel::gpu::GpuReduce;
use hetero_kernel::kernel::check_map;
use hetero_kernel::observe::{Observer, Unobserved};
use hetero_kernel::{ChunkPlan, KernelError, MapKernel, ReduceKernel, Reduction, lanes};

use crate::backend::{Policy, Space, Threading, Width};
use crate::cpu::{Sequential, Threaded};
use std::time::Instant;

use crate::timeline::Traced;
use crate::{Backend, Engine, Result};

/// The observers the dispatch takes: an [`Observer`] that also says, at
/// compile time, whether it watches at all — so an unwatched CPU call runs
/// the bare kernel. (Wrapping it even in a watcher whose methods inline to
/// nothing changed how LLVM inlined the leaves: midpoint with a closure
/// integrand on `simd` ran 12–19 % slower.)
pub(crate) trait Observing: Observer {
    /// Whether the observer wants to hear of each piece of work.
    const WATCHES: bool = true;

    /// The call's recording, when a timeline records it (`None` at
    /// compile time for the unwatched observer).
    fn traced(&self) -> Option<&Traced<'_>> {
        None
    }

    /// What `auto`'s probes ask whether to stop: the observer itself, or
    /// only the watch of a recording one — a probe's chunks are not the
    /// call's work, and must not land in its timeline.
    fn stops(&self) -> &dyn Observer
    where
        Self: Sized,
    {
        self
    }
}

impl Observing for Unobserved {
    const WATCHES: bool = false;
}

impl Observing for Traced<'_> {
    fn traced(&self) -> Option<&Traced<'_>> {
        self.timeline().map(|_| self)
    }

    fn stops(&self) -> &dyn Observer {
        match self.watch() {
            Some(watch) => watch,
            None => &Unobserved,
        }
    }
}

/// When `observer` records into a timeline: the start of a call, to be
/// ended by [`record_call`].
#[inline(always)]
fn call_started<O: Observing>(observer: &O) -> Option<Instant> {
    observer.traced().map(|_| Instant::now())
}

/// Records a call that began at `started` (if it is recorded): each
/// thread's pieces of work, then the call's own span on this thread.
fn record_call<O: Observing>(
    observer: &O,
    started: Option<Instant>,
    what: &'static str,
    kernel: &'static str,
    backend: Backend,
    items: u64,
) {
    let (Some(traced), Some(started)) = (observer.traced(), started) else {
        return;
    };
    let Some(timeline) = traced.timeline() else {
        return;
    };
    let pieces = if backend == Backend::Gpu {
        "tiles"
    } else {
        "chunks"
    };
    traced.flush(pieces, backend.name());
    timeline.span(
        kernel,
        what,
        started,
        Instant::now(),
        vec![("backend", backend.name().into()), ("items", items.into())],
    );
}

impl Observing for crate::auto::StopOnly<'_> {}

/// What every execution space's driver does. Each method honours the
/// observer: asked before each piece of work (a CPU leaf, a GPU tile),
/// told the items each piece finished; a stop ends the call with
/// [`crate::Error::Cancelled`] or a value the caller throws away.
pub(crate) trait Driver {
    /// The whole reduction: leaves on the kernel's chunks, partials combined
    /// along its fixed tree. By default the whole index space as one block
    /// of [`Driver::reduce_blocks`] — the same tree, so the same bits.
    fn reduce<K: ReduceKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        observer: &O,
    ) -> Result<K::Output> {
        let plan = ChunkPlan::of(kernel)?;
        let whole = 0..plan.chunks;
        let partials = self.reduce_blocks(
            engine,
            kernel,
            &plan,
            core::slice::from_ref(&whole),
            observer,
        )?;
        let total = partials.into_iter().next().ok_or(KernelError::EmptyRange {
            kernel: kernel.name(),
        })?;
        Ok(kernel.finish(total))
    }

    /// The partial of each block (a subtree of `plan`'s chunk tree), in order.
    /// The dispatch has checked that every block is non-empty and in the plan.
    fn reduce_blocks<K: ReduceKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &O,
    ) -> Result<Vec<K::Partial>>;

    /// The outputs of the items `items` into `out`.
    fn map_range<K: MapKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &O,
    ) -> Result<()>;
}

/// The registry: evaluates `$call` with `$driver` bound to the driver of
/// `$space`, its vector lanes those of `$engine`'s instruction-set level.
/// (A macro, not a function returning a driver: the drivers' methods are
/// generic over the kernel, so there is no `dyn Driver`.)
macro_rules! with_driver {
    ($engine:expr, $space:expr, $driver:ident => $call:expr) => {
        match $space {
            Space::Cpu {
                width: Width::Scalar,
                threading: Threading::Caller,
            } => {
                let $driver = Sequential::<lanes::Scalar>::new();
                $call
            }
            Space::Cpu {
                width: Width::Scalar,
                threading: Threading::Pool,
            } => {
                let $driver = Threaded::<lanes::Scalar>::new();
                $call
            }
            Space::Cpu {
                width: Width::Simd,
                threading,
            } => with_simd_lanes!($engine.isa(), L => match threading {
                Threading::Caller => {
                    let $driver = Sequential::<L>::new();
                    $call
                }
                Threading::Pool => {
                    let $driver = Threaded::<L>::new();
                    $call
                }
            }),
            #[cfg(feature = "gpu")]
            Space::Gpu => {
                let $driver = crate::gpu::GpuDriver;
                $call
            }
            #[cfg(not(feature = "gpu"))]
            Space::Gpu => Err(crate::Error::GpuUnavailable),
        }
    };
}

/// Evaluates `$body` with the type `$lanes` bound to the vector lanes of
/// the level `$isa`. The engine checked the level against the CPU when it
/// was set; the lanes' trampoline checks again per leaf.
macro_rules! with_simd_lanes {
    ($isa:expr, $lanes:ident => $body:expr) => {
        match $isa {
            #[cfg(target_arch = "x86_64")]
            hetero_kernel::Isa::V4 => {
                type $lanes = lanes::Avx512;
                $body
            }
            #[cfg(target_arch = "x86_64")]
            hetero_kernel::Isa::V3 => {
                type $lanes = lanes::Avx2;
                $body
            }
            _ => {
                type $lanes = lanes::Simd;
                $body
            }
        }
    };
}

/// The name of the vector lanes at `isa`, for reports.
pub(crate) fn simd_lanes_name(isa: hetero_kernel::Isa) -> &'static str {
    with_simd_lanes!(isa, L => <L as hetero_kernel::Lanes>::NAME)
}

/// The reduction `kernel` on `backend`, watched by `observer`.
pub(crate) fn reduce<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    backend: Backend,
    observer: &O,
) -> Result<K::Output> {
    let started = call_started(observer);
    match backend.policy() {
        Policy::Run(_) => {
            let value = reduce_in_space(engine, kernel, backend, observer);
            record_call(
                observer,
                started,
                "reduce",
                kernel.name(),
                backend,
                kernel.len(),
            );
            value
        }
        Policy::Hybrid => {
            let (value, share) = crate::hybrid::reduce(engine, kernel, observer)?;
            engine.record(&share);
            record_hybrid(observer, started, kernel.name(), &share);
            Ok(value)
        }
        Policy::Auto => {
            let chosen = resolve_reduce(engine, kernel, backend, observer)?;
            record_choice(engine, observer, chosen);
            let ran = Instant::now();
            let value = reduce(engine, kernel, chosen, observer)?;
            engine.auto_learn_reduce(kernel, kernel.len(), chosen, ran.elapsed().as_secs_f64());
            Ok(value)
        }
    }
}

/// Records `hybrid`'s call and its split (if the call is recorded).
fn record_hybrid<O: Observing>(
    observer: &O,
    started: Option<Instant>,
    kernel: &'static str,
    share: &impl core::fmt::Debug,
) {
    let (Some(traced), Some(started)) = (observer.traced(), started) else {
        return;
    };
    let Some(timeline) = traced.timeline() else {
        return;
    };
    traced.flush("pieces", "hybrid");
    timeline.span(
        kernel,
        "hybrid",
        started,
        Instant::now(),
        vec![("split", format!("{share:?}").into())],
    );
}

/// Records `auto`'s choice for the call it just resolved — `ran`, the
/// best predicted backend or a runner-up it is trying — as an instant
/// event with the candidates' predicted times (if the call is recorded).
fn record_choice<O: Observing>(engine: &Engine, observer: &O, ran: Backend) {
    let Some(timeline) = observer.traced().and_then(Traced::timeline) else {
        return;
    };
    if let Some(choice) = engine.calibration().last_choice() {
        let mut args = vec![
            ("kernel", choice.kernel.clone().into()),
            ("items", choice.items.into()),
            ("why", choice.to_string().into()),
        ];
        if ran != choice.chosen {
            args.push((
                "exploring",
                format!("trying {ran} instead of {}", choice.chosen).into(),
            ));
        }
        timeline.instant(format!("auto: {}", ran.name()), "auto", args);
    }
}

/// The partials of `blocks` of `plan` (the kernel's own plan) on `backend`.
///
/// # Errors
/// [`KernelError::EmptyRange`] for an empty block or one past the last
/// chunk, before anything runs; else as the driver.
pub(crate) fn reduce_blocks<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    plan: &ChunkPlan,
    blocks: &[Range<u64>],
    backend: Backend,
    observer: &O,
) -> Result<Vec<K::Partial>> {
    if blocks.iter().any(|b| b.is_empty() || b.end > plan.chunks) {
        return Err(KernelError::EmptyRange {
            kernel: kernel.name(),
        }
        .into());
    }
    let started = call_started(observer);
    match backend.policy() {
        Policy::Run(space) => {
            let partials = with_driver!(
                engine, space, driver => driver.reduce_blocks(engine, kernel, plan, blocks, observer)
            );
            let items = blocks
                .iter()
                .map(|b| (b.end * plan.chunk).min(plan.len) - b.start * plan.chunk)
                .sum::<u64>();
            record_call(
                observer,
                started,
                "reduce blocks",
                kernel.name(),
                backend,
                items,
            );
            partials
        }
        Policy::Hybrid => {
            let (partials, share) =
                crate::hybrid::reduce_blocks(engine, kernel, plan, blocks, observer)?;
            engine.record(&share);
            record_hybrid(observer, started, kernel.name(), &share);
            Ok(partials)
        }
        Policy::Auto => {
            let chosen = resolve_reduce(engine, kernel, backend, observer)?;
            record_choice(engine, observer, chosen);
            reduce_blocks(engine, kernel, plan, blocks, chosen, observer)
            // (Not learned from: a share of blocks is not the call `auto`
            // predicted.)
        }
    }
}

/// The reduction `kernel` on the one space `backend` runs in, as a call of
/// it would run there (`auto`'s probes: never a policy, so probing a
/// kernel never instantiates the probe of its probe). `hybrid` and `auto`
/// are refused with [`crate::Error::NoBackend`].
pub(crate) fn reduce_in_space<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    backend: Backend,
    observer: &O,
) -> Result<K::Output> {
    match backend.policy() {
        Policy::Run(space) => {
            with_driver!(engine, space, driver => driver.reduce(engine, kernel, observer))
        }
        Policy::Hybrid | Policy::Auto => Err(crate::Error::NoBackend {
            reasons: format!("{backend} is a policy, not a space to measure"),
        }),
    }
}

/// The map `kernel` over `items` into `out` on `backend`.
pub(crate) fn map_range<K: MapKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
    backend: Backend,
    observer: &O,
) -> Result<()> {
    let started = call_started(observer);
    match backend.policy() {
        Policy::Run(space) => {
            let count = items.len() as u64;
            let done = with_driver!(
                engine, space, driver => driver.map_range(engine, kernel, items, out, observer)
            );
            record_call(observer, started, "map", kernel.name(), backend, count);
            done
        }
        Policy::Hybrid => {
            let share = crate::hybrid::map_range(engine, kernel, items, out, observer)?;
            engine.record(&share);
            record_hybrid(observer, started, kernel.name(), &share);
            Ok(())
        }
        Policy::Auto => {
            // A call no backend could run is its own error, not `auto`'s
            // "no backend" after probing every one.
            check_map(kernel, &items, out.len())?;
            let count = items.len();
            let chosen = resolve_map(engine, kernel, count, backend, observer)?;
            record_choice(engine, observer, chosen);
            let ran = Instant::now();
            map_range(engine, kernel, items, out, chosen, observer)?;
            engine.auto_learn_map(kernel, count, chosen, ran.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

/// `backend` itself, or for `auto` the space it picks for this reduction
/// (measuring, under `observer`'s stop, what it has no model for). A
/// kernel no driver can run (chunk 0, no items) is its own error.
pub(crate) fn resolve_reduce<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    backend: Backend,
    observer: &O,
) -> Result<Backend> {
    match backend.policy() {
        Policy::Auto => {
            ChunkPlan::of(kernel)?;
            engine.auto_reduce(kernel, observer)
        }
        Policy::Run(_) | Policy::Hybrid => Ok(backend),
    }
}

/// `backend` itself, or for `auto` the space it picks for a map of `items` items.
pub(crate) fn resolve_map<K: MapKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    items: usize,
    backend: Backend,
    observer: &O,
) -> Result<Backend> {
    match backend.policy() {
        Policy::Auto => engine.auto_map(kernel, items, observer),
        Policy::Run(_) | Policy::Hybrid => Ok(backend),
    }
}

/// A reduction whose GPU side is given apart from it (a WGSL integrand),
/// on the GPU: the one call that names the GPU rather than a backend.
pub(crate) fn reduce_on_gpu_with<K: Reduction>(
    engine: &Engine,
    shape: &K,
    side: &dyn GpuReduce<K::Partial>,
) -> Result<K::Output> {
    #[cfg(feature = "gpu")]
    {
        crate::gpu::reduce_with_side(engine, shape, side)
    }
    #[cfg(not(feature = "gpu"))]
    {
        let _ = (engine, shape, side);
        Err(crate::Error::GpuUnavailable)
    }
}
