//! Hybrid maps: whole chunks of the kernel from the two ends of one queue,
//! each device writing its pieces of the output in place, through the
//! dispatch (`gpu` for the GPU's batches, `simd` for each CPU thread's chunks).

use core::ops::Range;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hetero_kernel::MapKernel;
use hetero_kernel::kernel::check_map;
use rayon::prelude::*;

use super::queue::Queue;
use super::split::HybridShare;
use crate::dispatch::Observing;
use crate::{Backend, Engine, Error, Result, dispatch};

/// The part of the output no device has taken yet: units `lo..hi` of
/// `grain` items each (the last may be short), and their values.
struct Rest<'o, T> {
    lo: usize,
    hi: usize,
    out: &'o mut [T],
}

/// The map over `items` into `out` on `hybrid`. On an error `out` holds
/// whatever pieces finished before it; the error is the result.
pub(crate) fn map_range<K: MapKernel, O: Observing>(
    engine: &Engine,
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
    observer: &O,
) -> Result<HybridShare> {
    check_map(kernel, &items, out.len())?;
    let (per_item, grain) = (kernel.out_per_item(), kernel.chunk());
    if let Some(why) = super::cpu_only(engine, |caps| kernel.gpu(caps).is_ok())? {
        let count = items.len();
        dispatch::map_range(engine, kernel, items, out, Backend::SimdThreads, observer)?;
        return Ok(HybridShare {
            cpu_items: count as u64,
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
    let queue = Queue::new(units, engine.hybrid().split());
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
                match dispatch::map_range(
                    engine,
                    kernel,
                    range.clone(),
                    values,
                    Backend::Gpu,
                    observer,
                ) {
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
        let cpu_items = engine.install(|| {
            (0..engine.threads())
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
                        if let Err(e) = dispatch::map_range(
                            engine,
                            kernel,
                            range,
                            values,
                            Backend::Simd,
                            observer,
                        ) {
                            queue.stop();
                            return Err(e);
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
