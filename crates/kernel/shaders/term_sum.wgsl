// term_sum: partial sums of term(first + i) for a reduction Σ term(i) whose
// term is a user's body traced from Rust (crates/kernel/src/term_sum.rs),
// one partial per workgroup, combined on the host like midpoint's.
//
// `Real` is f32 here; the host swaps the alias line for f64 (compiled after
// exp_f64.wgsl) where the device has SHADER_F64 and the term traces in f64.
// A dispatch covers at most 2^24 items, so Real(i) of its local index is
// exact; `first` is the dispatch's first index.

alias Real = f32; // REAL

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

struct Params {
    first: Real,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> partials: array<Real>;

var<workgroup> scratch: array<Real, WORKGROUP>;

// BEGIN TERM (the host replaces this block with the traced term)
fn term(i: Real) -> Real {
    return i;
}
// END TERM

@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let group = workgroup_index(wg, groups);
    let first = (group * WORKGROUP + local) * ITEMS_PER_THREAD;
    var sum = Real(0.0);
    for (var k = 0u; k < ITEMS_PER_THREAD; k += 1u) {
        let i = first + k;
        if (i < dispatch.count) {
            sum += term(params.first + Real(i));
        }
    }
    scratch[local] = sum;
    workgroupBarrier();
    for (var stride = WORKGROUP / 2u; stride > 0u; stride = stride / 2u) {
        if (local < stride) {
            scratch[local] += scratch[local + stride];
        }
        workgroupBarrier();
    }
    if (local == 0u) {
        partials[dispatch.tile_group + group] = scratch[0];
    }
}
