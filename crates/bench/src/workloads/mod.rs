//! One workload per problem: how to set it up at a size, run it on a
//! backend, check it against the scalar reference, and how much work it is.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;

use hetero::{Backend, Engine};

use crate::Problem;

/// What a workload's run returns, for validation.
#[derive(Debug, Clone)]
pub enum Output {
    Scalar(f64),
    Floats(Vec<f32>),
    Doubles(Vec<f64>),
    Counts(Vec<u32>),
    Hits(u64),
}

/// The outcome of comparing a backend's output with the scalar reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Validation {
    /// What `value` measures, e.g. "relative error" or "differing pixels".
    pub metric: &'static str,
    pub value: f64,
    /// The tolerance the value is held to.
    pub tolerance: f64,
    pub valid: bool,
    /// The first element that broke the tolerance, described.
    pub first_mismatch: Option<String>,
}

/// A problem at one size, ready to run on any backend.
pub trait Workload: Send + Sync {
    fn problem(&self) -> Problem;
    fn size(&self) -> u64;
    /// Elements of work (subintervals, array elements, pixels, samples).
    fn elements(&self) -> u64;
    /// Runs once on `backend`, returning the output for validation.
    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output>;
    /// Runs once for timing. Workloads with large outputs write into a
    /// buffer kept between runs, so the timing is the computation and not
    /// the page faults of a fresh allocation (the criterion benches do the same).
    fn run_timed(&self, engine: &Engine, backend: Backend) -> hetero::Result<()> {
        self.run(engine, backend).map(drop)
    }
    /// Compares `output` (from `backend`) with the scalar `reference`.
    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Validation;
    /// The throughput unit and work per run in that unit (iterations for
    /// Julia, elements otherwise).
    fn work(&self, reference: &Output) -> (&'static str, f64) {
        let _ = reference;
        ("elem", self.elements() as f64)
    }
}

/// The workload of `problem` at `size`.
pub fn build(problem: Problem, size: u64) -> anyhow::Result<Box<dyn Workload>> {
    Ok(match problem {
        Problem::Midpoint => Box::new(midpoint::MidpointWork::new(size)?),
        Problem::Gaussian => Box::new(gaussian::GaussianWork::new(size)?),
        Problem::Julia => Box::new(julia::JuliaWork::new(size)?),
        Problem::Pi => Box::new(pi::PiWork::new(size)?),
    })
}

/// Relative-error validation of one number.
pub(crate) fn relative(value: f64, reference: f64, tolerance: f64) -> Validation {
    let err = hetero::tolerance::relative_error(value, reference);
    let valid = err <= tolerance;
    Validation {
        metric: "relative error",
        value: err,
        tolerance,
        valid,
        first_mismatch: (!valid).then(|| format!("{value} vs {reference}")),
    }
}

/// The validation for an output of the wrong kind: a bug, reported, never hidden.
pub(crate) fn wrong_kind() -> Validation {
    Validation {
        metric: "output kind",
        value: f64::NAN,
        tolerance: 0.0,
        valid: false,
        first_mismatch: Some(
            "the backend returned a different kind of output than the reference".into(),
        ),
    }
}
