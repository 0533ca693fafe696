//! The sequential driver: any kernel on the calling thread. With
//! [`hetero_kernel::lanes::Scalar`] it is the `scalar` backend, with
//! [`hetero_kernel::lanes::Simd`] the `simd` backend.

use core::ops::Range;

use hetero_core::chunks::tree_reduce;
use hetero_kernel::kernel::check_map;

use crate::leaf::{map_leaf, reduce_leaf};
use hetero_kernel::{ChunkPlan, KernelError, Lanes, MapKernel, ReduceKernel};

/// The kernel's result: every chunk's leaf, combined along the fixed tree.
///
/// # Errors
/// [`KernelError::ZeroChunk`] or [`KernelError::EmptyRange`].
pub fn reduce<K: ReduceKernel + ?Sized, L: Lanes>(kernel: &K) -> Result<K::Output, KernelError> {
    let plan = ChunkPlan::of(kernel)?;
    Ok(kernel.finish(reduce_chunks::<K, L>(kernel, &plan, 0..plan.chunks)))
}

/// The partial of the chunks `chunks` (not empty), combined along the
/// subtree of the fixed tree that covers them.
pub fn reduce_chunks<K: ReduceKernel + ?Sized, L: Lanes>(
    kernel: &K,
    plan: &ChunkPlan,
    chunks: Range<u64>,
) -> K::Partial {
    tree_reduce(
        chunks.start,
        chunks.end,
        &|c| reduce_leaf::<K, L>(kernel, plan.items(c)),
        &|a, b| kernel.combine(a, b),
    )
}

/// The outputs of items `items` into `out`, one leaf over the whole range.
///
/// # Errors
/// [`KernelError::ZeroChunk`], [`KernelError::OutOfRange`] or
/// [`KernelError::OutputLength`]; nothing is written then.
pub fn map<K: MapKernel + ?Sized, L: Lanes>(
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
) -> Result<(), KernelError> {
    check_map(kernel, &items, out.len())?;
    if !items.is_empty() {
        map_leaf::<K, L>(kernel, items, out);
    }
    Ok(())
}
