//! The `gpu` execution space of the dispatch: a kernel's GPU side run by
//! the GPU drivers of `hetero-gpu`.

use core::ops::Range;

use hetero_kernel::{MapKernel, ReduceKernel};

use crate::{Engine, Error, Result};

impl Engine {
    pub(crate) fn reduce_gpu<K: ReduceKernel>(&self, kernel: &K) -> Result<K::Output> {
        let _ = kernel;
        Err(Error::Unsupported {
            what: "a kernel through the generic dispatch",
            backend: "gpu",
            hint: "use the problem's own method",
        })
    }

    pub(crate) fn map_gpu<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
    ) -> Result<()> {
        let _ = (kernel, items, out);
        Err(Error::Unsupported {
            what: "a kernel through the generic dispatch",
            backend: "gpu",
            hint: "use the problem's own method",
        })
    }
}
