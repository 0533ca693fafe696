//! The seam every multi-process driver stands on, tested without MPI: a
//! reduction's subtree blocks computed apart (as ranks would, on any
//! backend) and combined along the fixed tree give the one-call result bit
//! for bit; a map over picked items (a rank's cyclic rows) gives the same
//! items' outputs.

mod support;

use hetero::kernel::ChunkPlan;
use hetero::kernel::picked::Picked;
use hetero::problems::julia::JuliaKernel;
use hetero::problems::midpoint::{ExpNegSquare, MidpointKernel};
use hetero::problems::pi::PiKernel;
use hetero::problems::sum::{SumKernel, arange};
use hetero::{Backend, Engine, Julia, Midpoint, Pi, ReduceKernel};
use hetero_core::shares::{
    block_chunks, block_owners, combine_blocks, cyclic_blocks, subtree_blocks,
};

/// The backends to check here: the CPU ones, and the GPU where there is
/// one (CI has lavapipe and requires it).
fn backends(engine: &Engine) -> Vec<Backend> {
    let gpu = engine.is_available(Backend::Gpu);
    assert!(gpu || !support::ci(), "CI requires a GPU adapter");
    if !gpu {
        eprintln!("gpu: no adapter here, its block partials are not checked");
    }
    Backend::SPACES
        .into_iter()
        .filter(|&b| b != Backend::Gpu || gpu)
        .collect()
}

/// `kernel` as `parts` workers would compute it: each its run of blocks
/// on `backend`, combined in one place.
fn shared<K: ReduceKernel>(
    engine: &Engine,
    kernel: &K,
    parts: usize,
    backend: Backend,
) -> K::Output {
    let plan = ChunkPlan::of(kernel).unwrap();
    let bc = block_chunks(plan.chunks);
    let blocks = subtree_blocks(plan.chunks, bc);
    let mut partials = Vec::new();
    for run in block_owners(&blocks, plan.chunks, parts) {
        if !run.is_empty() {
            partials.extend(engine.reduce_blocks(kernel, &blocks[run], backend).unwrap());
        }
    }
    kernel.finish(combine_blocks(plan.chunks, bc, partials, &|a, b| kernel.combine(a, b)).unwrap())
}

#[test]
fn block_partials_combine_to_the_one_call_result_on_every_backend() {
    let engine = Engine::with_threads(2).unwrap();
    let midpoint_spec = Midpoint::new(-2.0, 1.0, 1_234_567).unwrap();
    let midpoint = MidpointKernel::new(&midpoint_spec, &ExpNegSquare);
    let pi_spec = Pi::new(5_000_001, 11).unwrap();
    let pi = PiKernel::new(&pi_spec);
    let data = arange(3_000_001).unwrap();
    let sum = SumKernel::new(&data);
    for backend in backends(&engine) {
        let whole_midpoint = engine.reduce(&midpoint, backend).unwrap();
        let whole_pi = engine.reduce(&pi, backend).unwrap();
        let whole_sum = engine.reduce(&sum, backend).unwrap();
        for parts in [1, 2, 3, 5] {
            let at = format!("{backend}, {parts} parts");
            let value = shared(&engine, &midpoint, parts, backend);
            if backend == Backend::Gpu {
                // The GPU integrates in f32 from each dispatch's first
                // point, so other tiles round differently: ~1e-7 of f32.
                assert!(
                    (value - whole_midpoint).abs() <= 1e-6 * whole_midpoint.abs(),
                    "midpoint {at}"
                );
            } else {
                assert_eq!(value.to_bits(), whole_midpoint.to_bits(), "midpoint {at}");
            }
            assert_eq!(
                shared(&engine, &pi, parts, backend).hits,
                whole_pi.hits,
                "pi {at}"
            );
            assert_eq!(
                shared(&engine, &sum, parts, backend).to_bits(),
                whole_sum.to_bits(),
                "sum {at}"
            );
        }
    }
}

#[test]
fn a_block_outside_the_plan_is_a_typed_error() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = Pi::new(1 << 20, 1).unwrap();
    let kernel = PiKernel::new(&spec);
    let chunks = ChunkPlan::of(&kernel).unwrap().chunks;
    for bad in [chunks..chunks + 1, 3..3] {
        let err = engine
            .reduce_blocks(&kernel, std::slice::from_ref(&bad), Backend::Simd)
            .unwrap_err();
        assert!(matches!(err, hetero::Error::Kernel(_)), "{bad:?}: {err:?}");
    }
}

#[test]
fn picked_rows_are_the_same_rows_of_the_whole_image() {
    let engine = Engine::with_threads(2).unwrap();
    let spec = Julia::notebook();
    let whole = engine.julia(&spec, Backend::Scalar).unwrap();
    let width = spec.width();
    let kernel = JuliaKernel::new(&spec);
    for backend in backends(&engine).into_iter().filter(|&b| b != Backend::Gpu) {
        for (parts, part, block) in [(3, 1, 1), (2, 0, 7), (4, 3, 64)] {
            let pieces: Vec<_> = cyclic_blocks(spec.height(), parts, part, block).collect();
            let picked = engine
                .map_vec(&Picked::new(&kernel, pieces.clone()), backend)
                .unwrap();
            let expected: Vec<u32> = pieces
                .iter()
                .flat_map(|rows| whole[rows.start * width..rows.end * width].iter().copied())
                .collect();
            assert!(
                picked == expected,
                "{backend}: part {part} of {parts}, blocks of {block}"
            );
        }
    }
}
