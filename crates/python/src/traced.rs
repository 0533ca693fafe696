//! A user's own function on every backend: `@hetero.elementwise`,
//! `@hetero.integrand` and `@hetero.term` trace the function once (on
//! tracers, recording a tape) and run the tape on the backend asked for —
//! `scalar`, `simd`, both threaded ones, `gpu` (the tape traced on to
//! WGSL), `hybrid` and `auto` — with the GIL released.

use std::sync::{Arc, Mutex, PoisonError};

use hetero::kernel::Compare;
use hetero::kernel::tape::{Tape, TapeMap, TapeSum};
use hetero::{Element, Engine, Midpoint, Validation};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::arrays::view;
use crate::calls;
use crate::engines::engine_for;
use crate::errors::{memory, to_py};
use crate::tracer::trace;

/// A traced function's Python side: the function, its name, and its tape
/// once traced (the same for float64 and float32: constants are converted
/// to the arrays' precision as a Rust body's `R::from_f64` does).
struct Traced {
    func: Py<PyAny>,
    name: String,
    tape: Mutex<Option<Arc<Tape>>>,
}

impl Traced {
    fn new(func: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !func.is_callable() {
            return Err(PyTypeError::new_err(
                "decorate a function: @hetero.elementwise above `def f(x, y): ...`",
            ));
        }
        let name = func
            .getattr("__name__")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "the function".into());
        Ok(Self {
            func: func.clone().unbind(),
            name,
            tape: Mutex::new(None),
        })
    }

    /// How many positional arguments the function accepts (those without
    /// a default, and all of them), where Python says.
    fn parameters(&self, py: Python<'_>) -> Option<(usize, usize)> {
        let func = self.func.bind(py);
        let all: usize = func
            .getattr("__code__")
            .ok()?
            .getattr("co_argcount")
            .ok()?
            .extract()
            .ok()?;
        let defaults = func
            .getattr("__defaults__")
            .ok()
            .and_then(|d| d.len().ok())
            .unwrap_or(0);
        Some((all.saturating_sub(defaults), all))
    }

    /// The tape for `arity` inputs, traced on first use.
    fn tape(&self, py: Python<'_>, arity: usize) -> PyResult<Arc<Tape>> {
        if let Some((least, most)) = self.parameters(py)
            && !(least..=most).contains(&arity)
        {
            let takes = match least == most {
                true => format!("{least}"),
                false => format!("{least} to {most}"),
            };
            return Err(PyTypeError::new_err(format!(
                "{} takes {takes} argument(s) but was given {arity}",
                self.name
            )));
        }
        let mut cached = self.tape.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tape) = cached.as_ref().filter(|t| t.inputs() == arity) {
            return Ok(Arc::clone(tape));
        }
        let tape = Arc::new(trace(py, self.func.bind(py), arity, &self.name)?);
        *cached = Some(Arc::clone(&tape));
        Ok(tape)
    }

    fn operations(&self) -> Option<String> {
        self.tape
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|t| t.to_string())
    }
}

/// A function applied element by element over numpy arrays, traced once
/// and run on any backend: `z = f(x, y, out=None, backend="auto",
/// threads=None, schedule=None)`. The arrays are 1-D, C-contiguous, of
/// one dtype (float64 or float32) and one length; they are read in place,
/// and `out` (or a new array) is written. Inside the function use
/// `+ - * /`, `** n` (whole n), comparisons, and hetero.exp, log, sqrt,
/// sin, cos, abs, minimum, maximum and where; Python numbers are
/// constants. `f.tape` shows the recorded operations.
#[pyclass(module = "hetero", frozen)]
pub struct Elementwise {
    traced: Traced,
}

#[pymethods]
impl Elementwise {
    #[new]
    fn new(func: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            traced: Traced::new(func)?,
        })
    }

    #[pyo3(signature = (*arrays, out=None, backend="auto", threads=None, schedule=None))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        arrays: &Bound<'py, PyTuple>,
        out: Option<&Bound<'py, PyAny>>,
        backend: &str,
        threads: Option<usize>,
        schedule: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tape = self.tape_for(py, arrays)?;
        let (engine, backend) = engine_for(backend, threads, schedule)?;
        let first = arrays.get_item(0)?;
        if first.cast::<PyArray1<f64>>().is_ok() {
            map_arrays::<f64>(py, &engine, backend, &tape, arrays, out)
        } else if first.cast::<PyArray1<f32>>().is_ok() {
            map_arrays::<f32>(py, &engine, backend, &tape, arrays, out)
        } else {
            Err(not_float("argument 1", &first))
        }
    }

    /// The recorded operations, one per line (None before the first call).
    #[getter]
    fn tape(&self) -> Option<String> {
        self.traced.operations()
    }

    fn __repr__(&self) -> String {
        format!("<hetero.elementwise {}>", self.traced.name)
    }
}

impl Elementwise {
    /// The tape for a call on `arrays` (one to four of them).
    fn tape_for(&self, py: Python<'_>, arrays: &Bound<'_, PyTuple>) -> PyResult<Arc<Tape>> {
        let arity = arrays.len();
        if !(1..=hetero::kernel::tape::MAX_INPUTS).contains(&arity) {
            return Err(PyTypeError::new_err(format!(
                "{} is applied to 1 to {} arrays, not {arity}",
                self.traced.name,
                hetero::kernel::tape::MAX_INPUTS
            )));
        }
        self.traced.tape(py, arity)
    }

    /// Every backend on `arrays` against `scalar` (`hetero.validate(f, x, y)`).
    pub fn validation(
        &self,
        py: Python<'_>,
        engine: &Engine,
        arrays: &Bound<'_, PyTuple>,
    ) -> PyResult<Validation> {
        let tape = self.tape_for(py, arrays)?;
        let first = arrays.get_item(0)?;
        if first.cast::<PyArray1<f64>>().is_ok() {
            validate_arrays::<f64>(py, engine, &tape, arrays)
        } else if first.cast::<PyArray1<f32>>().is_ok() {
            validate_arrays::<f32>(py, engine, &tape, arrays)
        } else {
            Err(not_float("argument 1", &first))
        }
    }
}

fn validate_arrays<T: numpy::Element + Element + Compare>(
    py: Python<'_>,
    engine: &Engine,
    tape: &Tape,
    arrays: &Bound<'_, PyTuple>,
) -> PyResult<Validation> {
    let views = read_all::<T>(arrays)?;
    let inputs: Vec<&[T]> = views
        .iter()
        .map(|v| v.as_slice())
        .collect::<Result<_, _>>()?;
    py.detach(|| match *inputs {
        [a] => engine.validate_map(&TapeMap::new(tape, [a])?),
        [a, b] => engine.validate_map(&TapeMap::new(tape, [a, b])?),
        [a, b, c] => engine.validate_map(&TapeMap::new(tape, [a, b, c])?),
        [a, b, c, d] => engine.validate_map(&TapeMap::new(tape, [a, b, c, d])?),
        _ => unreachable!("arity checked by tape_for"),
    })
    .map_err(to_py)
}

/// The TypeError for an argument that is not a float64/float32 array.
fn not_float(what: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let dtype = value
        .getattr("dtype")
        .map(|d| d.to_string())
        .unwrap_or_else(|_| {
            value
                .get_type()
                .name()
                .map_or_else(|_| "?".into(), |n| n.to_string())
        });
    PyTypeError::new_err(format!(
        "{what} is {dtype}: hetero maps 1-D numpy arrays of float64 or float32, all of one dtype; convert with numpy.asarray(a, dtype=numpy.float64)"
    ))
}

/// A 1-D array of `T` read in place (see [`view`]), or a TypeError for
/// anything else.
fn read<'py, T: numpy::Element>(
    what: &str,
    value: &Bound<'py, PyAny>,
) -> PyResult<PyReadonlyArray1<'py, T>> {
    view::<T>(what, value)?.ok_or_else(|| not_float(what, value))
}

/// Every array of `arrays` read in place as `T`, all of one length.
fn read_all<'py, T: numpy::Element>(
    arrays: &Bound<'py, PyTuple>,
) -> PyResult<Vec<PyReadonlyArray1<'py, T>>> {
    let views: Vec<PyReadonlyArray1<'py, T>> = arrays
        .iter()
        .enumerate()
        .map(|(k, a)| read::<T>(&format!("argument {}", k + 1), &a))
        .collect::<PyResult<_>>()?;
    let len = views.first().map_or(0, |v| v.len());
    if let Some((k, v)) = views.iter().enumerate().find(|(_, v)| v.len() != len) {
        return Err(PyValueError::new_err(format!(
            "the arrays differ in length: argument 1 has {len} elements, argument {} has {}",
            k + 1,
            v.len()
        )));
    }
    Ok(views)
}

/// The tape over `arrays` (all of `T`) into `out` or a new array.
fn map_arrays<'py, T: numpy::Element + Element + Default + Clone>(
    py: Python<'py>,
    engine: &Engine,
    backend: hetero::Backend,
    tape: &Tape,
    arrays: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let views = read_all::<T>(arrays)?;
    let len = views[0].len();
    let target = match out {
        None => PyArray1::from_vec(
            py,
            hetero::alloc::try_zeroed::<T>(len as u64, "a traced map's output").map_err(memory)?,
        ),
        Some(o) => o
            .cast::<PyArray1<T>>()
            .map_err(|_| not_float("out", o))?
            .clone(),
    };
    {
        let mut written = target.try_readwrite().map_err(|e| {
            PyValueError::new_err(format!("out cannot be written (is it also an input?): {e}"))
        })?;
        if !written.is_c_contiguous() {
            return Err(PyValueError::new_err("out must be C-contiguous"));
        }
        let inputs: Vec<&[T]> = views
            .iter()
            .map(|v| v.as_slice())
            .collect::<Result<_, _>>()?;
        let target = written.as_slice_mut()?;
        py.detach(|| run_map(engine, backend, tape, &inputs, target))
            .map_err(to_py)?;
    }
    Ok(target.into_any())
}

/// The map kernel of the tape over `inputs` (one to four of them).
fn run_map<T: Element>(
    engine: &Engine,
    backend: hetero::Backend,
    tape: &Tape,
    inputs: &[&[T]],
    out: &mut [T],
) -> hetero::Result<()> {
    match *inputs {
        [a] => calls::map(engine, &TapeMap::new(tape, [a])?, out, backend),
        [a, b] => calls::map(engine, &TapeMap::new(tape, [a, b])?, out, backend),
        [a, b, c] => calls::map(engine, &TapeMap::new(tape, [a, b, c])?, out, backend),
        [a, b, c, d] => calls::map(engine, &TapeMap::new(tape, [a, b, c, d])?, out, backend),
        _ => unreachable!("arity checked by the caller"),
    }
}

/// A decorator class over one traced function of one number: the
/// function itself callable on a number (no tracing, for checks), its
/// tape once traced, and a repr naming the decorator.
macro_rules! one_input_decorator {
    ($(#[$doc:meta])* $name:ident, $decorator:literal) => {
        $(#[$doc])*
        #[pyclass(module = "hetero", frozen)]
        pub struct $name {
            traced: Traced,
        }

        #[pymethods]
        impl $name {
            #[new]
            fn new(func: &Bound<'_, PyAny>) -> PyResult<Self> {
                Ok(Self {
                    traced: Traced::new(func)?,
                })
            }

            /// The function at one number (plain Python, no tracing).
            fn __call__(&self, py: Python<'_>, x: f64) -> PyResult<Py<PyAny>> {
                self.traced.func.call1(py, (x,))
            }

            /// The recorded operations, one per line (None before first use).
            #[getter]
            fn tape(&self) -> Option<String> {
                self.traced.operations()
            }

            fn __repr__(&self) -> String {
                format!(concat!("<hetero.", $decorator, " {}>"), self.traced.name)
            }
        }
    };
}

one_input_decorator!(
    /// An integrand f(x) for `hetero.midpoint(f, a, b, n)`, traced once; in
    /// it, the operations of `@hetero.elementwise`.
    Integrand,
    "integrand"
);

one_input_decorator!(
    /// A term t(i) for `hetero.sum_terms(t, n)` = Σ t(i) over i = 0 … n−1, in
    /// f64 with compensated sums, combined along the same fixed tree on every
    /// backend. `i` arrives as a float (exact below 2⁵³).
    Term,
    "term"
);

impl Integrand {
    /// ∫ₐᵇ f by the midpoint rule, as `hetero.midpoint` asks.
    pub fn integrate(
        &self,
        py: Python<'_>,
        spec: &Midpoint,
        engine: &Engine,
        backend: hetero::Backend,
    ) -> PyResult<f64> {
        let tape = self.traced.tape(py, 1)?;
        py.detach(|| calls::reduce(engine, &TapeSum::midpoint(spec, &tape), backend))
            .map_err(to_py)
    }
}

impl Integrand {
    /// Every backend on ∫ₐᵇ f against `scalar` (`hetero.validate(f, a=, b=, n=)`).
    pub fn validation(
        &self,
        py: Python<'_>,
        spec: &Midpoint,
        engine: &Engine,
    ) -> PyResult<Validation> {
        let tape = self.traced.tape(py, 1)?;
        py.detach(|| engine.validate_reduce(&TapeSum::midpoint(spec, &tape)))
            .map_err(to_py)
    }
}

impl Term {
    /// Every backend on Σ t(i), i < n, against `scalar` (`hetero.validate(t, n=)`).
    pub fn validation(&self, py: Python<'_>, n: u64, engine: &Engine) -> PyResult<Validation> {
        if n == 0 {
            return Err(PyValueError::new_err("n must be at least 1"));
        }
        let tape = self.traced.tape(py, 1)?;
        py.detach(|| engine.validate_reduce(&TapeSum::terms("sum_terms", &tape, n)))
            .map_err(to_py)
    }
}

/// Σ term(i) for i = 0 … n−1, term decorated with `@hetero.term`.
#[pyfunction]
#[pyo3(signature = (term, n, backend="auto", threads=None, schedule=None))]
pub fn sum_terms(
    py: Python<'_>,
    term: &Bound<'_, PyAny>,
    n: u64,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<f64> {
    let term = term.cast::<Term>().map_err(|_| {
        PyTypeError::new_err("sum_terms takes a function decorated with @hetero.term")
    })?;
    if n == 0 {
        return Err(PyValueError::new_err(
            "n must be at least 1 (a sum of no terms is 0.0 by definition; skip the call)",
        ));
    }
    let tape = term.get().traced.tape(py, 1)?;
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    py.detach(|| calls::reduce(&engine, &TapeSum::terms("sum_terms", &tape, n), backend))
        .map_err(to_py)
}
