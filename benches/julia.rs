//! `julia/<backend>/<N>`: the notebook's N × 2N image, maxiters 50.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::JuliaParams;

#[path = "common.rs"]
mod common;

fn julia(c: &mut Criterion) {
    let engine = common::engine();
    let mut group = c.benchmark_group("julia");
    group.sample_size(20);
    for n in [1000usize] {
        let spec = JuliaParams::notebook(n).validate().expect("valid");
        let mut out = vec![0; spec.pixels()];
        group.throughput(Throughput::Elements(spec.pixels() as u64));
        for backend in common::backends(&engine) {
            group.bench_function(BenchmarkId::new(backend.name(), n), |b| {
                b.iter(|| engine.julia_into(&spec, &mut out, backend).expect("runs"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, julia);
criterion_main!(benches);
