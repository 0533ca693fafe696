// midpoint: partial sums of f(x0 + (i + 1/2) h) in f32, one partial per
// workgroup. Twin of crates/cpu/src/scalar/midpoint.rs.
//
// A dispatch covers at most 2^24 subintervals, so f32(i) is exact; the host
// passes each dispatch's x0 (computed in f64), adds the partials in f64 and
// multiplies by h. Each invocation sums ITEMS_PER_THREAD terms, then the
// workgroup adds its 256 sums as a tree: rounding error grows with
// log2(terms), not with their number.

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

struct Params {
    x0: f32,
    h: f32,
    count: u32,          // subintervals in this dispatch
    partial_offset: u32, // where this dispatch's partials start
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;

var<workgroup> scratch: array<f32, WORKGROUP>;

// BEGIN INTEGRAND (the host replaces this block with a user's `f`)
fn f(x: f32) -> f32 {
    return exp(-x * x);
}
// END INTEGRAND

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = (wg.x * WORKGROUP + local) * ITEMS_PER_THREAD;
    var sum = 0.0;
    for (var k = 0u; k < ITEMS_PER_THREAD; k += 1u) {
        let i = first + k;
        if (i < params.count) {
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
        partials[params.partial_offset + wg.x] = scratch[0];
    }
}
