// julia: escape-time counts of z <- z^2 + c, one invocation per pixel of a
// dispatch's rows (items are rows of `width` pixels), a workgroup per tile
// of 16 x 16 pixels. Twin of crates/kernel/src/problems/julia.rs.
//
// The pixel starts come from the host (computed in f64, rounded to f32), so
// every backend starts from the same values: every column's start, and the
// start of each row of the tile.
//
// `2*zr*zi + ci` must be rounded once. WGSL's `fma` may be evaluated as a
// multiply and an add (lavapipe does), so where the device has SHADER_F64
// the host swaps the marked line for the notebook's own evaluation: the
// exact product in f64, plus ci, rounded to f32 (equal to a true fma on every
// pixel of the default image). The CPU rounds zr*zr and zi*zi before adding; a shader
// compiler may fuse them into fmas instead (WGSL has no way to forbid it),
// and a changed rounding changes the orbit. `unfused` hides the products
// behind a select on a uniform the compiler cannot see through, which keeps
// them rounded on drivers that fuse only a multiply feeding an add
// directly (lavapipe: every pixel then equals the CPU). Drivers may still
// differ, which is why the contract is >= 99.9 % of pixels, |Δ| <= 3.

struct Params {
    width: u32,
    maxiters: u32,
    cr: f32,
    ci: f32,
    // Always 0; only the compiler does not know it (see `unfused`).
    opaque_zero: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> column_starts: array<f32>;
@group(0) @binding(3) var<storage, read> row_starts: array<f32>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;

// The product, kept rounded: never the 0.0 branch, since opaque_zero is 0.
fn unfused(product: f32) -> f32 {
    return select(product, 0.0, params.opaque_zero != 0u);
}

// The grid is the band's tiles: x across the row, y down the band.
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    let row = gid.y; // in the dispatch
    if (j >= params.width || row >= dispatch.count) {
        return;
    }
    let r = dispatch.tile_item + row; // in the tile's buffers
    var zr = column_starts[j];
    var zi = row_starts[r];
    var count = 0u;
    loop {
        let zr2 = unfused(zr * zr);
        let zi2 = unfused(zi * zi);
        if (!(zr2 + zi2 <= 4.0 && count < params.maxiters)) {
            break;
        }
        let zi_next = fma(2.0 * zr, zi, params.ci); // ZI STEP
        zr = zr2 - zi2 + params.cr;
        zi = zi_next;
        count += 1u;
    }
    counts[r * params.width + j] = count;
}
