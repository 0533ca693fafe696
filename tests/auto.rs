//! `auto`: the call runs on the backend with the least predicted time and
//! returns that backend's result bit for bit; models are measured once and
//! kept in the cache file, which a second engine (process) reads instead
//! of measuring; a bad or unwritable cache never fails a call; and the
//! choice follows the measurements — tiny work stays on one thread, and a
//! GPU (software or not) wins exactly where its model is fastest.

mod support;

#[path = "../examples/user_kernels/basel.rs"]
mod basel;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use basel::basel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::{Backend, Engine, JuliaParams, Midpoint, Pi, Reduction};

/// The tests here time kernels: one at a time, so they do not slow each
/// other's measurements down.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A fresh, empty cache directory for one test.
fn cache_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-auto-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// An engine keeping its models in `dir` whatever the load: these tests
/// are of the file and the choice (`auto_busy.rs` tests the load check).
fn engine(dir: &Path) -> Engine {
    let engine = Engine::with_threads(2)
        .unwrap()
        .with_calibration_dir(Some(dir.to_path_buf()))
        .with_load_check(false);
    let gpu = engine.is_available(Backend::Gpu);
    assert!(gpu || !support::ci(), "CI requires a GPU adapter");
    engine
}

#[test]
fn auto_returns_the_chosen_backends_result_on_every_problem() {
    let _serial = serial();
    let dir = cache_dir("results");
    let engine = engine(&dir);
    let pi = PiKernel::new(&Pi::new(30_000_000, 4).unwrap());
    let hits = engine.reduce(&pi, Backend::Auto).unwrap();
    let chosen = engine.calibration().last_choice().unwrap().chosen;
    assert_eq!(hits, engine.reduce(&pi, chosen).unwrap());

    let data = arange(5_000_000).unwrap();
    let sum = SumKernel::new(&data);
    let value = engine.reduce(&sum, Backend::Auto).unwrap();
    let chosen = engine.calibration().last_choice().unwrap().chosen;
    assert_eq!(
        value.to_bits(),
        engine.reduce(&sum, chosen).unwrap().to_bits()
    );

    let spec = Midpoint::new(0.0, 1.0, 10_000_000).unwrap();
    let midpoint = MidpointKernel::new(&spec, &ExpNegSquare);
    let value = engine.reduce(&midpoint, Backend::Auto).unwrap();
    let chosen = engine.calibration().last_choice().unwrap().chosen;
    assert_eq!(
        value.to_bits(),
        engine.reduce(&midpoint, chosen).unwrap().to_bits()
    );

    let user = basel(3_000_000);
    let value = engine.reduce(&user, Backend::Auto).unwrap();
    let chosen = engine.calibration().last_choice().unwrap().chosen;
    assert_eq!(
        value.to_bits(),
        engine.reduce(&user, chosen).unwrap().to_bits()
    );

    let julia = JuliaParams::notebook(200).validate().unwrap();
    let counts = engine.julia(&julia, Backend::Auto).unwrap();
    let choice = engine.calibration().last_choice().unwrap();
    assert_eq!(counts, engine.julia(&julia, choice.chosen).unwrap());
    // Every single backend that runs here was a candidate; the choice is
    // the least predicted time.
    let gpu = engine.is_available(Backend::Gpu);
    assert_eq!(
        choice.predictions.len(),
        if gpu { 5 } else { 4 },
        "{choice}"
    );
    assert_eq!(choice.predictions[0].backend, choice.chosen);
    assert!(
        choice
            .predictions
            .windows(2)
            .all(|w| w[0].seconds <= w[1].seconds)
    );

    // Submitted jobs resolve auto the same way.
    let engine = Arc::new(engine);
    let job = engine.jobs().submit(
        PiKernel::new(&Pi::new(30_000_000, 4).unwrap()),
        Backend::Auto,
    );
    assert_eq!(job.wait().unwrap(), hits);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_engine_reads_the_cache_and_measures_nothing() {
    let _serial = serial();
    let dir = cache_dir("reuse");
    let kernel = PiKernel::new(&Pi::new(20_000_000, 1).unwrap());
    let first = engine(&dir).calibration().explain_reduce(&kernel).unwrap();
    assert!(first.predictions.iter().all(|p| p.measured_now), "{first}");
    let file = first.cache_file.clone().expect("a cache file");
    assert!(
        file.starts_with(&dir) && file.exists(),
        "{}",
        file.display()
    );
    assert_eq!(first.cache_error, None);

    let second = engine(&dir).calibration().explain_reduce(&kernel).unwrap();
    assert!(
        second.predictions.iter().all(|p| !p.measured_now),
        "{second}"
    );
    assert_eq!(second.chosen, first.chosen);
    for (a, b) in first.predictions.iter().zip(&second.predictions) {
        assert_eq!((a.backend, a.model), (b.backend, b.model));
    }
    // Another size of the same kernel, within the models' reach (8× a
    // probe cut short by the kernel's end): the same models.
    let bigger = PiKernel::new(&Pi::new(80_000_000, 1).unwrap());
    let third = engine(&dir).calibration().explain_reduce(&bigger).unwrap();
    assert!(third.predictions.iter().all(|p| !p.measured_now), "{third}");

    // A damaged file is measured again, not trusted and not an error.
    std::fs::write(&file, "garbage\n\u{0}\u{1}").unwrap();
    let again = engine(&dir).calibration().explain_reduce(&kernel).unwrap();
    assert!(again.predictions.iter().all(|p| p.measured_now), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_call_beyond_what_the_models_reach_measures_them_again() {
    let _serial = serial();
    let dir = cache_dir("reach");
    // Two chunks of midpoint (32 768 points): every probe covers the whole
    // kernel far below the probe's 4 ms — 0.3 ms on one lane at the
    // baseline level, so even a machine 10× slowed stays under it — and its
    // fixed cost hides its cost per item. (π's 8 chunks took 5 ms at the
    // baseline on a loaded machine: its probe ran out of time first.)
    let items =
        2 * MidpointKernel::new(&Midpoint::new(0.0, 1.0, 1).unwrap(), &ExpNegSquare).chunk();
    let spec = Midpoint::new(0.0, 1.0, items).unwrap();
    let small = MidpointKernel::new(&spec, &ExpNegSquare);
    let first = engine(&dir).calibration().explain_reduce(&small).unwrap();
    let simd = |e: &hetero::auto::Explanation| {
        e.predictions
            .iter()
            .find(|p| p.backend == Backend::Simd)
            .map(|p| (p.measured_now, p.model))
            .unwrap()
    };
    assert_eq!(simd(&first).1.valid_to, 8 * items, "{first}");

    // A thousand times larger: measured again at that size, and stored.
    let spec = Midpoint::new(0.0, 1.0, 1000 * items).unwrap();
    let large = MidpointKernel::new(&spec, &ExpNegSquare);
    let second = engine(&dir).calibration().explain_reduce(&large).unwrap();
    let (measured, model) = simd(&second);
    assert!(measured && model.valid_to > 8 * items, "{second}");
    let third = engine(&dir).calibration().explain_reduce(&large).unwrap();
    assert!(third.predictions.iter().all(|p| !p.measured_now), "{third}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_cache_is_reported_and_auto_still_runs() {
    let _serial = serial();
    let dir = cache_dir("unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    // A regular file where the directory should be.
    let blocked = dir.join("not-a-dir");
    std::fs::write(&blocked, b"keep me").unwrap();
    let engine = engine(&blocked);
    let spec = Pi::new(5_000_000, 2).unwrap();
    assert_eq!(
        engine.pi(&spec, Backend::Auto).unwrap(),
        engine.pi(&spec, Backend::Scalar).unwrap()
    );
    let choice = engine.calibration().last_choice().unwrap();
    assert!(choice.cache_error.is_some(), "{choice}");
    assert_eq!(std::fs::read(&blocked).unwrap(), b"keep me");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tiny_work_stays_on_one_thread() {
    // The decision alone, from models written into the cache file (no
    // timing): a thread wake-up costs 50 µs, so 1 000 samples stay on one
    // thread (simd) while 5·10^7 go to simd-threads.
    let _serial = serial();
    let dir = cache_dir("tiny");
    let engine = engine(&dir);
    let large = PiKernel::new(&Pi::new(50_000_000, 1).unwrap());
    let tiny = PiKernel::new(&Pi::new(1_000, 1).unwrap());
    let file = engine
        .calibration()
        .explain_reduce(&large)
        .unwrap()
        .cache_file
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    let mut written = vec![lines.next().unwrap().to_owned()];
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        // (seconds a call, seconds an item) per backend.
        let (overhead, per_item) = match fields[1] {
            "scalar" => (1e-7, 1e-8),
            "simd" => (1e-7, 5e-9),
            "threads" => (5e-5, 5e-9),
            "simd-threads" => (5e-5, 2.5e-9),
            _ => (1.0, 1e-10), // the GPU: never, at these sizes
        };
        written.push(format!(
            "{}\t{}\t{overhead:e}\t{per_item:e}\t1",
            fields[0], fields[1]
        ));
    }
    std::fs::write(&file, written.join("\n") + "\n").unwrap();
    let fresh = self::engine(&dir);
    let small = fresh.calibration().explain_reduce(&tiny).unwrap();
    assert_eq!(small.chosen, Backend::Simd, "{small}");
    assert!(small.predictions.iter().all(|p| !p.measured_now), "{small}");
    let big = fresh.calibration().explain_reduce(&large).unwrap();
    assert_eq!(big.chosen, Backend::SimdThreads, "{big}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_choice_follows_the_models_in_the_cache_file() {
    let _serial = serial();
    let dir = cache_dir("follows");
    let engine = engine(&dir);
    let kernel = PiKernel::new(&Pi::new(20_000_000, 1).unwrap());
    let measured = engine.calibration().explain_reduce(&kernel).unwrap();
    let file = measured.cache_file.clone().unwrap();
    // Rewrite the file so that the slowest candidate is by far the
    // fastest: a fresh engine must now choose it.
    let slowest = measured.predictions.last().unwrap().backend;
    let text = std::fs::read_to_string(&file).unwrap();
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            if i > 0 && fields.len() == 6 && fields[1] == slowest.name() {
                let range = fields[4..].join("\t");
                format!("{}\t{}\t0e0\t1e-15\t{range}", fields[0], fields[1])
            } else {
                line.to_owned()
            }
        })
        .collect();
    std::fs::write(&file, edited.join("\n") + "\n").unwrap();
    let fresh = self::engine(&dir);
    let choice = fresh.calibration().explain_reduce(&kernel).unwrap();
    assert_eq!(choice.chosen, slowest, "{choice}");
    assert!(choice.predictions.iter().all(|p| !p.measured_now));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_kernel_no_backend_can_run_is_its_own_error_on_auto() {
    let _serial = serial();
    let dir = cache_dir("a_kernel_no_backend_can_run_is_its_own_error_on_auto");
    let engine = engine(&dir);
    let empty: [f64; 0] = [];
    let e = engine
        .reduce(&SumKernel::new(&empty), Backend::Auto)
        .unwrap_err();
    assert!(
        matches!(
            e,
            hetero::Error::Kernel(hetero::KernelError::EmptyRange { .. })
        ),
        "{e}"
    );
    let x = [1.0_f64, 2.0];
    let kernel = hetero::ZipMap::new(&|v: f64| v * 2.0, [&x[..]]).unwrap();
    let mut short = [0.0_f64; 1];
    let e = engine.map(&kernel, &mut short, Backend::Auto).unwrap_err();
    assert!(
        matches!(
            e,
            hetero::Error::Kernel(hetero::KernelError::OutputLength { .. })
        ),
        "{e}"
    );
    // Neither call measured anything: no model was stored.
    assert!(engine.calibration().last_choice().is_none());
}
