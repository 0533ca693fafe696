//! The cost model `auto` chooses with: per (kernel, backend), the time of a
//! call over n items as a fixed cost plus a cost per item, fitted from two
//! measured calls (StarPU's linear regression model, in its simplest form).

/// Predicted seconds of a call: `overhead + items × per_item`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostModel {
    /// Seconds a call costs whatever its size: thread wake-up, GPU
    /// submission and read-back.
    pub overhead: f64,
    /// Seconds per item once the call is large.
    pub per_item: f64,
    /// The items of the smaller measured call: below it the fixed cost is
    /// extrapolated, so `auto` measures small calls apart.
    pub valid_from: u64,
    /// The most items it predicts for (`u64::MAX`: any): a model whose
    /// larger probe was cut short by its kernel's size, before the
    /// per-item cost showed through, holds for a few times that size; a
    /// larger call measures again.
    pub valid_to: u64,
}

impl CostModel {
    /// The model through two measured calls: `small` items in `t_small`
    /// seconds and `large` items in `t_large` (`large > small`). Noise that
    /// makes the slope or the intercept negative is clamped to 0.
    pub fn fit(small: u64, t_small: f64, large: u64, t_large: f64) -> Self {
        if large <= small {
            return Self {
                overhead: t_small.min(t_large),
                per_item: 0.0,
                valid_from: small,
                valid_to: u64::MAX,
            };
        }
        let per_item = ((t_large - t_small) / (large - small) as f64).max(0.0);
        let overhead = (t_small - small as f64 * per_item).max(0.0);
        Self {
            overhead,
            per_item,
            valid_from: small,
            valid_to: u64::MAX,
        }
    }

    /// Predicted seconds for `items` items.
    pub fn predict(&self, items: u64) -> f64 {
        self.overhead + items as f64 * self.per_item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_goes_through_both_points_and_predicts_between_and_beyond() {
        let m = CostModel::fit(1_000, 1e-3 + 1e-6, 100_000, 1e-3 + 1e-4);
        assert!((m.overhead - 1e-3).abs() < 1e-12 && (m.per_item - 1e-9).abs() < 1e-18);
        assert!((m.predict(10_000_000) - (1e-3 + 1e-2)).abs() < 1e-9);
    }

    #[test]
    fn noise_never_gives_negative_costs() {
        let m = CostModel::fit(1_000, 2e-3, 2_000, 1e-3);
        assert!(m.per_item == 0.0 && m.overhead == 2e-3 && m.valid_from == 1_000);
        let m = CostModel::fit(1_000, 0.0, 2_000, 1e-3);
        assert!(m.overhead == 0.0 && m.per_item > 0.0);
        // One size measured: that call's time, whatever its size.
        let one = CostModel::fit(5, 1e-3, 5, 2e-3);
        assert!(one.predict(5) == 1e-3);
    }
}
