//! `tape/<problem>/<form>/<backend>/<n>`: a body recorded as a tape (what
//! `@hetero.elementwise` and `@hetero.integrand` run) against the same body
//! as built-in Rust, in one run: `builtin`, `tape-per-vector` (the tape
//! interpreted once per vector through `ZipMap` / `MidpointKernel`) and
//! `tape-blocks` (`TapeMap` / `TapeSum`, a block of vectors at a time).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hetero::kernel::tape::{Op, Tape, TapeBuilder, TapeMap, TapeSum};
use hetero::problems::midpoint::MidpointKernel;
use hetero::{Backend, Gaussian, Midpoint, ZipMap};
use hetero_core::gaussian::standard_normal_inputs;

// Only the engine of the shared helpers is used here.
#[allow(dead_code)]
#[path = "common.rs"]
mod common;

/// exp(−(x − y)²), as the Python decorator records it.
fn gaussian_tape() -> Tape {
    let mut t = TapeBuilder::new(2).expect("two inputs");
    let x = t.push(Op::Input(0)).expect("op");
    let y = t.push(Op::Input(1)).expect("op");
    let d = t.push(Op::Sub(x, y)).expect("op");
    let dd = t.push(Op::Mul(d, d)).expect("op");
    let n = t.push(Op::Neg(dd)).expect("op");
    let e = t.push(Op::Exp(n)).expect("op");
    t.finish(e).expect("a body")
}

/// exp(−x·x).
fn integrand_tape() -> Tape {
    let mut t = TapeBuilder::new(1).expect("one input");
    let x = t.push(Op::Input(0)).expect("op");
    let n = t.push(Op::Neg(x)).expect("op");
    let m = t.push(Op::Mul(n, x)).expect("op");
    let e = t.push(Op::Exp(m)).expect("op");
    t.finish(e).expect("a body")
}

fn tape(c: &mut Criterion) {
    let engine = common::engine();
    let n = 1_000_000usize;
    let (x, y) = standard_normal_inputs(n, 1).expect("bench inputs fit");
    let mut out = vec![0.0; n];
    let body = gaussian_tape();
    let spec = Gaussian::notebook();
    let mut group = c.benchmark_group("tape");
    group.throughput(Throughput::Elements(n as u64));
    for backend in [Backend::Simd, Backend::SimdThreads] {
        let id = |form: &str| BenchmarkId::new(format!("gaussian/{form}/{}", backend.name()), n);
        group.bench_function(id("builtin"), |b| {
            b.iter(|| {
                engine
                    .gaussian_f64(&spec, &x, &y, &mut out, backend)
                    .expect("runs")
            })
        });
        let zip = ZipMap::new(&body, [&x[..], &y[..]]).expect("lengths");
        group.bench_function(id("tape-per-vector"), |b| {
            b.iter(|| engine.map(&zip, &mut out, backend).expect("runs"))
        });
        let blocks = TapeMap::new(&body, [&x[..], &y[..]]).expect("lengths");
        group.bench_function(id("tape-blocks"), |b| {
            b.iter(|| engine.map(&blocks, &mut out, backend).expect("runs"))
        });
    }
    let f = integrand_tape();
    let spec = Midpoint::new(0.0, 1.0, n as u64).expect("valid");
    for backend in [Backend::Simd, Backend::SimdThreads] {
        let id = |form: &str| BenchmarkId::new(format!("midpoint/{form}/{}", backend.name()), n);
        group.bench_function(id("builtin"), |b| {
            b.iter(|| engine.midpoint(&spec, backend).expect("runs"))
        });
        group.bench_function(id("tape-per-vector"), |b| {
            b.iter(|| {
                engine
                    .reduce(&MidpointKernel::new(&spec, &f), backend)
                    .expect("runs")
            })
        });
        group.bench_function(id("tape-blocks"), |b| {
            b.iter(|| {
                engine
                    .reduce(&TapeSum::midpoint(&spec, &f), backend)
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, tape);
criterion_main!(benches);
