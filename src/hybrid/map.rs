//! Hybrid maps: whole chunks of the kernel from the two ends of one queue,
//! each device writing its pieces of the output in place.

use core::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hetero_cpu::{parallel, sequential};
use hetero_kernel::kernel::check_map;
use hetero_kernel::observe::Observer;
use hetero_kernel::watched::Watched;
use hetero_kernel::{MapKernel, lanes};
use rayon::prelude::*;

use super::queue::Queue;
use super::split::HybridShare;
use crate::{Engine, Error, Result};

/// The part of the output no device has taken yet: units `lo..hi` of
/// `grain` items each (the last may be short), and their values.
struct Rest<'o, T> {
    lo: usize,
    hi: usize,
    out: &'o mut [T],
}

impl Engine {
    /// The map over `items` into `out` on `hybrid`. On an error `out`
    /// holds whatever pieces finished before it; the error is the result.
    pub(crate) fn map_hybrid_observed<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &dyn Observer,
    ) -> Result<HybridShare> {
        check_map(kernel, &items, out.len())?;
        let watched = Watched::new(kernel, observer);
        let (per_item, grain) = (kernel.out_per_item(), kernel.chunk());
        if let Some(why) = self.hybrid_cpu_only(|caps| kernel.gpu(caps).is_ok())? {
            // The simd-threads driver itself, as in `reduce.rs`.
            self.install(|| parallel::map::<_, lanes::Simd>(&watched, items.clone(), out))?;
            return Ok(HybridShare {
                cpu_items: items.len() as u64,
                cpu_only: Some(why),
                ..HybridShare::default()
            });
        }
        // Units are whole chunks counted from `items.start`, where the
        // threaded driver's tasks start: every output keeps its bits.
        let units = items.len().div_ceil(grain);
        let unit_items = |units: Range<usize>| {
            items.start + units.start * grain..(items.start + units.end * grain).min(items.end)
        };
        let queue = Queue::new(units, self.hybrid_split());
        let rest = Mutex::new(Rest {
            lo: 0,
            hi: units,
            out,
        });
        let mut share = HybridShare::default();
        let mut failure: Option<Error> = None;
        std::thread::scope(|scope| {
            let gpu = scope.spawn(|| {
                let (mut share, mut failure) = (HybridShare::default(), None);
                loop {
                    // Take the batch and its values under one lock, so the
                    // values are the batch's whoever else is taking.
                    let (batch, values) = {
                        let mut rest = rest.lock().unwrap_or_else(PoisonError::into_inner);
                        let Some(batch) = queue.gpu_take() else { break };
                        let count = unit_items(batch.clone()).len() * per_item;
                        let all = core::mem::take(&mut rest.out);
                        let (keep, values) = all.split_at_mut(all.len() - count);
                        (rest.out, rest.hi) = (keep, batch.start);
                        (batch, values)
                    };
                    let started = Instant::now();
                    let range = unit_items(batch.clone());
                    match self.map_gpu_observed(kernel, range.clone(), values, observer) {
                        Ok(()) => {
                            queue.gpu_done(batch.len(), started.elapsed().as_secs_f64());
                            share.gpu_items += range.len() as u64;
                            share.gpu_batches += 1;
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
            let cpu_items = self.install(|| {
                (0..self.threads())
                    .into_par_iter()
                    .map(|_| -> Result<usize> {
                        let mut done = 0;
                        loop {
                            let (unit, values) = {
                                let mut rest = rest.lock().unwrap_or_else(PoisonError::into_inner);
                                let Some(unit) = queue.cpu_take() else { break };
                                let count = unit_items(unit..unit + 1).len() * per_item;
                                let all = core::mem::take(&mut rest.out);
                                let (values, keep) = all.split_at_mut(count);
                                (rest.out, rest.lo) = (keep, unit + 1);
                                (unit, values)
                            };
                            let range = unit_items(unit..unit + 1);
                            done += range.len();
                            if let Err(e) =
                                sequential::map::<_, lanes::Simd>(&watched, range, values)
                            {
                                queue.stop();
                                return Err(e.into());
                            }
                            queue.cpu_done(1);
                        }
                        Ok(done)
                    })
                    .try_reduce(|| 0, |a, b| Ok(a + b))
            });
            match gpu.join() {
                Ok((gpu_share, gpu_failure)) => {
                    failure = gpu_failure.or(cpu_items.as_ref().err().cloned());
                    share = HybridShare {
                        cpu_items: cpu_items.unwrap_or(0) as u64,
                        ..gpu_share
                    };
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(share),
        }
    }
}
