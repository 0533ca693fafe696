//! Compensated summation, so that f64 sums of 10^6..10^10 terms keep their
//! last digits.

/// A Neumaier (improved Kahan–Babuška) running sum: `sum` plus the rounding
/// error lost so far in `compensation`.
///
/// Merging two partial sums is what lets a reduction be split across chunks
/// and threads; merging in a fixed order keeps the result reproducible.
/// It is plain data (`Pod`), so a partial can travel between processes as
/// its exact bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Neumaier {
    pub sum: f64,
    pub compensation: f64,
}

impl Neumaier {
    pub const ZERO: Self = Self {
        sum: 0.0,
        compensation: 0.0,
    };

    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        // Whichever operand is larger lost nothing; recover the smaller one's loss.
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds another partial sum (its value and its carried error).
    #[inline]
    pub fn merge(mut self, other: Self) -> Self {
        self.add(other.sum);
        self.compensation += other.compensation;
        self
    }

    #[inline]
    pub fn value(self) -> f64 {
        self.sum + self.compensation
    }

    /// The compensated sum of an iterator, in iteration order.
    pub fn sum_of(values: impl IntoIterator<Item = f64>) -> f64 {
        let mut acc = Self::ZERO;
        for v in values {
            acc.add(v);
        }
        acc.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_what_naive_summation_loses() {
        // 1 + 1e100 + 1 - 1e100: naive f64 gives 0, the exact answer is 2.
        let values = [1.0, 1e100, 1.0, -1e100];
        assert_eq!(values.iter().sum::<f64>(), 0.0);
        assert_eq!(Neumaier::sum_of(values), 2.0);
    }

    #[test]
    fn merge_equals_one_long_sum_for_exact_cases() {
        let mut a = Neumaier::ZERO;
        a.add(0.1);
        a.add(0.2);
        let mut b = Neumaier::ZERO;
        b.add(0.3);
        b.add(1e-17);
        let merged = a.merge(b).value();
        let long = Neumaier::sum_of([0.1, 0.2, 0.3, 1e-17]);
        assert!((merged - long).abs() <= f64::EPSILON * long);
    }
}
