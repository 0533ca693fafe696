//! The `gpu` backend through the facade, on whatever adapter wgpu finds
//! (lavapipe in CI). With `CI` set a missing adapter fails; otherwise these
//! tests are reported as ignored, with the reason.

use hetero::reference::JULIA_NOTEBOOK_SUM;
use hetero::tolerance::relative_error;
use hetero::{
    Backend, Engine, Error, Gaussian, GpuError, Julia, Midpoint, Pi, Precision, WgslIntegrand,
};
use libtest_mimic::{Arguments, Failed, Trial};

type Outcome = Result<(), Failed>;

fn fail(e: impl std::fmt::Display) -> Failed {
    e.to_string().into()
}

fn gpu_agrees_with_the_cpu_on_every_problem(engine: &Engine) -> Outcome {
    let counts = engine
        .julia(&Julia::notebook(), Backend::Gpu)
        .map_err(fail)?;
    let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let cpu = engine
        .julia(&Julia::notebook(), Backend::SimdThreads)
        .map_err(fail)?;
    let differing = counts.iter().zip(&cpu).filter(|(a, b)| a != b).count();
    if differing > cpu.len() / 1000 {
        return Err(format!(
            "{differing} pixels differ from the CPU (sum {sum} vs {JULIA_NOTEBOOK_SUM})"
        )
        .into());
    }

    let pi = Pi::new(1_000_003, 11).map_err(fail)?;
    let (g, c) = (
        engine.pi(&pi, Backend::Gpu).map_err(fail)?,
        engine.pi(&pi, Backend::Simd).map_err(fail)?,
    );
    if g != c {
        return Err(format!("pi: gpu {g:?} vs cpu {c:?}").into());
    }

    let m = engine
        .midpoint(&Midpoint::notebook(), Backend::Gpu)
        .map_err(fail)?;
    let reference = engine
        .midpoint(&Midpoint::notebook(), Backend::Scalar)
        .map_err(fail)?;
    if relative_error(m, reference) > 2e-7 {
        return Err(format!("midpoint: gpu {m} vs cpu {reference}").into());
    }

    let (x, y) = ([0.0f32, 1.0, -2.0, 0.5], [0.0f32, 0.0, 1.0, 0.5]);
    let z = engine
        .gaussian_f32_vec(&Gaussian::notebook(), &x, &y, Backend::Gpu)
        .map_err(fail)?;
    let want = engine
        .gaussian_f32_vec(&Gaussian::notebook(), &x, &y, Backend::Scalar)
        .map_err(fail)?;
    for (a, b) in z.iter().zip(&want) {
        if (a - b).abs() > 1e-6 * b.max(1e-30) {
            return Err(format!("gaussian: {z:?} vs {want:?}").into());
        }
    }
    Ok(())
}

fn julia_rows_on_the_gpu_equal_the_whole_image(engine: &Engine) -> Outcome {
    let spec = hetero::JuliaParams::notebook(50).validate().map_err(fail)?;
    let whole = engine.julia(&spec, Backend::Gpu).map_err(fail)?;
    let width = spec.width();
    let mut pieces = vec![0; spec.pixels()];
    for (first, rows) in [(0, 7), (7, 33), (40, 10)] {
        engine
            .julia_rows(
                &spec,
                first,
                &mut pieces[first * width..(first + rows) * width],
                Backend::Gpu,
            )
            .map_err(fail)?;
    }
    if pieces != whole {
        return Err("row pieces differ from the whole image".into());
    }
    Ok(())
}

fn unsupported_combinations_are_typed_errors(engine: &Engine) -> Outcome {
    let e = engine
        .midpoint_with(&Midpoint::notebook(), &|x: f64| x, Backend::Gpu)
        .unwrap_err();
    if !matches!(e, Error::Unsupported { backend: "gpu", .. })
        || !e.to_string().contains("midpoint_wgsl")
    {
        return Err(format!("Rust integrand on gpu: {e}").into());
    }
    let e = engine
        .gaussian_f64_vec(&Gaussian::notebook(), &[1.0], &[2.0], Backend::Gpu)
        .unwrap_err();
    if !matches!(e, Error::Unsupported { .. }) || !e.to_string().contains("gaussian_f32") {
        return Err(format!("f64 gaussian on gpu: {e}").into());
    }
    let e = engine
        .midpoint_wgsl(
            &Midpoint::notebook(),
            &WgslIntegrand::new("return nope;"),
            Precision::F32,
        )
        .unwrap_err();
    if !matches!(e, Error::Gpu(GpuError::InvalidShader { .. })) {
        return Err(format!("invalid WGSL: {e}").into());
    }
    Ok(())
}

fn the_context_is_opened_once(engine: &Engine) -> Outcome {
    let a: *const _ = engine.gpu().map_err(fail)?;
    let b: *const _ = engine.gpu().map_err(fail)?;
    if a != b {
        return Err("two GPU contexts were opened".into());
    }
    println!("facade GPU: {}", engine.gpu().map_err(fail)?.describe());
    Ok(())
}

type Test = fn(&Engine) -> Outcome;

const TESTS: &[(&str, Test)] = &[
    (
        "gpu_agrees_with_the_cpu_on_every_problem",
        gpu_agrees_with_the_cpu_on_every_problem,
    ),
    (
        "julia_rows_on_the_gpu_equal_the_whole_image",
        julia_rows_on_the_gpu_equal_the_whole_image,
    ),
    (
        "unsupported_combinations_are_typed_errors",
        unsupported_combinations_are_typed_errors,
    ),
    ("the_context_is_opened_once", the_context_is_opened_once),
];

fn main() {
    let args = Arguments::from_args();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    let engine = std::sync::Arc::new(Engine::with_threads(2).expect("two threads start"));
    let trials = match engine.gpu() {
        Ok(_) => TESTS
            .iter()
            .map(|&(name, test)| {
                let engine = std::sync::Arc::clone(&engine);
                Trial::test(name, move || test(&engine))
            })
            .collect(),
        Err(e) if ci => vec![Trial::test("gpu_adapter_is_required_in_ci", move || {
            Err(fail(e))
        })],
        Err(e) => {
            eprintln!("GPU facade tests SKIPPED (reported as ignored): {e}");
            TESTS
                .iter()
                .map(|&(name, _)| Trial::test(name, || Ok(())).with_ignored_flag(true))
                .collect()
        }
    };
    libtest_mimic::run(&args, trials).exit();
}
