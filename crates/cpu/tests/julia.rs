//! Julia: every CPU backend returns the same counts, and the notebook's sum.

mod common;

use common::{THREAD_COUNTS, on_threads};
use hetero_core::reference::JULIA_NOTEBOOK_SUM;
use hetero_core::{Julia, JuliaParams, Viewport};
use hetero_cpu::{Inner, par, scalar, simd};

fn all_backends(spec: &Julia) -> [Vec<u32>; 4] {
    let mut out = [0; 4].map(|_| vec![0u32; spec.pixels()]);
    scalar::julia::render(spec, &mut out[0]).unwrap();
    simd::julia::render(spec, &mut out[1]).unwrap();
    par::julia::render(spec, &mut out[2], Inner::Scalar).unwrap();
    par::julia::render(spec, &mut out[3], Inner::Simd).unwrap();
    out
}

#[test]
fn notebook_image_sums_to_the_notebooks_figure_on_every_backend() {
    let spec = Julia::notebook();
    let [s, v, t, vt] = all_backends(&spec);
    let sum: u64 = s.iter().map(|&c| u64::from(c)).sum();
    assert_eq!(sum, JULIA_NOTEBOOK_SUM);
    assert!(s == v, "simd differs from scalar");
    assert!(s == t, "threads differs from scalar");
    assert!(s == vt, "simd-threads differs from scalar");
    assert_eq!(*s.iter().max().unwrap(), 50);
}

#[test]
fn thread_count_does_not_change_the_image() {
    let spec = JuliaParams::notebook(100).validate().unwrap();
    let mut reference = vec![0; spec.pixels()];
    scalar::julia::render(&spec, &mut reference).unwrap();
    for threads in THREAD_COUNTS {
        for inner in [Inner::Scalar, Inner::Simd] {
            let mut out = vec![0; spec.pixels()];
            on_threads(threads, || par::julia::render(&spec, &mut out, inner)).unwrap();
            assert!(out == reference, "{threads} threads, {inner:?}");
        }
    }
}

#[test]
fn widths_at_every_lane_boundary() {
    // 8 lanes, 32 per interleaved step: every tail shape.
    for width in [
        1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 39, 40, 41, 47, 63, 64, 65, 71,
    ] {
        for height in [1, 3] {
            let spec = JuliaParams {
                width,
                height,
                maxiters: 200,
                viewport: Viewport::centered(-0.1, 0.05, 0.9, 0.6),
                ..JuliaParams::default()
            }
            .validate()
            .unwrap();
            let [s, v, t, vt] = all_backends(&spec);
            assert!(s == v && s == t && s == vt, "{width}x{height}");
        }
    }
}

#[test]
fn maxiters_zero_gives_zero_counts() {
    let spec = JuliaParams {
        maxiters: 0,
        ..JuliaParams::notebook(10)
    }
    .validate()
    .unwrap();
    for counts in all_backends(&spec) {
        assert!(counts.iter().all(|&c| c == 0));
    }
}

#[test]
fn deep_zoom_with_many_iterations_agrees() {
    let spec = JuliaParams {
        width: 61,
        height: 37,
        maxiters: 5000,
        c_re: -0.4,
        c_im: 0.6,
        viewport: Viewport::centered(0.1, -0.2, 0.01, 0.006),
    }
    .validate()
    .unwrap();
    let [s, v, t, vt] = all_backends(&spec);
    assert!(s == v && s == t && s == vt);
    assert!(
        s.iter().any(|&c| c > 100),
        "the zoom should need many iterations"
    );
}

#[test]
fn wrong_output_length_is_an_error_on_every_backend() {
    let spec = JuliaParams::notebook(4).validate().unwrap();
    let mut short = vec![0; 31];
    assert!(scalar::julia::render(&spec, &mut short).is_err());
    assert!(simd::julia::render(&spec, &mut short).is_err());
    assert!(par::julia::render(&spec, &mut short, Inner::Scalar).is_err());
    assert!(par::julia::render(&spec, &mut short, Inner::Simd).is_err());
}
