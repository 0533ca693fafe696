//! `pi`: n Monte Carlo samples with the default seed.

use hetero::problems::pi::PiKernel;
use hetero::{Backend, Engine, GpuContext, GpuTimings, JobScope, Pi, Reduction};

use super::{Agreement, Kind, Output, Workload, wrong_kind};

pub const KIND: &dyn Kind = &PiKind;

struct PiKind;

impl Kind for PiKind {
    fn name(&self) -> &'static str {
        "pi"
    }
    fn seed_size(&self) -> u64 {
        10_000_000
    }
    fn quick_size(&self) -> u64 {
        1_000_000
    }
    fn scaling_sizes(&self) -> &'static [u64] {
        &[1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    }
    fn size_unit(&self) -> &'static str {
        "samples"
    }
    fn python(&self) -> &'static [(&'static str, f64)] {
        &[("numpy", 0.17), ("multiprocessing Pool(2)", 1.27)]
    }
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>> {
        Ok(Box::new(PiWork {
            spec: Pi::new(size, hetero_core::pi::DEFAULT_SEED)?,
        }))
    }
}

pub struct PiWork {
    spec: Pi,
}

impl Workload for PiWork {
    fn size(&self) -> u64 {
        self.spec.n()
    }

    fn elements(&self) -> u64 {
        self.spec.n()
    }

    fn chunk(&self) -> u64 {
        PiKernel::new(&self.spec).chunk()
    }

    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output> {
        scope
            .reduce(&PiKernel::new(&self.spec), backend)
            .map(|e| Output::Hits(e.hits))
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine.pi(&self.spec, backend).map(|e| Output::Hits(e.hits))
    }

    fn validate(&self, _: Backend, output: &Output, reference: &Output) -> Agreement {
        // Every backend must draw the same samples: the hit count is exact.
        match (output, reference) {
            (Output::Hits(h), Output::Hits(r)) => Agreement {
                metric: "hit-count difference",
                value: h.abs_diff(*r) as f64,
                tolerance: 0.0,
                valid: h == r,
                first_mismatch: (h != r).then(|| format!("{h} hits vs {r}")),
            },
            _ => wrong_kind(),
        }
    }

    // Philox is integer multiplies: no floating-point ceiling applies.

    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String> {
        hetero::gpu::reduce(gpu, &PiKernel::new(&self.spec))
            .map(|(_, t)| t)
            .map_err(|e| e.to_string())
    }
}
