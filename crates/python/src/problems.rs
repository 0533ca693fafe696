//! The problems that take numbers and give numbers or a new array: julia,
//! midpoint, pi and sum.

use hetero::kernel::problems::julia::JuliaKernel;
use hetero::kernel::problems::pi::PiKernel;
use hetero::problems::midpoint::MidpointKernel;
use hetero::problems::sum::SumKernel;
use hetero::{ExpNegSquare, JuliaParams, Midpoint, Pi, Precision, Viewport, WgslIntegrand};
use num_complex::Complex64 as Complex;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::calls;
use crate::engines::engine_for;
use crate::errors::{problem, to_py};
use crate::traced::Integrand;

/// The Julia counts of an image: uint32, shape (height, width). The
/// notebook's image is `julia()`: n = 1000 rows × 2000 columns.
#[pyfunction]
#[pyo3(signature = (n=1000, maxiters=50, c=None, width=None, height=None, viewport=None, backend="auto", threads=None, schedule=None))]
#[allow(clippy::too_many_arguments)]
pub fn julia<'py>(
    py: Python<'py>,
    n: usize,
    maxiters: u32,
    c: Option<Complex>,
    width: Option<usize>,
    height: Option<usize>,
    viewport: Option<(f64, f64, f64, f64)>,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let mut params = JuliaParams::notebook(n);
    params.maxiters = maxiters;
    if let Some(c) = c {
        (params.c_re, params.c_im) = (c.re as f32, c.im as f32);
    }
    match (width, height) {
        (Some(w), Some(h)) => (params.width, params.height) = (w, h),
        (None, None) => {}
        _ => {
            return Err(PyValueError::new_err(
                "give width and height together (or n)",
            ));
        }
    }
    if let Some((x_min, x_max, y_min, y_max)) = viewport {
        params.viewport = Viewport {
            x_min,
            x_max,
            y_min,
            y_max,
        };
    }
    let spec = params.validate().map_err(problem)?;
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    let mut counts = spec.try_alloc_counts().map_err(problem)?;
    let kernel = JuliaKernel::new(&spec);
    py.detach(|| calls::map(&engine, &kernel, &mut counts, backend))
        .map_err(to_py)?;
    PyArray1::from_vec(py, counts).reshape([spec.height(), spec.width()])
}

/// ∫ₐᵇ f by the midpoint rule with n subintervals. f is exp(−x²) (the
/// notebook's, also by name: "exp_neg_square"), your own function
/// decorated with `@hetero.integrand` (`midpoint(f, a=0.0, b=1.0,
/// n=10**6)`: every backend), or a WGSL body of `x` for the GPU
/// (`wgsl="return x * x;"`). a, b and n may also be given by position
/// after f (or first: `midpoint(0.0, 1.0, 10**6)`).
#[pyfunction]
#[pyo3(signature = (*args, a=None, b=None, n=None, integrand=None, wgsl=None, precision="f32", backend="auto", threads=None, schedule=None))]
#[allow(clippy::too_many_arguments)]
pub fn midpoint(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    a: Option<f64>,
    b: Option<f64>,
    n: Option<u64>,
    integrand: Option<&Bound<'_, PyAny>>,
    wgsl: Option<String>,
    precision: &str,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<f64> {
    let mut positional: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let first_is_f = positional
        .first()
        .is_some_and(|f| f.is_instance_of::<PyString>() || f.cast::<Integrand>().is_ok());
    let integrand = match (first_is_f, integrand) {
        (true, Some(_)) => {
            return Err(PyTypeError::new_err(
                "give the integrand once: first, or as integrand=",
            ));
        }
        (true, None) => Some(positional.remove(0)),
        (false, given) => given.cloned(),
    };
    if positional.len() > 3 {
        return Err(PyTypeError::new_err(
            "midpoint takes at most f, a, b and n by position",
        ));
    }
    let by_position = |k: usize, name: &str, keyword: bool| -> PyResult<Option<Bound<'_, PyAny>>> {
        match (positional.get(k), keyword) {
            (Some(_), true) => Err(PyTypeError::new_err(format!(
                "midpoint got {name} both by position and as {name}="
            ))),
            (value, _) => Ok(value.cloned()),
        }
    };
    let a = match by_position(0, "a", a.is_some())? {
        Some(v) => v.extract::<f64>()?,
        None => a.unwrap_or(0.0),
    };
    let b = match by_position(1, "b", b.is_some())? {
        Some(v) => v.extract::<f64>()?,
        None => b.unwrap_or(1.0),
    };
    let n = match by_position(2, "n", n.is_some())? {
        Some(v) => v.extract::<u64>()?,
        None => n.unwrap_or(1_000_000),
    };
    let spec = Midpoint::new(a, b, n).map_err(problem)?;
    if let Some(body) = wgsl {
        let precision = match precision {
            "f32" => Precision::F32,
            "f64" => Precision::F64,
            other => {
                return Err(PyValueError::new_err(format!(
                    "precision must be \"f32\" or \"f64\", got {other:?}"
                )));
            }
        };
        if !matches!(backend, "auto" | "gpu") {
            return Err(PyValueError::new_err(
                "a WGSL integrand runs on the GPU only: pass backend=\"gpu\" (or leave the default)",
            ));
        }
        if integrand.is_some() {
            return Err(PyTypeError::new_err(
                "give either an integrand or wgsl=, not both",
            ));
        }
        let integrand = WgslIntegrand::new(body.clone()).with_f64(body);
        let (engine, _) = engine_for("gpu", threads, schedule)?;
        return py
            .detach(|| engine.midpoint_wgsl(&spec, &integrand, precision))
            .map_err(to_py);
    }
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    match integrand {
        Some(f) if f.cast::<Integrand>().is_ok() => {
            let f = f.cast::<Integrand>()?;
            f.get().integrate(py, &spec, &engine, backend)
        }
        Some(f)
            if f.extract::<String>()
                .is_ok_and(|name| name != "exp_neg_square") =>
        {
            Err(PyValueError::new_err(format!(
                "unknown integrand {f}: the built-in one is \"exp_neg_square\"; write your own with @hetero.integrand, or give WGSL as wgsl=\"return ...;\""
            )))
        }
        Some(f) if f.extract::<String>().is_err() => Err(PyTypeError::new_err(
            "the integrand must be a function decorated with @hetero.integrand (or \"exp_neg_square\")",
        )),
        _ => {
            let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
            py.detach(|| calls::reduce(&engine, &kernel, backend))
                .map_err(to_py)
        }
    }
}

/// A Monte Carlo estimate of π from n samples of the counter-based
/// generator: the same hits on every backend for the same (n, seed).
#[pyclass(frozen, module = "hetero")]
pub struct PiResult {
    #[pyo3(get)]
    hits: u64,
    #[pyo3(get)]
    n: u64,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    estimate: f64,
    #[pyo3(get)]
    sigma: f64,
}

#[pymethods]
impl PiResult {
    fn __repr__(&self) -> String {
        format!(
            "PiResult(estimate={}, sigma={:.3e}, hits={}, n={}, seed={})",
            self.estimate, self.sigma, self.hits, self.n, self.seed
        )
    }
}

#[pyfunction]
#[pyo3(signature = (n=10_000_000, seed=1_592_594_321, backend="auto", threads=None, schedule=None))]
pub fn pi(
    py: Python<'_>,
    n: u64,
    seed: u64,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<PiResult> {
    let spec = Pi::new(n, seed).map_err(problem)?;
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    let kernel = PiKernel::new(&spec);
    let estimate = py
        .detach(|| calls::reduce(&engine, &kernel, backend))
        .map_err(to_py)?;
    Ok(PiResult {
        hits: estimate.hits,
        n: estimate.n,
        seed: estimate.seed,
        estimate: estimate.estimate(),
        sigma: estimate.sigma(),
    })
}

/// The compensated sum of a float64 array (read in place, not copied).
#[pyfunction]
#[pyo3(signature = (array, backend="auto", threads=None, schedule=None))]
pub fn sum(
    py: Python<'_>,
    array: PyReadonlyArray1<'_, f64>,
    backend: &str,
    threads: Option<usize>,
    schedule: Option<&str>,
) -> PyResult<f64> {
    let data = array.as_slice().map_err(|_| {
        PyValueError::new_err("array must be C-contiguous (use numpy.ascontiguousarray)")
    })?;
    let (engine, backend) = engine_for(backend, threads, schedule)?;
    py.detach(|| calls::reduce(&engine, &SumKernel::new(data), backend))
        .map_err(to_py)
}
