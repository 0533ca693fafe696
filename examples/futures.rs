//! Several problems submitted at once and printed as they finish — the
//! notebooks' `Pool.apply_async` / `concurrent.futures.as_completed` /
//! joblib `timeout`, with hetero's jobs: `Engine::submit` returns at once,
//! `as_completed` yields jobs in the order they end, and jobs still
//! running at `--timeout` are cancelled (they stop at their next chunk or
//! GPU tile and hold no value).
//!
//! ```sh
//! cargo run --release --example futures
//! cargo run --release --example futures -- --backend gpu --timeout 1
//! ```

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hetero::jobs::{Pending, as_completed};
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::{Backend, Engine, Job, JuliaParams, Midpoint, Pi};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::Failure;

/// Submit π, the midpoint integral, a Julia image, Σ arange and one huge π
/// at once; print each as it finishes; cancel what runs past --timeout.
#[derive(Debug, Parser)]
#[command(name = "futures", version, about)]
struct Args {
    /// The backend every job runs on (default: auto, chosen per job)
    #[arg(long, value_parser = cli::parse_backend, default_value = "auto")]
    backend: Backend,

    /// Threads for the threaded backends (default: every core)
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,

    /// Seconds to wait before cancelling the jobs still running
    #[arg(long, default_value_t = 3.0, allow_hyphen_values = true, value_parser = parse_timeout)]
    timeout: f64,

    /// Print one JSON object per job on stdout instead of text
    #[arg(long)]
    json: bool,

    /// Write a timeline of the run to FILE (Chrome Trace Event JSON)
    #[arg(long, value_name = "FILE")]
    trace: Option<std::path::PathBuf>,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 86_400.0 => Ok(t),
        _ => Err(format!("expected seconds in (0, 86400], got '{s}'")),
    }
}

/// The jobs, each with its own result type.
struct Jobs {
    pi: Job<hetero::PiEstimate>,
    midpoint: Job<f64>,
    julia: Job<Vec<u32>>,
    sum: Job<f64>,
    huge: Job<hetero::PiEstimate>,
}

impl Jobs {
    const NAMES: [&'static str; 5] = ["pi 1e8", "midpoint 1e8", "julia 1000", "sum 1e7", "pi 1e11"];

    fn submit(engine: &Arc<Engine>, backend: Backend) -> Result<Self, Failure> {
        let pi = Pi::new(100_000_000, 1)?;
        let midpoint = Midpoint::new(0.0, 1.0, 100_000_000)?;
        let julia = JuliaParams::notebook(1000).validate()?;
        let huge = Pi::new(100_000_000_000, 2)?;
        Ok(Self {
            pi: engine.jobs().submit(PiKernel::new(&pi), backend),
            midpoint: engine
                .jobs()
                .submit(MidpointKernel::new(&midpoint, &ExpNegSquare), backend),
            julia: engine.jobs().submit_map(JuliaKernel::new(&julia), backend),
            // The data is made and owned by the job itself.
            sum: engine.jobs().submit_with(move |scope| {
                let data = arange(10_000_000)?;
                scope.reduce(&SumKernel::new(&data), backend)
            }),
            huge: engine.jobs().submit(PiKernel::new(&huge), backend),
        })
    }

    fn pending(&self) -> [&dyn Pending; 5] {
        [&self.pi, &self.midpoint, &self.julia, &self.sum, &self.huge]
    }

    fn progress(&self) -> [f64; 5] {
        [
            self.pi.progress(),
            self.midpoint.progress(),
            self.julia.progress(),
            self.sum.progress(),
            self.huge.progress(),
        ]
    }

    fn cancel_all(&self) {
        self.pi.cancel();
        self.midpoint.cancel();
        self.julia.cancel();
        self.sum.cancel();
        self.huge.cancel();
    }

    /// Job `index`'s result as text (it has finished).
    fn take(&mut self, index: usize) -> Result<String, hetero::Error> {
        let wait = Duration::from_secs(60);
        let taken = |r: Option<hetero::Result<String>>| r.unwrap_or(Err(hetero::Error::JobTaken));
        match index {
            0 => taken(
                self.pi
                    .wait_timeout(wait)
                    .map(|r| r.map(|e| format!("π ≈ {:.6}", e.estimate()))),
            ),
            1 => taken(
                self.midpoint
                    .wait_timeout(wait)
                    .map(|r| r.map(|v| format!("∫ = {v:.12}"))),
            ),
            2 => taken(self.julia.wait_timeout(wait).map(|r| {
                r.map(|c| {
                    format!(
                        "Σ counts = {}",
                        c.iter().map(|&v| u64::from(v)).sum::<u64>()
                    )
                })
            })),
            3 => taken(
                self.sum
                    .wait_timeout(wait)
                    .map(|r| r.map(|v| format!("Σ = {v}"))),
            ),
            _ => taken(
                self.huge
                    .wait_timeout(wait)
                    .map(|r| r.map(|e| format!("π ≈ {:.9}", e.estimate()))),
            ),
        }
    }
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = match args.threads {
        Some(t) => Engine::with_threads(t as usize)
            .map_err(|e| Failure::usage(format!("--threads {t}: {e}")))?,
        None => Engine::new()?,
    };
    let engine = Arc::new(cli::traced(engine, args.trace.as_deref()));
    let started = Instant::now();
    let mut jobs = Jobs::submit(&engine, args.backend)?;
    let submitted = started.elapsed().as_secs_f64();
    if !args.json {
        println!(
            "submitted {} jobs on {} in {:.3} ms",
            Jobs::NAMES.len(),
            args.backend,
            submitted * 1e3
        );
    }
    let deadline = started + Duration::from_secs_f64(args.timeout);
    let mut finished = as_completed(jobs.pending());
    let mut cancelled = false;
    while finished.remaining() > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        let next = if cancelled {
            finished.next()
        } else {
            finished.next_timeout(left)
        };
        let Some(index) = next else {
            if !args.json {
                let progress = jobs.progress();
                println!(
                    "{:7.3} s  timeout: cancelling what is still running ({})",
                    started.elapsed().as_secs_f64(),
                    Jobs::NAMES
                        .iter()
                        .zip(progress)
                        .filter(|(_, p)| *p < 1.0)
                        .map(|(n, p)| format!("{n} at {:.0} %", p * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            jobs.cancel_all();
            cancelled = true;
            continue;
        };
        let at = started.elapsed().as_secs_f64();
        let outcome = jobs.take(index);
        if args.json {
            let (ok, text) = match &outcome {
                Ok(t) => (true, t.clone()),
                Err(e) => (false, e.to_string()),
            };
            cli::print_json(&json!({
                "job": Jobs::NAMES[index], "seconds": at, "ok": ok, "result": text,
                "backend": args.backend.name(),
            }));
        } else {
            match outcome {
                Ok(text) => println!("{at:7.3} s  {:<13} {text}", Jobs::NAMES[index]),
                Err(e) => println!("{at:7.3} s  {:<13} {e}", Jobs::NAMES[index]),
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("futures", run)
}
