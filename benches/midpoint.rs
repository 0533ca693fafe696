//! `midpoint/<backend>/<n>`: ∫₀¹ exp(−x²) by the midpoint rule.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::Midpoint;

#[path = "common.rs"]
mod common;

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
}

criterion_group!(benches, midpoint);
criterion_main!(benches);
