//! The `hetero` Python module: the notebooks' problems on every backend,
//! numpy arrays in and out. Every call releases the GIL while it computes
//! and takes `backend=` ("auto", "scalar", "simd", "threads",
//! "simd-threads", "gpu"), `threads=` and `schedule=` (how the threaded
//! backends deal chunks to threads: "auto", "static", "static,CHUNK",
//! "dynamic,CHUNK", "guided,MIN_CHUNK"; the result is the same under each).

// No unsafe code: a new `unsafe` here is a decision to make visibly,
// by lifting this.
#![forbid(unsafe_code)]

mod arrays;
mod engines;
mod errors;
mod problems;
mod validate;

use pyo3::prelude::*;

#[pymodule]
fn hetero(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(engines::backends, m)?)?;
    m.add_function(wrap_pyfunction!(problems::julia, m)?)?;
    m.add_function(wrap_pyfunction!(problems::midpoint, m)?)?;
    m.add_function(wrap_pyfunction!(problems::pi, m)?)?;
    m.add_function(wrap_pyfunction!(problems::sum, m)?)?;
    m.add_function(wrap_pyfunction!(arrays::gaussian, m)?)?;
    m.add_function(wrap_pyfunction!(validate::validate, m)?)?;
    m.add_class::<problems::PiResult>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
