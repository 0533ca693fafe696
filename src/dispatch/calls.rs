//! The engine's generic calls: any kernel on any backend, unwatched
//! (recorded when the engine has a timeline).

use core::ops::Range;

use hetero_kernel::kernel::try_alloc_output;
use hetero_kernel::observe::Unobserved;
use hetero_kernel::{ChunkPlan, MapKernel, ReduceKernel};

use crate::timeline::{Timeline, Traced};
use crate::{Backend, Engine, Result};

impl Engine {
    /// Runs a reduction kernel on `backend`: leaves on fixed chunks,
    /// partials combined along the fixed tree, so the result does not
    /// depend on the thread count.
    ///
    /// # Errors
    /// [`crate::Error::Kernel`] for a kernel no driver can run (chunk 0, an
    /// empty index space); [`crate::Error::Unsupported`] when the kernel has
    /// no form for `backend`; for `gpu`, why the GPU failed.
    pub fn reduce<K: ReduceKernel>(&self, kernel: &K, backend: Backend) -> Result<K::Output> {
        match self.timeline() {
            None => super::reduce(self, kernel, backend, &Unobserved),
            Some(t) => super::reduce(self, kernel, backend, &self.recorded(t)),
        }
    }

    /// The observer of a blocking call this engine's timeline records.
    fn recorded<'t>(&self, timeline: &'t Timeline) -> Traced<'t> {
        Traced::new(None, Some(timeline), self.threads())
    }

    /// The partials of the subtrees `blocks` of a reduction's fixed chunk
    /// tree (chunk ranges, e.g. from [`hetero_core::shares::subtree_blocks`]),
    /// one per block, on `backend`. Combined along the tree (see
    /// [`hetero_core::shares::combine_blocks`]) they give [`Engine::reduce`]'s
    /// result bit for bit: this is how a job is shared among processes or
    /// devices. On a threaded backend the blocks run in parallel.
    ///
    /// # Errors
    /// As [`Engine::reduce`]; [`hetero_kernel::KernelError::EmptyRange`]
    /// for an empty block or one past the kernel's last chunk.
    pub fn reduce_blocks<K: ReduceKernel>(
        &self,
        kernel: &K,
        blocks: &[Range<u64>],
        backend: Backend,
    ) -> Result<Vec<K::Partial>> {
        let plan = ChunkPlan::of(kernel)?;
        match self.timeline() {
            None => super::reduce_blocks(self, kernel, &plan, blocks, backend, &Unobserved),
            Some(t) => {
                super::reduce_blocks(self, kernel, &plan, blocks, backend, &self.recorded(t))
            }
        }
    }

    /// Runs a map kernel over its whole index space into `out`.
    ///
    /// # Errors
    /// As [`Engine::map_range`].
    pub fn map<K: MapKernel>(
        &self,
        kernel: &K,
        out: &mut [K::Out],
        backend: Backend,
    ) -> Result<()> {
        self.map_range(kernel, 0..kernel.len(), out, backend)
    }

    /// Runs a map kernel over its whole index space into a new `Vec`.
    ///
    /// # Errors
    /// As [`Engine::map_range`], plus [`hetero_kernel::KernelError::OutOfMemory`].
    pub fn map_vec<K: MapKernel>(&self, kernel: &K, backend: Backend) -> Result<Vec<K::Out>> {
        let mut out = try_alloc_output(kernel)?;
        self.map(kernel, &mut out, backend)?;
        Ok(out)
    }

    /// Runs a map kernel over the items `items` of its index space, writing
    /// their outputs into `out`: equal to the same items of a whole run, so
    /// work can be split into pieces (to show progress, or across devices).
    ///
    /// # Errors
    /// [`crate::Error::Kernel`] for a range outside the index space or an
    /// output of the wrong length (nothing is written then);
    /// [`crate::Error::Unsupported`] when the kernel has no form for
    /// `backend`; for `gpu`, why the GPU failed. A GPU map that fails
    /// midway has written the tiles it finished (a prefix of `out`, in
    /// order) and left the rest of `out` untouched; the CPU backends fail
    /// only before writing anything.
    pub fn map_range<K: MapKernel>(
        &self,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        backend: Backend,
    ) -> Result<()> {
        match self.timeline() {
            None => super::map_range(self, kernel, items, out, backend, &Unobserved),
            Some(t) => super::map_range(self, kernel, items, out, backend, &self.recorded(t)),
        }
    }

    /// Whether `backend` can run here. For `gpu` (and so for nothing else)
    /// this opens the GPU, once; `hybrid` and `auto` run on the CPU alone
    /// where there is no GPU.
    pub fn is_available(&self, backend: Backend) -> bool {
        backend != Backend::Gpu || self.gpu_adapter().is_ok()
    }
}
