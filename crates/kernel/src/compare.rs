//! How far an output is from the reference backend's: the error a
//! cross-validation reports for each backend.

use hetero_core::PiEstimate;

/// The distance of an output from the reference output.
pub trait Compare {
    /// 0 for identical outputs. Reals: the relative error (absolute where
    /// the reference is below 1e-30 in size); integers: the absolute
    /// difference; NaN against NaN is 0, NaN against a number +∞.
    fn error_vs(&self, reference: &Self) -> f64;
}

fn real_error(value: f64, reference: f64) -> f64 {
    match (value.is_nan(), reference.is_nan()) {
        (true, true) => 0.0,
        (true, false) | (false, true) => f64::INFINITY,
        // Equal values (infinities included) are no error.
        _ if value == reference => 0.0,
        _ if reference.abs() < 1e-30 => (value - reference).abs(),
        _ => ((value - reference) / reference).abs(),
    }
}

impl Compare for f64 {
    fn error_vs(&self, reference: &Self) -> f64 {
        real_error(*self, *reference)
    }
}

impl Compare for f32 {
    fn error_vs(&self, reference: &Self) -> f64 {
        real_error(f64::from(*self), f64::from(*reference))
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Compare for $t {
            fn error_vs(&self, reference: &Self) -> f64 {
                self.abs_diff(*reference) as f64
            }
        }
    )*};
}

integer!(u32, u64);

impl Compare for PiEstimate {
    /// The difference of the hit counts (every backend draws the same
    /// samples, so it must be 0).
    fn error_vs(&self, reference: &Self) -> f64 {
        self.hits.error_vs(&reference.hits)
    }
}

impl<T: Compare> Compare for [T] {
    /// The largest element error; +∞ for slices of different lengths.
    fn error_vs(&self, reference: &Self) -> f64 {
        if self.len() != reference.len() {
            return f64::INFINITY;
        }
        self.iter()
            .zip(reference)
            .map(|(a, b)| a.error_vs(b))
            .fold(0.0, f64::max)
    }
}

impl<T: Compare> Compare for Vec<T> {
    fn error_vs(&self, reference: &Self) -> f64 {
        self.as_slice().error_vs(reference.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::Compare;

    #[test]
    fn errors_are_relative_absolute_or_exact() {
        assert_eq!(1.0f64.error_vs(&1.0), 0.0);
        assert!((1.0000001f64.error_vs(&1.0) - 1e-7).abs() < 1e-12);
        assert_eq!(1e-40f64.error_vs(&0.0), 1e-40);
        assert_eq!(f64::NAN.error_vs(&f64::NAN), 0.0);
        assert_eq!(f64::NAN.error_vs(&1.0), f64::INFINITY);
        assert_eq!(f64::INFINITY.error_vs(&f64::INFINITY), 0.0);
        assert_eq!(7u64.error_vs(&10), 3.0);
        assert_eq!(vec![1.0f32, 2.0].error_vs(&vec![1.0, 2.5]), 0.2);
        assert_eq!(vec![1u32].error_vs(&vec![1, 2]), f64::INFINITY);
    }
}
