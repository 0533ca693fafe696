//! Julia: every CPU backend returns the same counts, and the notebook's sum.

mod common;

use common::{THREAD_COUNTS, map_all, map_on, on_threads};
use hetero_core::reference::JULIA_NOTEBOOK_SUM;
use hetero_core::{Julia, JuliaParams, Viewport};
use hetero_kernel::problems::julia::JuliaKernel;

fn all_backends(spec: &Julia) -> [Vec<u32>; 4] {
    map_all(&JuliaKernel::new(spec))
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
    let kernel = JuliaKernel::new(&spec);
    let mut reference = vec![0; spec.pixels()];
    map_on(&kernel, &mut reference, 0).unwrap();
    for threads in THREAD_COUNTS {
        for which in [2, 3] {
            let mut out = vec![0; spec.pixels()];
            on_threads(threads, || map_on(&kernel, &mut out, which)).unwrap();
            assert!(out == reference, "{threads} threads, backend {which}");
        }
    }
}

#[test]
fn widths_at_every_lane_boundary() {
    // 8 or 16 lanes, four vectors per interleaved step, four rows per band
    // (heights below, at and past a band, and a band plus a partial one):
    // every tail shape of rows and of columns.
    for width in [
        1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 39, 40, 41, 47, 63, 64, 65, 71,
    ] {
        for height in [1, 3, 4, 5, 9] {
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
    let kernel = JuliaKernel::new(&spec);
    let mut short = vec![0; 31];
    for which in 0..4 {
        assert!(matches!(
            map_on(&kernel, &mut short, which),
            Err(hetero_kernel::KernelError::OutputLength {
                expected: 32,
                got: 31,
                ..
            })
        ));
    }
}
