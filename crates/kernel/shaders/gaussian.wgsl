// gaussian: z[i] = exp(-gamma * (x[i] - y[i])^2) in f32, one invocation per
// element. Twin of crates/kernel/src/problems/gaussian.rs.
//
// The grid is 2-D so a dispatch may need more than 65 535 workgroups in x:
// element = (workgroup_index * 256 + local), counted from the dispatch's
// first element; the tile's buffers start at the tile's first element.

struct Params {
    gamma: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> ys: array<f32>;
@group(0) @binding(4) var<storage, read_write> zs: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let k = workgroup_index(wg, groups) * 256u + local;
    if (k >= dispatch.count) {
        return;
    }
    let i = dispatch.tile_item + k;
    let d = xs[i] - ys[i];
    var z = exp(-params.gamma * d * d);
    // gamma = 0 gives 1 wherever d is a number, an infinite d included (the
    // formula would give 0 * inf = NaN). NaN is tested on the bits: float
    // comparisons with NaN may be folded away by a driver.
    let is_nan = (bitcast<u32>(d) & 0x7fffffffu) > 0x7f800000u;
    if (params.gamma == 0.0 && !is_nan) {
        z = 1.0;
    }
    zs[i] = z;
}
