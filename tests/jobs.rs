//! Non-blocking submission: a job's result is the blocking call's, bit for
//! bit, on every backend (the GPU included where there is one; CI requires
//! lavapipe); cancelling or dropping a job stops it at the next chunk or
//! tile with `Error::Cancelled` and leaves no thread behind; progress
//! moves from 0 to 1; `as_completed` yields jobs as they finish; a job is
//! a `Future`.

mod support;

#[path = "../examples/user_kernels/basel.rs"]
mod basel;

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use basel::basel;
use hetero::jobs::{as_completed, running_jobs};
use hetero::kernel::gpu::{GpuCaps, GpuReduce};
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::{
    Backend, Engine, Error, JuliaParams, KernelError, Lanes, Midpoint, Pi, ReduceKernel, Reduction,
};

/// `inner` with a count of the items its leaves really computed (a stopped
/// call's throw-away leaves of one item are not counted): what a cancel
/// must stop.
struct CountingLeaves<K> {
    inner: K,
    items: Arc<AtomicU64>,
}

impl<K: Reduction> Reduction for CountingLeaves<K> {
    type Partial = K::Partial;
    type Output = K::Output;
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn chunk(&self) -> u64 {
        self.inner.chunk()
    }
    fn combine(&self, left: K::Partial, right: K::Partial) -> K::Partial {
        self.inner.combine(left, right)
    }
    fn finish(&self, total: K::Partial) -> K::Output {
        self.inner.finish(total)
    }
}

impl<K: ReduceKernel> ReduceKernel for CountingLeaves<K> {
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> K::Partial {
        let n = items.end - items.start;
        let partial = self.inner.leaf::<L>(items);
        if n > 1 {
            self.items.fetch_add(n, Ordering::SeqCst);
        }
        partial
    }
    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<K::Partial> + '_>, KernelError> {
        self.inner.gpu(caps)
    }
}

/// A π kernel of 10^12 samples (hours on these backends) whose computed
/// items are counted.
fn counted_huge_pi(seed: u64) -> (CountingLeaves<PiKernel>, Arc<AtomicU64>) {
    let items = Arc::new(AtomicU64::new(0));
    let kernel = CountingLeaves {
        inner: PiKernel::new(&Pi::new(1_000_000_000_000, seed).unwrap()),
        items: Arc::clone(&items),
    };
    (kernel, items)
}

/// Waits until `items` has moved (the job is computing), at most 60 s.
fn wait_for_work(items: &AtomicU64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while items.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "{what}: no work in 60 s");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// After a cancel, at most the leaves already running and one round of a
/// pooled job finish: far below the 10^12 items of the whole call. A no-op
/// cancel computes on and fails this (or the bounded wait before it).
fn assert_stopped_soon(items: &AtomicU64, at_cancel: u64, what: &str) {
    // One round of a pooled job (16 chunks a thread, 2 threads) and the
    // leaves in flight, with room to spare: 64 chunks of π.
    let bound = 64 * hetero_core_pi_chunk();
    let after = items.load(Ordering::SeqCst) - at_cancel;
    assert!(
        after <= bound,
        "{what}: {after} items computed after cancel (bound {bound})"
    );
}

fn hetero_core_pi_chunk() -> u64 {
    PiKernel::new(&Pi::new(1, 1).unwrap()).chunk()
}

/// A bound on waiting for a cancelled job: minutes below the hours its
/// whole call takes, seconds above a chunk on a loaded machine.
const CANCEL_BOUND: Duration = Duration::from_secs(20);

/// Tests here count job threads process-wide: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

fn engine() -> Arc<Engine> {
    Arc::new(Engine::with_threads(2).unwrap())
}

fn backends(engine: &Engine) -> Vec<Backend> {
    let gpu = engine.is_available(Backend::Gpu);
    assert!(gpu || !support::ci(), "CI requires a GPU adapter");
    if !gpu {
        eprintln!("gpu: no adapter here, GPU jobs are not checked");
    }
    Backend::SPACES
        .into_iter()
        .filter(|&b| b != Backend::Gpu || gpu)
        .collect()
}

/// Waits (at most 60 s) until no job thread is left.
fn assert_no_job_threads_left() {
    let deadline = Instant::now() + Duration::from_secs(60);
    while running_jobs() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} job threads still running",
            running_jobs()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn submitted_jobs_equal_the_blocking_calls_on_every_backend() {
    let _serial = serial();
    let engine = engine();
    let midpoint_spec = Midpoint::new(-2.0, 1.0, 1_234_567).unwrap();
    let pi_spec = Pi::new(3_000_001, 7).unwrap();
    let julia_spec = JuliaParams::notebook(120).validate().unwrap();
    let data = arange(2_000_003).unwrap();
    for backend in backends(&engine) {
        let midpoint = engine
            .jobs()
            .submit(MidpointKernel::new(&midpoint_spec, &ExpNegSquare), backend);
        let pi = engine.jobs().submit(PiKernel::new(&pi_spec), backend);
        let julia = engine
            .jobs()
            .submit_map(JuliaKernel::new(&julia_spec), backend);
        let owned = data.clone();
        let sum = engine
            .jobs()
            .submit_with(move |s| s.reduce(&SumKernel::new(&owned), backend));
        let user = engine.jobs().submit(basel(1_000_003), backend);

        let at = backend.name();
        let expected_midpoint = engine
            .reduce(&MidpointKernel::new(&midpoint_spec, &ExpNegSquare), backend)
            .unwrap();
        assert_eq!(
            midpoint.wait().unwrap().to_bits(),
            expected_midpoint.to_bits(),
            "{at}"
        );
        assert_eq!(
            pi.wait().unwrap(),
            engine.pi(&pi_spec, backend).unwrap(),
            "{at}"
        );
        assert_eq!(
            julia.wait().unwrap(),
            engine.julia(&julia_spec, backend).unwrap(),
            "{at}"
        );
        let expected_sum = engine.reduce(&SumKernel::new(&data), backend).unwrap();
        assert_eq!(
            sum.wait().unwrap().to_bits(),
            expected_sum.to_bits(),
            "{at}"
        );
        let expected_user = engine.reduce(&basel(1_000_003), backend);
        match (user.wait(), expected_user) {
            (Ok(got), Ok(want)) => assert_eq!(got.to_bits(), want.to_bits(), "{at}"),
            (Err(got), Err(want)) => assert_eq!(got, want, "{at}"),
            (got, want) => panic!("{at}: job {got:?}, blocking call {want:?}"),
        }
    }
    assert_no_job_threads_left();
}

#[test]
fn submit_returns_at_once_and_cancel_stops_a_huge_job_with_no_value() {
    let _serial = serial();
    let engine = engine();
    let spec = Pi::new(10_000_000_000, 1).unwrap();
    for backend in backends(&engine) {
        // Open the GPU first, so the submit below is not timed with it.
        let _ = engine.is_available(backend);
        let started = Instant::now();
        let mut job = engine.jobs().submit(PiKernel::new(&spec), backend);
        let submitted = started.elapsed();
        assert!(
            submitted < Duration::from_millis(200),
            "{backend}: submit took {submitted:?}"
        );
        assert!(
            job.wait_timeout(Duration::from_millis(50)).is_none(),
            "{backend}"
        );
        // Some chunks (CPU) or tiles (GPU) finish: progress moves.
        let deadline = Instant::now() + Duration::from_secs(60);
        while job.progress() == 0.0 {
            assert!(Instant::now() < deadline, "{backend}: no progress in 60 s");
            std::thread::sleep(Duration::from_millis(5));
        }
        let seen = job.progress();
        assert!(seen > 0.0 && seen < 0.5, "{backend}: progress {seen}");
        assert!(!job.is_ready());
        job.cancel();
        assert_eq!(job.wait(), Err(Error::Cancelled), "{backend}");
        assert_no_job_threads_left();
    }
}

#[test]
fn dropping_a_pending_job_cancels_it_and_its_thread_ends() {
    let _serial = serial();
    let engine = engine();
    let spec = Pi::new(10_000_000_000, 2).unwrap();
    for backend in backends(&engine) {
        let job = engine.jobs().submit(PiKernel::new(&spec), backend);
        std::thread::sleep(Duration::from_millis(20));
        assert!(running_jobs() >= 1);
        drop(job);
        assert_no_job_threads_left();
    }
    // The engine is only the test's again: nothing else holds it.
    assert_eq!(Arc::strong_count(&engine), 1);
}

#[test]
fn progress_reaches_one_and_a_finished_job_keeps_its_value_after_cancel() {
    let _serial = serial();
    let engine = engine();
    let spec = Pi::new(20_000_000, 3).unwrap();
    let job = engine
        .jobs()
        .submit(PiKernel::new(&spec), Backend::SimdThreads);
    let mut last = 0.0;
    while !job.is_ready() {
        let now = job.progress();
        assert!(now >= last && now <= 1.0, "progress went {last} -> {now}");
        last = now;
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(job.progress(), 1.0);
    job.cancel(); // too late: the value stays
    assert_eq!(
        job.wait().unwrap(),
        engine.pi(&spec, Backend::SimdThreads).unwrap()
    );
}

#[test]
fn as_completed_yields_each_job_once_in_the_order_they_finish() {
    let _serial = serial();
    let engine = engine();
    let big = engine.jobs().submit(
        PiKernel::new(&Pi::new(400_000_000, 1).unwrap()),
        Backend::Simd,
    );
    let small = engine
        .jobs()
        .submit(PiKernel::new(&Pi::new(10_000, 1).unwrap()), Backend::Scalar);
    let julia = engine.jobs().submit_map(
        JuliaKernel::new(&JuliaParams::notebook(40).validate().unwrap()),
        Backend::Scalar,
    );
    let order: Vec<usize> =
        as_completed([&big as &dyn hetero::jobs::Pending, &small, &julia]).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [0, 1, 2], "each job once: {order:?}");
    assert_eq!(order[2], 0, "the big job finishes last: {order:?}");
    assert!(big.is_ready() && small.is_ready() && julia.is_ready());
}

#[test]
fn a_job_is_a_future_with_the_blocking_result() {
    let _serial = serial();
    let engine = engine();
    let spec = Midpoint::new(0.0, 3.0, 3_000_000).unwrap();
    let job = engine.jobs().submit(
        MidpointKernel::new(&spec, &ExpNegSquare),
        Backend::SimdThreads,
    );
    let value = pollster::block_on(job).unwrap();
    assert_eq!(
        value.to_bits(),
        engine
            .midpoint(&spec, Backend::SimdThreads)
            .unwrap()
            .to_bits()
    );
}

#[test]
fn a_panicking_job_is_an_error_and_a_result_is_handed_out_once() {
    let _serial = serial();
    let engine = engine();
    let job = engine
        .jobs()
        .submit_with(|_| -> hetero::Result<u64> { panic!("the user's bug") });
    match job.wait() {
        Err(Error::JobPanicked { message }) => assert!(message.contains("the user's bug")),
        other => panic!("expected JobPanicked, got {other:?}"),
    }
    let mut job = engine
        .jobs()
        .submit(PiKernel::new(&Pi::new(1000, 1).unwrap()), Backend::Scalar);
    let first = job.wait_timeout(Duration::from_secs(60));
    assert!(matches!(first, Some(Ok(_))), "{first:?}");
    assert_eq!(job.try_take(), Some(Err(Error::JobTaken)));
    assert_no_job_threads_left();
}

#[test]
fn a_cpu_job_and_a_gpu_job_run_together_with_their_own_results() {
    let _serial = serial();
    let engine = engine();
    if !backends(&engine).contains(&Backend::Gpu) {
        return; // reported by backends(); CI fails there instead
    }
    let spec = Pi::new(50_000_000, 9).unwrap();
    let cpu = engine
        .jobs()
        .submit(PiKernel::new(&spec), Backend::SimdThreads);
    let gpu = engine.jobs().submit(PiKernel::new(&spec), Backend::Gpu);
    let (cpu, gpu) = (cpu.wait().unwrap(), gpu.wait().unwrap());
    assert_eq!(cpu, gpu);
    assert_eq!(cpu, engine.pi(&spec, Backend::Scalar).unwrap());
}

#[test]
fn a_small_job_finishes_while_a_huge_one_on_the_same_device_runs() {
    let _serial = serial();
    let engine = engine();
    for backend in backends(&engine) {
        if backend == Backend::Scalar || backend == Backend::Simd {
            continue; // each job has its own thread there: the OS shares them
        }
        let huge = engine
            .jobs()
            .submit(PiKernel::new(&Pi::new(10_000_000_000, 5).unwrap()), backend);
        std::thread::sleep(Duration::from_millis(20));
        let spec = Pi::new(2_000_000, 5).unwrap();
        let small = engine.jobs().submit(PiKernel::new(&spec), backend);
        // The pool is shared in rounds and the GPU tile by tile, in turn.
        assert_eq!(
            small.wait().unwrap(),
            engine.pi(&spec, Backend::Scalar).unwrap()
        );
        assert!(
            !huge.is_ready(),
            "{backend}: the huge job should still be running"
        );
        huge.cancel();
        assert_eq!(huge.wait(), Err(Error::Cancelled), "{backend}");
    }
    assert_no_job_threads_left();
}

#[test]
fn a_cancelled_cpu_job_computes_no_more_than_a_round_after_cancel() {
    let _serial = serial();
    let engine = engine();
    for backend in Backend::CPU {
        let (kernel, items) = counted_huge_pi(5);
        let mut job = engine.jobs().submit(kernel, backend);
        wait_for_work(&items, backend.name());
        job.cancel();
        let at_cancel = items.load(Ordering::SeqCst);
        let outcome = job
            .wait_timeout(CANCEL_BOUND)
            .unwrap_or_else(|| panic!("{backend}: still running {CANCEL_BOUND:?} after cancel"));
        assert_eq!(outcome, Err(Error::Cancelled), "{backend}");
        assert_stopped_soon(&items, at_cancel, backend.name());
        assert_no_job_threads_left();
    }
}

#[test]
fn a_dropped_cpu_job_computes_no_more_than_a_round_after_the_drop() {
    let _serial = serial();
    let engine = engine();
    for backend in Backend::CPU {
        let (kernel, items) = counted_huge_pi(6);
        let job = engine.jobs().submit(kernel, backend);
        wait_for_work(&items, backend.name());
        drop(job);
        let at_drop = items.load(Ordering::SeqCst);
        let deadline = Instant::now() + CANCEL_BOUND;
        while running_jobs() > 0 {
            assert!(
                Instant::now() < deadline,
                "{backend}: the dropped job still runs {CANCEL_BOUND:?} later"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_stopped_soon(&items, at_drop, backend.name());
    }
}

/// How many calls informed `auto`'s models of π at `spec`'s size.
fn calls_informing(engine: &Engine, spec: &Pi) -> u32 {
    let explained = engine
        .calibration()
        .explain_reduce(&PiKernel::new(spec))
        .expect("auto explains");
    explained.predictions.iter().map(|p| p.calls).sum()
}

#[test]
fn a_job_on_auto_teaches_auto_as_a_call_does_when_it_runs_alone() {
    let _serial = serial();
    assert_no_job_threads_left();
    let dir = std::env::temp_dir().join(format!("hetero-jobs-learn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Arc::new(
        Engine::with_threads(2)
            .unwrap()
            .with_calibration_dir(Some(dir.clone()))
            .with_load_check(false),
    );
    let spec = Pi::new(1 << 22, 5).unwrap();
    // The calibration, then one blocking call: the models are in memory.
    engine.reduce(&PiKernel::new(&spec), Backend::Auto).unwrap();
    let before = calls_informing(&engine, &spec);
    let value = engine
        .jobs()
        .submit(PiKernel::new(&spec), Backend::Auto)
        .wait()
        .unwrap();
    assert_eq!(
        value,
        engine
            .reduce(&PiKernel::new(&spec), Backend::Scalar)
            .unwrap()
    );
    let after_job = calls_informing(&engine, &spec);
    assert_eq!(after_job, before + 1, "the job's time informed no model");
    // Beside another job it shared the pool: its time is not a sample.
    let (huge, items) = counted_huge_pi(3);
    let mut other = engine.jobs().submit(huge, Backend::Simd);
    wait_for_work(&items, "a job beside");
    engine
        .jobs()
        .submit(PiKernel::new(&spec), Backend::Auto)
        .wait()
        .unwrap();
    other.cancel();
    assert_eq!(
        other.wait_timeout(CANCEL_BOUND),
        Some(Err(Error::Cancelled))
    );
    assert_eq!(
        calls_informing(&engine, &spec),
        after_job,
        "a job beside another informed a model"
    );
    assert_no_job_threads_left();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_job_on_auto_stops_its_calibration_when_cancelled() {
    let _serial = serial();
    // A fresh calibration (no cache): auto must measure every backend
    // before it can choose, unless the job is cancelled meanwhile.
    let dir = std::env::temp_dir().join(format!("hetero-jobs-auto-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Arc::new(
        Engine::with_threads(2)
            .unwrap()
            .with_calibration_dir(Some(dir.clone())),
    );
    let (kernel, items) = counted_huge_pi(7);
    let mut job = engine.jobs().submit(kernel, Backend::Auto);
    wait_for_work(&items, "auto");
    job.cancel();
    let at_cancel = items.load(Ordering::SeqCst);
    let outcome = job
        .wait_timeout(CANCEL_BOUND)
        .expect("the calibration stops at the next chunk");
    assert_eq!(outcome, Err(Error::Cancelled));
    assert_stopped_soon(&items, at_cancel, "auto");
    assert_no_job_threads_left();
    // The stopped calibration left no model behind as a failure: auto
    // still chooses for this kernel afterwards.
    let (kernel, _) = counted_huge_pi(7);
    let explained = engine
        .calibration()
        .explain_reduce(&kernel)
        .expect("auto measures again");
    assert!(
        explained
            .excluded
            .iter()
            .all(|(_, why)| !why.contains("cancelled")),
        "a cancelled probe was kept as a backend's failure: {explained}"
    );
    assert!(
        Backend::CPU
            .iter()
            .all(|b| explained.predictions.iter().any(|p| p.backend == *b)),
        "every CPU backend has a model: {explained}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A gate jobs wait at until the test opens it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, opened) = &*self.0;
        let mut open = open.lock().unwrap();
        while !*open {
            open = opened.wait(open).unwrap();
        }
    }

    fn open(&self) {
        let (open, opened) = &*self.0;
        *open.lock().unwrap() = true;
        opened.notify_all();
    }
}

/// This process's threads, from `/proc/self/status` (Linux).
fn process_threads() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))?
        .trim()
        .parse()
        .ok()
}

#[test]
fn a_thousand_submits_run_on_a_bounded_set_of_threads() {
    let _serial = serial();
    let Some(before) = process_threads() else {
        assert!(
            !support::ci(),
            "CI runs on Linux, where /proc counts threads"
        );
        eprintln!("skipped: no /proc/self/status to count threads here");
        return;
    };
    let engine = engine();
    let limit = engine.jobs().threads();
    // Every job waits at the gate until all are submitted: one thread per
    // job would mean a thousand threads alive at once.
    let gate = Gate::default();
    let mut peak = before;
    let jobs: Vec<_> = (0..1000u64)
        .map(|i| {
            let gate = gate.clone();
            let job = engine.jobs().submit_with(move |_| {
                gate.wait();
                Ok(i * i)
            });
            peak = peak.max(process_threads().unwrap_or(0));
            job
        })
        .collect();
    gate.open();
    let results: Vec<u64> = jobs.into_iter().map(|j| j.wait().unwrap()).collect();
    assert_eq!(results, (0..1000u64).map(|i| i * i).collect::<Vec<_>>());
    // The test harness's other threads may come and go: a few to spare.
    assert!(
        peak <= before + limit + 4,
        "{peak} threads at the peak, {before} before, {limit} job threads"
    );
    assert_no_job_threads_left();
}

#[test]
fn a_job_cancelled_while_it_waits_for_a_thread_never_starts() {
    let _serial = serial();
    let engine = engine();
    let gate = Gate::default();
    // Fill every job thread with a job that waits at the gate.
    let blockers: Vec<_> = (0..engine.jobs().threads())
        .map(|_| {
            let gate = gate.clone();
            engine.jobs().submit_with(move |_| {
                gate.wait();
                Ok(())
            })
        })
        .collect();
    let ran = Arc::new(AtomicU64::new(0));
    let queued = {
        let ran = Arc::clone(&ran);
        engine.jobs().submit_with(move |_| {
            ran.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    };
    queued.cancel();
    gate.open();
    assert_eq!(queued.wait(), Err(Error::Cancelled));
    for job in blockers {
        job.wait().unwrap();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 0, "a cancelled queued job ran");
    assert_no_job_threads_left();
}
