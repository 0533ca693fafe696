//! `sum`: Σ of a large f64 array cut in chunks of 2^20, the shared-memory
//! map-reduce of the multiprocessing notebook (`np.arange(2**27)` sums to
//! 2^26·(2^27 − 1) = 9007199187632128). A reduction whose leaves are
//! compensated chunk sums combined along the fixed tree. GPU twin:
//! `shaders/sum.wgsl`, in f64 where the device has SHADER_F64 (exact for
//! integer data below 2^53), else on the data rounded to f32 (~1e-7).

use core::ops::Range;
use std::borrow::Cow;

use hetero_core::Neumaier;

use crate::error::KernelError;
use crate::fold::sum_slice;
use crate::gpu::{GpuCaps, GpuProgram, GpuReduce, sum_partials};
use crate::kernel::{ReduceKernel, Reduction};
use crate::lanes::Lanes;
use crate::problem::Problem;

/// Elements per chunk: the notebook's chunks of 2^20.
pub const CHUNK: u64 = 1 << 20;
/// The notebook's array: `np.arange(2**27, dtype='f8')`.
pub const NOTEBOOK_LEN: usize = 1 << 27;

pub const SHADER: &str = include_str!("../../shaders/sum.wgsl");
const REAL_F32: &str = "alias Real = f32; // REAL";
const REAL_F64: &str = "alias Real = f64;";
/// Elements per workgroup: 256 invocations × 16 (the shader's constants).
const GROUP_ITEMS: u64 = 256 * 16;

/// 0, 1, 2, …, n − 1 as f64: the notebook's `np.arange(n, dtype='f8')`.
///
/// # Errors
/// [`KernelError::OutOfMemory`] when the array cannot be allocated.
pub fn arange(n: usize) -> Result<Vec<f64>, KernelError> {
    Ok(hetero_core::alloc::try_collect(
        n as u64,
        (0..n).map(|i| i as f64),
        "sum: the array",
    )?)
}

/// The exact sum of [`arange`]`(n)`, n(n − 1)/2, as an f64 (exact while it
/// is below 2^53, as for the notebook's 2^27).
pub fn arange_sum(n: u64) -> f64 {
    let n = u128::from(n);
    (n * n.saturating_sub(1) / 2) as f64
}

/// Σ data\[i\], compensated on every backend.
#[derive(Debug, Clone, Copy)]
pub struct SumKernel<'a> {
    data: &'a [f64],
}

impl<'a> SumKernel<'a> {
    /// An empty array has no sum here: the call returns
    /// [`KernelError::EmptyRange`].
    pub fn new(data: &'a [f64]) -> Self {
        Self { data }
    }
}

impl Reduction for SumKernel<'_> {
    type Partial = Neumaier;
    type Output = f64;

    fn name(&self) -> &'static str {
        "sum"
    }
    fn len(&self) -> u64 {
        self.data.len() as u64
    }
    fn chunk(&self) -> u64 {
        CHUNK
    }
    fn combine(&self, left: Neumaier, right: Neumaier) -> Neumaier {
        left.merge(right)
    }
    fn finish(&self, total: Neumaier) -> f64 {
        total.value()
    }
}

impl ReduceKernel for SumKernel<'_> {
    #[inline(always)]
    fn leaf<L: Lanes>(&self, items: Range<u64>) -> Neumaier {
        sum_slice::<L::F64>(&self.data[items.start as usize..items.end as usize])
    }

    fn gpu(&self, caps: &GpuCaps) -> Result<Box<dyn GpuReduce<Neumaier> + '_>, KernelError> {
        Ok(Box::new(SumGpu {
            data: self.data,
            f64: caps.f64,
        }))
    }
}

/// The GPU side: the array streams through device memory tile by tile.
struct SumGpu<'a> {
    data: &'a [f64],
    f64: bool,
}

impl GpuReduce<Neumaier> for SumGpu<'_> {
    fn program(&self) -> GpuProgram {
        let source = if self.f64 {
            Cow::Owned(SHADER.replace(REAL_F32, REAL_F64))
        } else {
            Cow::Borrowed(SHADER)
        };
        GpuProgram {
            label: "sum",
            source,
            needs_f64: self.f64,
            inputs: 1,
            workgroup_size: 256,
        }
    }

    fn group_items(&self) -> u64 {
        GROUP_ITEMS
    }

    fn partial_bytes(&self) -> u64 {
        if self.f64 { 8 } else { 4 }
    }

    fn params(&self, _: Range<u64>) -> Vec<u8> {
        Vec::new()
    }

    fn input_bytes(&self, _: usize, items: u64) -> u64 {
        items * self.partial_bytes()
    }

    fn input(&self, _: usize, items: Range<u64>) -> Cow<'_, [u8]> {
        let data = &self.data[items.start as usize..items.end as usize];
        if self.f64 {
            Cow::Borrowed(bytemuck::cast_slice(data))
        } else {
            let rounded: Vec<f32> = data.iter().map(|&x| x as f32).collect();
            Cow::Owned(bytemuck::cast_slice(&rounded).to_vec())
        }
    }

    fn chunk_partial(&self, _: Range<u64>, groups: &[u8]) -> Neumaier {
        sum_partials(groups, self.partial_bytes())
    }
}

/// The registry entry of `sum`.
pub const PROBLEM: &dyn Problem = &Registered;

struct Registered;

impl Problem for Registered {
    fn name(&self) -> &'static str {
        "sum"
    }
    fn summary(&self) -> &'static str {
        "Σ of a large f64 array in chunks of 2^20 (np.arange(2**27) in the notebook)"
    }
    fn gpu_programs(&self, caps: &GpuCaps) -> Vec<GpuProgram> {
        let side = SumGpu {
            data: &[],
            f64: caps.f64,
        };
        vec![side.program()]
    }
}
