//! The contract all four examples share, so a notebook or a shell script
//! drives them the same way: `--backend`, `--threads`, `--repeat K`,
//! `--json`, `--trace FILE`, exit code 2 for usage errors and 1 for runtime failures, and
//! output files written whole or not at all.
#![allow(dead_code)]

pub mod color;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use clap::Args;
use hetero::timeline::Timeline;
use hetero::{Backend, Engine};

/// The flags every example takes.
#[derive(Debug, Args)]
pub struct Common {
    /// scalar, simd, threads, simd-threads, gpu, hybrid (GPU + CPU threads) or auto
    /// (measured choice) (default: the fastest available)
    #[arg(long, value_parser = parse_backend)]
    pub backend: Option<Backend>,

    /// Threads for the threads and simd-threads backends (default: every core)
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,

    /// How threads and simd-threads deal chunks out: auto (default), static,
    /// static,CHUNK, dynamic,CHUNK or guided,MIN_CHUNK — in the kernel's
    /// chunks; every schedule gives the same result
    #[arg(long, value_parser = parse_schedule)]
    pub schedule: Option<hetero::Schedule>,

    /// Run the computation K times and report the median time
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,

    /// Print one JSON object on stdout instead of text
    #[arg(long)]
    pub json: bool,

    /// Write a timeline of the run to FILE (Chrome Trace Event JSON: open
    /// it in ui.perfetto.dev or chrome://tracing)
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// The timeline `--trace` asked for and where to write it, set when the
/// engine is built and written when the example ends.
static TRACE: OnceLock<(PathBuf, Arc<Timeline>)> = OnceLock::new();

/// `engine` recording into the timeline `--trace PATH` asked for (when
/// it did); the file is written when the example ends ([`main_with`]).
pub fn traced(engine: Engine, path: Option<&Path>) -> Engine {
    match path {
        Some(path) => {
            let (_, timeline) =
                TRACE.get_or_init(|| (path.to_path_buf(), Arc::new(Timeline::new())));
            engine.with_timeline(Arc::clone(timeline))
        }
        None => engine,
    }
}

/// Writes the `--trace` file, if one was asked for.
fn write_trace() -> Result<(), Failure> {
    match TRACE.get() {
        Some((path, timeline)) => timeline
            .write(path)
            .map_err(|e| Failure::runtime(format!("--trace {e}"))),
        None => Ok(()),
    }
}

pub fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse::<Backend>().map_err(|e| e.to_string())
}

pub fn parse_schedule(s: &str) -> Result<hetero::Schedule, String> {
    s.parse::<hetero::Schedule>().map_err(|e| e.to_string())
}

/// A failure with its exit code: 2 for usage errors, 1 for runtime ones.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl std::fmt::Display) -> Self {
        Self {
            code: 1,
            message: message.to_string(),
        }
    }
}

impl From<hetero::Error> for Failure {
    fn from(e: hetero::Error) -> Self {
        match e {
            // A spec that cannot be built is the user's input: a usage error.
            hetero::Error::Problem(p) => Self::usage(p.to_string()),
            // So is a size larger than the machine holds: exit 2 with the
            // bytes asked for, before any work (never an abort).
            hetero::Error::OutOfMemory(a) => Self::from(a),
            // So is a setting in the environment: HETERO_ISA, HETERO_GPU_*.
            hetero::Error::Isa(i) => Self::usage(format!("HETERO_ISA: {i}")),
            #[cfg(feature = "gpu")]
            hetero::Error::Gpu(g @ hetero::GpuError::BadSetting { .. }) => {
                Self::usage(g.to_string())
            }
            other => Self::runtime(other),
        }
    }
}

impl From<hetero::AllocError> for Failure {
    fn from(e: hetero::AllocError) -> Self {
        Self::usage(e.to_string())
    }
}

impl From<hetero::npy::NpyError> for Failure {
    /// A file's bytes that do not fit in memory are the user's size to
    /// change (exit 2, as every out-of-memory error); the rest is runtime.
    fn from(e: hetero::npy::NpyError) -> Self {
        match e {
            hetero::npy::NpyError::OutOfMemory(a) => Self::from(a),
            other => Self::runtime(other),
        }
    }
}

impl From<hetero::ProblemError> for Failure {
    fn from(e: hetero::ProblemError) -> Self {
        Self::usage(e.to_string())
    }
}

/// Runs `body`, printing a failure as one line on stderr with its exit code.
pub fn main_with(name: &str, body: impl FnOnce() -> Result<(), Failure>) -> ExitCode {
    // SAFETY: every example calls main_with first thing in main, while the
    // process has one thread.
    unsafe { hetero::quiet_gpu_probe() };
    // The timeline is written whatever the outcome: a failed run's is
    // worth reading too.
    match body().and(write_trace()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let _ = write_trace();
            eprintln!("{name}: error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

impl Common {
    /// The engine these flags ask for.
    pub fn engine(&self) -> Result<Engine, Failure> {
        let engine = match self.threads {
            Some(t) => Engine::with_threads(t as usize).map_err(|e| match e {
                hetero::Error::ZeroThreads | hetero::Error::TooManyThreads { .. } => {
                    Failure::usage(format!("--threads {t}: {e}"))
                }
                other => other.into(),
            }),
            None => Ok(Engine::new()?),
        }?;
        let engine = traced(engine, self.trace.as_deref());
        match self.schedule {
            Some(s) => engine
                .with_schedule(s)
                .map_err(|e| Failure::usage(format!("--schedule {s}: {e}"))),
            None => Ok(engine),
        }
    }

    /// The backend asked for, or the fastest available with the reason.
    /// The GPU's setup (adapter, device, pipelines) happens here and is timed.
    pub fn backend(&self, engine: &Engine) -> Result<(Backend, String, f64), Failure> {
        let started = Instant::now();
        match self.backend {
            Some(Backend::Gpu) => {
                engine
                    .gpu_adapter()
                    .map_err(|e| Failure::runtime(format!("--backend gpu: {e}")))?;
                Ok((
                    Backend::Gpu,
                    "asked for".into(),
                    started.elapsed().as_secs_f64(),
                ))
            }
            Some(b @ (Backend::Hybrid | Backend::Auto)) => {
                // Hybrid and auto look at the GPU (to use it, or to say
                // why not): its start-up is setup, as for gpu.
                let _ = engine.gpu_adapter();
                CALIBRATE_FIRST.store(b == Backend::Auto, Ordering::Relaxed);
                Ok((b, "asked for".into(), started.elapsed().as_secs_f64()))
            }
            Some(b) => Ok((b, "asked for".into(), 0.0)),
            None => {
                let (backend, why) = engine.fastest_backend();
                // The GPU's start-up counts only when the GPU is used.
                let setup = if backend == Backend::Gpu {
                    started.elapsed().as_secs_f64()
                } else {
                    0.0
                };
                Ok((backend, format!("fastest available: {why}"), setup))
            }
        }
    }

    /// Threads the chosen backend uses.
    pub fn threads_used(engine: &Engine, backend: Backend) -> usize {
        if backend.is_parallel() {
            engine.threads()
        } else {
            1
        }
    }
}

/// Set when the backend is `auto`: its first call measures the kernel's
/// cost on every backend (once per machine, then cached), which is not
/// the computation `seconds` reports.
static CALIBRATE_FIRST: AtomicBool = AtomicBool::new(false);

/// Runs `f` `repeat` times; returns the last result and the median seconds.
/// With `--backend auto` one untimed call comes first (it calibrates).
pub fn timed<T>(
    repeat: u32,
    mut f: impl FnMut() -> Result<T, Failure>,
) -> Result<(T, f64), Failure> {
    if CALIBRATE_FIRST.load(Ordering::Relaxed) {
        f()?;
    }
    let mut times = Vec::with_capacity(repeat as usize);
    let mut last = None;
    for _ in 0..repeat {
        let started = Instant::now();
        last = Some(f()?);
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    match (last, times.get(times.len() / 2)) {
        (Some(v), Some(&median)) => Ok((v, median)),
        _ => Err(Failure::usage("--repeat must be at least 1")),
    }
}

/// Writes the output files the flags asked for, together: regular files
/// whole or not at all, devices, FIFOs and symlinks' targets written
/// through (see [`hetero::output`]). Each entry is (path, bytes, flag); the
/// flag names the option in the error.
pub fn write_outputs(files: &[(&Path, &[u8], &str)]) -> Result<(), Failure> {
    let plain: Vec<(&Path, &[u8])> = files.iter().map(|&(p, b, _)| (p, b)).collect();
    hetero::output::write_files(&plain).map_err(|e| {
        let flag = files
            .iter()
            .find(|(p, _, _)| *p == e.path)
            .map_or("output", |(_, _, f)| *f);
        Failure::runtime(format!("{flag} {e}"))
    })
}

/// Parses "A,B" into two numbers (for `--c` and `--center`).
pub fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("expected two numbers as RE,IM (e.g. -0.835,-0.2321), got '{s}'"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("'{t}' is not a finite number"))
    };
    Ok((num(a)?, num(b)?))
}

/// Parses a whole count written as `1000000` or `1e6`, from `min` to 1e18.
pub fn parse_count(s: &str, min: u64) -> Result<u64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number like 1000000 or 1e6, got '{s}'"))?;
    if v.fract() != 0.0 || !(min as f64..=1e18).contains(&v) {
        return Err(format!(
            "expected a whole number from {min} to 1e18, got '{s}'"
        ));
    }
    Ok(v as u64)
}

/// `parse_count` for counts of at least 1.
pub fn parse_positive(s: &str) -> Result<u64, String> {
    parse_count(s, 1)
}

/// Prints `value` as one JSON object on stdout.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

/// Prints the `--json` report of one run: the keys every example promises
/// (`backend`, `threads`, `seconds`, `setup_seconds`) plus the example's own
/// `fields` (a JSON object).
pub fn print_report(
    engine: &Engine,
    backend: Backend,
    seconds: f64,
    setup_seconds: f64,
    fields: serde_json::Value,
) {
    let auto = (backend == Backend::Auto)
        .then(|| engine.calibration().last_choice())
        .flatten();
    let ran_on = auto.as_ref().map_or(backend, |a| a.chosen);
    let mut report = serde_json::json!({
        "backend": backend.name(),
        "threads": Common::threads_used(engine, ran_on),
        "isa": engine.isa().name(),
        "schedule": engine.schedule().to_string(),
        "seconds": seconds,
        "setup_seconds": setup_seconds,
    });
    if let (Some(all), serde_json::Value::Object(own)) = (report.as_object_mut(), fields) {
        all.extend(own);
        if let Some(choice) = &auto {
            let predicted: serde_json::Map<String, serde_json::Value> = choice
                .predictions
                .iter()
                .map(|p| (p.backend.name().to_owned(), p.seconds.into()))
                .collect();
            all.insert(
                "auto".into(),
                serde_json::json!({
                    "chosen": choice.chosen.name(),
                    "predicted_seconds": predicted,
                    "measured_now": choice.predictions.iter().any(|p| p.measured_now),
                    "cache_file": choice.cache_file,
                }),
            );
        }
        if let Some(share) = hybrid_share(engine, backend) {
            all.insert(
                "hybrid".into(),
                serde_json::json!({
                    "gpu_items": share.gpu_items,
                    "cpu_items": share.cpu_items,
                    "gpu_fraction": share.gpu_fraction(),
                    "gpu_batches": share.gpu_batches,
                    "cpu_only": share.cpu_only,
                }),
            );
        }
    }
    print_json(&report);
}

/// What the last hybrid call did, when `backend` is hybrid.
fn hybrid_share(engine: &Engine, backend: Backend) -> Option<hetero::hybrid::HybridShare> {
    (backend == Backend::Hybrid)
        .then(|| engine.hybrid().last_share())
        .flatten()
}

/// The text line naming the backend, why it was chosen and — for hybrid —
/// the share each device took in the last run, or — for auto — what it
/// chose and the predicted times.
pub fn backend_line(engine: &Engine, backend: Backend, why: &str) -> String {
    let auto = (backend == Backend::Auto)
        .then(|| engine.calibration().last_choice())
        .flatten();
    // The schedule is named when it is not the default.
    let why = match engine.schedule() {
        hetero::Schedule::Auto => why.to_owned(),
        schedule => format!("{why}; schedule {schedule}"),
    };
    match (hybrid_share(engine, backend), auto) {
        (Some(share), _) => format!("backend: {backend} ({why}; {share})"),
        (None, Some(choice)) => format!("backend: {backend} ({why}; {choice})"),
        (None, None) => format!("backend: {backend} ({why})"),
    }
}
