//! Every problem, from the registry: each kernel has a bench workload (and
//! nothing else does), and each workload validates on every CPU backend at
//! its smallest size. A new problem is checked here without a new test.

use hetero::{Backend, Engine};
use hetero_bench::workloads;

#[test]
fn the_bench_covers_exactly_the_registered_problems() {
    let problems: Vec<&str> = hetero::problems::ALL.iter().map(|p| p.name()).collect();
    let workloads: Vec<&str> = workloads::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(problems, workloads);
    assert!(problems.len() >= 4, "{problems:?}");
    for problem in hetero::problems::ALL {
        assert!(!problem.summary().is_empty(), "{}", problem.name());
        assert!(workloads::find(problem.name()).is_some());
    }
}

#[test]
fn every_workload_validates_on_every_cpu_backend() {
    let engine = Engine::with_threads(2).expect("two threads start");
    for kind in workloads::ALL {
        let sizes = kind.scaling_sizes();
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{}", kind.name());
        assert!(kind.quick_size() <= kind.seed_size(), "{}", kind.name());
        let size = sizes[0];
        let work = kind.build(size).expect("the smallest size builds");
        assert_eq!(work.size(), size, "{}", kind.name());
        let reference = work.run(&engine, Backend::Scalar).expect("scalar runs");
        for backend in Backend::CPU {
            let output = work.run(&engine, backend).expect("every CPU backend runs");
            let v = work.validate(backend, &output, &reference);
            assert!(v.valid, "{} on {backend}: {v:?}", kind.name());
            work.run_timed(&engine, backend).expect("timed runs run");
        }
    }
}
