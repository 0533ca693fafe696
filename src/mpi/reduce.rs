//! The MPI reduce driver: any reduction kernel across the ranks, with the
//! single-process result on every rank.
//!
//! The kernel's chunk tree is cut into subtree blocks that depend on the
//! chunk count alone ([`hetero_core::shares`]); each rank computes the
//! partials of a contiguous run of blocks on its own backend
//! ([`crate::Engine::reduce_blocks`]); the partials' bytes are gathered on
//! rank 0 and combined there along the same tree; the total's bytes are
//! broadcast and every rank finishes it. Per rank that is
//! `blocks × size_of::<Partial>()` bytes up (a few kB) and one partial
//! down, whatever the problem size.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::Pod;
use hetero_core::chunks::chunk_count;
use hetero_core::shares::{block_chunks, block_owners, combine_blocks, subtree_blocks};
use hetero_kernel::{ChunkPlan, ReduceKernel};
use mpi::traits::Equivalence;

use super::{Cluster, MpiError, RankFailure};
use crate::{Backend, Engine};

/// The blocks of a reduction of `chunks` chunks and the run of them each
/// rank owns: the same on every rank.
struct Shares {
    chunks: u64,
    block_chunks: u64,
    blocks: Vec<Range<u64>>,
    owners: Vec<Range<usize>>,
}

impl Shares {
    fn new(chunks: u64, ranks: usize) -> Self {
        let block_chunks = block_chunks(chunks);
        let blocks = subtree_blocks(chunks, block_chunks);
        let owners = block_owners(&blocks, chunks, ranks);
        Self {
            chunks,
            block_chunks,
            blocks,
            owners,
        }
    }

    fn of_rank(&self, rank: usize) -> &[Range<u64>] {
        &self.blocks[self.owners[rank].clone()]
    }

    /// The chunks rank `rank` owns, as one range (empty when it owns none).
    fn chunk_span(&self, rank: usize) -> Range<u64> {
        match self.of_rank(rank) {
            [] => 0..0,
            mine => mine[0].start..mine[mine.len() - 1].end,
        }
    }
}

/// A rank's part of data cut for a reduction by
/// [`Cluster::scatter_reduction`]: whole subtrees of the chunk tree.
pub struct ReducePart<'a, T: Clone> {
    /// Borrowed from rank 0's data on rank 0, received elsewhere.
    values: Cow<'a, [T]>,
    chunk: u64,
    shares: Shares,
}

impl<T: Clone> ReducePart<'_, T> {
    /// This rank's values (empty when it owns no chunk).
    pub fn values(&self) -> &[T] {
        &self.values
    }
}

impl Cluster {
    /// The result of `kernel` over its whole index space, each rank
    /// computing its share on `backend` of `engine`: bit-identical to
    /// `engine.reduce(kernel, backend)` in one process, for any rank count,
    /// and returned on every rank.
    ///
    /// # Errors
    /// On every rank alike: [`MpiError::RankFailed`] when any rank's part
    /// failed (an empty kernel, no GPU, a device error), naming the rank.
    pub fn reduce<K>(
        &self,
        engine: &Engine,
        kernel: &K,
        backend: Backend,
    ) -> Result<K::Output, MpiError>
    where
        K: ReduceKernel,
        K::Partial: Pod,
    {
        let local = ChunkPlan::of(kernel).map_err(crate::Error::from).and_then(
            |plan| -> crate::Result<_> {
                let shares = Shares::new(plan.chunks, self.size());
                let partials =
                    engine.reduce_blocks(kernel, shares.of_rank(self.rank()), backend)?;
                Ok((shares, partials))
            },
        );
        let sizes = format!(
            "reduction of {} items ({}) in chunks of {}",
            kernel.len(),
            kernel.name(),
            kernel.chunk()
        );
        let _communicating = super::timeline::Communicating::start(engine, "combine partials");
        let (shares, partials) = self.settle_sizes(&sizes, local)?;
        let total = self.combine_on_root(&shares, &partials, &|a, b| kernel.combine(a, b))?;
        Ok(kernel.finish(total))
    }

    /// Cuts data that starts on rank 0 for a reduction: `from_root` (read
    /// on rank 0 only; `len` values, the same `len` on every rank) is cut
    /// at whole subtrees of the chunk tree of `chunk` values per chunk, and
    /// each rank gets its part (scatterv). Reduce it with
    /// [`Cluster::reduce_part`] and a kernel built over
    /// [`ReducePart::values`].
    ///
    /// # Errors
    /// On every rank alike: [`MpiError::RankFailed`] when `len` or `chunk`
    /// is 0 or rank 0's data is not `len` long; [`MpiError::TooLarge`] past
    /// 2^31 − 1 values.
    pub fn scatter_reduction<'a, T: Equivalence + Pod>(
        &self,
        from_root: &'a [T],
        len: u64,
        chunk: u64,
    ) -> Result<ReducePart<'a, T>, MpiError> {
        let checked = if len == 0 || chunk == 0 {
            Err(RankFailure::usage(format!(
                "a scattered reduction needs at least one value and one value per chunk (got len {len}, chunk {chunk})"
            )))
        } else if self.is_root() && from_root.len() as u64 != len {
            Err(RankFailure::usage(format!(
                "rank 0's data has {} values but the reduction was given len {len}; pass the same len on every rank",
                from_root.len()
            )))
        } else {
            Ok(())
        };
        let sizes = format!("scattered reduction of {len} values in chunks of {chunk}");
        self.settle_sizes(&sizes, checked)?;
        let shares = Shares::new(chunk_count(len, chunk), self.size());
        let counts: Vec<usize> = (0..self.size())
            .map(|r| {
                let span = shares.chunk_span(r);
                ((span.end * chunk).min(len) - (span.start * chunk).min(len)) as usize
            })
            .collect();
        let values = self.scatter_counts(from_root, &counts, "the scatter of rank 0's data")?;
        Ok(ReducePart {
            values,
            chunk,
            shares,
        })
    }

    /// The reduction whose data was cut by [`Cluster::scatter_reduction`]:
    /// `kernel` is built over this rank's `part.values()` (every rank the
    /// same kernel type over its own part) and reduced on `backend`.
    /// Bit-identical to `engine.reduce` of the same kernel over the whole
    /// data in one process, and returned on every rank.
    ///
    /// The kernel must have the part's `chunk` values per chunk, and its
    /// combine and finish must not depend on the values it was built over
    /// (true of sums, extrema, histograms): rank 0's kernel finishes.
    ///
    /// # Errors
    /// As [`Cluster::reduce`], plus a kernel whose chunk or length does not
    /// match the part.
    pub fn reduce_part<K, T>(
        &self,
        engine: &Engine,
        kernel: &K,
        part: &ReducePart<'_, T>,
        backend: Backend,
    ) -> Result<K::Output, MpiError>
    where
        K: ReduceKernel,
        K::Partial: Pod,
        T: Clone,
    {
        let shares = &part.shares;
        let local = if kernel.chunk() != part.chunk || kernel.len() != part.values.len() as u64 {
            Err(RankFailure::usage(format!(
                "the kernel {} has {} values in chunks of {}, but this rank's part has {} in chunks of {}; build the kernel over part.values()",
                kernel.name(),
                kernel.len(),
                kernel.chunk(),
                part.values.len(),
                part.chunk
            )))
        } else {
            // In the part's own chunk numbering: a subtree's shape depends
            // only on its length, so the partials are the same.
            let base = shares.chunk_span(self.rank()).start;
            let mine: Vec<Range<u64>> = shares
                .of_rank(self.rank())
                .iter()
                .map(|b| b.start - base..b.end - base)
                .collect();
            if mine.is_empty() {
                Ok(Vec::new())
            } else {
                engine
                    .reduce_blocks(kernel, &mine, backend)
                    .map_err(RankFailure::from)
            }
        };
        // Each rank's kernel is over its own part: the chunk is what must
        // agree (the lengths were agreed by scatter_reduction).
        let sizes = format!("reduction of parts in chunks of {}", kernel.chunk());
        let _communicating = super::timeline::Communicating::start(engine, "combine partials");
        let partials = self.settle_sizes(&sizes, local)?;
        let total = self.combine_on_root(shares, &partials, &|a, b| kernel.combine(a, b))?;
        Ok(kernel.finish(total))
    }

    /// Gathers every rank's block partials on rank 0 as bytes, combines them
    /// there along the fixed tree, and broadcasts the total's bytes.
    fn combine_on_root<P: Pod>(
        &self,
        shares: &Shares,
        partials: &[P],
        combine: &impl Fn(P, P) -> P,
    ) -> Result<P, MpiError> {
        let size = size_of::<P>();
        if size == 0 {
            return Ok(P::zeroed()); // nothing to carry
        }
        let counts: Vec<usize> = (0..self.size())
            .map(|r| shares.owners[r].len() * size)
            .collect();
        let gathered = self.gather_counts(
            bytemuck::cast_slice::<P, u8>(partials),
            &counts,
            "the gather of the partials",
        )?;
        let mut total = vec![0u8; size];
        if let Some(bytes) = gathered {
            // Bytes need not be aligned for P: copy them out.
            let all: Vec<P> = bytemuck::pod_collect_to_vec(&bytes);
            let combined = combine_blocks(shares.chunks, shares.block_chunks, all, combine);
            // Every rank sent exactly its blocks, so the count always matches.
            match combined {
                Ok(p) => total.copy_from_slice(bytemuck::bytes_of(&p)),
                Err(e) => self.abort(1, &format!("combining the partials: {e}")),
            }
        }
        self.broadcast_bytes(&mut total, "the broadcast of the result");
        Ok(bytemuck::pod_read_unaligned(&total))
    }
}
