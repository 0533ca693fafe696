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
