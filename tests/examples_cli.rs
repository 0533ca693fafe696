//! The examples as a user drives them: real processes, small sizes. Checks
//! the files they write, the `--json` contract and every bad-input exit code.

mod support;
use support::example;

use std::path::PathBuf;
use std::process::{Command, Output};

use hetero::{Backend, Engine, JuliaParams};
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hetero-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the example runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn julia_writes_a_png_and_npy_that_match_the_library() {
    let dir = scratch("julia");
    let (png, npy) = (dir.join("j.png"), dir.join("j.npy"));
    let out = run(example("julia")
        .args([
            "--size",
            "16",
            "--maxiters",
            "60",
            "--backend",
            "simd",
            "--json",
            "--output",
        ])
        .arg(&png)
        .arg("--save-counts")
        .arg(&npy));
    let report = json_of(&out);

    let spec = JuliaParams {
        maxiters: 60,
        ..JuliaParams::notebook(16)
    }
    .validate()
    .unwrap();
    let counts = Engine::with_threads(1)
        .unwrap()
        .julia(&spec, Backend::Scalar)
        .unwrap();
    let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    assert_eq!(report["backend"], "simd");
    assert_eq!(report["width"], 32);
    assert_eq!(report["height"], 16);
    assert_eq!(report["maxiters"], 60);
    assert_eq!(report["sum"], sum);
    assert!(report["seconds"].as_f64().unwrap() >= 0.0);

    // The .npy: NumPy 1.0 header, shape (16, 32), little-endian u32 data.
    let bytes = std::fs::read(&npy).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0, "header is padded to 64 bytes");
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(
        header.contains("'descr': '<u4'") && header.contains("'shape': (16, 32)"),
        "{header}"
    );
    let data: Vec<u32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
        .collect();
    assert_eq!(data, counts);

    // The PNG: the requested size, and colours that follow the counts.
    let img = image::open(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (32, 16));
    let mut colour_of = std::collections::HashMap::new();
    for (i, &c) in counts.iter().enumerate() {
        let p = img.get_pixel((i % 32) as u32, (i / 32) as u32).0;
        if c == 60 {
            assert_eq!(p, [0, 0, 0], "pixels that never escape are black");
        } else {
            assert_ne!(p, [0, 0, 0], "escaped pixels are coloured");
        }
        assert_eq!(*colour_of.entry(c).or_insert(p), p, "one colour per count");
    }
    assert!(colour_of.len() > 5, "the image uses many colours");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_example_keeps_the_json_contract() {
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "julia",
            &["--size", "8", "--backend", "scalar"],
            &["width", "height", "maxiters", "sum"],
        ),
        (
            "midpoint",
            &["--n", "1000", "--backend", "threads", "--repeat", "3"],
            &["a", "b", "n", "precision", "value"],
        ),
        (
            "gaussian",
            &["--n", "1000", "--backend", "simd-threads"],
            &["n", "precision", "max_abs_err"],
        ),
        (
            "pi",
            &["--n", "1000", "--backend", "simd", "--seed", "5"],
            &["n", "seed", "hits", "estimate"],
        ),
    ];
    let dir = scratch("contract");
    for (name, flags, keys) in cases {
        let mut cmd = example(name);
        cmd.args(flags).arg("--json").arg("--threads").arg("2");
        if name == "julia" {
            cmd.arg("--output").arg(dir.join("c.png"));
        }
        let report = json_of(&run(&mut cmd));
        for key in ["backend", "threads", "seconds"].iter().chain(keys) {
            assert!(!report[key].is_null(), "{name}: no '{key}' in {report}");
        }
        assert_eq!(
            report["backend"],
            flags[flags.iter().position(|f| *f == "--backend").unwrap() + 1]
        );
    }
    // At n = 1e5 the rule's O(h⁴) term is 1e-20: the value is the rule's to rounding.
    let midpoint = json_of(&run(example("midpoint").args([
        "--n",
        "1e5",
        "--json",
        "--backend",
        "scalar",
    ])));
    assert_eq!(midpoint["precision"], "f64");
    assert!(
        midpoint["error_vs_rule"].as_f64().unwrap().abs() < 1e-14,
        "{midpoint}"
    );
    let pi = json_of(&run(example("pi").args([
        "--n",
        "1001",
        "--json",
        "--seed",
        "5",
        "--backend",
        "threads",
    ])));
    let same = json_of(&run(example("pi").args([
        "--n",
        "1001",
        "--json",
        "--seed",
        "5",
        "--backend",
        "scalar",
    ])));
    assert_eq!(pi["hits"], same["hits"]);
    std::fs::remove_dir_all(dir).ok();
}

/// Runs a bad command line: the exit code, one stderr line naming `mention`, no panic.
fn rejects(name: &str, args: &[&str], code: i32, mention: &str) {
    let out = run(example(name).args(args));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{name} {args:?}: {stderr}");
    assert!(
        stderr.contains(mention),
        "{name} {args:?}: '{mention}' not in {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[test]
fn bad_input_gets_a_clear_message_and_the_right_exit_code() {
    rejects("julia", &["--backend", "cuda"], 2, "--backend");
    rejects("julia", &["--size", "0"], 2, "--size");
    rejects("julia", &["--size", "-3"], 2, "--size");
    rejects("julia", &["--size", "many"], 2, "--size");
    rejects("julia", &["--size", "100000"], 2, "--size");
    rejects("gaussian", &["--n", "1e12"], 2, "--n");
    rejects("julia", &["--c", "1"], 2, "--c");
    rejects("julia", &["--c", "1,nan"], 2, "--c");
    rejects("julia", &["--zoom", "0"], 2, "--zoom");
    rejects("julia", &["--threads", "0"], 2, "--threads");
    rejects("julia", &["--threads", "-2"], 2, "--threads");
    rejects("julia", &["--threads", "100000"], 2, "at most");
    rejects("julia", &["--maxiters", "-1"], 2, "--maxiters");
    rejects("midpoint", &["--n", "0"], 2, "--n");
    rejects("midpoint", &["--a", "inf"], 2, "finite");
    rejects(
        "midpoint",
        &["--wgsl", "return x;", "--backend", "simd"],
        2,
        "--wgsl",
    );
    rejects("gaussian", &["--gamma", "-1"], 2, "gamma");
    rejects("pi", &["--n", "abc"], 2, "--n");
    rejects("pi", &["--n", "-5"], 2, "--n");
    rejects("pi", &["--repeat", "0"], 2, "--repeat");
}

#[test]
fn bad_settings_in_the_environment_are_usage_errors() {
    for value in ["abc", "0", "99999999999999999"] {
        let out = run(example("pi")
            .args(["--n", "100", "--backend", "scalar"])
            .env("HETERO_GPU_BUDGET_MIB", value));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {stderr}");
        assert!(
            stderr.contains("HETERO_GPU_BUDGET_MIB") && stderr.contains("whole number of MiB"),
            "{stderr}"
        );
    }
}

#[test]
fn probing_the_gpu_prints_nothing_without_a_desktop_session() {
    // julia with no --backend probes the GPU to choose one.
    let out = run(example("julia")
        .args(["--size", "8", "--output"])
        .arg(std::env::temp_dir().join(format!("quiet-{}.png", std::process::id())))
        .env_remove("XDG_RUNTIME_DIR"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "stderr should be empty: {stderr}");
}

#[test]
fn an_unwritable_output_fails_and_leaves_nothing_behind() {
    let dir = scratch("unwritable");
    let target = dir.join("missing-dir").join("j.png");
    rejects(
        "julia",
        &["--size", "8", "--output", target.to_str().unwrap()],
        1,
        "--output",
    );
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no partial file is left"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[cfg(unix)]
#[test]
fn outputs_write_through_devices_and_symlinks_instead_of_replacing_them() {
    use std::os::unix::fs::FileTypeExt;
    let full = std::path::Path::new("/dev/full");
    if full.exists() {
        rejects(
            "julia",
            &[
                "--size",
                "10",
                "--backend",
                "scalar",
                "--output",
                "/dev/full",
            ],
            1,
            "No space left",
        );
        let kind = std::fs::symlink_metadata(full).unwrap().file_type();
        assert!(kind.is_char_device(), "/dev/full is still a device");
    }
    let dir = scratch("symlink");
    let (target, link) = (dir.join("real.png"), dir.join("link.png"));
    std::fs::write(&target, b"old").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = run(example("julia")
        .args(["--size", "10", "--backend", "scalar", "--output"])
        .arg(&link));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let png = std::fs::read(&target).unwrap();
    assert_eq!(&png[1..4], b"PNG", "the link's target got the image");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn asking_for_a_gpu_where_none_exists_is_a_runtime_error() {
    // An ICD list that names no driver: wgpu finds no Vulkan adapter.
    let out = run(example("pi")
        .args(["--backend", "gpu", "--n", "100"])
        .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
        .env("VK_DRIVER_FILES", "/nonexistent/icd.json"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // Another backend (Metal/DX12) answered. On Linux hetero builds
        // only wgpu's Vulkan backend, so there the no-GPU path must run.
        let must_run = cfg!(target_os = "linux") || support::ci();
        assert!(
            !must_run,
            "a GPU answered with the Vulkan drivers hidden: the no-GPU path was not exercised"
        );
        eprintln!("SKIPPED: a non-Vulkan adapter exists; the no-GPU path was not exercised");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--backend gpu") && stderr.contains("no GPU adapter"),
        "{stderr}"
    );
}

#[test]
fn auto_and_hybrid_say_what_they_did_and_return_the_same_hits() {
    let dir = scratch("auto");
    let engine = Engine::with_threads(2).unwrap();
    let expected = engine
        .pi(&hetero::Pi::new(3_000_000, 7).unwrap(), Backend::Scalar)
        .unwrap()
        .hits;
    let pi = |backend: &str| {
        json_of(&run(example("pi")
            .args(["--n", "3e6", "--seed", "7", "--json", "--backend", backend])
            .env("HETERO_CACHE_DIR", &dir)
            // Stored whatever else runs on the machine: this is the file's
            // test (auto_busy.rs is the load check's).
            .env("HETERO_LOAD_CHECK", "off")))
    };
    let auto = pi("auto");
    assert_eq!(auto["hits"], expected);
    let chosen = auto["auto"]["chosen"].as_str().unwrap_or("");
    assert!(chosen.parse::<Backend>().is_ok(), "{auto}");
    assert!(auto["auto"]["predicted_seconds"][chosen].is_f64(), "{auto}");
    // The second process reads the models the first one stored.
    let again = pi("auto");
    assert_eq!(again["auto"]["measured_now"], false, "{again}");
    let hybrid = pi("hybrid");
    assert_eq!(hybrid["hits"], expected);
    let share = &hybrid["hybrid"];
    assert_eq!(
        share["gpu_items"].as_u64().unwrap() + share["cpu_items"].as_u64().unwrap(),
        3_000_000,
        "{hybrid}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn futures_prints_every_job_once_and_cancels_the_one_past_the_timeout() {
    let out = run(example("futures").args([
        "--backend",
        "simd-threads",
        "--threads",
        "2",
        "--timeout",
        "8",
        "--json",
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let huge: Vec<&Value> = lines.iter().filter(|l| l["job"] == "pi 1e11").collect();
    assert_eq!(huge.len(), 1);
    assert_eq!(huge[0]["ok"], false);
    assert!(
        huge[0]["result"]
            .as_str()
            .unwrap_or("")
            .contains("cancelled")
    );
    let done = lines.iter().filter(|l| l["ok"] == true).count();
    assert_eq!(done, 4, "{lines:?}");
    let julia = lines.iter().find(|l| l["job"] == "julia 1000").unwrap();
    assert_eq!(julia["result"], "Σ counts = 14565573");
}
