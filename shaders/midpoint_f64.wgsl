// midpoint, double precision: the f32 kernel of midpoint.wgsl with every
// value in f64. Needs the SHADER_F64 feature.
//
// WGSL's `exp` is not defined for f64 under Vulkan (some drivers return
// garbage), so this file brings its own `exp_f64`: the CPU SIMD recipe
// (crates/cpu/src/simd/math.rs): Cody-Waite reduction, a degree-13 Taylor
// polynomial on |r| <= ln2/2, and 2^k applied in two steps so that subnormal
// results are rounded once.

const WORKGROUP: u32 = 256u;
const ITEMS_PER_THREAD: u32 = 16u;

struct Params {
    x0: f64, // the node origin of this dispatch: a + first·h
    h: f64,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> partials: array<f64>;

var<workgroup> scratch: array<f64, WORKGROUP>;

fn exp_f64(x: f64) -> f64 {
    if (x != x) {
        return x; // NaN
    }
    if (x > 709.79lf) {
        return x * 1.0e308lf; // overflows to +inf at run time
    }
    if (x < -745.2lf) {
        return 0.0lf;
    }
    let k = round(x * 1.4426950408889634074lf);
    var r = fma(-k, 6.93147180369123816490e-01lf, x);
    r = fma(-k, 1.90821492927058770002e-10lf, r);
    var p = 1.0lf / 6227020800.0lf;
    p = fma(p, r, 1.0lf / 479001600.0lf);
    p = fma(p, r, 1.0lf / 39916800.0lf);
    p = fma(p, r, 1.0lf / 3628800.0lf);
    p = fma(p, r, 1.0lf / 362880.0lf);
    p = fma(p, r, 1.0lf / 40320.0lf);
    p = fma(p, r, 1.0lf / 5040.0lf);
    p = fma(p, r, 1.0lf / 720.0lf);
    p = fma(p, r, 1.0lf / 120.0lf);
    p = fma(p, r, 1.0lf / 24.0lf);
    p = fma(p, r, 1.0lf / 6.0lf);
    p = fma(p, r, 0.5lf);
    p = fma(r * r, p, r) + 1.0lf;
    let ki = i32(k);
    let k1 = ki / 2;
    return ldexp(ldexp(p, k1), ki - k1);
}

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
