// sum: partial sums of an array, one per workgroup of 4096 elements, which
// the host adds per chunk (compensated) and combines along the fixed tree.
// Twin of crates/kernel/src/problems/sum.rs.
//
// `Real` is f32 here (the host uploads the data rounded to f32); where the
// device has SHADER_F64 the host swaps the alias line for f64 and uploads
// the data as it is. Each invocation adds 16 elements 256 apart, so a
// workgroup reads consecutive addresses at each step; the workgroup then
// adds its 256 sums as a tree.

alias Real = f32; // REAL

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

@group(0) @binding(2) var<storage, read> data: array<Real>;
@group(0) @binding(3) var<storage, read_write> partials: array<Real>;

var<workgroup> scratch: array<Real, WORKGROUP>;

@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let group = workgroup_index(wg, groups);
    let base = group * WORKGROUP * ITEMS_PER_THREAD;
    var sum = Real(0.0);
    for (var k = 0u; k < ITEMS_PER_THREAD; k += 1u) {
        let i = base + k * WORKGROUP + local;
        if (i < dispatch.count) {
            sum += data[dispatch.tile_item + i];
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
