//! `hetero.exp, log, sqrt, sin, cos, abs, minimum, maximum, where`: on a
//! traced value they record an operation; on plain numbers they compute
//! (in f64), so a helper written with them works both ways.

use hetero::kernel::tape::{Kind, Op};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBool;

use crate::tracer::Tracer;

/// `make(x)` on a traced value, `f(x)` on a number.
fn unary(
    x: &Bound<'_, PyAny>,
    make: fn(u32) -> Op,
    f: fn(f64) -> f64,
    name: &str,
) -> PyResult<Py<PyAny>> {
    let py = x.py();
    if let Ok(t) = x.cast::<Tracer>() {
        return Ok(Py::new(py, t.get().apply(make)?)?.into_any());
    }
    let v = x.extract::<f64>().map_err(|_| {
        PyTypeError::new_err(format!(
            "hetero.{name} takes a number or a traced value; for arrays, call it inside a function decorated with @hetero.elementwise"
        ))
    })?;
    Ok(f(v).into_pyobject(py)?.into_any().unbind())
}

/// e^x.
#[pyfunction]
pub fn exp(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Exp, f64::exp, "exp")
}

/// The natural logarithm (NaN below 0, −inf at 0). Not on GPUs without f64
/// in WGSL for float64 work.
#[pyfunction]
pub fn log(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Ln, f64::ln, "log")
}

/// The square root.
#[pyfunction]
pub fn sqrt(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Sqrt, f64::sqrt, "sqrt")
}

/// The sine (radians).
#[pyfunction]
pub fn sin(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Sin, f64::sin, "sin")
}

/// The cosine (radians).
#[pyfunction]
pub fn cos(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Cos, f64::cos, "cos")
}

/// |x|.
#[pyfunction]
pub fn abs(x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(x, Op::Abs, f64::abs, "abs")
}

/// `make(a, b)` when either is traced, `f(a, b)` on two numbers.
fn binary(
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    make: fn(u32, u32) -> Op,
    f: fn(f64, f64) -> f64,
    name: &str,
) -> PyResult<Py<PyAny>> {
    let py = a.py();
    for (traced, other, swapped) in [(a, b, false), (b, a, true)] {
        if let Ok(t) = traced.cast::<Tracer>() {
            return Ok(Py::new(py, t.get().apply2(make, other, swapped)?)?.into_any());
        }
    }
    let (x, y) = (a.extract::<f64>(), b.extract::<f64>());
    match (x, y) {
        (Ok(x), Ok(y)) => Ok(f(x, y).into_pyobject(py)?.into_any().unbind()),
        _ => Err(PyTypeError::new_err(format!(
            "hetero.{name} takes numbers or traced values; for arrays, call it inside a function decorated with @hetero.elementwise"
        ))),
    }
}

/// The smaller of a and b, lane by lane.
#[pyfunction]
pub fn minimum(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    binary(a, b, Op::Min, f64::min, "minimum")
}

/// The larger of a and b, lane by lane.
#[pyfunction]
pub fn maximum(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    binary(a, b, Op::Max, f64::max, "maximum")
}

/// `a` where `cond` holds, else `b` — the traced form of `a if cond else
/// b`; `cond` is a comparison of traced values (`x > 0`).
#[pyfunction(name = "where")]
pub fn where_(
    cond: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let py = cond.py();
    if let Ok(c) = cond.cast::<PyBool>() {
        return Ok(if c.is_true() {
            a.clone().unbind()
        } else {
            b.clone().unbind()
        });
    }
    let Ok(c) = cond.cast::<Tracer>() else {
        return Err(PyTypeError::new_err(
            "hetero.where(cond, a, b) takes a comparison of traced values as cond (x > 0)",
        ));
    };
    let c = c.get();
    if c.kind() != Some(Kind::Mask) {
        return Err(PyTypeError::new_err(
            "hetero.where's condition must be a comparison (x > 0, x <= y, x == 1.0), not a number",
        ));
    }
    Ok(Py::new(py, c.select(a, b)?)?.into_any())
}
