//! Ping-pong: what a message costs. The shared-memory notebook's last
//! exercise — two parties send a packet back and forth and time it — over
//! each way hetero moves data between workers: two threads through a std
//! channel, a job round trip (`submit` then `wait`), and two MPI ranks
//! (`hetero::mpi::Cluster::ping_pong`, feature `mpi`). A `memcpy` of the
//! same bytes is the reference the bandwidths are read against.
//!
//! Every transport copies the packet once per hop (a message lands in the
//! receiver's own buffer, as an MPI receive or an unpickled `Pipe` message
//! does), so a large packet measures bandwidth and a small one latency:
//! one-way time = round trip ÷ 2, bandwidth = bytes ÷ one-way time.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{Engine, Error, Result};

/// The packet sizes the example and the bench use unless told: 8 B to
/// 16 MiB in steps of 8×.
pub const DEFAULT_SIZES: [usize; 8] = [8, 64, 512, 4096, 32_768, 262_144, 2_097_152, 16_777_216];

/// Round trips run untimed before the timed ones (threads wake, pages
/// are touched).
const WARM_UP: u32 = 5;

/// One transport at one packet size.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `threads`, `jobs`, `mpi` or `memcpy` (the reference).
    pub transport: &'static str,
    pub bytes: usize,
    /// Timed round trips (for `memcpy`: copies).
    pub reps: u32,
    /// Half the mean round trip (for `memcpy`: one copy).
    pub one_way_seconds: f64,
    pub bandwidth_bytes_per_second: f64,
}

impl Row {
    /// The row of `reps` round trips that took `elapsed` in all.
    pub fn of_round_trips(
        transport: &'static str,
        bytes: usize,
        reps: u32,
        elapsed: Duration,
    ) -> Self {
        Self::of_one_way(
            transport,
            bytes,
            reps,
            elapsed.as_secs_f64() / (2.0 * f64::from(reps.max(1))),
        )
    }

    fn of_one_way(transport: &'static str, bytes: usize, reps: u32, one_way: f64) -> Self {
        Self {
            transport,
            bytes,
            reps,
            one_way_seconds: one_way,
            bandwidth_bytes_per_second: bytes as f64 / one_way,
        }
    }
}

/// A zeroed packet of `bytes`, or the out-of-memory error naming it.
pub(crate) fn packet(bytes: usize) -> Result<Vec<u8>> {
    Ok(hetero_core::alloc::try_zeroed::<u8>(
        bytes as u64,
        "ping-pong packet",
    )?)
}

/// `reps` round trips of a `bytes` packet between this thread and an echo
/// thread, through two std channels.
///
/// # Errors
/// [`Error::OutOfMemory`] for a packet that cannot be allocated;
/// [`Error::ThreadPool`] when the echo thread cannot be started.
pub fn threads(bytes: usize, reps: u32) -> Result<Row> {
    let (to_echo, echo_in) = mpsc::channel::<Vec<u8>>();
    let (to_main, main_in) = mpsc::channel::<Vec<u8>>();
    let mut echo_buffer = packet(bytes)?;
    let echo = std::thread::Builder::new()
        .name("hetero-pingpong-echo".into())
        .spawn(move || {
            for message in echo_in {
                echo_buffer.copy_from_slice(&message);
                if to_main.send(message).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| Error::ThreadPool {
            threads: 1,
            reason: e.to_string(),
        })?;
    let mut mine = packet(bytes)?;
    let mut message = Some(packet(bytes)?);
    let mut round_trip = |message: &mut Option<Vec<u8>>| -> bool {
        let Some(out) = message.take() else {
            return false;
        };
        if to_echo.send(out).is_err() {
            return false;
        }
        match main_in.recv() {
            Ok(back) => {
                mine.copy_from_slice(&back);
                *message = Some(back);
                true
            }
            Err(_) => false,
        }
    };
    for _ in 0..WARM_UP {
        round_trip(&mut message);
    }
    let started = Instant::now();
    let mut ok = true;
    for _ in 0..reps {
        ok &= round_trip(&mut message);
    }
    let elapsed = started.elapsed();
    drop(to_echo);
    let _ = echo.join();
    match ok {
        true => Ok(Row::of_round_trips("threads", bytes, reps, elapsed)),
        false => Err(Error::JobPanicked {
            message: "the ping-pong echo thread ended early".into(),
        }),
    }
}

/// `reps` round trips of a `bytes` packet through a hetero job: each one
/// `submit`s the packet to a job thread, which copies it, and `wait`s for
/// the copy to come back.
///
/// # Errors
/// As [`threads`], and a job's own error.
pub fn jobs(engine: &Arc<Engine>, bytes: usize, reps: u32) -> Result<Row> {
    let mut mine = packet(bytes)?;
    let mut message = packet(bytes)?;
    let mut round_trip = |message: Vec<u8>| -> Result<Vec<u8>> {
        let back = engine
            .jobs()
            .submit_with(move |_| Ok(message.clone()))
            .wait()?;
        mine.copy_from_slice(&back);
        Ok(back)
    };
    for _ in 0..WARM_UP {
        message = round_trip(message)?;
    }
    let started = Instant::now();
    for _ in 0..reps {
        message = round_trip(message)?;
    }
    Ok(Row::of_round_trips("jobs", bytes, reps, started.elapsed()))
}

/// The reference: `reps` copies of `bytes` from one buffer to another on
/// this thread (one copy is one "one-way").
///
/// # Errors
/// [`Error::OutOfMemory`] for buffers that cannot be allocated.
pub fn memcpy(bytes: usize, reps: u32) -> Result<Row> {
    let from = packet(bytes)?;
    let mut to = packet(bytes)?;
    for _ in 0..WARM_UP {
        to.copy_from_slice(std::hint::black_box(&from));
    }
    let started = Instant::now();
    for _ in 0..reps.max(1) {
        to.copy_from_slice(std::hint::black_box(&from));
        std::hint::black_box(&mut to);
    }
    let one_copy = started.elapsed().as_secs_f64() / f64::from(reps.max(1));
    Ok(Row::of_one_way("memcpy", bytes, reps, one_copy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_halve_the_round_trip() {
        let row = Row::of_round_trips("threads", 1000, 10, Duration::from_millis(20));
        assert!((row.one_way_seconds - 1e-3).abs() < 1e-12);
        assert!((row.bandwidth_bytes_per_second - 1e6).abs() < 1e-3);
    }

    #[test]
    fn every_in_process_transport_bounces_a_packet() {
        let engine = Arc::new(Engine::with_threads(1).unwrap());
        for bytes in [0, 8, 100_000] {
            for row in [
                threads(bytes, 3).unwrap(),
                jobs(&engine, bytes, 3).unwrap(),
                memcpy(bytes, 3).unwrap(),
            ] {
                assert_eq!((row.bytes, row.reps), (bytes, 3));
                assert!(row.one_way_seconds > 0.0, "{row:?}");
            }
        }
    }
}
