//! hetero's errors as Python exceptions, with the same messages:
//! `ValueError` for input the caller can change, `RuntimeError` for the
//! device or the machine, `concurrent.futures.CancelledError` for a call
//! of a cancelled job.

use pyo3::PyErr;
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};

pyo3::import_exception!(concurrent.futures, CancelledError);

pub fn to_py(e: hetero::Error) -> PyErr {
    match e {
        // A call of a cancelled `hetero.submit` job.
        hetero::Error::Cancelled => CancelledError::new_err(e.to_string()),
        hetero::Error::OutOfMemory(_) => PyMemoryError::new_err(e.to_string()),
        hetero::Error::Gpu(hetero::GpuError::BadSetting { .. })
        | hetero::Error::Problem(_)
        | hetero::Error::Kernel(_)
        | hetero::Error::UnknownBackend { .. }
        | hetero::Error::Unsupported { .. }
        | hetero::Error::Schedule(_)
        | hetero::Error::ZeroThreads
        | hetero::Error::TooManyThreads { .. } => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

pub fn problem(e: hetero::ProblemError) -> PyErr {
    to_py(e.into())
}

/// A buffer the call could not allocate: Python's `MemoryError`, with the
/// bytes asked for.
pub fn memory(e: hetero::AllocError) -> PyErr {
    PyMemoryError::new_err(e.to_string())
}
