//! `julia`: the notebook's N × 2N image, maxiters 50.

use hetero::problems::julia::JuliaKernel;
use hetero::{Backend, Engine, GpuContext, GpuTimings, JobScope, Julia, JuliaParams, Mapping};

use super::{Agreement, Kind, Output, Run, Workload, wrong_kind};
use crate::ceilings::Ceilings;

pub const KIND: &dyn Kind = &JuliaKind;

struct JuliaKind;

impl Kind for JuliaKind {
    fn name(&self) -> &'static str {
        "julia"
    }
    fn seed_size(&self) -> u64 {
        1000
    }
    fn quick_size(&self) -> u64 {
        300
    }
    /// 10 → 1000 rows is 200 → 2·10⁶ pixels: four decades of work.
    fn scaling_sizes(&self) -> &'static [u64] {
        &[10, 32, 100, 316, 1000]
    }
    fn size_unit(&self) -> &'static str {
        "rows (N x 2N image)"
    }
    fn python(&self) -> &'static [(&'static str, f64)] {
        &[("Cython+OpenMP(2)", 34e-3), ("Cython serial", 67e-3)]
    }
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>> {
        Ok(Box::new(JuliaWork::new(size)?))
    }
}

/// f32 flops per iteration: zr², zi², |z|², 2·zr, the fma (2), zr² − zi², + cr.
const FLOPS_PER_ITERATION: f64 = 8.0;

pub struct JuliaWork {
    spec: Julia,
    /// The count buffer timed runs reuse.
    out: std::sync::Mutex<Vec<u32>>,
}

impl JuliaWork {
    pub fn new(n: u64) -> anyhow::Result<Self> {
        let spec = JuliaParams::notebook(usize::try_from(n)?).validate()?;
        let out = std::sync::Mutex::new(spec.try_alloc_counts()?);
        Ok(Self { spec, out })
    }
}

impl Workload for JuliaWork {
    fn size(&self) -> u64 {
        self.spec.height() as u64
    }

    fn elements(&self) -> u64 {
        self.spec.pixels() as u64
    }

    fn chunk(&self) -> u64 {
        JuliaKernel::new(&self.spec).chunk() as u64
    }

    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output> {
        scope
            .map_vec(&JuliaKernel::new(&self.spec), backend)
            .map(Output::Counts)
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine.julia(&self.spec, backend).map(Output::Counts)
    }

    fn run_timed(&self, engine: &Engine, backend: Backend) -> hetero::Result<()> {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.julia_into(&self.spec, &mut out, backend)
    }

    fn validate(&self, backend: Backend, output: &Output, reference: &Output) -> Agreement {
        let (Output::Counts(c), Output::Counts(r)) = (output, reference) else {
            return wrong_kind();
        };
        let differing = c.iter().zip(r).filter(|(a, b)| a != b).count();
        let worst = c
            .iter()
            .zip(r)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        // CPU backends agree bit for bit; a GPU may round differently on
        // < 0.1 % of pixels, by at most 3 iterations.
        let allowed = if backend.may_use_gpu() {
            r.len() / 1000
        } else {
            0
        };
        let valid =
            c.len() == r.len() && differing <= allowed && (!backend.may_use_gpu() || worst <= 3);
        let first_mismatch = c.iter().zip(r).position(|(a, b)| a != b).map(|i| {
            let w = self.spec.width();
            format!("pixel (row {}, col {}): {} vs {}", i / w, i % w, c[i], r[i])
        });
        Agreement {
            metric: "differing pixels",
            value: differing as f64,
            tolerance: allowed as f64,
            valid,
            first_mismatch: if valid { None } else { first_mismatch },
        }
    }

    fn work(&self, reference: &Output) -> (&'static str, f64) {
        match reference {
            Output::Counts(c) => ("iter", c.iter().map(|&v| f64::from(v)).sum()),
            _ => ("pixel", self.elements() as f64),
        }
    }

    fn ceiling(&self, ceilings: &Ceilings, run: &Run) -> Option<(f64, String)> {
        let flops = run.work * FLOPS_PER_ITERATION;
        let share = ceilings.fp_share(flops, run.seconds, run.cores, true);
        Some((share, "f32 FP peak".into()))
    }

    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String> {
        let mut out = self.spec.try_alloc_counts().map_err(|e| e.to_string())?;
        let kernel = JuliaKernel::new(&self.spec);
        hetero::gpu::map(gpu, &kernel, 0..self.spec.height(), &mut out).map_err(|e| e.to_string())
    }
}
