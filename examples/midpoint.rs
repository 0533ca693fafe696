//! The midpoint rule on any backend, with the notebook's integrand or your own.
//!
//! ```sh
//! cargo run --release --example midpoint                         # ∫₀¹ exp(−x²), n = 10⁶
//! cargo run --release --example midpoint -- --n 1e9 --backend gpu --precision f32
//! cargo run --release --example midpoint -- --integrand sin --a 0 --b 3.14159
//! cargo run --release --example midpoint -- --backend gpu --wgsl "return x * x;"
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use hetero::reference::{EXP_NEG_SQUARE_0_1, exp_neg_square_rule_error};
use hetero::{Backend, Engine, ExpNegSquare, Integrand, Midpoint, Precision, Real, WgslIntegrand};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::{Common, Failure, timed};

/// The built-in integrands, each written once: the same body runs on one
/// lane (`scalar`), on SIMD vectors (`simd`, `simd-threads`) and, traced to
/// WGSL, on the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Builtin {
    /// exp(−x²), the notebook's
    ExpNegSquare,
    Sin,
    /// 1/(1+x²): ∫₀¹ = π/4
    Lorentz,
    /// √x: a singular derivative at 0
    Sqrt,
}

impl Integrand for Builtin {
    fn eval<R: Real>(&self, x: R) -> R {
        match self {
            Self::ExpNegSquare => ExpNegSquare.eval(x),
            Self::Sin => SinX.eval(x),
            Self::Lorentz => Lorentz.eval(x),
            Self::Sqrt => SqrtX.eval(x),
        }
    }
}

/// sin x.
struct SinX;
impl Integrand for SinX {
    fn eval<R: Real>(&self, x: R) -> R {
        x.sin()
    }
}

/// 1/(1+x²).
struct Lorentz;
impl Integrand for Lorentz {
    fn eval<R: Real>(&self, x: R) -> R {
        R::from_f64(1.0) / (R::from_f64(1.0) + x * x)
    }
}

/// √x.
struct SqrtX;
impl Integrand for SqrtX {
    fn eval<R: Real>(&self, x: R) -> R {
        x.sqrt()
    }
}

/// ∫ with the built-in's own type, so the kernel is compiled for that one
/// function: with the `match` inside `eval` in the vector loop the example
/// took 1.8× criterion's time for the same integral (n = 10⁶, `simd`).
fn midpoint_builtin(
    engine: &Engine,
    spec: &Midpoint,
    builtin: Builtin,
    backend: Backend,
) -> hetero::Result<f64> {
    match builtin {
        Builtin::ExpNegSquare => engine.midpoint_with(spec, &ExpNegSquare, backend),
        Builtin::Sin => engine.midpoint_with(spec, &SinX, backend),
        Builtin::Lorentz => engine.midpoint_with(spec, &Lorentz, backend),
        Builtin::Sqrt => engine.midpoint_with(spec, &SqrtX, backend),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Prec {
    F32,
    F64,
}

/// ∫ₐᵇ f(x) dx by the midpoint rule.
#[derive(Debug, Parser)]
#[command(name = "midpoint", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Subintervals (accepts 1e6 style)
    #[arg(long, default_value = "1e6", allow_hyphen_values = true, value_parser = cli::parse_positive)]
    n: u64,

    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    a: f64,

    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    b: f64,

    /// A built-in integrand
    #[arg(long, value_enum, default_value_t = Builtin::ExpNegSquare)]
    integrand: Builtin,

    /// A WGSL body for `fn f(x: f32) -> f32` (gpu backend only), e.g. "return x * x;"
    #[arg(long, conflicts_with = "integrand")]
    wgsl: Option<String>,

    /// Arithmetic: the CPU backends always sum in f64; the GPU in f32 or,
    /// where the device has SHADER_F64, f64
    #[arg(long, value_enum, default_value_t = Prec::F64)]
    precision: Prec,
}

/// The integral and the arithmetic it was summed in.
fn integrate(
    args: &Args,
    engine: &Engine,
    spec: &Midpoint,
    backend: Backend,
) -> Result<(f64, &'static str), Failure> {
    if backend == Backend::Gpu {
        let integrand = match &args.wgsl {
            Some(body) => WgslIntegrand::new(body.clone()),
            None => args.integrand.wgsl().map_err(hetero::Error::from)?,
        };
        let (precision, name) = match args.precision {
            Prec::F64 if engine.gpu_adapter()?.f64 && integrand.f64_body.is_some() => {
                (Precision::F64, "f64")
            }
            _ => (Precision::F32, "f32"),
        };
        return Ok((engine.midpoint_wgsl(spec, &integrand, precision)?, name));
    }
    if args.wgsl.is_some() {
        return Err(Failure::usage(
            "--wgsl runs on the GPU only: add --backend gpu, or use --integrand",
        ));
    }
    Ok((
        midpoint_builtin(engine, spec, args.integrand, backend)?,
        "f64",
    ))
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = args.common.engine()?;
    let spec = Midpoint::new(args.a, args.b, args.n)?;
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let ((value, precision), seconds) = timed(args.common.repeat, || {
        integrate(&args, &engine, &spec, backend)
    })?;
    let notebook = args.integrand == Builtin::ExpNegSquare
        && args.wgsl.is_none()
        && (args.a, args.b) == (0.0, 1.0);
    let exact = notebook.then_some(EXP_NEG_SQUARE_0_1);
    let rule = notebook.then(|| EXP_NEG_SQUARE_0_1 + exp_neg_square_rule_error(args.n));
    if args.common.json {
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            json!({
                "a": args.a, "b": args.b, "n": args.n,
            "precision": precision,
            "value": value,
            "exact": exact,
            "error_vs_exact": exact.map(|e| value - e),
            "error_vs_rule": rule.map(|r| value - r),
            }),
        );
        return Ok(());
    }
    println!("backend: {backend} ({why}), {precision}");
    println!(
        "∫ from {} to {} with n = {}: {value:.17} in {:.3} ms",
        args.a,
        args.b,
        args.n,
        seconds * 1e3
    );
    if let (Some(e), Some(r)) = (exact, rule) {
        println!(
            "exact (√π/2)·erf(1) = {e:.17}: error {:+.3e} (relative {:.2e})",
            value - e,
            ((value - e) / e).abs()
        );
        println!(
            "the rule's own value ≈ {r:.17} (h²/(12e) above): error {:+.3e}",
            value - r
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("midpoint", run)
}
