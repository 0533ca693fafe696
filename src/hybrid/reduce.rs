//! Hybrid reductions: subtree blocks from the two ends of one queue, the
//! CPU threads' partials and the GPU's combined along the fixed tree. Both
//! sides run through the dispatch: the GPU's batches on `gpu`, each CPU
//! thread's blocks on `simd` (the threads are the pool's).

use core::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hetero_core::shares::{block_chunks, combine_blocks, subtree_blocks};
use hetero_kernel::{ChunkPlan, ReduceKernel};
use rayon::prelude::*;

use super::queue::Queue;
use super::split::HybridShare;
use crate::dispatch::Observing;
use crate::{Backend, Engine, Error, Result, dispatch};

/// The whole reduction on `hybrid`: its result and what each device did.
pub(crate) fn reduce<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    observer: &O,
) -> Result<(K::Output, HybridShare)> {
    let plan = ChunkPlan::of(kernel)?;
    let per_block = block_chunks(plan.chunks);
    let blocks = subtree_blocks(plan.chunks, per_block);
    let (partials, share) = reduce_blocks(engine, kernel, &plan, &blocks, observer)?;
    let total = combine_blocks(plan.chunks, per_block, partials, &|a, b| {
        kernel.combine(a, b)
    })?;
    Ok((kernel.finish(total), share))
}

/// The partials of `blocks` (subtrees of `plan`'s tree), the CPU threads
/// taking blocks from the front and the GPU batches from the back. Any
/// failure of either side fails the call with its cause.
pub(crate) fn reduce_blocks<K: ReduceKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    plan: &ChunkPlan,
    blocks: &[Range<u64>],
    observer: &O,
) -> Result<(Vec<K::Partial>, HybridShare)> {
    let items = |range: &[Range<u64>]| -> u64 {
        range
            .iter()
            .map(|b| plan.items(b.end - 1).end - plan.items(b.start).start)
            .sum()
    };
    if let Some(why) = super::cpu_only(engine, |caps| kernel.gpu(caps).is_ok())? {
        let partials =
            dispatch::reduce_blocks(engine, kernel, plan, blocks, Backend::SimdThreads, observer)?;
        let share = HybridShare {
            cpu_items: items(blocks),
            cpu_only: Some(why),
            ..HybridShare::default()
        };
        return Ok((partials, share));
    }

    let queue = Queue::new(blocks.len(), engine.hybrid().split());
    let slots: Mutex<Vec<Option<K::Partial>>> =
        Mutex::new((0..blocks.len()).map(|_| None).collect());
    let store = |at: usize, partial: K::Partial| {
        slots.lock().unwrap_or_else(PoisonError::into_inner)[at] = Some(partial);
    };
    let mut share = HybridShare::default();
    let mut failure: Option<Error> = None;
    std::thread::scope(|scope| {
        let gpu = scope.spawn(|| {
            let (mut share, mut failure) = (HybridShare::default(), None);
            while let Some(batch) = queue.gpu_take() {
                let started = Instant::now();
                let run = &blocks[batch.clone()];
                match dispatch::reduce_blocks(engine, kernel, plan, run, Backend::Gpu, observer) {
                    Ok(partials) => {
                        queue.gpu_done(batch.len(), started.elapsed().as_secs_f64());
                        share.gpu_items += items(run);
                        share.gpu_batches += 1;
                        for (at, partial) in batch.zip(partials) {
                            store(at, partial);
                        }
                    }
                    Err(e) => {
                        queue.stop();
                        failure = Some(e);
                        break;
                    }
                }
            }
            (share, failure)
        });
        let cpu_items = engine.install(|| {
            (0..engine.threads())
                .into_par_iter()
                .map(|_| -> Result<u64> {
                    let mut done = 0;
                    while let Some(at) = queue.cpu_take() {
                        let block = core::slice::from_ref(&blocks[at]);
                        let partial = dispatch::reduce_blocks(
                            engine,
                            kernel,
                            plan,
                            block,
                            Backend::Simd,
                            observer,
                        )
                        .inspect_err(|_| queue.stop())?;
                        for partial in partial {
                            store(at, partial);
                        }
                        queue.cpu_done(1);
                        done += items(block);
                    }
                    Ok(done)
                })
                .try_reduce(|| 0, |a, b| Ok(a + b))
        });
        match gpu.join() {
            Ok((gpu_share, gpu_failure)) => {
                failure = gpu_failure.or(cpu_items.as_ref().err().cloned());
                share = HybridShare {
                    cpu_items: cpu_items.unwrap_or(0),
                    ..gpu_share
                };
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    // Every block was taken by one side or the other: a missing partial
    // is a count mismatch, reported by `combine_blocks`.
    let partials = slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect();
    Ok((partials, share))
}
