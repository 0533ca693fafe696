//! The queue both devices of a hybrid call take work from: units (blocks
//! of a reduction, chunks of a map) `0..units`, the CPU from the front one
//! at a time, the GPU from the back in batches. Each end's rate is
//! measured as it goes, so the GPU's next batch is the part of what is
//! left that it would finish in the time the CPU takes for the rest —
//! halved, so the two ends meet with small batches (guided
//! self-scheduling).

use core::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::split::HybridSplit;

pub(crate) struct Queue {
    state: Mutex<State>,
    started: Instant,
    /// Under a fixed split, the first of the GPU's units: the CPU stops
    /// before it and the GPU takes from it on, in one batch.
    fixed_from: Option<usize>,
}

struct State {
    front: usize,
    back: usize,
    /// Units the CPU finished, and the GPU finished with its busy time.
    cpu_done: usize,
    gpu_done: usize,
    gpu_seconds: f64,
    stopped: bool,
}

impl Queue {
    pub(crate) fn new(units: usize, split: HybridSplit) -> Self {
        Self {
            state: Mutex::new(State {
                front: 0,
                back: units,
                cpu_done: 0,
                gpu_done: 0,
                gpu_seconds: 0.0,
                stopped: false,
            }),
            started: Instant::now(),
            fixed_from: match split {
                HybridSplit::Fixed { gpu_share } => Some(units - fixed_gpu_units(units, gpu_share)),
                _ => None,
            },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The CPU's next unit, or `None` when the queue is empty or stopped.
    pub(crate) fn cpu_take(&self) -> Option<usize> {
        let mut s = self.lock();
        let limit = self.fixed_from.unwrap_or(s.back).min(s.back);
        if s.stopped || s.front >= limit {
            return None;
        }
        s.front += 1;
        Some(s.front - 1)
    }

    pub(crate) fn cpu_done(&self, units: usize) {
        self.lock().cpu_done += units;
    }

    /// The GPU's next batch (a range of units), or `None`.
    pub(crate) fn gpu_take(&self) -> Option<Range<usize>> {
        let mut s = self.lock();
        if s.stopped || s.front >= s.back {
            return None;
        }
        let left = s.back - s.front;
        let take = match self.fixed_from {
            Some(first) if s.back <= first => return None,
            Some(first) => s.back - first.max(s.front),
            None => {
                let elapsed = self.started.elapsed().as_secs_f64();
                let cpu_rate = s.cpu_done as f64 / elapsed.max(1e-9);
                let gpu_rate = s.gpu_done as f64 / s.gpu_seconds.max(1e-9);
                if s.gpu_done == 0 {
                    1 // the first batch measures the GPU
                } else if cpu_rate == 0.0 {
                    left.div_ceil(2)
                } else {
                    let share = gpu_rate / (gpu_rate + cpu_rate);
                    ((left as f64 * share / 2.0).ceil() as usize).clamp(1, left)
                }
            }
        };
        let batch = s.back - take..s.back;
        s.back -= take;
        Some(batch)
    }

    pub(crate) fn gpu_done(&self, units: usize, seconds: f64) {
        let mut s = self.lock();
        s.gpu_done += units;
        s.gpu_seconds += seconds;
    }

    /// Ends the call early (a device failed): nobody takes more work.
    pub(crate) fn stop(&self) {
        self.lock().stopped = true;
    }
}

/// The units the GPU takes under a fixed split: the last `share` of them.
pub(crate) fn fixed_gpu_units(units: usize, share: f64) -> usize {
    let share = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((units as f64 * share).round() as usize).min(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ends_meet_without_gaps_or_overlaps() {
        let queue = Queue::new(100, HybridSplit::default());
        let mut taken = vec![0u8; 100];
        let mut gpu_batches = 0;
        loop {
            let mut any = false;
            if let Some(batch) = queue.gpu_take() {
                gpu_batches += 1;
                for u in batch.clone() {
                    taken[u] += 1;
                }
                queue.gpu_done(batch.len(), 1e-3);
                any = true;
            }
            for _ in 0..2 {
                if let Some(u) = queue.cpu_take() {
                    taken[u] += 1;
                    queue.cpu_done(1);
                    any = true;
                }
            }
            if !any {
                break;
            }
        }
        assert!(taken.iter().all(|&t| t == 1), "{taken:?}");
        assert!(gpu_batches >= 2);
    }

    #[test]
    fn a_fixed_split_gives_the_gpu_exactly_its_share_at_the_back() {
        let queue = Queue::new(10, HybridSplit::Fixed { gpu_share: 0.3 });
        assert_eq!(queue.gpu_take(), Some(7..10));
        assert_eq!(queue.gpu_take(), None);
        let cpu: Vec<usize> = core::iter::from_fn(|| queue.cpu_take()).collect();
        assert_eq!(cpu, (0..7).collect::<Vec<_>>());
        // The CPU never runs into the GPU's share, even before it is taken.
        let queue = Queue::new(10, HybridSplit::Fixed { gpu_share: 0.3 });
        let cpu: Vec<usize> = core::iter::from_fn(|| queue.cpu_take()).collect();
        assert_eq!(cpu.len(), 7);
        assert_eq!(queue.gpu_take(), Some(7..10));
    }

    #[test]
    fn a_stopped_queue_hands_out_nothing() {
        let queue = Queue::new(10, HybridSplit::default());
        queue.stop();
        assert_eq!(queue.cpu_take(), None);
        assert_eq!(queue.gpu_take(), None);
    }

    #[test]
    fn a_fast_gpu_takes_large_batches_and_a_slow_one_small() {
        // The GPU took 1 unit in 1 ms: 1000 units/s.
        let fast = Queue::new(1000, HybridSplit::default());
        let first = fast.gpu_take();
        assert_eq!(first, Some(999..1000));
        fast.gpu_done(1, 1e-3);
        let next = fast.gpu_take().map_or(0, |b| b.len());
        assert!(
            next > 100,
            "a GPU with no CPU progress yet takes half the rest halved: {next}"
        );
        let slow = Queue::new(1000, HybridSplit::default());
        let _ = slow.gpu_take();
        slow.gpu_done(1, 10.0); // 0.1 units/s
        for _ in 0..100 {
            let _ = slow.cpu_take();
        }
        slow.cpu_done(100);
        let next = slow.gpu_take().map_or(0, |b| b.len());
        assert!(next <= 2, "a slow GPU takes little: {next}");
    }
}
