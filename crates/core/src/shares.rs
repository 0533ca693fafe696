//! How an index space is shared among several workers — the ranks of an MPI
//! job, or any driver that gives whole pieces of one problem to separate
//! processes — without changing a single bit of the result.
//!
//! - A **reduction** is shared as whole subtrees of its fixed chunk tree
//!   ([`crate::chunks`]): the tree is cut into [`subtree_blocks`] that depend
//!   on the chunk count alone, each worker takes a contiguous run of them
//!   ([`block_owners`]), and the blocks' partials, combined along the same
//!   tree ([`combine_blocks`]), equal the single-process result bit for bit
//!   for any number of workers.
//! - A **map** has nothing to combine: each worker takes a contiguous share
//!   of the items ([`contiguous_shares`]), or — where items cost unevenly,
//!   as the rows of a Julia set do — every `parts`-th block of items
//!   ([`cyclic_blocks`]).

use core::ops::Range;

use crate::chunks::try_tree_reduce_blocks;

/// About how many subtree blocks a reduction is cut into for sharing: fine
/// enough that workers' shares differ by well under 1 % of the work, coarse
/// enough that the partials sent are a few kilobytes.
pub const SHARE_BLOCKS: u64 = 256;

/// The chunks per block for a reduction of `chunks` chunks: depends on the
/// chunk count alone, never on the number of workers.
pub fn block_chunks(chunks: u64) -> u64 {
    chunks.div_ceil(SHARE_BLOCKS).max(1)
}

/// The subtrees of the fixed tree over `0..chunks` that cover at most
/// `block_chunks` chunks each, in index order (the blocks
/// [`try_tree_reduce_blocks`] visits). Empty for `chunks == 0`.
pub fn subtree_blocks(chunks: u64, block_chunks: u64) -> Vec<Range<u64>> {
    let mut blocks = Vec::new();
    if chunks == 0 {
        return blocks;
    }
    let walked = try_tree_reduce_blocks::<(), core::convert::Infallible>(
        0,
        chunks,
        block_chunks,
        &mut |block| {
            blocks.push(block);
            Ok(())
        },
        &|(), ()| (),
    );
    match walked {
        Ok(()) => blocks,
        Err(never) => match never {},
    }
}

/// Which blocks each of `parts` workers takes: contiguous runs of `blocks`
/// (in order, covering `0..chunks`), balanced by chunks. A block goes to
/// the worker whose even share of the chunks holds its first chunk, so
/// shares differ by at most one block. Some runs are empty when there are
/// more workers than blocks.
pub fn block_owners(blocks: &[Range<u64>], chunks: u64, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    let owner = |block: &Range<u64>| -> usize {
        // u128: chunk counts up to 2^64 times worker counts up to 2^64.
        ((u128::from(block.start) * parts as u128) / u128::from(chunks.max(1))) as usize
    };
    let mut runs = Vec::with_capacity(parts);
    let mut next = 0;
    for part in 0..parts {
        let start = next;
        while next < blocks.len() && owner(&blocks[next]) <= part {
            next += 1;
        }
        runs.push(start..next);
    }
    runs
}

/// The blocks' partials, in block order, combined along the fixed tree:
/// bit-identical to reducing `0..chunks` in one process. `partials` must
/// hold one partial per block of `subtree_blocks(chunks, block_chunks)`.
///
/// # Errors
/// [`SharesError::WrongCount`] when `partials` does not have one partial
/// per block (nothing is combined then).
pub fn combine_blocks<T>(
    chunks: u64,
    block_chunks: u64,
    partials: Vec<T>,
    combine: &impl Fn(T, T) -> T,
) -> Result<T, SharesError> {
    let expected = subtree_blocks(chunks, block_chunks).len();
    if partials.len() != expected || expected == 0 {
        return Err(SharesError::WrongCount {
            expected,
            got: partials.len(),
        });
    }
    let mut next = partials.into_iter();
    try_tree_reduce_blocks(
        0,
        chunks,
        block_chunks,
        &mut |_| {
            next.next().ok_or(SharesError::WrongCount {
                expected,
                got: expected - 1,
            })
        },
        combine,
    )
}

/// `len` items cut into `parts` contiguous shares, in order, each starting
/// at a multiple of `grain` (0 is taken as 1): whole grains, near-equal in
/// number. Give a map kernel's chunk as the grain and every share starts
/// where one of the threaded driver's tasks would, so a leaf that treats
/// its range's start and tail differently (SIMD vectors, then one lane)
/// computes every item exactly as in one process.
pub fn contiguous_shares(len: usize, parts: usize, grain: usize) -> Vec<Range<usize>> {
    let (parts, grain) = (parts.max(1), grain.max(1));
    let grains = len.div_ceil(grain);
    let at = |p: usize| {
        let g = ((grains as u128 * p as u128) / parts as u128) as usize;
        g.saturating_mul(grain).min(len)
    };
    (0..parts).map(|p| at(p)..at(p + 1)).collect()
}

/// The items of worker `part` of `parts` when `len` items are dealt out in
/// blocks of `block` items, round-robin: blocks `part`, `part + parts`, …
/// (the last may be short). `block` of 0 is taken as 1.
pub fn cyclic_blocks(
    len: usize,
    parts: usize,
    part: usize,
    block: usize,
) -> impl Iterator<Item = Range<usize>> {
    let (parts, block) = (parts.max(1), block.max(1));
    let blocks = len.div_ceil(block);
    (part..blocks)
        .step_by(parts)
        .map(move |b| b * block..((b + 1) * block).min(len))
}

/// A combine of block partials that cannot be done as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharesError {
    #[error(
        "expected one partial per block ({expected}), got {got}: every worker must send the partials of exactly the blocks it owns"
    )]
    WrongCount { expected: usize, got: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::tree_reduce;

    /// An order-sensitive combine shows the tree's exact shape.
    fn shape(lo: u64, hi: u64) -> String {
        tree_reduce(lo, hi, &|i| i.to_string(), &|a, b| format!("({a} {b})"))
    }

    #[test]
    fn any_worker_count_reproduces_the_single_process_tree() {
        for chunks in [1u64, 2, 3, 16, 255, 256, 257, 1000, 4099] {
            let bc = block_chunks(chunks);
            let blocks = subtree_blocks(chunks, bc);
            assert!(blocks.len() as u64 <= 2 * SHARE_BLOCKS);
            for parts in 1..=7 {
                let owners = block_owners(&blocks, chunks, parts);
                assert_eq!(owners.len(), parts);
                // Each worker computes its blocks' partials alone…
                let mut partials = Vec::new();
                for run in &owners {
                    for b in &blocks[run.clone()] {
                        partials.push(shape(b.start, b.end));
                    }
                }
                // …and combined along the tree they are the whole tree.
                let combined =
                    combine_blocks(chunks, bc, partials, &|a, b| format!("({a} {b})")).unwrap();
                assert_eq!(combined, shape(0, chunks), "{chunks} chunks, {parts} parts");
            }
        }
    }

    #[test]
    fn owners_are_contiguous_balanced_and_cover_every_block() {
        for chunks in [1u64, 5, 100, 10_000] {
            let blocks = subtree_blocks(chunks, block_chunks(chunks));
            for parts in 1..=9 {
                let owners = block_owners(&blocks, chunks, parts);
                assert_eq!(owners.first().unwrap().start, 0);
                assert_eq!(owners.last().unwrap().end, blocks.len());
                assert!(owners.windows(2).all(|w| w[0].end == w[1].start));
                let loads: Vec<u64> = owners
                    .iter()
                    .map(|r| blocks[r.clone()].iter().map(|b| b.end - b.start).sum())
                    .collect();
                let biggest_block = blocks.iter().map(|b| b.end - b.start).max().unwrap();
                let ideal = chunks.div_ceil(parts as u64);
                assert!(
                    loads.iter().all(|&l| l <= ideal + biggest_block),
                    "{chunks} chunks over {parts}: {loads:?}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_number_of_partials_is_refused() {
        let bc = block_chunks(10);
        let n = subtree_blocks(10, bc).len();
        let err = combine_blocks(10, bc, vec![1u64; n - 1], &|a, b| a + b).unwrap_err();
        assert_eq!(
            err,
            SharesError::WrongCount {
                expected: n,
                got: n - 1
            }
        );
        assert!(combine_blocks(10, bc, vec![1u64; n + 1], &|a, b| a + b).is_err());
    }

    #[test]
    fn map_shares_cover_every_item_once() {
        for len in [0usize, 1, 7, 1000] {
            for parts in 1..=5 {
                let shares = contiguous_shares(len, parts, 1);
                let mut seen = vec![0u8; len];
                for s in &shares {
                    assert!(s.len() <= len.div_ceil(parts));
                    s.clone().for_each(|i| seen[i] += 1);
                }
                for block in [1usize, 3, 64] {
                    for part in 0..parts {
                        for r in cyclic_blocks(len, parts, part, block) {
                            assert!(r.start / block % parts == part);
                            r.for_each(|i| seen[i] += 1);
                        }
                    }
                }
                assert!(seen.iter().all(|&c| c == 4), "{len} items, {parts} parts");
            }
        }
    }

    #[test]
    fn grained_shares_start_at_whole_grains() {
        for len in [0usize, 5, 16, 1000, 100_003] {
            for grain in [1usize, 8, 16_384] {
                for parts in 1..=5 {
                    let shares = contiguous_shares(len, parts, grain);
                    assert_eq!(shares.first().unwrap().start, 0);
                    assert_eq!(shares.last().unwrap().end, len);
                    assert!(shares.windows(2).all(|w| w[0].end == w[1].start));
                    assert!(shares.iter().all(|s| s.start % grain == 0 || s.is_empty()));
                    let most = len.div_ceil(grain).div_ceil(parts) * grain;
                    assert!(shares.iter().all(|s| s.len() <= most));
                }
            }
        }
    }
}
