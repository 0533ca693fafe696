//! The MPI driver under `mpirun` with 1, 2 and 3 ranks: every problem gives
//! the single-process bits, and a failing rank ends the job with a message
//! (never a hang). Needs the `mpi` feature, Open MPI's `mpirun`, and the
//! example built in the test profile:
//!
//! ```sh
//! cargo build --profile test --features mpi --example mpi --example pingpong
//! cargo test --features mpi --test mpi
//! ```

#[path = "../examples/user_kernels/basel.rs"]
mod basel;
mod support;

use basel::basel;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::sum::{SumKernel, arange};
use hetero::{
    Backend, Engine, Gaussian, Julia, JuliaParams, Midpoint, Pi, Viewport, standard_normal_inputs,
};
use serde_json::Value;

/// A job must end well inside this, failures included.
const JOB_LIMIT: Duration = Duration::from_secs(60);

/// What one `mpirun` printed and how it ended.
struct Job {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

impl Job {
    fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "the job failed: {}", self.stderr);
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", self.stdout))
    }
}

/// `mpirun` of the example with MPMD `segments` (each a rank count and its
/// arguments), bounded by [`JOB_LIMIT`].
fn mpirun(segments: &[(usize, Vec<String>)]) -> Job {
    mpirun_marked(segments, "")
}

/// [`mpirun`] with `HETERO_TEST_JOB=mark` in every rank's environment, so a
/// test can find its own job's processes among those of tests running
/// beside it.
fn mpirun_marked(segments: &[(usize, Vec<String>)], mark: &str) -> Job {
    let example = support::example("mpi");
    let program = example.get_program().to_owned();
    let mut cmd = support::mpirun();
    cmd.env("HETERO_TEST_JOB", mark)
        .args(["-x", "HETERO_TEST_JOB"]);
    for (i, (ranks, args)) in segments.iter().enumerate() {
        if i > 0 {
            cmd.arg(":");
        }
        cmd.args(["-n", &ranks.to_string()])
            .arg(&program)
            .args(args);
    }
    cmd.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start mpirun (install Open MPI: openmpi-bin): {e}"));
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > JOB_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mpirun still running after {JOB_LIMIT:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Job {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn args(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// The same job on 1, 2 and 3 ranks.
fn on_1_2_3(text: &str) -> Vec<Value> {
    (1..=3).map(|n| mpirun(&[(n, args(text))]).json()).collect()
}

fn engine() -> Engine {
    Engine::with_threads(2).unwrap()
}

fn bits(v: f64) -> String {
    format!("{:016x}", v.to_bits())
}

/// The example's digest of an output array.
fn digest(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

#[test]
fn pi_hits_are_the_single_process_hits_on_any_rank_count() {
    let expected = engine()
        .pi(&Pi::new(3_000_017, 7).unwrap(), Backend::SimdThreads)
        .unwrap()
        .hits;
    for (ranks, json) in (1..).zip(on_1_2_3("pi --n 3000017 --seed 7 --json")) {
        assert_eq!(json["hits"], expected, "{ranks} ranks");
        assert_eq!(json["ranks"], ranks);
        assert_eq!(json["per_rank"].as_array().unwrap().len(), ranks);
    }
}

#[test]
fn midpoint_is_bit_identical_on_any_rank_count() {
    let spec = Midpoint::new(-1.5, 2.0, 2_000_003).unwrap();
    let expected = engine()
        .reduce(
            &MidpointKernel::new(&spec, &ExpNegSquare),
            Backend::SimdThreads,
        )
        .unwrap();
    for json in on_1_2_3("midpoint --n 2000003 --a -1.5 --b 2 --json") {
        assert_eq!(json["value_bits"], bits(expected), "{json}");
    }
}

#[test]
fn scattered_sum_is_bit_identical_on_any_rank_count() {
    // Not a multiple of the chunk: the last rank's last chunk is short.
    let n = 5_000_011;
    let data = arange(n).unwrap();
    let expected = engine()
        .reduce(&SumKernel::new(&data), Backend::SimdThreads)
        .unwrap();
    for json in on_1_2_3(&format!("sum --n {n} --json")) {
        assert_eq!(json["sum_bits"], bits(expected), "{json}");
    }
}

#[test]
fn a_user_reduction_is_bit_identical_on_any_rank_count() {
    let expected = engine()
        .reduce(&basel(3_333_333), Backend::SimdThreads)
        .unwrap();
    for json in on_1_2_3("custom --n 3333333 --json") {
        assert_eq!(json["value_bits"], bits(expected), "{json}");
    }
}

#[test]
fn julia_counts_are_the_single_process_image_for_both_distributions() {
    let spec = julia_spec(301);
    let counts = engine().julia(&spec, Backend::SimdThreads).unwrap();
    let expected = digest(bytemuck::cast_slice(&counts));
    for deal in ["block", "cyclic"] {
        for json in on_1_2_3(&format!("julia --size 301 --distribution {deal} --json")) {
            assert_eq!(json["digest"], expected.as_str(), "{deal}: {json}");
        }
    }
}

#[test]
fn gaussian_outputs_are_the_single_process_outputs() {
    let n = 100_003;
    let (x, y) = standard_normal_inputs(n, 5).unwrap();
    let mut z = vec![0.0; n];
    engine()
        .gaussian(
            &Gaussian::new(0.5).unwrap(),
            &x,
            &y,
            &mut z,
            Backend::SimdThreads,
        )
        .unwrap();
    let expected = digest(bytemuck::cast_slice(&z));
    for json in on_1_2_3(&format!("gaussian --n {n} --gamma 0.5 --seed 5 --json")) {
        assert_eq!(json["digest"], expected.as_str(), "{json}");
    }
}

#[test]
fn ranks_may_run_different_backends_and_agree() {
    // One rank on one lane, the others on SIMD threads: pi's hits are exact
    // on every backend, so they must still be the single-process hits.
    let expected = engine()
        .pi(&Pi::new(2_000_000, 3).unwrap(), Backend::Scalar)
        .unwrap()
        .hits;
    let job = mpirun(&[
        (1, args("pi --n 2e6 --seed 3 --json --backend scalar")),
        (2, args("pi --n 2e6 --seed 3 --json --backend simd-threads")),
    ]);
    let json = job.json();
    assert_eq!(json["hits"], expected);
    let backends: Vec<&str> = json["per_rank"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(backends, ["scalar", "simd-threads", "simd-threads"]);
}

#[test]
fn an_auto_rank_is_reported_as_auto() {
    let job = mpirun(&[
        (1, args("pi --n 1e6 --json --backend auto")),
        (1, args("pi --n 1e6 --json --backend simd")),
    ]);
    let json = job.json();
    let backends: Vec<&str> = json["per_rank"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(backends, ["auto", "simd"], "{}", job.stderr);
}

#[test]
fn a_gpu_rank_gives_the_same_hits() {
    if !support::ci() && !engine().is_available(Backend::Gpu) {
        eprintln!("SKIPPED a_gpu_rank_gives_the_same_hits: no GPU adapter here (CI requires one)");
        return;
    }
    let expected = engine()
        .pi(&Pi::new(3_000_000, 9).unwrap(), Backend::SimdThreads)
        .unwrap()
        .hits;
    let job = mpirun(&[
        (1, args("pi --n 3e6 --seed 9 --json --backend gpu")),
        (1, args("pi --n 3e6 --seed 9 --json --backend simd")),
    ]);
    let json = job.json();
    assert_eq!(json["hits"], expected);
    assert_eq!(json["per_rank"][0]["backend"], "gpu");

    // A map on GPU ranks, rows dealt round-robin (one GPU call per piece):
    // the one-process GPU image.
    let spec = julia_spec(101);
    let counts = engine().julia(&spec, Backend::Gpu).unwrap();
    let job = mpirun(&[(
        2,
        args("julia --size 101 --distribution cyclic --json --backend gpu"),
    )]);
    assert_eq!(
        job.json()["digest"],
        digest(bytemuck::cast_slice(&counts)).as_str()
    );
}

/// The example's Julia image of height `size`.
fn julia_spec(size: usize) -> Julia {
    JuliaParams {
        width: 2 * size,
        height: size,
        maxiters: 50,
        c_re: -0.835,
        c_im: -0.2321,
        viewport: Viewport::centered(0.0, 0.0, 4.0, 2.0),
    }
    .validate()
    .unwrap()
}

#[test]
fn a_rank_given_an_invalid_problem_ends_the_job_with_its_cause() {
    let job = mpirun(&[(1, args("pi --n 1e6")), (2, args("pi --n 0"))]);
    assert_eq!(job.code, Some(2), "{}", job.stderr);
    assert!(
        job.stderr.contains("mpi: error: rank 1: ") && job.stderr.contains("--n"),
        "{}",
        job.stderr
    );
    assert!(job.seconds < JOB_LIMIT.as_secs_f64());
}

#[test]
fn ranks_given_different_problems_are_refused() {
    let job = mpirun(&[(1, args("pi --n 1e6")), (1, args("pi --n 2e6"))]);
    assert_eq!(job.code, Some(2), "{}", job.stderr);
    assert!(
        job.stderr.contains("rank 1 was given a different problem"),
        "{}",
        job.stderr
    );
}

#[test]
fn a_killed_rank_ends_the_job_with_a_message() {
    // A job far longer than the test: rank 1 is killed once it runs.
    let mark = format!("kill-{}", std::process::id());
    let killer = signal_rank_once_started(&mark, 1, "-9", Duration::from_millis(500));
    let job = mpirun_marked(&[(3, args("pi --n 1e15 --timeout 20"))], &mark);
    assert!(killer.join().unwrap().is_some(), "rank 1 never started");
    assert_ne!(job.code, Some(0));
    assert!(
        job.stderr.contains("rank 1") || job.stderr.contains("no answer from every rank"),
        "{}",
        job.stderr
    );
    assert!(job.seconds < JOB_LIMIT.as_secs_f64());
}

#[test]
fn a_stopped_rank_ends_the_job_at_the_timeout_with_its_line_and_exit_3() {
    // Rank 1 is stopped (SIGSTOP) early in its share of a few seconds' work:
    // alive, so mpirun does not end the job; only rank 0's bounded wait at
    // the next collective can. If that wait looped forever, the job would
    // run into JOB_LIMIT and the test fail as a hang.
    let timeout = 5.0;
    let work = "pi --n 1e10 --backend simd --threads 1";
    // How long one rank's share takes here: half the samples on one rank.
    let share =
        mpirun(&[(1, args("pi --n 5e9 --backend simd --threads 1 --json"))]).json()["seconds"]
            .as_f64()
            .expect("seconds");
    let mark = format!("stop-{}", std::process::id());
    // A second in: well past MPI's start-up (a rank stopped inside MPI_Init
    // would stall the others where hetero has no timeout), well before the
    // end of its share.
    let stopper = signal_rank_once_started(&mark, 1, "-STOP", Duration::from_millis(1000));
    let job = mpirun_marked(&[(2, args(&format!("{work} --timeout {timeout}")))], &mark);
    let stopped = stopper.join().unwrap();
    if let Some(pid) = stopped {
        // Whatever happened, never leave a stopped process behind.
        let _ = Command::new("kill")
            .args(["-CONT", &pid.to_string()])
            .status();
    }
    assert!(stopped.is_some(), "rank 1 never started");
    assert!(
        job.stderr.contains("no answer from every rank within 5 s"),
        "the timeout line: {}",
        job.stderr
    );
    assert_eq!(
        job.code,
        Some(3),
        "the timeout's exit status: {}",
        job.stderr
    );
    // Rank 0's own share (twice its measured time, for a noisy machine),
    // then at most the timeout + 10 s.
    assert!(
        job.seconds < 2.0 * share + timeout + 10.0,
        "ended after {:.1} s (one share: {share:.1} s)",
        job.seconds
    );
}

/// A thread that waits (at most 30 s) for rank `rank` of the job marked
/// `mark` to start, lets it run for `after`, then sends it `signal` (a
/// `kill` flag: "-9", "-STOP"); it returns the rank's pid once signalled.
fn signal_rank_once_started(
    mark: &str,
    rank: usize,
    signal: &'static str,
    after: Duration,
) -> std::thread::JoinHandle<Option<u32>> {
    let example = support::example("mpi");
    let program = example.get_program().to_string_lossy().into_owned();
    let mark = mark.to_owned();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(pid) = rank_pid(&program, &mark, rank) {
                std::thread::sleep(after);
                let sent = Command::new("kill")
                    .args([signal, &pid.to_string()])
                    .status();
                return sent.is_ok_and(|s| s.success()).then_some(pid);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    })
}

/// The pid of the process running `program` as MPI rank `rank` of the job
/// marked `mark`.
fn rank_pid(program: &str, mark: &str, rank: usize) -> Option<u32> {
    let wanted = format!("OMPI_COMM_WORLD_RANK={rank}");
    let marked = format!("HETERO_TEST_JOB={mark}");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let first = cmdline.split(|&b| b == 0).next()?;
            if first != program.as_bytes() {
                return None;
            }
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            let vars: Vec<&[u8]> = environ.split(|&b| b == 0).collect();
            (vars.contains(&wanted.as_bytes()) && vars.contains(&marked.as_bytes())).then_some(pid)
        })
}

#[test]
fn an_output_past_one_mpi_message_is_refused_before_any_work() {
    // 32768 × 65536 counts: 2^31 values, one past MPI's 32-bit count.
    let job = mpirun(&[(2, args("julia --size 32768"))]);
    assert_eq!(job.code, Some(2), "{}", job.stderr);
    assert!(
        job.stderr.contains("more than one MPI message carries"),
        "{}",
        job.stderr
    );
    assert!(job.seconds < 20.0, "refused only after {} s", job.seconds);
}

/// The ping-pong example between two ranks (and a third that idles):
/// rank 0 prints one row per size for `mpi` beside its `memcpy` reference.
#[test]
fn the_ping_pong_exercise_runs_between_ranks() {
    let program = support::example("pingpong").get_program().to_owned();
    for ranks in ["2", "3"] {
        let mut cmd = support::mpirun();
        cmd.args(["-n", ranks])
            .arg(&program)
            .args([
                "--transport",
                "mpi",
                "--sizes",
                "0,8,1e6",
                "--reps",
                "5",
                "--json",
            ])
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .env("HETERO_MPI_TIMEOUT_SECONDS", "30");
        let out = cmd.output().expect("mpirun starts");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        let rows = report["rows"].as_array().unwrap();
        for bytes in [0u64, 8, 1_000_000] {
            for transport in ["mpi", "memcpy"] {
                assert!(
                    rows.iter()
                        .any(|r| r["transport"] == transport && r["bytes"] == bytes),
                    "{ranks} ranks: no {transport} row of {bytes} B: {report}"
                );
            }
        }
    }
    // One rank has no one to talk to: a usage error, not a hang.
    let out = Command::new("mpirun")
        .args(["--allow-run-as-root", "-n", "1"])
        .arg(&program)
        .args(["--transport", "mpi"])
        .env("HETERO_MPI_TIMEOUT_SECONDS", "30")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_trace_holds_every_rank_as_a_process_with_compute_and_communication() {
    let dir = std::env::temp_dir().join(format!("hetero-mpi-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (problem, ranks) in [("pi --n 1e7", 3), ("julia --size 200", 2)] {
        let file = dir.join("trace.json");
        let _ = std::fs::remove_file(&file);
        let text = format!("{problem} --json --trace {}", file.display());
        mpirun(&[(ranks, args(&text))]).json();
        let events: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("rank 0 wrote it"))
                .expect("JSON");
        for rank in 0..ranks as u64 {
            let of_rank: Vec<&Value> = events.iter().filter(|e| e["pid"] == rank).collect();
            assert!(
                of_rank
                    .iter()
                    .any(|e| e["name"] == "process_name"
                        && e["args"]["name"] == format!("rank {rank}")),
                "{problem}: rank {rank} is not a named process"
            );
            let spans: Vec<&Value> = of_rank.iter().copied().filter(|e| e["ph"] == "X").collect();
            let (compute, communication): (Vec<&Value>, Vec<&Value>) =
                spans.iter().partition(|e| e["cat"] != "mpi");
            assert!(
                compute.iter().any(|e| e["cat"] == "work"),
                "{problem}: rank {rank} shows no work: {spans:?}"
            );
            assert!(
                !communication.is_empty(),
                "{problem}: rank {rank} shows no communication"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
