//! `pi`: n Monte Carlo samples with the default seed.

use hetero::{Backend, Engine, Pi};

use super::{Output, Validation, Workload, wrong_kind};
use crate::Problem;

pub struct PiWork {
    spec: Pi,
}

impl PiWork {
    pub fn new(n: u64) -> anyhow::Result<Self> {
        Ok(Self {
            spec: Pi::new(n, hetero_core::pi::DEFAULT_SEED)?,
        })
    }
}

impl Workload for PiWork {
    fn problem(&self) -> Problem {
        Problem::Pi
    }

    fn size(&self) -> u64 {
        self.spec.n()
    }

    fn elements(&self) -> u64 {
        self.spec.n()
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine.pi(&self.spec, backend).map(|e| Output::Hits(e.hits))
    }

    fn validate(&self, _: Backend, output: &Output, reference: &Output) -> Validation {
        // Every backend must draw the same samples: the hit count is exact.
        match (output, reference) {
            (Output::Hits(h), Output::Hits(r)) => Validation {
                metric: "hit-count difference",
                value: h.abs_diff(*r) as f64,
                tolerance: 0.0,
                valid: h == r,
                first_mismatch: (h != r).then(|| format!("{h} hits vs {r}")),
            },
            _ => wrong_kind(),
        }
    }
}
