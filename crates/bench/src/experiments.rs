//! The experiments: each returns records, and reports progress as it goes.

use hetero::problems::midpoint::MidpointKernel;
use hetero::{Backend, Engine, Midpoint, Neumaier, ReduceKernel, lanes};
use rayon::prelude::*;
use serde_json::json;

use crate::ceilings::Ceilings;
use crate::measure::{self, Stats};
use crate::record::Record;
use crate::workloads::{self, Kind, Output, Run, Workload};

/// Which experiments to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Experiment {
    /// Every problem × backend × size, validated then timed.
    Matrix,
    /// 1..all cores for the threaded backends, with parallel efficiency.
    Threads,
    /// Each problem over four decades of size: where threads and the GPU start to pay.
    Sizes,
    /// Midpoint cut into tasks of 1, 10, … points: the cost of tiny tasks.
    Granularity,
    /// Where a GPU call's time goes: set-up, upload, kernel, readback.
    GpuSplit,
    /// Julia, balanced and uneven, under every scheduling policy and chunk.
    Schedule,
    /// The ping-pong exercise: one-way latency and bandwidth, 8 B to 16 MiB.
    Latency,
}

impl Experiment {
    pub const ALL: [Self; 7] = [
        Self::Matrix,
        Self::Threads,
        Self::Sizes,
        Self::Granularity,
        Self::GpuSplit,
        Self::Schedule,
        Self::Latency,
    ];
}

/// What to run, as the command line asked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub problems: Vec<&'static dyn Kind>,
    pub backends: Vec<Backend>,
    /// Sizes for the matrix (`None`: each problem's notebook size, or its
    /// quick size).
    pub sizes: Option<Vec<u64>>,
    /// Thread counts for the thread-scaling experiment.
    pub threads: Vec<usize>,
    pub repeats: u32,
    pub warmup: u32,
    pub quick: bool,
    pub experiments: Vec<Experiment>,
}

impl Plan {
    pub fn matrix_sizes(&self, problem: &dyn Kind) -> Vec<u64> {
        match &self.sizes {
            Some(s) => s.clone(),
            None if self.quick => vec![problem.quick_size()],
            None => vec![problem.seed_size()],
        }
    }

    fn base_size(&self, problem: &dyn Kind) -> u64 {
        if self.quick {
            problem.quick_size()
        } else {
            problem.seed_size()
        }
    }
}

/// Shared state of a run.
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub engine: &'a Engine,
    pub ceilings: Ceilings,
    pub progress: &'a (dyn Fn(String) + Sync),
}

/// Cores a backend keeps busy.
fn cores_used(backend: Backend, threads: usize) -> usize {
    if backend.is_parallel() {
        threads.min(crate::machine::cores()).max(1)
    } else {
        1
    }
}

/// The bounding ceiling of a CPU result and the fraction of it reached.
fn ceiling(
    ctx: &Context,
    work: &dyn workloads::Workload,
    backend: Backend,
    run: Run,
) -> (Option<f64>, Option<String>) {
    if backend == Backend::Gpu || !run.seconds.is_finite() || run.seconds <= 0.0 {
        return (None, None);
    }
    work.ceiling(&ctx.ceilings, &run)
        .map_or((None, None), |(share, name)| (Some(share), Some(name)))
}

/// The matrix: validated, then timed.
pub fn matrix(ctx: &Context) -> Vec<Record> {
    let mut records = Vec::new();
    for &problem in &ctx.plan.problems {
        for size in ctx.plan.matrix_sizes(problem) {
            (ctx.progress)(format!("matrix: {} at {size}", problem.name()));
            // Building the inputs and the scalar reference fail the same way.
            let prepared = problem.build(size).and_then(|work| {
                let reference = work.run(ctx.engine, Backend::Scalar)?;
                Ok((work, reference))
            });
            let (work, reference) = match prepared {
                Ok(p) => p,
                Err(e) => {
                    records.push(
                        Record::new("matrix", problem.name(), "scalar", size, 1)
                            .failed(e.to_string()),
                    );
                    continue;
                }
            };
            let (unit, amount) = work.work(&reference);
            let mut scalar_median = None;
            for &backend in &ctx.plan.backends {
                if !ctx.engine.is_available(backend) {
                    continue;
                }
                let threads = if backend.is_parallel() {
                    ctx.engine.threads()
                } else {
                    1
                };
                let record = Record::new("matrix", problem.name(), backend.name(), size, threads);
                let record = match measure_one(ctx, &*work, backend, &reference) {
                    Err(reason) => record.failed(reason),
                    Ok((stats, validation)) => {
                        let mut r = record.with_stats(&stats).with_validation(&validation);
                        r.throughput = Some(amount / stats.median);
                        r.throughput_unit = Some(unit);
                        if backend == Backend::Scalar {
                            scalar_median = Some(stats.median);
                        }
                        r.speedup_vs_scalar = scalar_median.map(|s| s / stats.median);
                        if size == problem.seed_size()
                            && let Some(&(label, seconds)) = problem.python().first()
                        {
                            r.speedup_vs_python = Some(seconds / stats.median);
                            r.python_reference = Some(label);
                        }
                        let run = Run {
                            cores: cores_used(backend, threads),
                            elements: work.elements() as f64,
                            work: amount,
                            seconds: stats.median,
                        };
                        (r.ceiling_fraction, r.ceiling) = ceiling(ctx, &*work, backend, run);
                        r
                    }
                };
                records.push(record);
            }
        }
    }
    records
}

/// One validation run (doubling as warm-up), then the timed repeats.
fn measure_one(
    ctx: &Context,
    work: &dyn workloads::Workload,
    backend: Backend,
    reference: &Output,
) -> Result<(Stats, workloads::Agreement), String> {
    let output = work.run(ctx.engine, backend).map_err(|e| e.to_string())?;
    let validation = work.validate(backend, &output, reference);
    drop(output);
    let stats = measure::time(ctx.plan.warmup, ctx.plan.repeats, || {
        work.run_timed(ctx.engine, backend)
    })
    .map_err(|e| e.to_string())?;
    Ok((stats, validation))
}

/// Thread scaling of the threaded backends at the base size.
pub fn threads(ctx: &Context) -> Vec<Record> {
    let mut records = Vec::new();
    for &problem in &ctx.plan.problems {
        let size = ctx.plan.base_size(problem);
        let Ok(work) = problem.build(size) else {
            continue;
        };
        for backend in [Backend::Threads, Backend::SimdThreads] {
            if !ctx.plan.backends.contains(&backend) {
                continue;
            }
            let mut one_thread = None;
            for &t in &ctx.plan.threads {
                (ctx.progress)(format!("threads: {} {backend} x{t}", problem.name()));
                let mut record = Record::new("threads", problem.name(), backend.name(), size, t);
                let engine = match Engine::with_threads(t) {
                    Ok(e) => e,
                    Err(e) => {
                        records.push(record.failed(e.to_string()));
                        continue;
                    }
                };
                match measure::time(ctx.plan.warmup.max(1), ctx.plan.repeats, || {
                    work.run_timed(&engine, backend)
                }) {
                    Err(e) => record = record.failed(e.to_string()),
                    Ok(stats) => {
                        record = record.with_stats(&stats);
                        if t == 1 {
                            one_thread = Some(stats.median);
                        }
                        if let Some(t1) = one_thread {
                            record.detail = Some(json!({
                                "speedup_vs_1_thread": t1 / stats.median,
                                "efficiency": t1 / (t as f64 * stats.median),
                            }));
                        }
                    }
                }
                records.push(record);
            }
        }
    }
    records
}

/// Every available backend over each problem's scaling sizes.
pub fn sizes(ctx: &Context) -> Vec<Record> {
    let mut records = Vec::new();
    for &problem in &ctx.plan.problems {
        let all = problem.scaling_sizes();
        let sizes = if ctx.plan.quick {
            &all[..all.len().saturating_sub(1)]
        } else {
            all
        };
        for &size in sizes {
            (ctx.progress)(format!("sizes: {} at {size}", problem.name()));
            let Ok(work) = problem.build(size) else {
                continue;
            };
            for &backend in &ctx.plan.backends {
                if !ctx.engine.is_available(backend) {
                    continue;
                }
                let threads = if backend.is_parallel() {
                    ctx.engine.threads()
                } else {
                    1
                };
                let mut record =
                    Record::new("sizes", problem.name(), backend.name(), size, threads);
                match measure::time(ctx.plan.warmup.max(1), ctx.plan.repeats, || {
                    work.run_timed(ctx.engine, backend)
                }) {
                    Err(e) => record = record.failed(e.to_string()),
                    Ok(stats) => {
                        record = record.with_stats(&stats);
                        record.throughput = Some(work.elements() as f64 / stats.median);
                        record.throughput_unit = Some("elem");
                        record.detail = Some(json!({
                            "elements": work.elements(),
                            "ns_per_element": stats.median * 1e9 / work.elements() as f64,
                        }));
                    }
                }
                records.push(record);
            }
            records.push(auto_at(ctx, problem.name(), size, &*work));
        }
    }
    records
}

/// `auto` on one workload of the size sweep: its time, and which backend
/// it chose. Its first call may measure its models (a calibration, not a
/// warm-up of the backend it then chooses), so it gets one warm-up call
/// more than the backends: the first call after a calibration runs on
/// caches and a pool the probes left cold (measured: twice its time).
fn auto_at(ctx: &Context, problem: &'static str, size: u64, work: &dyn Workload) -> Record {
    let mut record = Record::new("sizes", problem, Backend::Auto.name(), size, 1);
    match measure::time(ctx.plan.warmup.max(1) + 1, ctx.plan.repeats, || {
        work.run_timed(ctx.engine, Backend::Auto)
    }) {
        Err(e) => record.failed(e.to_string()),
        Ok(stats) => {
            let chose = ctx.engine.calibration().last_choice().map(|c| c.chosen);
            record = record.with_stats(&stats);
            if chose.is_some_and(Backend::is_parallel) {
                record.threads = ctx.engine.threads();
            }
            record.throughput = Some(work.elements() as f64 / stats.median);
            record.throughput_unit = Some("elem");
            record.detail = Some(json!({
                "elements": work.elements(),
                "ns_per_element": stats.median * 1e9 / work.elements() as f64,
                "chose": chose.map(Backend::name),
            }));
            record
        }
    }
}

/// Midpoint n cut into tasks of 1, 10, 100, … points on rayon: the
/// notebook's lesson that a task per point costs more than it saves.
pub fn granularity(ctx: &Context) -> Vec<Record> {
    let n = if ctx.plan.quick { 100_000 } else { 1_000_000 };
    let Ok(spec) = Midpoint::new(0.0, 1.0, n) else {
        return Vec::new();
    };
    let kernel = MidpointKernel::new(&spec, &hetero::ExpNegSquare);
    let threads = ctx.engine.threads();
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
        return Vec::new();
    };
    let mut records = Vec::new();
    (ctx.progress)("granularity: serial".into());
    let serial = measure::time(1, ctx.plan.repeats, || {
        std::hint::black_box(kernel.leaf::<lanes::Scalar>(0..n));
        Ok::<_, ()>(())
    });
    let serial_median = serial.as_ref().map(|s| s.median).ok();
    if let Ok(s) = &serial {
        let mut r = Record::new("granularity", "midpoint", "scalar", n, 1).with_stats(s);
        r.detail = Some(json!({"task_points": n, "tasks": 1}));
        records.push(r);
    }
    let mut task = 1u64;
    while task <= n {
        (ctx.progress)(format!("granularity: tasks of {task} points"));
        let tasks = n.div_ceil(task);
        let stats = pool.install(|| {
            measure::time(1, ctx.plan.repeats, || {
                // with_max_len(1): every task really is its own rayon job,
                // as one multiprocessing task per point was in the notebook.
                let total = (0..tasks as usize)
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|t| {
                        let t = t as u64;
                        kernel.leaf::<lanes::Scalar>(t * task..((t + 1) * task).min(n))
                    })
                    .reduce(|| Neumaier::ZERO, Neumaier::merge);
                std::hint::black_box(total);
                Ok::<_, ()>(())
            })
        });
        if let Ok(s) = stats {
            let mut r =
                Record::new("granularity", "midpoint", "threads", n, threads).with_stats(&s);
            r.speedup_vs_scalar = serial_median.map(|m| m / s.median);
            r.detail = Some(json!({"task_points": task, "tasks": tasks}));
            records.push(r);
        }
        task *= 10;
    }
    records
}

/// The GPU's time split per problem at the base size, plus opening a context.
pub fn gpu_split(ctx: &Context) -> Vec<Record> {
    let mut records = Vec::new();
    if !ctx.plan.backends.contains(&Backend::Gpu) {
        return records;
    }
    let gpu = match ctx.engine.gpu() {
        Ok(g) => g,
        Err(_) => return records, // reported once, in the environment
    };
    (ctx.progress)("gpu-split: opening a context".into());
    let started = std::time::Instant::now();
    let opened = hetero::GpuContext::from_env();
    let setup = started.elapsed().as_secs_f64();
    let mut r = Record::new("gpu-split", "all", "gpu", 0, 1);
    match opened {
        Ok(_) => {
            r.seconds_median = Some(setup);
            r.repeats = 1;
            r.detail = Some(json!({"phase": "context + pipelines", "setup_seconds": setup}));
        }
        Err(e) => r = r.failed(e.to_string()),
    }
    records.push(r);
    for &problem in &ctx.plan.problems {
        let size = ctx.plan.base_size(problem);
        (ctx.progress)(format!("gpu-split: {}", problem.name()));
        let timings = problem
            .build(size)
            .map_err(|e| e.to_string())
            .and_then(|work| work.gpu_timings(gpu));
        let mut r = Record::new("gpu-split", problem.name(), "gpu", size, 1);
        match timings {
            Err(e) => r = r.failed(e),
            Ok(t) => {
                r.seconds_median = Some(t.end_to_end.as_secs_f64());
                r.repeats = 1;
                r.detail = Some(json!({
                    "end_to_end": t.end_to_end.as_secs_f64(),
                    "upload": t.upload.as_secs_f64(),
                    "readback": t.readback.as_secs_f64(),
                    "resident": t.resident().as_secs_f64(),
                    "kernel": t.kernel.map(|k| k.as_secs_f64()),
                    "dispatches": t.dispatches,
                }));
            }
        }
        records.push(r);
    }
    records
}

/// Runs the plan's experiments in order.
pub fn run_all(ctx: &Context) -> Vec<Record> {
    let mut records = Vec::new();
    for experiment in &ctx.plan.experiments {
        records.extend(match experiment {
            Experiment::Matrix => matrix(ctx),
            Experiment::Threads => threads(ctx),
            Experiment::Sizes => sizes(ctx),
            Experiment::Granularity => granularity(ctx),
            Experiment::GpuSplit => gpu_split(ctx),
            Experiment::Schedule => crate::schedules::schedule(
                ctx.engine,
                ctx.plan.repeats,
                ctx.plan.quick,
                ctx.progress,
            ),
            Experiment::Latency => crate::latency::latency(ctx.plan.quick, ctx.progress),
        });
    }
    records
}

/// The crossover of `backend` against `baseline` in the size experiment: the
/// smallest size from which it is faster at every larger size.
pub fn crossover(
    records: &[crate::Record],
    problem: &str,
    backend: &str,
    baseline: &str,
) -> Option<u64> {
    let time = |b: &str, size: u64| {
        records
            .iter()
            .find(|r| {
                r.experiment == "sizes" && r.problem == problem && r.backend == b && r.size == size
            })
            .and_then(|r| r.seconds_median)
    };
    let mut sizes: Vec<u64> = records
        .iter()
        .filter(|r| r.experiment == "sizes" && r.problem == problem)
        .map(|r| r.size)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let faster: Vec<(u64, bool)> = sizes
        .iter()
        .filter_map(|&s| Some((s, time(backend, s)? < time(baseline, s)?)))
        .collect();
    let last_slow = faster.iter().rposition(|(_, f)| !f);
    match last_slow {
        None => faster.first().map(|(s, _)| *s),
        Some(i) => faster.get(i + 1).map(|(s, _)| *s),
    }
}
