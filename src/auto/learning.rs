//! `auto` learning from its own calls (StarPU's history-based models, in
//! the small): every call `auto` runs reports its time, which becomes a
//! ratio of measured to predicted time in the chosen backend's history;
//! predictions are the model's times the median of the recent ratios; a
//! model the calls find too slow beyond their noise is refitted (scaled by
//! that median) and written back to the cache; and now and then a
//! runner-up is tried, within a budget of [`EXPLORE_SHARE`] of the time
//! `auto` spends and at most one call in [`EXPLORE_EVERY`], so a model
//! measured at a bad moment (a cold core, a busy machine) is found out
//! even when it is never chosen.
//!
//! Timed calls err on the slow side, so evidence that a backend is fast
//! is kept and evidence that it is slow is kept only while it is recent.
//! A try runs in a state the backend's own calls never see: right after
//! calls on another backend, with the thread pool asleep (on a 2-vCPU VM
//! the first `simd-threads` call of 3·10⁴ items after `simd` calls took
//! 76 µs, the calls after it 28–46 µs, and `simd` 54 µs). So a try may
//! lower a prediction but never raise it; calls slower than the model
//! raise the prediction but never refit the model; and what the calls
//! taught about a backend that is not chosen expires after
//! [`EXPIRE_FIRST`] calls of the kernel on other backends, so a slow spell
//! does not keep a backend out for good: its prediction falls back to its
//! model, and its own back-to-back calls, not tries, say whether it is
//! slow. (With tries and refits that raised, a fresh engine calling that
//! Gaussian in a tight loop ended on `simd` in 2 to 4 runs of 8, at
//! 1.7–1.9× `simd-threads`' time.)

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

/// Ratios a refit needs, and how far below 1 their median must be before
/// the model counts as contradicted: past the noise of a timed call on a
/// shared machine (a few tens of percent). Only a model measured too slow
/// is refitted: a timed call errs on the slow side (a cold core, a busy
/// machine, a sleeping pool), so calls faster than the model are evidence
/// to keep (and store), and calls slower than it raise the prediction
/// only while they are recent. Refitting up too, a slow spell of five
/// `simd-threads` calls of 3·10⁴ items right after the models were
/// measured made the model 4.8× slower for good; tries, which find the
/// pool asleep, could not bring it back below `simd`.
const REFIT_AFTER: usize = 5;
const NOISE: f64 = 1.25;

/// A runner-up is worth trying when its prediction is within this factor
/// of the best one: a ×3 mistake in a model on top of a backend that was
/// itself mispredicted must be within reach (4× left one out: a cold
/// calibration put the GPU first and the threads, skewed ×3, at 4.04×),
/// and the budget, not this cut, bounds what trying costs.
const WITHIN: f64 = 10.0;

/// Calls of a kernel on other backends after which what the calls taught
/// about a backend not chosen expires, the first time; each expiry
/// doubles it, so a backend that is truly slow costs a few calls each
/// time, ever more rarely (a handful of times in a million calls) — until
/// the backend, chosen again, runs this many calls in a row: then it was
/// slow for a spell, not for good, and its next spell expires as soon.
/// (Doubling for good, a Gaussian of 3·10⁴ items in a tight loop spent
/// ever longer spells on `simd`, a quarter of its calls by the third
/// second, after slow spells of `simd-threads` on a VM.)
const EXPIRE_FIRST: u64 = 128;

/// What the calls taught about one backend's model of one kernel.
#[derive(Debug, Clone)]
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
    /// Calls that were tries of it (among [`History::calls`]).
    tries: u32,
    /// When the calls last changed what it predicts.
    pub(crate) changed: Option<SystemTime>,
    /// The kernel's call count (see [`Histories`]) at this backend's last
    /// own call, or at its first ratio after it had none.
    own_at: u64,
    /// Calls on other backends after which its ratios expire.
    expire_after: u64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            ratios: Vec::new(),
            sorted: Vec::new(),
            median: None,
            calls: 0,
            refits: 0,
            tries: 0,
            changed: None,
            own_at: 0,
            expire_after: EXPIRE_FIRST,
        }
    }
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

    /// Forgets the ratios (not the counts): the prediction is the model's.
    fn forget_ratios(&mut self) {
        self.ratios.clear();
        self.sorted.clear();
        self.median = None;
    }

    /// Forgets the ratios, and the next expiry waits twice as long.
    fn expire(&mut self) {
        if self.ratios.is_empty() {
            return;
        }
        self.forget_ratios();
        self.expire_after = self.expire_after.saturating_mul(2);
        self.changed = Some(SystemTime::now());
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
    /// is too slow beyond their noise.
    pub(crate) fn refit(&mut self) -> Option<f64> {
        let factor = self.factor();
        if self.ratios.len() < REFIT_AFTER || factor >= 1.0 / NOISE {
            return None;
        }
        // The refitted model predicts what the calls measured: the ratios
        // start again from it.
        self.forget_ratios();
        self.refits = self.refits.saturating_add(1);
        Some(factor)
    }
}

/// What the calls taught about each backend's model of one kernel, in
/// [`crate::Backend::SPACES`] order, and how many calls it has had.
#[derive(Debug, Clone)]
pub(crate) struct Histories<const N: usize> {
    pub(crate) of: [History; N],
    /// Calls reported of the kernel on its own backends (tries not counted).
    calls: u64,
    /// The backend of the latest own calls in a row, and how many.
    run: (usize, u64),
}

impl<const N: usize> Default for Histories<N> {
    fn default() -> Self {
        Self {
            of: core::array::from_fn(|_| History::default()),
            calls: 0,
            run: (usize::MAX, 0),
        }
    }
}

impl<const N: usize> Histories<N> {
    /// A call `auto` chose ran on backend `i` and took `ratio` × its
    /// prediction: it joins `i`'s history, and the ratios of every backend
    /// that has not been chosen for its expiry's count of calls expire.
    pub(crate) fn own(&mut self, i: usize, ratio: f64) {
        self.calls += 1;
        self.run = match self.run {
            (b, n) if b == i => (i, n + 1),
            _ => (i, 1),
        };
        let chosen = &mut self.of[i];
        chosen.observe(ratio);
        chosen.own_at = self.calls;
        if self.run.1 >= EXPIRE_FIRST {
            chosen.expire_after = EXPIRE_FIRST;
        }
        let calls = self.calls;
        for (j, history) in self.of.iter_mut().enumerate() {
            if j != i && calls - history.own_at >= history.expire_after {
                history.expire();
            }
        }
    }

    /// A try of backend `i` took `ratio` × its prediction: it counts, and
    /// lowers the prediction where it is below it, but never raises it (see
    /// the module's comment).
    pub(crate) fn tried(&mut self, i: usize, ratio: f64) {
        let history = &mut self.of[i];
        if !ratio.is_finite() || ratio <= 0.0 {
            return;
        }
        history.tries = history.tries.saturating_add(1);
        if ratio >= history.factor() {
            history.calls = history.calls.saturating_add(1);
            return;
        }
        if history.ratios.is_empty() {
            history.own_at = self.calls;
        }
        history.observe(ratio);
    }

    /// The runner-up to try among `predicted` (each backend's index and
    /// corrected prediction, `best` among them): of those within [`WITHIN`]
    /// of the best, the one tried least (then the faster), so every
    /// candidate is tried before any is tried again. (Least known by all
    /// its calls, a backend that had been chosen for a while was never
    /// tried again while the others had fewer calls.)
    pub(crate) fn runner_up(
        &self,
        predicted: &[(usize, f64)],
        best: usize,
    ) -> Option<(usize, f64)> {
        let best_time = predicted.iter().find(|(i, _)| *i == best)?.1;
        let tries = |i: usize| self.of.get(i).map_or(u32::MAX, |h| h.tries);
        predicted
            .iter()
            .copied()
            .filter(|&(i, t)| i != best && t <= WITHIN * best_time)
            .min_by(|a, b| tries(a.0).cmp(&tries(b.0)).then(a.1.total_cmp(&b.1)))
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
    fn a_model_is_refitted_only_when_enough_calls_agree_it_is_too_slow() {
        let mut h = History::default();
        for _ in 0..4 {
            h.observe(0.25);
        }
        assert_eq!(h.refit(), None, "four calls are not enough");
        h.observe(0.25);
        assert_eq!(h.refit(), Some(0.25));
        assert_eq!((h.factor(), h.refits), (1.0, 1));
        for _ in 0..9 {
            h.observe(0.9); // within the noise
        }
        assert_eq!(h.refit(), None);
        for _ in 0..9 {
            h.observe(3.0); // slower: the prediction rises, the model stays
        }
        assert_eq!((h.refit(), h.factor()), (None, 3.0));
    }

    #[test]
    fn a_try_lowers_a_prediction_but_never_raises_it() {
        let mut h = Histories::<2>::default();
        for _ in 0..20 {
            h.tried(1, 3.0); // a try with the pool asleep
        }
        assert_eq!((h.of[1].factor(), h.of[1].calls), (1.0, 20));
        for _ in 0..3 {
            h.tried(1, 0.4); // a model measured ×3 too slow
        }
        assert_eq!(h.of[1].factor(), 0.4);
        h.tried(1, 0.5);
        assert_eq!(h.of[1].factor(), 0.4, "not raised by a slower try");
    }

    #[test]
    fn a_backend_not_chosen_falls_back_to_its_model_ever_more_rarely() {
        let mut h = Histories::<2>::default();
        let (mut expiry, mut tries) = (EXPIRE_FIRST, 0);
        for _ in 0..3 {
            // A slow spell: three own calls at 3× the model put backend 1
            // behind backend 0 …
            for _ in 0..3 {
                h.own(1, 3.0);
            }
            assert_eq!(h.of[1].factor(), 3.0);
            // … and tries do not confirm it, nor do they keep it fresh.
            for call in 1..=expiry {
                assert_eq!(h.of[1].factor(), 3.0, "expired after {call} calls");
                if call % 10 == 0 {
                    h.tried(1, 3.0);
                    tries += 1;
                }
                h.own(0, 1.0);
            }
            assert_eq!(h.of[1].factor(), 1.0, "not expired after {expiry} calls");
            assert_eq!(h.of[0].factor(), 1.0, "the chosen backend's ratios stay");
            expiry *= 2;
        }
        assert_eq!(h.of[1].calls, 3 * 3 + tries, "the tries count");
        // Chosen again for a run of calls, it was slow for a spell only:
        // its next spell expires as soon as the first.
        for _ in 0..EXPIRE_FIRST {
            h.own(1, 1.0);
        }
        for _ in 0..6 {
            h.own(1, 3.0);
        }
        for _ in 0..EXPIRE_FIRST {
            h.own(0, 1.0);
        }
        assert_eq!(h.of[1].factor(), 1.0, "the expiry stayed doubled");
        expiry = 2 * EXPIRE_FIRST;
        // A try that lowered a prediction keeps it for the expiry's count
        // of calls too.
        for _ in 0..3 {
            h.tried(1, 0.5);
        }
        for _ in 1..expiry {
            h.own(0, 1.0);
        }
        assert_eq!(h.of[1].factor(), 0.5);
        h.own(0, 1.0);
        assert_eq!(h.of[1].factor(), 1.0);
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
        let mut h = Histories::<4>::default();
        assert_eq!(h.runner_up(&predicted, 0), Some((1, 1.5)));
        h.tried(1, 1.0);
        for _ in 0..50 {
            h.own(2, 1.0); // known by its own calls, not tried
        }
        assert_eq!(h.runner_up(&predicted, 0), Some((2, 3.0)));
        h.tried(2, 1.0);
        assert_eq!(h.runner_up(&predicted, 0), Some((3, 9.0)));
        assert_eq!(h.runner_up(&[(0, 1.0)], 0), None);
    }
}
