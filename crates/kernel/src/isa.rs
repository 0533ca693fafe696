//! Instruction-set levels: which of the CPU leaves compiled into this binary
//! a run may use, detected once from the running CPU.
//!
//! One binary carries the leaves of every level (numpy, faer and memchr do
//! the same): the `wide` lanes of the build's target ([`Isa::Baseline`]:
//! SSE2 on a default x86-64 build, NEON on aarch64), AVX2 + FMA
//! ([`Isa::V3`]) and AVX-512 F/DQ/BW/VL ([`Isa::V4`]), the x86-64
//! micro-architecture levels of the psABI. There is no v2 level: SSE4.2
//! and POPCNT speed up none of hetero's leaves over SSE2 (`wide`'s
//! 128-bit code is the same), so it would be the baseline's code twice.

use core::fmt;
use core::str::FromStr;

use thiserror::Error;

/// An instruction-set level, lowest first (so `a <= b` means `b` can run
/// everything `a` can).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// The build's own target features through `wide`: SSE2 on a default
    /// x86-64 build, NEON on aarch64, scalar elsewhere.
    Baseline,
    /// x86-64-v3: AVX2, FMA (and BMI1/2, F16C, LZCNT, MOVBE).
    V3,
    /// x86-64-v4: v3 and AVX-512 F, DQ, BW and VL.
    V4,
}

/// A level the running CPU does not have, or a name that is not a level.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IsaError {
    #[error(
        "the instruction-set level {wanted} needs {needs}, which this CPU does not have (it has up to {best}); ask for {best} or lower, or leave HETERO_ISA unset to use the best"
    )]
    Unsupported {
        wanted: Isa,
        needs: &'static str,
        best: Isa,
    },
    #[error(
        "{name:?} is not an instruction-set level; use one of baseline, v3, v4 (v2 runs the baseline's code: say baseline)"
    )]
    Unknown { name: String },
}

impl Isa {
    /// Every level, lowest first.
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::V3, Isa::V4];

    /// The name `HETERO_ISA` and the reports use: `baseline`, `v3`, `v4`.
    pub const fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::V3 => "v3",
            Isa::V4 => "v4",
        }
    }

    /// The CPU features the level needs, for messages.
    pub const fn needs(self) -> &'static str {
        match self {
            Isa::Baseline => "nothing beyond the build's target",
            Isa::V3 => "AVX2 and FMA",
            Isa::V4 => "AVX2, FMA and AVX-512 F/DQ/BW/VL",
        }
    }

    /// Whether the running CPU has this level. Cheap after the first call
    /// (the standard library caches the CPUID answer).
    #[inline(always)]
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Isa::V3 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::V4 => {
                Isa::V3.is_supported()
                    && std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512vl")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Isa::V3 | Isa::V4 => false,
        }
    }

    /// The best level the running CPU has.
    pub fn detect() -> Isa {
        Isa::ALL
            .into_iter()
            .rev()
            .find(|level| level.is_supported())
            .unwrap_or(Isa::Baseline)
    }

    /// `self` if the running CPU has it.
    ///
    /// # Errors
    /// [`IsaError::Unsupported`] naming the level, what it needs and the
    /// best level the CPU has.
    pub fn check(self) -> Result<Isa, IsaError> {
        if self.is_supported() {
            Ok(self)
        } else {
            Err(IsaError::Unsupported {
                wanted: self,
                needs: self.needs(),
                best: Isa::detect(),
            })
        }
    }

    /// The level `HETERO_ISA` asks for (checked against the CPU), or the
    /// best the CPU has when it is unset or empty.
    ///
    /// # Errors
    /// [`IsaError::Unknown`] for a name that is not a level,
    /// [`IsaError::Unsupported`] for a level the CPU lacks.
    pub fn from_env() -> Result<Isa, IsaError> {
        match std::env::var("HETERO_ISA") {
            Ok(name) if !name.trim().is_empty() => name.parse::<Isa>()?.check(),
            _ => Ok(Isa::detect()),
        }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Isa {
    type Err = IsaError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "baseline" | "x86-64" | "v1" => Ok(Isa::Baseline),
            "v3" | "x86-64-v3" | "avx2" => Ok(Isa::V3),
            "v4" | "x86-64-v4" | "avx512" => Ok(Isa::V4),
            _ => Err(IsaError::Unknown {
                name: name.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_names_are_typed_errors() {
        for level in Isa::ALL {
            assert_eq!(level.name().parse::<Isa>(), Ok(level));
        }
        assert_eq!("x86-64-v3".parse::<Isa>(), Ok(Isa::V3));
        let err = "v2".parse::<Isa>().unwrap_err();
        assert!(err.to_string().contains("baseline, v3, v4"), "{err}");
        assert!(matches!(
            "sse9".parse::<Isa>(),
            Err(IsaError::Unknown { .. })
        ));
    }

    #[test]
    fn the_detected_level_is_supported_and_every_level_above_it_is_refused() {
        let best = Isa::detect();
        assert_eq!(best.check(), Ok(best));
        for level in Isa::ALL {
            if level > best {
                let err = level.check().unwrap_err();
                assert_eq!(
                    err,
                    IsaError::Unsupported {
                        wanted: level,
                        needs: level.needs(),
                        best
                    }
                );
                assert!(err.to_string().contains(best.name()), "{err}");
            } else {
                assert_eq!(level.check(), Ok(level));
            }
        }
    }
}
