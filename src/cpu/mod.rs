//! The CPU execution spaces: `hetero-cpu`'s drivers at one lane width, on
//! the calling thread ([`Sequential`]) or the engine's pool ([`Threaded`]).
//! The observer is applied by wrapping the kernel ([`Watched`]): the
//! drivers call leaves chunk by chunk, so a watched leaf is all it takes;
//! an unwatched call (`Unobserved`) runs the bare kernel.

use core::marker::PhantomData;
use core::ops::Range;

use hetero_cpu::{caller_helps, parallel, sequential};
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

/// The leaves on the engine's pool (`threads`, `simd-threads`); calls of
/// up to [`caller_helps::MAX_CHUNKS`] chunks with the calling thread
/// working beside the pool, larger ones by rayon `join` along the tree.
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
        let small = ChunkPlan::of(kernel).is_ok_and(|p| caller_helps::suits(p.chunks));
        Ok(watched!(observer, kernel => if small {
            caller_helps::reduce::<_, L>(engine.pool(), kernel)
        } else {
            engine.install(|| parallel::reduce::<_, L>(kernel))
        })?)
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
        let small = caller_helps::suits(caller_helps::map_chunks(kernel, &items));
        Ok(watched!(observer, kernel => if small {
            caller_helps::map::<_, L>(engine.pool(), kernel, items, out)
        } else {
            engine.install(|| parallel::map::<_, L>(kernel, items, out))
        })?)
    }
}
