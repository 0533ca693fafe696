//! `hybrid`: one problem shared by the GPU and the CPU threads. Counts and
//! hits equal every backend's; `sum` equals `simd-threads` bit for bit
//! (the GPU's f64 partials of integer data are exact); the f32 GPU
//! midpoint stays within its tolerance; a fixed split gives the same bits
//! on every run; a software GPU is left out by default and says so; and a
//! GPU failure fails the whole call. CI runs these on lavapipe, forcing it
//! in with a fixed or software-allowing split. Without a GPU adapter the
//! tests that need one are reported as ignored, with the reason (CI
//! requires an adapter: there they fail instead).

mod support;

#[path = "../examples/user_kernels/basel.rs"]
mod basel;

use std::sync::Arc;

use basel::basel;
use hetero::hybrid::{HybridShare, HybridSplit};
use hetero::kernel::gpu::{GpuCaps, GpuReduce};
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::{
    Backend, Engine, Error, GpuError, JuliaParams, KernelError, Lanes, Midpoint, Neumaier, Pi,
    ReduceKernel, Reduction,
};
use support::broken_gpu::BrokenGpu;

/// An engine whose hybrid split is `split` (the harness runs the tests
/// that call this only where there is a GPU adapter).
fn engine(split: HybridSplit) -> Engine {
    Engine::with_threads(2).unwrap().with_hybrid_split(split)
}

fn both_took_part(share: &HybridShare, what: &str) {
    assert!(share.cpu_only.is_none(), "{what}: {share}");
    assert!(
        share.gpu_items > 0 && share.cpu_items > 0,
        "{what}: {share}"
    );
}

/// Every problem on `hybrid` against `simd-threads` (and the GPU) on `engine`.
fn check_every_problem(engine: &Engine) -> Vec<HybridShare> {
    let mut shares = Vec::new();
    let pi_spec = Pi::new(50_000_001, 5).unwrap();
    let (hits, share) = engine.hybrid().reduce(&PiKernel::new(&pi_spec)).unwrap();
    assert_eq!(
        hits,
        engine.pi(&pi_spec, Backend::SimdThreads).unwrap(),
        "pi"
    );
    shares.push(share);

    let data = arange(3_000_001).unwrap();
    let (sum, share) = engine.hybrid().reduce(&SumKernel::new(&data)).unwrap();
    let cpu_sum = engine
        .reduce(&SumKernel::new(&data), Backend::SimdThreads)
        .unwrap();
    assert_eq!(sum.to_bits(), cpu_sum.to_bits(), "sum: {sum} vs {cpu_sum}");
    shares.push(share);

    let spec = Midpoint::new(-2.0, 1.0, 20_000_000).unwrap();
    let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
    let (integral, share) = engine.hybrid().reduce(&kernel).unwrap();
    let cpu = engine.reduce(&kernel, Backend::SimdThreads).unwrap();
    // The GPU integrates in f32 (partials combined in f64): ~1e-7 of f32.
    assert!(
        (integral - cpu).abs() <= 1e-6 * cpu.abs(),
        "midpoint {integral} vs {cpu}"
    );
    shares.push(share);

    let julia = JuliaParams::notebook(300).validate().unwrap();
    let kernel = JuliaKernel::new(&julia);
    let mut counts = vec![0; julia.pixels()];
    let share = engine
        .hybrid()
        .map(&kernel, 0..kernel_rows(&julia), &mut counts)
        .unwrap();
    assert_eq!(
        counts,
        engine.julia(&julia, Backend::SimdThreads).unwrap(),
        "julia"
    );
    shares.push(share);
    shares
}

fn kernel_rows(julia: &hetero::Julia) -> usize {
    julia.height()
}

fn a_fixed_split_uses_both_devices_and_gives_the_same_bits_every_run() {
    let engine = engine(HybridSplit::Fixed { gpu_share: 0.5 });
    for share in check_every_problem(&engine) {
        both_took_part(&share, "fixed split");
        // Half the blocks (or chunks): about half the items where there
        // are many blocks, two of three where there are three.
        let fraction = share.gpu_fraction();
        assert!((0.3..=0.7).contains(&fraction), "half to the GPU: {share}");
    }
    let spec = Midpoint::new(0.0, 2.0, 10_000_000).unwrap();
    let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
    let first = engine.hybrid().reduce(&kernel).unwrap().0;
    for _ in 0..3 {
        assert_eq!(
            engine.hybrid().reduce(&kernel).unwrap().0.to_bits(),
            first.to_bits()
        );
    }
}

fn the_adaptive_split_shares_work_between_both_devices() {
    let engine = engine(HybridSplit::Adaptive {
        allow_software: true,
    });
    let shares = check_every_problem(&engine);
    // Who takes how much depends on timing (on a loaded machine the CPU
    // threads may take every block before the GPU's first batch), so only
    // what the split promises is checked: every item computed once, by a
    // split that did not fall back to the CPU alone. The fixed split's
    // test checks that both devices compute.
    for share in &shares {
        assert!(share.cpu_only.is_none(), "{share}");
    }
}

fn by_default_a_software_gpu_is_left_out_and_the_result_is_simd_threads() {
    let engine = Engine::with_threads(2).unwrap();
    let software = engine.gpu_adapter().map_or(true, |a| a.is_software);
    let spec = Pi::new(5_000_000, 3).unwrap();
    let hits = engine.pi(&spec, Backend::Hybrid).unwrap();
    assert_eq!(hits, engine.pi(&spec, Backend::SimdThreads).unwrap());
    let share = engine
        .hybrid()
        .last_share()
        .expect("a hybrid call was made");
    assert_eq!(share.gpu_items + share.cpu_items, 5_000_000);
    if software {
        let why = share.cpu_only.as_deref().unwrap_or("");
        assert!(
            why.contains("software") || why.contains("no GPU"),
            "{share}"
        );
        assert_eq!(share.gpu_items, 0);
    }
    // A kernel with no GPU side runs on the CPU threads, whatever the GPU.
    let (value, share) = engine
        .hybrid()
        .reduce(&hetero::problems::midpoint::MidpointKernel::new(
            &Midpoint::notebook(),
            &|x: f64| (-x * x).exp(),
        ))
        .unwrap();
    assert!(share.cpu_only.is_some(), "{share}");
    assert_eq!(
        value.to_bits(),
        engine
            .midpoint(&Midpoint::notebook(), Backend::SimdThreads)
            .unwrap()
            .to_bits()
    );
}

fn user_kernels_and_submitted_jobs_on_hybrid_equal_the_blocking_single_backend() {
    let engine = engine(HybridSplit::Fixed { gpu_share: 0.3 });
    let engine = Arc::new(engine);
    let user = basel(10_000_019);
    let cpu = engine.reduce(&user, Backend::SimdThreads);
    match (engine.reduce(&user, Backend::Hybrid), cpu) {
        // Its GPU side computes in f32 terms: within f32's tolerance.
        (Ok(h), Ok(c)) => assert!((h - c).abs() <= 1e-6 * c.abs(), "{h} vs {c}"),
        (Err(h), _) => assert!(matches!(h, Error::Unsupported { .. }), "{h}"),
        (Ok(_), Err(c)) => panic!("simd-threads failed: {c}"),
    }
    let spec = Pi::new(30_000_000, 8).unwrap();
    let job = engine.jobs().submit(PiKernel::new(&spec), Backend::Hybrid);
    assert_eq!(
        job.wait().unwrap(),
        engine.pi(&spec, Backend::Scalar).unwrap()
    );
    let julia = JuliaParams::notebook(200).validate().unwrap();
    let job = engine
        .jobs()
        .submit_map(JuliaKernel::new(&julia), Backend::Hybrid);
    assert_eq!(
        job.wait().unwrap(),
        engine.julia(&julia, Backend::Scalar).unwrap()
    );
}

/// A kernel whose CPU leaf returns a plausible value and whose GPU side
/// does not compile: the value must not come back.
struct Broken;

impl Reduction for Broken {
    type Partial = Neumaier;
    type Output = f64;
    fn len(&self) -> u64 {
        1 << 20
    }
    fn chunk(&self) -> u64 {
        256
    }
    fn combine(&self, a: Neumaier, b: Neumaier) -> Neumaier {
        a.merge(b)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        total.value()
    }
}

impl ReduceKernel for Broken {
    fn leaf<L: Lanes>(&self, items: core::ops::Range<u64>) -> Neumaier {
        let mut partial = Neumaier::ZERO;
        partial.add(items.end as f64 - items.start as f64);
        partial
    }
    fn gpu(&self, _: &GpuCaps) -> Result<Box<dyn GpuReduce<Neumaier> + '_>, KernelError> {
        Ok(Box::new(BrokenGpu))
    }
}

fn a_failing_gpu_part_fails_the_whole_hybrid_call() {
    // Fixed, so the GPU surely runs its part (adaptively the CPU threads
    // may finish so cheap a kernel before the GPU's first batch).
    let engine = engine(HybridSplit::Fixed { gpu_share: 0.5 });
    let e = engine.hybrid().reduce(&Broken).unwrap_err();
    assert!(
        matches!(e, Error::Gpu(GpuError::InvalidShader { .. })),
        "{e}"
    );
    let e = engine.reduce(&Broken, Backend::Hybrid).unwrap_err();
    assert!(
        matches!(e, Error::Gpu(GpuError::InvalidShader { .. })),
        "{e}"
    );
}

/// The tests, and whether each needs a GPU adapter.
const TESTS: &[(&str, fn(), bool)] = &[
    (
        "a_fixed_split_uses_both_devices_and_gives_the_same_bits_every_run",
        a_fixed_split_uses_both_devices_and_gives_the_same_bits_every_run,
        true,
    ),
    (
        "the_adaptive_split_shares_work_between_both_devices",
        the_adaptive_split_shares_work_between_both_devices,
        true,
    ),
    (
        "by_default_a_software_gpu_is_left_out_and_the_result_is_simd_threads",
        by_default_a_software_gpu_is_left_out_and_the_result_is_simd_threads,
        false,
    ),
    (
        "user_kernels_and_submitted_jobs_on_hybrid_equal_the_blocking_single_backend",
        user_kernels_and_submitted_jobs_on_hybrid_equal_the_blocking_single_backend,
        true,
    ),
    (
        "a_failing_gpu_part_fails_the_whole_hybrid_call",
        a_failing_gpu_part_fails_the_whole_hybrid_call,
        true,
    ),
];

fn main() {
    // SAFETY: first thing in main; no other thread exists yet.
    unsafe { hetero::quiet_gpu_probe() };
    let args = libtest_mimic::Arguments::from_args();
    let gpu = Engine::with_threads(1)
        .expect("a thread starts")
        .gpu_adapter()
        .map(|_| ())
        .map_err(|e| e.to_string());
    if let Err(why) = &gpu {
        assert!(!support::ci(), "CI requires a GPU adapter: {why}");
        eprintln!("hybrid tests that need a GPU are SKIPPED (reported as ignored): {why}");
    }
    let trials = TESTS
        .iter()
        .map(|&(name, test, needs_gpu)| {
            libtest_mimic::Trial::test(name, move || {
                test();
                Ok(())
            })
            .with_ignored_flag(needs_gpu && gpu.is_err())
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
