//! Every problem — and a user kernel — across the ranks of an MPI job, each
//! rank on its own backend, with the same bits as one process. Rank 0
//! prints and writes files; the others stay quiet.
//!
//! ```sh
//! cargo build --release --features mpi --example mpi
//! mpirun -n 4 target/release/examples/mpi julia --size 4000 --output julia.png
//! mpirun -n 2 target/release/examples/mpi pi --n 1e10 --json
//! mpirun -n 3 target/release/examples/mpi gaussian --n 1e7 --output z.npy
//! # per-rank backends (MPMD): rank 0 on the GPU, ranks 1-2 on the CPU
//! mpirun -n 1 target/release/examples/mpi midpoint --backend gpu : \
//!        -n 2 target/release/examples/mpi midpoint --backend simd-threads
//! ```
//! (As root, Open MPI needs `--allow-run-as-root`; more ranks than cores
//! need `--oversubscribe`.)

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hetero::mpi::{Cluster, Distribution, MpiError, RankFailure, RankReport, Timing};
use hetero::problems::gaussian::GaussianKernel;
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::timeline::Timeline;
use hetero::{
    Backend, Engine, Gaussian, Julia, JuliaParams, Midpoint, Pi, Reduction, Viewport,
    standard_normal_inputs,
};
use serde_json::{Value, json};

#[path = "cli/mod.rs"]
mod cli;
// The user kernel of `mpi custom`: a reduction written once, shared among
// the ranks like the built-in problems (its test builds the same file).
#[path = "user_kernels/basel.rs"]
mod basel;

use basel::basel;

/// One problem across the ranks of an MPI job.
#[derive(Debug, Parser)]
#[command(name = "mpi", version, about)]
struct Args {
    #[command(subcommand)]
    problem: Problem,

    /// This rank's backend: scalar, simd, threads, simd-threads or gpu
    /// (default: a hardware GPU, else simd-threads). May differ per rank.
    #[arg(long, global = true, value_parser = parse_backend)]
    backend: Option<Backend>,

    /// Threads for this rank (default: this machine's cores shared among
    /// the ranks on it). May differ per rank.
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// Seconds a rank waits for the others at one step before it ends the
    /// job (default 300, or HETERO_MPI_TIMEOUT_SECONDS)
    #[arg(long, global = true, value_parser = parse_seconds)]
    timeout: Option<f64>,

    /// Print one JSON object on stdout (from rank 0)
    #[arg(long, global = true)]
    json: bool,

    /// Rank 0 writes a timeline of every rank to FILE (Chrome Trace Event
    /// JSON, one process per rank: ui.perfetto.dev)
    #[arg(long, global = true, value_name = "FILE")]
    trace: Option<PathBuf>,
}

/// The problems, with the single-process examples' parameters.
#[derive(Debug, Subcommand)]
enum Problem {
    /// Julia set counts (height × 2·height), rows dealt to the ranks
    Julia {
        /// Image height; the width is twice it
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=32768))]
        size: u32,
        #[arg(long, default_value_t = 50)]
        maxiters: u32,
        /// cyclic: rows round-robin (balanced: middle rows cost most); block: contiguous
        #[arg(long, value_enum, default_value_t = Deal::Cyclic)]
        distribution: Deal,
        /// Write the image here (PNG)
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// ∫ₐᵇ exp(−x²) dx by the midpoint rule
    Midpoint {
        #[arg(long, default_value = "1e6", value_parser = cli::parse_positive)]
        n: u64,
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        a: f64,
        #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
        b: f64,
    },
    /// z = exp(−γ(x − y)²) on standard normal x, y made on rank 0 and scattered
    Gaussian {
        #[arg(long, default_value = "1e6", value_parser = parse_elements)]
        n: u64,
        #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
        gamma: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write z here (.npy)
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Monte Carlo π with the counter-based generator
    Pi {
        #[arg(long, default_value = "1e7", value_parser = cli::parse_positive)]
        n: u64,
        #[arg(long, default_value_t = hetero_core::pi::DEFAULT_SEED)]
        seed: u64,
    },
    /// Σ arange(n) in f64, the array made on rank 0 and scattered
    Sum {
        #[arg(long, default_value = "1e7", value_parser = parse_elements)]
        n: u64,
    },
    /// A user reduction: Σ 1/i² for i = 1..=n (→ π²/6)
    Custom {
        #[arg(long, default_value = "1e7", value_parser = cli::parse_positive)]
        n: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deal {
    Block,
    Cyclic,
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse::<Backend>().map_err(|e| e.to_string())
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v < 1e9)
        .ok_or_else(|| format!("expected a positive number of seconds, got '{s}'"))
}

/// Arrays made on rank 0: at most 2^28 elements (2 GiB of f64, within
/// one MPI message's 32-bit count).
fn parse_elements(s: &str) -> Result<u64, String> {
    let n = cli::parse_positive(s)?;
    if n > 1 << 28 {
        return Err(format!(
            "at most 2^28 elements (one MPI message), got '{s}'"
        ));
    }
    Ok(n)
}

/// A stable digest of an output array (FNV-1a over its bytes), so runs on
/// different rank counts can be compared exactly.
fn digest(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// What the ranks agree on before any work: each rank's parsed arguments
/// (or why they failed), its engine and its backend.
struct Setup {
    args: Args,
    engine: Engine,
    backend: Backend,
}

fn setup(cluster: &mut Cluster) -> Result<Setup, RankFailure> {
    let args = Args::try_parse().map_err(|e| {
        // Keep clap's first line: the one that says what is wrong.
        let text = e.to_string();
        RankFailure::usage(
            text.lines()
                .next()
                .unwrap_or("bad arguments")
                .trim_start_matches("error: ")
                .to_owned(),
        )
    })?;
    if let Some(seconds) = args.timeout {
        cluster.set_timeout(Duration::from_secs_f64(seconds));
    }
    let threads = args
        .threads
        .map_or(cluster.threads_per_rank(), |t| t as usize);
    let engine = Engine::with_threads(threads).map_err(RankFailure::usage)?;
    let engine = match &args.trace {
        Some(_) => {
            let rank = cluster.rank();
            let timeline = Timeline::for_process(rank as u32, format!("rank {rank}"));
            engine.with_timeline(Arc::new(timeline))
        }
        None => engine,
    };
    // Ranks sharing a machine spread over its GPUs (unless
    // HETERO_GPU_ADAPTER picks one).
    #[cfg(feature = "gpu")]
    let engine = engine.with_gpu_config(cluster.gpu_config().map_err(RankFailure::usage)?);
    let backend = match args.backend {
        Some(Backend::Gpu) => {
            engine
                .gpu_adapter()
                .map_err(|e| RankFailure::runtime(format!("--backend gpu: {e}")))?;
            Backend::Gpu
        }
        Some(b) => b,
        None => engine.fastest_backend().0,
    };
    Ok(Setup {
        args,
        engine,
        backend,
    })
}

fn run(cluster: &mut Cluster) -> Result<(), MpiError> {
    // --help and --version: printed once, by rank 0.
    if let Err(e) = Args::try_parse()
        && !e.use_stderr()
    {
        if cluster.is_root() {
            print!("{e}");
        }
        return Ok(());
    }
    let setup = setup(cluster);
    // The problem must be the same on every rank; backend and threads may differ.
    let problem = setup
        .as_ref()
        .map_or(String::new(), |s| format!("{:?}", s.args.problem));
    cluster.agree(&problem, setup.as_ref().map(|_| ()).map_err(Clone::clone))?;
    let Setup {
        args,
        engine,
        backend,
    } = match setup {
        Ok(setup) => setup,
        // (agree has already failed on every rank when any setup failed)
        Err(f) => {
            return Err(MpiError::RankFailed {
                rank: cluster.rank(),
                code: f.code,
                cause: f.cause,
            });
        }
    };
    let mut clock = Clock::start(cluster);
    let (fields, text) = solve(cluster, &engine, backend, &args.problem, &mut clock)?;
    let (seconds, timing) = clock.stop();
    let threads = cli::Common::threads_used(&engine, backend);
    let reports = cluster.reports(backend, threads, timing)?;
    if let Some(reports) = reports {
        print_result(cluster, &args, seconds, &reports, fields, &text);
    }
    if let (Some(path), Some(timeline)) = (&args.trace, engine.timeline()) {
        write_trace(cluster, timeline, path)?;
    }
    Ok(())
}

/// Every rank's timeline into one file, written by rank 0.
fn write_trace(cluster: &Cluster, timeline: &Timeline, path: &Path) -> Result<(), MpiError> {
    if let Some(json) = cluster.gather_timeline(timeline)? {
        hetero::output::write_file(path, json.as_bytes()).map_err(|e| MpiError::RankFailed {
            rank: 0,
            code: 1,
            cause: format!("--trace {e}"),
        })?;
    }
    Ok(())
}

/// The timed part of a run on this rank: from when every rank has its
/// input to when the distributed call returns — not rank 0 making input
/// data, nor digests and files after.
struct Clock<'c> {
    cluster: &'c Cluster,
    started: Instant,
    stopped: Option<(f64, Timing)>,
}

impl<'c> Clock<'c> {
    fn start(cluster: &'c Cluster) -> Self {
        cluster.reset_timing();
        Self {
            cluster,
            started: Instant::now(),
            stopped: None,
        }
    }

    fn restart(&mut self) {
        *self = Self::start(self.cluster);
    }

    /// Seconds since the start and where this rank's time went; the first
    /// call fixes them.
    fn stop(&mut self) -> (f64, Timing) {
        *self
            .stopped
            .get_or_insert_with(|| (self.started.elapsed().as_secs_f64(), self.cluster.timing()))
    }
}

/// One problem across the ranks: its JSON fields and its line of text
/// (meaningful on rank 0). Where rank 0 makes input data first, the clock
/// restarts once every rank has it.
fn solve(
    cluster: &Cluster,
    engine: &Engine,
    backend: Backend,
    problem: &Problem,
    clock: &mut Clock,
) -> Result<(Value, String), MpiError> {
    let usage = |e: hetero::ProblemError| RankFailure::usage(e);
    match problem {
        Problem::Julia {
            size,
            maxiters,
            distribution,
            output,
        } => {
            let height = *size as usize;
            let spec = JuliaParams {
                width: 2 * height,
                height,
                maxiters: *maxiters,
                c_re: -0.835,
                c_im: -0.2321,
                viewport: Viewport::centered(0.0, 0.0, 4.0, 2.0),
            }
            .validate();
            let spec: Julia = cluster.settle(spec.map_err(usage))?;
            let deal = match distribution {
                Deal::Block => Distribution::Blocks,
                Deal::Cyclic => Distribution::Cyclic { block: 1 },
            };
            let counts = cluster.map(engine, &JuliaKernel::new(&spec), deal, backend)?;
            clock.stop();
            let Some(counts) = counts else {
                return Ok((Value::Null, String::new()));
            };
            let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            if let Some(path) = output {
                write_png(path, &counts, &spec).map_err(|e| MpiError::RankFailed {
                    rank: 0,
                    code: 1,
                    cause: e,
                })?;
            }
            Ok((
                json!({"width": spec.width(), "height": spec.height(), "maxiters": spec.maxiters(),
                       "distribution": format!("{distribution:?}").to_lowercase(), "sum": sum,
                       "digest": digest(bytemuck::cast_slice(&counts)), "output": output}),
                format!(
                    "julia {}x{} ({distribution:?} rows): sum of counts {sum}",
                    spec.height(),
                    spec.width()
                ),
            ))
        }
        Problem::Midpoint { n, a, b } => {
            let spec = cluster.settle(Midpoint::new(*a, *b, *n).map_err(usage))?;
            let value =
                cluster.reduce(engine, &MidpointKernel::new(&spec, &ExpNegSquare), backend)?;
            Ok((
                json!({"a": a, "b": b, "n": n, "value": value, "value_bits": format!("{:016x}", value.to_bits())}),
                format!("∫ exp(−x²) dx over [{a}, {b}], n = {n}: {value:.17}"),
            ))
        }
        Problem::Pi { n, seed } => {
            let spec = cluster.settle(Pi::new(*n, *seed).map_err(usage))?;
            let est = cluster.reduce(engine, &PiKernel::new(&spec), backend)?;
            Ok((
                json!({"n": n, "seed": seed, "hits": est.hits, "estimate": est.estimate(), "sigma": est.sigma()}),
                format!("π ≈ {:.8} ({} hits of {n})", est.estimate(), est.hits),
            ))
        }
        Problem::Custom { n } => {
            let value = cluster.reduce(engine, &basel(*n), backend)?;
            Ok((
                json!({"n": n, "value": value, "value_bits": format!("{:016x}", value.to_bits()),
                       "error_vs_pi2_over_6": value - std::f64::consts::PI.powi(2) / 6.0}),
                format!("Σ 1/i², i = 1..={n}: {value:.17}"),
            ))
        }
        Problem::Sum { n } => {
            let len = *n as usize;
            let data = match cluster.is_root() {
                true => arange(len).map_err(|e| RankFailure::runtime(format!("--n: {e}"))),
                false => Ok(Vec::new()),
            };
            let data = cluster.settle(data)?; // every rank waits for rank 0's data here
            clock.restart();
            let chunk = SumKernel::new(&[]).chunk();
            let part = cluster.scatter_reduction(&data, *n, chunk)?;
            let sum =
                cluster.reduce_part(engine, &SumKernel::new(part.values()), &part, backend)?;
            Ok((
                json!({"n": n, "sum": sum, "sum_bits": format!("{:016x}", sum.to_bits())}),
                format!("Σ arange({n}) = {sum:.0}"),
            ))
        }
        Problem::Gaussian {
            n,
            gamma,
            seed,
            output,
        } => {
            let spec = cluster.settle(Gaussian::new(*gamma).map_err(usage))?;
            let len = *n as usize;
            // Rank 0 makes the inputs; every rank learns whether it could.
            let (x, y) = cluster.settle(match cluster.is_root() {
                true => standard_normal_inputs(len, *seed),
                false => Ok((Vec::new(), Vec::new())),
            })?;
            cluster.barrier();
            clock.restart();
            // Parts of whole chunks: each element computed as in one process.
            let grain = hetero_core::chunks::GAUSSIAN_CHUNK;
            let (x, y) = (
                cluster.scatter(&x, len, grain)?,
                cluster.scatter(&y, len, grain)?,
            );
            let local = GaussianKernel::new(&spec, &x, &y)
                .map_err(RankFailure::usage)
                .and_then(|k| engine.map_vec(&k, backend).map_err(RankFailure::from));
            let z = cluster.settle(local)?;
            let z = cluster.gather(&z, len, grain)?;
            clock.stop();
            let Some(z) = z else {
                return Ok((Value::Null, String::new()));
            };
            if let Some(path) = output {
                let bytes = hetero::npy::to_npy_bytes(&z, &[len])
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        cli::write_outputs(&[(path, &b, "--output")]).map_err(|f| f.message)
                    });
                bytes.map_err(|cause| MpiError::RankFailed {
                    rank: 0,
                    code: 1,
                    cause,
                })?;
            }
            Ok((
                json!({"n": n, "gamma": gamma, "seed": seed, "digest": digest(bytemuck::cast_slice(&z)), "output": output}),
                format!(
                    "gaussian over {n} elements: z[0] = {:.17}",
                    z.first().copied().unwrap_or(f64::NAN)
                ),
            ))
        }
    }
}

fn write_png(path: &std::path::Path, counts: &[u32], spec: &Julia) -> Result<(), String> {
    let viridis = cli::color::Colormap::Viridis;
    let png = cli::color::png(
        counts,
        spec.width(),
        spec.height(),
        spec.maxiters(),
        viridis,
    )
    .map_err(|f| f.message)?;
    cli::write_outputs(&[(path, &png, "--output")]).map_err(|f| f.message)
}

fn print_result(
    cluster: &Cluster,
    args: &Args,
    seconds: f64,
    reports: &[RankReport],
    fields: Value,
    text: &str,
) {
    if args.json {
        let per_rank: Vec<Value> = reports
            .iter()
            .map(|r| {
                json!({"rank": r.rank, "backend": r.backend.name(), "threads": r.threads,
                       "seconds": r.seconds, "comm_seconds": r.comm_seconds})
            })
            .collect();
        let mut report = json!({"ranks": cluster.size(), "seconds": seconds, "per_rank": per_rank});
        if let (Some(all), Value::Object(own)) = (report.as_object_mut(), fields) {
            all.extend(own);
        }
        cli::print_json(&report);
        return;
    }
    println!("{text}");
    println!("{} ranks, {:.3} ms in all:", cluster.size(), seconds * 1e3);
    for r in reports {
        println!(
            "  rank {}: {} ({} threads), {:.3} ms computing, {:.3} ms in MPI",
            r.rank,
            r.backend,
            r.threads,
            r.seconds * 1e3,
            r.comm_seconds * 1e3
        );
    }
}

fn main() -> ExitCode {
    // SAFETY: first thing in main, while the process has one thread.
    unsafe { hetero::quiet_gpu_probe() };
    let mut cluster = match Cluster::init() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mpi: error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    match run(&mut cluster) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every rank has the same error; one line, from rank 0.
            if cluster.is_root() {
                eprintln!("mpi: error: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
