//! `pi/<backend>/<n>`: Monte Carlo π with the counter-based generator.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::Pi;

#[path = "common.rs"]
mod common;

fn pi(c: &mut Criterion) {
    let engine = common::engine();
    let mut group = c.benchmark_group("pi");
    group.sample_size(10);
    for n in [10_000_000u64] {
        let spec = Pi::new(n, hetero_core::pi::DEFAULT_SEED).expect("valid");
        group.throughput(Throughput::Elements(n));
        for backend in common::backends(&engine) {
            group.bench_with_input(BenchmarkId::new(backend.name(), n), &spec, |b, spec| {
                b.iter(|| engine.pi(spec, backend).expect("runs"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, pi);
criterion_main!(benches);
