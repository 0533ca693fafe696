// midpoint: partial sums of f(x0 + (i + 1/2) h) in f32, one partial per
// workgroup. Twin of crates/kernel/src/problems/midpoint/mod.rs.
//
// A dispatch covers at most 2^24 subintervals, so f32(i) of its local index
// is exact; the host passes each dispatch's x0 (computed in f64), turns the
// workgroup partials of each chunk into one compensated f64 partial and
// combines chunks along the same fixed tree as the CPU. Each invocation sums
// ITEMS_PER_THREAD terms, then the workgroup adds its 256 sums as a tree:
// rounding error grows with log2(terms), not with their number.

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

struct Params {
    x0: f32, // the node origin of this dispatch: a + first·h
    h: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> scratch: array<f32, WORKGROUP>;

// BEGIN INTEGRAND (the host replaces this block with a user's `f`)
fn f(x: f32) -> f32 {
    return exp(-x * x);
}
// END INTEGRAND

@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let group = workgroup_index(wg, groups);
    let first = (group * WORKGROUP + local) * ITEMS_PER_THREAD;
    var sum = 0.0;
    for (var k = 0u; k < ITEMS_PER_THREAD; k += 1u) {
        let i = first + k;
        if (i < dispatch.count) {
            sum += f(params.x0 + (f32(i) + 0.5) * params.h);
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
