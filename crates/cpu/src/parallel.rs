//! The rayon driver: any kernel on the rayon pool it is called from (wrap
//! the call in `ThreadPool::install` to choose the pool). With
//! [`hetero_kernel::lanes::Scalar`] it is the `threads` backend, with
//! [`hetero_kernel::lanes::Simd`] the `simd-threads` backend.
//!
//! Reductions walk the same fixed chunk tree as the sequential driver, with
//! `rayon::join` at every inner node: the tree's shape depends on the
//! index space alone, so the result equals the sequential driver's bit for
//! bit, for any thread count. The recursion holds O(log n) partials per
//! thread: an index space of 10^10 items streams in constant memory.

use core::ops::Range;

use crate::leaf::reduce_leaf;
use hetero_core::chunks::split_point;
use hetero_kernel::kernel::check_map;
use hetero_kernel::{ChunkPlan, KernelError, Lanes, MapKernel, ReduceKernel};
use rayon::prelude::*;

/// [`hetero_core::chunks::tree_reduce`] with the two halves of every inner
/// node run by `rayon::join`. Same tree, same result, any thread count.
pub fn tree_reduce_par<T, Leaf, Combine>(lo: u64, hi: u64, leaf: &Leaf, combine: &Combine) -> T
where
    T: Send,
    Leaf: Fn(u64) -> T + Sync,
    Combine: Fn(T, T) -> T + Sync,
{
    if hi - lo == 1 {
        return leaf(lo);
    }
    let mid = split_point(lo, hi);
    let (left, right) = rayon::join(
        || tree_reduce_par(lo, mid, leaf, combine),
        || tree_reduce_par(mid, hi, leaf, combine),
    );
    combine(left, right)
}

/// The kernel's result, equal bit for bit to the sequential driver's.
///
/// # Errors
/// [`KernelError::ZeroChunk`] or [`KernelError::EmptyRange`].
pub fn reduce<K: ReduceKernel + ?Sized, L: Lanes>(kernel: &K) -> Result<K::Output, KernelError> {
    let plan = ChunkPlan::of(kernel)?;
    Ok(kernel.finish(reduce_chunks::<K, L>(kernel, &plan, 0..plan.chunks)))
}

/// The partial of the chunks `chunks` (not empty), in parallel.
pub fn reduce_chunks<K: ReduceKernel + ?Sized, L: Lanes>(
    kernel: &K,
    plan: &ChunkPlan,
    chunks: Range<u64>,
) -> K::Partial {
    tree_reduce_par(
        chunks.start,
        chunks.end,
        &|c| reduce_leaf::<K, L>(kernel, plan.items(c)),
        &|a, b| kernel.combine(a, b),
    )
}

/// The outputs of items `items` into `out`, one rayon task per chunk of
/// items (rayon groups neighbouring tasks adaptively). Each output equals
/// the sequential driver's.
///
/// # Errors
/// [`KernelError::ZeroChunk`], [`KernelError::OutOfRange`] or
/// [`KernelError::OutputLength`]; nothing is written then.
pub fn map<K: MapKernel + ?Sized, L: Lanes>(
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
) -> Result<(), KernelError> {
    let Some(tasks) = MapTasks::plan(kernel, &items, out.len())? else {
        return Ok(()); // nothing to write
    };
    out.par_chunks_mut(tasks.outputs)
        .enumerate()
        .for_each(|(t, o)| tasks.run::<K, L>(kernel, t, o));
    Ok(())
}

/// A checked map cut into tasks of one chunk of items each: what both
/// threaded drivers hand out, task `t` writing `out.chunks_mut(outputs)[t]`.
pub(crate) struct MapTasks {
    first_item: usize,
    chunk: usize,
    per_item: usize,
    /// Outputs per task (the last may hold fewer).
    pub(crate) outputs: usize,
}

impl MapTasks {
    /// The tasks of a map of `items` into `out_len` outputs; `None` when
    /// there is nothing to write.
    ///
    /// # Errors
    /// As [`check_map`]; nothing is written then.
    pub(crate) fn plan<K: MapKernel + ?Sized>(
        kernel: &K,
        items: &Range<usize>,
        out_len: usize,
    ) -> Result<Option<Self>, KernelError> {
        check_map(kernel, items, out_len)?;
        let per_item = kernel.out_per_item();
        if items.is_empty() || per_item == 0 {
            return Ok(None);
        }
        Ok(Some(Self {
            first_item: items.start,
            chunk: kernel.chunk(),
            per_item,
            outputs: kernel.chunk().saturating_mul(per_item),
        }))
    }

    /// Task `t`: the leaf over its items, into its outputs `out`.
    #[inline]
    pub(crate) fn run<K: MapKernel + ?Sized, L: Lanes>(
        &self,
        kernel: &K,
        t: usize,
        out: &mut [K::Out],
    ) {
        let first = self.first_item + t * self.chunk;
        map_leaf::<K, L>(kernel, first..first + out.len() / self.per_item, out);
    }
}

/// One task's leaf, kept out of line. PERF: inlined into rayon's task
/// loop, the vector `exp` of the Gaussian leaf lost its hoisted constants
/// (23 % more instructions, measured with callgrind); compiled on its own
/// it is the sequential driver's code, and a call per chunk costs nothing.
#[inline(never)]
pub(crate) fn map_leaf<K: MapKernel + ?Sized, L: Lanes>(
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
) {
    crate::leaf::map_leaf::<K, L>(kernel, items, out);
}
