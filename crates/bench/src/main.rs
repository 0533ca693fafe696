//! `hetero-bench`: cross-validate and time every backend, write a report.
//!
//! ```sh
//! hetero-bench info                       # machine, SIMD build, GPU adapters
//! hetero-bench run --quick --out bench    # < 2 minutes on 2 cores
//! hetero-bench run --problems julia,pi --backends simd,simd-threads,gpu --repeats 9
//! hetero-bench gpu-check --out gpu-check  # everything a real GPU should be asked
//! ```
//! Exit codes: 0 all valid; 1 a measurement failed validation or did not
//! run (the report is written first); 2 a usage error (nothing written).

// Unsafe code only where a module allows it (each block with its SAFETY
// comment): a new `unsafe` elsewhere is a visible decision.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hetero::{Backend, Engine};
use hetero_bench::experiments::{self, Context, Experiment, Plan};
use hetero_bench::workloads::{self, Kind};
use hetero_bench::{Environment, Results, ceilings, machine, plots, report};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Parser)]
#[command(
    name = "hetero-bench",
    version,
    about = "Cross-validate and time every hetero backend"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The CPU, the SIMD features this build uses, the threads, every GPU adapter
    Info {
        /// Exit non-zero when no GPU adapter opens
        #[arg(long)]
        require_gpu: bool,
    },
    /// Validate and time (the default)
    Run(RunArgs),
    /// Measure `auto`'s cost models for every problem and store them in the
    /// cache directory, so no later process measures
    Calibrate(CalibrateArgs),
    /// Every problem and a user kernel validated on the GPU at notebook and
    /// large sizes, the GPU's time split, hybrid, a CPU job beside a GPU
    /// job, set-up cold and warm (about 8 minutes on a data-center GPU)
    GpuCheck(GpuCheckArgs),
}

#[derive(Debug, Clone, Args)]
struct GpuCheckArgs {
    /// Sizes 10–100× smaller: about a minute on a software GPU
    #[arg(long)]
    quick: bool,

    /// Where results.json, report.md and trace.json (a timeline of every
    /// call: ui.perfetto.dev) go
    #[arg(long, default_value = "gpu-check")]
    out: PathBuf,
}

#[derive(Debug, Clone, Args)]
struct CalibrateArgs {
    /// Problems to calibrate, comma-separated (default: every problem)
    #[arg(long, value_delimiter = ',', value_parser = parse_problem)]
    problems: Vec<&'static dyn Kind>,

    /// Threads for the threaded backends (default: every core; models are
    /// kept per thread count)
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// Forget the stored models first and measure everything again
    #[arg(long)]
    fresh: bool,
}

#[derive(Debug, Clone, Args)]
struct RunArgs {
    /// Problems to run, comma-separated (default: every problem)
    #[arg(long, value_delimiter = ',', value_parser = parse_problem)]
    problems: Vec<&'static dyn Kind>,

    /// Backends to run, comma-separated (scalar is always the reference)
    #[arg(long, value_delimiter = ',', value_parser = parse_backend, default_value = "scalar,simd,threads,simd-threads,gpu")]
    backends: Vec<Backend>,

    /// Sizes for the matrix, comma-separated (default: each problem's notebook size)
    #[arg(long, value_delimiter = ',', value_parser = parse_size)]
    sizes: Option<Vec<u64>>,

    /// Threads for the threaded backends (default: every core); the thread
    /// scaling experiment runs 1..this
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// Timed repeats per measurement
    #[arg(long, default_value_t = 7, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,

    /// Experiments, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        value_enum,
        default_value = "matrix,threads,sizes,granularity,gpu-split"
    )]
    experiments: Vec<Experiment>,

    /// Small sizes and few repeats: under 2 minutes on 2 cores
    #[arg(long)]
    quick: bool,

    /// Where results.json, report.md and the SVG plots go
    #[arg(long, default_value = "bench-results")]
    out: PathBuf,

    /// Also write a timeline of every call on the bench's engine to FILE
    /// (Chrome Trace Event JSON: ui.perfetto.dev, chrome://tracing)
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

fn parse_problem(s: &str) -> Result<&'static dyn Kind, String> {
    workloads::find(s)
        .ok_or_else(|| format!("unknown problem '{s}'; choose from {}", workloads::names()))
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse::<Backend>().map_err(|e| e.to_string())
}

fn parse_size(s: &str) -> Result<u64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number like 1000000 or 1e6, got '{s}'"))?;
    if v.fract() != 0.0 || !(1.0..=1e12).contains(&v) {
        return Err(format!("expected a size from 1 to 1e12, got '{s}'"));
    }
    Ok(v as u64)
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("hetero-bench: error: {message}");
    ExitCode::from(2)
}

fn info(require_gpu: bool) -> ExitCode {
    println!(
        "cpu: {} ({} logical cores)",
        machine::cpu_model(),
        machine::cores()
    );
    println!(
        "build's target features: {}",
        machine::compiled_simd().join(", ")
    );
    let levels: Vec<&str> = hetero::Isa::ALL
        .iter()
        .filter(|l| l.is_supported())
        .map(|l| l.name())
        .collect();
    println!("isa levels this cpu has: {}", levels.join(", "));
    match hetero::Isa::from_env() {
        Ok(isa) => {
            let lanes = Engine::with_threads(1)
                .map(|e| e.simd_lanes())
                .unwrap_or("?");
            println!("isa: {isa} ({lanes})");
        }
        Err(e) => {
            eprintln!("hetero-bench: error: {e}");
            return ExitCode::from(2);
        }
    }
    println!("threads (rayon default): {}", rayon::current_num_threads());
    let adapters = machine::adapters();
    if adapters.is_empty() {
        println!("gpu adapters: none");
    }
    for a in &adapters {
        println!("gpu adapter: {a}");
    }
    match hetero::GpuContext::from_env() {
        Ok(ctx) => {
            println!("gpu in use: {}", ctx.describe());
            ExitCode::SUCCESS
        }
        Err(e) if require_gpu => {
            eprintln!("hetero-bench: error: a GPU was required and none opened: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            println!("gpu in use: none ({e})");
            ExitCode::SUCCESS
        }
    }
}

/// Tries of a calibration that finds the machine busy, and the wait
/// between them.
const BUSY_TRIES: usize = 3;
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs each problem's largest sweep size once on `auto`: that measures
/// (and stores) the models of the kernels the problem uses.
fn calibrate(args: &CalibrateArgs) -> ExitCode {
    let threads = args.threads.map_or(machine::cores(), |t| t as usize);
    let engine = match Engine::with_threads(threads) {
        Ok(e) => e,
        Err(e) => return usage(e),
    };
    println!("machine: {}", engine.calibration().machine_key());
    if args.fresh {
        engine.calibration().forget();
    }
    let problems = if args.problems.is_empty() {
        workloads::ALL.to_vec()
    } else {
        args.problems.clone()
    };
    let mut failed = false;
    for problem in problems {
        let size = problem
            .scaling_sizes()
            .last()
            .copied()
            .unwrap_or(problem.seed_size());
        let run = || {
            problem
                .build(size)
                .map_err(|e| e.to_string())
                .and_then(|work| work.run(&engine, Backend::Auto).map_err(|e| e.to_string()))
        };
        let mut outcome = run();
        // Models measured on a busy machine are not stored: wait for the
        // other processes to finish, a few times, before giving up.
        for _ in 1..BUSY_TRIES {
            let busy = engine.calibration().last_choice().and_then(|c| c.busy);
            if outcome.is_err() || busy.is_none() {
                break;
            }
            eprintln!(
                "hetero-bench: {}: other processes held {:.1} of {} cores while measuring; trying again in {} s",
                problem.name(),
                busy.unwrap_or_default(),
                machine::cores(),
                BUSY_WAIT.as_secs()
            );
            std::thread::sleep(BUSY_WAIT);
            engine.calibration().forget_busy();
            outcome = run();
        }
        match (outcome, engine.calibration().last_choice()) {
            (Ok(_), Some(choice)) => {
                println!("{}: {choice}", problem.name());
                if let Some(e) = &choice.cache_error {
                    eprintln!("hetero-bench: warning: models not stored: {e}");
                    failed = true;
                }
                if choice.busy.is_some() {
                    eprintln!(
                        "hetero-bench: warning: {}: models not stored: the machine stayed busy (stop the other work and run calibrate again, or set HETERO_LOAD_CHECK=off to store them anyway)",
                        problem.name()
                    );
                    failed = true;
                }
            }
            (Ok(_), None) => println!("{}: no auto choice was made", problem.name()),
            (Err(e), _) => {
                eprintln!("hetero-bench: error: {}: {e}", problem.name());
                failed = true;
            }
        }
    }
    if let Some(file) = engine
        .calibration()
        .last_choice()
        .and_then(|c| c.cache_file)
        .filter(|_| !failed)
    {
        println!("stored in {}", file.display());
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn gpu_check(args: &GpuCheckArgs) -> ExitCode {
    use hetero_bench::gpu_check::{self, GpuCheckResults};
    if let Err(e) = prepare_out(&args.out) {
        return usage(e);
    }
    let timeline = std::sync::Arc::new(hetero::timeline::Timeline::new());
    let engine = match Engine::new() {
        Ok(e) => std::sync::Arc::new(e.with_timeline(std::sync::Arc::clone(&timeline))),
        Err(e) => return usage(e),
    };
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let progress = |m: String| bar.set_message(m);
    let records = gpu_check::gpu_check(&engine, args.quick, &progress);
    bar.finish_and_clear();
    let results = GpuCheckResults {
        hetero_version: env!("CARGO_PKG_VERSION"),
        cpu: machine::cpu_model(),
        cores: machine::cores(),
        isa: engine.isa().name(),
        adapters: machine::adapters(),
        quick: args.quick,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        records,
    };
    let json = match results_json(&results) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let report = gpu_check::markdown(&results);
    let (json_path, report_path) = (args.out.join("results.json"), args.out.join("report.md"));
    let (trace_path, trace) = (args.out.join("trace.json"), timeline.to_chrome_json());
    let writes: [(&Path, &[u8]); 3] = [
        (json_path.as_path(), json.as_bytes()),
        (report_path.as_path(), report.as_bytes()),
        (trace_path.as_path(), trace.as_bytes()),
    ];
    if let Err(e) = hetero::output::write_files(&writes) {
        eprintln!("hetero-bench: error: --out: {e}");
        return ExitCode::from(1);
    }
    println!("{report}");
    println!("wrote {}", args.out.display());
    if results.all_valid() {
        ExitCode::SUCCESS
    } else {
        eprintln!("hetero-bench: gpu-check: a stage failed or did not validate; see report.md");
        ExitCode::from(1)
    }
}

/// `results` as pretty JSON, or the exit code after saying why not.
fn results_json(results: &impl serde::Serialize) -> Result<String, ExitCode> {
    serde_json::to_string_pretty(results).map_err(|e| {
        eprintln!("hetero-bench: error: cannot serialise the results: {e}");
        ExitCode::from(1)
    })
}

/// Checks that `dir` can take the report before any work starts.
fn prepare_out(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("--out {}: cannot create the folder: {e}", dir.display()))?;
    let probe = dir.join(format!(".hetero-bench-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| format!("--out {}: cannot write there: {e}", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

fn run(args: RunArgs) -> ExitCode {
    if args.backends.is_empty() || args.experiments.is_empty() {
        return usage("--backends and --experiments each need at least one name");
    }
    if args.sizes.as_ref().is_some_and(Vec::is_empty) {
        return usage("--sizes needs at least one size");
    }
    if let Err(e) = prepare_out(&args.out) {
        return usage(e);
    }
    let threads = args.threads.map_or(machine::cores(), |t| t as usize);
    let engine = match Engine::with_threads(threads) {
        Ok(e) => e,
        Err(e) => return usage(e),
    };
    let timeline = args
        .trace
        .as_ref()
        .map(|_| std::sync::Arc::new(hetero::timeline::Timeline::new()));
    let engine = match &timeline {
        Some(t) => engine.with_timeline(std::sync::Arc::clone(t)),
        None => engine,
    };
    let mut backends = args.backends.clone();
    if !backends.contains(&Backend::Scalar) {
        backends.insert(0, Backend::Scalar); // the reference every speed-up is against
    }
    backends.sort();
    backends.dedup();
    let plan = Plan {
        problems: if args.problems.is_empty() {
            workloads::ALL.to_vec()
        } else {
            args.problems.clone()
        },
        backends,
        sizes: args.sizes.clone(),
        threads: (1..=threads).collect(),
        repeats: if args.quick {
            args.repeats.min(3)
        } else {
            args.repeats
        },
        warmup: 1,
        quick: args.quick,
        experiments: args.experiments.clone(),
    };

    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message("measuring the machine's ceilings");
    let ceilings = match ceilings::measure(machine::cores(), args.quick) {
        Ok(c) => c,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("hetero-bench: error: cannot measure the machine's ceilings: {e}");
            return ExitCode::from(1);
        }
    };
    let (gpu, gpu_unavailable, gpu_is_software) = if plan.backends.contains(&Backend::Gpu) {
        match engine.gpu() {
            Ok(g) => (
                Some(g.describe().to_string()),
                None,
                g.describe().is_software,
            ),
            Err(e) => (None, Some(e.to_string()), false),
        }
    } else {
        (None, Some("not asked for (--backends)".into()), false)
    };
    let progress = |m: String| bar.set_message(m);
    let ctx = Context {
        plan: &plan,
        engine: &engine,
        ceilings,
        progress: &progress,
    };
    let records = experiments::run_all(&ctx);
    bar.finish_and_clear();

    let results = Results {
        environment: Environment {
            hetero_version: env!("CARGO_PKG_VERSION"),
            cpu: machine::cpu_model(),
            cores: machine::cores(),
            simd_compiled: machine::compiled_simd(),
            isa: engine.isa().name(),
            simd_lanes: engine.simd_lanes(),
            threads,
            gpu,
            gpu_unavailable,
            gpu_is_software,
            adapters: machine::adapters(),
            ceilings: ctx.ceilings.clone(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            quick: args.quick,
        },
        records,
    };
    let json = match results_json(&results) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let mut files = vec![
        ("results.json", json),
        ("report.md", report::markdown(&results)),
    ];
    let drawn = [
        ("speedup.svg", plots::speedup(&results)),
        ("threads.svg", plots::threads(&results)),
        ("sizes.svg", plots::sizes(&results)),
        ("granularity.svg", plots::granularity(&results)),
        ("gpu_split.svg", plots::gpu_split(&results)),
        ("latency.svg", plots::latency(&results)),
    ];
    for (name, plot) in drawn {
        match plot {
            Ok(svg) => files.push((name, svg)),
            Err(e) => eprintln!("hetero-bench: warning: {name} not drawn: {e}"),
        }
    }
    // Regular files change together (a reader never sees a report whose
    // files disagree); a symlink's target is written, the link kept.
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| args.out.join(name)).collect();
    let writes: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(&files)
        .map(|(path, (_, contents))| (path.as_path(), contents.as_bytes()))
        .collect();
    if let Err(e) = hetero::output::write_files(&writes) {
        eprintln!("hetero-bench: error: --out: {e}");
        return ExitCode::from(1);
    }
    if let (Some(path), Some(timeline)) = (&args.trace, &timeline)
        && let Err(e) = timeline.write(path)
    {
        eprintln!("hetero-bench: error: --trace {e}");
        return ExitCode::from(1);
    }
    println!("{}", report::summary(&results));
    println!(
        "wrote {} ({} measurements)",
        args.out.display(),
        results.records.len()
    );
    if let Some(why) = &results.environment.gpu_unavailable {
        println!("gpu: not measured: {why}");
    }
    if results.all_valid() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "hetero-bench: some measurements failed validation or did not run; see report.md"
        );
        ExitCode::from(1)
    }
}

#[allow(unsafe_code)]
fn main() -> ExitCode {
    // SAFETY: first thing in main; no other thread exists yet.
    unsafe { hetero::quiet_gpu_probe() };
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Info { require_gpu }) => info(require_gpu),
        Some(Command::Run(args)) => run(args),
        Some(Command::Calibrate(args)) => calibrate(&args),
        Some(Command::GpuCheck(args)) => gpu_check(&args),
        None => run(cli.run),
    }
}
