//! Helpers shared by the cross-backend tests.
#![allow(dead_code)]

/// Runs `f` on a fresh rayon pool of `threads` threads.
pub fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool of a few threads can be built")
        .install(f)
}

/// The thread counts every determinism test covers.
pub const THREAD_COUNTS: [usize; 4] = [1, 2, 3, 8];

/// A tiny deterministic generator for test inputs (SplitMix64).
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-scale, scale).
    pub fn uniform(&mut self, scale: f64) -> f64 {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * scale
    }
}

use hetero_cpu::{parallel, sequential};
use hetero_kernel::lanes::Scalar;
use hetero_kernel::{Isa, KernelError, MapKernel, ReduceKernel};

/// The four CPU backends, in report order.
pub const BACKENDS: [&str; 4] = ["scalar", "simd", "threads", "simd-threads"];

/// The level the vector backends run at: `HETERO_ISA`'s, else the best
/// this CPU has — so CI runs these tests once per level.
pub fn level() -> Isa {
    Isa::from_env().expect("HETERO_ISA names a level this CPU has")
}

/// Evaluates `$body` with the type `$lanes` bound to the vector lanes of
/// [`level`].
macro_rules! at_level {
    ($lanes:ident => $body:expr) => {
        match level() {
            #[cfg(target_arch = "x86_64")]
            Isa::V4 => {
                type $lanes = hetero_kernel::lanes::Avx512;
                $body
            }
            #[cfg(target_arch = "x86_64")]
            Isa::V3 => {
                type $lanes = hetero_kernel::lanes::Avx2;
                $body
            }
            _ => {
                type $lanes = hetero_kernel::lanes::Simd;
                $body
            }
        }
    };
}

/// `kernel` reduced on CPU backend `which` (an index into [`BACKENDS`]),
/// the parallel ones on the current rayon pool.
pub fn reduce_on<K: ReduceKernel>(kernel: &K, which: usize) -> Result<K::Output, KernelError> {
    match which {
        0 => sequential::reduce::<K, Scalar>(kernel),
        1 => at_level!(L => sequential::reduce::<K, L>(kernel)),
        2 => parallel::reduce::<K, Scalar>(kernel),
        _ => at_level!(L => parallel::reduce::<K, L>(kernel)),
    }
}

/// `kernel` reduced on every CPU backend.
pub fn reduce_all<K: ReduceKernel>(kernel: &K) -> [K::Output; 4] {
    core::array::from_fn(|which| reduce_on(kernel, which).expect("a valid kernel"))
}

/// `kernel`'s whole index space mapped into `out` on CPU backend `which`.
pub fn map_on<K: MapKernel>(
    kernel: &K,
    out: &mut [K::Out],
    which: usize,
) -> Result<(), KernelError> {
    let items = 0..kernel.len();
    match which {
        0 => sequential::map::<K, Scalar>(kernel, items, out),
        1 => at_level!(L => sequential::map::<K, L>(kernel, items, out)),
        2 => parallel::map::<K, Scalar>(kernel, items, out),
        _ => at_level!(L => parallel::map::<K, L>(kernel, items, out)),
    }
}

/// `kernel`'s outputs on every CPU backend.
pub fn map_all<K: MapKernel>(kernel: &K) -> [Vec<K::Out>; 4] {
    core::array::from_fn(|which| {
        let mut out = hetero_kernel::kernel::try_alloc_output(kernel).expect("small outputs");
        map_on(kernel, &mut out, which).expect("a valid kernel");
        out
    })
}
