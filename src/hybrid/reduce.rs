//! Hybrid reductions: subtree blocks from the two ends of one queue, the
//! CPU threads' partials and the GPU's combined along the fixed tree.

use core::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hetero_core::shares::{block_chunks, combine_blocks, subtree_blocks};
use hetero_cpu::{parallel, sequential};
use hetero_kernel::observe::Observer;
use hetero_kernel::watched::Watched;
use hetero_kernel::{ChunkPlan, ReduceKernel, lanes};
use rayon::prelude::*;

use super::queue::Queue;
use super::split::HybridShare;
use crate::{Engine, Error, Result};

impl Engine {
    /// The whole reduction on `hybrid`: its result and what each device did.
    pub(crate) fn reduce_hybrid_observed<K: ReduceKernel>(
        &self,
        kernel: &K,
        observer: &dyn Observer,
    ) -> Result<(K::Output, HybridShare)> {
        let plan = ChunkPlan::of(kernel)?;
        let per_block = block_chunks(plan.chunks);
        let blocks = subtree_blocks(plan.chunks, per_block);
        let (partials, share) = self.reduce_blocks_hybrid(kernel, &plan, &blocks, observer)?;
        let total = combine_blocks(plan.chunks, per_block, partials, &|a, b| {
            kernel.combine(a, b)
        })?;
        Ok((kernel.finish(total), share))
    }

    /// The partials of `blocks` (subtrees of `plan`'s tree), the CPU
    /// threads taking blocks from the front and the GPU batches from the
    /// back. Any failure of either side fails the call with its cause.
    pub(crate) fn reduce_blocks_hybrid<K: ReduceKernel>(
        &self,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &dyn Observer,
    ) -> Result<(Vec<K::Partial>, HybridShare)> {
        let watched = Watched::new(kernel, observer);
        let items = |range: &[Range<u64>]| -> u64 {
            range
                .iter()
                .map(|b| plan.items(b.end - 1).end - plan.items(b.start).start)
                .sum()
        };
        if let Some(why) = self.hybrid_cpu_only(|caps| kernel.gpu(caps).is_ok())? {
            // The simd-threads driver itself (not the dispatch, which
            // would instantiate hybrid over the watched kernel again).
            let partials = self.install(|| {
                blocks
                    .par_iter()
                    .map(|b| parallel::reduce_chunks::<_, lanes::Simd>(&watched, plan, b.clone()))
                    .collect()
            });
            let share = HybridShare {
                cpu_items: items(blocks),
                cpu_only: Some(why),
                ..HybridShare::default()
            };
            return Ok((partials, share));
        }

        let queue = Queue::new(blocks.len(), self.hybrid_split());
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
                self.with_gpu_blocks(kernel, plan, observer, |gpu_partials| {
                    while let Some(batch) = queue.gpu_take() {
                        let started = Instant::now();
                        let run = &blocks[batch.clone()];
                        match gpu_partials(run) {
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
                });
                (share, failure)
            });
            let cpu_items: u64 = self.install(|| {
                (0..self.threads())
                    .into_par_iter()
                    .map(|_| {
                        let mut done = 0;
                        while let Some(at) = queue.cpu_take() {
                            let block = &blocks[at];
                            let partial = sequential::reduce_chunks::<_, lanes::Simd>(
                                &watched,
                                plan,
                                block.clone(),
                            );
                            store(at, partial);
                            queue.cpu_done(1);
                            done += items(core::slice::from_ref(block));
                        }
                        done
                    })
                    .sum()
            });
            match gpu.join() {
                Ok((gpu_share, gpu_failure)) => {
                    share = HybridShare {
                        cpu_items,
                        ..gpu_share
                    };
                    failure = gpu_failure;
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
}
