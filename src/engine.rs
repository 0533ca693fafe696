//! The engine: the resources a computation runs on, owned explicitly.

use std::sync::Arc;

use hetero_core::Schedule;
use hetero_kernel::Isa;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::{Error, Result};

/// Owns the rayon pool the parallel backends run on and the GPU context,
/// opened on first GPU use. Build one and reuse it: starting threads,
/// opening a GPU and compiling its pipelines happen once.
///
/// The sequential backends (`scalar`, `simd`) run on the calling thread; the
/// parallel ones on the engine's pool, whatever pool the caller is in — for
/// calls of up to 4096 chunks the calling thread works beside the pool's
/// `threads − 1` helpers (so `threads` threads in all), since waking a
/// parked pool costs more than such work (see `hetero_cpu::caller_helps`).
/// A kernel whose leaf itself uses rayon should not rely on which pool its
/// leaf runs in. How the threaded backends deal chunks out among the
/// threads is the engine's [`Schedule`] ([`Engine::with_schedule`]; for
/// one call, [`Engine::scheduled`]); the results do not depend on it.
///
/// Cloning an engine is cheap: the clone shares the pool, the GPU context,
/// `auto`'s models and the job threads, and has settings of its own (the
/// instruction-set level, the schedule).
///
/// Its methods, by what they are for:
/// - **build**: [`Engine::new`], [`Engine::with_threads`], and the
///   `with_*` settings (GPU, `hybrid`'s split, `auto`'s cache directory);
/// - **compute**: one call per built-in problem ([`Engine::julia`],
///   [`Engine::midpoint`], …) and any kernel ([`Engine::reduce`],
///   [`Engine::map`], [`Engine::reduce_blocks`], …), blocking;
/// - **check**: [`Engine::validate_reduce`], [`Engine::validate_map`] —
///   every backend against `scalar`;
/// - **groups**: [`Engine::jobs`] (non-blocking submission),
///   [`Engine::calibration`] (`auto`'s models), [`Engine::hybrid`] (its
///   split and shares), [`Engine::gpu`] (the GPU context) and
///   [`Engine::gpu_adapter`].
#[derive(Clone)]
pub struct Engine {
    pool: Arc<ThreadPool>,
    /// The instruction-set level of the CPU backends' vector leaves.
    isa: Isa,
    /// How the threaded backends deal chunks out among the threads.
    schedule: Schedule,
    pub(crate) hybrid: Arc<crate::hybrid::HybridState>,
    pub(crate) auto: Arc<crate::auto::AutoState>,
    /// The threads submitted jobs run on (none until the first submit).
    pub(crate) jobs: Arc<crate::jobs::JobRunner>,
    /// Where calls are recorded, if anywhere ([`Engine::with_timeline`]).
    timeline: Option<Arc<crate::timeline::Timeline>>,
    #[cfg(feature = "gpu")]
    pub(crate) gpu: Arc<crate::gpu::LazyGpu>,
}

impl core::fmt::Debug for Engine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine")
            .field("threads", &self.threads())
            .field("isa", &self.isa)
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}

/// Threads per logical core an engine may start. Past a few per core more
/// threads only add start-up time and contention (100 000 took minutes to
/// start); the cap turns a typo into an error instead of a hang.
pub const MAX_THREADS_PER_CORE: usize = 64;

/// Logical cores, as the OS reports them (1 if it cannot say).
fn logical_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Engine {
    /// The most threads [`Engine::with_threads`] accepts here:
    /// [`MAX_THREADS_PER_CORE`] × the logical cores.
    pub fn max_threads() -> usize {
        MAX_THREADS_PER_CORE.saturating_mul(logical_cores())
    }

    /// An engine with one thread per logical core.
    ///
    /// # Errors
    /// [`Error::ThreadPool`] if the operating system refuses the threads.
    pub fn new() -> Result<Self> {
        Self::with_threads(logical_cores())
    }

    /// An engine whose parallel backends use exactly `threads` threads. The
    /// GPU, when used, is opened with `hetero_gpu::GpuConfig::from_env()`,
    /// its compiled pipelines kept in [`crate::auto::cache::cache_dir`].
    ///
    /// # Errors
    /// [`Error::ZeroThreads`] for 0, [`Error::TooManyThreads`] above
    /// [`Engine::max_threads`], [`Error::ThreadPool`] if the threads cannot
    /// be started, [`Error::Gpu`] (`BadSetting`) for a `HETERO_GPU_*`
    /// variable that is set to something not accepted, [`Error::Isa`] for a
    /// `HETERO_ISA` that names no level or one this CPU lacks.
    pub fn with_threads(threads: usize) -> Result<Self> {
        if threads == 0 {
            return Err(Error::ZeroThreads);
        }
        if threads > Self::max_threads() {
            return Err(Error::TooManyThreads {
                threads,
                limit: Self::max_threads(),
                per_core: MAX_THREADS_PER_CORE,
                cores: logical_cores(),
            });
        }
        #[cfg(feature = "gpu")]
        let gpu_config = hetero_gpu::GpuConfig {
            // Compiled pipelines live beside `auto`'s models.
            pipeline_cache_dir: crate::auto::cache::cache_dir(),
            ..hetero_gpu::GpuConfig::from_env()?
        };
        let isa = Isa::from_env()?;
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hetero-{i}"))
            .build()
            .map_err(|e| Error::ThreadPool {
                threads,
                reason: e.to_string(),
            })?;
        Ok(Self {
            pool: Arc::new(pool),
            isa,
            schedule: Schedule::Auto,
            hybrid: Arc::default(),
            auto: Arc::default(),
            jobs: Arc::new(crate::jobs::JobRunner::new(
                crate::jobs::default_job_threads(),
            )),
            timeline: None,
            #[cfg(feature = "gpu")]
            gpu: Arc::new(crate::gpu::LazyGpu::new(gpu_config)),
        })
    }

    /// This engine with its CPU vector leaves at `isa` instead of the best
    /// level the CPU has (or `HETERO_ISA`'s): to compare levels, or to run
    /// what an older CPU would.
    ///
    /// # Errors
    /// [`Error::Isa`] when the CPU does not have `isa`: naming the level,
    /// what it needs and the best level the CPU has.
    pub fn with_isa(mut self, isa: Isa) -> Result<Self> {
        self.isa = isa.check()?;
        Ok(self)
    }

    /// The instruction-set level of the CPU backends' vector leaves
    /// (`simd`, `simd-threads`, and `hybrid`'s and `auto`'s use of them).
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// This engine with its threaded backends dealing chunks out by
    /// `schedule` (default [`Schedule::Auto`]). Every schedule gives the
    /// same results, bit for bit; only the time differs.
    ///
    /// # Errors
    /// [`Error::Schedule`] for a chunk of 0.
    pub fn with_schedule(mut self, schedule: Schedule) -> Result<Self> {
        self.schedule = schedule.check()?;
        Ok(self)
    }

    /// A view of this engine for one call (or a few) under `schedule`:
    /// a cheap clone sharing the pool, GPU and caches.
    /// `engine.scheduled(Schedule::Dynamic { chunk: 4 })?.julia(&spec, backend)`.
    ///
    /// # Errors
    /// [`Error::Schedule`] for a chunk of 0.
    pub fn scheduled(&self, schedule: Schedule) -> Result<Self> {
        self.clone().with_schedule(schedule)
    }

    /// How the threaded backends deal chunks out among the threads.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// This engine recording every call into `timeline` (see
    /// [`crate::timeline`]): spans of the calls, of each thread's chunks
    /// and GPU tiles, of jobs; `auto`'s choices. Write it with
    /// [`crate::timeline::Timeline::write`]. Clones share it.
    #[must_use]
    pub fn with_timeline(mut self, timeline: Arc<crate::timeline::Timeline>) -> Self {
        self.timeline = Some(timeline);
        self
    }

    /// The timeline this engine records into, if any.
    pub fn timeline(&self) -> Option<&Arc<crate::timeline::Timeline>> {
        self.timeline.as_ref()
    }

    /// The lanes of the vector backends at this engine's level, for
    /// reports: `f64x8/f32x16 (AVX-512)`.
    pub fn simd_lanes(&self) -> &'static str {
        crate::dispatch::simd_lanes_name(self.isa)
    }

    /// The number of threads the parallel backends use.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `f` on the engine's pool (the threaded backends' home).
    pub(crate) fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        self.pool.install(f)
    }

    /// The pool itself, for drivers where the caller works beside it.
    pub(crate) fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }
}
