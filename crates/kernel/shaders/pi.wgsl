// pi: Monte Carlo hits with Philox4x32-10, bit for bit the CPU generator
// (crates/core/src/rng.rs, crates/core/src/pi.rs), in 32-bit integers only.
//
// Each invocation counts PAIRS_PER_THREAD consecutive Philox pairs (two
// samples each); each workgroup writes one partial count (< 2^14), which the
// host adds in u64 per chunk. The host handles a range's odd last sample.
// Twin of crates/kernel/src/problems/pi/mod.rs.

const PAIRS_PER_THREAD: u32 = 16u;
const WORKGROUP: u32 = 256u;
const M0: u32 = 0xD2511F53u;
const M1: u32 = 0xCD9E8D57u;
const W0: u32 = 0x9E3779B9u;
const W1: u32 = 0xBB67AE85u;
const COORD_SHIFT: u32 = 7u;        // 32 - 25 coordinate bits
const RADIUS_SQ_HI: u32 = 0x100000u; // 2^52 >> 32

struct Params {
    first_pair_lo: u32,    // the dispatch's first pair (its first sample / 2)
    first_pair_hi: u32,
    pairs: u32,            // whole pairs in this dispatch (< 2^31)
    _pad: u32,
    key: vec2<u32>,
    _pad2: vec2<u32>,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> partials: array<u32>;

var<workgroup> group_hits: atomic<u32>;

// The full 64-bit product of two u32, as (high word, low word).
fn mul_hi_lo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(hi, a * b);
}

fn philox(counter_lo: u32, counter_hi: u32, key_in: vec2<u32>) -> vec4<u32> {
    var c = vec4<u32>(counter_lo, counter_hi, 0u, 0u);
    var k = key_in;
    for (var round = 0u; round < 10u; round += 1u) {
        if (round > 0u) {
            k = k + vec2<u32>(W0, W1);
        }
        let p0 = mul_hi_lo(M0, c.x);
        let p1 = mul_hi_lo(M1, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    }
    return c;
}

// (2X+1)^2 + (2Y+1)^2 < 2^52 with X, Y the top 25 bits of x, y.
fn inside(x: u32, y: u32) -> u32 {
    let u = ((x >> COORD_SHIFT) << 1u) | 1u;
    let v = ((y >> COORD_SHIFT) << 1u) | 1u;
    let uu = mul_hi_lo(u, u);
    let vv = mul_hi_lo(v, v);
    let lo = uu.y + vv.y;
    let carry = select(0u, 1u, lo < uu.y);
    let hi = uu.x + vv.x + carry;
    return select(0u, 1u, hi < RADIUS_SQ_HI);
}

@compute @workgroup_size(256, 1, 1)
fn main(
    @builtin(local_invocation_index) local: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    if (local == 0u) {
        atomicStore(&group_hits, 0u);
    }
    workgroupBarrier();
    let group = workgroup_index(wg, groups);
    let first = (group * WORKGROUP + local) * PAIRS_PER_THREAD;
    var hits = 0u;
    for (var p = 0u; p < PAIRS_PER_THREAD; p += 1u) {
        let offset = first + p;
        if (offset < params.pairs) {
            // 64-bit pair index = first_pair + offset, with carry.
            let lo = params.first_pair_lo + offset;
            let hi = params.first_pair_hi + select(0u, 1u, lo < offset);
            let r = philox(lo, hi, params.key);
            hits += inside(r.x, r.y) + inside(r.z, r.w);
        }
    }
    atomicAdd(&group_hits, hits);
    workgroupBarrier();
    if (local == 0u) {
        partials[dispatch.tile_group + group] = atomicLoad(&group_hits);
    }
}
