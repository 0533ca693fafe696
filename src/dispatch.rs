//! Dispatch over (kernel, execution space): the one place a backend name
//! becomes a driver. Every problem and every user kernel goes through here,
//! so a new driver is wired once.

use core::ops::Range;

use hetero_cpu::{caller_helps, parallel, sequential};
use hetero_kernel::kernel::try_alloc_output;
use hetero_kernel::observe::Unobserved;
use hetero_kernel::{ChunkPlan, KernelError, MapKernel, ReduceKernel, lanes};
use rayon::prelude::*;

use crate::backend::{Space, Threading, Width};
use crate::{Backend, Engine, Result};

/// Runs `$body` with the lane type `$lanes` and the driver module `$driver`
/// of a CPU space, on the engine's pool when the space is threaded.
macro_rules! on_cpu {
    ($engine:expr, $width:expr, $threading:expr, $lanes:ident, $driver:ident => $body:expr) => {
        match ($width, $threading) {
            (Width::Scalar, Threading::Caller) => {
                type $lanes = lanes::Scalar;
                use sequential as $driver;
                $body
            }
            (Width::Simd, Threading::Caller) => {
                type $lanes = lanes::Simd;
                use sequential as $driver;
                $body
            }
            (Width::Scalar, Threading::Pool) => $engine.install(|| {
                type $lanes = lanes::Scalar;
                use parallel as $driver;
                $body
            }),
            (Width::Simd, Threading::Pool) => $engine.install(|| {
                type $lanes = lanes::Simd;
                use parallel as $driver;
                $body
            }),
        }
    };
}

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
        match backend.space() {
            Space::Cpu {
                width,
                threading: Threading::Pool,
            } if ChunkPlan::of(kernel).is_ok_and(|p| caller_helps::suits(p.chunks)) => {
                Ok(match width {
                    Width::Scalar => caller_helps::reduce::<K, lanes::Scalar>(self.pool(), kernel),
                    Width::Simd => caller_helps::reduce::<K, lanes::Simd>(self.pool(), kernel),
                }?)
            }
            Space::Cpu { width, threading } => {
                Ok(on_cpu!(self, width, threading, L, driver => driver::reduce::<K, L>(kernel))?)
            }
            Space::Gpu => self.reduce_gpu(kernel),
            Space::Hybrid => Ok(self.reduce_hybrid(kernel)?.0),
            Space::Auto => self.reduce(kernel, self.auto_reduce(kernel)?),
        }
    }

    /// The partials of the subtrees `blocks` of a reduction's fixed chunk
    /// tree (chunk ranges, e.g. from [`hetero_core::shares::subtree_blocks`]),
    /// one per block, on `backend`. Combined along the tree (see
    /// [`hetero_core::shares::combine_blocks`]) they give [`Engine::reduce`]'s
    /// result bit for bit: this is how a job is shared among processes or
    /// devices. On a threaded backend the blocks run in parallel.
    ///
    /// # Errors
    /// As [`Engine::reduce`]; [`KernelError::EmptyRange`] for an empty block
    /// or one past the kernel's last chunk.
    pub fn reduce_blocks<K: ReduceKernel>(
        &self,
        kernel: &K,
        blocks: &[Range<u64>],
        backend: Backend,
    ) -> Result<Vec<K::Partial>> {
        let plan = ChunkPlan::of(kernel)?;
        if blocks.iter().any(|b| b.is_empty() || b.end > plan.chunks) {
            return Err(KernelError::EmptyRange {
                kernel: kernel.name(),
            }
            .into());
        }
        let plan = &plan;
        match backend.space() {
            Space::Cpu { width, threading } => Ok(on_cpu!(
                self, width, threading, L, driver => match threading {
                    Threading::Caller => blocks
                        .iter()
                        .map(|b| driver::reduce_chunks::<K, L>(kernel, plan, b.clone()))
                        .collect(),
                    Threading::Pool => blocks
                        .par_iter()
                        .map(|b| driver::reduce_chunks::<K, L>(kernel, plan, b.clone()))
                        .collect(),
                }
            )),
            Space::Gpu => self.reduce_blocks_gpu(kernel, plan, blocks),
            Space::Hybrid => {
                let (partials, share) =
                    self.reduce_blocks_hybrid(kernel, plan, blocks, &Unobserved)?;
                self.record(&share);
                Ok(partials)
            }
            Space::Auto => self.reduce_blocks(kernel, blocks, self.auto_reduce(kernel)?),
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
        match backend.space() {
            Space::Cpu {
                width,
                threading: Threading::Pool,
            } if caller_helps::suits(caller_helps::map_chunks(kernel, &items)) => Ok(match width {
                Width::Scalar => {
                    caller_helps::map::<K, lanes::Scalar>(self.pool(), kernel, items, out)
                }
                Width::Simd => caller_helps::map::<K, lanes::Simd>(self.pool(), kernel, items, out),
            }?),
            Space::Cpu { width, threading } => Ok(on_cpu!(
                self, width, threading, L, driver => driver::map::<K, L>(kernel, items, out)
            )?),
            Space::Gpu => self.map_gpu(kernel, items, out),
            Space::Hybrid => self.map_hybrid(kernel, items, out).map(drop),
            Space::Auto => {
                let chosen = self.auto_map(kernel, items.len())?;
                self.map_range(kernel, items, out, chosen)
            }
        }
    }
}
