//! The `threads` and `simd-threads` backends: rayon over the scalar or the
//! SIMD kernels.
//!
//! Reductions walk the same fixed chunk tree as the sequential backends
//! ([`hetero_core::chunks`]), with `rayon::join` at every inner node: the
//! tree's shape depends on n alone, so `threads` equals `scalar` and
//! `simd-threads` equals `simd` bit for bit, for any thread count. The
//! recursion holds O(log n) partials per thread: midpoint and pi stream in
//! constant memory even at n = 10^10.

pub mod gaussian;
pub mod julia;
pub mod midpoint;
pub mod pi;

use hetero_core::chunks::split_point;

/// Which single-thread kernel each rayon task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inner {
    /// The `scalar` kernels: the `threads` backend.
    Scalar,
    /// The `simd` kernels: the `simd-threads` backend.
    Simd,
}

/// [`hetero_core::chunks::tree_reduce`] with the two halves of every inner
/// node run by `rayon::join`. Same tree, same result, any thread count.
pub fn tree_reduce_par<T, L, C>(lo: u64, hi: u64, leaf: &L, combine: &C) -> T
where
    T: Send,
    L: Fn(u64) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    if hi - lo == 1 {
        return leaf(lo);
    }
    let mid = split_point(lo, hi);
    let (left, right) = rayon::join(
        || tree_reduce_par(lo, mid, leaf, combine),
        || tree_reduce_par(mid, hi, leaf, combine),
    );
    combine(left, right)
}
