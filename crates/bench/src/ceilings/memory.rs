//! Memory bandwidth per level: a read-only stream (what `sum` does) and a
//! STREAM triad (what `gaussian` does: two arrays read, one written), each
//! on a working set sized for one level — half of an L1 or an L2, just past
//! the L2 for a shared L3, arrays far past the last cache for DRAM — on one
//! core and on every core.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::Instant;

use hetero::kernel::Real;
use hetero::kernel::lanes::{Lanes, Simd};

use super::caches::{CacheLevel, human_bytes};
use super::share_of_cores;

/// Bytes a probe streams per timing (repeating passes over its arrays), and
/// with `--quick`.
const TRAFFIC: u64 = 128 << 20;
const QUICK_TRAFFIC: u64 = 24 << 20;

/// How a kernel touches memory, i.e. which probe bounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only (8 bytes per f64 counted).
    Read,
    /// Reads two streams and writes one (24 bytes per f64 counted, as
    /// STREAM counts; write-allocate traffic is not counted).
    Triad,
}

/// The bandwidth of one level of the memory hierarchy.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemoryLevel {
    /// "L1 (32 KiB per core)", …, "DRAM".
    pub name: String,
    /// The cache this row measures; `None` for DRAM.
    pub cache: Option<CacheLevel>,
    /// Bytes of arrays each thread streams over (the probe's working set).
    pub probe_bytes_one_core: u64,
    pub probe_bytes_per_thread_all_cores: u64,
    pub read_gbs_one_core: f64,
    pub read_gbs_all_cores: f64,
    pub triad_gbs_one_core: f64,
    pub triad_gbs_all_cores: f64,
}

impl MemoryLevel {
    /// Measures the level with working sets of `one` bytes on one thread and
    /// `per_thread` bytes on each of `pool`'s threads.
    fn measure(
        name: String,
        cache: Option<CacheLevel>,
        one: u64,
        per_thread: u64,
        pool: &rayon::ThreadPool,
        quick: bool,
    ) -> Self {
        let traffic = if quick { QUICK_TRAFFIC } else { TRAFFIC };
        let all = |access: Access| gbs_together(pool, access, per_thread, traffic);
        Self {
            name,
            cache,
            probe_bytes_one_core: one,
            probe_bytes_per_thread_all_cores: per_thread,
            read_gbs_one_core: gbs(Access::Read, one, traffic, None),
            read_gbs_all_cores: all(Access::Read),
            triad_gbs_one_core: gbs(Access::Triad, one, traffic, None),
            triad_gbs_all_cores: all(Access::Triad),
        }
    }

    /// The bandwidth of `cores` of the `all` cores measured, for `access`.
    pub fn gbs(&self, access: Access, cores: usize, all: usize) -> f64 {
        let (one, every) = match access {
            Access::Read => (self.read_gbs_one_core, self.read_gbs_all_cores),
            Access::Triad => (self.triad_gbs_one_core, self.triad_gbs_all_cores),
        };
        share_of_cores(one, every, cores, all)
    }
}

/// Every level's row, smallest first, ending with DRAM.
pub fn measure_levels(
    caches: &[CacheLevel],
    pool: &rayon::ThreadPool,
    quick: bool,
) -> Vec<MemoryLevel> {
    let threads = pool.current_num_threads() as u64;
    let mut rows = Vec::new();
    let mut below = 0u64; // the capacity per core of the level below
    for cache in caches {
        // A private level: half of it, so the arrays and everything else
        // fit. A shared level (a last-level cache, which other cores and,
        // on a VM, other guests fill too): twice the level below per
        // thread — just out of it — capped at half the level split among
        // the threads. Measured at half of a 36 MiB L3 on a 2-core VM, the
        // "L3" ran at DRAM speed and an 8 MB `sum` beat it by 26 %.
        let (one, per_thread) = if cache.private {
            (cache.bytes / 2, cache.bytes / 2)
        } else {
            let just_past = 2 * below.max(1);
            (
                just_past.min(cache.bytes / 2),
                just_past.min(cache.bytes / 2 / threads),
            )
        };
        if per_thread <= below {
            continue; // too small to tell apart from the level below
        }
        below = cache.bytes_per_core(1);
        rows.push(MemoryLevel::measure(
            cache.describe(),
            Some(cache.clone()),
            one,
            per_thread,
            pool,
            quick,
        ));
    }
    // Four times the last cache (or 256 MiB; 64 MiB quick), at least.
    let last = caches.last().map_or(0, |c| c.bytes);
    let floor = if quick { 64 << 20 } else { 256 << 20 };
    let dram = (4 * last).max(floor);
    rows.push(MemoryLevel::measure(
        format!("DRAM ({} arrays)", human_bytes(dram)),
        None,
        dram,
        dram / threads,
        pool,
        quick,
    ));
    rows
}

/// GB/s of `threads` threads streaming `access` together over `bytes` in
/// all (each its share, in arrays of its own), measured now: the probe
/// beside a report row, at the row's own working set and cores. `None` if
/// the threads cannot be started.
pub fn gbs_now(access: Access, bytes: u64, threads: usize) -> Option<f64> {
    if threads <= 1 {
        return Some(gbs(access, bytes, TRAFFIC, None));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("hetero-bench-probe-{i}"))
        .build()
        .ok()?;
    Some(gbs_together(&pool, access, bytes / threads as u64, TRAFFIC))
}

/// GB/s of all of `pool`'s threads together, each streaming `access` over
/// `per_thread` bytes of its own, started at once.
fn gbs_together(pool: &rayon::ThreadPool, access: Access, per_thread: u64, traffic: u64) -> f64 {
    let start = Barrier::new(pool.current_num_threads());
    pool.broadcast(|_| gbs(access, per_thread, traffic, Some(&start)))
        .iter()
        .sum()
}

/// One pass of a probe over its arrays (a, b, c); returns a value that
/// depends on every element read.
type Pass = fn(&mut [f64], &[f64], &[f64]) -> f64;

/// GB/s of one thread streaming `access` over arrays of `bytes` in all,
/// repeated until about `traffic` bytes moved; best of three (of three
/// for each read loop). Each thread allocates (and so first-touches) its
/// own arrays.
fn gbs(access: Access, bytes: u64, traffic: u64, start: Option<&Barrier>) -> f64 {
    type V = <Simd as Lanes>::F64;
    // Whole vectors of four accumulators' worth, at least one.
    let step = 4 * V::LANES;
    let arrays = match access {
        Access::Read => 1,
        Access::Triad => 3,
    };
    let len = ((bytes / 8 / arrays) as usize / step).max(1) * step;
    let moved = (len as u64) * 8 * arrays;
    let passes = (traffic / moved).max(1);
    // Reads touch one array; the triad three.
    let triad_len = if access == Access::Triad { len } else { 0 };
    let b = vec![1.0f64; len];
    let c = vec![2.0f64; triad_len];
    let mut a = vec![0.0f64; triad_len];
    // Each access is timed with two loops: on AMD Zen 4 a stream with some
    // work per vector (a compensated sum, like `sum`'s; a triad through a
    // few FMAs, like the Gaussian's `exp`) runs from DRAM ~10 % faster than
    // the bare one, which had `sum` at 128 % of a bare-loop ceiling. The
    // ceiling is the better of the two.
    let loops: &[Pass] = match access {
        Access::Read => &[
            |_, b, _| read_pass(black_box(b)),
            |_, b, _| read_compensated_pass(black_box(b)),
        ],
        Access::Triad => &[
            |a, b, c| {
                triad_pass(a, b, c, black_box(3.0));
                a[0]
            },
            |a, b, c| {
                triad_paced_pass(a, b, c, black_box(3.0));
                a[0]
            },
        ],
    };
    let mut best = f64::MAX;
    for pass in loops {
        black_box(pass(&mut a, &b, &c)); // warm: caches filled, pages touched
        for _ in 0..3 {
            if let Some(barrier) = start {
                barrier.wait();
            }
            let started = Instant::now();
            for _ in 0..passes {
                black_box(pass(&mut a, &b, &c));
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
    }
    (moved * passes) as f64 / best / 1e9
}

/// Σ x with four vector accumulators (independent adds hide the latency).
#[inline(never)]
fn read_pass(x: &[f64]) -> f64 {
    type V = <Simd as Lanes>::F64;
    let step = 4 * V::LANES;
    let mut acc = [V::splat(0.0); 4];
    for block in x.chunks_exact(step) {
        for (k, v) in acc.iter_mut().enumerate() {
            *v += V::load(&block[k * V::LANES..]);
        }
    }
    (acc[0] + acc[1] + acc[2] + acc[3]).reduce_add()
}

/// Σ x with four compensated vector accumulators (TwoSum, the error
/// summed apart): the same reads as [`read_pass`], paced by more work.
#[inline(never)]
fn read_compensated_pass(x: &[f64]) -> f64 {
    type V = <Simd as Lanes>::F64;
    let step = 4 * V::LANES;
    let mut acc = [V::splat(0.0); 4];
    let mut error = [V::splat(0.0); 4];
    for block in x.chunks_exact(step) {
        for k in 0..4 {
            let (sum, e) = acc[k].two_sum(V::load(&block[k * V::LANES..]));
            acc[k] = sum;
            error[k] += e;
        }
    }
    let total = acc.iter().zip(&error).map(|(s, e)| *s + *e);
    total.fold(V::splat(0.0), |t, v| t + v).reduce_add()
}

/// a = b + s·c, which the compiler vectorises at the build's width.
#[inline(never)]
fn triad_pass(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
        *a = b + s * c;
    }
}

/// The triad's values through eight FMAs that give them back unchanged
/// (·1 + 0, which the compiler may not drop: the operands are opaque): the
/// same traffic as [`triad_pass`], paced by more work per vector.
#[inline(never)]
fn triad_paced_pass(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    type V = <Simd as Lanes>::F64;
    let (one, zero, s) = (
        V::splat(black_box(1.0)),
        V::splat(black_box(0.0)),
        V::splat(s),
    );
    let chunks = a.chunks_exact_mut(V::LANES).zip(b.chunks_exact(V::LANES));
    for (k, (a, b)) in chunks.enumerate() {
        let mut v = s.mul_add(V::load(&c[k * V::LANES..]), V::load(b));
        for _ in 0..8 {
            v = v.mul_add(one, zero);
        }
        v.write_to(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_probes_sum_every_element() {
        let x: Vec<f64> = (0..1024).map(f64::from).collect();
        assert_eq!(read_pass(&x), 1023.0 * 1024.0 / 2.0);
        assert_eq!(read_compensated_pass(&x), 1023.0 * 1024.0 / 2.0);
    }

    #[test]
    fn the_triad_probe_computes_the_triad() {
        let (b, c) = (vec![1.0; 100], vec![2.0; 100]);
        let mut a = vec![0.0; 100];
        triad_pass(&mut a, &b, &c, 3.0);
        assert!(a.iter().all(|&v| v == 7.0));
        let mut a = vec![0.0; 96];
        triad_paced_pass(&mut a, &b[..96], &c[..96], 3.0);
        assert!(a.iter().all(|&v| v == 7.0));
    }
}
