// prelude: compiled before every hetero kernel; crates/kernel/src/gpu.rs
// describes the binding protocol. Binding 0 is the dispatch block the
// driver writes for each dispatch: which items it covers and where they
// start in the current tile's buffers.

struct Dispatch {
    first_lo: u32,   // the dispatch's first item, a u64: low word
    first_hi: u32,   // and high word
    count: u32,      // items in this dispatch
    tile_item: u32,  // the first item's index in the tile's input and output buffers
    tile_group: u32, // the first workgroup's index in the tile's partials
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> dispatch: Dispatch;

// The linear index of a workgroup in a 2-D grid: dispatches of more than
// 65 535 workgroups spread over y.
fn workgroup_index(wg: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wg.x + wg.y * groups.x;
}
