//! The collectives hetero uses, each bounded by the cluster's timeout:
//! gather and scatter of variable counts (rank 0 is the root), broadcast
//! and all-gather. Values are `Pod`, so partials travel as their exact
//! bytes.

use std::borrow::Cow;

use bytemuck::Pod;
use mpi::datatype::{Partition, PartitionMut};
use mpi::traits::{Communicator, CommunicatorCollectives, Equivalence, Root};
use mpi::{Count, request};

use super::{Cluster, MpiError};

const ROOT: i32 = 0;

/// MPI counts and displacements (32-bit) for `counts` values per rank.
///
/// # Errors
/// [`MpiError::TooLarge`] when the total does not fit MPI's 32-bit counts.
pub(crate) fn counts_and_displacements(
    counts: &[usize],
    what: &'static str,
) -> Result<(Vec<Count>, Vec<Count>), MpiError> {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total > Count::MAX as u128 {
        return Err(MpiError::TooLarge {
            what,
            count: total,
            limit: Count::MAX,
        });
    }
    let mut displacements = Vec::with_capacity(counts.len());
    let mut at: Count = 0;
    for &c in counts {
        displacements.push(at);
        at += c as Count; // fits: the total does
    }
    Ok((counts.iter().map(|&c| c as Count).collect(), displacements))
}

impl Cluster {
    /// Gathers every rank's `mine` on rank 0 into `into`, in rank order:
    /// `counts[r]` is rank r's length (the same `counts` on every rank),
    /// and rank r's values land at the sum of the counts before it. Rank 0's
    /// own part does not go through MPI — it must already be in place in
    /// `into[..counts[0]]` (a driver computes it there; see
    /// [`Cluster::gather_counts`] otherwise), so the largest share is never
    /// copied. `into` is read on rank 0 only.
    ///
    /// # Errors
    /// [`MpiError::TooLarge`] (on every rank alike) past 32-bit counts.
    pub(crate) fn gather_in_place<T: Equivalence + Pod>(
        &self,
        mine: &[T],
        counts: &[usize],
        into: &mut [T],
        what: &'static str,
    ) -> Result<(), MpiError> {
        let (mut counts, displacements) = counts_and_displacements(counts, what)?;
        let root = self.world.process_at_rank(ROOT);
        if !self.is_root() {
            request::scope(|scope| {
                self.wait(root.immediate_gather_varcount_into(scope, mine), what);
            });
            return Ok(());
        }
        counts[0] = 0; // already in place
        let mut partition = PartitionMut::new(into, counts, &displacements[..]);
        let nothing: &[T] = &[];
        request::scope(|scope| {
            self.wait(
                root.immediate_gather_varcount_into_root(scope, nothing, &mut partition),
                what,
            );
        });
        Ok(())
    }

    /// [`Cluster::gather_in_place`] into a new buffer: rank 0 gets the
    /// concatenation of every rank's `mine`, the others `None`.
    ///
    /// # Errors
    /// As [`Cluster::gather_in_place`]; [`MpiError::RankFailed`] on every
    /// rank when rank 0 cannot allocate the result (agreed before any data
    /// moves, so no rank waits for a gather that will not come).
    pub(crate) fn gather_counts<T: Equivalence + Pod>(
        &self,
        mine: &[T],
        counts: &[usize],
        what: &'static str,
    ) -> Result<Option<Vec<T>>, MpiError> {
        let total = counts.iter().fold(0u64, |t, &c| t.saturating_add(c as u64));
        let all = match self.is_root() {
            true => {
                hetero_core::alloc::try_filled(total, T::zeroed(), "mpi: rank 0's gathered result")
                    .map(Some)
            }
            false => Ok(None),
        };
        let Some(mut all) = self.settle(all)? else {
            self.gather_in_place(mine, counts, &mut [], what)?;
            return Ok(None);
        };
        let total = all.len();
        let own = counts[0].min(mine.len()).min(total);
        all[..own].copy_from_slice(&mine[..own]);
        self.gather_in_place(mine, counts, &mut all, what)?;
        Ok(Some(all))
    }

    /// Cuts `from_root` (read on rank 0 only) into `counts[r]` values for
    /// each rank r, in order, and returns this rank's part. Rank 0's part is
    /// borrowed from `from_root`, not copied.
    ///
    /// # Errors
    /// [`MpiError::TooLarge`] past 32-bit counts; [`MpiError::RankFailed`]
    /// on every rank when a rank cannot allocate its part (agreed before
    /// any data moves).
    pub(crate) fn scatter_counts<'a, T: Equivalence + Pod>(
        &self,
        from_root: &'a [T],
        counts: &[usize],
        what: &'static str,
    ) -> Result<Cow<'a, [T]>, MpiError> {
        let (mut mpi_counts, displacements) = counts_and_displacements(counts, what)?;
        let mine = match self.is_root() {
            true => Ok(Vec::new()),
            false => hetero_core::alloc::try_filled(
                counts[self.rank()] as u64,
                T::zeroed(),
                "mpi: this rank's scattered part",
            ),
        };
        let mut mine = self.settle(mine)?;
        let root = self.world.process_at_rank(ROOT);
        if self.is_root() {
            mpi_counts[0] = 0; // rank 0 keeps its part where it is
            let from = Partition::new(from_root, mpi_counts, &displacements[..]);
            let nowhere: &mut [T] = &mut [];
            request::scope(|scope| {
                self.wait(
                    root.immediate_scatter_varcount_into_root(scope, &from, nowhere),
                    what,
                );
            });
            return Ok(Cow::Borrowed(&from_root[..counts[0].min(from_root.len())]));
        }
        request::scope(|scope| {
            self.wait(
                root.immediate_scatter_varcount_into(scope, &mut mine[..]),
                what,
            );
        });
        Ok(Cow::Owned(mine))
    }

    /// Rank 0's `bytes` on every rank (the others' `bytes` are overwritten;
    /// every rank passes the same length).
    pub(crate) fn broadcast_bytes(&self, bytes: &mut [u8], what: &str) {
        let root = self.world.process_at_rank(ROOT);
        request::scope(|scope| {
            self.wait(root.immediate_broadcast_into(scope, bytes), what);
        });
    }

    /// Waits until every rank has called it (bounded by the timeout).
    pub fn barrier(&self) {
        self.wait(self.world.immediate_barrier(), "the barrier");
    }

    /// Every rank's `mine` (the same length on every rank) on every rank,
    /// in rank order.
    pub(crate) fn all_gather_bytes(&self, mine: &[u8], what: &str) -> Vec<u8> {
        let mut all = vec![0u8; mine.len() * self.size()];
        request::scope(|scope| {
            self.wait(
                self.world
                    .immediate_all_gather_into(scope, mine, &mut all[..]),
                what,
            );
        });
        all
    }
}
