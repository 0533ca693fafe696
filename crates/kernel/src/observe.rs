//! Watching a call from outside: a driver asks an [`Observer`] before each
//! piece of work (a GPU tile, a CPU chunk) whether to go on and tells it
//! the items each piece finished. This is how a submitted job reports
//! progress and is cancelled between pieces without the drivers knowing
//! about jobs.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Told about a call's pieces of work (CPU leaves, GPU tiles) as they run.
pub trait Observer: Sync {
    /// Whether the call should start its next tile. A `false` ends the
    /// call with a cancelled error and no value.
    fn proceed(&self) -> bool;
    /// `items` more items of the call are done.
    fn finished(&self, items: u64);
    /// Where one GPU tile's time went, told before its
    /// [`Observer::finished`] (a timeline draws it; nothing by default).
    fn gpu_tile(&self, tile: &GpuTile) {
        let _ = tile;
    }
}

/// One GPU tile as its driver ran it: host clock times, and the compute
/// passes' GPU time where the adapter has timestamp queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuTile {
    /// When the tile started (its turn on the device taken).
    pub started: std::time::Instant,
    /// When its output had been handed over.
    pub ended: std::time::Instant,
    /// Its items.
    pub items: u64,
    /// Host time writing its inputs and uniforms (the first part).
    pub upload: std::time::Duration,
    /// Host time copying its output out of the mapped buffer (the last part).
    pub readback: std::time::Duration,
    /// GPU time of its compute pass (`None`: no timestamp queries).
    pub kernel: Option<std::time::Duration>,
    /// Compute dispatches it issued.
    pub dispatches: u32,
}

/// The observer of a call nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;

impl Observer for Unobserved {
    #[inline(always)]
    fn proceed(&self) -> bool {
        true
    }
    #[inline(always)]
    fn finished(&self, _: u64) {}
}

/// A cancel flag and a count of finished items, shared between a call's
/// drivers (CPU leaves or GPU tiles) and whoever watches it.
#[derive(Debug, Default)]
pub struct Watch {
    cancelled: AtomicBool,
    done: AtomicU64,
}

impl Watch {
    /// Asks the call to stop at its next chunk or tile boundary.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
    /// Whether [`Watch::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    /// Items finished so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
}

impl Observer for Watch {
    fn proceed(&self) -> bool {
        !self.is_cancelled()
    }
    fn finished(&self, items: u64) {
        self.done.fetch_add(items, Ordering::Relaxed);
    }
}
