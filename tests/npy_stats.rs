//! The `npy_stats` example as a user drives it: fake files made whole,
//! the statistics of a folder on every CPU backend in its JSON contract,
//! bad files reported per file with the others still computed, and the
//! usage errors.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::example;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-npy-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    example("npy_stats")
        .args(args)
        .args(paths)
        .output()
        .expect("npy_stats runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON object ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn fake_files_are_made_whole_and_their_statistics_agree_on_every_backend() {
    let dir = scratch("fake");
    let out = run(
        &["--make-fake", "7", "--size", "5000", "--seed", "3"],
        &[&dir],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 7, "seven files and nothing else");
    // Never over existing files.
    let again = run(&["--make-fake", "7", "--size", "5000"], &[&dir]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never replaces"));

    let mut reports = Vec::new();
    for backend in ["scalar", "simd", "threads", "simd-threads"] {
        let out = run(&["--json", "--backend", backend, "--threads", "3"], &[&dir]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        assert_eq!(report["backend"], backend);
        assert!(report["seconds"].as_f64().unwrap() > 0.0);
        let files = report["files"].as_array().unwrap();
        assert_eq!(files.len(), 7);
        for row in files {
            assert_eq!(row["count"], 5000);
            // Standard normal data: mean near 0, std near 1.
            assert!(row["mean"].as_f64().unwrap().abs() < 0.1, "{row}");
            assert!((row["std"].as_f64().unwrap() - 1.0).abs() < 0.1, "{row}");
            assert!(row["min"].as_f64().unwrap() < row["max"].as_f64().unwrap());
        }
        reports.push(report);
    }
    assert_eq!(reports[0]["threads"], 1);
    assert_eq!(reports[3]["threads"], 3);
    // Every backend agrees to 1e-12 on every statistic.
    for report in &reports[1..] {
        for (a, b) in reports[0]["files"]
            .as_array()
            .unwrap()
            .iter()
            .zip(report["files"].as_array().unwrap())
        {
            assert_eq!(a["file"], b["file"]);
            for key in ["mean", "std", "std_sample", "min", "max"] {
                let (x, y) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
                assert!(
                    (x - y).abs() <= 1e-12 * x.abs().max(1e-3),
                    "{key}: {x} vs {y}"
                );
            }
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_files_are_reported_each_with_its_reason_and_the_rest_computed() {
    let dir = scratch("bad");
    let good = hetero::npy::to_npy_bytes(&[1.0f64, 2.0, 3.0, 4.0], &[4]).unwrap();
    std::fs::write(dir.join("a_good.npy"), &good).unwrap();
    std::fs::write(dir.join("b_text.txt"), b"hello").unwrap();
    std::fs::write(dir.join("c_truncated.npy"), &good[..good.len() - 3]).unwrap();
    let mut wrong = good.clone();
    wrong[0] = b'X';
    std::fs::write(dir.join("d_magic.npy"), wrong).unwrap();
    let complex = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/npy/bad_complex.npy");
    std::fs::copy(complex, dir.join("e_complex.npy")).unwrap();
    let csv = dir.join("out").join("stats.csv");
    std::fs::create_dir(dir.join("out")).unwrap();
    let out = run(
        &["--json", "--csv", csv.to_str().unwrap()],
        &[&dir.join("[a-e]_*")],
    );
    assert_eq!(out.status.code(), Some(1), "some files failed");
    let files = json(&out)["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 5);
    assert_eq!(files[0]["mean"], 2.5);
    for (row, reason) in files[1..]
        .iter()
        .zip(["magic", "truncated", "magic", "<c16"])
    {
        let error = row["error"].as_str().unwrap_or_else(|| panic!("{row}"));
        assert!(error.contains(reason), "{row}");
    }
    let table = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        table.lines().count(),
        6,
        "a header and a row per file:\n{table}"
    );
    assert!(table.lines().nth(1).unwrap().contains(",4,"), "{table}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_folder_means_its_npy_files_and_the_others_are_counted_as_skipped() {
    let dir = scratch("glob");
    let good = hetero::npy::to_npy_bytes(&[1.0f64, 2.0, 3.0], &[3]).unwrap();
    for name in ["a.npy", "b.npy", "c.npy", ".hidden.npy"] {
        std::fs::write(dir.join(name), &good).unwrap();
    }
    // What a writer leaves beside its arrays: a marker, notes, a sub-folder.
    std::fs::write(dir.join(".complete.json"), b"{}").unwrap();
    std::fs::write(dir.join("notes.txt"), b"hello").unwrap();
    std::fs::create_dir(dir.join("sub.npy")).unwrap();
    let out = run(&["--json"], &[&dir]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report = json(&out);
    let names: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["file"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["a.npy", "b.npy", "c.npy"], "as glob(\"*.npy\")");
    assert_eq!(report["skipped_files"], 3, "{report}");
    let text = run(&[], &[&dir]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("skipped 3 file(s)"), "{stdout}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn hostile_headers_are_refused_each_with_the_reason() {
    let dir = scratch("hostile");
    let mut hostile = b"\x93NUMPY\x02\x00".to_vec();
    hostile.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    hostile.extend(std::iter::repeat_n(b' ', 4096));
    for i in 0..4 {
        std::fs::write(dir.join(format!("h{i}.npy")), &hostile).unwrap();
    }
    let out = run(&["--json", "--threads", "4"], &[&dir]);
    assert_eq!(out.status.code(), Some(1), "every file failed");
    let report = json(&out);
    let rows = report["files"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let error = row["error"].as_str().unwrap_or_else(|| panic!("{row}"));
        assert!(error.contains("max_header_size"), "{row}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn usage_errors_exit_2_with_the_reason() {
    let empty = scratch("empty");
    for (args, paths, mention) in [
        (&[][..], vec![], "give a folder"),
        (&[][..], vec![empty.clone()], "holds no .npy files"),
        (&[][..], vec![empty.join("nothing-here")], "no such file"),
        (&[][..], vec![empty.join("*.npy")], "matches no file"),
        (
            &["--backend", "gpu"][..],
            vec![empty.clone()],
            "runs on the CPU",
        ),
        (
            &["--make-fake", "0"][..],
            vec![empty.clone()],
            "--make-fake",
        ),
        (&["--make-fake", "2"][..], vec![], "exactly one folder"),
        (&["--threads", "100000"][..], vec![empty.clone()], "at most"),
    ] {
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let out = run(args, &refs);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {paths:?}: {stderr}");
        assert!(
            stderr.contains(mention),
            "{args:?}: '{mention}' not in {stderr}"
        );
    }
    std::fs::remove_dir_all(empty).ok();
}
