//! Starting jobs: each runs on one of the engine's job threads and drives
//! the engine exactly as the blocking call does, under a [`Watch`] so it
//! can be followed and stopped.

use core::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use hetero_core::chunks::try_tree_reduce_blocks;
use hetero_core::shares::contiguous_shares;
use hetero_kernel::kernel::{check_map, try_alloc_output};
use hetero_kernel::observe::Watch;
use hetero_kernel::{ChunkPlan, MapKernel, ReduceKernel};

use super::handle::{Job, JobControl, RunningGuard, Shared};
use crate::timeline::{Timeline, Traced};
use crate::{Backend, Engine, Error, Result, dispatch};

/// Chunks per pool thread in one round of a job on the CPU: about a
/// millisecond of work, against some microseconds to enter the pool.
const ROUND_PER_THREAD: usize = 16;

/// What a job's closure runs its kernels through (see
/// [`Jobs::submit_with`]): the blocking calls of the engine, watched, so
/// the job's progress counts their items and a cancel stops them.
pub struct JobScope<'j> {
    engine: &'j Engine,
    control: &'j Arc<JobControl>,
}

impl<'j> JobScope<'j> {
    /// Calls on `engine` on behalf of the job `control` belongs to: they
    /// add to its progress and stop at its cancel. [`Jobs::submit_with`]
    /// hands its closure one; code that works for a job from elsewhere
    /// (a callback, a thread-local) makes its own from
    /// [`JobScope::control`], on any engine.
    pub fn new(engine: &'j Engine, control: &'j Arc<JobControl>) -> Self {
        Self { engine, control }
    }

    /// The observer of the job's calls: its watch, and the engine's
    /// timeline if it has one.
    fn observer(&self) -> Traced<'_> {
        let timeline = self.engine.timeline().map(|t| &**t);
        Traced::new(Some(&self.control.watch), timeline, self.engine.threads())
    }

    /// The job's control, to keep beyond this scope.
    pub fn control(&self) -> Arc<JobControl> {
        Arc::clone(self.control)
    }
    /// The engine the job runs on (its blocking calls are not watched).
    pub fn engine(&self) -> &Engine {
        self.engine
    }

    /// Whether the job was cancelled (a long closure may check between calls).
    pub fn is_cancelled(&self) -> bool {
        self.control.is_cancelled()
    }

    /// [`Engine::reduce`], watched: the same result, bit for bit.
    ///
    /// # Errors
    /// As [`Engine::reduce`]; [`Error::Cancelled`] once the job is cancelled.
    pub fn reduce<K: ReduceKernel>(&self, kernel: &K, backend: Backend) -> Result<K::Output> {
        let (watch, observer) = (&self.control.watch, &self.observer());
        let chosen = dispatch::resolve_reduce(self.engine, kernel, backend, observer)?;
        self.control.add_total(kernel.len());
        let timed = AloneTimer::start();
        let value = cancelled_or(watch, || {
            if chosen.is_cpu_parallel() {
                self.reduce_in_rounds(kernel, chosen)
            } else {
                dispatch::reduce(self.engine, kernel, chosen, observer)
            }
        })?;
        if let (Backend::Auto, Some(seconds)) = (backend, timed.seconds()) {
            self.engine
                .auto_learn_reduce(kernel, kernel.len(), chosen, seconds);
        }
        Ok(value)
    }

    /// A reduction on the engine's pool in rounds of a few chunks per
    /// thread, leaving the pool between rounds. rayon's workers finish the
    /// tasks they hold before they look at new calls, so a huge job in one
    /// call would hold the pool to its end; in rounds, jobs submitted
    /// together take turns. The rounds are the subtrees of the fixed tree,
    /// combined as they finish (O(log n) partials alive): the one-call
    /// result, bit for bit.
    fn reduce_in_rounds<K: ReduceKernel>(&self, kernel: &K, backend: Backend) -> Result<K::Output> {
        let (watch, observer) = (&self.control.watch, &self.observer());
        let plan = ChunkPlan::of(kernel)?;
        let round_chunks = (ROUND_PER_THREAD * self.engine.threads().max(1)) as u64;
        let total = try_tree_reduce_blocks(
            0,
            plan.chunks,
            round_chunks,
            &mut |round| {
                if watch.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let partials = dispatch::reduce_blocks(
                    self.engine,
                    kernel,
                    &plan,
                    core::slice::from_ref(&round),
                    backend,
                    observer,
                )?;
                // One block in, one partial out.
                partials.into_iter().next().ok_or_else(|| {
                    hetero_kernel::KernelError::EmptyRange {
                        kernel: kernel.name(),
                    }
                    .into()
                })
            },
            &|a, b| kernel.combine(a, b),
        )?;
        Ok(kernel.finish(total))
    }

    /// [`Engine::map_range`], watched: the same outputs. After a cancel
    /// `out` holds some finished pieces; the job's result is the error.
    ///
    /// # Errors
    /// As [`Engine::map_range`]; [`Error::Cancelled`] once the job is cancelled.
    pub fn map_range<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        backend: Backend,
    ) -> Result<()> {
        check_map(kernel, &items, out.len())?;
        let (watch, observer) = (&self.control.watch, &self.observer());
        let (asked, count) = (backend, items.len());
        let backend = dispatch::resolve_map(self.engine, kernel, items.len(), backend, observer)?;
        self.control.add_total(items.len() as u64);
        let timed = AloneTimer::start();
        cancelled_or(watch, || {
            if !backend.is_cpu() {
                return dispatch::map_range(self.engine, kernel, items, out, backend, observer);
            }
            // Whole chunks of the kernel at a time (where a threaded task
            // would start, so every output keeps its bits): boundaries to
            // stop at, and — on the pool — turns for other jobs, as in
            // `reduce_in_rounds`.
            let per_item = kernel.out_per_item();
            let round = ROUND_PER_THREAD * self.engine.threads().max(1);
            let pieces = contiguous_shares(
                items.len(),
                items
                    .len()
                    .div_ceil(kernel.chunk().max(1).saturating_mul(round)),
                kernel.chunk(),
            );
            for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
                if watch.is_cancelled() {
                    break;
                }
                let values = &mut out[piece.start * per_item..piece.end * per_item];
                let piece = items.start + piece.start..items.start + piece.end;
                dispatch::map_range(self.engine, kernel, piece, values, backend, observer)?;
            }
            Ok(())
        })?;
        if let (Backend::Auto, Some(seconds)) = (asked, timed.seconds()) {
            self.engine.auto_learn_map(kernel, count, backend, seconds);
        }
        Ok(())
    }

    /// [`Engine::map_vec`], watched.
    ///
    /// # Errors
    /// As [`JobScope::map_range`], plus [`hetero_kernel::KernelError::OutOfMemory`].
    pub fn map_vec<K: MapKernel>(&self, kernel: &K, backend: Backend) -> Result<Vec<K::Out>> {
        let mut out = try_alloc_output(kernel)?;
        self.map_range(kernel, 0..kernel.len(), &mut out, backend)?;
        Ok(out)
    }
}

/// Times a job's call for `auto` to learn from, as it learns from a
/// blocking call — when the job was the only one from start to end. Beside
/// other jobs it took turns on the pool, so its time says how busy the
/// engine was, not how fast the backend is, and would skew the model.
struct AloneTimer {
    started: Instant,
    alone: bool,
}

impl AloneTimer {
    fn start() -> Self {
        Self {
            started: Instant::now(),
            alone: super::running_jobs() == 1,
        }
    }

    /// The call's seconds, or `None` if another job was there at either
    /// end. (One that started and ended in between goes unseen: one
    /// sample, which the models' median absorbs.)
    fn seconds(&self) -> Option<f64> {
        (self.alone && super::running_jobs() == 1).then(|| self.started.elapsed().as_secs_f64())
    }
}

/// `run`'s result, unless the watch was cancelled during it: then
/// [`Error::Cancelled`], whatever it returned (a stopped call's value is
/// made of throw-away partials).
fn cancelled_or<T>(watch: &Watch, run: impl FnOnce() -> Result<T>) -> Result<T> {
    if watch.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let outcome = run();
    if watch.is_cancelled() {
        return Err(Error::Cancelled);
    }
    outcome
}

impl Engine {
    /// The engine's jobs: work started now and collected later
    /// (`Pool.apply_async`, `executor.submit`). The engine is shared with
    /// the job threads, hence the `Arc`.
    pub fn jobs(self: &Arc<Self>) -> Jobs<'_> {
        Jobs { engine: self }
    }
}

/// Starting jobs on an engine ([`Engine::jobs`]): each runs on one of the
/// engine's job threads, drives the engine as the blocking call does, and
/// hands back a [`Job`] at once.
#[derive(Debug, Clone, Copy)]
pub struct Jobs<'e> {
    engine: &'e Arc<Engine>,
}

impl Jobs<'_> {
    /// Starts the reduction `kernel` on `backend` and returns at once;
    /// the job's result is [`Engine::reduce`]'s, bit for bit.
    /// (`Pool.apply_async`, `executor.submit`.) The kernel must own its
    /// data; for kernels that borrow, see [`Jobs::submit_with`].
    pub fn submit<K>(&self, kernel: K, backend: Backend) -> Job<K::Output>
    where
        K: ReduceKernel + Send + 'static,
        K::Output: 'static,
    {
        self.submit_with(move |scope| scope.reduce(&kernel, backend))
    }

    /// Starts the map `kernel` over its whole index space on `backend`
    /// into a new `Vec` and returns at once; the outputs are
    /// [`Engine::map_vec`]'s.
    pub fn submit_map<K>(&self, kernel: K, backend: Backend) -> Job<Vec<K::Out>>
    where
        K: MapKernel + Send + 'static,
    {
        self.submit_with(move |scope| scope.map_vec(&kernel, backend))
    }

    /// Jobs this engine runs at once (see [`Jobs::submit_with`]): min(32,
    /// logical cores + 4), as `concurrent.futures.ThreadPoolExecutor`.
    pub fn threads(&self) -> usize {
        self.engine.jobs.limit()
    }

    /// Starts `job` on one of the engine's job threads and returns at once.
    /// The closure owns what it needs (data moved in, kernels built over it
    /// inside) and runs kernels through its [`JobScope`], so progress and
    /// cancellation work: `engine.jobs().submit_with(move |s| s.reduce(&SumKernel::new(&data), backend))`.
    ///
    /// At most [`Jobs::threads`] jobs run at once; later ones wait in
    /// submission order (a job cancelled or dropped while it waits ends
    /// without running). So a job must not wait for a job it submitted
    /// itself when every job thread may be taken: as with Python's
    /// `ThreadPoolExecutor`, that can wait forever.
    ///
    /// A panic in the closure or a kernel ends the job with
    /// [`Error::JobPanicked`]; no job thread that can be started, with
    /// [`Error::ThreadPool`].
    pub fn submit_with<T, F>(&self, job: F) -> Job<T>
    where
        T: Send + 'static,
        F: FnOnce(&JobScope<'_>) -> Result<T> + Send + 'static,
    {
        let shared = Arc::new(Shared::new());
        let (engine, state) = (Arc::clone(self.engine), Arc::clone(&shared));
        let running = RunningGuard::enter();
        let runner = &self.engine.jobs;
        let submitted = Instant::now();
        let spawned = runner.run(Box::new(move || {
            let started = Instant::now();
            let timeline = engine.timeline().cloned();
            // Cancelled (or dropped) while it waited: it never starts.
            let outcome = if state.control.is_cancelled() {
                Err(Error::Cancelled)
            } else {
                catch_unwind(AssertUnwindSafe(|| {
                    let scope = JobScope::new(&engine, &state.control);
                    job(&scope)
                }))
                .unwrap_or_else(|panic| {
                    Err(Error::JobPanicked {
                        message: panic_message(&*panic),
                    })
                })
            };
            if let Some(timeline) = timeline {
                record_job(&timeline, submitted, started, &outcome);
            }
            // The engine and the closure's data go before the job counts
            // as ended (see `running_jobs`).
            drop(engine);
            state.publish(outcome);
            drop(state);
            drop(running);
        }));
        if let Err(e) = spawned {
            shared.publish(Err(Error::ThreadPool {
                threads: 1,
                reason: e.to_string(),
            }));
        }
        Job { shared }
    }
}

/// A job on its thread's timeline: from its start to its end, with how
/// long it waited for a job thread and how it ended.
fn record_job<T>(timeline: &Timeline, submitted: Instant, started: Instant, outcome: &Result<T>) {
    let ended = match outcome {
        Ok(_) => "finished".to_owned(),
        Err(Error::Cancelled) => "cancelled".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    let waited = started.saturating_duration_since(submitted).as_secs_f64() * 1e6;
    timeline.span(
        "job",
        "job",
        started,
        Instant::now(),
        vec![("ended", ended.into()), ("waited_us", waited.into())],
    );
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a kernel panicked".to_owned())
}
