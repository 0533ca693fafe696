// midpoint, double precision: the f32 kernel of midpoint.wgsl with every
// value in f64. Needs the SHADER_F64 feature, and is compiled after
// exp_f64.wgsl, so integrands may call `exp_f64`.

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

struct Params {
    x0: f64, // the node origin of this dispatch: a + first·h
    h: f64,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> partials: array<f64>;

var<workgroup> scratch: array<f64, WORKGROUP>;

// BEGIN INTEGRAND (the host replaces this block with a user's `f`)
fn f(x: f64) -> f64 {
    return exp_f64(-x * x);
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
    var sum = 0.0lf;
    for (var k = 0u; k < ITEMS_PER_THREAD; k += 1u) {
        let i = first + k;
        if (i < dispatch.count) {
            sum += f(params.x0 + (f64(i) + 0.5lf) * params.h);
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
