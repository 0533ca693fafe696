//! Gaussian: SIMD within the stated ULP bound of scalar, threads equal to
//! their sequential kernel, edge inputs, and every boundary size.

mod common;

use common::{SplitMix, THREAD_COUNTS, map_all, map_on, on_threads};
use hetero_core::chunks::GAUSSIAN_CHUNK;
use hetero_core::tolerance::{EXP_F32_ULP, EXP_F64_ULP, ulp_distance_f32, ulp_distance_f64};
use hetero_core::{Gaussian, ProblemError};
use hetero_kernel::problems::gaussian::GaussianKernel;
use proptest::prelude::*;

fn edge_values() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        -f64::from_bits(3),
        1e-300,
        1.0,
        -1.0,
        26.0,
        27.3,
        1e154,
        -1e154,
        f64::MAX,
        -f64::MAX,
    ]
}

/// Every pairing of the edge values, padded with random normals to an odd length.
fn edge_inputs() -> (Vec<f64>, Vec<f64>) {
    let edges = edge_values();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for &a in &edges {
        for &b in &edges {
            x.push(a);
            y.push(b);
        }
    }
    let mut rng = SplitMix(7);
    while x.len() % 8 != 5 {
        x.push(rng.uniform(3.0));
        y.push(rng.uniform(3.0));
    }
    (x, y)
}

fn run_f64(spec: &Gaussian, x: &[f64], y: &[f64]) -> [Vec<f64>; 4] {
    map_all(&GaussianKernel::new(spec, x, y).unwrap())
}

fn run_f32(spec: &Gaussian, x: &[f32], y: &[f32]) -> [Vec<f32>; 4] {
    map_all(&GaussianKernel::new(spec, x, y).unwrap())
}

fn assert_f64_close(s: &[f64], v: &[f64], what: &str) {
    for (i, (&a, &b)) in s.iter().zip(v).enumerate() {
        let d = ulp_distance_f64(a, b);
        assert!(d <= EXP_F64_ULP, "{what}[{i}]: {a} vs {b} ({d} ulp)");
    }
}

fn assert_f32_close(s: &[f32], v: &[f32], what: &str) {
    for (i, (&a, &b)) in s.iter().zip(v).enumerate() {
        let d = ulp_distance_f32(a, b);
        assert!(d <= EXP_F32_ULP, "{what}[{i}]: {a} vs {b} ({d} ulp)");
    }
}

fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn edge_inputs_f64() {
    let (x, y) = edge_inputs();
    for gamma in [0.0, 0.5, 1.0, 1e-300, 1e300] {
        let spec = Gaussian::new(gamma).unwrap();
        let [s, v, t, vt] = run_f64(&spec, &x, &y);
        assert_f64_close(&s, &v, "simd");
        assert_eq!(bits64(&s), bits64(&t), "threads");
        assert_eq!(bits64(&v), bits64(&vt), "simd-threads");
    }
    // The defined results: NaN in, NaN out; infinite difference, 0.
    let spec = Gaussian::notebook();
    let [s, v, ..] = run_f64(
        &spec,
        &[f64::NAN, f64::INFINITY, 1e200, 3.0],
        &[0.0, 0.0, -1e200, 3.0],
    );
    for out in [s, v] {
        assert!(out[0].is_nan());
        assert_eq!(&out[1..], &[0.0, 0.0, 1.0]);
    }
}

#[test]
fn edge_inputs_f32() {
    let (x, y) = edge_inputs();
    let (x, y): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    for gamma in [0.0, 0.5, 1.0, 1e30] {
        let spec = Gaussian::new(gamma).unwrap();
        let [s, v, t, vt] = run_f32(&spec, &x, &y);
        assert_f32_close(&s, &v, "simd");
        assert_eq!(bits32(&s), bits32(&t), "threads");
        assert_eq!(bits32(&v), bits32(&vt), "simd-threads");
    }
}

#[test]
fn gamma_zero_is_one_wherever_the_difference_is_a_number() {
    // Without the defined rule 0·∞ gives NaN for an infinite difference.
    let spec = Gaussian::new(0.0).unwrap();
    let (x, y) = edge_inputs();
    // Any NaN is a NaN (its sign and payload are the input's).
    let agree = |out: &[f64], expected: &[f64], what: &str| {
        let same = out
            .iter()
            .zip(expected)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
        assert!(same, "{what}: {out:?}");
    };
    let rule = |d: f64| if d.is_nan() { f64::NAN } else { 1.0 };
    let expected: Vec<f64> = x.iter().zip(&y).map(|(&a, &b)| rule(a - b)).collect();
    for (backend, out) in run_f64(&spec, &x, &y).iter().enumerate() {
        agree(out, &expected, &format!("f64 backend {backend}"));
    }
    let (x32, y32): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    let expected32: Vec<f64> = x32
        .iter()
        .zip(&y32)
        .map(|(&a, &b)| rule(f64::from(a - b)))
        .collect();
    for (backend, out) in run_f32(&spec, &x32, &y32).iter().enumerate() {
        let widened: Vec<f64> = out.iter().map(|&v| f64::from(v)).collect();
        agree(&widened, &expected32, &format!("f32 backend {backend}"));
    }
    assert_eq!(
        hetero_core::gaussian::kernel_f64(0.0, f64::INFINITY, 0.0),
        1.0
    );
}

#[test]
fn a_gamma_beyond_f32_is_an_error_for_f32_and_fine_for_f64() {
    let spec = Gaussian::new(1e300).unwrap();
    let e = GaussianKernel::new(&spec, &[1.0f32], &[1.0f32]).unwrap_err();
    assert!(
        matches!(
            e,
            ProblemError::GammaOutOfRange {
                precision: "f32",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("f64"), "{e}");
    // f64 takes it: x == y gives exactly 1, any difference 0.
    let [s, v, t, vt] = run_f64(&spec, &[2.0, 2.0], &[2.0, 2.5]);
    for out in [s, v, t, vt] {
        assert_eq!(out, [1.0, 0.0]);
    }
    // The largest f32 is still accepted in f32.
    let edge = Gaussian::new(f64::from(f32::MAX)).unwrap();
    assert!(GaussianKernel::new(&edge, &[1.0f32], &[1.0f32]).is_ok());
}

#[test]
fn every_boundary_size_and_thread_count() {
    let c = GAUSSIAN_CHUNK;
    let mut rng = SplitMix(11);
    for n in [0, 1, 3, 4, 5, 7, 8, 9, 17, c - 1, c, c + 1, 3 * c + 5] {
        let x: Vec<f64> = (0..n).map(|_| rng.uniform(4.0)).collect();
        let y: Vec<f64> = (0..n).map(|_| rng.uniform(4.0)).collect();
        let spec = Gaussian::notebook();
        let [s, v, t, vt] = run_f64(&spec, &x, &y);
        assert_f64_close(&s, &v, "simd");
        assert_eq!(bits64(&s), bits64(&t));
        assert_eq!(bits64(&v), bits64(&vt));
        let (x32, y32): (Vec<f32>, Vec<f32>) = (
            x.iter().map(|&v| v as f32).collect(),
            y.iter().map(|&v| v as f32).collect(),
        );
        let [s, v, t, vt] = run_f32(&spec, &x32, &y32);
        assert_f32_close(&s, &v, "simd f32");
        assert_eq!(bits32(&s), bits32(&t));
        assert_eq!(bits32(&v), bits32(&vt));
        for threads in THREAD_COUNTS {
            let mut out = vec![0.0; n];
            let kernel = GaussianKernel::new(&spec, &x, &y).unwrap();
            on_threads(threads, || map_on(&kernel, &mut out, 3)).unwrap();
            assert_eq!(
                bits64(&out),
                bits64(&v_of(&spec, &x, &y)),
                "{threads} threads, n = {n}"
            );
        }
    }
}

fn v_of(spec: &Gaussian, x: &[f64], y: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    map_on(&GaussianKernel::new(spec, x, y).unwrap(), &mut out, 1).unwrap();
    out
}

#[test]
fn mismatched_lengths_are_errors_not_truncation() {
    let spec = Gaussian::notebook();
    let (x, y) = (vec![1.0; 5], vec![1.0; 4]);
    assert!(matches!(
        GaussianKernel::new(&spec, &x, &y),
        Err(ProblemError::LengthMismatch { x: 5, y: 4, .. })
    ));
    let kernel = GaussianKernel::new(&spec, &x, &x).unwrap();
    let mut out = vec![7.0; 4];
    for which in 0..4 {
        assert!(map_on(&kernel, &mut out, which).is_err());
    }
    assert!(out.iter().all(|&v| v == 7.0), "nothing is written on error");
}

proptest! {
    #[test]
    fn simd_within_bound_of_scalar_f64(
        pairs in prop::collection::vec((any::<f64>(), any::<f64>()), 0..67),
        gamma in 0.0f64..10.0,
    ) {
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let spec = Gaussian::new(gamma).unwrap();
        let [s, v, t, vt] = run_f64(&spec, &x, &y);
        for (a, b) in s.iter().zip(&v) {
            prop_assert!(ulp_distance_f64(*a, *b) <= EXP_F64_ULP, "{} vs {}", a, b);
        }
        prop_assert_eq!(bits64(&s), bits64(&t));
        prop_assert_eq!(bits64(&v), bits64(&vt));
    }

    #[test]
    fn simd_within_bound_of_scalar_f32(
        pairs in prop::collection::vec((-12.0f32..12.0, -12.0f32..12.0), 0..67),
        gamma in 0.0f64..4.0,
    ) {
        let (x, y): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
        let spec = Gaussian::new(gamma).unwrap();
        let [s, v, ..] = run_f32(&spec, &x, &y);
        for (a, b) in s.iter().zip(&v) {
            prop_assert!(ulp_distance_f32(*a, *b) <= EXP_F32_ULP, "{} vs {}", a, b);
        }
    }
}
