//! Your own kernels, written once, on every backend: a reduction
//! (∫₀^π x·sin(x) dx = π by the midpoint rule) and an element-wise map over
//! two arrays (z = √(x² + y²)·e^(−xy)). Each body is generic over
//! `hetero::Real`, so the same source runs on one lane, on SIMD vectors, on
//! threads, and — translated to WGSL by tracing — on the GPU.
//!
//! ```sh
//! cargo run --release --example custom_kernel                       # both, fastest backend
//! cargo run --release --example custom_kernel -- --compare          # every backend: time, error vs scalar
//! cargo run --release --example custom_kernel -- --kernel map --backend gpu --json
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use hetero::{
    ElementWise, Engine, IndexTerm, Real, TermSum, Validation, ZipMap, standard_normal_inputs,
};
use serde_json::{Value, json};

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure, timed};

/// ∫₀^π x·sin(x) dx by the midpoint rule, as a user reduction: the term of
/// subinterval i, h·Σ of them by [`TermSum`] — compensated chunk sums
/// combined along hetero's fixed tree (so the result does not depend on the
/// thread count), and on the GPU the same term traced to WGSL.
struct XSinX {
    h: f64,
}

impl IndexTerm for XSinX {
    /// The term of subinterval i, for any lane type.
    fn term<R: Real>(&self, i: R) -> R {
        let x = (i + R::from_f64(0.5)) * R::from_f64(self.h);
        x * x.sin()
    }
}

/// z = √(x² + y²)·e^(−xy), element-wise over two arrays.
struct Weighted;

impl ElementWise<2> for Weighted {
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        (x * x + y * y).sqrt() * (-(x * y)).exp()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    /// The reduction ∫₀^π x·sin(x) dx
    Integral,
    /// The map z = √(x² + y²)·e^(−xy)
    Map,
    Both,
}

/// Two kernels of your own, on any backend.
#[derive(Debug, Parser)]
#[command(name = "custom_kernel", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Which kernel to run
    #[arg(long, value_enum, default_value_t = Which::Both)]
    kernel: Which,

    /// Subintervals of the integral and elements of the map (accepts 1e6 style)
    #[arg(long, default_value = "1e6", allow_hyphen_values = true, value_parser = parse_size)]
    n: u64,

    /// Run every backend and print (or add to --json) time and error against scalar
    #[arg(long)]
    compare: bool,
}

fn parse_size(s: &str) -> Result<u64, String> {
    // The map holds x, y and z in f64: 24 bytes an element.
    let n = cli::parse_positive(s)?;
    if n > 1_000_000_000 {
        return Err(format!(
            "at most 1e9 (the map's arrays take 24 GB), got '{s}'"
        ));
    }
    Ok(n)
}

fn comparison(v: &Validation) -> Value {
    let rows: Vec<Value> = v
        .checks
        .iter()
        .map(|c| {
            json!({
                "backend": c.backend.name(),
                "seconds": c.seconds,
                "error_vs_scalar": c.error,
                "failure": c.failure,
            })
        })
        .collect();
    Value::Array(rows)
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine: Engine = args.common.engine()?;
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let n = args.n;
    let mut fields = serde_json::Map::new();
    let mut seconds = 0.0;

    if args.kernel != Which::Map {
        let h = core::f64::consts::PI / n as f64;
        let term = XSinX { h };
        let kernel = TermSum::new("x·sin(x)", &term, n).scaled(h);
        let (value, s) = timed(args.common.repeat, || Ok(engine.reduce(&kernel, backend)?))?;
        seconds += s;
        let error = value - core::f64::consts::PI;
        fields.insert("integral".into(), json!(value));
        fields.insert("integral_error".into(), json!(error));
        if !args.common.json {
            println!("{}", cli::backend_line(&engine, backend, &why));
            println!(
                "∫₀^π x·sin(x) dx with n = {n}: {value:.15} (π {error:+.2e}) in {:.3} ms",
                s * 1e3
            );
        }
        if args.compare {
            let v = engine.validate_reduce(&kernel)?;
            if args.common.json {
                fields.insert("integral_compare".into(), comparison(&v));
            } else {
                println!("{v}");
            }
        }
    }

    if args.kernel != Which::Integral {
        let (x, y) = standard_normal_inputs(n as usize, 7)?;
        let kernel = ZipMap::new(&Weighted, [&x[..], &y[..]]).map_err(hetero::Error::from)?;
        let mut z = hetero::alloc::try_zeroed(n, "custom_kernel: the output z")?;
        let ((), s) = timed(args.common.repeat, || {
            Ok(engine.map(&kernel, &mut z, backend)?)
        })?;
        seconds += s;
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        fields.insert("map_mean".into(), json!(mean));
        if !args.common.json {
            println!(
                "z = √(x² + y²)·e^(−xy) over {n} normal pairs: mean {mean:.6} in {:.3} ms",
                s * 1e3
            );
        }
        if args.compare {
            let v = engine.validate_map(&kernel)?;
            if args.common.json {
                fields.insert("map_compare".into(), comparison(&v));
            } else {
                println!("{v}");
            }
        }
    }

    if args.common.json {
        fields.insert("n".into(), json!(n));
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            Value::Object(fields),
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("custom_kernel", run)
}
