//! `auto` in a tight loop: a fresh engine (its models measured by the
//! first, untimed call, kept in no file) calls the Gaussian of `--items` elements on `auto` for
//! `--seconds`, then the same loop runs on `simd-threads` and on `simd`
//! alone; `--rounds` rounds, interleaved, so the three share the machine's
//! moods. Reports per round the mean time per call of each, `auto`'s
//! ratio to the faster fixed backend, and how many of `auto`'s calls each
//! backend was chosen for (tries not counted): the figure behind "`auto`
//! in a tight loop" in docs/performance.md, where a slow spell of the
//! threads could once keep `auto` on `simd` for good.
//!
//! `cargo bench --bench auto_loop -- --items 30000 --seconds 3 --rounds 6`
//! (`--test`: one short round, as CI's smoke run does).

use std::collections::BTreeMap;
use std::time::Instant;

use hetero::problems::gaussian::GaussianKernel;
use hetero::{Backend, Engine, Gaussian, standard_normal_inputs};

struct Options {
    items: usize,
    seconds: f64,
    rounds: usize,
}

fn options() -> Options {
    let mut options = Options {
        items: 30_000,
        seconds: 3.0,
        rounds: 3,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |i: usize, name: &str| -> f64 {
        let text = args.get(i + 1).unwrap_or_else(|| {
            eprintln!("{name} needs a value");
            std::process::exit(2)
        });
        text.parse().unwrap_or_else(|_| {
            eprintln!("{name}: not a number: {text}");
            std::process::exit(2)
        })
    };
    for (i, arg) in args.iter().enumerate() {
        match arg.as_str() {
            "--items" => options.items = value(i, arg) as usize,
            "--seconds" => options.seconds = value(i, arg),
            "--rounds" => options.rounds = value(i, arg) as usize,
            "--test" => {
                options.seconds = 0.05;
                options.rounds = 1;
            }
            _ => {} // cargo's own flags (`--bench`) and the values above
        }
    }
    if options.items == 0
        || options.seconds.is_nan()
        || options.seconds <= 0.0
        || options.rounds == 0
    {
        eprintln!("--items, --seconds and --rounds must be above 0");
        std::process::exit(2)
    }
    options
}

/// Calls on `backend` for `seconds`, after one untimed call (for `auto`
/// on a fresh engine, the one that measures its models: 70 ms with a
/// software GPU among the candidates): the mean time inside a call, and per
/// backend the calls `auto` chose it for (where `backend` is `auto`).
fn run_loop(
    engine: &Engine,
    kernel: &GaussianKernel<'_, f64>,
    out: &mut [f64],
    backend: Backend,
    seconds: f64,
) -> (f64, BTreeMap<Backend, u64>) {
    engine.map(kernel, out, backend).expect("the Gaussian runs");
    let mut chosen = BTreeMap::new();
    let (mut calls, mut in_calls, started) = (0u64, 0.0, Instant::now());
    while started.elapsed().as_secs_f64() < seconds {
        let call = Instant::now();
        engine.map(kernel, out, backend).expect("the Gaussian runs");
        in_calls += call.elapsed().as_secs_f64();
        calls += 1;
        // Outside the timed call: the explanation allocates, and timed it
        // would count against `auto` alone.
        if backend == Backend::Auto
            && let Some(choice) = engine.calibration().last_choice()
        {
            *chosen.entry(choice.chosen).or_default() += 1;
        }
    }
    (in_calls / calls as f64, chosen)
}

fn main() {
    let options = options();
    let (x, y) = standard_normal_inputs(options.items, 3).expect("inputs");
    let kernel = GaussianKernel::new(&Gaussian::notebook(), &x[..], &y[..]).expect("kernel");
    let mut out = vec![0.0; options.items];
    let fixed = Engine::new().expect("engine");
    println!(
        "Gaussian of {} elements, {} s per loop, {} cores",
        options.items,
        options.seconds,
        fixed.threads()
    );
    for round in 1..=options.rounds {
        let engine = Engine::new().expect("engine").with_calibration_dir(None);
        let (auto, chosen) = run_loop(&engine, &kernel, &mut out, Backend::Auto, options.seconds);
        let (threads, _) = run_loop(
            &fixed,
            &kernel,
            &mut out,
            Backend::SimdThreads,
            options.seconds,
        );
        let (simd, _) = run_loop(&fixed, &kernel, &mut out, Backend::Simd, options.seconds);
        let chosen: Vec<String> = chosen.iter().map(|(b, n)| format!("{b} {n}")).collect();
        println!(
            "round {round}: auto {:.1} µs, simd-threads {:.1} µs, simd {:.1} µs; \
             auto ÷ faster {:.2}; auto chose {}",
            auto * 1e6,
            threads * 1e6,
            simd * 1e6,
            auto / threads.min(simd),
            chosen.join(", ")
        );
    }
}
