//! The statistics of one notebook-sized array (100 000 f64, in cache), per
//! lane width: what each file costs on top of reading it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hetero_npy::{Stats, Widest};

fn stats(c: &mut Criterion) {
    let (values, _) = hetero_core::gaussian::standard_normal_inputs(100_000, 1).unwrap();
    let mut group = c.benchmark_group("npy-stats");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("scalar/100000", |b| b.iter(|| Stats::of::<f64>(&values)));
    group.bench_function("simd-f64x4/100000", |b| {
        b.iter(|| Stats::of::<hetero_kernel::wide::f64x4>(&values))
    });
    group.bench_function("simd-widest/100000", |b| {
        b.iter(|| Stats::of::<Widest>(&values))
    });
    group.finish();
}

criterion_group!(benches, stats);
criterion_main!(benches);
