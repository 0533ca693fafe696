//! `auto` learning from its own calls (StarPU's history-based models, in
//! the small): every call `auto` runs reports its time, which becomes a
//! ratio of measured to predicted time in the chosen backend's history;
//! predictions are the model's times the median of the recent ratios; a
//! model the calls contradict beyond their noise is refitted (scaled by
//! that median) and written back to the cache; and now and then a
//! runner-up is tried, within a budget of [`EXPLORE_SHARE`] of the time
//! `auto` spends and at most one call in [`EXPLORE_EVERY`], so a model measured at a bad moment (a cold core, a
//! busy machine) is found out even when it is never chosen.

use std::time::SystemTime;

/// The share of `auto`'s time spent on trying runners-up, at most: the
/// time an exploration took beyond the best prediction counts against it.
pub const EXPLORE_SHARE: f64 = 0.05;

/// Recent ratios kept per backend: the median of 9 shrugs off 4 outliers.
const RECENT: usize = 9;

/// The model's own measurement counts as this many calls that took the
/// predicted time, in the median: one outlier moves nothing, two agreeing
/// calls move it halfway, three all the way.
const PRIOR: usize = 2;

/// Ratios a refit needs, and how far their median may stray before the
/// model counts as contradicted: past the noise of a timed call on a
/// shared machine (a few tens of percent).
const REFIT_AFTER: usize = 5;
const NOISE: f64 = 1.25;

/// A runner-up is worth trying when its prediction is within this factor
/// of the best one: a ×3 mistake in a model on top of a backend that was
/// itself mispredicted must be within reach (4× left one out: a cold
/// calibration put the GPU first and the threads, skewed ×3, at 4.04×),
/// and the budget, not this cut, bounds what trying costs.
const WITHIN: f64 = 10.0;

/// What the calls taught about one backend's model of one kernel.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    /// Measured ÷ predicted, newest last.
    ratios: Vec<f64>,
    /// The same ratios in increasing order, kept as they change: every
    /// call `auto` reports takes a median, and sorting a copy each time
    /// was a tenth of an `auto` call's own cost.
    sorted: Vec<f64>,
    /// Their median with the prior (see [`History::factor`]), kept as they
    /// change: every `auto` call reads it for every backend.
    median: Option<f64>,
    /// Calls that informed the model since it was measured or loaded.
    pub(crate) calls: u32,
    /// Times the calls refitted it.
    pub(crate) refits: u32,
    /// When the calls last changed what it predicts.
    pub(crate) changed: Option<SystemTime>,
}

impl History {
    /// The model's correction: the median of the recent ratios and
    /// [`PRIOR`] ratios of 1 (the model's own word), so one call slowed
    /// by a cold core or a sleeping pool does not move a prediction: the
    /// first call after a calibration is often one (measured: 6× its
    /// prediction, a map of 10⁵ items on `simd-threads`).
    pub(crate) fn factor(&self) -> f64 {
        self.median.unwrap_or(1.0)
    }

    fn median_with_prior(&self) -> Option<f64> {
        if self.sorted.is_empty() {
            return None;
        }
        // The sorted ratios with PRIOR ones among them: below the first
        // ratio of at least 1.
        let ones_at = self.sorted.partition_point(|&r| r < 1.0);
        let at = |i: usize| match i {
            i if i < ones_at => self.sorted[i],
            i if i < ones_at + PRIOR => 1.0,
            i => self.sorted[i - PRIOR],
        };
        let n = self.sorted.len() + PRIOR;
        let mid = n / 2;
        Some(match n % 2 {
            1 => at(mid),
            _ => (at(mid - 1) + at(mid)) / 2.0,
        })
    }

    /// One call took `ratio` × its prediction.
    pub(crate) fn observe(&mut self, ratio: f64) {
        if !ratio.is_finite() || ratio <= 0.0 {
            return;
        }
        if self.ratios.len() == RECENT {
            let oldest = self.ratios.remove(0);
            if let Some(at) = self
                .sorted
                .iter()
                .position(|r| r.to_bits() == oldest.to_bits())
            {
                self.sorted.remove(at);
            }
        }
        self.ratios.push(ratio);
        let at = self.sorted.partition_point(|&r| r < ratio);
        self.sorted.insert(at, ratio);
        self.median = self.median_with_prior();
        self.calls = self.calls.saturating_add(1);
        self.changed = Some(SystemTime::now());
    }

    /// The factor to refit the model by, when enough calls agree that it
    /// is off beyond their noise.
    pub(crate) fn refit(&mut self) -> Option<f64> {
        let factor = self.factor();
        let off = !(1.0 / NOISE..=NOISE).contains(&factor);
        if self.ratios.len() < REFIT_AFTER || !off {
            return None;
        }
        // The refitted model predicts what the calls measured: the ratios
        // start again from it.
        self.ratios.clear();
        self.sorted.clear();
        self.median = None;
        self.refits = self.refits.saturating_add(1);
        Some(factor)
    }
}

/// At most one call in this many is a try: a run of tries would each
/// fit the time budget and together make a few calls in a row slow (a
/// 3-repeat timing of a new size was all tries).
pub const EXPLORE_EVERY: u32 = 10;

/// The time `auto`'s calls took, and how much of it went on exploring.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Budget {
    pub(crate) total: f64,
    pub(crate) exploring: f64,
    /// Calls reported since the last try.
    pub(crate) since_try: u32,
}

impl Budget {
    /// Whether an exploration predicted to cost `extra` seconds beyond the
    /// best backend fits in the budget.
    pub(crate) fn allows(&self, extra: f64) -> bool {
        self.since_try >= EXPLORE_EVERY
            && self.exploring + extra.max(0.0) <= EXPLORE_SHARE * self.total
    }

    /// A call `auto` ran took `seconds`.
    pub(crate) fn spent(&mut self, seconds: f64) {
        self.total += seconds;
        self.since_try = self.since_try.saturating_add(1);
    }
}

/// The runner-up to try among `predicted` (each backend's index and
/// corrected prediction, `best` among them): of those within [`WITHIN`]
/// of the best, the one its calls know least (then the faster), so every
/// candidate is tried before any is tried again.
pub(crate) fn runner_up(
    predicted: &[(usize, f64)],
    best: usize,
    calls: impl Fn(usize) -> u32,
) -> Option<(usize, f64)> {
    let best_time = predicted.iter().find(|(i, _)| *i == best)?.1;
    predicted
        .iter()
        .copied()
        .filter(|&(i, t)| i != best && t <= WITHIN * best_time)
        .min_by(|a, b| calls(a.0).cmp(&calls(b.0)).then(a.1.total_cmp(&b.1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_is_the_median_of_the_recent_ratios() {
        let mut h = History::default();
        assert_eq!(h.factor(), 1.0);
        for r in [1.0, 10.0, 0.5] {
            h.observe(r);
        }
        assert_eq!(h.factor(), 1.0);
        h.observe(f64::NAN); // ignored
        assert_eq!(h.calls, 3);
        for _ in 0..20 {
            h.observe(0.3);
        }
        assert_eq!(h.factor(), 0.3, "only the recent ratios count");
    }

    #[test]
    fn the_kept_median_is_the_median_of_the_last_ratios_and_the_prior() {
        // Ratios below, at and above 1, with repeats, past the window.
        let mut h = History::default();
        let mut all = Vec::new();
        let mut s = 12345u64;
        for _ in 0..200 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            let ratio = [0.5, 1.0, 2.0, 0.25, 3.0][(s >> 60) as usize % 5] * (1 + (s >> 62)) as f64;
            h.observe(ratio);
            all.push(ratio);
            let mut want: Vec<f64> = all[all.len().saturating_sub(RECENT)..].to_vec();
            want.extend([1.0; PRIOR]);
            want.sort_by(f64::total_cmp);
            let mid = want.len() / 2;
            let median = match want.len() % 2 {
                1 => want[mid],
                _ => (want[mid - 1] + want[mid]) / 2.0,
            };
            assert_eq!(
                h.factor(),
                median,
                "after {:?}",
                &all[all.len().saturating_sub(RECENT)..]
            );
        }
    }

    #[test]
    fn a_model_is_refitted_only_when_enough_calls_agree_it_is_off() {
        let mut h = History::default();
        for _ in 0..4 {
            h.observe(3.0);
        }
        assert_eq!(h.refit(), None, "four calls are not enough");
        h.observe(3.0);
        assert_eq!(h.refit(), Some(3.0));
        assert_eq!((h.factor(), h.refits), (1.0, 1));
        for _ in 0..9 {
            h.observe(1.1); // within the noise
        }
        assert_eq!(h.refit(), None);
    }

    #[test]
    fn exploring_stays_within_its_share_and_tries_the_least_known_first() {
        let mut budget = Budget {
            total: 1.0,
            exploring: 0.04,
            since_try: EXPLORE_EVERY,
        };
        assert!(budget.allows(0.01) && !budget.allows(0.02));
        budget.since_try = EXPLORE_EVERY - 1;
        assert!(!budget.allows(0.0), "a try too soon after the last");
        budget.spent(0.0);
        assert!(budget.allows(0.01));
        let predicted = [(0, 1.0), (1, 1.5), (2, 3.0), (3, 9.0)];
        let calls = |i: usize| [5, 2, 0, 0][i];
        assert_eq!(runner_up(&predicted, 0, calls), Some((2, 3.0)));
        assert_eq!(runner_up(&predicted, 0, |_| 0), Some((1, 1.5)));
        assert_eq!(runner_up(&[(0, 1.0)], 0, calls), None);
    }
}
