//! The cross-validation table: every available backend on one problem,
//! its error against `scalar` and its time.

use hetero::kernel::problems::julia::JuliaKernel;
use hetero::kernel::problems::pi::PiKernel;
use hetero::problems::midpoint::MidpointKernel;
use hetero::{ExpNegSquare, JuliaParams, Midpoint, Pi, Validation};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::engines::engine;
use crate::errors::{problem as bad_problem, to_py};

/// Runs `problem` ("midpoint", "julia" or "pi", at size `n`) on every
/// available backend; one dict per backend: `backend`, `error` (against
/// scalar), `seconds`, `failure`.
#[pyfunction]
#[pyo3(signature = (problem="midpoint", n=None, threads=None))]
pub fn validate<'py>(
    py: Python<'py>,
    problem: &str,
    n: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let engine = engine(threads)?;
    let table: Validation = match problem {
        "midpoint" => {
            let spec = Midpoint::new(0.0, 1.0, n.unwrap_or(1_000_000)).map_err(bad_problem)?;
            let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
            py.detach(|| engine.validate_reduce(&kernel))
        }
        "julia" => {
            let rows = usize::try_from(n.unwrap_or(200)).unwrap_or(usize::MAX);
            let spec = JuliaParams::notebook(rows)
                .validate()
                .map_err(bad_problem)?;
            let kernel = JuliaKernel::new(&spec);
            py.detach(|| engine.validate_map(&kernel))
        }
        "pi" => {
            let spec = Pi::new(n.unwrap_or(1_000_000), 1).map_err(bad_problem)?;
            let kernel = PiKernel::new(&spec);
            py.detach(|| engine.validate_reduce(&kernel))
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown problem {other:?}: choose \"midpoint\", \"julia\" or \"pi\""
            )));
        }
    }
    .map_err(to_py)?;
    table
        .checks
        .iter()
        .map(|check| {
            let row = PyDict::new(py);
            row.set_item("backend", check.backend.name())?;
            row.set_item("error", check.error)?;
            row.set_item("seconds", check.seconds)?;
            row.set_item("failure", check.failure.clone())?;
            Ok(row)
        })
        .collect()
}
