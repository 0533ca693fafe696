//! The GPU side of a kernel, described without wgpu: its WGSL, its
//! parameter block and its input streams. The device layer (`hetero-gpu`)
//! reads these descriptions and knows no problem by name.
//!
//! ## The binding protocol
//!
//! Every program is compiled after [`PRELUDE`] (`shaders/prelude.wgsl`),
//! which declares binding 0, the `Dispatch` block the driver writes for each
//! dispatch (its first item, its item count, and where its items and
//! workgroups start in the current tile's buffers). Then:
//!
//! | binding | what | written by |
//! | --- | --- | --- |
//! | 0 | `dispatch: Dispatch` (uniform) | the driver, per dispatch |
//! | 1 | the kernel's own `params` (uniform) | the kernel, per dispatch ([`GpuReduce::params`]) |
//! | 2 … 1 + inputs | read-only storage inputs | the kernel, per tile ([`GpuReduce::input`]) |
//! | 2 + inputs | the read-write output | the shader |
//!
//! A map writes `out_per_item` values per item at the item's tile index; a
//! reduction writes one partial per workgroup at `dispatch.tile_group` plus
//! the workgroup's index, each workgroup covering `group_items` consecutive
//! items of the dispatch.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::{Pod, Zeroable};

/// The WGSL every program is compiled after: the `Dispatch` block and
/// index helpers.
pub const PRELUDE: &str = include_str!("../shaders/prelude.wgsl");

/// `exp_f64`, e^x in f64 (WGSL's `exp` is not defined for f64 on Vulkan):
/// programs that call it put it before their own source.
pub const EXP_F64: &str = include_str!("../shaders/exp_f64.wgsl");

/// Mirrors `Dispatch` in `shaders/prelude.wgsl` (binding 0), written by
/// the driver for every dispatch.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct Dispatch {
    /// The dispatch's first item (a u64 in two words).
    pub first_lo: u32,
    pub first_hi: u32,
    /// Items in this dispatch.
    pub count: u32,
    /// The first item's index in the tile's input and output buffers.
    pub tile_item: u32,
    /// The first workgroup's index in the tile's partials.
    pub tile_group: u32,
    pub _pad: [u32; 3],
}

/// The workgroups of one dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// This many workgroups, spread by the driver over x and y (the shader
    /// finds its index with `workgroup_index`).
    Linear(u64),
    /// Exactly `[x, y]` workgroups, e.g. the tiles of an image band
    /// (across × down): the shader reads `workgroup_id.xy` directly.
    Xy([u64; 2]),
}

impl Grid {
    /// Workgroups in all.
    pub fn count(self) -> u64 {
        match self {
            Self::Linear(n) => n,
            Self::Xy([x, y]) => x.saturating_mul(y),
        }
    }
}

/// What the device offers that a kernel may adapt to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GpuCaps {
    /// The device has SHADER_F64: f64 arithmetic in shaders.
    pub f64: bool,
}

/// A kernel's compute shader and its bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuProgram {
    /// Names every GPU object of the kernel: `"{label}:role"`.
    pub label: &'static str,
    /// The WGSL after the prelude; its entry point is `main`.
    pub source: Cow<'static, str>,
    /// Needs SHADER_F64.
    pub needs_f64: bool,
    /// Read-only storage inputs (bindings 2 …).
    pub inputs: usize,
    /// Invocations per workgroup (the shader's `@workgroup_size` x; y = z = 1).
    pub workgroup_size: u32,
}

/// Workgroup partials of `partial_bytes` each (4: f32, 8: f64), widened to
/// f64 and added in order with compensation: the chunk partial of sums.
pub fn sum_partials(groups: &[u8], partial_bytes: u64) -> hetero_core::Neumaier {
    let mut sum = hetero_core::Neumaier::ZERO;
    if partial_bytes == 8 {
        groups
            .chunks_exact(8)
            .for_each(|w| sum.add(bytemuck::pod_read_unaligned::<f64>(w)));
    } else {
        groups
            .chunks_exact(4)
            .for_each(|w| sum.add(f64::from(bytemuck::pod_read_unaligned::<f32>(w))));
    }
    sum
}

/// The GPU side of a reduction whose partials are `P`.
pub trait GpuReduce<P>: Sync {
    fn program(&self) -> GpuProgram;
    /// Items one workgroup reduces into one partial. Must divide the
    /// kernel's chunk, so each chunk's partial is made of whole workgroups.
    fn group_items(&self) -> u64;
    /// Bytes of one workgroup partial.
    fn partial_bytes(&self) -> u64;
    /// The most items one dispatch may cover: 2^32 − 1 by default (the
    /// shader's indices are u32), less where the shader turns its local
    /// index into an f32 (2^24).
    fn max_dispatch_items(&self) -> u64 {
        u64::from(u32::MAX)
    }
    /// The kernel's parameter block (binding 1) for a dispatch over `items`.
    fn params(&self, items: Range<u64>) -> Vec<u8>;
    /// Bytes input `input` needs for `items` items (an upper bound).
    fn input_bytes(&self, input: usize, items: u64) -> u64 {
        let _ = (input, items);
        0
    }
    /// Input `input` for the tile `items`.
    fn input(&self, input: usize, items: Range<u64>) -> Cow<'_, [u8]> {
        let _ = (input, items);
        Cow::Borrowed(&[])
    }
    /// The partial of chunk `chunk` from its workgroups' partials, in order.
    fn chunk_partial(&self, chunk: Range<u64>, groups: &[u8]) -> P;
}

/// The GPU side of a map.
pub trait GpuMap: Sync {
    fn program(&self) -> GpuProgram;
    /// The workgroups of `workgroup_size` invocations a dispatch over
    /// `items` items launches: by default one invocation per item, laid out
    /// by the driver. Must grow with `items`.
    fn grid(&self, items: u64, workgroup_size: u32) -> Grid {
        Grid::Linear(items.div_ceil(u64::from(workgroup_size.max(1))))
    }
    /// The most items one dispatch may cover: 2^32 − 1 by default (the
    /// shader's indices are u32).
    fn max_dispatch_items(&self) -> u64 {
        u64::from(u32::MAX)
    }
    /// The kernel's parameter block (binding 1) for a dispatch over `items`.
    fn params(&self, items: Range<u64>) -> Vec<u8>;
    /// Bytes input `input` needs for `items` items (an upper bound).
    fn input_bytes(&self, input: usize, items: u64) -> u64;
    /// Input `input` for the tile `items`.
    fn input(&self, input: usize, items: Range<u64>) -> Cow<'_, [u8]>;
}
