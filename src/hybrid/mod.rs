//! `hybrid`: one problem split between the GPU and the CPU threads at once.
//!
//! A reduction is cut into the subtree blocks of its fixed chunk tree
//! ([`hetero_core::shares::subtree_blocks`]), a map into whole chunks of
//! the kernel; both devices take work from the two ends of one queue —
//! the CPU threads one block (or chunk) at a time from the front, the GPU
//! batches from the back, each batch sized from the rates measured so far
//! so both ends meet at about the same moment — and reduction partials
//! combine along the fixed tree. So counts and hits equal every other
//! backend's, and a fixed split gives the same bits on every run.
//!
//! Where the GPU shares the CPU (a software adapter such as lavapipe), has
//! no side for the kernel, or is missing, `hybrid` runs on the CPU threads
//! alone and says so in its [`HybridShare`].

mod map;
mod queue;
mod reduce;
mod split;

pub use split::{HybridShare, HybridSplit};

use core::ops::Range;
use std::sync::{Mutex, PoisonError};

use hetero_kernel::gpu::GpuCaps;
use hetero_kernel::observe::Unobserved;
use hetero_kernel::{MapKernel, ReduceKernel};

pub(crate) use map::map_range;
pub(crate) use reduce::{reduce, reduce_blocks};

use crate::{Engine, Result};

/// An engine's hybrid settings and the share its last hybrid call took.
#[derive(Debug, Default)]
pub(crate) struct HybridState {
    split: HybridSplit,
    last: Mutex<Option<HybridShare>>,
}

impl Engine {
    /// Sets how `hybrid` divides work (default: adaptive, hardware GPUs only).
    #[must_use]
    pub fn with_hybrid_split(mut self, split: HybridSplit) -> Self {
        // A fresh state: this engine's clones keep their own split.
        self.hybrid = std::sync::Arc::new(HybridState {
            split,
            last: Mutex::default(),
        });
        self
    }

    /// `hybrid` on this engine: its split, what its last call did, and
    /// calls that return what each device computed.
    pub fn hybrid(&self) -> Hybrid<'_> {
        Hybrid { engine: self }
    }

    pub(crate) fn record(&self, share: &HybridShare) {
        *self
            .hybrid
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(share.clone());
    }
}

/// `hybrid` on one engine (see [`Engine::hybrid`]).
#[derive(Debug, Clone, Copy)]
pub struct Hybrid<'e> {
    engine: &'e Engine,
}

impl Hybrid<'_> {
    /// How `hybrid` divides work on this engine.
    pub fn split(&self) -> HybridSplit {
        self.engine.hybrid.split
    }

    /// What the most recent `hybrid` call on this engine did (for the
    /// per-problem methods, which return only the value).
    pub fn last_share(&self) -> Option<HybridShare> {
        self.engine
            .hybrid
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A reduction on `hybrid`, with what each device did.
    ///
    /// # Errors
    /// As [`Engine::reduce`] on either device: a failure of the GPU's part
    /// or the CPU's fails the call with its cause, and no value.
    pub fn reduce<K: ReduceKernel>(&self, kernel: &K) -> Result<(K::Output, HybridShare)> {
        let (value, share) = reduce(self.engine, kernel, &Unobserved)?;
        self.engine.record(&share);
        Ok((value, share))
    }

    /// A map over `items` into `out` on `hybrid`, with what each device did.
    ///
    /// # Errors
    /// As [`Engine::map_range`] on either device; after a failure `out`
    /// holds the pieces finished before it — the error is the result.
    pub fn map<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
    ) -> Result<HybridShare> {
        let share = map_range(self.engine, kernel, items, out, &Unobserved)?;
        self.engine.record(&share);
        Ok(share)
    }
}

/// Why `hybrid` should run on the CPU threads alone (`Some`), or `None`
/// when the GPU takes part. `has_side` says whether the kernel has a GPU
/// side on a device with these caps. Under a fixed split the GPU is
/// required: its absence is the error.
fn cpu_only(engine: &Engine, has_side: impl FnOnce(&GpuCaps) -> bool) -> Result<Option<String>> {
    let split = engine.hybrid().split();
    let required = matches!(split, HybridSplit::Fixed { .. });
    let adapter = match engine.gpu_adapter() {
        Ok(adapter) => adapter,
        Err(e) if !required => return Ok(Some(format!("no GPU: {e}"))),
        Err(e) => return Err(e),
    };
    if adapter.is_software && !split.allows_software() {
        return Ok(Some(format!(
            "the GPU '{}' is a software adapter on these same cores",
            adapter.name
        )));
    }
    if !has_side(&adapter.caps()) {
        if required {
            return Err(crate::Error::Unsupported {
                what: "a kernel without a GPU side",
                backend: "hybrid",
                hint: "a fixed split needs the kernel's GPU side; use the adaptive split or a CPU backend",
            });
        }
        return Ok(Some("the kernel has no GPU side".to_owned()));
    }
    Ok(None)
}
