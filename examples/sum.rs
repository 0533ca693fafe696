//! The shared-memory map-reduce of the multiprocessing notebook: the sum
//! of `np.arange(n)` in f64, cut in chunks of 2^20, on any backend — every
//! backend exact here (9007199187632128 for the notebook's n = 2^27).
//!
//! ```sh
//! cargo run --release --example sum                       # n = 2^27: 1 GiB of f64
//! cargo run --release --example sum -- --n 1e6 --backend gpu --json
//! ```

use std::process::ExitCode;

use clap::Parser;
use hetero::problems::sum::{NOTEBOOK_LEN, SumKernel, arange, arange_sum};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure, timed};

/// Σ of 0, 1, …, n − 1 in f64.
#[derive(Debug, Parser)]
#[command(name = "sum", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Elements (accepts 1e6 style; default 2^27, the notebook's)
    #[arg(long, default_value_t = NOTEBOOK_LEN as u64, allow_hyphen_values = true, value_parser = parse_elements)]
    n: u64,
}

fn parse_elements(s: &str) -> Result<u64, String> {
    // 8 bytes an element, all in memory.
    let n = cli::parse_positive(s)?;
    if n > 1 << 31 {
        return Err(format!("at most 2^31 elements (16 GiB of f64), got '{s}'"));
    }
    Ok(n)
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = args.common.engine()?;
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let data = arange(args.n as usize).map_err(hetero::Error::from)?;
    let kernel = SumKernel::new(&data);
    let (sum, seconds) = timed(args.common.repeat, || Ok(engine.reduce(&kernel, backend)?))?;
    let exact = arange_sum(args.n);
    if args.common.json {
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            json!({ "n": args.n, "sum": sum, "exact": exact, "error": sum - exact }),
        );
        return Ok(());
    }
    println!("{}", cli::backend_line(&engine, backend, &why));
    println!(
        "Σ arange({}) = {sum:.0} in {:.3} ms ({:.2} GB/s); exact {exact:.0}, error {:+e}",
        args.n,
        seconds * 1e3,
        args.n as f64 * 8.0 / seconds / 1e9,
        sum - exact
    );
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("sum", run)
}
