//! The engine: the resources a computation runs on, owned explicitly.

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::{Backend, Error, Result};

/// Owns the rayon pool the parallel backends run on and the GPU context,
/// opened on first GPU use. Build one and reuse it: starting threads,
/// opening a GPU and compiling its pipelines happen once.
///
/// The sequential backends (`scalar`, `simd`) run on the calling thread; the
/// parallel ones on the engine's pool, whatever pool the caller is in.
pub struct Engine {
    pool: ThreadPool,
    #[cfg(feature = "gpu")]
    pub(crate) gpu: crate::lazy_gpu::LazyGpu,
}

impl core::fmt::Debug for Engine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine")
            .field("threads", &self.threads())
            .finish_non_exhaustive()
    }
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

    /// An engine whose parallel backends use exactly `threads` threads. The
    /// GPU, when used, is opened with `hetero_gpu::GpuConfig::from_env()`.
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
        Ok(Self {
            pool,
            #[cfg(feature = "gpu")]
            gpu: crate::lazy_gpu::LazyGpu::new(hetero_gpu::GpuConfig::from_env()),
        })
    }

    /// The number of threads the parallel backends use.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Whether `backend` can run here. For `gpu` this opens the GPU (once).
    pub fn is_available(&self, backend: Backend) -> bool {
        match backend {
            #[cfg(feature = "gpu")]
            Backend::Gpu => self.gpu().is_ok(),
            #[cfg(not(feature = "gpu"))]
            Backend::Gpu => false,
            _ => true,
        }
    }

    /// Runs `f` on the engine's pool (the threaded backends' home).
    pub(crate) fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        self.pool.install(f)
    }
}
