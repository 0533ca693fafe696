//! `--trace FILE`: every example writes a Chrome Trace Event file whose
//! spans nest on each thread, whose per-thread work lies inside the call
//! it belongs to and adds up to the call's items, with `auto`'s choice,
//! the GPU's time split and jobs where the run had them.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// Microseconds of slack for the rounding of timestamps to 1 ns.
const SLACK_US: f64 = 0.01;

#[derive(Debug, Clone)]
struct Span {
    name: String,
    category: String,
    tid: u64,
    start: f64,
    end: f64,
    args: Value,
}

/// The trace `example args… --trace FILE` writes, parsed.
fn trace_of(example: &str, args: &[&str]) -> Vec<Value> {
    trace_with(example, args, None)
}

/// [`trace_of`] with `auto`'s models kept in `cache` (a fresh folder:
/// the run calibrates).
fn trace_with(example: &str, args: &[&str], cache: Option<&Path>) -> Vec<Value> {
    // One folder per run: the tests run at once, some on one example.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "hetero-trace-{}-{example}-{run}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let file = dir.join("trace.json");
    let mut cmd = support::example(example);
    if let Some(cache) = cache {
        cmd.env("HETERO_CACHE_DIR", cache);
    }
    let out = cmd
        .args(args)
        .arg("--trace")
        .arg(&file)
        .output()
        .expect("the example runs");
    assert!(
        out.status.success(),
        "{example} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = parse(&file);
    let _ = std::fs::remove_dir_all(&dir);
    events
}

fn parse(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).expect("the trace was written");
    match serde_json::from_str::<Value>(&text).expect("the trace is JSON") {
        Value::Array(events) => events,
        other => panic!("a trace is a JSON array, not {other}"),
    }
}

fn spans(events: &[Value]) -> Vec<Span> {
    events
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| {
            let start = e["ts"].as_f64().expect("ts");
            let duration = e["dur"].as_f64().expect("dur");
            assert!(start >= 0.0 && duration >= 0.0, "{e}");
            Span {
                name: e["name"].as_str().expect("name").to_owned(),
                category: e["cat"].as_str().expect("cat").to_owned(),
                tid: e["tid"].as_u64().expect("tid"),
                start,
                end: start + duration,
                args: e["args"].clone(),
            }
        })
        .collect()
}

fn contains(outer: &Span, inner: &Span) -> bool {
    outer.start <= inner.start + SLACK_US && inner.end <= outer.end + SLACK_US
}

/// The checks every trace passes; returns its spans.
fn check(events: &[Value]) -> Vec<Span> {
    let spans = spans(events);
    // Every thread that recorded is named.
    let named: BTreeSet<u64> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["tid"].as_u64().expect("tid"))
        .collect();
    for span in &spans {
        assert!(named.contains(&span.tid), "thread {} has no name", span.tid);
    }
    // On each thread, spans nest: two are disjoint or one holds the other.
    let mut by_thread: BTreeMap<u64, Vec<&Span>> = BTreeMap::new();
    for span in &spans {
        by_thread.entry(span.tid).or_default().push(span);
    }
    for list in by_thread.values() {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                let disjoint = a.end <= b.start + SLACK_US || b.end <= a.start + SLACK_US;
                assert!(
                    disjoint || contains(a, b) || contains(b, a),
                    "spans overlap without nesting on one thread: {a:?} and {b:?}"
                );
            }
        }
    }
    // Each thread's work lies inside one call, and the work inside a call
    // adds up to the call's items.
    let calls: Vec<&Span> = spans
        .iter()
        .filter(|s| matches!(s.category.as_str(), "reduce" | "map" | "reduce blocks"))
        .collect();
    assert!(!calls.is_empty(), "no call was recorded");
    let mut items_in: Vec<u64> = vec![0; calls.len()];
    for work in spans.iter().filter(|s| s.category == "work") {
        let k = calls
            .iter()
            .position(|c| contains(c, work) && c.args["backend"] == work.args["backend"])
            .unwrap_or_else(|| panic!("work outside every call: {work:?}"));
        items_in[k] += work.args["items"].as_u64().expect("items");
    }
    for (call, items) in calls.iter().zip(items_in) {
        assert_eq!(
            call.args["items"].as_u64(),
            Some(items),
            "the work recorded inside {call:?}"
        );
    }
    spans
}

#[test]
fn every_example_writes_a_timeline_whose_spans_nest_and_cover_each_call() {
    let runs: [(&str, &[&str]); 7] = [
        (
            "julia",
            &[
                "--size",
                "200",
                "--backend",
                "simd-threads",
                "--repeat",
                "3",
            ],
        ),
        ("midpoint", &["--backend", "threads", "--repeat", "2"]),
        ("pi", &["--backend", "simd"]),
        ("gaussian", &["--backend", "simd-threads"]),
        ("sum", &["--backend", "threads"]),
        ("custom_kernel", &["--backend", "simd-threads"]),
        (
            "julia",
            &[
                "--size",
                "100",
                "--backend",
                "scalar",
                "--schedule",
                "dynamic,3",
            ],
        ),
    ];
    for (example, args) in runs {
        let events = trace_of(example, args);
        let spans = check(&events);
        let repeats = args
            .iter()
            .position(|a| *a == "--repeat")
            .map_or(1, |k| args[k + 1].parse::<usize>().expect("a count"));
        let calls = spans.iter().filter(|s| s.category != "work").count();
        assert!(
            calls >= repeats,
            "{example}: {calls} calls for {repeats} repeats"
        );
    }
}

#[test]
fn a_threaded_call_shows_each_threads_chunks() {
    let spans = check(&trace_of(
        "midpoint",
        &["--n", "4000000", "--backend", "threads", "--threads", "3"],
    ));
    let threads: BTreeSet<u64> = spans
        .iter()
        .filter(|s| s.category == "work")
        .map(|s| s.tid)
        .collect();
    assert!(threads.len() >= 2, "one thread did all the work: {spans:?}");
}

#[test]
fn auto_records_its_choice_with_the_predictions() {
    // A fresh cache: the run calibrates first, and the probes' chunks
    // must not land in the call's spans (check's nesting and items).
    let cache = std::env::temp_dir().join(format!("hetero-trace-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let events = trace_with("midpoint", &["--backend", "auto"], Some(&cache));
    let _ = std::fs::remove_dir_all(&cache);
    check(&events);
    let choice = events
        .iter()
        .find(|e| e["cat"] == "auto" && e["ph"] == "i")
        .expect("an instant event for auto's choice");
    assert!(
        choice["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("auto: "))
    );
    assert!(
        choice["args"]["why"]
            .as_str()
            .is_some_and(|w| w.contains("predicted"))
    );
}

#[test]
fn jobs_are_spans_from_start_to_end_holding_their_calls() {
    let events = trace_of("futures", &["--backend", "simd", "--timeout", "0.2"]);
    let spans = spans(&events);
    let jobs: Vec<&Span> = spans.iter().filter(|s| s.category == "job").collect();
    assert!(jobs.len() >= 4, "one span per job: {jobs:?}");
    assert!(jobs.iter().all(|j| j.args["ended"].is_string()));
    assert!(
        jobs.iter().any(|j| j.args["ended"] == "cancelled"),
        "the huge job is cancelled at the timeout: {jobs:?}"
    );
    for call in spans
        .iter()
        .filter(|s| matches!(s.category.as_str(), "reduce" | "map" | "reduce blocks"))
    {
        assert!(
            jobs.iter().any(|j| j.tid == call.tid && contains(j, call)),
            "a job's call outside its job: {call:?}"
        );
    }
}

#[test]
fn a_gpu_call_shows_its_tiles_and_its_time_split() {
    let probe = support::example("julia")
        .args(["--size", "100", "--backend", "gpu"])
        .output()
        .expect("runs");
    if !probe.status.success() {
        assert!(!support::ci(), "CI requires a GPU adapter");
        eprintln!("skipped: no GPU adapter");
        return;
    }
    let events = trace_of("julia", &["--size", "200", "--backend", "gpu"]);
    let spans = check(&events);
    assert!(spans.iter().any(|s| s.name == "tiles"), "{spans:?}");
    // Each tile is a span inside its thread's work, made of its upload,
    // its dispatches and the wait for them, and its readback; the tiles
    // cover the call's rows.
    let tiles: Vec<&Span> = spans.iter().filter(|s| s.name == "tile").collect();
    assert!(!tiles.is_empty(), "{spans:?}");
    let work = |s: &Span| s.name == "tiles";
    let call = spans
        .iter()
        .find(|s| s.category == "map")
        .expect("the call");
    let mut rows = 0;
    for tile in &tiles {
        assert!(
            spans
                .iter()
                .any(|w| work(w) && w.tid == tile.tid && contains(w, tile)),
            "a tile outside its thread's work: {tile:?}"
        );
        for part in ["upload", "dispatch + wait", "readback"] {
            assert!(
                spans
                    .iter()
                    .any(|p| p.name == part && p.tid == tile.tid && contains(tile, p)),
                "no {part} inside {tile:?}"
            );
        }
        for key in ["upload_us", "readback_us", "dispatches"] {
            assert!(tile.args[key].is_number(), "{key} in {tile:?}");
        }
        rows += tile.args["items"].as_u64().expect("items");
    }
    assert_eq!(call.args["items"].as_u64(), Some(rows), "{tiles:?}");
    let split = events
        .iter()
        .find(|e| e["name"] == "gpu time split")
        .expect("the GPU's time split");
    for key in ["end_to_end_us", "upload_us", "readback_us", "dispatches"] {
        assert!(split["args"][key].is_number(), "{key} in {split}");
    }
}

#[test]
fn a_trace_that_cannot_be_written_is_an_error_naming_the_flag() {
    let out = support::example("pi")
        .args([
            "--backend",
            "scalar",
            "--trace",
            "/nonexistent-folder/trace.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trace"));
}
