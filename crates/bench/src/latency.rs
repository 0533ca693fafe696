//! The latency experiment: the ping-pong exercise of the shared-memory
//! notebook ([`hetero::pingpong`]) over the in-process transports — two
//! threads through a std channel, a hetero job round trip — and a `memcpy`
//! of the same bytes, 8 B to 16 MiB. MPI ranks are measured by the
//! `pingpong` example under `mpirun` (the bench is one process).

use std::sync::Arc;

use hetero::Engine;
use hetero::pingpong::{self, DEFAULT_SIZES, Row};
use serde_json::json;

use crate::record::Record;

/// Every size × transport; `quick` stops at 2 MiB with fewer round trips.
pub fn latency(quick: bool, progress: &(dyn Fn(String) + Sync)) -> Vec<Record> {
    let (sizes, reps) = match quick {
        true => (&DEFAULT_SIZES[..DEFAULT_SIZES.len() - 1], 20),
        false => (&DEFAULT_SIZES[..], 100),
    };
    let engine = match Engine::with_threads(1) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            return vec![Record::new("latency", "pingpong", "jobs", 0, 1).failed(e.to_string())];
        }
    };
    let mut records = Vec::new();
    for &bytes in sizes {
        progress(format!("latency: {bytes} bytes"));
        let measured: [(&'static str, hetero::Result<Row>); 3] = [
            ("threads", pingpong::threads(bytes, reps)),
            ("jobs", pingpong::jobs(&engine, bytes, reps)),
            ("memcpy", pingpong::memcpy(bytes, reps)),
        ];
        for (transport, row) in measured {
            let record = Record::new("latency", "pingpong", transport, bytes as u64, 1);
            records.push(match row {
                Err(e) => record.failed(e.to_string()),
                Ok(row) => {
                    let mut r = record;
                    r.seconds_median = Some(row.one_way_seconds);
                    r.repeats = row.reps;
                    r.throughput = Some(row.bandwidth_bytes_per_second);
                    r.throughput_unit = Some("B");
                    r.detail = Some(json!({
                        "one_way_seconds": row.one_way_seconds,
                        "bandwidth_bytes_per_second": row.bandwidth_bytes_per_second,
                    }));
                    r
                }
            });
        }
    }
    records
}
