//! The Gaussian kernel on numpy arrays, read and written in place: x and y
//! are borrowed (C-contiguous float64 or float32, never copied), and the
//! result goes into `out` when given.

use hetero::kernel::problems::gaussian::GaussianKernel;
use hetero::{Backend, Element, Engine, Gaussian};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadwriteArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::calls;
use crate::engines::engine_for;
use crate::errors::{memory, problem, to_py};

/// A 1-D array of `T` viewed in place — C-contiguous, aligned and not
/// being written by another call — or a ValueError saying what to pass;
/// `None` when `array` is not a 1-D array of `T`. Every array the module
/// reads comes through here.
pub fn view<'py, T: numpy::Element>(
    name: &str,
    array: &Bound<'py, PyAny>,
) -> PyResult<Option<PyReadonlyArray1<'py, T>>> {
    let Ok(array) = array.cast::<PyArray1<T>>() else {
        return Ok(None);
    };
    // Another thread's call may be writing it (a borrow numpy tracks):
    // a ValueError, not a panic.
    let array = array
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("{name} cannot be read: {e}")))?;
    if !array.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name} must be C-contiguous (a strided view would need a copy): pass numpy.ascontiguousarray({name})"
        )));
    }
    // A slice over misaligned elements is undefined behaviour in Rust.
    if !(array.data() as usize).is_multiple_of(align_of::<T>()) {
        return Err(PyValueError::new_err(format!(
            "{name} is not aligned to its dtype (a view at an odd byte offset): pass a copy, numpy.array({name})"
        )));
    }
    Ok(Some(array))
}

fn wrong_type(name: &str) -> PyErr {
    PyValueError::new_err(format!(
        "{name} must be a 1-D numpy array of float64 or float32 (x, y and out of one dtype)"
    ))
}

/// out[i] = exp(−γ·(x[i] − y[i])²), in the arrays' precision (float64 or
/// float32), into `out` (allocated when not given); returns `out`.
#[pyfunction]
#[pyo3(signature = (x, y, gamma=1.0, out=None, backend="auto", threads=None, schedule=None))]
#[allow(clippy::too_many_arguments)]
pub fn gaussian<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    gamma: f64,
    out: Option<&Bound<'py, PyAny>>,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = Gaussian::new(gamma).map_err(problem)?;
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    let run = Run {
        py,
        engine: &engine,
        spec: &spec,
        backend,
    };
    if let (Some(xs), Some(ys)) = (view::<f64>("x", x)?, view::<f64>("y", y)?) {
        return run.compute(xs, ys, out);
    }
    if let (Some(xs), Some(ys)) = (view::<f32>("x", x)?, view::<f32>("y", y)?) {
        return run.compute(xs, ys, out);
    }
    Err(wrong_type("x and y"))
}

/// One Gaussian call's settings, for either precision.
struct Run<'a, 'py> {
    py: Python<'py>,
    engine: &'a Engine,
    spec: &'a Gaussian,
    backend: Backend,
}

impl<'py> Run<'_, 'py> {
    /// The kernel over `xs` and `ys` into `out` (or a new array), the GIL
    /// released while it computes.
    fn compute<T: numpy::Element + Element + Default>(
        &self,
        xs: PyReadonlyArray1<'py, T>,
        ys: PyReadonlyArray1<'py, T>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let out = output::<T>(self.py, out, xs.len())?;
        {
            let mut target = writable(&out)?;
            let (xs, ys, target) = (xs.as_slice()?, ys.as_slice()?, target.as_slice_mut()?);
            // The closure may not hold the Python token: take what it needs.
            let (engine, spec, backend) = (self.engine, self.spec, self.backend);
            self.py
                .detach(|| {
                    Gaussian::check_lengths(xs.len(), ys.len(), target.len())?;
                    calls::map(engine, &GaussianKernel::new(spec, xs, ys)?, target, backend)
                })
                .map_err(to_py)?;
        }
        Ok(out.into_any())
    }
}

/// `out` as a 1-D array of `T`, or a new one of `len` (a `MemoryError`
/// naming the bytes when it cannot be allocated; the array takes the
/// buffer without a copy).
fn output<'py, T: numpy::Element + Clone + Default>(
    py: Python<'py>,
    out: Option<&Bound<'py, PyAny>>,
    len: usize,
) -> PyResult<Bound<'py, PyArray1<T>>> {
    match out {
        None => {
            let zeros = hetero::alloc::try_zeroed::<T>(len as u64, "gaussian: the output")
                .map_err(memory)?;
            Ok(PyArray1::from_vec(py, zeros))
        }
        Some(out) => out
            .cast::<PyArray1<T>>()
            .cloned()
            .map_err(|_| wrong_type("out")),
    }
}

fn writable<'py, T: numpy::Element>(
    out: &Bound<'py, PyArray1<T>>,
) -> PyResult<PyReadwriteArray1<'py, T>> {
    let out = out
        .try_readwrite()
        .map_err(|e| PyValueError::new_err(format!("out cannot be written: {e}")))?;
    if !out.is_c_contiguous() {
        return Err(PyValueError::new_err("out must be C-contiguous"));
    }
    Ok(out)
}
