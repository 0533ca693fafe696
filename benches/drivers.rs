//! `drivers/<problem>/<driver>/<n>`: the two threaded drivers on one pool,
//! side by side in one run — rayon fork-join (`ThreadPool::install`, the
//! caller parked) against caller-helps (`Schedule::Auto`'s driver up to
//! `caller_helps::MAX_CHUNKS` chunks: the caller works, the pool helps as
//! it wakes). The same kernels, the same bits; only the cost of getting the
//! pool going differs, which is what small work feels.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::kernel::lanes::Simd;
use hetero::problems::gaussian::GaussianKernel;
use hetero::problems::midpoint::MidpointKernel;
use hetero::{ExpNegSquare, Gaussian, Midpoint, Schedule, standard_normal_inputs};
use hetero_cpu::{parallel, scheduled};

fn pool() -> rayon::ThreadPool {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("threads can be started")
}

fn drivers(c: &mut Criterion) {
    let pool = pool();
    let mut group = c.benchmark_group("drivers");
    for n in [100_000usize, 1_000_000] {
        group.throughput(Throughput::Elements(n as u64));
        let spec = Midpoint::new(0.0, 1.0, n as u64).expect("valid");
        let kernel = MidpointKernel::new(&spec, &ExpNegSquare);
        group.bench_function(BenchmarkId::new("midpoint/fork-join", n), |b| {
            b.iter(|| {
                pool.install(|| parallel::reduce::<_, Simd>(&kernel))
                    .expect("runs")
            })
        });
        group.bench_function(BenchmarkId::new("midpoint/caller-helps", n), |b| {
            b.iter(|| scheduled::reduce::<_, Simd>(&pool, &kernel, Schedule::Auto).expect("runs"))
        });

        let (x, y) = standard_normal_inputs(n, 1).expect("bench inputs fit");
        let spec = Gaussian::notebook();
        let kernel = GaussianKernel::new(&spec, &x, &y).expect("valid");
        let mut z = vec![0.0f64; n];
        group.bench_function(BenchmarkId::new("gaussian/fork-join", n), |b| {
            b.iter(|| {
                pool.install(|| parallel::map::<_, Simd>(&kernel, 0..n, &mut z))
                    .expect("runs")
            })
        });
        group.bench_function(BenchmarkId::new("gaussian/caller-helps", n), |b| {
            b.iter(|| {
                scheduled::map::<_, Simd>(&pool, &kernel, 0..n, &mut z, Schedule::Auto)
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, drivers);
criterion_main!(benches);
