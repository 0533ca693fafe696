//! Per-array statistics: count, mean, standard deviation (population and
//! sample), min and max, in one sweep over the values.
//!
//! The values go by blocks of 1024 (8 KiB). One sweep of a block takes its
//! min, max, Σd and Σd² for d = x − K, where the shift K is the mean of the
//! blocks before (the first value, for the first block): the block's mean
//! is K + Σd/n and its centred sum of squares M2 = Σd² − (Σd)²/n, which does
//! not cancel because K sits near the block's mean (exact for constant
//! data, where every d is 0). Blocks merge by Chan's formula (M2 of a union
//! = M2s + δ²·nA·nB/n), and the block sums add with Neumaier's compensation
//! for the mean. Inside a block the sums run in four independent vector
//! chains, uncompensated, at the adder's throughput.
//!
//! NaN anywhere gives NaN mean, std, min and max, as numpy does; an empty
//! array gives count 0 and NaN for the rest.

use hetero_core::Neumaier;
use hetero_kernel::Real;

/// The widest f64 vector this build has: 512 bits where the target has
/// AVX-512F, else 256. (The statistics are bound by vector adds and
/// min/max, so the width is the speed: on a 2-core AVX-512 Xeon, 8 lanes
/// take a file's statistics from 44 µs to ~25 µs, under a quarter of
/// reading it.)
#[cfg(target_feature = "avx512f")]
pub type Widest = hetero_kernel::wide::f64x8;
/// The widest f64 vector this build has: 512 bits where the target has
/// AVX-512F, else 256.
#[cfg(not(target_feature = "avx512f"))]
pub type Widest = hetero_kernel::wide::f64x4;

/// Values per block: 8 KiB, well inside L1.
const BLOCK: usize = 1024;

/// What [`Stats::of`] computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub count: u64,
    pub mean: f64,
    /// Population standard deviation (numpy's `std`, ddof = 0).
    pub std: f64,
    /// Sample standard deviation (ddof = 1); NaN for fewer than 2 values.
    pub std_sample: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// The statistics of `values`, in lanes of `R`: `f64` for one at a
    /// time, [`Widest`] (or any `wide` f64 vector) for SIMD.
    pub fn of<R: Real<Scalar = f64>>(values: &[f64]) -> Self {
        let mut acc = StatsAccumulator::<R>::new();
        acc.add(values);
        acc.finish()
    }
}

/// [`Stats`] of values that arrive in pieces (a file read in chunks, each
/// still in cache when its statistics are taken). Pieces whose lengths are
/// multiples of [`StatsAccumulator::BLOCK`] give the same bits as the whole
/// array at once.
#[derive(Debug, Clone)]
pub struct StatsAccumulator<R> {
    total: Neumaier,
    range: Option<Range<R>>,
    /// The blocks so far: count, mean, centred sum of squares (Chan's
    /// running merge).
    count: f64,
    mean: f64,
    m2: f64,
    values: u64,
    nan: bool,
}

impl<R: Real<Scalar = f64>> Default for StatsAccumulator<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Real<Scalar = f64>> StatsAccumulator<R> {
    /// Values per block: 8 KiB, well inside L1.
    pub const BLOCK: usize = BLOCK;

    pub fn new() -> Self {
        Self {
            total: Neumaier::ZERO,
            range: None,
            count: 0.0,
            mean: 0.0,
            m2: 0.0,
            values: 0,
            nan: false,
        }
    }

    /// Takes the next values.
    pub fn add(&mut self, values: &[f64]) {
        let Some(&first) = values.first() else {
            return;
        };
        let range = self.range.get_or_insert_with(|| Range::new(first));
        for block in values.chunks(BLOCK) {
            let size = block.len() as f64;
            // The shift: the mean so far (the first value for the first
            // block) — close to the block's mean, so Σd² − (Σd)²/n does
            // not cancel; exact for constant data (every d is 0).
            let shift = if self.count > 0.0 { self.mean } else { first };
            let shift = if shift.is_finite() { shift } else { 0.0 };
            let (d, d2) = shifted_sums_and_range(block, shift, range);
            if d.is_nan() && block.iter().any(|v| v.is_nan()) {
                self.nan = true;
            }
            let block_mean = shift + d / size;
            let block_m2 = d2 - d * (d / size);
            self.total.add(shift * size + d);
            let merged = self.count + size;
            let delta = block_mean - self.mean;
            self.mean += delta * (size / merged);
            self.m2 += block_m2 + delta * delta * (self.count * size / merged);
            self.count = merged;
        }
        self.values += values.len() as u64;
    }

    /// The statistics of every value taken.
    pub fn finish(self) -> Stats {
        let Some(range) = self.range else {
            return Stats {
                count: 0,
                mean: f64::NAN,
                std: f64::NAN,
                std_sample: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        };
        let n = self.count;
        // An infinite sum is the answer (numpy's mean is ±inf then); the
        // compensation of an infinite sum is NaN, so it is left out.
        let mean = if self.total.sum.is_finite() {
            self.total.value() / n
        } else {
            self.total.sum / n
        };
        let (min, max) = if self.nan {
            // The running min/max leave NaN unspecified: numpy propagates it.
            (f64::NAN, f64::NAN)
        } else {
            range.finish()
        };
        // Rounding can leave a hair below 0 for constant data; NaN stays NaN.
        let m2 = if self.m2 < 0.0 { 0.0 } else { self.m2 };
        Stats {
            count: self.values,
            mean,
            std: (m2 / n).sqrt(),
            std_sample: if self.values > 1 {
                (m2 / (n - 1.0)).sqrt()
            } else {
                f64::NAN
            },
            min,
            max,
        }
    }
}

/// Running min and max: in vectors, and one lane for the tails.
#[derive(Debug, Clone)]
struct Range<R> {
    lo: R,
    hi: R,
    lo_tail: f64,
    hi_tail: f64,
}

impl<R: Real<Scalar = f64>> Range<R> {
    fn new(first: f64) -> Self {
        Self {
            lo: R::splat(first),
            hi: R::splat(first),
            lo_tail: first,
            hi_tail: first,
        }
    }

    fn finish(self) -> (f64, f64) {
        (0..R::LANES).fold((self.lo_tail, self.hi_tail), |(lo, hi), k| {
            (lo.min(self.lo.lane(k)), hi.max(self.hi.lane(k)))
        })
    }
}

/// (Σ d, Σ d²) over the block with d = x − shift, plain, in four chains
/// of vectors each, while widening `range` — one sweep, every value loaded
/// once.
#[inline]
fn shifted_sums_and_range<R: Real<Scalar = f64>>(
    block: &[f64],
    shift: f64,
    range: &mut Range<R>,
) -> (f64, f64) {
    let lanes = R::LANES;
    let c = R::splat(shift);
    let (mut sums, mut squares) = ([R::splat(0.0); 4], [R::splat(0.0); 4]);
    // PERF: four min and four max chains, like the sums: one chain each
    // would wait on the previous min's latency at every vector.
    let (mut lo, mut hi) = ([range.lo; 4], [range.hi; 4]);
    let mut steps = block.chunks_exact(4 * lanes);
    for step in steps.by_ref() {
        for k in 0..4 {
            let v = R::load(&step[k * lanes..]);
            lo[k] = lo[k].fast_min(v);
            hi[k] = hi[k].fast_max(v);
            let d = v - c;
            sums[k] += d;
            squares[k] = d.mul_add(d, squares[k]);
        }
    }
    range.lo = lo[0].fast_min(lo[1]).fast_min(lo[2].fast_min(lo[3]));
    range.hi = hi[0].fast_max(hi[1]).fast_max(hi[2].fast_max(hi[3]));
    let fold = |v: [R; 4]| ((v[0] + v[1]) + (v[2] + v[3])).reduce_add();
    let (mut sum, mut square) = (fold(sums), fold(squares));
    for &x in steps.remainder() {
        range.lo_tail = range.lo_tail.fast_min(x);
        range.hi_tail = range.hi_tail.fast_max(x);
        let d = x - shift;
        sum += d;
        square = d.mul_add(d, square);
    }
    (sum, square)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_arrays_have_the_textbook_values() {
        for stats in [
            Stats::of::<f64>(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            Stats::of::<Widest>(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
        ] {
            assert_eq!(stats.count, 8);
            assert_eq!(stats.mean, 5.0);
            assert_eq!(stats.std, 2.0);
            assert_eq!(stats.std_sample, (32.0f64 / 7.0).sqrt());
            assert_eq!((stats.min, stats.max), (2.0, 9.0));
        }
        let empty = Stats::of::<Widest>(&[]);
        assert_eq!(empty.count, 0);
        assert!(empty.mean.is_nan() && empty.min.is_nan() && empty.std.is_nan());
        let one = Stats::of::<Widest>(&[3.5]);
        assert_eq!((one.mean, one.std, one.min, one.max), (3.5, 0.0, 3.5, 3.5));
        assert!(one.std_sample.is_nan());
    }

    #[test]
    fn nan_anywhere_makes_every_statistic_nan_at_every_width() {
        for at in [0usize, 1, 5, 1023, 1024, 2999] {
            let mut v: Vec<f64> = (0..3000).map(|i| f64::from(i % 17) - 8.0).collect();
            v[at] = f64::NAN;
            for stats in [Stats::of::<f64>(&v), Stats::of::<Widest>(&v)] {
                assert!(stats.mean.is_nan() && stats.std.is_nan(), "at {at}");
                assert!(
                    stats.min.is_nan() && stats.max.is_nan(),
                    "at {at}: {stats:?}"
                );
            }
        }
    }

    #[test]
    fn every_length_and_position_of_the_extremes() {
        for n in [1usize, 2, 3, 15, 16, 17, 1023, 1024, 1025, 4097] {
            let v: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 101) as f64 * 0.25 - 3.0)
                .collect();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = v.iter().sum::<f64>() / n as f64;
            for stats in [Stats::of::<f64>(&v), Stats::of::<Widest>(&v)] {
                assert_eq!((stats.min, stats.max), (lo, hi), "n = {n}");
                assert!(
                    (stats.mean - mean).abs() <= 1e-13 * mean.abs().max(1.0),
                    "n = {n}"
                );
            }
        }
    }
}
