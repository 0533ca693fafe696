//! A user's own kernels through the public API: written once, equal on
//! every CPU backend and thread count, cross-validated in one call, and
//! every bad kernel a typed error (the GPU side: tests/gpu_backend.rs).

use core::ops::Range;

mod support;

use support::fragile::{FRAGILE, left_to_right};

use hetero::{
    Backend, ElementWise, Engine, Error, IndexTerm, Integrand, KernelError, Lanes, MapKernel,
    Mapping, Mask, Midpoint, Neumaier, Real, ReduceKernel, Reduction, ZipMap, fold,
};

/// ∫₀^π x·sin(x) dx = π, as a user reduction.
struct XSinX {
    n: u64,
    chunk: u64,
}

impl XSinX {
    fn h(&self) -> f64 {
        core::f64::consts::PI / self.n as f64
    }
}

impl IndexTerm for XSinX {
    fn term<R: Real>(&self, i: R) -> R {
        let x = (i + R::from_f64(0.5)) * R::from_f64(self.h());
        x * x.sin()
    }
}

impl Reduction for XSinX {
    type Partial = Neumaier;
    type Output = f64;
    fn len(&self) -> u64 {
        self.n
    }
    fn chunk(&self) -> u64 {
        self.chunk
    }
    fn combine(&self, a: Neumaier, b: Neumaier) -> Neumaier {
        a.merge(b)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        self.h() * total.value()
    }
}

impl ReduceKernel for XSinX {
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Neumaier {
        fold::sum_terms::<L::F64>(items, self)
    }
}

struct Weighted;

impl ElementWise<2> for Weighted {
    fn eval<R: Real>(&self, [x, y]: [R; 2]) -> R {
        (x * x + y * y).sqrt() * (-(x * y)).exp()
    }
}

#[test]
fn a_user_reduction_is_bit_identical_across_thread_counts() {
    let kernel = XSinX {
        n: 1_000_003,
        chunk: 1 << 14,
    };
    let one = Engine::with_threads(1).unwrap();
    let scalar = one.reduce(&kernel, Backend::Scalar).unwrap();
    let simd = one.reduce(&kernel, Backend::Simd).unwrap();
    assert!((scalar - core::f64::consts::PI).abs() < 1e-11, "{scalar}");
    assert!((simd - scalar).abs() < 1e-14, "{simd} vs {scalar}");
    for threads in [1, 2, 3, 8] {
        let engine = Engine::with_threads(threads).unwrap();
        let t = engine.reduce(&kernel, Backend::Threads).unwrap();
        let st = engine.reduce(&kernel, Backend::SimdThreads).unwrap();
        assert_eq!(t.to_bits(), scalar.to_bits(), "threads x{threads}");
        assert_eq!(st.to_bits(), simd.to_bits(), "simd-threads x{threads}");
    }
}

#[test]
fn an_order_sensitive_combine_still_gives_one_answer_for_any_thread_count() {
    // Guards the determinism promise: with rayon's own split points (or
    // any combine order that depends on the threads) these sums differ.
    let reference = Engine::with_threads(1)
        .unwrap()
        .reduce(&FRAGILE, Backend::Scalar)
        .unwrap();
    let left_to_right = left_to_right(&FRAGILE);
    assert_ne!(
        left_to_right.to_bits(),
        reference.to_bits(),
        "the test needs a combine whose order shows"
    );
    for threads in [1, 2, 3, 8] {
        let engine = Engine::with_threads(threads).unwrap();
        for backend in Backend::CPU {
            let v = engine.reduce(&FRAGILE, backend).unwrap();
            assert_eq!(v.to_bits(), reference.to_bits(), "{backend} x{threads}");
        }
    }
}

#[test]
fn a_user_map_runs_on_every_cpu_backend() {
    let (x, y) = hetero::standard_normal_inputs(50_001, 3).unwrap();
    let kernel = ZipMap::new(&Weighted, [&x[..], &y[..]]).unwrap();
    let engine = Engine::with_threads(2).unwrap();
    let reference = engine.map_vec(&kernel, Backend::Scalar).unwrap();
    for (i, (&z, (&x, &y))) in reference.iter().zip(x.iter().zip(&y)).enumerate() {
        let want = (x * x + y * y).sqrt() * (-(x * y)).exp();
        assert_eq!(z.to_bits(), want.to_bits(), "element {i}");
    }
    for backend in Backend::CPU {
        let z = engine.map_vec(&kernel, backend).unwrap();
        for (a, b) in z.iter().zip(&reference) {
            assert!(
                hetero::tolerance::ulp_distance_f64(*a, *b) <= 4,
                "{backend}: {a} vs {b}"
            );
        }
    }
    // Closures are bodies too, lane by lane.
    let add = |a: f64, b: f64| a + 2.0 * b;
    let kernel = ZipMap::new(&add, [&x[..], &y[..]]).unwrap();
    let z = engine.map_vec(&kernel, Backend::SimdThreads).unwrap();
    assert!(
        z.iter()
            .zip(x.iter().zip(&y))
            .all(|(z, (x, y))| *z == x + 2.0 * y)
    );
}

#[test]
fn validate_reports_every_backend_against_scalar() {
    let engine = Engine::with_threads(2).unwrap();
    let kernel = XSinX {
        n: 100_000,
        chunk: 1 << 14,
    };
    let v = engine.validate_reduce(&kernel).unwrap();
    assert_eq!(v.checks.len(), Backend::SPACES.len());
    assert_eq!(v.checks[0].backend, Backend::Scalar);
    for backend in Backend::CPU {
        let row = v.check(backend).unwrap();
        assert!(row.error.unwrap() < 1e-13, "{backend}: {row:?}");
        assert!(row.seconds.unwrap() > 0.0);
    }
    // A kernel without a GPU side: the gpu row says why, nothing fails.
    let gpu = v.check(Backend::Gpu).unwrap();
    assert!(gpu.error.is_none() && gpu.failure.is_some(), "{gpu:?}");
    assert!(v.to_string().contains("simd-threads"));

    let (x, y) = hetero::standard_normal_inputs(1000, 5).unwrap();
    let v = engine
        .validate_map(&ZipMap::new(&Weighted, [&x[..], &y[..]]).unwrap())
        .unwrap();
    assert!(v.max_error() < 1e-15, "{v}");
}

/// A map with a chunk of 0: no driver can schedule it.
struct NoChunk;

impl Mapping for NoChunk {
    type Out = f32;
    fn len(&self) -> usize {
        10
    }
    fn chunk(&self) -> usize {
        0
    }
}

impl MapKernel for NoChunk {
    fn leaf<L: Lanes>(&self, _: Range<usize>, out: &mut [f32]) {
        out.fill(1.0);
    }
}

#[test]
fn bad_user_kernels_are_typed_errors() {
    let engine = Engine::with_threads(2).unwrap();
    for backend in Backend::CPU {
        let e = engine
            .reduce(&XSinX { n: 0, chunk: 64 }, backend)
            .unwrap_err();
        assert!(
            matches!(e, Error::Kernel(KernelError::EmptyRange { .. })),
            "{e}"
        );
        let e = engine
            .reduce(&XSinX { n: 10, chunk: 0 }, backend)
            .unwrap_err();
        assert!(
            matches!(e, Error::Kernel(KernelError::ZeroChunk { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("chunk"), "{e}");
        let mut out = [7.0f32; 10];
        let e = engine.map(&NoChunk, &mut out, backend).unwrap_err();
        assert!(
            matches!(e, Error::Kernel(KernelError::ZeroChunk { .. })),
            "{e}"
        );
        assert_eq!(out, [7.0; 10], "nothing is written on error");
    }
    let (a, b) = ([1.0, 2.0, 3.0], [1.0, 2.0]);
    let e = ZipMap::new(&Weighted, [&a[..], &b[..]]).unwrap_err();
    assert_eq!(
        e,
        KernelError::LengthMismatch {
            kernel: "map",
            lengths: vec![3, 2]
        }
    );
    let kernel = ZipMap::new(&Weighted, [&a[..], &a[..]]).unwrap();
    let mut short = [0.0; 2];
    let e = engine.map(&kernel, &mut short, Backend::Simd).unwrap_err();
    assert!(
        matches!(e, Error::Kernel(KernelError::OutputLength { .. })),
        "{e}"
    );
    let e = engine
        .map_range(&kernel, 2..5, &mut [0.0; 3], Backend::Simd)
        .unwrap_err();
    assert!(
        matches!(e, Error::Kernel(KernelError::OutOfRange { .. })),
        "{e}"
    );
}

/// An integrand that branches on a mask: it runs on the CPU, and cannot be
/// traced to WGSL.
struct Branchy;

impl Integrand for Branchy {
    fn eval<R: Real>(&self, x: R) -> R {
        if x.simd_gt(R::from_f64(0.5)).any() {
            x
        } else {
            -x
        }
    }
}

#[test]
fn bodies_trace_to_wgsl_or_say_why_not() {
    struct Cubic;
    impl Integrand for Cubic {
        fn eval<R: Real>(&self, x: R) -> R {
            x * x * x - R::from_f64(0.25)
        }
    }
    let w = Cubic.wgsl().unwrap();
    assert!(w.f32_body.contains("(0.25f)"), "{}", w.f32_body);
    assert!(w.f64_body.unwrap().contains("(0.25lf)"));
    let e = Branchy.wgsl().unwrap_err();
    assert!(matches!(e, KernelError::Untraceable { .. }), "{e}");
    assert!(e.to_string().contains("select"), "{e}");
    let closure = |x: f64| x * x;
    let e = closure.wgsl().unwrap_err();
    assert!(matches!(e, KernelError::Unsupported { .. }), "{e}");
    // On the CPU it runs: ∫₀¹ (x > ½ ? x : −x) dx = 3/8 − 1/8.
    let engine = Engine::with_threads(2).unwrap();
    let spec = Midpoint::new(0.0, 1.0, 1000).unwrap();
    let v = engine
        .midpoint_with(&spec, &Branchy, Backend::Scalar)
        .unwrap();
    assert!((v - 0.25).abs() < 1e-3, "{v}");
}

#[test]
fn a_scaled_term_sum_is_the_sum_times_the_scale_once() {
    struct Square;
    impl hetero::IndexTerm for Square {
        fn term<R: Real>(&self, i: R) -> R {
            i * i
        }
    }
    let engine = Engine::with_threads(2).unwrap();
    let h = 1.0 / 3.0;
    for backend in Backend::CPU {
        let sum = engine
            .reduce(&hetero::TermSum::new("i²", &Square, 100_001), backend)
            .unwrap();
        let scaled = engine
            .reduce(
                &hetero::TermSum::new("i²", &Square, 100_001).scaled(h),
                backend,
            )
            .unwrap();
        // Σ i² for i < n = (n − 1)n(2n − 1)/6, exact in f64 here.
        assert_eq!(sum, 100_000.0 * 100_001.0 * 200_001.0 / 6.0, "{backend}");
        assert_eq!(scaled.to_bits(), (h * sum).to_bits(), "{backend}");
    }
}
