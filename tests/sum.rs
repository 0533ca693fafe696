//! `sum`: exact on every CPU backend for integer data (the notebook's
//! arange), independent of the thread count, compensated where a plain sum
//! is not, a typed error for an empty array, and its example's contract.
//! (Every backend against scalar, the GPU included: the bench's registry
//! test.)

mod support;

use hetero::problems::sum::{CHUNK, SumKernel, arange, arange_sum};
use hetero::{Backend, Engine, Error, KernelError};

#[test]
fn arange_sums_exactly_on_every_cpu_backend_and_thread_count() {
    let n = 1 << 24;
    let data = arange(n).unwrap();
    let exact = arange_sum(n as u64);
    assert_eq!(exact, 140_737_479_966_720.0);
    for threads in [1, 2, 3] {
        let engine = Engine::with_threads(threads).unwrap();
        for backend in Backend::CPU {
            let sum = engine.reduce(&SumKernel::new(&data), backend).unwrap();
            assert_eq!(sum, exact, "{backend} x{threads}");
        }
    }
}

#[test]
fn boundary_sizes() {
    let engine = Engine::with_threads(2).unwrap();
    let c = CHUNK as usize;
    for n in [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, c - 1, c, c + 1, 2 * c + 5] {
        let data = arange(n).unwrap();
        for backend in Backend::CPU {
            let sum = engine.reduce(&SumKernel::new(&data), backend).unwrap();
            assert_eq!(sum, arange_sum(n as u64), "n = {n}, {backend}");
        }
    }
}

#[test]
fn the_sum_is_compensated_where_a_plain_sum_is_not() {
    // ±2^53 cancel; each 1 alone is lost next to them in a running f64 sum.
    let big = 2f64.powi(53);
    let data: Vec<f64> = (0..100_003)
        .map(|i| match i % 4 {
            0 => big,
            2 => -big,
            _ => 1.0,
        })
        .collect();
    let exact: i128 = data.iter().map(|&x| x as i128).sum();
    let naive: f64 = data.iter().sum();
    assert_ne!(naive, exact as f64, "the data must defeat a plain sum");
    let engine = Engine::with_threads(2).unwrap();
    for backend in Backend::CPU {
        let sum = engine.reduce(&SumKernel::new(&data), backend).unwrap();
        assert_eq!(sum, exact as f64, "{backend}");
    }
}

#[test]
fn an_empty_array_is_a_typed_error() {
    let engine = Engine::with_threads(2).unwrap();
    for backend in Backend::CPU {
        let e = engine.reduce(&SumKernel::new(&[]), backend).unwrap_err();
        assert!(
            matches!(e, Error::Kernel(KernelError::EmptyRange { kernel: "sum" })),
            "{e}"
        );
    }
}

#[test]
fn the_example_keeps_the_cli_contract() {
    let out = support::example("sum")
        .args([
            "--n",
            "1e5",
            "--backend",
            "simd-threads",
            "--threads",
            "2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["backend"], "simd-threads");
    assert_eq!(json["threads"], 2);
    assert_eq!(json["n"], 100_000);
    assert_eq!(json["sum"].as_f64(), Some(arange_sum(100_000)));
    assert!(json["seconds"].as_f64().unwrap() > 0.0);
    for bad in [["--n", "0"], ["--n", "1e12"], ["--backend", "cuda"]] {
        let out = support::example("sum").args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty());
    }
}
