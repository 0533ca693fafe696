//! `gaussian/<backend>/<N>`: z = exp(−(x−y)²), f64, x and y ~ N(0, 1).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::Gaussian;
use hetero_core::gaussian::standard_normal_inputs;

#[path = "common.rs"]
mod common;

fn gaussian(c: &mut Criterion) {
    let engine = common::engine();
    let spec = Gaussian::notebook();
    let mut group = c.benchmark_group("gaussian");
    for n in [1_000_000usize] {
        let (x, y) = standard_normal_inputs(n, 1);
        let mut out = vec![0.0; n];
        group.throughput(Throughput::Elements(n as u64));
        for backend in common::backends(&engine) {
            group.bench_function(BenchmarkId::new(backend.name(), n), |b| {
                b.iter(|| {
                    engine
                        .gaussian_f64(&spec, &x, &y, &mut out, backend)
                        .expect("runs")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, gaussian);
criterion_main!(benches);
