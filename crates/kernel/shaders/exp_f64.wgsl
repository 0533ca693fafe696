// exp_f64: e^x in f64 for the kernels that need it (compiled before them).
//
// WGSL's `exp` is not defined for f64 under Vulkan (some drivers return
// garbage), so hetero brings its own: the CPU's vector recipe
// (crates/kernel/src/math.rs): Cody-Waite reduction, a degree-13 Taylor
// polynomial on |r| <= ln2/2, and 2^k applied in two steps so that subnormal
// results are rounded once.

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
