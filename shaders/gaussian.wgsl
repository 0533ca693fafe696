// gaussian: z[i] = exp(-gamma * (x[i] - y[i])^2) in f32, one invocation per
// element of a chunk. Twin of crates/cpu/src/scalar/gaussian.rs.
//
// The grid is 2-D so a chunk may need more than 65 535 workgroups in x:
// element = x + y * (workgroups in x) * 256.

struct Params {
    n: u32,
    gamma: f32,
    _pad: vec2<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ys: array<f32>;
@group(0) @binding(3) var<storage, read_write> zs: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if (i >= params.n) {
        return;
    }
    let d = xs[i] - ys[i];
    zs[i] = exp(-params.gamma * d * d);
}
