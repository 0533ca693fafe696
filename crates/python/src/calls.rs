//! Where the module's hetero calls run: straight on the engine, or — on
//! the thread of a `hetero.submit` job — through the job's scope, so they
//! add to the job's progress and stop at its next chunk or GPU tile once
//! the job's future is cancelled. Every problem calls through here.

use core::ops::Range;
use std::cell::RefCell;
use std::sync::Arc;

use hetero::kernel::{MapKernel, ReduceKernel};
use hetero::{Backend, Engine, JobControl, JobScope};

thread_local! {
    /// The job this thread is running a Python function for, if any.
    static JOB: RefCell<Option<Arc<JobControl>>> = const { RefCell::new(None) };
}

/// Runs `body` with this thread's hetero calls working for the job
/// `control` belongs to; the thread's previous job (if any) is back after
/// it, even if `body` panics.
pub fn in_job<R>(control: Arc<JobControl>, body: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<JobControl>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            JOB.with(|job| *job.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(JOB.with(|job| job.borrow_mut().replace(control)));
    body()
}

fn current_job() -> Option<Arc<JobControl>> {
    JOB.with(|job| job.borrow().clone())
}

/// [`Engine::reduce`], watched by this thread's job if it runs one.
pub fn reduce<K: ReduceKernel>(
    engine: &Engine,
    kernel: &K,
    backend: Backend,
) -> hetero::Result<K::Output> {
    match current_job() {
        Some(control) => JobScope::new(engine, &control).reduce(kernel, backend),
        None => engine.reduce(kernel, backend),
    }
}

/// [`Engine::map_range`], watched by this thread's job if it runs one.
pub fn map_range<K: MapKernel>(
    engine: &Engine,
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
    backend: Backend,
) -> hetero::Result<()> {
    match current_job() {
        Some(control) => JobScope::new(engine, &control).map_range(kernel, items, out, backend),
        None => engine.map_range(kernel, items, out, backend),
    }
}

/// [`Engine::map`]: the kernel's whole index space into `out`.
pub fn map<K: MapKernel>(
    engine: &Engine,
    kernel: &K,
    out: &mut [K::Out],
    backend: Backend,
) -> hetero::Result<()> {
    map_range(engine, kernel, 0..kernel.len(), out, backend)
}
