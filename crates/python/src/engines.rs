//! Engines (a rayon pool and a lazily opened GPU) kept per thread count —
//! the default one for the module's life, a few others while they are
//! used — and the resolution of `backend=`.

use std::sync::{Arc, Mutex};

use hetero::{Backend, Engine};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;

/// Engines kept besides the default one: each holds a pool of threads, so
/// a program trying many `threads=` values must not keep them all.
pub const KEPT_ENGINES: usize = 8;

/// The engine for `threads` (all cores when `None`), built once and kept:
/// the default engine (`threads=None`, the one that opens the GPU) for the
/// module's life, and the [`KEPT_ENGINES`] most recently used others (an
/// engine dropped from the cache lives on until its calls end).
pub fn engine(threads: Option<usize>) -> PyResult<Arc<Engine>> {
    // Most recently used last.
    static ENGINES: Mutex<Vec<(Option<usize>, Arc<Engine>)>> = Mutex::new(Vec::new());
    let mut engines = ENGINES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(at) = engines.iter().position(|(t, _)| *t == threads) {
        let entry = engines.remove(at);
        let engine = Arc::clone(&entry.1);
        engines.push(entry);
        return Ok(engine);
    }
    let built = match threads {
        Some(t) => Engine::with_threads(t),
        None => Engine::new(),
    }
    .map_err(to_py)?;
    let built = Arc::new(built);
    engines.push((threads, Arc::clone(&built)));
    if engines.iter().filter(|(t, _)| t.is_some()).count() > KEPT_ENGINES
        && let Some(oldest) = engines.iter().position(|(t, _)| t.is_some())
    {
        engines.remove(oldest);
    }
    Ok(built)
}

/// The engine and backend a call with `backend=`, `threads=` and
/// `schedule=` runs on.
/// "auto" is `Backend::Auto`, as in Rust: the backend with the least
/// predicted time, from cost models measured once per machine and kept in
/// the calibration cache. GPU calls all go to the default
/// engine, so the GPU is opened and its programs compiled once, whatever
/// `threads` says (the thread count is still checked). A `schedule` other
/// than "auto" ("static", "dynamic,4", "guided,2": OpenMP's forms) is a
/// cheap view of the cached engine for this call.
pub fn engine_for(
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<(Arc<Engine>, Backend)> {
    let mut threaded = engine(threads)?;
    if let Some(text) = schedule {
        let schedule = text
            .parse::<hetero::Schedule>()
            .map_err(|e| PyValueError::new_err(format!("schedule={text:?}: {e}")))?;
        if schedule != threaded.schedule() {
            threaded = Arc::new(threaded.scheduled(schedule).map_err(to_py)?);
        }
    }
    let backend = backend
        .parse::<Backend>()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let chosen = match backend {
        Backend::Gpu => engine(None)?,
        _ => threaded,
    };
    // Inside `with hetero.trace(...)`: a view recording into its timeline.
    match crate::trace::active() {
        Some(timeline) => Ok((Arc::new((*chosen).clone().with_timeline(timeline)), backend)),
        None => Ok((chosen, backend)),
    }
}

/// Each backend with whether it runs here; the GPU's row names its adapter.
#[pyfunction]
pub fn backends(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let engine = engine(None)?;
    let adapter = py.detach(|| engine.gpu_adapter());
    Backend::SPACES
        .iter()
        .map(|&b| {
            let row = PyDict::new(py);
            row.set_item("name", b.name())?;
            if b == Backend::Gpu {
                match &adapter {
                    Ok(gpu) => {
                        row.set_item("available", true)?;
                        row.set_item("adapter", &gpu.description)?;
                        row.set_item("software", gpu.is_software)?;
                    }
                    Err(e) => {
                        row.set_item("available", false)?;
                        row.set_item("reason", e.to_string())?;
                    }
                }
            } else {
                row.set_item("available", true)?;
                row.set_item(
                    "threads",
                    if b.is_parallel() { engine.threads() } else { 1 },
                )?;
                // The instruction-set level of the vector leaves: chosen
                // at run time (the best this CPU has, or HETERO_ISA's).
                let (isa, lanes) = match b.width() {
                    Some(hetero::Width::Simd) => (engine.isa().name(), engine.simd_lanes()),
                    _ => ("scalar", "scalar"),
                };
                row.set_item("isa", isa)?;
                row.set_item("lanes", lanes)?;
            }
            Ok(row)
        })
        .collect()
}
