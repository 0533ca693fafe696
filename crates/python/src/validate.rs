//! The cross-validation table: every available backend on one problem —
//! built in or a user's traced function — its error against `scalar` and
//! its time.

use hetero::kernel::problems::julia::JuliaKernel;
use hetero::kernel::problems::pi::PiKernel;
use hetero::problems::midpoint::MidpointKernel;
use hetero::{Engine, ExpNegSquare, JuliaParams, Midpoint, Pi, Validation};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::engines::engine;
use crate::errors::{problem as bad_problem, to_py};
use crate::traced::{Elementwise, Integrand, Term};

/// Every available backend against `scalar`: its error and its time. One
/// dict per backend: `backend`, `error` (against scalar), `seconds` (the
/// median of a few runs), `failure` (why it did not run, else None).
///
/// `problem` is a built-in one by name (default "midpoint") — "midpoint", "julia" or "pi", at
/// size `n` — or your own traced function: `validate(f, x, y)` for an
/// `@hetero.elementwise` f over arrays x and y, `validate(f, a=0.0, b=1.0,
/// n=10**6)` for an `@hetero.integrand`, `validate(t, n=10**6)` for an
/// `@hetero.term`.
#[pyfunction]
#[pyo3(signature = (problem=None, *arrays, n=None, a=None, b=None, threads=None))]
pub fn validate<'py>(
    py: Python<'py>,
    problem: Option<&Bound<'py, PyAny>>,
    arrays: &Bound<'py, PyTuple>,
    n: Option<u64>,
    a: Option<f64>,
    b: Option<f64>,
    threads: Option<usize>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let engine = engine(threads)?;
    let only_arrays = |what: &str| -> PyResult<()> {
        match arrays.is_empty() {
            true => Ok(()),
            false => Err(PyTypeError::new_err(format!(
                "arrays are for an @hetero.elementwise function; {what} takes n= (and a=, b= for an integrand)"
            ))),
        }
    };
    let midpoint = pyo3::types::PyString::new(py, "midpoint").into_any();
    let problem = problem.unwrap_or(&midpoint);
    let table = if let Ok(f) = problem.cast::<Elementwise>() {
        if n.is_some() || a.is_some() || b.is_some() {
            return Err(PyTypeError::new_err(
                "an @hetero.elementwise function is validated on arrays: validate(f, x, y)",
            ));
        }
        f.get().validation(py, &engine, arrays)?
    } else if let Ok(f) = problem.cast::<Integrand>() {
        only_arrays("an integrand")?;
        let spec = Midpoint::new(a.unwrap_or(0.0), b.unwrap_or(1.0), n.unwrap_or(1_000_000))
            .map_err(bad_problem)?;
        f.get().validation(py, &spec, &engine)?
    } else if let Ok(t) = problem.cast::<Term>() {
        only_arrays("a term")?;
        t.get().validation(py, n.unwrap_or(1_000_000), &engine)?
    } else {
        let Ok(name) = problem.extract::<String>() else {
            return Err(PyTypeError::new_err(
                "validate takes a problem's name (\"midpoint\", \"julia\", \"pi\") or a function decorated with @hetero.elementwise, @hetero.integrand or @hetero.term",
            ));
        };
        only_arrays(&format!("{name:?}"))?;
        built_in(py, &engine, &name, n, a, b)?
    };
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

/// The table of a built-in problem by name.
fn built_in(
    py: Python<'_>,
    engine: &Engine,
    problem: &str,
    n: Option<u64>,
    a: Option<f64>,
    b: Option<f64>,
) -> PyResult<Validation> {
    if problem != "midpoint" && (a.is_some() || b.is_some()) {
        return Err(PyTypeError::new_err(format!(
            "a= and b= are midpoint's interval; {problem:?} takes n="
        )));
    }
    match problem {
        "midpoint" => {
            let spec = Midpoint::new(a.unwrap_or(0.0), b.unwrap_or(1.0), n.unwrap_or(1_000_000))
                .map_err(bad_problem)?;
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
                "unknown problem {other:?}: choose \"midpoint\", \"julia\" or \"pi\", or pass your own traced function"
            )));
        }
    }
    .map_err(to_py)
}
