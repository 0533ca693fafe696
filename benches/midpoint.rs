//! `midpoint/<backend>/<n>`: ∫₀¹ exp(−x²) by the midpoint rule, with the
//! built-in integrand; `midpoint-user/<backend>/<n>`: the same integral
//! with a user's own generic integrand (it must run as fast: same path);
//! `midpoint-closure/<backend>/<n>`: with a closure (evaluated lane by
//! lane: what a body that is not generic costs).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::{Backend, Integrand, Midpoint, Real};

#[path = "common.rs"]
mod common;

/// exp(−x²) written by a user, generically.
struct UserExpNegSquare;

impl Integrand for UserExpNegSquare {
    fn eval<R: Real>(&self, x: R) -> R {
        (-x * x).exp()
    }
}

fn midpoint(c: &mut Criterion) {
    let engine = common::engine();
    let mut group = c.benchmark_group("midpoint");
    for n in [1_000_000u64, 10_000_000] {
        let spec = Midpoint::new(0.0, 1.0, n).expect("valid");
        group.throughput(Throughput::Elements(n));
        for backend in common::backends(&engine) {
            group.bench_with_input(BenchmarkId::new(backend.name(), n), &spec, |b, spec| {
                b.iter(|| engine.midpoint(spec, backend).expect("runs"))
            });
        }
    }
    group.finish();

    let n = 1_000_000u64;
    let spec = Midpoint::new(0.0, 1.0, n).expect("valid");
    let closure = |x: f64| (-x * x).exp();
    let mut group = c.benchmark_group("midpoint-user");
    group.throughput(Throughput::Elements(n));
    for backend in Backend::CPU {
        group.bench_with_input(BenchmarkId::new(backend.name(), n), &spec, |b, spec| {
            b.iter(|| {
                engine
                    .midpoint_with(spec, &UserExpNegSquare, backend)
                    .expect("runs")
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("midpoint-closure");
    group.throughput(Throughput::Elements(n));
    for backend in Backend::CPU {
        group.bench_with_input(BenchmarkId::new(backend.name(), n), &spec, |b, spec| {
            b.iter(|| engine.midpoint_with(spec, &closure, backend).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, midpoint);
criterion_main!(benches);
