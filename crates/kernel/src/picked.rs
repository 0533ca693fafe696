//! A map kernel restricted to some of its items: `Picked` runs another map
//! kernel over a list of item ranges, packed one after the other, as one
//! index space. It is how a driver gives one worker every `p`-th block of
//! rows (a cyclic distribution) and still runs that worker's share on any
//! CPU backend with the kernel's own leaf — each output equal to the same
//! item's in a whole run.

use core::ops::Range;

use crate::kernel::{MapKernel, Mapping};
use crate::lanes::Lanes;

/// `inner` over the items of `pieces`, in order: item `j` of the picked
/// index space is the `j`-th item of the concatenated pieces.
pub struct Picked<'k, K: ?Sized> {
    inner: &'k K,
    pieces: Vec<Range<usize>>,
    /// `starts[i]`: the picked index of `pieces[i].start`; one more entry,
    /// the total.
    starts: Vec<usize>,
}

impl<'k, K: Mapping + ?Sized> Picked<'k, K> {
    /// `inner` over `pieces` (ranges inside `0..inner.len()`, empty ones
    /// ignored; overlapping pieces compute their items twice).
    pub fn new(inner: &'k K, pieces: impl IntoIterator<Item = Range<usize>>) -> Self {
        let pieces: Vec<Range<usize>> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
        let mut starts = Vec::with_capacity(pieces.len() + 1);
        let mut at = 0;
        for p in &pieces {
            starts.push(at);
            at += p.len();
        }
        starts.push(at);
        Self {
            inner,
            pieces,
            starts,
        }
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[Range<usize>] {
        &self.pieces
    }
}

impl<K: Mapping + ?Sized> Mapping for Picked<'_, K> {
    type Out = K::Out;

    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }
    fn out_per_item(&self) -> usize {
        self.inner.out_per_item()
    }
    fn chunk(&self) -> usize {
        self.inner.chunk()
    }
}

impl<K: MapKernel + ?Sized> MapKernel for Picked<'_, K> {
    fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [Self::Out]) {
        let per_item = self.inner.out_per_item();
        // The first piece that holds `items.start`.
        let mut piece = self.starts.partition_point(|&s| s <= items.start) - 1;
        let mut at = items.start;
        let mut written = 0;
        while at < items.end {
            let (start, range) = (self.starts[piece], &self.pieces[piece]);
            let offset = at - start;
            let take = (range.len() - offset).min(items.end - at);
            let global = range.start + offset..range.start + offset + take;
            let values = take * per_item;
            self.inner
                .leaf::<L>(global, &mut out[written..written + values]);
            written += values;
            at += take;
            piece += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes;

    /// Item i's outputs are (i, i + 0.5): any misplaced item shows.
    struct Twice;
    impl Mapping for Twice {
        type Out = f64;
        fn len(&self) -> usize {
            100
        }
        fn out_per_item(&self) -> usize {
            2
        }
        fn chunk(&self) -> usize {
            3
        }
    }
    impl MapKernel for Twice {
        fn leaf<L: Lanes>(&self, items: Range<usize>, out: &mut [f64]) {
            for (k, i) in items.enumerate() {
                out[2 * k] = i as f64;
                out[2 * k + 1] = i as f64 + 0.5;
            }
        }
    }

    #[test]
    fn picked_items_are_the_pieces_items_in_order() {
        let pieces = vec![5..9, 20..21, 0..0, 40..50, 99..100];
        let picked = Picked::new(&Twice, pieces.clone());
        let expected: Vec<f64> = pieces
            .iter()
            .flat_map(|p| p.clone())
            .flat_map(|i| [i as f64, i as f64 + 0.5])
            .collect();
        assert_eq!(picked.len(), 16);
        // Every sub-range of the picked space, including ones that start
        // and end inside pieces.
        for a in 0..=picked.len() {
            for b in a..=picked.len() {
                let mut out = vec![-1.0; (b - a) * 2];
                picked.leaf::<lanes::Scalar>(a..b, &mut out);
                assert_eq!(out, expected[2 * a..2 * b], "{a}..{b}");
            }
        }
    }
}
