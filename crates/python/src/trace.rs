//! `with hetero.trace("run.json"):` — a timeline of every hetero call made
//! inside the block (any thread), written as a Chrome Trace Event file
//! when the block ends (open it in ui.perfetto.dev or chrome://tracing).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use hetero::timeline::Timeline;
use pyo3::exceptions::{PyOSError, PyRuntimeError};
use pyo3::prelude::*;

/// The timeline calls record into while a `hetero.trace` block runs.
static ACTIVE: Mutex<Option<Arc<Timeline>>> = Mutex::new(None);

/// The timeline of the running `hetero.trace` block, if any.
pub fn active() -> Option<Arc<Timeline>> {
    ACTIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// `with hetero.trace(path):` records a timeline of every hetero call in
/// the block — each call's span, each thread's chunks or GPU tiles,
/// `auto`'s choices, `hetero.submit` jobs — and writes it to `path` when
/// the block ends (also when it raises), replacing the file whole.
#[pyclass(module = "hetero", frozen)]
pub struct Trace {
    path: PathBuf,
    timeline: Arc<Timeline>,
}

#[pymethods]
impl Trace {
    #[new]
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            timeline: Arc::new(Timeline::new()),
        }
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let mut active = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
        if active.is_some() {
            return Err(PyRuntimeError::new_err(
                "a hetero.trace block is already running: end it before starting another",
            ));
        }
        *active = Some(Arc::clone(&slf.get().timeline));
        drop(active);
        Ok(slf)
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        let mut active = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
        if active
            .as_ref()
            .is_some_and(|t| Arc::ptr_eq(t, &self.timeline))
        {
            *active = None;
        }
        drop(active);
        let (timeline, path) = (&self.timeline, &self.path);
        py.detach(|| timeline.write(path))
            .map_err(|e| PyOSError::new_err(format!("hetero.trace: {e}")))?;
        Ok(false)
    }

    /// Events recorded so far.
    fn __len__(&self) -> usize {
        self.timeline.len()
    }
}
