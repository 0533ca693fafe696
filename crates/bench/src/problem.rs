//! The four problems as the bench names and sizes them.

use core::fmt;
use core::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    Midpoint,
    Gaussian,
    Julia,
    Pi,
}

impl Problem {
    pub const ALL: [Self; 4] = [Self::Midpoint, Self::Gaussian, Self::Julia, Self::Pi];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Midpoint => "midpoint",
            Self::Gaussian => "gaussian",
            Self::Julia => "julia",
            Self::Pi => "pi",
        }
    }

    /// The notebook's size (Julia: N rows of an N × 2N image).
    pub const fn seed_size(self) -> u64 {
        match self {
            Self::Midpoint | Self::Gaussian => 1_000_000,
            Self::Julia => 1000,
            Self::Pi => 10_000_000,
        }
    }

    /// A size for `--quick` runs: a tenth of the work or less.
    pub const fn quick_size(self) -> u64 {
        match self {
            Self::Midpoint | Self::Gaussian => 100_000,
            Self::Julia => 300,
            Self::Pi => 1_000_000,
        }
    }

    /// Sizes over at least four decades of work, for the size-scaling experiment.
    pub fn scaling_sizes(self, quick: bool) -> Vec<u64> {
        let full: &[u64] = match self {
            Self::Midpoint | Self::Pi => &[1_000, 10_000, 100_000, 1_000_000, 10_000_000],
            Self::Gaussian => &[1_000, 10_000, 100_000, 1_000_000, 10_000_000],
            // 10 → 1000 rows is 200 → 2·10⁶ pixels: four decades of work.
            Self::Julia => &[10, 32, 100, 316, 1000],
        };
        if quick {
            full[..full.len() - 1].to_vec()
        } else {
            full.to_vec()
        }
    }

    /// What the size counts.
    pub const fn size_unit(self) -> &'static str {
        match self {
            Self::Midpoint => "subintervals",
            Self::Gaussian => "elements",
            Self::Julia => "rows (N x 2N image)",
            Self::Pi => "samples",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Problem {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown problem '{s}'; choose from midpoint, gaussian, julia, pi")
            })
    }
}
