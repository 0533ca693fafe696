//! Every `Real` implementation, lane by lane, against the one-lane type:
//! edge values (0, −0, ±∞, NaN, subnormals, huge) and random bit patterns,
//! as `wide`'s own tests check its operators.

use hetero_core::tolerance::{EXP_F32_ULP, EXP_F64_ULP, ulp_distance_f32, ulp_distance_f64};
use hetero_kernel::wide::{f32x4, f32x8, f32x16, f64x2, f64x4, f64x8};
use hetero_kernel::{Counts, Float, Mask, Real};
use proptest::prelude::*;

/// Bitwise equality, with every NaN equal to every NaN.
fn same<T: Float>(a: T, b: T) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_f64().to_bits() == b.to_f64().to_bits()
}

fn edge_values_f64() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::from_bits(1),
        -f64::MIN_POSITIVE / 3.0,
        f64::MAX,
        -1e300,
        0.1,
        3.5,
        -7.25,
        1e-300,
        42.0,
    ]
}

/// Lanes of `R` taken from `values` at `offset`, wrapping around.
fn gather<R: Real>(values: &[R::Scalar], offset: usize) -> R {
    R::from_fn(|i| values[(offset + i) % values.len()])
}

/// Checks every exact operation of `R` lane-wise against `R::Scalar`.
fn exact_ops_agree<R: Real>(values: &[R::Scalar]) {
    for offset in 0..values.len() {
        let a: R = gather(values, offset);
        let b: R = gather(values, offset + 3);
        let c: R = gather(values, offset + 7);
        for i in 0..R::LANES {
            let (x, y, z) = (a.lane(i), b.lane(i), c.lane(i));
            assert!(same((a + b).lane(i), x + y), "add lane {i}: {x:?} {y:?}");
            assert!(same((a - b).lane(i), x - y), "sub lane {i}");
            assert!(same((a * b).lane(i), x * y), "mul lane {i}");
            assert!(same((a / b).lane(i), x / y), "div lane {i}");
            assert!(same((-a).lane(i), -x), "neg lane {i}");
            assert!(same(a.abs().lane(i), x.abs()), "abs lane {i}");
            assert!(same(a.sqrt().lane(i), x.sqrt()), "sqrt lane {i}: {x:?}");
            assert!(same(a.fma(b, c).lane(i), x.fma(y, z)), "fma lane {i}");
            if (x + y).to_f64().is_finite() {
                let ((sum, error), (want_sum, want_error)) = (a.two_sum(b), x.two_sum(y));
                assert!(same(sum.lane(i), want_sum), "two_sum lane {i}: {x:?} {y:?}");
                // The error's value is unique; a zero's sign is not promised.
                assert!(
                    error.lane(i) == want_error,
                    "two_sum error lane {i}: {x:?} {y:?}"
                );
            }
            if x != y {
                // (Equal lanes, ±0 among them, may give either operand.)
                assert!(
                    same(a.min(b).lane(i), x.min(y)),
                    "min lane {i}: {x:?} {y:?}"
                );
                assert!(
                    same(a.max(b).lane(i), x.max(y)),
                    "max lane {i}: {x:?} {y:?}"
                );
            }
            let not_lt = R::select(!a.simd_lt(b), R::splat(x), R::splat(y)).lane(i);
            let want = if x < y { y } else { x };
            assert!(same(not_lt, want), "!lt lane {i}: {x:?} < {y:?}");
            let lt = R::select(a.simd_lt(b), R::splat(x), R::splat(y)).lane(i);
            let want = if x < y { x } else { y };
            assert!(same(lt, want), "lt/select lane {i}: {x:?} < {y:?}");
            let mask_lanes = [
                (a.simd_le(b), x <= y),
                (a.simd_gt(b), x > y),
                (a.simd_ge(b), x >= y),
                (a.simd_eq(b), x == y),
                (a.is_nan(), x.is_nan()),
            ];
            for (k, (mask, expected)) in mask_lanes.into_iter().enumerate() {
                let got = R::select(mask, R::splat(x), R::splat(y)).lane(i);
                let want = if expected { x } else { y };
                assert!(same(got, want), "comparison {k} lane {i}: {x:?} {y:?}");
            }
        }
    }
}

fn structure_agrees<R: Real>() {
    let iota = R::iota();
    for i in 0..R::LANES {
        assert_eq!(iota.lane(i).to_f64(), i as f64);
    }
    // reduce_add adds in lane order: from 2^53 (2^24 in f32) each +1 is
    // lost, where a pairwise order would add the ones first and keep them.
    let top = if size_of::<R::Scalar>() == 8 {
        2f64.powi(53)
    } else {
        2f64.powi(24)
    };
    let big = R::from_fn(|i| <R::Scalar as Real>::from_f64(if i == 0 { top } else { 1.0 }));
    assert_eq!(big.reduce_add().to_f64(), top);
    let mut out = vec![R::Scalar::default(); R::LANES + 1];
    R::from_f64(2.5).write_to(&mut out);
    assert!(out[..R::LANES].iter().all(|v| v.to_f64() == 2.5));
    assert_eq!(R::load(&out).lane(R::LANES - 1).to_f64(), 2.5);
    // count_where adds one in the active lanes only.
    let active = iota.simd_lt(R::from_f64(1.0));
    let counts = R::count_where(
        R::count_where(R::Counts::zero(), active),
        R::Mask::splat(true),
    );
    for i in 0..R::LANES {
        let want = if i == 0 { 2u64 } else { 1 };
        assert_eq!(counts.lane(i).into(), want, "count lane {i}");
    }
    assert!(R::Mask::splat(true).all() && !R::Mask::splat(false).any());
    assert!(active.any() && (R::LANES == 1 || !active.all()));
}

fn exp_within_bound_f64<R: Real<Scalar = f64>>(values: &[f64]) {
    let v: R = gather(values, 0);
    for i in 0..R::LANES {
        let x = v.lane(i);
        let d = ulp_distance_f64(v.exp().lane(i), x.exp());
        assert!(d <= EXP_F64_ULP, "exp({x}) is {d} ulp off");
    }
}

fn exp_within_bound_f32<R: Real<Scalar = f32>>(values: &[f32]) {
    let v: R = gather(values, 0);
    for i in 0..R::LANES {
        let x = v.lane(i);
        let d = ulp_distance_f32(v.exp().lane(i), x.exp());
        assert!(d <= EXP_F32_ULP, "exp({x}) is {d} ulp off");
    }
}

#[test]
fn f64_types_agree_with_f64() {
    let values = edge_values_f64();
    exact_ops_agree::<f64>(&values);
    exact_ops_agree::<f64x2>(&values);
    exact_ops_agree::<f64x4>(&values);
    exact_ops_agree::<f64x8>(&values);
    structure_agrees::<f64>();
    structure_agrees::<f64x2>();
    structure_agrees::<f64x4>();
    structure_agrees::<f64x8>();
}

#[test]
fn f32_types_agree_with_f32() {
    let values: Vec<f32> = edge_values_f64().iter().map(|&v| v as f32).collect();
    exact_ops_agree::<f32>(&values);
    exact_ops_agree::<f32x4>(&values);
    exact_ops_agree::<f32x8>(&values);
    exact_ops_agree::<f32x16>(&values);
    structure_agrees::<f32>();
    structure_agrees::<f32x4>();
    structure_agrees::<f32x8>();
    structure_agrees::<f32x16>();
}

/// `two_sum`'s error is exact at every width, where the operands are in
/// either order of magnitude, equal, or of equal magnitude and opposite
/// signs (`vrangepd` must pick one of each for the AVX-512 form).
fn two_sum_is_exact<R: Real<Scalar = f64>>() {
    {
        let third = 1.0 / 3.0;
        let pairs = [
            (3.0, -3.0),
            (-3.0, 3.0),
            (third, third),
            (third, -third),
            (1.0, 1e-30),
            (1e-30, 1.0),
            (-1e16, 1.0 + f64::EPSILON),
            (0.1, 0.2),
            (1e300, -1e300),
            (f64::MAX, -f64::MAX),
            (f64::from_bits(3), -f64::from_bits(1)),
            (2.0f64.powi(60), -third),
            (-third, 2.0f64.powi(60)),
            (0.0, -0.0),
            (1.0, -1.0 + f64::EPSILON / 2.0),
            (-7.5, 7.25),
        ];
        for start in 0..pairs.len() {
            let a = R::from_fn(|i| pairs[(start + i) % pairs.len()].0);
            let b = R::from_fn(|i| pairs[(start + i) % pairs.len()].1);
            let (sum, error) = a.two_sum(b);
            for i in 0..R::LANES {
                let (x, y) = (a.lane(i), b.lane(i));
                assert_eq!(sum.lane(i), x + y, "two_sum({x}, {y})");
                // Exact: (x + y) − sum, computed as the difference of two
                // doubles that is itself a double.
                let want = if x.abs() >= y.abs() {
                    y - (sum.lane(i) - x)
                } else {
                    x - (sum.lane(i) - y)
                };
                assert_eq!(error.lane(i), want, "two_sum({x}, {y}) error");
            }
        }
    }
}

#[test]
fn two_sum_is_exact_on_every_type() {
    two_sum_is_exact::<f64>();
    two_sum_is_exact::<f64x2>();
    two_sum_is_exact::<f64x4>();
    two_sum_is_exact::<f64x8>();
}

/// a·b = 1 + 3·2^-23 + 2^-45: rounding the product first loses the 2^-45
/// that a single rounding of a·b − 1 keeps.
fn fma_rounds_once<R: Real<Scalar = f32>>() {
    {
        let (a, b) = (1.0 + f32::EPSILON, 1.0 + 2.0 * f32::EPSILON);
        let got = R::splat(a).fma(R::splat(b), R::splat(-1.0)).lane(0);
        assert_eq!(got, a.mul_add(b, -1.0));
        assert_ne!(got, a * b - 1.0);
    }
}

#[test]
fn fma_rounds_once_on_every_type() {
    fma_rounds_once::<f32>();
    fma_rounds_once::<f32x4>();
    fma_rounds_once::<f32x8>();
    fma_rounds_once::<f32x16>();
}

/// Everything above, for the lanes of each level above the baseline that
/// this CPU has, run inside the level's trampoline as the drivers run
/// them. (CI runs on CPUs with AVX-512; a CPU without a level says so.)
#[cfg(target_arch = "x86_64")]
mod levels {
    use super::*;
    use hetero_kernel::Lanes;
    use hetero_kernel::lanes::{Avx2, Avx512};

    fn level_agrees_with_scalar<L: Lanes>() -> bool {
        if !L::ISA.is_supported() {
            eprintln!("skipped: this CPU does not have level {}", L::ISA);
            return false;
        }
        L::vectorize(|| {
            let values = edge_values_f64();
            exact_ops_agree::<L::F64>(&values);
            structure_agrees::<L::F64>();
            exp_within_bound_f64::<L::F64>(&values);
            two_sum_is_exact::<L::F64>();
            let values: Vec<f32> = values.iter().map(|&v| v as f32).collect();
            exact_ops_agree::<L::F32>(&values);
            structure_agrees::<L::F32>();
            exp_within_bound_f32::<L::F32>(&values);
            fma_rounds_once::<L::F32>();
        });
        true
    }

    #[test]
    fn avx2_lanes_agree_with_scalar() {
        level_agrees_with_scalar::<Avx2>();
    }

    #[test]
    fn avx512_lanes_agree_with_scalar() {
        level_agrees_with_scalar::<Avx512>();
    }

    /// A level's lanes agree with `wide`'s on the operations both round
    /// exactly, over random bits.
    pub(super) fn random_bits<L: Lanes>(f64s: &[f64], f32s: &[f32]) {
        if L::ISA.is_supported() {
            L::vectorize(|| {
                exact_ops_agree::<L::F64>(f64s);
                exp_within_bound_f64::<L::F64>(f64s);
                exact_ops_agree::<L::F32>(f32s);
                exp_within_bound_f32::<L::F32>(f32s);
            });
        }
    }
}

proptest! {
    #[test]
    fn random_f64_bits(bits in proptest::collection::vec(any::<u64>(), 11)) {
        let values: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
        exact_ops_agree::<f64x4>(&values);
        exact_ops_agree::<f64x8>(&values);
        exp_within_bound_f64::<f64x2>(&values);
        exp_within_bound_f64::<f64x4>(&values);
        exp_within_bound_f64::<f64x8>(&values);
        #[cfg(target_arch = "x86_64")]
        {
            let f32s: Vec<f32> = values.iter().map(|&v| v as f32).collect();
            levels::random_bits::<hetero_kernel::lanes::Avx2>(&values, &f32s);
            levels::random_bits::<hetero_kernel::lanes::Avx512>(&values, &f32s);
        }
    }

    #[test]
    fn random_f32_bits(bits in proptest::collection::vec(any::<u32>(), 17)) {
        let values: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
        exact_ops_agree::<f32x8>(&values);
        exact_ops_agree::<f32x16>(&values);
        exp_within_bound_f32::<f32x4>(&values);
        exp_within_bound_f32::<f32x8>(&values);
        exp_within_bound_f32::<f32x16>(&values);
    }
}
