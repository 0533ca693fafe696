//! Point-to-point messages between two ranks: `send`, `recv` and
//! `sendrecv` of `Pod` slices, the shared-memory notebook's ping-pong
//! exercise and what any exchange between neighbours needs.
//!
//! Messages travel as bytes (any `Pod` type, no MPI datatype to declare)
//! and between two ranks arrive in the order they were sent. A receive
//! takes the next message from its source, whatever its tag, and checks it
//! against what the caller expected: a message of another length or tag is
//! an error naming both (the message is consumed), never a receive that
//! waits forever for a tag that is not coming or a buffer filled in part.
//! Every wait is bounded by the cluster's timeout, as the collectives'.

use bytemuck::Pod;
use mpi::datatype::Equivalence;
use mpi::point_to_point::{Destination, Source};
use mpi::request;
use mpi::topology::Communicator;

use super::{Cluster, MpiError};

/// The largest tag every MPI library accepts (`MPI_TAG_UB` is at least this).
pub const MAX_TAG: u16 = 32_767;

impl Cluster {
    /// Sends `data` to rank `to` with `tag`; returns once the buffer may be
    /// reused (for large messages: once `to` has started receiving it).
    ///
    /// # Errors
    /// [`MpiError::BadPeer`] for a rank that is not in the job or is this
    /// one, [`MpiError::BadTag`] above [`MAX_TAG`], [`MpiError::TooLarge`]
    /// past 2³¹ − 1 bytes. A rank that never receives ends the job after
    /// the timeout.
    pub fn send<T: Pod>(&self, to: usize, tag: u16, data: &[T]) -> Result<(), MpiError> {
        let bytes = self.outgoing(to, tag, data)?;
        let process = self.world.process_at_rank(to as i32);
        request::scope(|scope| {
            self.wait(
                process.immediate_send_with_tag(scope, bytes, i32::from(tag)),
                "send",
            );
        });
        Ok(())
    }

    /// Receives the next message from rank `from` into `into`, which it
    /// must fill exactly, sent with `tag`.
    ///
    /// # Errors
    /// [`MpiError::BadPeer`], [`MpiError::BadTag`] as for
    /// [`Cluster::send`]; [`MpiError::WrongMessage`] when the next message
    /// from `from` has another tag or length (it is consumed; `into` is
    /// left as it was).
    pub fn recv<T: Pod>(&self, from: usize, tag: u16, into: &mut [T]) -> Result<(), MpiError> {
        self.check_peer(from, tag)?;
        self.receive_bytes(from, tag, bytemuck::cast_slice_mut(into))
    }

    /// Sends `data` to `peer` and receives `peer`'s message into `into`, at
    /// once: both ranks may call it together without either waiting for
    /// the other's receive first (MPI's `sendrecv`).
    ///
    /// # Errors
    /// As [`Cluster::send`] and [`Cluster::recv`]; the send completes
    /// either way.
    pub fn sendrecv<T: Pod>(
        &self,
        peer: usize,
        tag: u16,
        data: &[T],
        into: &mut [T],
    ) -> Result<(), MpiError> {
        let bytes = self.outgoing(peer, tag, data)?;
        let process = self.world.process_at_rank(peer as i32);
        request::scope(|scope| {
            let sending = process.immediate_send_with_tag(scope, bytes, i32::from(tag));
            let received = self.receive_bytes(peer, tag, bytemuck::cast_slice_mut(into));
            self.wait(sending, "sendrecv");
            received
        })
    }

    /// `data` as bytes, once `to` and `tag` are checked.
    fn outgoing<'d, T: Pod>(
        &self,
        to: usize,
        tag: u16,
        data: &'d [T],
    ) -> Result<&'d [u8], MpiError> {
        self.check_peer(to, tag)?;
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if i32::try_from(bytes.len()).is_err() {
            return Err(MpiError::TooLarge {
                what: "message bytes",
                count: bytes.len() as u128,
                limit: i32::MAX,
            });
        }
        Ok(bytes)
    }

    fn check_peer(&self, peer: usize, tag: u16) -> Result<(), MpiError> {
        if peer >= self.size() || peer == self.rank() {
            return Err(MpiError::BadPeer {
                peer,
                rank: self.rank(),
                size: self.size(),
            });
        }
        if tag > MAX_TAG {
            return Err(MpiError::BadTag { tag, max: MAX_TAG });
        }
        Ok(())
    }

    /// The next message from `from`, checked against `tag` and `into`'s
    /// length, received into `into`.
    fn receive_bytes(&self, from: usize, tag: u16, into: &mut [u8]) -> Result<(), MpiError> {
        let source = self.world.process_at_rank(from as i32);
        let (message, status) = self.poll("recv", || source.immediate_matched_probe());
        let got_tag = status.tag();
        let got_bytes = status.count(u8::equivalent_datatype());
        if got_tag == i32::from(tag) && usize::try_from(got_bytes).ok() == Some(into.len()) {
            request::scope(|scope| {
                self.wait(message.immediate_matched_receive_into(scope, into), "recv");
            });
            return Ok(());
        }
        // Consume the message so that the next receive sees the next one
        // (where its bytes cannot be held, it is left unreceived).
        let drain = hetero_core::alloc::try_zeroed::<u8>(
            got_bytes.max(0) as u64,
            "mpi: an unexpected message",
        );
        if let Ok(mut drain) = drain {
            request::scope(|scope| {
                self.wait(
                    message.immediate_matched_receive_into(scope, &mut drain[..]),
                    "recv",
                );
            });
        }
        Err(MpiError::WrongMessage {
            from,
            expected_tag: tag,
            got_tag,
            expected_bytes: into.len(),
            got_bytes: got_bytes.max(0) as usize,
        })
    }
}
