//! A GPU side whose WGSL does not compile: what a user's broken shader
//! looks like to the drivers (an `InvalidShader` error, never a value).

use hetero::Neumaier;
use hetero::kernel::gpu::{GpuProgram, GpuReduce};

pub struct BrokenGpu;

impl GpuReduce<Neumaier> for BrokenGpu {
    fn program(&self) -> GpuProgram {
        GpuProgram {
            label: "broken",
            source: "fn main( {".into(),
            needs_f64: false,
            inputs: 0,
            workgroup_size: 256,
        }
    }
    fn group_items(&self) -> u64 {
        256
    }
    fn partial_bytes(&self) -> u64 {
        4
    }
    fn params(&self, _: core::ops::Range<u64>) -> Vec<u8> {
        Vec::new()
    }
    fn chunk_partial(&self, _: core::ops::Range<u64>, _: &[u8]) -> Neumaier {
        Neumaier::ZERO
    }
}
