//! A kernel's leaf as every driver calls it: through its lanes' level
//! trampoline ([`Lanes::vectorize`]), so that a leaf instantiated with
//! level v3 or v4 lanes is compiled with that level's target features.
//! For the build's own lanes the trampoline is the call itself.

use core::ops::Range;

use hetero_kernel::{Lanes, MapKernel, ReduceKernel};

/// The partial of the items `items` of a reduction.
#[inline(always)]
pub fn reduce_leaf<K: ReduceKernel + ?Sized, L: Lanes>(
    kernel: &K,
    items: Range<u64>,
) -> K::Partial {
    L::vectorize(
        #[inline(always)]
        || kernel.leaf::<L>(items),
    )
}

/// The outputs of the items `items` of a map into `out`.
#[inline(always)]
pub fn map_leaf<K: MapKernel + ?Sized, L: Lanes>(
    kernel: &K,
    items: Range<usize>,
    out: &mut [K::Out],
) {
    L::vectorize(
        #[inline(always)]
        || kernel.leaf::<L>(items, out),
    );
}
