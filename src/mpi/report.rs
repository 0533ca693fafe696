//! What each rank did since the timing was reset, gathered on rank 0 for reports:
//! its backend, threads, and where its time went.

use bytemuck::{Pod, Zeroable};

use super::{Cluster, MpiError, Timing};
use crate::Backend;

/// One rank's part since the timing was reset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankReport {
    pub rank: usize,
    pub backend: Backend,
    pub threads: usize,
    /// Seconds of local work.
    pub seconds: f64,
    /// Seconds in MPI collectives (waiting for slower ranks included).
    pub comm_seconds: f64,
}

/// A report's bytes on the wire.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Wire {
    backend: u32,
    threads: u32,
    seconds: f64,
    comm_seconds: f64,
}

impl Cluster {
    /// Every rank's report on rank 0 (`Some`, in rank order); `None` on
    /// the others. `backend` and `threads` are what this rank ran with,
    /// `timing` where its time went (usually [`Cluster::timing`] taken
    /// when the part to report ended).
    ///
    /// # Errors
    /// [`MpiError::TooLarge`] never in practice (one small record per rank).
    pub fn reports(
        &self,
        backend: Backend,
        threads: usize,
        timing: Timing,
    ) -> Result<Option<Vec<RankReport>>, MpiError> {
        let wire = Wire {
            backend: every_backend()
                .position(|b| b == backend)
                .expect("every backend is listed") as u32,
            threads: threads as u32,
            seconds: timing.compute_seconds,
            comm_seconds: timing.comm_seconds,
        };
        let size = size_of::<Wire>();
        let counts = vec![size; self.size()];
        let gathered = self.gather_counts(bytemuck::bytes_of(&wire), &counts, "the reports")?;
        Ok(gathered.map(|bytes| {
            bytes
                .chunks_exact(size)
                .enumerate()
                .map(|(rank, b)| {
                    let w: Wire = bytemuck::pod_read_unaligned(b);
                    RankReport {
                        rank,
                        // The same binary on every rank: the index is one
                        // of the list (scalar only for a corrupt record).
                        backend: every_backend()
                            .nth(w.backend as usize)
                            .unwrap_or(Backend::Scalar),
                        threads: w.threads as usize,
                        seconds: w.seconds,
                        comm_seconds: w.comm_seconds,
                    }
                })
                .collect()
        }))
    }
}

/// Every backend, the single ones and the combined (`hybrid`, `auto`), in
/// a fixed order: a rank's backend travels as its index here. (`ALL` alone
/// made `hybrid` and `auto` ranks report as `scalar`.)
fn every_backend() -> impl Iterator<Item = Backend> {
    Backend::ALL.into_iter()
}
