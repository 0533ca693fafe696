//! The two shapes of work, as Kokkos' `parallel_reduce` / `parallel_for`
//! and rayon's `Reducer` / `Producer`:
//!
//! - a **reduction** over the index space `0..len`: a leaf turns a range of
//!   items into a partial, and partials combine along the fixed chunk tree
//!   of [`hetero_core::chunks`] — so the result does not depend on how many
//!   threads, dispatches or devices computed the leaves;
//! - a **map** over the index space `0..len`: a leaf writes the outputs of
//!   a range of items (elements of arrays, rows of an image). Nothing
//!   combines; the chunk only sets the scheduling grain.
//!
//! A kernel declares its index space, its chunk, its leaf and (for
//! reductions) its combine — nothing else about scheduling. Leaves are
//! generic over [`Lanes`], so one source runs at every instruction width.
//! The GPU side is optional and separate ([`crate::gpu`]).

use core::ops::Range;

use hetero_core::chunks::chunk_count;

use crate::error::KernelError;
use crate::gpu::{GpuCaps, GpuMap, GpuReduce};
use crate::lanes::Lanes;

/// How a reduction's partials are defined and combined (its reducer), and
/// the index space they cover.
pub trait Reduction: Sync {
    /// What a leaf computes over a range of items.
    type Partial: Send;
    /// What the caller gets from the combined partial.
    type Output: Send;

    /// A name for errors and GPU labels.
    fn name(&self) -> &'static str {
        core::any::type_name::<Self>()
    }
    /// Items in the index space.
    fn len(&self) -> u64;
    /// Whether the index space has no items (a reduction then has no result).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Items per leaf chunk: the fixed size that makes results independent
    /// of the thread count. Must not be 0.
    fn chunk(&self) -> u64;
    /// Combines the partials of two adjacent ranges, left then right.
    fn combine(&self, left: Self::Partial, right: Self::Partial) -> Self::Partial;
    /// The output from the partial of the whole index space.
    fn finish(&self, total: Self::Partial) -> Self::Output;
}

/// A reduction with a CPU leaf, written once for every lane width, and an
/// optional GPU side.
pub trait ReduceKernel: Reduction {
    /// The partial of the items `items` (never empty, inside `0..len`).
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Self::Partial;

    /// The GPU side of this kernel on a device with `caps`.
    ///
    /// # Errors
    /// [`KernelError::Unsupported`] (the default) when the kernel has none.
    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<Self::Partial> + '_>, KernelError> {
        let _ = caps;
        Err(no_gpu_side())
    }
}

/// What a map's outputs are and the index space they cover.
pub trait Mapping: Sync {
    /// One output value (an element, a pixel's count).
    type Out: bytemuck::Pod + Default + Send + Sync;

    /// A name for errors and GPU labels.
    fn name(&self) -> &'static str {
        core::any::type_name::<Self>()
    }
    /// Items in the index space.
    fn len(&self) -> usize;
    /// Whether the index space has no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Output values per item: 1 for element-wise maps, the width for a
    /// map over the rows of an image.
    fn out_per_item(&self) -> usize {
        1
    }
    /// Items per parallel task. Must not be 0.
    fn chunk(&self) -> usize;
}

/// A map with a CPU leaf, written once for every lane width, and an
/// optional GPU side.
pub trait MapKernel: Mapping {
    /// Writes the outputs of items `items` into `out`
    /// (`items.len() * out_per_item` values).
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [Self::Out]);

    /// The GPU side of this kernel on a device with `caps`.
    ///
    /// # Errors
    /// [`KernelError::Unsupported`] (the default) when the kernel has none.
    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuMap + '_>, KernelError> {
        let _ = caps;
        Err(no_gpu_side())
    }
}

fn no_gpu_side() -> KernelError {
    KernelError::Unsupported {
        what: "this kernel",
        backend: "gpu",
        hint: "it has no GPU side: give it one (MapKernel::gpu / ReduceKernel::gpu) or choose a CPU backend",
    }
}

/// A reduction's leaves: `chunks` chunks of `chunk` items over `0..len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    pub len: u64,
    pub chunk: u64,
    pub chunks: u64,
}

impl ChunkPlan {
    /// The plan of `kernel`, checked.
    ///
    /// # Errors
    /// [`KernelError::ZeroChunk`], [`KernelError::EmptyRange`].
    pub fn of<K: Reduction + ?Sized>(kernel: &K) -> Result<Self, KernelError> {
        let (len, chunk) = (kernel.len(), kernel.chunk());
        if chunk == 0 {
            return Err(KernelError::ZeroChunk {
                kernel: kernel.name(),
            });
        }
        if len == 0 {
            return Err(KernelError::EmptyRange {
                kernel: kernel.name(),
            });
        }
        Ok(Self {
            len,
            chunk,
            chunks: chunk_count(len, chunk),
        })
    }

    /// The items of chunk `index`.
    pub fn items(&self, index: u64) -> Range<u64> {
        hetero_core::chunks::chunk_range(index, self.len, self.chunk)
    }
}

/// Checks a map call on items `items` with an output of `out_len` values.
///
/// # Errors
/// [`KernelError::ZeroChunk`], [`KernelError::OutOfRange`],
/// [`KernelError::OutputLength`].
pub fn check_map<K: Mapping + ?Sized>(
    kernel: &K,
    items: &Range<usize>,
    out_len: usize,
) -> Result<(), KernelError> {
    if kernel.chunk() == 0 {
        return Err(KernelError::ZeroChunk {
            kernel: kernel.name(),
        });
    }
    if items.start > items.end || items.end > kernel.len() {
        return Err(KernelError::OutOfRange {
            kernel: kernel.name(),
            start: items.start as u64,
            end: items.end as u64,
            len: kernel.len() as u64,
        });
    }
    let expected = items.len().checked_mul(kernel.out_per_item());
    if expected != Some(out_len) {
        return Err(KernelError::OutputLength {
            kernel: kernel.name(),
            start: items.start as u64,
            end: items.end as u64,
            expected: expected.unwrap_or(usize::MAX),
            got: out_len,
        });
    }
    Ok(())
}

/// A zeroed output for the whole index space of `kernel`, allocated
/// without aborting.
///
/// # Errors
/// [`KernelError::OutOfMemory`] when it cannot be allocated.
pub fn try_alloc_output<K: Mapping + ?Sized>(kernel: &K) -> Result<Vec<K::Out>, KernelError> {
    let values = (kernel.len() as u64).saturating_mul(kernel.out_per_item() as u64);
    let what = format!("{}: the output", kernel.name());
    Ok(hetero_core::alloc::try_zeroed(values, what)?)
}
