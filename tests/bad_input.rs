//! Bad input never panics: each case is a typed error whose message says
//! what to change, or a documented defined result.

use hetero::{Backend, Engine, Error, Gaussian, JuliaParams, Midpoint, Pi, ProblemError, Viewport};

fn message(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[test]
fn midpoint_with_no_subintervals() {
    let e = Midpoint::new(0.0, 1.0, 0).unwrap_err();
    assert!(matches!(e, ProblemError::ZeroCount { .. }));
    assert!(message(&e).contains("at least 1"), "{e}");
}

#[test]
fn midpoint_with_non_finite_bounds() {
    for (a, b, name) in [
        (f64::NAN, 1.0, "a"),
        (0.0, f64::INFINITY, "b"),
        (f64::NEG_INFINITY, 0.0, "a"),
    ] {
        let e = Midpoint::new(a, b, 10).unwrap_err();
        assert!(
            matches!(e, ProblemError::NotFinite { name: n, .. } if n == name),
            "{e}"
        );
        assert!(message(&e).contains("finite"));
    }
    let e = Midpoint::new(-1e308, 1e308, 10).unwrap_err();
    assert!(matches!(e, ProblemError::IntervalOverflow { .. }), "{e}");
}

#[test]
fn midpoint_reversed_bounds_is_the_negative_integral() {
    let engine = Engine::with_threads(2).unwrap();
    let forward = engine
        .midpoint(&Midpoint::new(0.0, 1.0, 1000).unwrap(), Backend::Simd)
        .unwrap();
    let backward = engine
        .midpoint(&Midpoint::new(1.0, 0.0, 1000).unwrap(), Backend::Simd)
        .unwrap();
    assert!(forward > 0.0 && (forward + backward).abs() < 1e-15);
}

#[test]
fn gaussian_mismatched_lengths_and_bad_gamma() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = Gaussian::notebook();
    for backend in Backend::CPU {
        let e = engine
            .gaussian_f64_vec(&spec, &[1.0, 2.0], &[1.0], backend)
            .unwrap_err();
        assert_eq!(
            e,
            Error::Problem(ProblemError::LengthMismatch { x: 2, y: 1, out: 2 })
        );
        assert!(message(&e).contains("same length"));
        let mut out = [0.0f32; 3];
        let e = engine
            .gaussian_f32(&spec, &[1.0; 3], &[1.0; 3], &mut out[..2], backend)
            .unwrap_err();
        assert!(matches!(
            e,
            Error::Problem(ProblemError::LengthMismatch { out: 2, .. })
        ));
    }
    assert!(matches!(
        Gaussian::new(-0.5),
        Err(ProblemError::NegativeGamma { .. })
    ));
    assert!(matches!(
        Gaussian::new(f64::INFINITY),
        Err(ProblemError::NotFinite { .. })
    ));
}

#[test]
fn gaussian_empty_arrays_give_an_empty_result() {
    let engine = Engine::with_threads(2).unwrap();
    for backend in Backend::CPU {
        let z = engine
            .gaussian_f64_vec(&Gaussian::notebook(), &[], &[], backend)
            .unwrap();
        assert!(z.is_empty());
    }
}

#[test]
fn julia_bad_images() {
    let check = |p: JuliaParams, what: &str| {
        let e = p.validate().unwrap_err();
        assert!(message(&e).contains(what), "{e}");
    };
    check(
        JuliaParams {
            width: 0,
            ..JuliaParams::default()
        },
        "at least 1",
    );
    check(
        JuliaParams {
            height: 0,
            ..JuliaParams::default()
        },
        "at least 1",
    );
    check(
        JuliaParams {
            width: usize::MAX,
            height: 2,
            ..JuliaParams::default()
        },
        "smaller size",
    );
    check(
        JuliaParams {
            c_im: f32::INFINITY,
            ..JuliaParams::default()
        },
        "finite",
    );
    check(
        JuliaParams {
            viewport: Viewport {
                x_min: f64::NAN,
                ..Viewport::NOTEBOOK
            },
            ..JuliaParams::default()
        },
        "finite",
    );
    check(
        JuliaParams {
            viewport: Viewport {
                y_min: 1.0,
                y_max: 1.0,
                ..Viewport::NOTEBOOK
            },
            ..JuliaParams::default()
        },
        "below its maximum",
    );
}

#[test]
fn julia_maxiters_zero_is_all_zero_counts() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = JuliaParams {
        maxiters: 0,
        ..JuliaParams::notebook(20)
    }
    .validate()
    .unwrap();
    for backend in Backend::CPU {
        assert!(
            engine
                .julia(&spec, backend)
                .unwrap()
                .iter()
                .all(|&c| c == 0)
        );
    }
}

#[test]
fn julia_wrong_output_buffer() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = JuliaParams::notebook(10).validate().unwrap();
    let mut out = vec![0; 199];
    let e = engine
        .julia_into(&spec, &mut out, Backend::SimdThreads)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Problem(ProblemError::OutputSize {
                expected: 200,
                got: 199,
                ..
            })
        ),
        "{e}"
    );
}

#[test]
fn julia_too_large_to_allocate_is_an_error_not_an_abort() {
    // Valid in the address space, impossible to allocate (2^60 bytes).
    let spec = JuliaParams {
        width: 1 << 29,
        height: 1 << 29,
        ..JuliaParams::default()
    }
    .validate()
    .unwrap();
    let e = Engine::with_threads(1)
        .unwrap()
        .julia(&spec, Backend::Scalar)
        .unwrap_err();
    assert!(
        matches!(e, Error::OutOfMemory(ref a) if a.bytes() == 1 << 60),
        "{e}"
    );
}

#[test]
fn pi_with_no_samples() {
    let e = Pi::new(0, 1).unwrap_err();
    assert!(matches!(e, ProblemError::ZeroCount { .. }));
    assert!(message(&e).contains("samples"));
}

#[test]
fn zero_threads() {
    let e = Engine::with_threads(0).unwrap_err();
    assert_eq!(e, Error::ZeroThreads);
    assert!(message(&e).contains("at least 1"));
}

#[test]
fn absurd_thread_counts_are_refused_before_any_thread_starts() {
    let limit = Engine::max_threads();
    assert!(limit >= hetero::MAX_THREADS_PER_CORE);
    let started = std::time::Instant::now();
    for threads in [limit + 1, 100_000, usize::MAX] {
        let e = Engine::with_threads(threads).unwrap_err();
        assert!(
            matches!(e, Error::TooManyThreads { threads: t, limit: l, .. } if t == threads && l == limit),
            "{e}"
        );
        assert!(message(&e).contains(&format!("at most {limit}")), "{e}");
    }
    assert!(
        started.elapsed().as_secs() < 5,
        "refused without starting threads"
    );
    // The limit itself is accepted.
    assert_eq!(Engine::with_threads(limit).unwrap().threads(), limit);
}
