//! Tolerances, in one place, each with the reason for its number.

/// CPU midpoint, f64: relative error against a compensated sum of the same
/// terms. Compensated chunk sums combined pairwise lose < 1e-15; SIMD's exp is
/// within 2 ULP per term, and those errors average out over the sum.
pub const MIDPOINT_CPU_REL: f64 = 1e-14;

/// SIMD exp (f64x4) against `f64::exp`: a degree-13 Taylor polynomial after
/// Cody–Waite reduction is ≤ 1 ULP; one more for `f64::exp`'s own rounding.
pub const EXP_F64_ULP: u64 = 2;

/// SIMD exp (f32x8) against `f32::exp`: degree-7 polynomial in f32, the
/// reduction and the final scaling each round once.
pub const EXP_F32_ULP: u64 = 2;

/// The distance between two f64 values in units in the last place. Both NaN
/// counts as equal (0); NaN against a number is `u64::MAX`.
pub fn ulp_distance_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    // Map the sign-magnitude bit patterns onto a monotonic integer line.
    let key = |x: f64| {
        let bits = x.to_bits() as i64;
        if bits < 0 { i64::MIN - bits } else { bits }
    };
    key(a).abs_diff(key(b))
}

/// As [`ulp_distance_f64`], for f32.
pub fn ulp_distance_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    let key = |x: f32| {
        let bits = x.to_bits() as i32;
        i64::from(if bits < 0 { i32::MIN - bits } else { bits })
    };
    key(a).abs_diff(key(b))
}

/// Relative error of `value` against `reference`.
pub fn relative_error(value: f64, reference: f64) -> f64 {
    if value == reference {
        // Equal values agree exactly, zero included (0/0 would be NaN).
        return 0.0;
    }
    ((value - reference) / reference).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_no_relative_error_even_at_zero() {
        assert_eq!(relative_error(0.0, 0.0), 0.0);
        assert_eq!(relative_error(2.0, 2.0), 0.0);
        assert!(relative_error(1.0, 0.0).is_infinite());
        assert!(relative_error(f64::NAN, f64::NAN).is_nan());
    }

    #[test]
    fn ulp_distances() {
        assert_eq!(ulp_distance_f64(1.0, 1.0), 0);
        assert_eq!(
            ulp_distance_f64(1.0, f64::from_bits(1.0f64.to_bits() + 3)),
            3
        );
        assert_eq!(ulp_distance_f64(0.0, -0.0), 0);
        assert_eq!(ulp_distance_f64(f64::from_bits(1), -f64::from_bits(1)), 2);
        assert_eq!(ulp_distance_f64(f64::NAN, f64::NAN), 0);
        assert_eq!(ulp_distance_f64(f64::NAN, 1.0), u64::MAX);
        assert_eq!(
            ulp_distance_f32(1.0, f32::from_bits(1.0f32.to_bits() + 1)),
            1
        );
        assert_eq!(ulp_distance_f32(f32::INFINITY, f32::MAX), 1);
    }
}
