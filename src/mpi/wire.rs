//! The collectives hetero uses, each bounded by the cluster's timeout:
//! gather and scatter of variable counts (rank 0 is the root), broadcast
//! and all-gather. Values are `Pod`, so partials travel as their exact
//! bytes.

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
fn counts_and_displacements(
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
    /// Gathers every rank's `mine` on rank 0, in rank order; `counts[r]` is
    /// rank r's length (the same `counts` on every rank). Rank 0 gets the
    /// concatenation, the others `None`.
    ///
    /// # Errors
    /// [`MpiError::TooLarge`] (on every rank alike) past 32-bit counts.
    pub(crate) fn gather_counts<T: Equivalence + Pod>(
        &self,
        mine: &[T],
        counts: &[usize],
        what: &'static str,
    ) -> Result<Option<Vec<T>>, MpiError> {
        let (counts, displacements) = counts_and_displacements(counts, what)?;
        let root = self.world.process_at_rank(ROOT);
        if !self.is_root() {
            request::scope(|scope| {
                self.wait(root.immediate_gather_varcount_into(scope, mine), what);
            });
            return Ok(None);
        }
        let total = counts.iter().map(|&c| c as usize).sum();
        let mut all = vec![T::zeroed(); total];
        {
            let mut into = PartitionMut::new(&mut all[..], counts, &displacements[..]);
            request::scope(|scope| {
                self.wait(
                    root.immediate_gather_varcount_into_root(scope, mine, &mut into),
                    what,
                );
            });
        }
        Ok(Some(all))
    }

    /// Cuts `from_root` (read on rank 0 only) into `counts[r]` values for
    /// each rank r, in order, and returns this rank's part.
    ///
    /// # Errors
    /// [`MpiError::TooLarge`] past 32-bit counts.
    pub(crate) fn scatter_counts<T: Equivalence + Pod>(
        &self,
        from_root: &[T],
        counts: &[usize],
        what: &'static str,
    ) -> Result<Vec<T>, MpiError> {
        let mut mine = vec![T::zeroed(); counts[self.rank()]];
        let (counts, displacements) = counts_and_displacements(counts, what)?;
        let root = self.world.process_at_rank(ROOT);
        if self.is_root() {
            let from = Partition::new(from_root, counts, &displacements[..]);
            request::scope(|scope| {
                self.wait(
                    root.immediate_scatter_varcount_into_root(scope, &from, &mut mine[..]),
                    what,
                );
            });
        } else {
            request::scope(|scope| {
                self.wait(
                    root.immediate_scatter_varcount_into(scope, &mut mine[..]),
                    what,
                );
            });
        }
        Ok(mine)
    }

    /// Rank 0's `bytes` on every rank (the others' `bytes` are overwritten;
    /// every rank passes the same length).
    pub(crate) fn broadcast_bytes(&self, bytes: &mut [u8], what: &str) {
        let root = self.world.process_at_rank(ROOT);
        request::scope(|scope| {
            self.wait(root.immediate_broadcast_into(scope, bytes), what);
        });
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
