//! The Monte Carlo estimate of π on any backend: the same hit count on all.
//!
//! ```sh
//! cargo run --release --example pi                          # n = 10⁷
//! cargo run --release --example pi -- --n 1e10 --seed 7     # constant memory
//! cargo run --release --example pi -- --backend gpu --json
//! ```

use std::process::ExitCode;

use clap::Parser;
use hetero::Pi;
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure, timed};

/// 4 × the fraction of random points of the unit square inside the quarter circle.
#[derive(Debug, Parser)]
#[command(name = "pi", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Samples (accepts 1e7 style)
    #[arg(long, default_value = "1e7", allow_hyphen_values = true, value_parser = cli::parse_positive)]
    n: u64,

    /// Seed of the counter-based generator
    #[arg(long, default_value_t = hetero_core::pi::DEFAULT_SEED, allow_hyphen_values = true)]
    seed: u64,
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = args.common.engine()?;
    let spec = Pi::new(args.n, args.seed)?;
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let (est, seconds) = timed(args.common.repeat, || Ok(engine.pi(&spec, backend)?))?;
    if args.common.json {
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            json!({
                "n": args.n,
            "seed": args.seed,
            "hits": est.hits,
            "estimate": est.estimate(),
            "error": est.error(),
            "sigma": est.sigma(),
            }),
        );
        return Ok(());
    }
    println!("{}", cli::backend_line(&engine, backend, &why));
    println!(
        "n = {}, seed = {}: {} hits, π ≈ {:.9} (error {:+.3e}, σ = {:.3e}, {:.1}σ) in {:.3} ms",
        args.n,
        args.seed,
        est.hits,
        est.estimate(),
        est.error(),
        est.sigma(),
        est.error() / est.sigma(),
        seconds * 1e3
    );
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("pi", run)
}
