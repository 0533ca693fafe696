//! Renders the Julia set of the reference notebooks on any backend.
//!
//! ```sh
//! cargo run --release --example julia                       # the notebook's image, fastest backend
//! cargo run --release --example julia -- --backend gpu      # on the GPU
//! cargo run --release --example julia -- --size 2000 --c -0.4,0.6 --colormap magma
//! cargo run --release --example julia -- --compare          # every backend, timed and diffed
//! cargo run --release --example julia -- --save-counts counts.npy --json
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hetero::{Backend, Engine, Julia, JuliaParams, Viewport};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::color::Colormap;
use cli::{Common, Failure, timed};

/// Escape-time counts of z <- z² + c, rendered to a PNG.
#[derive(Debug, Parser)]
#[command(name = "julia", version, about)]
struct Args {
    #[command(flatten)]
    common: Common,

    /// Image of N rows × 2N columns (the notebook uses 1000)
    #[arg(long, default_value_t = 1000, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    size: u32,

    /// Image width in pixels (overrides --size; give --height too)
    #[arg(long, requires = "height", allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    width: Option<u32>,

    /// Image height in pixels (overrides --size; give --width too)
    #[arg(long, requires = "width", allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    height: Option<u32>,

    /// Most iterations per pixel
    #[arg(long, default_value_t = 50, allow_hyphen_values = true)]
    maxiters: u32,

    /// The constant c as RE,IM
    #[arg(long, default_value = "-0.835,-0.2321", value_parser = cli::parse_pair, allow_hyphen_values = true)]
    c: (f64, f64),

    /// Centre of the view as RE,IM
    #[arg(long, default_value = "0,0", value_parser = cli::parse_pair, allow_hyphen_values = true)]
    center: (f64, f64),

    /// Magnification: 1 shows x in [-2, 2)
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true, value_parser = parse_zoom)]
    zoom: f64,

    /// Where to write the PNG
    #[arg(long, default_value = "julia.png")]
    output: PathBuf,

    /// Colormap of the PNG
    #[arg(long, value_enum, default_value_t = Colormap::Viridis)]
    colormap: Colormap,

    /// Also write the raw counts as a NumPy .npy file (shape (height, width), <u4)
    #[arg(long)]
    save_counts: Option<PathBuf>,

    /// Run every available backend on the same image and compare them
    #[arg(long)]
    compare: bool,
}

fn parse_zoom(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(z) if z.is_finite() && z > 0.0 => Ok(z),
        _ => Err(format!("expected a positive number, got '{s}'")),
    }
}

impl Args {
    fn spec(&self) -> Result<Julia, Failure> {
        let (width, height) = match (self.width, self.height) {
            (Some(w), Some(h)) => (w as usize, h as usize),
            _ => (2 * self.size as usize, self.size as usize),
        };
        // Counts and RGB take 7 bytes a pixel in memory, plus the PNG.
        const MAX_PIXELS: usize = 1 << 31;
        if width.saturating_mul(height) > MAX_PIXELS {
            return Err(Failure::usage(format!(
                "--size/--width/--height: {height}x{width} is more than 2^31 pixels (15 GB in memory); choose a smaller image"
            )));
        }
        let span_x = 4.0 / self.zoom;
        let span_y = span_x * height as f64 / width as f64;
        // The defaults give x in [-2, 2), y in [-1, 1) exactly: the notebook's
        // view, bit for bit (the CLI test checks the sum of counts).
        let viewport = Viewport::centered(self.center.0, self.center.1, span_x, span_y);
        Ok(JuliaParams {
            width,
            height,
            maxiters: self.maxiters,
            c_re: self.c.0 as f32,
            c_im: self.c.1 as f32,
            viewport,
        }
        .validate()?)
    }
}

/// Images from this many pixels show a progress bar (unless --json).
const PROGRESS_FROM_PIXELS: usize = 8 << 20;

fn render(
    engine: &Engine,
    spec: &Julia,
    backend: Backend,
    repeat: u32,
    progress: bool,
) -> Result<(Vec<u32>, f64), Failure> {
    let mut counts = spec.try_alloc_counts()?;
    if progress && spec.pixels() >= PROGRESS_FROM_PIXELS {
        // Render in blocks of rows: the same counts as one call (a test
        // checks it), and a bar that moves. The time is still the sum.
        let bar = indicatif::ProgressBar::new(spec.height() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "rendering {bar:40} {pos}/{len} rows [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let block = spec.height().div_ceil(32) * spec.width();
        let ((), seconds) = timed(repeat, || {
            bar.set_position(0);
            for (i, rows) in counts.chunks_mut(block).enumerate() {
                engine.julia_rows(spec, i * block / spec.width(), rows, backend)?;
                bar.inc((rows.len() / spec.width()) as u64);
            }
            Ok(())
        })?;
        bar.finish_and_clear();
        return Ok((counts, seconds));
    }
    let ((), seconds) = timed(repeat, || {
        Ok(engine.julia_into(spec, &mut counts, backend)?)
    })?;
    Ok((counts, seconds))
}

fn compare(args: &Args, engine: &Engine, spec: &Julia) -> Result<(), Failure> {
    let (reference, scalar_s) = render(engine, spec, Backend::Scalar, args.common.repeat, false)?;
    let mut rows = Vec::new();
    for backend in Backend::SPACES
        .into_iter()
        .filter(|b| engine.is_available(*b))
    {
        let (counts, seconds) = if backend == Backend::Scalar {
            (reference.clone(), scalar_s)
        } else {
            render(engine, spec, backend, args.common.repeat, false)?
        };
        let differing = counts
            .iter()
            .zip(&reference)
            .filter(|(a, b)| a != b)
            .count();
        rows.push((backend, seconds, scalar_s / seconds, differing));
    }
    if args.common.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(b, s, x, d)| json!({"backend": b.name(), "seconds": s, "speedup": x, "differing_pixels": d}))
            .collect();
        cli::print_json(
            &json!({"width": spec.width(), "height": spec.height(), "maxiters": spec.maxiters(), "threads": engine.threads(), "compare": list}),
        );
        return Ok(());
    }
    println!(
        "julia {}x{}, maxiters {}, {} threads",
        spec.height(),
        spec.width(),
        spec.maxiters(),
        engine.threads()
    );
    println!(
        "{:<14} {:>12} {:>10} {:>18}",
        "backend", "time", "speed-up", "pixels ≠ scalar"
    );
    for (backend, seconds, speedup, differing) in rows {
        println!(
            "{:<14} {:>9.2} ms {:>9.1}× {:>18}",
            backend.name(),
            seconds * 1e3,
            speedup,
            differing
        );
    }
    if !engine.is_available(Backend::Gpu) {
        println!("(gpu: not available here)");
    }
    Ok(())
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let engine = args.common.engine()?;
    let spec = args.spec()?;
    if args.compare {
        return compare(&args, &engine, &spec);
    }
    let (backend, why, setup_seconds) = args.common.backend(&engine)?;
    let (counts, seconds) = render(
        &engine,
        &spec,
        backend,
        args.common.repeat,
        !args.common.json,
    )?;
    let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();

    let png = cli::color::png(
        &counts,
        spec.width(),
        spec.height(),
        spec.maxiters(),
        args.colormap,
    )?;
    let npy = args
        .save_counts
        .as_ref()
        .map(|path| {
            hetero::npy::to_npy_bytes(&counts, &[spec.height(), spec.width()]).map(|b| (path, b))
        })
        .transpose()?;
    let mut files = vec![(args.output.as_path(), png.as_slice(), "--output")];
    if let Some((path, bytes)) = &npy {
        files.push((path.as_path(), bytes.as_slice(), "--save-counts"));
    }
    cli::write_outputs(&files)?;

    let adapter = if backend == Backend::Gpu {
        engine.gpu_adapter().ok().map(|g| g.description)
    } else {
        None
    };
    if args.common.json {
        cli::print_report(
            &engine,
            backend,
            seconds,
            setup_seconds,
            json!({
                "adapter": adapter,
                "width": spec.width(),
                "height": spec.height(),
                "maxiters": spec.maxiters(),
                "sum": sum,
                "output": args.output,
                "counts": args.save_counts,
            }),
        );
    } else {
        println!("{}", cli::backend_line(&engine, backend, &why));
        if let Some(a) = adapter {
            println!("adapter: {a}");
        }
        println!(
            "{}x{} pixels, maxiters {}, c = {}{:+}i: {:.2} ms (median of {}), sum of counts {sum}",
            spec.height(),
            spec.width(),
            spec.maxiters(),
            args.c.0,
            args.c.1,
            seconds * 1e3,
            args.common.repeat
        );
        println!("wrote {}", args.output.display());
        if let Some(path) = &args.save_counts {
            println!(
                "wrote {} (np.load gives shape ({}, {}))",
                path.display(),
                spec.height(),
                spec.width()
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    cli::main_with("julia", run)
}
