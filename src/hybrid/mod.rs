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

use hetero_kernel::observe::Unobserved;
use hetero_kernel::{MapKernel, ReduceKernel};

use crate::{Engine, Result};

/// An engine's hybrid settings and the share its last hybrid call took.
#[derive(Debug, Default)]
pub(crate) struct HybridState {
    split: HybridSplit,
    last: Mutex<Option<HybridShare>>,
}

impl Engine {
    /// Sets how `hybrid` divides work (default [`HybridSplit::Auto`]).
    #[must_use]
    pub fn with_hybrid_split(mut self, split: HybridSplit) -> Self {
        self.hybrid.split = split;
        self
    }

    /// How `hybrid` divides work on this engine.
    pub fn hybrid_split(&self) -> HybridSplit {
        self.hybrid.split
    }

    /// What the most recent `hybrid` call on this engine did (for the
    /// per-problem methods, which return only the value).
    pub fn last_hybrid_share(&self) -> Option<HybridShare> {
        self.hybrid
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn record(&self, share: &HybridShare) {
        *self
            .hybrid
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(share.clone());
    }

    /// A reduction on `hybrid`, with what each device did.
    ///
    /// # Errors
    /// As [`Engine::reduce`] on either device: a failure of the GPU's part
    /// or the CPU's fails the call with its cause, and no value.
    pub fn reduce_hybrid<K: ReduceKernel>(&self, kernel: &K) -> Result<(K::Output, HybridShare)> {
        let (value, share) = self.reduce_hybrid_observed(kernel, &Unobserved)?;
        self.record(&share);
        Ok((value, share))
    }

    /// A map over `items` into `out` on `hybrid`, with what each device did.
    ///
    /// # Errors
    /// As [`Engine::map_range`] on either device; after a failure `out`
    /// holds the pieces finished before it — the error is the result.
    pub fn map_hybrid<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
    ) -> Result<HybridShare> {
        let share = self.map_hybrid_observed(kernel, items, out, &Unobserved)?;
        self.record(&share);
        Ok(share)
    }
}
