//! `hetero.submit(fn, *args, **kwargs)`: any hetero call — or a Python
//! function making several — as a job on the engine's job threads,
//! answered by a `hetero.Future` (a `concurrent.futures.Future` with
//! `progress()`, whose `cancel()` also stops a running job).

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use hetero::Job;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::calls;
use crate::engines::engine;

/// The Rust side of a `hetero.Future`: the job, and whether it started.
#[pyclass(module = "hetero", frozen)]
pub struct JobHandle {
    /// Set right after the job is submitted (the job needs the future,
    /// which needs this handle, first).
    job: OnceLock<Job<()>>,
    started: Arc<AtomicBool>,
}

#[pymethods]
impl JobHandle {
    fn cancel(&self) {
        if let Some(job) = self.job.get() {
            job.cancel();
        }
    }

    fn started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    fn progress(&self) -> f64 {
        self.job.get().map_or(0.0, Job::progress)
    }
}

/// The `hetero.Future` class, defined once from `future.py`.
pub fn future_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    CLASS
        .get_or_try_init(py, || {
            let code = CString::new(include_str!("future.py"))
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let module = PyModule::from_code(py, &code, c"hetero/future.py", c"hetero._future")?;
            let class = module.getattr("Future")?.cast_into::<PyType>()?;
            class.setattr("__module__", "hetero")?;
            Ok(class.unbind())
        })
        .map(|class| class.bind(py))
}

/// Runs `fn(*args, **kwargs)` as a job and returns a `hetero.Future` at
/// once: `hetero.submit(hetero.pi, n=10**10)`. The hetero calls fn makes
/// report to the future's `progress()` and stop at its `cancel()` (at
/// their next chunk or GPU tile); their results are bit for bit the
/// blocking calls'. At most min(32, cores + 4) jobs run at once, the
/// others wait in submission order (a `ThreadPoolExecutor`'s default); a
/// job must not wait for a future of a job it submitted itself. The
/// interpreter waits for unfinished jobs before it exits, as
/// `concurrent.futures` does: cancel those you do not need.
#[pyfunction]
#[pyo3(signature = (func, /, *args, **kwargs))]
pub fn submit<'py>(
    py: Python<'py>,
    func: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    if !func.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "submit takes a function and its arguments (hetero.submit(hetero.pi, n=10**9)), not {}",
            func.get_type().name()?
        )));
    }
    let started = Arc::new(AtomicBool::new(false));
    let handle = Bound::new(
        py,
        JobHandle {
            job: OnceLock::new(),
            started: Arc::clone(&started),
        },
    )?;
    let future = future_class(py)?.call1((handle.clone(),))?;
    let work = Work {
        func: func.clone().unbind(),
        args: args.clone().unbind(),
        kwargs: kwargs.map(|k| k.clone().unbind()),
        future: future.clone().unbind(),
    };
    // Inside `with hetero.trace(...)` the job is recorded too — here,
    // before its future is answered, so a block that waits for the result
    // holds the job's span.
    let timeline = crate::trace::active();
    let submitted = Instant::now();
    let job = engine(None)?.jobs().submit_with(move |scope| {
        started.store(true, Ordering::Release);
        let control = scope.control();
        let began = Instant::now();
        Python::attach(|py| {
            work.run(py, control, |ok| {
                if let Some(timeline) = &timeline {
                    let waited = began.saturating_duration_since(submitted).as_secs_f64() * 1e6;
                    let ended = if ok { "finished" } else { "failed" };
                    timeline.span(
                        "job",
                        "job",
                        began,
                        Instant::now(),
                        vec![("ended", ended.into()), ("waited_us", waited.into())],
                    );
                }
            })
        });
        Ok(())
    });
    // Set once, here, before any Python code can see the handle's future.
    let _ = handle.get().job.set(job);
    Ok(future)
}

/// What a job runs: the call and the future it answers.
struct Work {
    func: Py<PyAny>,
    args: Py<PyTuple>,
    kwargs: Option<Py<PyDict>>,
    future: Py<PyAny>,
}

impl Work {
    /// Calls the function with this thread's hetero calls working for
    /// the job, tells `ended` whether it returned, and hands its outcome
    /// to the future. Runs with the GIL
    /// held, so the Python objects are dropped with it too.
    fn run(self, py: Python<'_>, control: Arc<hetero::JobControl>, ended: impl FnOnce(bool)) {
        let outcome = calls::in_job(control, || {
            self.func
                .bind(py)
                .call(self.args.bind(py), self.kwargs.as_ref().map(|k| k.bind(py)))
        });
        ended(outcome.is_ok());
        let (ok, value) = match outcome {
            Ok(value) => (true, value),
            Err(error) => (false, error.into_value(py).into_bound(py).into_any()),
        };
        if let Err(e) = self.future.bind(py).call_method1("_finish", (ok, value)) {
            e.write_unraisable(py, Some(self.future.bind(py)));
        }
    }
}

/// How many submitted jobs still hold a thread in this process (a
/// cancelled one until it reaches its next chunk boundary); 0 once every
/// job has ended.
#[pyfunction]
pub fn running_jobs() -> usize {
    hetero::jobs::running_jobs()
}
