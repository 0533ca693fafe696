//! The MPI map driver and the data movers around it: a map kernel's items
//! shared among the ranks (contiguous blocks, or blocks dealt round-robin),
//! outputs gathered on rank 0; data that starts on rank 0 scattered to the
//! ranks and gathered back.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::Pod;
use hetero_core::shares::{contiguous_shares, cyclic_blocks};
use hetero_kernel::MapKernel;
use hetero_kernel::kernel::try_alloc_output;
use hetero_kernel::picked::Picked;
use mpi::traits::Equivalence;

use super::wire::counts_and_displacements;
use super::{Cluster, MpiError, RankFailure};
use crate::{Backend, Engine};

/// How a map's items are shared among the ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    /// Rank r takes the r-th of `size` contiguous, near-equal runs of
    /// whole chunks: the least communication, and right when items cost the
    /// same (Gaussian elements).
    #[default]
    Blocks,
    /// Items are dealt in blocks of `block` items, round-robin: rank r takes
    /// blocks r, r + size, r + 2·size, … Right when cost varies smoothly
    /// along the index space (Julia rows: the set's middle rows iterate
    /// longest), so every rank gets a fair mix. `block` is rounded up to
    /// whole chunks of the kernel (Julia's chunk is one row).
    Cyclic { block: usize },
}

impl Distribution {
    /// The item ranges rank `rank` of `ranks` computes, in order. Every
    /// piece starts at a multiple of `grain` (the kernel's chunk), where a
    /// task of the threaded driver would, so each output is the one-process
    /// output bit for bit.
    fn pieces(self, len: usize, grain: usize, ranks: usize, rank: usize) -> Vec<Range<usize>> {
        match self {
            Self::Blocks => vec![contiguous_shares(len, ranks, grain)[rank].clone()],
            Self::Cyclic { block } => {
                let block = block.max(1).div_ceil(grain.max(1)) * grain.max(1);
                // Adjacent blocks (one rank has them all) as one piece.
                let mut pieces: Vec<Range<usize>> = Vec::new();
                for b in cyclic_blocks(len, ranks, rank, block) {
                    match pieces.last_mut() {
                        Some(last) if last.end == b.start => last.end = b.end,
                        _ => pieces.push(b),
                    }
                }
                pieces
            }
        }
    }
}

impl Cluster {
    /// `kernel` over its whole index space, its items shared among the
    /// ranks by `distribution`, each rank on `backend` of `engine`. Rank 0
    /// gets every output, in item order (`Some`), equal to
    /// `engine.map_vec(kernel, backend)`; the other ranks get `None`.
    ///
    /// # Errors
    /// On every rank alike: [`MpiError::RankFailed`] when any rank's part
    /// failed (rank 0 out of memory for the whole output, no GPU, a device
    /// error), naming the rank; [`MpiError::TooLarge`] past 2^31 − 1 output
    /// values (MPI's 32-bit counts).
    pub fn map<K>(
        &self,
        engine: &Engine,
        kernel: &K,
        distribution: Distribution,
        backend: Backend,
    ) -> Result<Option<Vec<K::Out>>, MpiError>
    where
        K: MapKernel,
        K::Out: Equivalence,
    {
        let (len, per_item, ranks) = (kernel.len(), kernel.out_per_item(), self.size());
        let pieces: Vec<Vec<Range<usize>>> = (0..ranks)
            .map(|r| distribution.pieces(len, kernel.chunk(), ranks, r))
            .collect();
        let values = |r: usize| pieces[r].iter().map(|p| p.len() * per_item).sum::<usize>();
        let counts: Vec<usize> = (0..ranks).map(values).collect();
        // Past MPI's 32-bit counts: refused on every rank alike, before work.
        counts_and_displacements(&counts, "the gather of the outputs")?;
        let (rank, root) = (self.rank(), self.is_root());
        // Where the ranks' pieces, in rank order, are the items in order
        // (blocks; any distribution on one rank), rank 0 computes its own
        // straight into the whole output and the others' land in place in
        // one gather. Otherwise (cyclic) rank 0 takes one rank's part at a
        // time into a scratch buffer of the largest part and unpacks it:
        // the whole output plus one part, not two whole outputs. (An
        // indexed datatype per rank could land each part in place, but not
        // in one gatherv — its receive type is one for all ranks — and it
        // would need MPI's unsafe typed views.)
        let in_order = pieces
            .iter()
            .flatten()
            .try_fold(0, |next, p| (p.start == next).then_some(p.end))
            .is_some();
        let in_place = root && in_order;
        let largest = counts.iter().copied().max().unwrap_or(0);
        let local = (|| -> crate::Result<_> {
            // Rank 0 holds the whole output: fail here, before any data moves.
            let mut whole = if root {
                Some(try_alloc_output(kernel)?)
            } else {
                None
            };
            let mut own = match (in_place, root) {
                (true, _) => Vec::new(),
                (false, true) => hetero_core::alloc::try_zeroed(
                    largest as u64,
                    "mpi: rank 0's buffer for one rank's part",
                )?,
                (false, false) => {
                    try_alloc_output(&Picked::new(kernel, pieces[rank].iter().cloned()))?
                }
            };
            let target = match whole.as_mut() {
                Some(w) if in_place => &mut w[..counts[0]],
                _ => &mut own[..counts[rank]],
            };
            self.compute_pieces(engine, kernel, &pieces[rank], backend, target)?;
            Ok((whole, own))
        })();
        let sizes = format!(
            "map of {len} items ({}), {per_item} outputs each, chunks of {}, {distribution:?}",
            kernel.name(),
            kernel.chunk()
        );
        let _communicating = super::timeline::Communicating::start(engine, "gather outputs");
        let (mut whole, mut own) = self.settle_sizes(&sizes, local)?;
        let what = "the gather of the outputs";
        if in_order {
            return match whole {
                None => self
                    .gather_in_place(&own, &counts, &mut [], what)
                    .map(|()| None),
                Some(mut out) => self
                    .gather_in_place(&[], &counts, &mut out, what)
                    .map(|()| Some(out)),
            };
        }
        let unpack = |out: &mut [K::Out], part: &[K::Out], r: usize| {
            let mut from = 0;
            for piece in &pieces[r] {
                let n = piece.len() * per_item;
                out[piece.start * per_item..piece.start * per_item + n]
                    .copy_from_slice(&part[from..from + n]);
                from += n;
            }
        };
        if let Some(out) = whole.as_mut() {
            unpack(out, &own[..counts[0]], 0);
        }
        // One gather per rank, each carrying that rank's part alone.
        for r in 1..ranks {
            let only: Vec<usize> = (0..ranks)
                .map(|q| if q == r { counts[r] } else { 0 })
                .collect();
            match whole.as_mut() {
                Some(out) => {
                    self.gather_in_place(&[], &only, &mut own[..counts[r]], what)?;
                    unpack(out, &own[..counts[r]], r);
                }
                None => {
                    let mine: &[K::Out] = if r == rank { &own } else { &[] };
                    self.gather_in_place(mine, &only, &mut [], what)?;
                }
            }
        }
        Ok(whole)
    }

    /// The outputs of `pieces` of `kernel`, packed in order into `out`.
    fn compute_pieces<K: MapKernel>(
        &self,
        engine: &Engine,
        kernel: &K,
        pieces: &[Range<usize>],
        backend: Backend,
        out: &mut [K::Out],
    ) -> crate::Result<()> {
        if let [one] = pieces {
            return engine.map_range(kernel, one.clone(), out, backend);
        }
        let picked = Picked::new(kernel, pieces.iter().cloned());
        // The picked pieces as one index space: the CPU drivers share
        // them among threads like any map.
        if backend.is_cpu() {
            return engine.map(&picked, out, backend);
        }
        // A GPU side is the kernel's own, over contiguous items: one call
        // per piece (and so for hybrid, which splits each piece, and auto).
        let mut at = 0;
        for piece in picked.pieces() {
            let n = piece.len() * kernel.out_per_item();
            engine.map_range(kernel, piece.clone(), &mut out[at..at + n], backend)?;
            at += n;
        }
        Ok(())
    }

    /// Cuts `from_root` (read on rank 0 only; `len` values — the same `len`
    /// on every rank) into contiguous near-equal parts of whole `grain`s,
    /// one per rank in order, and returns this rank's: ipyparallel's
    /// `scatter`. Rank 0's part is borrowed from `from_root`, the others'
    /// are received into new buffers. Pass the chunk of the kernel that will map the parts
    /// (e.g. [`hetero_core::chunks::GAUSSIAN_CHUNK`]) so each part starts
    /// where a task of one process would, and every output matches it bit
    /// for bit; 1 for no alignment.
    ///
    /// # Errors
    /// [`MpiError::RankFailed`] when rank 0's data is not `len` long;
    /// [`MpiError::TooLarge`] past 2^31 − 1 values.
    pub fn scatter<'a, T: Equivalence + Pod>(
        &self,
        from_root: &'a [T],
        len: usize,
        grain: usize,
    ) -> Result<Cow<'a, [T]>, MpiError> {
        let checked = match self.is_root() && from_root.len() != len {
            true => Err(RankFailure::usage(format!(
                "rank 0 scatters {} values but every rank was told {len}; pass the data's length",
                from_root.len()
            ))),
            false => Ok(()),
        };
        self.settle_sizes(
            &format!("scatter of {len} values in grains of {grain}"),
            checked,
        )?;
        let counts: Vec<usize> = contiguous_shares(len, self.size(), grain)
            .iter()
            .map(Range::len)
            .collect();
        self.scatter_counts(from_root, &counts, "the scatter")
    }

    /// The inverse of [`Cluster::scatter`] with the same `len` and `grain`:
    /// every rank's part (its contiguous share, in rank order) put together
    /// on rank 0 (`Some`); the other ranks get `None`. ipyparallel's
    /// `gather`.
    ///
    /// # Errors
    /// [`MpiError::RankFailed`] naming a rank whose part is not its share's
    /// length; [`MpiError::TooLarge`] past 2^31 − 1 values.
    pub fn gather<T: Equivalence + Pod>(
        &self,
        mine: &[T],
        len: usize,
        grain: usize,
    ) -> Result<Option<Vec<T>>, MpiError> {
        let shares = contiguous_shares(len, self.size(), grain);
        let own = shares[self.rank()].len();
        let checked = match mine.len() != own {
            true => Err(RankFailure::usage(format!(
                "this rank's part has {} values but its share of {len} is {own}; gather exactly what scatter gave",
                mine.len()
            ))),
            false => Ok(()),
        };
        self.settle_sizes(
            &format!("gather of {len} values in grains of {grain}"),
            checked,
        )?;
        let counts: Vec<usize> = shares.iter().map(Range::len).collect();
        self.gather_counts(mine, &counts, "the gather")
    }

    /// Rank 0's `value` on every rank: ipyparallel's `push` of one value.
    pub fn broadcast<T: Pod>(&self, value: T) -> T {
        let mut bytes = bytemuck::bytes_of(&value).to_vec();
        self.broadcast_bytes(&mut bytes, "the broadcast");
        bytemuck::pod_read_unaligned(&bytes)
    }
}
