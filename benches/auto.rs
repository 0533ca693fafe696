//! `auto/<problem>/<backend>/<n>`: what a call on `auto` costs beyond the
//! backend it runs on, once its models are known — the lookup, the choice
//! and the report of the call's time (`src/auto/`). Small calls, where
//! that cost shows: `sum` (a reduction) and the Gaussian (a map) at 10³
//! and 10⁵ items, each on `auto` and on `simd` and `simd-threads`, the two
//! backends `auto` picks between at these sizes.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::problems::sum::{SumKernel, arange};
use hetero::{Backend, Engine, Gaussian};
use hetero_core::gaussian::standard_normal_inputs;

const BACKENDS: [Backend; 3] = [Backend::Auto, Backend::Simd, Backend::SimdThreads];

fn auto(c: &mut Criterion) {
    // Models in the engine only: a benchmark neither reads nor writes the
    // user's calibration (the warm-up measures them).
    let engine = Engine::new()
        .expect("threads can be started")
        .with_calibration_dir(None);
    let mut group = c.benchmark_group("auto");
    for n in [1_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        let data = arange(n).expect("fits");
        let kernel = SumKernel::new(&data);
        for backend in BACKENDS {
            let id = BenchmarkId::new(format!("sum/{}", backend.name()), n);
            group.bench_function(id, |b| {
                b.iter(|| engine.reduce(&kernel, backend).expect("runs"))
            });
        }
        let (x, y) = standard_normal_inputs(n, 1).expect("fits");
        let mut out = vec![0.0; n];
        let spec = Gaussian::notebook();
        for backend in BACKENDS {
            let id = BenchmarkId::new(format!("gaussian/{}", backend.name()), n);
            group.bench_function(id, |b| {
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

criterion_group!(benches, auto);
criterion_main!(benches);
