//! The closed set of backends, with the stable lowercase names the CLI,
//! the benchmark IDs and the reports use, and the execution space each
//! one stands for: instruction width × threading on the CPU, or the GPU.

use core::fmt;
use core::str::FromStr;

use crate::Error;

/// Where a problem runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    /// Plain loops on one core; f64 where the notebook uses f64. The reference.
    Scalar,
    /// `wide` SIMD vectors on one core.
    Simd,
    /// rayon over the scalar kernels.
    Threads,
    /// rayon over the SIMD kernels: the fastest CPU path.
    SimdThreads,
    /// wgpu compute shaders (feature `gpu`). f32 arithmetic, except where
    /// a method says otherwise.
    Gpu,
    /// The GPU and `simd-threads` on one problem at once (see
    /// [`crate::hybrid`]); the CPU threads alone where the GPU is a
    /// software one or missing.
    Hybrid,
    /// The backend with the least predicted time for the call, from
    /// measured cost models (see [`crate::auto`]).
    Auto,
}

impl Backend {
    /// Every backend, in report order.
    pub const ALL: [Self; 5] = [
        Self::Scalar,
        Self::Simd,
        Self::Threads,
        Self::SimdThreads,
        Self::Gpu,
    ];

    /// The backends that stand for others (`hybrid` combines two, `auto`
    /// picks one): not in [`Backend::ALL`], which lists the single
    /// backends reports and tests iterate over.
    pub const COMBINED: [Self; 2] = [Self::Hybrid, Self::Auto];

    /// The backends that run on the CPU.
    pub const CPU: [Self; 4] = [Self::Scalar, Self::Simd, Self::Threads, Self::SimdThreads];

    /// The stable lowercase name: `scalar`, `simd`, `threads`, `simd-threads`, `gpu`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Scalar => "scalar",
            Self::Simd => "simd",
            Self::Threads => "threads",
            Self::SimdThreads => "simd-threads",
            Self::Gpu => "gpu",
            Self::Hybrid => "hybrid",
            Self::Auto => "auto",
        }
    }

    /// Whether this backend runs on more than one thread (uses the engine's pool).
    pub const fn is_parallel(self) -> bool {
        matches!(
            self.space(),
            Space::Cpu {
                threading: Threading::Pool,
                ..
            } | Space::Hybrid
        )
    }

    /// The execution space this backend stands for.
    pub const fn space(self) -> Space {
        let (width, threading) = match self {
            Self::Scalar => (Width::Scalar, Threading::Caller),
            Self::Simd => (Width::Simd, Threading::Caller),
            Self::Threads => (Width::Scalar, Threading::Pool),
            Self::SimdThreads => (Width::Simd, Threading::Pool),
            Self::Gpu => return Space::Gpu,
            Self::Hybrid => return Space::Hybrid,
            Self::Auto => return Space::Auto,
        };
        Space::Cpu { width, threading }
    }
}

/// The instruction width a CPU backend computes at: one lane, or the
/// build's SIMD vectors (`hetero_kernel::lanes::{Scalar, Simd}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Width {
    Scalar,
    Simd,
}

/// Who runs a CPU backend's leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threading {
    /// The calling thread, one leaf after another (`hetero_cpu::sequential`).
    Caller,
    /// The engine's rayon pool (`hetero_cpu::parallel`).
    Pool,
}

/// Where a backend runs: the two CPU axes, the GPU, or both at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    Cpu {
        width: Width,
        threading: Threading,
    },
    Gpu,
    /// The GPU and the CPU's SIMD threads sharing one problem.
    Hybrid,
    /// One of the others, chosen per call.
    Auto,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// Parses a stable name (ASCII case-insensitive; `_` for `-` accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .chain(Self::COMBINED)
            .find(|b| b.name() == wanted)
            .ok_or_else(|| Error::UnknownBackend { name: s.to_owned() })
    }
}
