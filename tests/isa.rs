//! Instruction-set levels: every level this CPU has gives the notebooks'
//! Julia counts and π hits bit for bit and midpoint and Gaussian within
//! their bounds, deterministically across thread counts; a level is
//! forced with `Engine::with_isa` or `HETERO_ISA`, and one that is not a
//! level (or that the CPU lacks) is a typed error, never a crash.
//! (CI also runs the whole suite once per level with `HETERO_ISA`, and the
//! kernel tests under `qemu-x86_64 -cpu Nehalem|Haswell`.)

mod support;

use hetero::reference::{EXP_NEG_SQUARE_0_1, exp_neg_square_rule_error};
use hetero::tolerance::relative_error;
use hetero::{Backend, Engine, Error, Gaussian, Isa, IsaError, Julia, Midpoint, Pi};

/// The levels this CPU has, lowest first (always the baseline).
fn levels() -> Vec<Isa> {
    Isa::ALL.into_iter().filter(|l| l.is_supported()).collect()
}

#[test]
fn the_engine_starts_at_the_best_level_or_the_one_hetero_isa_names() {
    let engine = Engine::with_threads(1).unwrap();
    assert_eq!(engine.isa(), Isa::from_env().unwrap());
    assert!(engine.isa().is_supported());
    for level in levels() {
        let forced = Engine::with_threads(1).unwrap().with_isa(level).unwrap();
        assert_eq!(forced.isa(), level);
        assert!(!forced.simd_lanes().is_empty());
    }
}

#[test]
fn every_level_gives_the_same_counts_and_hits_and_results_within_bounds() {
    let julia = Julia::notebook();
    let pi = Pi::new(3_000_001, 11).unwrap();
    let midpoint = Midpoint::notebook();
    let reference = Engine::with_threads(2).unwrap();
    let counts = reference.julia(&julia, Backend::Scalar).unwrap();
    let hits = reference.pi(&pi, Backend::Scalar).unwrap();
    let x: Vec<f64> = (0..1003).map(|i| f64::from(i) * 0.013 - 6.0).collect();
    let y: Vec<f64> = (0..1003).map(|i| f64::from(i % 17) * 0.21 - 1.0).collect();
    for level in levels() {
        for threads in [1, 2, 3] {
            let engine = Engine::with_threads(threads)
                .unwrap()
                .with_isa(level)
                .unwrap();
            for backend in [Backend::Simd, Backend::SimdThreads] {
                let at = format!("{level} {backend} x{threads}");
                assert!(
                    engine.julia(&julia, backend).unwrap() == counts,
                    "Julia counts at {at}"
                );
                assert_eq!(engine.pi(&pi, backend).unwrap(), hits, "π at {at}");
                let integral = engine.midpoint(&midpoint, backend).unwrap();
                let expected = EXP_NEG_SQUARE_0_1 + exp_neg_square_rule_error(1_000_000);
                assert!(
                    relative_error(integral, expected) < 1e-14,
                    "midpoint at {at}: {integral}"
                );
                let z = engine
                    .gaussian_f64_vec(&Gaussian::notebook(), &x, &y, backend)
                    .unwrap();
                for ((z, x), y) in z.iter().zip(&x).zip(&y) {
                    let want = (-(x - y) * (x - y)).exp();
                    assert!(
                        relative_error(*z, want) < 1e-15 || (*z - want).abs() < 1e-300,
                        "Gaussian at {at}: {z} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_level_is_deterministic_across_thread_counts() {
    let midpoint = Midpoint::new(-2.0, 3.0, 2_000_003).unwrap();
    for level in levels() {
        let bits = |threads: usize| {
            let engine = Engine::with_threads(threads)
                .unwrap()
                .with_isa(level)
                .unwrap();
            engine
                .midpoint(&midpoint, Backend::SimdThreads)
                .unwrap()
                .to_bits()
        };
        let one = bits(1);
        for threads in [2, 3, 8] {
            assert_eq!(bits(threads), one, "{level} x{threads}");
        }
        let sequential = Engine::with_threads(1)
            .unwrap()
            .with_isa(level)
            .unwrap()
            .midpoint(&midpoint, Backend::Simd)
            .unwrap();
        assert_eq!(sequential.to_bits(), one, "{level}: simd vs simd-threads");
    }
}

#[test]
fn a_level_the_cpu_lacks_is_a_typed_error_naming_what_it_has() {
    let best = Isa::detect();
    for level in Isa::ALL.into_iter().filter(|&l| l > best) {
        let err = Engine::with_threads(1)
            .unwrap()
            .with_isa(level)
            .unwrap_err();
        assert!(
            matches!(err, Error::Isa(IsaError::Unsupported { wanted, best: b, .. }) if wanted == level && b == best),
            "{err}"
        );
    }
    // Every level up to the best is accepted.
    for level in levels() {
        assert!(level.check().is_ok());
    }
}

#[test]
fn hetero_isa_is_read_by_every_example_and_a_bad_one_is_a_clear_error() {
    let run = |isa: &str| {
        support::example("pi")
            .args(["--backend", "simd", "--n", "100001", "--json"])
            .env("HETERO_ISA", isa)
            .output()
            .expect("the pi example runs")
    };
    let out = run("sse9");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("baseline, v3, v4"), "{stderr}");
    for level in levels() {
        let out = run(level.name());
        assert!(out.status.success(), "{level}: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report = stdout.lines().rfind(|l| l.starts_with('{')).expect("json");
        assert!(
            report.contains(&format!("\"isa\":\"{}\"", level.name())),
            "{report}"
        );
    }
    if let Some(missing) = Isa::ALL.into_iter().find(|l| !l.is_supported()) {
        let out = run(missing.name());
        assert_eq!(out.status.code(), Some(2), "{out:?}");
    }
}
