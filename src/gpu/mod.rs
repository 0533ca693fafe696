//! The GPU, as the facade sees it: what the engine's adapter is (in every
//! build), keeping a GPU probe quiet, and — with the `gpu` feature — the
//! lazily opened context, the `gpu` driver, and the GPU crate itself
//! (`hetero::gpu::GpuContext`, `hetero::gpu::reduce_with`, …) for what
//! the engine does not wrap.

mod adapter;
#[cfg(feature = "gpu")]
mod driver;
#[cfg(feature = "gpu")]
mod lazy;
mod quiet;

pub use adapter::GpuAdapter;
#[cfg(feature = "gpu")]
pub(crate) use driver::{GpuDriver, reduce_with_side};
#[cfg(feature = "gpu")]
pub use hetero_gpu::*;
#[cfg(feature = "gpu")]
pub(crate) use lazy::LazyGpu;
pub use quiet::quiet_gpu_probe;
