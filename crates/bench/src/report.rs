//! `report.md`: the results as tables a person reads top to bottom.

use std::fmt::Write;

use crate::experiments::crossover;
use crate::workloads;
use crate::{Record, Results};

fn secs(s: Option<f64>) -> String {
    match s {
        Some(s) if s >= 1.0 => format!("{s:.2} s"),
        Some(s) if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
        Some(s) if s >= 1e-6 => format!("{:.1} µs", s * 1e6),
        Some(s) => format!("{:.1} ns", s * 1e9),
        None => "—".into(),
    }
}

fn ratio(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| format!("{x:.1}×"))
}

fn percent(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| format!("{:.0} %", x * 100.0))
}

/// "63 % (L2 triad bandwidth)"; above 100 % the ceiling, not the kernel,
/// is what is wrong, and the cell says so.
fn of_ceiling(r: &Record) -> String {
    match (&r.ceiling, r.ceiling_fraction) {
        (Some(c), Some(f)) if f > 1.0 => {
            format!(
                "{} ({c}) ⚠ above the measured ceiling: the ceiling is wrong",
                percent(Some(f))
            )
        }
        (Some(c), f) => format!("{} ({c})", percent(f)),
        _ => "—".into(),
    }
}

/// The environment table's ceiling rows: the floating-point peak at the
/// build's width (with the FMA-only figure where adds on their own pipes
/// raise it), then one row per memory level.
fn ceilings_rows(md: &mut String, c: &crate::ceilings::Ceilings) {
    let f = &c.fp;
    // Within 2 % the mixed probe gained nothing worth naming (noise).
    let fma_only = |peak: f64, fma: f64| {
        if peak > 1.02 * fma {
            format!(" (FMA alone {fma:.1}; the rest on add pipes)")
        } else {
            String::new()
        }
    };
    let _ = writeln!(
        md,
        "| FP peak ({}) | f64 {:.1} GFLOP/s per core{}, {:.1} on {} threads; f32 {:.1} per core{}, {:.1} on {} threads |",
        f.width,
        f.f64_gflops_per_core,
        fma_only(f.f64_gflops_per_core, f.f64_fma_only_gflops_per_core),
        f.f64_gflops_all_cores,
        c.threads,
        f.f32_gflops_per_core,
        fma_only(f.f32_gflops_per_core, f.f32_fma_only_gflops_per_core),
        f.f32_gflops_all_cores,
        c.threads
    );
    for level in &c.memory {
        let _ = writeln!(
            md,
            "| {} bandwidth | read {:.1} GB/s per core, {:.1} on {} threads; triad {:.1} per core, {:.1} on {} threads |",
            level.name,
            level.read_gbs_one_core,
            level.read_gbs_all_cores,
            c.threads,
            level.triad_gbs_one_core,
            level.triad_gbs_all_cores,
            c.threads
        );
    }
    let _ = writeln!(md);
}

fn rate(x: Option<f64>, unit: Option<&str>) -> String {
    match (x, unit) {
        (Some(x), Some(u)) if x >= 1e9 => format!("{:.2} G{u}/s", x / 1e9),
        (Some(x), Some(u)) => format!("{:.1} M{u}/s", x / 1e6),
        _ => "—".into(),
    }
}

fn of<'a>(results: &'a Results, experiment: &str) -> impl Iterator<Item = &'a Record> {
    results
        .records
        .iter()
        .filter(move |r| r.experiment == experiment)
}

/// The whole report.
pub fn markdown(results: &Results) -> String {
    let env = &results.environment;
    let mut md = String::new();
    let _ = writeln!(md, "# hetero-bench report\n");
    let _ = writeln!(md, "`{}`\n", env.command);
    let _ = writeln!(md, "| machine | |\n| --- | --- |");
    let _ = writeln!(md, "| CPU | {} ({} logical cores) |", env.cpu, env.cores);
    let _ = writeln!(
        md,
        "| instruction-set level | {} ({}) |",
        env.isa, env.simd_lanes
    );
    let _ = writeln!(
        md,
        "| build's target features | {} |",
        env.simd_compiled.join(", ")
    );
    let _ = writeln!(md, "| threads used | {} |", env.threads);
    match (&env.gpu, &env.gpu_unavailable) {
        (Some(g), _) => {
            let _ = writeln!(md, "| GPU | {g} |");
        }
        (None, Some(why)) => {
            let _ = writeln!(md, "| GPU | unavailable: {why} |");
        }
        _ => {}
    }
    ceilings_rows(&mut md, &env.ceilings);
    if env.gpu_is_software {
        let _ = writeln!(
            md,
            "> **The GPU here is a software adapter** (a CPU emulating a GPU, e.g. lavapipe): its rows prove the GPU path is correct, not how fast a GPU is.\n"
        );
    }
    if !results.all_valid() {
        let _ = writeln!(
            md,
            "> **Some measurements failed validation or did not run** — see the ✗ rows.\n"
        );
    }

    let matrix: Vec<&Record> = of(results, "matrix").collect();
    if !matrix.is_empty() {
        let _ = writeln!(md, "## Every backend, validated then timed\n");
        let _ = writeln!(
            md,
            "Speed-up is against `scalar` in the same run. *vs notebook* compares with the fastest Python figure of the reference notebooks at the seed size (measured elsewhere on a 2-core machine, not re-run). *of ceiling* is the share of the machine limit that bounds the kernel: the floating-point peak of the cores used at the build's vector width (FMAs, and adds where a core has pipes for them; flops counted as the build's code executes them), or the bandwidth of the memory level (L1, L2, L3, DRAM) the working set lives in — read-only for `sum`, triad for `gaussian` (both probes above) — or, where it is higher, of the same probe run right after the row over the row's own working set on its cores (*probed beside*: a shared machine's bandwidth drifts between the start of a run and the row).\n"
        );
        for problem in workloads::ALL {
            let rows: Vec<&&Record> = matrix
                .iter()
                .filter(|r| r.problem == problem.name())
                .collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(md, "### {}\n", problem.name());
            if let Some((label, seconds)) = problem.python().first() {
                let _ = writeln!(
                    md,
                    "Notebook reference: {label}, {} at the seed size.\n",
                    secs(Some(*seconds))
                );
            }
            let _ = writeln!(
                md,
                "| size | backend | median | min | max | throughput | vs scalar | vs notebook | of ceiling | error | valid |"
            );
            let _ = writeln!(
                md,
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
            );
            for r in rows {
                let error = match (r.error_metric, r.error_value) {
                    (Some(m), Some(v)) => format!("{m} {v:.2e}"),
                    _ => r.failure.clone().unwrap_or_else(|| "—".into()),
                };
                let valid = if r.valid {
                    "✓".to_owned()
                } else {
                    format!("✗ {}", r.first_mismatch.clone().unwrap_or_default())
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.size,
                    r.backend,
                    secs(r.seconds_median),
                    secs(r.seconds_min),
                    secs(r.seconds_max),
                    rate(r.throughput, r.throughput_unit),
                    ratio(r.speedup_vs_scalar),
                    ratio(r.speedup_vs_python),
                    of_ceiling(r),
                    error,
                    valid
                );
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "![speed-ups](speedup.svg)\n");
    }

    let threads: Vec<&Record> = of(results, "threads").collect();
    if !threads.is_empty() {
        let _ = writeln!(md, "## Thread scaling\n");
        let _ = writeln!(
            md,
            "Parallel efficiency = T(1) / (t · T(t)); 100 % is perfect scaling.\n"
        );
        let _ = writeln!(
            md,
            "| problem | backend | threads | median | speed-up vs 1 thread | efficiency |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
        for r in threads {
            let d = r.detail.as_ref();
            let get = |k: &str| d.and_then(|d| d[k].as_f64());
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                r.problem,
                r.backend,
                r.threads,
                secs(r.seconds_median),
                ratio(get("speedup_vs_1_thread")),
                percent(get("efficiency"))
            );
        }
        let _ = writeln!(md, "\n![thread scaling](threads.svg)\n");
    }

    let sizes: Vec<&Record> = of(results, "sizes").collect();
    if !sizes.is_empty() {
        let _ = writeln!(md, "## Size scaling\n");
        let _ = writeln!(
            md,
            "Nanoseconds per element at each size; a crossover is the size from which a backend beats its baseline at every larger size.\n"
        );
        for problem in workloads::ALL {
            let rows: Vec<&&Record> = sizes
                .iter()
                .filter(|r| r.problem == problem.name())
                .collect();
            if rows.is_empty() {
                continue;
            }
            let mut backends: Vec<&str> = rows.iter().map(|r| r.backend).collect();
            backends.dedup();
            backends.sort_unstable();
            backends.dedup();
            let mut sz: Vec<u64> = rows.iter().map(|r| r.size).collect();
            sz.sort_unstable();
            sz.dedup();
            let _ = writeln!(
                md,
                "### {} (size = {})\n",
                problem.name(),
                problem.size_unit()
            );
            let _ = writeln!(md, "| size | {} |", backends.join(" | "));
            let _ = writeln!(md, "| --- |{}", " --- |".repeat(backends.len()));
            for s in &sz {
                let cells: Vec<String> = backends
                    .iter()
                    .map(|b| {
                        rows.iter()
                            .find(|r| r.size == *s && r.backend == *b)
                            .and_then(|r| {
                                let detail = r.detail.as_ref()?;
                                let ns = detail["ns_per_element"].as_f64()?;
                                Some(match detail["chose"].as_str() {
                                    Some(chose) => format!("{ns:.2} ns ({chose})"),
                                    None => format!("{ns:.2} ns"),
                                })
                            })
                            .map_or("—".into(), |cell| cell)
                    })
                    .collect();
                let _ = writeln!(md, "| {s} | {} |", cells.join(" | "));
            }
            let mut notes = Vec::new();
            for (b, base) in [
                ("threads", "scalar"),
                ("simd-threads", "simd"),
                ("gpu", "simd-threads"),
            ] {
                if backends.contains(&b) && backends.contains(&base) {
                    notes.push(match crossover(&results.records, problem.name(), b, base) {
                        Some(s) => format!("`{b}` beats `{base}` from {s}"),
                        None => format!("`{b}` never beats `{base}` here"),
                    });
                }
            }
            if let Some(line) = auto_against_best(&rows, &sz) {
                notes.push(line);
            }
            let _ = writeln!(md, "\nCrossovers: {}.\n", notes.join("; "));
        }
        let _ = writeln!(md, "![size scaling](sizes.svg)\n");
    }

    let gran: Vec<&Record> = of(results, "granularity").collect();
    if !gran.is_empty() {
        let _ = writeln!(md, "## Granularity: the cost of tiny tasks\n");
        let _ = writeln!(
            md,
            "Midpoint cut into rayon tasks of k points each. One task per point costs more than the work it carries — the notebook's multiprocessing lesson, at Rust's far smaller per-task cost.\n"
        );
        let _ = writeln!(md, "| points per task | tasks | median | vs serial |");
        let _ = writeln!(md, "| --- | --- | --- | --- |");
        for r in gran {
            let d = r.detail.as_ref();
            let label = if r.backend == "scalar" {
                "serial".to_owned()
            } else {
                d.map_or(String::new(), |d| d["task_points"].to_string())
            };
            let tasks = d.map_or(String::new(), |d| d["tasks"].to_string());
            let _ = writeln!(
                md,
                "| {label} | {tasks} | {} | {} |",
                secs(r.seconds_median),
                ratio(r.speedup_vs_scalar)
            );
        }
        let _ = writeln!(md, "\n![granularity](granularity.svg)\n");
    }

    let scheduled: Vec<&Record> = of(results, "schedule").collect();
    if !scheduled.is_empty() {
        schedule_section(&mut md, &scheduled);
    }

    let latency: Vec<&Record> = of(results, "latency").collect();
    if !latency.is_empty() {
        latency_section(&mut md, &latency);
    }

    let split: Vec<&Record> = of(results, "gpu-split").collect();
    if !split.is_empty() {
        let _ = writeln!(md, "## Where the GPU's time goes\n");
        let _ = writeln!(
            md,
            "| problem | size | end-to-end | upload | kernel (timestamps) | readback | resident | dispatches |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        for r in split {
            let d = r.detail.as_ref();
            let get = |k: &str| d.and_then(|d| d[k].as_f64());
            if r.problem == "all" {
                let _ = writeln!(
                    md,
                    "| context + pipelines (once) | | {} | | | | | |",
                    secs(r.seconds_median)
                );
                continue;
            }
            if let Some(f) = &r.failure {
                let _ = writeln!(md, "| {} | {} | ✗ {f} | | | | | |", r.problem, r.size);
                continue;
            }
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.problem,
                r.size,
                secs(get("end_to_end")),
                secs(get("upload")),
                secs(get("kernel")),
                secs(get("readback")),
                secs(get("resident")),
                d.map_or(String::new(), |d| d["dispatches"].to_string())
            );
        }
        let _ = writeln!(md, "\n![GPU time split](gpu_split.svg)\n");
    }
    md
}

/// The schedule experiment: one table per view, each policy's median and
/// its ratio to the best policy of the view, and where `auto` stands.
fn schedule_section(md: &mut String, records: &[&Record]) {
    let _ = writeln!(md, "## Scheduling policies: who computes each chunk\n");
    let _ = writeln!(
        md,
        "Julia on `simd-threads`, each policy timed in interleaved rounds. Every policy gives the same counts (checked on every run): the combine order is the fixed chunk tree, only the thread that computes a chunk changes. Chunks are the kernel's bands of 4 rows.\n"
    );
    let detail = |r: &Record, key: &str| {
        r.detail
            .as_ref()
            .and_then(|d| d[key].as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let mut views: Vec<String> = records.iter().map(|r| detail(r, "view")).collect();
    views.dedup();
    for view in views {
        let rows: Vec<&&Record> = records
            .iter()
            .filter(|r| detail(r, "view") == view)
            .collect();
        let Some(first) = rows.first() else { continue };
        let _ = writeln!(
            md,
            "**{view}** ({}; {} rows, {} threads)\n",
            detail(first, "about"),
            first.size,
            first.threads
        );
        let _ = writeln!(md, "| schedule | median | vs best |");
        let _ = writeln!(md, "| --- | --- | --- |");
        for r in &rows {
            let vs_best = r.detail.as_ref().and_then(|d| d["vs_best"].as_f64());
            let cell = match &r.failure {
                Some(f) => format!("✗ {f}"),
                None => secs(r.seconds_median),
            };
            let _ = writeln!(
                md,
                "| {} | {cell} | {} |",
                detail(r, "schedule"),
                vs_best.map_or(String::new(), |v| format!("{v:.2}×"))
            );
        }
        if let Some(auto) = rows.iter().find(|r| detail(r, "schedule") == "auto")
            && let Some(v) = auto.detail.as_ref().and_then(|d| d["vs_best"].as_f64())
        {
            let _ = writeln!(md, "\n`auto` takes {v:.2}× the best policy's time here.\n");
        }
    }
}

/// The latency experiment: one row per packet size, one-way time and
/// bandwidth per transport.
fn latency_section(md: &mut String, records: &[&Record]) {
    let _ = writeln!(md, "## What a message costs: the ping-pong exercise\n");
    let _ = writeln!(
        md,
        "A packet bounced between two parties; one-way time is half the mean round trip, each hop copying the packet once. `memcpy` is one copy of the same bytes on one thread. MPI ranks: `mpirun -n 2 target/release/examples/pingpong --transport mpi`.\n"
    );
    let transports = ["threads", "jobs", "memcpy"];
    let _ = writeln!(
        md,
        "| bytes | {} |",
        transports
            .map(|t| format!("{t} one-way | {t} bandwidth"))
            .join(" | ")
    );
    let _ = writeln!(md, "|{}", " --- |".repeat(1 + 2 * transports.len()));
    let mut sizes: Vec<u64> = records.iter().map(|r| r.size).collect();
    sizes.dedup();
    for size in sizes {
        let cells: Vec<String> = transports
            .iter()
            .map(
                |t| match records.iter().find(|r| r.size == size && r.backend == *t) {
                    Some(r) if r.failure.is_none() => format!(
                        "{} | {}",
                        secs(r.seconds_median),
                        r.throughput
                            .map_or(String::new(), |b| format!("{:.3} GB/s", b / 1e9))
                    ),
                    Some(r) => format!("✗ {} | ", r.failure.clone().unwrap_or_default()),
                    None => " | ".to_owned(),
                },
            )
            .collect();
        let _ = writeln!(md, "| {size} | {} |", cells.join(" | "));
    }
    let _ = writeln!(md, "\n![latency and bandwidth](latency.svg)\n");
}

/// A short text summary of the matrix for the terminal.
pub fn summary(results: &Results) -> String {
    let mut s = String::new();
    for r in of(results, "matrix") {
        let _ = writeln!(
            s,
            "{:<9} {:<13} {:>10}  {:>7} vs scalar  {}",
            r.problem,
            r.backend,
            secs(r.seconds_median),
            ratio(r.speedup_vs_scalar),
            if r.valid {
                "ok".to_owned()
            } else {
                format!(
                    "INVALID {}",
                    r.failure
                        .clone()
                        .or(r.first_mismatch.clone())
                        .unwrap_or_default()
                )
            }
        );
    }
    s
}

/// How far `auto` is from the fastest single backend over a problem's
/// sizes (same run): its worst ratio, at which size.
fn auto_against_best(rows: &[&&Record], sizes: &[u64]) -> Option<String> {
    let ns = |r: &Record| r.detail.as_ref()?["ns_per_element"].as_f64();
    let mut worst: Option<(f64, u64)> = None;
    for &size in sizes {
        let at = rows.iter().filter(|r| r.size == size);
        let auto = at
            .clone()
            .find(|r| r.backend == "auto")
            .and_then(|r| ns(r))?;
        let best = at
            .filter(|r| r.backend != "auto" && r.backend != "hybrid")
            .filter_map(|r| ns(r))
            .fold(f64::INFINITY, f64::min);
        let ratio = auto / best;
        if ratio.is_finite() && worst.is_none_or(|(w, _)| ratio > w) {
            worst = Some((ratio, size));
        }
    }
    let (ratio, size) = worst?;
    Some(format!(
        "`auto` is at worst {:.2}× the fastest single backend (at {size}; the cell names its choice)",
        ratio
    ))
}
