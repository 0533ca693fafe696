//! `sum`: Σ of `np.arange(n)` in f64, in chunks of 2^20 — bound by memory
//! bandwidth (8 bytes read per element).

use std::sync::atomic::{AtomicBool, Ordering};

use hetero::problems::sum::{SumKernel, arange};
use hetero::{Backend, Engine, GpuContext, GpuTimings, JobScope, Reduction};

use super::{Agreement, Kind, Output, Run, Workload, relative, wrong_kind};
use crate::ceilings::{Access, Ceilings};

pub const KIND: &dyn Kind = &SumKind;

struct SumKind;

impl Kind for SumKind {
    fn name(&self) -> &'static str {
        "sum"
    }
    fn seed_size(&self) -> u64 {
        1 << 27
    }
    fn quick_size(&self) -> u64 {
        1 << 23
    }
    fn scaling_sizes(&self) -> &'static [u64] {
        &[1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    }
    fn size_unit(&self) -> &'static str {
        "elements"
    }
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>> {
        Ok(Box::new(SumWork {
            data: arange(usize::try_from(size)?)?,
            gpu_f64: AtomicBool::new(false),
        }))
    }
}

pub struct SumWork {
    data: Vec<f64>,
    /// Whether the GPU summed in f64 (then it is as exact as the CPU).
    gpu_f64: AtomicBool,
}

impl Workload for SumWork {
    fn size(&self) -> u64 {
        self.data.len() as u64
    }

    fn elements(&self) -> u64 {
        self.data.len() as u64
    }

    fn chunk(&self) -> u64 {
        SumKernel::new(&self.data).chunk()
    }

    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output> {
        scope
            .reduce(&SumKernel::new(&self.data), backend)
            .map(Output::Scalar)
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        if backend.may_use_gpu() {
            let f64 = engine.gpu_adapter().is_ok_and(|a| a.f64);
            self.gpu_f64.store(f64, Ordering::Relaxed);
        }
        engine
            .reduce(&SumKernel::new(&self.data), backend)
            .map(Output::Scalar)
    }

    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Agreement {
        // Compensated partials: exact for this integer data on the CPU and
        // on an f64 GPU; an f32 GPU sums the data rounded to f32.
        let f32_gpu = backend.may_use_gpu() && !self.gpu_f64.load(Ordering::Relaxed);
        let tolerance = if f32_gpu { 1e-6 } else { 1e-15 };
        match (output, reference) {
            (Output::Scalar(v), Output::Scalar(r)) => relative(*v, *r, tolerance),
            _ => wrong_kind(),
        }
    }

    /// The read bandwidth of the level the array lives in.
    fn ceiling(&self, ceilings: &Ceilings, run: &Run) -> Option<(f64, String)> {
        let bytes = run.elements * 8.0;
        ceilings.memory_share(Access::Read, bytes, bytes, run.seconds, run.cores)
    }

    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String> {
        hetero::gpu::reduce(gpu, &SumKernel::new(&self.data))
            .map(|(_, t)| t)
            .map_err(|e| e.to_string())
    }
}
