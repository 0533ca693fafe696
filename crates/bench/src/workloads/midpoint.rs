//! `midpoint`: ∫₀¹ exp(−x²) with n subintervals.

use hetero::problems::midpoint::MidpointKernel;
use hetero::{
    Backend, Engine, ExpNegSquare, GpuContext, GpuTimings, JobScope, Midpoint, Reduction,
};

use super::{Agreement, Kind, Output, Run, Workload, relative, wrong_kind};
use crate::ceilings::{Ceilings, flops};

pub const KIND: &dyn Kind = &MidpointKind;

struct MidpointKind;

impl Kind for MidpointKind {
    fn name(&self) -> &'static str {
        "midpoint"
    }
    fn seed_size(&self) -> u64 {
        1_000_000
    }
    fn quick_size(&self) -> u64 {
        100_000
    }
    fn scaling_sizes(&self) -> &'static [u64] {
        &[1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    }
    fn size_unit(&self) -> &'static str {
        "subintervals"
    }
    fn python(&self) -> &'static [(&'static str, f64)] {
        &[
            ("numba prange", 5.8e-3),
            ("numpy", 20e-3),
            ("multiprocessing Pool(2)", 0.15),
            ("pure Python loop", 0.26),
        ]
    }
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>> {
        Ok(Box::new(MidpointWork {
            spec: Midpoint::new(0.0, 1.0, size)?,
        }))
    }
}

pub struct MidpointWork {
    spec: Midpoint,
}

impl Workload for MidpointWork {
    fn size(&self) -> u64 {
        self.spec.n()
    }

    fn elements(&self) -> u64 {
        self.spec.n()
    }

    fn chunk(&self) -> u64 {
        MidpointKernel::new(&self.spec, &ExpNegSquare).chunk()
    }

    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output> {
        scope
            .reduce(&MidpointKernel::new(&self.spec, &ExpNegSquare), backend)
            .map(Output::Scalar)
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine.midpoint(&self.spec, backend).map(Output::Scalar)
    }

    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Agreement {
        // CPU f64 promises 1e-14; the GPU sums f32 terms (2e-7).
        let tolerance = if backend.may_use_gpu() {
            2e-7
        } else {
            hetero::tolerance::MIDPOINT_CPU_REL
        };
        match (output, reference) {
            (Output::Scalar(v), Output::Scalar(r)) => relative(*v, *r, tolerance),
            _ => wrong_kind(),
        }
    }

    fn ceiling(&self, ceilings: &Ceilings, run: &Run) -> Option<(f64, String)> {
        let share = ceilings.fp_share(
            run.elements * flops::MIDPOINT_TERM,
            run.seconds,
            run.cores,
            false,
        );
        Some((share, "f64 FP peak".into()))
    }

    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String> {
        let kernel = MidpointKernel::new(&self.spec, &ExpNegSquare);
        hetero::gpu::reduce(gpu, &kernel)
            .map(|(_, t)| t)
            .map_err(|e| e.to_string())
    }
}
