//! `midpoint`: ∫₀¹ exp(−x²) with n subintervals.

use hetero::{Backend, Engine, Midpoint};

use super::{Output, Validation, Workload, relative, wrong_kind};
use crate::Problem;

pub struct MidpointWork {
    spec: Midpoint,
}

impl MidpointWork {
    pub fn new(n: u64) -> anyhow::Result<Self> {
        Ok(Self {
            spec: Midpoint::new(0.0, 1.0, n)?,
        })
    }
}

impl Workload for MidpointWork {
    fn problem(&self) -> Problem {
        Problem::Midpoint
    }

    fn size(&self) -> u64 {
        self.spec.n()
    }

    fn elements(&self) -> u64 {
        self.spec.n()
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine.midpoint(&self.spec, backend).map(Output::Scalar)
    }

    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Validation {
        // CPU f64 promises 1e-14; the GPU sums f32 terms (2e-7).
        let tolerance = if backend == Backend::Gpu {
            2e-7
        } else {
            hetero::tolerance::MIDPOINT_CPU_REL
        };
        match (output, reference) {
            (Output::Scalar(v), Output::Scalar(r)) => relative(*v, *r, tolerance),
            _ => wrong_kind(),
        }
    }
}
