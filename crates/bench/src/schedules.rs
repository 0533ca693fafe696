//! The schedule experiment: the Cython notebook's `prange(…, schedule=…,
//! chunksize=…)` lesson on two Julia views — the notebook's balanced
//! image, and a view whose rows differ more than a thousandfold in cost —
//! under every policy and a few chunk sizes, on `simd-threads`.
//!
//! The policies are timed interleaved (one run of each per round, rounds
//! repeated), so a machine's drift — a core waking, another job — falls on
//! every policy alike. Every run's counts are checked against the first
//! policy's: a schedule that changed a bit would show here as invalid.

use std::time::Instant;

use hetero::{Backend, Engine, Julia, JuliaParams, Schedule, Viewport};
use serde_json::json;

use crate::measure::Stats;
use crate::record::Record;

/// A Julia image to schedule, and what it shows.
struct View {
    name: &'static str,
    spec: Julia,
    about: &'static str,
}

/// The notebook's image (rows of similar cost) and the basilica
/// (c = −1, maxiters 2000) seen from its interior outwards: the first
/// rows cross the filled set, where every pixel runs all 2000 iterations,
/// the last ones escape at once — more than 1000× apart.
fn views(quick: bool) -> Result<Vec<View>, hetero::ProblemError> {
    let n = if quick { 250 } else { 1000 };
    let edge = JuliaParams {
        maxiters: 2000,
        c_re: -1.0,
        c_im: 0.0,
        viewport: Viewport {
            x_min: -1.6,
            x_max: 1.6,
            y_min: 0.0,
            y_max: 1.0,
        },
        ..JuliaParams::notebook(n)
    };
    Ok(vec![
        View {
            name: "balanced",
            spec: JuliaParams::notebook(n).validate()?,
            about: "the notebook's image",
        },
        View {
            name: "imbalanced",
            spec: edge.validate()?,
            about: "basilica c = -1, y in [0, 1), maxiters 2000",
        },
    ])
}

/// The policies and chunk sizes measured (chunks are the kernel's: bands
/// of 4 rows).
pub fn schedules() -> Vec<Schedule> {
    vec![
        Schedule::Static { chunk: None },
        Schedule::Static { chunk: Some(1) },
        Schedule::Static { chunk: Some(8) },
        Schedule::Dynamic { chunk: 1 },
        Schedule::Dynamic { chunk: 8 },
        Schedule::Dynamic { chunk: 32 },
        Schedule::Guided { min_chunk: 1 },
        Schedule::Guided { min_chunk: 4 },
        Schedule::Auto,
    ]
}

/// Every view × schedule on `simd-threads` with the engine's threads.
pub fn schedule(
    engine: &Engine,
    repeats: u32,
    quick: bool,
    progress: &(dyn Fn(String) + Sync),
) -> Vec<Record> {
    let backend = Backend::SimdThreads;
    let mut records = Vec::new();
    let views = match views(quick) {
        Ok(v) => v,
        Err(e) => {
            records
                .push(Record::new("schedule", "julia", backend.name(), 0, 1).failed(e.to_string()));
            return records;
        }
    };
    let schedules = schedules();
    let engines: Vec<Result<Engine, String>> = schedules
        .iter()
        .map(|&s| engine.scheduled(s).map_err(|e| e.to_string()))
        .collect();
    for view in views {
        progress(format!("schedule: {} view", view.name));
        let size = view.spec.height() as u64;
        // Warm-up and validation: one run of each, compared with the first.
        let mut reference: Option<Vec<u32>> = None;
        let mut checked: Vec<Result<(), String>> = Vec::new();
        for e in &engines {
            let run = e
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|e| e.julia(&view.spec, backend).map_err(|e| e.to_string()));
            checked.push(run.and_then(|counts| match &reference {
                None => {
                    reference = Some(counts);
                    Ok(())
                }
                Some(r) if *r == counts => Ok(()),
                Some(_) => Err("counts differ from the first policy's".into()),
            }));
        }
        // Interleaved rounds.
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); schedules.len()];
        for _ in 0..repeats.max(1) {
            for (i, e) in engines.iter().enumerate() {
                if let (Ok(e), Ok(())) = (e, &checked[i]) {
                    let started = Instant::now();
                    let ok = e.julia(&view.spec, backend).is_ok();
                    if ok {
                        samples[i].push(started.elapsed().as_secs_f64());
                    }
                }
            }
        }
        let medians: Vec<Option<Stats>> = samples.iter_mut().map(|s| Stats::of(s)).collect();
        let best = medians
            .iter()
            .flatten()
            .map(|s| s.median)
            .fold(f64::INFINITY, f64::min);
        for ((schedule, stats), check) in schedules.iter().zip(&medians).zip(&checked) {
            let record = Record::new("schedule", "julia", backend.name(), size, engine.threads());
            let mut record = match (check, stats) {
                (Err(e), _) => record.failed(e.clone()),
                (Ok(()), None) => record.failed("no run succeeded"),
                (Ok(()), Some(stats)) => record.with_stats(stats),
            };
            record.detail = Some(json!({
                "view": view.name,
                "about": view.about,
                "schedule": schedule.to_string(),
                "policy": schedule.name(),
                "vs_best": stats.map(|s| s.median / best),
                "width": view.spec.width(),
                "maxiters": view.spec.maxiters(),
            }));
            records.push(record);
        }
    }
    records
}
