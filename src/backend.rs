//! The closed set of backends, with the stable lowercase names the CLI,
//! the benchmark IDs and the reports use, and what each stands for: an
//! execution space (instruction width × threading on the CPU, or the GPU)
//! or a policy over the spaces (`hybrid`, `auto`).

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
    /// Every backend, in report order: the five execution spaces, then the
    /// two policies.
    pub const ALL: [Self; 7] = [
        Self::Scalar,
        Self::Simd,
        Self::Threads,
        Self::SimdThreads,
        Self::Gpu,
        Self::Hybrid,
        Self::Auto,
    ];

    /// The backends that each run in one execution space ([`Policy::Run`]):
    /// what `auto` chooses among and what `hybrid` combines.
    pub const SPACES: [Self; 5] = [
        Self::Scalar,
        Self::Simd,
        Self::Threads,
        Self::SimdThreads,
        Self::Gpu,
    ];

    /// The backends that are policies over the spaces (`hybrid` combines
    /// two, `auto` picks one per call).
    pub const POLICIES: [Self; 2] = [Self::Hybrid, Self::Auto];

    /// The backends that run on the CPU alone.
    pub const CPU: [Self; 4] = [Self::Scalar, Self::Simd, Self::Threads, Self::SimdThreads];

    /// The stable lowercase name: `scalar`, `simd`, `threads`,
    /// `simd-threads`, `gpu`, `hybrid`, `auto`.
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

    /// How this backend runs a call: in one execution space, or by a policy.
    pub const fn policy(self) -> Policy {
        let (width, threading) = match self {
            Self::Scalar => (Width::Scalar, Threading::Caller),
            Self::Simd => (Width::Simd, Threading::Caller),
            Self::Threads => (Width::Scalar, Threading::Pool),
            Self::SimdThreads => (Width::Simd, Threading::Pool),
            Self::Gpu => return Policy::Run(Space::Gpu),
            Self::Hybrid => return Policy::Hybrid,
            Self::Auto => return Policy::Auto,
        };
        Policy::Run(Space::Cpu { width, threading })
    }

    /// The execution space this backend runs in; `None` for a policy.
    pub const fn space(self) -> Option<Space> {
        match self.policy() {
            Policy::Run(space) => Some(space),
            Policy::Hybrid | Policy::Auto => None,
        }
    }

    /// The lane width of a CPU backend; `None` for the GPU and the policies.
    pub const fn width(self) -> Option<Width> {
        match self.space() {
            Some(Space::Cpu { width, .. }) => Some(width),
            Some(Space::Gpu) | None => None,
        }
    }

    /// Whether this backend runs on the CPU alone (`scalar`, `simd`,
    /// `threads`, `simd-threads`).
    pub const fn is_cpu(self) -> bool {
        matches!(self.space(), Some(Space::Cpu { .. }))
    }

    /// Whether this backend runs on more than one thread (uses the engine's pool).
    pub const fn is_parallel(self) -> bool {
        matches!(
            self.policy(),
            Policy::Run(Space::Cpu {
                threading: Threading::Pool,
                ..
            }) | Policy::Hybrid
        )
    }

    /// Whether this backend may run (some of) a call on the GPU: `gpu`,
    /// and the policies that can choose it. Its results are held to the
    /// GPU's tolerances.
    pub const fn may_use_gpu(self) -> bool {
        !self.is_cpu()
    }

    /// Whether this backend is the CPU threads alone (`threads`,
    /// `simd-threads`): the pool, and nothing else.
    pub const fn is_cpu_parallel(self) -> bool {
        self.is_cpu() && self.is_parallel()
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

/// Where work runs (Kokkos' execution space): the CPU at a width and a
/// threading, or the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    Cpu { width: Width, threading: Threading },
    Gpu,
}

/// How a backend runs a call: in one space, or by a policy over the
/// spaces (Kokkos keeps the two apart the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// In this one space.
    Run(Space),
    /// The GPU and the CPU's SIMD threads sharing one problem (see [`crate::hybrid`]).
    Hybrid,
    /// One of [`Backend::SPACES`], chosen per call from measured cost models
    /// (see [`crate::auto`]).
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
            .find(|b| b.name() == wanted)
            .ok_or_else(|| Error::UnknownBackend { name: s.to_owned() })
    }
}
