//! One `Engine` shared by eight threads issuing mixed calls on every
//! backend at once: every result equals the same call made alone. The
//! engine's rayon pool is shared by every threaded call, and its GPU
//! context serialises GPU calls; neither may mix up two callers' work.

mod support;
use support::ci;

use std::sync::{Arc, Barrier};

use hetero::problems::sum::SumKernel;
use hetero::{Backend, Engine, Gaussian, JuliaParams, Midpoint, Pi, standard_normal_inputs};

/// What one call returned, as bits, so equality is exact.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Bits(u64),
    Counts(Vec<u32>),
    Floats(Vec<u32>),
    Hits(u64),
}

/// One call of the mix: a problem on a backend.
#[derive(Debug, Clone, Copy)]
enum Call {
    Midpoint(Backend),
    Julia(Backend),
    Pi(Backend),
    Gaussian(Backend),
    Sum(Backend),
}

struct Inputs {
    x: Vec<f32>,
    y: Vec<f32>,
    data: Vec<f64>,
}

fn run(engine: &Engine, call: Call, inputs: &Inputs) -> Answer {
    match call {
        Call::Midpoint(b) => {
            let spec = Midpoint::new(-0.5, 2.0, 300_001).unwrap();
            Answer::Bits(engine.midpoint(&spec, b).unwrap().to_bits())
        }
        Call::Julia(b) => {
            let spec = JuliaParams::notebook(60).validate().unwrap();
            Answer::Counts(engine.julia(&spec, b).unwrap())
        }
        Call::Pi(b) => Answer::Hits(engine.pi(&Pi::new(400_001, 11).unwrap(), b).unwrap().hits),
        Call::Gaussian(b) => {
            let z = engine
                .gaussian_f32_vec(&Gaussian::new(0.3).unwrap(), &inputs.x, &inputs.y, b)
                .unwrap();
            Answer::Floats(z.iter().map(|v| v.to_bits()).collect())
        }
        Call::Sum(b) => {
            let sum = engine.reduce(&SumKernel::new(&inputs.data), b).unwrap();
            Answer::Bits(sum.to_bits())
        }
    }
}

#[test]
fn eight_threads_sharing_one_engine_get_what_each_call_gets_alone() {
    let engine = Arc::new(Engine::with_threads(2).unwrap());
    let mut backends = Backend::CPU.to_vec();
    if engine.is_available(Backend::Gpu) {
        backends.push(Backend::Gpu);
    } else {
        assert!(!ci(), "CI requires a GPU adapter for this test");
        eprintln!("no GPU adapter: the GPU calls of this test did not run");
    }
    let (x, y) = standard_normal_inputs(50_001, 5).unwrap();
    let inputs = Arc::new(Inputs {
        x: x.iter().map(|&v| v as f32).collect(),
        y: y.iter().map(|&v| v as f32).collect(),
        // Values of many magnitudes: an order-sensitive sum.
        data: (0..70_000u32)
            .map(|i| f64::from(i % 97) * 10f64.powi((i % 23) as i32 - 11))
            .collect(),
    });
    let calls: Vec<Call> = backends
        .iter()
        .flat_map(|&b| {
            [
                Call::Midpoint(b),
                Call::Julia(b),
                Call::Pi(b),
                Call::Gaussian(b),
                Call::Sum(b),
            ]
        })
        .collect();
    // Alone, one after another.
    let alone: Vec<Answer> = calls.iter().map(|&c| run(&engine, c, &inputs)).collect();

    // Together: eight threads, each starting at a different call and going
    // round the whole list twice, released at once.
    const THREADS: usize = 8;
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, inputs, start, calls) = (
                Arc::clone(&engine),
                Arc::clone(&inputs),
                Arc::clone(&start),
                calls.clone(),
            );
            std::thread::spawn(move || {
                start.wait();
                (0..2 * calls.len())
                    .map(|k| {
                        let i = (t * 3 + k) % calls.len();
                        (i, run(&engine, calls[i], &inputs))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for (i, answer) in handle.join().expect("no call panics") {
            assert!(
                answer == alone[i],
                "{:?} under contention differs from the same call alone",
                calls[i]
            );
        }
    }
}
