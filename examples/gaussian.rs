//! The element-wise Gaussian kernel on any backend, against the scalar f64 path.
//!
//! ```sh
//! cargo run --release --example gaussian                      # N = 10⁶, f64
//! cargo run --release --example gaussian -- --backend gpu     # f32 on the GPU
//! cargo run --release --example gaussian -- --n 1e8 --precision f32 --json
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use hetero::alloc::{try_collect, try_zeroed};
use hetero::{Backend, Gaussian, standard_normal_inputs};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure, timed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Prec {
    F32,
    F64,
}

/// z[i] = exp(−γ(x[i] − y[i])²) with x, y ~ N(0, 1) from a seeded generator.
#[derive(Debug, Parser)]
#[command(name = "gaussian", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Elements (accepts 1e6 style)
    #[arg(long, default_value = "1e6", allow_hyphen_values = true, value_parser = parse_elements)]
    n: usize,

    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    gamma: f64,

    /// Seed of the inputs
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    seed: u64,

    /// f64 on the CPU backends; the GPU computes in f32 (the default there)
    #[arg(long, value_enum)]
    precision: Option<Prec>,
}

fn parse_elements(s: &str) -> Result<usize, String> {
    // x, y, the output and the f64 reference: 32 bytes an element, all in memory.
    const MAX: u64 = 1_000_000_000;
    let n = cli::parse_count(s, 0)?;
    if n > MAX {
        return Err(format!("at most 1e9 elements (32 GB of arrays), got '{s}'"));
    }
    usize::try_from(n).map_err(|_| format!("{s} elements do not fit this machine's address space"))
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = args.common.engine()?;
    let spec = Gaussian::new(args.gamma)?;
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let precision = args.precision.unwrap_or(if backend == Backend::Gpu {
        Prec::F32
    } else {
        Prec::F64
    });
    if backend == Backend::Gpu && precision == Prec::F64 {
        return Err(Failure::usage(
            "--precision f64 is not available on the gpu backend (it computes in f32)",
        ));
    }
    let (x, y) = standard_normal_inputs(args.n, args.seed)?;
    let reference = engine.gaussian_f64_vec(&spec, &x, &y, Backend::Scalar)?;
    let (max_abs_err, seconds) = match precision {
        Prec::F64 => {
            let mut z = try_zeroed(args.n as u64, "gaussian: the output z")?;
            let ((), s) = timed(args.common.repeat, || {
                Ok(engine.gaussian_f64(&spec, &x, &y, &mut z, backend)?)
            })?;
            (max_err(z.iter().copied(), &reference), s)
        }
        Prec::F32 => {
            let narrow = |v: &[f64], what: &'static str| {
                try_collect(args.n as u64, v.iter().map(|&v| v as f32), what)
            };
            let (x, y) = (
                narrow(&x, "gaussian: x in f32")?,
                narrow(&y, "gaussian: y in f32")?,
            );
            let mut z = try_zeroed(args.n as u64, "gaussian: the output z")?;
            let ((), s) = timed(args.common.repeat, || {
                Ok(engine.gaussian_f32(&spec, &x, &y, &mut z, backend)?)
            })?;
            (max_err(z.iter().map(|&v| f64::from(v)), &reference), s)
        }
    };
    let precision = if precision == Prec::F32 { "f32" } else { "f64" };
    if args.common.json {
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            json!({
                "n": args.n,
            "precision": precision,
            "max_abs_err": max_abs_err,
            }),
        );
        return Ok(());
    }
    println!("backend: {backend} ({why}), {precision}");
    println!(
        "N = {} in {:.3} ms ({:.1} M elements/s); max |z − z_scalar_f64| = {max_abs_err:.3e}",
        args.n,
        seconds * 1e3,
        args.n as f64 / seconds / 1e6
    );
    Ok(())
}

fn max_err(z: impl Iterator<Item = f64>, reference: &[f64]) -> f64 {
    z.zip(reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

fn main() -> ExitCode {
    cli::main_with("gaussian", run)
}
