//! `gaussian`: z = exp(−(x−y)²) on N standard normals, in f32 so that every
//! backend (the GPU computes in f32) runs the same arithmetic; validated
//! against the scalar f64 kernel on the same f32 inputs.

use hetero::problems::gaussian::GaussianKernel;
use hetero::{Backend, Engine, Gaussian, GpuContext, GpuTimings, JobScope, standard_normal_inputs};
use hetero_core::alloc::{try_collect, try_zeroed};

use super::{Agreement, Kind, Output, Run, Workload, wrong_kind};
use crate::ceilings::{Access, Ceilings, flops};

pub const KIND: &dyn Kind = &GaussianKind;

struct GaussianKind;

impl Kind for GaussianKind {
    fn name(&self) -> &'static str {
        "gaussian"
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
        "elements"
    }
    fn python(&self) -> &'static [(&'static str, f64)] {
        &[("Cython+OpenMP(2)", 4.7e-3), ("numpy", 11.5e-3)]
    }
    fn build(&self, size: u64) -> anyhow::Result<Box<dyn Workload>> {
        Ok(Box::new(GaussianWork::new(size)?))
    }
}

/// Bytes moved per element: x and y read, z written.
const BYTES: f64 = 12.0;

pub struct GaussianWork {
    spec: Gaussian,
    x: Vec<f32>,
    y: Vec<f32>,
    /// The f64 kernel on the f32 inputs: the yardstick for every backend.
    exact: Vec<f64>,
    /// The output buffer timed runs reuse.
    out: std::sync::Mutex<Vec<f32>>,
}

impl GaussianWork {
    pub fn new(n: u64) -> anyhow::Result<Self> {
        let (x, y) = standard_normal_inputs(usize::try_from(n)?, 1)?;
        let narrow =
            |v: &[f64], what: &'static str| try_collect(n, v.iter().map(|&v| v as f32), what);
        let (x, y) = (
            narrow(&x, "gaussian workload: x in f32")?,
            narrow(&y, "gaussian workload: y in f32")?,
        );
        let exact = try_collect(
            n,
            x.iter()
                .zip(&y)
                .map(|(&a, &b)| hetero_core::gaussian::kernel_f64(1.0, f64::from(a), f64::from(b))),
            "gaussian workload: the f64 yardstick",
        )?;
        let out = std::sync::Mutex::new(try_zeroed(n, "gaussian workload: the output")?);
        Ok(Self {
            spec: Gaussian::notebook(),
            x,
            y,
            exact,
            out,
        })
    }
}

impl Workload for GaussianWork {
    fn size(&self) -> u64 {
        self.x.len() as u64
    }

    fn elements(&self) -> u64 {
        self.x.len() as u64
    }

    fn chunk(&self) -> u64 {
        hetero_core::chunks::GAUSSIAN_CHUNK as u64
    }

    fn run_in(&self, scope: &JobScope<'_>, backend: Backend) -> hetero::Result<Output> {
        let kernel = GaussianKernel::new(&self.spec, &self.x, &self.y)?;
        scope.map_vec(&kernel, backend).map(Output::Floats)
    }

    fn run(&self, engine: &Engine, backend: Backend) -> hetero::Result<Output> {
        engine
            .gaussian_f32_vec(&self.spec, &self.x, &self.y, backend)
            .map(Output::Floats)
    }

    fn run_timed(&self, engine: &Engine, backend: Backend) -> hetero::Result<()> {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        engine.gaussian_f32(&self.spec, &self.x, &self.y, &mut out, backend)
    }

    fn validate(&self, _: Backend, output: &Output, _reference: &Output) -> Agreement {
        let Output::Floats(z) = output else {
            return wrong_kind();
        };
        // f32 arithmetic end to end: three roundings in the argument and the
        // exp bound give a few 1e-7 relative; 1e-5 leaves room for WGSL's
        // 3 + 2|x| ULP exp on arguments up to ~|x| = 40.
        const TOLERANCE: f64 = 1e-5;
        let mut worst = 0.0f64;
        let mut first = None;
        for (i, (&v, &e)) in z.iter().zip(&self.exact).enumerate() {
            let err = (f64::from(v) - e).abs() / e.max(1e-30);
            let err = if e < 1e-30 {
                (f64::from(v) - e).abs()
            } else {
                err
            };
            if err > TOLERANCE && first.is_none() {
                first = Some(format!("element {i}: {v} vs {e}"));
            }
            worst = worst.max(err);
        }
        let valid = z.len() == self.exact.len() && first.is_none();
        Agreement {
            metric: "max relative error",
            value: worst,
            tolerance: TOLERANCE,
            valid,
            first_mismatch: first,
        }
    }

    /// Whichever bounds it harder: the f32 floating-point peak, or the triad bandwidth
    /// of the level x, y and z live in (two streams read, one written).
    fn ceiling(&self, ceilings: &Ceilings, run: &Run) -> Option<(f64, String)> {
        let compute = ceilings.fp_share(
            run.elements * flops::GAUSSIAN_ELEMENT,
            run.seconds,
            run.cores,
            true,
        );
        let bytes = run.elements * BYTES;
        let compute = (compute, "f32 FP peak".to_string());
        Some(
            match ceilings.memory_share(Access::Triad, bytes, bytes, run.seconds, run.cores) {
                Some(memory) if memory.0 > compute.0 => memory,
                _ => compute,
            },
        )
    }

    fn gpu_timings(&self, gpu: &GpuContext) -> Result<GpuTimings, String> {
        let mut z = try_zeroed(self.x.len() as u64, "gaussian workload: the GPU's output")
            .map_err(|e| e.to_string())?;
        let kernel =
            GaussianKernel::new(&self.spec, &self.x, &self.y).map_err(|e| e.to_string())?;
        hetero::gpu::map(gpu, &kernel, 0..self.x.len(), &mut z).map_err(|e| e.to_string())
    }
}
