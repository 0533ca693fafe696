//! Midpoint: accuracy against compensated and exact references, and
//! bit-identical results for every thread count.

mod common;

use common::{THREAD_COUNTS, on_threads, reduce_all, reduce_on};
use hetero_core::reference::{EXP_NEG_SQUARE_0_1, exp_neg_square_rule_error, midpoint_compensated};
use hetero_core::tolerance::{MIDPOINT_CPU_REL, relative_error};
use hetero_core::{Midpoint, chunks::MIDPOINT_CHUNK};
use hetero_kernel::Real;
use hetero_kernel::problems::midpoint::{ExpNegSquare, Integrand, MidpointKernel};
use proptest::prelude::*;

fn all_backends<F: Integrand>(spec: &Midpoint, f: &F) -> [f64; 4] {
    reduce_all(&MidpointKernel::new(spec, f))
}

fn exp_neg_square(x: f64) -> f64 {
    (-x * x).exp()
}

#[test]
fn notebook_size_is_within_1e14_of_a_compensated_sum_on_every_backend() {
    let spec = Midpoint::notebook();
    let reference = midpoint_compensated(&spec, exp_neg_square);
    for (backend, value) in ["scalar", "simd", "threads", "simd-threads"]
        .iter()
        .zip(all_backends(&spec, &ExpNegSquare))
    {
        let err = relative_error(value, reference);
        assert!(
            err <= MIDPOINT_CPU_REL,
            "{backend}: {value} vs {reference}: {err:e}"
        );
        // The rule overestimates by h²/(12e); nothing else may be visible.
        let expected_bias = exp_neg_square_rule_error(spec.n());
        let bias = value - EXP_NEG_SQUARE_0_1;
        assert!(
            (bias - expected_bias).abs() < 0.1 * expected_bias,
            "{backend}: bias {bias:e} vs {expected_bias:e}"
        );
    }
}

#[test]
fn naive_summation_would_fail_this_tolerance() {
    // Guards the test above: a plain running sum of the same terms misses
    // the compensated reference by more than 1e-14 at n = 10^6... or at
    // least is measurably worse.
    let spec = Midpoint::notebook();
    let h = spec.h();
    let naive: f64 = h
        * (0..spec.n())
            .map(|i| exp_neg_square(spec.node(i, h)))
            .sum::<f64>();
    let reference = midpoint_compensated(&spec, exp_neg_square);
    let ours = reduce_on(&MidpointKernel::new(&spec, &ExpNegSquare), 0).unwrap();
    assert!(relative_error(ours, reference) < relative_error(naive, reference));
}

/// The correctly rounded sum of `values`: Shewchuk's exact summation with
/// a final half-even correction (the algorithm of Python's `math.fsum`).
/// Written here, so the oracle shares nothing with the code under test —
/// no `Neumaier`, no chunk tree.
fn exact_sum(values: impl Iterator<Item = f64>) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in values {
        let mut kept = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                core::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);
        partials.push(x);
    }
    // Add the non-overlapping partials from the top; stop at the first
    // inexact step, and round half-even using the next partial's sign.
    let mut hi = 0.0;
    let mut lo = 0.0;
    let mut k = partials.len();
    while k > 0 {
        k -= 1;
        let x = hi;
        let y = partials[k];
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    if k > 0 && ((lo < 0.0 && partials[k - 1] < 0.0) || (lo > 0.0 && partials[k - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// The terms of the rule, computed independently of `Midpoint::node`.
fn terms(a: f64, b: f64, n: u64) -> impl Iterator<Item = f64> {
    let h = (b - a) / n as f64;
    (0..n).map(move |i| exp_neg_square(a + (i as f64 + 0.5) * h))
}

/// Relative distance in units of f64's epsilon.
fn eps_apart(value: f64, reference: f64) -> f64 {
    relative_error(value, reference) / f64::EPSILON
}

/// Every backend within 1 eps (relative) of h times the exactly rounded sum
/// of the terms: only compensated summation gets there (the guard below
/// shows a plain sum along the same chunk tree misses by 25–55 eps at these
/// sizes). The terms' own exp differs from libm's by at most 2 ulp each,
/// unbiased, which averages out.
#[test]
fn every_backend_is_within_1_eps_of_an_exact_sum() {
    for (a, b, n) in PLAIN_SUM_FAILS
        .into_iter()
        .chain([(0.0, 1.0, 10_000_000u64), (-0.3, 2.7, 1_234_567)])
    {
        let spec = Midpoint::new(a, b, n).unwrap();
        let reference = spec.h() * exact_sum(terms(a, b, n));
        for (backend, value) in ["scalar", "simd", "threads", "simd-threads"]
            .iter()
            .zip(all_backends(&spec, &ExpNegSquare))
        {
            let apart = eps_apart(value, reference);
            assert!(
                apart <= 1.0,
                "{backend} on [{a}, {b}], n = {n}: {value} vs exact {reference} ({apart:.1} eps)"
            );
        }
    }
}

/// Sizes of one or two chunks, where a plain running sum's error (growing
/// like √chunk) is far from the exact sum. (At n = 10^7 the fixed tree's
/// many chunks average a plain sum's errors down to about 1 eps, so those
/// sizes alone could not tell.)
const PLAIN_SUM_FAILS: [(f64, f64, u64); 3] =
    [(0.0, 3.0, 16_384), (-3.0, 3.0, 16_384), (-0.3, 2.7, 30_000)];

#[test]
fn a_plain_sum_along_the_same_tree_would_fail_that_test() {
    // The same chunks and tree, without compensation: the test above must
    // be able to tell the difference.
    for (a, b, n) in PLAIN_SUM_FAILS {
        let spec = Midpoint::new(a, b, n).unwrap();
        let all: Vec<f64> = terms(a, b, n).collect();
        let chunk = MIDPOINT_CHUNK;
        let chunks = n.div_ceil(chunk);
        let plain = hetero_core::chunks::tree_reduce(
            0,
            chunks,
            &|c| {
                let r = hetero_core::chunks::chunk_range(c, n, chunk);
                all[r.start as usize..r.end as usize].iter().sum::<f64>()
            },
            &|x, y| x + y,
        );
        let reference = spec.h() * exact_sum(all.iter().copied());
        let apart = eps_apart(spec.h() * plain, reference);
        assert!(
            apart > 8.0,
            "n = {n}: a plain sum is only {apart:.1} eps off"
        );
    }
}

#[test]
fn threads_equal_scalar_and_simd_threads_equal_simd_bit_for_bit() {
    let spec = Midpoint::new(-0.3, 2.7, 1_234_567).unwrap();
    let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
    let s = reduce_on(&kernel, 0).unwrap();
    let v = reduce_on(&kernel, 1).unwrap();
    for threads in THREAD_COUNTS {
        let t = on_threads(threads, || reduce_on(&kernel, 2).unwrap());
        let vt = on_threads(threads, || reduce_on(&kernel, 3).unwrap());
        assert_eq!(t.to_bits(), s.to_bits(), "threads with {threads} threads");
        assert_eq!(
            vt.to_bits(),
            v.to_bits(),
            "simd-threads with {threads} threads"
        );
    }
}

#[test]
fn boundary_sizes_agree_with_the_compensated_sum() {
    let c = MIDPOINT_CHUNK;
    for n in [
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        15,
        16,
        17,
        c - 1,
        c,
        c + 1,
        2 * c + 3,
        64 * c + 1,
    ] {
        let spec = Midpoint::new(-1.5, 0.5, n).unwrap();
        let reference = midpoint_compensated(&spec, exp_neg_square);
        for value in all_backends(&spec, &ExpNegSquare) {
            assert!(
                relative_error(value, reference) <= MIDPOINT_CPU_REL,
                "n = {n}: {value} vs {reference}"
            );
        }
    }
}

#[test]
fn reversed_and_empty_intervals() {
    let forward = Midpoint::new(0.0, 1.0, 1000).unwrap();
    let backward = Midpoint::new(1.0, 0.0, 1000).unwrap();
    let point = Midpoint::new(0.5, 0.5, 1000).unwrap();
    for (f, b) in all_backends(&forward, &ExpNegSquare)
        .into_iter()
        .zip(all_backends(&backward, &ExpNegSquare))
    {
        assert!(relative_error(b, -f) < 1e-14, "{b} vs -{f}");
    }
    for value in all_backends(&point, &ExpNegSquare) {
        assert_eq!(value, 0.0);
    }
}

#[test]
fn user_integrands_run_on_every_backend() {
    // ∫₀^π sin = 2; the rule's error is π²/(24 n²)·2 ≈ 8e-7·(1000/n)².
    let spec = Midpoint::new(0.0, core::f64::consts::PI, 1000).unwrap();
    let sin = |x: f64| x.sin();
    let reference = midpoint_compensated(&spec, sin);
    for value in all_backends(&spec, &sin) {
        assert!(relative_error(value, reference) <= MIDPOINT_CPU_REL);
        assert!((value - 2.0).abs() < 1e-6);
    }
}

#[test]
fn a_cubic_is_integrated_to_its_closed_form() {
    // The midpoint rule's error for x³ on [0, 2] is exactly −(b−a)·h²/24·f''
    // averaged: ∫ = 4, rule = 4 − 2·h²/4·... just check against the sum.
    struct Cubic;
    impl Integrand for Cubic {
        fn eval<R: Real>(&self, x: R) -> R {
            x * x * x
        }
    }
    let spec = Midpoint::new(0.0, 2.0, 4096).unwrap();
    let h = spec.h();
    // Σ (i+½)³ h⁴ has the closed form 4 − h²·(b−a)·6/24·... : the rule for
    // a cubic equals ∫ − (b−a)h²/24 · mean(f'') = 4 − 2·h²/24·6 = 4 − h²/2.
    let exact_rule = 4.0 - h * h / 2.0;
    for value in all_backends(&spec, &Cubic) {
        assert!(
            relative_error(value, exact_rule) < 1e-15,
            "{value} vs {exact_rule}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn simd_and_threads_match_scalar(a in -5.0f64..5.0, width in -5.0f64..5.0, n in 1u64..100_000) {
        let spec = Midpoint::new(a, a + width, n).unwrap();
        let [s, v, t, vt] = all_backends(&spec, &ExpNegSquare);
        prop_assert_eq!(t.to_bits(), s.to_bits());
        prop_assert_eq!(vt.to_bits(), v.to_bits());
        let scale = s.abs().max(f64::MIN_POSITIVE);
        prop_assert!((v - s).abs() <= MIDPOINT_CPU_REL * scale, "{} vs {}", v, s);
    }
}
