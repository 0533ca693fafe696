//! The engine: the resources a computation runs on, owned explicitly.

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::{Backend, Error, Result};

/// Owns the rayon pool the parallel backends run on (and, once the GPU
/// backend lands, a lazily opened GPU context). Build one and reuse it:
/// starting threads is not free.
///
/// The sequential backends (`scalar`, `simd`) run on the calling thread; the
/// parallel ones on the engine's pool, whatever pool the caller is in.
#[derive(Debug)]
pub struct Engine {
    pool: ThreadPool,
}

impl Engine {
    /// An engine with one thread per logical core.
    ///
    /// # Errors
    /// [`Error::ThreadPool`] if the operating system refuses the threads.
    pub fn new() -> Result<Self> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_threads(threads)
    }

    /// An engine whose parallel backends use exactly `threads` threads.
    ///
    /// # Errors
    /// [`Error::ZeroThreads`] for 0, [`Error::ThreadPool`] if the threads
    /// cannot be started.
    pub fn with_threads(threads: usize) -> Result<Self> {
        if threads == 0 {
            return Err(Error::ZeroThreads);
        }
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hetero-{i}"))
            .build()
            .map_err(|e| Error::ThreadPool {
                threads,
                reason: e.to_string(),
            })?;
        Ok(Self { pool })
    }

    /// The number of threads the parallel backends use.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Whether `backend` can run here. Today: every CPU backend, not `gpu`.
    pub fn is_available(&self, backend: Backend) -> bool {
        backend != Backend::Gpu
    }

    /// Runs `f` on the engine's pool when `backend` is parallel, else on the
    /// calling thread; refuses backends this build cannot run.
    pub(crate) fn run<T: Send>(&self, backend: Backend, f: impl FnOnce() -> T + Send) -> Result<T> {
        match backend {
            Backend::Gpu => Err(Error::GpuUnavailable),
            b if b.is_parallel() => Ok(self.pool.install(f)),
            _ => Ok(f()),
        }
    }
}
