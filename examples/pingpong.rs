//! The shared-memory notebook's exercise: two parties send a packet back
//! and forth 100 times and time it — one-way latency and bandwidth per
//! packet size, over two threads (a std channel), a hetero job round trip
//! (`submit` + `wait`) and two MPI ranks, beside a `memcpy` of the same
//! bytes.
//!
//! ```sh
//! cargo run --release --example pingpong                      # threads, jobs, memcpy
//! cargo run --release --example pingpong -- --sizes 8,1e6 --reps 1000 --json
//! cargo build --release --features mpi --example pingpong
//! mpirun -n 2 target/release/examples/pingpong --transport mpi
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use hetero::Engine;
use hetero::pingpong::{self, DEFAULT_SIZES, Row};
use serde_json::json;

#[path = "cli/mod.rs"]
mod cli;

use cli::Failure;

/// The largest packet accepted: two of them live at once per party.
const MAX_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Transport {
    /// Two threads of this process, through two std channels
    Threads,
    /// A hetero job round trip: submit the packet, wait for its copy
    Jobs,
    /// Ranks 0 and 1 of an MPI job (mpirun -n 2; build with --features mpi)
    Mpi,
}

/// A packet bounced between two parties: one-way latency and bandwidth.
#[derive(Debug, Parser)]
#[command(name = "pingpong", version, about)]
struct Args {
    /// Only this transport (default: every in-process one — threads, jobs)
    #[arg(long, value_enum)]
    transport: Option<Transport>,

    /// Packet sizes in bytes, comma-separated (accepts 1e6 style)
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true, value_parser = parse_bytes)]
    sizes: Vec<u64>,

    /// Timed round trips per size
    #[arg(long, default_value_t = 100, allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,

    /// Print one JSON object on stdout instead of text
    #[arg(long)]
    json: bool,
}

fn parse_bytes(s: &str) -> Result<u64, String> {
    cli::parse_count(s, 0).and_then(|b| {
        (b <= MAX_BYTES)
            .then_some(b)
            .ok_or_else(|| format!("at most {MAX_BYTES} bytes (1 GiB) per packet, got {s}"))
    })
}

fn run() -> Result<(), Failure> {
    let args = Args::parse();
    let sizes: Vec<usize> = match args.sizes.is_empty() {
        true => DEFAULT_SIZES.to_vec(),
        false => args.sizes.iter().map(|&b| b as usize).collect(),
    };
    let rows = match args.transport {
        Some(Transport::Mpi) => match mpi_rows(&sizes, args.reps)? {
            Some(rows) => rows,
            None => return Ok(()), // not rank 0: rank 0 prints
        },
        only => in_process_rows(only, &sizes, args.reps)?,
    };
    print(&rows, args.json);
    Ok(())
}

/// The in-process transports asked for (all without `only`), then the
/// `memcpy` reference, size by size.
fn in_process_rows(
    only: Option<Transport>,
    sizes: &[usize],
    reps: u32,
) -> Result<Vec<Row>, Failure> {
    let engine = Arc::new(Engine::with_threads(1)?);
    let mut rows = Vec::new();
    for &bytes in sizes {
        if only.is_none_or(|t| t == Transport::Threads) {
            rows.push(pingpong::threads(bytes, reps)?);
        }
        if only.is_none_or(|t| t == Transport::Jobs) {
            rows.push(pingpong::jobs(&engine, bytes, reps)?);
        }
        rows.push(pingpong::memcpy(bytes, reps)?);
    }
    Ok(rows)
}

/// Ranks 0 and 1 bounce the packets; rank 0 gets the rows (with the
/// `memcpy` reference measured on it), the other ranks `None`.
#[cfg(feature = "mpi")]
fn mpi_rows(sizes: &[usize], reps: u32) -> Result<Option<Vec<Row>>, Failure> {
    let cluster = hetero::mpi::Cluster::init().map_err(|e| Failure::runtime(e.to_string()))?;
    if cluster.size() < 2 {
        return Err(Failure::usage(
            "--transport mpi needs two ranks: mpirun -n 2 target/release/examples/pingpong --transport mpi",
        ));
    }
    let mut rows = Vec::new();
    for &bytes in sizes {
        let row = cluster.ping_pong(bytes, reps).map_err(|e| Failure {
            code: e.exit_code(),
            message: e.to_string(),
        })?;
        if let Some(row) = row {
            rows.push(row);
            rows.push(pingpong::memcpy(bytes, reps)?);
        }
    }
    Ok(cluster.is_root().then_some(rows))
}

#[cfg(not(feature = "mpi"))]
fn mpi_rows(_: &[usize], _: u32) -> Result<Option<Vec<Row>>, Failure> {
    Err(Failure::usage(
        "--transport mpi needs a build with MPI: cargo build --release --features mpi --example pingpong, then mpirun -n 2 target/release/examples/pingpong --transport mpi",
    ))
}

fn print(rows: &[Row], as_json: bool) {
    if as_json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "transport": r.transport,
                    "bytes": r.bytes,
                    "reps": r.reps,
                    "one_way_seconds": r.one_way_seconds,
                    "bandwidth_bytes_per_second": r.bandwidth_bytes_per_second,
                })
            })
            .collect();
        cli::print_json(&json!({ "rows": rows }));
        return;
    }
    println!(
        "{:<8} {:>10} {:>14} {:>14}",
        "transport", "bytes", "one-way", "bandwidth"
    );
    for r in rows {
        println!(
            "{:<8} {:>10} {:>11.3} µs {:>9.3} GB/s",
            r.transport,
            r.bytes,
            r.one_way_seconds * 1e6,
            r.bandwidth_bytes_per_second / 1e9
        );
    }
}

fn main() -> ExitCode {
    cli::main_with("pingpong", run)
}
