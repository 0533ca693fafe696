//! Times the GPU backend on large sizes and shows where the time goes:
//! end-to-end (upload + dispatch + readback), resident (without the host
//! copies) and kernel time from timestamp queries, with throughput.
//!
//! ```sh
//! cargo run --release --example gpu_report            # Julia 4000x8000, midpoint 1e9, gaussian 1e8
//! cargo run --release --example gpu_report -- quick   # 10x smaller
//! ```

use std::time::Duration;

use anyhow::Context;
use hetero::problems::gaussian::GaussianKernel;
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{MidpointGpu, MidpointKernel};
use hetero::{Gaussian, GpuTimings, JuliaParams, Midpoint, Precision, WgslIntegrand, gpu};

fn line(what: &str, work: f64, unit: &str, t: &GpuTimings) {
    let rate = |d: Duration| work / d.as_secs_f64().max(1e-12);
    let kernel = t.kernel.map_or("n/a".to_owned(), |k| {
        format!("{:.1} ms ({:.3e} {unit}/s)", ms(k), rate(k))
    });
    println!(
        "{what:<28} end-to-end {:>9.1} ms ({:.3e} {unit}/s)  resident {:>9.1} ms  kernel {kernel}  dispatches {}",
        ms(t.end_to_end),
        rate(t.end_to_end),
        ms(t.resident()),
        t.dispatches
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    // SAFETY: first thing in main; no other thread exists yet.
    unsafe { hetero::quiet_gpu_probe() };
    let quick = std::env::args().any(|a| a == "quick");
    let scale = if quick { 10 } else { 1 };
    let engine = hetero::Engine::new()?;
    let ctx = engine.gpu().context("the GPU report needs a GPU adapter")?;
    println!("adapter: {}", ctx.describe());

    let n = 4000 / scale;
    let spec = JuliaParams::notebook(n).validate()?;
    let mut counts = spec.try_alloc_counts()?;
    let kernel = JuliaKernel::new(&spec);
    gpu::map(ctx, &kernel, 0..spec.height(), &mut counts)?; // warm-up
    let t = gpu::map(ctx, &kernel, 0..spec.height(), &mut counts)?;
    let iterations: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    line(
        &format!("julia {}x{}", spec.height(), spec.width()),
        iterations as f64,
        "iter",
        &t,
    );

    let n = 1_000_000_000 / scale as u64;
    let spec = Midpoint::new(0.0, 1.0, n)?;
    let integrand = WgslIntegrand::exp_neg_square();
    let shape = MidpointKernel::gpu_only(&spec);
    let side = MidpointGpu::new(&spec, &integrand, Precision::F32)?;
    let (_, t) = gpu::reduce_with(ctx, &shape, &side)?;
    line(&format!("midpoint f32 n={n:.0e}"), n as f64, "elem", &t);
    if ctx.has_f64() {
        let side = MidpointGpu::new(&spec, &integrand, Precision::F64)?;
        let (_, t) = gpu::reduce_with(ctx, &shape, &side)?;
        line(&format!("midpoint f64 n={n:.0e}"), n as f64, "elem", &t);
    }

    let n = 100_000_000 / scale;
    let (x, y) = hetero::standard_normal_inputs(n, 1)?;
    let narrow = |v: &[f64]| {
        hetero::alloc::try_collect(
            n as u64,
            v.iter().map(|&v| v as f32),
            "gpu_report: f32 inputs",
        )
    };
    let (x, y) = (narrow(&x)?, narrow(&y)?);
    let mut z = hetero::alloc::try_zeroed::<f32>(n as u64, "gpu_report: the output")?;
    let kernel = GaussianKernel::new(&Gaussian::notebook(), &x, &y)?;
    let t = gpu::map(ctx, &kernel, 0..n, &mut z)?;
    line(&format!("gaussian f32 N={n:.0e}"), n as f64, "elem", &t);
    let gb = 12.0 * n as f64 / 1e9;
    println!(
        "  gaussian moves {gb:.1} GB: {:.1} GB/s end-to-end",
        gb / t.end_to_end.as_secs_f64()
    );
    Ok(())
}
