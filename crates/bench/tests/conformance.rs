//! The conformance suite: every backend (`Backend::ALL`: the five spaces,
//! `hybrid` and `auto`) × every registered problem (its bench workload) and
//! both shapes of a user's kernel (a traced map, a sum of terms) × sizes cut
//! around the kernel's chunk — 1, a small odd size, chunk − 1, chunk,
//! chunk + 1, several chunks, a large one — each against `scalar` under the
//! problem's tolerance; and, at each size, a job (submit + wait) against
//! the blocking call: the same bits, or for a backend that may use the GPU
//! (whose split between devices varies) the same tolerance. A new problem
//! enters by its workload, a new backend by its name in `Backend::ALL`.
//!
//! It lives beside the workloads, not in the facade's `tests/`: the
//! workloads are the registry's runnable form, and the facade cannot
//! depend on the crate that depends on it.
//!
//! A custom harness (libtest-mimic), so a missing GPU is visible: with `CI`
//! set it fails; otherwise the GPU trials are reported as ignored.

use std::sync::Arc;

use hetero::kernel::Mapping;
use hetero::tolerance::{relative_error, ulp_distance_f32};
use hetero::{Backend, ElementWise, Engine, IndexTerm, JobScope, Real, Reduction, TermSum, ZipMap};
use hetero_bench::workloads::{self, Kind, Output, Workload};
use libtest_mimic::{Arguments, Failed, Trial};

/// The sizes every kernel of chunk `chunk` runs at, smallest first.
fn sizes(chunk: u64, large: u64) -> Vec<u64> {
    let mut sizes = vec![
        1,
        7,
        chunk.saturating_sub(1),
        chunk,
        chunk + 1,
        3 * chunk + chunk / 2 + 1,
        large,
    ];
    sizes.retain(|&n| n >= 1);
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// A problem's large size: its quick bench size, or 64 chunks where that
/// is smaller (at most 2^22 items, so the suite stays quick).
fn large(kind: &dyn Kind, chunk: u64) -> u64 {
    kind.quick_size().max((64 * chunk + 1).min(1 << 22))
}

/// Whether two outputs are the same bits.
fn same_bits(a: &Output, b: &Output) -> bool {
    match (a, b) {
        (Output::Scalar(a), Output::Scalar(b)) => a.to_bits() == b.to_bits(),
        (Output::Floats(a), Output::Floats(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (Output::Doubles(a), Output::Doubles(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (Output::Counts(a), Output::Counts(b)) => a == b,
        (Output::Hits(a), Output::Hits(b)) => a == b,
        _ => false,
    }
}

fn failed(e: impl std::fmt::Display) -> Failed {
    e.to_string().into()
}

/// `kind` at every size on `backend`, against `scalar`, blocking and as a job.
fn problem_conforms(engine: &Arc<Engine>, kind: &dyn Kind, backend: Backend) -> Result<(), Failed> {
    let chunk = kind.build(1).map_err(failed)?.chunk();
    for size in sizes(chunk, large(kind, chunk)) {
        let work: Arc<dyn Workload> = Arc::from(kind.build(size).map_err(failed)?);
        let at = format!("{} of {size} on {backend}", kind.name());
        let reference = work.run(engine, Backend::Scalar).map_err(failed)?;
        let output = work
            .run(engine, backend)
            .map_err(|e| format!("{at}: {e}"))?;
        let v = work.validate(backend, &output, &reference);
        if !v.valid {
            return Err(format!("{at}: {v:?}").into());
        }
        let job = Arc::clone(&work);
        let from_job = engine
            .jobs()
            .submit_with(move |scope: &JobScope<'_>| job.run_in(scope, backend))
            .wait()
            .map_err(|e| format!("{at}, as a job: {e}"))?;
        let agrees = if backend.may_use_gpu() {
            work.validate(backend, &from_job, &output).valid
        } else {
            same_bits(&from_job, &output)
        };
        if !agrees {
            return Err(format!("{at}: the job's output differs from the blocking call's").into());
        }
    }
    Ok(())
}

/// A user's sum: Σ 1/(i + 1)² (→ π²/6), its term alone.
struct Basel;

impl IndexTerm for Basel {
    fn term<R: Real>(&self, i: R) -> R {
        let k = i + R::from_f64(1.0);
        R::from_f64(1.0) / (k * k)
    }
}

/// A user's map: z = √(x² + y²)·e^(−xy).
struct Weighted;

impl ElementWise<2> for Weighted {
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        (x * x + y * y).sqrt() * (-(x * y)).exp()
    }
}

/// The user sum at every size on `backend`: relative error 1e-14 on the
/// CPU (compensated partials), 1e-5 where the GPU may sum f32 terms.
fn user_sum_conforms(engine: &Arc<Engine>, backend: Backend) -> Result<(), Failed> {
    let chunk = TermSum::new("basel", &Basel, 1).chunk();
    let tolerance = if backend.may_use_gpu() { 1e-5 } else { 1e-14 };
    for n in sizes(chunk, 64 * chunk + 1) {
        let at = format!("Σ 1/i² of {n} terms on {backend}");
        let kernel = TermSum::new("basel", &Basel, n);
        let reference = engine.reduce(&kernel, Backend::Scalar).map_err(failed)?;
        let value = engine
            .reduce(&kernel, backend)
            .map_err(|e| format!("{at}: {e}"))?;
        let error = relative_error(value, reference);
        if error > tolerance {
            return Err(format!("{at}: {value} vs {reference} (relative error {error:e})").into());
        }
        let from_job = engine
            .jobs()
            .submit_with(move |scope| scope.reduce(&TermSum::new("basel", &Basel, n), backend))
            .wait()
            .map_err(|e| format!("{at}, as a job: {e}"))?;
        let agrees = if backend.may_use_gpu() {
            relative_error(from_job, value) <= tolerance
        } else {
            from_job.to_bits() == value.to_bits()
        };
        if !agrees {
            return Err(format!("{at}: the job gave {from_job}, the blocking call {value}").into());
        }
    }
    Ok(())
}

/// Whether `z` is within the map's tolerance of `reference`: 4 ulps on
/// the CPU (the same body at another width), 1e-5 relative on a GPU.
fn map_agrees(backend: Backend, z: &[f32], reference: &[f32]) -> Result<(), String> {
    if z.len() != reference.len() {
        return Err(format!("{} outputs, {} expected", z.len(), reference.len()));
    }
    for (i, (&a, &b)) in z.iter().zip(reference).enumerate() {
        let close = if backend.may_use_gpu() {
            relative_error(f64::from(a), f64::from(b)) <= 1e-5
        } else {
            ulp_distance_f32(a, b) <= 4
        };
        if !close {
            return Err(format!("element {i}: {a} vs {b}"));
        }
    }
    Ok(())
}

/// The user map at every size on `backend`, blocking and as a job.
fn user_map_conforms(engine: &Arc<Engine>, backend: Backend) -> Result<(), Failed> {
    let chunk = {
        let one = [0.5_f32];
        ZipMap::new(&Weighted, [&one[..], &one[..]])
            .map_err(failed)?
            .chunk() as u64
    };
    for n in sizes(chunk, 64 * chunk + 1) {
        let at = format!("the user map of {n} items on {backend}");
        let (x, y) = hetero::standard_normal_inputs(n as usize, 11).map_err(failed)?;
        let x: Arc<Vec<f32>> = Arc::new(x.iter().map(|&v| v as f32).collect());
        let y: Arc<Vec<f32>> = Arc::new(y.iter().map(|&v| v as f32).collect());
        let kernel = ZipMap::new(&Weighted, [&x[..], &y[..]]).map_err(failed)?;
        let reference = engine.map_vec(&kernel, Backend::Scalar).map_err(failed)?;
        let z = engine
            .map_vec(&kernel, backend)
            .map_err(|e| format!("{at}: {e}"))?;
        map_agrees(backend, &z, &reference).map_err(|e| format!("{at}: {e}"))?;
        let (jx, jy) = (Arc::clone(&x), Arc::clone(&y));
        let from_job = engine
            .jobs()
            .submit_with(move |scope| {
                scope.map_vec(&ZipMap::new(&Weighted, [&jx[..], &jy[..]])?, backend)
            })
            .wait()
            .map_err(|e| format!("{at}, as a job: {e}"))?;
        let agrees = if backend.may_use_gpu() {
            map_agrees(backend, &from_job, &z).is_ok()
        } else {
            from_job
                .iter()
                .map(|v| v.to_bits())
                .eq(z.iter().map(|v| v.to_bits()))
        };
        if !agrees {
            return Err(format!("{at}: the job's outputs differ from the blocking call's").into());
        }
    }
    Ok(())
}

fn registry_matches_the_problems() -> Result<(), Failed> {
    let problems: Vec<&str> = hetero::problems::ALL.iter().map(|p| p.name()).collect();
    let workloads: Vec<&str> = workloads::ALL.iter().map(|k| k.name()).collect();
    if problems != workloads {
        return Err(format!("problems {problems:?} but workloads {workloads:?}").into());
    }
    for problem in hetero::problems::ALL {
        if problem.summary().is_empty() {
            return Err(format!("{} has no summary", problem.name()).into());
        }
    }
    Ok(())
}

/// Each workload's sizes are in order and it runs timed on `backend`.
fn timed_run_works(engine: &Engine, kind: &dyn Kind, backend: Backend) -> Result<(), Failed> {
    let sizes = kind.scaling_sizes();
    if !sizes.windows(2).all(|w| w[0] < w[1]) || kind.quick_size() > kind.seed_size() {
        return Err(format!("{}: sizes out of order", kind.name()).into());
    }
    let work = kind.build(sizes[0]).map_err(failed)?;
    work.run_timed(engine, backend).map_err(failed)?;
    Ok(())
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn main() {
    // SAFETY: first thing in main; no other thread exists yet.
    unsafe { hetero::quiet_gpu_probe() };
    let args = Arguments::from_args();
    // A calibration directory of its own: `auto` measures here and leaves
    // the user's cache alone.
    let calibration =
        std::env::temp_dir().join(format!("hetero-conformance-{}", std::process::id()));
    let engine = Arc::new(
        Engine::with_threads(2)
            .expect("two threads start")
            .with_calibration_dir(Some(calibration)),
    );
    let gpu = engine.gpu_adapter();
    if let Err(e) = &gpu {
        eprintln!("GPU trials SKIPPED (reported as ignored): {e}");
    }
    let mut trials = vec![Trial::test(
        "the_bench_covers_exactly_the_registered_problems",
        registry_matches_the_problems,
    )];
    let mut add =
        |name: String, backend: Backend, test: Box<dyn FnOnce() -> Result<(), Failed> + Send>| {
            trials.push(match (&gpu, backend) {
                (Err(e), Backend::Gpu) if ci() => {
                    let e = e.to_string();
                    Trial::test(format!("{name}_needs_the_gpu_in_ci"), move || Err(e.into()))
                }
                (Err(_), Backend::Gpu) => Trial::test(name, test).with_ignored_flag(true),
                _ => Trial::test(name, test),
            });
        };
    for backend in Backend::ALL {
        let id = backend.name().replace('-', "_");
        for kind in workloads::ALL {
            let e = Arc::clone(&engine);
            add(
                format!("{}_conforms_on_{id}", kind.name()),
                backend,
                Box::new(move || problem_conforms(&e, kind, backend)),
            );
            let e = Arc::clone(&engine);
            add(
                format!("{}_runs_timed_on_{id}", kind.name()),
                backend,
                Box::new(move || timed_run_works(&e, kind, backend)),
            );
        }
        let e = Arc::clone(&engine);
        add(
            format!("a_user_sum_conforms_on_{id}"),
            backend,
            Box::new(move || user_sum_conforms(&e, backend)),
        );
        let e = Arc::clone(&engine);
        add(
            format!("a_user_map_conforms_on_{id}"),
            backend,
            Box::new(move || user_map_conforms(&e, backend)),
        );
    }
    libtest_mimic::run(&args, trials).exit();
}
