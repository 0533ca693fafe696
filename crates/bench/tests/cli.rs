//! `hetero-bench` as a user runs it: bad input exits 2 and writes nothing,
//! a small run writes a complete report.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bench() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hetero-bench"));
    cmd.env("XDG_RUNTIME_DIR", std::env::temp_dir());
    cmd
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn rejects(args: &[&str], mention: &str) {
    let out = bench().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    assert!(
        stderr(&out).contains(mention),
        "{args:?}: '{mention}' not in {}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let out = scratch("bad");
    let o = out.to_str().unwrap();
    rejects(&["run", "--problems", "fft", "--out", o], "--problems");
    rejects(&["run", "--backends", "cuda", "--out", o], "--backends");
    rejects(&["run", "--sizes", "", "--out", o], "--sizes");
    rejects(&["run", "--sizes", "0", "--out", o], "--sizes");
    rejects(&["run", "--repeats", "0", "--out", o], "--repeats");
    rejects(&["run", "--threads", "0", "--out", o], "--threads");
    rejects(
        &["run", "--experiments", "everything", "--out", o],
        "--experiments",
    );
    assert!(!out.exists(), "nothing may be written on a usage error");

    // An --out that cannot be a folder: a path under a regular file.
    let file = scratch("file");
    std::fs::write(&file, b"x").unwrap();
    let under = file.join("out");
    rejects(
        &["run", "--quick", "--out", under.to_str().unwrap()],
        "--out",
    );
    std::fs::remove_file(file).ok();
}

#[test]
fn info_describes_the_machine() {
    let out = bench().arg("info").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("cpu:") && text.contains("build's target features:") && text.contains("gpu"),
        "{text}"
    );
    // The level the vector backends run at, and the levels the CPU has.
    let best = hetero::Isa::from_env().unwrap();
    assert!(
        text.contains(&format!("isa: {best} ("))
            && text.contains("isa levels this cpu has: baseline"),
        "{text}"
    );
    // A level that is not one is a usage error naming the levels.
    let out = bench()
        .arg("info")
        .env("HETERO_ISA", "v9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("baseline, v3, v4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_small_run_writes_a_complete_report() {
    let out = scratch("run");
    let status = bench()
        .args([
            "run",
            "--quick",
            "--problems",
            "pi,julia",
            "--backends",
            "simd,threads",
            "--experiments",
            "matrix,sizes,granularity",
            "--repeats",
            "1",
            "--sizes",
            "64,1e3",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", stderr(&status));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let env = &json["environment"];
    assert!(
        env["cpu"].is_string()
            && env["ceilings"]["fp"]["f64_gflops_per_core"]
                .as_f64()
                .unwrap()
                > 0.0
    );
    // One bandwidth row per cache level the system reports, DRAM last.
    let levels = env["ceilings"]["memory"].as_array().unwrap();
    assert!(
        levels.last().unwrap()["name"]
            .as_str()
            .unwrap()
            .starts_with("DRAM")
    );
    assert!(
        levels
            .iter()
            .all(|l| l["read_gbs_one_core"].as_f64().unwrap() > 0.0
                && l["triad_gbs_all_cores"].as_f64().unwrap() > 0.0)
    );
    let records = json["records"].as_array().unwrap();
    let matrix: Vec<_> = records
        .iter()
        .filter(|r| r["experiment"] == "matrix")
        .collect();
    // 2 problems × 2 sizes × (scalar + 2 asked) backends.
    assert_eq!(matrix.len(), 12, "{matrix:#?}");
    for r in &matrix {
        for key in [
            "problem",
            "backend",
            "size",
            "threads",
            "seconds_median",
            "seconds_min",
            "seconds_max",
            "error_metric",
            "error_value",
            "valid",
        ] {
            assert!(!r[key].is_null(), "no {key} in {r}");
        }
        assert_eq!(r["valid"], true, "{r}");
        assert!(r["seconds_min"].as_f64() <= r["seconds_median"].as_f64());
        assert!(r["seconds_median"].as_f64() <= r["seconds_max"].as_f64());
    }
    assert!(records.iter().any(|r| r["experiment"] == "sizes"));
    assert!(records.iter().any(|r| r["experiment"] == "granularity"));

    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("## Every backend")
            && report.contains("## Size scaling")
            && report.contains("Crossovers")
    );
    for svg in ["speedup.svg", "sizes.svg", "granularity.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(text.starts_with("<svg"), "{svg}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    std::fs::remove_dir_all(out).ok();
}

/// Whether CI asks for every test to run for real (a missing GPU fails).
fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

#[test]
fn gpu_check_runs_every_stage_or_says_there_is_no_gpu() {
    let has_gpu = bench()
        .args(["info", "--require-gpu"])
        .output()
        .unwrap()
        .status
        .success();
    assert!(
        has_gpu || !ci(),
        "CI needs a GPU adapter (lavapipe) for gpu-check"
    );
    let out = scratch("gpu-check");
    let run = bench()
        .args(["gpu-check", "--quick", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let records = json["records"].as_array().unwrap();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    if !has_gpu {
        assert_eq!(run.status.code(), Some(1));
        assert!(
            records[0]["failure"].as_str().unwrap().contains("no GPU"),
            "{json}"
        );
        return;
    }
    assert!(run.status.success(), "{}\n{report}", stderr(&run));
    let stage = |r: &serde_json::Value| r["detail"]["stage"].as_str().unwrap_or("").to_owned();
    for problem in ["julia", "midpoint", "gaussian", "pi", "sum"] {
        let validated = records
            .iter()
            .filter(|r| stage(r) == "validate" && r["problem"] == problem)
            .count();
        assert!(validated >= 1, "{problem} validated on the GPU: {report}");
    }
    for wanted in [
        "setup",
        "split",
        "midpoint-precision",
        "user-kernel",
        "hybrid",
        "overlap",
    ] {
        assert!(
            records.iter().any(|r| stage(r) == wanted),
            "no {wanted} stage: {report}"
        );
    }
    assert!(
        records
            .iter()
            .all(|r| r["valid"] == true && r["failure"].is_null()),
        "{report}"
    );
}

#[test]
fn the_schedule_and_latency_experiments_report_every_row() {
    let out = scratch("schedule-latency");
    let run = bench()
        .args([
            "run",
            "--quick",
            "--backends",
            "simd-threads",
            "--experiments",
            "schedule,latency",
            "--repeats",
            "1",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let records = json["records"].as_array().unwrap();
    let of = |experiment: &str| -> Vec<&serde_json::Value> {
        records
            .iter()
            .filter(|r| r["experiment"] == experiment)
            .collect()
    };
    // 9 schedules on each of the two views, each valid, each beside the best.
    let scheduled = of("schedule");
    assert_eq!(scheduled.len(), 18, "{json}");
    for r in &scheduled {
        assert_eq!(r["valid"], true, "{r}");
        assert!(r["detail"]["vs_best"].as_f64().unwrap() >= 1.0, "{r}");
    }
    // Three transports per size, 8 B to 2 MiB in --quick.
    let latency = of("latency");
    assert_eq!(latency.len(), 3 * 7, "{json}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("Scheduling policies") && report.contains("ping-pong"));
    assert!(out.join("latency.svg").exists());
}
