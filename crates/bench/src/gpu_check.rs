//! `hetero-bench gpu-check`: everything a real GPU should be asked, in one
//! short command — each problem validated on the GPU at its notebook size
//! and at a large size, a user kernel traced to WGSL, midpoint in f32 and
//! f64, where each GPU call's time goes, `hybrid` against `simd-threads`
//! and `gpu`, a CPU job beside a GPU job, and the GPU's set-up cold and
//! warm. About 8 minutes on a data-center GPU; `--quick` (sizes 10–100×
//! smaller) about a minute on lavapipe, which CI runs.
//!
//! Large sizes are checked against `simd-threads` (the CPU backends agree
//! bit for bit or within their stated bounds, and `scalar` would take
//! minutes at 10¹⁰); notebook sizes against `scalar`, as `run` does.

use std::sync::Arc;
use std::time::Instant;

use hetero::problems::midpoint::{MidpointGpu, MidpointKernel};
use hetero::{
    Backend, Engine, GpuContext, IndexTerm, JuliaParams, Midpoint, Pi, Precision, Real, TermSum,
    WgslIntegrand,
};
use serde_json::json;

use crate::record::Record;
use crate::workloads::{self, Kind, relative};

const EXPERIMENT: &str = "gpu-check";

/// Each problem's large size (Julia: rows of an N × 2N image), and the
/// `--quick` one.
fn large_size(problem: &str, quick: bool) -> u64 {
    match (problem, quick) {
        ("julia", false) => 4000,
        ("julia", true) => 600,
        ("midpoint", false) => 1_000_000_000,
        ("midpoint", true) => 10_000_000,
        ("gaussian", false) => 100_000_000,
        ("gaussian", true) => 2_000_000,
        ("pi", false) => 10_000_000_000,
        ("pi", true) => 100_000_000,
        ("sum", false) => 1 << 27,
        (_, _) => 1 << 23,
    }
}

/// Σ 1/(i + 1)², a user's term traced to WGSL.
struct Basel;

impl IndexTerm for Basel {
    fn term<R: Real>(&self, i: R) -> R {
        let k = i + R::from_f64(1.0);
        R::from_f64(1.0) / (k * k)
    }
}

/// Every stage, in order; a stage that cannot run is a failed record.
pub fn gpu_check(
    engine: &Arc<Engine>,
    quick: bool,
    progress: &(dyn Fn(String) + Sync),
) -> Vec<Record> {
    let mut records = Vec::new();
    progress("gpu-check: opening the GPU (cold)".into());
    records.extend(setup(engine));
    let Ok(gpu) = engine.gpu() else {
        return records; // the set-up record says why
    };
    for &problem in &workloads::ALL {
        progress(format!("gpu-check: {} on the GPU", problem.name()));
        let sizes = [
            problem_size(problem, quick),
            large_size(problem.name(), quick),
        ];
        for (i, &size) in sizes.iter().enumerate() {
            if i == 1 && size == sizes[0] {
                continue;
            }
            let reference = if i == 0 {
                Backend::Scalar
            } else {
                Backend::SimdThreads
            };
            records.push(validate(engine, problem, size, reference));
            records.push(split(gpu, problem, size));
        }
    }
    progress("gpu-check: midpoint f32 and f64, a user kernel".into());
    records.extend(midpoint_precisions(
        engine,
        gpu,
        large_size("midpoint", quick),
    ));
    records.push(user_kernel(
        engine,
        gpu,
        if quick { 1_000_000 } else { 100_000_000 },
    ));
    progress("gpu-check: hybrid".into());
    records.push(hybrid_pi(
        engine,
        if quick { 100_000_000 } else { 10_000_000_000 },
    ));
    records.push(hybrid_julia(engine, if quick { 600 } else { 8000 }));
    progress("gpu-check: a CPU job beside a GPU job".into());
    records.push(overlap(
        engine,
        if quick { 30_000_000 } else { 2_000_000_000 },
    ));
    records
}

fn problem_size(problem: &dyn Kind, quick: bool) -> u64 {
    if quick {
        problem.quick_size()
    } else {
        problem.seed_size()
    }
}

fn record(stage: &str, problem: &'static str, backend: &'static str, size: u64) -> Record {
    let mut r = Record::new(EXPERIMENT, problem, backend, size, 1);
    r.detail = Some(json!({ "stage": stage }));
    r
}

/// Adds `more` to the record's detail object.
fn detail(r: &mut Record, more: serde_json::Value) {
    if let (Some(serde_json::Value::Object(d)), serde_json::Value::Object(more)) =
        (&mut r.detail, more)
    {
        d.extend(more);
    }
}

/// The GPU opened and every built-in program compiled: once cold (the
/// engine's first use), once more in the same process (the driver's
/// caches warm).
fn setup(engine: &Engine) -> Vec<Record> {
    let mut cold = record("setup", "all", "gpu", 0);
    let started = Instant::now();
    let opened = engine.gpu();
    let cold_seconds = started.elapsed().as_secs_f64();
    let gpu = match opened {
        Ok(g) => g,
        Err(e) => return vec![cold.failed(format!("no GPU: {e}"))],
    };
    cold.seconds_median = Some(cold_seconds);
    cold.repeats = 1;
    detail(
        &mut cold,
        json!({ "phase": "cold: context + pipelines", "adapter": gpu.describe().to_string() }),
    );
    let mut warm = record("setup", "all", "gpu", 0);
    let started = Instant::now();
    let again = GpuContext::from_env().and_then(|ctx| {
        let caps = ctx.caps();
        for problem in hetero::kernel::problems::ALL {
            for program in problem.gpu_programs(&caps) {
                ctx.prepare(&program)?;
            }
        }
        Ok(ctx)
    });
    match again {
        Ok(_) => {
            warm.seconds_median = Some(started.elapsed().as_secs_f64());
            warm.repeats = 1;
            detail(
                &mut warm,
                json!({ "phase": "warm: a second context + pipelines" }),
            );
        }
        Err(e) => warm = warm.failed(e.to_string()),
    }
    vec![cold, warm]
}

/// One GPU run of `problem` at `size`, timed and checked against `reference`.
fn validate(engine: &Engine, problem: &'static dyn Kind, size: u64, reference: Backend) -> Record {
    let mut r = record("validate", problem.name(), "gpu", size);
    let outcome = problem
        .build(size)
        .map_err(|e| e.to_string())
        .and_then(|work| {
            let want = work.run(engine, reference).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let got = work.run(engine, Backend::Gpu).map_err(|e| e.to_string())?;
            let seconds = started.elapsed().as_secs_f64();
            Ok((
                work.validate(Backend::Gpu, &got, &want),
                seconds,
                work.elements(),
            ))
        });
    match outcome {
        Err(e) => r.failed(e),
        Ok((agreement, seconds, elements)) => {
            r.seconds_median = Some(seconds);
            r.repeats = 1;
            r.throughput = Some(elements as f64 / seconds);
            r.throughput_unit = Some("elem");
            detail(&mut r, json!({ "reference": reference.name() }));
            r.with_validation(&agreement)
        }
    }
}

/// Where one GPU call's time goes (the `gpu_report` example's split).
fn split(gpu: &GpuContext, problem: &'static dyn Kind, size: u64) -> Record {
    let r = record("split", problem.name(), "gpu", size);
    match problem
        .build(size)
        .map_err(|e| e.to_string())
        .and_then(|w| w.gpu_timings(gpu))
    {
        Err(e) => r.failed(e),
        Ok(t) => {
            let mut r = r;
            r.seconds_median = Some(t.end_to_end.as_secs_f64());
            r.repeats = 1;
            detail(
                &mut r,
                json!({
                    "upload": t.upload.as_secs_f64(),
                    "kernel": t.kernel.map(|k| k.as_secs_f64()),
                    "readback": t.readback.as_secs_f64(),
                    "resident": t.resident().as_secs_f64(),
                    "dispatches": t.dispatches,
                }),
            );
            r
        }
    }
}

/// Midpoint exp(−x²) at `n` in f32 and, where the device has it, f64,
/// each against the CPU's f64 value.
fn midpoint_precisions(engine: &Engine, gpu: &GpuContext, n: u64) -> Vec<Record> {
    let spec = match Midpoint::new(0.0, 1.0, n) {
        Ok(s) => s,
        Err(e) => {
            return vec![record("midpoint-precision", "midpoint", "gpu", n).failed(e.to_string())];
        }
    };
    let cpu = match engine.midpoint(&spec, Backend::SimdThreads) {
        Ok(v) => v,
        Err(e) => {
            return vec![record("midpoint-precision", "midpoint", "gpu", n).failed(e.to_string())];
        }
    };
    let integrand = WgslIntegrand::exp_neg_square();
    let shape = MidpointKernel::gpu_only(&spec);
    let mut precisions = vec![(Precision::F32, "f32", 2e-7)];
    if gpu.has_f64() {
        precisions.push((Precision::F64, "f64", 1e-12));
    }
    precisions
        .into_iter()
        .map(|(precision, name, tolerance)| {
            let mut r = record("midpoint-precision", "midpoint", "gpu", n);
            let run = MidpointGpu::new(&spec, &integrand, precision)
                .map_err(|e| e.to_string())
                .and_then(|side| {
                    hetero::gpu::reduce_with(gpu, &shape, &side).map_err(|e| e.to_string())
                });
            match run {
                Err(e) => r.failed(e),
                Ok((value, t)) => {
                    r.seconds_median = Some(t.end_to_end.as_secs_f64());
                    r.repeats = 1;
                    detail(&mut r, json!({ "precision": name }));
                    r.with_validation(&relative(value, cpu, tolerance))
                }
            }
        })
        .collect()
}

/// A user's Σ term(i), its WGSL traced from the Rust body, on the GPU
/// against `simd-threads`.
fn user_kernel(engine: &Engine, gpu: &GpuContext, n: u64) -> Record {
    let mut r = record("user-kernel", "basel", "gpu", n);
    let kernel = TermSum::new("basel", &Basel, n);
    let tolerance = if gpu.has_f64() { 1e-12 } else { 1e-6 };
    let run = engine
        .reduce(&kernel, Backend::SimdThreads)
        .and_then(|cpu| {
            let started = Instant::now();
            let got = engine.reduce(&kernel, Backend::Gpu)?;
            Ok((cpu, got, started.elapsed().as_secs_f64()))
        });
    match run {
        Err(e) => r.failed(e.to_string()),
        Ok((cpu, got, seconds)) => {
            r.seconds_median = Some(seconds);
            r.repeats = 1;
            r.with_validation(&relative(got, cpu, tolerance))
        }
    }
}

/// Seconds of one call of `f`, and its value.
fn timed<T>(f: impl FnOnce() -> hetero::Result<T>) -> hetero::Result<(T, f64)> {
    let started = Instant::now();
    let value = f()?;
    Ok((value, started.elapsed().as_secs_f64()))
}

/// `hybrid` against `simd-threads` and `gpu` on π: the same hits, and
/// hybrid's throughput against the sum of the two devices'.
fn hybrid_pi(engine: &Engine, n: u64) -> Record {
    let r = record("hybrid", "pi", "hybrid", n);
    let spec = match Pi::new(n, 7) {
        Ok(s) => s,
        Err(e) => return r.failed(e.to_string()),
    };
    let run = (|| {
        let (cpu, cpu_s) = timed(|| engine.pi(&spec, Backend::SimdThreads))?;
        let (gpu, gpu_s) = timed(|| engine.pi(&spec, Backend::Gpu))?;
        let (both, both_s) = timed(|| engine.pi(&spec, Backend::Hybrid))?;
        Ok::<_, hetero::Error>(([cpu.hits, gpu.hits, both.hits], [cpu_s, gpu_s, both_s]))
    })();
    hybrid_record(
        engine,
        r,
        n,
        run.map(|(hits, s)| (hits.iter().all(|&h| h == hits[0]), s)),
    )
}

/// As [`hybrid_pi`] on a Julia image of `rows` × 2·`rows`: the same counts.
fn hybrid_julia(engine: &Engine, rows: u64) -> Record {
    let r = record("hybrid", "julia", "hybrid", rows);
    let spec = match JuliaParams::notebook(rows as usize).validate() {
        Ok(s) => s,
        Err(e) => return r.failed(e.to_string()),
    };
    let run = (|| {
        let (cpu, cpu_s) = timed(|| engine.julia(&spec, Backend::SimdThreads))?;
        let (gpu, gpu_s) = timed(|| engine.julia(&spec, Backend::Gpu))?;
        let (both, both_s) = timed(|| engine.julia(&spec, Backend::Hybrid))?;
        Ok::<_, hetero::Error>((cpu == gpu && cpu == both, [cpu_s, gpu_s, both_s]))
    })();
    hybrid_record(engine, r, spec.pixels() as u64, run)
}

fn hybrid_record(
    engine: &Engine,
    mut r: Record,
    items: u64,
    run: hetero::Result<(bool, [f64; 3])>,
) -> Record {
    match run {
        Err(e) => r.failed(e.to_string()),
        Ok((same, [cpu, gpu, both])) => {
            let rate = |s: f64| items as f64 / s;
            r.seconds_median = Some(both);
            r.repeats = 1;
            let share = engine.hybrid().last_share();
            detail(
                &mut r,
                json!({
                    "simd_threads_seconds": cpu,
                    "gpu_seconds": gpu,
                    "hybrid_seconds": both,
                    "vs_sum_of_devices": rate(both) / (rate(cpu) + rate(gpu)),
                    "gpu_fraction": share.as_ref().map(hetero::hybrid::HybridShare::gpu_fraction),
                    "cpu_only": share.and_then(|s| s.cpu_only),
                }),
            );
            if same {
                r
            } else {
                r.failed("hybrid's result differs from simd-threads' or gpu's")
            }
        }
    }
}

/// A CPU job (π on `simd-threads`) and a GPU job (π on `gpu`) alone, then
/// submitted together: overlap = (CPU alone + GPU alone) ÷ together (1:
/// none, up to 2 when the two take as long).
fn overlap(engine: &Arc<Engine>, n: u64) -> Record {
    let mut r = record("overlap", "pi", "jobs", n);
    let spec = match Pi::new(n, 11) {
        Ok(s) => s,
        Err(e) => return r.failed(e.to_string()),
    };
    let kernel = || hetero::problems::pi::PiKernel::new(&spec);
    let run = (|| {
        let (_, cpu) = timed(|| engine.jobs().submit(kernel(), Backend::SimdThreads).wait())?;
        let (_, gpu) = timed(|| engine.jobs().submit(kernel(), Backend::Gpu).wait())?;
        let (_, both) = timed(|| {
            let a = engine.jobs().submit(kernel(), Backend::SimdThreads);
            let b = engine.jobs().submit(kernel(), Backend::Gpu);
            a.wait()?;
            b.wait()
        })?;
        Ok::<_, hetero::Error>((cpu, gpu, both))
    })();
    match run {
        Err(e) => r.failed(e.to_string()),
        Ok((cpu, gpu, both)) => {
            r.seconds_median = Some(both);
            r.repeats = 1;
            detail(
                &mut r,
                json!({
                    "cpu_alone": cpu,
                    "gpu_alone": gpu,
                    "together": both,
                    "overlap": (cpu + gpu) / both,
                    "best_possible": (cpu + gpu) / cpu.max(gpu),
                }),
            );
            r
        }
    }
}

/// What `gpu-check` writes: the machine and adapter, then every record.
#[derive(Debug, serde::Serialize)]
pub struct GpuCheckResults {
    pub hetero_version: &'static str,
    pub cpu: String,
    pub cores: usize,
    pub isa: &'static str,
    pub adapters: Vec<String>,
    pub quick: bool,
    pub command: String,
    pub records: Vec<Record>,
}

impl GpuCheckResults {
    pub fn all_valid(&self) -> bool {
        !self.records.is_empty() && self.records.iter().all(|r| r.valid && r.failure.is_none())
    }
}

/// The report: one table per stage.
pub fn markdown(results: &GpuCheckResults) -> String {
    use std::fmt::Write as _;
    let mut md = String::new();
    let _ = writeln!(md, "# hetero-bench gpu-check\n");
    let _ = writeln!(
        md,
        "CPU: {} ({} cores, {}); adapters: {}; {}\n",
        results.cpu,
        results.cores,
        results.isa,
        results.adapters.join("; "),
        if results.quick {
            "--quick sizes"
        } else {
            "full sizes"
        }
    );
    let _ = writeln!(md, "| stage | problem | size | seconds | check | detail |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
    for r in &results.records {
        let stage = r
            .detail
            .as_ref()
            .and_then(|d| d["stage"].as_str())
            .unwrap_or("");
        let check = match (&r.failure, r.error_value) {
            (Some(f), _) => format!("✗ {f}"),
            (None, Some(v)) => format!(
                "{} {:.2e} ≤ {:.0e}{}",
                r.error_metric.unwrap_or(""),
                v,
                r.error_tolerance.unwrap_or(0.0),
                if r.valid { "" } else { " ✗" }
            ),
            (None, None) => "ok".into(),
        };
        let mut rest = r.detail.clone().unwrap_or_default();
        if let Some(o) = rest.as_object_mut() {
            o.remove("stage");
        }
        let _ = writeln!(
            md,
            "| {stage} | {} | {} | {} | {check} | {} |",
            r.problem,
            r.size,
            r.seconds_median.map_or("—".into(), |s| format!("{s:.4}")),
            rest
        );
    }
    md
}
