//! Facade-level cross-backend checks: every CPU backend through `Engine`,
//! names, and results independent of the engine's thread count.

use hetero::reference::{EXP_NEG_SQUARE_0_1, JULIA_NOTEBOOK_SUM, exp_neg_square_rule_error};
use hetero::tolerance::relative_error;
use hetero::{Backend, Engine, Error, Gaussian, Julia, Midpoint, Pi};

#[test]
fn names_round_trip_and_are_stable() {
    let names: Vec<_> = Backend::ALL.iter().map(|b| b.to_string()).collect();
    assert_eq!(
        names,
        [
            "scalar",
            "simd",
            "threads",
            "simd-threads",
            "gpu",
            "hybrid",
            "auto"
        ]
    );
    assert_eq!(
        Backend::SPACES.len() + Backend::POLICIES.len(),
        Backend::ALL.len()
    );
    for b in Backend::SPACES {
        assert!(
            b.space().is_some() && !Backend::POLICIES.contains(&b),
            "{b}"
        );
    }
    for b in Backend::ALL {
        assert_eq!(b.name().parse::<Backend>().unwrap(), b);
    }
    assert_eq!(
        "SIMD_Threads".parse::<Backend>().unwrap(),
        Backend::SimdThreads
    );
    let err = "cuda".parse::<Backend>().unwrap_err();
    assert_eq!(
        err,
        Error::UnknownBackend {
            name: "cuda".into()
        }
    );
    assert!(err.to_string().contains("simd-threads"), "{err}");
}

#[test]
fn every_cpu_backend_solves_the_four_notebook_problems() {
    let engine = Engine::new().unwrap();
    let spec = Julia::notebook();
    for backend in Backend::CPU {
        let integral = engine.midpoint(&Midpoint::notebook(), backend).unwrap();
        let expected = EXP_NEG_SQUARE_0_1 + exp_neg_square_rule_error(1_000_000);
        assert!(
            relative_error(integral, expected) < 1e-14,
            "{backend}: {integral}"
        );

        let counts = engine.julia(&spec, backend).unwrap();
        assert_eq!(
            counts.iter().map(|&c| u64::from(c)).sum::<u64>(),
            JULIA_NOTEBOOK_SUM,
            "{backend}"
        );

        let pi = engine.pi(&Pi::notebook(), backend).unwrap();
        assert!(
            pi.error().abs() < 4.0 * pi.sigma(),
            "{backend}: {}",
            pi.estimate()
        );

        let x = [0.0, 1.0, -2.0, 0.5, 3.0];
        let y = [0.0, 0.0, 1.0, 0.5, -1.0];
        let z = engine
            .gaussian_f64_vec(&Gaussian::notebook(), &x, &y, backend)
            .unwrap();
        for ((z, x), y) in z.iter().zip(x).zip(y) {
            assert!(
                relative_error(*z, (-(x - y) * (x - y)).exp()) < 1e-15,
                "{backend}"
            );
        }
    }
}

#[test]
fn results_do_not_depend_on_the_engine_thread_count() {
    let midpoint = Midpoint::new(-2.0, 3.0, 2_000_003).unwrap();
    let pi = Pi::new(1_000_001, 5).unwrap();
    let julia = hetero::JuliaParams::notebook(64).validate().unwrap();
    let single = Engine::with_threads(1).unwrap();
    for backend in [Backend::Threads, Backend::SimdThreads] {
        let m1 = single.midpoint(&midpoint, backend).unwrap();
        let p1 = single.pi(&pi, backend).unwrap();
        let j1 = single.julia(&julia, backend).unwrap();
        for threads in [2, 3, 8] {
            let engine = Engine::with_threads(threads).unwrap();
            assert_eq!(engine.threads(), threads);
            assert_eq!(
                engine.midpoint(&midpoint, backend).unwrap().to_bits(),
                m1.to_bits(),
                "{backend} x{threads}"
            );
            assert_eq!(engine.pi(&pi, backend).unwrap(), p1);
            assert!(engine.julia(&julia, backend).unwrap() == j1);
        }
    }
    // And the sequential twins agree bit for bit with the parallel ones.
    assert_eq!(
        single
            .midpoint(&midpoint, Backend::Scalar)
            .unwrap()
            .to_bits(),
        single
            .midpoint(&midpoint, Backend::Threads)
            .unwrap()
            .to_bits()
    );
    assert_eq!(
        single.midpoint(&midpoint, Backend::Simd).unwrap().to_bits(),
        single
            .midpoint(&midpoint, Backend::SimdThreads)
            .unwrap()
            .to_bits()
    );
}

#[test]
fn closures_integrate_through_the_facade() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = Midpoint::new(0.0, 1.0, 100_000).unwrap();
    for backend in Backend::CPU {
        let v = engine
            .midpoint_with(&spec, &|x: f64| 3.0 * x * x, backend)
            .unwrap();
        assert!((v - 1.0).abs() < 1e-9, "{backend}: {v}");
    }
}

#[test]
fn julia_in_row_pieces_equals_the_whole_image() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = hetero::JuliaParams::notebook(37).validate().unwrap();
    let whole = engine.julia(&spec, Backend::Scalar).unwrap();
    let width = spec.width();
    for backend in Backend::CPU {
        let mut pieces = vec![0; spec.pixels()];
        let mut first_row = 0;
        for rows in [1, 5, 16, 15] {
            let piece = &mut pieces[first_row * width..(first_row + rows) * width];
            engine.julia_rows(&spec, first_row, piece, backend).unwrap();
            first_row += rows;
        }
        assert_eq!(first_row, spec.height());
        assert!(pieces == whole, "{backend}");
        let e = engine
            .julia_rows(&spec, 30, &mut vec![0; 8 * width], backend)
            .unwrap_err();
        assert!(
            matches!(e, Error::Problem(hetero::ProblemError::RowRange { .. })),
            "{e}"
        );
        let e = engine
            .julia_rows(&spec, 0, &mut vec![0; width + 1], backend)
            .unwrap_err();
        assert!(
            matches!(e, Error::Problem(hetero::ProblemError::RowRange { .. })),
            "{e}"
        );
    }
}
