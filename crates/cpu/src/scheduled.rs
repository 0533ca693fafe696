//! The threaded driver under an explicit [`Schedule`]: the caller and the
//! pool's threads share a call's tasks as the schedule deals them
//! ([`caller_helps::for_each_dealt`]).
//!
//! Why the bits never change: a reduction's tasks are whole subtrees of the
//! kernel's fixed chunk tree ([`subtree_blocks`]), each reduced in tree
//! order, and the tasks' partials are combined along the same tree
//! ([`combine_blocks`]) — the sequential driver's order exactly, whoever
//! ran each task. A map's tasks start on the kernel's chunk boundaries, the
//! threaded map's cut, and each output depends on its item alone.
//!
//! A call keeps one partial (or one output slice) per task, so the tasks
//! are never more than [`MAX_TASKS`]: a schedule's `chunk` grows where a
//! call has more chunks than that (π over 10¹⁰ points), keeping memory
//! bounded as the fork-join driver does.

use core::ops::Range;
use std::sync::{Mutex, PoisonError};

use hetero_core::schedule::Schedule;
use hetero_core::shares::{block_owners, combine_blocks, contiguous_shares, subtree_blocks};
use hetero_kernel::kernel::check_map;
use hetero_kernel::{ChunkPlan, KernelError, Lanes, MapKernel, ReduceKernel};
use rayon::ThreadPool;

use crate::caller_helps::{self, Deal, for_each_dealt};
use crate::{parallel, sequential};

/// The most tasks one call is cut into.
pub const MAX_TASKS: u64 = 1 << 16;

/// The kernel's result under `schedule`, equal bit for bit to the
/// sequential driver's. [`Schedule::Auto`] is the engine's default: for
/// calls of up to [`caller_helps::MAX_CHUNKS`] chunks, `dynamic` with
/// about 16 tasks per thread, the caller working beside the pool; beyond,
/// rayon's work-stealing fork-join along the chunk tree.
///
/// # Errors
/// [`KernelError::ZeroChunk`] or [`KernelError::EmptyRange`].
pub fn reduce<K: ReduceKernel + ?Sized, L: Lanes>(
    pool: &ThreadPool,
    kernel: &K,
    schedule: Schedule,
) -> Result<K::Output, KernelError> {
    let plan = ChunkPlan::of(kernel)?;
    let workers = pool.current_num_threads();
    let (task_chunks, deal) = match schedule {
        Schedule::Auto if caller_helps::suits(plan.chunks) => {
            (auto_chunk(plan.chunks, workers), Deal::OneByOne)
        }
        Schedule::Auto => return pool.install(|| parallel::reduce::<K, L>(kernel)),
        Schedule::Dynamic { chunk } => (chunk, Deal::OneByOne),
        Schedule::Guided { min_chunk } => (min_chunk, Deal::Guided { workers }),
        Schedule::Static { chunk: Some(chunk) } => (chunk, Deal::Cyclic { workers }),
        // Even shares are runs of fine tasks, set below once they are known.
        Schedule::Static { chunk: None } => (1, Deal::Owned(Vec::new())),
    };
    let task_chunks = bounded_task(task_chunks, plan.chunks);
    let blocks = subtree_blocks(plan.chunks, task_chunks);
    let deal = match deal {
        Deal::Owned(_) => Deal::Owned(block_owners(&blocks, plan.chunks, workers)),
        other => other,
    };
    let slots: Vec<Mutex<Option<K::Partial>>> = blocks.iter().map(|_| Mutex::new(None)).collect();
    for_each_dealt(pool, blocks.len(), deal, &|t| {
        let partial = sequential::reduce_chunks::<K, L>(kernel, &plan, blocks[t].clone());
        *slots[t].lock().unwrap_or_else(PoisonError::into_inner) = Some(partial);
    });
    let partials = slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect("for_each_dealt ran every task")
        })
        .collect();
    let total = combine_blocks(plan.chunks, task_chunks, partials, &|a, b| {
        kernel.combine(a, b)
    })
    .expect("one partial per block of the same cut");
    Ok(kernel.finish(total))
}

/// The outputs of items `items` into `out` under `schedule`; each output
/// equals the sequential driver's.
///
/// # Errors
/// [`KernelError::ZeroChunk`], [`KernelError::OutOfRange`] or
/// [`KernelError::OutputLength`]; nothing is written then.
pub fn map<K: MapKernel + ?Sized, L: Lanes>(
    pool: &ThreadPool,
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
    schedule: Schedule,
) -> Result<(), KernelError> {
    check_map(kernel, &items, out.len())?;
    let per_item = kernel.out_per_item();
    if items.is_empty() || per_item == 0 {
        return Ok(());
    }
    let workers = pool.current_num_threads();
    let grain = kernel.chunk();
    let chunks = items.len().div_ceil(grain) as u64;
    let (tasks, deal) = match schedule {
        Schedule::Auto if caller_helps::suits(chunks) => (
            runs(items.len(), grain, auto_chunk(chunks, workers), chunks),
            Deal::OneByOne,
        ),
        Schedule::Auto => return pool.install(|| parallel::map::<K, L>(kernel, items, out)),
        Schedule::Static { chunk: None } => (
            contiguous_shares(items.len(), workers, grain),
            Deal::Cyclic { workers },
        ),
        Schedule::Static { chunk: Some(chunk) } => (
            runs(items.len(), grain, chunk, chunks),
            Deal::Cyclic { workers },
        ),
        Schedule::Dynamic { chunk } => (runs(items.len(), grain, chunk, chunks), Deal::OneByOne),
        Schedule::Guided { min_chunk } => (
            runs(items.len(), grain, min_chunk, chunks),
            Deal::Guided { workers },
        ),
    };
    // Each task's outputs, cut from `out` in task order.
    let mut pieces = Vec::with_capacity(tasks.len());
    let mut rest = out;
    for task in &tasks {
        let (piece, after) = rest.split_at_mut(task.len() * per_item);
        pieces.push(Mutex::new(piece));
        rest = after;
    }
    for_each_dealt(pool, tasks.len(), deal, &|t| {
        let task = &tasks[t];
        if !task.is_empty() {
            let mut piece = pieces[t].lock().unwrap_or_else(PoisonError::into_inner);
            let first = items.start + task.start;
            parallel::map_leaf::<K, L>(kernel, first..items.start + task.end, &mut piece);
        }
    });
    Ok(())
}

/// Tasks per thread under [`Schedule::Auto`]: enough that a thread that
/// drew the costly chunks is evened out by the others' later claims (the
/// imbalanced Julia view of the schedule experiment), few enough that a
/// balanced call pays for few claims — `dynamic,1` on the notebook's
/// image (250 chunks, 2 threads) took 3–6 % longer than `dynamic,8`.
const AUTO_TASKS_PER_THREAD: u64 = 16;

/// The chunk [`Schedule::Auto`] claims in calls of up to
/// [`caller_helps::MAX_CHUNKS`] chunks.
fn auto_chunk(chunks: u64, workers: usize) -> u64 {
    (chunks / (AUTO_TASKS_PER_THREAD * workers.max(1) as u64)).max(1)
}

/// `task_chunks` grown so that `chunks` chunks make at most [`MAX_TASKS`]
/// tasks.
fn bounded_task(task_chunks: u64, chunks: u64) -> u64 {
    task_chunks.max(chunks.div_ceil(MAX_TASKS)).max(1)
}

/// `len` items (offsets from the call's first) cut into tasks of
/// `task_chunks` of the kernel's chunks of `grain` items (the last shorter).
fn runs(len: usize, grain: usize, task_chunks: u64, chunks: u64) -> Vec<Range<usize>> {
    let task_chunks = usize::try_from(bounded_task(task_chunks, chunks)).unwrap_or(usize::MAX);
    let step = grain.saturating_mul(task_chunks);
    (0..len.div_ceil(step))
        .map(|t| t * step..((t + 1) * step).min(len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_items_in_order_on_chunk_boundaries() {
        for (len, grain, chunk) in [(10, 3, 1), (10, 3, 2), (1, 8, 4), (100, 7, 100)] {
            let cut = runs(len, grain, chunk, len.div_ceil(grain) as u64);
            assert_eq!(cut.first().unwrap().start, 0);
            assert_eq!(cut.last().unwrap().end, len);
            for pair in cut.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(pair[0].end % grain, 0);
            }
        }
    }

    #[test]
    fn tasks_stay_bounded_for_huge_calls() {
        let chunks = 10u64.pow(10) / 1024;
        let task = bounded_task(1, chunks);
        assert!(chunks.div_ceil(task) <= MAX_TASKS);
        assert_eq!(bounded_task(5, 100), 5);
    }
}
