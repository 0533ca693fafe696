//! Every problem, from the registry: each kernel has a bench workload (and
//! nothing else does), and each workload validates against `scalar` on
//! every backend, the GPU included, at its smallest size. A new problem is
//! checked here without a new test.
//!
//! A custom harness (libtest-mimic), so a missing GPU is visible: with `CI`
//! set it fails; otherwise the GPU trials are reported as ignored.

use hetero::{Backend, Engine};
use hetero_bench::workloads::{self, Kind};
use libtest_mimic::{Arguments, Failed, Trial};

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

/// `kind` at its smallest size on `backend`, validated against `scalar`.
fn validates(engine: &Engine, kind: &dyn Kind, backend: Backend) -> Result<(), Failed> {
    let sizes = kind.scaling_sizes();
    if !sizes.windows(2).all(|w| w[0] < w[1]) || kind.quick_size() > kind.seed_size() {
        return Err(format!("{}: sizes out of order", kind.name()).into());
    }
    let work = kind.build(sizes[0]).map_err(|e| e.to_string())?;
    let reference = work
        .run(engine, Backend::Scalar)
        .map_err(|e| e.to_string())?;
    let output = work.run(engine, backend).map_err(|e| e.to_string())?;
    let v = work.validate(backend, &output, &reference);
    if !v.valid {
        return Err(format!("{} on {backend}: {v:?}", kind.name()).into());
    }
    work.run_timed(engine, backend).map_err(|e| e.to_string())?;
    Ok(())
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn main() {
    // SAFETY: first thing in main; no other thread exists yet.
    unsafe { hetero::quiet_gpu_probe() };
    let args = Arguments::from_args();
    let engine = std::sync::Arc::new(Engine::with_threads(2).expect("two threads start"));
    let gpu = engine.gpu_adapter();
    if let Err(e) = &gpu {
        eprintln!("GPU trials SKIPPED (reported as ignored): {e}");
    }
    let mut trials = vec![Trial::test(
        "the_bench_covers_exactly_the_registered_problems",
        registry_matches_the_problems,
    )];
    for kind in workloads::ALL {
        for backend in Backend::SPACES {
            let name = format!(
                "{}_validates_on_{}",
                kind.name(),
                backend.name().replace('-', "_")
            );
            let engine = std::sync::Arc::clone(&engine);
            let trial = Trial::test(name, move || validates(&engine, kind, backend));
            trials.push(match (&gpu, backend) {
                (Err(e), Backend::Gpu) if ci() => {
                    let e = e.to_string();
                    Trial::test(
                        format!("{}_gpu_is_required_in_ci", kind.name()),
                        move || Err(e.into()),
                    )
                }
                (Err(_), Backend::Gpu) => trial.with_ignored_flag(true),
                _ => trial,
            });
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
