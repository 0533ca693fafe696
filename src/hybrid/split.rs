//! How `hybrid` divides work, and what it reports having done.

use core::fmt;

/// How the `hybrid` backend divides a problem between GPU and CPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HybridSplit {
    /// Both devices take work from the two ends of one queue; the GPU's
    /// batches are sized from the rates measured so far. A software GPU is
    /// used only with `allow_software` (it competes with the CPU threads
    /// for the same cores, so it never helps; tests use it to exercise the
    /// split on any machine). The default, without software GPUs.
    Adaptive { allow_software: bool },
    /// The GPU takes the last `gpu_share` (in `[0, 1]`) of the blocks or
    /// chunks, the CPU the rest: the same split, and the same bits, on
    /// every run. The GPU must be there.
    Fixed { gpu_share: f64 },
}

impl Default for HybridSplit {
    /// Adaptive, hardware GPUs only.
    fn default() -> Self {
        Self::Adaptive {
            allow_software: false,
        }
    }
}

impl HybridSplit {
    #[cfg_attr(not(feature = "gpu"), allow(dead_code))]
    pub(crate) fn allows_software(self) -> bool {
        match self {
            Self::Adaptive { allow_software } => allow_software,
            Self::Fixed { .. } => true,
        }
    }
}

/// What one `hybrid` call did: the items each device computed, how many
/// GPU calls it took, and — when the GPU took no part — why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HybridShare {
    pub gpu_items: u64,
    pub cpu_items: u64,
    /// GPU calls (batches) made.
    pub gpu_batches: u64,
    /// Set when the call ran on the CPU threads alone: why.
    pub cpu_only: Option<String>,
}

impl HybridShare {
    /// The GPU's share of the items, in `[0, 1]`.
    pub fn gpu_fraction(&self) -> f64 {
        let total = self.gpu_items + self.cpu_items;
        if total == 0 {
            0.0
        } else {
            self.gpu_items as f64 / total as f64
        }
    }
}

impl fmt::Display for HybridShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cpu_only {
            Some(why) => write!(f, "cpu threads alone ({why})"),
            None => write!(
                f,
                "gpu {:.1} % of the items in {} batches, cpu threads {:.1} %",
                100.0 * self.gpu_fraction(),
                self.gpu_batches,
                100.0 * (1.0 - self.gpu_fraction())
            ),
        }
    }
}
