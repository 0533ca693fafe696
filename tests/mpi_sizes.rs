//! Ranks that pass different sizes to a collective get
//! `MpiError::Mismatch` on every rank, naming both values — never zero
//! tails, a wrong total or Open MPI's fatal truncation. A point-to-point
//! receive of another length or tag than the message sent is
//! `MpiError::WrongMessage` on the receiver, never a hang or a half-filled
//! buffer. Each case runs this
//! test binary's `rank_body` under `mpirun -n 2`, rank 1 given other sizes.
//! Needs the `mpi` feature and Open MPI's `mpirun`:
//!
//! ```sh
//! cargo test --features mpi --test mpi_sizes
//! ```

mod support;

use std::time::Duration;

use hetero::mpi::{Cluster, Distribution, MpiError};
use hetero::problems::sum::SumKernel;
use hetero::{Backend, Engine, ZipMap};

/// The variable that tells the binary it is a rank and which case to run.
const CASE: &str = "HETERO_MPI_SIZES_CASE";

/// One rank of a case: runs the collective with this rank's sizes and
/// prints `rank R: mismatch: MESSAGE`, `rank R: other error: …` or
/// `rank R: ok` on stderr (stdout is the test harness's).
#[test]
#[ignore = "a rank of the other tests: they run it under mpirun"]
fn rank_body() {
    let case = std::env::var(CASE).expect("run by the tests under mpirun");
    let cluster = Cluster::init().expect("MPI starts");
    let rank = cluster.rank();
    // Rank 0's size, and rank 1's: 100 against 120.
    let n = if rank == 0 { 100 } else { 120 };
    let data = vec![1.0f64; n];
    let engine = Engine::with_threads(1).unwrap();
    let outcome: Result<(), MpiError> = match case.as_str() {
        "scatter" => cluster.scatter(&data, n, 4).map(drop),
        "scatter-grain" => cluster.scatter(&data[..100], 100, 4 + rank).map(drop),
        "gather" => {
            let part = cluster.scatter(&data[..100], 100, 4).expect("same sizes");
            cluster.gather(&part, n, 4).map(drop)
        }
        "scatter-reduction" => cluster.scatter_reduction(&data, n as u64, 8).map(drop),
        "reduce" => cluster
            .reduce(&engine, &SumKernel::new(&data), Backend::Scalar)
            .map(drop),
        "map" => {
            let kernel = ZipMap::new(&Twice, [&data[..]]).unwrap();
            cluster
                .map(&engine, &kernel, Distribution::Blocks, Backend::Scalar)
                .map(drop)
        }
        "message-length" | "message-tag" => {
            // Rank 0 sends 100 values with tag 1, then 120 with tag 2;
            // rank 1 expects 120 values with tag 2 at once.
            let (tag, len) = if case == "message-tag" {
                (3, 100)
            } else {
                (1, 120)
            };
            if rank == 0 {
                cluster.send(1, 1, &data[..100]).unwrap();
                cluster.send(1, 2, &vec![2.0f64; 120]).unwrap();
                Ok(())
            } else {
                let mut into = vec![0.0f64; len];
                let first = cluster.recv(0, tag, &mut into);
                // The wrong message was consumed: the next one arrives.
                let mut next = vec![0.0f64; 120];
                cluster.recv(0, 2, &mut next).unwrap();
                assert!(
                    next.iter().all(|&v| v == 2.0),
                    "the second message arrived whole"
                );
                assert!(
                    into.iter().all(|&v| v == 0.0),
                    "nothing written on a wrong message"
                );
                first
            }
        }
        "sendrecv" => {
            let mine = vec![rank as f64; 1 << 20];
            let mut theirs = vec![-1.0f64; 1 << 20];
            cluster
                .sendrecv(1 - rank, 5, &mine, &mut theirs)
                .map(|()| assert!(theirs.iter().all(|&v| v == (1 - rank) as f64)))
        }
        "bad-peer" => {
            let to_self = cluster.send(rank, 0, &data);
            let to_nobody = cluster.send(2, 0, &data);
            let bad_tag = cluster.send(1 - rank, 40_000, &data);
            assert!(
                matches!(to_nobody, Err(MpiError::BadPeer { peer: 2, .. })),
                "{to_nobody:?}"
            );
            assert!(
                matches!(bad_tag, Err(MpiError::BadTag { tag: 40_000, .. })),
                "{bad_tag:?}"
            );
            to_self
        }
        other => panic!("unknown case {other}"),
    };
    let line = match outcome {
        Ok(()) => format!("rank {rank}: ok\n"),
        Err(e @ MpiError::Mismatch { .. }) => format!("rank {rank}: mismatch: {e}\n"),
        Err(e @ MpiError::WrongMessage { .. }) => format!("rank {rank}: wrong message: {e}\n"),
        Err(e @ MpiError::BadPeer { .. }) => format!("rank {rank}: bad peer: {e}\n"),
        Err(e) => format!("rank {rank}: other error: {e}\n"),
    };
    // One write, so the two ranks' lines cannot interleave.
    use std::io::Write;
    std::io::stderr().write_all(line.as_bytes()).unwrap();
}

struct Twice;
impl hetero::ElementWise<1> for Twice {
    fn eval<R: hetero::Real>(&self, [x]: [R; 1]) -> R {
        x + x
    }
}

/// Runs `case` on two ranks; returns what they printed.
fn two_ranks(case: &str) -> String {
    let test_binary = std::env::current_exe().expect("test binary path");
    let mut cmd = support::mpirun();
    cmd.args(["-x", CASE, "-n", "2"])
        .arg(test_binary)
        .args(["--ignored", "--exact", "rank_body", "--nocapture"])
        .env(CASE, case)
        .env("HETERO_MPI_TIMEOUT_SECONDS", "30");
    let (status, stderr) = support::run_bounded(&mut cmd, Duration::from_secs(60))
        .unwrap_or_else(|why| panic!("{case}: {why}"));
    assert!(status.success(), "{case}: {status}\n{stderr}");
    stderr
}

/// Both ranks report the mismatch, each naming both texts.
fn assert_mismatch(case: &str, rank0: &str, rank1: &str) {
    let out = two_ranks(case);
    for rank in 0..2 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("rank {rank}: ")))
            .unwrap_or_else(|| panic!("{case}: no line from rank {rank}:\n{out}"));
        assert!(line.contains("mismatch:"), "{case}: {line}");
        assert!(line.contains("rank 1"), "{case}: names the rank: {line}");
        assert!(
            line.contains(rank0) && line.contains(rank1),
            "{case}: {line}"
        );
    }
}

#[test]
fn scatter_lengths_must_agree() {
    assert_mismatch("scatter", "scatter of 100 values", "scatter of 120 values");
}

#[test]
fn scatter_grains_must_agree() {
    assert_mismatch("scatter-grain", "grains of 4", "grains of 5");
}

#[test]
fn gather_lengths_must_agree() {
    assert_mismatch("gather", "gather of 100 values", "gather of 120 values");
}

#[test]
fn scattered_reduction_lengths_must_agree() {
    assert_mismatch(
        "scatter-reduction",
        "reduction of 100 values",
        "reduction of 120 values",
    );
}

#[test]
fn reduction_kernel_lengths_must_agree() {
    assert_mismatch("reduce", "of 100 items", "of 120 items");
}

#[test]
fn map_kernel_lengths_must_agree() {
    assert_mismatch("map", "of 100 items", "of 120 items");
}

/// The line rank `rank` printed in `out`.
fn line_of(out: &str, rank: usize) -> &str {
    out.lines()
        .find(|l| l.starts_with(&format!("rank {rank}: ")))
        .unwrap_or_else(|| panic!("no line from rank {rank}:\n{out}"))
}

#[test]
fn a_receive_of_another_length_is_an_error_that_names_both() {
    let out = two_ranks("message-length");
    assert_eq!(line_of(&out, 0), "rank 0: ok");
    let line = line_of(&out, 1);
    assert!(line.contains("wrong message:"), "{line}");
    assert!(
        line.contains("800 bytes") && line.contains("960 bytes"),
        "{line}"
    );
}

#[test]
fn a_receive_of_another_tag_is_an_error_that_names_both() {
    let out = two_ranks("message-tag");
    let line = line_of(&out, 1);
    assert!(line.contains("wrong message:"), "{line}");
    assert!(line.contains("tag 1") && line.contains("tag 3"), "{line}");
}

#[test]
fn sendrecv_exchanges_between_two_ranks_at_once() {
    let out = two_ranks("sendrecv");
    assert_eq!(
        (line_of(&out, 0), line_of(&out, 1)),
        ("rank 0: ok", "rank 1: ok")
    );
}

#[test]
fn a_message_to_itself_or_no_rank_is_refused() {
    let out = two_ranks("bad-peer");
    for rank in 0..2 {
        let line = line_of(&out, rank);
        assert!(line.contains("bad peer:") && line.contains("not"), "{line}");
    }
}
