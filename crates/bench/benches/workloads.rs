//! `problem/backend/size` for every registered problem at its notebook
//! size, through the bench's workloads: a new problem is benchmarked
//! without a new file. (The root crate's benches are the hand-made groups
//! per problem: several sizes, precisions and integrands.)

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::{Backend, Engine};
use hetero_bench::workloads;

fn every_problem(c: &mut Criterion) {
    let engine = Engine::new().expect("threads can be started");
    let backends: Vec<Backend> = Backend::SPACES
        .into_iter()
        .filter(|b| engine.is_available(*b))
        .collect();
    for kind in workloads::ALL {
        let size = kind.seed_size();
        let work = kind.build(size).expect("the notebook size builds");
        let mut group = c.benchmark_group(kind.name());
        group.sample_size(10);
        group.throughput(Throughput::Elements(work.elements()));
        for &backend in &backends {
            group.bench_function(BenchmarkId::new(backend.name(), size), |b| {
                b.iter(|| work.run_timed(&engine, backend).expect("runs"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, every_problem);
criterion_main!(benches);
