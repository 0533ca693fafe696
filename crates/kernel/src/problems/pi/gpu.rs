//! The GPU side of `pi`: whole Philox pairs in `shaders/pi.wgsl`, one hit
//! count per workgroup; the odd last sample of a range on the host.

use core::ops::Range;
use std::borrow::Cow;

use bytemuck::{Pod, Zeroable};
use hetero_core::pi::PairSpan;
use hetero_core::rng::seed_key;

use crate::gpu::{GpuProgram, GpuReduce};

pub const SHADER: &str = include_str!("../../../shaders/pi.wgsl");
/// Samples per workgroup: 256 invocations × 16 pairs × 2 samples.
const GROUP_ITEMS: u64 = 256 * 16 * 2;
/// Samples per dispatch: its pair count and every pair index inside it
/// stay below 2^31 in the shader's u32 arithmetic.
const MAX_DISPATCH_ITEMS: u64 = 1 << 31;

/// Mirrors `Params` in `shaders/pi.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct PiParams {
    pub first_pair_lo: u32,
    pub first_pair_hi: u32,
    pub pairs: u32,
    pub _pad: u32,
    pub key: [u32; 2],
    pub _pad2: [u32; 2],
}

/// Hit counting for one seed on the GPU.
#[derive(Debug, Clone, Copy)]
pub struct PiGpu {
    pub(super) seed: u64,
}

impl GpuReduce<u64> for PiGpu {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "pi",
            source: Cow::Borrowed(SHADER),
            needs_f64: false,
            inputs: 0,
            workgroup_size: 256,
        }
    }

    fn group_items(&self) -> u64 {
        GROUP_ITEMS
    }

    fn partial_bytes(&self) -> u64 {
        4
    }

    fn max_dispatch_items(&self) -> u64 {
        MAX_DISPATCH_ITEMS
    }

    fn params(&self, items: Range<u64>) -> Vec<u8> {
        // Dispatches start on whole workgroups of whole chunks: an even
        // sample. An odd last sample is left to `chunk_partial`.
        let first_pair = items.start / 2;
        bytemuck::bytes_of(&PiParams {
            first_pair_lo: first_pair as u32,
            first_pair_hi: (first_pair >> 32) as u32,
            pairs: ((items.end - items.start) / 2) as u32,
            _pad: 0,
            key: seed_key(self.seed),
            _pad2: [0; 2],
        })
        .to_vec()
    }

    fn chunk_partial(&self, chunk: Range<u64>, groups: &[u8]) -> u64 {
        let shader_hits: u64 = groups
            .chunks_exact(4)
            .map(|w| u64::from(bytemuck::pod_read_unaligned::<u32>(w)))
            .sum();
        shader_hits + PairSpan::of(chunk).lone_hits(self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GPU driver never gives a dispatch more than `max_dispatch_items`
    /// samples, whatever the device's workgroup limit (a device with more
    /// than 2^20 workgroups per dimension included). At that size the
    /// shader's u32 pair arithmetic must not wrap.
    #[test]
    fn the_largest_dispatch_fits_the_shaders_u32_indices() {
        let side = PiGpu { seed: 1 };
        let most = side.max_dispatch_items();
        let first = 3u64 << 40; // far past 2^32 samples: the high word is used
        let params: PiParams = bytemuck::pod_read_unaligned(&side.params(first..first + most));
        assert_eq!(u64::from(params.pairs), most / 2, "the pair count is exact");
        assert_eq!(
            u64::from(params.first_pair_lo) | (u64::from(params.first_pair_hi) << 32),
            first / 2
        );
        // The shader's largest pair index in a dispatch:
        // (group * WORKGROUP + local) * PAIRS_PER_THREAD + PAIRS_PER_THREAD - 1.
        let groups = most.div_ceil(GROUP_ITEMS);
        let largest = ((groups - 1) * 256 + 255) * 16 + 15;
        assert!(largest < 1 << 32, "{largest} wraps a u32");
        assert_eq!(GROUP_ITEMS, 256 * 16 * 2, "the shader's workgroup shape");
    }
}
