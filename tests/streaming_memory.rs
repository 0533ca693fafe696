//! Midpoint and pi stream: their memory is O(threads), never an O(n) buffer
//! of terms or samples. A counting allocator watches the peak.

mod support;
use support::ci;
use support::counting::{Counting, peak_extra};

use hetero::{Backend, Engine, Midpoint, Pi};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak extra bytes of midpoint and pi on `backend` at n = 10^7 and at
/// n = 10^9: both under 64 KiB, and the larger n no higher than the
/// smaller plus `slack`. A design keeping one partial per chunk would pass
/// the first bound at 10^7 (610 chunks of midpoint) but grow 100-fold.
fn assert_constant(engine: &Engine, backend: Backend, slack: usize) {
    let peak = |n: u64| {
        let midpoint = Midpoint::new(0.0, 1.0, n).unwrap();
        let pi = Pi::new(n, 3).unwrap();
        let m = peak_extra(|| {
            engine.midpoint(&midpoint, backend).unwrap();
        });
        let p = peak_extra(|| {
            engine.pi(&pi, backend).unwrap();
        });
        (m, p)
    };
    // Warm up once: caches (the GPU's buffers and pipelines) fill on first use.
    peak(10_000);
    let (small_m, small_p) = peak(10_000_000);
    let (large_m, large_p) = peak(1_000_000_000);
    for (what, small, large) in [("midpoint", small_m, large_m), ("pi", small_p, large_p)] {
        assert!(
            small < 64 * 1024 && large < 64 * 1024,
            "{what} on {backend} allocated {small} bytes at n = 1e7, {large} at 1e9"
        );
        assert!(
            large <= small + slack,
            "{what} on {backend}: the peak grew from {small} bytes at n = 1e7 to {large} at 1e9"
        );
    }
}

// One test function, so no other test allocates while we measure.
#[test]
fn midpoint_and_pi_run_in_constant_memory() {
    let engine = Engine::with_threads(2).unwrap();
    // The sequential driver (scalar and simd share it) and the parallel one
    // (threads and simd-threads share it), each on its faster width; an
    // O(n) buffer of f64 terms at n = 10^9 would be 8 GB.
    for backend in [Backend::Simd, Backend::SimdThreads] {
        assert_constant(&engine, backend, 4096);
    }
    // The GPU driver runs one tile per subtree of the chunk tree. A tile
    // records up to 64 dispatches, each with two uniform blocks of at most
    // 256 bytes staged on the host: n = 10^7 needs one, 10^9 sixty — a
    // bounded 32 KiB, whatever n.
    if engine.is_available(Backend::Gpu) {
        assert_constant(&engine, Backend::Gpu, 32 * 1024 + 4096);
    } else if ci() {
        panic!("CI requires a GPU adapter for the GPU half of this test");
    } else {
        eprintln!("no GPU adapter: the GPU half of this test did not run");
    }
}
