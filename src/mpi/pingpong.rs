//! The ping-pong exercise between ranks 0 and 1 (see [`crate::pingpong`]).

use std::time::Instant;

use super::{Cluster, MpiError};
use crate::pingpong::Row;

/// The tag of ping-pong packets.
const TAG: u16 = 7;

impl Cluster {
    /// `reps` round trips of a `bytes` packet between ranks 0 and 1 (after
    /// a few untimed ones); ranks from 2 on take no part. Rank 0 gets the
    /// row, the others `None`. Call it on every rank.
    ///
    /// # Errors
    /// [`MpiError::BadPeer`] on a job of one rank; [`MpiError::Mismatch`]
    /// when the ranks asked for different sizes, [`MpiError::RankFailed`]
    /// on every rank when a packet cannot be allocated on one;
    /// as [`Cluster::send`] and [`Cluster::recv`].
    pub fn ping_pong(&self, bytes: usize, reps: u32) -> Result<Option<Row>, MpiError> {
        if self.size() < 2 {
            return Err(MpiError::BadPeer {
                peer: 1,
                rank: 0,
                size: self.size(),
            });
        }
        let packet = crate::pingpong::packet(bytes);
        let mut packet = self.settle_sizes(&format!("ping-pong of {bytes} bytes"), packet)?;
        let (rank, peer) = (self.rank(), 1 - self.rank().min(1));
        let round_trip = |packet: &mut [u8]| -> Result<(), MpiError> {
            match rank {
                0 => {
                    self.send(peer, TAG, packet)?;
                    self.recv(peer, TAG, packet)
                }
                1 => {
                    self.recv(peer, TAG, packet)?;
                    self.send(peer, TAG, packet)
                }
                _ => Ok(()),
            }
        };
        for _ in 0..5 {
            round_trip(&mut packet)?;
        }
        let started = Instant::now();
        for _ in 0..reps {
            round_trip(&mut packet)?;
        }
        let elapsed = started.elapsed();
        Ok((rank == 0).then(|| Row::of_round_trips("mpi", bytes, reps, elapsed)))
    }
}
