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
mod calls;
mod engines;
mod errors;
mod functions;
mod npy;
mod problems;
mod submit;
mod trace;
mod traced;
mod tracer;
mod validate;

use pyo3::prelude::*;

/// Points `XDG_RUNTIME_DIR` at the temporary directory when it is unset or
/// not absolute, through Python's `os.environ` (so Python's view and the
/// process's agree), before anything probes the GPU: Mesa's Vulkan drivers
/// print "XDG_RUNTIME_DIR is invalid" on every probe otherwise. (The Rust
/// examples call `hetero::quiet_gpu_probe` for the same reason.)
fn quiet_gpu_probe(py: Python<'_>) -> PyResult<()> {
    let os = py.import("os")?;
    let current: Option<String> = os
        .getattr("environ")?
        .call_method1("get", ("XDG_RUNTIME_DIR",))?
        .extract()?;
    let usable = current.is_some_and(|dir| std::path::Path::new(&dir).is_absolute());
    if !usable {
        let dir: String = py
            .import("tempfile")?
            .call_method0("gettempdir")?
            .extract()?;
        os.getattr("environ")?.set_item("XDG_RUNTIME_DIR", dir)?;
    }
    Ok(())
}

#[pymodule]
fn hetero(m: &Bound<'_, PyModule>) -> PyResult<()> {
    quiet_gpu_probe(m.py())?;
    m.add_function(wrap_pyfunction!(engines::backends, m)?)?;
    m.add_function(wrap_pyfunction!(problems::julia, m)?)?;
    m.add_function(wrap_pyfunction!(problems::midpoint, m)?)?;
    m.add_function(wrap_pyfunction!(problems::pi, m)?)?;
    m.add_function(wrap_pyfunction!(problems::sum, m)?)?;
    m.add_function(wrap_pyfunction!(arrays::gaussian, m)?)?;
    m.add_function(wrap_pyfunction!(validate::validate, m)?)?;
    m.add_class::<problems::PiResult>()?;
    m.add_function(wrap_pyfunction!(traced::sum_terms, m)?)?;
    // The decorators are the classes themselves: @hetero.elementwise
    // turns `def f(x, y)` into an Elementwise.
    m.add("elementwise", m.py().get_type::<traced::Elementwise>())?;
    m.add("integrand", m.py().get_type::<traced::Integrand>())?;
    m.add("term", m.py().get_type::<traced::Term>())?;
    m.add_class::<tracer::Tracer>()?;
    for f in [
        wrap_pyfunction!(functions::exp, m)?,
        wrap_pyfunction!(functions::log, m)?,
        wrap_pyfunction!(functions::sqrt, m)?,
        wrap_pyfunction!(functions::sin, m)?,
        wrap_pyfunction!(functions::cos, m)?,
        wrap_pyfunction!(functions::abs, m)?,
        wrap_pyfunction!(functions::minimum, m)?,
        wrap_pyfunction!(functions::maximum, m)?,
        wrap_pyfunction!(functions::where_, m)?,
    ] {
        m.add_function(f)?;
    }
    m.add_function(wrap_pyfunction!(npy::npy_stats, m)?)?;
    m.add_function(wrap_pyfunction!(submit::submit, m)?)?;
    m.add_function(wrap_pyfunction!(submit::running_jobs, m)?)?;
    m.add("Future", submit::future_class(m.py())?)?;
    m.add_class::<submit::JobHandle>()?;
    m.add("trace", m.py().get_type::<trace::Trace>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
