//! The CPU execution spaces: `hetero-cpu`'s drivers at one lane width, on
//! the calling thread ([`Sequential`]) or the engine's pool ([`Threaded`]).
//! The observer is applied by wrapping the kernel ([`Watched`]): the
//! drivers call leaves chunk by chunk, so a watched leaf is all it takes;
//! an unwatched call (`Unobserved`) runs the bare kernel.

use core::marker::PhantomData;
use core::ops::Range;

use hetero_cpu::{parallel, scheduled, sequential};
use hetero_kernel::watched::Watched;
use hetero_kernel::{ChunkPlan, Lanes, MapKernel, ReduceKernel};
use rayon::prelude::*;

use crate::dispatch::{Driver, Observing};
use crate::{Engine, Result};

/// Evaluates `$body` with `$kernel` bound to the kernel wrapped in
/// [`Watched`] when `$observer` watches, and to the bare kernel when it
/// does not (see [`Observing`]).
macro_rules! watched {
    ($observer:ident, $kernel:ident => $body:expr) => {
        if O::WATCHES {
            let $kernel = &Watched::new($kernel, $observer);
            $body
        } else {
            $body
        }
    };
}

/// The leaves one after another on the calling thread (`scalar`, `simd`).
pub(crate) struct Sequential<L>(PhantomData<L>);

/// The leaves on the engine's pool (`threads`, `simd-threads`), dealt out
/// by the engine's [`crate::Schedule`]. Under `Auto`, calls of up to
/// [`hetero_cpu::caller_helps::MAX_CHUNKS`] chunks run with the calling
/// thread working beside the pool, larger ones by rayon `join` along the
/// tree. `reduce_blocks` (MPI ranks, `hybrid`'s CPU side) always runs its
/// blocks as rayon tasks.
pub(crate) struct Threaded<L>(PhantomData<L>);

impl<L> Sequential<L> {
    pub(crate) const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<L> Threaded<L> {
    pub(crate) const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<L: Lanes> Driver for Sequential<L> {
    // `reduce`: the trait's, the whole index space as one block.

    fn reduce_blocks<K: ReduceKernel, O: Observing>(
        &self,
        _: &Engine,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &O,
    ) -> Result<Vec<K::Partial>> {
        Ok(watched!(observer, kernel => blocks
            .iter()
            .map(|b| sequential::reduce_chunks::<_, L>(kernel, plan, b.clone()))
            .collect()))
    }

    fn map_range<K: MapKernel, O: Observing>(
        &self,
        _: &Engine,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &O,
    ) -> Result<()> {
        Ok(watched!(observer, kernel => sequential::map::<_, L>(kernel, items, out))?)
    }
}

impl<L: Lanes> Driver for Threaded<L> {
    fn reduce<K: ReduceKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        observer: &O,
    ) -> Result<K::Output> {
        let schedule = engine.schedule();
        Ok(
            watched!(observer, kernel => scheduled::reduce::<_, L>(engine.pool(), kernel, schedule))?,
        )
    }

    fn reduce_blocks<K: ReduceKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        plan: &ChunkPlan,
        blocks: &[Range<u64>],
        observer: &O,
    ) -> Result<Vec<K::Partial>> {
        Ok(watched!(observer, kernel => engine.install(|| {
            blocks
                .par_iter()
                .map(|b| parallel::reduce_chunks::<_, L>(kernel, plan, b.clone()))
                .collect()
        })))
    }

    fn map_range<K: MapKernel, O: Observing>(
        &self,
        engine: &Engine,
        kernel: &K,
        items: Range<usize>,
        out: &mut [K::Out],
        observer: &O,
    ) -> Result<()> {
        let schedule = engine.schedule();
        Ok(
            watched!(observer, kernel => scheduled::map::<_, L>(engine.pool(), kernel, items, out, schedule))?,
        )
    }
}
