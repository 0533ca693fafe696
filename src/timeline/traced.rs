//! The observer of a call that a job watches, a timeline records, or both:
//! it stops at the job's cancel and adds to its progress (as a bare
//! [`Watch`] does), and keeps, per thread, the time of the first and last
//! piece of work (CPU chunk or GPU tile) and their counts — flushed into
//! one span per thread when the call's span ends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hetero_kernel::observe::{GpuTile, Observer, Watch};

use super::{Arg, Timeline, thread_id};

/// Not set yet (a slot's first piece).
const UNSET: u64 = u64::MAX;

/// One thread's pieces of the current call, on cache lines of its own
/// (threads updating neighbouring slots on one line made every chunk a
/// cache-line transfer: +2.5 % on the Gaussian at 10⁶).
#[derive(Debug)]
#[repr(align(128))]
struct Slot {
    thread: AtomicU64,
    /// Nanoseconds from the timeline's origin.
    first: AtomicU64,
    last: AtomicU64,
    pieces: AtomicU64,
    items: AtomicU64,
}

impl Slot {
    fn new(thread: u64) -> Self {
        Self {
            thread: AtomicU64::new(thread),
            first: AtomicU64::new(UNSET),
            last: AtomicU64::new(0),
            pieces: AtomicU64::new(0),
            items: AtomicU64::new(0),
        }
    }
}

/// A call's observer (see the module documentation).
#[derive(Debug)]
pub(crate) struct Traced<'a> {
    watch: Option<&'a Watch>,
    timeline: Option<&'a Timeline>,
    /// The engine's pool threads, by rayon index.
    pool: Box<[Slot]>,
    /// The first thread outside the pool to work: the caller (who works
    /// beside the pool on small calls) or a job's thread — without a lock.
    first_other: Slot,
    /// Further threads outside the pool (hybrid's GPU side, …).
    others: Mutex<Vec<Slot>>,
}

impl<'a> Traced<'a> {
    /// Watched by `watch` (a job) and/or recorded into `timeline`;
    /// `threads`: the engine's pool size.
    pub(crate) fn new(
        watch: Option<&'a Watch>,
        timeline: Option<&'a Timeline>,
        threads: usize,
    ) -> Self {
        let pool = match timeline {
            Some(_) => (0..threads).map(|_| Slot::new(0)).collect(),
            None => Box::default(),
        };
        Self {
            watch,
            timeline,
            pool,
            first_other: Slot::new(0),
            others: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn timeline(&self) -> Option<&'a Timeline> {
        self.timeline
    }

    pub(crate) fn watch(&self) -> Option<&'a Watch> {
        self.watch
    }

    fn name_this_thread(&self) {
        if let Some(timeline) = self.timeline {
            timeline.name_this_thread();
        }
    }

    fn nanos(timeline: &Timeline) -> u64 {
        (timeline.micros(Instant::now()) * 1e3) as u64
    }

    /// This thread's slot, handed to `f`.
    #[inline]
    fn with_slot(&self, f: impl FnOnce(&Slot)) {
        let me = thread_id();
        // A rayon index names a thread of the engine's pool — or of
        // another pool the caller runs in: a slot taken by another thread
        // sends this one to the others.
        if let Some(slot) = rayon::current_thread_index().and_then(|k| self.pool.get(k)) {
            let owner = slot.thread.load(Ordering::Relaxed);
            if owner == 0 {
                slot.thread.store(me, Ordering::Relaxed);
                self.name_this_thread();
            }
            if owner == 0 || owner == me {
                return f(slot);
            }
        }
        let first = &self.first_other.thread;
        if first.load(Ordering::Relaxed) == me {
            return f(&self.first_other);
        }
        match first.compare_exchange(0, me, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => {
                self.name_this_thread();
                return f(&self.first_other);
            }
            Err(owner) if owner == me => return f(&self.first_other),
            Err(_) => {}
        }
        let mut others = self.others.lock().unwrap_or_else(PoisonError::into_inner);
        match others
            .iter()
            .position(|s| s.thread.load(Ordering::Relaxed) == me)
        {
            Some(k) => f(&others[k]),
            None => {
                self.name_this_thread();
                let slot = Slot::new(me);
                f(&slot);
                others.push(slot);
            }
        }
    }

    /// Records one span per thread that worked since the last flush —
    /// `what` ("chunks" or "tiles") from its first piece to its last — and
    /// clears the slots.
    pub(crate) fn flush(&self, what: &'static str, backend: &str) {
        let Some(timeline) = self.timeline else {
            return;
        };
        let mut emit = |slot: &Slot| {
            let pieces = slot.pieces.swap(0, Ordering::Relaxed);
            let first = slot.first.swap(UNSET, Ordering::Relaxed);
            if pieces == 0 || first == UNSET {
                return;
            }
            let last = slot.last.load(Ordering::Relaxed).max(first);
            let items = slot.items.swap(0, Ordering::Relaxed);
            let at = |ns: u64| timeline.origin + std::time::Duration::from_nanos(ns);
            timeline.span_on(
                slot.thread.load(Ordering::Relaxed),
                what,
                "work",
                at(first),
                at(last),
                vec![
                    (what, Arg::Int(pieces)),
                    ("items", Arg::Int(items)),
                    ("backend", Arg::Text(backend.to_owned())),
                ],
            );
        };
        self.pool.iter().for_each(&mut emit);
        emit(&self.first_other);
        let others = self.others.lock().unwrap_or_else(PoisonError::into_inner);
        others.iter().for_each(emit);
    }
}

// Each slot is written by its own thread only (a pool slot by the thread
// with that index, the others' under their lock), so its counters are
// updated with plain loads and stores, not read-modify-write atomics; and a
// piece costs one clock read (its end), plus one for a thread's first piece.
impl Observer for Traced<'_> {
    fn proceed(&self) -> bool {
        if let Some(timeline) = self.timeline {
            self.with_slot(|slot| {
                if slot.first.load(Ordering::Relaxed) == UNSET {
                    slot.first.store(Self::nanos(timeline), Ordering::Relaxed);
                }
            });
        }
        self.watch.is_none_or(|w| w.proceed())
    }

    fn finished(&self, items: u64) {
        if let Some(timeline) = self.timeline {
            let now = Self::nanos(timeline);
            self.with_slot(|slot| {
                slot.last.store(now, Ordering::Relaxed);
                let pieces = slot.pieces.load(Ordering::Relaxed);
                slot.pieces.store(pieces + 1, Ordering::Relaxed);
                let done = slot.items.load(Ordering::Relaxed);
                slot.items.store(done + items, Ordering::Relaxed);
            });
        }
        if let Some(watch) = self.watch {
            watch.finished(items);
        }
    }

    /// A GPU tile's span, and inside it its upload, its dispatches with
    /// the wait for them, and its readback, end to end on the host clock
    /// (the upload's and the readback's measured lengths placed at its
    /// start and its end; the pass's GPU time, where the adapter has
    /// timestamp queries, on the middle one).
    fn gpu_tile(&self, tile: &GpuTile) {
        let Some(timeline) = self.timeline else {
            return;
        };
        let us = |d: std::time::Duration| Arg::Float(d.as_secs_f64() * 1e6);
        let uploaded = (tile.started + tile.upload).min(tile.ended);
        let reading = tile
            .ended
            .checked_sub(tile.readback)
            .unwrap_or(tile.started)
            .max(uploaded);
        let mut args = vec![
            ("items", Arg::Int(tile.items)),
            ("dispatches", Arg::Int(u64::from(tile.dispatches))),
            ("upload_us", us(tile.upload)),
            ("readback_us", us(tile.readback)),
        ];
        let kernel = tile.kernel.map(|k| ("kernel_us", us(k)));
        args.extend(kernel.clone());
        timeline.span("tile", "gpu", tile.started, tile.ended, args);
        timeline.span("upload", "gpu", tile.started, uploaded, Vec::new());
        timeline.span(
            "dispatch + wait",
            "gpu",
            uploaded,
            reading,
            kernel.into_iter().collect(),
        );
        timeline.span("readback", "gpu", reading, tile.ended, Vec::new());
    }
}
