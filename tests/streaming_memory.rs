//! Midpoint and pi stream: their memory is O(threads), never an O(n) buffer
//! of terms or samples. A counting allocator watches the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use hetero::{Backend, Engine, Midpoint, Pi};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated above the starting level while `f` runs.
fn peak_extra(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

// One test function, so no other test allocates while we measure.
#[test]
fn midpoint_and_pi_run_in_constant_memory() {
    let engine = Engine::with_threads(2).unwrap();
    // n = 10^7: an O(n) buffer of f64 terms would be 80 MB, of samples more.
    let midpoint = Midpoint::new(0.0, 1.0, 10_000_000).unwrap();
    let pi = Pi::new(10_000_000, 3).unwrap();
    for backend in Backend::CPU {
        let extra = peak_extra(|| {
            engine.midpoint(&midpoint, backend).unwrap();
        });
        assert!(
            extra < 64 * 1024,
            "midpoint on {backend} allocated {extra} bytes"
        );
        let extra = peak_extra(|| {
            engine.pi(&pi, backend).unwrap();
        });
        assert!(extra < 64 * 1024, "pi on {backend} allocated {extra} bytes");
    }
}
