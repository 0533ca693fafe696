//! The ping-pong example: one JSON object whose rows hold every in-process
//! transport and the memcpy reference per size, and usage errors (exit 2)
//! for what it cannot do. Under mpirun: tests/mpi.rs.

mod support;

use serde_json::Value;

#[test]
fn every_in_process_transport_gives_a_row_per_size() {
    let out = support::example("pingpong")
        .args(["--sizes", "8,4096,1e5", "--reps", "3", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().expect("rows");
    for bytes in [8u64, 4096, 100_000] {
        for transport in ["threads", "jobs", "memcpy"] {
            let row = rows
                .iter()
                .find(|r| r["transport"] == transport && r["bytes"] == bytes)
                .unwrap_or_else(|| panic!("no {transport} row for {bytes} B: {report}"));
            assert_eq!(row["reps"], 3);
            let one_way = row["one_way_seconds"].as_f64().unwrap();
            let bandwidth = row["bandwidth_bytes_per_second"].as_f64().unwrap();
            assert!(one_way > 0.0, "{row}");
            // Bandwidth is the bytes over the one-way time, not a free number.
            let want = bytes as f64 / one_way;
            assert!((bandwidth - want).abs() <= 1e-9 * want, "{row}");
        }
    }
    assert_eq!(rows.len(), 9, "one row per transport and size: {report}");
}

#[test]
fn one_transport_alone_and_usage_errors() {
    let out = support::example("pingpong")
        .args([
            "--transport",
            "jobs",
            "--sizes",
            "64",
            "--reps",
            "2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let transports: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["transport"].as_str().unwrap())
        .collect();
    assert_eq!(transports, ["jobs", "memcpy"]);
    for bad in [
        vec!["--sizes", "2e9"],
        vec!["--sizes", "-8"],
        vec!["--reps", "0"],
        vec!["--transport", "carrier-pigeon"],
    ] {
        let out = support::example("pingpong").args(&bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    if !cfg!(feature = "mpi") {
        let out = support::example("pingpong")
            .args(["--transport", "mpi"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--features mpi"), "{stderr}");
    }
}
