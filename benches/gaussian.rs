//! `gaussian/<backend>/<N>` (f64, the CPU backends) and
//! `gaussian-f32/<backend>/<N>` (f32, every backend the GPU included):
//! z = exp(−(x−y)²), x and y ~ N(0, 1).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::{Backend, Gaussian};
use hetero_core::gaussian::standard_normal_inputs;

#[path = "common.rs"]
mod common;

fn gaussian(c: &mut Criterion) {
    let engine = common::engine();
    let spec = Gaussian::notebook();
    let n = 1_000_000usize;
    let (x, y) = standard_normal_inputs(n, 1).expect("bench inputs fit");
    let mut out = vec![0.0; n];
    let mut group = c.benchmark_group("gaussian");
    group.throughput(Throughput::Elements(n as u64));
    for backend in common::backends(&engine)
        .into_iter()
        .filter(|b| *b != Backend::Gpu)
    {
        group.bench_function(BenchmarkId::new(backend.name(), n), |b| {
            b.iter(|| {
                engine
                    .gaussian_f64(&spec, &x, &y, &mut out, backend)
                    .expect("runs")
            })
        });
    }
    group.finish();

    let (x, y): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    let mut out = vec![0.0f32; n];
    let mut group = c.benchmark_group("gaussian-f32");
    group.throughput(Throughput::Elements(n as u64));
    for backend in common::backends(&engine) {
        group.bench_function(BenchmarkId::new(backend.name(), n), |b| {
            b.iter(|| {
                engine
                    .gaussian_f32(&spec, &x, &y, &mut out, backend)
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gaussian);
criterion_main!(benches);
