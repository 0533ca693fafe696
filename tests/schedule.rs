//! Scheduling policies decide who computes a chunk, never the order the
//! partials meet: every policy × chunk × thread count gives the sequential
//! driver's bits, for every reduction (the order-sensitive `Fragile` kernel
//! included) and every map.

mod support;

use core::ops::Range;

use hetero::problems::sum::{SumKernel, arange};
use hetero::{
    Backend, Engine, Error, Gaussian, Julia, JuliaParams, Lanes, Midpoint, Pi, ReduceKernel,
    Reduction, Schedule, ScheduleError, Viewport,
};
use support::fragile::{FRAGILE, Fragile, left_to_right};

const THREADS: [usize; 4] = [1, 2, 3, 8];

/// Every policy, with chunks that divide the calls evenly and that do not.
fn schedules() -> Vec<Schedule> {
    vec![
        Schedule::Auto,
        Schedule::Static { chunk: None },
        Schedule::Static { chunk: Some(1) },
        Schedule::Static { chunk: Some(3) },
        Schedule::Dynamic { chunk: 1 },
        Schedule::Dynamic { chunk: 5 },
        Schedule::Guided { min_chunk: 1 },
        Schedule::Guided { min_chunk: 4 },
    ]
}

/// Runs `check(engine, label)` on an engine of every thread count under
/// every schedule.
fn for_every_schedule(mut check: impl FnMut(&Engine, &str)) {
    for threads in THREADS {
        let engine = Engine::with_threads(threads).unwrap();
        for schedule in schedules() {
            let scheduled = engine.scheduled(schedule).unwrap();
            assert_eq!(scheduled.schedule(), schedule);
            check(&scheduled, &format!("{schedule} x{threads}"));
        }
    }
}

#[test]
fn the_order_sensitive_reduction_keeps_its_bits_under_every_schedule() {
    let reference = Engine::with_threads(1)
        .unwrap()
        .reduce(&FRAGILE, Backend::Scalar)
        .unwrap();
    assert_ne!(
        left_to_right(&FRAGILE).to_bits(),
        reference.to_bits(),
        "the test needs a combine whose order shows"
    );
    for_every_schedule(|engine, label| {
        for backend in [Backend::Threads, Backend::SimdThreads] {
            let v = engine.reduce(&FRAGILE, backend).unwrap();
            assert_eq!(v.to_bits(), reference.to_bits(), "{backend} {label}");
        }
    });
}

#[test]
fn a_call_with_more_chunks_than_tasks_keeps_its_bits() {
    // 200 003 chunks of one item: more than a call is cut into, so the
    // schedules' tasks grow — still whole subtrees of the same tree.
    let kernel = Fragile {
        len: 200_003,
        chunk: 1,
    };
    let reference = Engine::with_threads(1)
        .unwrap()
        .reduce(&kernel, Backend::Scalar)
        .unwrap();
    assert_ne!(left_to_right(&kernel).to_bits(), reference.to_bits());
    for threads in [2, 3] {
        let engine = Engine::with_threads(threads).unwrap();
        for schedule in schedules() {
            let v = engine
                .scheduled(schedule)
                .unwrap()
                .reduce(&kernel, Backend::Threads)
                .unwrap();
            assert_eq!(v.to_bits(), reference.to_bits(), "{schedule} x{threads}");
        }
    }
}

#[test]
fn every_built_in_reduction_keeps_its_bits_under_every_schedule() {
    let one = Engine::with_threads(1).unwrap();
    let midpoint = Midpoint::new(0.0, 1.0, 1_000_003).unwrap();
    let pi = Pi::new(3_000_001, 11).unwrap();
    let data = arange(1 << 21).unwrap();
    let sum = SumKernel::new(&data);
    // Each threaded backend against the sequential one of its width.
    let pairs = [
        (Backend::Threads, Backend::Scalar),
        (Backend::SimdThreads, Backend::Simd),
    ];
    let want: Vec<(u64, u64, f64)> = pairs
        .iter()
        .map(|&(_, sequential)| {
            (
                one.midpoint(&midpoint, sequential).unwrap().to_bits(),
                one.pi(&pi, sequential).unwrap().hits,
                one.reduce(&sum, sequential).unwrap(),
            )
        })
        .collect();
    for_every_schedule(|engine, label| {
        for (&(threaded, _), &(m, hits, s)) in pairs.iter().zip(&want) {
            let got = engine.midpoint(&midpoint, threaded).unwrap();
            assert_eq!(got.to_bits(), m, "midpoint {threaded} {label}");
            assert_eq!(
                engine.pi(&pi, threaded).unwrap().hits,
                hits,
                "pi {threaded} {label}"
            );
            let got = engine.reduce(&sum, threaded).unwrap();
            assert_eq!(got.to_bits(), s.to_bits(), "sum {threaded} {label}");
        }
    });
}

#[test]
fn every_map_keeps_its_bits_under_every_schedule() {
    let one = Engine::with_threads(1).unwrap();
    // An odd size and an uneven view: rows of very different cost.
    let julia = JuliaParams {
        width: 203,
        height: 97,
        maxiters: 300,
        viewport: Viewport::centered(-0.1, 0.65, 0.3, 0.2),
        ..JuliaParams::notebook(97)
    }
    .validate()
    .unwrap();
    let (x, y) = hetero::standard_normal_inputs(100_003, 5).unwrap();
    let gaussian = Gaussian::notebook();
    for (threaded, sequential) in [
        (Backend::Threads, Backend::Scalar),
        (Backend::SimdThreads, Backend::Simd),
    ] {
        let counts = one.julia(&julia, sequential).unwrap();
        let z = one.gaussian_f64_vec(&gaussian, &x, &y, sequential).unwrap();
        for_every_schedule(|engine, label| {
            assert_eq!(
                engine.julia(&julia, threaded).unwrap(),
                counts,
                "julia {threaded} {label}"
            );
            let got = engine
                .gaussian_f64_vec(&gaussian, &x, &y, threaded)
                .unwrap();
            let same = got.iter().zip(&z).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "gaussian {threaded} {label}");
        });
    }
}

#[test]
fn the_notebook_image_is_the_notebooks_under_every_schedule() {
    let spec = Julia::notebook();
    let engine = Engine::with_threads(3).unwrap();
    for schedule in schedules() {
        let counts = engine
            .scheduled(schedule)
            .unwrap()
            .julia(&spec, Backend::SimdThreads)
            .unwrap();
        let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        assert_eq!(total, hetero::reference::JULIA_NOTEBOOK_SUM, "{schedule}");
    }
}

/// A reduction whose leaves record which thread ran them, to see the deal.
struct WhoRan {
    chunks: u64,
    ran_on: std::sync::Mutex<Vec<(u64, std::thread::ThreadId)>>,
}

impl Reduction for WhoRan {
    type Partial = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        self.chunks
    }
    fn chunk(&self) -> u64 {
        1
    }
    fn combine(&self, a: u64, b: u64) -> u64 {
        a + b
    }
    fn finish(&self, total: u64) -> u64 {
        total
    }
}

impl ReduceKernel for WhoRan {
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> u64 {
        // Long enough that every thread of the pool joins in.
        std::thread::sleep(std::time::Duration::from_micros(300));
        let id = std::thread::current().id();
        let mut ran_on = self.ran_on.lock().unwrap();
        ran_on.extend(items.clone().map(|i| (i, id)));
        items.end - items.start
    }
}

#[test]
fn static_schedules_run_each_share_on_one_thread() {
    let engine = Engine::with_threads(2).unwrap();
    for (schedule, share_of) in [
        // Even shares: chunks 0..32 on one thread, 32..64 on one thread.
        (
            Schedule::Static { chunk: None },
            (|c: u64| c / 32) as fn(u64) -> u64,
        ),
        // Round-robin tasks of 4 chunks: tasks 0, 2, 4, … on one thread.
        (Schedule::Static { chunk: Some(4) }, |c: u64| (c / 4) % 2),
    ] {
        let kernel = WhoRan {
            chunks: 64,
            ran_on: std::sync::Mutex::default(),
        };
        let scheduled = engine.scheduled(schedule).unwrap();
        assert_eq!(scheduled.reduce(&kernel, Backend::Threads).unwrap(), 64);
        let ran_on = kernel.ran_on.into_inner().unwrap();
        assert_eq!(ran_on.len(), 64, "{schedule}: every chunk once");
        for share in 0..2 {
            let threads: std::collections::HashSet<_> = ran_on
                .iter()
                .filter(|(c, _)| share_of(*c) == share)
                .map(|(_, id)| *id)
                .collect();
            assert_eq!(
                threads.len(),
                1,
                "{schedule}: share {share} ran on {threads:?}"
            );
        }
    }
}

#[test]
fn a_zero_chunk_is_a_typed_error() {
    let engine = Engine::with_threads(2).unwrap();
    for schedule in [
        Schedule::Dynamic { chunk: 0 },
        Schedule::Guided { min_chunk: 0 },
        Schedule::Static { chunk: Some(0) },
    ] {
        let e = engine.scheduled(schedule).unwrap_err();
        assert!(
            matches!(e, Error::Schedule(ScheduleError::ZeroChunk { .. })),
            "{schedule}: {e}"
        );
        assert!(e.to_string().contains("at least 1"), "{e}");
    }
    // The engine itself is unchanged.
    assert_eq!(engine.schedule(), Schedule::Auto);
}

#[test]
fn the_examples_take_a_schedule_and_refuse_a_bad_one() {
    let out = support::example("midpoint")
        .args([
            "--backend",
            "simd-threads",
            "--schedule",
            "guided,2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schedule"], "guided,2");
    let out = support::example("julia")
        .args(["--schedule", "fastest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dynamic,CHUNK"), "{stderr}");
}
