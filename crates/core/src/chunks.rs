//! Chunk plans: how a problem's index space is cut into fixed-size pieces and
//! how their partial results are combined.
//!
//! A reduction's result must not depend on the thread count. So the leaves
//! are fixed-size chunks of the index space (never "one piece per thread"),
//! and partials are combined along one fixed binary tree over the chunk
//! indices: the sequential and the parallel backends walk the same tree, one
//! with a loop of recursion, the other with `rayon::join`. Pairwise combining
//! also keeps the rounding error of long sums at O(log n).

use core::ops::Range;

/// Midpoint subintervals per leaf chunk. Large enough that a leaf's work
/// (16 Ki exp evaluations) dwarfs the cost of a `rayon::join`, small enough
/// that n = 10^6 still gives 62 chunks to spread over the cores.
pub const MIDPOINT_CHUNK: u64 = 1 << 14;

/// π samples per leaf chunk (an even number, so chunks hold whole Philox pairs).
pub const PI_CHUNK: u64 = 1 << 16;

/// Gaussian elements per parallel task: an element-wise map has nothing to
/// combine, so this only sets the scheduling grain.
pub const GAUSSIAN_CHUNK: usize = 1 << 14;

/// The number of chunks of `chunk` items needed to cover `n` items.
#[inline]
pub fn chunk_count(n: u64, chunk: u64) -> u64 {
    n.div_ceil(chunk)
}

/// The item range of chunk `index` when `n` items are cut into chunks of `chunk`.
#[inline]
pub fn chunk_range(index: u64, n: u64, chunk: u64) -> Range<u64> {
    let start = index * chunk;
    start..(start + chunk).min(n)
}

/// Where the combining tree splits the chunk range `lo..hi` (at least two
/// chunks). Every backend must split here, or results stop being bit-identical.
#[inline]
pub fn split_point(lo: u64, hi: u64) -> u64 {
    debug_assert!(hi - lo >= 2);
    lo + (hi - lo) / 2
}

/// Combines `leaf(i)` for every chunk `i` in `lo..hi` along the fixed tree,
/// on the calling thread. `lo..hi` must not be empty.
pub fn tree_reduce<T>(
    lo: u64,
    hi: u64,
    leaf: &impl Fn(u64) -> T,
    combine: &impl Fn(T, T) -> T,
) -> T {
    if hi - lo == 1 {
        return leaf(lo);
    }
    let mid = split_point(lo, hi);
    let left = tree_reduce(lo, mid, leaf, combine);
    let right = tree_reduce(mid, hi, leaf, combine);
    combine(left, right)
}

/// [`tree_reduce`] with a leaf that may fail and may need `&mut` state
/// (a GPU driver pulling chunk partials tile by tile: leaves are visited
/// in index order). Stops at the first error. `lo..hi` must not be empty.
///
/// # Errors
/// The first error `leaf` returns.
pub fn try_tree_reduce<T, E>(
    lo: u64,
    hi: u64,
    leaf: &mut impl FnMut(u64) -> Result<T, E>,
    combine: &impl Fn(T, T) -> T,
) -> Result<T, E> {
    if hi - lo == 1 {
        return leaf(lo);
    }
    let mid = split_point(lo, hi);
    let left = try_tree_reduce(lo, mid, leaf, combine)?;
    let right = try_tree_reduce(mid, hi, leaf, combine)?;
    Ok(combine(left, right))
}

/// The same tree as [`tree_reduce`], cut into blocks: it descends until a
/// subtree covers at most `block_chunks` chunks, hands that subtree's range
/// to `block` — which must return the subtree's partial, combined along
/// the same tree (e.g. by [`tree_reduce`] over it) — and combines the
/// blocks' partials above. The result is bit-identical to [`tree_reduce`]
/// over `lo..hi`, and only O(log) partials are alive at once: a GPU driver
/// runs one tile per block; an MPI driver gives each rank whole subtrees.
/// Blocks are visited in index order; `lo..hi` must not be empty and
/// `block_chunks` must be at least 1.
///
/// # Errors
/// The first error `block` returns.
pub fn try_tree_reduce_blocks<T, E>(
    lo: u64,
    hi: u64,
    block_chunks: u64,
    block: &mut impl FnMut(Range<u64>) -> Result<T, E>,
    combine: &impl Fn(T, T) -> T,
) -> Result<T, E> {
    if hi - lo <= block_chunks.max(1) {
        return block(lo..hi);
    }
    let mid = split_point(lo, hi);
    let left = try_tree_reduce_blocks(lo, mid, block_chunks, block, combine)?;
    let right = try_tree_reduce_blocks(mid, hi, block_chunks, block, combine)?;
    Ok(combine(left, right))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An order-sensitive combine (a string of the tree's shape): blocks of
    /// any size give exactly the plain tree, and blocks never exceed the cap.
    #[test]
    fn blocks_reproduce_the_plain_tree_exactly() {
        let leaf = |i: u64| i.to_string();
        let combine = |a: String, b: String| format!("({a} {b})");
        for (lo, hi) in [(0u64, 1u64), (0, 2), (3, 17), (0, 1000), (5, 6)] {
            let plain = tree_reduce(lo, hi, &leaf, &combine);
            for cap in [1u64, 2, 3, 7, 64, 5000] {
                let mut seen = Vec::new();
                let blocked = try_tree_reduce_blocks::<_, ()>(
                    lo,
                    hi,
                    cap,
                    &mut |r: Range<u64>| {
                        assert!(r.end - r.start <= cap && !r.is_empty());
                        seen.push(r.clone());
                        Ok(tree_reduce(r.start, r.end, &leaf, &combine))
                    },
                    &combine,
                )
                .unwrap();
                assert_eq!(blocked, plain, "{lo}..{hi} in blocks of {cap}");
                // In order, covering the range once.
                assert_eq!(seen.first().unwrap().start, lo);
                assert_eq!(seen.last().unwrap().end, hi);
                assert!(seen.windows(2).all(|w| w[0].end == w[1].start));
            }
        }
    }

    #[test]
    fn chunks_cover_the_range_exactly_once() {
        for n in [1u64, 5, 16, 17, 1000] {
            let count = chunk_count(n, 4);
            let mut next = 0;
            for i in 0..count {
                let r = chunk_range(i, n, 4);
                assert_eq!(r.start, next);
                assert!(!r.is_empty());
                next = r.end;
            }
            assert_eq!(next, n);
        }
    }

    #[test]
    fn the_fallible_tree_has_the_same_shape_and_stops_at_an_error() {
        let concat = |mut a: String, b: String| {
            a = format!("({a} {b})");
            a
        };
        for hi in 1..20 {
            let plain = tree_reduce(0, hi, &|i| i.to_string(), &concat);
            let mut visited = Vec::new();
            let fallible = try_tree_reduce(
                0,
                hi,
                &mut |i| {
                    visited.push(i);
                    Ok::<_, ()>(i.to_string())
                },
                &concat,
            );
            assert_eq!(fallible, Ok(plain));
            assert_eq!(visited, (0..hi).collect::<Vec<_>>());
        }
        let mut calls = 0;
        let failed = try_tree_reduce(
            0,
            10,
            &mut |i| {
                calls += 1;
                if i == 3 { Err(i) } else { Ok(i) }
            },
            &|a, b| a + b,
        );
        assert_eq!((failed, calls), (Err(3), 4));
    }

    #[test]
    fn tree_visits_every_leaf_in_order() {
        let order = tree_reduce(0, 13, &|i| vec![i], &|mut a, b| {
            a.extend(b);
            a
        });
        assert_eq!(order, (0..13).collect::<Vec<_>>());
    }
}
