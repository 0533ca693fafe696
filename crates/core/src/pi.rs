//! `pi`: a Monte Carlo estimate of π from the fraction of points of the unit
//! square that fall inside the quarter circle.
//!
//! Sample i of seed s: Philox4x32-10 with key = s and counter = (i / 2, 0, 0)
//! gives four words; even samples take words 0 and 1, odd samples words 2
//! and 3, as x and y. Each coordinate keeps its top [`COORD_BITS`] bits, X and
//! Y, and stands for the cell centre (X + ½)/2^B. The point is inside when
//! (2X+1)² + (2Y+1)² < 2^(2B+2): an exact integer test, so every backend
//! returns the same hit count. Equality cannot happen (a sum of two odd
//! squares is 2 mod 8), so `<` and `≤` agree.

use crate::error::ProblemError;
use crate::rng::{pair_counter, philox4x32_10, seed_key};

/// Bits kept per coordinate. With 25 bits the lattice bias is ~2^-25 ≈ 3e-8,
/// far below the statistical error even at n = 10^10 (1.6e-5); and
/// (2X+1)² + (2Y+1)² < 2^53 fits in 64-bit integers, or in the 64-bit
/// product of two 32-bit words that SIMD units and GPUs provide.
pub const COORD_BITS: u32 = 25;
/// Shift from a 32-bit random word to a coordinate.
pub const COORD_SHIFT: u32 = 32 - COORD_BITS;
/// The squared radius in the doubled-coordinate lattice: 2^(2B+2) = 2^52.
pub const RADIUS_SQ: u64 = 1 << (2 * COORD_BITS + 2);
/// `RADIUS_SQ >> 32`: the test on the high word of a 64-bit sum.
pub const RADIUS_SQ_HI: u32 = (RADIUS_SQ >> 32) as u32;

/// The reference notebook's sample count.
pub const NOTEBOOK_SAMPLES: u64 = 10_000_000;
/// hetero's default seed (any u64 is valid).
pub const DEFAULT_SEED: u64 = 0x5EED_0F91;

/// A validated π estimate request: `n` samples drawn with `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pi {
    n: u64,
    seed: u64,
}

impl Pi {
    /// The notebook's size, n = 10⁷, with hetero's default seed.
    pub const fn notebook() -> Self {
        Self {
            n: NOTEBOOK_SAMPLES,
            seed: DEFAULT_SEED,
        }
    }

    /// # Errors
    /// [`ProblemError::ZeroCount`] for `n == 0` (an estimate from no samples is undefined).
    pub fn new(n: u64, seed: u64) -> Result<Self, ProblemError> {
        if n == 0 {
            return Err(ProblemError::ZeroCount {
                problem: "pi",
                what: "samples",
            });
        }
        Ok(Self { n, seed })
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn estimate(&self, hits: u64) -> PiEstimate {
        PiEstimate {
            hits,
            n: self.n,
            seed: self.seed,
        }
    }
}

/// The outcome of a π run: the exact hit count and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiEstimate {
    pub hits: u64,
    pub n: u64,
    pub seed: u64,
}

impl PiEstimate {
    /// 4 · hits / n.
    pub fn estimate(&self) -> f64 {
        4.0 * self.hits as f64 / self.n as f64
    }

    /// The standard error of the estimate, 4·√(p(1−p)/n) with p = π/4:
    /// ≈ 1.6422/√n.
    pub fn sigma(&self) -> f64 {
        let p = core::f64::consts::FRAC_PI_4;
        4.0 * (p * (1.0 - p) / self.n as f64).sqrt()
    }

    pub fn error(&self) -> f64 {
        self.estimate() - core::f64::consts::PI
    }
}

/// The exact inside test on two raw 32-bit words.
#[inline]
pub fn inside(x: u32, y: u32) -> bool {
    let u = u64::from(x >> COORD_SHIFT) * 2 + 1;
    let v = u64::from(y >> COORD_SHIFT) * 2 + 1;
    u * u + v * v < RADIUS_SQ
}

/// How many of the two samples of pair `pair` are inside.
#[inline]
pub fn pair_hits(key: [u32; 2], pair: u64) -> u64 {
    let [x0, y0, x1, y1] = philox4x32_10(pair_counter(pair), key);
    u64::from(inside(x0, y0)) + u64::from(inside(x1, y1))
}

/// A range of sample indices as whole Philox pairs plus the lone samples
/// at its ends (a range may start on an odd index or end before one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSpan {
    /// Pairs p whose samples 2p and 2p + 1 both lie in the range.
    pub pairs: core::ops::Range<u64>,
    /// Samples in the range whose pair is not whole in it (at most two).
    pub lone: [Option<u64>; 2],
}

impl PairSpan {
    pub fn of(range: core::ops::Range<u64>) -> Self {
        let (mut start, mut end) = (range.start, range.end.max(range.start));
        let mut lone = [None, None];
        if start < end && start % 2 == 1 {
            lone[0] = Some(start);
            start += 1;
        }
        if start < end && end % 2 == 1 {
            lone[1] = Some(end - 1);
            end -= 1;
        }
        Self {
            pairs: start / 2..end / 2,
            lone,
        }
    }

    /// Hits among the lone samples.
    pub fn lone_hits(&self, seed: u64) -> u64 {
        self.lone
            .iter()
            .flatten()
            .map(|&i| u64::from(sample_inside(seed, i)))
            .sum()
    }
}

/// Whether sample `index` of `seed` is inside (for ranges that start or end
/// in the middle of a pair).
#[inline]
pub fn sample_inside(seed: u64, index: u64) -> bool {
    let [x0, y0, x1, y1] = philox4x32_10(pair_counter(index / 2), seed_key(seed));
    if index.is_multiple_of(2) {
        inside(x0, y0)
    } else {
        inside(x1, y1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_test_is_exact_at_the_corners() {
        assert!(inside(0, 0));
        assert!(!inside(u32::MAX, u32::MAX));
        assert!(inside(u32::MAX, 0)); // (1 - 2^-26, 2^-26): just inside
        // X = 2^25·√½ is near the diagonal of the circle: check both sides.
        let r = (1u64 << COORD_BITS) as f64 * core::f64::consts::FRAC_1_SQRT_2;
        let below = ((r.floor() as u32) - 1) << COORD_SHIFT;
        let above = ((r.ceil() as u32) + 1) << COORD_SHIFT;
        assert!(inside(below, below));
        assert!(!inside(above, above));
    }

    #[test]
    fn pair_spans_cover_every_sample_once() {
        for (start, end) in [
            (0, 0),
            (0, 1),
            (1, 2),
            (1, 4),
            (3, 10),
            (4, 9),
            (7, 7),
            (5, 3),
        ] {
            let span = PairSpan::of(start..end);
            let mut covered: Vec<u64> = span
                .pairs
                .clone()
                .flat_map(|p| [2 * p, 2 * p + 1])
                .collect();
            covered.extend(span.lone.iter().flatten());
            covered.sort_unstable();
            assert_eq!(
                covered,
                (start..end.max(start)).collect::<Vec<_>>(),
                "{start}..{end}"
            );
        }
    }

    #[test]
    fn zero_samples_is_an_error() {
        assert!(matches!(Pi::new(0, 1), Err(ProblemError::ZeroCount { .. })));
    }

    #[test]
    fn sigma_matches_the_textbook_constant() {
        let e = Pi::new(1, 0).unwrap().estimate(1);
        assert!((e.sigma() - 1.6422).abs() < 1e-4);
    }
}
