//! Timing: warm-up, repeats, median/min/max.

use std::time::Instant;

/// Seconds of a set of repeats.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub repeats: u32,
}

impl Stats {
    /// The statistics of `samples` (seconds); `None` when empty.
    pub fn of(samples: &mut [f64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_by(f64::total_cmp);
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2.0
        };
        Some(Self {
            median,
            min: samples[0],
            max: samples[n - 1],
            repeats: n as u32,
        })
    }
}

/// Runs `f` `warmup` times untimed, then `repeats` times timed.
///
/// # Errors
/// The first error `f` returns.
pub fn time<E>(
    warmup: u32,
    repeats: u32,
    mut f: impl FnMut() -> Result<(), E>,
) -> Result<Stats, E> {
    for _ in 0..warmup {
        f()?;
    }
    let mut samples = Vec::with_capacity(repeats as usize);
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        f()?;
        samples.push(started.elapsed().as_secs_f64());
    }
    // `repeats.max(1)` guarantees a sample.
    Ok(Stats::of(&mut samples).unwrap_or(Stats {
        median: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        repeats: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = Stats::of(&mut [3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.repeats), (2.0, 1.0, 3.0, 3));
        let s = Stats::of(&mut [4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert!(Stats::of(&mut []).is_none());
    }

    #[test]
    fn time_counts_repeats_and_propagates_errors() {
        let mut calls = 0;
        let s = time::<()>(2, 5, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((calls, s.repeats), (7, 5));
        assert_eq!(time(0, 3, || Err::<(), _>("boom")), Err("boom"));
    }
}
